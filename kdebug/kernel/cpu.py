"""CPUs (genunix cpu.c, i86pc mp_startup.c).

CPU 0's ``cpu_t`` is the static ``cpus[0]`` in unix; the others are
allocated as the host brings them up.  All are on the ``cpu_list`` ring
(``cpu_next``/``cpu_prev``) and the ``cpu_active`` ring of online CPUs, and
``cpu[id]`` points at each.  Every CPU has a dispatcher queue (``disp_t``)
and an idle thread, which is what it runs when nothing else does.

C types: ``cpu_t *``, ``disp_t *``.
"""

from __future__ import annotations

from .text import KSource
from .thread import thread_create

__all__ = ["cpu_init", "for_each_cpu", "cpu_addr", "CPU_BRAND", "occupy", "occupant", "note_guest_entry",
           "USER_PC"]

# Where a thread busy in user mode is caught (a profile probe's arg1): somewhere in its text.
USER_PC = 0x4a8f90


def occupy(k, cpu: int, thread: int, until: int, user: bool, pcs=()) -> None:
    """CPU ``cpu`` runs ``thread`` until ``until`` (ns): in user mode, or in the kernel at the
    frames ``pcs`` (innermost first).  Events happen at instants in the simulation; this is how
    work that takes time (a vCPU's slice) is seen by what samples CPUs (profile probes).

    The thread's ``t_dtrace_vtime`` (DTrace's vtimestamp) is credited with the whole stretch
    now; :func:`vtime` takes off what is still to come.  A stretch cut short by the next one
    on the same CPU gives back what it did not run.
    """
    prev = occupant(k, cpu)
    if prev is not None:
        _add_vtime(k, prev[0], k.hrtime - prev[1])
    k.busy[cpu] = (thread, until, user, tuple(pcs))
    _add_vtime(k, thread, until - k.hrtime)


def _add_vtime(k, thread: int, ns: int) -> None:
    t = k.obj(thread, "kthread_t")
    t.t_dtrace_vtime = t.t_dtrace_vtime + ns


def vtime(k, thread: int, cpu: int) -> int:
    """Nanoseconds ``thread`` (running on ``cpu``) has been on a CPU: DTrace's vtimestamp."""
    vt = k.obj(thread, "kthread_t").t_dtrace_vtime
    o = occupant(k, cpu)
    if o is not None and o[0] == thread:
        vt -= o[1] - k.hrtime
    return vt


def occupant(k, cpu: int):
    """(thread, until, user, pcs) of what keeps ``cpu`` busy now, or None."""
    o = k.busy.get(cpu)
    return o if o is not None and k.hrtime < o[1] else None


def note_guest_entry(k, offset: int) -> None:
    """A vCPU thread enters its guest at ``offset`` in the running function: remember the frames,
    which are where a sample of its time in the guest finds it."""
    here = k.ctx.frames[-1].addr + offset
    k.guest_pcs[k.curthread] = [here] + k.ctx.stack()

CPU = KSource("genunix", "cpu.c", decls="""
    cpu_t *cpu[NCPU];
    cpu_t *cpu_list;
    cpu_t *cpu_active;
    int ncpus;
    int ncpus_online;
    cpuset_t cpu_ready_set;
    cpuset_t cpu_active_set;
    kmutex_t cpu_lock;
""", functions=[
    ("cpu_online", 0x1f0), ("cpu_offline", 0x4b4), ("cpu_poweron", 0x40), ("cpu_add_unit", 0x2a0),
    ("cpu_del_unit", 0x220), ("cpu_pause", 0x168), ("pause_cpus", 0x250), ("start_cpus", 0xe0),
    ("cpu_get", 0x40), ("cpu_is_online", 0x28), ("cpu_setstate", 0x90), ("cpu_intr_swtch_enter", 0x6c),
])

