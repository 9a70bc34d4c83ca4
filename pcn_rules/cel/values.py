"""Whether CEL can hold a value: facts and parameters are checked before they reach the
runtime (pure Python: no binding needed)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: The integers CEL computes with (64-bit); a value outside them must never reach the runtime
#: (one of 4,300 digits crashed it).
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _digits(number: int) -> int:
    """How many decimal digits ``number`` has, without turning it into text (Python refuses to
    for more than 4,300)."""
    size = abs(number)
    digits = int((size.bit_length() - 1) * 0.30102999566398) + 1
    return digits + 1 if size >= 10**digits else digits


def _readable(value: Any) -> bool:
    """Whether CEL can hold all of ``value``: the quick pass of :func:`unreadable_value` (no
    paths built; about a quarter of its time on a network's facts)."""
    kind = type(value)
    if kind is dict:
        for key, inner in value.items():
            if type(key) is not str:
                return False
            inner_kind = type(inner)
            if inner_kind is str:
                if not inner.isascii() and _LONE_SURROGATE.search(inner):
                    return False
            elif inner_kind is int:
                if not INT_MIN <= inner <= INT_MAX:
                    return False
            elif not (inner is None or inner_kind is float or inner_kind is bool) and not _readable(
                inner
            ):
                # records and lists: their items in turn (anything else: not readable)
                return False
        return True
    if kind is list or kind is tuple:
        return all(_readable(item) for item in value)
    if kind is str:
        return value.isascii() or not _LONE_SURROGATE.search(value)
    if kind is int:
        return bool(INT_MIN <= value <= INT_MAX)
    return kind is float or kind is bool or value is None


def unreadable_value(value: Any, path: str) -> tuple[str, str] | None:
    """The first value within ``value`` (facts or parameters: dicts, lists and scalars) that
    CEL cannot hold, as (its path, why); None when CEL can read all of it.  The value itself is
    never quoted: a huge integer cannot even be turned into text."""
    try:
        if _readable(value):
            return None
    except RecursionError:
        pass  # a value that holds itself: the located walk below finds and names it
    seen: set[int] = set()
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and _LONE_SURROGATE.search(item):
                return where, "text that is not valid Unicode (a lone surrogate)"
        elif kind is int:
            if not INT_MIN <= item <= INT_MAX:
                return where, (
                    f"an integer of {_digits(item):,} digits, outside the range rules compute "
                    f"with ({INT_MIN:,} to {INT_MAX:,})"
                )
        elif kind is float or kind is bool or item is None:
            continue
        elif isinstance(item, Mapping | list | tuple):
            if id(item) in seen:  # facts share their records (a practice is also an entity)
                continue
            seen.add(id(item))
            if isinstance(item, Mapping):
                for key, inner in item.items():
                    if type(key) is not str:
                        if type(key) is not int or not INT_MIN <= key <= INT_MAX:
                            return where, f"a key rules cannot read ({type(key).__name__})"
                        key = str(key)
                    stack.append((f"{where}.{key}", inner))
            else:
                stack.extend((f"{where}[{index}]", inner) for index, inner in enumerate(item))
        else:
            return where, f"a value of type {kind.__name__}, which rules cannot read"
    return None
