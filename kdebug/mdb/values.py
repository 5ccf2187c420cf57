"""Turning mdb's tokens into values: numbers in a radix, character constants, quoted strings.

These are the conversions mdb's lexer makes (mdb_lex.l, mdb_string.c):
``0x``/``0t``/``0o``/``0i`` prefixes, ``_`` separators, the current radix for
bare digits, ``'AB'`` packed with the last character least significant, and
C escapes in double-quoted strings.
"""

from __future__ import annotations

import re
import struct

from .errors import ParseError

__all__ = ["strtonum", "parse_number", "classify_word", "char_constant", "stresc2chr", "unquote_arg",
           "unquote_shell", "MAX_U64"]

MAX_U64 = (1 << 64) - 1

_PREFIXED = [
    (re.compile(r"0[iI][01][01_]*"), 2),
    (re.compile(r"0[oO][0-7][0-7_]*"), 8),
    (re.compile(r"0[tT][0-9][0-9_]*\.[0-9][0-9_]*"), None),   # decimal floating point
    (re.compile(r"0[tT][0-9][0-9_]*"), 10),
    (re.compile(r"0[xX][0-9a-fA-F][0-9a-fA-F_]*"), 16),
]
_BARE = re.compile(r"[0-9a-fA-F][0-9a-fA-F_]*")


def strtonum(text: str, base: int) -> int:
    """mdb_strtonum: digits of ``base`` with ``_`` separators; errors as mdb's lexer reports them."""
    val = 0
    first = True
    for c in text:
        if c == "_" and not first:
            continue
        digit = int(c, 36) if c.isalnum() else 99
        if digit >= base:
            raise ParseError(f"digit '{c}' is invalid in current base", located=False)
        val = val * base + digit
        if val > MAX_U64:
            raise ParseError("specified value exceeds maximum immediate value", located=False)
        first = False
    return val


def _float_bits(text: str) -> int:
    whole, _, frac = text[2:].replace("_", "").partition(".")
    return struct.unpack("<Q", struct.pack("<d", float(f"{whole}.{frac}")))[0]


def classify_word(text: str):
    """How mdb's lexer reads a WORD token.

    Returns ("number", value_or_None, radix) where None means "bare digits:
    convert in the current radix, after trying a symbol if the word does not
    start with a digit", ("symbol", name), or ("split", length) when only the
    first ``length`` characters form a token (the rest is a syntax error).
    """
    best = 0
    for rx, base in _PREFIXED:
        m = rx.match(text)
        if m and m.end() > best:
            best = m.end()
            found = (rx, base)
    m = _BARE.match(text)
    bare = m.end() if m else 0
    if best and best >= bare:
        rx, base = found
        if best < len(text):
            return ("split", best)
        if base is None:
            return ("number", _float_bits(text), 10)
        return ("number", strtonum(text[2:], base), base)
    if bare and (bare == len(text) or text[0].isdigit()):
        if bare < len(text):
            return ("split", bare)
        return ("number", None, 0)
    return ("symbol", text)


def parse_number(text: str, radix: int) -> int:
    """mdb_strtoull: a number as dcmd options take it (prefixes allowed, else ``radix``)."""
    kind = classify_word(text)
    if kind[0] == "number":
        return kind[1] if kind[1] is not None else strtonum(text, radix)
    c = next((c for c in text if not (c.isalnum() or c == "_")), text[-1:] or "?")
    if kind[0] == "split":
        c = text[kind[1]]
    raise ParseError(f"digit '{c}' is invalid in current base", located=False)


_SIMPLE_ESC = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
               "\\": "\\", "'": "'", '"': '"', "?": "?", "e": "\033"}


def stresc2chr(s: str) -> str:
    """C escapes in ``s`` converted (\\n, \\t, \\\\, octal \\NNN, \\xHH)."""
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\" or i + 1 == len(s):
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n in "01234567":
            j = i + 1
            while j < len(s) and j < i + 4 and s[j] in "01234567":
                j += 1
            out.append(chr(int(s[i + 1:j], 8) & 0xff))
            i = j
        elif n == "x":
            j = i + 2
            while j < len(s) and j < i + 4 and s[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(chr(int(s[i + 2:j] or "0", 16)))
            i = j
        else:
            out.append(_SIMPLE_ESC.get(n, n))
            i += 2
    return "".join(out)


def char_constant(text: str) -> int:
    """The value of ``'...'``: the last character is the least significant byte."""
    body = stresc2chr(text[1:-1]).encode("latin-1", "replace")
    if len(body) > 8:
        raise ParseError("character constant may not exceed 8 bytes", located=False)
    return int.from_bytes(body, "big") if body else 0


def unquote_arg(word: str) -> str:
    """An argument word with its quoted parts joined: a"b c"d -> ab cd; '...' literal, "..." escaped."""
    out = []
    i = 0
    while i < len(word):
        c = word[i]
        if c == "'":
            j = word.index("'", i + 1)
            out.append(word[i + 1:j])
            i = j + 1
        elif c == '"':
            j = i + 1
            while word[j] != '"':
                j += 2 if word[j] == "\\" else 1
            out.append(stresc2chr(word[i + 1:j]))
            i = j + 1
        else:
            j = i
            while j < len(word) and word[j] not in "'\"":
                j += 1
            out.append(word[i:j])
            i = j
    return "".join(out)


def unquote_shell(text: str) -> str:
    """A quoted shell command's body: '...' verbatim, "..." with C escapes; \\' is a quote in both."""
    body = text[1:-1]
    if text[0] == '"':
        body = stresc2chr(body)
    return body.replace("\\'", "'")
