"""Rule packs: one contract year's requirements, as data.

A pack is a directory holding ``pack.yaml`` (identity, milestones, parameters) and rule files
(``*.yaml``, each ``version: 1`` and a list of ``rules``).  :func:`load_pack` validates the whole
pack before anything runs: the format version first, then every key (unknown keys are errors that
name the file and key path), milestone references, rule IDs, CEL conditions (compiled once, here),
the fact names conditions read, and message templates.  A pack that loads is ready to evaluate.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pcn_rules import cel as celexpr
from pcn_rules.errors import InputError, PackError, UsageError
from pcn_rules.facts.catalogue import SCOPES
from pcn_rules.facts.lookup import fact_names, read_sources
from pcn_rules.packs.yamlsafe import load_yaml_file
from pcn_rules.vocab import RULE_ID, Confidence, Severity, Status, to_date, validation_problem

PACK_FORMAT_VERSION = 1


# --------------------------------------------------------------------------------------------
# The YAML shapes (validated with pydantic; unknown keys forbidden)
# --------------------------------------------------------------------------------------------


class _Spec(BaseModel):
    # defer_build: validators are built when a pack is first loaded from YAML, not at import (a
    # pack read from the cache never needs them)
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class MilestoneSpec(_Spec):
    date: dt.date
    title: str = Field(min_length=1)

    _date = field_validator("date", mode="before")(to_date)


class EffectiveSpec(_Spec):
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")

    _dates = field_validator("start", "end", mode="before")(to_date)


class RetireSpec(_Spec):
    id: str
    reason: str | None = None
    replaced_by: list[str] = Field(default_factory=list)


class PackSpec(_Spec):
    version: Literal[1]
    id: str = Field(pattern=r"^20[0-9]{2}/[0-9]{2}$")
    extends: str | None = Field(default=None, min_length=1)
    retire: list[str | RetireSpec] = Field(default_factory=list)
    title: str = Field(min_length=1)
    release: str = Field(min_length=1)
    contract_year: str = Field(pattern=r"^20[0-9]{2}/[0-9]{2}$")
    effective: EffectiveSpec
    description: str | None = None
    milestones: dict[str, MilestoneSpec] = Field(min_length=1)
    parameters: dict[str, int | float | str | bool | list[str] | dict[str, int | float]] = Field(
        default_factory=dict
    )


class SourceSpec(_Spec):
    document: str = Field(min_length=1)
    confidence: Confidence
    url: str | None = None
    note: str | None = None


class CheckSpec(_Spec):
    check: str = Field(min_length=1)
    message: str = Field(min_length=1)


class RegisterRowSpec(_Spec):
    ods_code: str
    name: str | None = None
    commissioner: str | None = None
    list_size: int | None = None


class ExampleSpec(_Spec):
    expect: Status
    name: str | None = None
    base: str = "base.json"
    set: dict[str, Any] = Field(default_factory=dict)
    delete: list[str] = Field(default_factory=list)
    as_of: dt.date | None = None
    entity: str | None = None
    message_contains: str | None = None
    #: practices of a register: the example is then run as an audit of the one network
    register_rows: list[RegisterRowSpec] = Field(default_factory=list, alias="register")

    _date = field_validator("as_of", mode="before")(to_date)


class RuleSpec(_Spec):
    id: str
    title: str = Field(min_length=1)
    description: str | None = None
    scope: str
    severity: Severity
    due: str | None
    when: str | None = None
    derive: dict[str, str] = Field(default_factory=dict)
    expect: str | list[CheckSpec]
    message: str | None = None
    met_message: str | None = None
    waiver: str | None = None
    waivable: bool = True
    #: the date the evidence carries (a date, or a list of dates of which the latest counts)
    evidence_date: str | None = Field(default=None, min_length=1)
    #: why a rule with a deadline has no evidence date
    undated: str | None = Field(default=None, min_length=1)
    #: submission paths the rule reads that may be absent without making it unmet, and why
    optional: dict[str, str] = Field(default_factory=dict)
    remediation: list[str] = Field(min_length=1)
    source: SourceSpec
    examples: list[ExampleSpec] = Field(default_factory=list)


class RuleFileSpec(_Spec):
    version: Literal[1]
    rules: list[Any] = Field(default_factory=list)
    overrides: list[Any] = Field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The loaded pack
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Milestone:
    key: str
    date: dt.date
    title: str


@dataclass(frozen=True, slots=True)
class Template:
    """A message template such as ``"List size is {network.list_size:,}."``."""

    text: str
    fields: tuple[tuple[str, str], ...]  # (path, format spec) in order of appearance
    #: (literal text, placeholder path or None, format spec), parsed once at load
    parts: tuple[tuple[str, str | None, str], ...] = ()

    def render(self, data: Mapping[str, Any]) -> str:
        """Fill the template from nested dicts; a path that is absent reads "(not evidenced)"."""
        out: list[str] = []
        for literal, name, spec in self.parts:
            out.append(literal)
            if name is None:
                continue
            value: Any = data
            for key in path_keys(name):
                if type(value) is not dict and not isinstance(value, Mapping):
                    value = _ABSENT
                    break
                value = value.get(key, _ABSENT)
                if value is _ABSENT:
                    break
            out.append("(not evidenced)" if value is _ABSENT else _format_value(value, spec))
        return "".join(out)


_ABSENT: Any = object()


@cache
def path_keys(path: str) -> tuple[str, ...]:
    """``"network.list_size"`` → ``("network", "list_size")`` (memoised: paths come from packs)."""
    return tuple(path.split("."))


def _format_value(value: Any, spec: str) -> str:
    kind = type(value)
    if kind is str and not spec:
        return value  # type: ignore[no-any-return]
    if kind is list and value and not spec and all(type(v) is str for v in value):
        return ", ".join(value)
    if isinstance(value, list):
        return ", ".join(_format_value(v, spec) for v in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and not spec and value.is_integer():
        value = int(value)
    try:
        return format(value, spec)
    except (ValueError, TypeError):
        return str(value)


@dataclass(frozen=True, slots=True)
class Check:
    condition: celexpr.Compiled
    message: Template


@dataclass(frozen=True, slots=True)
class Example:
    expect: Status
    name: str
    base: Path
    set: Mapping[str, Any]
    delete: tuple[str, ...]
    as_of: dt.date | None
    entity: str | None
    message_contains: str | None
    register: tuple[tuple[str, str | None, str | None, int | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule:
    """One requirement, ready to evaluate."""

    id: str
    title: str
    description: str | None
    scope: str
    severity: Severity
    due: Milestone | None
    when: celexpr.Compiled | None
    derive: tuple[tuple[str, celexpr.Compiled], ...]
    checks: tuple[Check, ...]
    met_message: Template
    waiver: celexpr.Compiled | None
    remediation: tuple[str, ...]
    source: Mapping[str, str]
    evidence_paths: tuple[str, ...]
    #: Top-level network facts the conditions select (None: the whole network may be read).
    network_keys: frozenset[str] | None
    examples: tuple[Example, ...]
    origin: str
    #: The rule's fields as written (after inheritance and overrides), for ``rules diff``.
    spec: Mapping[str, Any] = field(default_factory=dict, compare=False)
    #: The pack this rule was first defined in (this pack's ID for a rule it adds).
    defined_in: str | None = None
    #: Fields this pack overrides on an inherited rule.
    overridden: tuple[str, ...] = ()
    #: False for requirements the catalogue treats as absolute: no waiver can cover them.
    waivable: bool = True
    #: The date its evidence carries (a date, or dates of which the latest counts): met on or
    #: before the deadline is ``met``, after it ``met_late``.
    evidence_date: celexpr.Compiled | None = None
    #: Why a rule with a deadline has no evidence date (e.g. "a state, not an event").
    undated: str | None = None
    #: Submission paths the rule reads that may be absent while it is met, with the reason.
    optional: Mapping[str, str] = field(default_factory=dict)
    #: Submission JSON paths (``practices[].list_size``) of the facts its conditions read.
    reads: tuple[str, ...] = ()

    def conditions(self) -> list[tuple[str, str]]:
        """(label, CEL source) of every condition, for display."""
        out: list[tuple[str, str]] = []
        if self.when is not None:
            out.append(("when", self.when.source))
        out.extend((f"derive {name}", c.source) for name, c in self.derive)
        out.extend(("expect", c.condition.source) for c in self.checks)
        if self.evidence_date is not None:
            out.append(("evidence date", self.evidence_date.source))
        if self.waiver is not None:
            out.append(("waiver", self.waiver.source))
        return out


@dataclass(frozen=True, slots=True)
class Retirement:
    """A rule of the parent pack that this pack no longer has."""

    id: str
    reason: str | None
    replaced_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RulePack:
    """A loaded, validated rule pack.  Immutable; share it freely between threads."""

    id: str
    title: str
    release: str
    contract_year: str
    effective_from: dt.date
    effective_to: dt.date
    description: str | None
    milestones: tuple[Milestone, ...]
    parameters: Mapping[str, Any]
    rules: tuple[Rule, ...]
    directory: Path
    environment: celexpr.Environment = field(repr=False, compare=False)
    #: The pack this one ``extends`` (its ID), if any.
    extends: str | None = None
    #: Rules of the parent pack this pack retires.
    retired: tuple[Retirement, ...] = ()
    #: What the engine prepares once per pack (conditions bundled per scope); not part of
    #: the pack's value.
    prepared: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise UsageError(
            f"rule {rule_id!r} is not in pack {self.id}; `pcn-check rules list` shows its rules"
        )

    def milestone(self, key: str) -> Milestone:
        for milestone in self.milestones:
            if milestone.key == key:
                return milestone
        raise KeyError(key)

    def horizon(self, as_of: dt.date) -> Milestone | None:
        """The next milestone on or after ``as_of`` (None once every milestone has passed)."""
        for milestone in self.milestones:
            if milestone.date >= as_of:
                return milestone
        return None


# --------------------------------------------------------------------------------------------
# Finding packs
# --------------------------------------------------------------------------------------------


def packs_root() -> Path:
    """Where the bundled packs are: inside the installed wheel, or ``rules/`` in a checkout."""
    bundled = Path(str(resources.files("pcn_rules"))) / "_packs"
    if bundled.is_dir():
        return bundled
    return Path(__file__).resolve().parents[2] / "rules"


def available_packs() -> list[str]:
    """IDs of the bundled packs, oldest first (e.g. ``["2019/20", "2020/21"]``)."""
    root = packs_root()
    if not root.is_dir():
        return []
    return sorted(d.name.replace("-", "/") for d in root.iterdir() if (d / "pack.yaml").is_file())


def resolve_pack_dir(ref: str | Path) -> Path:
    """A pack ID (``2019/20`` or ``2019-20``) or a path to a pack directory or its pack.yaml."""
    text = str(ref)
    if re.fullmatch(r"20[0-9]{2}[/-][0-9]{2}", text):
        directory = packs_root() / text.replace("/", "-")
        if (directory / "pack.yaml").is_file():
            return directory
        raise UsageError(
            f"no bundled rule pack {text!r}; available: {', '.join(available_packs()) or 'none'}"
        )
    path = Path(ref)
    if path.is_file() and path.name == "pack.yaml":
        return path.parent
    if path.is_dir() and (path / "pack.yaml").is_file():
        return path
    raise UsageError(
        f"{text!r} is neither a bundled pack ({', '.join(available_packs()) or 'none'}) "
        "nor a directory containing pack.yaml"
    )


# --------------------------------------------------------------------------------------------
# Loading and validation
# --------------------------------------------------------------------------------------------

_TEMPLATE_ROOTS = ("submission", "network", "params", "derived", "as_of", "milestones", "due")


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _pydantic_problem(
    exc: ValidationError, source: str, prefix: str, describe: Any = None
) -> PackError:
    err = exc.errors(include_url=False)[0]
    where, message = validation_problem(err, noun="key")
    if describe is not None:
        where = describe(tuple(err["loc"]))
    elif prefix:
        where = f"{prefix} → {where}" if where else prefix
    if err["type"] == "extra_forbidden":
        message += " (check the spelling; see 'How to write a rule' in the README)"
    return PackError(source, where, message)


def _check_version(data: Any, source: str) -> None:
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


_FORMATTER = string.Formatter()


def _template(text: str, source: str, where: str, allowed_roots: set[str]) -> Template:
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
        if root in ("network", "submission") or root in SCOPES:
            for part in rest:
                if part not in known:
                    raise PackError(
                        source, where, f"placeholder {{{name}}}: unknown field {part!r}"
                    )
        fields.append((name, spec or ""))
    parts = tuple((literal, name, spec or "") for literal, name, spec, _ in parsed)
    return Template(text, tuple(fields), parts)


def _compile(
    env: celexpr.Environment,
    text: str,
    source: str,
    where: str,
    extra_names: frozenset[str],
    derived: Mapping[str, str] | None = None,
) -> celexpr.Compiled:
    """Compile a condition as written (for its errors), then with derived values inlined."""
    try:
        compiled = env.compile(text)
    except celexpr.CompileError as exc:
        raise PackError(source, where, f"CEL condition does not compile:\n{exc}") from None
    problems = celexpr.unknown_fields(text, fact_names(), extra_names)
    if problems:
        raise PackError(source, where, "; ".join(problems))
    inlined, unknown = celexpr.inline_derived(text, derived or {})
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


def _label(kind: str, index: int, raw: Any) -> str:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return f"{kind}[{index}] ({rid})" if isinstance(rid, str) else f"{kind}[{index}]"


def _rule(
    raw: dict[str, Any],
    label: str,
    source: str,
    directory: Path,
    milestones: dict[str, Milestone],
    env: celexpr.Environment,
    extra_names: frozenset[str],
) -> Rule:
    if not isinstance(raw, dict):
        raise PackError(source, label, "expected a mapping describing one rule")
    try:
        spec = RuleSpec.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_problem(exc, source, label) from None
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
    when = _compile(env, spec.when, source, f"{label} → when", names) if spec.when else None
    # each derived value may use the ones before it; conditions get them inlined
    definitions: dict[str, str] = {}
    derive_list: list[tuple[str, celexpr.Compiled]] = []
    for name, text in spec.derive.items():
        where = f"{label} → derive → {name}"
        derive_list.append((name, _compile(env, text, source, where, names, definitions)))
        definitions[name] = celexpr.inline_derived(text, definitions)[0]
    derive = tuple(derive_list)
    template_roots = set(_TEMPLATE_ROOTS) | {spec.scope}
    if isinstance(spec.expect, str):
        if spec.message is None:
            raise PackError(
                source, f"{label} → message", "required when `expect` is a single condition"
            )
        checks: tuple[Check, ...] = (
            Check(
                _compile(env, spec.expect, source, f"{label} → expect", names, definitions),
                _template(spec.message, source, f"{label} → message", template_roots),
            ),
        )
    else:
        if not spec.expect:
            raise PackError(source, f"{label} → expect", "needs at least one check")
        checks = tuple(
            Check(
                _compile(
                    env, c.check, source, f"{label} → expect[{i}] → check", names, definitions
                ),
                _template(c.message, source, f"{label} → expect[{i}] → message", template_roots),
            )
            for i, c in enumerate(spec.expect)
        )
    met_text = spec.met_message or spec.title
    met = _template(met_text, source, f"{label} → met_message", template_roots)
    if spec.waiver and not spec.waivable:
        raise PackError(
            source, f"{label} → waiver", "the rule is marked `waivable: false`; it cannot name one"
        )
    waiver = _compile(env, spec.waiver, source, f"{label} → waiver", names) if spec.waiver else None
    evidence_date = None
    if spec.evidence_date is not None:
        if due is None:
            raise PackError(
                source,
                f"{label} → evidence_date",
                "only a rule with a deadline (`due`) has an evidence date",
            )
        evidence_date = _compile(
            env, spec.evidence_date, source, f"{label} → evidence_date", names, definitions
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
        if not base.is_file():
            raise PackError(
                source,
                f"{label} → examples[{i}] → base",
                f"example base {ex.base!r} not found in {_display(directory / 'examples')}",
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
        title=spec.title,
        description=spec.description,
        scope=spec.scope,
        severity=spec.severity,
        due=due,
        when=when,
        derive=derive,
        checks=checks,
        met_message=met,
        waiver=waiver,
        remediation=tuple(spec.remediation),
        source=MappingProxyType(
            {k: v for k, v in spec.source.model_dump().items() if v is not None}
        ),
        evidence_paths=tuple(evidence),
        network_keys=celexpr.top_level_keys(
            [c.source for c in _all_conditions(when, derive, checks, waiver)]
        ),
        examples=tuple(examples),
        origin=f"{source} → {label}",
        spec=dict(raw),
        waivable=spec.waivable,
        evidence_date=evidence_date,
        undated=spec.undated,
        optional=MappingProxyType(dict(spec.optional)),
        reads=reads,
    )


_ENV_LOCK = threading.Lock()


@cache
def _environment() -> celexpr.Environment:
    return celexpr.Environment((*celexpr.BASE_VARIABLES, *SCOPES))


@dataclass(frozen=True, slots=True)
class _RawRule:
    """A rule's fields before compilation, with where they were written."""

    data: dict[str, Any]
    source: str  # the file that last wrote it (defined or overrode it)
    label: str  # e.g. "rules[2] (POP-MIN)" or "overrides[0] (POP-MIN)"
    directory: Path  # the pack whose examples/ holds the rule's example bases
    defined_in: str  # the pack ID that first defined the rule
    origin: str  # "file → rules[i] (ID)" where first defined
    overridden: tuple[str, ...] = ()  # fields overridden by the pack being loaded
    inherited: bool = False  # inherited from the parent and not overridden here


