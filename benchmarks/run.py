"""pcn-rules benchmarks on the real national data (../shared/data), with baselines in the same run.

    python benchmarks/run.py [--data ../shared/data] [--runs 5] [--memory-calls 100000]
                             [--json benchmarks/last-run.json]

Measures, prints as a table against the targets of issues #5 and #17, and writes as JSON:

- national audit: `pcn-check audit` of all 1,250 networks with the register, end to end as a
  process (median of --runs), text and JSON, each against the plain-Python floor of the same
  audit (benchmarks/floor.py as a process: read the 1,250 submissions, sum the list sizes,
  match the practices to the register);
- library latency: `check()` per network with the loaded 2019/20 pack (median and p95);
- engine overhead: the same rules written by hand as plain Python over the same facts, timed in
  the same run (ratio engine / plain);
- CLI start: `pcn-check` on one fixture vs `python -c "import pydantic, yaml, typer, rich, cel"`;
- scaling: audit() of 1x, 4x and 16x the national batch (networks replicated under new codes),
  time per network at each size;
- memory: RSS growth over --memory-calls library evaluations in one process.
- audit outputs against a plain-Python floor (issue #19): the national audit as text and as
  its default JSON summary, each as a process, against a process that only reads the 1,250
  submissions, sums their list sizes and matches their practices with the register.

Not part of the test suite: it takes a few minutes.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def _cli() -> list[str]:
    beside = Path(sys.executable).parent / "pcn-check"
    return [str(beside)] if beside.is_file() else [sys.executable, "-m", "pcn_rules"]


def _time_process(cmd: list[str], runs: int) -> list[float]:
    """Wall times of ``runs`` runs of ``cmd``, after one untimed run.

    The untimed run writes Python's bytecode caches (and pcn-rules' pack cache) as a user's
    first run would; PYTHONDONTWRITEBYTECODE is dropped so that they can be written.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT, env=env)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, cwd=ROOT, env=env)
        times.append(time.perf_counter() - start)
    return times


# ---------------------------------------------------------------------------------------------
# The floor: the 2019/20 rules written by hand in plain Python over the same facts.
# ---------------------------------------------------------------------------------------------


