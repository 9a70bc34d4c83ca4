"""The submission format: what a Primary Care Network (or its commissioner) sends to be checked.

This module *is* the public input format.  Field names are stable; new fields are added as
optional.  Every model forbids unknown fields, so a typo is reported with its JSON path instead of
being ignored.  Scalars are strict (a list size of ``"25000"`` is an error, not a number) and dates
are ISO ``YYYY-MM-DD`` strings in JSON.

Almost every fact is optional: a submission states what it can evidence, and a rule that needs a
fact the submission does not give reports it as *not evidenced* rather than failing.
"""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from its text when the models are built, on every start (~2.5 ms).

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from pcn_rules.vocab import to_date

FORMAT_VERSION = 1

IsoDate = Annotated[dt.date, BeforeValidator(to_date)]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

PracticeCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][0-9]{5}$"),
    Field(
        description="GP practice ODS code: one capital letter and five digits, e.g. D81001.",
        examples=["D81001"],
    ),
]
NetworkCode = Annotated[
    str,
    StringConstraints(pattern=r"^U[0-9]{5}$"),
    Field(description="PCN ODS code: U and five digits, e.g. U12345.", examples=["U12345"]),
]
CommissionerCode = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9A-Z]{3,5}$"),
    Field(description="Commissioner (CCG) ODS code, e.g. 06H.", examples=["06H"]),
]
ContractYear = Annotated[
    str,
    StringConstraints(pattern=r"^20[0-9]{2}/[0-9]{2}$"),
    Field(description="Contract year, e.g. 2019/20.", examples=["2019/20"]),
]
HourMinute = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$"),
    Field(description="Time of day as HH:MM (24-hour clock).", examples=["18:30"]),
]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]


def _unique_ints(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("each schedule number may appear only once")
    return values


class _Model(BaseModel):
    """Base of every submission model: strict, closed, immutable."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        str_strip_whitespace=True,
        populate_by_name=False,
        # JSON has no NaN or Infinity (the reader refuses them); a dict from a library caller
        # must not bring them in either
        allow_inf_nan=False,
    )


class SubmissionInfo(_Model):
    """What this submission is and when it was made."""

    type: Literal["registration", "update", "participation_confirmation", "change_notification"] = (
        Field(
            description=(
                "registration: the PCN registration form sent to the commissioner by 15 May 2019; "
                "update: a later statement of the network's position (e.g. for the 30 June 2019 "
                "Network Agreement milestone); participation_confirmation: the 2020/21 "
                "confirmation of continued participation (by 31 May 2020); "
                "change_notification: the 2020/21 notice of changes to nominated payee, "
                "membership, network area or Clinical Director."
            )
        )
    )
    submitted_on: IsoDate | None = Field(
        default=None,
        description="Date the submission reached the commissioner. Also the default as-of date.",
    )
    submitted_by: Text | None = Field(default=None, description="Who sent it (name or role).")


class Area(_Model):
    """The network's geographical area."""

    map_reference: Text | None = Field(
        default=None,
        description="Where the map clearly marking the agreed network area can be found "
        "(file name, URL or document reference).",
    )
    description: LongText | None = None
    contiguous: bool | None = Field(
        default=None,
        description="Whether the members declare the area geographically contiguous.",
    )


class Commissioner(_Model):
    """A commissioner (CCG)."""

    ods_code: CommissionerCode
    name: Text | None = None


class Network(_Model):
    """The Primary Care Network itself."""

    name: Text
    ods_code: NetworkCode | None = Field(
        default=None, description="PCN ODS code, once NHS Digital has issued one."
    )
    lead_commissioner: Commissioner | None = Field(
        default=None, description="The network's one lead commissioner (CCG)."
    )
    area: Area | None = None
    declared_list_size: NonNegativeInt | None = Field(
        default=None,
        description="The network's total list size as declared on the form; it must equal the "
        "sum of the member practices' list sizes.",
    )


class Practice(_Model):
    """A core member practice."""

    ods_code: PracticeCode
    name: Text | None = None
    contract_type: Literal["GMS", "PMS", "APMS", "other"] | None = Field(
        default=None, description="The practice's primary medical services contract."
    )
    in_hours_contract: bool | None = Field(
        default=None,
        description="Whether the contract covers in-hours essential services "
        "(false for e.g. an out-of-hours-only APMS contract).",
    )
    ccg: CommissionerCode | None = Field(
        default=None, description="ODS code of the practice's own commissioner (CCG)."
    )
    list_size: NonNegativeInt | None = Field(
        default=None, description="Registered patients at list_size_date."
    )
    list_size_date: IsoDate | None = Field(
        default=None, description="The date the list size was counted (e.g. 2019-01-01)."
    )
    weighted_list_size: NonNegativeFloat | None = Field(
        default=None, description="Weighted (Carr-Hill) list size at the same date."
    )
    initial_agreement_signed_on: IsoDate | None = Field(
        default=None, description="When the practice signed the initial Network Agreement."
    )
    network_agreement_signed_on: IsoDate | None = Field(
        default=None,
        description="When the practice signed the full Network Agreement with its schedules.",
    )


#: A Clinical Director's profession; every value but "non_clinical" is a clinician.
Profession = Literal[
    "gp",
    "nurse",
    "pharmacist",
    "allied_health_professional",
    "paramedic",
    "other_clinician",
    "non_clinical",
]


class ClinicalDirector(_Model):
    """The network's accountable Clinical Director."""

    name: Text
    profession: Profession | None = None
    practice_ods_code: PracticeCode | None = Field(
        default=None, description="The member practice the Clinical Director practises in."
    )
    start_date: IsoDate | None = Field(default=None, description="First day in post.")
    end_date: IsoDate | None = Field(default=None, description="Last day in post, if known.")


class NominatedPayee(_Model):
    """The one body that receives the network's payments."""

    kind: Literal["practice", "provider"] = Field(
        description="A member practice, or another provider such as a GP federation."
    )
    name: Text | None = None
    ods_code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{3,6}$")] | None = Field(
        default=None, description="ODS code of the payee (a practice code for a practice)."
    )
    bank_details_supplied: bool | None = None


