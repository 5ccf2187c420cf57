"""Process exit (genunix exit.c, sig.c; declared with proc.c in :mod:`kdebug.kernel.proc`).

A process exits from its own thread: ``rexit`` (the exit system call) or
``psig`` (a fatal signal) calls ``exit``, which calls ``proc_exit``: the
descriptors are closed (``closeall``), the process becomes a zombie with its
wait status, and its parent reaps it: :func:`freeproc` takes it off
``practive`` and the process tree, frees its lwps (off ``allthreads``) and
its memory.  ``k.proc_exit_hooks`` are told of each exit before the reaping
(the userland simulation listens there).

Helpers: :func:`kill_proc` (send SIGKILL and let the process die),
:func:`exit_proc` (the process calls exit(2)), :func:`freeproc`.

C types: ``proc_t *``, ``kthread_t *``.
"""

from __future__ import annotations

from .machdep import sys_syscall, thread_start
from .proc import PROC, curproc, for_each_proc, home_cpu, pid_of
from .vnode import closeall

__all__ = ["kill_proc", "exit_proc", "freeproc", "CLD_EXITED", "CLD_KILLED", "SIGKILL"]

CLD_EXITED, CLD_KILLED = 1, 2
SIGKILL = 9


@PROC.impl
def rexit(k, rval):
    """void rexit(int rval): the exit system call."""
    k.call(exit, CLD_EXITED, rval, at=0x17)


@PROC.impl
def psig(k):
    """void psig(void): act on the pending signal; SIGKILL (SKILLED) means exit."""
    p = k.obj(curproc(k), "proc_t")
    if p.p_flag & k.constants["SKILLED"]:
        k.call(exit, CLD_KILLED, SIGKILL, at=0x3a5)


@PROC.impl
def exit(k, why, what):
    """void exit(int why, int what): ``proc_exit`` (the process is reaped after)."""
    k.call(proc_exit, why, what, at=0x1b)


@PROC.impl
def proc_exit(k, why, what):
    """int proc_exit(int why, int what): close everything, become a zombie for the parent.

    When the zone's init exits, its status is kept in ``zone_init_status``
    (zoneadmd decides what the zone does next).
    """
    pa = curproc(k)
    p = k.obj(pa, "proc_t")
    k.sdt("__proc_lwp__exit")                 # the last lwp goes with the process: proc:::lwp-exit
    k.sdt("__proc_exit", why)                 # DTRACE_PROC1(exit, int, why): proc:::exit
    p.p_flag = p.p_flag | k.constants["SEXITING"]
    k.call(closeall, 0, at=0x2c1)
    z = k.obj(p.p_zone, "zone_t")
    pid = k.obj(p.p_pidp, "struct pid").pid_id
    if z.zone_id != 0 and pid == z.zone_proc_initpid:
        z.zone_init_status = what if why == CLD_EXITED else 0x80 | what
        z.zone_proc_initpid = -1
    p.p_wcode = why
    p.p_wdata = what
    p.p_stat = k.constants["SZOMB"]
    return 0


def _thread_of(k, p: int) -> int:
    return k.obj(p, "proc_t").p_tlist


def _cpu_of(k, p: int) -> int:
    return home_cpu(k, pid_of(k, p))


def exit_proc(k, p: int, status: int, cpu: int | None = None) -> None:
    """Process ``p`` calls exit(``status``) from its first lwp and is reaped."""
    t = _thread_of(k, p)
    k.enter(t, _cpu_of(k, p) if cpu is None else cpu, sys_syscall, rexit, status)
    freeproc(k, p)


@PROC.impl
def sigtoproc(k, p, t, sig):
    """void sigtoproc(proc_t *p, kthread_t *t, int sig): post ``sig`` to ``p`` (SIGKILL: SKILLED)."""
    k.sdt("__proc_signal__send", t or _thread_of(k, p), p, sig)   # proc:::signal-send
    if sig == SIGKILL:
        o = k.obj(p, "proc_t")
        o.p_flag = o.p_flag | k.constants["SKILLED"]


