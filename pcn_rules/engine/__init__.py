"""The engine: a pure function of (facts, pack, as-of date) to a report.  The simple path
decides each condition on its own; deciding a scope's conditions in one CEL call is an
optimisation behind one seam (:mod:`.plan`, :mod:`.decide`) that gives the same report."""

from pcn_rules.engine.decide import DECIDERS, Decide
from pcn_rules.engine.run import evaluate, evaluate_batch

__all__ = ["DECIDERS", "Decide", "evaluate", "evaluate_batch"]
