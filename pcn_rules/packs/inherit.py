"""Reading a pack's files, and the packs it ``extends``: rules inherited, retired and overridden
field by field, before anything is compiled."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pcn_rules.errors import PackError, UsageError
from pcn_rules.packs import deps
from pcn_rules.packs.compile import check_version, display_path, entry_label, pack_problem
from pcn_rules.packs.discover import available_packs, resolve_pack_dir
from pcn_rules.packs.model import Retirement
from pcn_rules.packs.spec import PackSpec, RuleFileSpec, RuleSpec
from pcn_rules.packs.yamlsafe import load_yaml_file


@dataclass(frozen=True, slots=True)
class RawRule:
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
class RawPack:
    spec: PackSpec
    source: str
    directory: Path
    parameters: dict[str, Any]
    rules: dict[str, RawRule]
    retired: tuple[Retirement, ...]
    parent_id: str | None


_OVERRIDABLE = frozenset(RuleSpec.model_fields) - {"id"}


def _parent_dir(spec: PackSpec, directory: Path, source: str) -> Path:
    ref = spec.extends or ""
    if re.fullmatch(r"20[0-9]{2}[/-][0-9]{2}", ref):
        try:
            return deps.resolved(resolve_pack_dir(ref))
        except UsageError as exc:
            raise PackError(source, "extends", str(exc)) from None
    parent = deps.resolved(directory / ref)
    if not deps.is_file(parent / "pack.yaml"):
        raise PackError(
            source,
            "extends",
            f"{ref!r} is neither a bundled pack ({', '.join(available_packs()) or 'none'}) nor a "
            f"directory with a pack.yaml (looked in {display_path(parent)})",
        )
    return parent


def _retirements(spec: PackSpec) -> list[tuple[int, Retirement]]:
    out: list[tuple[int, Retirement]] = []
    for index, item in enumerate(spec.retire):
        if isinstance(item, str):
            out.append((index, Retirement(item, None, ())))
        else:
            retirement = Retirement(
                item.id, item.reason, tuple(item.replaced_by), item.withdrawn_in
            )
            out.append((index, retirement))
    return out


def load_raw(directory: Path, chain: tuple[Path, ...]) -> RawPack:
    """Read a pack and (recursively) the packs it extends, without compiling anything."""
    pack_file = directory / "pack.yaml"
    source = display_path(pack_file)
    data = load_yaml_file(pack_file, source)
    check_version(data, source)
    try:
        spec = PackSpec.model_validate(data)
    except ValidationError as exc:
        raise pack_problem(exc, source, "") from None
    if spec.effective.end < spec.effective.start:
        raise PackError(source, "effective", "`to` is before `from`")

    rules: dict[str, RawRule] = {}
    own = deps.is_dir(directory / "examples")
    parameters: dict[str, Any] = {}
    parent_id: str | None = None
    if spec.extends is not None:
        parent_dir = _parent_dir(spec, directory, source)
        here = (*chain, directory)
        if parent_dir in here:
            cycle = [display_path(d / "pack.yaml") for d in here[here.index(parent_dir) :]]
            raise PackError(
                source,
                "extends",
                "circular `extends`: "
                + " → ".join([*cycle, display_path(parent_dir / "pack.yaml")]),
            )
        parent = load_raw(parent_dir, here)
        parent_id = parent.spec.id
        parameters.update(parent.parameters)
        # an inherited rule's examples run on this pack's own examples/ (its base submission),
        # when it has them; else on the parent's
        rules = {
            rid: replace(
                r, overridden=(), inherited=True, directory=directory if own else r.directory
            )
            for rid, r in parent.rules.items()
        }
    parameters.update(spec.parameters)

    retired: list[Retirement] = []
    for index, retirement in _retirements(spec):
        where = f"retire[{index}] ({retirement.id})"
        if retirement.withdrawn_in is not None:
            # an ID this pack's own earlier release defined: kept so that it is explained
            if retirement.id in rules:
                raise PackError(
                    source,
                    where,
                    f"{retirement.id} is a rule of the parent pack {parent_id}; retire it "
                    "without `withdrawn_in`",
                )
            retired.append(retirement)
            continue
        if parent_id is None:
            raise PackError(source, where, "only a pack that `extends` another can retire rules")
        if retirement.id not in rules:
            raise PackError(
                source,
                where,
                f"no rule {retirement.id} in the parent pack {parent_id} to retire (an ID "
                "this pack's own earlier release withdrew names the release: `withdrawn_in`)",
            )
        del rules[retirement.id]
        retired.append(retirement)
    retired_ids = {r.id for r in retired}

    try:
        rule_files = deps.rule_files(directory)
    except OSError as exc:
        raise PackError(
            source, "", f"the pack directory cannot be listed ({exc.strerror or exc})"
        ) from None
    if not rule_files and parent_id is None:
        raise PackError(source, "", "the pack directory has no rule files (*.yaml)")
    for rule_file in rule_files:
        display = display_path(rule_file)
        raw = load_yaml_file(rule_file, display)
        check_version(raw, display)
        try:
            file_spec = RuleFileSpec.model_validate(raw)
        except ValidationError as exc:
            raise pack_problem(exc, display, "") from None
        for index, rule_data in enumerate(file_spec.rules):
            label = entry_label("rules", index, rule_data)
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
            rules[key] = RawRule(
                data=rule_data,
                source=display,
                label=label,
                directory=directory,
                defined_in=spec.id,
                origin=f"{display} → {label}",
            )
        for index, override in enumerate(file_spec.overrides):
            label = entry_label("overrides", index, override)
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
                directory=directory if "examples" in override or own else old.directory,
                overridden=(*old.overridden, *fields),
                inherited=False,
            )
    return RawPack(spec, source, directory, parameters, rules, tuple(retired), parent_id)
