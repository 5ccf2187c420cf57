"""The ``kdebug`` command: one entry point, one subcommand per tool.

Each tool lives in its own module with a ``main(argv) -> int`` and is
imported only when it runs, so ``kdebug dtrace ...`` never pays for mdb's
REPL or the other way round.  Tools parse their own options (they take the
real tools' options, which argparse cannot express for dtrace or mdb).
"""

from __future__ import annotations

import os
import sys

from . import __version__

# name -> (module with main(argv), one-line description, examples)
SUBCOMMANDS: dict[str, tuple[str | None, str, list[str]]] = {
    "mdb": ("kdebug.mdb.cli", "the modular debugger: read the kernel's memory, types and symbols",
            ["kdebug mdb -k", "echo hvm_excl_holder::print | kdebug mdb -k", "kdebug mdb emy-17"]),
    "dtrace": ("kdebug.dtrace.cli", "dynamic tracing: probes, D programs, aggregations",
               ["kdebug dtrace -n 'hvm_excl_*:entry { stack() }'", "kdebug dtrace -l -n 'fbt::zone*:entry'"]),
    "vmadm": ("kdebug.userland.vmadm", "manage the host's virtual machines (SmartOS vmadm)",
              ["kdebug vmadm list", "kdebug vmadm start 57409636-927a-cc7a-d744-e0f92b73f4e4"]),
    "host": ("kdebug.host.cli", "start, stop, reboot or dump the simulated host",
             ["kdebug host status", "kdebug host reboot --seed 3", "kdebug host dump /tmp/emy-17.kdump"]),
    "shell": ("kdebug.userland.shell", "a SmartOS root shell on the host ([root@emy-17 /root]#)",
              ["kdebug shell"]),
    "lab": ("kdebug.labs.cli", "guided labs: learn kernel debugging on the bhyve/kvm story",
            ["kdebug lab list", "kdebug lab start who-holds-the-lock"]),
    "flamegraph": ("kdebug.flamegraph", "draw folded stacks as an interactive SVG flame graph",
                   ["kdebug dtrace -q -x stackfmt=folded -n 'profile-97 { @[stack()] = count(); } "
                    "tick-5s { exit(0); }' | kdebug flamegraph > cpu.svg"]),
}

USAGE = "usage: kdebug [--version] [--help] COMMAND [ARGS...]"


def _overview() -> str:
    lines = [USAGE, "", "Learn illumos kernel debugging on a simulated SmartOS host.", "", "commands:"]
    for name, (_, desc, _ex) in SUBCOMMANDS.items():
        lines.append(f"  {name:<10} {desc}")
    lines += ["", "Run 'kdebug COMMAND --help' for a command's options and examples."]
    return "\n".join(lines) + "\n"


def _subcommand_help(name: str) -> str:
    _, desc, examples = SUBCOMMANDS[name]
    out = [f"usage: kdebug {name} [OPTIONS...]", "", desc[0].upper() + desc[1:] + ".", "", "examples:"]
    out += [f"  {e}" for e in examples]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    whole_process = argv is None          # run as the command, not called by a test or another tool
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        if not argv:
            sys.stderr.write(_overview())
            return 2
        sys.stdout.write(_overview())
        return 0
    if argv[0] in ("-V", "--version"):
        sys.stdout.write(f"kdebug {__version__}\n")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in SUBCOMMANDS:
        sys.stderr.write(f"kdebug: unknown command '{name}'\n{USAGE}\n")
        return 2
    if name == "dtrace" and whole_process:
        # A host that is up keeps a warm dtrace beside it (kdebug/host/zygote.py).
        from .host.zygote import run_through_zygote
        status = run_through_zygote(argv)
        if status is not None:
            return status
    module, _, _ = SUBCOMMANDS[name]
    try:
        mod = __import__(module, fromlist=["main"]) if module else None
    except ModuleNotFoundError as e:
        if e.name is None or not module.startswith(e.name):
            raise
        mod = None
    if mod is None or not hasattr(mod, "main"):
        if rest[:1] == ["--help"]:
            sys.stdout.write(_subcommand_help(name))
            return 0
        sys.stderr.write(f"kdebug {name}: not yet available\n")
        return 2
    try:
        return int(mod.main(rest) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, as the real tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
