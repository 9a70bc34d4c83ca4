"""``pcn-check init``: a template submission to fill in."""

# No `from __future__ import annotations` here: typer reads every command's annotations on each
# run, and string annotations would have to be evaluated (~15 ms of `pcn-check FILE`'s start).

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from pcn_rules.cli.app import PackOption, stdout_console
from pcn_rules.cli.output import write_file
from pcn_rules.errors import UsageError
from pcn_rules.render.safe import one_line


def init_command(
    path: Annotated[Path, typer.Argument(help="Where to write the template.")] = Path(
        "submission.json"
    ),
    pack: PackOption = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a template submission to fill in (an example network that meets every rule)."""
    from pcn_rules.packs.discover import available_packs, resolve_pack_dir

    if path.exists() and not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")
    template = resolve_pack_dir(pack or available_packs()[0]) / "examples" / "base.json"
    write_file(path, template.read_text(encoding="utf-8"), option=None)
    stdout_console().print(
        Text(
            f"Wrote {one_line(str(path))}: an example network that meets every rule. Replace "
            f"its facts with your network's, then run `pcn-check {one_line(str(path))}`."
        )
    )
