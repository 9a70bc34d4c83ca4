"""Audits: many networks (and a register of practices) checked together as of a date.

:func:`audit` checks each network with the pack (its batch rules excluded), then evaluates the
batch rules (CORE-ONE-NETWORK across networks, COV-FULL against the register) once across all of
them, and summarises: per milestone, which networks are not ready; an action plan ordered by
due date then severity; and figures a commissioner asks for (list-size bands, single-practice
networks, memberships crossing CCG boundaries, practices in no network).  Pure data; the CLI
renders it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcn_rules.api import as_date
from pcn_rules.engine import Decide, evaluate, evaluate_batch
from pcn_rules.errors import InputError, UsageError
from pcn_rules.facts.batch import batch_practices, network_label
from pcn_rules.facts.build import build_facts
from pcn_rules.facts.catalogue import BATCH_SCOPES, SCOPES
from pcn_rules.facts.model import LIST_SCOPES, SubmissionFacts
from pcn_rules.ingest.ods import FROM_LIST_SIZES, IMPORTED_BY
from pcn_rules.ingest.register import Register, load_register
from pcn_rules.ingest.waivers import WaiverSet, load_waivers
from pcn_rules.packs.discover import load_pack_cached, select_pack_id
from pcn_rules.packs.model import RulePack
from pcn_rules.report.model import Finding, Report, report_json_schema
from pcn_rules.submission.model import Submission
from pcn_rules.submission.read import coerce_submission, expand_paths
from pcn_rules.vocab import SEVERITY_RANK, days_phrase, plural

AUDIT_VERSION = "2.0"


@dataclass(frozen=True, slots=True)
class MilestoneReadiness:
    key: str
    date: dt.date
    title: str
    days_left: int
    #: networks with an error-severity requirement due here that the evidence shows unmet
    #: (or that could not be evaluated)
    networks_not_ready: tuple[str, ...]
    actions: int
    #: other networks with an error-severity requirement due here that is not evidenced
    networks_not_evidenced: tuple[str, ...] = ()
    #: findings due here that are not evidenced
    not_evidenced: int = 0


@dataclass(frozen=True, slots=True)
class Action:
    """One requirement the evidence shows unmet, with every network (and entity) it concerns."""

    rule_id: str
    title: str
    severity: str
    due_milestone: str | None
    due_date: dt.date | None
    days_left: int | None
    remediation: tuple[str, ...]
    networks: tuple[str, ...]
    findings: int


@dataclass(frozen=True, slots=True)
class DataGap:
    """A fact the submissions do not give, with every requirement it leaves not evidenced."""

    #: the submission path with list indices left out, e.g. ``practices[].contract_type``
    path: str
    #: how many places it is missing from (e.g. practices, across every network)
    places: int
    #: what a place is ("member practices", "networks"...)
    unit: str
    networks: tuple[str, ...]
    rules: tuple[str, ...]
    severity: str
    due_milestone: str | None
    due_date: dt.date | None
    days_left: int | None
    findings: int
    #: why it is missing, where that is known (e.g. "ODS does not hold it")
    note: str | None = None

    @property
    def sentence(self) -> str:
        """ "`practices[].contract_type` is missing for 6,757 member practices: ODS does not
        hold it"."""
        text = f"`{self.path}` is missing for {self.places:,} {self.unit}"
        return f"{text}: {self.note}" if self.note else text


