"""Compiling one rule: its fields validated, its CEL conditions compiled (derived values inlined),
its message templates parsed, and what it reads from a submission worked out."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from pcn_rules import cel as celexpr
from pcn_rules.errors import PackError
from pcn_rules.facts.catalogue import SCOPES
from pcn_rules.facts.lookup import fact_names, read_sources, unknown_facts
from pcn_rules.packs import deps
from pcn_rules.packs.model import Check, Example, Rule, Template
from pcn_rules.packs.spec import RuleSpec
from pcn_rules.packs.texts import template_of, with_params
from pcn_rules.vocab import RULE_ID, FrozenDict, Milestone, validation_problem

PACK_FORMAT_VERSION = 1


_TEMPLATE_ROOTS = ("submission", "network", "params", "derived", "as_of", "milestones", "due")


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working directory when it is under it."""
    return deps.display(path)


def pack_problem(exc: ValidationError, source: str, prefix: str, describe: Any = None) -> PackError:
    err = exc.errors(include_url=False)[0]
    where, message = validation_problem(err, noun="key")
    if describe is not None:
        where = describe(tuple(err["loc"]))
    elif prefix:
        where = f"{prefix} → {where}" if where else prefix
    if err["type"] == "extra_forbidden":
        message += " (check the spelling; see 'How to write a rule' in the README)"
    return PackError(source, where, message)


def check_version(data: Any, source: str) -> None:
    if not isinstance(data, dict):
        raise PackError(source, "", "expected a YAML mapping at the top level")
    if "version" not in data:
        raise PackError(
            source,
            "version",
            f"missing; the first key of every pack file is `version: {PACK_FORMAT_VERSION}`",
        )
    if data["version"] != PACK_FORMAT_VERSION:
        raise PackError(
            source,
            "version",
            f"pack format version {data['version']!r} is not supported by this pcn-check "
            f"(it reads version {PACK_FORMAT_VERSION}); upgrade pcn-rules or use an older pack",
        )


#: A comprehension: the path of the list it goes through (when it is one) and its variable.
_COMPREHENSION = re.compile(
    r"(?:(?<![\w.)\]])(?P<path>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)+)\s*)?"
    r"\.\s*(?:all|exists_one|exists|map|filter)\s*\(\s*(?P<var>[A-Za-z_]\w*)\s*,"
)


def _facts_read(text: str, scope: str) -> list[str]:
    """What is wrong with the facts a condition reads (see lookup.unknown_facts)."""
    comprehensions: dict[str, list[str | None]] = {}
    for match in _COMPREHENSION.finditer(celexpr.strip_strings(text)):
        path = re.sub(r"\s+", "", match.group("path") or "") or None
        comprehensions.setdefault(match.group("var"), []).append(path)
    return unknown_facts(celexpr.field_chains(text), comprehensions, scope)


def _compile(
    env: celexpr.Environment,
    text: str,
    source: str,
    where: str,
    extra_names: frozenset[str],
    scope: str,
    derived: Mapping[str, str] | None = None,
) -> celexpr.Compiled:
    """Compile a condition as written (for its errors), then with derived values inlined.

    The facts it reads are checked against their variables' catalogues with derived values
    inlined (a comprehension over a derived list then knows the items it goes through), then
    every field name against all names of facts, parameters and milestones."""
    try:
        compiled = env.compile(text)
    except celexpr.CompileError as exc:
        raise PackError(source, where, f"CEL condition does not compile:\n{exc}") from None
    inlined, unknown = celexpr.inline_derived(text, derived or {})
    problems = _facts_read(inlined, scope) or celexpr.unknown_fields(
        text, fact_names(), extra_names
    )
    if problems:
        raise PackError(source, where, "; ".join(problems))
    if unknown:
        defined = ", ".join(derived or {}) or "none"
        raise PackError(
            source,
            where,
            f"derived.{unknown[0]} is not defined before it is used (defined: {defined})",
        )
    if inlined == text:
        return compiled
    return celexpr.Compiled(text, env.compile(inlined).program, inlined)


