"""Kernel threads (genunix thread.c, disp.c, condvar.c, taskq.c, lwp_sobj.c).

Every thread is a ``kthread_t`` on the ``allthreads`` ring (``t_next`` /
``t_prev``, starting at ``t0``).  A kernel thread's ``kthread_t`` is carved
from the top of its segkp stack, as ``thread_create`` does when given no
stack; an lwp's comes from ``thread_cache`` and its stack from segkp.

A thread that is not running has its kernel stack in memory: ``t_pcb``
holds the saved pc (``_resume_from_idle+0xf4``), stack pointer and frame
pointer, and from there a chain of frames (saved frame pointer, return
address) leads to ``thread_start`` or the system call entry, as on amd64.
:func:`set_stack` writes such a chain; :func:`stack_frames` reads it.

C types: ``kthread_t *`` throughout.
"""

from __future__ import annotations

import zlib

from .machdep import RESUME_PC, SYSCALL_RETURN, THREAD_START_RETURN
from .text import KSource

__all__ = ["thread_create", "lwp_thread_create", "set_stack", "write_stack", "stack_frames", "for_each_thread",
           "interrupted", "SLEEP_STACKS", "DEFAULTSTKSZ"]

DEFAULTSTKSZ = 0x5000          # amd64 kernel stack: 5 pages
_REDZONE = 0x1000

THREAD = KSource("genunix", "thread.c", decls="""
    kthread_t *allthreads;
    int nthread;
    kt_did_t next_t_id;
    kthread_t *thread_create(caddr_t stk, size_t stksize, void (*proc)(void), void *arg, size_t len,
        struct proc *pp, int state, pri_t pri);
    void thread_exit(void);
""", functions=[
    ("thread_init", 0x2d0), ("thread_create", 0x2b8), ("thread_exit", 0x84), ("thread_free", 0x1b0),
    ("thread_reaper", 0xa4), ("thread_join", 0x88), ("thread_rele", 0x54), ("lwp_create", 0x6f4),
    ("lwp_exit", 0x1a0), ("lwp_hash_in", 0x1b0), ("syslwp_create", 0x2a0), ("lwp_park", 0x1c4),
    ("syslwp_park", 0x80), ("lwp_unpark", 0x9c), ("installctx", 0x90), ("savectx", 0x60),
], sdt=[("lwp_create", "__proc_lwp__create"), ("lwp_exit", "__proc_lwp__exit")])

DISP = KSource("unix", "disp.c", decls="""
    void swtch(void);
    void idle(void);
""", functions=[
    ("disp_init", 0x160), ("disp_anywork", 0x90), ("idle", 0x11c), ("preempt", 0x120),
    ("setbackdq", 0x310), ("setfrontdq", 0x2a8), ("setkpdq", 0x190), ("disp", 0x2f0),
    ("swtch", 0x1b4), ("swtch_from_zombie", 0xb0), ("swtch_to", 0x90), ("disp_lock_enter", 0x28),
    ("disp_lock_exit", 0x34), ("cpu_dispatch", 0x110), ("disp_getwork", 0x270),
])

CONDVAR = KSource("genunix", "condvar.c", decls="""
    void cv_wait(kcondvar_t *cvp, kmutex_t *mp);
    int cv_wait_sig(kcondvar_t *cvp, kmutex_t *mp);
    void cv_signal(kcondvar_t *cvp);
    void cv_broadcast(kcondvar_t *cvp);
""", functions=[
    ("cv_init", 0x10), ("cv_destroy", 0x34), ("cv_block", 0xe4), ("cv_wait", 0x80),
    ("cv_timedwait_hires", 0x168), ("cv_timedwait", 0x60), ("cv_reltimedwait", 0x80),
    ("cv_wait_sig", 0xf8), ("cv_timedwait_sig_hires", 0x1d4), ("cv_timedwait_sig_hrtime", 0x50),
    ("cv_reltimedwait_sig", 0x60), ("cv_wait_sig_swap_core", 0x1e4), ("cv_wait_sig_swap", 0x20),
    ("cv_waituntil_sig", 0xe8), ("cv_signal", 0x98), ("cv_broadcast", 0x74),
    ("cv_wait_stop", 0x160), ("cv_has_waiters", 0x10),
])

TASKQ = KSource("genunix", "taskq.c", functions=[
    ("taskq_create", 0x60), ("taskq_create_instance", 0x68), ("taskq_create_proc", 0x64),
    ("taskq_create_common", 0x4b0), ("taskq_destroy", 0x2b0), ("taskq_dispatch", 0x148),
    ("taskq_dispatch_ent", 0xc4), ("taskq_wait", 0x70), ("taskq_thread_wait", 0xd4),
    ("taskq_thread", 0x4a8), ("taskq_d_thread", 0x238), ("taskq_member", 0x34),
])

