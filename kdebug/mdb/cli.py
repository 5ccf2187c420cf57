"""``kdebug mdb``: mdb's command line (illumos mdb_main.c).

    kdebug mdb -k                 the live host's kernel
    kdebug mdb FILE               a kernel dump (``*.kdump``)
    kdebug mdb NAME               the shipped dump NAME.kdump (when NAME is not a file)
    kdebug mdb -e 'CMD' TARGET    run CMD and exit with its status
    kdebug mdb --explain -e 'CMD' TARGET
                                  say what CMD would do, without running it (kdebug's ::explain)
    kdebug mdb --json -e 'CMD' TARGET
                                  each statement's result as a line of JSON (docs/json.md)

Commands come from ``-e``, from a terminal (the interactive prompt), or
from standard input otherwise (no banner or prompt; an error does not stop
the rest; exit 0 at end of input).
"""

from __future__ import annotations

import os
import sys

__all__ = ["main", "USAGE"]

USAGE = (
    "Usage: mdb [-fkmuwyAFKMSUW] [+/-o option] [-p pid] [-s dist] [-I path] [-L path]\n"
    "\t[-P prompt] [-R root] [-V dis-version] [-e expr] [object [core] | core | suffix]\n\n"
    "\t-e evaluate expr and return status\n"
    "\t-f force raw file debugging mode\n"
    "\t-k force kernel debugging mode\n"
    "\t-m disable demand-loading of module symbols\n"
    "\t-o set specified debugger option (+o to unset)\n"
    "\t-p attach to specified process-id\n"
    "\t-s set symbol matching distance\n"
    "\t-u force user program debugging mode\n"
    "\t-w enable write mode\n"
    "\t-y send terminal initialization sequences for tty mode\n"
    "\t-A disable automatic loading of mdb modules\n"
    "\t-F enable forcible takeover mode\n"
    "\t-K stop operating system and enter live kernel debugger\n"
    "\t-M preload all module symbols\n"
    "\t-I set initial path for macro files\n"
    "\t-L set initial path for module libs\n"
    "\t-P set command-line prompt\n"
    "\t-R set root directory for pathname expansion\n"
    "\t-S suppress processing of ~/.mdbrc file\n"
    "\t-U unload live kernel debugger\n"
    "\t-W enable I/O-mapped memory access (kernel only)\n"
    "\t-V set disassembler version\n")

_HELP = (
    "usage: kdebug mdb [mdb options] [-k | DUMP | NAME]\n\n"
    "The modular debugger on the simulated SmartOS kernel: read its memory,\n"
    "types and symbols as mdb -k does.\n\n"
    "examples:\n"
    "  kdebug mdb -k                                  the live host (started on first use)\n"
    "  echo hvm_excl_holder::print | kdebug mdb -k     who holds the HVM lock\n"
    "  kdebug mdb emy-17                              the shipped dump of the default host\n"
    "  kdebug mdb -e '::ps' /tmp/emy-17.kdump         one command, then exit\n"
    "  kdebug mdb --explain -e '::ps' emy-17          what ::ps shows, column by column\n"
    "  kdebug mdb --json -e '::ps' emy-17             ::ps as JSON (columns and typed rows)\n\n"
    "kdebug's additions: --explain says what each command (from -e, or each line of\n"
    "standard input) would do instead of running it, as ::explain does; --json prints\n"
    "each statement's result as one line of JSON (see docs/json.md).\n\n"
    "mdb's own options: kdebug mdb -?\n")

_OPTSTRING = "e:fkmo:p:s:uwyACD:FI:KL:MOP:R:SUV:W"


class _Fatal(Exception):
    def __init__(self, message: str, status: int = 1):
        self.message = message
        self.status = status


class _UsageExit(Exception):
    def __init__(self, status: int, message: str = ""):
        self.status = status
        self.message = message


def _getopt(argv: list[str]):
    """mdb's option loop: getopt, then one operand (or ``+o opt``), then getopt again."""
    opts: list[tuple[str, str | None]] = []
    operands: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            operands.extend(argv[i + 1:])
            break
        if arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                letter = arg[j]
                pos = _OPTSTRING.find(letter)
                if letter == "?":
                    raise _UsageExit(0)
                if pos < 0 or letter == ":":
                    raise _UsageExit(2, f"mdb: illegal option -- {letter}\n")
                if pos + 1 < len(_OPTSTRING) and _OPTSTRING[pos + 1] == ":":
                    if j + 1 < len(arg):
                        opts.append((letter, arg[j + 1:]))
                    elif i + 1 < len(argv):
                        i += 1
                        opts.append((letter, argv[i]))
                    else:
                        raise _UsageExit(2, f"mdb: option requires an argument -- {letter}\n")
                    break
                opts.append((letter, None))
                j += 1
            i += 1
            continue
        if arg[:1] == "+" and len(arg) == 2:
            if arg[1] != "o":
                raise _Fatal(f"mdb: illegal option -- {arg}\n", 2)
            if i + 1 >= len(argv):
                raise _Fatal(f"mdb: option requires an argument -- {arg}\n", 2)
            opts.append(("+o", argv[i + 1]))
            i += 2
            continue
        operands.append(arg)
        i += 1
    return opts, operands


