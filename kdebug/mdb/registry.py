"""The tables of dcmds and walkers, and what a dcmd handler is given.

As in illumos (mdb_modapi.h), a dcmd is a record: name, usage string
(``?`` = address optional, ``:`` = address required, then the options),
one-line description, handler, optional help text and optional completer,
and the debugger module it belongs to.  kdebug adds an optional
:class:`Explain`: what ``::explain`` says of the dcmd (what it does, what
its columns mean, the equivalent D).  A walker is a name, a description
and a generator of addresses.  ``::dcmds``, ``::walkers``, ``::help``, usage
errors and completion are all generated from these tables.

Handlers take a :class:`Call` and return a status (``OK``, ``ERR``,
``USAGE``, ``ABORT``).  ``USAGE`` makes the framework print the usage line,
so handlers never format their own usage errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

__all__ = ["Dcmd", "Explain", "Walker", "Call", "Char", "DCMDS", "WALKERS", "dcmd", "walker", "getopts", "Usage",
           "WalkError", "OK", "ERR", "USAGE", "ABORT", "ADDRSPEC", "LOOP", "LOOPFIRST", "PIPE", "PIPE_OUT"]

# Return values of a dcmd (mdb_modapi.h).
OK, ERR, USAGE, ABORT = 0, 1, 2, 4

# Flags a dcmd is invoked with.
ADDRSPEC = 0x01     # an address was given
LOOP = 0x02         # invoked in a loop (,count or pipe)
LOOPFIRST = 0x04    # first invocation of the loop: print headers
PIPE = 0x08         # input comes from a pipe
PIPE_OUT = 0x10     # output goes into a pipe: print bare values


class Char(str):
    """A format character argument (mdb's MDB_TYPE_CHAR); plain ``str`` is a string, ``int`` an immediate."""


@dataclass(frozen=True)
class Explain:
    """What ``::explain`` says of a dcmd: kdebug's teaching aid, never part of the dcmd's output.

    ``says`` is one or two plain sentences of what the dcmd does; ``{addr}``
    in it stands for the statement's address as typed, ``{verb}`` for the
    dcmd's name as typed (``$c`` or ``::stack``).  ``columns`` names
    each column of its output and says what it holds.  ``d`` is the
    equivalent dtrace command line, when there is one that prints the same
    value; ``see`` a sentence on where D (or another dcmd) shows the same
    thing when there is no such command.
    """

    says: str
    columns: tuple[tuple[str, str], ...] = ()
    d: str | None = None
    see: str | None = None


@dataclass
class Dcmd:
    name: str
    usage: str | None
    desc: str
    func: Callable[["Call"], int]
    module: str = "mdb"
    help: str | Callable[["Call"], None] | None = None
    complete: Callable | None = None
    # An Explain, or a function of the statement being explained (kdebug.mdb.explain.Subject)
    # that returns one, for dcmds whose explanation depends on their arguments.
    explain: Explain | Callable[..., Explain] | None = None


@dataclass
class Walker:
    """``walk(m, addr)`` yields addresses; ``addr`` is None for a global walk."""

    name: str
    desc: str
    walk: Callable[..., Iterator[int]]
    module: str = "genunix"
    needs_addr: bool = False


DCMDS: dict[str, Dcmd] = {}
WALKERS: dict[str, Walker] = {}


def dcmd(name: str, usage: str | None, desc: str, *, module: str = "mdb", help=None, complete=None,
         explain=None):
    """Decorator: register the handler as dcmd ``name`` (stack it for aliases)."""
    def register(func):
        DCMDS[name] = Dcmd(name, usage, desc, func, module, help, complete, explain)
        return func
    return register


def walker(name: str, desc: str, *, module: str = "genunix", needs_addr: bool = False):
    """Decorator: register a generator ``walk(m, addr)`` as walker ``name``."""
    def register(func):
        WALKERS[name] = Walker(name, desc, func, module, needs_addr)
        return func
    return register


class Usage(Exception):
    """Raised by a handler (or getopts) for DCMD_USAGE."""


class WalkError(Exception):
    """A walk that cannot start; ``str()`` is the reason printed after 'failed to perform walk: '."""


@dataclass
class Call:
    """One invocation of a dcmd: the session, the address (dot), flags and arguments.

    Arguments are ``str`` (strings), ``int`` (``$[...]`` immediates) and
    :class:`Char` (format characters).
    """

    m: object
    addr: int
    flags: int
    args: list = field(default_factory=list)
    dcmd: Dcmd | None = None

    @property
    def k(self):
        return self.m.k

    @property
    def has_addr(self) -> bool:
        return bool(self.flags & ADDRSPEC)

    @property
    def pipe_out(self) -> bool:
        return bool(self.flags & PIPE_OUT)

    @property
    def hdr(self) -> bool:
        """DCMD_HDRSPEC: print column headers (first of a loop, or no loop)."""
        return bool(self.flags & LOOPFIRST) or not self.flags & LOOP

    def printf(self, fmt: str, *args) -> None:
        if self.m.structured is not None:     # kdebug mdb --json reads tables from these calls
            self.m.structured.printf(self.m.out, fmt, args, lambda: self.m.out.printf(fmt, *args))
            return
        self.m.out.printf(fmt, *args)

    def warn(self, fmt: str, *args, reason: str | None = None) -> None:
        self.m.warn(fmt, *args, reason=reason)


def getopts(args: list, spec: dict[str, str], radix: int = 16) -> tuple[dict, list]:
    """mdb_getopts: leading ``-x`` options as ``spec`` says (letter -> "flag", "uint" or "str").

    Returns the values (flags counted, others last given) and the remaining
    arguments; parsing stops at the first argument that is not an option.
    Raises :class:`Usage` for an unknown option or a missing value.
    """
    from .values import parse_number

    values: dict = {}
    i = 0
    while i < len(args):
        a = args[i]
        if not isinstance(a, str) or isinstance(a, Char) or len(a) < 2 or a[0] != "-":
            break
        if a == "--":
            i += 1
            break
        j = 1
        while j < len(a):
            letter = a[j]
            kind = spec.get(letter)
            if kind is None:
                raise Usage()
            if kind == "flag":
                values[letter] = values.get(letter, 0) + 1
                j += 1
                continue
            if j + 1 < len(a):
                raw = a[j + 1:]
            elif i + 1 < len(args):
                i += 1
                raw = args[i]
            else:
                raise Usage()
            if kind == "uint":
                values[letter] = raw if isinstance(raw, int) else parse_number(str(raw), radix)
            else:
                values[letter] = raw if isinstance(raw, str) else str(raw)
            break
        i += 1
    return values, list(args[i:])
