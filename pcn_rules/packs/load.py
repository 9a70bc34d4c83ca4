"""Loading a rule pack: its files read (with the packs it extends), then the whole pack validated
and compiled before anything runs; and linting one.

A pack is a directory holding ``pack.yaml`` (identity, milestones, parameters) and rule files
(``*.yaml``, each ``version: 1`` and a list of ``rules``).  :func:`load_pack` validates the
format version first, then every key (unknown keys are errors that name the file and key path),
milestone references, rule IDs, CEL conditions (compiled once, here), the fact names conditions
read, and message templates.  A pack that loads is ready to evaluate.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from pcn_rules.errors import PackError
from pcn_rules.packs.compile import ENV_LOCK, compile_rule, shared_environment
from pcn_rules.packs.discover import resolve_pack_dir
from pcn_rules.packs.inherit import load_raw
from pcn_rules.packs.model import Rule, RulePack
from pcn_rules.vocab import Milestone


def load_pack(ref: str | Path) -> RulePack:
    """Load and fully validate a rule pack (a bundled ID such as ``"2019/20"`` or a directory).

    A pack that ``extends`` another is resolved first: the parent's rules, minus those it
    retires, with its overrides applied field by field, plus its own rules; then everything is
    validated and compiled against this pack's milestones and (merged) parameters.

    Raises :class:`~pcn_rules.errors.PackError` naming the file and key path of the first
    problem, or :class:`~pcn_rules.errors.UsageError` if there is no such pack.
    """
    directory = resolve_pack_dir(ref).resolve()
    raw = load_raw(directory, ())
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

    with ENV_LOCK:
        env = shared_environment()
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
                rule = compile_rule(
                    entry.data,
                    entry.label,
                    entry.source,
                    entry.directory,
                    milestones,
                    env,
                    extra_names,
                    params,
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
