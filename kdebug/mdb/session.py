"""An mdb session: the debugger's state and how statements run (illumos mdb.c).

:class:`Mdb` holds dot, the increment, the radix, variables and options, and
runs command text statement by statement: :meth:`Mdb.run_text` parses a
statement (:mod:`kdebug.mdb.parser`), evaluates its expressions, and calls
its pipeline (:meth:`Mdb.call`), as ``mdb_call`` does:

- ``addr,count verb`` runs the verb ``count`` times, dot advancing by the
  increment, the first run flagged LOOPFIRST so headers print once;
- ``left | right``: the left dcmd writes into a pipe (PIPE_OUT, bare values),
  each line it writes is parsed as an expression, and the right dcmd runs
  once per address (PIPE|LOOP|ADDRSPEC);
- a bare expression re-runs the previous command at that address (on the
  command line), or just sets dot (in ``-e`` and ``::eval`` strings).

Errors are printed here, with mdb's texts, and abandon the statement.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field

from ..kernel import MemoryFault
from . import registry
from .errors import Abort, CommandError, ParseError, Quit
from .expr import evaluate
from .parser import Command, Statement, next_statement
from .printf import BUFSIZ, Iob
from .registry import ABORT, ADDRSPEC, DCMDS, ERR, LOOP, LOOPFIRST, OK, PIPE, PIPE_OUT, USAGE, WALKERS, Call, Usage
from .target import KernelTarget, ReadOnlyTarget

__all__ = ["Mdb", "Source", "DMODS"]

# Debugger modules (dmods) that SmartOS ships for kernel modules; one is
# loaded when its kernel module is (the banner lists them, in load order).
DMODS = ["unix", "genunix", "specfs", "dtrace", "mac", "cpu.generic", "apix", "scsi_vhci", "zfs", "sd",
         "ip", "hook", "neti", "sockfs", "lofs", "random", "kvm", "vmm"]

# Debugger options (-o NAME[=VALUE], ::set -o).
OPTIONS = {"adb": False, "array_mem_limit": 32, "array_str_limit": 1024, "autowrap": False,
           "follow_exec_mode": "ask", "follow_fork_mode": "ask", "ignoreeof": False, "latest": False,
           "noctf": False, "nomods": False, "pager": True, "repeatlast": False, "showlmid": False,
           "lmraw": False, "stop_on_bpt_nosym": False, "term": "", "write_readback": True,
           "allow_io_access": False, "nostop": False}


@dataclass
class Source:
    """Where statements come from: ``kind`` is "tty", "string" (-e, ::eval), "stream" or "pipe".

    After a parse error mdb throws away the input it holds: a terminal's
    line, the rest of a string (``discarded``); a stream goes on with the
    next statement.
    """

    name: str
    kind: str
    line: int = 0
    discarded: bool = False

    def discard_after_error(self) -> bool:
        if self.kind in ("tty", "string"):
            self.discarded = True
        return self.discarded


@dataclass
class _Pipe:
    """The text a dcmd writes into a pipe, one line at a time, with the pipe variables of each line."""

    lines: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)


class Variables:
    """mdb's variables: the built-in ones (``.``, ``0``, ``b``, ``e``...) and those set with ``>``."""

    def __init__(self, m: "Mdb"):
        self.m = m
        self.user: dict[str, int] = {}

    def builtins(self) -> dict[str, int]:
        m = self.m
        k = m.target.k
        unix = k.symtab.module("unix")
        return {".": m.dot, "0": m.rvalue, "1": 0, "2": 0, "9": m.rcount,
                "b": unix.data if unix else 0, "d": unix.data_size if unix else 0,
                "e": k.symtab.find("_start").addr if k.symtab.find("_start") else 0,
                "m": 0x7f454c46, "t": unix.text_size if unix else 0, "hits": 0, "thread": k.curthread}

    def get(self, name: str) -> int | None:
        if name in self.user:
            return self.user[name]
        return self.builtins().get(name)

    def set(self, name: str, value: int) -> None:
        if name == ".":
            self.m.dot = value
        else:
            self.user[name] = value & ((1 << 64) - 1)

    def items(self) -> list[tuple[str, int]]:
        merged = dict(self.builtins())
        merged.update(self.user)
        return sorted(merged.items())


