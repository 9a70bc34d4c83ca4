"""Making findings: a status with its message, evidence, missing facts, notes on facts dated
later, the waiver that covers it, and its timing and blocking as of the date."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pcn_rules.cel import Compiled, EvalError, referenced_paths
from pcn_rules.engine.context import Context, lookup_or
from pcn_rules.engine.policy import blocking, timing
from pcn_rules.facts.lookup import concrete_paths, element_source, source_of
from pcn_rules.facts.model import LEAVES_ITEM_OUT, Entity, Postponed
from pcn_rules.packs.model import Rule, path_keys
from pcn_rules.report.model import Finding, Waiver, finding_of
from pcn_rules.vocab import FrozenDict, Status, human_date, plural

if TYPE_CHECKING:
    from pcn_rules.engine.decide import Values

_NO_EVIDENCE: Mapping[str, Any] = FrozenDict()
_ABSENT: Any = object()
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def finding(
    ctx: Context,
    rule: Rule,
    entity: Entity | None,
    status: Status,
    message: str,
    evidence: Mapping[str, Any],
    waiver: Waiver | None = None,
    trace: list[dict[str, Any]] | None = None,
    missing: tuple[str, ...] = (),
    dated: tuple[str | None, int | None] = (None, None),
) -> Finding:
    # the same for each finding of the rule with this status in this evaluation
    counted = ctx.counted.get((rule.id, status))
    if counted is None:
        counted = ctx.counted[(rule.id, status)] = (
            *timing(rule.due, ctx.as_of, status),
            blocking(rule, status, ctx.horizon, late_blocks=ctx.late_blocks, fail_on=ctx.fail_on),
        )
    days_left, when, blocks = counted
    entity_id = entity.id if entity else None
    identity = f"{ctx.identity_prefix}{rule.id}|{rule.scope}|{entity_id}"
    # positional, in field order: this runs for every finding
    return finding_of(
        rule.id,
        rule.title,
        status,
        rule.severity,
        rule.scope,
        entity_id,
        entity.name if entity else None,
        message,
        FrozenDict(evidence) if evidence else _NO_EVIDENCE,
        rule.remediation,
        rule.due,
        days_left,
        when,
        blocks,
        rule.source,
        waiver,
        hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20],
        tuple(trace) if trace is not None else None,
        missing,
        dated[0],
        dated[1],
    )


def not_applicable(
    ctx: Context, rule: Rule, entity: Entity, trace: list[dict[str, Any]] | None = None
) -> Finding:
    """The finding of a rule whose ``when`` is false for the entity, naming any fact it reads
    that is dated after the as-of date (a sub-contract that has not started yet)."""
    assert rule.when is not None
    message = f"Does not apply: `{rule.when.source}` is false for this submission."
    notes = postponed_notes(ctx, rule, entity, rule.when_reads)
    if notes:
        message = f"{message} {notes}"
    return finding(ctx, rule, entity, "not_applicable", message, {}, trace=trace)


def met(
    ctx: Context,
    rule: Rule,
    entity: Entity,
    data: Mapping[str, Any],
    evidence: dict[str, Any],
    evidence_on: str | None,
    trace: list[dict[str, Any]] | None = None,
) -> Finding:
    """Every condition holds: on time (``met``) or with evidence dated after the deadline."""
    message = rule.met_message.render(data)
    deadline = rule.evidence_due or rule.due
    if evidence_on is None or deadline is None or evidence_on <= deadline.date.isoformat():
        return finding(
            ctx, rule, entity, "met", message, evidence, trace=trace, dated=(evidence_on, None)
        )
    late = (dt.date.fromisoformat(evidence_on) - deadline.date).days
    which = [
        f"{p.label + ': ' if p.label else ''}{p.path}"
        for p in ctx.facts.dated
        if p.date == evidence_on and _relevant(p, rule, entity)
    ]
    named = f" ({'; '.join(which)})" if which else ""
    message = (
        f"Met {plural(late, 'day')} late: the evidence is dated {_day(evidence_on)}"
        f"{named}, after the deadline of {human_date(deadline.date)} ({deadline.title}). "
        f"{message}"
    )
    return finding(
        ctx, rule, entity, "met_late", message, evidence, trace=trace, dated=(evidence_on, late)
    )


def latest_date(value: Any) -> tuple[str | None, str | None]:
    """(latest date, problem) from an evidence date: a date, or a list of them."""
    dates = value if isinstance(value, list) else [value]
    if not all(isinstance(d, str) and _ISO.match(d) for d in dates):
        return None, f"evidence_date gave {value!r}, not a date or a list of dates"
    return (max(dates) if dates else None), None


def unsettled(
    ctx: Context,
    rule: Rule,
    entity: Entity,
    values: Values,
    status: Status,
    message: str,
    evidence: dict[str, Any],
    trace: list[dict[str, Any]] | None = None,
    missing: tuple[str, ...] = (),
) -> Finding:
    """The finding of a rule that is not met or not evidenced: waived if a valid waiver covers
    it, and naming any fact it reads that is dated after the as-of date."""
    notes = postponed_notes(ctx, rule, entity)
    if notes:
        message = f"{message} {notes}"
    waiver, note = _check_waiver(ctx, rule, entity, values)
    if waiver is not None:
        return finding(ctx, rule, entity, "waived", message, evidence, waiver, trace, missing)
    if note:
        message = f"{message} {note}"
    return finding(ctx, rule, entity, status, message, evidence, None, trace, missing)


def _check_waiver(
    ctx: Context, rule: Rule, entity: Entity, values: Values
) -> tuple[Waiver | None, str | None]:
    """A valid waiver, or the reason the one on file does not apply (expired, not yet valid).

    A waivers file (``--waivers``) is consulted first, then the submission's own commissioner
    decision named by the rule's ``waiver`` condition.  Non-waivable rules are never waived.
    """
    if ctx.ignore_waivers or not rule.waivable:
        return None, None
    entry = ctx.waivers.find(rule.id, entity.id, ctx.network_ids)
    if entry is not None:
        return _still_valid(
            ctx,
            Waiver(
                approved_by=entry.approved_by,
                approved_on=entry.approved_on.isoformat(),
                reason=entry.reason,
                expires_on=entry.expires_on.isoformat() if entry.expires_on else None,
                source=entry.source,
            ),
        )
    if rule.waiver is None:
        return None, None
    value = rule.waiver.evaluate(values.activation())
    if isinstance(value, EvalError) or not isinstance(value, Mapping):
        return None, None
    try:
        waiver = Waiver(
            approved_by=str(value["approved_by"]),
            approved_on=str(value["approved_on"]),
            reason=str(value["reason"]),
            expires_on=str(value["expires_on"]) if value.get("expires_on") else None,
        )
    except KeyError as exc:
        return None, f"The waiver on file is incomplete (no {exc.args[0]}), so it does not apply."
    return _still_valid(ctx, waiver)


def _still_valid(ctx: Context, waiver: Waiver) -> tuple[Waiver | None, str | None]:
    """Fail closed: an expired or not-yet-valid waiver does not apply, and the finding says so."""
    today = ctx.as_of.isoformat()
    if waiver.expires_on is not None and waiver.expires_on < today:
        return None, (
            f"The waiver approved by {waiver.approved_by} expired on {_day(waiver.expires_on)}."
        )
    if waiver.approved_on > today:
        return None, (
            f"The waiver approved by {waiver.approved_by} only takes effect on "
            f"{_day(waiver.approved_on)}."
        )
    return waiver, None


def _day(iso: str) -> str:
    """An ISO date of the facts, as people read it ("15 May 2019")."""
    return human_date(dt.date.fromisoformat(iso))


def _relevant(
    fact: Postponed, rule: Rule, entity: Entity, reads: tuple[str, ...] | None = None
) -> bool:
    """Whether a dated fact is one the rule reads (or one of ``reads``), for this entity."""
    # a fact of another item of a list concerns an entity only when it is about it (a
    # cross-boundary agreement for this practice)
    if (
        entity.path is not None
        and "[" in fact.path
        and not fact.path.startswith(entity.path + ".")
        and fact.label != entity.id
    ):
        return False
    pattern = fact.pattern
    item_out = pattern in LEAVES_ITEM_OUT
    for read in rule.reads if reads is None else reads:
        if read == pattern or read.startswith((pattern + ".", pattern + "[")):
            return True
        if pattern.startswith(read + "."):
            return True
        # a rule that reads a list (`practices`) reads a field of its items only when that
        # field leaves its item out (a change notified later), or when it reads the field
        if pattern.startswith(read + "[") and (item_out or pattern == read + "[]"):
            return True
    return False


def postponed_notes(
    ctx: Context, rule: Rule, entity: Entity, reads: tuple[str, ...] | None = None
) -> str:
    """Why a fact the rule reads (or one of ``reads``) is not counted: it is dated after the
    as-of date."""
    if not ctx.facts.postponed:
        return ""
    # the deadline of the evidence where it has its own (SVC-EHCH's team, by 30 September)
    due = rule.evidence_due or rule.due
    deadline = due.date.isoformat() if due else None
    as_of = human_date(ctx.as_of)
    notes = []
    for p in ctx.facts.postponed:
        if not _relevant(p, rule, entity, reads):
            continue
        note = (
            f"{p.label + ': ' if p.label else ''}{p.path} is {_day(p.date)}, after the as-of "
            f"date ({as_of}), so it does not count yet"
        )
        if deadline is not None and p.date <= deadline:
            note += f" (it is not after the {_day(deadline)} deadline)"
        notes.append(note + ".")
    return " ".join(notes)


@functools.cache
def _where_missing(
    text: str, key: str, scope: str
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """For a condition that CEL found ``key`` missing in: the (dotted path, catalogue source)
    of each path it reads up to that key (one of them is absent), and the source to fall back
    on when none is (a field of the items a comprehension goes through)."""
    referenced = referenced_paths(text, ("network", "submission", scope))
    candidates: list[tuple[str, str]] = []
    for path in referenced:
        keys = path_keys(path)
        if key not in keys[1:]:
            continue
        # CEL names the first key it did not find: the path up to it is what is absent
        prefix = ".".join(keys[: keys.index(key, 1) + 1])
        root, _, rest = prefix.partition(".")
        source = source_of(root, rest)
        if source is not None and (prefix, source) not in candidates:
            candidates.append((prefix, source))
    # `network.practices.all(p, p.name != '')`: the items of the lists the condition reads
    fallback = element_source(referenced, key) or source_of(scope, key)
    if fallback is None and not candidates:
        # `network.extended_hours.population_at[params.eha_population_date]`: the key is not
        # in the map the condition indexes, which stands for the fact it lacks
        for path in referenced:
            if path + "[" in text:
                root, _, rest = path.partition(".")
                fallback = source_of(root, rest)
                if fallback is not None:
                    break
    return tuple(candidates), fallback


def missing_paths(
    ctx: Context,
    entity: Entity,
    data: Mapping[str, Any],
    missing: list[tuple[Compiled, str]],
) -> tuple[str, ...]:
    """The submission JSON paths of the facts the conditions found absent."""
    paths: list[str] = []
    for compiled, key in missing:
        candidates, fallback = _where_missing(compiled.text, key, entity.scope)
        absent: list[str] = []
        for prefix, source in candidates:
            if lookup_or(data, prefix, _ABSENT) is _ABSENT:
                absent.extend(concrete_paths(source, ctx.facts, entity))
        if not absent:
            absent = concrete_paths(fallback, ctx.facts, entity) if fallback else [key]
        paths.extend(p for p in absent if p not in paths)
    if not ctx.facts.postponed:
        return tuple(paths)
    # a fact dated after the as-of date is not missing from the submission
    later = {p.path for p in ctx.facts.postponed}
    return tuple(p for p in paths if not any(p == q or p.startswith(q + ".") for q in later))


def not_yet(
    ctx: Context, rule: Rule, entity: Entity, index: int, missing: list[tuple[Compiled, str]]
) -> bool:
    """Whether a condition that needs an absent fact is decided once facts dated after the
    as-of date count: then the fact exists, but not yet (the requirement is not met then)."""
    later = ctx.unfiltered()
    if later is None:
        return False
    same = later.facts.entities[entity.scope][index]
    activation = later.rule_activation(rule, same, index)
    return any(not isinstance(compiled.evaluate(activation), EvalError) for compiled, _ in missing)