def plain_rules(f: Any, params: dict[str, Any], milestones: dict[str, str], as_of: str) -> int:
    """Evaluate every 2019/20 requirement by hand on facts built as of ``as_of``; returns the
    number of findings not shown to hold (not met, not evidenced or in error).  Met late counts
    as held, as in the engine; ``milestones`` bound the year of additional roles and of
    membership changes (deadlines only tell met from met late)."""
    n = f.network
    unsettled = 0
    practices = n["practices"]
    size = n.get("list_size")
    partial = n["list_size_partial"]
    unsettled += not (
        n["practice_count"] > 0
        and not n["duplicate_practice_codes"]
        and all("name" in p for p in practices)
    )  # REG-PRACTICES
    ref = params["list_size_reference_date"]
    unsettled += not (
        practices
        and all("list_size" in p and p.get("list_size_date") == ref for p in practices)
        and ("declared_list_size" not in n or n["declared_list_size"] == size)
    )  # REG-LIST-SIZE
    unsettled += "map_reference" not in n  # REG-MAP
    agreement = n["agreement"]
    unsettled += not (
        agreement.get("all_signed_initial") is True
        and all(
            "initial_agreement_signed_on" in p or "network_agreement_signed_on" in p
            for p in practices
        )
    )  # REG-INITIAL-AGREEMENT
    cd = n.get("clinical_director", {})
    unsettled += "name" not in cd  # REG-CLINICAL-DIRECTOR
    payee = n.get("nominated_payee", {})
    unsettled += not (
        payee
        and (payee["kind"] == "provider" or payee.get("is_member_practice") is True)
        and payee.get("bank_details_supplied") is True
    )  # REG-NOMINATED-PAYEE
    sub = f.submission
    if sub["type"] == "registration":  # REG-ON-TIME (received late is met late)
        unsettled += "submitted_on" not in sub
    for p in practices:  # CORE-CONTRACT (per practice)
        kind = p.get("contract_type")
        in_hours = p.get("in_hours_contract", kind != "APMS")
        unsettled += not (kind in ("GMS", "PMS", "APMS") and in_hours)
    unsettled += not n["gp_practices_known"] > 0  # CORE-GP-LED
    for e in f.entities["register_practice"]:  # CORE-ONE-NETWORK (per practice)
        unsettled += not e.facts["membership_count"] <= 1
    waiver = n["commissioner"].get("population_waiver")
    unsettled += not (
        (size is not None and size >= params["population_min"])
        or partial >= params["population_min"]
        or (waiver is not None and waiver.get("expires_on", "9999") >= as_of)
    )  # POP-MIN
    agreement_50k = n["commissioner"].get("over_50k_agreement")
    agreed = agreement_50k is not None and agreement_50k["in_force"]
    unsettled += not (
        agreed or (size is not None and size <= params["population_typical_max"])
    )  # POP-TYPICAL-MAX
    unsettled += not (
        n["distinct_practice_count"] != 1 or (size is not None and size >= params["population_min"])
    )  # SINGLE-PRACTICE
    unsettled += n.get("contiguous") is not True  # GEO-CONTIGUOUS
    for p in practices:  # GEO-CROSS-CCG (per practice)
        unsettled += not (p.get("in_lead_ccg") is True or p["cross_boundary_agreed"])
    for c in f.entities["covered_practice"]:  # COV-NON-PARTICIPANT
        local = c.facts.get("local_agreement")
        unsettled += not (local is not None and local["in_force"] and not c.facts["is_member"])
    unsettled += not (
        agreement.get("all_signed") is True
        and agreement.get("schedules_missing") == []
        and agreement.get("national_clauses_unchanged", True)
        and all("network_agreement_signed_on" in p for p in practices)
    )  # NA-FULL
    unsettled += not (
        agreement.get("data_sharing_in_place") is True and "data_sharing_signed_on" in agreement
    )  # NA-DATA-SHARING
    unsettled += not (
        cd.get("is_clinician") is True and cd.get("practice_is_member") is True
    )  # CD-CLINICIAN
    unsettled += not ("start_date" in cd and cd.get("end_date", "9999") >= as_of)  # CD-IN-POST
    com = n["commissioner"]
    unsettled += not (
        "registration_confirmed_on" in com and "area_approved_on" in com
    )  # COM-APPROVAL
    eh = n.get("extended_hours", {})
    april = "population" in eh and eh.get("population_date") == params["eha_population_date"]
    patients = eh["population"] if april else size
    if patients is not None and "minutes_per_week" in eh and "blocks" in eh:  # EHA-MINUTES
        required = ((patients * params["eha_minutes_per_1000"] + 7500) // 15000) * 15
        unsettled += not (
            eh["minutes_per_week"] >= required
            and eh["blocks_under_30"] == 0
            and eh["blocks_in_core_hours"] == 0
            and eh["block_minutes"] >= eh["minutes_per_week"]
        )
    else:
        unsettled += 1
    unsettled += not n.get("non_gp_provider_count", 0) > 0  # COLLAB-EXPECTED
    for r in f.entities["role"]:  # ARRS-BASELINE and ARRS-2019-ROLES
        role = r.facts
        unsettled += not (
            role.get("additional_to_baseline") is True or "baseline_exception" in role
        )
        allowed = role["role"] in params["arrs_roles"]
        share = params["arrs_year_fraction"]
        start = role.get("starts_on")
        if start is not None and start >= milestones["des_start"]:
            share = 0.0 if start > milestones["year_end"] else min(share, role["year_share"])
        within = True
        if allowed and "claim" in role:
            maximum = share * min(
                role.get("annual_cost", 0.0) * params["arrs_reimbursement_rate"][role["role"]],
                params["arrs_max_per_wte"][role["role"]] * role["wte"],
            )
            within = "annual_cost" in role and role["claim"] <= maximum + 0.005
        large = (size or 0) > params["arrs_large_network_above"]
        wte = params["arrs_wte_allowed_large"] if large else params["arrs_wte_allowed"]
        unsettled += not (size is not None and allowed and role["same_role_wte"] <= wte and within)
    for c in f.entities["membership_change"]:  # MEMB-CHANGE
        change = c.facts
        if change["effective_on"] > milestones["go_live"]:
            approval = change.get("approval")
            unsettled += not (
                change["notice_days"] >= params["membership_notice_days"]
                and change["starts_a_quarter"]
                and change["later_quarter"]
                and approval is not None
                and approval["approved_on"] <= change["effective_on"]
                and approval.get("expires_on", "9999") >= change["effective_on"]
            )
    if size and n.get("weighted_list_size"):  # FUND-ENTITLEMENTS (amounts)
        _ = (
            size * params["core_funding_per_patient"],
            size * params["clinical_director_per_patient"],
            size * params["extended_hours_per_patient"] * params["extended_hours_year_fraction"],
            n["weighted_list_size"] * params["participation_per_weighted_patient"],
        )
    else:
        unsettled += 1
    for e in f.entities["register_practice"]:  # COV-FULL (no register: not applicable)
        if e.facts["in_register"]:
            unsettled += not (e.facts["network_count"] > 0 or e.facts["covered_by"])
    return unsettled


def decide_only(f: Any, pack: Any, as_of: dt.date) -> None:
    """The CEL work of evaluate() without the findings: each scope's bundled call, then each
    condition it left undecided on its own (uses engine internals; benchmark only)."""
    from pcn_rules.engine.context import Context

    ctx = Context(f, pack, as_of)
    for rule in pack.rules:
        slots = ctx.plan.slots(rule)
        for index, entity in enumerate(f.entities.get(rule.scope, ())):
            values = ctx.decider.values(ctx, rule, entity, index)
            conditions = [(slots.when, rule.when)] if rule.when is not None else []
            conditions += list(zip(slots.derive, (c for _, c in rule.derive), strict=True))
            conditions += list(zip(slots.checks, (c.condition for c in rule.checks), strict=True))
            if rule.evidence_date is not None:
                conditions.append((slots.evidence, rule.evidence_date))
            for slot, condition in conditions:
                values.of(slot, condition)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-calls", type=int, default=100_000)
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "last-run.json")
    args = parser.parse_args()
    data: Path = args.data
    if not (data / "ods" / "epcn_2019-12_core_partners.csv").is_file():
        print(f"no national data at {data}: pass --data PATH (the shared/data directory)")
        return 2

    from pcn_rules import check, load_pack
    from pcn_rules.audits.run import audit
    from pcn_rules.facts.build import build_facts
    from pcn_rules.ingest.ods import import_ods
    from pcn_rules.submission.read import validate_submission

    results: dict[str, Any] = {
        "date": dt.date.today().isoformat(),
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    work = Path(tempfile.mkdtemp(prefix="pcn-bench-"))
    national = work / "national"
    national.mkdir()
    imported = import_ods(
        [
            data / "ods" / "epcn_2019-12_pcn_details.csv",
            data / "ods" / "epcn_2019-12_core_partners.csv",
        ],
        data / "list_sizes" / "qof_1819_practice_list_size.csv",
    )
    for code, doc in imported.submissions.items():
        (national / f"{code}.json").write_text(json.dumps(doc), encoding="utf-8")
    docs = list(imported.submissions.values())
    register = data / "ods" / "epraccur_2019-11.csv"
    print(f"imported {len(docs)} networks into {national}")

    # 1. national audit, end to end as a process
    cmd = [
        *_cli(),
        "audit",
        str(national),
        "--register",
        str(register),
        "--as-of",
        "2019-06-30",
        "--output",
        str(work / "audit.txt"),
    ]
    audit_times = _time_process(cmd, args.runs)
    results["national_audit_s"] = statistics.median(audit_times)
    results["national_audit_runs_s"] = audit_times
    json_times = _time_process([*cmd[:-2], "--format", "json", "--output", str(work / "a.json")], 3)
    results["national_audit_json_s"] = statistics.median(json_times)
    results["national_audit_json_bytes"] = (work / "a.json").stat().st_size
    full = [*cmd[:-2], "--format", "json", "--detail", "full", "--output", str(work / "f.json")]
    results["national_audit_json_full_s"] = statistics.median(_time_process(full, 1))
    results["national_audit_json_full_bytes"] = (work / "f.json").stat().st_size
    html = [*cmd[:-2], "--format", "html", "--output", str(work / "a.html")]
    results["national_audit_html_s"] = statistics.median(_time_process(html, 1))
    results["national_audit_html_bytes"] = (work / "a.html").stat().st_size
    floor = ROOT / "benchmarks" / "floor.py"
    floor_cmd = [sys.executable, str(floor), str(national), str(register)]
    floor_times = _time_process(floor_cmd, max(args.runs, 5))
    results["audit_floor_s"] = statistics.median(floor_times)
    results["audit_text_over_floor"] = results["national_audit_s"] / results["audit_floor_s"]
    results["audit_json_over_floor"] = results["national_audit_json_s"] / results["audit_floor_s"]

    # 2. library latency per network, and 3. the plain-Python floor over the same facts
    pack = load_pack("2019/20")
    as_of = dt.date(2019, 6, 30)
    for doc in docs[:50]:
        check(doc, pack=pack, as_of=as_of)
    per_network = []
    for doc in docs:
        start = time.perf_counter()
        check(doc, pack=pack, as_of=as_of)
        per_network.append(time.perf_counter() - start)
    per_network.sort()
    results["check_median_us"] = statistics.median(per_network) * 1e6
    results["check_p95_us"] = per_network[int(len(per_network) * 0.95)] * 1e6

    models = [validate_submission(doc, "bench") for doc in docs]
    facts = [build_facts(m, as_of=as_of) for m in models]
    from pcn_rules.engine import evaluate

    start = time.perf_counter()
    for f in facts:
        evaluate(f, pack, as_of)
    engine_total = time.perf_counter() - start
    params = dict(pack.parameters)
    milestones = {m.key: m.date.isoformat() for m in pack.milestones}
    start = time.perf_counter()
    for f in facts:
        plain_rules(f, params, milestones, as_of.isoformat())
    plain_total = time.perf_counter() - start
    results["engine_per_network_us"] = engine_total / len(facts) * 1e6
    results["plain_per_network_us"] = plain_total / len(facts) * 1e6
    results["engine_over_plain"] = engine_total / plain_total
    # where the engine's time goes: the CEL decisions alone (every condition of every rule for
    # every entity, as evaluate() decides them) vs building the findings around them
    start = time.perf_counter()
    for f in facts:
        decide_only(f, pack, as_of)
    decisions_total = time.perf_counter() - start
    results["decisions_per_network_us"] = decisions_total / len(facts) * 1e6
    results["decisions_over_plain"] = decisions_total / plain_total

    # a complete submission (every fact present), as a commissioner system would send it
    complete = json.loads((ROOT / "fixtures" / "2019-20" / "compliant.json").read_text("utf-8"))
    complete_times = []
    for _ in range(2000):
        start = time.perf_counter()
        check(complete, pack=pack, as_of=as_of)
        complete_times.append(time.perf_counter() - start)
    results["check_complete_median_us"] = statistics.median(complete_times) * 1e6

    # 4. CLI start
    fixture = ROOT / "fixtures" / "2019-20" / "compliant.json"
    cli_times = _time_process([*_cli(), str(fixture)], max(args.runs, 5))
    base_times = _time_process(
        [
            sys.executable,
            "-c",
            "import pydantic, yaml, typer, rich; from cel_expr_python import cel",
        ],
        max(args.runs, 5),
    )
    results["cli_start_s"] = statistics.median(cli_times)
    results["import_baseline_s"] = statistics.median(base_times)
    results["cli_over_baseline"] = results["cli_start_s"] / results["import_baseline_s"]

    # 5. scaling: replicate the national batch under new codes
    def replicate(times: int) -> list[dict[str, Any]]:
        out = []
        for k in range(times):
            for doc in docs:
                copy_doc = copy.deepcopy(doc)
                if k:
                    code = int(copy_doc["network"]["ods_code"][1:])
                    copy_doc["network"]["ods_code"] = f"U{(code + k * 100_000 // 16) % 100_000:05d}"
                    copy_doc["network"]["name"] += f" copy {k}"
                    for p in copy_doc["practices"]:
                        p["ods_code"] = (
                            chr((ord(p["ods_code"][0]) - 65 + k) % 26 + 65) + p["ods_code"][1:]
                        )
                out.append(copy_doc)
        return out

    scaling = {}
    for times in (1, 4, 16):
        batch = replicate(times)
        start = time.perf_counter()
        audit(batch, as_of=as_of, pack=pack)
        elapsed = time.perf_counter() - start
        scaling[f"{times}x"] = {
            "networks": len(batch),
            "seconds": elapsed,
            "us_per_network": elapsed / len(batch) * 1e6,
        }
    results["scaling"] = scaling
    flat = [v["us_per_network"] for v in scaling.values()]
    results["scaling_spread"] = max(flat) / min(flat)

    # 6. memory over many evaluations
    for doc in docs[:200]:
        check(doc, pack=pack, as_of=as_of)
    before = _rss_mb()
    for i in range(args.memory_calls):
        check(docs[i % len(docs)], pack=pack, as_of=as_of)
    after = _rss_mb()
    results["memory_calls"] = args.memory_calls
    results["rss_growth_mb"] = after - before

    rows = [
        (
            "national audit (process, median)",
            f"{results['national_audit_s']:.2f} s",
            "≤ 2 s",
            results["national_audit_s"] <= 2.0,
        ),
        (
            "national audit JSON summary / plain-Python floor",
            f"{results['audit_json_over_floor']:.1f}x "
            f"({results['national_audit_json_s']:.2f} vs {results['audit_floor_s']:.2f} s; "
            f"{results['national_audit_json_bytes'] / 1e6:.1f} MB)",
            "≤ 15x",
            results["audit_json_over_floor"] <= 15,
        ),
        (
            "national audit text / floor",
            f"{results['audit_text_over_floor']:.1f}x "
            f"({results['national_audit_s']:.2f} vs {results['audit_floor_s']:.2f} s)",
            "≤ 10x",
            results["audit_text_over_floor"] <= 10,
        ),
        (
            "national audit JSON, --detail full",
            f"{results['national_audit_json_full_s']:.2f} s, "
            f"{results['national_audit_json_full_bytes'] / 1e6:.0f} MB",
            "(reported)",
            True,
        ),
        (
            "national audit HTML page",
            f"{results['national_audit_html_s']:.2f} s, "
            f"{results['national_audit_html_bytes'] / 1e6:.2f} MB",
            "≤ 2 MB",
            results["national_audit_html_bytes"] <= 2_000_000,
        ),
        (
            "check() per network, median",
            f"{results['check_median_us']:.0f} µs",
            "≤ 300 µs",
            results["check_median_us"] <= 300,
        ),
        ("check() per network, p95", f"{results['check_p95_us']:.0f} µs", "(reported)", True),
        (
            "check() of a complete submission, median",
            f"{results['check_complete_median_us']:.0f} µs",
            "(reported)",
            True,
        ),
        (
            "engine / plain Python",
            f"{results['engine_over_plain']:.1f}x "
            f"({results['engine_per_network_us']:.0f} vs {results['plain_per_network_us']:.1f} µs)",
            "≤ 15x",
            results["engine_over_plain"] <= 15,
        ),
        (
            "  of which CEL decisions / plain Python",
            f"{results['decisions_over_plain']:.1f}x "
            f"({results['decisions_per_network_us']:.0f} vs "
            f"{results['plain_per_network_us']:.1f} µs)",
            "(reported)",
            True,
        ),
        (
            "`pcn-check FILE` / import baseline",
            f"{results['cli_over_baseline']:.2f}x "
            f"({results['cli_start_s']:.2f} vs {results['import_baseline_s']:.2f} s)",
            "≤ 1.5x",
            results["cli_over_baseline"] <= 1.5,
        ),
        (
            "scaling 1x/4x/16x, µs per network",
            " / ".join(f"{v['us_per_network']:.0f}" for v in scaling.values()),
            "flat (spread ≤ 1.5)",
            results["scaling_spread"] <= 1.5,
        ),
        (
            f"RSS growth over {args.memory_calls:,} checks",
            f"{results['rss_growth_mb']:.1f} MB",
            "≤ 20 MB",
            results["rss_growth_mb"] <= 20,
        ),
    ]
    results["targets"] = [
        {"measure": r[0], "value": r[1], "target": r[2], "met": r[3]} for r in rows
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'value':<34} {'target':<20} met")
    for name, value, target, met in rows:
        print(f"{name:<{width}}  {value:<34} {target:<20} {'yes' if met else 'NO'}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
