"""pcn-rules: check Primary Care Network submissions against the Network Contract DES.

Library use::

    from pcn_rules import check, load_pack

    pack = load_pack("2019/20")           # load and validate once
    report = check("submission.json", pack=pack, as_of="2019-05-10")
    report.compliant, report.to_json()
"""

from __future__ import annotations

import gc
import time

__version__ = "0.1.0"

#: When the package started importing: the pack cache trusts no source file changed since, as
#: the code running may then not be the code on disk (see pcn_rules.packcache).
_imported_ns = time.time_ns()

# Importing (pydantic and some 30 models, the CEL binding...) creates tens of thousands of
# long-lived objects and almost no garbage; the cyclic collector would scan them several times
# over while it runs, so it waits until the package is imported (and is left as it was found).
_collecting = gc.isenabled()
gc.disable()
try:
    from pcn_rules.api import check
    from pcn_rules.errors import InputError, PackError, PcnRulesError, UsageError
    from pcn_rules.packs.discover import available_packs
    from pcn_rules.packs.load import load_pack
    from pcn_rules.packs.model import RulePack
    from pcn_rules.report.model import Finding, Report
    from pcn_rules.submission.model import Submission
finally:
    if _collecting:
        gc.enable()

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
