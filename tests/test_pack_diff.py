"""`pcn-check rules diff`: what changed from one pack to the next."""

from __future__ import annotations

import json

import pytest

from pcn_rules.packs.diff import diff_packs
from pcn_rules.packs.load import load_pack


def _cli(args: list[str]) -> int:
    from pcn_rules.cli import main

    return main(args)


def test_diff_2019_to_2020_data() -> None:
    diff = diff_packs(load_pack("2019/20"), load_pack("2020/21"))
    added = {r.id for r in diff.added}
    assert {"COLLAB-COMMUNITY-SERVICES", "COLLAB-WIDER", "PART-CONFIRM"} <= added
    retired = {r.id: r for r in diff.retired}
    assert retired["COLLAB-EXPECTED"].replaced_by == ("COLLAB-COMMUNITY-SERVICES", "COLLAB-WIDER")
    assert "REG-ON-TIME" in retired
    changed = {c.id: {f.field: (f.old, f.new) for f in c.changes} for c in diff.changed}
    assert changed["POP-MIN"]["due"] == (
        "commissioner_confirmation (2019-05-31)",
        "participation (2020-05-31)",
    )
    assert "ARRS-BASELINE" in diff.unchanged
    assert {m.key for m in diff.milestones_added} >= {"community_services", "participation"}
    assert "registration" in {m.key for m in diff.milestones_removed}
    params = {p.name: (p.old, p.new) for p in diff.parameters}
    assert params["clinical_director_per_patient"] == (0.5143, 0.722)
    assert params["list_size_reference_date"] == ("2019-01-01", "2020-01-01")


def test_rules_diff_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["rules", "diff", "2019/20", "2020/21"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "What changed from 2019/20 to 2020/21" in out
    assert "COLLAB-COMMUNITY-SERVICES" in out
    assert "COLLAB-WIDER" in out
    assert "COLLAB-EXPECTED" in out
    assert "replaced by COLLAB-COMMUNITY-SERVICES, COLLAB-WIDER" in out
    assert "clinical_director_per_patient" in out


def test_rules_diff_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(["rules", "diff", "2019/20", "2020/21", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["diff_version"] == "1.0"
    assert data["new_extends_old"] is True
    added = {r["id"] for r in data["rules"]["added"]}
    assert {"COLLAB-COMMUNITY-SERVICES", "COLLAB-WIDER"} <= added
    retired = {r["id"] for r in data["rules"]["retired"]}
    changed = {r["id"] for r in data["rules"]["changed"]}
    assert "COLLAB-EXPECTED" in retired | changed
    assert data["summary"]["added"] == len(data["rules"]["added"])


def test_rules_diff_unknown_pack_is_usage_error() -> None:
    assert _cli(["rules", "diff", "2019/20", "2031/32"]) == 2
