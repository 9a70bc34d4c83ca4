"""The submission: the public input format (pydantic models) and reading it from JSON."""

from pcn_rules.submission.model import Submission, submission_json_schema
from pcn_rules.submission.read import coerce_submission, read_submission, validate_submission

__all__ = [
    "Submission",
    "coerce_submission",
    "read_submission",
    "submission_json_schema",
    "validate_submission",
]
