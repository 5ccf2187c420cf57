"""``kdebug mdb --json``: each statement's result as one line of JSON (kdebug's addition).

mdb prints for people.  With ``--json`` every statement (``-e``'s, or each one
on standard input) gives one JSON object on standard output instead of its
text; errors travel in the object, not on standard error.  Nothing about a
dcmd changes: the structure is read from how it prints.  A dcmd that prints a
table does so with mdb_printf, a header line of column names (``%<u>...%</u>``)
and one call per row; those calls carry typed values (numbers, addresses,
strings), so a table becomes ``columns`` and ``rows`` of typed cells.  Any
other output is passed on as ``text``; ``::json`` objects as ``values``.
The schema is in docs/json.md.
"""

from __future__ import annotations

import json

from .printf import _compile

# Conversions whose value is better as the text mdb prints (a symbol, a time, an address).
_AS_TEXT = set("aAYIN")
_NO_ARGUMENT = set("tm%")
# Conversions mdb prints in hexadecimal (addresses, flags): a "0x..." string, as in ::json, since
# a JSON number cannot hold every 64-bit value.
_HEX = set("pxXrR")


def cells(fmt: str, args: tuple) -> list:
    """The typed values a row's ``mdb_printf(fmt, args...)`` prints, in order."""
    argv = list(args)
    out = []
    for piece in _compile(fmt):
        if isinstance(piece, str):
            continue
        conv, star = piece[0], piece[7]
        if conv.startswith("<") or conv in _NO_ARGUMENT:
            continue
        if star and argv:
            argv.pop(0)
        if conv == "T":
            continue
        if not argv:
            break
        value = argv.pop(0)
        if conv in _HEX:
            out.append(f"0x{int(value) & ((1 << 64) - 1):x}")
        elif conv in "sc":
            out.append(value if isinstance(value, str) else str(value))
        elif conv in "eEgG":
            out.append(float(value))
        elif conv in _AS_TEXT:
            out.append(None)                  # filled from the printed text by the caller
        else:
            out.append(int(value))
    return out


class Structured:
    """Collects one statement's output and prints it as a JSON object."""

    def __init__(self, write):
        self.write = write                    # where the JSON lines go (standard output)
        self._reset("")

    def _reset(self, command: str) -> None:
        self.command = command
        self.text: list[str] = []
        self.errors: list[str] = []
        self.columns: list[str] | None = None
        self.rows: list[list] = []
        self.table_text = 0                   # characters of the text that headers and rows printed
        self.mixed = False                    # a second, different header: not one table
        self.values: list = []

    # -- what the session feeds in ------------------------------------------------

    def begin(self, command: str) -> None:
        self._reset(command.strip())

    def out(self, text: str) -> None:
        self.text.append(text)

    def err(self, text: str) -> None:
        self.errors.append(text)

    def printf(self, iob, fmt: str, args: tuple, print_it) -> None:
        """A dcmd's mdb_printf: print it (into the capture) and note a header or a row."""
        before = sum(map(len, self.text))
        pending = iob.nbytes
        print_it()
        grown = sum(map(len, self.text)) - before
        if not fmt.endswith("\n") or pending or grown == 0:
            return
        if "%<u>" in fmt:
            names = [a.strip() if isinstance(a, str) else str(a) for a in args]
            if self.columns is not None and names != self.columns:
                self.mixed = True
            self.columns = names
        elif self.columns is not None:
            row = cells(fmt, args)
            if len(row) != len(self.columns):
                self.mixed = True
                return
            if None in row:                   # %a and the like: the printed words, in order
                words = "".join(self.text)[-grown:].split()
                if len(words) == len(row):
                    row = [w if v is None else v for v, w in zip(row, words)]
                else:
                    self.mixed = True
                    return
            self.rows.append(row)
        else:
            return
        self.table_text += grown

    def value(self, obj) -> None:
        """A JSON value a dcmd made itself (``::json``)."""
        self.values.append(obj)

    def end(self, status: int) -> None:
        obj: dict = {"command": self.command, "status": status}
        text = "".join(self.text)
        if self.values:
            obj["values"] = self.values
        elif self.columns is not None and not self.mixed and self.table_text == len(text):
            obj["columns"] = self.columns
            obj["rows"] = [dict(zip(self.columns, r)) for r in self.rows]
        elif text:
            obj["text"] = text
        if self.errors:
            obj["error"] = "".join(self.errors).rstrip("\n")
        self.write(json.dumps(obj) + "\n")
        self._reset("")
