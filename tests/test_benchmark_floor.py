"""The benchmark's floor (benchmarks/run.py: the 2019/20 rules written by hand in plain Python)
must be the same rules as the pack: on every 2019/20 fixture and on real ODS networks it finds
exactly as many findings not shown to hold (not met, not evidenced or in error) as the engine.
Otherwise engine/plain compares unlike work."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pcn_rules
from pcn_rules.engine import evaluate
from pcn_rules.facts.build import build_facts
from pcn_rules.ingest.ods import import_ods
from pcn_rules.submission.read import validate_submission

ROOT = Path(__file__).resolve().parent.parent
PACK = pcn_rules.load_pack("2019/20")


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pcn_benchmark", ROOT / "benchmarks" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCHMARK = _benchmark()


def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = [
        (path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((ROOT / "fixtures" / "2019-20").glob("*.json"))
    ]
    ods = ROOT / "fixtures" / "ods"
    imported = import_ods(
        [ods / "epcn_2019-12_pcn_details_slice.csv", ods / "epcn_2019-12_core_partners_slice.csv"],
        ods / "qof_1819_practice_list_size_slice.csv",
    )
    docs += sorted(imported.submissions.items())
    return docs


@pytest.mark.parametrize("as_of", [dt.date(2019, 5, 10), dt.date(2019, 6, 30)])
def test_the_plain_python_floor_finds_what_the_engine_finds(as_of: dt.date) -> None:
    params = dict(PACK.parameters)
    milestones = {m.key: m.date.isoformat() for m in PACK.milestones}
    for name, doc in _documents():
        facts = build_facts(validate_submission(doc, name), as_of=as_of)
        report = evaluate(facts, PACK, as_of)
        unmet = sum(1 for f in report.findings if f.failed)
        assert BENCHMARK.plain_rules(facts, params, milestones, as_of.isoformat()) == unmet, name


def _floor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pcn_floor", ROOT / "benchmarks" / "floor.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_audit_floor_reads_the_submissions_and_the_register_the_audit_reads(
    tmp_path: Path,
) -> None:
    """The floor of the national audit (benchmarks/floor.py) does the audit's least work: every
    submission read, their list sizes summed, their practices matched to the register."""
    from pcn_rules.ingest.register import load_register

    ods = ROOT / "fixtures" / "ods"
    imported = import_ods(
        [ods / "epcn_2019-12_pcn_details_slice.csv", ods / "epcn_2019-12_core_partners_slice.csv"],
        ods / "qof_1819_practice_list_size_slice.csv",
    )
    for code, doc in imported.submissions.items():
        (tmp_path / f"{code}.json").write_text(json.dumps(doc), encoding="utf-8")
    register = ods / "epraccur_2019-11_slice.csv"
    got = _floor().floor(tmp_path, register)
    practices = [p for doc in imported.submissions.values() for p in doc["practices"]]
    active = {p.ods_code for p in load_register(register).practices}
    assert got["networks"] == len(imported.submissions)
    assert got["practices"] == len(practices)
    assert got["patients"] == sum(p.get("list_size") or 0 for p in practices) > 0
    assert got["in_register"] == sum(p["ods_code"] in active for p in practices) > 0
    covered = {p["ods_code"] for p in practices}
    assert got["register_practices_in_no_network"] == len(active - covered)
