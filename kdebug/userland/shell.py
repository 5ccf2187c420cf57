"""``kdebug shell``: a SmartOS root shell on the simulated host.

    [root@emy-17 /root]# vmadm start $(vm test)
    Successfully started VM 79062669-e229-e55d-960d-9b18d0fed8d0
    [root@emy-17 /root]# echo hvm_excl_holder::print | mdb -k
    0xfffffffff82caded "bhyve"

Command lines are parsed by Lark (``grammar/sh.lark``: lists, ``&&``/``||``,
pipelines, redirections, quotes, ``$VAR``, ``$(...)``, ``&``) and run the
way bash runs them.  A command is one of three kinds:

- a builtin of this shell (``echo``, ``vm``, ``help``, ``exit``, ``grep``...);
- a command of the host (``vmadm``, ``zoneadm``, ``uname``, ``cat``...), run
  on the machine through the client API;
- a tool of this workstation (``mdb``, ``dtrace``), run as its own process
  with this terminal, talking to the same host, as on a real box; a script
  whose ``#!`` line names dtrace runs under ``kdebug dtrace``.

Stages of a pipeline run one after another, each reading the previous one's
output.  Local files (``dtrace -s x.d``, ``> out.txt``) are this machine's;
host commands see the host's files (``cat /zones/UUID/logs/stdio.log``).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from ..grammars import lark_parser

__all__ = ["Shell", "main", "ShellSyntaxError", "BUILTINS", "LOCAL_TOOLS"]

LOCAL_TOOLS = {"mdb", "dtrace"}


class ShellSyntaxError(Exception):
    """A command line bash would refuse; ``incomplete`` if more input could finish it."""

    def __init__(self, message: str, incomplete: bool = False):
        self.incomplete = incomplete
        super().__init__(message)


def _parser():
    return lark_parser("sh.lark", ("program", "word"))


def parse(text: str):
    """The parse tree of a command line (``program``); ShellSyntaxError if bash would refuse it."""
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        return _parser().parse(text, start="program")
    except UnexpectedEOF:
        raise ShellSyntaxError("syntax error: unexpected end of file", incomplete=True) from None
    except UnexpectedToken as e:
        if e.token.type == "$END":
            raise ShellSyntaxError("syntax error: unexpected end of file", incomplete=True) from None
        raise _error_at(text, e.token.start_pos) from None
    except UnexpectedCharacters as e:
        raise _error_at(text, e.pos_in_stream) from None


def _error_at(text: str, pos: int) -> ShellSyntaxError:
    """bash's complaint about what starts at ``pos``: an open quote, or an unexpected token."""
    rest = text[pos:]
    for opener, closer in (("'", "'"), ('"', '"'), ("$(", ")")):
        if rest.startswith(opener):
            return ShellSyntaxError(f"unexpected EOF while looking for matching `{closer}'", incomplete=True)
    if rest.startswith("`"):
        return ShellSyntaxError("command substitution with backquotes is not supported; use $(...)")
    m = re.match(r"\|\||&&|;;|[|&;<>()]|\n|[^\s|&;<>()]+", rest)
    tok = m.group(0) if m else rest[:1]
    return ShellSyntaxError(f"syntax error near unexpected token `{'newline' if tok == chr(10) else tok}'")


@dataclass
class Result:
    rc: int
    out: bytes = b""


@dataclass
class _Io:
    """Where a command reads and writes: None means this terminal."""

    stdin: bytes | None = None
    capture_out: bool = False
    capture_err: bool = False
    err_to_out: bool = False
    out_file: tuple[str, str] | None = None    # (path, "w" | "a")
    err_file: tuple[str, str] | None = None
    err_buf: bytearray = field(default_factory=bytearray)


Builtin = Callable[["Shell", list[str], _Io], Result]
BUILTINS: dict[str, tuple[Builtin, str]] = {}


def builtin(name: str, help_text: str):
    def register(fn: Builtin) -> Builtin:
        BUILTINS[name] = (fn, help_text)
        return fn
    return register


