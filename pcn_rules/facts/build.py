"""Facts: the submission viewed per entity, with derived values computed once, in Python.

Rules read facts; they never recompute aggregates.  Facts are plain JSON-like values (str, int,
float, bool, list, dict) so that any CEL runtime can read them.  Dates are ISO ``YYYY-MM-DD``
strings, which compare correctly as strings.

A fact the submission does not evidence is *absent* from its dict (never ``null``): a condition
that reads it fails with "not evidenced in the submission" instead of comparing against a default.

:data:`CATALOGUE` documents every fact, per scope variable, with the submission field it comes
from.  Pack loading checks rule conditions against it, so a misspelt fact is a pack error.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, get_args

from pcn_rules.submission.model import Block, Decision, Profession, Submission

if TYPE_CHECKING:  # an annotation only: checking one submission needs no register (or csv)
    from pcn_rules.ingest.register import Register

Facts = dict[str, Any]

#: Contract types that make a practice a core GP member.
GP_CONTRACTS = ("GMS", "PMS", "APMS")
#: Professions that count as clinicians for the Clinical Director role.
CLINICAL_PROFESSIONS = tuple(p for p in get_args(Profession) if p != "non_clinical")
#: Core hours on weekdays (extended hours must fall outside them).
CORE_HOURS = ("08:00", "18:30")


@dataclass(frozen=True, slots=True)
class Entity:
    """One thing a rule is evaluated for: its scope, identifier, display name and facts."""

    scope: str
    id: str
    name: str | None
    facts: Facts
    #: Where the entity is in the submission, e.g. ``practices[3]`` (None: the whole submission,
    #: or an entity of a batch that no one submission holds).
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Postponed:
    """A dated fact of the submission.  One dated after the as-of date has not happened as of
    then (not yet signed, agreed, approved or in post), so it is left out of the facts (it is
    *postponed*), and findings say so; one on or before it can make a requirement late."""

    #: JSON path in the submission, e.g. ``practices[3].network_agreement_signed_on``
    path: str
    #: the date it carries (ISO)
    date: str
    #: the entity it belongs to, for messages (e.g. the practice's ODS code)
    label: str | None = None

    @property
    def pattern(self) -> str:
        """The path with list indices left out: ``practices[].network_agreement_signed_on``."""
        return _INDEX.sub("[]", self.path)


_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """All facts of one submission, grouped by scope, as of a date."""

    submission: Facts
    network: Facts
    entities: dict[str, tuple[Entity, ...]]
    #: The as-of date the facts were built for (ISO; None: every dated fact is included).
    as_of: str | None = None
    #: Facts left out because they are dated after ``as_of``.
    postponed: tuple[Postponed, ...] = ()
    #: Every dated fact of the submission that is counted (on or before ``as_of``), to name
    #: the one that makes a requirement late.
    dated: tuple[Postponed, ...] = ()
    #: The same submission with nothing left out (only when something was): the engine reads
    #: it to tell a fact that is not yet true from one the submission does not give.
    unfiltered: SubmissionFacts | None = None


#: Lists of the submission → the entity scope of their items.
LIST_SCOPES: dict[str, str] = {
    "practices": "practice",
    "non_gp_providers": "provider",
    "covered_practices": "covered_practice",
    "additional_roles": "role",
    "care_homes": "care_home",
    "sub_contracts": "sub_contract",
}


def _put(target: Facts, key: str, value: Any) -> None:
    """Set a fact only when the submission evidences it."""
    if value is not None:
        target[key] = value


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None


def _decision(decision: Decision | None) -> Facts | None:
    if decision is None:
        return None
    out: Facts = {
        "approved_by": decision.approved_by,
        "approved_on": decision.approved_on.isoformat(),
        "reason": decision.reason,
    }
    _put(out, "expires_on", _iso(decision.expires_on))
    return out


def _add_month(day: dt.date) -> dt.date:
    """The same day of the next month (the month's last day if it has no such day)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


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


def _all_known(values: list[bool | None]) -> bool | None:
    """True if every value is True; False if any is False; None (unknown) otherwise."""
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


class _AsOf:
    """The as-of view, applied in one place: a dated fact after the date is left out."""

    def __init__(self, as_of: dt.date | None) -> None:
        self.as_of = as_of
        self.postponed: list[Postponed] = []
        self.dated: list[Postponed] = []

    def later(self, day: dt.date | None) -> bool:
        return day is not None and self.as_of is not None and day > self.as_of

    def seen(self, day: dt.date | None, path: str, label: str | None = None) -> dt.date | None:
        """``day`` if it is on or before the as-of date; None (recorded) if it is after."""
        if day is None:
            return None
        fact = Postponed(path, day.isoformat(), label)
        if self.later(day):
            self.postponed.append(fact)
            return None
        self.dated.append(fact)
        return day

    def decision(
        self, decision: Decision | None, path: str, label: str | None = None
    ) -> Decision | None:
        """A commissioner decision approved after the as-of date has not been made yet."""
        if decision is not None and self.seen(decision.approved_on, path, label) is None:
            return None
        return decision


def build_facts(
    sub: Submission, *, as_of: dt.date | None = None, batch: bool = True
) -> SubmissionFacts:
    """Derive every fact the rules read from one validated submission, as of a date.

    As of ``as_of``, every fact dated after it is left out (recorded in ``postponed``): an
    agreement signed later is unsigned, a decision approved later not yet made, a Clinical
    Director starting later not yet in post.  ``as_of=None`` includes every fact.

    ``batch=False`` leaves out the batch scopes (the practices of a register), for a caller
    that evaluates them once across many networks (an audit)."""
    view = _AsOf(as_of)
    facts = _build(sub, view, batch)
    return SubmissionFacts(
        submission=facts.submission,
        network=facts.network,
        entities=facts.entities,
        as_of=facts.as_of,
        postponed=tuple(view.postponed),
        dated=tuple(view.dated),
        unfiltered=_build(sub, _AsOf(None), batch) if view.postponed else None,
    )


def _build(sub: Submission, view: _AsOf, batch: bool) -> SubmissionFacts:
    net = sub.network
    lead_ccg = net.lead_commissioner.ods_code if net.lead_commissioner else None
    decisions = sub.commissioner
    agreement = sub.network_agreement
    signatories = set(agreement.signatories or []) if agreement else set()
    listed_signatories = agreement is not None and agreement.signatories is not None
    cross_on: dict[str, str] = {}
    for index, cba in enumerate((decisions.cross_boundary_agreements or []) if decisions else []):
        path = f"commissioner.cross_boundary_agreements[{index}]"
        if view.decision(cba, path, cba.practice_ods_code) is not None:
            day = cba.approved_on.isoformat()
            cross_on[cba.practice_ods_code] = min(day, cross_on.get(cba.practice_ods_code, day))
    cross_agreed = sorted(cross_on)
    occurrences = Counter(p.ods_code for p in sub.practices)

    practices: list[Facts] = []
    for index, practice in enumerate(sub.practices):
        code = practice.ods_code
        path = f"practices[{index}]"
        initial = view.seen(
            practice.initial_agreement_signed_on, f"{path}.initial_agreement_signed_on", code
        )
        full = view.seen(
            practice.network_agreement_signed_on, f"{path}.network_agreement_signed_on", code
        )
        # a dated signature decides; an undated listing among the signatories counts as signed
        # (when is not known); a practice missing from a list of signatories has not signed
        signed_full: bool | None
        if full is not None:
            signed_full = True
        elif view.later(practice.network_agreement_signed_on):
            signed_full = False
        elif code in signatories:
            signed_full = True
        elif listed_signatories:
            signed_full = False
        else:
            signed_full = None
        signed_initial: bool | None = None
        if initial is not None or signed_full is True:
            signed_initial = True
        elif view.later(practice.initial_agreement_signed_on):
            signed_initial = False
        p: Facts = {
            "ods_code": code,
            "occurrences": occurrences[code],
            "cross_boundary_agreed": code in cross_on,
        }
        _put(p, "signed_initial_agreement", signed_initial)
        _put(p, "signed_network_agreement", signed_full)
        _put(p, "name", practice.name)
        _put(p, "contract_type", practice.contract_type)
        _put(p, "in_hours_contract", practice.in_hours_contract)
        _put(p, "ccg", practice.ccg)
        size_date = view.seen(practice.list_size_date, f"{path}.list_size_date", code)
        if size_date is not None or practice.list_size_date is None:
            # a list counted after the as-of date had not been counted then
            _put(p, "list_size", practice.list_size)
            _put(p, "weighted_list_size", practice.weighted_list_size)
        _put(p, "list_size_date", _iso(size_date))
        _put(p, "initial_agreement_signed_on", _iso(initial))
        _put(p, "network_agreement_signed_on", _iso(full))
        _put(p, "cross_boundary_agreed_on", cross_on.get(code))
        if practice.ccg is not None and lead_ccg is not None:
            p["in_lead_ccg"] = practice.ccg == lead_ccg
        practices.append(p)

    codes = [p["ods_code"] for p in practices]
    contract_known = [p for p in practices if "contract_type" in p]
    network: Facts = {
        "name": net.name,
        "practice_count": len(practices),
        "distinct_practice_count": len(occurrences),
        "gp_practices_known": sum(1 for p in contract_known if p["contract_type"] in GP_CONTRACTS),
        "practice_codes": codes,
        "duplicate_practice_codes": sorted(c for c, n in occurrences.items() if n > 1),
        "practices": practices,
        "practices_without_list_size": [p["ods_code"] for p in practices if "list_size" not in p],
        "list_size_partial": sum(p.get("list_size", 0) for p in practices),
        "cross_ccg_practices": [p["ods_code"] for p in practices if p.get("in_lead_ccg") is False],
    }
    if len(contract_known) == len(practices):
        network["gp_practice_count"] = network["gp_practices_known"]
    _put(network, "ods_code", net.ods_code)
    _put(network, "lead_ccg", lead_ccg)
    _put(network, "declared_list_size", net.declared_list_size)
    if net.area is not None:
        _put(network, "map_reference", net.area.map_reference)
        _put(network, "contiguous", net.area.contiguous)
    if practices and not network["practices_without_list_size"]:
        network["list_size"] = network["list_size_partial"]
    if practices and all("weighted_list_size" in p for p in practices):
        network["weighted_list_size"] = float(sum(p["weighted_list_size"] for p in practices))

    cd = sub.clinical_director
    if cd is not None:
        cd_facts: Facts = {"name": cd.name}
        _put(cd_facts, "profession", cd.profession)
        if cd.profession is not None:
            cd_facts["is_clinician"] = cd.profession in CLINICAL_PROFESSIONS
        _put(cd_facts, "practice_ods_code", cd.practice_ods_code)
        if cd.practice_ods_code is not None:
            cd_facts["practice_is_member"] = cd.practice_ods_code in occurrences
        _put(
            cd_facts,
            "start_date",
            _iso(view.seen(cd.start_date, "clinical_director.start_date", cd.name)),
        )
        # a last day after the as-of date has not come yet: in post then
        _put(
            cd_facts,
            "end_date",
            _iso(view.seen(cd.end_date, "clinical_director.end_date", cd.name)),
        )
        network["clinical_director"] = cd_facts

    payee = sub.nominated_payee
    if payee is not None:
        payee_facts: Facts = {"kind": payee.kind}
        _put(payee_facts, "name", payee.name)
        _put(payee_facts, "ods_code", payee.ods_code)
        _put(payee_facts, "bank_details_supplied", payee.bank_details_supplied)
        if payee.kind == "provider" or payee.ods_code is not None:
            payee_facts["is_member_practice"] = payee.kind == "practice" and (
                payee.ods_code in occurrences
            )
        network["nominated_payee"] = payee_facts

    agreement_facts: Facts = {
        "initial_unsigned": [
            p["ods_code"] for p in practices if p.get("signed_initial_agreement") is False
        ],
        "full_unsigned": [
            p["ods_code"] for p in practices if p.get("signed_network_agreement") is False
        ],
    }
    _put(
        agreement_facts,
        "all_signed_initial",
        _all_known([p.get("signed_initial_agreement") for p in practices]),
    )
    _put(
        agreement_facts,
        "all_signed",
        _all_known([p.get("signed_network_agreement") for p in practices]),
    )
    if agreement is not None:
        if agreement.schedules_completed is not None:
            done = sorted(agreement.schedules_completed)
            agreement_facts["schedules_completed"] = done
            agreement_facts["schedules_missing"] = [n for n in range(1, 8) if n not in done]
        _put(agreement_facts, "national_clauses_unchanged", agreement.national_clauses_unchanged)
        if agreement.signatories is not None:
            agreement_facts["signatories_not_members"] = sorted(signatories - set(occurrences))
        sharing = agreement.data_sharing
        if sharing is not None:
            path = "network_agreement.data_sharing.signed_on"
            signed_on = view.seen(sharing.signed_on, path)
            # signed after the as-of date: not yet in place then
            in_place = sharing.in_place and not view.later(sharing.signed_on)
            agreement_facts["data_sharing_in_place"] = in_place
            _put(agreement_facts, "data_sharing_signed_on", _iso(signed_on))
    network["agreement"] = agreement_facts

    decision_facts: Facts = {"cross_boundary_agreed": cross_agreed}
    if decisions is not None:
        confirmed = view.seen(
            decisions.registration_confirmed_on, "commissioner.registration_confirmed_on"
        )
        approved = view.seen(decisions.area_approved_on, "commissioner.area_approved_on")
        _put(decision_facts, "registration_confirmed_on", _iso(confirmed))
        _put(decision_facts, "area_approved_on", _iso(approved))
        for key in ("population_waiver", "over_50k_agreement"):
            made = view.decision(getattr(decisions, key), f"commissioner.{key}")
            _put(decision_facts, key, _decision(made))
    network["commissioner"] = decision_facts

    if sub.extended_hours is not None:
        eh: Facts = {}
        _put(eh, "minutes_per_week", sub.extended_hours.minutes_per_week)
        if sub.extended_hours.blocks is not None:
            blocks = [_block(b) for b in sub.extended_hours.blocks]
            eh["blocks"] = blocks
            eh["block_minutes"] = sum(b["minutes"] for b in blocks)
            eh["blocks_under_30"] = sum(1 for b in blocks if b["minutes"] < 30)
            eh["blocks_in_core_hours"] = sum(1 for b in blocks if not b["outside_core_hours"])
        network["extended_hours"] = eh

    providers: list[Facts] = []
    for index, provider in enumerate(sub.non_gp_providers or []):
        pf: Facts = {"name": provider.name, "type": provider.type}
        _put(pf, "ods_code", provider.ods_code)
        _put(pf, "arrangement", provider.arrangement)
        _put(pf, "schedule_7_entry", provider.schedule_7_entry)
        agreed = view.seen(
            provider.agreed_on, f"non_gp_providers[{index}].agreed_on", provider.name
        )
        _put(pf, "agreed_on", _iso(agreed))
        _put(pf, "joint_decision_making", provider.joint_decision_making)
        providers.append(pf)
    if sub.non_gp_providers is not None:  # no list: who the network works with is not stated
        network["non_gp_providers"] = providers
        network["non_gp_provider_count"] = len(providers)
        network["non_gp_provider_types"] = sorted({p["type"] for p in providers})

    covered: list[Facts] = []
    for index, cp in enumerate(sub.covered_practices or []):
        cf: Facts = {"ods_code": cp.ods_code, "is_member": cp.ods_code in occurrences}
        _put(cf, "name", cp.name)
        _put(cf, "list_size", cp.list_size)
        path = f"covered_practices[{index}].local_agreement"
        _put(cf, "local_agreement", _decision(view.decision(cp.local_agreement, path, cp.ods_code)))
        covered.append(cf)
    network["covered_practice_count"] = len(covered)

    role_counts = Counter(r.role for r in sub.additional_roles or [])
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
        }
        _put(rf, "annual_cost", None if role.annual_cost is None else float(role.annual_cost))
        _put(rf, "claim", None if role.claim is None else float(role.claim))
        _put(rf, "additional_to_baseline", role.additional_to_baseline)
        _put(rf, "baseline_exception", role.baseline_exception)
        roles.append(rf)
    network["role_counts"] = dict(sorted(role_counts.items()))
    network["role_count"] = len(roles)
    network["roles"] = roles
    network["role_claim_total"] = float(sum(r.get("claim", 0.0) for r in roles))
    network["roles_without_claim"] = [
        f"{r['role']}#{r['ordinal']}" for r in roles if "claim" not in r
    ]

    if sub.participation is not None:
        part = sub.participation
        pa: Facts = {}
        _put(pa, "confirmed_on", _iso(view.seen(part.confirmed_on, "participation.confirmed_on")))
        changes: list[Facts] = []
        for index, change in enumerate(part.changes or []):
            if view.seen(change.notified_on, f"participation.changes[{index}]") is None:
                continue  # notified after the as-of date: not yet notified
            cf2: Facts = {"kind": change.kind, "notified_on": change.notified_on.isoformat()}
            _put(cf2, "description", change.description)
            changes.append(cf2)
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
                "still_member": opt.practice_ods_code in occurrences,
            }
            if opt.effective_on is not None:
                of["effective_on"] = opt.effective_on.isoformat()
                of["one_month_notice"] = opt.effective_on >= _add_month(opt.notified_on)
            opt_outs.append(of)
        pa["opt_outs"] = opt_outs
        network["participation"] = pa

    homes_seen = Counter(h.cqc_location_id for h in sub.care_homes or [])
    homes: list[Facts] = []
    for index, home in enumerate(sub.care_homes or []):
        hf: Facts = {
            "cqc_location_id": home.cqc_location_id,
            "occurrences": homes_seen[home.cqc_location_id],
        }
        _put(hf, "name", home.name)
        _put(hf, "beds", home.beds)
        _put(hf, "clinical_lead", home.clinical_lead)
        aligned = view.seen(
            home.aligned_on, f"care_homes[{index}].aligned_on", home.cqc_location_id
        )
        _put(hf, "aligned_on", _iso(aligned))
        homes.append(hf)
    if sub.care_homes is not None:  # no list: which care homes are aligned is not stated
        network["care_home_count"] = len(homes)
        if all("beds" in h for h in homes):
            network["care_home_beds"] = sum(h["beds"] for h in homes)

    contracts: list[Facts] = []
    for index, sc in enumerate(sub.sub_contracts or []):
        path = f"sub_contracts[{index}]"
        sf: Facts = {"index": index, "provider": sc.provider, "service": sc.service}
        _put(sf, "starts_on", _iso(view.seen(sc.starts_on, f"{path}.starts_on", sc.provider)))
        approval = view.decision(sc.approval, f"{path}.approval", sc.provider)
        _put(sf, "approval", _decision(approval))
        contracts.append(sf)
    network["sub_contract_count"] = len(contracts)

    if sub.workforce is not None:
        wf: Facts = {}
        plan = view.seen(sub.workforce.plan_submitted_on, "workforce.plan_submitted_on")
        intentions = view.seen(
            sub.workforce.intentions_submitted_on, "workforce.intentions_submitted_on"
        )
        _put(wf, "plan_submitted_on", _iso(plan))
        _put(wf, "intentions_submitted_on", _iso(intentions))
        network["workforce"] = wf

    if sub.services is not None:
        sv: Facts = {}
        _put(sv, "smr_lead", sub.services.smr_lead)
        _put(sv, "ehch_lead", sub.services.ehch_lead)
        _put(sv, "early_cancer_lead", sub.services.early_cancer_lead)
        _put(sv, "ehch_mdt_with_community_provider", sub.services.ehch_mdt_with_community_provider)
        network["services"] = sv

    info = sub.submission
    submission: Facts = {"type": info.type}
    _put(submission, "submitted_on", _iso(view.seen(info.submitted_on, "submission.submitted_on")))
    _put(submission, "submitted_by", info.submitted_by)
    _put(submission, "contract_year", sub.contract_year)

    network_id = net.ods_code or net.name

    def listed(
        scope: str, name: str, items: list[Facts], ident: Any, label: Any
    ) -> tuple[Entity, ...]:
        return tuple(
            Entity(scope, ident(f), label(f), f, f"{name}[{i}]") for i, f in enumerate(items)
        )

    entities: dict[str, tuple[Entity, ...]] = {
        "network": (Entity("network", network_id, net.name, network),),
        "practice": listed(
            "practice", "practices", practices, lambda p: p["ods_code"], lambda p: p.get("name")
        ),
        "provider": listed(
            "provider",
            "non_gp_providers",
            providers,
            lambda p: f"{p['type']}:{p['name']}",
            lambda p: p["name"],
        ),
        "covered_practice": listed(
            "covered_practice",
            "covered_practices",
            covered,
            lambda c: c["ods_code"],
            lambda c: c.get("name"),
        ),
        "role": listed(
            "role",
            "additional_roles",
            roles,
            lambda r: f"{r['role']}#{r['ordinal']}",
            lambda r: r["role"].replace("_", " "),
        ),
        "care_home": listed(
            "care_home",
            "care_homes",
            homes,
            lambda h: h["cqc_location_id"],
            lambda h: h.get("name"),
        ),
        "sub_contract": listed(
            "sub_contract",
            "sub_contracts",
            contracts,
            lambda c: f"{c['provider']}:{c['service']}",
            lambda c: c["provider"],
        ),
    }
    as_of = view.as_of.isoformat() if view.as_of else None
    facts = SubmissionFacts(submission=submission, network=network, entities=entities, as_of=as_of)
    # a single submission is a batch of one network, with no register
    entities["register_practice"] = batch_practices([facts], None) if batch else ()
    return facts


