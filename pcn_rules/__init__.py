"""pcn-rules: check Primary Care Network submissions against the Network Contract DES.

Library use::

    from pcn_rules import check, load_pack

    pack = load_pack("2019/20")           # load and validate once
    report = check("submission.json", pack=pack, as_of="2019-05-10")
    report.compliant, report.to_json()

Importing the package has no side effects: the names below are imported when first used.
"""

# Only the public names below, and __version__, are this package's: what it imports to work is
# imported under private names, so that `dir(pcn_rules)` and completion show the API alone.
from importlib import import_module as _import_module
from time import time_ns as _time_ns
from typing import TYPE_CHECKING as _TYPE_CHECKING

__version__ = "0.1.0"

#: When the package started importing: the pack cache trusts no source file changed since, as
#: the code running may then not be the code on disk (see pcn_rules.packs.cache).
_imported_ns = _time_ns()

#: Public name → the module it lives in.
_EXPORTS = {
    "check": "pcn_rules.api",
    "audit": "pcn_rules.audits",
    "import_ods": "pcn_rules.ingest.ods",
    "InputError": "pcn_rules.errors",
    "PackError": "pcn_rules.errors",
    "PcnRulesError": "pcn_rules.errors",
    "Problem": "pcn_rules.errors",
    "UsageError": "pcn_rules.errors",
    "available_packs": "pcn_rules.packs.discover",
    "load_pack": "pcn_rules.packs.load",
    "RulePack": "pcn_rules.packs.model",
    "Finding": "pcn_rules.report.model",
    "Report": "pcn_rules.report.model",
    "Submission": "pcn_rules.submission.model",
}

__all__ = [
    "Finding",
    "InputError",
    "PackError",
    "PcnRulesError",
    "Problem",
    "Report",
    "RulePack",
    "Submission",
    "UsageError",
    "__version__",
    "audit",
    "available_packs",
    "check",
    "import_ods",
    "load_pack",
]

if _TYPE_CHECKING:
    from pcn_rules.api import check
    from pcn_rules.audits import audit
    from pcn_rules.errors import InputError, PackError, PcnRulesError, Problem, UsageError
    from pcn_rules.ingest.ods import import_ods
    from pcn_rules.packs.discover import available_packs
    from pcn_rules.packs.load import load_pack
    from pcn_rules.packs.model import RulePack
    from pcn_rules.report.model import Finding, Report
    from pcn_rules.submission.model import Submission


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pcn_rules' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API: the names of ``__all__`` (the modules of the package are importable as
    ever, ``pcn_rules.report``, but are not listed)."""
    return sorted(__all__)
