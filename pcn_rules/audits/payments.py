"""The participation payment reconciled: what the pack computes each network is entitled to
against what NHS Digital's payments file says its practices were paid (``audit --payments``).

The pack's FUND-ENTITLEMENTS computes a network's Network Participation Payment from its
weighted patients (``derived.participation``: weighted list size times the pack's
``participation_per_weighted_patient``).  The payments file gives, per practice, the
"PCN Participation" actually paid in the year.  Each network's difference (paid minus entitled) is
not hidden but explained practice by practice, each practice under the first reason that
applies:

- ``not_in_payments``: the practice is in no payments file given (nothing recorded as paid);
- ``paid_nothing``: it is in the file but was paid no participation payment in the year;
- ``part_year``: NHS Digital marks its data "part year" (it opened, closed or merged);
- ``list_change``: NHS Digital marks a large fluctuation in its patients during the year;
- ``other_network``: the payments file places it in another PCN;
- ``no_note``: none of these; payments are monthly, on each quarter's weighted list, while the
  file gives only the last figure (and a month may be paid late or in arrears).

Practices the payments file places in an audited network that are not among its members (a
part-year member that left, or joined after the ePCN extract) are listed with that network,
and their payments counted apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pcn_rules.audits.shapes import (
    NetworkPaymentsJSON,
    PaymentReasonJSON,
    PaymentsJSON,
    PracticePaymentJSON,
)
from pcn_rules.errors import InputError, UsageError
from pcn_rules.facts.model import SubmissionFacts
from pcn_rules.ingest.payments import Payments, PracticePayments, find
from pcn_rules.packs.model import RulePack
from pcn_rules.report.model import Report

#: The rule that computes the entitlement, and the derived value that holds it.
ENTITLEMENT_RULE = "FUND-ENTITLEMENTS"
ENTITLEMENT_KEY = "derived.participation"
RATE = "participation_per_weighted_patient"

Reason = Literal[
    "not_in_payments", "paid_nothing", "part_year", "list_change", "other_network", "no_note"
]
#: Each reason in words, in the order they are tried.
REASONS: dict[Reason, str] = {
    "not_in_payments": "not in the payments file: nothing recorded as paid",
    "paid_nothing": "in the payments file, but no PCN Participation recorded for the year "
    "(paid under another heading, or not at all)",
    "part_year": "part-year data (NHS Digital): opened, closed or merged during the year",
    "list_change": "a large fluctuation in patients during the year (NHS Digital)",
    "other_network": "the payments file places the practice in another PCN",
    "no_note": "no note: monthly payments on each quarter's weighted list, of which the "
    "file gives only the last, and months paid late or in arrears",
}


@dataclass(frozen=True, slots=True)
class PracticePayment:
    """One practice's part of a network's reconciliation."""

    ods_code: str
    #: its weighted patients in the submission, and weighted times rate
    weighted: float | None
    expected: float | None
    #: the "PCN Participation" paid (None: not in the payments file)
    paid: float | None
    reason: Reason
    #: the PCN the payments file names, when not this network
    payments_network: str | None = None

    def to_dict(self) -> PracticePaymentJSON:
        return {
            "ods_code": self.ods_code,
            "weighted": self.weighted,
            "expected": _money(self.expected),
            "paid": _money(self.paid),
            "reason": self.reason,
            "payments_network": self.payments_network,
        }


@dataclass(frozen=True, slots=True)
class NetworkPayments:
    """One network: the pack's entitlement against what its member practices were paid."""

    label: str
    ods_code: str | None
    #: the pack's FUND-ENTITLEMENTS participation figure; None when it could not compute it
    entitlement: float | None
    #: why not, when it could not ("not_evidenced: practices[2].weighted_list_size")
    not_computed: str | None
    paid: float
    practices: int
    #: the practices whose difference has a reason other than "no note"
    explained: tuple[PracticePayment, ...]
    #: practices the payments file places in this network that are not its members
    others: tuple[PracticePayment, ...] = ()

    @property
    def difference(self) -> float | None:
        return None if self.entitlement is None else self.paid - self.entitlement

    def to_dict(self) -> NetworkPaymentsJSON:
        return {
            "label": self.label,
            "ods_code": self.ods_code,
            "entitlement": _money(self.entitlement),
            "not_computed": self.not_computed,
            "paid": _money(self.paid) or 0.0,
            "difference": _money(self.difference),
            "practices": self.practices,
            "explained": [p.to_dict() for p in self.explained],
            "paid_to_non_members": [p.to_dict() for p in self.others],
        }


@dataclass(frozen=True, slots=True)
class ReasonTotal:
    """Every practice (of the networks whose entitlement was computed) under one reason."""

    reason: Reason
    practices: int
    expected: float
    paid: float

    @property
    def difference(self) -> float:
        return self.paid - self.expected

    @property
    def words(self) -> str:
        return REASONS[self.reason]

    def to_dict(self) -> PaymentReasonJSON:
        return {
            "reason": self.reason,
            "words": self.words,
            "practices": self.practices,
            "expected": _money(self.expected) or 0.0,
            "paid": _money(self.paid) or 0.0,
            "difference": _money(self.difference) or 0.0,
        }