@dataclass(frozen=True, slots=True)
class AuditReport:
    as_of: dt.date
    pack_id: str
    pack_release: str
    register_source: str | None
    register_practices: int
    reports: tuple[Report, ...]
    labels: tuple[str, ...]
    batch_findings: tuple[Finding, ...]
    unreadable: tuple[tuple[str, str], ...]
    milestones: tuple[MilestoneReadiness, ...]
    actions: tuple[Action, ...]
    stats: Mapping[str, Any]
    headline: str
    gaps: tuple[DataGap, ...] = ()

    @property
    def compliant(self) -> bool:
        return all(r.compliant for r in self.reports) and not any(
            f.blocking for f in self.batch_findings
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "audit_version": AUDIT_VERSION,
            "as_of": self.as_of.isoformat(),
            "pack": {"id": self.pack_id, "release": self.pack_release},
            "headline": self.headline,
            "verdict": "compliant" if self.compliant else "not_compliant",
            "register": (
                {"source": self.register_source, "practices": self.register_practices}
                if self.register_source
                else None
            ),
            "stats": dict(self.stats),
            "milestones": [
                {
                    "key": m.key,
                    "date": m.date.isoformat(),
                    "title": m.title,
                    "days_left": m.days_left,
                    "networks_not_ready": list(m.networks_not_ready),
                    "actions": m.actions,
                    "networks_not_evidenced": list(m.networks_not_evidenced),
                    "not_evidenced": m.not_evidenced,
                }
                for m in self.milestones
            ],
            "gaps": [
                {
                    "path": g.path,
                    "places": g.places,
                    "unit": g.unit,
                    "sentence": g.sentence,
                    "note": g.note,
                    "rules": list(g.rules),
                    "severity": g.severity,
                    "due": _due(g.due_milestone, g.due_date),
                    "days_left": g.days_left,
                    "networks": list(g.networks),
                    "findings": g.findings,
                }
                for g in self.gaps
            ],
            "actions": [
                {
                    "rule_id": a.rule_id,
                    "title": a.title,
                    "severity": a.severity,
                    "due": _due(a.due_milestone, a.due_date),
                    "days_left": a.days_left,
                    "remediation": list(a.remediation),
                    "networks": list(a.networks),
                    "findings": a.findings,
                }
                for a in self.actions
            ],
            "batch_findings": [f.to_dict() for f in self.batch_findings],
            "networks": [
                {
                    "label": label,
                    "source": r.source,
                    "verdict": r.verdict,
                    "summary": r.summary(),
                    "findings": [f.to_dict() for f in r.findings],
                }
                for label, r in zip(self.labels, self.reports, strict=True)
            ],
            "unreadable": [{"source": s, "problem": p} for s, p in self.unreadable],
        }


def _due(milestone: str | None, date: dt.date | None) -> dict[str, str] | None:
    return {"milestone": milestone or "", "date": date.isoformat()} if date else None


def _matches(rule_id: str, patterns: Sequence[str]) -> bool:
    return any(rule_id == p or rule_id.startswith(p.rstrip("-") + "-") for p in patterns)


def check_selectors(patterns: Sequence[str], pack: RulePack, option: str) -> None:
    """Fail closed: a rule ID or prefix that matches no rule of the pack is a usage error (a
    typo must never select nothing and report an empty "all clear")."""
    ids = [rule.id for rule in pack.rules]
    for pattern in patterns:
        if any(_matches(rule_id, [pattern]) for rule_id in ids):
            continue
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


def _stats(
    facts: list[SubmissionFacts],
    batch: tuple[Finding, ...],
    practices: Mapping[str, Mapping[str, Any]],
    register: Register | None,
    pack: RulePack,
) -> dict[str, Any]:
    low = int(pack.parameters.get("population_min", 30000))
    high = int(pack.parameters.get("population_typical_max", 50000))
    complete = [f.network for f in facts if "list_size" in f.network]
    gaps = [f.network for f in facts if "list_size" not in f.network]
    uncovered = [f for f in batch if f.rule_id == "COV-FULL" and f.status == "not_met" and f.entity]
    sizes_known = [practices.get(f.entity or "", {}).get("list_size") for f in uncovered]
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
    }


def _network_size(network: Mapping[str, Any]) -> int:
    """The network's list size, or the sum of the sizes given when some are missing."""
    return int(network["list_size"] if "list_size" in network else network["list_size_partial"])


_INDEX = re.compile(r"\[\d+\]")


def _plan(labelled: list[tuple[str, Finding]]) -> tuple[tuple[Action, ...], dict[str, set[str]]]:
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
                findings=len(items),
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


