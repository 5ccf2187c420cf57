"""mdb's output engine (illumos mdb_io.c): one printf and the line discipline.

Everything mdb prints goes through an :class:`Iob`, a line buffer with mdb's
rules: autowrap (a piece that would run past column 80 starts a new line
first), the 16-column margin that ``=`` and ``/`` indent continuation lines
with, padding that turns into a newline when it would reach column 80, tabs
to the next tab stop, and ``nlflush`` (end the line only if something is on
it).  :meth:`Iob.printf` implements mdb's conversions, including the ones C
lacks:

    %a  symbol+offset of an address (``p0+0x10``), else the value with
        its radix prefix; ``%#a`` appends ':'
    %A  like %a but nothing when no symbol contains the address
    %r  %R  unsigned / signed in the current radix (``%#r``: with prefix)
    %?  pointer width (16): %?p %0?p %?s
    %p  hexadecimal without 0x      %q  signed octal
    %Y  time as ``2018 Mar 20 15:36:27``   %H  human size (``1.50K``)
    %I  %N  IPv4 / IPv6 addresses   %T  tab to a multiple of the width
    %t  tab                         %m  margin   %<b> %<u>  attributes

Sizes follow C: ``h`` (16 bits), default int (32), ``l`` and ``ll`` (64);
a value is truncated to its size before it is printed.
"""

from __future__ import annotations

import ipaddress
import re
import time
from collections.abc import Callable
from functools import lru_cache

__all__ = ["Iob", "numtostr", "doubletos", "strchr2esc", "AUTOWRAP", "INDENT", "NTOS_UNSIGNED",
           "NTOS_SIGNPOS", "NTOS_SHOWBASE", "NTOS_UPCASE", "COLS", "MARGIN"]

AUTOWRAP = 0x1        # MDB_IOB_AUTOWRAP
INDENT = 0x2          # MDB_IOB_INDENT

COLS = 80             # MDB_IOB_DEFCOLS
MARGIN = 16           # MDB_IOB_DEFMARGIN
TABSTOP = 8           # MDB_IOB_DEFTAB
BUFSIZ = 8192         # the width of a pipe's "line"

NTOS_UNSIGNED = 0x1
NTOS_SIGNPOS = 0x2
NTOS_SHOWBASE = 0x4
NTOS_UPCASE = 0x8

_SIZE_BITS = {"h": 16, "": 32, "l": 64, "ll": 64}
_BASE_PREFIX = {2: ("i", 1), 8: ("o", 7), 10: ("t", 9), 16: ("x", 9)}
_ATTRS = {"b": "\033[1m", "u": "\033[4m", "s": "\033[7m", "r": "\033[7m", "d": "\033[2m"}


def numtostr(value: int, base: int, flags: int = 0) -> str:
    """``value`` in ``base`` (mdb_string.c): signed unless NTOS_UNSIGNED, optional 0x/0t/0o/0i prefix."""
    value &= (1 << 64) - 1
    neg = not flags & NTOS_UNSIGNED and value >> 63
    mag = (1 << 64) - value if neg else value
    digits = "0123456789ABCDEF" if flags & NTOS_UPCASE else "0123456789abcdef"
    out = []
    while True:
        mag, rem = divmod(mag, base)
        out.append(digits[rem])
        if mag == 0:
            break
    text = "".join(reversed(out))
    if flags & NTOS_SHOWBASE and base in _BASE_PREFIX:
        letter, limit = _BASE_PREFIX[base]
        if int(text, base) > limit:
            text = "0" + letter + text
    if neg:
        text = "-" + text
    elif flags & NTOS_SIGNPOS:
        text = "+" + text
    return text


def doubletos(d: float, precision: int, letter: str = "e") -> str:
    """mdb's floating point text: always signed, ``precision`` digits after the point."""
    text = f"{d:+.{precision}e}"
    return text.upper() if letter == "E" else text


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
            "\\": "\\\\", "\0": "\\0"}


def strchr2esc(raw: bytes | str) -> str:
    """C notation for ``raw`` (mdb_string.c strchr2esc): ``\\n``, ``\\252`` for bytes outside ASCII."""
    if isinstance(raw, str):
        raw = raw.encode("latin-1", "replace")
    out = []
    for b in raw:
        c = chr(b)
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif 0x20 <= b < 0x7f:
            out.append(c)
        else:
            out.append(f"\\{b:03o}")
    return "".join(out)


def _time2str(t: int) -> str:
    try:
        tm = time.localtime(t)
    except (OverflowError, OSError, ValueError):
        return numtostr(t, 10)
    return time.strftime("%Y %b %d %H:%M:%S", tm)


def _bytes2str(n: int) -> str:
    """%H: a size with 3 significant figures and a K/M/G... suffix (mdb iob_bytes2str)."""
    index = 0
    orig = n
    while n >= 1024:
        n //= 1024
        index += 1
    if index == 0:
        return str(n)
    unit = " KMGTPE"[index]
    if orig & ((1 << (10 * index)) - 1) == 0:
        return f"{n}{unit}"
    val = orig / (1 << (10 * index))
    for decimals in (2, 1, 0):
        text = f"{val:.{decimals}f}"
        if len(text.replace(".", "")) <= 3 or decimals == 0:
            return f"{text}{unit}"
    return f"{n}{unit}"


