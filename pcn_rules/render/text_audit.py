"""Terminal rendering of an audit with rich.  Renderers draw on the console they are given; only
the CLI prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from pcn_rules.render.safe import drawn_literally, one_line
from pcn_rules.render.text import SEVERITY_STYLE
from pcn_rules.vocab import days_phrase, milestone_phrase, plural

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.audits import AuditReport
    from pcn_rules.audits.model import Uncovered


@drawn_literally
def render_audit(report: AuditReport, console: Console) -> None:
    """The five-second line, the milestones, the action plan and the area's figures."""
    style = "bold green" if report.compliant else "bold red"
    about = (
        f"{len(report.reports)} networks · pack {report.pack_id} (release {report.pack_release})"
        f" · as of {report.as_of}"
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
        line = Text(f"{m.date:%d %b %Y}  {m.key:<26} {when:<18} ")
        urgent = "red" if m.days_left <= 0 else "yellow"
        said: list[str] = []
        if m.networks_not_ready:
            said.append(
                f"{len(m.networks_not_ready)} of {total} networks not ready, {m.actions} actions"
            )
        elif m.actions:
            said.append(f"{m.actions} area-wide actions")
        if m.networks_not_evidenced:
            said.append(f"{len(m.networks_not_evidenced)} more with requirements not evidenced")
        if said:
            line.append("; ".join(said), style=urgent)
        else:
            line.append("all ready", style="green")
        console.print(line)
        if m.networks_not_ready and m.days_left >= -31:
            names = [one_line(name) for name in m.networks_not_ready]
            shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
            console.print(Padding(Text(shown, style="dim"), (0, 0, 0, 13)))

    s = report.stats
    console.print()
    console.print(Text("The area in figures", style="bold underline"))
    figures = [
        (
            f"below {s['population_min']:,} patients",
            f"{s['below_min_complete']} (complete list sizes), "
            f"{s['below_min_with_gaps']} more among {s['networks_with_list_size_gaps']} "
            "networks with gaps",
        ),
        (
            f"above {s['population_typical_max']:,} patients",
            f"{s['above_typical_max_complete']} (complete list sizes), "
            f"{s['above_typical_max_with_gaps']} more among networks with gaps",
        ),
        ("single-practice networks", str(s["single_practice_networks"])),
        (
            "memberships crossing CCG boundaries",
            f"{s['memberships_crossing_ccg']} of {s['memberships']}",
        ),
        ("practices in two networks", str(s["practices_in_two_networks"])),
        (
            "requirements met late",
            f"{s['met_late']['findings']} findings in {s['met_late']['networks']} networks"
            + (f" ({', '.join(s['met_late']['rules'])})" if s["met_late"]["rules"] else ""),
        ),
    ]
    if s["register_practices"] is not None:
        figures.append(
            (
                "register practices in no network",
                f"{s['register_practices_in_no_network']} of {s['register_practices']:,}",
            )
        )
    for name, value in figures:
        console.print(Text.assemble(f"  {name:<38}", (value, "bold")))
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
            f"due {action.due_date:%d %b %Y} ({days_phrase(action.days_left or 0)})"
            if action.due_date
            else "ongoing"
        )
        head = Text(f"{number:>3}. ")
        head.append(action.rule_id, style="bold")
        head.append(f" [{action.severity}]", style=SEVERITY_STYLE[action.severity])
        networks, across = split_concerns(report, action.networks)
        counted = f"{plural(len(networks), 'network')}, " if networks else ""
        head.append(f" {due} · {counted}{plural(action.findings, 'finding')}")
        console.print(head)
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
                f"needed by {gap.due_date:%d %b %Y} ({days_phrase(gap.days_left or 0)})"
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
                        f"{len(gap.networks)} networks",
                        style="dim",
                    ),
                    (0, 0, 0, 5),
                )
            )
    if report.unreadable:
        console.print(
            Text(
                f"{len(report.unreadable)} submissions could not be read (listed below).",
                style="red",
            )
        )
    if report.skipped:
        console.print(Text(skipped_note(report), style="dim"))


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
