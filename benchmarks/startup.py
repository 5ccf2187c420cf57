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
