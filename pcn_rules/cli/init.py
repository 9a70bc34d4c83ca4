"""``pcn-check init``: a template submission to fill in."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from pcn_rules.cli.app import (
    stdout_console,
)
from pcn_rules.cli.options import (
    NewestPackOption,
)
from pcn_rules.cli.output import write_file
from pcn_rules.errors import UsageError
from pcn_rules.render.safe import one_line


def init_command(
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="Where to write the template.")
    ] = Path("submission.json"),
    pack: NewestPackOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a template submission to fill in: every value starts as "REPLACE: ...", which
    counts as not given until you replace it.

    Examples:

    \b
      pcn-check init my-network.json
      pcn-check init my-network.json --pack 2019/20
    """
    import json

    from pcn_rules.packs.discover import available_packs, load_pack_cached, resolve_pack_dir
    from pcn_rules.packs.template import placeholder_count, template_text

    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    chosen = pack or available_packs()[-1]
    loaded = load_pack_cached(chosen)
    example = resolve_pack_dir(chosen) / "examples" / "base.json"
    text = template_text(json.loads(example.read_text(encoding="utf-8")))
    write_file(path, text, option=None)
    others = [p for p in available_packs() if p != loaded.id]
    why = (
        "as asked"
        if pack is not None
        else "the newest bundled pack"
        + (f"; another year with --pack {others[0]}" if others else "")
    )
    name = one_line(str(path))
    stdout_console().print(
        Text(
            f"Wrote {name}: a {loaded.contract_year} template ({why}).\n"
            f"Fill it in:\n"
            f"  1. Replace each of its {placeholder_count(text)} values that start with "
            f'"REPLACE:" (each says what to give, with an example); until replaced, a value '
            "counts as not given.\n"
            "  2. Copy the entry of each list (practices, extended-hours blocks, roles, ...) "
            "once for every item you have, and delete the sections that do not apply.\n"
            "  3. Set submission.submitted_on to the date you send it.\n"
            f"Then run `pcn-check {name}`: it names every value still to fill in.",
        )
    )