def _all_conditions(
    when: celexpr.Compiled | None,
    derive: tuple[tuple[str, celexpr.Compiled], ...],
    checks: tuple[Check, ...],
    waiver: celexpr.Compiled | None,
) -> list[celexpr.Compiled]:
    out = [c for _, c in derive] + [c.condition for c in checks]
    return out + [c for c in (when, waiver) if c is not None]


def entry_label(kind: str, index: int, raw: Any) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind}[{index}] ({rid})" if isinstance(rid, str) else f"{kind}[{index}]"


def compile_rule(
    raw: dict[str, Any],
    label: str,
    source: str,
    directory: Path,
    milestones: dict[str, Milestone],
    env: celexpr.Environment,
    extra_names: frozenset[str],
    params: Mapping[str, Any],
) -> Rule:
    if not isinstance(raw, dict):
        raise PackError(source, label, "expected a mapping describing one rule")
    try:
        spec = RuleSpec.model_validate(raw)
    except ValidationError as exc:
        raise pack_problem(exc, source, label) from None
    if not RULE_ID.match(spec.id):
        raise PackError(
            source,
            f"{label} → id",
            f"{spec.id!r} is not a requirement ID of the catalogue's form (e.g. POP-MIN, "
            "REG-LIST-SIZE: capitals, words joined by hyphens)",
        )
    if spec.scope not in SCOPES:
        raise PackError(
            source,
            f"{label} → scope",
            f"unknown scope {spec.scope!r}; use one of {', '.join(SCOPES)}",
        )
    due = None
    if spec.due is not None:
        if spec.due not in milestones:
            raise PackError(
                source,
                f"{label} → due",
                f"unknown milestone {spec.due!r}; this pack defines {', '.join(milestones)}",
            )
        due = milestones[spec.due]
    derived_names = frozenset(spec.derive)
    names = extra_names | derived_names
    template_roots = set(_TEMPLATE_ROOTS) | {spec.scope}

    def condition(
        text: str, key: str, derived: Mapping[str, str] | None = None
    ) -> celexpr.Compiled:
        return _compile(env, text, source, f"{label} → {key}", names, spec.scope, derived)

    def template(text: str, key: str) -> Template:
        return template_of(
            text, source, f"{label} → {key}", template_roots, spec.scope, derived_names
        )

    when = condition(spec.when, "when") if spec.when else None
    # each derived value may use the ones before it; conditions get them inlined
    definitions: dict[str, str] = {}
    derive_list: list[tuple[str, celexpr.Compiled]] = []
    for name, text in spec.derive.items():
        derive_list.append((name, condition(text, f"derive → {name}", definitions)))
        definitions[name] = celexpr.inline_derived(text, definitions)[0]
    derive = tuple(derive_list)
    if isinstance(spec.expect, str):
        if spec.message is None:
            raise PackError(
                source, f"{label} → message", "required when `expect` is a single condition"
            )
        checks: tuple[Check, ...] = (
            Check(
                condition(spec.expect, "expect", definitions),
                template(spec.message, "message"),
            ),
        )
    else:
        if not spec.expect:
            raise PackError(source, f"{label} → expect", "needs at least one check")
        checks = tuple(
            Check(
                condition(c.check, f"expect[{i}] → check", definitions),
                template(c.message, f"expect[{i}] → message"),
            )
            for i, c in enumerate(spec.expect)
        )
    met_text = spec.met_message or spec.title
    met = template(met_text, "met_message")
    if spec.waiver and not spec.waivable:
        raise PackError(
            source, f"{label} → waiver", "the rule is marked `waivable: false`; it cannot name one"
        )
    waiver = condition(spec.waiver, "waiver") if spec.waiver else None
    evidence_date = None
    if spec.evidence_date is not None:
        if due is None:
            raise PackError(
                source,
                f"{label} → evidence_date",
                "only a rule with a deadline (`due`) has an evidence date",
            )
        evidence_date = condition(spec.evidence_date, "evidence_date", definitions)
    evidence_due = None
    if spec.evidence_due is not None:
        where = f"{label} → evidence_due"
        if evidence_date is None or due is None:
            raise PackError(source, where, "only a rule with an `evidence_date` has one")
        if spec.evidence_due not in milestones:
            raise PackError(
                source,
                where,
                f"unknown milestone {spec.evidence_due!r}; this pack defines "
                f"{', '.join(milestones)}",
            )
        evidence_due = milestones[spec.evidence_due]
        if evidence_due.date > due.date:
            raise PackError(
                source,
                where,
                f"{evidence_due.key} ({evidence_due.date.isoformat()}) is after the rule's "
                f"deadline {due.key} ({due.date.isoformat()}); evidence can only be due earlier",
            )
    if spec.undated is not None:
        if due is None:
            raise PackError(
                source, f"{label} → undated", "only a rule with a deadline (`due`) can be undated"
            )
        if evidence_date is not None:
            raise PackError(
                source,
                f"{label} → undated",
                "a rule has an `evidence_date` or says why it is `undated`, not both",
            )
    texts = [spec.when or ""] + [c.condition.source for c in checks] + list(spec.derive.values())
    compiled_texts = [c.text for c in _all_conditions(when, derive, checks, waiver)]
    if evidence_date is not None:
        compiled_texts.append(evidence_date.text)
    chains = [chain for text in compiled_texts for chain in celexpr.field_chains(text)]
    reads = read_sources(chains, spec.scope)
    for path in spec.optional:
        if path not in reads:
            raise PackError(
                source,
                f"{label} → optional → {path}",
                f"the rule does not read {path!r}; it reads "
                f"{', '.join(reads) or 'no submission path'}",
            )
    evidence: list[str] = []
    for text in texts:
        for path in celexpr.referenced_paths(text, ("network", "submission", spec.scope)):
            if path not in evidence:
                evidence.append(path)
    examples: list[Example] = []
    for i, ex in enumerate(spec.examples):
        base = directory / "examples" / ex.base
        if not deps.is_file(base):
            raise PackError(
                source,
                f"{label} → examples[{i}] → base",
                f"example base {ex.base!r} not found in {display_path(directory / 'examples')}",
            )
        examples.append(
            Example(
                expect=ex.expect,
                name=ex.name or f"{spec.id} {ex.expect} #{i + 1}",
                base=base,
                set=dict(ex.set),
                delete=tuple(ex.delete),
                as_of=ex.as_of,
                entity=ex.entity,
                message_contains=ex.message_contains,
                register=tuple(
                    (r.ods_code, r.name, r.commissioner, r.list_size) for r in ex.register_rows
                ),
            )
        )
    return Rule(
        id=spec.id,
        title=with_params(spec.title, params, source, f"{label} → title"),
        description=(
            with_params(spec.description, params, source, f"{label} → description")
            if spec.description is not None
            else None
        ),
        scope=spec.scope,
        severity=spec.severity,
        due=due,
        when=when,
        derive=derive,
        checks=checks,
        met_message=met,
        waiver=waiver,
        remediation=tuple(
            with_params(step, params, source, f"{label} → remediation[{i}]")
            for i, step in enumerate(spec.remediation)
        ),
        # a finding carries it as it is: a FrozenDict pickles and deep-copies with the report
        source=FrozenDict({k: v for k, v in spec.source.model_dump().items() if v is not None}),
        evidence_paths=tuple(evidence),
        network_keys=celexpr.top_level_keys(
            [c.source for c in _all_conditions(when, derive, checks, waiver)]
        ),
        examples=tuple(examples),
        origin=f"{source} → {label}",
        spec=dict(raw),
        waivable=spec.waivable,
        evidence_date=evidence_date,
        evidence_due=evidence_due,
        undated=spec.undated,
        optional=MappingProxyType(dict(spec.optional)),
        reads=reads,
        when_reads=(
            read_sources(celexpr.field_chains(when.text), spec.scope) if when is not None else ()
        ),
    )


ENV_LOCK = threading.Lock()


@cache
def shared_environment() -> celexpr.Environment:
    return celexpr.Environment((*celexpr.BASE_VARIABLES, *SCOPES))
