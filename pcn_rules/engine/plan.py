"""Preparing a pack for evaluation: the one seam where the engine keeps what it derives from a
pack -- the pack's parameters and milestones as condition variables, and each scope's
conditions bundled into one CEL call -- so that the pack itself stays immutable.

:func:`prepare` gives the same :class:`Plan` for the same loaded pack, from any thread.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from pcn_rules.cel import Bundle, Compiled, growth_problem, unreadable_value
from pcn_rules.errors import PackError
from pcn_rules.packs.model import Rule, RulePack


@dataclass(frozen=True, slots=True)
class Slots:
    """Where a rule's conditions are among its scope's bundled conditions."""

    when: int | None
    derive: tuple[int, ...]
    checks: tuple[int, ...]
    evidence: int | None


@dataclass(frozen=True, slots=True)
class ScopePlan:
    """A scope's rules' conditions in one bundle, and the network facts they read (None: any)."""

    bundle: Bundle
    network_keys: frozenset[str] | None


def _conditions(rule: Rule) -> list[Compiled]:
    """A rule's conditions in the order of its :class:`Slots`."""
    out = [rule.when] if rule.when is not None else []
    out.extend(compiled for _, compiled in rule.derive)
    out.extend(check.condition for check in rule.checks)
    if rule.evidence_date is not None:
        out.append(rule.evidence_date)
    return out


class Plan:
    """What the engine derives from one pack, made once and shared by every evaluation."""

    def __init__(self, pack: RulePack) -> None:
        # the pack only weakly: a plan must not keep a pack alive
        self._pack = weakref.ref(pack)
        self.environment = pack.environment
        #: variables of every condition (never changed once made)
        self.params: dict[str, Any] = dict(pack.parameters)
        problem = unreadable_value(self.params, "parameters")
        if problem is not None:
            raise PackError(str(pack.directory), problem[0], f"the value is {problem[1]}")
        self.milestones: dict[str, str] = {m.key: m.date.isoformat() for m in pack.milestones}
        self._slots: dict[str, Slots] = {}
        self._members: dict[str, list[Rule]] = {}
        for rule in pack.rules:
            _refuse_unbounded(rule)
            members = self._members.setdefault(rule.scope, [])
            start = sum(len(_conditions(member)) for member in members)
            members.append(rule)
            position = start
            when = None
            if rule.when is not None:
                when, position = position, position + 1
            derive = tuple(range(position, position + len(rule.derive)))
            position += len(rule.derive)
            checks = tuple(range(position, position + len(rule.checks)))
            position += len(rule.checks)
            evidence = position if rule.evidence_date is not None else None
            self._slots[rule.id] = Slots(when, derive, checks, evidence)
        self._scopes: dict[str, ScopePlan] = {}
        self._lock = threading.Lock()

    def of(self, pack: RulePack | None) -> bool:
        """Whether this is the plan of ``pack``."""
        return self._pack() is pack

    def slots(self, rule: Rule) -> Slots:
        return self._slots[rule.id]

    def scope(self, scope: str) -> ScopePlan:
        """The scope's bundled conditions (compiled the first time they are needed)."""
        found = self._scopes.get(scope)
        if found is None:
            with self._lock:
                found = self._scopes.get(scope)
                if found is None:
                    found = self._scopes[scope] = self._bundle(scope)
        return found

    def _bundle(self, scope: str) -> ScopePlan:
        members = self._members.get(scope, [])
        keys: set[str] | None = set()
        for rule in members:
            keys = None if keys is None or rule.network_keys is None else keys | rule.network_keys
        conditions = [compiled for rule in members for compiled in _conditions(rule)]
        roots = ("network", "submission", scope)
        bundle = Bundle(self.environment, conditions, roots, scope if scope != "network" else None)
        return ScopePlan(bundle, frozenset(keys) if keys is not None else None)


def _refuse_unbounded(rule: Rule) -> None:
    """A PackError for a condition that could build values too large to evaluate (see
    :mod:`pcn_rules.cel.cost`); checked once per loaded pack, whether it was compiled now or
    read from the pack cache."""
    labelled = [(f"derive {name}", compiled) for name, compiled in rule.derive]
    labelled += [(label, c) for label, c in (("when", rule.when), ("waiver", rule.waiver)) if c]
    labelled += [("expect", check.condition) for check in rule.checks]
    if rule.evidence_date is not None:
        labelled.append(("evidence_date", rule.evidence_date))
    for label, compiled in labelled:
        problem = growth_problem(compiled)
        if problem is not None:
            raise PackError(
                rule.origin,
                label,
                f"the condition `{compiled.source}` is refused: {problem}",
            )


_PLANS: dict[int, Plan] = {}
_PLANS_LOCK = threading.Lock()


def prepare(pack: RulePack) -> Plan:
    """The :class:`Plan` of a loaded pack: made the first time, kept while the pack lives."""
    plan = _PLANS.get(id(pack))
    if plan is not None and plan.of(pack):
        return plan
    with _PLANS_LOCK:
        plan = _PLANS.get(id(pack))
        if plan is None or not plan.of(pack):
            plan = _PLANS[id(pack)] = Plan(pack)
            weakref.finalize(pack, _forget, id(pack))
    return plan


def _forget(key: int) -> None:
    with _PLANS_LOCK:
        plan = _PLANS.get(key)
        if plan is not None and plan.of(None):  # its pack is gone (a new one may have its id)
            del _PLANS[key]
