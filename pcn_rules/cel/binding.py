"""The one module that talks to the CEL binding (``cel-expr-python``).

Everything else uses :class:`Compiled` and :func:`new_activation`, so the binding can be swapped
for another CEL runtime by changing this file alone (see ``docs/adr/0001-cel-binding.md``).

``cel-expr-python`` returns evaluation errors as *values* of type ``error`` instead of raising;
:meth:`Compiled.evaluate` turns them into :class:`EvalError`, so no error can be mistaken for a
result.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel
from cel_expr_python.ext import ext_math, ext_strings

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
        match = _MISSING_KEY.search(self.message)
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
        if not internal and _ENTITIES_USE.search(_strip_strings(source)):
            raise CompileError(f"undeclared reference to '{ENTITIES}'")
        try:
            program = self._env.compile(source)
        except RuntimeError as exc:
            raise CompileError(_clean_compile_message(str(exc))) from None
        return Compiled(source, program)

    def activation(self, data: Mapping[str, Any]) -> Any:
        """Prepare variable values once, to evaluate many conditions against them."""
        return self._env.Activation(dict(data))


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
        result = self.program.eval(activation)
        if result.type() == _ERROR:
            return EvalError(str(result.value()))
        return _plain(result.plain_value())


_ERROR = cel.Type.ERROR

#: What :meth:`Bundle.evaluate` gives for a condition it could not decide on its own.
UNDECIDED: Any = object()


class Bundle:
    """Many conditions evaluated against one activation in a single call.

    Each condition is guarded by ``has()`` tests of the fact paths it reads, so a missing fact
    does not make the whole bundle fail: that condition is reported as :data:`UNDECIDED` and the
    caller evaluates it alone (which names the missing fact exactly as before).  If the bundle
    fails anyway (an error inside a comprehension, a type mismatch), every condition is
    undecided.  The values are those each condition gives on its own: CEL has no side effects.
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
            guard = _presence_guard(condition.text, allowed)
            # newlines keep a trailing `//` comment from swallowing the rest of the bundle
            body = f"[\n{condition.text}\n]"
            parts.append(f"({guard}) ? {body} : []" if guard else body)
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
        result = self._each.eval(activation)
        if result.type() == _ERROR:
            return None
        return [[_plain(v[0]) if v else UNDECIDED for v in row] for row in result.plain_value()]

    def evaluate(self, activation: Any) -> list[Any]:
        """One value per condition, in order; :data:`UNDECIDED` where it must be run alone."""
        undecided = [UNDECIDED] * len(self.conditions)
        if self._program is None:
            return undecided
        result = self._program.eval(activation)
        if result.type() == _ERROR:
            return undecided
        return [_plain(v[0]) if v else UNDECIDED for v in result.plain_value()]


def _compile_or_none(environment: Environment, text: str) -> Any:
    try:
        return environment.compile(text, internal=True).program
    except CompileError:
        return None


def _presence_guard(source: str, roots: tuple[str, ...]) -> str:
    """``has(a.b) && has(a.b.c)`` for the dotted paths rooted at ``roots`` that ``source`` reads.

    A path the condition itself tests with ``has()`` is not required (``!has(x.y) || ...``
    decides without it), only the maps that hold it.  A guard that lets through a condition
    that then fails costs speed only: the whole bundle is then undecided.
    """
    text = _strip_strings(source)
    tested = set(_HAS_ARGUMENT.findall(text))
    tests: list[str] = []
    for path in referenced_paths(source, roots):
        parts = path.split(".")
        last = len(parts) if path not in tested else len(parts) - 1
        for end in range(2, last + 1):
            test = f"has({'.'.join(parts[:end])})"
            if test not in tests:
                tests.append(test)
    return " && ".join(tests)


_HAS_ARGUMENT = re.compile(r"(?<![\w.])has\(\s*([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*\)")


# --------------------------------------------------------------------------------------------
# Static checks on the text of a condition
# --------------------------------------------------------------------------------------------