SLEEP = KSource("genunix", "sleep.c", functions=[
    ("pollsys", 0x104), ("poll_common", 0x590), ("door_return", 0x4c8), ("doorfs", 0x1f8),
    ("doorfs32", 0x1f8), ("waitid", 0x2c4), ("waitsys", 0x40), ("sigsuspend", 0x10c),
    ("nanosleep", 0x1d4), ("sigtimedwait", 0x228), ("read", 0x10), ("pread", 0x1c0),
    ("portfs", 0x2d0), ("port_getn", 0x650), ("schedctl_block", 0x2c), ("fsflush", 0x3b0),
    ("pageout", 0x1f4), ("pageout_scanner", 0x408), ("sched", 0x3c8), ("callout_execute", 0x70),
    ("zthread_create", 0x128), ("zsched", 0x3b0), ("sema_p", 0x26c), ("sema_v", 0xd0),
])

# Saved stacks of sleeping threads, innermost first: (function, return offset).
_SWTCH = ("swtch", 0x141)
SLEEP_STACKS = {
    "taskq": [_SWTCH, ("cv_wait", 0x70), ("taskq_thread_wait", 0xbe), ("taskq_thread", 0x37c),
              ("thread_start", THREAD_START_RETURN)],
    "taskq_d": [_SWTCH, ("cv_timedwait_hires", 0x116), ("cv_reltimedwait", 0x4f),
                ("taskq_d_thread", 0x1ae), ("thread_start", THREAD_START_RETURN)],
    "sched": [_SWTCH, ("cv_wait", 0x70), ("sched", 0x3a5)],
    "pageout": [_SWTCH, ("cv_wait", 0x70), ("pageout", 0x1d1), ("thread_start", THREAD_START_RETURN)],
    "pageout_scanner": [_SWTCH, ("cv_timedwait_hires", 0xda), ("cv_reltimedwait", 0x4f),
                        ("pageout_scanner", 0x1ff), ("thread_start", THREAD_START_RETURN)],
    "fsflush": [_SWTCH, ("cv_wait", 0x70), ("fsflush", 0x2f1), ("thread_start", THREAD_START_RETURN)],
    "thread_reaper": [_SWTCH, ("cv_wait", 0x70), ("thread_reaper", 0x8a),
                      ("thread_start", THREAD_START_RETURN)],
    "zsched": [_SWTCH, ("cv_wait", 0x70), ("zsched", 0x2e3), ("thread_start", THREAD_START_RETURN)],
    "lwp_park": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
                 ("cv_waituntil_sig", 0xbd), ("lwp_park", 0x15e), ("syslwp_park", 0x63),
                 ("sys_syscall", SYSCALL_RETURN)],
    "pollsys": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
                ("cv_timedwait_sig_hrtime", 0x35), ("poll_common", 0x48d), ("pollsys", 0xe3),
                ("sys_syscall", SYSCALL_RETURN)],
    "door_return": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
                    ("door_return", 0x23a), ("doorfs32", 0x1c8), ("sys_syscall", SYSCALL_RETURN)],
    "waitid": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
               ("waitid", 0x24d), ("waitsys", 0x27), ("sys_syscall", SYSCALL_RETURN)],
    "sigsuspend": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
                   ("sigsuspend", 0xd7), ("sys_syscall", SYSCALL_RETURN)],
    "sigtimedwait": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
                     ("cv_waituntil_sig", 0xbd), ("sigtimedwait", 0x1dc), ("sys_syscall", SYSCALL_RETURN)],
    "nanosleep": [_SWTCH, ("cv_timedwait_sig_hires", 0x1c9), ("cv_waituntil_sig", 0x8a),
                  ("nanosleep", 0x1bf), ("sys_syscall", SYSCALL_RETURN)],
    "portfs": [_SWTCH, ("cv_wait_sig_swap_core", 0x1b9), ("cv_wait_sig_swap", 0x17),
               ("cv_waituntil_sig", 0xbd), ("port_getn", 0x39f), ("portfs", 0x1c0),
               ("sys_syscall", SYSCALL_RETURN)],
    "idle": [("cpu_idle_mwait", 0x109), ("idle", 0xa7), ("thread_start", THREAD_START_RETURN)],
    "cpu_pause": [_SWTCH, ("sema_p", 0x1f5), ("cpu_pause", 0x135), ("thread_start", THREAD_START_RETURN)],
}

# Where the saved pc of a switched-out thread points, when not in _resume_from_idle.
SLEEP_PCS = {"idle": ("i86_mwait", 0xd)}


def _frame_size(pc: int) -> int:
    # A stable, plausible frame size per call site (16-aligned, 0x30..0x100).
    return 0x30 + (zlib.crc32(pc.to_bytes(8, "little")) % 14) * 0x10


def _kthread_t(k):
    return k.types.lookup("kthread_t")