class Shell:
    """One shell session on ``host`` (a client: ``kdebug.host.client.connect()``)."""

    def __init__(self, host, home: str | None = None, interactive: bool = False):
        self.host = host
        self.home = home
        self.interactive = interactive
        self.status = 0
        self.exit_requested: int | None = None
        st = host.status()
        self.hostname = st["hostname"]
        self.vars = {"HOME": "/root", "PWD": "/root", "USER": "root", "LOGNAME": "root",
                     "SHELL": "/usr/bin/bash", "HOSTNAME": self.hostname,
                     "PATH": "/usr/sbin:/usr/bin:/sbin:/smartdc/bin:/opt/smartdc/bin:/usr/vm/sbin"}
        self._host_commands = set(host.commands())
        self.jobs: list[tuple[int, subprocess.Popen, str]] = []
        self._next_job = 1
        self._source = ""

    @property
    def prompt(self) -> str:
        return f"[root@{self.hostname} /root]# "

    def command_names(self) -> list[str]:
        return sorted(set(BUILTINS) | LOCAL_TOOLS | self._host_commands)

    # -- running text ------------------------------------------------------

    def run_line(self, text: str, io_: _Io | None = None) -> Result:
        """Run a command line; its output goes to the terminal unless ``io_`` captures it."""
        io_ = io_ or _Io()
        self._source = text
        try:
            tree = parse(text)
        except ShellSyntaxError as e:
            self._err(f"-bash: {e}\n", io_)
            self.status = 2
            return Result(2)
        out = bytearray()
        items = tree.children
        i = 0
        while i < len(items):
            and_or = items[i]
            sep = items[i + 1] if i + 1 < len(items) and getattr(items[i + 1], "type", "") == "SEP" else None
            i += 2 if sep is not None else 1
            background = sep is not None and str(sep) == "&"
            res = self._and_or(and_or, io_, background)
            out += res.out
            self.status = res.rc
            if self.exit_requested is not None:
                break
        self._reap_jobs()
        return Result(self.status, bytes(out))

    def _and_or(self, node, io_: _Io, background: bool) -> Result:
        kids = node.children
        res = self._pipeline(kids[0], io_, background)
        out = bytearray(res.out)
        for op, pipe in zip(kids[1::2], kids[2::2]):
            if (str(op) == "&&") != (res.rc == 0):
                continue
            res = self._pipeline(pipe, io_, background)
            out += res.out
        return Result(res.rc, bytes(out))

    def _pipeline(self, node, io_: _Io, background: bool) -> Result:
        kids = list(node.children)
        negate = bool(kids) and getattr(kids[0], "type", "") == "BANG"
        if negate:
            kids = kids[1:]
        data = io_.stdin
        res = Result(0)
        for n, cmd in enumerate(kids):
            last = n == len(kids) - 1
            stage = _Io(stdin=data, capture_out=not last or io_.capture_out, capture_err=io_.capture_err,
                        out_file=io_.out_file if last else None, err_file=io_.err_file)
            res = self._command(cmd, stage, background and last, self._text_of(node))
            if io_.capture_err:
                io_.err_buf += stage.err_buf
            data = res.out
        rc = (0 if res.rc else 1) if negate else res.rc
        return Result(rc, res.out if io_.capture_out else b"")

    # -- one command ---------------------------------------------------------

    def _text_of(self, node) -> str:
        """The source text of a parse-tree node, as typed."""
        meta = getattr(node, "meta", None)
        if meta is None or getattr(meta, "empty", True):
            return ""
        return self._source[meta.start_pos:meta.end_pos]

    def _command(self, node, io_: _Io, background: bool, typed: str = "") -> Result:
        words: list[str] = []
        for item in node.children:
            if getattr(item, "data", None) == "redirect":
                op, target = str(item.children[0]), self.expand(str(item.children[1]))
                if not self._redirect(op, " ".join(target), io_):
                    return Result(1)
            else:
                words.extend(self.expand(str(item)))
        assigns = {}
        while words and re.match(r"[A-Za-z_][A-Za-z0-9_]*=", words[0]):
            name, _, value = words.pop(0).partition("=")
            assigns[name] = value
        if not words:
            self.vars.update(assigns)
            return Result(0)
        name, args = words[0], words[1:]
        if name in BUILTINS:
            return self._finish(BUILTINS[name][0](self, args, io_), io_)
        typed = typed or " ".join(words)
        if name in LOCAL_TOOLS or name == "kdebug":
            return self._local(([name] if name != "kdebug" else []) + args, io_, background, typed)
        script = _dtrace_script(name)
        if script is not None:
            return self._local(["dtrace", *script, name, *args], io_, background, typed)
        if name in self._host_commands:
            return self._host(words, io_)
        self._err(f"-bash: {name}: command not found\n", io_)
        return Result(127)

    def _redirect(self, op: str, target: str, io_: _Io) -> bool:
        fd = op[0] if op[0].isdigit() else ("0" if "<" in op else "1")
        kind = op.lstrip("0123456789")
        if kind == ">&":
            if fd == "2" and target == "1":
                io_.err_to_out = True
                return True
            if fd == "1" and target == "2":
                return True
            self._err(f"-bash: {target}: ambiguous redirect\n", io_)
            return False
        if kind == "<":
            try:
                with open(target, "rb") as f:
                    io_.stdin = f.read()
            except OSError as e:
                self._err(f"-bash: {target}: {e.strerror}\n", io_)
                return False
            return True
        mode = "a" if kind == ">>" else "w"
        if fd == "2":
            io_.err_file = (target, mode)
        else:
            io_.out_file = (target, mode)
        return True

    def _finish(self, res: Result, io_: _Io) -> Result:
        """Deliver a builtin's or host command's output where it belongs."""
        if io_.out_file is not None:
            try:
                with open(io_.out_file[0], io_.out_file[1] + "b") as f:
                    f.write(res.out)
            except OSError as e:
                self._err(f"-bash: {io_.out_file[0]}: {e.strerror}\n", io_)
                return Result(1)
            return Result(res.rc)
        if io_.capture_out:
            return res
        sys.stdout.write(res.out.decode("utf-8", "replace"))
        sys.stdout.flush()
        return Result(res.rc)

    def _err(self, text: str, io_: _Io) -> None:
        if io_.err_to_out:
            return  # merged into stdout by the caller when it matters
        if io_.err_file is not None:
            try:
                with open(io_.err_file[0], io_.err_file[1]) as f:
                    f.write(text)
                return
            except OSError:
                pass
        if io_.capture_err:
            io_.err_buf += text.encode()
            return
        sys.stderr.write(text)
        sys.stderr.flush()

    def _host(self, argv: list[str], io_: _Io) -> Result:
        from ..host.client import HostError, HostUnavailable

        stdin = (io_.stdin or b"").decode("utf-8", "replace")
        try:
            r = self.host.run(argv, stdin)
        except (HostError, HostUnavailable) as e:
            self._err(f"-bash: {argv[0]}: {e}\n", io_)
            return Result(1)
        out = r.stdout.encode()
        if io_.err_to_out:
            out += r.stderr.encode()
        elif r.stderr:
            self._err(r.stderr, io_)
        return self._finish(Result(r.rc, out), io_)

    def _local(self, argv: list[str], io_: _Io, background: bool, text: str) -> Result:
        """A kdebug tool as its own process, with this terminal where nothing is redirected."""
        cmd = [sys.executable, "-m", "kdebug", *argv]
        env = dict(os.environ)
        if self.home is not None:
            env["KDEBUG_HOME"] = self.home
        out_f = None
        if io_.out_file is not None:
            try:
                out_f = open(io_.out_file[0], io_.out_file[1] + "b")
            except OSError as e:
                self._err(f"-bash: {io_.out_file[0]}: {e.strerror}\n", io_)
                return Result(1)
        stdout = out_f if out_f is not None else (subprocess.PIPE if io_.capture_out else None)
        stderr = subprocess.STDOUT if io_.err_to_out else (subprocess.PIPE if io_.capture_err else None)
        stdin = subprocess.PIPE if io_.stdin is not None else None
        if background:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL if stdin is None else stdin, stdout=stdout,
                                    stderr=stderr, env=env, start_new_session=True)
            if io_.stdin is not None:
                proc.stdin.write(io_.stdin)
                proc.stdin.close()
            self.jobs.append((self._next_job, proc, text))
            sys.stdout.write(f"[{self._next_job}] {proc.pid}\n")
            sys.stdout.flush()
            self._next_job += 1
            return Result(0)
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is for the foreground job
        try:
            proc = subprocess.run(cmd, input=io_.stdin, stdout=stdout, stderr=stderr, env=env)
        finally:
            signal.signal(signal.SIGINT, old)
            if out_f is not None:
                out_f.close()
        if io_.capture_err and proc.stderr:
            io_.err_buf += proc.stderr
        rc = proc.returncode if proc.returncode >= 0 else 128 - proc.returncode
        return Result(rc, proc.stdout or b"")

    def _reap_jobs(self) -> None:
        for job in list(self.jobs):
            n, proc, text = job
            if proc.poll() is not None:
                self.jobs.remove(job)
                state = "Done" if proc.returncode == 0 else f"Exit {proc.returncode}"
                sys.stdout.write(f"[{n}]+  {state:<24}{text}\n")
                sys.stdout.flush()

    # -- expansion ---------------------------------------------------------

    def expand(self, word: str) -> list[str]:
        """The fields of one word after expansion: quotes removed, $VAR and $(...) replaced.

        Unquoted expansions are split on blanks (bash's word splitting);
        quoted ones are not.  There is no pathname expansion.
        """
        tree = _parser().parse(word, start="word")
        fields: list[str] = [""]
        have = False
        for part in tree.children:
            if hasattr(part, "data") and part.data == "dquoted":
                fields[-1] += "".join(self._dq_part(p) for p in part.children)
                have = True
            elif hasattr(part, "data") and part.data == "cmdsub":
                have = self._split_into(fields, self._substitute(part)) or have
            elif part.type == "VAR":
                have = self._split_into(fields, self._var(str(part))) or have
            elif part.type == "SQUOTED":
                fields[-1] += str(part)[1:-1]
                have = True
            elif part.type == "ESCAPED":
                fields[-1] += str(part)[1]
                have = True
            else:
                fields[-1] += str(part)
                have = True
        if not have and fields == [""]:
            return []
        return fields

    @staticmethod
    def _split_into(fields: list[str], text: str) -> bool:
        pieces = text.split()
        if not pieces:
            return False
        if text[:1].isspace() and fields[-1]:
            fields.append("")
        fields[-1] += pieces[0]
        fields.extend(pieces[1:])
        if text[-1:].isspace():
            fields.append("")
        return True

    def _dq_part(self, part) -> str:
        if hasattr(part, "data"):
            return self._substitute(part)
        if part.type == "VAR":
            return self._var(str(part))
        if part.type == "DQESC":
            ch = str(part)[1]
            return ch if ch in '$`"\\\n' else str(part)
        return str(part)

    def _var(self, token: str) -> str:
        name = token[1:].strip("{}")
        if name == "?":
            return str(self.status)
        if name == "$":
            return str(os.getpid())
        return self.vars.get(name, "")

    def _substitute(self, node) -> str:
        text = str(node.children[0]) if node.children else ""
        io_ = _Io(capture_out=True)
        saved = self._source
        try:
            res = self.run_line(text, io_)
        finally:
            self._source = saved
        return res.out.decode("utf-8", "replace").rstrip("\n")

    # -- the terminal --------------------------------------------------------

    def completer(self):
        """Completion of the first word: builtins, local tools, host commands."""
        from prompt_toolkit.completion import WordCompleter

        return WordCompleter(self.command_names(), sentence=True)

    def repl(self, input=None, output=None) -> int:
        """Read, run, repeat, at the root prompt, until exit or Ctrl-D.

        ``input``/``output`` are prompt_toolkit's (tests pass a pipe input).
        """
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory
        from prompt_toolkit.lexers import PygmentsLexer
        from pygments.lexers.shell import BashLexer

        from ..paths import history_file

        session = PromptSession(history=FileHistory(str(history_file("shell"))),
                                completer=self.completer(),
                                lexer=PygmentsLexer(BashLexer), complete_while_typing=False,
                                input=input, output=output)
        pending = ""
        while self.exit_requested is None:
            try:
                line = session.prompt("> " if pending else self.prompt)
            except KeyboardInterrupt:
                pending = ""
                continue
            except EOFError:
                sys.stdout.write("logout\n")
                break
            text = pending + line
            try:
                parse(text)
            except ShellSyntaxError as e:
                if e.incomplete:
                    pending = text + "\n"
                    continue
            pending = ""
            if text.strip():
                self.run_line(text)
        return self.exit_requested if self.exit_requested is not None else self.status

    def run_script(self, text: str) -> int:
        """Run lines read from a file or a pipe, as ``bash < script`` does."""
        pending = ""
        for line in text.splitlines():
            src = pending + line
            try:
                parse(src)
            except ShellSyntaxError as e:
                if e.incomplete:
                    pending = src + "\n"
                    continue
            pending = ""
            self.run_line(src)
            if self.exit_requested is not None:
                return self.exit_requested
        if pending:
            self.run_line(pending)
        self._wait_jobs()
        return self.status

    def _wait_jobs(self) -> None:
        for _, proc, _ in self.jobs:
            proc.wait()
        self._reap_jobs()