class Mdb:
    """One debugger session on ``target``."""

    def __init__(self, target: KernelTarget, *, stdout=None, stderr=None, err_is_tty: bool = False,
                 out_is_tty: bool = False, options: dict | None = None):
        self.target = target
        self.k = target.k
        self._stdout = stdout          # None: whatever sys.stdout is when writing
        self._stderr = stderr
        self.err_is_tty = err_is_tty
        self.dot = 0
        self.incr = 0
        self.raddr = 0
        self.dcount = 1
        self.rvalue = 0          # variable 0: the last value a format printed
        self.rcount = 0          # variable 9
        self.radix = 16
        self.nargs = 6           # $c argument count
        self.symdist = 0
        self.prompt = "> "
        self.options = dict(OPTIONS)
        self.options.update(options or {})
        self.vars = Variables(self)
        self.lastc: list | None = None
        self.lastret = OK
        self.pipe_vars: set[str] = set()
        self.pipe_queue: list = []
        self.pipe_snapshot: dict[str, int] = {}
        self.log = None
        self.structured = None         # kdebug mdb --json: a structured.Structured
        self.out = self._stdout_iob(out_is_tty)
        self.err = Iob(self._write_err, symbolize=self.symbolize, radix=lambda: self.radix)

    # -- output ----------------------------------------------------------------

    def _stdout_iob(self, tty: bool) -> Iob:
        return Iob(self._write_out, autowrap=self.options["autowrap"], symbolize=self.symbolize,
                   radix=lambda: self.radix, attributes=tty, variables=self.vars.get)

    @property
    def stdout(self):
        return self._stdout or sys.stdout

    @property
    def stderr(self):
        return self._stderr or sys.stderr

    def _write_out(self, text: str) -> None:
        if self.structured is not None:
            self.structured.out(text)
            return
        self.stdout.write(text)
        if self.log is not None:
            self.log.write(text)

    def _write_err(self, text: str) -> None:
        if self.structured is not None:
            self.structured.err(text)
            return
        self.stdout.flush()
        self.stderr.write(text)
        self.stderr.flush()
        if self.log is not None:
            self.log.write(text)

    def symbolize(self, addr: int) -> str | None:
        return self.target.symbolize(addr, self.radix)

    def printf(self, fmt: str, *args) -> None:
        self.out.printf(fmt, *args)

    def warn(self, fmt: str, *args, reason: str | None = None) -> None:
        """mdb_warn: ``mdb: MESSAGE`` plus ``: REASON`` unless the message ends with a newline."""
        if fmt.endswith("\n"):
            self.err.printf("mdb: " + fmt, *args)
            return
        self.err.printf("mdb: " + fmt, *args)
        self.err.puts(f": {reason}\n" if reason else "\n")

    def report(self, e: Exception, src: Source, stmt_text: str = "", column: int | None = None) -> None:
        """Print a statement's error as mdb does (and, at a terminal, where and what was meant)."""
        if isinstance(e, ParseError):
            text = f"mdb: {e.message}"
            if e.located:
                if src.kind != "tty":
                    text += f" on line {src.line} of {src.name}"
                text += f' near "{e.near if e.near is not None else ""}"'
            self.err.puts(text + "\n")
        elif isinstance(e, CommandError):
            self.err.puts(f"mdb: {e.text()}\n")
        hint = getattr(e, "hint", "")
        col = getattr(e, "column", None) if column is None else column
        if self.err_is_tty and stmt_text and col is not None and src.kind != "pipe":
            line = stmt_text.rstrip("\n")
            self.err.puts(f"  {line}\n  {' ' * min(col, len(line))}^{hint}\n")
        elif self.err_is_tty and hint:
            self.err.puts(f"  {hint.strip()}\n")

    # -- dot -------------------------------------------------------------------

    def dot_incr(self, op: str) -> int:
        odot = self.dot
        ndot = (odot + self.incr) & ((1 << 64) - 1)
        if (odot ^ ndot) & (1 << 63):
            raise ParseError(f"'{op}' would cause '.' to overflow", located=False)
        return ndot

    def dot_decr(self, op: str) -> int:
        ndot = self.dot - self.incr
        if ndot < 0:
            raise ParseError(f"'{op}' would cause '.' to underflow", located=False)
        return ndot

    # -- the target ------------------------------------------------------------

    def target_read(self, addr: int, size: int, obj: bool = False) -> bytes:
        """Virtual memory, or (``obj``) the primary object file: unix's text and data."""
        if obj:
            found = self.target.module_at(addr)
            if found is None or found[0].name != "unix" or found[1] == "bss":
                raise MemoryFault(addr)
        return self.target.read(addr, size)

    def dmod_loaded(self, module: str) -> bool:
        return module == "mdb" or module in ("unix", "genunix") or self.k.symtab.module(module) is not None

    def loaded_dmods(self) -> list[str]:
        loaded = {m.name for m in self.k.symtab.modules}
        return [d for d in DMODS if d in loaded or d in ("unix", "genunix")]

    def lookup_dcmd(self, name: str) -> registry.Dcmd | None:
        module = None
        if "`" in name:
            module, _, name = name.partition("`")
        d = DCMDS.get(name)
        if d is None or not self.dmod_loaded(d.module) or (module is not None and d.module != module):
            return None
        return d

    def dcmd_names(self) -> list[str]:
        return sorted(n for n, d in DCMDS.items() if self.dmod_loaded(d.module))

    def lookup_walker(self, name: str) -> registry.Walker | None:
        if "`" in name:
            module, _, name = name.partition("`")
            w = self.walkers().get(name)
            return w if w is not None and w.module == module else None
        return self.walkers().get(name)

    def walkers(self) -> dict[str, registry.Walker]:
        """Every walker, with one per kmem cache (named after it), as the kmem dmod creates."""
        from .dcmds.kmem import cache_walkers

        found = {n: w for n, w in WALKERS.items() if self.dmod_loaded(w.module)}
        for w in cache_walkers(self):
            found.setdefault(w.name, w)
        return found

    def walk(self, name: str, addr: int | None = None):
        """The addresses walker ``name`` yields; raises CommandError for an unknown walker."""
        w = self.lookup_walker(name)
        if w is None:
            raise CommandError("failed to perform walk", "unknown walk name", hint=self.suggest(
                name, self.walkers()))
        if addr is None and w.needs_addr:
            self.warn("%s walk doesn't support global walks\n", w.name)
            raise CommandError("failed to perform walk", "walk initialization failed")
        return w.walk(self, addr)

    def suggest(self, name: str, candidates) -> str:
        from ..suggest import did_you_mean
        return did_you_mean(name, candidates) if self.err_is_tty else ""

    def hint(self, name: str, candidates) -> None:
        """After a dcmd's warning about a misspelt name: "did you mean" (for a person only)."""
        text = self.suggest(name, candidates)
        if text:
            self.err.puts(f"  {text.strip()}\n")

    def suggest_symbol(self, name: str) -> str:
        if not self.err_is_tty:
            return ""
        return self.suggest(name.rpartition("`")[2], self.k.symtab.names())

    # -- running text ------------------------------------------------------------

    def run_text(self, text: str, src: Source) -> bool:
        """Run every statement of ``text``; False if the last one failed (for -e and ::eval)."""
        ok = True
        for line in text.splitlines(keepends=True):
            ok = self.run_line(line, src)
            if src.discarded:
                break
        return ok

    def run_line(self, line: str, src: Source) -> bool:
        """Run the statements of one line of input."""
        if not line.endswith("\n"):
            line += "\n"
        src.line += 1
        if src.kind in ("tty", "stream"):
            self.target.refresh()
        pos = 0
        ok = True
        while pos < len(line):
            rest = line[pos:]
            try:
                st, used = next_statement(rest)
            except ParseError as e:
                if self.structured is not None:
                    self.structured.begin(rest)
                if e.near == "\\n" and src.kind != "tty":
                    src.line += 1
                    self.report(e, src, rest, e.column)
                    src.line -= 1
                else:
                    self.report(e, src, rest, e.column)
                self.lastret = ERR
                if self.structured is not None:
                    self.structured.end(ERR)
                if src.discard_after_error():
                    return False
                nxt = re.compile(r"[;\n]").search(line, pos + (e.column or 0))
                pos = nxt.end() if nxt else len(line)
                ok = False
                continue
            pos += used
            ok = self.run_statement(st, src)
            if not ok and src.discarded:
                return False
        return ok

    def run_statement(self, st: Statement, src: Source) -> bool:
        """Run one parsed statement; errors are reported here.  False if it failed."""
        if self.structured is None:
            return self._run_statement(st, src)
        self.structured.begin(st.text)
        ok = False
        try:
            ok = self._run_statement(st, src)
        finally:
            self.out.nlflush()
            self.structured.end(self.lastret)
        return ok

    def _run_statement(self, st: Statement, src: Source) -> bool:
        try:
            status = self._run(st, src)
        except (ParseError, CommandError) as e:
            # mdb's yyerror and yyperror: the statement is abandoned and so
            # is the input mdb holds (a terminal's line, a string).
            self.out.nlflush()
            self.report(e, src, st.text, getattr(e, "column", None))
            self.lastret = ERR
            src.discard_after_error()
            return False
        except Abort:
            self.out.nlflush()
            self.lastret = ABORT
            return False
        except BrokenPipeError:
            raise
        except (Quit, KeyboardInterrupt):
            raise
        except RecursionError:
            self.out.nlflush()
            self.err.puts("mdb: command nesting too deep\n")
            self.lastret = ERR
            return False
        finally:
            self.stdout.flush()
        self.lastret = status
        return status == OK

    def _run(self, st: Statement, src: Source) -> int:
        kind = st.kind
        if kind == "blank":
            if self.options["repeatlast"] and src.kind != "string" and self.lastc:
                return self.call(self.lastc, self.dot_incr("\\n"), 1, 0)
            return OK
        if kind == "shell_escape":
            if src.kind == "pipe":
                raise ParseError("syntax error", near="\\n")
            self.shell_exec(st.shell.command)
            return OK
        if kind.startswith("bare"):
            return self._run_bare(st, src)
        if src.kind == "pipe":
            raise ParseError("syntax error", near="\\n")
        commands = [self._resolve(c) for c in st.pipeline]
        flags = 0
        addr = self.dot
        count = 1
        if st.addr is not None:
            addr = evaluate(self, st.addr, st.text)
            flags |= ADDRSPEC
        if st.count is not None:
            count = evaluate(self, st.count, st.text)
            flags |= LOOP
        commands = [(d, self._eval_args(args, st.text)) for d, args in commands]
        return self.call(commands, addr, count, flags, st.shell)

    def _run_bare(self, st: Statement, src: Source) -> int:
        if st.kind == "bare_addr":
            value = evaluate(self, st.addr, st.text)
            if src.kind == "string":
                self.dot = value
                self.incr = 0
                return OK
            if src.kind == "pipe":
                self.pipe_addrs.append((value, dict(self.pipe_snapshot)))
                self.dot = value
                return OK
            return self.call(self.lastc or [], value, 1, ADDRSPEC, st.shell)
        if src.kind == "pipe":
            raise ParseError("syntax error", near="\\n")
        if st.kind == "bare_addr_count":
            addr = evaluate(self, st.addr, st.text)
            count = evaluate(self, st.count, st.text)
            return self.call(self.lastc or [], addr, count, ADDRSPEC | LOOP, st.shell)
        count = evaluate(self, st.count, st.text)
        return self.call(self.lastc or [], self.dot_incr(","), count, LOOP, st.shell)

    def _resolve(self, c: Command):
        d = self.lookup_dcmd(c.name)
        if d is None:
            prefix = "::" if c.text.startswith("::") else ""
            raise CommandError(f"invalid command '{c.text}'", "unknown dcmd name", column=c.column,
                               hint=self.suggest(c.text, [prefix + n for n in self.dcmd_names()]))
        return d, c.args

    def _eval_args(self, args: list, text: str) -> list:
        return [evaluate(self, a[1], text) if isinstance(a, tuple) else a for a in args]

    # -- mdb_call ----------------------------------------------------------------

    def call(self, commands: list, addr: int, count: int, flags: int, shell=None, addrv=None) -> int:
        """Run a pipeline of (dcmd, args) at ``addr``, ``count`` times (mdb_call).

        ``addrv`` feeds the first stage from a pipe (the shell's output).
        """
        if flags & LOOP:
            flags |= LOOPFIRST
        status = OK
        final_out = None
        if shell is not None:
            final_out = _Pipe()
        for i, (d, args) in enumerate(commands):
            last = i == len(commands) - 1
            if not last:
                pipe = _Pipe()
                status = self._capture(pipe, lambda: self.call_idcmd(d, addr, count, flags | PIPE_OUT, args,
                                                                       addrv))
                if status == ABORT:
                    break
                addrv = self._parse_pipe(pipe)
                if not addrv:
                    break
                addr, count, flags = self.dot, 1, 0
            elif final_out is not None:
                status = self._capture(final_out, lambda: self.call_idcmd(d, addr, count, flags, args, addrv),
                                       pipe_iob=False)
            else:
                status = self.call_idcmd(d, addr, count, flags, args, addrv)
        self.lastc = commands
        self.pipe_vars = set()
        if shell is not None:
            status = self._shell_pipe(shell, "".join(final_out.lines))
        return status

    def _capture(self, pipe: _Pipe, run, pipe_iob: bool = True) -> int:
        """Run ``run()`` with stdout going into ``pipe`` (a pipe iob: no wrapping, lines of BUFSIZ)."""
        def sink(text: str) -> None:
            pipe.lines.append(text)
            pipe.snapshots.append({v: self.vars.get(v) for v in self.pipe_vars})
        saved = self.out
        if pipe_iob:
            self.out = Iob(sink, cols=BUFSIZ, symbolize=self.symbolize, radix=lambda: self.radix)
        else:
            self.out = Iob(sink, autowrap=self.options["autowrap"], symbolize=self.symbolize,
                           radix=lambda: self.radix)
        try:
            status = run()
            self.out.flush()
        finally:
            self.out = saved
        return status

    def _parse_pipe(self, pipe: _Pipe) -> list:
        """The addresses in a dcmd's pipe output: each line parsed as an mdb expression."""
        self.pipe_addrs: list = []
        src = Source("(pipe)", "pipe")
        for text, snap in zip(pipe.lines, pipe.snapshots):
            self.pipe_snapshot = snap
            word = text.strip()
            if _WORD.fullmatch(word):
                src.line += 1
                try:
                    value = evaluate(self, ("word", word, 0), text)
                except (ParseError, CommandError) as e:
                    self.report(e, src)
                    continue
                self.pipe_addrs.append((value, dict(snap)))
                self.dot = value
            else:
                self.run_line(text, src)
        return self.pipe_addrs

    def call_idcmd(self, d: registry.Dcmd, addr: int, count: int, flags: int, args: list,
                   addrv: list | None = None) -> int:
        """Run one dcmd at ``addr``, ``count`` times, then once per piped address (mdb_call_idcmd)."""
        self.dot = addr
        self.raddr = addr
        self.dcount = count
        if count == 0:
            return OK
        queue = list(addrv) if addrv else []
        saved_queue, self.pipe_queue = self.pipe_queue, queue
        try:
            if queue:
                flags |= PIPE | LOOP | LOOPFIRST | ADDRSPEC
                addr = self._next_piped(queue)
                count = 1
            status = self.invoke(d, addr, flags, args)
            if status == ABORT:
                return status
            flags &= ~LOOPFIRST if flags & LOOP else ~0
            for _ in range(1, count):
                addr = self.dot_incr(",")
                self.dot = addr
                status = self.invoke(d, addr, flags, args)
                if status == ABORT:
                    return status
            while queue:
                addr = self._next_piped(queue)
                status = self.invoke(d, addr, flags, args)
                if status == ABORT:
                    return status
            return status
        except KeyboardInterrupt:
            self.out.discard()      # Ctrl-C: what the dcmd had not finished is dropped
            raise
        finally:
            self.pipe_queue = saved_queue
            self.out.nlflush()

    def take_pipe(self, current: int) -> list[int]:
        """mdb_get_pipe: the current piped address and all the rest, which this dcmd now consumes."""
        rest = [addr for addr, _ in self.pipe_queue]
        self.pipe_queue.clear()
        return [current] + rest

    def _next_piped(self, queue: list) -> int:
        addr, snapshot = queue.pop(0)
        for name, value in snapshot.items():
            if value is not None:
                self.vars.set(name, value)
        self.dot = addr
        return addr

    def invoke(self, d: registry.Dcmd, addr: int, flags: int, args: list) -> int:
        """Call the handler; print its usage if it asks, turn stray faults into mdb's warning."""
        call = Call(self, addr, flags, list(args), d)
        try:
            status = d.func(call)
        except Usage:
            status = USAGE
        except Abort:
            status = ABORT
        except MemoryFault as e:
            self.out.nlflush()
            self.warn("failed to read data from target", reason=e.reason)
            status = ERR
        except ReadOnlyTarget as e:
            self.warn("failed to write", reason=str(e))
            status = ERR
        if status == USAGE:
            self.out.nlflush()
            self.usage(d)
        return status

    def usage(self, d: registry.Dcmd) -> None:
        """``Usage: [address]::NAME USAGE`` and the ::help pointer (mdb_dcmd_usage)."""
        prefix, usage = "", d.usage or ""
        old = d.name[0] in ":$" or not d.name[0].isalpha() and d.name[0] not in "_."
        if usage[:1] == ":":
            prefix, usage = ("address" if old else "address::"), usage[1:]
        elif usage[:1] == "?":
            prefix, usage = ("[address]" if old else "[address]::"), usage[1:]
        self.err.puts(f"Usage: {prefix}{d.name} {usage}\n")
        if d.help is not None:
            self.err.puts(f"mdb: try '::help {d.name}' for more information\n")

    # -- evaluating strings (::eval, ::grep, ::map) ---------------------------------

    def eval(self, text: str) -> bool:
        """mdb_eval: run ``text`` as a string (bare expressions set dot); False if it failed."""
        return self.run_text(text, Source("(string)", "string"))

    # -- the shell ---------------------------------------------------------------

    def shell_exec(self, command: str, stdin: str | None = None, capture: bool = False) -> str:
        """Run ``command`` with ``$SHELL -c``; its output goes to ours (or is returned)."""
        self.stdout.flush()
        shell = os.environ.get("SHELL") or "/bin/sh"
        into_json = self.structured is not None and not capture    # --json: the output joins the object's text
        try:
            res = subprocess.run([shell, "-c", command], input=stdin, text=True,
                                 stdout=subprocess.PIPE if capture or into_json else None)
        except OSError as e:
            self.warn("failed to exec %s", shell, reason=e.strerror)
            return ""
        if into_json:
            self.structured.out(res.stdout)
        return res.stdout if capture else ""

    def _shell_pipe(self, shell, text: str) -> int:
        if shell.then is None:
            self.shell_exec(shell.command, stdin=text)
            return OK
        output = self.shell_exec(shell.command, stdin=text, capture=True)
        pipe = _Pipe([line for line in output.splitlines(keepends=True)],
                     [{} for _ in output.splitlines()])
        addrv = self._parse_pipe(pipe)
        if not addrv:
            return OK
        commands = [(d, self._eval_args(args, "")) for d, args in (self._resolve(c) for c in shell.then)]
        return self.call(commands, self.dot, 1, 0, addrv=addrv)


_WORD = re.compile(r"[0-9a-zA-Z_]+")
