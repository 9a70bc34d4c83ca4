"""Looking facts up in the catalogue: the submission paths behind the facts a condition reads,
and where a missing one is in a given submission."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from functools import cache

from pcn_rules.facts.catalogue import CATALOGUE, MAPS, SCOPES
from pcn_rules.facts.model import LIST_SCOPES, Entity, SubmissionFacts

#: Network facts that are lists of records → the catalogue (variable, key prefix) of their items,
#: for what a comprehension over them reads (``network.practices.all(p, p.name != '')``).
ELEMENTS: dict[str, tuple[str, str]] = {
    "practices": ("practice", ""),
    "non_gp_providers": ("provider", ""),
    "roles": ("role", ""),
    "extended_hours.blocks": ("network", "extended_hours.blocks."),
    "participation.changes": ("network", "participation.changes."),
    "participation.opt_outs": ("network", "participation.opt_outs."),
}

_JSON_PATH = re.compile(r"^[a-z_][a-z0-9_]*(?:\[\])?(?:\.[a-z_][a-z0-9_]*(?:\[\])?)*$")


def _catalogue_entry(variable: str, fields: tuple[str, ...]) -> tuple[str, str] | None:
    """The catalogue entry for the longest prefix of ``fields`` that it documents."""
    facts = CATALOGUE.get(variable, {})
    for end in range(len(fields), 0, -1):
        found = facts.get(".".join(fields[:end]))
        if found is not None:
            return found
    return None


@cache
def _json_paths(source: str) -> tuple[str, ...]:
    """The submission JSON paths of a catalogue source (alternatives are split by " / ")."""
    return tuple(
        part for part in (p.strip() for p in source.split(" / ")) if _JSON_PATH.match(part)
    )


def read_sources(chains: list[tuple[str, tuple[str, ...]]], scope: str) -> tuple[str, ...]:
    """The submission JSON paths (``practices[].list_size``) behind the facts that conditions
    read, given their field chains (see :func:`pcn_rules.cel.field_chains`).

    A chain rooted at ``network``, ``submission`` or the rule's scope is looked up directly; a
    chain on a comprehension's variable is looked up among the items of the lists of records
    the conditions read (``network.practices`` → the practice facts)."""
    out: list[str] = []
    bare: list[tuple[str, ...]] = []
    for root, fields in chains:
        if root in ("network", "submission") or root == scope:
            entry = _catalogue_entry(root, fields)
            if entry is not None:
                out.extend(_json_paths(entry[1]))
        elif root not in ("params", "milestones", "derived", "as_of"):
            bare.append(fields)
    items = _lists_read(chains).values()
    for fields in bare:
        for variable, prefix in items:
            entry = CATALOGUE[variable].get(prefix + ".".join(fields))
            if entry is not None:
                out.extend(_json_paths(entry[1]))
    return tuple(dict.fromkeys(out))


def _lists_read(chains: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[str, str]]:
    """The lists of records that chains read (``network.practices`` → its item catalogue)."""
    found: dict[str, tuple[str, str]] = {}
    for root, fields in chains:
        if root == "network":
            for end in range(1, len(fields) + 1):
                key = ".".join(fields[:end])
                if key in ELEMENTS:
                    found.setdefault(f"network.{key}", ELEMENTS[key])
    return found


def unknown_facts(
    chains: list[tuple[str, tuple[str, ...]]],
    comprehensions: Mapping[str, Sequence[str | None]],
    scope: str,
) -> list[str]:
    """What is wrong with the facts a condition reads through ``network``, ``submission``, the
    rule's ``scope`` variable and its comprehensions' own variables, given its field chains
    (see :func:`pcn_rules.cel.field_chains`) and, for each comprehension variable, the dotted
    paths of the lists it goes through (None where that is not a path).

    Each chain must be a fact that variable's catalogue declares, a map holding such facts, or
    go into a map keyed by data (:data:`~pcn_rules.facts.catalogue.MAPS`); a comprehension's
    variable has the facts of the items of the list it goes through (of the lists of records
    the condition reads, when that is not a plain path).  ``params``, ``milestones``,
    ``derived`` and ``as_of`` are checked elsewhere, by name."""
    problems: list[str] = []
    read = _lists_read(chains)
    for root, fields in chains:
        text = ".".join((root, *fields))
        if root in comprehensions:  # a comprehension's own variable, even if named like a scope
            items: dict[str, tuple[str, str]] = {}
            for path in comprehensions[root]:
                item = _element(path)
                if path is None or item is None:
                    items.update(read)  # not a plain list of records: any the condition reads
                else:
                    items[path] = item
            found = [
                _undeclared(text, f"{root} (an item of {path})", *item, fields)
                for path, item in items.items()
            ]
            if found and all(found):  # no list it may go through has such items
                problems.append(found[0])
        elif root in ("network", "submission") or root == scope:
            problem = _undeclared(text, root, root, "", fields)
            if problem:
                problems.append(problem)
        elif root in SCOPES:
            whole = {v[0]: k for k, v in ELEMENTS.items() if not v[1]}.get(root)
            held = f"; network.{whole} holds every {root}" if whole and scope == "network" else ""
            problems.append(
                f"{text}: a rule with scope: {scope} has no {root!r} "
                f"(it is the entity of a rule with scope: {root}){held}"
            )
    return list(dict.fromkeys(problems))


def _element(path: str | None) -> tuple[str, str] | None:
    root, _, rest = (path or "").partition(".")
    return ELEMENTS.get(rest) if root == "network" else None


def _undeclared(text: str, owner: str, variable: str, prefix: str, fields: tuple[str, ...]) -> str:
    """Why ``fields`` read through ``variable`` (keys start with ``prefix`` for the items of
    one of its lists) are not a fact; "" if they are.  ``owner`` names what they are read on."""
    facts = CATALOGUE[variable]
    for end in range(1, len(fields) + 1):
        path = prefix + ".".join(fields[:end])
        if path in MAPS.get(variable, ()):
            return ""
        if end < len(fields) and variable == "network" and path in ELEMENTS:
            return (
                f"{text}: network.{path} is a list; read the facts of its items in a "
                f"comprehension, e.g. network.{path}.all(x, x.{fields[end]} ...)"
            )
        if path in facts or any(key.startswith(path + ".") for key in facts):
            continue
        name = fields[end - 1]
        where = ".".join((owner, *fields[: end - 1]))
        parent = path[: len(path) - len(name)]
        names = sorted({k[len(parent) :].split(".")[0] for k in facts if k.startswith(parent)})
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.75) or [
            n for n in names if n.endswith(f"_{name}") or n.startswith(f"{name}_")
        ]
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        others = [v for v in SCOPES if v != variable and v != "network" and name in CATALOGUE[v]]
        if others and end == 1 and not prefix:
            hint += "; " + " or ".join(f"a rule with scope: {o} reads {o}.{name}" for o in others)
        return f"{text}: {where} has no fact {name!r}{hint}"
    return ""


def element_source(paths: list[str], key: str) -> str | None:
    """The source of field ``key`` of the records in the lists that ``paths`` (dotted paths
    such as ``network.practices``) name, if one of them has such a field."""
    for path in paths:
        root, _, rest = path.partition(".")
        if root != "network":
            continue
        element = ELEMENTS.get(rest)
        if element is not None:
            entry = CATALOGUE[element[0]].get(element[1] + key)
            if entry is not None:
                return entry[1]
    return None


def concrete_paths(source: str, facts: SubmissionFacts, entity: Entity | None) -> list[str]:
    """Where a catalogue source is in this submission: ``practices[].list_size`` becomes the
    paths of the practices that lack it (or of ``entity``, when it is one of them)."""
    paths = _json_paths(source)
    if not paths:
        return [source]
    first = paths[0]
    name, marker, rest = first.partition("[].")
    scope = LIST_SCOPES.get(name) if marker else None
    if scope is None:
        return [first]
    if entity is not None and entity.scope == scope and entity.path is not None:
        return [f"{entity.path}.{rest}"]
    key = rest.split(".")[0]
    found = [
        f"{item.path}.{rest}"
        for item in facts.entities.get(scope, ())
        if item.path is not None and key not in item.facts
    ]
    return found or [first]


def fact_names() -> frozenset[str]:
    """Every name that may follow a ``.`` in a condition (fact keys at any depth)."""
    names: set[str] = set()
    for facts in CATALOGUE.values():
        for path in facts:
            names.update(path.split("."))
    return frozenset(names)


@cache
def source_of(variable: str, key: str) -> str | None:
    """The submission JSON path a missing fact ``key`` read through ``variable`` comes from."""
    facts = CATALOGUE.get(variable, {})
    for path, (_, source) in facts.items():
        if path == key or path.endswith("." + key):
            return source
    for other in CATALOGUE.values():
        for path, (_, source) in other.items():
            if path == key or path.endswith("." + key):
                return source
    return None
