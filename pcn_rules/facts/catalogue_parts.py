"""The catalogue, part two: the facts of services and partners (extended hours, non-GP
providers, covered practices, additional roles, membership changes and the 2020/21 parts), as
built by :mod:`pcn_rules.facts.parts` and :mod:`pcn_rules.facts.changes`."""

from __future__ import annotations

#: The facts of a commissioner decision (made by the as-of date: one approved later is absent).
DECISION = {
    "approved_by": "who approved it",
    "approved_on": "date approved",
    "reason": "why it was granted",
    "expires_on": "last valid day, if it expires",
    "in_force": (
        "still in force at the as-of date (false once expires_on is past): a rule relying on the "
        "decision reads it"
    ),
}
#: The submission field a decision fact comes from (``in_force`` is judged on ``expires_on``).
DECISION_FIELD = {key: "expires_on" if key == "in_force" else key for key in DECISION}

#: Network facts of services and partners: fact path → (description, submission JSON path).
NETWORK_SERVICE_FACTS: dict[str, tuple[str, str]] = {
    "extended_hours": ("extended hours offered", "extended_hours"),
    "extended_hours.minutes_per_week": (
        "declared minutes per week",
        "extended_hours.minutes_per_week",
    ),
    "extended_hours.population": (
        "registered patients at population_date (absent if counted after the as-of date)",
        "extended_hours.population",
    ),
    "extended_hours.population_date": (
        "when that population was counted",
        "extended_hours.population_date",
    ),
    "extended_hours.population_at": (
        "that population by the date it was counted (absent without both)",
        "extended_hours.population",
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
    "non_gp_provider_count": (
        "number of non-GP providers, leaving out any whose arrangement is agreed after the "
        "as-of date",
        "non_gp_providers / non_gp_providers[].agreed_on",
    ),
    "non_gp_provider_types": (
        "distinct types of those providers",
        "non_gp_providers[].type / non_gp_providers[].agreed_on",
    ),
    "covered_practice_count": ("non-participating practices covered", "covered_practices"),
    "role_counts": ("additional roles per role type", "additional_roles[].role"),
    "role_wte": (
        "whole-time equivalents per role type (to 3 decimals)",
        "additional_roles[].wte",
    ),
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
    "services": ("the 2020/21 service specifications", "services"),
    "services.smr": ("structured medication reviews", "services.smr"),
    "services.smr.lead": ("who leads the reviews", "services.smr.lead"),
    "services.smr.approach": (
        "how patients are identified, prioritised, offered reviews and recorded",
        "services.smr.approach",
    ),
    "services.smr.started_on": ("reviews offered from", "services.smr.started_on"),
    "services.cancer": ("early cancer diagnosis", "services.cancer"),
    "services.cancer.referral_review": (
        "referral practice for suspected cancer reviewed",
        "services.cancer.referral_review",
    ),
    "services.cancer.screening_actions": (
        "acting to raise cancer screening uptake",
        "services.cancer.screening_actions",
    ),
    "services.cancer.community_of_practice": (
        "taking part in the local cancer community of practice",
        "services.cancer.community_of_practice",
    ),
    "membership_change_count": (
        "membership changes notified by the as-of date",
        "membership_changes",
    ),
}

#: The entity scopes of services and partners: variable → fact path → (description, source).
SERVICE_SCOPES: dict[str, dict[str, tuple[str, str]]] = {
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
        "clinical_lead_profession": (
            "the clinical lead's profession",
            "care_homes[].clinical_lead_profession",
        ),
        "clinical_lead_is_gp": (
            "the clinical lead is a GP",
            "care_homes[].clinical_lead_profession",
        ),
        "non_gp_lead_agreement": (
            "agreement to a clinical lead who is not a GP",
            "care_homes[].non_gp_lead_agreement",
        ),
        **{
            f"non_gp_lead_agreement.{k}": (
                v,
                f"care_homes[].non_gp_lead_agreement.{DECISION_FIELD[k]}",
            )
            for k, v in DECISION.items()
        },
        "mdt_agreed_on": (
            "multidisciplinary team agreed with the community provider on",
            "care_homes[].mdt_agreed_on",
        ),
        "weekly_round": ("a weekly home round is held", "care_homes[].weekly_round"),
        "care_plans": ("residents have personalised care plans", "care_homes[].care_plans"),
    },
    "membership_change": {
        "index": ("position in membership_changes (0-based)", "membership_changes[]"),
        "practice_ods_code": ("the practice", "membership_changes[].practice_ods_code"),
        "kind": ("joining or leaving", "membership_changes[].kind"),
        "notified_on": ("notice given on", "membership_changes[].notified_on"),
        "effective_on": ("takes effect on", "membership_changes[].effective_on"),
        "notice_days": (
            "days from the notice to the day it takes effect",
            "membership_changes[].notified_on / membership_changes[].effective_on",
        ),
        "starts_a_quarter": (
            "takes effect on the first day of a quarter (1 April, July, October or January)",
            "membership_changes[].effective_on",
        ),
        "later_quarter": (
            "takes effect in a later quarter than the notice",
            "membership_changes[].notified_on / membership_changes[].effective_on",
        ),
        "approval": ("the commissioner's approval", "membership_changes[].approval"),
        **{
            f"approval.{k}": (v, f"membership_changes[].approval.{DECISION_FIELD[k]}")
            for k, v in DECISION.items()
        },
    },
    "sub_contract": {
        "index": ("position in sub_contracts (0-based)", "sub_contracts[]"),
        "provider": ("sub-contractor", "sub_contracts[].provider"),
        "service": ("what is sub-contracted", "sub_contracts[].service"),
        "starts_on": ("first day of the sub-contract", "sub_contracts[].starts_on"),
        "started": (
            "the sub-contract has started by the as-of date (absent without starts_on)",
            "sub_contracts[].starts_on",
        ),
        "approval": ("commissioner's prior written approval", "sub_contracts[].approval"),
        **{
            f"approval.{k}": (v, f"sub_contracts[].approval.{DECISION_FIELD[k]}")
            for k, v in DECISION.items()
        },
    },
    "covered_practice": {
        "ods_code": ("practice ODS code", "covered_practices[].ods_code"),
        "name": ("practice name", "covered_practices[].name"),
        "list_size": ("registered patients", "covered_practices[].list_size"),
        "is_member": ("also listed as a member", "covered_practices[].ods_code"),
        "local_agreement": ("the local agreement", "covered_practices[].local_agreement"),
        **{
            f"local_agreement.{k}": (
                v,
                f"covered_practices[].local_agreement.{DECISION_FIELD[k]}",
            )
            for k, v in DECISION.items()
        },
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
        "same_role_wte": (
            "whole-time equivalents of this role type in the network (to 3 decimals)",
            "additional_roles[].wte",
        ),
        "starts_on": ("first day in post", "additional_roles[].starts_on"),
        "year_share": (
            "share of its financial year (to 31 March) from starts_on, month by month",
            "additional_roles[].starts_on",
        ),
    },
}
