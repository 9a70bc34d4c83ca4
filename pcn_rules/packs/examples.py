"""Running a pack's own examples: each rule ships submissions where it must be met and not met.

An example is a base submission (``examples/base.json`` in the pack) changed by ``set`` and
``delete`` paths such as ``practices[0].list_size``.  ``pcn-check rules test`` and the test suite
both run them through :func:`run_example`.
"""

from __future__ import annotations

import copy
import itertools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pcn_rules.api import check
from pcn_rules.errors import InputError, PackError, PcnRulesError
from pcn_rules.ingest.files import SUBMISSION_LIMIT, FileRefused, read_limited
from pcn_rules.packs.model import Example, Rule, RulePack
from pcn_rules.report.model import Finding
from pcn_rules.submission.jsontext import loads_json

_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    pos = 0
    for match in _STEP.finditer(path):
        if match.start() != pos and path[pos : match.start()] != ".":
            raise ValueError(f"malformed path {path!r}")
        steps.append(match.group(1) if match.group(1) else int(match.group(2)))
        pos = match.end()
    if pos != len(path) or not steps:
        raise ValueError(f"malformed path {path!r}")
    return steps


def _parent(doc: Any, steps: list[str | int], path: str, create: bool) -> Any:
    node = doc
    for step, following in itertools.pairwise(steps):
        try:
            if isinstance(step, str) and create and step not in node:
                node[step] = [] if isinstance(following, int) else {}
            node = node[step]
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"path {path!r} does not exist in the base submission") from None
    return node


def apply_changes(
    base: dict[str, Any], set_values: dict[str, Any], delete: tuple[str, ...]
) -> dict[str, Any]:
    """A copy of ``base`` with ``set`` applied, then ``delete``."""
    doc = copy.deepcopy(base)
    for path, value in set_values.items():
        steps = _steps(path)
        parent = _parent(doc, steps, path, create=True)
        last = steps[-1]
        try:
            parent[last] = copy.deepcopy(value)
        except (IndexError, TypeError):
            raise ValueError(f"cannot set {path!r} in the base submission") from None
    for path in delete:
        steps = _steps(path)
        parent = _parent(doc, steps, path, create=False)
        try:
            del parent[steps[-1]]
        except (KeyError, IndexError, TypeError):
            raise ValueError(f"cannot delete {path!r}: not in the base submission") from None
    return doc


@dataclass(frozen=True, slots=True)
class ExampleResult:
    rule_id: str
    example: Example
    passed: bool
    detail: str


