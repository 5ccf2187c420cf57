"""``kdebug dtrace``: the dtrace(1M) command, a thin client of the consumer library.

It parses dtrace's options, compiles each program (``-n -P -m -f -i -s``),
enables them through the host's DTrace device, starts tracing and loops:
wait one switch interval (sleeping on a live host, advancing the virtual
clock of an in-process one), consume and print, until ``exit()``, Ctrl-C or
the end of a ``-c`` command; then END, a blank line and the aggregations.
"""

from __future__ import annotations

import os
import signal
import sys
import time

__all__ = ["main"]

USAGE = """Usage: dtrace [-32|-64] [-aACeFGhHlqSvVwZ] [-b bufsz] [-c cmd] [-D name[=def]]
\t[-I path] [-L path] [-o output] [-p pid] [-s script] [-U name]
\t[-x opt[=val]] [-X a|c|s|t]

\t[-P provider [[ predicate ] action ]]
\t[-m [ provider: ] module [[ predicate ] action ]]
\t[-f [[ provider: ] module: ] func [[ predicate ] action ]]
\t[-n [[[ provider: ] module: ] func: ] name [[ predicate ] action ]]
\t[-i probe-id [[ predicate ] action ]] [ args ... ]

\tpredicate -> '/' D-expression '/'
\t   action -> '{' D-statements '}'

\t-32 generate 32-bit D programs and ELF files
\t-64 generate 64-bit D programs and ELF files

\t-a  claim anonymous tracing state
\t-A  generate driver.conf(4) directives for anonymous tracing
\t-b  set trace buffer size
\t-c  run specified command and exit upon its completion
\t-C  run cpp(1) preprocessor on script files
\t-D  define symbol when invoking preprocessor
\t-e  exit after compiling request but prior to enabling probes
\t-f  enable or list probes matching the specified function name
\t-F  coalesce trace output by function
\t-G  generate an ELF file containing embedded dtrace program
\t-h  generate a header file with definitions for static probes
\t-H  print included files when invoking preprocessor
\t-i  enable or list probes matching the specified probe id
\t-I  add include directory to preprocessor search path
\t-l  list probes matching specified criteria
\t-L  add library directory to library search path
\t-m  enable or list probes matching the specified module name
\t-n  enable or list probes matching the specified probe name
\t-o  set output file
\t-p  grab specified process-ID and cache its symbol tables
\t-P  enable or list probes matching the specified provider name
\t-q  set quiet mode (only output explicitly traced data)
\t-s  enable or list probes according to the specified D script
\t-S  print D compiler intermediate code
\t-U  undefine symbol when invoking preprocessor
\t-v  set verbose mode (report stability attributes, arguments)
\t-V  report DTrace API version
\t-w  permit destructive actions
\t-x  enable or modify compiler and tracing options
\t-X  specify ISO C conformance settings for preprocessor
\t-Z  permit probe descriptions that match zero probes
"""

EXAMPLES = """
kdebug: dtrace runs on the simulated host (started on first use).  Examples:
  kdebug dtrace -n 'hvm_excl_*:entry { stack() }'
  kdebug dtrace -n 'fbt:::entry { @[probefunc] = count(); }'
  kdebug dtrace -n 'tick-1s { exit(0); }'
  kdebug dtrace -l -n 'fbt::zone*:entry'
  kdebug dtrace -q -n 'BEGIN { printf("%s\\n", execname); exit(0); }'
  kdebug dtrace -x errtags -n 'BEGIN { x = y; }'
  kdebug dtrace --explain -n 'hvm_excl_*:entry { stack() }'
  kdebug dtrace --replay -n 'fbt::hvm_excl_hold:entry { trace(stringof(arg0)); }'
  kdebug dtrace -x json -n 'hvm_excl_*:entry { stack() }'
  kdebug dtrace -q -x stackfmt=folded -n 'profile-97 { @[stack()] = count(); } tick-5s { exit(0); }'

kdebug's --explain compiles the program and, instead of tracing, says what each
clause would do: its probes, predicate and actions, how dtrace prints them, and
the equivalent mdb command where there is one.

kdebug's --replay [--since TIME] traces what already happened: the host keeps
its boot and everything done to it since (a flight recorder), and the program
runs against a replay of it, from boot or from TIME after boot (10s, 500ms).
The boot race can be traced after the reboot that decided it.

-x json writes records, aggregations, faults and drops as JSON, one object a
line (docs/json.md); -x stackfmt=folded prints stack aggregations as folded
stacks for kdebug flamegraph.
"""

