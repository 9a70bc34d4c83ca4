"""Evaluating a pack: a pure function of (facts, pack, as-of date) → :class:`Report`.

Each rule is evaluated over every entity in its scope, and its finding says what the evidence
shows, in this order:

- ``error``: a condition could not be evaluated (never treated as met);
- ``not_met``: a condition is false, or needs a fact that is dated after the as-of date (as of
  then it has not happened);
- ``not_evidenced``: a condition needs a fact the submission does not give (``missing`` names
  its JSON paths);
- ``met_late``: every condition holds, but the date the evidence carries is after the deadline;
- ``met``: every condition holds, on time.

A valid waiver turns ``not_met`` or ``not_evidenced`` into ``waived``.  Nothing is ever
silently passed.  :func:`evaluate_entity` is the reference; where the bundled decider decided
every condition of a rule, :func:`_decided_finding` makes the same finding with less work.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from pcn_rules.cel import UNDECIDED, Compiled, EvalError, referenced_paths
from pcn_rules.engine.context import Context, evidence_value, lookup
from pcn_rules.engine.decide import Decide, Values
from pcn_rules.engine.findings import (
    finding,
    latest_date,
    met,
    missing_paths,
    not_applicable,
    not_yet,
    postponed_notes,
    unsettled,
)
from pcn_rules.engine.policy import year_warnings
from pcn_rules.facts.catalogue import BATCH_SCOPES, SCOPES
from pcn_rules.facts.model import Entity, SubmissionFacts
from pcn_rules.ingest.waivers import WaiverSet
from pcn_rules.packs.model import Rule, RulePack, Template
from pcn_rules.report.model import Finding, MilestoneStatus, Report
from pcn_rules.vocab import Severity, human_date

_MISSING: Any = object()


class _Outcome:
    __slots__ = ("errors", "missing")

    def __init__(self) -> None:
        #: (condition, the key CEL found missing) for each condition that needed an absent fact
        self.missing: list[tuple[Compiled, str]] = []
        self.errors: list[str] = []


def _run(
    slot: int | None,
    compiled: Compiled,
    values: Values,
    outcome: _Outcome,
    label: str,
    trace: list[dict[str, Any]] | None,
    data: Mapping[str, Any],
    scope: str,
) -> Any:
    """Evaluate one condition, recording missing facts and errors; return the value or _MISSING."""
    value = values.of(slot, compiled)
    if trace is None:
        if not isinstance(value, EvalError):
            return value
        key = value.missing_key
        if key is not None:
            outcome.missing.append((compiled, key))
        else:
            outcome.errors.append(f"{label} `{compiled.source}` failed: {value.message}")
        return _MISSING
    result: Any = value
    if isinstance(value, EvalError):
        key = value.missing_key
        if key is not None:
            outcome.missing.append((compiled, key))
            result = f"Not evidenced: no {key!r} in the facts"
        else:
            outcome.errors.append(f"{label} `{compiled.source}` failed: {value.message}")
            result = f"error: {value.message}"
        value = _MISSING
    trace.append(_trace_step(compiled, label, data, result, scope))
    return value


def _trace_step(
    compiled: Compiled, label: str, data: Mapping[str, Any], result: Any, scope: str
) -> dict[str, Any]:
    """One condition of an explanation: what it is, what it read, what it gave, in words."""
    roots = ("network", "submission", "params", "milestones", "derived", scope)
    read: dict[str, Any] = {}
    for path in referenced_paths(compiled.source, roots):
        try:
            read[path] = evidence_value(lookup(data, path))
        except KeyError:
            read[path] = None
    shown = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in read.items())
    reading = f" reading {shown}" if shown else ""
    if isinstance(result, bool):
        outcome = "holds" if result else "does not hold"
        words = f"The {label} condition `{compiled.source}`{reading}: {outcome}."
    elif isinstance(result, str) and result.startswith(("Not evidenced", "error:")):
        words = f"The {label} condition `{compiled.source}`{reading} could not be decided: {result}"
    else:
        words = f"{label} `{compiled.source}`{reading} = {json.dumps(result, ensure_ascii=False)}."
    return {
        "condition": label,
        "cel": compiled.source,
        "read": read,
        "result": result,
        "words": words,
    }


def _error_message(rule: Rule, outcome: _Outcome) -> str:
    return (
        f"Rule {rule.id} could not be evaluated, so this requirement has not been checked: "
        + "; ".join(outcome.errors)
    )


def evaluate_entity(ctx: Context, rule: Rule, entity: Entity, index: int) -> Finding:
    """The finding of one rule for one entity (the reference: every condition in turn)."""
    data = ctx.data_for(entity, index)
    values = ctx.decider.values(ctx, rule, entity, index)
    found = _decided_finding(ctx, rule, entity, index, data, values)
    if found is not None:
        return found
    slots = ctx.plan.slots(rule)
    outcome = _Outcome()
    trace: list[dict[str, Any]] | None = [] if ctx.explain else None
    scope = rule.scope

    if rule.when is not None:
        applies = _run(slots.when, rule.when, values, outcome, "when", trace, data, scope)
        if applies is not _MISSING and not isinstance(applies, bool):
            outcome.errors.append(f"`when` gave {applies!r}, not true or false")
        if outcome.errors:
            message = _error_message(rule, outcome)
            return finding(ctx, rule, entity, "error", message, {}, trace=trace)
        outcome.missing.clear()  # an unknown `when` applies the rule (fail closed)
        if applies is False:
            return not_applicable(ctx, rule, entity, trace)

    if rule.derive:
        # derived values are inlined into the conditions at load; they are computed here only
        # to be shown as evidence and in messages (absent when a fact they need is missing)
        derived: dict[str, Any] = {}
        for slot, (name, compiled) in zip(slots.derive, rule.derive, strict=True):
            value = _run(slot, compiled, values, outcome, f"derive {name}", trace, data, scope)
            if value is not _MISSING:
                derived[name] = value
        data = dict(data)
        data["derived"] = derived
        outcome.missing.clear()

    failed_messages: list[str] = []
    for slot, check in zip(slots.checks, rule.checks, strict=True):
        value = _run(slot, check.condition, values, outcome, "expect", trace, data, scope)
        if value is _MISSING:
            continue
        if not isinstance(value, bool):
            outcome.errors.append(
                f"expect `{check.condition.source}` gave {value!r}, not true or false"
            )
        elif not value:
            failed_messages.append(check.message.render(data))

    evidence_on: str | None = None
    if rule.evidence_date is not None and not failed_messages and not outcome.missing:
        value = _run(
            slots.evidence, rule.evidence_date, values, outcome, "evidence date", trace, data, scope
        )
        if value is not _MISSING:
            evidence_on, problem = latest_date(value)
            if problem is not None:
                outcome.errors.append(problem)

    evidence = ctx.evidence(entity, index, data, rule.evidence_paths)
    for name, value in data["derived"].items():
        evidence[f"derived.{name}"] = evidence_value(value)

    if outcome.errors:
        message = _error_message(rule, outcome)
        return finding(ctx, rule, entity, "error", message, evidence, trace=trace)
    missing = missing_paths(ctx, entity, data, outcome.missing) if outcome.missing else ()
    if failed_messages:
        message = " ".join(failed_messages)
        return unsettled(ctx, rule, entity, values, "not_met", message, evidence, trace, missing)
    if outcome.missing:
        if not_yet(ctx, rule, entity, index, outcome.missing):
            message = f"Not met as of {human_date(ctx.as_of)}:"
            if not postponed_notes(ctx, rule, entity):
                message += " a fact it needs is dated later."
            return unsettled(
                ctx, rule, entity, values, "not_met", message, evidence, trace, missing
            )
        if rule.evidence_date is not None and outcome.missing[-1][0] is rule.evidence_date:
            message = (
                "Met on the facts given, but the date its evidence carries is not given: "
                f"{', '.join(missing)}."
            )
        else:
            message = f"Not evidenced in the submission: {', '.join(missing)}."
        return unsettled(
            ctx, rule, entity, values, "not_evidenced", message, evidence, trace, missing
        )
    return met(ctx, rule, entity, data, evidence, evidence_on, trace)


def _decided_finding(
    ctx: Context,
    rule: Rule,
    entity: Entity,
    index: int,
    data: Mapping[str, Any],
    values: Values,
) -> Finding | None:
    """The finding when the bundled decider decided every condition of the rule, with true or
    false where a boolean is expected and no fact missing (None otherwise:
    :func:`evaluate_entity` then takes the reference way, which gives the same finding in this
    case)."""
    slots = ctx.plan.slots(rule)
    if rule.when is not None:
        applies = values.decided(slots.when)
        if applies is False:
            return not_applicable(ctx, rule, entity)
        if applies is not True:
            return None
    derived: dict[str, Any] = {}
    for slot, (name, _) in zip(slots.derive, rule.derive, strict=True):
        value = values.decided(slot)
        if value is UNDECIDED or isinstance(value, EvalError):
            return None
        derived[name] = value
    failed: list[Template] = []
    for slot, check in zip(slots.checks, rule.checks, strict=True):
        holds = values.decided(slot)
        if holds is False:
            failed.append(check.message)
        elif holds is not True:
            return None
    evidence_on: str | None = None
    if rule.evidence_date is not None and not failed:
        value = values.decided(slots.evidence)
        if value is UNDECIDED or isinstance(value, EvalError):
            return None
        evidence_on, problem = latest_date(value)
        if problem is not None:
            return None
    if derived:
        data = dict(data)
        data["derived"] = derived
    evidence = ctx.evidence(entity, index, data, rule.evidence_paths)
    for name, value in derived.items():
        evidence[f"derived.{name}"] = evidence_value(value)
    if not failed:
        return met(ctx, rule, entity, data, evidence, evidence_on)
    message = " ".join(template.render(data) for template in failed)
    return unsettled(ctx, rule, entity, values, "not_met", message, evidence)


def _evaluate_rules(ctx: Context, rules: list[Rule], facts: SubmissionFacts) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        entities = facts.entities.get(rule.scope, ())
        if not entities:
            message = f"No {SCOPES[rule.scope]} in the submission."
            findings.append(finding(ctx, rule, None, "not_applicable", message, {}))
            continue
        for index, entity in enumerate(entities):
            findings.append(evaluate_entity(ctx, rule, entity, index))
    findings.sort(key=Finding.sort_key)
    return findings


def evaluate_batch(
    practices: tuple[Entity, ...],
    pack: RulePack,
    as_of: dt.date,
    *,
    waivers: WaiverSet | None = None,
    ignore_waivers: bool = False,
    late_blocks: bool = False,
    fail_on: Severity = "error",
    decide: Decide = "bundled",
) -> tuple[Finding, ...]:
    """Evaluate the pack's batch rules (e.g. CORE-ONE-NETWORK, COV-FULL) over the practices of
    a batch of networks (see :func:`pcn_rules.facts.batch.batch_practices`)."""
    batch = SubmissionFacts(
        submission={"type": "update"},
        network={"name": "all networks audited", "practices": []},
        entities={"register_practice": practices},
    )
    ctx = Context(
        batch,
        pack,
        as_of,
        decide=decide,
        waivers=waivers,
        ignore_waivers=ignore_waivers,
        late_blocks=late_blocks,
        fail_on=fail_on,
        source="<register and submissions audited>",
    )
    rules = [rule for rule in pack.rules if rule.scope in BATCH_SCOPES]
    return tuple(_evaluate_rules(ctx, rules, batch))


def evaluate(
    facts: SubmissionFacts,
    pack: RulePack,
    as_of: dt.date,
    source: str | None = None,
    *,
    waivers: WaiverSet | None = None,
    ignore_waivers: bool = False,
    explain: bool = False,
    skip_scopes: frozenset[str] = frozenset(),
    late_blocks: bool = False,
    fail_on: Severity = "error",
    decide: Decide = "bundled",
) -> Report:
    """Evaluate every rule of ``pack`` against ``facts`` as of ``as_of``.

    ``waivers`` are exceptions from a waivers file; ``ignore_waivers`` shows the full picture
    (neither the file's nor the submission's waivers apply); ``explain`` records, per finding,
    each condition with the values it read and its result.  Rules of ``skip_scopes`` are not
    evaluated (an audit evaluates the batch scopes once, across all networks).
    ``late_blocks`` makes a requirement met after its deadline (``met_late``) block the
    verdict like one not met; ``fail_on`` is the lowest severity whose unmet requirements
    block it (``error``: errors only).  ``decide`` is how conditions are decided: ``bundled`` (each
    scope's conditions in one CEL call where possible) or ``one_by_one`` (the reference); both
    give the same report.
    """
    if waivers is not None:
        waivers.check_against(
            {rule.id: rule.waivable for rule in pack.rules},
            {r.id: r.describe(pack.id) for r in pack.retired},
        )
    ctx = Context(
        facts,
        pack,
        as_of,
        decide=decide,
        waivers=waivers,
        ignore_waivers=ignore_waivers,
        explain=explain,
        late_blocks=late_blocks,
        fail_on=fail_on,
        source=source,
    )
    rules = [rule for rule in pack.rules if rule.scope not in skip_scopes]
    findings = _evaluate_rules(ctx, rules, facts)

    failed: dict[str, int] = {}
    blocking: set[str] = set()
    for f in findings:
        if f.due is None:
            continue
        key = f.due.key
        if f.severity == "error" and f.failed:
            failed[key] = failed.get(key, 0) + 1
        if f.blocking:
            blocking.add(key)
    milestones = [
        MilestoneStatus(
            key=m.key,
            date=m.date,
            title=m.title,
            days_left=(m.date - as_of).days,
            failed=failed.get(m.key, 0),
            blocking=m.key in blocking,
        )
        for m in pack.milestones
    ]
    return Report(
        pack_id=pack.id,
        pack_release=pack.release,
        contract_year=pack.contract_year,
        as_of=as_of,
        network_name=str(facts.network["name"]),
        network_ods_code=facts.network.get("ods_code"),
        source=source,
        horizon=ctx.horizon,
        findings=tuple(findings),
        milestones=tuple(milestones),
        placeholders=facts.placeholders,
        warnings=year_warnings(pack, as_of) + facts.warnings,
    )