@dataclass(frozen=True, slots=True)
class _RawPack:
    spec: PackSpec
    source: str
    directory: Path
    parameters: dict[str, Any]
    rules: dict[str, _RawRule]
    retired: tuple[Retirement, ...]
    parent_id: str | None


_OVERRIDABLE = frozenset(RuleSpec.model_fields) - {"id"}


def _parent_dir(spec: PackSpec, directory: Path, source: str) -> Path:
    ref = spec.extends or ""
    if re.fullmatch(r"20[0-9]{2}[/-][0-9]{2}", ref):
        try:
            return resolve_pack_dir(ref).resolve()
        except UsageError as exc:
            raise PackError(source, "extends", str(exc)) from None
    parent = (directory / ref).resolve()
    if not (parent / "pack.yaml").is_file():
        raise PackError(
            source,
            "extends",
            f"{ref!r} is neither a bundled pack ({', '.join(available_packs()) or 'none'}) nor a "
            f"directory with a pack.yaml (looked in {_display(parent)})",
        )
    return parent


def _retirements(spec: PackSpec) -> list[tuple[int, Retirement]]:
    out: list[tuple[int, Retirement]] = []
    for index, item in enumerate(spec.retire):
        if isinstance(item, str):
            out.append((index, Retirement(item, None, ())))
        else:
            out.append((index, Retirement(item.id, item.reason, tuple(item.replaced_by))))
    return out


