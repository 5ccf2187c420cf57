"""printf-style formats (dt_printf.c): parsing, checking against argument types, formatting.

The compiler parses and checks a format once; the consumer formats each
record's values with the parsed format.  Values arrive as plain data: ints
(already of their C type's size and sign), strings, stacks (lists of pcs).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

__all__ = ["Conv", "parse_format", "check_format", "format_values", "FormatError"]

_CONV = re.compile(r"%(?P<pos>\d+\$)?(?P<flags>[-+ #0'@?]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
                   r"(?P<dot2>\.)?(?P<size>hh|h|ll|l|L|w)?(?P<conv>[A-Za-z%])?")
_KNOWN = set("diouxXcCsSpaAYTkefgEG%")


class FormatError(Exception):
    def __init__(self, tag: str, message: str):
        self.tag = tag
        super().__init__(message)


@dataclass
class Conv:
    text: str
    flags: str
    width: str | None
    prec: str | None
    size: str
    conv: str
    index: int          # 1-based conversion number

    @property
    def agg(self) -> bool:
        return "@" in self.flags


def parse_format(fmt: str) -> list:
    """The format as a list of literal strings and Conv items."""
    out: list = []
    i, n = 0, 0
    while i < len(fmt):
        j = fmt.find("%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        if j > i:
            out.append(fmt[i:j])
        m = _CONV.match(fmt, j)
        n += 1
        if m.group("conv") is None:
            raise FormatError("D_SYNTAX", f"format conversion #{n} name expected before end of format string")
        if m.group("pos"):
            raise FormatError("D_SYNTAX", f"format conversion #{n} uses unsupported positional format (%n$)")
        if m.group("dot2"):
            raise FormatError("D_SYNTAX", f"format conversion #{n} has more than one '.' specified")
        conv = m.group("conv")
        if conv not in _KNOWN:
            raise FormatError("D_SYNTAX", f"format conversion #{n} is undefined: %{conv}")
        if conv == "%":
            if m.group(0) != "%%":
                raise FormatError("D_SYNTAX", f"format conversion #{n} cannot be combined with other format flags: %%")
            out.append("%")
            n -= 1
        else:
            out.append(Conv(m.group(0), m.group("flags"), m.group("width"), m.group("prec"), m.group("size") or "",
                            conv, n))
        i = m.end()
    return out


# -- checking -----------------------------------------------------------------

_INTS = "char, short, int, long, or long long"


def _proto(c: Conv, t, types) -> str | None:
    """None if argument type ``t`` suits conversion ``c``, else the prototype text for the message."""
    from . import dtypes
    conv, size = c.conv, c.size
    if conv in "di":
        if dtypes.is_int(t) and (size != "l" or dtypes.int_type(t) == (8, True) and "long" in _base(t)) \
                and (size != "ll" or dtypes.int_type(t)[0] == 8) and (size != "h" or dtypes.int_type(t)[0] == 2):
            return None
        if size == "l":
            return "long"
        if size == "ll":
            return "long long"
        return _INTS
    if conv in "ouxX":
        return None if dtypes.is_int(t) or dtypes.is_ptr(t) else _INTS
    if conv in "cC":
        return None if dtypes.is_int(t) and dtypes.int_type(t)[0] <= 4 else "char, short, or int"
    if conv in "sS":
        return None if dtypes.is_stringish(t) else "char [] or string (or use stringof)"
    if conv in "pP":
        return None if dtypes.is_scalar(t) else "pointer or integer"
    if conv in "aA":
        return None if dtypes.is_scalar(t) else "pointer or integer"
    if conv in "YT":
        return None if dtypes.is_int(t) else "int64_t, uint64_t or time_t"
    if conv == "k":
        return None if getattr(t, "kind", None) == "stack" else "stack"
    return "double"


def _base(t) -> str:
    from ...kernel import ctf
    r = ctf.resolve(t)
    return getattr(r, "tname", "")


def check_format(items: list, args: list, func: str, describe) -> None:
    """Check printf's argument list against ``items`` (``args``: typed nodes after the format)."""
    convs = [c for c in items if isinstance(c, Conv)]
    ai = 0
    for c in convs:
        if c.agg and func == "printf":
            raise FormatError("D_PRINTF_AGG_CONV", "%@ conversion requires an aggregation and is not for use with "
                              "printf( )")
        for star in (c.width, c.prec):
            if star == "*":
                if ai >= len(args):
                    raise FormatError("D_PRINTF_DYN_PROTO", f"{func}( ) prototype mismatch: conversion #{c.index} "
                                      f"({c.text}) is missing a corresponding \"*\" argument")
                ai += 1
        if ai >= len(args):
            raise FormatError("D_PRINTF_ARG_PROTO", f"{func}( ) prototype mismatch: conversion #{c.index} "
                              f"({c.text}) is missing a corresponding value argument")
        t = args[ai].type
        proto = _proto(c, t, None) if describe(t) != "aggregation" else (
            _INTS if c.conv in "di" else "aggregation?")
        if proto is not None:
            raise FormatError("D_PRINTF_ARG_TYPE", f"{func}( ) argument #{ai + 2} is incompatible with conversion "
                              f"#{c.index} prototype:\n\tconversion: {c.text}\n\t prototype: {proto}\n\t"
                              f"  argument: {describe(t)}")
        ai += 1
    if ai < len(args):
        raise FormatError("D_PRINTF_ARG_EXTRA", f"{func}( ) prototype mismatch: only {ai + 1} arguments required by "
                          "this format string")


