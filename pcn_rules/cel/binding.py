"""The one module that imports the CEL binding (``cel-expr-python``).

Everything else uses :class:`Environment`, :class:`Compiled` and :class:`Bundle`, so the binding
can be swapped for another CEL runtime by changing this file alone (see
``docs/adr/0001-cel-binding.md``).  The pack cache stores compiled programs through
:func:`serialize` and :meth:`Environment.deserialize`, never through the binding itself.

``cel-expr-python`` returns most evaluation errors as *values* of type ``error``, and raises
for a few (``RuntimeError``: its budget of loop iterations exceeded, a value it cannot convert).
:meth:`Compiled.evaluate` turns both into :class:`EvalError`, so no error can be mistaken for a
result and none escapes as an exception; a :class:`Bundle` that fails either way leaves its
conditions undecided, to be evaluated one by one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_math, ext_strings

from pcn_rules.cel import cost
from pcn_rules.cel.guards import missing_marker, presence_guard
from pcn_rules.cel.text import strip_strings

#: Variables every condition may read.  Entity scopes add their own variable (see facts.SCOPES).
BASE_VARIABLES = ("submission", "network", "params", "milestones", "as_of", "derived")

#: The variable holding every entity of a scope when a :class:`Bundle` decides them all at once
#: (not for conditions: the pack loader rejects names it does not know).
ENTITIES = "pcn_entities__"


class CompileError(ValueError):
    """A condition does not compile: syntax error or undeclared variable."""


@dataclass(frozen=True, slots=True)
class EvalError:
    """A condition failed while being evaluated."""

    message: str

    @property
    def missing_key(self) -> str | None:
        """The key a ``Key not found in map`` error names, if that is what this is."""
        return _missing_key(self.message)


@functools.lru_cache(maxsize=1024)
def _missing_key(message: str) -> str | None:
    match = _MISSING_KEY.search(message)
    return match.group(1) if match else None


_ENTITIES_USE = re.compile(rf"(?<![\w.]){ENTITIES}\b")
_MISSING_KEY = re.compile(r'Key not found in map : "([^"]+)"')
_NO_SUCH_KEY = re.compile(r"no such key: ([A-Za-z_]\w*)")


def _make_env(variables: Iterable[str]) -> Any:
    return cel.NewEnv(
        variables=dict.fromkeys(variables, cel.Type.DYN),
        extensions=[ext_math.ExtMath(), ext_strings.ExtStrings()],
    )


class Environment:
    """A CEL environment declaring a fixed set of variables, all dynamically typed."""

    def __init__(self, variables: Iterable[str]) -> None:
        self.variables = tuple(sorted(set(variables)))
        self._env = _make_env((*self.variables, ENTITIES))

    def compile(self, source: str, *, internal: bool = False) -> Compiled:
        """Compile a condition.  Only the engine's own programs (``internal``) may read
        :data:`ENTITIES`."""
        if not internal and _ENTITIES_USE.search(strip_strings(source)):
            raise CompileError(f"undeclared reference to '{ENTITIES}'")
        try:
            program = self._env.compile(source)
        except RuntimeError as exc:
            raise CompileError(_clean_compile_message(str(exc))) from None
        return Compiled(source, program)

    def activation(self, data: Mapping[str, Any]) -> Any:
        """Prepare variable values once, to evaluate many conditions against them."""
        return self._env.Activation(dict(data))

    def deserialize(self, data: bytes) -> Any:
        """A compiled program back from :func:`serialize`."""
        return self._env.deserialize(data)


def is_program(value: Any) -> bool:
    """Whether ``value`` is a program compiled by the binding."""
    return isinstance(value, cel.Expression)


def serialize(program: Any) -> bytes:
    """A compiled program as bytes (for the pack cache)."""
    data: bytes = program.serialize()
    return data


def growth_problem(compiled: Compiled) -> str | None:
    """Why a condition could build values too large to evaluate, or None (see
    :mod:`pcn_rules.cel.cost`)."""
    return cost.growth_problem(serialize(compiled.program))


def binding_fingerprint() -> str:
    """Which build of the binding this is (a cached program is only valid for the same one)."""
    binding = Path(cel.__file__).resolve()
    stat = binding.stat()
    return f"{binding}:{stat.st_size}:{stat.st_mtime_ns}"


def _clean_compile_message(message: str) -> str:
    text = message.replace("INVALID_ARGUMENT: ", "", 1)
    text = text.replace(" [INVALID_ARGUMENT]", "")
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    return "\n".join(lines)


_SCALARS = frozenset({bool, int, float, str, type(None)})


def _plain(value: Any) -> Any:
    """Make a CEL plain value JSON-friendly."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, dict):
        # a CEL map's keys come back in no particular order: sort them, for stable output
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, cel.Type):
        return value.name()
    return value


@dataclass(frozen=True, slots=True)
class Compiled:
    """A compiled condition.  Immutable and safe to evaluate from many threads."""

    source: str
    program: Any
    #: The text that was compiled, when it differs from ``source`` (derived values inlined)
    compiled_text: str | None = None

    @property
    def text(self) -> str:
        return self.source if self.compiled_text is None else self.compiled_text

    def evaluate(self, activation: Any) -> Any | EvalError:
        try:
            result = self.program.eval(activation)
            kind = result.type()
            if kind == _ERROR:
                return EvalError(str(result.value()))
            if kind == _NULL:
                return None  # (never through plain_value: see _NULL)
            return _plain(result.plain_value())
        except Exception as exc:  # the binding raises for some failures (see the module's doc)
            return EvalError(_raised_message(exc))


