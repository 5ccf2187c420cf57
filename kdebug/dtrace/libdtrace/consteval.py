"""Folding integer constant expressions at compile time (C semantics, 64-bit)."""

from __future__ import annotations

from . import dtypes

__all__ = ["fold_binop", "fold_unop", "wrap"]


def wrap(v: int, t) -> int:
    size, signed = dtypes.int_type(t)
    bits = 8 * size
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def _cdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def fold_binop(node, a: int, b: int):
    op = node.op
    if op in ("==", "!=", "<", "<=", ">", ">="):
        t = node.optype
        a, b = wrap(a, t), wrap(b, t)
        return int({"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op])
    t = node.type
    a, b = wrap(a, t), wrap(b, t)
    if op in ("/", "%") and b == 0:
        return None
    if op == "+":
        v = a + b
    elif op == "-":
        v = a - b
    elif op == "*":
        v = a * b
    elif op == "/":
        v = _cdiv(a, b)
    elif op == "%":
        v = a - _cdiv(a, b) * b
    elif op == "&":
        v = a & b
    elif op == "|":
        v = a | b
    elif op == "^":
        v = a ^ b
    elif op == "<<":
        v = a << (b & 63)
    else:
        v = a >> (b & 63)
    return wrap(v, t)


def fold_unop(node, a: int):
    op = node.op
    if op == "!":
        return int(a == 0)
    if op == "-":
        return wrap(-a, node.type)
    if op == "~":
        return wrap(~a, node.type)
    return a