class DataSharing(_Model):
    """Data-sharing (and, where needed, data-processing) arrangements between members."""

    in_place: bool
    signed_on: IsoDate | None = None
    data_processing_agreement: bool | None = None


class NetworkAgreement(_Model):
    """The Network Agreement between the member practices."""

    signatories: list[PracticeCode] | None = Field(
        default=None,
        description="ODS codes of the practices that signed the full Network Agreement "
        "(may be given instead of, or as well as, each practice's signing date).",
    )
    schedules_completed: (
        Annotated[list[Annotated[int, Field(ge=1, le=7)]], AfterValidator(_unique_ints)] | None
    ) = Field(
        default=None, description="Which of the seven locally completed schedules are complete."
    )
    national_clauses_unchanged: bool | None = None
    data_sharing: DataSharing | None = None


class Decision(_Model):
    """A commissioner decision: an approval, agreement or waiver."""

    approved_by: Text = Field(description="Who approved it (name and role).")
    approved_on: IsoDate
    reason: LongText = Field(description="Why it was granted.")
    expires_on: IsoDate | None = Field(
        default=None, description="Last day the decision is valid, if it expires."
    )


class CrossBoundaryAgreement(Decision):
    """Both commissioners' agreement to a member practice from another CCG."""

    practice_ods_code: PracticeCode
    other_commissioner: CommissionerCode | None = None


class CommissionerDecisions(_Model):
    """What the commissioner has decided about this network."""

    registration_confirmed_on: IsoDate | None = Field(
        default=None, description="When the commissioner confirmed the registration."
    )
    area_approved_on: IsoDate | None = Field(
        default=None, description="When the commissioner approved the network area."
    )
    population_waiver: Decision | None = Field(
        default=None,
        description="Waiver of the 30,000 minimum for a natural community with low population "
        "density across a large rural and remote area.",
    )
    over_50k_agreement: Decision | None = Field(
        default=None, description="Agreement to a network larger than 50,000 patients."
    )
    cross_boundary_agreements: list[CrossBoundaryAgreement] | None = None