def _load_raw(directory: Path, chain: tuple[Path, ...]) -> _RawPack:
    """Read a pack and (recursively) the packs it extends, without compiling anything."""
    pack_file = directory / "pack.yaml"
    source = _display(pack_file)
    data = load_yaml_file(pack_file, source)
    _check_version(data, source)
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise _pydantic_problem(exc, source, "") from None
    if spec.effective.end < spec.effective.start:
        raise PackError(source, "effective", "`to` is before `from`")

    rules: dict[str, _RawRule] = {}
    parameters: dict[str, Any] = {}
    parent_id: str | None = None
    if spec.extends is not None:
        parent_dir = _parent_dir(spec, directory, source)
        here = (*chain, directory)
        if parent_dir in here:
            cycle = [_display(d / "pack.yaml") for d in here[here.index(parent_dir) :]]
            raise PackError(
                source,
                "extends",
                "circular `extends`: " + " → ".join([*cycle, _display(parent_dir / "pack.yaml")]),
            )
        parent = _load_raw(parent_dir, here)
        parent_id = parent.spec.id
        parameters.update(parent.parameters)
        rules = {rid: replace(r, overridden=(), inherited=True) for rid, r in parent.rules.items()}
    parameters.update(spec.parameters)

    retired: list[Retirement] = []
    for index, retirement in _retirements(spec):
        where = f"retire[{index}] ({retirement.id})"
        if parent_id is None:
            raise PackError(source, where, "only a pack that `extends` another can retire rules")
        if retirement.id not in rules:
            raise PackError(
                source,
                where,
                f"no rule {retirement.id} in the parent pack {parent_id} to retire",
            )
        del rules[retirement.id]
        retired.append(retirement)
    retired_ids = {r.id for r in retired}

    rule_files = sorted(p for p in directory.glob("*.yaml") if p.name != "pack.yaml")
    if not rule_files and parent_id is None:
        raise PackError(source, "", "the pack directory has no rule files (*.yaml)")
    for rule_file in rule_files:
        display = _display(rule_file)
        raw = load_yaml_file(rule_file, display)
        _check_version(raw, display)
        try:
            file_spec = RuleFileSpec.model_validate(raw)
        except ValidationError as exc:
            raise _pydantic_problem(exc, display, "") from None
        for index, rule_data in enumerate(file_spec.rules):
            label = _label("rules", index, rule_data)
            if not isinstance(rule_data, dict):
                raise PackError(display, label, "expected a mapping describing one rule")
            rid = rule_data.get("id")
            if isinstance(rid, str) and rid in rules:
                existing = rules[rid]
                if existing.inherited or existing.defined_in != spec.id:
                    message = (
                        f"{rid} is inherited from pack {existing.defined_in} "
                        f"({existing.origin}); change it under `overrides:` instead"
                    )
                else:
                    message = f"duplicate rule ID; already defined at {existing.origin}"
                raise PackError(display, f"{label} → id", message)
            if isinstance(rid, str) and rid in retired_ids:
                raise PackError(
                    display, f"{label} → id", f"{rid} is retired by {source}; use a new ID"
                )
            key = rid if isinstance(rid, str) else f"{display}#{index}"
            rules[key] = _RawRule(
                data=rule_data,
                source=display,
                label=label,
                directory=directory,
                defined_in=spec.id,
                origin=f"{display} → {label}",
            )
        for index, override in enumerate(file_spec.overrides):
            label = _label("overrides", index, override)
            if not isinstance(override, dict) or not isinstance(override.get("id"), str):
                raise PackError(
                    display, label, "expected a mapping with the `id` of the rule to change"
                )
            rid = override["id"]
            if parent_id is None:
                raise PackError(
                    display, label, "only a pack that `extends` another can override rules"
                )
            if rid not in rules or (not rules[rid].inherited and not rules[rid].overridden):
                if rid in retired_ids:
                    hint = f"it is retired in {source}"
                elif rid in rules:
                    hint = "it is defined in this pack; change it there"
                else:
                    hint = f"the parent pack {parent_id} has no such rule"
                raise PackError(display, label, f"cannot override {rid}: {hint}")
            unknown = sorted(set(override) - _OVERRIDABLE - {"id"})
            if unknown:
                raise PackError(
                    display,
                    f"{label} → {unknown[0]}",
                    "unknown key (an override replaces rule fields: "
                    f"{', '.join(sorted(_OVERRIDABLE))})",
                )
            old = rules[rid]
            fields = tuple(k for k in override if k != "id")
            if old.overridden:
                repeated = sorted(set(fields) & set(old.overridden))
                if repeated:
                    raise PackError(
                        display,
                        f"{label} → {repeated[0]}",
                        f"{rid}.{repeated[0]} is already overridden at {old.source} → {old.label}",
                    )
            merged = {**old.data, **{k: v for k, v in override.items() if k != "id"}}
            rules[rid] = replace(
                old,
                data=merged,
                source=display,
                label=label,
                directory=directory if "examples" in override else old.directory,
                overridden=(*old.overridden, *fields),
                inherited=False,
            )
    return _RawPack(spec, source, directory, parameters, rules, tuple(retired), parent_id)


