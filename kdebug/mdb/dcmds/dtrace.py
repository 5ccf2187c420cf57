"""``::dtrace``: run a dtrace one-liner against the live host this mdb reads, output inline.

kdebug's addition, so that one session can both read and trace the kernel:
``::dtrace -n 'hvm_excl_*:entry { stack() }' -c "vmadm start UUID"``.  The
arguments are dtrace(1M)'s; the output is what ``kdebug dtrace`` would print.
Ctrl-C ends the tracing (and the aggregations print), as in dtrace.  A crash
dump has nothing to trace.
"""

from __future__ import annotations

import contextlib

from ..registry import ERR, OK, USAGE, dcmd

_HELP = (
    "Runs dtrace(1M) with the given options against the live host that this\n"
    "mdb is reading (kdebug mdb -k), and prints its output here.  Quote the\n"
    "D program as you would in a shell.  Examples:\n\n"
    "  ::dtrace -qn 'BEGIN { printf(\"%s\\n\", stringof(`hvm_excl_holder)); exit(0); }'\n"
    "  ::dtrace -n 'hvm_excl_*:entry { stack() }' -c 'vmadm start 79062669-e229-e55d-960d-9b18d0fed8d0'\n")


class _Lines:
    """A file-like object for dtrace's output, written straight to mdb's stream."""

    def __init__(self, emit):
        self.emit = emit

    def write(self, text: str) -> int:
        if text:
            self.emit(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@dcmd("dtrace", "[dtrace options...]", "run a dtrace(1M) one-liner on the live host (kdebug)", module="dtrace",
      help=_HELP)
def cmd_dtrace(c) -> int:
    m = c.m
    if c.has_addr:
        m.warn("dtrace state buffers are not kept by this target\n")
        return ERR
    if not c.args:
        return USAGE
    host = getattr(m.k, "host", None)
    if host is None or not m.target.live:
        m.warn("::dtrace needs the live host (kdebug mdb -k)\n")
        return ERR
    from ...dtrace.cli import main as dtrace_main
    # mdb's own streams follow sys.stdout, which dtrace's run redirects: hold the real ones.
    m.out.nlflush()
    real_out, real_err = m.stdout, m.stderr
    out, err = _Lines(real_out.write), _Lines(real_err.write)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = dtrace_main([str(a) for a in c.args], host=host)
    return OK if status == 0 else ERR
