"""Terminal rendering of an audit with rich.  Renderers draw on the console they are given; only
the CLI prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pcn_rules.render.safe import drawn_literally, one_line, print_phrases
from pcn_rules.render.text import SEVERITY_STYLE
from pcn_rules.vocab import days_phrase, human_date, milestone_phrase, plural

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.audits import AuditReport
    from pcn_rules.audits.model import Uncovered
    from pcn_rules.audits.payments import PaymentsReconciliation


@drawn_literally
def render_audit(report: AuditReport, console: Console) -> None:
    """The five-second line, the milestones, the action plan and the area's figures."""
    style = "bold green" if report.compliant else "bold red"
    about = (
        f"{plural(len(report.reports), 'network')} · pack {report.pack_id} (release "
        f"{report.pack_release}) · as of {human_date(report.as_of)}"
    )
    about += f" · {commissioners_phrase(report)}"
    if report.register_source:
        register = one_line(report.register_source)
        about += f" · register {register} ({report.register_practices:,} practices)"
    headline = Text(one_line(report.headline), style=style)
    console.print(Panel(Group(headline, Text(about, style="dim"))))

    console.print(Text("Milestones", style="bold underline"))
    total = len(report.reports)
    for m in report.milestones:
        when = milestone_phrase(m.days_left)
        print_phrases(
            console, [Text(f"{human_date(m.date)} · {m.title}", "bold"), Text(f"({when})")]
        )
        line = Text("  ")
        urgent = "red" if m.days_left <= 0 else "yellow"
        said: list[str] = []
        if m.networks_not_ready:
            said.append(
                f"{len(m.networks_not_ready):,} of {plural(total, 'network')} not ready, "
                f"{plural(m.actions, 'action')}"
            )
        elif m.actions:
            # a warning, or a practice in no network: no network audited is not ready
            said.append(plural(m.actions, "action"))
        if m.networks_not_evidenced:
            said.append(f"{len(m.networks_not_evidenced):,} more with requirements not evidenced")
        if said:
            line.append("; ".join(said), style=urgent)
        else:
            line.append("all ready", style="green")
        console.print(line)
        if m.networks_not_ready and m.days_left >= -31:
            names = [one_line(name) for name in m.networks_not_ready]
            shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            console.print(Padding(Text(shown, style="dim"), (0, 0, 0, 2)))

    s = report.stats
    console.print()
    console.print(Text("The area in figures", style="bold underline"))
    figures = [
        (
            f"below {s['population_min']:,} patients",
            f"{s['below_min_complete']:,} (complete list sizes), "
            f"{s['below_min_with_gaps']:,} more among "
            f"{plural(s['networks_with_list_size_gaps'], 'network')} with gaps",
        ),
        (
            f"above {s['population_typical_max']:,} patients",
            f"{s['above_typical_max_complete']:,} (complete list sizes), "
            f"{s['above_typical_max_with_gaps']:,} more among networks with gaps",
        ),
        ("single-practice networks", f"{s['single_practice_networks']:,}"),
        (
            "memberships crossing CCG boundaries",
            f"{s['memberships_crossing_ccg']:,} of {s['memberships']:,}",
        ),
        ("practices in two networks", f"{s['practices_in_two_networks']:,}"),
        (
            "requirements met late",
            f"{plural(s['met_late']['findings'], 'finding')} in "
            f"{plural(s['met_late']['networks'], 'network')}"
            + (f" ({', '.join(s['met_late']['rules'])})" if s["met_late"]["rules"] else ""),
        ),
    ]
    if s["register_practices"] is not None:
        figures.append(
            (
                "register practices in no network",
                f"{s['register_practices_in_no_network']:,} of {s['register_practices']:,}",
            )
        )
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)
    table.add_column(style="bold")
    for name, value in figures:
        table.add_row(f"  {name}", value)
    console.print(table)
    if report.uncovered:
        console.print()
        console.print(Text("Practices in no network (COV-FULL)", style="bold underline"))
        for practice in report.uncovered[:_UNCOVERED_SHOWN]:
            console.print(Text(f"  {one_line(uncovered_phrase(practice))}"))
        if len(report.uncovered) > _UNCOVERED_SHOWN:
            hidden = len(report.uncovered) - _UNCOVERED_SHOWN
            console.print(
                Text(f"  and {hidden:,} more (every one is in the CSV, JSON and xlsx outputs)")
            )

    console.print()
    console.print(Text("Action plan (by due date, then severity)", style="bold underline"))
    if not report.actions:
        console.print(
            Text(
                "  Nothing the evidence shows unmet."
                + (" See the data gaps below." if report.gaps else ""),
                style="green",
            )
        )
    for number, action in enumerate(report.actions, start=1):
        due = (
            f"due {human_date(action.due_date)} ({days_phrase(action.days_left or 0)})"
            if action.due_date
            else "ongoing"
        )
        head = Text(f"{number:>3}. ")
        head.append(action.rule_id, style="bold")
        head.append(f" [{action.severity}]", style=SEVERITY_STYLE[action.severity])
        networks, across = split_concerns(report, action.networks)
        counted = f"{plural(len(networks), 'network')}, " if networks else ""
        print_phrases(
            console,
            [head, Text(due), Text(f"· {counted}{plural(action.findings, 'finding')}")],
            indent=5,
        )
        console.print(Padding(Text(action.title, style="dim"), (0, 0, 0, 5)))
        for what, names in (("Networks", networks), ("Across networks", across)):
            if names:
                shown = ", ".join(one_line(name) for name in names[:8])
                more = f" and {len(names) - 8:,} more" if len(names) > 8 else ""
                console.print(Padding(Text(f"{what}: {shown}{more}"), (0, 0, 0, 5)))
        for step in action.remediation:
            console.print(Padding(Text(f"- {step}"), (0, 0, 0, 5)))
    if report.gaps:
        console.print()
        console.print(
            Text(
                "Data gaps: facts the submissions do not give (not evidenced)",
                style="bold underline",
            )
        )
        for number, gap in enumerate(report.gaps, start=1):
            due = (
                f"needed by {human_date(gap.due_date)} ({days_phrase(gap.days_left or 0)})"
                if gap.due_date
                else "needed for ongoing requirements"
            )
            head = Text(f"{number:>3}. ")
            head.append(one_line(gap.sentence))
            console.print(head)
            console.print(
                Padding(
                    Text(
                        f"{due}; leaves {', '.join(gap.rules)} not evidenced for "
                        f"{plural(len(gap.networks), 'network')}",
                        style="dim",
                    ),
                    (0, 0, 0, 5),
                )
            )
    if report.payments is not None:
        render_payments(report.payments, console)
    if report.unreadable:
        console.print(
            Text(
                f"{plural(len(report.unreadable), 'submission')} could not be read (listed below).",
                style="red",
            )
        )
    if report.skipped:
        console.print(Text(skipped_note(report), style="dim"))


