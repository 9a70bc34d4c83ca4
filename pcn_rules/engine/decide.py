"""Where a condition's value comes from.  The reference: each condition evaluated on its own
(``one_by_one``).  The optimisation: each scope's conditions decided in one CEL call per entity,
or per chunk of entities (``bundled``), each condition that call could not decide evaluated on
its own.  Both give the same values (the tests compare the reports they lead to)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pcn_rules.cel import ENTITIES, UNDECIDED, Compiled
from pcn_rules.errors import UsageError

if TYPE_CHECKING:
    from pcn_rules.engine.context import Context
    from pcn_rules.facts.model import Entity
    from pcn_rules.packs.model import Rule

Decide = Literal["bundled", "one_by_one"]
DECIDERS: tuple[Decide, ...] = ("bundled", "one_by_one")

#: Entities per bundled call (the cost per entity grows with the length of the list).
_CHUNK = 32


class Values:
    """The values of one rule's conditions for one entity: from the bundled row where it decided
    them, else each condition evaluated on its own."""

    __slots__ = ("_activation", "_ctx", "_entity", "_index", "_row", "_rule")

    def __init__(
        self, ctx: Context, rule: Rule, entity: Entity, index: int, row: list[Any] | None
    ) -> None:
        self._ctx = ctx
        self._rule = rule
        self._entity = entity
        self._index = index
        self._row = row
        self._activation: Any = None

    def activation(self) -> Any:
        if self._activation is None:
            self._activation = self._ctx.rule_activation(self._rule, self._entity, self._index)
        return self._activation

    def decided(self, slot: int | None) -> Any:
        """The bundled value at ``slot``, or UNDECIDED."""
        if self._row is None or slot is None:
            return UNDECIDED
        return self._row[slot]

    def of(self, slot: int | None, compiled: Compiled) -> Any:
        """The value of the condition at ``slot`` (a value, or an EvalError)."""
        value = self.decided(slot)
        if value is UNDECIDED:
            value = compiled.evaluate(self.activation())
        return value


class Decider:
    """One by one: every condition evaluated on its own (the reference)."""

    def row(self, ctx: Context, entity: Entity, index: int) -> list[Any] | None:
        """The bundled values of the entity's scope's conditions (None: none were bundled)."""
        return None

    def values(self, ctx: Context, rule: Rule, entity: Entity, index: int) -> Values:
        return Values(ctx, rule, entity, index, self.row(ctx, entity, index))


class Bundled(Decider):
    """Each scope's conditions decided in one CEL call (see :class:`pcn_rules.cel.Bundle`)."""

    def row(self, ctx: Context, entity: Entity, index: int) -> list[Any] | None:
        key = (entity.scope, index)
        found: list[Any] | None = ctx.decided.get(key)
        if found is None and entity.scope != "network" and entity.scope not in ctx.decided:
            self._decide_scope(ctx, entity.scope)
            found = ctx.decided.get(key)
        if found is None:
            plan = ctx.plan.scope(entity.scope)
            data = ctx.data_for(entity, index)
            found = plan.bundle.evaluate(ctx.activation(plan.network_keys, entity, index, data))
            ctx.decided[key] = found
        return found

    def _decide_scope(self, ctx: Context, scope: str) -> None:
        """Decide the conditions of every entity of ``scope`` in few calls, where that works.
        A chunk whose call fails (e.g. it needs more loop iterations than CEL allows one call)
        is split in two, down to single entities, which are then decided entity by entity."""
        ctx.decided[scope] = True  # tried
        entities = ctx.facts.entities.get(scope, ())
        plan = ctx.plan.scope(scope)
        if len(entities) < 2 or not plan.bundle.decides_each:
            return
        light = plan.network_keys is not None and not (plan.network_keys & ctx.heavy_keys)
        base = ctx.light_base if light else ctx.base
        # CEL builds a comprehension's result list by copying: keep the lists short
        chunks = [
            (start, min(start + _CHUNK, len(entities))) for start in range(0, len(entities), _CHUNK)
        ]
        while chunks:
            start, end = chunks.pop()
            data = dict(base)
            data[ENTITIES] = [entity.facts for entity in entities[start:end]]
            rows = plan.bundle.evaluate_each(ctx.plan.environment.activation(data))
            if rows is None:
                if end - start > 1:
                    middle = (start + end) // 2
                    chunks += [(start, middle), (middle, end)]
                continue
            for index, row in enumerate(rows, start):
                ctx.decided[(scope, index)] = row


_DECIDERS: dict[str, Decider] = {"bundled": Bundled(), "one_by_one": Decider()}


def decider(name: str) -> Decider:
    """The decider called ``name`` (one of :data:`DECIDERS`)."""
    found = _DECIDERS.get(name)
    if found is None:
        raise UsageError(f"decide must be one of {', '.join(DECIDERS)}, got {name!r}")
    return found
