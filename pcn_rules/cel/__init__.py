"""CEL, the condition language: compiled and evaluated behind one module (:mod:`.binding`, the
only code that imports the CEL binding), read as text without running it (:mod:`.text`), and
the values it can hold (:mod:`.values`)."""

from pcn_rules.cel.binding import (
    BASE_VARIABLES,
    ENTITIES,
    UNDECIDED,
    Bundle,
    Compiled,
    CompileError,
    Environment,
    EvalError,
    growth_problem,
)
from pcn_rules.cel.text import (
    field_chains,
    inline_derived,
    referenced_paths,
    selected_fields,
    strip_strings,
    top_level_keys,
    unknown_fields,
)
from pcn_rules.cel.values import unreadable_value

__all__ = [
    "BASE_VARIABLES",
    "ENTITIES",
    "UNDECIDED",
    "Bundle",
    "CompileError",
    "Compiled",
    "Environment",
    "EvalError",
    "field_chains",
    "growth_problem",
    "inline_derived",
    "referenced_paths",
    "selected_fields",
    "strip_strings",
    "top_level_keys",
    "unknown_fields",
    "unreadable_value",
]