# One conversion: %[flags][width][size]conv
_SPEC = re.compile(r"%(?P<flags>[-#+0?*]*)(?P<width>[0-9]*)(?P<flags2>[?*#]*)(?P<size>hh|h|ll|l)?"
                   r"(?P<conv><[^>]*>|.)", re.S)


@lru_cache(maxsize=512)
def _compile(fmt: str) -> tuple:
    """``fmt`` as (literal text, conversion) pieces, parsed once."""
    pieces: list = []
    pos = 0
    for m in _SPEC.finditer(fmt):
        if m.start() > pos:
            pieces.append(fmt[pos:m.start()])
        flags = m.group("flags") + m.group("flags2")
        width_digits = m.group("width")
        zfill = False
        if width_digits.startswith("0"):
            zfill = True
            width_digits = width_digits.lstrip("0")
        if "0" in flags:
            zfill = True
        pieces.append((m.group("conv"), "-" in flags, "#" in flags, "+" in flags, zfill,
                       int(width_digits) if width_digits else None, "?" in flags, "*" in flags,
                       m.group("size") or ""))
        pos = m.end()
    if pos < len(fmt):
        pieces.append(fmt[pos:])
    return tuple(pieces)


class Iob:
    """An output buffer with mdb's line discipline; ``sink(text)`` receives whole lines.

    ``cols`` is the line width (80, or a pipe's buffer size), ``symbolize``
    turns an address into ``sym+off`` for %a (or None), ``radix`` is a
    callable giving the current output radix.
    """

    def __init__(self, sink: Callable[[str], None], *, autowrap: bool = False, cols: int = COLS,
                 symbolize: Callable[[int], str | None] | None = None,
                 radix: Callable[[], int] | None = None, attributes: bool = False,
                 variables: Callable[[str], int | None] | None = None):
        self.sink = sink
        self.cols = cols
        self.margin = MARGIN
        self.tabstop = TABSTOP
        self.flags = AUTOWRAP if autowrap else 0
        self.line: list[str] = []
        self.nbytes = 0
        self.symbolize = symbolize or (lambda addr: None)
        self.radix = radix or (lambda: 16)
        self.attributes = attributes
        self.variables = variables or (lambda name: None)

    # -- the line -----------------------------------------------------------

    def _wrapnow(self, n: int) -> bool:
        return bool(self.flags & AUTOWRAP) and self.nbytes != 0 and self.nbytes + n > self.cols

    def _append(self, s: str) -> None:
        self.line.append(s)
        self.nbytes += len(s)

    def _indent(self) -> None:
        if self.nbytes == 0 and self.margin and self.flags & INDENT:
            self._append(" " * self.margin)

    def _unindent(self) -> None:
        if self.nbytes and self.nbytes == self.margin and not "".join(self.line).strip(" "):
            self.line.clear()
            self.nbytes = 0

    def flush(self) -> None:
        """Send what is buffered to the sink; a new line starts (with the margin if indenting)."""
        if self.nbytes:
            text = "".join(self.line)
            self.line.clear()
            self.nbytes = 0
            self.sink(text)
        self._indent()

    def nl(self) -> None:
        self._append("\n")
        self.flush()

    def nlflush(self) -> None:
        """End the current line if it holds anything but the margin (after each dcmd)."""
        self._unindent()
        if self.nbytes:
            self.nl()
        else:
            self._indent()

    def discard(self) -> None:
        self.line.clear()
        self.nbytes = 0

    def setflags(self, flags: int) -> None:
        self.flags |= flags
        if flags & INDENT:
            self._indent()

    def clrflags(self, flags: int) -> None:
        self.flags &= ~flags
        if flags & INDENT:
            self._unindent()

    def fill(self, c: str, n: int) -> None:
        while n > 0:
            room = (self.cols if self.flags & AUTOWRAP else BUFSIZ) - self.nbytes
            m = min(n, max(room, 0))
            if m:
                self._append(c * m)
            n -= m
            if n and m == room:
                if self.flags & AUTOWRAP:
                    self.nl()
                else:
                    self.flush()

    def ws(self, n: int) -> None:
        """Pad with ``n`` blanks, or end the line instead if they would reach the last column."""
        if self.nbytes + n < self.cols:
            self.fill(" ", n)
        else:
            self.nl()

    def tab(self, tabstop: int | None = None) -> None:
        stop = tabstop or self.tabstop
        n = (self.nbytes + stop) // stop * stop
        if n < self.cols:
            self.fill(" ", n - self.nbytes)
        else:
            self.nl()

    def puts(self, s: str) -> None:
        """Write ``s`` obeying wrapping and indenting; tabs and newlines are interpreted."""
        start = 0
        for i, c in enumerate(s):
            if c == "\n" or c == "\t":
                if i > start:
                    self._nputs(s[start:i])
                if c == "\t":
                    self.tab()
                else:
                    self.nl()
                start = i + 1
        if start < len(s):
            self._nputs(s[start:])

    def _nputs(self, s: str) -> None:
        while s:
            room = (self.cols if self.flags & AUTOWRAP else BUFSIZ) - self.nbytes
            m = min(len(s), max(room, 0))
            if m:
                self._append(s[:m])
            s = s[m:]
            if s and m == room:
                if self.flags & AUTOWRAP:
                    self.nl()
                else:
                    self.flush()

    # -- printf -------------------------------------------------------------

    def printf(self, fmt: str, *args) -> None:
        """mdb_printf: see the module docstring for the conversions."""
        argv = list(args)
        for piece in _compile(fmt):
            if isinstance(piece, str):
                if self._wrapnow(len(piece)) and piece[0] != "\n":
                    self.nl()
                self.puts(piece)
                continue
            self._convert(piece, argv)

    def _convert(self, spec: tuple, argv: list) -> None:
        conv, left, alt, plus, zfill, width, ptrwidth, star, size = spec
        if ptrwidth:
            width = 16
        if star:
            width = int(argv.pop(0))
        width = width or 0
        altstr = ""
        altsuffix = False
        flags = NTOS_SIGNPOS if plus else 0
        bits = _SIZE_BITS.get(size, 32)
        if conv in "diurRxXoq" and len(conv) == 1:
            value = int(argv.pop(0)) & ((1 << bits) - 1)
            if conv in "diRq" and value >> (bits - 1):
                value -= 1 << bits
            if conv in "di":
                text = numtostr(value, 10, flags | (NTOS_SHOWBASE if alt else 0))
            elif conv == "u":
                text = numtostr(value, 10, flags | NTOS_UNSIGNED | (NTOS_SHOWBASE if alt else 0))
            elif conv == "r":
                text = numtostr(value, self.radix(), flags | NTOS_UNSIGNED | (NTOS_SHOWBASE if alt else 0))
            elif conv == "R":
                text = numtostr(value, self.radix(), flags | (NTOS_SHOWBASE if alt else 0))
            elif conv in "xX":
                text = numtostr(value, 16, NTOS_UNSIGNED | (NTOS_UPCASE if conv == "X" else 0))
                if alt and value:
                    altstr = "0x" if conv == "x" else "0X"
            elif conv == "o":
                text = numtostr(value, 8, NTOS_UNSIGNED)
                if alt and value:
                    altstr = "0"
            else:   # q: signed octal
                text = numtostr(value, 8, flags)
                if alt and value:
                    altstr = "0"
        elif conv in ("a", "A"):
            value = int(argv.pop(0)) & ((1 << 64) - 1)
            text = self.symbolize(value)
            if conv == "a":
                if text is None:
                    text = numtostr(value, 16, NTOS_UNSIGNED | NTOS_SHOWBASE)
                if alt:
                    altstr, altsuffix = ":", True
            elif text is None:
                text = "?" if alt else ""
        elif conv == "p":
            text = numtostr(int(argv.pop(0)) & ((1 << 64) - 1), 16, NTOS_UNSIGNED)
        elif conv == "s":
            s = argv.pop(0)
            text = "<NULL>" if s is None else str(s)
        elif conv == "c":
            c = argv.pop(0)
            text = c if isinstance(c, str) else chr(int(c) & 0xff)
        elif conv in "eE":
            text = doubletos(float(argv.pop(0)), 7, conv)
        elif conv in "gG":
            text = doubletos(float(argv.pop(0)), 16, "e" if conv == "g" else "E")
        elif conv == "Y":
            text = _time2str(int(argv.pop(0)))
        elif conv == "H":
            text = _bytes2str(int(argv.pop(0)) & ((1 << bits) - 1))
        elif conv == "I":
            text = str(ipaddress.IPv4Address(int(argv.pop(0)) & 0xffffffff))
        elif conv == "N":
            text = str(ipaddress.IPv6Address(bytes(argv.pop(0))))
        elif conv == "t":
            for _ in range(width or 1):
                self.tab()
            return
        elif conv == "T":
            if width and self.nbytes % width:
                self.tab(width)
            return
        elif conv == "m":
            if self.nbytes == 0:
                self.ws(width or self.margin)
            return
        elif conv.startswith("<"):
            self._attribute(conv[1:-1])
            return
        elif conv == "%":
            text = "%"
        else:
            text = conv
        n = len(text) + len(altstr)
        width = max(width, n)
        if self._wrapnow(width):
            self.nl()
        if n < width and not left:
            self.fill("0" if zfill else " ", width - n)
        if altstr and not altsuffix:
            self._nputs(altstr)
        if text:
            self.puts(text)
        if altstr and altsuffix:
            self._nputs(altstr)
        if n < width and left:
            self.ws(width - n)

    def _attribute(self, name: str) -> None:
        if name.startswith("_"):
            value = self.variables(name[1:])
            if value is not None:
                self._nputs(str(value))
            return
        if not self.attributes or not name:
            return
        if name.startswith("/"):
            self.line.append("\033[0m")
        elif name in _ATTRS:
            self.line.append(_ATTRS[name])
