"""An audit's scope and coverage: the lead commissioners it is scoped to (``--commissioner``),
the networks they lead, the register practices they commission (sized from a list-size file
where the register gives no size), and the practices of the register in no network."""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pcn_rules.audits.model import Uncovered
from pcn_rules.errors import UsageError
from pcn_rules.ingest.register import Register
from pcn_rules.report.model import Finding
from pcn_rules.submission.model import Submission
from pcn_rules.submission.types import COMMISSIONER_CODE

_COMMISSIONER = re.compile(COMMISSIONER_CODE)


def commissioner_codes(codes: Iterable[str]) -> set[str]:
    """CODES (``--commissioner``; any case, and comma-separated lists) as ODS codes in
    capitals; a usage error for one that is not a commissioner ODS code."""
    found: set[str] = set()
    for value in codes:
        for code in (c.strip().upper() for c in value.split(",")):
            if not code:
                continue
            if not _COMMISSIONER.match(code):
                raise UsageError(
                    f"--commissioner {code!r}: not a commissioner ODS code (three to five "
                    "capitals and digits, such as 08J)"
                )
            found.add(code)
    return found


def scoped(
    models: list[tuple[str, Submission]], register: Register | None, scope: set[str]
) -> tuple[list[tuple[str, Submission]], list[Submission]]:
    """The networks led by a commissioner of SCOPE, and the others; a usage error naming each
    code of SCOPE that no network leads and no register practice has (an empty audit of a
    typo would read as an all-clear)."""

    def lead(model: Submission) -> str:
        found = model.network.lead_commissioner
        return found.ods_code.upper() if found else ""

    known = {lead(m) for _, m in models}
    if register is not None:
        known |= {(p.commissioner or "").upper() for p in register.practices}
    unknown = sorted(scope - known)
    if unknown:
        where = "no network read has it as lead commissioner" + (
            " and no practice of the register has it" if register is not None else ""
        )
        leads = sorted(code for code in known if code)
        close = difflib.get_close_matches(unknown[0], leads, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(f"--commissioner {', '.join(unknown)}: {where}{hint}")
    inside = [(name, m) for name, m in models if lead(m) in scope]
    outside = [m for _, m in models if lead(m) not in scope]
    return inside, outside


def sized_register(register: Register, sizes: Mapping[str, int] | str | Path) -> Register:
    """REGISTER with each practice it gives no list size sized from SIZES (practice code →
    patients, or a list-size file)."""
    if isinstance(sizes, str | Path):
        from pcn_rules.ingest.ods import read_list_sizes

        sizes = read_list_sizes(Path(sizes))[0]
    return dataclasses.replace(
        register,
        practices=tuple(
            dataclasses.replace(p, list_size=sizes[p.ods_code])
            if p.list_size is None and p.ods_code in sizes
            else p
            for p in register.practices
        ),
    )


def uncovered(batch: Iterable[Finding], practices: Mapping[str, Any]) -> tuple[Uncovered, ...]:
    """The register practices in no network, with their sizes where known."""
    out = []
    for finding in batch:
        if finding.rule_id != "COV-FULL" or finding.status != "not_met" or not finding.entity:
            continue
        facts = practices.get(finding.entity, {})
        size = facts.get("list_size")
        out.append(
            Uncovered(
                code=finding.entity,
                name=facts.get("name"),
                commissioner=facts.get("commissioner"),
                list_size=size if isinstance(size, int) else None,
            )
        )
    return tuple(sorted(out, key=lambda u: (u.commissioner or "", u.code)))


__all__ = ["commissioner_codes", "scoped", "sized_register", "uncovered"]
