"""An audit's summaries: the area in figures, the action plan, the data gaps, each rule's
counts by status, and the five-second headline with what fails at later milestones."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pcn_rules.audits.model import Action, AuditReport, DataGap
from pcn_rules.audits.shapes import StatsJSON
from pcn_rules.facts.catalogue import SCOPES
from pcn_rules.facts.model import LIST_SCOPES, SubmissionFacts
from pcn_rules.ingest.ods import FROM_LIST_SIZES
from pcn_rules.ingest.register import Register
from pcn_rules.packs.model import RulePack
from pcn_rules.report.model import Finding
from pcn_rules.vocab import SEVERITY_RANK, days_phrase, human_date, plural


def area_stats(
    facts: list[SubmissionFacts],
    batch: tuple[Finding, ...],
    practices: Mapping[str, Mapping[str, Any]],
    register: Register | None,
    pack: RulePack,
    labelled: list[tuple[str, Finding]],
    labels: Sequence[str],
) -> StatsJSON:
    """The area in figures; ``labelled`` is every finding with the network it concerns, and
    ``labels`` the networks audited."""
    low = int(pack.parameters.get("population_min", 30000))
    high = int(pack.parameters.get("population_typical_max", 50000))
    complete = [f.network for f in facts if "list_size" in f.network]
    gaps = [f.network for f in facts if "list_size" not in f.network]
    uncovered = [f for f in batch if f.rule_id == "COV-FULL" and f.status == "not_met" and f.entity]
    sizes_known = [practices.get(f.entity or "", {}).get("list_size") for f in uncovered]
    late = [(label, f) for label, f in labelled if f.status == "met_late"]
    return {
        "networks": len(facts),
        "networks_with_complete_list_sizes": len(complete),
        "networks_with_list_size_gaps": len(gaps),
        "below_min_complete": sum(1 for n in complete if n["list_size"] < low),
        "above_typical_max_complete": sum(1 for n in complete if n["list_size"] > high),
        "below_min_with_gaps": sum(1 for n in gaps if n["list_size_partial"] < low),
        "above_typical_max_with_gaps": sum(1 for n in gaps if n["list_size_partial"] > high),
        "population_min": low,
        "population_typical_max": high,
        "single_practice_networks": sum(
            1 for f in facts if f.network["distinct_practice_count"] == 1
        ),
        "memberships": sum(f.network["practice_count"] for f in facts),
        "memberships_crossing_ccg": sum(len(f.network["cross_ccg_practices"]) for f in facts),
        "register_practices": len(register.practices) if register else None,
        "register_practices_in_no_network": len(uncovered) if register else None,
        "patients_in_uncovered_practices": (
            sum(s for s in sizes_known if isinstance(s, int)) if register else None
        ),
        "practices_in_two_networks": sum(
            1 for f in batch if f.rule_id == "CORE-ONE-NETWORK" and f.status == "not_met"
        ),
        "list_sizes": sorted(_network_size(f.network) for f in facts),
        "by_rule": by_rule([f for _, f in labelled]),
        "met_late": {
            "findings": len({id(f) for _, f in late}),
            "networks": len({label for label, _ in late} & set(labels)),
            "rules": sorted({f.rule_id for _, f in late}),
        },
    }


def _network_size(network: Mapping[str, Any]) -> int:
    """The network's list size, or the sum of the sizes given when some are missing."""
    return int(network["list_size"] if "list_size" in network else network["list_size_partial"])


_INDEX = re.compile(r"\[\d+\]")


def action_plan(
    labelled: list[tuple[str, Finding]],
) -> tuple[tuple[Action, ...], dict[str, set[str]]]:
    """Actions: one per requirement the evidence shows unmet (or that could not be evaluated),
    and the networks not ready at each milestone on the evidence."""
    grouped: dict[str, list[tuple[str, Finding]]] = {}
    for label, finding in labelled:
        if finding.failed and finding.status != "not_evidenced":
            grouped.setdefault(finding.rule_id, []).append((label, finding))
    actions: list[Action] = []
    not_ready: dict[str, set[str]] = {}
    for rule_id, items in grouped.items():
        first = items[0][1]
        networks = tuple(sorted({label for label, _ in items}))
        actions.append(
            Action(
                rule_id=rule_id,
                title=first.title,
                severity=first.severity,
                due_milestone=first.due.key if first.due else None,
                due_date=first.due.date if first.due else None,
                days_left=first.days_left,
                remediation=first.remediation,
                networks=networks,
                findings=len({id(f) for _, f in items}),
            )
        )
        if first.due is not None and first.severity == "error":
            not_ready.setdefault(first.due.key, set()).update(networks)
    actions.sort(
        key=lambda a: (a.due_date or dt.date.max, SEVERITY_RANK[a.severity], -a.findings, a.rule_id)
    )
    return tuple(actions), not_ready


