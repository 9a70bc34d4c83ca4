"""``pcn-check import-ods``: one submission per PCN from NHS Digital ODS data.

Nothing a user has is lost: ``--out`` must be a new or empty directory (``--force`` replaces the
files the import writes and removes the files of an earlier import it recognises, unedited; any
other ``*.json`` is left and named); nothing is written through a link; the files are written
all or none; and only submissions that the submission format accepts are written (a network
that is not is named, with what is wrong, and the import exits 3).
"""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import datetime as dt
import json
import os
import re
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from pcn_rules.cli.app import EXIT_INPUT, Fail, error_console, print_error, reason, stdout_console
from pcn_rules.cli.output import refuse_inputs, write_file, write_files
from pcn_rules.errors import InputError, UsageError
from pcn_rules.render.safe import one_line
from pcn_rules.vocab import plural

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.ingest.ods import Rejected

#: The name of an imported file: the PCN's ODS code.
_IMPORTED_NAME = re.compile(r"^U[0-9]{5}\.json$")
#: The keys an import writes, at each level: a file with any other key has been edited.
_IMPORTED_KEYS = {
    "": {"format_version", "contract_year", "submission", "network", "practices"},
    "network": {"name", "ods_code", "lead_commissioner"},
    "lead_commissioner": {"ods_code", "name"},
    "practice": {
        "ods_code",
        "name",
        "ccg",
        "list_size",
        "list_size_date",
        # from --payments
        "contract_type",
        "in_hours_contract",
        "rurality",
        "weighted_list_size",
    },
}
#: Files larger than this are not an import's (a network's import is a few kilobytes).
_MAX_IMPORTED_BYTES = 1024 * 1024


def _shown(names: list[str], limit: int = 8) -> str:
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(one_line(n) for n in names[:limit]) + more


def _entries(out: Path) -> list[str]:
    """The names in the directory OUT (none if it does not exist yet)."""
    try:
        return sorted(os.listdir(out))
    except (FileNotFoundError, NotADirectoryError):
        return []  # writing it will say why it cannot be written
    except OSError as exc:
        raise UsageError(f"--out {out} cannot be read: {reason(exc)}") from None


def _unedited_import(doc: Any) -> bool:
    """Whether DOC is a submission as ``import-ods`` writes it, with nothing added since."""
    from pcn_rules.ingest.ods import IMPORTED_BY

    if not isinstance(doc, dict) or set(doc) - _IMPORTED_KEYS[""]:
        return False
    network, practices = doc.get("network"), doc.get("practices")
    if doc.get("submission") != {"type": "update", "submitted_by": IMPORTED_BY}:
        return False
    if not isinstance(network, dict) or set(network) - _IMPORTED_KEYS["network"]:
        return False
    lead = network.get("lead_commissioner", {})
    if not isinstance(lead, dict) or set(lead) - _IMPORTED_KEYS["lead_commissioner"]:
        return False
    return isinstance(practices, list) and all(
        isinstance(p, dict) and not set(p) - _IMPORTED_KEYS["practice"] for p in practices
    )


def _earlier_import(path: Path) -> bool:
    """Whether PATH is a regular file (not a link) holding an unedited earlier import."""
    try:
        found = os.lstat(path)
        if not stat.S_ISREG(found.st_mode) or found.st_size > _MAX_IMPORTED_BYTES:
            return False
        return _unedited_import(json.loads(path.read_bytes().decode("utf-8")))
    except (OSError, ValueError):
        return False


def _tidy(
    out: Path, earlier: list[str], written: set[str], refused: set[str]
) -> tuple[list[str], list[str]]:
    """Remove the files of an earlier import (of those named EARLIER) that this one did not
    write, but for networks it REFUSED; return those removed, and every other ``*.json`` left
    under OUT."""
    removed = []
    for name in earlier:
        path = out / name
        if name in written | refused or not _IMPORTED_NAME.match(name):
            continue
        if not _earlier_import(path):
            continue
        try:
            path.unlink()
            removed.append(name)
        except OSError:
            pass  # left in place: it is listed below
    left = sorted(
        str(p.relative_to(out))
        for p in out.rglob("*.json")
        if p.relative_to(out).as_posix() not in written
    )
    return removed, left


def _validated(
    submissions: dict[str, dict[str, Any]], out: Path
) -> tuple[dict[str, bytes], list[tuple[str, InputError]]]:
    """The file of each submission the submission format accepts, and the networks refused."""
    from pcn_rules.submission.read import validate_submission

    files: dict[str, bytes] = {}
    refused: list[tuple[str, InputError]] = []
    for code, doc in sorted(submissions.items()):
        name = f"{code}.json"
        try:
            validate_submission(doc, str(out / name))
        except InputError as exc:
            refused.append((code, exc))
            continue
        files[name] = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    return files, refused


def _network_name(doc: dict[str, Any]) -> str:
    name = one_line(str(doc.get("network", {}).get("name", "")))
    return name if len(name) <= 60 else name[:57] + "..."


def _rejected_csv(rows: tuple["Rejected", ...]) -> str:
    """The rows an import left out as CSV (UTF-8 with a byte-order mark, for Excel)."""
    import csv
    import io

    from pcn_rules.render.csv import BOM, cell

    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("file", "line", "pcn_code", "practice_code", "reason"))
    for row in rows:
        writer.writerow(
            (cell(row.source), row.line, cell(row.pcn), cell(row.practice), cell(row.reason))
        )
    return out.getvalue()