def _load_base(path: Path, cache: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    if path not in cache:
        try:
            text = read_limited(path, SUBMISSION_LIMIT).decode("utf-8")
            cache[path] = loads_json(text, str(path))
        except InputError as exc:  # NaN or Infinity: a pack error at the first one
            location, message = exc.problems[0]
            raise PackError(str(path), location, message) from None
        except (FileRefused, OSError, ValueError) as exc:
            raise PackError(str(path), "", f"example base cannot be read: {exc}") from None
    return cache[path]


def _findings(pack: RulePack, example: Example, doc: dict[str, Any]) -> tuple[Finding, ...]:
    """Every finding for ``doc`` as the example runs it: a check, or an audit of the one
    network against the example's register."""
    if example.register:
        from pcn_rules.audits.run import audit
        from pcn_rules.ingest.register import Register, RegisterPractice

        register = Register(
            "example", "simple", tuple(RegisterPractice(*row) for row in example.register)
        )
        when = example.as_of or doc["submission"]["submitted_on"]
        return audit([doc], pack=pack, as_of=when, register=register).batch_findings
    return check(doc, pack=pack, as_of=example.as_of).findings


def run_example(
    pack: RulePack, rule: Rule, example: Example, cache: dict[Path, dict[str, Any]] | None = None
) -> ExampleResult:
    """Evaluate one example and compare the rule's findings with what the example expects."""
    base = _load_base(example.base, cache if cache is not None else {})
    try:
        doc = apply_changes(base, dict(example.set), example.delete)
        all_findings = _findings(pack, example, doc)
    except PcnRulesError as exc:  # (a ValueError too: first)
        return ExampleResult(
            rule.id, example, False, f"the example is not a valid submission: {exc}"
        )
    except (ValueError, KeyError) as exc:
        return ExampleResult(rule.id, example, False, str(exc))
    findings = [f for f in all_findings if f.rule_id == rule.id]
    if example.entity is not None:
        findings = [f for f in findings if f.entity == example.entity]
        if not findings:
            return ExampleResult(
                rule.id, example, False, f"no finding for entity {example.entity!r}"
            )
    statuses = sorted({f.status for f in findings})
    if example.expect == "met":
        ok = bool(findings) and all(f.status == "met" for f in findings)
    else:
        ok = any(f.status == example.expect for f in findings)
    relevant = [f for f in findings if f.status == example.expect] or findings
    if ok and example.message_contains is not None:
        ok = any(example.message_contains in f.message for f in relevant)
        if not ok:
            messages = " | ".join(f.message for f in relevant)
            return ExampleResult(
                rule.id,
                example,
                False,
                f"no message contains {example.message_contains!r}; messages: {messages}",
            )
    detail = f"expected {example.expect}, got {', '.join(statuses) or 'no finding'}"
    if not ok:
        detail += "; " + " | ".join(f"{f.entity}: {f.message}" for f in findings)
    return ExampleResult(rule.id, example, ok, detail)


def run_pack_examples(pack: RulePack) -> list[ExampleResult]:
    """Run every example of every rule in the pack."""
    cache: dict[Path, dict[str, Any]] = {}
    return [
        run_example(pack, rule, example, cache) for rule in pack.rules for example in rule.examples
    ]


def remove_path(doc: Any, pattern: str) -> bool:
    """Remove ``pattern`` (``practices[].list_size``: from every item of the list) from a
    submission document in place; whether anything was there to remove."""
    return _remove(doc, pattern.split("."))


def _remove(node: Any, parts: list[str]) -> bool:
    name, rest = parts[0], parts[1:]
    key = name.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return False
    if not rest:
        del node[key]
        return True
    child = node[key]
    if name.endswith("[]"):
        removed = False
        for item in child if isinstance(child, list) else ():
            removed = _remove(item, rest) or removed
        return removed
    return _remove(child, rest)


@dataclass(frozen=True, slots=True)
class VacuousPass:
    """A rule still met when a fact it reads is taken out of its met example."""

    rule_id: str
    example: str
    path: str

    def __str__(self) -> str:
        return (
            f"{self.rule_id}: still met with `{self.path}` removed from its example "
            f"{self.example!r}; make the rule need it, or mark it under `optional:` with the "
            "reason it may be absent"
        )


def find_vacuous_passes(
    pack: RulePack, cache: dict[Path, dict[str, Any]] | None = None
) -> list[VacuousPass]:
    """For every rule, take its first met example and remove, one at a time, each submission path
    the rule reads (:attr:`Rule.reads`): the rule must then not be met for every entity, unless
    the pack marks the path ``optional`` with a reason.  A path the format requires, or that the
    example does not hold, cannot be removed and is skipped."""
    bases = cache if cache is not None else {}
    found: list[VacuousPass] = []
    for rule in pack.rules:
        # the rule's first met example: the one it is met on as a whole (a later one may meet
        # it another way, e.g. with a commissioner's agreement in place of a fact)
        for example in [e for e in rule.examples if e.expect == "met"][:1]:
            try:
                doc = apply_changes(
                    _load_base(example.base, bases), dict(example.set), example.delete
                )
            except ValueError:
                continue  # a broken example: run_pack_examples reports it
            for path in rule.reads:
                if path in rule.optional:
                    continue
                changed = copy.deepcopy(doc)
                if not remove_path(changed, path):
                    continue
                try:
                    findings = [
                        f for f in _findings(pack, example, changed) if f.rule_id == rule.id
                    ]
                except PcnRulesError:
                    continue  # the submission format requires it: it cannot be absent
                if findings and all(f.status == "met" for f in findings):
                    found.append(VacuousPass(rule.id, example.name, path))
    return found
