"""Start-up costs: importing the kernel package, and booting the default host in-process."""

from __future__ import annotations

from .common import Result, benchmark, best_of, run_python, warm


@benchmark("import-kernel")
def import_kernel(quick: bool) -> Result:
    """``python -c 'import kdebug.kernel'`` against ``python -c pass``."""
    n = 3 if quick else 15
    warm("import kdebug.kernel")
    base = best_of(lambda: run_python("pass"), n)
    subj = best_of(lambda: run_python("import kdebug.kernel"), n)
    return Result("import-kernel", subj, base, "python -c pass", target=2.0)


@benchmark("boot-default-host")
def boot_default_host(quick: bool) -> Result:
    """Booting emy-17 in a fresh interpreter against ``python -c pass``."""
    n = 2 if quick else 7
    warm("from kdebug.kernel.boot import boot; boot()")
    base = best_of(lambda: run_python("pass"), n)
    subj = best_of(lambda: run_python("from kdebug.kernel.boot import boot; boot()"), n)
    return Result("boot-default-host", subj, base, "python -c pass", target=None,
                  note="issue 2 asks for well under a second in absolute terms")


@benchmark("mdb-startup")
def mdb_startup(quick: bool) -> Result:
    """``echo ::status | kdebug mdb emy-17`` (the shipped dump) against ``python -c pass``."""
    import subprocess
    import sys
    import time

    from .common import _env

    n = 3 if quick else 15
    argv = [sys.executable, "-m", "kdebug", "mdb", "emy-17"]

    def mdb():
        subprocess.run(argv, input="::status\n", capture_output=True, text=True, check=True, env=_env())

    mdb()
    base = best_of(lambda: run_python("pass"), n)
    subj = best_of(mdb, n)
    return Result("mdb-startup", subj, base, "python -c pass", target=None)


_D_LINES = """
fbt::{f}:entry
/execname != "sched" && arg0 > {i}/
{{
	self->ts[{i}] = timestamp;
	@calls[probefunc, execname] = count();
	@lat["{f}"] = quantize(arg0 & 0xffff);
	printf("%s %d %s\\n", probefunc, pid, stringof(curthread->t_procp->p_user.u_comm));
}}
"""


@benchmark("d-compile-200-lines")
def d_compile(quick: bool) -> Result:
    """Compiling a 200-line D script (25 clauses on kernel functions), against parsing it alone."""
    from kdebug.dtrace.libdtrace.errors import Source
    from kdebug.dtrace.libdtrace.handle import Handle
    from kdebug.dtrace.libdtrace.parser import parse
    from kdebug.host.client import InProcessHost
    from kdebug.host.machine import Machine

    host = InProcessHost(Machine())
    funcs = ["ioctl", "fop_ioctl", "cdev_ioctl", "spec_ioctl", "zone_create", "zone_destroy", "kmem_alloc",
             "kmem_free", "hvm_excl_hold", "hvm_excl_rele", "proc_exit", "exit", "closeall", "getf", "releasef",
             "thread_create", "cv_wait", "swtch", "idle", "cfork", "exec_common", "copen", "vn_openat", "fop_open",
             "fop_close"]
    text = "#pragma D option quiet\n" + "".join(_D_LINES.format(f=f, i=i) for i, f in enumerate(funcs))
    assert 190 <= text.count("\n") <= 230
    n = 2 if quick else 9

    def compile_once():
        h = Handle(host)
        h.compile(Source(text, path="bench.d"))
        h.close()

    compile_once()
    subj = best_of(compile_once, n)
    base = best_of(lambda: parse(text, lambda name: False), n)
    return Result("d-compile-200-lines", subj, base, "parse only", target=None,
                  note=f"{text.count(chr(10))} lines, {len(funcs)} clauses")
