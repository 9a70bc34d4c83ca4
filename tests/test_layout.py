"""The layout shows the flow: every package says in one line what it is, no module grows past
400 lines, and only the CEL package imports the CEL binding."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pcn_rules"
MODULES = sorted(PACKAGE.rglob("*.py"))
LIMIT = 400


def test_the_package_is_laid_out_in_the_order_of_the_flow() -> None:
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages >= {
        "submission",
        "facts",
        "packs",
        "cel",
        "engine",
        "report",
        "audits",
        "ingest",
        "render",
        "cli",
    }


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_is_over_the_limit(module: Path) -> None:
    lines = len(module.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{module.relative_to(PACKAGE)} has {lines} lines (limit {LIMIT})"


@pytest.mark.parametrize(
    "init", sorted(PACKAGE.rglob("__init__.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_every_package_says_what_it_is(init: Path) -> None:
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc, f"{init.relative_to(PACKAGE)} has no docstring"


def test_only_the_cel_package_imports_the_binding() -> None:
    importers: set[str] = set()
    for module in MODULES:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "cel_expr_python" for name in names):
                importers.add(str(module.relative_to(PACKAGE)))
    assert importers == {"cel/binding.py"}
