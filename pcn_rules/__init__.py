"""pcn-rules: check Primary Care Network submissions against the Network Contract DES.

Library use::

    from pcn_rules import check, load_pack

    pack = load_pack("2019/20")           # load and validate once
    report = check("submission.json", pack=pack, as_of="2019-05-10")
    report.compliant, report.to_json()
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import check
from .errors import InputError, PackError, PcnRulesError, UsageError
from .model import Submission
from .pack import RulePack, available_packs, load_pack
from .report import Finding, Report

__all__ = [
    "Finding",
    "InputError",
    "PackError",
    "PcnRulesError",
    "Report",
    "RulePack",
    "Submission",
    "UsageError",
    "__version__",
    "available_packs",
    "check",
    "load_pack",
]