class Block(_Model):
    """One continuous block of extended-hours appointments in a typical week."""

    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    start: HourMinute
    end: HourMinute


class ExtendedHours(_Model):
    """Extended hours access offered by the network in a typical week."""

    minutes_per_week: NonNegativeInt | None = None
    blocks: list[Block] | None = None


class NonGpProvider(_Model):
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
    ods_code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{3,6}$")] | None = None
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


class CoveredPractice(_Model):
    """A non-participating practice whose patients this network covers."""

    ods_code: PracticeCode
    name: Text | None = None
    list_size: NonNegativeInt | None = None
    local_agreement: Decision | None = Field(
        default=None,
        description="The locally commissioned agreement under which the network covers the "
        "practice's patients.",
    )


class AdditionalRole(_Model):
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


class ParticipationChange(_Model):
    """A change notified with the 2020/21 participation confirmation."""

    kind: Literal["nominated_payee", "membership", "area", "clinical_director"]
    notified_on: IsoDate = Field(description="When the commissioner was told.")
    description: LongText | None = None


class OptOut(_Model):
    """A member practice's notice that it will not take part in the DES."""

    practice_ods_code: PracticeCode
    notified_on: IsoDate = Field(description="When the practice gave notice.")
    effective_on: IsoDate | None = Field(
        default=None, description="The first day the practice is no longer in the DES."
    )


class Participation(_Model):
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


CqcLocationId = Annotated[
    str,
    StringConstraints(pattern=r"^1-[0-9]{6,11}$"),
    Field(description="CQC location ID, e.g. 1-123456789.", examples=["1-123456789"]),
]


class CareHome(_Model):
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


class SubContract(_Model):
    """DES activity sub-contracted to another provider."""

    provider: Text
    service: Text = Field(description="What is sub-contracted.")
    starts_on: IsoDate | None = None
    approval: Decision | None = Field(
        default=None, description="The commissioner's prior written approval."
    )


class Workforce(_Model):
    """Additional-roles workforce planning returns (2020/21)."""

    plan_submitted_on: IsoDate | None = Field(
        default=None, description="When the 2020/21 workforce plan reached the commissioner."
    )
    intentions_submitted_on: IsoDate | None = Field(
        default=None,
        description="When the indicative additional-roles intentions to 2023/24 were sent.",
    )


class Services(_Model):
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


class Submission(_Model):
    """One network's submission for one contract year."""

    format_version: Literal[1] = Field(
        description="Version of this submission format. The current version is 1."
    )
    contract_year: ContractYear | None = Field(
        default=None, description="The Network Contract DES year this submission is for."
    )
    submission: SubmissionInfo
    network: Network
    practices: list[Practice] = Field(description="Core member practices.")
    clinical_director: ClinicalDirector | None = None
    nominated_payee: NominatedPayee | None = None
    network_agreement: NetworkAgreement | None = None
    commissioner: CommissionerDecisions | None = None
    extended_hours: ExtendedHours | None = None
    non_gp_providers: list[NonGpProvider] | None = None
    covered_practices: list[CoveredPractice] | None = Field(
        default=None,
        description="Non-participating practices whose patients this network covers.",
    )
    additional_roles: list[AdditionalRole] | None = None
    participation: Participation | None = Field(
        default=None, description="2020/21: participation confirmed, changes and opt-outs."
    )
    care_homes: list[CareHome] | None = Field(
        default=None, description="Care homes aligned to the network (2020/21)."
    )
    sub_contracts: list[SubContract] | None = None
    workforce: Workforce | None = None
    services: Services | None = None


def submission_json_schema() -> dict[str, Any]:
    """The JSON Schema of the submission format."""
    schema = Submission.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:pcn-rules:submission:1"
    return schema