def _dtrace_script(path: str) -> list[str] | None:
    """The options of a local script whose ``#!`` line names dtrace (``-qs`` -> ["-qs"])."""
    if "/" not in path or not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            first = f.readline(256).decode("utf-8", "replace")
    except OSError:
        return None
    if not first.startswith("#!"):
        return None
    interp = first[2:].strip().split(None, 1)
    if not interp or os.path.basename(interp[0]) != "dtrace":
        return None
    opts = interp[1].strip() if len(interp) > 1 else "-s"
    return [opts]


# -- builtins ------------------------------------------------------------------


def _text(io_: _Io) -> str:
    return (io_.stdin or b"").decode("utf-8", "replace")


@builtin("echo", "echo [-n] ARGS...: write the arguments")
def _echo(sh: Shell, args: list[str], io_: _Io) -> Result:
    newline = True
    if args[:1] == ["-n"]:
        newline, args = False, args[1:]
    return Result(0, (" ".join(args) + ("\n" if newline else "")).encode())


@builtin("vm", "vm ALIAS: the UUID of the VM called ALIAS (vmadm lookup -1 alias=ALIAS)")
def _vm(sh: Shell, args: list[str], io_: _Io) -> Result:
    if len(args) != 1:
        sh._err("usage: vm ALIAS\n", io_)
        return Result(2)
    r = sh.host.run(["vmadm", "lookup", "-1", f"alias={args[0]}"])
    if r.stderr:
        sh._err(r.stderr, io_)
    return Result(r.rc, r.stdout.encode())


