"""The plain-Python floor of a national audit, run as its own process by benchmarks/run.py:

    python benchmarks/floor.py DIRECTORY REGISTER

Reads every submission (*.json) in DIRECTORY, sums the practices' list sizes, and matches the
practices to the active GP practices of an NHS Digital epraccur REGISTER (status A, prescribing
setting 4): the least work any audit of those files has to do.  Only the standard library, so the
process starts as fast as Python can.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

# positions in the headerless epraccur file (ODS specification)
_CODE, _STATUS, _SETTING = 0, 12, 25


def floor(directory: Path, register: Path) -> dict[str, int]:
    active: set[str] = set()
    with register.open(newline="", encoding="utf-8", errors="replace") as f:
        rows = csv.reader(f)
        code, status, setting = _CODE, _STATUS, _SETTING
        for row in rows:
            if row and row[0] == "Organisation Code":  # the same with a header row
                code = row.index("Organisation Code")
                status = row.index("Status Code")
                setting = row.index("Prescribing Setting")
                continue
            if len(row) > setting and row[status] == "A" and row[setting] == "4":
                active.add(row[code])
    networks = practices = patients = registered = 0
    covered: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        networks += 1
        for practice in doc.get("practices", []):
            practices += 1
            patients += practice.get("list_size") or 0
            code = practice.get("ods_code")
            if code in active:
                registered += 1
                covered.add(code)
    return {
        "networks": networks,
        "practices": practices,
        "patients": patients,
        "in_register": registered,
        "register_practices_in_no_network": len(active - covered),
    }


if __name__ == "__main__":
    print(json.dumps(floor(Path(sys.argv[1]), Path(sys.argv[2]))))
