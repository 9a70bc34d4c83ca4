"""``pcn-check rules list|show|diff|test|lint``: the rules of a pack."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from pcn_rules.cli.app import (
    EXIT_NOT_COMPLIANT,
    TEXT_OR_JSON,
    Fail,
    stdout_console,
    text_or_json,
    write,
)
from pcn_rules.cli.options import (
    NewestPackOption,
    format_option,
)
from pcn_rules.render.safe import json_escaped

if TYPE_CHECKING:
    from pcn_rules.packs.model import RulePack


def _pack_note(loaded: "RulePack", asked: str | None) -> Text:
    """Which pack is shown, and why: the one asked for, or the newest bundled."""
    from pcn_rules.packs.discover import available_packs

    others = [p for p in available_packs() if p != loaded.id]
    why = (
        "as asked (--pack)"
        if asked is not None
        else "the newest bundled pack"
        + (f"; another year with --pack {others[0]}" if others else "")
    )
    return Text(f"Pack {loaded.id} (release {loaded.release}): {why}.", style="dim")


def rules_list(
    pack: NewestPackOption = None,
    output_format: Annotated[str, format_option(TEXT_OR_JSON)] = "text",
) -> None:
    """List the rules of a pack (default: the newest bundled pack)."""
    from pcn_rules.packs.discover import available_packs, load_pack_cached

    output_format = text_or_json(output_format)
    loaded = load_pack_cached(pack or available_packs()[-1])
    if output_format == "json":
        payload = [
            {
                "id": r.id,
                "title": r.title,
                "severity": r.severity,
                "scope": r.scope,
                "due": {"milestone": r.due.key, "date": r.due.date.isoformat()} if r.due else None,
            }
            for r in loaded.rules
        ]
        write(json.dumps(payload, indent=2) + "\n", None)
        return
    from pcn_rules.render.text_packs import render_rules_table

    console = stdout_console()
    console.print(_pack_note(loaded, pack))
    render_rules_table(loaded, console)


def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="RULE", help="Rule ID, e.g. POP-MIN.")],
    pack: NewestPackOption = None,
) -> None:
    """Show one rule: its condition, message, remediation and source."""
    from pcn_rules.packs.discover import available_packs, load_pack_cached
    from pcn_rules.render.text_packs import render_rule

    loaded = load_pack_cached(pack or available_packs()[-1])
    rule = loaded.rule(rule_id.upper())
    console = stdout_console()
    console.print(_pack_note(loaded, pack))
    render_rule(loaded, rule, console)


def rules_diff(
    old: Annotated[
        str,
        typer.Argument(metavar="OLD", help="The earlier pack: a year such as 2019/20, or a dir."),
    ],
    new: Annotated[
        str, typer.Argument(metavar="NEW", help="The later pack: a year such as 2020/21, or a dir.")
    ],
    output_format: Annotated[str, format_option(TEXT_OR_JSON)] = "text",
) -> None:
    """What changed between two packs: requirements added, retired and changed (field by field,
    old → new), milestones and parameters."""
    from pcn_rules.packs.diff import diff_packs
    from pcn_rules.packs.load import load_pack

    output_format = text_or_json(output_format)
    diff = diff_packs(load_pack(old), load_pack(new))
    if output_format == "json":
        write(
            json_escaped(json.dumps(diff.to_dict(), indent=2, ensure_ascii=False)) + "\n",
            None,
            "json",
        )
        return
    from pcn_rules.render.text_packs import render_pack_diff

    render_pack_diff(diff, stdout_console())


def rules_test(
    pack: Annotated[
        str | None,
        typer.Option(
            "--pack",
            metavar="YEAR|DIR",
            help="Rule pack: a year such as 2019/20, or a pack directory. Default: every "
            "bundled pack.",
        ),
    ] = None,
) -> None:
    """Run every rule's own examples (met and not met) and report any that disagree; then take
    each rule's met example and remove, one at a time, each fact the rule reads: the rule must
    then not be met (no vacuous passes), unless the pack marks the fact `optional`."""
    from pcn_rules.packs.discover import available_packs
    from pcn_rules.packs.examples import find_vacuous_passes, run_pack_examples
    from pcn_rules.packs.load import load_pack

    console = stdout_console()
    packs = [pack] if pack else available_packs()
    failures = 0
    for ref in packs:
        loaded = load_pack(ref)
        results = run_pack_examples(loaded)
        failed = [r for r in results if not r.passed]
        failures += len(failed)
        vacuous = find_vacuous_passes(loaded)
        failures += len(vacuous)
        for passed in vacuous:
            console.print(Text.assemble(("FAIL", "red"), f" {passed}"))
        for result in failed:
            console.print(
                Text.assemble(
                    ("FAIL", "red"), f" {result.rule_id}: {result.example.name}: {result.detail}"
                )
            )
        missing = [
            r.id
            for r in loaded.rules
            if "met" not in {e.expect for e in r.examples}
            or not {"not_met", "not_evidenced"} & {e.expect for e in r.examples}
        ]
        for rule_id in missing:
            failures += 1
            console.print(
                Text.assemble(
                    ("FAIL", "red"),
                    f" {rule_id}: needs at least one met example and one that is not met "
                    "(not_met or not_evidenced)",
                )
            )
        console.print(
            Text(
                f"pack {loaded.id}: {len(results) - len(failed)} of {len(results)} examples pass "
                f"across {len(loaded.rules)} rules"
            )
        )
    if failures:
        raise Fail(EXIT_NOT_COMPLIANT)


def rules_lint(
    pack: Annotated[
        str, typer.Argument(metavar="YEAR|DIR", help="A pack directory (or a bundled year).")
    ],
) -> None:
    """Validate a rule pack without running anything: keys, milestones, IDs and CEL conditions,
    and that every rule with a deadline names the date its evidence carries (or says why not).
    Exit 1 when the pack loads but has lint problems."""
    from pcn_rules.engine.plan import prepare
    from pcn_rules.packs.load import lint_pack, load_pack

    loaded = load_pack(pack)
    prepare(loaded)  # what evaluation refuses (a condition that could build huge values), now
    problems = lint_pack(loaded)
    console = stdout_console()
    for problem in problems:
        console.print(Text.assemble(("FAIL", "red"), f" {problem}"))
    if problems:
        console.print(Text(f"pack {loaded.id}: {len(problems)} lint problems"))
        raise Fail(EXIT_NOT_COMPLIANT)
    console.print(
        Text.assemble(
            ("ok", "green"),
            f" pack {loaded.id}: {len(loaded.rules)} rules, {len(loaded.milestones)} milestones",
        )
    )