@builtin("exit", "exit [N]: leave the shell")
def _exit(sh: Shell, args: list[str], io_: _Io) -> Result:
    try:
        code = int(args[0]) & 0xff if args else sh.status
    except ValueError:
        sh._err(f"-bash: exit: {args[0]}: numeric argument required\n", io_)
        code = 2
    sh.exit_requested = code
    return Result(code)


@builtin("help", "help: what this shell can run")
def _help(sh: Shell, args: list[str], io_: _Io) -> Result:
    lines = [f"kdebug shell on {sh.hostname}: a SmartOS root shell on the simulated host.", "",
             "Tools of this workstation (they talk to the same host):",
             "  mdb -k              the modular debugger on the live kernel",
             "  dtrace ...          dynamic tracing", "",
             "Commands of the host:",
             "  " + " ".join(sorted(sh._host_commands)), "",
             "Shell builtins:"]
    lines += [f"  {h}" for _, (_, h) in sorted(BUILTINS.items())]
    lines += ["", "Pipes (|), $(...), &&, ||, ; and & work as in bash.",
              "Example: echo hvm_excl_holder::print | mdb -k"]
    return Result(0, ("\n".join(lines) + "\n").encode())


@builtin("pwd", "pwd: the current directory")
def _pwd(sh: Shell, args: list[str], io_: _Io) -> Result:
    return Result(0, b"/root\n")


