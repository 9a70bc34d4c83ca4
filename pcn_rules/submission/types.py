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
# Every number of the format has a plausible maximum, so that no figure a rule reads is absurd
# (a list size of 10**4300 used to crash the CEL runtime) and every sum of them stays far
# inside the 64-bit integers CEL computes with.  The bounds are generous: ten times or more
# anything real.  A larger value is refused with its JSON path (exit 3).

#: Registered patients of one practice (the largest practice in England has about 100,000).
MAX_PRACTICE_LIST_SIZE = 1_000_000
#: Registered patients of one network (networks typically serve 30,000 to 50,000).
MAX_NETWORK_LIST_SIZE = 10_000_000
#: Pounds in one amount: a post's annual cost or a claim.
MAX_MONEY = 100_000_000
#: Extended hours minutes in a week, across all of a network's sessions.
MAX_MINUTES_PER_WEEK = 100_000
#: CQC-registered beds of one care home (the largest have a few hundred).
MAX_BEDS = 10_000


def _within(maximum: float) -> BeforeValidator:
    """For a number field: an integer far beyond ``maximum`` is refused before it is turned
    into a float (which one of 400 digits cannot be) or quoted in a message (which one of
    4,300 digits cannot be)."""

    def check(value: object) -> object:
        if type(value) is int and not -maximum <= value <= maximum:
            if value < 0:
                raise ValueError("Input should be greater than or equal to 0")
            raise ValueError(f"Input should be less than or equal to {maximum}")
        return value

    return BeforeValidator(check)


PracticeListSize = Annotated[int, Field(ge=0, le=MAX_PRACTICE_LIST_SIZE)]
WeightedPracticeListSize = Annotated[
    float, Field(ge=0, le=MAX_PRACTICE_LIST_SIZE), _within(MAX_PRACTICE_LIST_SIZE)
]
NetworkListSize = Annotated[int, Field(ge=0, le=MAX_NETWORK_LIST_SIZE)]
Money = Annotated[float, Field(ge=0, le=MAX_MONEY), _within(MAX_MONEY)]
#: Whole-time equivalents of one post.
MAX_WTE = 10
WholeTimeEquivalent = Annotated[float, Field(gt=0, le=MAX_WTE), _within(MAX_WTE)]
MinutesPerWeek = Annotated[int, Field(ge=0, le=MAX_MINUTES_PER_WEEK)]
Beds = Annotated[int, Field(ge=0, le=MAX_BEDS)]


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
