"""Reading the text of a CEL condition without running it: the fact paths and fields it reads,
derived values inlined (the presence guards a bundle puts in front of it: :mod:`.guards`).

Pure functions of strings, memoised where the engine calls them for every finding.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Mapping

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
