"""The JSON report's shapes: what :meth:`Report.to_dict` returns, key by key.

Each shape is a ``TypedDict``: mypy checks the ``to_dict`` methods against it, and pydantic
generates the published JSON Schema from it (:mod:`pcn_rules.report.schema`; this module does
not import pydantic).  What a Python type cannot say is attached to it: JSON Schema keywords
(a pattern, a minimum, a date format) with :class:`Keywords`, and whether an object may carry
keys it does not declare with :func:`closed` or :func:`open_ended`.  The audit's shapes
(:mod:`pcn_rules.audits.shapes`) are built the same way, on these.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal, NotRequired, TypeVar

# pydantic reads a TypedDict's fields only from typing_extensions' TypedDict before Python 3.12
from typing_extensions import TypedDict

from pcn_rules.vocab import (
    ISO_DATE_PATTERN,
    RULE_ID_PATTERN,
    Confidence,
    Severity,
    Status,
    Timing,
)

#: The version of the JSON report (``report_version``); a change of what the schema accepts
#: changes it.
ReportVersion = Literal["2.1"]
REPORT_VERSION: Final[ReportVersion] = "2.1"

#: The verdict on a network (or an audited area): ``compliant`` when nothing blocks it.
Verdict = Literal["compliant", "not_compliant"]

#: A finding's fingerprint: 20 hexadecimal digits of a SHA-256.
FINGERPRINT_PATTERN = r"^[0-9a-f]{20}$"

_Shape = TypeVar("_Shape")


class Keywords:
    """JSON Schema keywords added to what pydantic generates for the annotated type:
    ``Annotated[str, Keywords(pattern=RULE_ID_PATTERN)]``."""

    __slots__ = ("keywords",)

    def __init__(self, **keywords: Any) -> None:
        self.keywords = keywords

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {**handler(core_schema), **self.keywords}


class Loosely(Keywords):
    """Only these keywords, instead of what pydantic generates for the annotated type: for a
    value the published schema describes more loosely than its type says."""

    __slots__ = ()

    def __get_pydantic_json_schema__(self, core_schema: Any, handler: Any) -> dict[str, Any]:
        return dict(self.keywords)


def closed(shape: type[_Shape]) -> type[_Shape]:
    """An object with no keys but the declared ones (``"additionalProperties": false``)."""
    # what pydantic.with_config sets; pydantic reads it when it generates the schema
    setattr(shape, "__pydantic_config__", {"extra": "forbid"})  # noqa: B010
    return shape


def open_ended(shape: type[_Shape]) -> type[_Shape]:
    """An object whose schema allows keys it does not declare (a shape used inside a closed
    one would otherwise be closed too)."""
    setattr(shape, "__pydantic_config__", {"extra": "ignore"})  # noqa: B010
    return shape


#: ``YYYY-MM-DD``
Date = Annotated[str, Keywords(format="date", pattern=ISO_DATE_PATTERN)]
RuleId = Annotated[str, Keywords(pattern=RULE_ID_PATTERN)]
Fingerprint = Annotated[str, Keywords(pattern=FINGERPRINT_PATTERN)]
#: A count: 0 or more.
Count = Annotated[int, Keywords(minimum=0)]


@closed
class DueJSON(TypedDict):
    """A deadline: the milestone, its date and title."""

    milestone: str
    date: Date
    title: str


@closed
class SourceJSON(TypedDict):
    """Where a rule comes from, and how sure that source is."""

    document: str
    confidence: Confidence
    url: NotRequired[str]
    note: NotRequired[str]


@closed
class WaiverJSON(TypedDict):
    approved_by: str
    approved_on: Date
    reason: str
    expires_on: Date | None
    #: "submission", or the waivers file's path
    source: str


@closed
class ExplainStepJSON(TypedDict):
    """One condition of a rule, the values it read and its result."""

    condition: str
    cel: str
    read: dict[str, Any]
    result: Any
    words: str


@closed
class FindingJSON(TypedDict):
    rule_id: RuleId
    title: str
    status: Status
    severity: Severity
    scope: str
    entity: str | None
    entity_name: str | None
    message: str
    evidence: dict[str, Any]
    remediation: list[str]
    due: DueJSON | None
    days_left: int | None
    timing: Timing
    blocking: bool
    source: SourceJSON
    waiver: WaiverJSON | None
    fingerprint: Fingerprint
    missing: list[str]
    evidence_date: Date | None
    days_late: Annotated[int, Keywords(minimum=1)] | None
    #: only when asked for (``--explain``)
    explain: NotRequired[list[ExplainStepJSON]]


@open_ended
class ToolJSON(TypedDict):
    name: Literal["pcn-rules"]
    version: str


@open_ended
class PackJSON(TypedDict):
    id: str
    release: str
    contract_year: str


@open_ended
class NetworkJSON(TypedDict):
    name: str
    ods_code: str | None


@closed
class SummaryJSON(TypedDict):
    """How many findings have each status (one key per status), in all, and blocking."""

    met: Count
    met_late: Count
    not_met: Count
    not_evidenced: Count
    waived: Count
    not_applicable: Count
    error: Count
    total: Count
    blocking: Count


@closed
class MilestoneJSON(TypedDict):
    key: str
    date: Date
    title: str
    days_left: int
    failed: Count
    blocking: bool


@closed
class BaselineItemJSON(TypedDict):
    """An unmet finding of this run or of the earlier report."""

    fingerprint: str
    network: str
    rule_id: str
    entity: str | None
    message: str


@closed
class BaselineJSON(TypedDict):
    """This run compared with an earlier JSON report (``--baseline``)."""

    file: str
    new: list[BaselineItemJSON]
    resolved: list[BaselineItemJSON]
    unchanged: list[BaselineItemJSON]


@closed
class ReportJSON(TypedDict):
    """One network's report."""

    report_version: ReportVersion
    tool: ToolJSON
    pack: PackJSON
    as_of: Date
    network: NetworkJSON
    source: str | None
    verdict: Verdict
    horizon: DueJSON | None
    summary: SummaryJSON
    milestones: list[MilestoneJSON]
    findings: list[FindingJSON]
    #: JSON paths of the submission's placeholder values ("REPLACE: ...") still to fill in.
    placeholders: list[str]
    #: What the reader should know before trusting the verdict (an as-of date outside the
    #: pack's contract year).
    warnings: list[str]
    baseline: NotRequired[BaselineJSON]


@closed
class ReportsJSON(TypedDict):
    """Several networks' reports (``pcn-check`` given several submissions)."""

    report_version: ReportVersion
    reports: list[ReportJSON]
    baseline: NotRequired[BaselineJSON]
