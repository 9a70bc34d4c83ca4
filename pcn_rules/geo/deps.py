"""The optional ``geo`` extra: shapely (geometry) and pyproj (projection to the British
National Grid).  Imported only when geography is computed; without them the command says how to
add them (a usage error, exit 2: the installation lacks a part the command needs)."""

from __future__ import annotations

import importlib
from types import ModuleType

from pcn_rules.errors import UsageError

EXTRA_HINT = "pip install 'pcn-rules[geo]'"


class GeoExtraMissing(UsageError):
    """shapely or pyproj is not installed."""


def require() -> tuple[ModuleType, ModuleType]:
    """The ``shapely`` and ``pyproj`` modules, or :class:`GeoExtraMissing` naming what is
    missing and how to install it."""
    modules: list[ModuleType] = []
    for name in ("shapely", "pyproj"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:
            raise GeoExtraMissing(
                f"the geography commands need the optional 'geo' extra ({name} is not "
                f"installed): {EXTRA_HINT}"
            ) from None
    return modules[0], modules[1]