def _segkp_alloc(k, size: int) -> int:
    """A stack from segkp: a red zone page, then ``size`` mapped bytes; returns the base."""
    base = k.segkp_next + _REDZONE
    k.mem.map(base, size, "segkp stack")
    k.segkp_next = base + size
    return base


def _link_allthreads(k, t: int) -> None:
    kt = _kthread_t(k)
    head = k.sym_addr("t0")
    if t == head:
        k.obj(t, kt).t_next = t
        k.obj(t, kt).t_prev = t
    else:
        h = k.obj(head, kt)
        last = h.t_prev
        o = k.obj(t, kt)
        o.t_next = head
        o.t_prev = last
        k.obj(last, kt).t_next = t
        h.t_prev = t
    k.var("nthread").set(k.var("nthread").value() + 1)


def _init_thread(k, t: int, proc: int, state: int, pri: int, startpc: int, stkbase: int, stk: int) -> None:
    o = k.obj(t, _kthread_t(k))
    did = k.var("next_t_id").value() + 1
    k.var("next_t_id").set(did)
    o.t_did = did
    o.t_procp = proc
    o.t_state = state
    o.t_pri = pri
    o.t_startpc = startpc
    o.t_stkbase = stkbase
    o.t_stk = stk
    o.t_cpu = k.cpu_addrs[0] if k.cpu_addrs else k.sym_addr("cpus")
    o.t_bind_cpu = -1
    o.t_schedflag = k.constants["TS_LOAD"] | k.constants["TS_DONT_SWAP"]
    o.t_lbolt = k.lbolt


def thread_create(k, start: str, proc: int, state: int, pri: int = 60, name: str | None = None,
                  stack: str | None = None, at: int | None = None) -> int:
    """A kernel thread running ``start`` (a function name) in process ``proc``.

    Its ``kthread_t`` is carved from the top of a new segkp stack.  If
    ``stack`` names one of :data:`SLEEP_STACKS`, the thread is left asleep
    there.  ``at`` places the thread at a given address (``t0``).
    """
    kt = _kthread_t(k)
    if at is None:
        stkbase = _segkp_alloc(k, DEFAULTSTKSZ)
        top = stkbase + DEFAULTSTKSZ
        t = (top - kt.size) & ~0xf
        stk = t - 0x10
    else:
        stkbase = _segkp_alloc(k, DEFAULTSTKSZ)
        t = at
        stk = stkbase + DEFAULTSTKSZ - 0x10
    _init_thread(k, t, proc, state, pri, k.sym_addr(start), stkbase, stk)
    o = k.obj(t, kt)
    o.t_flag = 0
    o.t_proc_flag = 0
    if name is not None:
        o.t_name = k.strdup(name)
    _link_allthreads(k, t)
    _add_to_proc(k, proc, t)
    if stack is not None:
        pc = SLEEP_PCS.get(stack)
        set_stack(k, t, SLEEP_STACKS[stack], None if pc is None else k.sym_addr(pc[0]) + pc[1])
    return t


def lwp_thread_create(k, proc: int, tid: int, state: int, stack: str | None = None, pri: int = 59) -> int:
    """A user process's lwp: ``kthread_t`` from thread_cache, ``klwp_t`` from lwp_cache."""
    kt = _kthread_t(k)
    t = k.kmem.alloc(k.kmem.caches["thread_cache"])
    lwp = k.kmem.alloc(k.kmem.caches["lwp_cache"])
    stkbase = _segkp_alloc(k, DEFAULTSTKSZ)
    _init_thread(k, t, proc, state, pri, 0, stkbase, stkbase + DEFAULTSTKSZ - 0x10)
    o = k.obj(t, kt)
    o.t_lwp = lwp
    o.t_tid = tid
    o.t_cid = 1          # TS (timeshare) class
    o.t_cred = k.obj(proc, "proc_t").p_cred
    lw = k.obj(lwp, "klwp_t")
    lw.lwp_thread = t
    lw.lwp_procp = proc
    _link_allthreads(k, t)
    _add_to_proc(k, proc, t)
    if stack is not None:
        set_stack(k, t, SLEEP_STACKS[stack])
    return t


def _add_to_proc(k, proc: int, t: int) -> None:
    """Put ``t`` on its process's ``p_tlist`` ring (t_forw / t_back)."""
    p = k.obj(proc, "proc_t")
    kt = _kthread_t(k)
    o = k.obj(t, kt)
    first = p.p_tlist
    if first == 0:
        p.p_tlist = t
        o.t_forw = t
        o.t_back = t
    else:
        f = k.obj(first, kt)
        last = f.t_back
        o.t_forw = first
        o.t_back = last
        k.obj(last, kt).t_forw = t
        f.t_back = t
    p.p_lwpcnt = p.p_lwpcnt + 1


