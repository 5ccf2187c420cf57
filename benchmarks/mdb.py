"""mdb on big hosts: a pipeline over every thread, and ::whatis among a million kmem buffers.

The hosts are built with the kernel's own APIs: threads with
``lwp_thread_create`` in one process, buffers with ``Kmem.alloc_full_slabs``.
Commands run in an mdb session in this process, output thrown away.
"""

from __future__ import annotations

import io

from .common import Result, benchmark, best_of


def _session(k):
    from kdebug.mdb import dcmds  # noqa: F401  (registers the dcmds)
    from kdebug.mdb.session import Mdb, Source
    from kdebug.mdb.target import KernelTarget

    m = Mdb(KernelTarget(k, "bench.kdump"), stdout=io.StringIO(), stderr=io.StringIO())
    return lambda text: m.run_line(text, Source("(stdin)", "stream"))


def _host_with_threads(n: int):
    from kdebug.kernel import proc, thread
    from kdebug.kernel.boot import boot

    k = boot()
    p = proc.proc_create(k, 9999, k.sym_addr("p0"), "threads", nlwps=0)
    sleep = k.constants["TS_SLEEP"]
    for tid in range(1, n + 1):
        thread.lwp_thread_create(k, p, tid, sleep)
    return k


@benchmark("mdb-walk-print-threads")
def walk_print_threads(quick: bool) -> Result:
    """``::walk thread | ::print kthread_t t_state`` over 100,000 threads, against reading the same
    t_state of each thread straight through the kernel API."""
    from kdebug.kernel.thread import for_each_thread

    n = 2_000 if quick else 100_000
    k = _host_with_threads(n)
    run = _session(k)
    repeat = 1 if quick else 3
    subj = best_of(lambda: run("::walk thread | ::print kthread_t t_state\n"), repeat)
    kt = k.types.lookup("kthread_t")
    base = best_of(lambda: [k.obj(t, kt).t_state for t in for_each_thread(k)], repeat)
    return Result("mdb-walk-print-threads", subj, base, "kernel API loop", target=None,
                  note=f"{n} threads; mdb parses each address the walk pipes and formats each value")


def _host_with_buffers(n: int):
    from kdebug.kernel.boot import boot

    k = boot()
    cache = k.kmem.caches["kmem_alloc_64"]
    bases = k.kmem.alloc_full_slabs(cache, -(-n // cache.chunks))
    return k, bases[len(bases) // 2] + 3 * cache.chunksize + 8


@benchmark("mdb-whatis-1m-buffers")
def whatis_million_buffers(quick: bool) -> Result:
    """``ADDR::whatis`` of a kmem buffer among 1,000,000 buffers, against the same among 1,000."""
    big_n = 50_000 if quick else 1_000_000
    repeat = 5 if quick else 50
    small, small_addr = _host_with_buffers(1_000)
    big, big_addr = _host_with_buffers(big_n)
    run_small, run_big = _session(small), _session(big)
    base = best_of(lambda: run_small(f"{small_addr:x}::whatis\n"), repeat)
    subj = best_of(lambda: run_big(f"{big_addr:x}::whatis\n"), repeat)
    return Result("mdb-whatis-1m-buffers", subj, base, "1,000 buffers", target=2.0,
                  note=f"{big_n} buffers in kmem_alloc_64; buffer_at is a binary search over slabs")
