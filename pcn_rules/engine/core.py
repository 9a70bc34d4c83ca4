"""The engine: a pure function of (facts, pack, as-of date) → :class:`~pcn_rules.report.Report`.

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
silently passed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from pcn_rules.cel import ENTITIES, UNDECIDED, Bundle, Compiled, EvalError, referenced_paths
from pcn_rules.facts.catalogue import BATCH_SCOPES, SCOPES
from pcn_rules.facts.lookup import concrete_paths, element_source, source_of
from pcn_rules.facts.model import Entity, Postponed, SubmissionFacts
from pcn_rules.ingest.waivers import WaiverSet
from pcn_rules.packs.model import Rule, RulePack, Template, path_keys
from pcn_rules.report.model import Due, Finding, MilestoneStatus, Report, Waiver
from pcn_rules.vocab import UNSETTLED, Status, Timing

_MISSING = object()
_UNSET = object()
_NO_EVIDENCE: Mapping[str, Any] = MappingProxyType({})
_SHAREABLE = frozenset({str, int, float, bool, type(None)})

#: Decide each scope's conditions in one CEL call per scope where possible (see
#: :class:`pcn_rules.cel.Bundle`).  Off, every condition is evaluated on its own: the
#: results are the same (the tests compare both), only slower.
BUNDLE_CONDITIONS = True

#: Entities per bundled call (the cost per entity grows with the length of the list).
_CHUNK = 32


def _lookup(data: Mapping[str, Any], path: str) -> Any:
    """Resolve ``a.b.c`` in nested dicts; raises KeyError if any part is absent."""
    value: Any = data
    for part in path_keys(path):
        # facts are plain dicts; the Mapping test is only for anything else
        if type(value) is not dict and not isinstance(value, Mapping):
            raise KeyError(path)
        value = value[part]
    return value


def _evidence_value(value: Any) -> Any:
    """Keep evidence readable: lists of records are summarised by their length."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if isinstance(value, list):
        if any(isinstance(v, Mapping) for v in value):
            return f"{len(value)} entries"
        return [_evidence_value(v) for v in value]  # a copy: findings never share the facts
    if isinstance(value, Mapping):
        return {k: _evidence_value(v) for k, v in value.items()}
    return value


class _Outcome:
    __slots__ = ("errors", "failures", "missing")

    def __init__(self) -> None:
        self.failures: list[str] = []
        #: (condition, the key CEL found missing) for each condition that needed an absent fact
        self.missing: list[tuple[Compiled, str]] = []
        self.errors: list[str] = []


