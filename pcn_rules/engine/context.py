"""The state of one evaluation: the facts, the pack's plan, the as-of date, and the values each
entity's conditions read, prepared once and shared between its rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pcn_rules.cel import unreadable_value
from pcn_rules.engine.decide import Decider, decider
from pcn_rules.engine.plan import Plan, prepare
from pcn_rules.errors import InputError
from pcn_rules.facts.model import Entity, SubmissionFacts
from pcn_rules.ingest.waivers import WaiverSet
from pcn_rules.packs.model import Rule, RulePack, path_keys
from pcn_rules.vocab import Severity

_UNSET: Any = object()
_SHAREABLE = frozenset({str, int, float, bool, type(None)})


def lookup(data: Mapping[str, Any], path: str) -> Any:
    """Resolve ``a.b.c`` in nested dicts; raises KeyError if any part is absent."""
    value: Any = data
    for part in path_keys(path):
        # facts are plain dicts; the Mapping test is only for anything else
        if type(value) is not dict and not isinstance(value, Mapping):
            raise KeyError(path)
        value = value[part]
    return value


def lookup_or(data: Mapping[str, Any], path: str, default: Any) -> Any:
    """:func:`lookup`, with ``default`` where a part is absent (no exception: most evidence
    paths of a sparse submission are absent)."""
    value: Any = data
    for part in path_keys(path):
        if type(value) is not dict and not isinstance(value, Mapping):
            return default
        value = value.get(part, _UNSET)
        if value is _UNSET:
            return default
    return value


def evidence_value(value: Any) -> Any:
    """Keep evidence readable: lists of records are summarised by their length."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or kind is float or value is None:
        return value
    if isinstance(value, list):
        if any(isinstance(v, Mapping) for v in value):
            return f"{len(value)} entries"
        return [evidence_value(v) for v in value]  # a copy: findings never share the facts
    if isinstance(value, Mapping):
        return {k: evidence_value(v) for k, v in value.items()}
    return value


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


def _refuse_unreadable(facts: SubmissionFacts, source: str | None) -> None:
    """An InputError for the first fact CEL cannot hold (an integer beyond 64 bits, text that
    is not Unicode): the submission model bounds every number, so only facts made by other
    means (a library caller's own) can bring one; it must never reach the runtime."""
    parts: list[tuple[str, Any]] = [("submission", facts.submission), ("network", facts.network)]
    # an entity's facts are often a record of the network's (a practice is also in
    # network.practices): read once, in the network, which comes first
    seen = {id(facts.network)}
    for value in facts.network.values():
        if type(value) is list:
            seen.update(id(item) for item in value)
    for scope, entities in facts.entities.items():
        for index, entity in enumerate(entities):
            if id(entity.facts) not in seen:
                parts.append((entity.path or f"{scope}[{index}]", entity.facts))
    for path, value in parts:
        problem = unreadable_value(value, path)
        if problem is not None:
            where, why = problem
            raise InputError(source or "<facts>", [(where, f"the value is {why}")])


class Context:
    """Per-call evaluation state: the facts, the pack, the date, and what is memoised for them."""

    def __init__(
        self,
        facts: SubmissionFacts,
        pack: RulePack,
        as_of: dt.date,
        *,
        decide: str = "bundled",
        waivers: WaiverSet | None = None,
        ignore_waivers: bool = False,
        explain: bool = False,
        late_blocks: bool = False,
        fail_on: Severity = "error",
        source: str | None = None,
    ) -> None:
        _refuse_unreadable(facts, source)
        self.facts = facts
        self.pack = pack
        self.plan: Plan = prepare(pack)
        self.as_of = as_of
        self.waivers = waivers or WaiverSet()
        self.ignore_waivers = ignore_waivers
        self.explain = explain
        self.late_blocks = late_blocks
        self.fail_on: Severity = fail_on
        # an explanation reads each condition on its own, to show what it alone gives
        self.decider: Decider = decider("one_by_one" if explain else decide)
        self._unfiltered: Context | None = None
        network = facts.network
        self.network_ids: tuple[str, ...] = tuple(
            str(v) for v in (network.get("ods_code"), network["name"]) if v
        )
        self.identity_prefix = f"{pack.contract_year}|{self.network_ids[0]}|"
        self.horizon = pack.horizon(as_of)
        self.base: dict[str, Any] = {
            "submission": facts.submission,
            "network": facts.network,
            "params": self.plan.params,
            "milestones": self.plan.milestones,
            "as_of": as_of.isoformat(),
            "derived": {},
        }
        self._activations: dict[tuple[str, int, bool], Any] = {}
        self._data: dict[tuple[str, int], dict[str, Any]] = {}
        self._evidence: dict[tuple[str, int], dict[str, Any]] = {}
        #: what the decider keeps for this evaluation (e.g. each entity's bundled results)
        self.decided: dict[Any, Any] = {}
        #: (rule ID, status) → (days left, timing, blocking) of its findings
        self.counted: dict[tuple[str, str], tuple[int | None, Any, bool]] = {}
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
                found = lookup_or(data, path, None)
                if found is not None:
                    found = evidence_value(found)
                if type(found) in _SHAREABLE:
                    known[path] = found
            evidence[path] = found
        return evidence

    def activation(
        self,
        network_keys: frozenset[str] | None,
        entity: Entity,
        index: int,
        data: Mapping[str, Any],
    ) -> Any:
        """The CEL activation of an entity's variables, for conditions that read
        ``network_keys`` of the network (None: any), made once."""
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
                act = self.plan.environment.activation(light_data)
            else:
                act = self.plan.environment.activation(data)
            self._activations[key] = act
        return act

    def rule_activation(self, rule: Rule, entity: Entity, index: int) -> Any:
        return self.activation(rule.network_keys, entity, index, self.data_for(entity, index))

    def unfiltered(self) -> Context | None:
        """The same evaluation on every fact, dated later or not (None when nothing was left
        out): to tell a fact that has not happened yet from one the submission does not give."""
        if self.facts.unfiltered is None:
            return None
        if self._unfiltered is None:
            self._unfiltered = Context(
                self.facts.unfiltered, self.pack, self.as_of, decide="one_by_one"
            )
        return self._unfiltered
