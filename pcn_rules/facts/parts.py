"""Building the facts of services and partners: extended hours, non-GP providers, covered
practices, additional roles and the 2020/21 parts (participation, care homes, sub-contracts,
workforce returns, service set-up); and the entities each rule scope goes through."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from pcn_rules.facts.asof import AsOf
from pcn_rules.facts.changes import membership_changes
from pcn_rules.facts.model import Entity, Facts, iso, put
from pcn_rules.submission.model import Submission
from pcn_rules.submission.services import Block

#: Core hours on weekdays (extended hours must fall outside them).
CORE_HOURS = ("08:00", "18:30")


@dataclass(slots=True)
class Records:
    """The lists of records an entity scope goes through."""

    providers: list[Facts] = field(default_factory=list)
    covered: list[Facts] = field(default_factory=list)
    roles: list[Facts] = field(default_factory=list)
    homes: list[Facts] = field(default_factory=list)
    contracts: list[Facts] = field(default_factory=list)
    changes: list[Facts] = field(default_factory=list)


def services_and_partners(
    sub: Submission, view: AsOf, network: Facts, occurrences: Counter[str]
) -> Records:
    """Add the facts of services and partners to ``network``; return the records behind the
    entity scopes."""
    _extended_hours(sub, view, network)
    records = Records(
        providers=_providers(sub, view, network),
        covered=_covered(sub, view, network, occurrences),
        roles=_roles(sub, network),
        homes=_care_homes(sub, view, network),
        contracts=_sub_contracts(sub, view, network),
        changes=membership_changes(sub, view, network),
    )
    _participation(sub, view, network, occurrences)
    _returns(sub, view, network)
    return records


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _block(block: Block) -> Facts:
    start, end = _minutes(block.start), _minutes(block.end)
    length = end - start if end > start else 0
    weekend = block.day in ("saturday", "sunday")
    core_start, core_end = (_minutes(t) for t in CORE_HOURS)
    outside = weekend or end <= core_start or start >= core_end
    return {
        "day": block.day,
        "start": block.start,
        "end": block.end,
        "minutes": length,
        "outside_core_hours": outside and length > 0,
    }


def _extended_hours(sub: Submission, view: AsOf, network: Facts) -> None:
    if sub.extended_hours is None:
        return
    eh: Facts = {}
    put(eh, "minutes_per_week", sub.extended_hours.minutes_per_week)
    counted = view.seen(sub.extended_hours.population_date, "extended_hours.population_date")
    if counted is not None or sub.extended_hours.population_date is None:
        # a population counted after the as-of date had not been counted then
        put(eh, "population", sub.extended_hours.population)
    put(eh, "population_date", iso(counted))
    if counted is not None and sub.extended_hours.population is not None:
        # by the date it was counted: a rule reads the count of the date it needs
        eh["population_at"] = {iso(counted): sub.extended_hours.population}
    if sub.extended_hours.blocks is not None:
        blocks = [_block(b) for b in sub.extended_hours.blocks]
        eh["blocks"] = blocks
        eh["block_minutes"] = sum(b["minutes"] for b in blocks)
        eh["blocks_under_30"] = sum(1 for b in blocks if b["minutes"] < 30)
        eh["blocks_in_core_hours"] = sum(1 for b in blocks if not b["outside_core_hours"])
    network["extended_hours"] = eh


def _providers(sub: Submission, view: AsOf, network: Facts) -> list[Facts]:
    providers: list[Facts] = []
    for index, provider in enumerate(sub.non_gp_providers or []):
        pf: Facts = {"name": provider.name, "type": provider.type}
        put(pf, "ods_code", provider.ods_code)
        put(pf, "arrangement", provider.arrangement)
        put(pf, "schedule_7_entry", provider.schedule_7_entry)
        path = f"non_gp_providers[{index}].agreed_on"
        put(pf, "agreed_on", iso(view.seen(provider.agreed_on, path, provider.name)))
        put(pf, "joint_decision_making", provider.joint_decision_making)
        providers.append(pf)
    if sub.non_gp_providers is not None:  # no list: who the network works with is not stated
        network["non_gp_providers"] = providers
        # an arrangement agreed after the as-of date does not exist yet (one with no date given
        # is counted: the list says whom the network works with)
        counted = [
            pf
            for provider, pf in zip(sub.non_gp_providers, providers, strict=True)
            if not view.later(provider.agreed_on)
        ]
        network["non_gp_provider_count"] = len(counted)
        network["non_gp_provider_types"] = sorted({p["type"] for p in counted})
    return providers


def _covered(sub: Submission, view: AsOf, network: Facts, occurrences: Counter[str]) -> list[Facts]:
    covered: list[Facts] = []
    for index, cp in enumerate(sub.covered_practices or []):
        cf: Facts = {"ods_code": cp.ods_code, "is_member": cp.ods_code in occurrences}
        put(cf, "name", cp.name)
        put(cf, "list_size", cp.list_size)
        path = f"covered_practices[{index}].local_agreement"
        agreement = view.decision(cp.local_agreement, path, cp.ods_code)
        put(cf, "local_agreement", view.decision_facts(agreement))
        covered.append(cf)
    network["covered_practice_count"] = len(covered)
    return covered


def _year_share(start: dt.date) -> float:
    """The share of the financial year (1 April - 31 March) containing ``start`` that is left
    from ``start`` to 31 March, month by month (a month begun part-way counts by its days)."""
    months_left = (3 - start.month) % 12  # whole months after the start month, to March
    days = calendar.monthrange(start.year, start.month)[1]
    return round((months_left + (days - start.day + 1) / days) / 12, 6)


def _roles(sub: Submission, network: Facts) -> list[Facts]:
    role_counts = Counter(r.role for r in sub.additional_roles or [])
    role_wte: dict[str, float] = {}
    for r in sub.additional_roles or []:
        role_wte[r.role] = role_wte.get(r.role, 0.0) + float(r.wte)
    # rounded, so that 0.3 + 0.3 + 0.4 WTE is 1 WTE, not a hair over it
    role_wte = {k: round(v, 3) for k, v in sorted(role_wte.items())}
    ordinals: Counter[str] = Counter()
    roles: list[Facts] = []
    for index, role in enumerate(sub.additional_roles or []):
        ordinals[role.role] += 1
        rf: Facts = {
            "index": index,
            "ordinal": ordinals[role.role],
            "role": role.role,
            "wte": float(role.wte),
            "same_role_count": role_counts[role.role],
            "same_role_wte": role_wte[role.role],
        }
        if role.starts_on is not None:
            rf["starts_on"] = role.starts_on.isoformat()
            rf["year_share"] = _year_share(role.starts_on)
        put(rf, "annual_cost", None if role.annual_cost is None else float(role.annual_cost))
        put(rf, "claim", None if role.claim is None else float(role.claim))
        put(rf, "additional_to_baseline", role.additional_to_baseline)
        put(rf, "baseline_exception", role.baseline_exception)
        roles.append(rf)
    network["role_counts"] = dict(sorted(role_counts.items()))
    network["role_wte"] = role_wte
    network["role_count"] = len(roles)
    network["roles"] = roles
    network["role_claim_total"] = float(sum(r.get("claim", 0.0) for r in roles))
    network["roles_without_claim"] = [
        f"{r['role']}#{r['ordinal']}" for r in roles if "claim" not in r
    ]
    return roles


def _add_month(day: dt.date) -> dt.date:
    """The same day of the next month (the month's last day if it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _participation(sub: Submission, view: AsOf, network: Facts, occurrences: Counter[str]) -> None:
    part = sub.participation
    if part is None:
        return
    pa: Facts = {}
    put(pa, "confirmed_on", iso(view.seen(part.confirmed_on, "participation.confirmed_on")))
    changes: list[Facts] = []
    for index, change in enumerate(part.changes or []):
        if view.seen(change.notified_on, f"participation.changes[{index}]") is None:
            continue  # notified after the as-of date: not yet notified
        cf: Facts = {"kind": change.kind, "notified_on": change.notified_on.isoformat()}
        put(cf, "description", change.description)
        changes.append(cf)
    pa["changes"] = changes
    pa["change_kinds"] = sorted({c["kind"] for c in changes})
    opt_outs: list[Facts] = []
    for index, opt in enumerate(part.opt_outs or []):
        path = f"participation.opt_outs[{index}]"
        if view.seen(opt.notified_on, path, opt.practice_ods_code) is None:
            continue  # notice given after the as-of date: not yet given
        of: Facts = {
            "practice_ods_code": opt.practice_ods_code,
            "notified_on": opt.notified_on.isoformat(),
            # still listed among the practices (not counted as a member once it is out)
            "still_member": any(p.ods_code == opt.practice_ods_code for p in sub.practices),
        }
        if opt.effective_on is not None:
            of["effective_on"] = opt.effective_on.isoformat()
            of["one_month_notice"] = opt.effective_on >= _add_month(opt.notified_on)
        opt_outs.append(of)
    pa["opt_outs"] = opt_outs
    network["participation"] = pa


def _care_homes(sub: Submission, view: AsOf, network: Facts) -> list[Facts]:
    homes_seen = Counter(h.cqc_location_id for h in sub.care_homes or [])
    homes: list[Facts] = []
    for index, home in enumerate(sub.care_homes or []):
        hf: Facts = {
            "cqc_location_id": home.cqc_location_id,
            "occurrences": homes_seen[home.cqc_location_id],
        }
        put(hf, "name", home.name)
        put(hf, "beds", home.beds)
        put(hf, "clinical_lead", home.clinical_lead)
        put(hf, "clinical_lead_profession", home.clinical_lead_profession)
        if home.clinical_lead_profession is not None:
            hf["clinical_lead_is_gp"] = home.clinical_lead_profession == "gp"
        path = f"care_homes[{index}]"
        ident = home.cqc_location_id
        agreement = view.decision(
            home.non_gp_lead_agreement, f"{path}.non_gp_lead_agreement", ident
        )
        put(hf, "non_gp_lead_agreement", view.decision_facts(agreement))
        put(hf, "aligned_on", iso(view.seen(home.aligned_on, f"{path}.aligned_on", ident)))
        put(hf, "mdt_agreed_on", iso(view.seen(home.mdt_agreed_on, f"{path}.mdt_agreed_on", ident)))
        put(hf, "weekly_round", home.weekly_round)
        put(hf, "care_plans", home.care_plans)
        homes.append(hf)
    if sub.care_homes is not None:  # no list: which care homes are aligned is not stated
        network["care_home_count"] = len(homes)
        if all("beds" in h for h in homes):
            network["care_home_beds"] = sum(h["beds"] for h in homes)
    return homes


def _sub_contracts(sub: Submission, view: AsOf, network: Facts) -> list[Facts]:
    contracts: list[Facts] = []
    for index, sc in enumerate(sub.sub_contracts or []):
        path = f"sub_contracts[{index}]"
        sf: Facts = {"index": index, "provider": sc.provider, "service": sc.service}
        put(sf, "starts_on", iso(view.seen(sc.starts_on, f"{path}.starts_on", sc.provider)))
        if sc.starts_on is not None:
            # one starting after the as-of date has not started yet: nothing is sub-contracted
            sf["started"] = not view.later(sc.starts_on)
        approval = view.decision(sc.approval, f"{path}.approval", sc.provider)
        put(sf, "approval", view.decision_facts(approval))
        contracts.append(sf)
    network["sub_contract_count"] = len(contracts)
    return contracts


def _returns(sub: Submission, view: AsOf, network: Facts) -> None:
    """The workforce returns and the set-up of the 2020/21 service specifications."""
    if sub.workforce is not None:
        wf: Facts = {}
        plan = view.seen(sub.workforce.plan_submitted_on, "workforce.plan_submitted_on")
        intentions = view.seen(
            sub.workforce.intentions_submitted_on, "workforce.intentions_submitted_on"
        )
        put(wf, "plan_submitted_on", iso(plan))
        put(wf, "intentions_submitted_on", iso(intentions))
        network["workforce"] = wf
    services = sub.services
    if services is not None:
        sv: Facts = {}
        if services.smr is not None:
            smr: Facts = {}
            put(smr, "lead", services.smr.lead)
            put(smr, "approach", services.smr.approach)
            started = view.seen(services.smr.started_on, "services.smr.started_on")
            put(smr, "started_on", iso(started))
            sv["smr"] = smr
        if services.cancer is not None:
            cancer: Facts = {}
            put(cancer, "referral_review", services.cancer.referral_review)
            put(cancer, "screening_actions", services.cancer.screening_actions)
            put(cancer, "community_of_practice", services.cancer.community_of_practice)
            sv["cancer"] = cancer
        network["services"] = sv


def _listed(
    scope: str,
    name: str,
    items: list[Facts],
    ident: Callable[[Facts], str],
    label: Callable[[Facts], str | None],
    paths: list[str] | None = None,
) -> tuple[Entity, ...]:
    """The entities of a list, each with its JSON path (its place in the list, or ``paths``
    where some items are left out)."""
    where = paths if paths is not None else [f"{name}[{i}]" for i in range(len(items))]
    return tuple(
        Entity(scope, ident(f), label(f), f, path) for f, path in zip(items, where, strict=True)
    )


def entities(
    sub: Submission,
    network: Facts,
    practices: list[Facts],
    records: Records,
    practice_paths: list[str] | None = None,
) -> dict[str, tuple[Entity, ...]]:
    """Every entity of the submission, by the scope a rule goes through (``practice_paths``:
    where each practice is in the submission, when some listed are not members)."""
    net = sub.network
    return {
        "network": (Entity("network", net.ods_code or net.name, net.name, network),),
        "practice": _listed(
            "practice",
            "practices",
            practices,
            lambda p: p["ods_code"],
            lambda p: p.get("name"),
            practice_paths,
        ),
        "provider": _listed(
            "provider",
            "non_gp_providers",
            records.providers,
            lambda p: f"{p['type']}:{p['name']}",
            lambda p: p["name"],
        ),
        "covered_practice": _listed(
            "covered_practice",
            "covered_practices",
            records.covered,
            lambda c: c["ods_code"],
            lambda c: c.get("name"),
        ),
        "role": _listed(
            "role",
            "additional_roles",
            records.roles,
            lambda r: f"{r['role']}#{r['ordinal']}",
            lambda r: r["role"].replace("_", " "),
        ),
        "care_home": _listed(
            "care_home",
            "care_homes",
            records.homes,
            lambda h: h["cqc_location_id"],
            lambda h: h.get("name"),
        ),
        "sub_contract": _listed(
            "sub_contract",
            "sub_contracts",
            records.contracts,
            lambda c: f"{c['provider']}:{c['service']}",
            lambda c: c["provider"],
        ),
        "membership_change": _listed(
            "membership_change",
            "membership_changes",
            records.changes,
            lambda c: f"{c['kind']}:{c['practice_ods_code']}",
            lambda c: c["practice_ods_code"],
        ),
    }