def _gaps(
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
    decide: Decide = "bundled",
) -> AuditReport:
    """Audit many networks together as of a date: submissions (models, dicts or paths; a
    directory stands for every ``*.json`` under it).  Unreadable submissions are listed, not
    fatal.

    ``select`` and ``ignore`` are rule IDs or prefixes (``POP``, ``REG-LIST-SIZE``); one that
    matches no rule of the pack is a :class:`~pcn_rules.errors.UsageError`.  ``late_blocks``
    makes a requirement met after its deadline block like one not met."""
    when = as_date(as_of, "as_of")
    if when is None:
        raise UsageError("an audit needs an as-of date (as_of=, or --as-of YYYY-MM-DD)")
    reg = load_register(register) if isinstance(register, str | Path) else register
    waiver_set = load_waivers(waivers) if isinstance(waivers, str | Path) else waivers
    models: list[tuple[str, Submission]] = []
    unreadable: list[tuple[str, str]] = []
    items = [
        found
        for item in submissions
        for found in (expand_paths([item]) if isinstance(item, str | Path) else [item])
    ]
    for item in items:
        name = str(item) if isinstance(item, str | Path) else "<submission>"
        try:
            models.append((name, coerce_submission(item)))
        except InputError as exc:
            unreadable.append((exc.source, str(exc)))
        if on_progress is not None:
            on_progress(1)
    if isinstance(pack, RulePack):
        chosen = pack
    elif pack is not None:
        chosen = load_pack_cached(pack)
    else:
        years = {m.contract_year for _, m in models}
        if len(years) > 1:
            raise UsageError(
                "the submissions are for different contract years "
                f"({', '.join(sorted(map(str, years)))}); audit one year at a time or choose a "
                "pack with --pack"
            )
        year = next(iter(years)) if years else None
        chosen = load_pack_cached(select_pack_id(year, when))
    if waiver_set is not None:
        waiver_set.check_against({rule.id: rule.waivable for rule in chosen.rules})
    check_selectors(select, chosen, "--select")
    check_selectors(ignore, chosen, "--ignore")

    keep = _keep(select, ignore)
    facts: list[SubmissionFacts] = []
    reports: list[Report] = []
    labels: list[str] = []
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
            decide=decide,
        )
        if select or ignore:
            kept = tuple(f for f in report.findings if keep(f))
            report = dataclasses.replace(report, findings=kept)
        facts.append(sub_facts)
        reports.append(report)
        labels.append(network_label(sub_facts.network))
    # two submissions for the same network (e.g. drafts) are told apart by their file names
    counts = Counter(labels)
    repeated = {label for label, count in counts.items() if count > 1}
    labels = [
        f"{label} [{Path(name).name}]" if label in repeated else label
        for label, (name, _) in zip(labels, models, strict=True)
    ]
    practices = batch_practices(facts, reg)
    batch = evaluate_batch(
        practices,
        chosen,
        when,
        waivers=waiver_set,
        ignore_waivers=ignore_waivers,
        late_blocks=late_blocks,
        decide=decide,
    )
    batch = tuple(f for f in batch if keep(f))
    by_code = {p.id: p.facts for p in practices}

    labelled = [(label, f) for label, r in zip(labels, reports, strict=True) for f in r.findings]
    for finding in batch:
        practice = by_code.get(finding.entity or "", {})
        area = f"area-wide ({practice.get('commissioner', 'no commissioner given')})"
        for network in practice.get("networks") or [area]:
            labelled.append((str(network), finding))
    actions, not_ready = _plan(labelled)
    imported = {
        label
        for label, (_, model) in zip(labels, models, strict=True)
        if model.submission.submitted_by == IMPORTED_BY
    }
    gaps, not_evidenced = _gaps(labelled, imported)
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
            actions=sum(a.findings for a in actions if a.due_milestone == m.key),
            networks_not_evidenced=tuple(
                sorted((not_evidenced.get(m.key, set()) & known) - not_ready.get(m.key, set()))
            ),
            not_evidenced=unproven_at[m.key],
        )
        for m in chosen.milestones
    )
    stats = _stats(facts, batch, by_code, reg, chosen)
    stats["by_rule"] = _by_rule([f for _, f in labelled])
    late = [(label, f) for label, f in labelled if f.status == "met_late"]
    stats["met_late"] = {
        "findings": len({id(f) for _, f in late}),
        "networks": len({label for label, _ in late} & set(labels)),
        "rules": sorted({f.rule_id for _, f in late}),
    }
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
        milestones=milestones,
        actions=actions,
        stats=stats,
        headline="",
        gaps=gaps,
    )
    return dataclasses.replace(audited, headline=_headline(audited, chosen))


def _by_rule(findings: list[Finding]) -> dict[str, dict[str, int]]:
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


def _headline(report: AuditReport, pack: RulePack) -> str:
    """The five-second line: for the next milestone, how many networks are not ready on the
    evidence and how many more lack evidence, the days left, and what fails after it."""
    networks = len(report.reports)
    horizon = pack.horizon(report.as_of)
    unready: set[str] = set()
    unproven: set[str] = set()
    overdue: set[str] = set()
    for label, r in zip(report.labels, report.reports, strict=True):
        blocking = [f for f in r.findings if f.blocking]
        if any(f.status != "not_evidenced" for f in blocking):
            unready.add(label)
            if any(
                f.status != "not_evidenced" and f.days_left is not None and f.days_left < 0
                for f in blocking
            ):
                overdue.add(label)
        elif blocking:
            unproven.add(label)
    area = [f for f in report.batch_findings if f.blocking]
    if horizon is not None:
        when = f"{horizon.date.day} {horizon.date:%b} ({horizon.key}): "
        days = days_phrase((horizon.date - report.as_of).days)
    else:
        when, days = "", f"every milestone of {pack.id} has passed"
    parts: list[str] = []
    if not unready and not unproven:
        parts.append(f"all {networks:,} networks ready")
    else:
        parts.append(f"{len(unready):,} of {networks:,} networks not ready on the evidence")
        if overdue:
            parts[-1] += f" ({len(overdue):,} with deadlines already passed)"
        if unproven:
            parts.append(f"{len(unproven):,} more with requirements not evidenced")
    if area:
        parts.append(f"{plural(len(area), 'area-wide finding')} (e.g. practices in no network)")
    counts = []
    actions = sum(a.findings for a in report.actions)
    if actions:
        counts.append(plural(actions, "action"))
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
    for r in report.reports:
        # per network, a rule is not met if any of its findings is, else not evidenced
        worst: dict[str, Finding] = {}
        for f in r.later_unsettled():
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


