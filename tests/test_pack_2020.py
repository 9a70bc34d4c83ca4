"""The 2020/21 submission fields, facts and rule pack."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pcn_rules.errors import InputError
from pcn_rules.facts import build_facts
from pcn_rules.inputs import coerce_submission

ROOT = Path(__file__).resolve().parent.parent
BASE_2019 = ROOT / "rules" / "2019-20" / "examples" / "base.json"


def _base_2019() -> dict[str, object]:
    data: dict[str, object] = json.loads(BASE_2019.read_text(encoding="utf-8"))
    return data


def test_2019_submission_still_valid_without_2020_fields() -> None:
    facts = build_facts(coerce_submission(_base_2019()))
    assert "participation" not in facts.network
    assert facts.entities["care_home"] == ()
    assert facts.entities["sub_contract"] == ()


def test_2020_fields_become_facts() -> None:
    data = _base_2019()
    data["participation"] = {
        "confirmed_on": "2020-05-20",
        "changes": [{"kind": "clinical_director", "notified_on": "2020-05-20"}],
        "opt_outs": [
            {
                "practice_ods_code": "Z99005",
                "notified_on": "2020-05-01",
                "effective_on": "2020-05-31",
            }
        ],
    }
    data["care_homes"] = [
        {"cqc_location_id": "1-123456789", "name": "Elm House", "beds": 40, "clinical_lead": "Dr B"}
    ]
    data["sub_contracts"] = [{"provider": "Valley GP Federation", "service": "Extended hours"}]
    facts = build_facts(coerce_submission(data))
    participation = facts.network["participation"]
    assert participation["change_kinds"] == ["clinical_director"]
    opt_out = participation["opt_outs"][0]
    assert opt_out["still_member"] is True
    assert opt_out["one_month_notice"] is False  # 1 May to 31 May is less than a month
    assert facts.network["care_home_beds"] == 40
    (home,) = facts.entities["care_home"]
    assert home.id == "1-123456789"
    assert "approval" not in facts.entities["sub_contract"][0].facts


def test_bad_cqc_location_id_is_an_input_error() -> None:
    data = _base_2019()
    data["care_homes"] = [{"cqc_location_id": "123"}]
    with pytest.raises(InputError) as info:
        coerce_submission(data)
    assert "care_homes[0].cqc_location_id" in str(info.value)
