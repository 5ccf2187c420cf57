"""DTrace's costs: disabled probes, an enabled fbt probe's firing, and the dtrace command's start-up.

- ``dtrace-disabled-probes``: a kernel workload (a loop of kernel function calls in a module of the benchmark's own)
  on a host where every fbt entry probe was enabled and disabled again,
  against the same workload on a host that never had a probe enabled.
  Zero disabled-probe effect means a ratio of 1 (target 1.01).
- ``dtrace-fbt-firing``: ``fbt:::entry { @[probefunc] = count(); }`` on the
  same workload: the cost of one firing, against the cost per call of a
  ``sys.setprofile`` hook that only counts calls (target 1.0).
- ``dtrace-startup``: ``kdebug dtrace -n 'BEGIN { exit(0); }'`` with the host
  daemon already up, against ``python3 -c pass`` (target 4); the command runs in
  a worker forked from the host's warm dtrace (kdebug/host/zygote.py).
- ``dtrace-startup-no-zygote``: the same with ``KDEBUG_NO_ZYGOTE=1`` (context).
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
import tempfile
import time

from .common import Result, _env, benchmark, run_python

def _bench_module():
    """A module of this benchmark's own (``dtbench``): a loop calling a leaf function, so that
    the workload is kernel function calls and nothing else."""
    from kdebug.kernel.text import KSource

    src = KSource("dtbench", "dtbench.c", decls="""
        int dtbench_loop(int n);
        int dtbench_leaf(int i);
    """, functions=[("dtbench_loop", 0x40), ("dtbench_leaf", 0x10)])

    @src.impl
    def dtbench_loop(k, n):
        for i in range(n):
            k.call(dtbench_leaf, i, at=0x1b)
        return n

    @src.impl
    def dtbench_leaf(k, i):
        return i
    return dtbench_loop


_LOOP = None


def _machine():
    """A default host with dtbench loaded (as a module loaded after boot)."""
    global _LOOP
    from kdebug.host.machine import Machine
    from kdebug.kernel.modctl import ModuleDef, link_modctl, load_module

    if _LOOP is None:
        _LOOP = _bench_module()
    m = Machine()
    k = m.kernel
    base = 0xfffffffff8600000
    mod = load_module(k, ModuleDef("dtbench", "/kernel/drv/amd64/dtbench", "dtrace benchmark", base,
                                   base + 0x1000, boot=False), max(x.id for x in k.symtab.modules) + 1)
    link_modctl(k, mod)
    return m


def _workload(m, calls: int) -> float:
    """Seconds for ``dtbench_loop(calls)`` on CPU 0: ``calls`` kernel function calls."""
    k = m.kernel
    t0 = k.sym_addr("t0")
    gc.collect()
    gc.disable()                     # as timeit does: collections land on whichever run they like
    try:
        start = time.perf_counter()
        k.enter(t0, 0, _LOOP, calls)
        return time.perf_counter() - start
    finally:
        gc.enable()


def _enable(m, program: str):
    """Enable ``program`` on ``m`` through libdtrace in this process; returns the handle."""
    from kdebug.dtrace.libdtrace.errors import Source
    from kdebug.dtrace.libdtrace.handle import Handle
    from kdebug.host.client import InProcessHost

    h = Handle(InProcessHost(m))
    h.enable(h.compile(Source(program, arg=program)))
    h.go()
    return h


def _best_alternating(fns, repeat: int) -> list[float]:
    """Best time of each of ``fns``, run in turn ``repeat`` times (noise hits all alike)."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            best[i] = min(best[i], fn())
    return best