def audit_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``pcn-check audit --format json``."""
    finding_ref = {"$ref": "#/$defs/finding"}
    date = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    report_defs = report_json_schema()["$defs"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:pcn-rules:audit:{AUDIT_VERSION}",
        "title": "pcn-rules audit report",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "audit_version",
            "as_of",
            "pack",
            "headline",
            "verdict",
            "register",
            "stats",
            "milestones",
            "actions",
            "gaps",
            "batch_findings",
            "networks",
            "unreadable",
        ],
        "properties": {
            "audit_version": {"const": AUDIT_VERSION},
            "as_of": date,
            "pack": {
                "type": "object",
                "required": ["id", "release"],
                "properties": {"id": {"type": "string"}, "release": {"type": "string"}},
            },
            "headline": {"type": "string"},
            "verdict": {"enum": ["compliant", "not_compliant"]},
            "register": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "required": ["source", "practices"],
                        "properties": {
                            "source": {"type": "string"},
                            "practices": {"type": "integer", "minimum": 0},
                        },
                    },
                ]
            },
            "stats": {
                "type": "object",
                "required": [
                    "networks",
                    "below_min_complete",
                    "above_typical_max_complete",
                    "below_min_with_gaps",
                    "above_typical_max_with_gaps",
                    "single_practice_networks",
                    "memberships_crossing_ccg",
                    "register_practices_in_no_network",
                    "list_sizes",
                    "by_rule",
                ],
            },
            "milestones": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "key",
                        "date",
                        "title",
                        "days_left",
                        "networks_not_ready",
                        "actions",
                        "networks_not_evidenced",
                        "not_evidenced",
                    ],
                    "properties": {
                        "key": {"type": "string"},
                        "date": date,
                        "title": {"type": "string"},
                        "days_left": {"type": "integer"},
                        "networks_not_ready": {"type": "array", "items": {"type": "string"}},
                        "actions": {"type": "integer", "minimum": 0},
                        "networks_not_evidenced": {"type": "array", "items": {"type": "string"}},
                        "not_evidenced": {"type": "integer", "minimum": 0},
                    },
                },
            },
            "actions": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "rule_id",
                        "title",
                        "severity",
                        "due",
                        "days_left",
                        "remediation",
                        "networks",
                        "findings",
                    ],
                    "properties": {
                        "rule_id": {"type": "string"},
                        "title": {"type": "string"},
                        "severity": {"enum": ["error", "warning", "info"]},
                        "due": {"type": ["object", "null"]},
                        "days_left": {"type": ["integer", "null"]},
                        "remediation": {"type": "array", "items": {"type": "string"}},
                        "networks": {"type": "array", "items": {"type": "string"}},
                        "findings": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "gaps": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [
                        "path",
                        "places",
                        "unit",
                        "sentence",
                        "note",
                        "rules",
                        "severity",
                        "due",
                        "days_left",
                        "networks",
                        "findings",
                    ],
                    "properties": {
                        "path": {"type": "string"},
                        "places": {"type": "integer", "minimum": 1},
                        "unit": {"type": "string"},
                        "sentence": {"type": "string"},
                        "note": {"type": ["string", "null"]},
                        "rules": {"type": "array", "items": {"type": "string"}},
                        "severity": {"enum": ["error", "warning", "info"]},
                        "due": {"type": ["object", "null"]},
                        "days_left": {"type": ["integer", "null"]},
                        "networks": {"type": "array", "items": {"type": "string"}},
                        "findings": {"type": "integer", "minimum": 1},
                    },
                },
            },
            "batch_findings": {"type": "array", "items": finding_ref},
            "networks": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["label", "source", "verdict", "summary", "findings"],
                    "properties": {
                        "label": {"type": "string"},
                        "source": {"type": ["string", "null"]},
                        "verdict": {"enum": ["compliant", "not_compliant"]},
                        "summary": {"type": "object"},
                        "findings": {"type": "array", "items": finding_ref},
                    },
                },
            },
            "unreadable": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["source", "problem"],
                    "properties": {"source": {"type": "string"}, "problem": {"type": "string"}},
                },
            },
        },
        "$defs": {"finding": report_defs["finding"]},
    }
