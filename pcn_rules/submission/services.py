"""The submission format, part two: extended hours, non-GP providers, covered practices,
additional roles, and the 2020/21 parts (participation, care homes, sub-contracts, workforce
returns, service set-up)."""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from its text when the models are built, on every start (~2.5 ms).

from typing import Annotated, Literal

from pydantic import Field

from pcn_rules.submission.network import Decision
from pcn_rules.submission.types import (
    CqcLocationId,
    HourMinute,
    IsoDate,
    LongText,
    Model,
    NonNegativeFloat,
    NonNegativeInt,
    OrganisationCode,
    PracticeCode,
    Text,
)


class Block(Model):
    """One continuous block of extended-hours appointments in a typical week."""

    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    start: HourMinute
    end: HourMinute


class ExtendedHours(Model):
    """Extended hours access offered by the network in a typical week."""

    minutes_per_week: NonNegativeInt | None = None
    blocks: list[Block] | None = None


class NonGpProvider(Model):
    """A non-GP organisation the network works with."""

    name: Text
    type: Literal[
        "community_pharmacy",
        "optometry",
        "dental",
        "social_care",
        "voluntary_sector",
        "community_services",
        "community_mental_health",
        "local_government",
        "other",
    ]
    ods_code: OrganisationCode | None = None
    arrangement: LongText | None = Field(
        default=None, description="How the network and the provider work together."
    )
    schedule_7_entry: bool | None = Field(
        default=None,
        description="Whether the arrangement is recorded in Schedule 7 of the Network Agreement "
        "(required for community services providers from 30 September 2020).",
    )
    agreed_on: IsoDate | None = Field(
        default=None, description="When the arrangement with the provider was agreed."
    )
    joint_decision_making: LongText | None = Field(
        default=None,
        description="How the network and the provider make joint decisions (Schedule 7).",
    )


class CoveredPractice(Model):
    """A non-participating practice whose patients this network covers."""

    ods_code: PracticeCode
    name: Text | None = None
    list_size: NonNegativeInt | None = None
    local_agreement: Decision | None = Field(
        default=None,
        description="The locally commissioned agreement under which the network covers the "
        "practice's patients.",
    )


class AdditionalRole(Model):
    """A post claimed under the Additional Roles Reimbursement Scheme."""

    role: Literal[
        "clinical_pharmacist",
        "social_prescribing_link_worker",
        "physician_associate",
        "first_contact_physiotherapist",
        "pharmacy_technician",
        "health_and_wellbeing_coach",
        "care_coordinator",
        "dietitian",
        "podiatrist",
        "occupational_therapist",
        "paramedic",
        "mental_health_practitioner",
        "other",
    ]
    wte: Annotated[float, Field(gt=0, le=10)] = Field(description="Whole-time equivalent.")
    annual_cost: NonNegativeFloat | None = Field(
        default=None, description="Actual salary plus employer on-costs per year, in pounds."
    )
    claim: NonNegativeFloat | None = Field(
        default=None, description="Reimbursement claimed for the contract year, in pounds."
    )
    additional_to_baseline: bool | None = Field(
        default=None, description="Whether the post is additional to the 31 March 2019 baseline."
    )
    baseline_exception: Literal["cpgp", "moch"] | None = Field(
        default=None,
        description="Clinical pharmacist moved from the national CPGP or MOCH scheme.",
    )


class ParticipationChange(Model):
    """A change notified with the 2020/21 participation confirmation."""

    kind: Literal["nominated_payee", "membership", "area", "clinical_director"]
    notified_on: IsoDate = Field(description="When the commissioner was told.")
    description: LongText | None = None


class OptOut(Model):
    """A member practice's notice that it will not take part in the DES."""

    practice_ods_code: PracticeCode
    notified_on: IsoDate = Field(description="When the practice gave notice.")
    effective_on: IsoDate | None = Field(
        default=None, description="The first day the practice is no longer in the DES."
    )


class Participation(Model):
    """Confirmation of continued participation (2020/21), or the changes notified instead."""

    confirmed_on: IsoDate | None = Field(
        default=None, description="When the network confirmed continued participation."
    )
    changes: list[ParticipationChange] | None = Field(
        default=None,
        description="Changes to nominated payee, membership, network area or Clinical Director.",
    )
    opt_outs: list[OptOut] | None = Field(
        default=None, description="Member practices that gave notice to opt out of the DES."
    )


class CareHome(Model):
    """A care home aligned to the network (Enhanced Health in Care Homes, 2020/21)."""

    cqc_location_id: CqcLocationId
    name: Text | None = None
    beds: NonNegativeInt | None = Field(default=None, description="CQC-registered beds.")
    clinical_lead: Text | None = Field(
        default=None, description="The named clinical lead for the care home."
    )
    aligned_on: IsoDate | None = Field(
        default=None, description="When the care home was aligned to the network."
    )


class SubContract(Model):
    """DES activity sub-contracted to another provider."""

    provider: Text
    service: Text = Field(description="What is sub-contracted.")
    starts_on: IsoDate | None = None
    approval: Decision | None = Field(
        default=None, description="The commissioner's prior written approval."
    )


class Workforce(Model):
    """Additional-roles workforce planning returns (2020/21)."""

    plan_submitted_on: IsoDate | None = Field(
        default=None, description="When the 2020/21 workforce plan reached the commissioner."
    )
    intentions_submitted_on: IsoDate | None = Field(
        default=None,
        description="When the indicative additional-roles intentions to 2023/24 were sent.",
    )


class Services(Model):
    """Set-up of the 2020/21 service specifications (from 1 October 2020)."""

    smr_lead: Text | None = Field(
        default=None, description="Lead for structured medication reviews and optimisation."
    )
    ehch_lead: Text | None = Field(
        default=None, description="Lead for Enhanced Health in Care Homes."
    )
    early_cancer_lead: Text | None = Field(
        default=None, description="Lead for early cancer diagnosis."
    )
    ehch_mdt_with_community_provider: bool | None = Field(
        default=None,
        description="Whether the care-home multidisciplinary team is agreed with the community "
        "services provider.",
    )