def load_pack(ref: str | Path) -> RulePack:
    """Load and fully validate a rule pack (a bundled ID such as ``"2019/20"`` or a directory).

    A pack that ``extends`` another is resolved first: the parent's rules, minus those it
    retires, with its overrides applied field by field, plus its own rules; then everything is
    validated and compiled against this pack's milestones and (merged) parameters.

    Raises :class:`~pcn_rules.errors.PackError` naming the file and key path of the first
    problem, or :class:`~pcn_rules.errors.UsageError` if there is no such pack.
    """
    directory = resolve_pack_dir(ref).resolve()
    raw = _load_raw(directory, ())
    spec, source = raw.spec, raw.source
    milestones = {
        key: Milestone(key, m.date, m.title)
        for key, m in sorted(spec.milestones.items(), key=lambda kv: (kv[1].date, kv[0]))
    }
    for key in milestones:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise PackError(source, f"milestones → {key}", "milestone keys are snake_case")
    params = dict(raw.parameters)
    extra_names = frozenset(params) | frozenset(milestones)

    with _ENV_LOCK:
        env = _environment()
        rules: list[Rule] = []
        for rid, entry in raw.rules.items():
            due = entry.data.get("due")
            if entry.inherited and isinstance(due, str) and due not in milestones:
                raise PackError(
                    source,
                    f"extends → {rid} → due",
                    f"{rid}, inherited from pack {entry.defined_in} ({entry.origin}), is due at "
                    f"milestone {due!r}, which this pack does not define (it defines "
                    f"{', '.join(milestones)}); override its `due` or retire it",
                )
            try:
                rule = _rule(
                    entry.data,
                    entry.label,
                    entry.source,
                    entry.directory,
                    milestones,
                    env,
                    extra_names,
                )
            except PackError as exc:
                if not entry.inherited:
                    raise
                raise PackError(
                    source,
                    f"extends → {rid}",
                    f"{rid}, inherited from pack {entry.defined_in}, does not fit this pack "
                    f"({exc}); override the field or retire the rule",
                ) from None
            if entry.overridden:
                origin = f"{entry.origin}; overridden at {entry.source} → {entry.label}"
            else:
                origin = entry.origin
            rules.append(
                replace(
                    rule,
                    origin=origin,
                    defined_in=entry.defined_in,
                    overridden=entry.overridden,
                )
            )

    return RulePack(
        id=spec.id,
        title=spec.title,
        release=spec.release,
        contract_year=spec.contract_year,
        effective_from=spec.effective.start,
        effective_to=spec.effective.end,
        description=spec.description,
        milestones=tuple(milestones.values()),
        parameters=params,
        rules=tuple(rules),
        directory=directory,
        environment=env,
        extends=raw.parent_id,
        retired=raw.retired,
    )


