"""Facts: the submission viewed per entity, as of a date, with derived values computed once."""

from pcn_rules.facts.build import build_facts
from pcn_rules.facts.model import Entity, SubmissionFacts

__all__ = ["Entity", "SubmissionFacts", "build_facts"]