@builtin("cd", "cd [DIR]: stay in /root (the simulated host has no other working directory)")
def _cd(sh: Shell, args: list[str], io_: _Io) -> Result:
    if args and args[0] not in ("/root", "~", "."):
        sh._err(f"-bash: cd: {args[0]}: this simulated host keeps you in /root\n", io_)
        return Result(1)
    return Result(0)


@builtin("true", "true: succeed")
def _true(sh: Shell, args: list[str], io_: _Io) -> Result:
    return Result(0)


@builtin("false", "false: fail")
def _false(sh: Shell, args: list[str], io_: _Io) -> Result:
    return Result(1)


@builtin("export", "export NAME=VALUE...: set variables")
def _export(sh: Shell, args: list[str], io_: _Io) -> Result:
    for a in args:
        name, eq, value = a.partition("=")
        if eq:
            sh.vars[name] = value
    return Result(0)


@builtin("jobs", "jobs: background jobs still running")
def _jobs(sh: Shell, args: list[str], io_: _Io) -> Result:
    out = "".join(f"[{n}]   Running                 {text} &\n" for n, p, text in sh.jobs if p.poll() is None)
    return Result(0, out.encode())


@builtin("wait", "wait: wait for background jobs to finish")
def _wait(sh: Shell, args: list[str], io_: _Io) -> Result:
    sh._wait_jobs()
    return Result(0)


