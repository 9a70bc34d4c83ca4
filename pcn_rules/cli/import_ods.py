"""``pcn-check import-ods``: one submission per PCN from NHS Digital ODS data."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from pcn_rules.cli.app import reason, stdout_console
from pcn_rules.errors import UsageError


def import_ods_command(
    more: Annotated[
        list[Path] | None,
        typer.Argument(
            help="More ePCN files (so that a shell glob after --epcn works).", show_default=False
        ),
    ] = None,
    epcn: Annotated[
        list[Path] | None,
        typer.Option("--epcn", help="The ePCN workbook (.xlsx) or its two sheets as CSV files."),
    ] = None,
    list_sizes: Annotated[
        Path | None,
        typer.Option(
            "--list-sizes",
            help="QOF-style list sizes, or NHS Digital's Patients Registered at a GP Practice CSV.",
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Directory to write to.")] = None,
) -> None:
    """Turn NHS Digital ODS data into one submission per PCN (only the facts ODS holds)."""
    from pcn_rules.ingest.ods import import_ods

    sources = [*(epcn or []), *(more or [])]
    if not sources or list_sizes is None or out is None:
        raise UsageError("import-ods needs --epcn FILE..., --list-sizes FILE and --out DIR")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory")
    result = import_ods(sources, list_sizes)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for code, doc in sorted(result.submissions.items()):
            (out / f"{code}.json").write_text(
                json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
            )
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename and exc.filename != str(out) else ""
        raise UsageError(f"--out {out} cannot be written{where}: {reason(exc)}") from None
    console = stdout_console()
    console.print(
        Text(
            f"Wrote {len(result.submissions):,} submissions to {out} ({result.memberships:,} "
            f"practice memberships; list sizes at {result.list_size_date}; "
            f"{result.practices_without_list_size} members without a list size; "
            f"{len(result.skipped)} rows left out)."
        )
    )
    console.print(
        Text(
            "Only facts ODS holds are included: audits will report the rest as not evidenced. "
            f"Audit them with: pcn-check audit {out} --as-of DATE"
        )
    )
