"""``pcn-check explain FILE RULE``: why a rule gave its result for one submission."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import json
from pathlib import Path
from typing import Annotated

import typer

from pcn_rules.cli.app import (
    TEXT_OR_JSON,
    stdout_console,
    text_or_json,
    write,
)
from pcn_rules.cli.options import (
    PackOption,
    format_option,
    parse_date,
)
from pcn_rules.render.safe import json_escaped


def explain_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A submission JSON file.")],
    rule_id: Annotated[
        str, typer.Argument(metavar="RULE", help="The rule to explain, e.g. POP-MIN.")
    ],
    pack: PackOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", metavar="YYYY-MM-DD", help="As of this date.")
    ] = None,
    output_format: Annotated[str, format_option(TEXT_OR_JSON)] = "text",
) -> None:
    """Explain one rule for one submission: its conditions, the values read, the result.

    Examples:

    \b
      pcn-check explain submission.json POP-MIN
      pcn-check explain submission.json NA-FULL --as-of 2019-06-30
    """
    from pcn_rules.api import check
    from pcn_rules.packs.discover import load_pack_cached

    output_format = text_or_json(output_format)
    loaded = load_pack_cached(pack) if pack is not None else None
    report = check(file, pack=loaded, as_of=parse_date(as_of, "--as-of"), explain=True)
    wanted = rule_id.upper()
    findings = [f for f in report.findings if f.rule_id == wanted]
    if not findings:
        (loaded or load_pack_cached(report.pack_id)).rule(wanted)  # raises a usage error
    if output_format == "json":
        payload = {
            "rule_id": wanted,
            "pack": report.pack_id,
            "as_of": report.as_of.isoformat(),
            "findings": [f.to_dict() for f in findings],
        }
        write(json_escaped(json.dumps(payload, indent=2, ensure_ascii=False)) + "\n", None, "json")
        return
    from pcn_rules.render.text import render_explanation

    render_explanation(report, findings, stdout_console())