# -- formatting ------------------------------------------------------------------


def _pyspec(c: Conv, width, prec, conv: str) -> str:
    flags = "".join(f for f in c.flags if f in "-+ #0")
    w = "" if width is None else str(width)
    p = "" if prec is None or prec == "" else "." + str(prec)
    if c.prec == "":
        p = ".0"
    return "%" + flags + w + p + conv


def _unsigned(v: int, size: int) -> int:
    """``v`` read back as an unsigned integer of its record's size (dt_printf's pfprint_uint)."""
    return v & ((1 << (8 * size)) - 1) if v < 0 else v


def format_conv(c: Conv, value, spec, width=None, prec=None, symbolize=None, stackfmt=None) -> str:
    """One conversion of ``value``; ``spec`` = (size, signed) for integers."""
    conv = c.conv
    if width is None and c.width not in (None, "*"):
        width = int(c.width)
    if "?" in c.flags and width is None:
        width = 16
    if prec is None and c.prec not in (None, "*"):
        prec = c.prec
    if conv in "di":
        v = value if spec[1] else _unsigned(value, spec[0])
        return _pyspec(c, width, prec, "d") % v
    if conv == "u":
        return _pyspec(c, width, prec, "d") % _unsigned(value, spec[0])
    if conv in "oxX":
        return _pyspec(c, width, prec, conv) % _unsigned(value, spec[0])
    if conv in "cC":
        ch = chr(value & 0xff)
        if conv == "C" and not ch.isprintable():
            ch = repr(ch)[1:-1]
        return _pyspec(c, width, None, "s") % ch
    if conv in "sS":
        s = value if isinstance(value, str) else str(value)
        if conv == "S":
            s = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in s)
        return _pyspec(c, width, prec, "s") % s
    if conv == "p":
        return _pyspec(c, width, prec, "x") % (value & (2**64 - 1))
    if conv in "aA":
        return _pyspec(c, width, None, "s") % symbolize(value, True)
    if conv == "Y":
        return _pyspec(c, width, None, "s") % _date(value)
    if conv == "T":
        return _pyspec(c, width, None, "s") % _rfc822(value)
    if conv == "k":
        indent = width if width is not None else None
        return stackfmt(value, indent, spec)
    return _pyspec(c, width, prec, "s") % value


def _date(ns: int) -> str:
    t = time.gmtime(ns // 1_000_000_000)
    return time.strftime("%Y %b ", t) + f"{t.tm_mday:2d}" + time.strftime(" %H:%M:%S", t)


def _rfc822(ns: int) -> str:
    t = time.gmtime(ns // 1_000_000_000)
    return time.strftime("%a, %d %b %Y %H:%M:%S UTC", t)


def format_values(items: list, values: list, specs: list, symbolize=None, stackfmt=None) -> str:
    """printf: ``values`` in argument order (``*`` widths included), ``specs`` their (size, signed)."""
    out = []
    vi = 0
    for it in items:
        if isinstance(it, str):
            out.append(it)
            continue
        width = prec = None
        if it.width == "*":
            width, vi = values[vi], vi + 1
            if width < 0:
                it = Conv(it.text, it.flags + "-", it.width, it.prec, it.size, it.conv, it.index)
                width = -width
        if it.prec == "*":
            prec, vi = values[vi], vi + 1
        out.append(format_conv(it, values[vi], specs[vi], width, prec, symbolize, stackfmt))
        vi += 1
    return "".join(out)