@dataclass(frozen=True, slots=True)
class PaymentsReconciliation:
    """The whole area: entitlement against payments, and the difference explained."""

    sources: tuple[str, ...]
    #: pounds per weighted patient a year (the pack's parameter)
    rate: float
    networks: tuple[NetworkPayments, ...]
    #: the networks whose entitlement the pack computed: entitled, and paid to their members
    entitlement: float
    paid: float
    #: the other networks: how many, and what their members were paid
    not_computed: int
    paid_not_computed: float
    #: the difference (paid minus entitlement) of the computed networks, by reason
    reasons: tuple[ReasonTotal, ...]
    #: paid to practices the file places in audited networks that are not their members
    paid_to_non_members: float

    @property
    def difference(self) -> float:
        return self.paid - self.entitlement

    def to_dict(self) -> PaymentsJSON:
        return {
            "sources": list(self.sources),
            "rate_per_weighted_patient": self.rate,
            "entitlement": _money(self.entitlement) or 0.0,
            "paid": _money(self.paid) or 0.0,
            "difference": _money(self.difference) or 0.0,
            "networks_not_computed": self.not_computed,
            "paid_in_networks_not_computed": _money(self.paid_not_computed) or 0.0,
            "paid_to_non_members": _money(self.paid_to_non_members) or 0.0,
            "reasons": [r.to_dict() for r in self.reasons],
            "networks": [n.to_dict() for n in self.networks],
        }


def _money(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def with_participation(payments: Sequence[Payments]) -> list[Payments]:
    """Fail closed: every file given must say what was paid (2019/20 onwards)."""
    if not payments:
        raise UsageError("--payments needs at least one payments file")
    for each in payments:
        if not each.has_participation:
            raise InputError(
                each.source,
                [
                    (
                        "line 1",
                        "no 'PCN Participation' column, so it cannot say what networks were "
                        "paid (files before 2019/20 predate networks)",
                    )
                ],
                kind="payments file",
            )
    return list(payments)


def _reason(pay: PracticePayments | None, network: str | None) -> Reason:
    if pay is None:
        return "not_in_payments"
    if not pay.participation_paid:
        return "paid_nothing"
    if pay.part_year:
        return "part_year"
    if pay.list_changed:
        return "list_change"
    if network is not None and pay.pcn_code is not None and pay.pcn_code != network:
        return "other_network"
    return "no_note"


def reconcile(
    labels: Sequence[str],
    reports: Sequence[Report],
    facts: Sequence[SubmissionFacts],
    pack: RulePack,
    payments: Sequence[Payments],
) -> PaymentsReconciliation:
    """Each network's participation entitlement (from its FUND-ENTITLEMENTS finding) against
    the "PCN Participation" its member practices were paid, explained practice by practice."""
    files = with_participation(payments)
    rate = pack.parameters.get(RATE)
    if not isinstance(rate, int | float) or isinstance(rate, bool):
        raise UsageError(
            f"--payments: pack {pack.id} has no {RATE} parameter, so it computes no "
            "participation entitlement to reconcile"
        )
    rate = float(rate)
    members = {p["ods_code"] for f in facts for p in f.network["practices"] if "ods_code" in p}
    by_network: dict[str, list[PracticePayments]] = {}
    for each in files:
        for pay in each.practices.values():
            if (
                pay.pcn_code is not None
                and pay.ods_code not in members
                and pay.participation_paid
                and find(files, pay.ods_code) is pay
            ):
                by_network.setdefault(pay.pcn_code, []).append(pay)
    totals: dict[Reason, list[float]] = {reason: [0, 0.0, 0.0] for reason in REASONS}
    networks: list[NetworkPayments] = []
    entitlement = paid_total = paid_other = paid_non_members = 0.0
    not_computed = 0
    for label, report, sub in zip(labels, reports, facts, strict=True):
        code = sub.network.get("ods_code")
        finding = next((f for f in report.findings if f.rule_id == ENTITLEMENT_RULE), None)
        entitled: float | None = None
        why: str | None
        if finding is None:
            why = f"{ENTITLEMENT_RULE} was not run (left out by --select or --ignore)"
        elif finding.status in ("met", "met_late") and ENTITLEMENT_KEY in finding.evidence:
            entitled = float(finding.evidence[ENTITLEMENT_KEY])
            why = None
        else:
            missing = f": {', '.join(finding.missing)}" if finding.missing else ""
            why = f"{ENTITLEMENT_RULE} {finding.status}{missing}"
        paid = 0.0
        explained: list[PracticePayment] = []
        practices = sub.network["practices"]
        for practice in practices:
            row = find(files, practice["ods_code"])
            weighted = practice.get("weighted_list_size")
            expected = None if weighted is None else float(weighted) * rate
            amount = None if row is None else (row.participation_paid or 0.0)
            reason = _reason(row, code)
            paid += amount or 0.0
            if entitled is not None:
                total = totals[reason]
                total[0] += 1
                total[1] += expected or 0.0
                total[2] += amount or 0.0
            if reason != "no_note":
                explained.append(
                    PracticePayment(
                        practice["ods_code"],
                        weighted,
                        expected,
                        amount,
                        reason,
                        row.pcn_code if reason == "other_network" and row else None,
                    )
                )
        others = tuple(
            PracticePayment(
                pay.ods_code,
                None,
                None,
                pay.participation_paid,
                _reason(pay, None),
                pay.pcn_code,
            )
            for pay in sorted(by_network.get(code or "", []), key=lambda p: p.ods_code)
        )
        paid_non_members += sum(p.paid or 0.0 for p in others)
        if entitled is None:
            not_computed += 1
            paid_other += paid
        else:
            entitlement += entitled
            paid_total += paid
        networks.append(
            NetworkPayments(
                label, code, entitled, why, paid, len(practices), tuple(explained), others
            )
        )
    return PaymentsReconciliation(
        sources=tuple(p.source for p in files),
        rate=rate,
        networks=tuple(networks),
        entitlement=entitlement,
        paid=paid_total,
        not_computed=not_computed,
        paid_not_computed=paid_other,
        reasons=tuple(
            ReasonTotal(reason, int(n), expected, paid)
            for reason, (n, expected, paid) in totals.items()
            if n
        ),
        paid_to_non_members=paid_non_members,
    )
