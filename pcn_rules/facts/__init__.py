"""Facts: the submission viewed per entity, as of a date, with derived values computed once."""

from pcn_rules.facts.build import Entity, SubmissionFacts, build_facts

__all__ = ["Entity", "SubmissionFacts", "build_facts"]
