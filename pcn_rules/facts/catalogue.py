"""The catalogue: every fact a rule may read, by scope variable, with the submission field it
comes from.  Pack loading checks rule conditions against it, so a misspelt fact is a pack error.
"""

from __future__ import annotations

from pcn_rules.facts.catalogue_parts import (
    DECISION,
    DECISION_FIELD,
    NETWORK_SERVICE_FACTS,
    SERVICE_SCOPES,
)

#: Scope variable → the scope's plural label, for "no … in the submission" findings.
SCOPES: dict[str, str] = {
    "network": "network",
    "practice": "member practices",
    "provider": "non-GP providers",
    "covered_practice": "covered non-participating practices",
    "role": "additional roles",
    "care_home": "aligned care homes",
    "sub_contract": "sub-contracts",
    "membership_change": "membership changes",
    "register_practice": "practices in the register or in any network",
}

#: Scopes that describe a batch of networks (with a register), not one network.
BATCH_SCOPES = frozenset({"register_practice"})

#: Facts that are maps keyed by values of the submission, not by fact names: a condition may
#: select any key of one (``network.role_counts.clinical_pharmacist``).
MAPS: dict[str, frozenset[str]] = {
    "network": frozenset({"role_counts", "role_wte", "extended_hours.population_at"})
}

#: variable → fact path → (description, submission JSON path it comes from).
#: A path ``a.b`` declares ``b`` a fact of the map ``a`` (which a condition may also read
#: whole); the items of a list of records are described in lookup.ELEMENTS.
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
        "area_pieces": (
            "pieces of the area's boundary more than 250 m apart (computed with the geo extra)",
            "network.area.boundary",
        ),
        "area_split": ("the area's pieces in words (main and detached)", "network.area.boundary"),
        "area_boundary_problem": ("why the boundary given cannot be used", "network.area.boundary"),
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
        "listed_list_size_partial": (
            "sum of the list sizes given of every practice listed, members as of the date or not",
            "practices[].list_size",
        ),
        "listed_list_size": (
            "sum of the list sizes of every practice listed (only when every one has one)",
            "practices[].list_size",
        ),
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
            "practices with a cross-boundary agreement in force at the as-of date",
            "commissioner.cross_boundary_agreements[].practice_ods_code",
        ),
        **{
            f"commissioner.{d}.{k}": (v, f"commissioner.{d}.{DECISION_FIELD[k]}")
            for d in ("population_waiver", "over_50k_agreement", "pharmacy_technician_supply")
            for k, v in DECISION.items()
        },
        "commissioner.pharmacy_technician_supply": (
            "confirmation that local supply does not constrain pharmacy technicians (2020/21)",
            "commissioner.pharmacy_technician_supply",
        ),
        **NETWORK_SERVICE_FACTS,
    },
    "practice": {
        "ods_code": ("practice ODS code", "practices[].ods_code"),
        "name": ("practice name", "practices[].name"),
        "contract_type": ("GMS, PMS, APMS or other", "practices[].contract_type"),
        "in_hours_contract": ("contract covers in-hours services", "practices[].in_hours_contract"),
        "rurality": ("urban or rural", "practices[].rurality"),
        "ccg": ("practice's CCG", "practices[].ccg"),
        "in_lead_ccg": ("CCG is the network's lead CCG", "practices[].ccg"),
        "list_size": ("registered patients", "practices[].list_size"),
        "list_size_date": ("date the list was counted", "practices[].list_size_date"),
        "joined_on": (
            "the day it joined, for a member that joined by a membership change",
            "membership_changes[].effective_on",
        ),
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
            "both commissioners' agreement to a cross-boundary membership is in force at the "
            "as-of date (an agreement past its expires_on is not)",
            "commissioner.cross_boundary_agreements",
        ),
        "cross_boundary_agreed_on": (
            "when both commissioners agreed to it (the earliest agreement in force)",
            "commissioner.cross_boundary_agreements[].approved_on",
        ),
        "cross_boundary_expired_on": (
            "the day its agreement expired, when every agreement for it has expired by the "
            "as-of date",
            "commissioner.cross_boundary_agreements[].expires_on",
        ),
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
            "networks covering its patients as a non-participating practice (not under an "
            "expired local agreement)",
            "covered_practices",
        ),
        "covered_agreement_expired": (
            "networks listing it as covered under a local agreement expired by the as-of date",
            "covered_practices[].local_agreement",
        ),
    },
    **SERVICE_SCOPES,
}
