"""The submission format, part two: extended hours, non-GP providers, covered practices,
additional roles, membership changes, and the 2020/21 parts (participation, care homes,
sub-contracts, workforce returns, service specifications)."""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from its text when the models are built, on every start (~2.5 ms).

from typing import Literal

from pydantic import Field, model_validator

from pcn_rules.submission.network import Decision, Profession
from pcn_rules.submission.types import (
    Beds,
    CqcLocationId,
    HourMinute,
    IsoDate,
    LongText,
    MinutesPerWeek,
    Model,
    Money,
    NetworkListSize,
    OrganisationCode,
    PracticeCode,
    PracticeListSize,
    Text,
    WholeTimeEquivalent,
)


class Block(Model):
    """One continuous block of extended-hours appointments in a typical week."""

    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    start: HourMinute
    end: HourMinute = Field(
        description="Time of day as HH:MM (24-hour clock), after start on the same day (a "
        "block past midnight is two blocks, one on each day).",
        examples=["21:00"],
    )

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> "Block":
        # HH:MM strings compare as times of day
        if self.end <= self.start:
            raise ValueError(
                f"a block ends after it starts on the same day, but this one runs from "
                f"{self.start} to {self.end} (a block past midnight is two blocks, one on "
                "each day)"
            )
        return self


class ExtendedHours(Model):
    """Extended hours access offered by the network in a typical week."""

    minutes_per_week: MinutesPerWeek | None = Field(
        default=None,
        description="Extended hours minutes offered in a typical week, across all of the "
        "network's sessions (at most 100,000).",
    )
    blocks: list[Block] | None = None
    population: NetworkListSize | None = Field(
        default=None,
        description="Registered patients of the member practices counted at population_date "
        "(the specification counts them at 1 April 2019, not on the 1 January list: without "
        "that count the extended hours requirement is not evidenced; at most 10,000,000).",
    )
    population_date: IsoDate | None = Field(
        default=None, description="The date the population was counted, e.g. 2019-04-01."
    )


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
    list_size: PracticeListSize | None = Field(
        default=None, description="Registered patients of the practice (at most 1,000,000)."
    )
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
        "nursing_associate",
        "trainee_nursing_associate",
        "paramedic",
        "mental_health_practitioner",
        "other",
    ]
    wte: WholeTimeEquivalent = Field(description="Whole-time equivalent (more than 0, at most 10).")
    starts_on: IsoDate | None = Field(
        default=None,
        description="First day in post; a claim covers the contract year from this day (and a "
        "role reimbursable only from a date, such as a nursing associate from 1 October 2020, "
        "needs it).",
    )
    annual_cost: Money | None = Field(
        default=None,
        description="Actual salary plus employer on-costs per year, in pounds (at most "
        "100,000,000).",
    )
    claim: Money | None = Field(
        default=None,
        description="Reimbursement claimed for the contract year, in pounds (at most 100,000,000).",
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
    beds: Beds | None = Field(default=None, description="CQC-registered beds (at most 10,000).")
    clinical_lead: Text | None = Field(
        default=None, description="The named clinical lead for the care home."
    )
    clinical_lead_profession: Profession | None = Field(
        default=None,
        description="The clinical lead's profession: a GP, unless the practices, the CCG and "
        "the community provider agree otherwise (non_gp_lead_agreement).",
    )
    non_gp_lead_agreement: Decision | None = Field(
        default=None,
        description="The agreement of the practices, the CCG and the community provider to a "
        "clinical lead who is not a GP (possible from 1 October 2020, amended DES).",
    )
    aligned_on: IsoDate | None = Field(
        default=None, description="When the care home was aligned to the network."
    )
    mdt_agreed_on: IsoDate | None = Field(
        default=None,
        description="When the multidisciplinary team for the home was agreed with the "
        "community provider (due by 30 September 2020).",
    )
    weekly_round: bool | None = Field(
        default=None, description="A weekly home round is held for the home (from 1 October 2020)."
    )
    care_plans: bool | None = Field(
        default=None,
        description="Residents have personalised care and support plans (from 1 October 2020).",
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


class StructuredMedicationReviews(Model):
    """Structured medication reviews and medicines optimisation (from 1 October 2020)."""

    lead: Text | None = Field(default=None, description="Who leads the service.")
    approach: LongText | None = Field(
        default=None,
        description="How the network identifies and prioritises the patients who would benefit, "
        "offers them reviews, and records them.",
    )
    started_on: IsoDate | None = Field(
        default=None, description="When the network started offering the reviews."
    )


class EarlyCancerDiagnosis(Model):
    """Supporting early cancer diagnosis (from 1 October 2020)."""

    referral_review: bool | None = Field(
        default=None,
        description="The network has reviewed its referral practice for suspected cancer.",
    )
    screening_actions: bool | None = Field(
        default=None,
        description="The network acts to raise uptake of the national cancer screening programmes.",
    )
    community_of_practice: bool | None = Field(
        default=None,
        description="The network takes part in the local cancer community of practice.",
    )


class Services(Model):
    """The 2020/21 service specifications (from 1 October 2020)."""

    smr: StructuredMedicationReviews | None = None
    cancer: EarlyCancerDiagnosis | None = None
    smr_lead: Text | None = Field(
        default=None, description="Deprecated (read by no rule since 2020.2): use smr.lead."
    )
    ehch_lead: Text | None = Field(
        default=None, description="Deprecated (read by no rule since 2020.2)."
    )
    early_cancer_lead: Text | None = Field(
        default=None, description="Deprecated (read by no rule since 2020.2)."
    )
    ehch_mdt_with_community_provider: bool | None = Field(
        default=None,
        description="Deprecated (read by no rule since 2020.2): give each care home's "
        "mdt_agreed_on.",
    )


class MembershipChange(Model):
    """A practice joining or leaving the network after go-live (1 July 2019)."""

    practice_ods_code: PracticeCode
    kind: Literal["joining", "leaving"]
    notified_on: IsoDate = Field(description="When the commissioner was given notice.")
    effective_on: IsoDate = Field(description="The first day the change takes effect.")
    approval: Decision | None = Field(
        default=None, description="The commissioner's approval of the change."
    )