def _unit(path: str) -> str:
    name = path.split("[]", 1)[0] if "[]" in path else ""
    scope = LIST_SCOPES.get(name)
    return SCOPES[scope] if scope else "networks"


def _why_missing(path: str, imported: bool) -> str | None:
    """Why a fact is missing, when every submission lacking it came from ``import-ods``."""
    if not imported:
        return None
    if path in FROM_LIST_SIZES:
        return "the list-size file given to import-ods has no figure for them"
    return "ODS does not hold it"


def data_gaps(
    labelled: list[tuple[str, Finding]], imported: set[str]
) -> tuple[tuple[DataGap, ...], dict[str, set[str]]]:
    """Data gaps: the not-evidenced findings grouped by the fact they lack (not one action
    per network), and the networks with an error-severity requirement not evidenced at each
    milestone."""
    places: dict[str, set[tuple[str, str]]] = {}
    items: dict[str, list[tuple[str, Finding]]] = {}
    not_evidenced: dict[str, set[str]] = {}
    for label, finding in labelled:
        if finding.status != "not_evidenced":
            continue
        if finding.due is not None and finding.severity == "error":
            not_evidenced.setdefault(finding.due.key, set()).add(label)
        for path in finding.missing or ("(unknown)",):
            pattern = _INDEX.sub("[]", path)
            places.setdefault(pattern, set()).add((label, path))
            items.setdefault(pattern, []).append((label, finding))
    gaps: list[DataGap] = []
    for pattern, found in items.items():
        networks = tuple(sorted({label for label, _ in found}))
        findings = {id(f): f for _, f in found}.values()
        first = min(
            findings,
            key=lambda f: (f.due.date if f.due else dt.date.max, SEVERITY_RANK[f.severity]),
        )
        gaps.append(
            DataGap(
                path=pattern,
                places=len(places[pattern]),
                unit=_unit(pattern),
                networks=networks,
                rules=tuple(sorted({f.rule_id for f in findings})),
                severity=min((f.severity for f in findings), key=SEVERITY_RANK.__getitem__),
                due_milestone=first.due.key if first.due else None,
                due_date=first.due.date if first.due else None,
                days_left=first.days_left,
                findings=len(findings),
                note=_why_missing(pattern, set(networks) <= imported),
            )
        )
    gaps.sort(
        key=lambda g: (g.due_date or dt.date.max, SEVERITY_RANK[g.severity], -g.places, g.path)
    )
    return tuple(gaps), not_evidenced


def by_rule(findings: list[Finding]) -> dict[str, dict[str, int]]:
    """How many findings of each status each rule gave (once per finding: a finding about a
    practice in two networks counts once)."""
    out: dict[str, dict[str, int]] = {}
    seen: set[int] = set()
    for finding in findings:
        if id(finding) in seen:
            continue
        seen.add(id(finding))
        counts = out.setdefault(finding.rule_id, {})
        counts[finding.status] = counts.get(finding.status, 0) + 1
    return {rule_id: dict(sorted(counts.items())) for rule_id, counts in sorted(out.items())}


def batch_kind(finding: Finding, practice: Mapping[str, Any]) -> tuple[str, str]:
    """What a finding across networks is about, as a noun and what follows it when counted:
    ("practice", " in more than one network"), ("practice", " in no network")...  PRACTICE is
    the facts of the practice it concerns (``{}`` for none)."""
    if finding.entity and finding.status == "not_met" and practice:
        if practice.get("network_count", 0) >= 2:
            return "practice", " in more than one network"
        if practice.get("membership_count", 0) >= 2:
            return "practice", " listed more than once by one network"
        if not practice.get("network_count") and not practice.get("covered_by"):
            return "practice", " in no network"
    return "finding", " across networks"