_GETOPT = "3:6:aAb:Bc:CD:ef:FGhHi:I:lL:m:n:o:p:P:qs:SU:vVwx:X:Z"
_PROGRAM_OPTS = {"n": "n", "P": "P", "m": "m", "f": "f", "i": "i", "s": "s"}


class Usage(Exception):
    pass


def _getopt(argv: list[str]):
    """dtrace's getopt loop: options anywhere; other words are macro arguments."""
    takes = {c for i, c in enumerate(_GETOPT) if c != ":" and i + 1 < len(_GETOPT) and _GETOPT[i + 1] == ":"}
    known = set(_GETOPT.replace(":", ""))
    opts, words = [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            words += argv[i + 1:]
            break
        if not a.startswith("-") or a == "-":
            words.append(a)
            i += 1
            continue
        j = 1
        while j < len(a):
            c = a[j]
            if c not in known:
                raise Usage(f"dtrace: illegal option -- {c}\n")
            if c in takes:
                val = a[j + 1:]
                if not val:
                    i += 1
                    if i >= len(argv):
                        raise Usage(f"dtrace: option requires an argument -- {c}\n")
                    val = argv[i]
                opts.append((c, val))
                break
            opts.append((c, None))
            j += 1
        i += 1
    return opts, words


def _desc_text(arg: str) -> str:
    cut = len(arg)
    for ch in "{/;":
        i = arg.find(ch)
        if i >= 0:
            cut = min(cut, i)
    return arg[:cut]


def main(argv: list[str] | None = None, host=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--help" in argv:
        sys.stdout.write(USAGE + EXAMPLES)
        return 0
    explain = "--explain" in argv[:argv.index("--") if "--" in argv else len(argv)]
    if explain:
        argv = [a for a in argv if a != "--explain"]
    try:
        argv, replay_since = _replay_options(argv)
    except Usage as e:
        sys.stderr.write(str(e))
        return 2
    if not argv:
        sys.stderr.write(USAGE)
        return 2
    try:
        opts, words = _getopt(argv)
    except Usage as e:
        sys.stderr.write(str(e) + USAGE)
        return 2
    if replay_since is not None and any(c in "cp" for c, _ in opts):
        sys.stderr.write("dtrace: --replay traces what already happened: -c and -p cannot be used with it\n")
        return 2
    cmd = Command(opts, words, host, explain)
    cmd.replay_since = replay_since
    return cmd.run()


def _replay_options(argv: list[str]) -> tuple[list[str], int | None]:
    """kdebug's ``--replay [--since TIME]``: (the other arguments, ns since boot to trace from, or None)."""
    end = argv.index("--") if "--" in argv else len(argv)
    head, tail = argv[:end], argv[end:]
    replay = "--replay" in head
    since = 0
    if "--since" in head:
        i = head.index("--since")
        if not replay or i + 1 >= len(head):
            raise Usage("dtrace: --since needs --replay and a time (10s, 500ms, 2m)\n")
        since = _since(head[i + 1])
        del head[i:i + 2]
    return [a for a in head if a != "--replay"] + tail, (since if replay else None)


def _since(text: str) -> int:
    """A time since boot: a number and a unit (ns, us, ms, s, m, h); a bare number is seconds."""
    units = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
    num = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(num):] or "s"
    try:
        value = float(num)
    except ValueError:
        value = -1
    if unit not in units or value < 0:
        raise Usage(f"dtrace: invalid time for --since: {text}\n")
    return int(value * units[unit])


class Command:
    def __init__(self, opts, words, host, explain: bool = False):
        self.opts = opts
        self.words = words
        self.host = host
        self.intr = 0
        self.command = None           # (argv, pid) of -c: spawned before compiling, run after go
        self.replay_since = None      # --replay: ns since boot to trace from (the host's past)
        self.replay_done = False
        self.explain = explain        # --explain: say what the programs would do instead of tracing
        self.out = sys.stdout
        self.err = sys.stderr

    def fail(self, msg: str, status: int = 1) -> int:
        self.err.write(f"dtrace: {msg}\n")
        return status

    def run(self) -> int:
        modes = [c for c, _ in self.opts if c in "AGhlV"]
        if len(set(modes)) > 1:
            return self.fail("only one of the [-AGhlV] options can be specified at a time", 2)
        for c, v in self.opts:
            if c == "3" and v != "2" or c == "6" and v != "4":
                self.err.write(f"dtrace: illegal option -- {c}{v}\n" + USAGE)
                return 2
        if "V" in modes:
            self.out.write("dtrace: Sun D 1.13\n")
            return 0
        if "G" in modes or "h" in modes or "A" in modes:
            return self.fail("the -A, -G and -h options need the real system's files; kdebug cannot generate them")
        if not any(c in _PROGRAM_OPTS for c, _ in self.opts) and "l" not in modes:
            return self.fail("no probes specified")
        from .libdtrace.errors import CompileError, Source, render
        from .libdtrace.handle import DTraceError, Handle
        from .libdtrace.options import OptionError
        from .libdtrace.output import TextOutput

        try:
            if self.host is None:
                from ..host.client import connect
                self.host = connect()
            target = None
            for c, v in self.opts:
                if c == "p":
                    if not v.isdigit():
                        return self.fail(f"invalid pid: {v}")
                    target = int(v)
            command = next((v for c, v in self.opts if c == "c"), None)
            if command is not None:         # created now, run once tracing starts: $target is its pid
                import shlex
                argv = shlex.split(command)
                try:
                    self.command = (argv, self.host.spawn(argv))
                except Exception as e:      # SpawnError here, HostError from the daemon: Pcreate failed
                    if type(e).__name__ not in ("SpawnError", "HostError"):
                        raise
                    return self.fail(f"failed to execute {argv[0] if argv else ''}: {e}")
                target = self.command[1]
            script = next((v for c, v in self.opts if c == "s"), None)
            h = Handle(self.host, [script or "dtrace", *self.words], target, replay_since=self.replay_since)
        except DTraceError as e:
            return self.fail(f"failed to initialize dtrace: {e}")
        except Exception as e:   # HostUnavailable, HostError: the host cannot be reached
            if type(e).__name__ in ("HostUnavailable", "HostError", "ConnectionError", "OSError"):
                return self.fail(f"failed to initialize dtrace: {e}")
            raise
        self.h = h
        try:
            return self._run(h, modes, CompileError, Source, render, DTraceError, OptionError, TextOutput)
        finally:
            h.close()
            if self.command is not None:     # never run (dtrace failed first): it goes too
                self.host.release(self.command[1])

    def _set(self, h, name, value, shown, OptionError) -> str | None:
        try:
            h.options.set(name, value)
            if name == "strsize":
                h.env.string.size = h.options["strsize"]
        except OptionError as e:
            return f"failed to set -{shown}: {e}"
        return None

    def _run(self, h, modes, CompileError, Source, render, DTraceError, OptionError, TextOutput) -> int:
        listing = "l" in modes
        flag_opts = {"q": "quiet", "w": "destructive", "Z": "zdefs", "F": "flowindent", "S": "verbose",
                     "C": "cpp"}
        for c, v in self.opts:
            msg = None
            if c in flag_opts:
                msg = self._set(h, flag_opts[c], None if h.options.values.get(flag_opts[c]) is False
                                and c in "ZCS" else "", c, OptionError)
            elif c == "b":
                msg = self._set(h, "bufsize", v, f"b {v}", OptionError)
            elif c == "x":
                name, eq, val = v.partition("=")
                msg = self._set(h, name, val if eq else None, f"x {v}", OptionError)
            elif c == "o":
                try:
                    self.out = open(v, "a")
                except OSError as e:
                    return self.fail(f"failed to open output file '{v}': {e.strerror}")
            if msg is not None:
                return self.fail(msg)
        if listing:
            h.options.values["zdefs"] = True
        terminal = self.err.isatty()
        programs = []
        for c, v in self.opts:
            if c not in _PROGRAM_OPTS:
                continue
            if c == "s":
                try:
                    with open(v) as f:
                        text = f.read()
                except OSError as e:
                    return self.fail(f"failed to open {v}: {e.strerror}")
                from .libdtrace.cpp import CppError
                try:
                    src = Source(self._preprocess(h, text), path=v)
                except CppError as e:
                    self.err.write(e.stderr)
                    return self.fail(f"failed to compile script {v}: {e}")
                kind = "n"
            else:
                src = Source(v if c != "i" or not v.strip().isdigit() else v, arg=v)
                kind = c
            try:
                prog = self._compile(h, src, kind)
            except CompileError as e:
                self.err.write(render(e.diag, src, h.options["errtags"], terminal))
                return 1
            except DTraceError as e:
                return self.fail(f"failed to compile: {e}")
            programs.append((c, v, prog))
            if h.options["verbose"]:
                import json
                self.err.write(json.dumps(prog.ir, indent=1) + "\n")
        unused = h.unused_macro()
        if unused is not None and programs:
            c, v, prog = programs[-1]
            from .libdtrace.errors import Diagnostic
            d = Diagnostic("D_MACRO_UNUSED", f"extraneous argument '{unused[1]}' (${unused[0]} is not referenced)")
            self.err.write(render(d, prog.source, h.options["errtags"], False))
            return 1
        if h.options["json"]:
            from .libdtrace.jsonout import JSONOutput as TextOutput   # noqa: N806  (the same interface)
        out = TextOutput(self.out, self.err, h.options, h.symbolize)
        h.out = out
        if listing:
            return self.list_probes(h, programs, out)
        if self.explain:
            return self.explain_programs(h, programs)
        if any(c == "e" for c, _ in self.opts):
            return 0
        for c, v, prog in programs:
            try:
                n = h.enable(prog)
            except DTraceError as e:
                return self.fail(f"failed to enable '{v}': {e}")
            what = f"script '{v}'" if c == "s" else f"description '{_desc_text(v)}'"
            out.notice(f"{what} matched {n} probe{'' if n == 1 else 's'}")
            if any(o == "v" for o, _ in self.opts):
                self.stability(v if c == "s" else None)
        try:
            h.go()
        except DTraceError as e:
            return self.fail(f"could not enable tracing: {e}")
        if h.options["destructive"]:
            out.notice("allowing destructive actions")
        return self.loop(h, out)

    def _compile(self, h, src, kind):
        """Compile one program; --explain keeps its typed tree to walk."""
        if self.explain:
            from .libdtrace.explain import compile_with_tree
            return compile_with_tree(h, src, kind)
        return h.compile(src, kind)

    def explain_programs(self, h, programs) -> int:
        """--explain: what each compiled program would do, on stdout; nothing is enabled."""
        import shlex
        from .libdtrace.explain import explain_programs

        described = []
        for c, v, prog in programs:
            notice = f"script '{v}'" if c == "s" else f"description '{_desc_text(v)}'"
            described.append((f"-{c} {shlex.quote(v)}", notice, prog))
        explain_programs(self.out, described, h.options)
        return 0

    def _preprocess(self, h, text: str) -> str:
        """``-C``: the script through cpp(1) with -D/-U/-I; raises CppError."""
        if not h.options["cpp"]:
            return text
        from .libdtrace.cpp import preprocess
        return preprocess(text, [(c, v) for c, v in self.opts if c in "DUI"])

    def stability(self, script: str | None) -> None:
        name = f"script {script}" if script else "description"
        self.out.write(f"\nStability attributes for {name}:\n\n\tMinimum Probe Description Attributes\n"
                       "\t\tIdentifier Names: Unstable\n\t\tData Semantics:   Unstable\n\t\tDependency Class: Common\n\n"
                       "\tMinimum Statement Attributes\n\t\tIdentifier Names: Stable\n\t\tData Semantics:   Stable\n"
                       "\t\tDependency Class: Common\n\n")

    def list_probes(self, h, programs, out) -> int:
        verbose = any(c == "v" for c, _ in self.opts)
        out.write("%5s %10s %17s %33s %s\n" % ("ID", "PROVIDER", "MODULE", "FUNCTION", "NAME"))
        if not programs:
            probes = h.match(["", "", "", ""])
            for p in probes:
                self.list_row(h, p, out, verbose)
            return 0
        for c, v, prog in programs:
            for clause in prog.ir["clauses"]:
                for fields, ids in zip(clause["descs"], clause["ids"]):
                    if not ids:
                        out.error(f"failed to match {':'.join(fields)}: No probe matches description")
                    for pid in ids:
                        self.list_row(h, h.probe(pid), out, verbose)
        return 0

    def list_row(self, h, p, out, verbose) -> None:
        out.write("%5d %10s %17s %33s %s\n" % (p["id"], p["provider"], p["module"], p["function"], p["name"]))
        if not verbose:
            return
        args = h.probe_args(p["id"])
        lines = ["", "\tProbe Description Attributes", "\t\tIdentifier Names: Private",
                 "\t\tData Semantics:   Private", "\t\tDependency Class: Unknown", "", "\tArgument Attributes",
                 "\t\tIdentifier Names: Private", "\t\tData Semantics:   Private", "\t\tDependency Class: ISA", "",
                 "\tArgument Types"]
        # A translated argument ("proc_t * => psinfo_t *") is listed as the type D sees.
        lines += [f"\t\targs[{i}]: {t.split('=>')[-1].strip()}" for i, t in enumerate(args)] or ["\t\tNone"]
        out.write("\n".join(lines) + "\n\n")

    # -- the consumer loop -------------------------------------------------------------------

    def _on_signal(self, signum, frame) -> None:
        self.intr += 1
        if self.intr > 1:
            raise KeyboardInterrupt

    def _sleep(self, seconds: float) -> None:
        """Sleep until the next switch, as dtrace_sleep does, but wake at once on Ctrl-C."""
        end = time.monotonic() + seconds
        while not self.intr:
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.02))

    def loop(self, h, out) -> int:
        command = next((v for c, v in self.opts if c == "c"), None)
        handlers = {}
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                handlers[sig] = signal.signal(sig, self._on_signal)
            except ValueError:   # not the main thread: no signal handling
                pass
        live = getattr(self.host, "live_clock", False)
        first = True
        command_done = False
        newline = False
        last_agg = 0.0
        try:
            while True:
                interval = h.options["switchrate"]
                if self.replay_since is not None:
                    if not self.intr and not h.done:      # the past goes by as fast as it replays
                        self.replay_done = h.replay_step()
                elif not first and not self.intr and not h.done:
                    if live:
                        self._sleep(interval / 1e9)
                    else:
                        self.host.advance(interval)
                first = False
                if command is not None and not command_done:
                    self.run_command(out)
                    command_done = True
                if self.intr and not newline:
                    out.write("\n")
                    newline = True
                stopping = bool(self.intr) or h.done or command_done or self.replay_done
                if stopping:
                    h.stop()
                h.consume(out)
                if h.done and not stopping:
                    h.stop()
                    h.consume(out)
                    stopping = True
                out.flush()
                now = time.monotonic()
                if now - last_agg >= h.options["aggrate"] / 1e9:
                    h.snapshot()
                    last_agg = now
                if stopping:
                    break
            out.write("\n")
            h.snapshot()
            h.print_all_aggs(out)
            out.flush()
        except KeyboardInterrupt:
            return h.exit_status or 0
        finally:
            for sig, old in handlers.items():
                signal.signal(sig, old)
        return h.exit_status if h.exit_status is not None else 0

    def run_command(self, out) -> None:
        """Run the -c command (its process was made before compiling) and say when it has exited."""
        argv, pid = self.command
        self.command = None
        out.flush()
        res = self.host.run(argv, "", pid)
        self.out.write(res.stdout)
        self.err.write(res.stderr)
        out.notice(f"pid {pid} has exited" if res.rc == 0 else f"pid {pid} exited with status {res.rc}")
