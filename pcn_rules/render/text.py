"""Terminal rendering of reports with rich.  Only the CLI imports this module."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pcn_rules.vocab import days_phrase

if TYPE_CHECKING:  # only for annotations: `pcn-check FILE` need not import audit or packdiff
    from pcn_rules.audit.run import AuditReport
    from pcn_rules.packs.diff import PackDiff
    from pcn_rules.packs.model import Rule, RulePack
    from pcn_rules.report.baseline import BaselineDiff
    from pcn_rules.report.model import Finding, Report

_STATUS_STYLE = {
    "met": ("✓ met", "green"),
    "met_late": ("✓ met late", "yellow"),
    "not_met": ("✗ not met", "red"),
    "not_evidenced": ("? no evidence", "magenta"),
    "waived": ("~ waived", "yellow"),
    "not_applicable": ("- n/a", "dim"),
    "error": ("! error", "bold magenta"),
}
#: Findings shown in full (the rest are summarised on one line per milestone).
_SHOWN = ("not_met", "not_evidenced", "error", "waived", "met_late")
#: Width of the status column; a finding's text is indented by it.
_LABEL = 14
_SCOPE_LABEL = {"register_practice": "practice", "covered_practice": "covered practice"}
_SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def human_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _later_line(report: Report) -> Text | None:
    """What is not met at later milestones, so that a verdict never hides it."""
    later = report.later_unsettled()
    if not later:
        return None
    by_rule: dict[str, Finding] = {}
    for finding in later:
        by_rule.setdefault(finding.rule_id, finding)
    parts = []
    for rule_id, finding in by_rule.items():
        assert finding.due is not None
        assert finding.days_left is not None
        state = "not evidenced" if finding.status == "not_evidenced" else "not met"
        parts.append(
            f"{rule_id} ({state}), due {human_date(finding.due.date)}, "
            f"{days_phrase(finding.days_left).removeprefix('due ')}"
        )
    return Text("Not yet met at later milestones: " + "; ".join(parts) + ".", style="yellow")


def _verdict(report: Report) -> Text:
    blocking = [f for f in report.findings if f.blocking]
    horizon = report.horizon
    late = sorted({f.rule_id for f in report.findings if f.status == "met_late"})
    if not blocking:
        line = Text("COMPLIANT", style="bold green")
        if horizon is not None:
            line.append(
                f" as of {human_date(report.as_of)}: every requirement due by "
                f"{human_date(horizon.date)} ({horizon.key}) is met",
                style="green",
            )
        else:
            line.append(
                f" as of {human_date(report.as_of)}: every requirement of the year is met",
                style="green",
            )
        line.append(f" ({', '.join(late)} met late)." if late else ".", style="green")
        return line
    overdue = {f.rule_id for f in blocking if f.days_left is not None and f.days_left < 0}
    line = Text("NOT COMPLIANT", style="bold red")
    unmet = {f.rule_id for f in blocking if f.status != "not_evidenced"}
    unproven = {f.rule_id for f in blocking if f.status == "not_evidenced"} - unmet
    parts = []
    if unmet:
        parts.append(f"{len(unmet)} requirement{'s' if len(unmet) != 1 else ''} not met")
    if unproven:
        parts.append(
            f"{len(unproven)} not evidenced ({', '.join(sorted(unproven))})"
            if len(unproven) <= 3
            else f"{len(unproven)} not evidenced"
        )
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if late:
        parts.append(f"{', '.join(late)} met late")
    if horizon is not None:
        days = (horizon.date - report.as_of).days
        parts.append(
            f"next deadline {human_date(horizon.date)} ({horizon.key}, {days_phrase(days)})"
        )
    line.append(f" as of {human_date(report.as_of)}: " + "; ".join(parts) + ".", style="red")
    return line


def _finding_block(finding: Finding, show_remediation: bool) -> RenderableType:
    label, style = _STATUS_STYLE[finding.status]
    head = Text()
    head.append(f"{label:<{_LABEL}}", style=style)
    head.append(f"{finding.rule_id}", style="bold")
    head.append(f" [{finding.severity}]", style=_SEVERITY_STYLE[finding.severity])
    if finding.failed and finding.days_left is not None:
        head.append(
            f" · {days_phrase(finding.days_left)}", style="red" if finding.days_left < 0 else ""
        )
    if finding.days_late is not None:
        head.append(
            f" · {finding.days_late} day{'s' if finding.days_late != 1 else ''} late",
            style="yellow",
        )
    if finding.entity and finding.scope != "network":
        name = f" {finding.entity_name}" if finding.entity_name else ""
        scope = _SCOPE_LABEL.get(finding.scope, finding.scope.replace("_", " "))
        head.append(f"  {scope} {finding.entity}{name}", style="bold")
    parts: list[RenderableType] = [head]
    parts.append(Padding(Text(finding.message), (0, 0, 0, _LABEL)))
    if finding.missing and finding.status != "not_evidenced":
        parts.append(
            Padding(
                Text(f"Also not evidenced: {', '.join(finding.missing)}.", style="magenta"),
                (0, 0, 0, _LABEL),
            )
        )
    if finding.waiver is not None:
        w = finding.waiver
        extra = f", expires {w.expires_on}" if w.expires_on else ""
        parts.append(
            Padding(
                Text(
                    f"Waived by {w.approved_by} on {w.approved_on}{extra}: {w.reason}",
                    style="yellow",
                ),
                (0, 0, 0, _LABEL),
            )
        )
    if show_remediation and finding.remediation:
        steps = Table.grid(padding=(0, 1))
        steps.add_column(no_wrap=True)
        steps.add_column()
        for number, step in enumerate(finding.remediation, start=1):
            steps.add_row(f"{number}.", Text(step))
        parts.append(Padding(Text("How to fix:", style="bold"), (0, 0, 0, _LABEL)))
        parts.append(Padding(steps, (0, 0, 0, _LABEL + 2)))
    source = finding.source
    parts.append(
        Padding(
            Text(f"Source: {source.get('document')} ({source.get('confidence')})", style="dim"),
            (0, 0, 0, _LABEL),
        )
    )
    return Group(*parts)


def _summarise(findings: Iterable[Finding]) -> Text:
    """The requirements met for every entity (one unmet practice keeps a rule off the list)."""
    findings = list(findings)
    attention = {f.rule_id for f in findings if f.status in _SHOWN}
    met = sorted({f.rule_id for f in findings if f.status == "met"} - attention)
    text = Text()
    if met:
        text.append(f"✓ {len(met)} met: ", style="green")
        text.append(", ".join(met), style="dim")
    return text


def render_report(report: Report, console: Console, explain: bool = False) -> None:
    """Print one report: verdict, then findings grouped by milestone, with remediation."""
    title = report.network_name
    if report.network_ods_code:
        title += f" ({report.network_ods_code})"
    about = Text(
        f"Checked against pack {report.pack_id} (release {report.pack_release}) as of "
        f"{report.as_of}" + (f" · {report.source}" if report.source else ""),
        style="dim",
    )
    # the name is the submission's text: as a Text, "[...]" and ":name:" in it are shown as written
    # (a str title would be read as rich markup and emoji codes)
    later = _later_line(report)
    lines = [_verdict(report), *([later] if later is not None else []), about]
    console.print(Panel(Group(*lines), title=Text(title), expand=True))

    groups: dict[str | None, list[Finding]] = {}
    for finding in report.findings:
        groups.setdefault(finding.due.key if finding.due else None, []).append(finding)
    milestone_info = {m.key: m for m in report.milestones}
    horizon_date = report.horizon.date if report.horizon else None

    for key in [m.key for m in report.milestones if m.key in groups] + (
        [None] if None in groups else []
    ):
        findings = groups[key]
        if key is None:
            heading = Text("Ongoing requirements (no deadline)", style="bold underline")
            upcoming = False
        else:
            m = milestone_info[key]
            upcoming = horizon_date is not None and m.date > horizon_date
            heading = Text(f"{human_date(m.date)} · {m.title}", style="bold underline")
            if m.days_left < 0:
                when = f"{-m.days_left} day{'s' if m.days_left != -1 else ''} ago"
            else:
                when = days_phrase(m.days_left)
            heading.append(f"  ({when})", style="red" if m.blocking else "")
            if upcoming:
                heading.append("  upcoming: does not affect the verdict yet", style="dim")
        console.print()
        console.print(heading)
        attention = [f for f in findings if f.status in _SHOWN]
        for finding in attention:
            console.print(_finding_block(finding, show_remediation=finding.failed))
            if explain and finding.explain:
                for step in finding.explain:
                    console.print(
                        Padding(Text(f"why: {step['words']}", style="dim"), (0, 0, 0, _LABEL))
                    )
        summary = _summarise(findings)
        if summary:
            console.print(summary)
        na = sorted({f.rule_id for f in findings if f.status == "not_applicable"})
        if na:
            console.print(Text(f"- not applicable: {', '.join(na)}", style="dim"))

    counts = report.summary()
    console.print()
    console.print(
        Text(
            f"{counts['met']} met · {counts['met_late']} met late · {counts['not_met']} not met · "
            f"{counts['not_evidenced']} not evidenced · {counts['waived']} waived · "
            f"{counts['not_applicable']} not applicable · {counts['error']} error · "
            f"{counts['blocking']} blocking",
            style="bold",
        )
    )


def render_rules_table(pack: RulePack, console: Console) -> None:
    if console.width < 120:
        _render_rules_lines(pack, console)
        return
    table = Table(
        title=Text(f"{pack.title} (pack {pack.id}, release {pack.release})", style="table.title")
    )
    table.add_column("ID", style="bold", no_wrap=True)
    table.add_column("Severity")
    table.add_column("Due")
    table.add_column("Scope")
    table.add_column("Title")
    for rule in sorted(pack.rules, key=_rule_order):
        due = f"{rule.due.key} ({rule.due.date})" if rule.due else "—"
        table.add_row(
            Text(rule.id),
            Text(rule.severity, style=_SEVERITY_STYLE[rule.severity]),
            Text(due),
            Text(rule.scope),
            Text(rule.title),
        )
    console.print(table)


def _render_rules_lines(pack: RulePack, console: Console) -> None:
    """The rules list for narrow terminals: one heading line and one title line per rule."""
    console.print(Text(f"{pack.title} (pack {pack.id}, release {pack.release})", style="bold"))
    for rule in sorted(pack.rules, key=_rule_order):
        due = f"{rule.due.date} {rule.due.key}" if rule.due else "no deadline"
        line = Text.assemble((f"{rule.id:<26}", "bold"))
        line.append(f"{rule.severity:<8}", style=_SEVERITY_STYLE[rule.severity])
        line.append(f"{rule.scope:<9} {due}")
        console.print(line)
        console.print(Padding(Text(rule.title, style="dim"), (0, 0, 0, 4)))
    console.print(Text(f"{len(pack.rules)} rules", style="bold"))


def _rule_order(rule: Rule) -> tuple[dt.date, str]:
    return (rule.due.date if rule.due else dt.date.max, rule.id)


def render_rule(pack: RulePack, rule: Rule, console: Console) -> None:
    lines = Table.grid(padding=(0, 2))
    lines.add_column(style="bold")
    lines.add_column()

    def row(label: str, value: str | Text) -> None:
        # pack text is shown as written: a `[` in a title is not rich markup
        lines.add_row(label, value if isinstance(value, Text) else Text(value))

    row("ID", rule.id)
    row("Title", rule.title)
    if rule.description:
        row("Description", rule.description)
    row("Pack", f"{pack.id} (release {pack.release})")
    row("Scope", rule.scope)
    row("Severity", rule.severity)
    row(
        "Due",
        f"{rule.due.key}: {human_date(rule.due.date)} ({rule.due.title})"
        if rule.due
        else "no deadline",
    )
    for label, source in rule.conditions():
        row(label.capitalize(), Text(source, style="cyan"))
    for index, check in enumerate(rule.checks):
        row("Message" if index == 0 else "", check.message.text)
    row("Remediation", "\n".join(f"{n}. {s}" for n, s in enumerate(rule.remediation, start=1)))
    src = rule.source
    row(
        "Source",
        f"{src.get('document')} (confidence {src.get('confidence')})"
        + (f"\n{src['note']}" if "note" in src else ""),
    )
    row("Examples", f"{len(rule.examples)}")
    row("Defined in", rule.origin)
    console.print(Panel(lines, title=Text(rule.id)))


def _diff_value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return " | ".join(" ".join(v.split()) for v in value)
    if isinstance(value, list) and all(isinstance(v, dict) and "check" in v for v in value):
        return " | ".join(" ".join(str(v["check"]).split()) for v in value)
    return json.dumps(value, ensure_ascii=False)


def render_pack_diff(diff: PackDiff, console: Console) -> None:
    """Print what changed from one pack to the next, for a commissioner."""
    heading = Text(f"What changed from {diff.old} to {diff.new}", style="bold")
    about = Text(
        f"pack {diff.old} (release {diff.old_release}) → pack {diff.new} "
        f"(release {diff.new_release})"
        + (f"; {diff.new} extends {diff.old}" if diff.new_extends_old else ""),
        style="dim",
    )
    counts = Text(
        f"{len(diff.added)} requirements added · {len(diff.retired)} retired · "
        f"{len(diff.changed)} changed · {len(diff.unchanged)} unchanged · "
        f"{len(diff.milestones_added) + len(diff.milestones_removed) + len(diff.milestones_moved)}"
        f" milestone changes · {len(diff.parameters)} parameter changes"
    )
    console.print(Panel(Group(heading, about, counts), expand=True))

    if diff.added:
        console.print()
        console.print(Text("Added requirements", style="bold underline"))
        for added in diff.added:
            line = Text.assemble(("+ ", "green"), (added.id, "bold green"), "  ")
            line.append(added.severity, style=_SEVERITY_STYLE[added.severity])
            line.append(f", due {added.due or 'any time'}")
            console.print(line)
            console.print(Padding(Text(added.title), (0, 0, 0, 4)))

    if diff.retired:
        console.print()
        console.print(Text("Retired requirements", style="bold underline"))
        for gone in diff.retired:
            line = Text.assemble(
                (gone.id, "bold red"), f"  was {gone.severity}, due {gone.due or 'any time'}"
            )
            if gone.replaced_by:
                line.append(f"; replaced by {', '.join(gone.replaced_by)}", style="green")
            console.print(line)
            console.print(Padding(Text(gone.reason or gone.title), (0, 0, 0, 4)))

    if diff.changed:
        console.print()
        console.print(Text("Changed requirements", style="bold underline"))
        for rule in diff.changed:
            console.print(Text.assemble((rule.id, "bold yellow"), f"  {rule.title}"))
            for change in rule.changes:
                old, new = _diff_value(change.old), _diff_value(change.new)
                if len(old) + len(new) <= 80:
                    line = Text(f"    {change.field}: ")
                    line.append(old, style="red")
                    line.append(" → ")
                    line.append(new, style="green")
                    console.print(line)
                else:
                    console.print(Text(f"    {change.field}:"))
                    console.print(Padding(Text(f"- {old}", style="red"), (0, 0, 0, 6)))
                    console.print(Padding(Text(f"+ {new}", style="green"), (0, 0, 0, 6)))

    if diff.milestones_added or diff.milestones_removed or diff.milestones_moved:
        console.print()
        console.print(Text(f"Milestones ({diff.old} → {diff.new})", style="bold underline"))
        rows = [*diff.milestones_removed, *diff.milestones_moved, *diff.milestones_added]
        for m in sorted(rows, key=lambda m: (m.new_date or m.old_date or "", m.key)):
            if m.old_date is None:
                mark, style, when = "+ ", "green", f"{m.new_date}"
            elif m.new_date is None:
                mark, style, when = "- ", "red", f"{m.old_date} (no longer a milestone)"
            else:
                mark, style, when = "~ ", "yellow", f"{m.old_date} → {m.new_date}"
            console.print(Text.assemble((mark, style), (m.key, "bold"), f"  {when}"))
            console.print(Padding(Text(m.title, style="dim"), (0, 0, 0, 4)))

    if diff.parameters:
        console.print()
        console.print(Text("Parameters (thresholds and rates)", style="bold underline"))
        for param in diff.parameters:
            line = Text.assemble(("~ ", "yellow"), (param.name, "bold"), ": ")
            line.append(_diff_value(param.old), style="red")
            line.append(" → ")
            line.append(_diff_value(param.new), style="green")
            console.print(line)

    if diff.unchanged:
        console.print(Text(f"Unchanged: {', '.join(diff.unchanged)}", style="dim"))


def render_baseline(diff: BaselineDiff, console: Console) -> None:
    """New, resolved and unchanged unmet findings against an earlier report."""
    console.print()
    console.print(
        Text(
            f"Compared with {diff.file}: {len(diff.new)} new, {len(diff.resolved)} resolved, "
            f"{len(diff.unchanged)} unchanged",
            style="bold",
        )
    )
    for label, items, style in (("new", diff.new, "red"), ("resolved", diff.resolved, "green")):
        for item in items:
            entity = f" {item.entity}" if item.entity and item.entity != item.network else ""
            console.print(
                Text.assemble((f"  {label:<9}", style), f"{item.network} {item.rule_id}{entity}: ")
                + Text(item.message)
            )


def render_explanation(report: Report, findings: list[Finding], console: Console) -> None:
    """Why a rule gave its result: each condition, the values it read, in plain words."""
    first = findings[0]
    console.print(
        Text.assemble(
            (first.rule_id, "bold"),
            f" {first.title}  (pack {report.pack_id}, as of {report.as_of})",
        )
    )
    for finding in findings:
        label, style = _STATUS_STYLE[finding.status]
        who = f"{finding.scope} {finding.entity}" if finding.entity else finding.scope
        console.print()
        console.print(Text.assemble((f"{label} ", style), (who, "bold")))
        for step in finding.explain or ():
            console.print(Padding(Text(str(step["words"])), (0, 0, 0, 2)))
        console.print(Padding(Text(f"Result: {finding.message}"), (0, 0, 0, 2)))
        if finding.waiver is not None:
            w = finding.waiver
            console.print(
                Padding(
                    Text(f"Waived by {w.approved_by} on {w.approved_on}: {w.reason}"),
                    (0, 0, 0, 2),
                )
            )


def render_audit(report: AuditReport, console: Console) -> None:
    """The five-second line, the milestones, the action plan and the area's figures."""
    style = "bold green" if report.compliant else "bold red"
    about = (
        f"{len(report.reports)} networks · pack {report.pack_id} (release {report.pack_release})"
        f" · as of {report.as_of}"
    )
    if report.register_source:
        about += f" · register {report.register_source} ({report.register_practices:,} practices)"
    console.print(Panel(Group(Text(report.headline, style=style), Text(about, style="dim"))))

    console.print(Text("Milestones", style="bold underline"))
    total = len(report.reports)
    for m in report.milestones:
        when = days_phrase(m.days_left) if m.days_left >= 0 else f"{-m.days_left} days ago"
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
            names = list(m.networks_not_ready)
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
        head.append(f" [{action.severity}]", style=_SEVERITY_STYLE[action.severity])
        head.append(f" {due} · {len(action.networks)} networks, {action.findings} findings")
        console.print(head)
        console.print(Padding(Text(action.title, style="dim"), (0, 0, 0, 5)))
        shown = ", ".join(action.networks[:8])
        more = f" and {len(action.networks) - 8} more" if len(action.networks) > 8 else ""
        console.print(Padding(Text(f"Networks: {shown}{more}"), (0, 0, 0, 5)))
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
            head.append(gap.sentence)
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