def _set_options(options: dict, spec: str, enable: bool) -> None:
    """-o NAME[=VALUE][,...] and +o NAME."""
    for item in spec.split(","):
        name, eq, value = item.partition("=")
        if name not in options:
            raise _Fatal(f"mdb: invalid debugger option -- {name}\n", 2)
        current = options[name]
        if isinstance(current, bool):
            options[name] = enable
        elif not eq:
            raise _Fatal(f"mdb: option requires an argument -- {name}\n", 2)
        elif isinstance(current, int):
            try:
                options[name] = int(value, 0)
            except ValueError:
                raise _Fatal(f"mdb: invalid debugger option -- {item}\n", 2) from None
        else:
            options[name] = value


def _open_kernel(kernel_mode: bool, operands: list[str]):
    """The kernel to debug and its name for ::status (None when live)."""
    if not operands:
        if not kernel_mode:
            raise _UsageExit(2)
        from ..host.client import HostError, HostUnavailable, connect
        try:
            return connect().kernel(), None
        except (HostUnavailable, HostError, OSError) as e:
            raise _Fatal(f"mdb: failed to open live kernel: {e}\n") from None
    path = operands[-1]
    if len(operands) > 2:
        raise _UsageExit(2)
    from ..kernel.dump import DumpError, load
    from ..resources import fixture_path
    shown = path
    if not os.path.exists(path) and os.sep not in path:
        candidate = fixture_path(path if path.endswith(".kdump") else f"{path}.kdump")
        if candidate.exists():
            shown, path = candidate.name, str(candidate)
    try:
        return load(path), shown
    except DumpError as e:
        raise _Fatal(f"mdb: failed to open {e.path}: {e.reason}\n") from None


def main(argv: list[str]) -> int:
    if argv[:1] == ["--help"]:
        sys.stdout.write(_HELP)
        return 0
    head = argv[:argv.index("--") if "--" in argv else len(argv)]
    explain, as_json = "--explain" in head, "--json" in head
    argv = [a for a in head if a not in ("--explain", "--json")] + argv[len(head):]
    try:
        return _main(argv, explain, as_json)
    except _UsageExit as e:
        sys.stderr.write(e.message + USAGE)
        return e.status
    except _Fatal as e:
        sys.stderr.write(e.message)
        return e.status


def _main(argv: list[str], explain: bool = False, as_json: bool = False) -> int:
    from .session import OPTIONS

    opts, operands = _getopt(argv)
    options = dict(OPTIONS)
    expr = None
    kernel_mode = False
    writable = False
    prompt = None
    no_rc = False
    for letter, value in opts:
        if letter == "e":
            if expr is not None:
                raise _Fatal("mdb: -e already specified\n", 2)
            expr = value
        elif letter == "k":
            kernel_mode = True
        elif letter == "o":
            _set_options(options, value, True)
        elif letter == "+o":
            _set_options(options, value, False)
        elif letter == "w":
            writable = True
        elif letter == "P":
            prompt = value
        elif letter == "S":
            no_rc = True
        elif letter == "s" and not value.isdigit():
            raise _Fatal("mdb: expected integer following -s\n", 2)
        elif letter in "pu":
            raise _Fatal("mdb: only kernel targets can be debugged here (use -k or a dump)\n")
        elif letter in "KU":
            raise _Fatal("mdb: failed to open /dev/kmdb: No such file or directory\n")
        elif letter == "A":
            options["nomods"] = True
    k, name = _open_kernel(kernel_mode, operands)
    return _run(k, name, options, writable, prompt, no_rc, expr, explain, as_json)


def _run(k, name, options, writable, prompt, no_rc, expr, explain=False, as_json=False) -> int:
    from . import dcmds  # noqa: F401  (registers the dcmds and walkers)
    from .errors import Quit
    from .session import Mdb, Source
    from .target import KernelTarget
    from ..suggest import for_person

    interactive = (expr is None and not explain and not as_json and sys.stdin is not None
                   and sys.stdin.isatty())
    m = Mdb(KernelTarget(k, name, writable), err_is_tty=for_person(), out_is_tty=interactive,
            options=options)
    if prompt is not None:
        m.prompt = prompt
    if as_json:
        from .structured import Structured
        m.structured = Structured(sys.stdout.write)
    try:
        if not no_rc:
            _mdbrc(m)
        if explain:
            return _explain(m, expr)
        if expr is not None:
            ok = m.run_text(expr, Source("(string)", "string"))
            return 0 if ok and m.lastret == 0 else 1
        if interactive:
            from .repl import repl
            return repl(m)
        src = Source("(stdin)", "stream")
        for line in sys.stdin:
            m.run_line(line, src)
    except Quit:
        pass
    finally:
        sys.stdout.flush()
    return 0


def _explain(m, expr: str | None) -> int:
    """--explain: say what -e's command (or each line of standard input) would do; nothing runs."""
    from .explain import explain_text

    if expr is not None:
        return 0 if explain_text(m, expr) else 1
    for line in sys.stdin:
        explain_text(m, line)
    return 0


def _mdbrc(m) -> None:
    """Run ~/.mdbrc (mdb's startup file) unless -S was given."""
    from .session import Source

    home = os.environ.get("HOME")
    if not home:
        return
    path = os.path.join(home, ".mdbrc")
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return
    m.run_text(text, Source(path, "stream"))