def headline_line(report: AuditReport) -> str:
    """``--quiet``: the audit's headline on one line (plain text)."""
    return one_line(report.headline) + "\n"


def _pounds(value: float) -> str:
    return f"-£{-value:,.2f}" if value < 0 else f"£{value:,.2f}"


def render_payments(rec: PaymentsReconciliation, console: Console, shown: int = 10) -> None:
    """The participation payment: entitled (the pack) against paid (the payments file), the
    difference by reason, and the networks with the largest differences."""
    console.print()
    console.print(
        Text("Network participation payment: entitled against paid", style="bold underline")
    )
    computed = len(rec.networks) - rec.not_computed
    console.print(
        Text(
            f"{computed:,} networks: entitled {_pounds(rec.entitlement)} "
            f"(£{rec.rate:g} per weighted patient); paid {_pounds(rec.paid)} to their "
            f"practices; difference {_pounds(rec.difference)}."
        )
    )
    for reason in rec.reasons:
        console.print(
            Padding(
                Text(
                    f"{_pounds(reason.difference):>16}  {plural(reason.practices, 'practice')}: "
                    f"{reason.words}"
                ),
                (0, 0, 0, 2),
            )
        )
    if rec.not_computed:
        console.print(
            Text(
                f"{plural(rec.not_computed, 'network')} without an entitlement (the pack could "
                f"not compute it: see FUND-ENTITLEMENTS); paid {_pounds(rec.paid_not_computed)}.",
                style="yellow",
            )
        )
    if rec.paid_to_non_members:
        console.print(
            Text(
                f"Paid to practices the payments file places in these networks that are not "
                f"their members: {_pounds(rec.paid_to_non_members)} (not counted above).",
                style="dim",
            )
        )
    largest = sorted(
        (n for n in rec.networks if n.difference),
        key=lambda n: (-abs(n.difference or 0.0), n.label),
    )[:shown]
    if largest:
        console.print(Text("Largest differences:", style="bold"))
    for network in largest:
        reasons = Counter(p.reason for p in network.explained)
        why = ", ".join(f"{n} {reason.replace('_', ' ')}" for reason, n in sorted(reasons.items()))
        line = Text(
            f"{_pounds(network.difference or 0.0):>14}  {one_line(network.label)}: entitled "
            f"{_pounds(network.entitlement or 0.0)}, paid {_pounds(network.paid)}"
        )
        if why:
            line.append(f" ({why})", style="dim")
        console.print(Padding(line, (0, 0, 0, 2)))
    sources = ", ".join(one_line(s) for s in rec.sources)
    console.print(Text(f"Paid: the PCN Participation column of {sources}.", style="dim"))


def skipped_note(report: AuditReport) -> str:
    """The note on JSON files the audit did not read as submissions (e.g. an earlier report)."""
    shown = "; ".join(f"{source}: {why}" for source, why in report.skipped[:5])
    more = f"; and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
    return f"Note: skipped {plural(len(report.skipped), 'JSON file')} ({shown}{more})."


#: The practices in no network the text lists (the other formats list every one).
_UNCOVERED_SHOWN = 25


def commissioners_phrase(report: AuditReport) -> str:
    """ "lead commissioner 08J NHS KINGSTON CCG", or how many lead the networks audited."""
    if report.commissioners:
        names = {lead.code.upper(): lead for lead in report.leads if lead is not None}
        shown = [names[code].phrase if code in names else code for code in report.commissioners]
        word = "lead commissioner" if len(shown) == 1 else "lead commissioners"
        return f"{word} {', '.join(one_line(name) for name in shown)}"
    codes = {lead.code.upper() for lead in report.leads if lead is not None}
    return plural(len(codes), "lead commissioner")


def uncovered_phrase(practice: Uncovered) -> str:
    """ "A81001 THE DENSHAM SURGERY (00K): 5,432 patients"."""
    name = f" {practice.name}" if practice.name else ""
    ccg = f" ({practice.commissioner})" if practice.commissioner else ""
    size = (
        f"{practice.list_size:,} patients"
        if practice.list_size is not None
        else "list size not known"
    )
    return f"{practice.code}{name}{ccg}: {size}"


def split_concerns(report: AuditReport, concerns: Sequence[str]) -> tuple[list[str], list[str]]:
    """What an action concerns: the networks audited, and the rest (a practice in no network,
    named by its code, or the area)."""
    known = set(report.labels)
    return [c for c in concerns if c in known], [c for c in concerns if c not in known]
