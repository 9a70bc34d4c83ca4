"""Waivers granted outside the submission: a commissioner's file of exceptions (``--waivers``).

A waiver names a rule ID, optionally one entity (a practice's ODS code, a network's ODS code or
name) and optionally one network, with a mandatory reason, approver and approval date, and an
optional expiry.  The engine applies it to a not-met finding it matches; an expired or
not-yet-valid waiver fails closed (the finding stays not met and says why).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from pcn_rules.errors import InputError, PackError
from pcn_rules.ingest.files import PACK_FILE_LIMIT, FileRefused, read_limited
from pcn_rules.packs.yamlsafe import parse_yaml
from pcn_rules.submission.jsontext import loads_json
from pcn_rules.submission.types import IsoDate
from pcn_rules.vocab import RULE_ID_PATTERN, validation_problem

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


def _error(source: str, problems: Sequence[tuple[str, str]]) -> InputError:
    """An input error naming this kind of file."""
    return InputError(source, problems, kind="waivers file")


class _WaiverSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    rule: Annotated[str, StringConstraints(pattern=RULE_ID_PATTERN)]
    entity: Text | None = Field(
        default=None, description="A practice's ODS code, or the network's ODS code or name."
    )
    network: Text | None = Field(
        default=None, description="Only for this network (ODS code or name)."
    )
    reason: Text
    approved_by: Text
    approved_on: IsoDate
    expires_on: IsoDate | None = None


class _WaiverFileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)

    version: Literal[1]
    waivers: list[_WaiverSpec]


@dataclass(frozen=True, slots=True)
class WaiverEntry:
    """One waiver from a file."""

    rule: str
    entity: str | None
    network: str | None
    reason: str
    approved_by: str
    approved_on: dt.date
    expires_on: dt.date | None
    source: str
    index: int

    def matches(self, rule_id: str, entity: str | None, network_ids: Iterable[str]) -> bool:
        if rule_id != self.rule:
            return False
        ids = set(network_ids)
        if self.network is not None and self.network not in ids:
            return False
        return self.entity is None or self.entity == entity or self.entity in ids


@dataclass(frozen=True, slots=True)
class WaiverSet:
    """The waivers of one or more files, ready to match findings.  Immutable."""

    entries: tuple[WaiverEntry, ...] = ()

    def find(
        self, rule_id: str, entity: str | None, network_ids: Iterable[str]
    ) -> WaiverEntry | None:
        """The most specific matching waiver (entity-specific before network-wide)."""
        ids = tuple(network_ids)
        found = [w for w in self.entries if w.matches(rule_id, entity, ids)]
        if not found:
            return None
        found.sort(key=lambda w: (w.entity is None, w.network is None, -w.approved_on.toordinal()))
        return found[0]

    def check_against(
        self, rules: dict[str, bool], retired: Mapping[str, str] | None = None
    ) -> None:
        """Refuse waivers of unknown or non-waivable rules (``rules``: ID → waivable;
        ``retired``: ID → why a rule the pack no longer has is gone)."""
        for w in self.entries:
            where = f"waivers[{w.index}].rule"
            if retired and w.rule in retired:
                raise _error(w.source, [(where, f"{retired[w.rule]}; waive what replaced it")])
            if w.rule not in rules:
                known = ", ".join(sorted(rules))
                raise _error(
                    w.source, [(where, f"{w.rule} is not a rule of this pack (rules: {known})")]
                )
            if not rules[w.rule]:
                raise _error(
                    w.source,
                    [(where, f"{w.rule} cannot be waived: the pack marks it `waivable: false`")],
                )


def _problems(exc: ValidationError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for err in exc.errors(include_url=False):
        where, message = validation_problem(err, noun="key")
        if err["type"] == "missing":
            message += " (every waiver needs rule, reason, approved_by and approved_on)"
        out.append((where, message))
    return out


def _refuse_non_finite_json(text: str, source: str) -> None:
    """A waivers file written as JSON may not hold NaN or Infinity, which JSON does not allow
    (the YAML reader would take a bare ``NaN`` as the text "NaN")."""
    # a file that is not JSON is YAML, which the YAML reader has read
    try:
        loads_json(text, source)
    except InputError:
        raise  # NaN or Infinity in JSON (an InputError is a ValueError too: not suppressed)
    except (ValueError, RecursionError):
        pass


def _read(file: Path, source: str) -> Any:
    """The parsed file (read within :data:`~pcn_rules.ingest.files.PACK_FILE_LIMIT`)."""
    try:
        text = read_limited(file, PACK_FILE_LIMIT).decode("utf-8")
    except FileRefused as exc:
        raise _error(
            source, [("", "waivers file not found" if exc.missing else str(exc))]
        ) from None
    except UnicodeDecodeError:
        raise _error(source, [("", "not UTF-8 text")]) from None
    try:
        data = parse_yaml(text, source)
    except PackError as exc:  # the YAML reader's words, reported as an input error (exit 3)
        raise _error(source, [(exc.location, exc.detail)]) from None
    _refuse_non_finite_json(text, source)
    return data


def load_waivers(path: str | Path) -> WaiverSet:
    """Read a waivers file (YAML or JSON), or raise :class:`InputError` naming file and key."""
    source = str(path)
    data = _read(Path(path), source)
    if not isinstance(data, dict):
        raise _error(source, [("", "expected a mapping with `version: 1` and `waivers`")])
    version = data.get("version")
    if type(version) is not int or version != 1:  # true and 1.0 equal 1 in Python
        shown = "missing" if version is None else f"got {json.dumps(version)}"
        raise _error(source, [("version", f"expected `version: 1` as the first key ({shown})")])
    try:
        spec = _WaiverFileSpec.model_validate(data)
    except ValidationError as exc:
        raise _error(source, _problems(exc)) from None
    for i, w in enumerate(spec.waivers):
        if w.expires_on is not None and w.expires_on < w.approved_on:
            raise _error(
                source,
                [
                    (
                        f"waivers[{i}].expires_on",
                        f"{w.expires_on} is before the waiver was approved ({w.approved_on}); "
                        "a waiver cannot expire before it is granted",
                    )
                ],
            )
    entries = tuple(
        WaiverEntry(
            rule=w.rule,
            entity=w.entity,
            network=w.network,
            reason=w.reason,
            approved_by=w.approved_by,
            approved_on=w.approved_on,
            expires_on=w.expires_on,
            source=source,
            index=i,
        )
        for i, w in enumerate(spec.waivers)
    )
    return WaiverSet(entries)
