"""The engine: a pure function of (facts, pack, as-of date) to a report."""

from pcn_rules.engine.core import evaluate, evaluate_batch

__all__ = ["evaluate", "evaluate_batch"]