def set_stack(k, t: int, frames: list[tuple[str, int]], pc: int | None = None) -> None:
    """Leave thread ``t`` switched out with the call chain ``frames`` (innermost first).

    ``frames`` are (function, return offset); ``pc`` is the saved program
    counter (default ``_resume_from_idle+0xf4``).
    """
    if pc is None:
        pc = k.sym_addr("_resume_from_idle") + RESUME_PC
    write_stack(k, t, [k.sym_addr(name) + off for name, off in frames], pc)


def write_stack(k, t: int, pcs: list[int], pc: int) -> list[int]:
    """Write the chain of return addresses ``pcs`` (innermost first) as ``t``'s saved stack.

    The chain goes below ``t_stk`` as amd64 frames: at each frame pointer
    the caller's frame pointer, above it the return address; ``t_pcb``
    holds the saved pc, stack pointer and frame pointer.  Returns the frame
    pointers, innermost first.
    """
    o = k.obj(t, _kthread_t(k))
    mem = k.mem
    # fps[i] is the frame of the function whose pc is pcs[i-1] (fps[0]: where pc runs),
    # laid out from the top of the stack down, the outermost frame highest.
    sizes = [0x40] + [_frame_size(ret) for ret in pcs]
    fps = []
    fp = o.t_stk
    for size in reversed(sizes):
        fp -= size
        fps.append(fp)
    fps.reverse()
    for i, fp in enumerate(fps):
        nxt = fps[i + 1] if i + 1 < len(fps) else 0
        ret = pcs[i] if i < len(pcs) else 0
        mem.write_u64(fp, nxt)
        mem.write_u64(fp + 8, ret)
    pcb = o.member("t_pcb")
    mem.write_u64(pcb.addr + 0, pc)        # val[0]: pc
    mem.write_u64(pcb.addr + 8, fps[0])    # val[1]: sp
    mem.write_u64(pcb.addr + 16, fps[0])   # val[2]: rbp
    return fps


def stack_frames(k, t: int, limit: int = 64) -> list[tuple[int, int]]:
    """(frame pointer, pc) of each frame of switched-out thread ``t``, innermost first."""
    o = k.obj(t, _kthread_t(k))
    pcb = o.member("t_pcb").addr
    mem = k.mem
    pc = mem.read_u64(pcb)
    fp = mem.read_u64(pcb + 8)
    out = []
    while fp and len(out) < limit:
        out.append((fp, pc))
        nxt = mem.read_u64(fp)
        pc = mem.read_u64(fp + 8)
        if not pc or nxt <= fp:
            break
        fp = nxt
    return out


def interrupted(k, cpu: int):
    """An :class:`~kdebug.kernel.text.ExecContext` for what CPU ``cpu`` is doing when an
    interrupt (a profile tick) arrives: its ``cpu_thread`` at the thread's saved pc.

    Nothing of the simulation runs between events, so that thread is where it
    last stopped (an idle CPU's idle thread in ``i86_mwait``).  The context's
    innermost return address is that pc, then the thread's saved frames, as a
    stack taken at the interrupt reads them.  Returns None if the CPU has no thread.
    """
    off = k.__dict__.get("_cpu_thread_offset")
    if off is None:
        off = k._cpu_thread_offset = k.types.lookup("cpu_t").member("cpu_thread").offset
    t = k.mem.read_u64(k.cpu_addrs[cpu] + off)
    return _Interrupted(k, t, cpu) if t else None


class _Interrupted:
    """An ExecContext whose stack is read from the thread's saved frames only when asked for
    (a profile probe's stack() or caller): most firings never look."""

    __slots__ = ("_k", "thread", "cpu", "frames", "_returns")

    def __init__(self, k, thread: int, cpu: int):
        self._k, self.thread, self.cpu, self.frames, self._returns = k, thread, cpu, [], None

    @property
    def pc(self) -> int:
        """The saved pc (``t_pcb``'s first word): where the thread is stopped."""
        k = self._k
        off = k.__dict__.get("_t_pcb_offset")
        if off is None:
            off = k._t_pcb_offset = _kthread_t(k).member("t_pcb").offset
        return k.mem.read_u64(self.thread + off)

    @property
    def returns(self) -> list[int]:
        if self._returns is None:
            self._returns = [pc for _, pc in stack_frames(self._k, self.thread)][::-1]
        return self._returns

    def stack(self, depth: int | None = None) -> list[int]:
        pcs = self.returns[::-1]
        return pcs if depth is None else pcs[:depth]


def for_each_thread(k):
    """Every ``kthread_t *``, from ``t0`` around the ``allthreads`` ring."""
    kt = _kthread_t(k)
    head = k.sym_addr("t0")
    t = head
    n = 0
    while True:
        yield t
        t = k.obj(t, kt).t_next
        n += 1
        if t == head or t == 0 or n > 10_000_000:
            return
