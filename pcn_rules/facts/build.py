"""Building the facts of one submission, as of a date: the network, its members, governance.

As of the as-of date, every fact dated after it is left out (recorded as postponed): an
agreement signed later is unsigned, a decision approved later not yet made, a Clinical Director
starting later not yet in post.  A commissioner decision past its last valid day
(``expires_on``) is kept, but says it is no longer in force (``in_force``), so that a rule
relying on it is not met and can say when it expired.  This happens here, once, not in each
rule.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import get_args

from pcn_rules.facts.asof import AsOf
from pcn_rules.facts.batch import batch_practices
from pcn_rules.facts.members import listed_sizes, members_as_of
from pcn_rules.facts.model import Facts, SubmissionFacts, iso, put
from pcn_rules.facts.parts import entities, services_and_partners
from pcn_rules.submission.model import Submission
from pcn_rules.submission.network import Practice, Profession

#: Contract types that make a practice a core GP member.
GP_CONTRACTS = ("GMS", "PMS", "APMS")
#: Professions that count as clinicians for the Clinical Director role.
CLINICAL_PROFESSIONS = tuple(p for p in get_args(Profession) if p != "non_clinical")


def _all_known(values: list[bool | None]) -> bool | None:
    """True if every value is True; False if any is False; None (unknown) otherwise, and for
    no values at all (with no member practice listed, "every practice signed" shows nothing)."""
    if not values:
        return None
    if any(v is False for v in values):
        return False
    if all(v is True for v in values):
        return True
    return None


def build_facts(
    sub: Submission, *, as_of: dt.date | None = None, batch: bool = True
) -> SubmissionFacts:
    """Derive every fact the rules read from one validated submission, as of a date.

    As of ``as_of``, every fact dated after it is left out (recorded in ``postponed``).
    ``as_of=None`` includes every fact.  ``batch=False`` leaves out the batch scopes (the
    practices of a register), for a caller that evaluates them once across many networks (an
    audit)."""
    view = AsOf(as_of)
    facts = _build(sub, view, batch)
    return SubmissionFacts(
        submission=facts.submission,
        network=facts.network,
        entities=facts.entities,
        as_of=facts.as_of,
        postponed=tuple(view.postponed),
        dated=tuple(view.dated),
        unfiltered=_build(sub, AsOf(None), batch) if view.postponed else None,
        placeholders=sub.placeholders,
        warnings=facts.warnings,
    )


def _build(sub: Submission, view: AsOf, batch: bool) -> SubmissionFacts:
    warnings: list[str] = []
    members = members_as_of(sub, view, warnings)
    cross_on, cross_expired = _cross_boundary_agreements(sub, view)
    practices = _practices(sub, view, members, cross_on, cross_expired)
    network = _network(sub, practices, warnings)
    listed_sizes(sub, members, network)
    occurrences = Counter(p.ods_code for _, p in members)
    _governance(sub, view, network, occurrences, sorted(cross_on))
    found = services_and_partners(sub, view, network, occurrences)

    info = sub.submission
    submission: Facts = {"type": info.type}
    put(submission, "submitted_on", iso(view.seen(info.submitted_on, "submission.submitted_on")))
    put(submission, "submitted_by", info.submitted_by)
    put(submission, "contract_year", sub.contract_year)

    grouped = entities(sub, network, practices, found, [f"practices[{i}]" for i, _ in members])
    as_of = view.as_of.isoformat() if view.as_of else None
    facts = SubmissionFacts(
        submission=submission,
        network=network,
        entities=grouped,
        as_of=as_of,
        warnings=tuple(warnings),
    )
    # a single submission is a batch of one network, with no register
    grouped["register_practice"] = batch_practices([facts], None) if batch else ()
    return facts


def _cross_boundary_agreements(
    sub: Submission, view: AsOf
) -> tuple[dict[str, str], dict[str, str]]:
    """Practice code → the earliest date both commissioners agreed to its membership, of the
    agreements in force as of the date; and practice code → the day the last of its agreements
    expired, for a practice whose every agreement has expired by then."""
    cross_on: dict[str, str] = {}
    expired: dict[str, str] = {}
    decisions = sub.commissioner
    for index, cba in enumerate((decisions.cross_boundary_agreements or []) if decisions else []):
        path = f"commissioner.cross_boundary_agreements[{index}]"
        code = cba.practice_ods_code
        if view.decision(cba, path, code) is None:
            continue  # agreed after the as-of date: not agreed yet
        if view.in_force(cba):
            day = cba.approved_on.isoformat()
            cross_on[code] = min(day, cross_on.get(code, day))
        elif cba.expires_on is not None:
            day = cba.expires_on.isoformat()
            expired[code] = max(day, expired.get(code, day))
    return cross_on, {code: day for code, day in expired.items() if code not in cross_on}


def _practices(
    sub: Submission,
    view: AsOf,
    members: list[tuple[int, Practice]],
    cross_on: dict[str, str],
    cross_expired: dict[str, str],
) -> list[Facts]:
    net = sub.network
    lead_ccg = net.lead_commissioner.ods_code if net.lead_commissioner else None
    agreement = sub.network_agreement
    signatories = set(agreement.signatories or []) if agreement else set()
    listed_signatories = agreement is not None and agreement.signatories is not None
    occurrences = Counter(p.ods_code for _, p in members)
    # a member that joined by a membership change (after go-live): the day it joined
    joined = {
        change.practice_ods_code: change.effective_on.isoformat()
        for change in sorted(sub.membership_changes or [], key=lambda c: c.effective_on)
        if change.kind == "joining" and not view.later(change.effective_on)
    }
    practices: list[Facts] = []
    for index, practice in members:
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
        put(p, "joined_on", joined.get(code))
        put(p, "signed_initial_agreement", signed_initial)
        put(p, "signed_network_agreement", signed_full)
        put(p, "name", practice.name)
        put(p, "contract_type", practice.contract_type)
        put(p, "in_hours_contract", practice.in_hours_contract)
        put(p, "rurality", practice.rurality)
        put(p, "ccg", practice.ccg)
        size_date = view.seen(practice.list_size_date, f"{path}.list_size_date", code)
        if size_date is not None or practice.list_size_date is None:
            # a list counted after the as-of date had not been counted then
            put(p, "list_size", practice.list_size)
            put(p, "weighted_list_size", practice.weighted_list_size)
        put(p, "list_size_date", iso(size_date))
        put(p, "initial_agreement_signed_on", iso(initial))
        put(p, "network_agreement_signed_on", iso(full))
        put(p, "cross_boundary_agreed_on", cross_on.get(code))
        put(p, "cross_boundary_expired_on", cross_expired.get(code))
        if practice.ccg is not None and lead_ccg is not None:
            p["in_lead_ccg"] = practice.ccg == lead_ccg
        practices.append(p)
    return practices


def _boundary_facts(
    network: Facts, boundary: dict[str, object], name: str, declared: bool | None
) -> str | None:
    """GEO-CONTIGUOUS from the area's boundary, where the geo extra can compute it: the number
    of pieces and, for several, what they are; or why the boundary cannot be used.  Without the
    extra nothing is added, the declared ``contiguous`` stands, and the warning returned says
    so (never a boundary passed over in silence)."""
    from pcn_rules.errors import InputError
    from pcn_rules.geo.deps import GeoExtraMissing
    from pcn_rules.geo.submitted import boundary_split

    try:
        pieces, split = boundary_split(boundary, name)
    except GeoExtraMissing:
        return (
            "network.area.boundary was not checked: it needs the optional geo extra (pip "
            "install 'pcn-rules[geo]'); GEO-CONTIGUOUS is judged on the declared `contiguous` "
            "alone"
        )
    except InputError as exc:
        network["area_boundary_problem"] = exc.problems[0][1] if exc.problems else str(exc)
        return None
    network["area_pieces"] = pieces
    if split:
        contradicted = "; this contradicts the declared `contiguous: true`" if declared else ""
        network["area_split"] = split + contradicted
    return None


def _network(sub: Submission, practices: list[Facts], warnings: list[str]) -> Facts:
    net = sub.network
    occurrences = Counter(p["ods_code"] for p in practices)
    contract_known = [p for p in practices if "contract_type" in p]
    network: Facts = {
        "name": net.name,
        "practice_count": len(practices),
        "distinct_practice_count": len(occurrences),
        "gp_practices_known": sum(1 for p in contract_known if p["contract_type"] in GP_CONTRACTS),
        "practice_codes": [p["ods_code"] for p in practices],
        "duplicate_practice_codes": sorted(c for c, n in occurrences.items() if n > 1),
        "practices": practices,
        "practices_without_list_size": [p["ods_code"] for p in practices if "list_size" not in p],
        "list_size_partial": sum(p.get("list_size", 0) for p in practices),
        "cross_ccg_practices": [p["ods_code"] for p in practices if p.get("in_lead_ccg") is False],
    }
    if len(contract_known) == len(practices):
        network["gp_practice_count"] = network["gp_practices_known"]
    put(network, "ods_code", net.ods_code)
    put(network, "lead_ccg", net.lead_commissioner.ods_code if net.lead_commissioner else None)
    put(network, "declared_list_size", net.declared_list_size)
    if net.area is not None:
        put(network, "map_reference", net.area.map_reference)
        put(network, "contiguous", net.area.contiguous)
        if net.area.boundary is not None:
            unchecked = _boundary_facts(network, net.area.boundary, net.name, net.area.contiguous)
            if unchecked is not None:
                warnings.append(unchecked)
    if practices and not network["practices_without_list_size"]:
        network["list_size"] = network["list_size_partial"]
    if practices and all("weighted_list_size" in p for p in practices):
        network["weighted_list_size"] = float(sum(p["weighted_list_size"] for p in practices))
    return network


def _governance(
    sub: Submission,
    view: AsOf,
    network: Facts,
    occurrences: Counter[str],
    cross_agreed: list[str],
) -> None:
    """The Clinical Director, the nominated payee, the Network Agreement and the commissioner's
    decisions."""
    cd = sub.clinical_director
    if cd is not None:
        cd_facts: Facts = {"name": cd.name}
        put(cd_facts, "profession", cd.profession)
        if cd.profession is not None:
            cd_facts["is_clinician"] = cd.profession in CLINICAL_PROFESSIONS
        put(cd_facts, "practice_ods_code", cd.practice_ods_code)
        if cd.practice_ods_code is not None:
            cd_facts["practice_is_member"] = cd.practice_ods_code in occurrences
        start = view.seen(cd.start_date, "clinical_director.start_date", cd.name)
        put(cd_facts, "start_date", iso(start))
        # a last day after the as-of date has not come yet: in post then
        end = view.seen(cd.end_date, "clinical_director.end_date", cd.name)
        put(cd_facts, "end_date", iso(end))
        network["clinical_director"] = cd_facts

    payee = sub.nominated_payee
    if payee is not None:
        payee_facts: Facts = {"kind": payee.kind}
        put(payee_facts, "name", payee.name)
        put(payee_facts, "ods_code", payee.ods_code)
        put(payee_facts, "bank_details_supplied", payee.bank_details_supplied)
        if payee.kind == "provider" or payee.ods_code is not None:
            payee_facts["is_member_practice"] = payee.kind == "practice" and (
                payee.ods_code in occurrences
            )
        network["nominated_payee"] = payee_facts

    network["agreement"] = _agreement(sub, view, network["practices"], occurrences)

    decisions = sub.commissioner
    decided: Facts = {"cross_boundary_agreed": cross_agreed}
    if decisions is not None:
        confirmed = view.seen(
            decisions.registration_confirmed_on, "commissioner.registration_confirmed_on"
        )
        approved = view.seen(decisions.area_approved_on, "commissioner.area_approved_on")
        put(decided, "registration_confirmed_on", iso(confirmed))
        put(decided, "area_approved_on", iso(approved))
        for key in ("population_waiver", "over_50k_agreement", "pharmacy_technician_supply"):
            made = view.decision(getattr(decisions, key), f"commissioner.{key}")
            put(decided, key, view.decision_facts(made))
    network["commissioner"] = decided


def _agreement(
    sub: Submission, view: AsOf, practices: list[Facts], occurrences: Counter[str]
) -> Facts:
    # the initial agreement belonged to the registration: a practice that joined later signs
    # the full one (NA-FULL)
    founders = [p for p in practices if "joined_on" not in p]
    facts: Facts = {
        "initial_unsigned": [
            p["ods_code"] for p in founders if p.get("signed_initial_agreement") is False
        ],
        "full_unsigned": [
            p["ods_code"] for p in practices if p.get("signed_network_agreement") is False
        ],
    }
    put(
        facts,
        "all_signed_initial",
        _all_known([p.get("signed_initial_agreement") for p in founders]),
    )
    put(facts, "all_signed", _all_known([p.get("signed_network_agreement") for p in practices]))
    agreement = sub.network_agreement
    if agreement is None:
        return facts
    if agreement.schedules_completed is not None:
        done = sorted(agreement.schedules_completed)
        facts["schedules_completed"] = done
        facts["schedules_missing"] = [n for n in range(1, 8) if n not in done]
    put(facts, "national_clauses_unchanged", agreement.national_clauses_unchanged)
    if agreement.signatories is not None:
        facts["signatories_not_members"] = sorted(set(agreement.signatories) - set(occurrences))
    sharing = agreement.data_sharing
    if sharing is not None:
        signed_on = view.seen(sharing.signed_on, "network_agreement.data_sharing.signed_on")
        # signed after the as-of date: not yet in place then
        facts["data_sharing_in_place"] = sharing.in_place and not view.later(sharing.signed_on)
        put(facts, "data_sharing_signed_on", iso(signed_on))
    return facts