def network_label(network: Facts) -> str:
    """How a network is named in findings about several networks: "Name (U12345)"."""
    code = network.get("ods_code")
    return f"{network['name']} ({code})" if code else str(network["name"])


def batch_practices(
    networks: list[SubmissionFacts], register: Register | None
) -> tuple[Entity, ...]:
    """Every practice of a batch: those in the register, and every member of every network.

    Each carries its memberships (one per listing, so a practice listed twice in one network
    counts twice) and the networks that cover its patients as a non-participating practice.
    """
    memberships: dict[str, list[str]] = {}
    covered_by: dict[str, list[str]] = {}
    seen: dict[str, Facts] = {}
    for facts in networks:
        label = network_label(facts.network)
        for practice in facts.network["practices"]:
            code = practice["ods_code"]
            memberships.setdefault(code, []).append(label)
            seen.setdefault(code, practice)
        for covered in facts.entities.get("covered_practice", ()):
            covered_by.setdefault(covered.id, []).append(label)
    registered = {p.ods_code: p for p in register.practices} if register else {}
    out: list[Entity] = []
    no_labels: list[str] = []
    for code in sorted(registered.keys() | memberships.keys()):
        entry = registered.get(code)
        member = seen.get(code, {})
        listed = memberships.get(code, no_labels)
        distinct = sorted(set(listed))
        f: Facts = {
            "ods_code": code,
            "in_register": entry is not None,
            "memberships": listed,
            "membership_count": len(listed),
            "networks": distinct,
            "network_count": len(distinct),
            "covered_by": sorted(set(covered_by.get(code, no_labels))),
        }
        _put(f, "name", (entry.name if entry else None) or member.get("name"))
        _put(f, "commissioner", (entry.commissioner if entry else None) or member.get("ccg"))
        _put(f, "list_size", (entry.list_size if entry else None) or member.get("list_size"))
        out.append(Entity("register_practice", code, f.get("name"), f))
    return tuple(out)