def _run(
    compiled: Compiled,
    values: _Values,
    outcome: _Outcome,
    label: str,
    trace: list[dict[str, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> Any:
    """Evaluate one condition, recording missing facts and errors; return the value or _MISSING."""
    value = values.of(compiled)
    if trace is None and not isinstance(value, EvalError):
        return value
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
    if trace is not None and data is not None:
        trace.append(_trace_step(compiled, label, data, result, values.scope))
    return value


def _trace_step(
    compiled: Compiled, label: str, data: Mapping[str, Any], result: Any, scope: str
) -> dict[str, Any]:
    """One condition of an explanation: what it is, what it read, what it gave, in words."""
    roots = ("network", "submission", "params", "milestones", "derived", scope)
    read: dict[str, Any] = {}
    for path in referenced_paths(compiled.source, roots):
        try:
            read[path] = _evidence_value(_lookup(data, path))
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


def _timing(due: Due | None, as_of: dt.date) -> tuple[int | None, Timing]:
    """Days left and timing of an unsettled requirement (a settled one's deadline has
    ``passed``, never "overdue")."""
    if due is None:
        return None, "no_deadline"
    days = (due.date - as_of).days
    if days < 0:
        return days, "overdue"
    if days == 0:
        return days, "due_today"
    return days, "upcoming"


def _holds_records(value: Any) -> bool:
    """A list of records, or a mapping holding one (e.g. extended_hours.blocks)."""
    kind = type(value)
    if kind is list:
        return any(type(item) is dict or isinstance(item, Mapping) for item in value)
    if kind is dict or isinstance(value, Mapping):
        for item in value.values():
            inner = type(item)
            if inner is not str and inner is not int and inner is not bool and _holds_records(item):
                return True
    return False


class _Context:
    """Per-call evaluation state: the pack, the date and the shared variable values."""

    def __init__(
        self,
        facts: SubmissionFacts,
        pack: RulePack,
        as_of: dt.date,
        waivers: WaiverSet | None = None,
        ignore_waivers: bool = False,
        explain: bool = False,
        late_blocks: bool = False,
    ) -> None:
        self.facts = facts
        self.pack = pack
        self.as_of = as_of
        self.waivers = waivers or WaiverSet()
        self.ignore_waivers = ignore_waivers
        self.explain = explain
        self.late_blocks = late_blocks
        self._unfiltered: _Context | None = None
        network = facts.network
        self.network_ids: tuple[str, ...] = tuple(
            str(v) for v in (network.get("ods_code"), network["name"]) if v
        )
        self.identity_prefix = f"{pack.contract_year}|{self.network_ids[0]}|"
        horizon = pack.horizon(as_of)
        self.horizon = Due(horizon.key, horizon.date, horizon.title) if horizon else None
        self.base: dict[str, Any] = {
            "submission": facts.submission,
            "network": facts.network,
            "params": _shared(pack, "params", lambda: dict(pack.parameters)),
            "milestones": _shared(
                pack, "milestones", lambda: {m.key: m.date.isoformat() for m in pack.milestones}
            ),
            "as_of": as_of.isoformat(),
            "derived": {},
        }
        self._activations: dict[tuple[str, int, bool], Any] = {}
        self._data: dict[tuple[str, int], dict[str, Any]] = {}
        self._evidence: dict[tuple[str, int], dict[str, Any]] = {}
        # per (scope, entity index): the values of the scope's conditions decided in one call
        self._decided: dict[tuple[str, int], dict[int, Any]] = {}
        self._scopes_tried: set[str] = set()  # scopes whose entities were bundled together
        # explanations read each condition on its own, so they show what it alone gives
        self.bundled = BUNDLE_CONDITIONS and not explain
        self._timings: dict[str | None, tuple[Due | None, int | None, Timing]] = {}
        # Converting the network's lists of records into CEL values is the costliest part of
        # preparing an activation; entity rules that do not read them get a network without them.
        self.heavy_keys = frozenset(
            key for key, value in facts.network.items() if _holds_records(value)
        )
        self.light_base = dict(self.base)
        self.light_base["network"] = {
            k: v for k, v in facts.network.items() if k not in self.heavy_keys
        }

    def data_for(self, entity: Entity, index: int | None = None) -> dict[str, Any]:
        """The variables for one entity (shared between its rules when ``index`` is given:
        callers must not change it)."""
        if index is None:
            data = dict(self.base)
            data[entity.scope] = entity.facts
            return data
        key = (entity.scope, index)
        found = self._data.get(key)
        if found is None:
            found = self._data[key] = self.data_for(entity)
        return found

    def evidence(
        self, entity: Entity, index: int, data: Mapping[str, Any], paths: tuple[str, ...]
    ) -> dict[str, Any]:
        """The values at ``paths`` shown as evidence (memoised per entity, as rules share paths;
        only plain values are shared between findings, each gets its own records)."""
        key = (entity.scope, index)
        known = self._evidence.get(key)
        if known is None:
            known = self._evidence[key] = {}
        evidence: dict[str, Any] = {}
        for path in paths:
            found = known.get(path, _UNSET)
            if found is _UNSET:
                try:
                    found = _evidence_value(_lookup(data, path))
                except KeyError:
                    found = None
                if type(found) in _SHAREABLE:
                    known[path] = found
            evidence[path] = found
        return evidence

    def activation(self, rule: Rule, entity: Entity, index: int, data: Mapping[str, Any]) -> Any:
        return self._activation(rule.network_keys, entity, index, data)

    def decided(self, entity: Entity, index: int, data: Mapping[str, Any]) -> dict[int, Any]:
        """The values of the entity's scope's conditions that one bundled call decided, by id."""
        if not self.bundled:
            return {}
        key = (entity.scope, index)
        found = self._decided.get(key)
        if found is None and entity.scope != "network" and entity.scope not in self._scopes_tried:
            self._decide_scope(entity.scope)
            found = self._decided.get(key)
        if found is None:
            bundle, network_keys = _scope_bundle(self.pack, entity.scope)
            results = bundle.evaluate(self._activation(network_keys, entity, index, data))
            found = {
                id(condition): value
                for condition, value in zip(bundle.conditions, results, strict=True)
                if value is not UNDECIDED
            }
            self._decided[key] = found
        return found

    def _decide_scope(self, scope: str) -> None:
        """Decide the conditions of every entity of ``scope`` in few calls, where that works
        (a chunk whose call fails is left to be decided entity by entity)."""
        self._scopes_tried.add(scope)
        entities = self.facts.entities.get(scope, ())
        if len(entities) < 2:
            return
        bundle, network_keys = _scope_bundle(self.pack, scope)
        light = network_keys is not None and not (network_keys & self.heavy_keys)
        base = self.light_base if light else self.base
        ids = [id(condition) for condition in bundle.conditions]
        # CEL builds a comprehension's result list by copying: keep the lists short
        for start in range(0, len(entities), _CHUNK):
            data = dict(base)
            data[ENTITIES] = [entity.facts for entity in entities[start : start + _CHUNK]]
            rows = bundle.evaluate_each(self.pack.environment.activation(data))
            if rows is None:
                continue
            for index, row in enumerate(rows, start):
                self._decided[(scope, index)] = {
                    key: value
                    for key, value in zip(ids, row, strict=True)
                    if value is not UNDECIDED
                }

    def _activation(
        self,
        network_keys: frozenset[str] | None,
        entity: Entity,
        index: int,
        data: Mapping[str, Any],
    ) -> Any:
        light = (
            entity.scope != "network"
            and network_keys is not None
            and not (network_keys & self.heavy_keys)
        )
        key = (entity.scope, index, light)
        act = self._activations.get(key)
        if act is None:
            if light:
                light_data = dict(self.light_base)
                light_data[entity.scope] = entity.facts
                act = self.pack.environment.activation(light_data)
            else:
                act = self.pack.environment.activation(data)
            self._activations[key] = act
        return act

    def timing(self, rule: Rule, status: Status) -> tuple[Due | None, int | None, Timing]:
        """The rule's due milestone, days left and timing as of the check date (memoised)."""
        key = rule.due.key if rule.due else None
        found = self._timings.get(key)
        if found is None:
            due = Due(rule.due.key, rule.due.date, rule.due.title) if rule.due else None
            days_left, timing = _timing(due, self.as_of)
            found = (due, days_left, timing)
            self._timings[key] = found
        if found[2] == "overdue" and status not in UNSETTLED:
            return found[0], found[1], "passed"
        return found

    def blocking(self, rule: Rule, status: Status) -> bool:
        if status == "error":
            return True
        if rule.severity != "error":
            return False
        if status not in ("not_met", "not_evidenced") and not (
            status == "met_late" and self.late_blocks
        ):
            return False
        if rule.due is None or self.horizon is None:
            return True
        return rule.due.date <= self.horizon.date

    def unfiltered(self) -> _Context | None:
        """The same check on every fact, dated later or not (None when nothing was left out):
        to tell a fact that has not happened yet from one the submission does not give."""
        if self.facts.unfiltered is None:
            return None
        if self._unfiltered is None:
            self._unfiltered = _Context(self.facts.unfiltered, self.pack, self.as_of)
            self._unfiltered.bundled = False
        return self._unfiltered


def _shared(pack: RulePack, name: str, make: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """A value the engine derives from the pack once (never changed once made)."""
    found: dict[str, Any] | None = pack.prepared.get(name)
    if found is None:
        found = pack.prepared[name] = make()
    return found


def _scope_bundle(pack: RulePack, scope: str) -> tuple[Bundle, frozenset[str] | None]:
    """The conditions of a scope's rules bundled into one CEL call (prepared once per pack),
    and the top-level network facts they read (None: any)."""
    key = ("bundle", scope)
    found: tuple[Bundle, frozenset[str] | None] | None = pack.prepared.get(key)
    if found is None:
        conditions: list[Compiled] = []
        keys: set[str] | None = set()
        for rule in pack.rules:
            if rule.scope != scope:
                continue
            if rule.when is not None:
                conditions.append(rule.when)
            conditions.extend(compiled for _, compiled in rule.derive)
            conditions.extend(check.condition for check in rule.checks)
            if rule.evidence_date is not None:
                conditions.append(rule.evidence_date)
            keys = None if keys is None or rule.network_keys is None else keys | rule.network_keys
        roots = ("network", "submission", scope)
        found = (
            Bundle(pack.environment, conditions, roots, scope if scope != "network" else None),
            frozenset(keys) if keys is not None else None,
        )
        pack.prepared[key] = found
    return found


class _Values:
    """Where a condition's value comes from for one rule and entity: the scope's bundled call
    when it decided it, else the condition evaluated on its own."""

    __slots__ = ("_activation", "_ctx", "_data", "_decided", "_entity", "_index", "_rule", "scope")

    def __init__(
        self, ctx: _Context, rule: Rule, entity: Entity, index: int, data: Mapping[str, Any]
    ) -> None:
        self._ctx = ctx
        self._rule = rule
        self._entity = entity
        self._index = index
        self._data = data
        self._decided = ctx.decided(entity, index, data)
        self._activation: Any = None
        self.scope = rule.scope

    def activation(self) -> Any:
        if self._activation is None:
            self._activation = self._ctx.activation(
                self._rule, self._entity, self._index, self._data
            )
        return self._activation

    def of(self, compiled: Compiled) -> Any:
        value = self._decided.get(id(compiled), _UNSET)
        if value is _UNSET:
            value = compiled.evaluate(self.activation())
        return value


def _render(template: Template, data: Mapping[str, Any]) -> str:
    return template.render(data)


def _finding(
    ctx: _Context,
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
    due, days_left, timing = ctx.timing(rule, status)
    entity_id = entity.id if entity else None
    identity = f"{ctx.identity_prefix}{rule.id}|{rule.scope}|{entity_id}"
    # positional, in field order: this runs for every finding
    return Finding(
        rule.id,
        rule.title,
        status,
        rule.severity,
        rule.scope,
        entity_id,
        entity.name if entity else None,
        message,
        MappingProxyType(evidence) if evidence else _NO_EVIDENCE,
        rule.remediation,
        due,
        days_left,
        timing,
        ctx.blocking(rule, status),
        rule.source,
        waiver,
        hashlib.sha256(identity.encode("utf-8")).hexdigest()[:20],
        tuple(trace) if trace is not None else None,
        missing,
        dated[0],
        dated[1],
    )


def _check_waiver(
    ctx: _Context, rule: Rule, entity: Entity, values: _Values
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


def _still_valid(ctx: _Context, waiver: Waiver) -> tuple[Waiver | None, str | None]:
    """Fail closed: an expired or not-yet-valid waiver does not apply, and the finding says so."""
    today = ctx.as_of.isoformat()
    if waiver.expires_on is not None and waiver.expires_on < today:
        return None, f"The waiver approved by {waiver.approved_by} expired on {waiver.expires_on}."
    if waiver.approved_on > today:
        return None, (
            f"The waiver approved by {waiver.approved_by} only takes effect on "
            f"{waiver.approved_on}."
        )
    return waiver, None


def _not_applicable(
    ctx: _Context, rule: Rule, entity: Entity, trace: list[dict[str, Any]] | None = None
) -> Finding:
    """The finding of a rule whose ``when`` is false for the entity."""
    assert rule.when is not None
    message = f"Does not apply: `{rule.when.source}` is false for this submission."
    return _finding(ctx, rule, entity, "not_applicable", message, {}, trace=trace)


def _unsettled(
    ctx: _Context,
    rule: Rule,
    entity: Entity,
    values: _Values,
    status: Status,
    message: str,
    evidence: dict[str, Any],
    trace: list[dict[str, Any]] | None = None,
    missing: tuple[str, ...] = (),
) -> Finding:
    """The finding of a rule that is not met or not evidenced: waived if a valid waiver covers
    it, and naming any fact it reads that is dated after the as-of date."""
    notes = _postponed_notes(ctx, rule, entity)
    if notes:
        message = f"{message} {notes}"
    waiver, note = _check_waiver(ctx, rule, entity, values)
    if waiver is not None:
        return _finding(ctx, rule, entity, "waived", message, evidence, waiver, trace, missing)
    if note:
        message = f"{message} {note}"
    return _finding(ctx, rule, entity, status, message, evidence, None, trace, missing)


def _relevant(postponed: Postponed, rule: Rule, entity: Entity) -> bool:
    """Whether a fact left out as dated later is one the rule reads, for this entity."""
    if (
        entity.path is not None
        and "[" in postponed.path
        and not postponed.path.startswith(entity.path + ".")
    ):
        return False
    pattern = postponed.pattern
    return any(
        read == pattern
        or read.startswith((pattern + ".", pattern + "["))
        or pattern.startswith((read + ".", read + "["))
        for read in rule.reads
    )


def _postponed_notes(ctx: _Context, rule: Rule, entity: Entity) -> str:
    """Why a fact the rule reads is not counted: it is dated after the as-of date."""
    deadline = rule.due.date.isoformat() if rule.due else None
    notes = []
    for p in ctx.facts.postponed:
        if not _relevant(p, rule, entity):
            continue
        note = (
            f"{p.label + ': ' if p.label else ''}{p.path} is {p.date}, after the as-of date "
            f"({ctx.as_of.isoformat()}), so it does not count yet"
        )
        if deadline is not None and p.date <= deadline:
            note += f" (it is not after the {deadline} deadline)"
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
    return tuple(candidates), fallback


def _missing_paths(
    ctx: _Context,
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
            try:
                _lookup(data, prefix)
            except KeyError:
                absent.extend(concrete_paths(source, ctx.facts, entity))
        if not absent:
            absent = concrete_paths(fallback, ctx.facts, entity) if fallback else [key]
        paths.extend(p for p in absent if p not in paths)
    if not ctx.facts.postponed:
        return tuple(paths)
    # a fact dated after the as-of date is not missing from the submission
    later = {p.path for p in ctx.facts.postponed}
    return tuple(p for p in paths if not any(p == q or p.startswith(q + ".") for q in later))


def _not_yet(ctx: _Context, rule: Rule, index: int, missing: list[tuple[Compiled, str]]) -> bool:
    """Whether a condition that needs an absent fact is decided once facts dated after the
    as-of date count: then the fact exists, but not yet (the requirement is not met then)."""
    later = ctx.unfiltered()
    if later is None:
        return False
    entity = later.facts.entities[rule.scope][index]
    activation = later.activation(rule, entity, index, later.data_for(entity, index))
    return any(not isinstance(compiled.evaluate(activation), EvalError) for compiled, _ in missing)


def _not_evidenced_message(paths: tuple[str, ...]) -> str:
    return f"Not evidenced in the submission: {', '.join(paths)}."


def _latest_date(value: Any) -> tuple[str | None, str | None]:
    """(latest date, problem) from an evidence date: a date, or a list of them."""
    dates = value if isinstance(value, list) else [value]
    if not all(isinstance(d, str) and _ISO.match(d) for d in dates):
        return None, f"evidence_date gave {value!r}, not a date or a list of dates"
    return (max(dates) if dates else None), None


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _met(
    ctx: _Context,
    rule: Rule,
    entity: Entity,
    data: Mapping[str, Any],
    evidence: dict[str, Any],
    evidence_on: str | None,
    trace: list[dict[str, Any]] | None = None,
) -> Finding:
    """Every condition holds: on time (``met``) or with evidence dated after the deadline."""
    message = _render(rule.met_message, data)
    if evidence_on is None or rule.due is None or evidence_on <= rule.due.date.isoformat():
        return _finding(
            ctx, rule, entity, "met", message, evidence, trace=trace, dated=(evidence_on, None)
        )
    late = (dt.date.fromisoformat(evidence_on) - rule.due.date).days
    which = [
        f"{p.label + ': ' if p.label else ''}{p.path}"
        for p in ctx.facts.dated
        if p.date == evidence_on and _relevant(p, rule, entity)
    ]
    named = f" ({'; '.join(which)})" if which else ""
    message = (
        f"Met {late} day{'s' if late != 1 else ''} late: the evidence is dated {evidence_on}"
        f"{named}, after the deadline of {rule.due.date.isoformat()} ({rule.due.key}). {message}"
    )
    return _finding(
        ctx, rule, entity, "met_late", message, evidence, trace=trace, dated=(evidence_on, late)
    )


def _decided_finding(
    ctx: _Context, rule: Rule, entity: Entity, index: int, data: Mapping[str, Any]
) -> Finding | None:
    """The finding when the scope's bundled call decided every condition of the rule, with
    true or false where a boolean is expected (None otherwise: :func:`_evaluate_entity` then
    takes the general way, which gives the same finding in this case)."""
    decided = ctx.decided(entity, index, data)
    if rule.when is not None:
        applies = decided.get(id(rule.when), _UNSET)
        if applies is False:
            return _not_applicable(ctx, rule, entity)
        if applies is not True:
            return None
    derived: dict[str, Any] = {}
    for name, compiled in rule.derive:
        value = decided.get(id(compiled), _UNSET)
        if value is _UNSET:
            return None
        derived[name] = value
    failed: list[Template] = []
    for check in rule.checks:
        holds = decided.get(id(check.condition), _UNSET)
        if holds is False:
            failed.append(check.message)
        elif holds is not True:
            return None
    evidence_on: str | None = None
    if rule.evidence_date is not None and not failed:
        value = decided.get(id(rule.evidence_date), _UNSET)
        if value is _UNSET:
            return None
        evidence_on, problem = _latest_date(value)
        if problem is not None:
            return None
    variables = data
    if derived:
        data = dict(data)
        data["derived"] = derived
    evidence = ctx.evidence(entity, index, data, rule.evidence_paths)
    for name, value in derived.items():
        evidence[f"derived.{name}"] = _evidence_value(value)
    if not failed:
        return _met(ctx, rule, entity, data, evidence, evidence_on)
    message = " ".join(_render(template, data) for template in failed)
    values = _Values(ctx, rule, entity, index, variables)
    return _unsettled(ctx, rule, entity, values, "not_met", message, evidence)


def _evaluate_entity(ctx: _Context, rule: Rule, entity: Entity, index: int) -> Finding:
    data = ctx.data_for(entity, index)
    if ctx.bundled:
        found = _decided_finding(ctx, rule, entity, index, data)
        if found is not None:
            return found
    values = _Values(ctx, rule, entity, index, data)
    outcome = _Outcome()
    trace: list[dict[str, Any]] | None = [] if ctx.explain else None

    if rule.when is not None:
        applies = _run(rule.when, values, outcome, "when", trace, data)
        if applies is not _MISSING and not isinstance(applies, bool):
            outcome.errors.append(f"`when` gave {applies!r}, not true or false")
        if outcome.errors:
            return _finding(
                ctx, rule, entity, "error", _error_message(rule, outcome), {}, trace=trace
            )
        outcome.missing.clear()  # an unknown `when` applies the rule (fail closed)
        if applies is False:
            return _not_applicable(ctx, rule, entity, trace)

    if rule.derive:
        # derived values are inlined into the conditions at load; they are computed here only
        # to be shown as evidence and in messages (absent when a fact they need is missing)
        derived: dict[str, Any] = {}
        for name, compiled in rule.derive:
            value = _run(compiled, values, outcome, f"derive {name}", trace, data)
            if value is not _MISSING:
                derived[name] = value
        data = dict(data)
        data["derived"] = derived
        outcome.missing.clear()

    failed_messages: list[str] = []
    for check in rule.checks:
        value = _run(check.condition, values, outcome, "expect", trace, data)
        if value is _MISSING:
            continue
        if not isinstance(value, bool):
            outcome.errors.append(
                f"expect `{check.condition.source}` gave {value!r}, not true or false"
            )
        elif not value:
            failed_messages.append(_render(check.message, data))

    evidence_on: str | None = None
    if rule.evidence_date is not None and not failed_messages and not outcome.missing:
        value = _run(rule.evidence_date, values, outcome, "evidence date", trace, data)
        if value is not _MISSING:
            evidence_on, problem = _latest_date(value)
            if problem is not None:
                outcome.errors.append(problem)

    evidence = ctx.evidence(entity, index, data, rule.evidence_paths)
    for name, value in data["derived"].items():
        evidence[f"derived.{name}"] = _evidence_value(value)

    if outcome.errors:
        return _finding(
            ctx, rule, entity, "error", _error_message(rule, outcome), evidence, trace=trace
        )
    missing = _missing_paths(ctx, entity, data, outcome.missing) if outcome.missing else ()
    if failed_messages:
        message = " ".join(failed_messages)
        return _unsettled(ctx, rule, entity, values, "not_met", message, evidence, trace, missing)
    if outcome.missing:
        if _not_yet(ctx, rule, index, outcome.missing):
            message = f"Not met as of {ctx.as_of.isoformat()}:"
            if not _postponed_notes(ctx, rule, entity):
                message += " a fact it needs is dated later."
            return _unsettled(
                ctx, rule, entity, values, "not_met", message, evidence, trace, missing
            )
        if rule.evidence_date is not None and outcome.missing[-1][0] is rule.evidence_date:
            message = (
                "Met on the facts given, but the date its evidence carries is not given: "
                f"{', '.join(missing)}."
            )
        else:
            message = _not_evidenced_message(missing)
        return _unsettled(
            ctx, rule, entity, values, "not_evidenced", message, evidence, trace, missing
        )
    return _met(ctx, rule, entity, data, evidence, evidence_on, trace)


def _error_message(rule: Rule, outcome: _Outcome) -> str:
    return (
        f"Rule {rule.id} could not be evaluated, so this requirement has not been checked: "
        + "; ".join(outcome.errors)
    )


def _evaluate_rules(ctx: _Context, rules: list[Rule], facts: SubmissionFacts) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        entities = facts.entities.get(rule.scope, ())
        if not entities:
            findings.append(
                _finding(
                    ctx,
                    rule,
                    None,
                    "not_applicable",
                    f"No {SCOPES[rule.scope]} in the submission.",
                    {},
                )
            )
            continue
        for index, entity in enumerate(entities):
            findings.append(_evaluate_entity(ctx, rule, entity, index))
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
) -> tuple[Finding, ...]:
    """Evaluate the pack's batch rules (e.g. CORE-ONE-NETWORK, COV-FULL) over the practices of
    a batch of networks (see :func:`pcn_rules.facts.batch_practices`)."""
    batch_network: dict[str, Any] = {"name": "all networks audited", "practices": []}
    batch = SubmissionFacts(
        submission={"type": "update"},
        network=batch_network,
        entities={"register_practice": practices},
    )
    ctx = _Context(batch, pack, as_of, waivers, ignore_waivers, late_blocks=late_blocks)
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
) -> Report:
    """Evaluate every rule of ``pack`` against ``facts`` as of ``as_of``.

    ``waivers`` are exceptions from a waivers file; ``ignore_waivers`` shows the full picture
    (neither the file's nor the submission's waivers apply); ``explain`` records, per finding,
    each condition with the values it read and its result.  Rules of ``skip_scopes`` are not
    evaluated (an audit evaluates the batch scopes once, across all networks).
    ``late_blocks`` makes a requirement met after its deadline (``met_late``) block the
    verdict like one not met.
    """
    if waivers is not None:
        waivers.check_against({rule.id: rule.waivable for rule in pack.rules})
    ctx = _Context(facts, pack, as_of, waivers, ignore_waivers, explain, late_blocks)
    rules = [rule for rule in pack.rules if rule.scope not in skip_scopes]
    findings = _evaluate_rules(ctx, rules, facts)

    failed: dict[str, int] = {}
    blocking: set[str] = set()
    for f in findings:
        if f.due is None:
            continue
        key = f.due.milestone
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
    )