CPU_BRAND = "Intel(r) Xeon(r) CPU E5-2698 v4 @ 2.20GHz"
_FLAGS = 0x1b   # CPU_RUNNING | CPU_READY | CPU_EXISTS | CPU_ENABLE


def cpu_init(k, ncpus: int) -> None:
    """Bring up ``ncpus`` CPUs with their dispatch queues and idle threads."""
    cpu_t = k.types.lookup("cpu_t")
    disp_t = k.types.lookup("disp_t")
    p0 = k.sym_addr("p0")
    addrs = []
    for cid in range(ncpus):
        addr = k.sym_addr("cpus") if cid == 0 else k.kmem.kmem_alloc(cpu_t.size)
        addrs.append(addr)
    k.cpu_addrs = addrs
    brand = k.strdup(CPU_BRAND)
    cpu_array = k.var("cpu")
    for cid, addr in enumerate(addrs):
        c = k.obj(addr, cpu_t)
        c.cpu_id = cid
        c.cpu_seqid = cid
        c.cpu_flags = _FLAGS
        c.cpu_self = addr
        c.cpu_next = addrs[(cid + 1) % ncpus]
        c.cpu_prev = addrs[cid - 1]
        c.cpu_next_onln = addrs[(cid + 1) % ncpus]
        c.cpu_prev_onln = addrs[cid - 1]
        c.cpu_next_part = addrs[(cid + 1) % ncpus]
        c.cpu_prev_part = addrs[cid - 1]
        c.cpu_base_spl = 0
        c.cpu_dispatch_pri = -1
        c.cpu_last_swtch = 0
        disp = k.kmem.kmem_alloc(disp_t.size)
        d = k.obj(disp, disp_t)
        d.disp_cpu = addr
        d.disp_maxrunpri = -1
        d.disp_max_unbound_pri = -1
        d.disp_npri = 170
        c.cpu_disp = disp
        chip = (cid // (ncpus // 2)) % 2 if ncpus >= 2 else 0
        c.cpu_idstr = k.strdup(f"x86 (chipid {chip:#x} GenuineIntel 406F1 family 6 model 79 step 1 clock 2200 MHz)")
        c.cpu_brandstr = brand
        k.mem.write_u64(cpu_array.addr + 8 * cid, addr)
    for cid, addr in enumerate(addrs):
        c = k.obj(addr, cpu_t)
        idle = thread_create(k, "idle", p0, k.constants["TS_ONPROC"], pri=-1, stack="idle")
        it = k.obj(idle, "kthread_t")
        it.t_cpu = addr
        it.t_bound_cpu = addr
        it.t_disp_queue = c.cpu_disp
        c.cpu_idle_thread = idle
        c.cpu_thread = idle
        c.cpu_dispthread = idle
        pause = thread_create(k, "cpu_pause", p0, k.constants["TS_SLEEP"], pri=127, stack="cpu_pause")
        k.obj(pause, "kthread_t").t_bound_cpu = addr
        c.cpu_pause_thread = pause
    k.var("cpu_list").set(addrs[0])
    k.var("cpu_active").set(addrs[0])
    k.var("ncpus").set(ncpus)
    k.var("ncpus_online").set(ncpus)
    k.var("max_ncpus").set(256)
    for name in ("cpu_ready_set", "cpu_active_set"):
        words = k.var(name).member("cpub")
        for cid in range(ncpus):
            a = words.addr + 8 * (cid // 64)
            k.mem.write_u64(a, k.mem.read_u64(a) | (1 << (cid % 64)))


def cpu_addr(k, cid: int) -> int:
    """The ``cpu_t *`` of CPU ``cid``."""
    return k.cpu_addrs[cid]


def for_each_cpu(k):
    """Every ``cpu_t *`` around the ``cpu_list`` ring."""
    cpu_t = k.types.lookup("cpu_t")
    head = k.var("cpu_list").value()
    c = head
    while True:
        yield c
        c = k.obj(c, cpu_t).cpu_next
        if c == head or c == 0:
            return
