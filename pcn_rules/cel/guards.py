"""What a :class:`~pcn_rules.cel.binding.Bundle` puts around each condition, from its text.

A *guard* lets a condition into the bundle only when the facts it will read are there, so that a
missing fact leaves that condition undecided instead of failing the whole bundle.  A guard that
lets through a condition that then fails costs speed only (the whole bundle is then undecided,
every condition evaluated alone); one that holds back a condition that would have been decided
costs speed only too.  A guard never makes a value: the values are the conditions' own.

A *missing-fact marker* names, for a strict condition held back, the absent key CEL names when
that condition fails, where CEL's rules make that key certain (see :func:`strict_paths`);
elsewhere the condition is evaluated alone, as the reference does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pcn_rules.cel.text import _referenced_paths, referenced_paths, strip_strings

_QUOTED = re.compile(r"""[rR]?("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')""")


def _masked(source: str) -> str | None:
    """``source`` with its string literals blanked out, every position kept (None when it holds
    a comment, which could hide anything)."""
    text = _QUOTED.sub(lambda m: "_" * len(m.group(0)), source)
    return None if "//" in text else text


def _parts(source: str) -> tuple[str, ...] | None:
    """The top-level form of a condition: ``("?", c, a, b)`` for ``c ? a : b``, ``("||", a, b)``
    for ``a || b`` (at its first top-level ``||``), ``("&&", a, b)``; None for anything else.
    Outer parentheses are looked through."""
    text = _masked(source)
    if text is None:
        return None
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    if end - start > 1 and text[start] == "(" and text[end - 1] == ")":
        inner = _up_to_close(text, start + 1)
        if inner is not None and start + 1 + len(inner) == end - 1:
            return _parts(source[start + 1 : end - 1])
    depth = 0
    question = -1
    pending = 0
    either = both = -1
    for position, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth:
            continue
        elif char == "?":
            if question < 0:
                question = position
            else:
                pending += 1
        elif char == ":" and question >= 0:
            if pending:
                pending -= 1
                continue
            parts = (source[:question], source[question + 1 : position], source[position + 1 :])
            return ("?", *parts) if all(part.strip() for part in parts) else None
        elif question < 0 and text.startswith("||", position) and either < 0:
            either = position
        elif question < 0 and text.startswith("&&", position) and both < 0:
            both = position
    split, operator = (either, "||") if either >= 0 else (both, "&&")
    if split < 0:
        return None
    left, right = source[:split], source[split + 2 :]
    return (operator, left, right) if left.strip() and right.strip() else None


def presence_guard(source: str, roots: tuple[str, ...]) -> str:
    """``has(a.b) && has(a.b.c)`` for the dotted paths rooted at ``roots`` that ``source`` reads.

    A path the condition itself tests with ``has()`` is not required (``!has(x.y) || ...``
    decides without it), only the maps that hold it.  A choice needs only what it reads on the
    way it takes: ``c ? a : b`` the facts of ``c`` and of the branch ``c`` chooses
    (``practice.in_lead_ccg ? [] : practice.agreed_on`` needs no ``agreed_on`` in the lead CCG),
    ``a || b`` those of ``b`` only when ``a`` is false, ``a && b`` only when ``a`` is true.
    """
    form = _parts(source)
    if form is not None:
        guards = [presence_guard(part, roots) for part in form[1:]]
        first = form[1]
        if form[0] == "?":
            if not (guards[1] or guards[2]):
                return guards[0]
            pick = f"((\n{first}\n) ? ({guards[1] or 'true'}) : ({guards[2] or 'true'}))"
        elif not guards[1]:
            return guards[0]
        elif form[0] == "||":
            pick = f"((\n{first}\n) || ({guards[1]}))"
        else:
            pick = f"(!(\n{first}\n) || ({guards[1]}))"
        return f"{guards[0]} && {pick}" if guards[0] else pick
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


def missing_marker(source: str, roots: tuple[str, ...]) -> str | None:
    """CEL giving, for a strict condition (:func:`strict_paths`) its guard held back,
    ``[false, keys]``: the first absent key of each path it reads (None for any other
    condition, evaluated alone).  Conditions made of several (``a || b``, ``c ? a : b``) get
    none: where their missing fact is certain, naming it would make the bundle about twice as
    long to compile, in every process, for a few conditions a network."""
    strict = strict_paths(source, roots)
    if strict is None:
        return None
    return f"[false, [{', '.join(_first_absent(path) for path in strict)}]]"


def _first_absent(path: str) -> str:
    """CEL giving the first key of ``path`` that is absent (CEL names it when it fails), or ''."""
    parts = path.split(".")
    out = "''"
    for end in range(len(parts), 1, -1):
        out = f"!has({'.'.join(parts[:end])}) ? '{parts[end - 1]}' : {out}"
    return f"({out})"


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