# --------------------------------------------------------------------------------------------
# The catalogue: every fact a rule may read, by scope variable, with where it comes from.
# --------------------------------------------------------------------------------------------

_DECISION = {
    "approved_by": "who approved it",
    "approved_on": "date approved",
    "reason": "why it was granted",
    "expires_on": "last valid day, if it expires",
}

#: Scope variable → the scope's plural label, for "no … in the submission" findings.
SCOPES: dict[str, str] = {
    "network": "network",
    "practice": "member practices",
    "provider": "non-GP providers",
    "covered_practice": "covered non-participating practices",
    "role": "additional roles",
    "care_home": "aligned care homes",
    "sub_contract": "sub-contracts",
    "register_practice": "practices in the register or in any network",
}

#: Scopes that describe a batch of networks (with a register), not one network.
BATCH_SCOPES = frozenset({"register_practice"})

#: variable → fact path → (description, submission JSON path it comes from).
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    "submission": {
        "type": ("registration or update", "submission.type"),
        "submitted_on": ("date received by the commissioner", "submission.submitted_on"),
        "submitted_by": ("who sent it", "submission.submitted_by"),
        "contract_year": ("contract year, e.g. 2019/20", "contract_year"),
    },
    "network": {
        "name": ("network name", "network.name"),
        "ods_code": ("PCN ODS code", "network.ods_code"),
        "lead_ccg": ("lead commissioner ODS code", "network.lead_commissioner.ods_code"),
        "map_reference": ("where the area map is", "network.area.map_reference"),
        "contiguous": ("area declared contiguous", "network.area.contiguous"),
        "declared_list_size": ("declared total list size", "network.declared_list_size"),
        "practice_count": ("number of member practice entries", "practices"),
        "distinct_practice_count": ("number of distinct member practices", "practices"),
        "gp_practice_count": (
            "members with a GMS, PMS or APMS contract (only when every member's contract type "
            "is given)",
            "practices[].contract_type",
        ),
        "gp_practices_known": (
            "members known to hold a GMS, PMS or APMS contract (a lower bound when some "
            "contract types are not given)",
            "practices[].contract_type",
        ),
        "practice_codes": ("member ODS codes, in order", "practices[].ods_code"),
        "duplicate_practice_codes": ("codes listed more than once", "practices[].ods_code"),
        "practices": ("member practice facts (as for the practice scope)", "practices"),
        "practices_without_list_size": ("members with no list size", "practices[].list_size"),
        "list_size_partial": ("sum of the list sizes given", "practices[].list_size"),
        "list_size": (
            "sum of member list sizes (only when every member has one)",
            "practices[].list_size",
        ),
        "weighted_list_size": (
            "sum of weighted list sizes (only when every member has one)",
            "practices[].weighted_list_size",
        ),
        "cross_ccg_practices": ("members whose CCG is not the lead CCG", "practices[].ccg"),
        "clinical_director": ("the Clinical Director", "clinical_director"),
        "clinical_director.name": ("name", "clinical_director.name"),
        "clinical_director.profession": ("profession", "clinical_director.profession"),
        "clinical_director.is_clinician": (
            "profession is clinical",
            "clinical_director.profession",
        ),
        "clinical_director.practice_ods_code": (
            "practice they practise in",
            "clinical_director.practice_ods_code",
        ),
        "clinical_director.practice_is_member": (
            "that practice is a member",
            "clinical_director.practice_ods_code",
        ),
        "clinical_director.start_date": ("first day in post", "clinical_director.start_date"),
        "clinical_director.end_date": ("last day in post", "clinical_director.end_date"),
        "nominated_payee": ("the nominated payee", "nominated_payee"),
        "nominated_payee.kind": ("practice or provider", "nominated_payee.kind"),
        "nominated_payee.name": ("payee name", "nominated_payee.name"),
        "nominated_payee.ods_code": ("payee ODS code", "nominated_payee.ods_code"),
        "nominated_payee.bank_details_supplied": (
            "bank details supplied",
            "nominated_payee.bank_details_supplied",
        ),
        "nominated_payee.is_member_practice": (
            "payee is a member practice (absent for a practice with no ODS code given)",
            "nominated_payee.ods_code",
        ),
        "agreement.initial_unsigned": (
            "members known not to have signed the initial agreement (as of the date)",
            "practices[].initial_agreement_signed_on",
        ),
        "agreement.full_unsigned": (
            "members known not to have signed the full Network Agreement (as of the date)",
            "practices[].network_agreement_signed_on / network_agreement.signatories",
        ),
        "agreement.all_signed_initial": (
            "every member has signed the initial (or full) agreement; absent while some "
            "member's signature is not evidenced and none is known to be missing",
            "practices[].initial_agreement_signed_on",
        ),
        "agreement.all_signed": (
            "every member has signed the full Network Agreement; absent while some member's "
            "signature is not evidenced and none is known to be missing",
            "practices[].network_agreement_signed_on / network_agreement.signatories",
        ),
        "agreement.schedules_completed": (
            "schedules completed",
            "network_agreement.schedules_completed",
        ),
        "agreement.schedules_missing": (
            "schedules 1-7 not completed",
            "network_agreement.schedules_completed",
        ),
        "agreement.national_clauses_unchanged": (
            "national clauses unchanged",
            "network_agreement.national_clauses_unchanged",
        ),
        "agreement.signatories_not_members": (
            "signatories that are not members",
            "network_agreement.signatories",
        ),
        "agreement.data_sharing_in_place": (
            "data-sharing agreement in place",
            "network_agreement.data_sharing.in_place",
        ),
        "agreement.data_sharing_signed_on": (
            "data-sharing agreement signed on",
            "network_agreement.data_sharing.signed_on",
        ),
        "commissioner.registration_confirmed_on": (
            "registration confirmed on",
            "commissioner.registration_confirmed_on",
        ),
        "commissioner.area_approved_on": (
            "network area approved on",
            "commissioner.area_approved_on",
        ),
        "commissioner.population_waiver": (
            "waiver of the 30,000 minimum",
            "commissioner.population_waiver",
        ),
        "commissioner.over_50k_agreement": (
            "agreement to more than 50,000",
            "commissioner.over_50k_agreement",
        ),
        "commissioner.cross_boundary_agreed": (
            "practices with cross-boundary agreement",
            "commissioner.cross_boundary_agreements[].practice_ods_code",
        ),
        **{
            f"commissioner.{d}.{k}": (v, f"commissioner.{d}.{k}")
            for d in ("population_waiver", "over_50k_agreement")
            for k, v in _DECISION.items()
        },
        "extended_hours": ("extended hours offered", "extended_hours"),
        "extended_hours.minutes_per_week": (
            "declared minutes per week",
            "extended_hours.minutes_per_week",
        ),
        "extended_hours.blocks": ("blocks in a typical week", "extended_hours.blocks"),
        "extended_hours.blocks.day": ("day of week", "extended_hours.blocks[].day"),
        "extended_hours.blocks.start": ("start HH:MM", "extended_hours.blocks[].start"),
        "extended_hours.blocks.end": ("end HH:MM", "extended_hours.blocks[].end"),
        "extended_hours.blocks.minutes": ("block length", "extended_hours.blocks[]"),
        "extended_hours.blocks.outside_core_hours": (
            "outside 08:00-18:30 on weekdays",
            "extended_hours.blocks[]",
        ),
        "extended_hours.block_minutes": ("total minutes of the blocks", "extended_hours.blocks"),
        "extended_hours.blocks_under_30": (
            "blocks shorter than 30 minutes",
            "extended_hours.blocks",
        ),
        "extended_hours.blocks_in_core_hours": (
            "blocks inside core hours",
            "extended_hours.blocks",
        ),
        "non_gp_providers": ("non-GP providers (as for the provider scope)", "non_gp_providers"),
        "non_gp_provider_count": ("number of non-GP providers", "non_gp_providers"),
        "non_gp_provider_types": ("distinct provider types", "non_gp_providers[].type"),
        "covered_practice_count": ("non-participating practices covered", "covered_practices"),
        "role_counts": ("additional roles per role type", "additional_roles[].role"),
        "role_count": ("number of additional roles", "additional_roles"),
        "roles": ("additional roles (as for the role scope)", "additional_roles"),
        "role_claim_total": ("sum of the claims given", "additional_roles[].claim"),
        "roles_without_claim": ("roles with no claim given", "additional_roles[].claim"),
        "participation": ("2020/21 participation", "participation"),
        "participation.confirmed_on": (
            "continued participation confirmed on",
            "participation.confirmed_on",
        ),
        "participation.changes": ("changes notified", "participation.changes"),
        "participation.changes.kind": (
            "nominated_payee, membership, area or clinical_director",
            "participation.changes[].kind",
        ),
        "participation.changes.notified_on": (
            "change notified on",
            "participation.changes[].notified_on",
        ),
        "participation.changes.description": (
            "what changed",
            "participation.changes[].description",
        ),
        "participation.change_kinds": ("kinds of change notified", "participation.changes"),
        "participation.opt_outs": ("practices opting out", "participation.opt_outs"),
        "participation.opt_outs.practice_ods_code": (
            "practice opting out",
            "participation.opt_outs[].practice_ods_code",
        ),
        "participation.opt_outs.notified_on": (
            "notice given on",
            "participation.opt_outs[].notified_on",
        ),
        "participation.opt_outs.effective_on": (
            "opt-out takes effect on",
            "participation.opt_outs[].effective_on",
        ),
        "participation.opt_outs.one_month_notice": (
            "at least one month between notice and effect",
            "participation.opt_outs[]",
        ),
        "participation.opt_outs.still_member": (
            "the practice is still listed as a member",
            "participation.opt_outs[].practice_ods_code",
        ),
        "care_home_count": ("aligned care homes", "care_homes"),
        "care_home_beds": (
            "beds in aligned care homes (when every home gives beds)",
            "care_homes[].beds",
        ),
        "sub_contract_count": ("sub-contracts", "sub_contracts"),
        "workforce": ("workforce planning returns", "workforce"),
        "workforce.plan_submitted_on": (
            "2020/21 workforce plan returned on",
            "workforce.plan_submitted_on",
        ),
        "workforce.intentions_submitted_on": (
            "intentions to 2023/24 sent on",
            "workforce.intentions_submitted_on",
        ),
        "services": ("service specification set-up", "services"),
        "services.smr_lead": ("SMR and medicines optimisation lead", "services.smr_lead"),
        "services.ehch_lead": ("Enhanced Health in Care Homes lead", "services.ehch_lead"),
        "services.early_cancer_lead": ("early cancer diagnosis lead", "services.early_cancer_lead"),
        "services.ehch_mdt_with_community_provider": (
            "care-home MDT agreed with the community provider",
            "services.ehch_mdt_with_community_provider",
        ),
    },
    "practice": {
        "ods_code": ("practice ODS code", "practices[].ods_code"),
        "name": ("practice name", "practices[].name"),
        "contract_type": ("GMS, PMS, APMS or other", "practices[].contract_type"),
        "in_hours_contract": ("contract covers in-hours services", "practices[].in_hours_contract"),
        "ccg": ("practice's CCG", "practices[].ccg"),
        "in_lead_ccg": ("CCG is the network's lead CCG", "practices[].ccg"),
        "list_size": ("registered patients", "practices[].list_size"),
        "list_size_date": ("date the list was counted", "practices[].list_size_date"),
        "weighted_list_size": ("weighted list size", "practices[].weighted_list_size"),
        "initial_agreement_signed_on": (
            "initial agreement signed on",
            "practices[].initial_agreement_signed_on",
        ),
        "network_agreement_signed_on": (
            "full Network Agreement signed on",
            "practices[].network_agreement_signed_on",
        ),
        "signed_initial_agreement": (
            "signed the initial (or the full) agreement; absent when not evidenced",
            "practices[].initial_agreement_signed_on",
        ),
        "signed_network_agreement": (
            "signed the full Network Agreement; absent when not evidenced",
            "practices[].network_agreement_signed_on / network_agreement.signatories",
        ),
        "occurrences": ("times listed in this submission", "practices[].ods_code"),
        "cross_boundary_agreed": (
            "commissioners agreed to a cross-boundary membership",
            "commissioner.cross_boundary_agreements",
        ),
        "cross_boundary_agreed_on": (
            "when both commissioners agreed to it (the earliest agreement)",
            "commissioner.cross_boundary_agreements[].approved_on",
        ),
    },
    "provider": {
        "name": ("provider name", "non_gp_providers[].name"),
        "type": ("provider type", "non_gp_providers[].type"),
        "ods_code": ("provider ODS code", "non_gp_providers[].ods_code"),
        "arrangement": ("how the network works with it", "non_gp_providers[].arrangement"),
        "schedule_7_entry": (
            "recorded in Schedule 7 of the Network Agreement",
            "non_gp_providers[].schedule_7_entry",
        ),
        "agreed_on": ("arrangement agreed on", "non_gp_providers[].agreed_on"),
        "joint_decision_making": (
            "how joint decisions are made",
            "non_gp_providers[].joint_decision_making",
        ),
    },
    "care_home": {
        "cqc_location_id": ("CQC location ID", "care_homes[].cqc_location_id"),
        "name": ("care home name", "care_homes[].name"),
        "beds": ("registered beds", "care_homes[].beds"),
        "clinical_lead": ("named clinical lead", "care_homes[].clinical_lead"),
        "aligned_on": ("aligned to the network on", "care_homes[].aligned_on"),
        "occurrences": ("times listed in this submission", "care_homes[].cqc_location_id"),
    },
    "sub_contract": {
        "index": ("position in sub_contracts (0-based)", "sub_contracts[]"),
        "provider": ("sub-contractor", "sub_contracts[].provider"),
        "service": ("what is sub-contracted", "sub_contracts[].service"),
        "starts_on": ("first day of the sub-contract", "sub_contracts[].starts_on"),
        "approval": ("commissioner's prior written approval", "sub_contracts[].approval"),
        **{f"approval.{k}": (v, f"sub_contracts[].approval.{k}") for k, v in _DECISION.items()},
    },
    "covered_practice": {
        "ods_code": ("practice ODS code", "covered_practices[].ods_code"),
        "name": ("practice name", "covered_practices[].name"),
        "list_size": ("registered patients", "covered_practices[].list_size"),
        "is_member": ("also listed as a member", "covered_practices[].ods_code"),
        "local_agreement": ("the local agreement", "covered_practices[].local_agreement"),
        **{
            f"local_agreement.{k}": (v, f"covered_practices[].local_agreement.{k}")
            for k, v in _DECISION.items()
        },
    },
    "register_practice": {
        "ods_code": ("practice ODS code", "practices[].ods_code / the register"),
        "name": ("practice name", "the register / practices[].name"),
        "commissioner": ("the practice's commissioner (CCG)", "the register / practices[].ccg"),
        "list_size": ("registered patients", "the register / practices[].list_size"),
        "in_register": ("listed in the register given to the audit", "--register"),
        "memberships": ("each network listing it as a member, once per listing", "practices"),
        "membership_count": ("how many times it is listed as a core member", "practices"),
        "networks": ("distinct networks it is a member of", "practices"),
        "network_count": ("number of distinct networks it is a member of", "practices"),
        "covered_by": (
            "networks covering its patients as a non-participating practice",
            "covered_practices",
        ),
    },
    "role": {
        "index": ("position in additional_roles (0-based)", "additional_roles[]"),
        "ordinal": (
            "1 for the first post of this role type, 2 for the second...",
            "additional_roles[]",
        ),
        "role": ("role type", "additional_roles[].role"),
        "wte": ("whole-time equivalent", "additional_roles[].wte"),
        "annual_cost": ("annual cost in pounds", "additional_roles[].annual_cost"),
        "claim": ("reimbursement claimed", "additional_roles[].claim"),
        "additional_to_baseline": (
            "additional to the 31 March 2019 baseline",
            "additional_roles[].additional_to_baseline",
        ),
        "baseline_exception": ("CPGP or MOCH transfer", "additional_roles[].baseline_exception"),
        "same_role_count": ("posts of this role type in the network", "additional_roles[].role"),
    },
}


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
    read, given their field chains (see :func:`pcn_rules.celexpr.field_chains`).

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