@builtin("grep", "grep [-v] [-c] [-i] PATTERN: lines of the input that match (a regular expression)")
def _grep(sh: Shell, args: list[str], io_: _Io) -> Result:
    opts = set()
    while args and args[0].startswith("-") and len(args[0]) > 1:
        opts.update(args.pop(0)[1:])
    if not args or opts - set("vci"):
        sh._err("usage: grep [-v] [-c] [-i] PATTERN\n", io_)
        return Result(2)
    try:
        pat = re.compile(args[0], re.I if "i" in opts else 0)
    except re.error as e:
        sh._err(f"grep: {e}\n", io_)
        return Result(2)
    lines = [ln for ln in _text(io_).splitlines() if bool(pat.search(ln)) != ("v" in opts)]
    out = f"{len(lines)}\n" if "c" in opts else "".join(ln + "\n" for ln in lines)
    return Result(0 if lines else 1, out.encode())


def _count_opt(args: list[str], default: int) -> int:
    if args and args[0] == "-n" and len(args) > 1:
        return int(args[1])
    if args and re.fullmatch(r"-\d+", args[0]):
        return int(args[0][1:])
    return default


@builtin("head", "head [-n N]: the first lines of the input")
def _head(sh: Shell, args: list[str], io_: _Io) -> Result:
    n = _count_opt(args, 10)
    return Result(0, "".join(ln + "\n" for ln in _text(io_).splitlines()[:n]).encode())


@builtin("tail", "tail [-n N]: the last lines of the input")
def _tail(sh: Shell, args: list[str], io_: _Io) -> Result:
    n = _count_opt(args, 10)
    lines = _text(io_).splitlines()
    return Result(0, "".join(ln + "\n" for ln in (lines[-n:] if n else [])).encode())


@builtin("wc", "wc [-l]: count lines (words and bytes without -l) of the input")
def _wc(sh: Shell, args: list[str], io_: _Io) -> Result:
    text = _text(io_)
    if args[:1] == ["-l"]:
        return Result(0, f"{text.count(chr(10)):>8}\n".encode())
    return Result(0, f"{text.count(chr(10)):>8}{len(text.split()):>8}{len(text.encode()):>8}\n".encode())


# -- the command ---------------------------------------------------------------


USAGE = "usage: kdebug shell [-c COMMAND | SCRIPT]"


def main(argv: list[str]) -> int:
    from ..host.client import HostUnavailable, connect

    if argv[:1] in (["--help"], ["-h"]):
        sys.stdout.write(f"{USAGE}\n\nA SmartOS root shell on the simulated host ([root@emy-17 /root]#).\n"
                         "Type 'help' at its prompt.\n\nexamples:\n  kdebug shell\n"
                         "  kdebug shell -c 'vmadm list'\n  echo 'vmadm start $(vm test)' | kdebug shell\n")
        return 0
    bad_c = argv[:1] == ["-c"] and len(argv) != 2
    bad_option = bool(argv) and argv[0].startswith("-") and argv[0] != "-c"
    if bad_c or bad_option:
        sys.stderr.write(f"{USAGE}\n")
        return 2
    try:
        host = connect()
    except HostUnavailable as e:
        sys.stderr.write(f"kdebug shell: {e}\n")
        return 1
    home = os.environ.get("KDEBUG_HOME")
    if argv[:1] == ["-c"]:
        sh = Shell(host, home)
        res = sh.run_script(argv[1])
        return sh.exit_requested if sh.exit_requested is not None else res
    if argv:
        try:
            with open(argv[0], encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            sys.stderr.write(f"kdebug shell: {argv[0]}: {e.strerror}\n")
            return 127
        return Shell(host, home).run_script(text)
    if sys.stdin.isatty():
        return Shell(host, home, interactive=True).repl()
    return Shell(host, home).run_script(sys.stdin.read())

