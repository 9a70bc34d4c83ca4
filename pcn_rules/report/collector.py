"""Building many findings at once with Python's cycle collector paused.

A national audit keeps every network's findings alive until it ends, and its JSON text builds a
dict for each of them: each automatic collection walks all of them again (a fifth of an audit's
time, most of writing its JSON, and more the larger the batch).  The objects are freed by
reference counting as usual; any cycle among them is collected once the collector runs again.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_R = TypeVar("_R")


def collector_paused(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` with the cycle collector paused while it runs (then as it was: a call
    within another, or in another thread, leaves it to the outermost to turn it back on)."""

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused
