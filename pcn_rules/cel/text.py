"""Reading the text of a CEL condition without running it: the fact paths and fields it reads,
derived values inlined, the presence guards a bundle puts in front of it.

Pure functions of strings, memoised where the engine calls them for every finding.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping


def presence_guard(source: str, roots: tuple[str, ...]) -> str:
    """``has(a.b) && has(a.b.c)`` for the dotted paths rooted at ``roots`` that ``source`` reads.

    A path the condition itself tests with ``has()`` is not required (``!has(x.y) || ...``
    decides without it), only the maps that hold it.  A guard that lets through a condition
    that then fails costs speed only: the whole bundle is then undecided.

    A condition ``c ? a : b`` is guarded by ``c``'s paths, then by those of the branch ``c``
    chooses (``practice.in_lead_ccg ? [] : practice.agreed_on`` needs no ``agreed_on`` when
    the practice is in the lead CCG).
    """
    branches = _ternary(source)
    if branches is not None:
        condition, chosen, other = (presence_guard(part, roots) for part in branches)
        if chosen or other:
            pick = f"((\n{branches[0]}\n) ? ({chosen or 'true'}) : ({other or 'true'}))"
            return f"{condition} && {pick}" if condition else pick
        return condition
    text = strip_strings(source)
    tested = set(_HAS_ARGUMENT.findall(text))
    tests: list[str] = []
    for path in referenced_paths(source, roots):
        parts = path.split(".")
        last = len(parts) if path not in tested else len(parts) - 1
        for end in range(2, last + 1):
            test = f"has({'.'.join(parts[:end])})"
            if test not in tests:
                tests.append(test)
    tests.extend(_element_guards(text, set(roots)))
    return " && ".join(tests)


_QUOTED = re.compile(r"""[rR]?("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')""")


def _ternary(source: str) -> tuple[str, str, str] | None:
    """``(c, a, b)`` when ``source`` is ``c ? a : b`` at its top level, else None."""
    # string literals blanked out, keeping every position
    text = _QUOTED.sub(lambda m: "_" * len(m.group(0)), source)
    if "//" in text:
        return None  # a comment could hide anything: no guard by branch
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if end - start > 1 and text[start] == "(" and text[end - 1] == ")":
        inner = _up_to_close(text, start + 1)
        if inner is not None and start + 1 + len(inner) == end - 1:
            return _ternary(source[start + 1 : end - 1])  # (c ? a : b)
    depth = 0
    question = -1
    pending = 0
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and char == "?":
            if question < 0:
                question = position
            else:
                pending += 1
        elif depth == 0 and char == ":" and question >= 0:
            if pending:
                pending -= 1
                continue
            condition, chosen, other = (
                source[:question],
                source[question + 1 : position],
                source[position + 1 :],
            )
            if condition.strip() and chosen.strip() and other.strip():
                return condition, chosen, other
            return None
    return None


_MACRO = re.compile(
    r"(?<![\w.])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*\.\s*"
    r"(?:all|exists|exists_one|map|filter)\s*\(\s*([A-Za-z_]\w*)\s*,"
)


def _element_guards(text: str, roots: set[str]) -> list[str]:
    """``network.practices.all(p, has(p.name))`` for the fields a comprehension over a fact list
    reads of its items (``network.practices.map(p, p.name)``), so that an item without the field
    leaves that condition undecided instead of making the whole bundle fail.  Only comprehensions
    over a path of ``roots`` are guarded, and only their own variable's fields (not those of a
    nested comprehension's); a guard that is too strict costs speed only."""
    guards: list[str] = []
    for match in _MACRO.finditer(text):
        over = re.sub(r"\s+", "", match.group(1))
        if over.split(".")[0] not in roots:
            continue
        body = _up_to_close(text, match.end())
        if body is None:
            continue
        var = match.group(2)
        tested = {re.sub(r"\s+", "", t) for t in _HAS_ARGUMENT.findall(body)}
        tests: list[str] = []
        for path in _referenced_paths(body, (var,)):
            parts = path.split(".")
            last = len(parts) if path not in tested else len(parts) - 1
            for end in range(2, last + 1):
                test = f"has({'.'.join(parts[:end])})"
                if test not in tests:
                    tests.append(test)
        if tests:
            guard = f"{over}.all({var}, {' && '.join(tests)})"
            if guard not in guards:
                guards.append(guard)
    return guards


