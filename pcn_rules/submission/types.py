"""The building blocks of the submission format: dates, texts, codes (each pattern with its
meaning in words, for error messages) and the strict, closed base model."""

# No `from __future__ import annotations`: pydantic would have to evaluate every field's
# annotation from its text when the models are built, on every start (~2.5 ms).

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from pcn_rules.vocab import to_date

FORMAT_VERSION = 1

IsoDate = Annotated[dt.date, BeforeValidator(to_date)]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

#: Each code's pattern and, in words, what a value must look like (for error messages).
PRACTICE_CODE = r"^[A-Z][0-9]{5}$"
NETWORK_CODE = r"^U[0-9]{5}$"
COMMISSIONER_CODE = r"^[0-9A-Z]{3,5}$"
CONTRACT_YEAR = r"^20[0-9]{2}/[0-9]{2}$"
HOUR_MINUTE = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
CQC_LOCATION = r"^1-[0-9]{6,11}$"
ORGANISATION_CODE = r"^[0-9A-Z]{3,6}$"
PATTERN_HINTS = {
    PRACTICE_CODE: "a GP practice ODS code: one capital letter and five digits",
    NETWORK_CODE: "a PCN ODS code: U and five digits",
    COMMISSIONER_CODE: "a commissioner ODS code such as 06H",
    CONTRACT_YEAR: "a contract year such as 2019/20",
    HOUR_MINUTE: "a time as HH:MM",
    CQC_LOCATION: "a CQC location ID such as 1-123456789",
    ORGANISATION_CODE: "an ODS code of three to six capitals and digits",
}

PracticeCode = Annotated[
    str,
    StringConstraints(pattern=PRACTICE_CODE),
    Field(
        description="GP practice ODS code: one capital letter and five digits, e.g. D81001.",
        examples=["D81001"],
    ),
]
NetworkCode = Annotated[
    str,
    StringConstraints(pattern=NETWORK_CODE),
    Field(description="PCN ODS code: U and five digits, e.g. U12345.", examples=["U12345"]),
]
CommissionerCode = Annotated[
    str,
    StringConstraints(pattern=COMMISSIONER_CODE),
    Field(description="Commissioner (CCG) ODS code, e.g. 06H.", examples=["06H"]),
]
ContractYear = Annotated[
    str,
    StringConstraints(pattern=CONTRACT_YEAR),
    Field(description="Contract year, e.g. 2019/20.", examples=["2019/20"]),
]
HourMinute = Annotated[
    str,
    StringConstraints(pattern=HOUR_MINUTE),
    Field(description="Time of day as HH:MM (24-hour clock).", examples=["18:30"]),
]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]


def unique_ints(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("each schedule number may appear only once")
    return values


class Model(BaseModel):
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


CqcLocationId = Annotated[
    str,
    StringConstraints(pattern=CQC_LOCATION),
    Field(description="CQC location ID, e.g. 1-123456789.", examples=["1-123456789"]),
]

OrganisationCode = Annotated[str, StringConstraints(pattern=ORGANISATION_CODE)]
