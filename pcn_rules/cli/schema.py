"""``pcn-check schema``: the JSON Schema of the submission format, the report or the audit."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import json
from typing import Annotated

import typer

from pcn_rules.cli.app import write


def schema_command(
    report: Annotated[
        bool, typer.Option("--report", help="Print the JSON report's schema instead.")
    ] = False,
    audit: Annotated[
        bool, typer.Option("--audit", help="Print the JSON audit report's schema instead.")
    ] = False,
) -> None:
    """Print the JSON Schema of the submission format (or of the JSON report or audit).

    Examples:

    \b
      pcn-check schema > submission.schema.json
      pcn-check schema --report
    """
    if audit:
        from pcn_rules.audits.run import audit_json_schema

        schema = audit_json_schema()
    elif report:
        from pcn_rules.report.model import report_json_schema

        schema = report_json_schema()
    else:
        from pcn_rules.submission.model import submission_json_schema

        schema = submission_json_schema()
    write(json.dumps(schema, indent=2) + "\n", None)
