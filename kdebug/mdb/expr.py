"""Evaluating mdb expressions (the actions of mdb_grammar.y).

Arithmetic is on 64-bit unsigned integers; ``%`` and ``#`` divide as signed.
Words are classified when evaluated, so that numbers use the radix in force
and ``bad`` is a symbol if one exists.  Errors carry mdb's texts.
"""

from __future__ import annotations

from ..kernel import MemoryFault
from ..kernel.symbols import SymbolLookupError
from .errors import CommandError, ParseError
from .values import MAX_U64, char_constant, classify_word, strtonum

__all__ = ["evaluate"]

_SIGN = 1 << 63
_CAST_SIZES = {"c": 1, "1": 1, "s": 2, "2": 2, "i": 4, "4": 4, "l": 8, "8": 8}


def _signed(v: int) -> int:
    return v - (1 << 64) if v & _SIGN else v


def _next_token(text: str, pos: int | None) -> str:
    """What mdb's parser had just read when an action failed: the token after ``pos``."""
    if pos is None:
        return "\n"
    rest = text[pos:].lstrip(" \t")
    return rest[:1] or "\n"


def evaluate(m, node: tuple, text: str = "") -> int:
    """The value of expression ``node`` in session ``m``; ``text`` is the statement (for errors)."""
    op = node[0]
    fn = _OPS.get(op)
    if fn is not None:
        return fn(m, node, text)
    a = evaluate(m, node[1], text)
    if op in _UNARY:
        return _UNARY[op](m, a)
    b = evaluate(m, node[2], text)
    return _binary(op, a, b, text, node[3])


def _binary(op: str, a: int, b: int, text: str, end: int | None) -> int:
    if op == "add":
        return (a + b) & MAX_U64
    if op == "sub":
        return (a - b) & MAX_U64
    if op == "mul":
        return (a * b) & MAX_U64
    if op == "bit_and":
        return a & b
    if op == "bit_or":
        return a | b
    if op == "bit_xor":
        return a ^ b
    if op == "eq":
        return int(a == b)
    if op == "ne":
        return int(a != b)
    if op == "shl":
        return (a << (b & 63)) & MAX_U64
    if op == "shr":
        return a >> (b & 63)
    if b == 0:
        raise ParseError("attempted to divide by zero", near=_next_token(text, end))
    if op == "mod":
        return a % b
    sa, sb = _signed(a), _signed(b)
    if op == "div":
        if sa == -_SIGN and sb == -1:
            raise ParseError("divide overflow", near=_next_token(text, end))
        q = abs(sa) // abs(sb)
        return (q if (sa < 0) == (sb < 0) else -q) & MAX_U64
    # roundup: a rounded up to a multiple of b, as ((intptr_t)(a + b - 1) / b) * b
    s = _signed((a + b - 1) & MAX_U64)
    q = abs(s) // abs(sb)
    q = q if (s < 0) == (sb < 0) else -q
    return (q * b) & MAX_U64


def _read(m, addr: int, size: int, obj: bool = False) -> int:
    try:
        raw = m.target_read(addr, size, obj=obj)
    except MemoryFault as e:
        raise CommandError(f"failed to read from address {addr:x}", e.reason) from None
    return int.from_bytes(raw, "little")


_UNARY = {
    "deref": lambda m, a: _read(m, a, 8),
    "objderef": lambda m, a: _read(m, a, 8, obj=True),
    "neg": lambda m, a: (-a) & MAX_U64,
    "compl": lambda m, a: ~a & MAX_U64,
    "lognot": lambda m, a: int(a == 0),
}


def _cast(m, node: tuple, text: str) -> int:
    size = _CAST_SIZES.get(node[1][2])
    if size is None:
        raise ParseError(f"invalid cast -- {node[1]}", located=False)
    return _read(m, evaluate(m, node[2], text), size, obj=node[0] == "objderef_cast")


def _word(m, node: tuple, text: str) -> int:
    word, col = node[1], node[2]
    if word == ".":
        return m.dot
    kind = classify_word(word)
    if kind[0] == "split":
        raise ParseError("syntax error", near=word[kind[1]:], column=col + kind[1])
    if kind[0] == "number":
        if kind[1] is not None:
            return kind[1]
        if not word[0].isdigit():
            sym = m.target.k.symtab.find(word)
            if sym is not None:
                return sym.addr
        try:
            return strtonum(word, m.radix)
        except ParseError as e:
            e.column = col
            raise
    try:
        return m.target.lookup_by_name(word).addr
    except SymbolLookupError as e:
        raise CommandError("failed to dereference symbol", str(e), hint=m.suggest_symbol(word),
                           column=col) from None


def _var(m, node: tuple, text: str) -> int:
    value = m.vars.get(node[1])
    if value is None:
        raise ParseError(f"variable '{node[1]}' is not defined", near=node[3], column=node[2])
    return value


def _char(m, node: tuple, text: str) -> int:
    return char_constant(node[1])


def _dot_incr(m, node: tuple, text: str) -> int:
    return m.dot_incr("+")


def _dot_decr(m, node: tuple, text: str) -> int:
    return m.dot_decr("^")


_OPS = {
    "word": _word,
    "var": _var,
    "char": _char,
    "deref_cast": _cast,
    "objderef_cast": _cast,
    "dot_incr": _dot_incr,
    "dot_decr": _dot_decr,
    "last_addr": lambda m, node, text: m.raddr,
}