_ERROR = cel.Type.ERROR
#: A null result is answered without asking the binding for its Python value: in
#: cel-expr-python 0.1.x that releases a reference to None it never took, and on Python 3.11
#: (where None is not immortal) a few thousand such results abort the interpreter ("Fatal Python
#: error: none_dealloc").  Facts never hold null (pcn_rules.facts leaves absent facts out), so a
#: null can only come from a condition itself; a null inside a list or map returned would still
#: reach the bug, which is why pack conditions are not given null values to return.
_NULL = cel.Type.NULL

#: The CEL runtime's budget of loop iterations (all comprehensions together) in one call.
ITERATION_BUDGET = 10_000


def _raised_message(exc: Exception) -> str:
    """What an exception the binding raised says, in words."""
    text = str(exc).replace("INTERNAL: ", "", 1).replace(" [INTERNAL]", "").strip()
    if "Iteration budget exceeded" in text:
        return (
            f"it needs {ITERATION_BUDGET:,} or more loop iterations, more than the CEL runtime "
            "allows one condition (iteration budget exceeded)"
        )
    return text or type(exc).__name__


def _eval_or_none(program: Any, activation: Any) -> Any:
    """The plain value of ``program``, or None when it fails (an error value, or raised)."""
    try:
        result = program.eval(activation)
        kind = result.type()
        if kind in (_ERROR, _NULL):
            return None
        return result.plain_value()
    except Exception:  # a bundle that fails leaves its conditions to be evaluated one by one
        return None


#: What :meth:`Bundle.evaluate` gives for a condition it could not decide on its own.
UNDECIDED: Any = object()


class Bundle:
    """Many conditions evaluated against one activation in a single call.

    Each condition is guarded by ``has()`` tests of the fact paths it reads, so a missing fact
    does not make the whole bundle fail: that condition is reported as :data:`UNDECIDED` and the
    caller evaluates it alone (which names the missing fact exactly as before), unless the
    condition is strict (see :mod:`~pcn_rules.cel.guards`): then the bundle names
    the first absent key itself, and gives the :class:`EvalError` the condition alone gives.
    If the bundle fails anyway (an error inside a comprehension, a type mismatch), every
    condition is undecided.  The values are those each condition gives on its own: CEL has no
    side effects.
    """

    __slots__ = ("_each", "_program", "conditions")

    def __init__(
        self,
        environment: Environment,
        conditions: Iterable[Compiled],
        roots: Iterable[str],
        scope: str | None = None,
    ) -> None:
        self.conditions = tuple(conditions)
        allowed = tuple(roots)
        parts: list[str] = []
        for condition in self.conditions:
            guard = presence_guard(condition.text, allowed)
            # newlines keep a trailing `//` comment from swallowing the rest of the bundle
            body = f"[\n{condition.text}\n]"
            if not guard:
                parts.append(body)
                continue
            # held back: the missing fact, where CEL's rules make it certain (else [], to
            # evaluate the condition alone)
            absent = missing_marker(condition.text, allowed) or "[]"
            parts.append(f"({guard}) ? {body} : {absent}")
        values = "[" + ",\n".join(parts) + "\n]"
        self._program = _compile_or_none(environment, values)
        # an entity scope: every entity of the scope in one call, the scope's variable naming
        # each in turn
        self._each = (
            _compile_or_none(environment, f"{ENTITIES}.map({scope}, {values})")
            if scope is not None and scope in environment.variables
            else None
        )

    def evaluate_each(self, activation: Any) -> list[list[Any]] | None:
        """Per entity of ``ENTITIES`` in ``activation``, the values :meth:`evaluate` would give;
        None when one call cannot decide them (then evaluate each entity on its own)."""
        if self._each is None:
            return None
        rows = _eval_or_none(self._each, activation)
        if rows is None:
            return None
        return [[_value(v) for v in row] for row in rows]

    @property
    def decides_each(self) -> bool:
        """Whether :meth:`evaluate_each` can decide many entities in one call."""
        return self._each is not None

    def evaluate(self, activation: Any) -> list[Any]:
        """One value per condition, in order; :data:`UNDECIDED` where it must be run alone."""
        undecided = [UNDECIDED] * len(self.conditions)
        if self._program is None:
            return undecided
        values = _eval_or_none(self._program, activation)
        if values is None:
            return undecided
        return [_value(v) for v in values]


def _value(item: list[Any]) -> Any:
    """A bundled condition's value (see :func:`_decoded`), plain scalars the quick way."""
    if len(item) == 1:
        value = item[0]
        return value if type(value) in _SCALARS else _plain(value)
    return _decoded(item)


def _decoded(item: list[Any]) -> Any:
    """A bundled condition's value: ``[value]``; ``[]`` undecided; ``[false, keys]`` for a strict
    condition whose facts are absent: the error CEL gives when exactly one key is the first
    absent one (the condition fails naming it), else undecided (which key CEL names first is
    left to CEL)."""
    if len(item) == 1:
        return _plain(item[0])
    if not item:
        return UNDECIDED
    keys = {key for key in item[1] if key}
    if len(keys) != 1:
        return UNDECIDED
    return _absent(keys.pop())


@functools.lru_cache(maxsize=1024)
def _absent(key: str) -> EvalError:
    """The error CEL gives when a condition reads ``key`` and it is absent (immutable: shared)."""
    return EvalError(f'NOT_FOUND: Key not found in map : "{key}"')


def _compile_or_none(environment: Environment, text: str) -> Any:
    try:
        return environment.compile(text, internal=True).program
    except CompileError:
        return None
