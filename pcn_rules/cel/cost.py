"""How large the values a condition builds can grow, read from its compiled form without running
it, so that a rule cannot exhaust memory (a chain of ``replace`` calls once built 9 GB).

CEL has no loops but its comprehensions, and the runtime stops a condition after
:data:`~pcn_rules.cel.binding.ITERATION_BUDGET` iterations of all of them together; what is
left to bound is how much one step can build.  Each expression's size (characters of text, or
elements and their contents) is bounded by ``constant + factor * B``, where B is the size of the
largest value the condition reads (a fact, a parameter); the iterations of a comprehension
are left to the runtime's budget.  A condition is refused when

- the text or lists it builds from its own literals could exceed :data:`MAX_CONSTANT`
  (``"a".replace("a", "aaaa")`` repeated: 4, 16, 64, ... characters);
- what it builds could be more than :data:`MAX_FACTOR` times the largest value it reads
  (doubling a value over and over, in nested comprehensions or repeated ``replace``);
- or what it builds could grow with the square of what it reads (``replace``, ``join`` or
  ``format`` with a value read from the facts as the text inserted, the separator or the
  format).

Anything the analysis does not know (a function of another extension) is taken to be no
larger than its arguments together.  The compiled form is the binding's serialised
``cel.expr.CheckedExpr``, read here with a minimal protocol buffer decoder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Characters or elements a condition may build from its own literals (4 Mi).
MAX_CONSTANT = 4 * 1024 * 1024
#: How many times the largest value it reads a condition may build in one step.
MAX_FACTOR = 256


class Unbounded(Exception):
    """A condition could build values too large to evaluate."""


@dataclass(frozen=True, slots=True)
class Size:
    """At most ``constant + factor * B`` (a size that grows with B squared is refused)."""

    constant: float = 0.0
    factor: float = 0.0

    def __add__(self, other: Size) -> Size:
        return Size(self.constant + other.constant, self.factor + other.factor)

    def times(self, other: Size) -> Size:
        if self.factor and other.factor:
            raise Unbounded(
                "it could build a value that grows with the square of the facts it reads "
                "(`replace`, `join` or `format` with a value read from the facts as the text "
                "inserted, the separator or the format)"
            )
        constant = self.constant * other.constant
        factor = self.factor * other.constant + other.factor * self.constant
        return _checked(Size(constant, factor))

    def scaled(self, by: float) -> Size:
        return _checked(Size(self.constant * by, self.factor * by))

    def most(self, other: Size) -> Size:
        return Size(max(self.constant, other.constant), max(self.factor, other.factor))


ONE = Size(1.0)
READ = Size(0.0, 1.0)  # a value read from a variable: at most B


def _checked(size: Size) -> Size:
    if size.constant > MAX_CONSTANT:
        raise Unbounded(
            f"it could build a value of more than {MAX_CONSTANT:,} characters or elements "
            "from its own literals (e.g. by repeated `replace` or concatenation)"
        )
    if size.factor > MAX_FACTOR:
        raise Unbounded(
            f"it could build a value more than {MAX_FACTOR} times as large as the facts it "
            "reads (e.g. by doubling a value again and again, or repeated `replace`)"
        )
    return size


# --------------------------------------------------------------------------------------------
# Reading the compiled form (protocol buffer wire format)
# --------------------------------------------------------------------------------------------

_Fields = dict[int, list[bytes | int]]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("malformed varint")


def _fields(data: bytes) -> _Fields:
    """Each field number of a message with its values (bytes, or ints for varints)."""
    out: _Fields = {}
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        value: bytes | int
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unexpected wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _one(fields: _Fields, number: int) -> bytes | None:
    found = fields.get(number)
    if not found:
        return None
    value = found[0]
    return value if isinstance(value, bytes) else None


def _text(fields: _Fields, number: int) -> str:
    value = _one(fields, number)
    return value.decode("utf-8") if value is not None else ""


def _messages(fields: _Fields, number: int) -> list[_Fields]:
    return [_fields(v) for v in fields.get(number, []) if isinstance(v, bytes)]


# cel.expr.Expr
_CONST, _IDENT, _SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 3, 4, 5, 6, 7, 8, 9
# cel.expr.Constant: string and bytes values
_STRING_VALUE, _BYTES_VALUE = 6, 7

#: Functions whose result is a boolean or a number, whatever their arguments.
_SCALAR = frozenset(
    {
        "size", "contains", "startsWith", "endsWith", "matches", "indexOf", "lastIndexOf",
        "int", "uint", "double", "bool", "type", "duration", "timestamp", "has", "in",
        "@in", "@not_strictly_false", "!_", "-_", "_==_", "_!=_", "_<_", "_<=_", "_>_",
        "_>=_", "_&&_", "_||_", "_-_", "_*_", "_/_", "_%_",
    }
)  # fmt: skip
#: Functions whose result is no larger than their target (or first argument).
_NO_LARGER = frozenset(
    {"upperAscii", "lowerAscii", "trim", "reverse", "substring", "charAt", "dyn", "_[_]"}
)
_FORMAT_SPEC = re.compile(r"%(?:\.(\d+))?([a-zA-Z%])")


class _Analysis:
    def __init__(self) -> None:
        self.variables: dict[str, Size] = {}

    def size(self, expr: _Fields) -> Size:
        if _CONST in expr:
            constant = _fields(_one(expr, _CONST) or b"")
            literal = _one(constant, _STRING_VALUE) or _one(constant, _BYTES_VALUE)
            if literal is not None:
                return Size(float(len(literal.decode("utf-8", "replace"))))
            return ONE
        if _IDENT in expr:
            return self.variables.get(_text(_fields(_one(expr, _IDENT) or b""), 1), READ)
        if _SELECT in expr:
            select = _fields(_one(expr, _SELECT) or b"")
            operand = self.size(_fields(_one(select, 1) or b""))
            return ONE if select.get(3) else operand
        if _CALL in expr:
            return self._call(_fields(_one(expr, _CALL) or b""))
        if _LIST in expr:
            elements = _messages(_fields(_one(expr, _LIST) or b""), 1)
            total = Size(float(len(elements)))
            for element in elements:
                total = _checked(total + self.size(element))
            return total
        if _STRUCT in expr:
            total = Size()
            for entry in _messages(_fields(_one(expr, _STRUCT) or b""), 2):
                for part in (3, 4):  # map key, value
                    inner = _one(entry, part)
                    if inner is not None:
                        total = _checked(total + self.size(_fields(inner)) + ONE)
            return total
        if _COMPREHENSION in expr:
            return self._comprehension(_fields(_one(expr, _COMPREHENSION) or b""))
        return ONE

    def _call(self, call: _Fields) -> Size:
        function = _text(call, 2)
        target_bytes = _one(call, 1)
        args = _messages(call, 3)
        operands = ([_fields(target_bytes)] if target_bytes is not None else []) + args
        sizes = [self.size(operand) for operand in operands]
        if function in _SCALAR:
            return ONE
        if function in _NO_LARGER and sizes:
            return sizes[0]
        if function == "_?_:_" and len(sizes) == 3:
            return sizes[1].most(sizes[2])
        if function == "replace" and len(sizes) >= 3:
            return self._replace(operands, sizes)
        if function == "join" and sizes:
            separator = sizes[1] if len(sizes) > 1 else Size()
            return sizes[0].times(separator + ONE)
        if function == "format" and len(sizes) == 2:
            return self._format(operands[0], sizes)
        if function in ("quote", "strings.quote") and sizes:
            return sizes[-1].scaled(10) + Size(2.0)
        if function == "split" and sizes:
            return sizes[0].scaled(2) + ONE
        if function in ("string", "bytes") and sizes:
            return sizes[0].scaled(4) + Size(32.0)
        total = Size()
        for size in sizes:  # `+` and anything else: no larger than its arguments together
            total = _checked(total + size)
        return _checked(total + ONE)

    def _replace(self, operands: list[_Fields], sizes: list[Size]) -> Size:
        target, old, new = sizes[0], sizes[1], sizes[2]
        old_text, new_text = _literal(operands[1]), _literal(operands[2])
        if old_text and new_text is not None:
            # each occurrence of OLD (at least len(OLD) characters) becomes NEW
            return target.scaled(max(1.0, -(-len(new_text) // len(old_text))))
        del old
        # OLD may be empty: NEW between every two characters
        return target.times(new + ONE) + new

    def _format(self, template: _Fields, sizes: list[Size]) -> Size:
        text = _literal(template)
        if text is None:
            return sizes[0].times(sizes[1] + ONE)  # a template read from the facts
        specs = [m for m in _FORMAT_SPEC.finditer(text) if m.group(2) != "%"]
        precision = max((int(m.group(1) or 0) for m in specs), default=0)
        if precision > MAX_CONSTANT:
            raise Unbounded(f"its format asks for a precision of {precision:,} digits")
        per_value = Size(float(precision + 340))
        return _checked(Size(float(len(text))) + sizes[1].scaled(4) + per_value.scaled(len(specs)))

    def _comprehension(self, comp: _Fields) -> Size:
        iter_var, accu_var = _text(comp, 1), _text(comp, 3)
        second_var = _text(comp, 8)
        range_size = self.size(_fields(_one(comp, 2) or b""))
        init = self.size(_fields(_one(comp, 4) or b""))
        saved = dict(self.variables)
        try:
            # one step, with each element no larger than the range
            self.variables[iter_var] = range_size
            if second_var:
                self.variables[second_var] = range_size
            step = _fields(_one(comp, 6) or b"")
            self.variables[accu_var] = Size()
            growth = self.size(step)
            self.variables[accu_var] = Size(1.0)
            with_one = self.size(step)
            self.variables[accu_var] = Size(2.0)
            with_two = self.size(step)
            if with_two.constant - with_one.constant > 1.0:
                raise Unbounded("it could double a value at every step of a comprehension")
            self.size(_fields(_one(comp, 5) or b""))  # the loop condition
            # the iterations themselves are bounded by the runtime's budget
            self.variables[accu_var] = _checked(init + growth)
            return self.size(_fields(_one(comp, 7) or b""))
        finally:
            self.variables = saved


def _literal(expr: _Fields) -> str | None:
    """The text of a string literal, or None when the expression is anything else."""
    if _CONST not in expr:
        return None
    value = _one(_fields(_one(expr, _CONST) or b""), _STRING_VALUE)
    return value.decode("utf-8", "replace") if value is not None else None


def growth_problem(serialized: bytes) -> str | None:
    """Why a compiled condition (the binding's serialised form) could build values too large
    to evaluate, in words; None when it cannot."""
    try:
        wrapper = _fields(serialized)
        checked = _fields(_one(wrapper, 2) or b"")
        expr = _one(checked, 4)
        if expr is None:
            return "its compiled form could not be read (no expression)"
        _Analysis().size(_fields(expr))
    except Unbounded as exc:
        return str(exc)
    except (ValueError, IndexError, RecursionError) as exc:
        return f"its compiled form could not be read ({exc})"
    return None
