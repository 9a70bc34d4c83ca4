"""Eight threads checking different submissions against shared loaded packs give exactly the
reports one thread gives: the engine keeps no shared mutable state."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pcn_rules

ROOT = Path(__file__).resolve().parent.parent


def _jobs() -> list[tuple[Path, str, str]]:
    jobs: list[tuple[Path, str, str]] = []
    for year, dates in (
        ("2019-20", ("2019-05-10", "2019-05-31", "2019-06-30", "2019-07-02")),
        ("2020-21", ("2020-05-01", "2020-09-01", "2020-10-01", "2021-04-01")),
    ):
        for path in sorted((ROOT / "fixtures" / year).glob("*.json")):
            for as_of in dates:
                jobs.append((path, year.replace("-", "/"), as_of))
    return jobs


def test_eight_threads_match_one_thread() -> None:
    packs = {year: pcn_rules.load_pack(year) for year in ("2019/20", "2020/21")}
    jobs = _jobs() * 3  # repeat so threads really interleave on the same pack objects
    assert len(jobs) > 100

    def run(job: tuple[Path, str, str]) -> str:
        path, year, as_of = job
        return pcn_rules.check(path, pack=packs[year], as_of=as_of).to_json()

    expected = [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(run, jobs))
    assert concurrent == expected
    # the runs were not trivially identical: different submissions give different reports
    assert len(set(expected)) > 20