_STRING = re.compile(r"""(?:[rR]?)("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')""")
_FIELD = re.compile(r"\.\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\()?")
_PATH = re.compile(r"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+)\b(?!\s*\()")


_DERIVED_OR_STRING = re.compile(
    r"""(?P<string>[rR]?(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'))"""
    r"""|(?<![\w.])derived\s*\.\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)"""
)


def inline_derived(source: str, definitions: Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace each ``derived.NAME`` (outside string literals) by ``(definition)``.

    Returns the new text and the names that have no definition.  CEL is side-effect free, so
    inlining a derived value is equivalent to reading it from a variable, and lets every
    condition of a rule run against one prepared activation.
    """
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group("string") is not None:
            return match.group("string")
        name = match.group("name")
        if name not in definitions:
            unknown.append(name)
            return match.group(0)
        return f"({definitions[name]})"

    return _DERIVED_OR_STRING.sub(replace, source), unknown


_NETWORK_USE = re.compile(r"(?<![\w.])network\b(\s*\.\s*([A-Za-z_][A-Za-z0-9_]*))?")


def top_level_keys(sources: Iterable[str], variable: str = "network") -> frozenset[str] | None:
    """The keys of ``variable`` that conditions select (``network.list_size`` → list_size).

    ``None`` when a condition uses the variable whole (e.g. passes ``network`` to a function),
    so every key may be needed.
    """
    if variable != "network":
        raise ValueError("only the network variable is analysed")
    keys: set[str] = set()
    for source in sources:
        for match in _NETWORK_USE.finditer(_strip_strings(source)):
            if match.group(2) is None:
                return None
            keys.add(match.group(2))
    return frozenset(keys)


def _strip_strings(source: str) -> str:
    return _STRING.sub(lambda m: '""', source)


def selected_fields(source: str) -> list[str]:
    """Names selected with ``.name`` (not method calls) in a condition, in order of appearance."""
    text = _strip_strings(source)
    out: list[str] = []
    for match in _FIELD.finditer(text):
        if match.group(2) is None and match.group(1) not in out:
            out.append(match.group(1))
    return out


_CHAIN = re.compile(r"(?<![\w.)\]])([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*)+)(?!\w|\s*\()")


def field_chains(source: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every ``name.field.field`` chain (not ending in a call), as (first name, fields).

    ``network.practices.all(p, p.name != '')`` gives ``("network", ("practices",))`` and
    ``("p", ("name",))``: the first name is a variable, or a comprehension's own variable.
    """
    out: list[tuple[str, tuple[str, ...]]] = []
    for match in _CHAIN.finditer(_strip_strings(source)):
        fields = tuple(part.strip() for part in match.group(2).split(".") if part.strip())
        item = (match.group(1), fields)
        if item not in out:
            out.append(item)
    return out


def referenced_paths(source: str, roots: Iterable[str]) -> list[str]:
    """Dotted paths such as ``network.list_size`` rooted at one of ``roots``, in order."""
    return list(_referenced_paths(source, tuple(roots)))


@functools.cache
def _referenced_paths(source: str, roots: tuple[str, ...]) -> tuple[str, ...]:
    allowed = set(roots)
    text = _strip_strings(source)
    out: list[str] = []
    for match in _PATH.finditer(text):
        path = match.group(1)
        # a trailing method call (`x.size()`) was excluded by the look-ahead only for the last
        # name; drop any segment that is immediately a call
        if path.split(".")[0] in allowed and path not in out:
            out.append(path)
    return tuple(out)


def unknown_fields(source: str, known: frozenset[str], ignore: Iterable[str] = ()) -> list[str]:
    """Field names in ``source`` that no fact, parameter or milestone has, with a suggestion."""
    problems: list[str] = []
    skip = set(ignore)
    vocabulary = sorted(known | skip)
    for name in selected_fields(source):
        if name in known or name in skip:
            continue
        close = difflib.get_close_matches(name, vocabulary, n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"unknown field {name!r}{hint}")
    return problems