@benchmark("dtrace-disabled-probes")
def disabled_probes(quick: bool) -> Result:
    """Host B before any probe was enabled and after every fbt probe was enabled and disabled,
    each time beside host A that never had one (so that the two hosts' own difference cancels):
    subject B-after/A, baseline B-before/A."""
    calls, repeat = (1000, 2) if quick else (30_000, 61)
    a, b = _machine(), _machine()
    _workload(a, 10), _workload(b, 10)
    t_a1, t_before = _best_alternating([lambda: _workload(a, calls), lambda: _workload(b, calls)], repeat)
    h = _enable(b, "fbt:::entry, fbt:::return { }")
    _workload(b, 10)
    h.stop()
    h.close()
    t_a2, t_after = _best_alternating([lambda: _workload(a, calls), lambda: _workload(b, calls)], repeat)
    return Result("dtrace-disabled-probes", t_after / t_a2, t_before / t_a1, "before any enabling", target=1.01,
                  unit="x host A",
                  note=f"{calls} kernel function calls; every fbt entry and return probe enabled, then disabled")


@benchmark("dtrace-fbt-firing")
def fbt_firing(quick: bool) -> Result:
    """Per firing: (time with the probes enabled - time after they are disabled) / firings, on one
    host, against (time under a counting sys.setprofile hook - time without) / calls counted."""
    calls, repeat = (5000, 3) if quick else (20_000, 31)
    m = _machine()
    _workload(m, 10)
    counted = [0]

    def counting(frame, event, arg):
        if event == "call":
            counted[0] += 1

    def traced():
        h = _enable(m, "fbt:::entry { @[probefunc] = count(); }")
        try:
            t = _workload(m, calls)
            traced.firings = _firings(h)
            return t
        finally:
            h.stop()
            h.close()

    def profiled():
        counted[0] = 0
        sys.setprofile(counting)
        try:
            return _workload(m, calls)
        finally:
            sys.setprofile(None)

    t_plain, t_traced, t_prof = _best_alternating([lambda: _workload(m, calls), traced, profiled], repeat)
    per_firing = (t_traced - t_plain) / traced.firings
    per_call = (t_prof - t_plain) / counted[0]
    return Result("dtrace-fbt-firing", per_firing, per_call, "sys.setprofile counting hook, per call",
                  target=1.0, note=f"{traced.firings} firings and {counted[0]} profiled calls in "
                                   f"{calls} kernel function calls")


def _firings(h) -> int:
    """Total of the count() aggregation so far."""
    h.snapshot()
    return sum(h.aggs.data.get(0, {}).values())


def _startup(quick: bool, zygote: bool) -> tuple[float, float]:
    n = 3 if quick else 15
    with tempfile.TemporaryDirectory() as d:
        home = os.path.join(d, "home")
        env = dict(_env(), KDEBUG_HOME=home)
        if not zygote:
            env["KDEBUG_NO_ZYGOTE"] = "1"
        argv = [sys.executable, "-m", "kdebug", "dtrace", "-n", "BEGIN { exit(0); }"]

        def dtrace():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, env=env)
            return time.perf_counter() - start

        def python():
            start = time.perf_counter()
            run_python("pass")
            return time.perf_counter() - start

        try:
            dtrace()                                   # starts the daemon, fills the caches
            deadline = time.monotonic() + 30
            while zygote and not os.path.exists(os.path.join(home, "zygote.sock")) and time.monotonic() < deadline:
                time.sleep(0.05)                       # the host's warm dtrace is getting ready
            return _best_alternating([dtrace, python], n)
        finally:
            with contextlib.redirect_stderr(io.StringIO()):
                subprocess.run([sys.executable, "-m", "kdebug", "host", "stop"], capture_output=True, env=env)


@benchmark("dtrace-startup")
def startup(quick: bool) -> Result:
    t_dtrace, t_python = _startup(quick, zygote=True)
    return Result("dtrace-startup", t_dtrace, t_python, "python -c pass", target=4.0,
                  note="the host up, with its warm dtrace (zygote)")


@benchmark("dtrace-startup-no-zygote")
def startup_no_zygote(quick: bool) -> Result:
    t_dtrace, t_python = _startup(quick, zygote=False)
    return Result("dtrace-startup-no-zygote", t_dtrace, t_python, "python -c pass", target=None,
                  note="KDEBUG_NO_ZYGOTE=1: every import paid by the command")