def lint_pack(pack: RulePack) -> list[str]:
    """Problems that do not stop a pack loading but make its verdicts weaker, one per line:
    a rule with a deadline that neither names the date its evidence carries (``evidence_date``)
    nor says why it has none (``undated``)."""
    problems: list[str] = []
    for rule in pack.rules:
        if rule.due is not None and rule.evidence_date is None and rule.undated is None:
            problems.append(
                f"{rule.origin}: {rule.id} is due at {rule.due.key} but has neither "
                "`evidence_date` (the date its evidence carries, judged against the deadline) "
                "nor `undated` (why it has none)"
            )
    return problems


def select_pack_id(contract_year: str | None, on: dt.date | None) -> str:
    """The bundled pack for a submission: by contract year, else by date against effective dates."""
    ids = available_packs()
    if contract_year is not None:
        if contract_year in ids:
            return contract_year
        raise UsageError(
            f"no bundled rule pack for contract year {contract_year}; available: "
            f"{', '.join(ids) or 'none'} (choose one with --pack)"
        )
    if on is not None:
        for pack_id in ids:
            pack = load_pack_cached(pack_id)
            if pack.effective_from <= on <= pack.effective_to:
                return pack_id
        spans = ", ".join(
            f"{p} ({load_pack_cached(p).effective_from} to {load_pack_cached(p).effective_to})"
            for p in ids
        )
        raise InputError(
            "submission",
            [
                (
                    "submission.submitted_on",
                    f"no bundled rule pack is in force on {on}; available: {spans} "
                    "(give contract_year, or choose a pack with --pack)",
                )
            ],
        )
    raise UsageError(
        "the submission gives neither contract_year nor submission.submitted_on; "
        f"choose a pack with --pack ({', '.join(ids)})"
    )


_CACHE: dict[str, RulePack] = {}
_CACHE_LOCK = threading.Lock()


def load_pack_cached(ref: str | Path) -> RulePack:
    """:func:`load_pack`, remembered for the bundled packs (which cannot change once installed).

    A pack directory outside the bundled ones is loaded afresh each time, so edits are seen.
    Between processes, a pack is kept in the user's cache directory while its files and this
    pcn-rules are unchanged (see :mod:`pcn_rules.packcache`).
    """
    from pcn_rules.packs import cache as packcache

    directory = resolve_pack_dir(ref).resolve()
    if directory.parent != packs_root().resolve():
        return packcache.load(directory)
    key = str(directory)
    with _CACHE_LOCK:
        pack = _CACHE.get(key)
    if pack is None:
        pack = packcache.load(directory)
        with _CACHE_LOCK:
            _CACHE.setdefault(key, pack)
    return pack