def kill_proc(k, p: int, sig: int = SIGKILL) -> None:
    """Send ``sig`` (SIGKILL) to ``p``: it exits from its own thread and is reaped.

    Kernel code running for a thread (zone_shutdown) sends it with
    ``sigtoproc``; from outside the kernel it is simply posted.  A user
    process dies in ``psig`` on its way out of the kernel; a system process
    (zsched) has no user side and exits from its kernel thread.
    """
    if k.ctx is not None:
        k.call(sigtoproc, p, 0, sig, at=0x8b)
    else:
        o = k.obj(p, "proc_t")
        o.p_flag = o.p_flag | k.constants["SKILLED"]
    t = _thread_of(k, p)
    if t:
        if k.obj(t, "kthread_t").t_lwp:
            k.enter(t, _cpu_of(k, p), sys_syscall, psig)
        else:
            k.enter(t, _cpu_of(k, p), thread_start, exit, CLD_KILLED, sig)
    freeproc(k, p)


def _threads(k, p: int) -> list[int]:
    first = k.obj(p, "proc_t").p_tlist
    out = []
    t = first
    while t:
        out.append(t)
        t = k.obj(t, "kthread_t").t_forw
        if t == first:
            break
    return out


def _thread_free(k, t: int) -> None:
    """Take ``t`` off ``allthreads`` and free its kthread_t, lwp and stack."""
    k.user_stacks.pop(t, None)
    o = k.obj(t, "kthread_t")
    nxt, prv = o.t_next, o.t_prev
    k.obj(prv, "kthread_t").t_next = nxt
    k.obj(nxt, "kthread_t").t_prev = prv
    k.var("nthread").set(k.var("nthread").value() - 1)
    stkbase = o.t_stkbase
    lwp = o.t_lwp
    if lwp:
        k.kmem.free(k.kmem.caches["lwp_cache"], lwp)
        k.kmem.free(k.kmem.caches["thread_cache"], t)
    if stkbase:
        k.mem.unmap(stkbase)     # a kernel thread's kthread_t goes with its stack


def _referenced(k, pid_struct: int, skip: int) -> bool:
    for q in for_each_proc(k):
        if q == skip:
            continue
        o = k.obj(q, "proc_t")
        if pid_struct in (o.p_pidp, o.p_pgidp) or k.obj(o.p_sessp, "sess_t").s_sidp == pid_struct:
            return True
    return False


def freeproc(k, p: int) -> None:
    """Reap ``p``: exit hooks, then off ``practive`` and the tree; lwps and memory freed."""
    for hook in list(k.proc_exit_hooks):
        hook(k, p)
    proc_t = k.types.lookup("proc_t")
    o = k.obj(p, proc_t)
    for t in _threads(k, p):
        _thread_free(k, t)
    o.p_tlist = 0
    # Children go to init.
    init = k.var("proc_init").value()
    c = o.p_child
    while c:
        nxt = k.obj(c, proc_t).p_sibling
        co = k.obj(c, proc_t)
        co.p_parent = init
        co.p_ppid = 1
        io = k.obj(init, proc_t)
        co.p_sibling = io.p_child
        co.p_psibling = 0
        if io.p_child:
            k.obj(io.p_child, proc_t).p_psibling = c
        io.p_child = c
        c = nxt
    # Off the parent's list of children.
    parent = o.p_parent
    if parent:
        po = k.obj(parent, proc_t)
        if po.p_child == p:
            po.p_child = o.p_sibling
        if o.p_psibling:
            k.obj(o.p_psibling, proc_t).p_sibling = o.p_sibling
        if o.p_sibling:
            k.obj(o.p_sibling, proc_t).p_psibling = o.p_psibling
    # Off practive.
    if o.p_prev:
        k.obj(o.p_prev, proc_t).p_next = o.p_next
    else:
        k.var("practive").set(o.p_next)
    if o.p_next:
        k.obj(o.p_next, proc_t).p_prev = o.p_prev
    k.var("nproc").set(k.var("nproc").value() - 1)
    # Memory.
    sess = o.p_sessp
    pids = {o.p_pidp, o.p_pgidp, k.obj(sess, "sess_t").s_sidp}
    if not any(k.obj(q, proc_t).p_sessp == sess for q in _others(k, p)):
        k.kmem.kmem_free(sess)
    for pid_struct in sorted(pids):
        if not _referenced(k, pid_struct, p):
            k.kmem.free(k.kmem.caches["pid_cache"], pid_struct)
    cred = o.p_cred
    if cred and cred != k.var("kcred").value():
        k.kmem.free(k.kmem.caches["cred_cache"], cred)
    k.kmem.free(k.kmem.caches["process_cache"], p)


def _others(k, p: int):
    return [q for q in for_each_proc(k) if q != p]
