"""Compare Python CEL bindings on one realistic PCN submission (see docs/adr/0001-cel-binding.md).

Run:  python benchmarks/cel_bindings.py

Needs only the standard library plus whichever of these are installed (each is skipped, with a
note, if it cannot be imported):

- ``cel-expr-python``            (import ``cel_expr_python``; Google's binding of cel-cpp)
- ``common-expression-language`` (import ``cel``; Rust, cel-interpreter via PyO3)
- ``cel-python``                 (import ``celpy``; pure Python)

For each binding the script compiles 30 conditions once, then times one *submission*: prepare
the binding's evaluation context from the facts (activation / context / converted values) and
evaluate all 30 conditions.  It reports the median over many repetitions, the same 30 checks as
plain Python lambdas (the floor), and the 30 evaluations alone against a context that has
already been used once.  Every binding's results are checked against the Python results first,
so all of them compute the same thing.

It also records, per binding: how a missing map key and a string/int comparison are reported
(raise vs error value, at compile or at evaluation), whether an undeclared variable is a compile
error, the installed size, and the wheel tag it was installed from.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.metadata as md
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

# ----------------------------------------------------------------------------------------------
# The facts: one network of 7 practices, shaped like a real submission
# ----------------------------------------------------------------------------------------------

_PRACTICES = [
    # ods_code, list_size, contract_type, ccg, signed_des, signed_agreement, data_sharing
    ("M85001", 9120, "GMS", "15N", True, True, True),
    ("M85002", 7480, "GMS", "15N", True, True, True),
    ("M85005", 6315, "PMS", "15N", True, True, True),
    ("M85011", 8870, "GMS", "15N", True, True, True),
    ("M85019", 5204, "APMS", "15N", True, True, True),
    ("M85027", 7731, "PMS", "15N", True, True, True),
    ("M85040", 6020, "GMS", "15N", True, True, True),
]


def build_facts() -> dict[str, Any]:
    practices = [
        {
            "ods_code": ods,
            "name": f"Practice {ods}",
            "list_size": size,
            "contract_type": contract,
            "ccg": ccg,
            "signed_des": des,
            "signed_agreement": agreement,
            "data_sharing_signed": sharing,
            "opted_out": False,
            "postcode": "EX1 1AA",
        }
        for ods, size, contract, ccg, des, agreement, sharing in _PRACTICES
    ]
    network = {
        "id": "U12345",
        "name": "Exe Valley PCN",
        "ccg": "15N",
        "list_size": sum(p["list_size"] for p in practices),  # 50,740
        "list_size_text": "25000",  # a value that arrived as text: used for the error probe
        "lead_practice": "M85001",
        "practices": practices,
        "clinical_director": {
            "name": "Dr A. Example",
            "gp": True,
            "ods_code": "M85002",
            "appointed_on": "2019-06-20",
            "sessions_per_week": 2,
        },
        "extended_hours": {
            "provided": True,
            "minutes_per_1000": 30,
            "start_date": "2019-07-01",
            "weekday_evenings": True,
        },
        "network_agreement": {
            "signed_on": "2019-06-27",
            "schedules": ["1", "2", "3", "4"],
        },
        "additional_roles": [
            {"role": "clinical_pharmacist", "wte": 1.0, "start": "2019-09-01"},
            {"role": "social_prescribing_link_worker", "wte": 0.8, "start": "2019-08-12"},
        ],
        "dataset_submitted_on": "2019-05-15",
        "boundary_map_submitted": True,
    }
    params = {
        "min_list_size": 30000,
        "max_list_size": 50000,
        "deadline": "2019-06-30",
        "allowed_contracts": ["GMS", "PMS", "APMS"],
        "eh_minutes_per_1000": 30,
    }
    return {"network": network, "params": params}


VARIABLES = ("network", "params")

# ----------------------------------------------------------------------------------------------
# 30 conditions, each in CEL and as the equivalent plain Python
# ----------------------------------------------------------------------------------------------

_ROLES = [
    "clinical_pharmacist",
    "social_prescribing_link_worker",
    "first_contact_physio",
    "physician_associate",
    "paramedic",
]

CHECKS: list[tuple[str, Callable[[dict[str, Any], dict[str, Any]], Any]]] = [
    (
        "network.list_size >= params.min_list_size",
        lambda n, p: n["list_size"] >= p["min_list_size"],
    ),
    (
        "network.list_size <= params.max_list_size || has(network.size_waiver)",
        lambda n, p: n["list_size"] <= p["max_list_size"] or "size_waiver" in n,
    ),
    ("size(network.practices) >= 2", lambda n, p: len(n["practices"]) >= 2),
    (
        "network.practices.all(x, x.signed_des)",
        lambda n, p: all(x["signed_des"] for x in n["practices"]),
    ),
    (
        "network.practices.all(x, x.contract_type in params.allowed_contracts)",
        lambda n, p: all(x["contract_type"] in p["allowed_contracts"] for x in n["practices"]),
    ),
    (
        "network.practices.exists(x, x.ods_code == network.lead_practice)",
        lambda n, p: any(x["ods_code"] == n["lead_practice"] for x in n["practices"]),
    ),
    (
        "size(network.practices.filter(x, x.ccg != network.ccg)) == 0",
        lambda n, p: len([x for x in n["practices"] if x["ccg"] != n["ccg"]]) == 0,
    ),
    (
        "network.practices.map(x, x.list_size).exists(s, s > 9000)",
        lambda n, p: any(s > 9000 for s in [x["list_size"] for x in n["practices"]]),
    ),
    (
        "has(network.clinical_director) && network.clinical_director.gp",
        lambda n, p: "clinical_director" in n and n["clinical_director"]["gp"],
    ),
    (
        "has(network.clinical_director.appointed_on)"
        " && network.clinical_director.appointed_on <= params.deadline",
        lambda n, p: (
            "appointed_on" in n["clinical_director"]
            and n["clinical_director"]["appointed_on"] <= p["deadline"]
        ),
    ),
    (
        "network.practices.exists(x, x.ods_code == network.clinical_director.ods_code)",
        lambda n, p: any(
            x["ods_code"] == n["clinical_director"]["ods_code"] for x in n["practices"]
        ),
    ),
    (
        "network.network_agreement.signed_on <= params.deadline",
        lambda n, p: n["network_agreement"]["signed_on"] <= p["deadline"],
    ),
    (
        "network.dataset_submitted_on < '2019-05-16'",
        lambda n, p: n["dataset_submitted_on"] < "2019-05-16",
    ),
    (
        "network.extended_hours.provided"
        " && network.extended_hours.minutes_per_1000 >= params.eh_minutes_per_1000",
        lambda n, p: (
            n["extended_hours"]["provided"]
            and n["extended_hours"]["minutes_per_1000"] >= p["eh_minutes_per_1000"]
        ),
    ),
    (
        "network.extended_hours.start_date >= '2019-07-01'",
        lambda n, p: n["extended_hours"]["start_date"] >= "2019-07-01",
    ),
    (
        "network.practices.all(x, x.signed_agreement && x.data_sharing_signed)",
        lambda n, p: all(
            x["signed_agreement"] and x["data_sharing_signed"] for x in n["practices"]
        ),
    ),
    (
        "!network.practices.exists(x, x.opted_out)",
        lambda n, p: not any(x["opted_out"] for x in n["practices"]),
    ),
    (
        "size(network.practices.filter(x, x.contract_type == 'APMS')) <= 2",
        lambda n, p: len([x for x in n["practices"] if x["contract_type"] == "APMS"]) <= 2,
    ),
    (
        "network.additional_roles.exists(r, r.role == 'clinical_pharmacist')",
        lambda n, p: any(r["role"] == "clinical_pharmacist" for r in n["additional_roles"]),
    ),
    (
        "network.additional_roles.all(r, r.role in " + repr(_ROLES).replace('"', "'") + ")",
        lambda n, p: all(r["role"] in _ROLES for r in n["additional_roles"]),
    ),
    (
        "size(network.additional_roles.filter(r, r.start >= '2019-07-01')) >= 1",
        lambda n, p: len([r for r in n["additional_roles"] if r["start"] >= "2019-07-01"]) >= 1,
    ),
    (
        "network.additional_roles.all(r, r.wte > 0.0 && r.wte <= 1.0)",
        lambda n, p: all(0.0 < r["wte"] <= 1.0 for r in n["additional_roles"]),
    ),
    (
        "size(network.network_agreement.schedules) == 4",
        lambda n, p: len(n["network_agreement"]["schedules"]) == 4,
    ),
    (
        "'4' in network.network_agreement.schedules",
        lambda n, p: "4" in n["network_agreement"]["schedules"],
    ),
    ("network.boundary_map_submitted == true", lambda n, p: n["boundary_map_submitted"] is True),
    ("network.ccg in ['15N', '15C', '99P']", lambda n, p: n["ccg"] in ["15N", "15C", "99P"]),
    (
        "network.practices.exists_one(x, x.ods_code == network.lead_practice)",
        lambda n, p: sum(1 for x in n["practices"] if x["ods_code"] == n["lead_practice"]) == 1,
    ),
    (
        "network.id.startsWith('U') && size(network.id) == 6",
        lambda n, p: n["id"].startswith("U") and len(n["id"]) == 6,
    ),
    (
        "network.practices.all(x, has(x.ods_code) && size(x.ods_code) == 6 && x.list_size > 0)",
        lambda n, p: all(
            "ods_code" in x and len(x["ods_code"]) == 6 and x["list_size"] > 0
            for x in n["practices"]
        ),
    ),
    ("network.practices.map(x, x.ods_code)", lambda n, p: [x["ods_code"] for x in n["practices"]]),
]

# Error probes: (label, expression)
PROBES = [
    ("missing map key", "network.no_such_field > 1"),
    ("'25000' < 30000 (literals)", "'25000' < 30000"),
    ("string < int from data", "network.list_size_text < 30000"),
    ("undeclared variable", "undeclared_thing > 1"),
]


# ----------------------------------------------------------------------------------------------
# Bindings: each exposes compile(src) -> program, prepare(facts) -> ctx, run(program, ctx)
# ----------------------------------------------------------------------------------------------


class Binding:
    name: str  # distribution name
    module: str

    def compile(self, source: str) -> Any:
        raise NotImplementedError

    def prepare(self, facts: dict[str, Any]) -> Any:
        raise NotImplementedError

    def run(self, program: Any, ctx: Any) -> Any:
        """Evaluate and return a plain Python value; raise on an error *value*."""
        raise NotImplementedError

    def probe(self, source: str, facts: dict[str, Any]) -> str:
        """Describe how ``source`` fails: at compile/eval, raised or returned as a value."""
        try:
            program = self.compile(source)
        except Exception as exc:
            return f"compile error: raises {type(exc).__name__} ({_short(exc)})"
        try:
            value = self.raw_eval(program, self.prepare(facts))
        except Exception as exc:
            return f"evaluation: raises {type(exc).__name__} ({_short(exc)})"
        return self.describe_value(value)

    def raw_eval(self, program: Any, ctx: Any) -> Any:
        return self.run(program, ctx)

    def describe_value(self, value: Any) -> str:
        return f"no error: returned {value!r}"


class CelExprPython(Binding):
    name = "cel-expr-python"
    module = "cel_expr_python"

    def __init__(self) -> None:
        from cel_expr_python import cel

        self.cel = cel
        extensions = []
        try:  # the extensions pcn_rules uses; optional here
            from cel_expr_python.ext import ext_math, ext_strings

            extensions = [ext_math.ExtMath(), ext_strings.ExtStrings()]
        except ImportError:
            pass
        self.env = cel.NewEnv(
            variables=dict.fromkeys(VARIABLES, cel.Type.DYN), extensions=extensions
        )

    def compile(self, source: str) -> Any:
        return self.env.compile(source)

    def prepare(self, facts: dict[str, Any]) -> Any:
        return self.env.Activation(facts)

    def raw_eval(self, program: Any, ctx: Any) -> Any:
        return program.eval(ctx)

    def run(self, program: Any, ctx: Any) -> Any:
        result = program.eval(ctx)
        if result.type() == self.cel.Type.ERROR:
            raise RuntimeError(str(result.value()))
        return result.plain_value()

    def describe_value(self, value: Any) -> str:
        if value.type() == self.cel.Type.ERROR:
            return f"evaluation: returns a value of type error ({_short(value.value())})"
        return f"no error: returned {value.plain_value()!r}"


class CommonExpressionLanguage(Binding):
    name = "common-expression-language"
    module = "cel"

    def __init__(self) -> None:
        import cel

        if not hasattr(cel, "Context"):  # some other package called `cel`
            raise ImportError("the importable `cel` is not common-expression-language")
        self.cel = cel

    def compile(self, source: str) -> Any:
        return self.cel.compile(source)

    def prepare(self, facts: dict[str, Any]) -> Any:
        return self.cel.Context(variables=facts)

    def run(self, program: Any, ctx: Any) -> Any:
        return program.execute(ctx)


class CelPython(Binding):
    name = "cel-python"
    module = "celpy"

    def __init__(self) -> None:
        import logging

        import celpy
        from celpy import celtypes

        logging.getLogger("celpy").setLevel(logging.CRITICAL)
        self.celpy = celpy
        self.env = celpy.Environment(annotations=dict.fromkeys(VARIABLES, celtypes.MapType))

    def compile(self, source: str) -> Any:
        return self.env.program(self.env.compile(source))

    def prepare(self, facts: dict[str, Any]) -> Any:
        return {name: self.celpy.json_to_cel(value) for name, value in facts.items()}

    def run(self, program: Any, ctx: Any) -> Any:
        result = program.evaluate(ctx)
        if isinstance(result, self.celpy.CELEvalError):  # not expected: celpy raises
            raise RuntimeError(str(result))
        return result


class PlainPython(Binding):
    name = "plain Python"
    module = ""

    def compile(self, source: str) -> Any:
        return dict(CHECKS)[source]

    def prepare(self, facts: dict[str, Any]) -> Any:
        return facts

    def run(self, program: Any, ctx: Any) -> Any:
        return program(ctx["network"], ctx["params"])


BINDINGS: list[type[Binding]] = [CelExprPython, CommonExpressionLanguage, CelPython]


def _short(obj: Any, limit: int = 70) -> str:
    text = " ".join(str(obj).split())
    text = text.replace("INVALID_ARGUMENT: ", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ----------------------------------------------------------------------------------------------
# Install facts: size on disk and wheel tag, from the distribution's metadata
# ----------------------------------------------------------------------------------------------


def _dist_size(dist: md.Distribution) -> int:
    total = 0
    for f in dist.files or ():
        with contextlib.suppress(OSError):
            total += os.path.getsize(f.locate())
    return total


def _requires(dist: md.Distribution) -> list[str]:
    names = []
    for req in dist.requires or ():
        if "extra ==" in req:
            continue
        names.append(re.split(r"[\s;<>=!~\[(]", req, maxsplit=1)[0])
    return names


def install_facts(dist_name: str) -> dict[str, Any]:
    dist = md.distribution(dist_name)
    seen: dict[str, md.Distribution] = {}
    todo = [dist_name]
    while todo:
        name = todo.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            seen[name] = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        todo.extend(_requires(seen[name]))
    tags = [
        line.split(":", 1)[1].strip()
        for line in (dist.read_text("WHEEL") or "").splitlines()
        if line.startswith("Tag:")
    ]
    if not tags:
        kind = "unknown (no WHEEL metadata)"
    elif all(t.endswith("-any") for t in tags):
        kind = "pure-Python wheel"
    elif any("manylinux" in t or "musllinux" in t or "macosx" in t or "win" in t for t in tags):
        kind = "prebuilt binary wheel"
    else:
        kind = "wheel built locally (compiler needed)"
    deps = sorted(n for n in seen if n != dist_name.lower())
    return {
        "version": dist.version,
        "own_mb": _dist_size(dist) / 1e6,
        "with_deps_mb": sum(_dist_size(d) for d in seen.values()) / 1e6,
        "deps": deps,
        "wheel": f"{kind}: {tags[0]}" if tags else kind,
    }


# ----------------------------------------------------------------------------------------------
# Timing
# ----------------------------------------------------------------------------------------------


def _median_us(fn: Callable[[], Any], seconds: float, min_reps: int = 25) -> tuple[float, int]:
    fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-7)
    reps = int(min(max(seconds / once, min_reps), 20000))
    samples = []
    gc.collect()
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000, reps


def measure(binding: Binding, facts: dict[str, Any], seconds: float) -> dict[str, Any]:
    sources = [src for src, _ in CHECKS]
    programs = [binding.compile(src) for src in sources]
    expected = PlainPython()
    ctx = binding.prepare(facts)
    for src, program in zip(sources, programs, strict=True):
        got = binding.run(program, ctx)
        want = expected.run(expected.compile(src), facts)
        if got != want:
            raise AssertionError(f"{binding.name}: {src!r} gave {got!r}, expected {want!r}")
    run, prepare = binding.run, binding.prepare

    def submission() -> None:
        c = prepare(facts)
        for program in programs:
            run(program, c)

    def evaluations_only() -> None:
        for program in programs:
            run(program, ctx)

    full, reps = _median_us(submission, seconds)
    evals, _ = _median_us(evaluations_only, seconds / 2)
    return {"submission_us": full, "evals_us": evals, "reps": reps}


# ----------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        default=3.0,
        help="approximate time spent timing each binding (default 3)",
    )
    args = parser.parse_args()
    if len(CHECKS) != 30:
        raise SystemExit(f"expected 30 checks, have {len(CHECKS)}")

    facts = build_facts()
    print(
        f"date {time.strftime('%Y-%m-%d')}; Python {platform.python_version()} "
        f"({platform.python_implementation()}); {platform.system()} {platform.machine()}; "
        f"nproc {os.cpu_count()}"
    )
    print(
        f"one submission = {len(facts['network']['practices'])} practices, "
        f"{len(CHECKS)} conditions; times are medians\n"
    )

    loaded: list[Binding] = []
    for cls in BINDINGS:
        try:
            loaded.append(cls())
        except ImportError as exc:
            print(f"note: {cls.name} skipped, not importable ({exc})")

    floor = measure(PlainPython(), facts, args.seconds)
    rows = [("plain Python lambdas", "-", floor)]
    infos: dict[str, dict[str, Any]] = {}
    for binding in loaded:
        infos[binding.name] = install_facts(binding.name)
        rows.append(
            (binding.name, infos[binding.name]["version"], measure(binding, facts, args.seconds))
        )

    base = floor["submission_us"]
    head = ("binding", "version", "µs/submission", "x Python", "µs 30 evals (ctx reused)", "reps")
    table = [head] + [
        (
            name,
            version,
            f"{r['submission_us']:,.1f}",
            f"{r['submission_us'] / base:,.1f}",
            f"{r['evals_us']:,.1f}",
            str(r["reps"]),
        )
        for name, version, r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table[1:]:
        cells = zip(row, widths, strict=True)
        print(
            "| "
            + " | ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(cells))
            + " |"
        )

    print("\nerror reporting and install facts")
    for binding in loaded:
        info = infos[binding.name]
        print(f"\n{binding.name} {info['version']} (import {binding.module})")
        for label, source in PROBES:
            print(f"  {label:<28} {source!r}: {binding.probe(source, facts)}")
        print(f"  installed from               {info['wheel']}")
        print(
            f"  size on disk                 {info['own_mb']:.1f} MB own files, "
            f"{info['with_deps_mb']:.1f} MB with {len(info['deps'])} dependencies"
            + (f" ({', '.join(info['deps'])})" if info["deps"] else "")
        )
    print()


if __name__ == "__main__":
    sys.exit(main())
