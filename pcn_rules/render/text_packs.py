"""Terminal rendering of rule packs with rich: the rules list, one rule, and what changed from one
pack to the next.  Renderers draw on the console they are given; only the CLI prints."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pcn_rules.render.safe import drawn_literally
from pcn_rules.render.text import SEVERITY_STYLE
from pcn_rules.render.words import numbered_steps
from pcn_rules.vocab import human_date

if TYPE_CHECKING:  # only for annotations
    from pcn_rules.packs.diff import PackDiff
    from pcn_rules.packs.model import Rule, RulePack


@drawn_literally
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
            Text(rule.severity, style=SEVERITY_STYLE[rule.severity]),
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
        line.append(f"{rule.severity:<8}", style=SEVERITY_STYLE[rule.severity])
        line.append(f"{rule.scope:<9} {due}")
        console.print(line)
        console.print(Padding(Text(rule.title, style="dim"), (0, 0, 0, 4)))
    console.print(Text(f"{len(pack.rules)} rules", style="bold"))


def _rule_order(rule: Rule) -> tuple[dt.date, str]:
    return (rule.due.date if rule.due else dt.date.max, rule.id)


@drawn_literally
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
    row("Remediation", numbered_steps(rule.remediation))
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


@drawn_literally
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
            line.append(added.severity, style=SEVERITY_STYLE[added.severity])
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