def _up_to_close(text: str, start: int) -> str | None:
    """The text from ``start`` up to the parenthesis that closes the one opened before it."""
    depth = 1
    for position in range(start, len(text)):
        char = text[position]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[start:position]
    return None


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
        for match in _NETWORK_USE.finditer(strip_strings(source)):
            if match.group(2) is None:
                return None
            keys.add(match.group(2))
    return frozenset(keys)


def strip_strings(source: str) -> str:
    return _STRING.sub(lambda m: '""', source)


def selected_fields(source: str) -> list[str]:
    """Names selected with ``.name`` (not method calls) in a condition, in order of appearance."""
    text = strip_strings(source)
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
    for match in _CHAIN.finditer(strip_strings(source)):
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
    text = strip_strings(source)
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


# --------------------------------------------------------------------------------------------
# Conditions whose missing fact a bundle can name
# --------------------------------------------------------------------------------------------

_IDENT = r"[A-Za-z_]\w*"
_DOTTED = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"
_LITERAL = r"(?:\"\"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?u?|true|false|null)"
_ATOM = rf"(?:{_DOTTED}|{_LITERAL}|\[\s*(?:{_LITERAL}(?:\s*,\s*{_LITERAL})*)?\s*\])"
_BINARY = r"(?:==|!=|<=|>=|<|>|\bin\b|\+|-|\*)"
_ONE_PATH = re.compile(rf"^\s*(?:!\s*)*\(?\s*({_DOTTED})\s*\)?\s*$")
_SIZED = re.compile(rf"^\s*size\s*\(\s*({_DOTTED})\s*\)\s*{_BINARY}\s*{_LITERAL}\s*$")
_PAIR = re.compile(rf"^\s*({_ATOM})\s*{_BINARY}\s*({_ATOM})\s*$")
#: Variables a strict condition may read besides the bundle's roots (all always bound).
_CONSTANTS = ("params", "milestones", "as_of")


def strict_paths(source: str, roots: Iterable[str]) -> tuple[str, ...] | None:
    """The dotted paths a *strict* condition reads, or None when it is not strict.

    A strict condition is one fact path (``network.contiguous``, ``!network.x``,
    ``size(network.map_reference) > 0``) or one operator between two plain operands (paths,
    literals, lists of literals: ``network.clinical_director.start_date <= as_of``,
    ``practice.contract_type in ['GMS', 'PMS']``).  Nothing in it can short-circuit, absorb an
    error or fail on its own except a path that is absent, so when exactly one key is the first
    absent one along its paths, CEL fails with "Key not found in map" naming that key: a
    :class:`~pcn_rules.cel.binding.Bundle` can then report the missing fact without evaluating
    the condition alone.  Every path must be rooted at ``roots``, ``params`` or ``milestones``;
    ``as_of`` and literals are the only other operands.
    """
    text = strip_strings(source)
    if "?" in text or "&&" in text or "||" in text:
        return None
    allowed = set(roots) | set(_CONSTANTS)
    operands: list[str]
    match = _ONE_PATH.match(text) or _SIZED.match(text)
    if match is not None:
        operands = [match.group(1)]
    else:
        pair = _PAIR.match(text)
        if pair is None:
            return None
        operands = [pair.group(1), pair.group(2)]
    paths: list[str] = []
    for operand in operands:
        if not re.fullmatch(_DOTTED, operand) or re.fullmatch(_LITERAL, operand):
            continue  # a literal or a list of literals
        path = re.sub(r"\s+", "", operand)
        root = path.split(".")[0]
        if root not in allowed or (root == "as_of") != (path == "as_of"):
            return None
        if path != "as_of" and "." not in path:
            return None  # a whole variable (e.g. `network`): not a fact path
        if path not in paths and path != "as_of":
            paths.append(path)
    return tuple(paths) if paths else None
