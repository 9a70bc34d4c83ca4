"""Terminal rendering of reports with rich: a check of submissions (each report, the comparison
with a baseline), and the explanation of a rule.  Audits are in :mod:`.text_audit`, packs in
:mod:`.text_packs`.  Renderers draw on the console they are given; only the CLI prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pcn_rules.render.safe import drawn_literally, one_line, print_phrases
from pcn_rules.render.words import STATUS_WORDS
from pcn_rules.vocab import STATUS_RANK, days_phrase, human_date, milestone_phrase, plural

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.render import Checked
    from pcn_rules.report import Finding, Report
    from pcn_rules.report.baseline import BaselineDiff

STATUS_STYLE = {
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
SEVERITY_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


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


#: The most placeholder paths named; the rest are counted.
_PLACEHOLDERS_SHOWN = 12


def _placeholders_line(paths: tuple[str, ...]) -> Text:
    """The template's values still to fill in (``"REPLACE: ..."``), by JSON path."""
    shown = ", ".join(paths[:_PLACEHOLDERS_SHOWN])
    more = len(paths) - _PLACEHOLDERS_SHOWN
    rest = f" and {more:,} more" if more > 0 else ""
    return Text(
        one_line(f'Still to fill in (values starting "REPLACE:"): {shown}{rest}.'),
        style="yellow",
    )


def _verdict(report: Report) -> Text:
    blocking = [f for f in report.findings if f.blocking]
    horizon = report.horizon
    late = sorted({f.rule_id for f in report.findings if f.status == "met_late"})
    if not blocking and not report.placeholders:
        line = Text("COMPLIANT", style="bold green")
        if horizon is not None:
            line.append(
                f" as of {human_date(report.as_of)}: every requirement due by "
                f"{human_date(horizon.date)} ({horizon.title}) is met",
                style="green",
            )
        else:
            line.append(
                f" as of {human_date(report.as_of)}: every requirement of the year is met",
                style="green",
            )
        line.append(f" ({', '.join(late)} met late)" if late else "", style="green")
        # never "every requirement is met" over a warning that is not: said, as not blocking
        unsettled = {
            f.rule_id: STATUS_WORDS[f.status]
            for f in report.findings
            if f.status in ("not_met", "not_evidenced")
            and (horizon is None or f.due is None or f.due.date <= horizon.date)
        }
        if unsettled:
            shown = ", ".join(f"{rule} ({words})" for rule, words in sorted(unsettled.items()))
            verb = "does" if len(unsettled) == 1 else "do"
            line.append(f", except {shown}, which {verb} not block the verdict", style="green")
        line.append(".", style="green")
        return line
    # a requirement met late blocks only with --fail-on-late: it is late, not unmet or overdue
    blocking_late = {f.rule_id for f in blocking if f.status == "met_late"}
    overdue = {
        f.rule_id
        for f in blocking
        if f.days_left is not None and f.days_left < 0 and f.status != "met_late"
    }
    line = Text("NOT COMPLIANT", style="bold red")
    unmet = {f.rule_id for f in blocking if f.status not in ("not_evidenced", "met_late")}
    unproven = {f.rule_id for f in blocking if f.status == "not_evidenced"} - unmet
    parts = []
    if report.placeholders:
        parts.append(f"{plural(len(report.placeholders), 'template value')} still to fill in")
    if unmet:
        parts.append(f"{plural(len(unmet), 'requirement')} not met")
    if unproven:
        parts.append(
            f"{len(unproven)} not evidenced ({', '.join(sorted(unproven))})"
            if len(unproven) <= 3
            else f"{len(unproven)} not evidenced"
        )
    if overdue:
        parts.append(f"{len(overdue)} overdue")
    if late:
        parts.append(
            f"{', '.join(late)} met late"
            + (" (met late blocks this verdict)" if blocking_late else "")
        )
    if horizon is not None:
        days = (horizon.date - report.as_of).days
        parts.append(
            f"next deadline {human_date(horizon.date)}, {days_phrase(days)}: {horizon.title}"
        )
    line.append(f" as of {human_date(report.as_of)}: " + "; ".join(parts) + ".", style="red")
    return line


