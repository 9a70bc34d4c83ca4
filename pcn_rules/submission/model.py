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

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from pcn_rules.submission.network import (
    ClinicalDirector,
    CommissionerDecisions,
    Network,
    NetworkAgreement,
    NominatedPayee,
    Practice,
    SubmissionInfo,
)
from pcn_rules.submission.services import (
    AdditionalRole,
    CareHome,
    CoveredPractice,
    ExtendedHours,
    MembershipChange,
    NonGpProvider,
    Participation,
    Services,
    SubContract,
    Workforce,
)
from pcn_rules.submission.types import FORMAT_VERSION, ContractYear, Model
from pcn_rules.vocab import PLACEHOLDER

__all__ = ["FORMAT_VERSION", "Submission", "submission_json_schema"]


class Submission(Model):
    """One network's submission for one contract year."""

    format_version: Literal[1] = Field(
        description="Version of this submission format. The current version is 1."
    )
    contract_year: ContractYear | None = Field(
        default=None, description="The Network Contract DES year this submission is for."
    )
    submission: SubmissionInfo
    network: Network
    practices: list[Practice] = Field(
        description="Core member practices. As of a date, one that a membership change makes "
        "join later, or that left on or before it, is not counted as a member (the report "
        "says so)."
    )
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
    membership_changes: list[MembershipChange] | None = Field(
        default=None,
        description="Practices joining or leaving after go-live; an empty list says there were "
        "none. A practice listed in `practices` counts as a member from the day its joining "
        "takes effect, and no longer from the day its leaving does.",
    )
    participation: Participation | None = Field(
        default=None, description="2020/21: participation confirmed, changes and opt-outs."
    )
    care_homes: list[CareHome] | None = Field(
        default=None, description="Care homes aligned to the network (2020/21)."
    )
    sub_contracts: list[SubContract] | None = None
    workforce: Workforce | None = None
    services: Services | None = None

    #: JSON paths of placeholder values (``"REPLACE: ..."``) found when the submission was read.
    _placeholders: tuple[str, ...] = PrivateAttr(default=())

    @property
    def placeholders(self) -> tuple[str, ...]:
        """The JSON paths of the template's placeholder values still to fill in (``pcn-check
        init`` writes them as ``"REPLACE: ..."``); each is not evidenced."""
        return self._placeholders


#: Placeholder text as ``pcn-check init`` writes it: accepted in place of any value.
_PLACEHOLDER_SCHEMA = {
    "type": "string",
    "pattern": f"^{PLACEHOLDER}",
    "description": 'A value still to fill in, as `pcn-check init` writes it ("REPLACE: ..."): '
    "accepted, and counted as not given (the report names it).",
}
_PLACEHOLDER_REF = {"$ref": "#/$defs/Placeholder"}
#: what describes a property rather than constrains it: kept outside the alternatives
_ANNOTATIONS = ("title", "description", "default", "examples")


def _or_placeholder(schema: dict[str, Any]) -> dict[str, Any]:
    """SCHEMA, or placeholder text."""
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], _PLACEHOLDER_REF]}
    kept = {key: schema[key] for key in _ANNOTATIONS if key in schema}
    rest = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
    return {**kept, "anyOf": [rest, _PLACEHOLDER_REF]}


def _accept_placeholders(schema: dict[str, Any]) -> None:
    """Let every property and list item of an object schema (and its definitions) be
    placeholder text, as the submission format does."""
    for name, prop in list(schema.get("properties", {}).items()):
        schema["properties"][name] = _or_placeholder(_items_or_placeholder(prop))


def _items_or_placeholder(schema: dict[str, Any]) -> dict[str, Any]:
    """SCHEMA with each item of a list it allows (also as one of its alternatives) either what
    it was or placeholder text."""
    if "items" in schema:
        return {**schema, "items": _or_placeholder(schema["items"])}
    if "anyOf" in schema:
        return {**schema, "anyOf": [_items_or_placeholder(branch) for branch in schema["anyOf"]]}
    return schema


def submission_json_schema(*, placeholders: bool = True) -> dict[str, Any]:
    """The JSON Schema of the submission format: any value may be placeholder text, as
    ``pcn-check init`` writes it (``placeholders=False``: the values only, e.g. to generate
    submissions from)."""
    schema = Submission.model_json_schema()
    if placeholders:
        _accept_placeholders(schema)
        for definition in schema.get("$defs", {}).values():
            _accept_placeholders(definition)
        schema.setdefault("$defs", {})["Placeholder"] = _PLACEHOLDER_SCHEMA
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "urn:pcn-rules:submission:1"
    return schema
