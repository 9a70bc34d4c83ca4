"""The texts of a rule: message templates (placeholders checked against the catalogue) and
titles, descriptions and remediation steps with their ``{params.*}`` figures filled in."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from pcn_rules.errors import PackError
from pcn_rules.facts.catalogue import MAPS, SCOPES
from pcn_rules.facts.lookup import fact_names, unknown_facts
from pcn_rules.packs.model import Template

_FORMATTER = string.Formatter()


def template_of(
    text: str,
    source: str,
    where: str,
    allowed_roots: set[str],
    scope: str,
    derived: frozenset[str] | None = None,
) -> Template:
    """Parse a message template, checking each placeholder names a fact of the catalogue (or a
    parameter, milestone or derived value)."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise PackError(source, where, f"message template is malformed: {exc}") from None
    fields: list[tuple[str, str]] = []
    known = fact_names()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if conversion:
            raise PackError(source, where, f"conversion !{conversion} is not allowed in {{{name}}}")
        if not re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*", name):
            raise PackError(source, where, f"placeholder {{{name}}} must be a dotted fact path")
        root, *rest = name.split(".")
        if root not in allowed_roots:
            raise PackError(
                source,
                where,
                f"placeholder {{{name}}} starts with {root!r}; use one of "
                f"{', '.join(sorted(allowed_roots))}",
            )
        if root == "derived" and derived is not None and (not rest or rest[0] not in derived):
            defined = ", ".join(sorted(derived)) or "none"
            raise PackError(
                source,
                where,
                f"placeholder {{{name}}}: the rule derives no such value (defined: {defined})",
            )
        if root in ("network", "submission") or root in SCOPES:
            problems = unknown_facts([(root, tuple(rest))], {}, scope)
            if problems:
                why = problems[0].partition(": ")[2]
                raise PackError(source, where, f"placeholder {{{name}}}: {why}")
            for part in rest:
                if part not in known:
                    raise PackError(
                        source, where, f"placeholder {{{name}}}: unknown field {part!r}"
                    )
                if part in MAPS.get(root, ()):
                    break  # a map keyed by data (role types): any key may follow
        fields.append((name, spec or ""))
    parts = tuple((literal, name, spec or "") for literal, name, spec, _ in parsed)
    return Template(text, tuple(fields), parts)


def with_params(text: str, params: Mapping[str, Any], source: str, where: str) -> str:
    """A title, description or remediation step with its ``{params.name}`` placeholders filled
    in once, at load (so that a figure is written once, as a parameter)."""
    if "{" not in text and "}" not in text:
        return text
    template = template_of(text, source, where, {"params"}, "network")
    for name, _ in template.fields:
        value: Any = params
        for part in name.split(".")[1:]:
            if not isinstance(value, Mapping) or part not in value:
                raise PackError(source, where, f"placeholder {{{name}}}: no such parameter")
            value = value[part]
    return template.render({"params": params})
