"""Audits: many networks (and a register of practices) checked together as of a date.

:func:`audit` checks each network with the pack (its batch rules excluded), then evaluates the
batch rules (CORE-ONE-NETWORK across networks, COV-FULL against the register) once across all of
them, and summarises: per milestone, which networks are not ready; an action plan ordered by
due date then severity; and figures a commissioner asks for (list-size bands, single-practice
networks, memberships crossing CCG boundaries, practices in no network) with
:mod:`pcn_rules.audits.summary`.  Pure data (:mod:`pcn_rules.audits.model`); the CLI renders it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pcn_rules.api import as_date, severity_threshold
from pcn_rules.audits.inputs import (
    contract_year,
    distinct_labels,
    list_names,
    not_a_submission,
    nothing_read,
    require_present,
    years_named,
)
from pcn_rules.audits.model import AuditReport, Lead, MilestoneReadiness
from pcn_rules.audits.payments import reconcile, with_participation
from pcn_rules.audits.schema import audit_json_schema
from pcn_rules.audits.scope import commissioner_codes, scoped, sized_register, uncovered
from pcn_rules.audits.summary import action_plan, area_stats, batch_kind, data_gaps, headline
from pcn_rules.engine import Decide, evaluate, evaluate_batch
from pcn_rules.errors import InputError, UsageError
from pcn_rules.facts.batch import batch_practices, network_label
from pcn_rules.facts.build import build_facts
from pcn_rules.facts.catalogue import BATCH_SCOPES
from pcn_rules.facts.model import SubmissionFacts
from pcn_rules.ingest.ods import IMPORTED_BY
from pcn_rules.ingest.payments import Payments, load_payments
from pcn_rules.ingest.register import Register, load_register
from pcn_rules.ingest.waivers import WaiverSet, load_waivers
from pcn_rules.packs.discover import load_pack_cached, select_pack_id
from pcn_rules.packs.model import RulePack
from pcn_rules.report.collector import collector_paused
from pcn_rules.report.model import Finding, Report
from pcn_rules.submission.model import Submission
from pcn_rules.submission.read import coerce_submission, expand_paths
from pcn_rules.vocab import Severity

# AuditReport and audit_json_schema are imported from here by the command and the renderers
__all__ = [
    "AuditReport",
    "audit",
    "audit_json_schema",
    "check_selectors",
    "commissioner_codes",
    "sized_register",
]


def _matches(rule_id: str, patterns: Sequence[str]) -> bool:
    return any(rule_id == p or rule_id.startswith(p.rstrip("-") + "-") for p in patterns)


def check_selectors(patterns: Sequence[str], pack: RulePack, option: str) -> None:
    """Fail closed: a rule ID or prefix that matches no rule of the pack is a usage error (a
    typo must never select nothing and report an empty "all clear")."""
    ids = [rule.id for rule in pack.rules]
    for pattern in patterns:
        if any(_matches(rule_id, [pattern]) for rule_id in ids):
            continue
        gone = next((r for r in pack.retired if r.id == pattern), None)
        if gone is not None:
            raise UsageError(f"{option} {pattern}: {gone.describe(pack.id)}")
        prefixes = sorted({rule_id.split("-")[0] for rule_id in ids})
        close = difflib.get_close_matches(pattern, [*ids, *prefixes], n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise UsageError(
            f"{option} {pattern}: no rule of pack {pack.id} has that ID or prefix{hint} "
            "(`pcn-check rules list` shows them)"
        )


def _keep(select: Sequence[str], ignore: Sequence[str]) -> Callable[[Finding], bool]:
    def keep(finding: Finding) -> bool:
        if select and not _matches(finding.rule_id, select):
            return False
        return not (ignore and _matches(finding.rule_id, ignore))

    return keep


@collector_paused
def audit(
    submissions: Iterable[Submission | Mapping[str, Any] | str | Path],
    *,
    as_of: dt.date | str | None,
    pack: RulePack | str | Path | None = None,
    register: Register | str | Path | None = None,
    waivers: WaiverSet | str | Path | None = None,
    ignore_waivers: bool = False,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    on_progress: Callable[[int], None] | None = None,
    late_blocks: bool = False,
    fail_on: Severity = "error",
    allow_other_year: bool = False,
    decide: Decide = "bundled",
    payments: Sequence[Payments | str | Path] | Payments | str | Path | None = None,
    commissioners: Sequence[str] = (),
    list_sizes: Mapping[str, int] | str | Path | None = None,
) -> AuditReport:
    """Audit many networks together as of a date: submissions (models, dicts or paths; a
    directory stands for every ``*.json`` under it).  Unreadable submissions are listed, not
    fatal.

    ``select`` and ``ignore`` are rule IDs or prefixes (``POP``, ``REG-LIST-SIZE``); one that
    matches no rule of the pack is a :class:`~pcn_rules.errors.UsageError`.  ``late_blocks``
    makes a requirement met after its deadline block like one not met; ``fail_on`` is the
    lowest severity whose unmet requirements block (``"error"``: errors only);
    ``allow_other_year`` lets ``pack`` be another contract year's than the submissions'.

    ``payments`` (NHS Digital's "NHS Payments to General Practice" CSV, 2019/20 onwards, or
    several) adds :attr:`AuditReport.payments`: the participation entitlement the pack computes
    for each network against the "PCN Participation" its practices were paid, the difference
    explained (:mod:`pcn_rules.audits.payments`).

    ``commissioners`` (lead CCG ODS codes, any case) scope the audit to the networks those
    commissioners lead and, for coverage, to the register practices they commission; a code
    that no network and no register practice has is a :class:`~pcn_rules.errors.UsageError`.
    ``list_sizes`` (practice code → patients, or a list-size file as ``import-ods`` reads)
    gives the size of register practices the register does not size.

    ``on_progress`` is called with 1 as each submission is read and again as each is checked
    (twice the number of submissions in all)."""
    fail_on = severity_threshold(fail_on)
    when = as_date(as_of, "as_of")
    if when is None:
        raise UsageError("an audit needs an as-of date (as_of=, or --as-of YYYY-MM-DD)")
    scope = commissioner_codes(commissioners)
    reg = load_register(register) if isinstance(register, str | Path) else register
    paid: list[Payments] | None = None
    if payments is not None:
        given = [payments] if isinstance(payments, str | Path | Payments) else list(payments)
        paid = with_participation(
            [p if isinstance(p, Payments) else load_payments(p) for p in given]
        )
    if list_sizes is not None:
        if reg is None:
            raise UsageError(
                "--list-sizes sizes the practices of the register: give --register too"
            )
        reg = sized_register(reg, list_sizes)
    waiver_set = load_waivers(waivers) if isinstance(waivers, str | Path) else waivers
    models: list[tuple[str, Submission]] = []
    unreadable: list[tuple[str, str]] = []
    items: list[Submission | Mapping[str, Any] | str | Path] = []
    files: set[Path] = set()
    for item in submissions:
        for each in expand_paths([item]) if isinstance(item, str | Path) else [item]:
            if isinstance(each, str | Path):
                # a file given twice (by itself and in its directory, or as ./name) once
                same = Path(each).resolve()
                if same in files:
                    continue
                files.add(same)
            items.append(each)
    # before anything is read: an audit without networks it names is never an "all clear"
    require_present(items)
    skipped: list[tuple[str, str]] = []
    failures: list[InputError] = []
    for item in items:
        name = str(item) if isinstance(item, str | Path) else "<submission>"
        try:
            models.append((name, coerce_submission(item)))
        except InputError as exc:
            # a report written among the submissions is not one: skipped, and said so
            why = not_a_submission(Path(item)) if isinstance(item, str | Path) else None
            if why is not None:
                skipped.append((name, why))
            else:
                unreadable.append((exc.source, str(exc)))
                failures.append(exc)
        if on_progress is not None:
            on_progress(1)
    if not models:
        raise nothing_read(failures, skipped)  # an audit of nothing is never an "all clear"
    others: list[Submission] = []
    if scope:
        models, others = scoped(models, reg, scope)
        if reg is not None:
            reg = dataclasses.replace(
                reg,
                practices=tuple(
                    p for p in reg.practices if (p.commissioner or "").upper() in scope
                ),
            )
    if pack is not None:
        chosen = pack if isinstance(pack, RulePack) else load_pack_cached(pack)
        other = [(name, m.contract_year) for name, m in models if m.contract_year is not None]
        other = [(name, year) for name, year in other if year != chosen.contract_year]
        if other and not allow_other_year:
            raise UsageError(
                f"pack {chosen.id} is for contract year {chosen.contract_year}, but the "
                "submissions are for "
                + years_named(other)
                + "; leave the pack out to use theirs, or allow another year's pack "
                "(allow_other_year=True, --allow-other-year)"
            )
    else:
        # one without a contract year takes the as-of date's, as check gives it
        year = contract_year(models, when)
        try:
            chosen = load_pack_cached(select_pack_id(year, when))
        except (InputError, UsageError) as exc:
            if year is None:
                raise
            # a contract year no pack has: the submissions' problem, naming them
            names = list_names([name for name, _ in models])
            detail = exc.problems[0][1] if isinstance(exc, InputError) else str(exc)
            raise InputError(names, [("contract_year", detail)]) from None
    if waiver_set is not None:
        waiver_set.check_against(
            {rule.id: rule.waivable for rule in chosen.rules},
            {r.id: r.describe(chosen.id) for r in chosen.retired},
        )
    check_selectors(select, chosen, "--select")
    check_selectors(ignore, chosen, "--ignore")

    keep = _keep(select, ignore)
    facts: list[SubmissionFacts] = []
    reports: list[Report] = []
    labels: list[str] = []
    leads: list[Lead | None] = []
    for name, model in models:
        # the batch rules run once below, across every network: skip each one's batch of one
        sub_facts = build_facts(model, as_of=when, batch=False)
        report = evaluate(
            sub_facts,
            chosen,
            when,
            name,
            waivers=waiver_set,
            ignore_waivers=ignore_waivers,
            skip_scopes=BATCH_SCOPES,
            late_blocks=late_blocks,
            fail_on=fail_on,
            decide=decide,
        )
        if select or ignore:
            kept = tuple(f for f in report.findings if keep(f))
            report = dataclasses.replace(report, findings=kept)
        facts.append(sub_facts)
        reports.append(report)
        labels.append(network_label(sub_facts.network))
        lead = model.network.lead_commissioner
        leads.append(Lead(lead.ods_code, lead.name) if lead else None)
        if on_progress is not None:
            on_progress(1)
    # two submissions for the same network (drafts, copies in two folders) are told apart by
    # the end of their paths; the batch rules know each by its name (and code) alone
    named = labels
    labels = distinct_labels(labels, [name for name, _ in models])
    copies: dict[str, list[int]] = {}
    for index, label in enumerate(named):
        copies.setdefault(label, []).append(index)
    practices = batch_practices(facts, reg)
    if others:
        # a practice of the area may be a member of a network another commissioner leads:
        # coverage counts every network read, though only the area's are reported
        outside = [build_facts(model, as_of=when, batch=False) for model in others]
        wanted = {p.id for p in practices}
        practices = tuple(p for p in batch_practices(facts + outside, reg) if p.id in wanted)
    batch = evaluate_batch(
        practices,
        chosen,
        when,
        waivers=waiver_set,
        ignore_waivers=ignore_waivers,
        late_blocks=late_blocks,
        fail_on=fail_on,
        decide=decide,
    )
    batch = tuple(f for f in batch if keep(f))
    by_code = {p.id: p.facts for p in practices}

    labelled = [(label, f) for label, r in zip(labels, reports, strict=True) for f in r.findings]
    # each network's verdict counts the findings across networks that concern it
    concerning: list[list[Finding]] = [[] for _ in reports]
    kinds: Counter[tuple[str, str]] = Counter()
    for finding in batch:
        practice = by_code.get(finding.entity or "", {})
        if finding.blocking:
            kinds[batch_kind(finding, practice)] += 1
        # the networks of the area it concerns (not those of other commissioners), or what
        # it concerns across networks: the practice in no network, by code, or the area
        indexes = [i for n in practice.get("networks") or () for i in copies.get(str(n), ())]
        for index in indexes:
            concerning[index].append(finding)
        found = [labels[i] for i in indexes]
        ccg = practice.get("commissioner", "no commissioner given")
        if not finding.entity:
            area = f"area-wide ({ccg})"
        elif practice.get("networks"):
            area = f"{finding.entity} in other commissioners' networks ({ccg})"
        else:
            area = f"{finding.entity} in no network ({ccg})"
        for network in found or [area]:
            labelled.append((network, finding))
    actions, not_ready = action_plan(labelled)
    imported = {
        label
        for label, (_, model) in zip(labels, models, strict=True)
        if model.submission.submitted_by == IMPORTED_BY
    }
    gaps, not_evidenced = data_gaps(labelled, imported)
    known = set(labels)  # area-wide findings (a practice in no network) are actions, not networks
    not_ready = {key: names & known for key, names in not_ready.items()}
    unproven_at = Counter(
        f.due.key for _, f in labelled if f.status == "not_evidenced" and f.due is not None
    )
    milestones = tuple(
        MilestoneReadiness(
            key=m.key,
            date=m.date,
            title=m.title,
            days_left=(m.date - when).days,
            networks_not_ready=tuple(sorted(not_ready.get(m.key, set()))),
            actions=sum(1 for a in actions if a.due_milestone == m.key),
            findings=sum(a.findings for a in actions if a.due_milestone == m.key),
            networks_not_evidenced=tuple(
                sorted((not_evidenced.get(m.key, set()) & known) - not_ready.get(m.key, set()))
            ),
            not_evidenced=unproven_at[m.key],
        )
        for m in chosen.milestones
    )
    stats = area_stats(facts, batch, by_code, reg, chosen, labelled, labels)
    audited = AuditReport(
        as_of=when,
        pack_id=chosen.id,
        pack_release=chosen.release,
        register_source=reg.source if reg else None,
        register_practices=len(reg.practices) if reg else 0,
        reports=tuple(reports),
        labels=tuple(labels),
        batch_findings=batch,
        unreadable=tuple(unreadable),
        skipped=tuple(skipped),
        milestones=milestones,
        actions=actions,
        stats=stats,
        headline="",
        gaps=gaps,
        payments=reconcile(labels, reports, facts, chosen, paid) if paid is not None else None,
        leads=tuple(leads),
        commissioners=tuple(sorted(scope)),
        uncovered=uncovered(batch, by_code),
        batch_by_network=tuple(map(tuple, concerning)),
    )
    return dataclasses.replace(audited, headline=headline(audited, chosen, kinds))