def _warn_unpacked_year(year: str, sizes_at: dt.date) -> None:
    """Say plainly when no bundled pack covers the contract year the import wrote: every check
    and audit of these files would otherwise fail later, each on its own."""
    from pcn_rules.packs.discover import available_packs

    packs = available_packs()
    if year in packs:
        return
    error_console().print(
        Text.assemble(
            ("warning:", "bold yellow"),
            f" the list sizes are at {sizes_at.day} {sizes_at:%B %Y}, so the submissions are "
            f"for contract year {year}, and no bundled rule pack covers it (packs: "
            f"{', '.join(packs) or 'none'}). Checking or auditing them will fail (exit 3) "
            "unless you choose a pack with --pack; for a year a pack covers, import list sizes "
            f"at 1 January of its first year (e.g. {packs[0][:4] if packs else 'YYYY'}).",
        )
    )


def import_ods_command(
    more: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[FILE...]",
            help="More ePCN files (so that a shell glob after --epcn works).",
            show_default=False,
        ),
    ] = None,
    epcn: Annotated[
        list[Path] | None,
        typer.Option(
            "--epcn",
            metavar="FILE",
            help="The ePCN workbook (.xlsx) or its two sheets as CSV files.",
        ),
    ] = None,
    list_sizes: Annotated[
        Path | None,
        typer.Option(
            "--list-sizes",
            metavar="CSV",
            help="QOF-style list sizes, or NHS Digital's Patients Registered at a GP Practice CSV.",
        ),
    ] = None,
    payments: Annotated[
        list[Path] | None,
        typer.Option(
            "--payments",
            metavar="CSV",
            help="NHS Digital's NHS Payments to General Practice CSV (repeatable; the contract "
            "year's own first): fills each practice's contract type, rurality and weighted "
            "list size.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="A new or empty directory to write to."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into a directory that is not empty: replace the files this import "
            "writes and remove unedited files of an earlier import; other files are kept.",
        ),
    ] = False,
    rejected: Annotated[
        Path | None,
        typer.Option(
            "--rejected",
            metavar="CSV",
            help="Write every ePCN row left out, and why, to this CSV file "
            "(file, line, PCN, practice, reason).",
        ),
    ] = None,
) -> None:
    """Turn NHS Digital ODS data into one submission per PCN (only the facts ODS holds).

    Examples:

    \b
      pcn-check import-ods --epcn ePCN.xlsx --list-sizes qof.csv --out imported/
      pcn-check import-ods --epcn details.csv partners.csv --list-sizes qof.csv --out imported/
    """
    from pcn_rules.ingest.ods import import_ods

    sources = [*(epcn or []), *(more or [])]
    if not sources or list_sizes is None or out is None:
        raise UsageError("import-ods needs --epcn FILE..., --list-sizes FILE and --out DIR")
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is not a directory")
    earlier = _entries(out)
    if earlier and not force:
        raise UsageError(
            f"--out {out} is not empty ({_shown(earlier, 3)}); import into a new or empty "
            "directory, or give --force to replace the files this import writes"
        )
    if rejected is not None:
        refuse_inputs(rejected, [*sources, list_sizes, *(payments or [])], "--rejected")
    result = import_ods(sources, list_sizes, payments or [])
    files, refused = _validated(result.submissions, out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out} cannot be written: {reason(exc)}") from None
    write_files(out, files)
    if rejected is not None:
        write_file(rejected, _rejected_csv(result.rejected), "--rejected")
    removed, left = (
        _tidy(out, earlier, set(files), {f"{code}.json" for code, _ in refused})
        if earlier
        else ([], [])
    )
    console = stdout_console()
    console.print(
        Text(
            f"Wrote {len(files):,} submissions to {one_line(str(out))} ({result.memberships:,} "
            f"practice memberships; list sizes at {result.list_size_date}; "
            f"{result.practices_without_list_size:,} members without a list size; "
            f"{plural(len(result.skipped), 'row')} left out"
            + (f", listed in {one_line(str(rejected))}" if rejected is not None else "")
            + ")."
        )
    )
    if result.payments_sources:
        missing = result.not_in_payments
        unknown = result.contract_type_unknown
        console.print(
            Text(
                f"Contract types, rurality and weighted list sizes from "
                f"{plural(len(result.payments_sources), 'payments file')}: "
                f"{plural(len(missing), 'member practice')} in none of them"
                + (f" ({_shown(list(missing))})" if missing else "")
                + f"; {len(unknown)} with contract type UNKNOWN"
                + (f" ({_shown(list(unknown))})" if unknown else "")
                + "."
            )
        )
    _warn_unpacked_year(result.contract_year, result.list_size_date)
    if removed:
        console.print(
            Text(f"Removed {plural(len(removed), 'file')} of an earlier import: {_shown(removed)}.")
        )
    if left:
        console.print(
            Text(
                f"Left in place, and read by the next audit of {one_line(str(out))}: "
                f"{plural(len(left), 'other JSON file')} ({_shown(left)}).",
                style="yellow",
            )
        )
    console.print(
        Text(
            "Only facts ODS holds are included: audits will report the rest as not evidenced. "
            f"Audit them with: pcn-check audit {one_line(str(out))} --as-of DATE"
        )
    )
    if refused:
        err = error_console()
        for code, problem in refused:
            where = "; ".join(
                f"{path or '(top level)'}: {message}" for path, message in problem.problems
            )
            print_error(
                err,
                "error: not imported",
                f"network {code} ({_network_name(result.submissions[code])}) does not make a "
                f"valid submission: {one_line(where)}",
            )
        raise Fail(EXIT_INPUT)