def _finding_block(finding: Finding, show_remediation: bool) -> RenderableType:
    label, style = STATUS_STYLE[finding.status]
    head = Text()
    head.append(f"{label:<{_LABEL}}", style=style)
    head.append(f"{finding.rule_id}", style="bold")
    head.append(f" [{finding.severity}]", style=SEVERITY_STYLE[finding.severity])
    if finding.failed and finding.days_left is not None:
        head.append(
            f" · {days_phrase(finding.days_left)}", style="red" if finding.days_left < 0 else ""
        )
    if finding.days_late is not None:
        head.append(
            f" · {plural(finding.days_late, 'day')} late",
            style="yellow",
        )
    if finding.entity and finding.scope != "network":
        name = f" {finding.entity_name}" if finding.entity_name else ""
        scope = _SCOPE_LABEL.get(finding.scope, finding.scope.replace("_", " "))
        head.append(one_line(f"  {scope} {finding.entity}{name}"), style="bold")
    parts: list[RenderableType] = [head]
    parts.append(Padding(Text(one_line(finding.message)), (0, 0, 0, _LABEL)))
    if finding.missing and finding.status != "not_evidenced":
        parts.append(
            Padding(
                Text(f"Also not evidenced: {', '.join(finding.missing)}.", style="magenta"),
                (0, 0, 0, _LABEL),
            )
        )
    if finding.waiver is not None:
        w = finding.waiver
        extra = f", expires {_iso_day(w.expires_on)}" if w.expires_on else ""
        parts.append(
            Padding(
                Text(
                    one_line(
                        f"Waived by {w.approved_by} on {_iso_day(w.approved_on)}{extra}: {w.reason}"
                    ),
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
            Text(f"Source [{source.get('confidence')}]: {source.get('document')}", style="dim"),
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


@drawn_literally
def render_report(report: Report, console: Console, explain: bool = False) -> None:
    """Print one report: verdict, then findings grouped by milestone, with remediation."""
    title = one_line(report.network_name)
    if report.network_ods_code:
        title += f" ({report.network_ods_code})"
    about = Text(
        f"Checked against pack {report.pack_id} (release {report.pack_release}) as of "
        f"{human_date(report.as_of)}" + (f" · {one_line(report.source)}" if report.source else ""),
        style="dim",
    )
    # the name is the submission's text: as a Text, "[...]" and ":name:" in it are shown as written
    # (a str title would be read as rich markup and emoji codes)
    later = _later_line(report)
    lines = [
        _verdict(report),
        *([later] if later is not None else []),
        *([_placeholders_line(report.placeholders)] if report.placeholders else []),
        *(Text(one_line(f"Warning: {w}"), style="yellow") for w in report.warnings),
        about,
    ]
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
            when = Text(f"({milestone_phrase(m.days_left)})", style="red" if m.blocking else "")
            if upcoming:
                when.append("  upcoming: does not affect the verdict yet", style="dim")
        console.print()
        if key is None:
            console.print(heading)
        else:  # never "(28" and "days ago)" apart
            print_phrases(console, [heading, when])
        attention = [f for f in findings if f.status in _SHOWN]
        for finding in attention:
            console.print(_finding_block(finding, show_remediation=finding.failed))
            if explain and finding.explain:
                for step in finding.explain:
                    console.print(
                        Padding(
                            Text(one_line(f"why: {step['words']}"), style="dim"),
                            (0, 0, 0, _LABEL),
                        )
                    )
        summary = _summarise(findings)
        if summary:
            console.print(summary)
        na = sorted({f.rule_id for f in findings if f.status == "not_applicable"})
        if na:
            console.print(Text(f"- not applicable: {', '.join(na)}", style="dim"))

    console.print()
    console.print(Text(requirements_line(report), style="bold"))
    console.print(Text(CONFIDENCE_LEGEND, style="dim"))


#: What the confidence code after "Source" means (the catalogue's codes).
CONFIDENCE_LEGEND = (
    "Source confidence: OFF official text; SEC+ two or more independent secondary sources; "
    "SEC one secondary source; UNV unconfirmed."
)


def requirement_statuses(report: Report) -> dict[str, str]:
    """Each requirement's status: the worst of its findings (a practice not signed makes the
    whole requirement not met)."""
    worst: dict[str, str] = {}
    for finding in report.findings:
        held = worst.get(finding.rule_id)
        if held is None or STATUS_RANK[finding.status] < STATUS_RANK[held]:
            worst[finding.rule_id] = finding.status
    return worst


def requirements_line(report: Report) -> str:
    """The closing count, of requirements (not findings): "28 requirements: 20 met, ..."."""
    statuses = requirement_statuses(report)
    counts = dict.fromkeys(STATUS_RANK, 0)
    for status in statuses.values():
        counts[status] += 1
    parts = [f"{counts[s]:,} {words}" for s, words in STATUS_WORDS.items() if counts[s]]
    blocking = len({f.rule_id for f in report.findings if f.blocking})
    parts.append(f"{blocking:,} blocking the verdict")
    return f"{plural(len(statuses), 'requirement')}: " + " · ".join(parts)


def _iso_day(text: str) -> str:
    """A date of the submission (ISO text) as people read it."""
    return human_date(dt.date.fromisoformat(text))


def verdict_lines(reports: Iterable[Report]) -> str:
    """``--quiet``: each report's verdict on one line, after the network's name (plain text)."""
    lines = []
    for report in reports:
        name = one_line(report.network_name)
        if report.network_ods_code:
            name += f" ({report.network_ods_code})"
        lines.append(f"{name}: {_verdict(report).plain}")
    return "\n".join(lines) + "\n"


@drawn_literally
def render_checked(checked: Checked, console: Console) -> None:
    """Each report in turn, the comparison with a baseline, and (for several) how many pass."""
    reports = checked.reports
    for index, report in enumerate(reports):
        if index:
            console.print()
        render_report(report, console, explain=checked.explain)
    if checked.baseline is not None:
        render_baseline(checked.baseline, console)
    if len(reports) > 1:
        failing = sum(1 for r in reports if not r.compliant)
        console.print()
        console.print(
            f"[bold]{len(reports)} submissions: {len(reports) - failing} compliant, "
            f"{failing} not compliant.[/bold]"
        )


@drawn_literally
def render_baseline(diff: BaselineDiff, console: Console) -> None:
    """New, resolved and unchanged unmet findings against an earlier report."""
    console.print()
    console.print(
        Text(
            f"Compared with {one_line(diff.file)}: {len(diff.new)} new, "
            f"{len(diff.resolved)} resolved, {len(diff.unchanged)} unchanged",
            style="bold",
        )
    )
    for label, items, style in (("new", diff.new, "red"), ("resolved", diff.resolved, "green")):
        for item in items:
            entity = f" {item.entity}" if item.entity and item.entity != item.network else ""
            said = one_line(f"{item.network} {item.rule_id}{entity}: {item.message}")
            console.print(Text.assemble((f"  {label:<9}", style), said))


@drawn_literally
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
        label, style = STATUS_STYLE[finding.status]
        who = one_line(f"{finding.scope} {finding.entity}" if finding.entity else finding.scope)
        console.print()
        console.print(Text.assemble((f"{label} ", style), (who, "bold")))
        for step in finding.explain or ():
            console.print(Padding(Text(one_line(str(step["words"]))), (0, 0, 0, 2)))
        console.print(Padding(Text(one_line(f"Result: {finding.message}")), (0, 0, 0, 2)))
        if finding.waiver is not None:
            w = finding.waiver
            console.print(
                Padding(
                    Text(one_line(f"Waived by {w.approved_by} on {w.approved_on}: {w.reason}")),
                    (0, 0, 0, 2),
                )
            )
