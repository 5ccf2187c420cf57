"""Parsing mdb command lines with ``grammar/mdb.lark``: one statement at a time.

mdb reads a statement, runs it, then reads the next (a later statement may
depend on an earlier one: ``0t10$d; 10=D``).  :func:`next_statement` parses
the first statement of a line with Lark's interactive LALR parser and stops
at its terminator, so the caller can run it before the rest is even lexed.

The result is a small AST: :class:`Statement` (its kind, address and count
expressions, the pipeline of :class:`Command`) and expressions as tuples
``(op, ...)`` that :mod:`kdebug.mdb.expr` evaluates when the statement runs.
Lark errors become :class:`~kdebug.mdb.errors.ParseError` with mdb's texts
(``syntax error``, ``syntax error: ' unmatched``, ``syntax error: $[ unmatched``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..grammars import lark_parser
from .errors import ParseError
from .printf import strchr2esc
from .registry import Char
from .values import stresc2chr, unquote_arg, unquote_shell

__all__ = ["Statement", "Command", "ShellPipe", "next_statement", "parser"]


@dataclass
class Command:
    """One stage of a pipeline: a dcmd (``::name``, ``$X``, ``>``) or a format verb."""

    kind: str                  # "dcmd", "format", "write", "assign", "status"
    name: str                  # the dcmd's table name: "print", "$c", "/", "=", ">", "$?"
    text: str                  # as typed: "::print", "$c", "/W"
    column: int
    args: list = field(default_factory=list)   # str | Char | ("imm", expr)


@dataclass
class ShellPipe:
    command: str
    then: list[Command] | None = None      # ! 'cmd' | ::dcmd: the shell's output feeds mdb again


@dataclass
class Statement:
    kind: str                  # the grammar's alternative: at_dot, at_addr, bare_addr, shell_escape...
    addr: tuple | None = None
    count: tuple | None = None
    pipeline: list[Command] | None = None
    shell: ShellPipe | None = None
    text: str = ""


def parser():
    return lark_parser("mdb.lark", ("statement",))


# -- from Lark trees to the AST ---------------------------------------------------

_BINARY = {"bit_or", "bit_xor", "bit_and", "eq", "ne", "shl", "shr", "add", "sub", "mul", "div",
           "roundup", "mod"}
_UNARY = {"deref", "objderef", "neg", "compl", "lognot"}


def _expr(node) -> tuple:
    """An expression tree as nested tuples; leaves keep their text and column for errors."""
    data = node.data
    kids = node.children
    if data in _BINARY:
        return (data, _expr(kids[0]), _expr(kids[1]), kids[1].meta.end_pos if hasattr(kids[1], "meta") and
                not kids[1].meta.empty else None)
    if data in _UNARY:
        return (data, _expr(kids[0]))
    if data in ("deref_cast", "objderef_cast"):
        return (data, str(kids[0]), _expr(kids[1]), kids[0].column - 1)
    if data == "word":
        tok = kids[0]
        return ("word", str(tok), tok.column - 1)
    if data == "char_const":
        return ("char", str(kids[0]), kids[0].column - 1)
    if data == "var_ref":
        tok = kids[0]
        return ("var", str(tok)[1:], tok.column - 1, str(tok))
    if data in ("dot_incr", "dot_decr", "last_addr"):
        return (data,)
    if data == "expr" or len(kids) == 1:
        return _expr(kids[0])
    raise AssertionError(f"unexpected expression node {data}")


def _arg(item):
    if hasattr(item, "data"):           # immediate: $[ expr ]
        return ("imm", _expr(item.children[1]))
    if item.type == "ARG":
        return unquote_arg(str(item))
    if item.type == "STRING":
        return stresc2chr(str(item)[1:-1])
    if item.type == "FMT_COUNT":
        return int(str(item))
    return Char(str(item))              # FMT_CHAR


def _dcmd_name(text: str) -> str:
    return text[2:] if text.startswith("::") else text


def _command(node) -> Command:
    kind = node.data
    head = node.children[0] if node.children else None
    rest = [_arg(c) for c in node.children[1:]]
    if kind == "status":
        return Command("status", "$?", "$", 0)
    text = str(head)
    col = head.column - 1
    if kind == "format_verb":
        return Command("format", text, text, col, rest)
    if kind == "write_verb":
        # The write or match letter is the first argument, as mdb's lexer appends it.
        return Command("write", text[0], text, col, [Char(text[-1])] + rest)
    if kind == "assign":
        args = [Char(text[2])] + rest if len(text) > 1 else rest
        return Command("assign", ">", text, col, args)
    return Command("dcmd", _dcmd_name(text), text, col, rest)


def _pipeline(node) -> list[Command]:
    return [_command(c) for c in node.children]


def _shell(node) -> ShellPipe:
    kids = node.children
    tok = kids[0]
    text = unquote_shell(str(tok)) if tok.type == "SHELL_QUOTED" else str(tok)
    then = _pipeline(kids[1]) if len(kids) > 1 else None
    return ShellPipe(text, then)


def _statement(tree, text: str) -> Statement:
    st = Statement(tree.data, text=text)
    exprs = []
    for kid in tree.children:
        if not hasattr(kid, "data"):
            if kid.type in ("SHELL_TEXT", "SHELL_QUOTED"):
                st.shell = ShellPipe(str(kid) if kid.type == "SHELL_TEXT" else unquote_shell(str(kid)))
            continue
        if kid.data == "pipeline":
            st.pipeline = _pipeline(kid)
        elif kid.data == "shell_pipe":
            st.shell = _shell(kid)
        else:
            exprs.append(_expr(kid))
    if st.kind in ("at_addr", "bare_addr"):
        st.addr = exprs[0]
    elif st.kind in ("at_addr_count", "bare_addr_count"):
        st.addr, st.count = exprs
    elif st.kind in ("at_dot_count", "bare_count"):
        st.count = exprs[0]
    return st


# -- parsing one statement -----------------------------------------------------------

_TERMINATORS = ("SEMICOLON", "NEWLINE")


def next_statement(line: str) -> tuple[Statement, int]:
    """Parse the first statement of ``line`` (which ends with a newline).

    Returns the statement and how many characters it used.  Raises
    ParseError, whose ``column`` says where the error is.
    """
    from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

    ip = parser().parse_interactive(line, start="statement")
    open_exprs = 0
    try:
        for tok in ip.iter_parse():
            if tok.type == "LEXPR":
                open_exprs += 1
            elif tok.type == "REXPR":
                open_exprs -= 1
            if tok.type in _TERMINATORS and open_exprs == 0:
                ip.feed_token(tok)
                tree = ip.feed_eof(tok)
                return _statement(tree, line[:tok.end_pos]), tok.end_pos
    except UnexpectedCharacters as e:
        raise _lex_error(line, e.pos_in_stream, open_exprs) from None
    except UnexpectedToken as e:
        raise _token_error(line, e.token, open_exprs) from None
    except UnexpectedInput as e:  # pragma: no cover - other Lark errors
        raise ParseError("syntax error", near=line[getattr(e, "pos_in_stream", 0) or 0:].strip()[:1],
                         column=getattr(e, "pos_in_stream", 0)) from None
    raise ParseError("syntax error", near="\n", column=len(line) - 1)


def _unmatched_quote(line: str, pos: int) -> ParseError | None:
    q = line[pos]
    if q not in "'\"":
        return None
    rest = line[pos:].rstrip("\n")
    i = 1
    while i < len(rest):
        if rest[i] == "\\" and q == '"':
            i += 2
            continue
        if rest[i] == q:
            return None
        i += 1
    shell = line[:pos].rstrip().endswith("!")
    what = "quote" if shell else q
    return ParseError(f"syntax error: {what} unmatched", near=rest, column=pos)


def _lex_error(line: str, pos: int, open_exprs: int) -> ParseError:
    quote = _unmatched_quote(line, pos)
    if quote is not None:
        return quote
    c = line[pos]
    if open_exprs and c in ";!\n":
        return ParseError("syntax error: $[ unmatched", near=strchr2esc(c), column=pos)
    return ParseError("syntax error", near=strchr2esc(c), column=pos)


def _token_error(line: str, tok, open_exprs: int) -> ParseError:
    pos = tok.start_pos if tok.start_pos is not None else len(line) - 1
    text = str(tok)
    if tok.type != "$END":
        quote = _unmatched_quote(line, pos)
        if quote is not None:
            return quote
    if open_exprs and (tok.type in _TERMINATORS or text == "!"):
        return ParseError("syntax error: $[ unmatched", near=strchr2esc(text), column=pos)
    if tok.type in _WIDE_TOKENS:
        # Lark's fallback lexer read a whole argument word; mdb's lexer, in its
        # initial state, stops after one token there.
        m = _WORD_CHARS.match(text)
        text = m.group() if m else text[:1]
    return ParseError("syntax error", near=strchr2esc(text or "\n"), column=pos)


# Tokens of the argument, format and shell states, which the fallback lexer
# may find where the initial state's lexer would have read something shorter.
_WIDE_TOKENS = ("ARG", "FMT_CHAR", "FMT_COUNT", "STRING", "SHELL_TEXT", "SHELL_QUOTED")
_WORD_CHARS = re.compile(r"[0-9a-zA-Z_.`]+")