def headline(report: AuditReport, pack: RulePack, kinds: Mapping[tuple[str, str], int]) -> str:
    """The five-second line: for the next milestone, how many networks are not ready on the
    evidence (their own findings and those across networks that concern them) and how many
    more lack evidence, the submissions that could not be read, what the blocking findings
    across networks are about (KINDS: how many of each :func:`batch_kind`), the actions and
    data gaps, the days left, and what fails after it."""
    networks = len(report.reports)
    horizon = pack.horizon(report.as_of)
    unready: set[int] = set()
    unproven: set[int] = set()
    overdue: set[int] = set()
    for index, r in enumerate(report.reports):
        blocking = [f for f in (*r.findings, *report.batch_findings_of(index)) if f.blocking]
        if any(f.status != "not_evidenced" for f in blocking):
            unready.add(index)
            if any(
                f.status != "not_evidenced" and f.days_left is not None and f.days_left < 0
                for f in blocking
            ):
                overdue.add(index)
        elif blocking:
            unproven.add(index)
    if horizon is not None:
        when = f"{human_date(horizon.date)} ({horizon.title}): "
        days = days_phrase((horizon.date - report.as_of).days)
    else:
        when, days = "", f"every milestone of {pack.id} has passed"
    parts: list[str] = []
    if not unready and not unproven:
        parts.append(f"{'all ' if networks > 1 else ''}{plural(networks, 'network')} ready")
    else:
        parts.append(f"{len(unready):,} of {plural(networks, 'network')} not ready on the evidence")
        if overdue:
            parts[-1] += f" ({len(overdue):,} with deadlines already passed)"
        if unproven:
            parts.append(f"{len(unproven):,} more with requirements not evidenced")
    if report.unreadable:
        parts.append(f"{plural(len(report.unreadable), 'submission')} could not be read")
    if kinds:
        shown = sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))
        parts.append(
            "across networks: " + ", ".join(plural(n, noun) + after for (noun, after), n in shown)
        )
    counts = []
    if report.actions:
        findings = sum(a.findings for a in report.actions)
        counts.append(f"{plural(len(report.actions), 'action')} ({plural(findings, 'finding')})")
    if report.gaps:
        counts.append(plural(len(report.gaps), "data gap"))
    counts.append(days)
    text = when + "; ".join(parts) + " — " + ", ".join(counts)
    later = _later(report)
    if later:
        text += f"; later: {later}"
    return text


def _later(report: AuditReport) -> str:
    """Error-severity requirements unmet at later milestones, with days left (at most three)."""
    counts: dict[str, tuple[int, int, int]] = {}  # rule → (days left, not met, not evidenced)
    for index, r in enumerate(report.reports):
        # per network, a rule is not met if any of its findings is, else not evidenced
        worst: dict[str, Finding] = {}
        across = [
            f
            for f in report.batch_findings_of(index)
            if f.failed and f.severity == "error" and not f.blocking and f.due is not None
        ]
        for f in (*r.later_unsettled(), *across):
            if f.rule_id not in worst or f.status != "not_evidenced":
                worst[f.rule_id] = f
        for rule_id, f in worst.items():
            assert f.days_left is not None
            days, unmet, unproven = counts.get(rule_id, (f.days_left, 0, 0))
            if f.status == "not_evidenced":
                unproven += 1
            else:
                unmet += 1
            counts[rule_id] = (days, unmet, unproven)
    items = sorted(counts.items(), key=lambda kv: (kv[1][0], -kv[1][1], kv[0]))
    shown = []
    for rule_id, (days, unmet, unproven) in items[:3]:
        what = []
        if unmet:
            what.append(f"not met for {plural(unmet, 'network')}")
        if unproven:
            what.append(f"not evidenced for {plural(unproven, 'network')}")
        shown.append(f"{rule_id} {' and '.join(what)} ({days_phrase(days)})")
    if len(items) > 3:
        shown.append(f"{len(items) - 3} more")
    return ", ".join(shown)
