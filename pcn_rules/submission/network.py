"""The submission format, part one: the submission itself, the network, its member practices,
its Clinical Director, nominated payee, Network Agreement and the commissioner's decisions."""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from its text when the models are built, on every start (~2.5 ms).

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from pcn_rules.submission.types import (
    CommissionerCode,
    IsoDate,
    LongText,
    Model,
    NetworkCode,
    NetworkListSize,
    OrganisationCode,
    PracticeCode,
    PracticeListSize,
    Text,
    WeightedPracticeListSize,
    unique_ints,
)


class SubmissionInfo(Model):
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


class Area(Model):
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
    boundary: dict[str, Any] | None = Field(
        default=None,
        description="The network area as a GeoJSON geometry (Polygon or MultiPolygon, "
        "longitude and latitude). With the geo extra (pip install 'pcn-rules[geo]'), "
        "GEO-CONTIGUOUS is computed from it (pieces more than 250 m apart are detached); "
        "without it, the declared `contiguous` stands.",
    )

    @field_validator("boundary")
    @classmethod
    def _a_polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        if value.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError(
                f"expected a GeoJSON Polygon or MultiPolygon, got type {value.get('type')!r}"
            )
        if not isinstance(value.get("coordinates"), list) or not value["coordinates"]:
            raise ValueError("expected the geometry's `coordinates`, a list of rings")
        return value


class Commissioner(Model):
    """A commissioner (CCG)."""

    ods_code: CommissionerCode
    name: Text | None = None


class Network(Model):
    """The Primary Care Network itself."""

    name: Text
    ods_code: NetworkCode | None = Field(
        default=None, description="PCN ODS code, once NHS Digital has issued one."
    )
    lead_commissioner: Commissioner | None = Field(
        default=None, description="The network's one lead commissioner (CCG)."
    )
    area: Area | None = None
    declared_list_size: NetworkListSize | None = Field(
        default=None,
        description="The network's total list size as declared on the form; it must equal the "
        "sum of the member practices' list sizes (at most 10,000,000).",
    )


class Practice(Model):
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
    list_size: PracticeListSize | None = Field(
        default=None, description="Registered patients at list_size_date (at most 1,000,000)."
    )
    list_size_date: IsoDate | None = Field(
        default=None, description="The date the list size was counted (e.g. 2019-01-01)."
    )
    weighted_list_size: WeightedPracticeListSize | None = Field(
        default=None,
        description="Weighted (Carr-Hill) list size at the same date (at most 1,000,000).",
    )
    rurality: Literal["urban", "rural"] | None = Field(
        default=None,
        description="Whether the practice is urban or rural, as NHS Digital classes it in "
        "its payments data.",
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


class ClinicalDirector(Model):
    """The network's accountable Clinical Director."""

    name: Text
    profession: Profession | None = None
    practice_ods_code: PracticeCode | None = Field(
        default=None, description="The member practice the Clinical Director practises in."
    )
    start_date: IsoDate | None = Field(default=None, description="First day in post.")
    end_date: IsoDate | None = Field(default=None, description="Last day in post, if known.")


class NominatedPayee(Model):
    """The one body that receives the network's payments."""

    kind: Literal["practice", "provider"] = Field(
        description="A member practice, or another provider such as a GP federation."
    )
    name: Text | None = None
    ods_code: OrganisationCode | None = Field(
        default=None, description="ODS code of the payee (a practice code for a practice)."
    )
    bank_details_supplied: bool | None = None


class DataSharing(Model):
    """Data-sharing (and, where needed, data-processing) arrangements between members."""

    in_place: bool
    signed_on: IsoDate | None = None
    data_processing_agreement: bool | None = None


class NetworkAgreement(Model):
    """The Network Agreement between the member practices."""

    signatories: list[PracticeCode] | None = Field(
        default=None,
        description="ODS codes of the practices that signed the full Network Agreement "
        "(may be given instead of, or as well as, each practice's signing date).",
    )
    schedules_completed: (
        Annotated[list[Annotated[int, Field(ge=1, le=7)]], AfterValidator(unique_ints)] | None
    ) = Field(
        default=None, description="Which of the seven locally completed schedules are complete."
    )
    national_clauses_unchanged: bool | None = None
    data_sharing: DataSharing | None = None


class Decision(Model):
    """A commissioner decision: an approval, agreement or waiver."""

    approved_by: Text = Field(description="Who approved it (name and role).")
    approved_on: IsoDate
    reason: LongText = Field(description="Why it was granted.")
    expires_on: IsoDate | None = Field(
        default=None,
        description="Last day the decision is valid, if it expires (on or after approved_on). "
        "As of a later date it is no longer in force, and a requirement that relies on it is "
        "not met.",
    )

    @field_validator("expires_on")
    @classmethod
    def _not_before_approval(cls, value: dt.date | None, info: ValidationInfo) -> dt.date | None:
        approved = info.data.get("approved_on")  # absent if it was itself invalid
        if value is not None and approved is not None and value < approved:
            raise ValueError(
                f"expected a date on or after approved_on ({approved.isoformat()}), got "
                f"{value.isoformat()}: a decision cannot expire before it is approved"
            )
        return value


class CrossBoundaryAgreement(Decision):
    """Both commissioners' agreement to a member practice from another CCG."""

    practice_ods_code: PracticeCode
    other_commissioner: CommissionerCode | None = None


class CommissionerDecisions(Model):
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
    pharmacy_technician_supply: Decision | None = Field(
        default=None,
        description="2020/21: the commissioner's confirmation that local supply does not "
        "constrain the recruitment of pharmacy technicians, which lifts the limit of one (two "
        "above 100,000 patients).",
    )
