"""Eight threads checking different submissions against shared loaded packs give exactly the
reports one thread gives: the engine keeps no shared mutable state, and a freshly loaded pack
(prepared by the engine lazily, on first use) may be first used by many threads at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import pcn_rules
from pcn_rules.engine import plan

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


THREADS = 8
ROUNDS = 4  # each with a new pack: every round races the pack's preparation again


def _at_once(calls: list[Callable[[], dict[str, Any]]]) -> list[dict[str, Any]]:
    """Run each call in its own thread, all released together by a barrier."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _fresh_pack() -> pcn_rules.RulePack:
    pack = pcn_rules.load_pack("2019/20")
    # the premise of the race: nothing has prepared this pack for evaluation yet
    prepared = plan._PLANS.get(id(pack))
    assert prepared is None or not prepared.of(pack)
    return pack


def _check(path: Path, pack: pcn_rules.RulePack) -> dict[str, Any]:
    return pcn_rules.check(path, pack=pack).to_dict()


def _audit(batch: list[Path], as_of: str, pack: pcn_rules.RulePack) -> dict[str, Any]:
    return pcn_rules.audit(batch, as_of=as_of, pack=pack).to_dict()


def test_eight_threads_first_use_a_freshly_loaded_pack_at_once() -> None:
    paths = sorted((ROOT / "fixtures" / "2019-20").glob("*.json"))[:THREADS]
    assert len(paths) == THREADS
    reference = pcn_rules.load_pack("2019/20")
    expected = [_check(path, reference) for path in paths]
    assert len({repr(report) for report in expected}) == THREADS  # different reports
    for _ in range(ROUNDS):
        pack = _fresh_pack()
        got = _at_once([partial(_check, path, pack) for path in paths])
        assert got == expected


def test_eight_audits_first_use_a_freshly_loaded_pack_at_once() -> None:
    paths = sorted((ROOT / "fixtures" / "2019-20").glob("*.json"))
    batches = [[paths[i % len(paths)], paths[(i + 5) % len(paths)]] for i in range(THREADS)]
    as_of = "2019-06-30"
    reference = pcn_rules.load_pack("2019/20")
    expected = [_audit(batch, as_of, reference) for batch in batches]
    assert len({repr(report) for report in expected}) == THREADS
    for _ in range(ROUNDS):
        pack = _fresh_pack()
        got = _at_once([partial(_audit, batch, as_of, pack) for batch in batches])
        assert got == expected
