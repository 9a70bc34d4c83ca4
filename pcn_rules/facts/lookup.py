"""Looking facts up in the catalogue: the submission paths behind the facts a condition reads,
and where a missing one is in a given submission."""

from __future__ import annotations

import re
from functools import cache

from pcn_rules.facts.catalogue import CATALOGUE
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
    items: list[tuple[str, str]] = []
    bare: list[tuple[str, ...]] = []
    for root, fields in chains:
        if root in ("network", "submission") or root == scope:
            entry = _catalogue_entry(root, fields)
            if entry is not None:
                out.extend(_json_paths(entry[1]))
            if root == "network":
                for end in range(1, len(fields) + 1):
                    element = ELEMENTS.get(".".join(fields[:end]))
                    if element is not None and element not in items:
                        items.append(element)
        elif root not in ("params", "milestones", "derived", "as_of"):
            bare.append(fields)
    for fields in bare:
        for variable, prefix in items:
            entry = CATALOGUE[variable].get(prefix + ".".join(fields))
            if entry is not None:
                out.extend(_json_paths(entry[1]))
    return tuple(dict.fromkeys(out))


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
