"""Processes (genunix proc.c, pid.c, fork.c, exit.c, exec.c).

A process is a ``proc_t`` (``p0`` is static in unix; the rest come from
``process_cache``) with a ``struct pid`` for its process id, process-group
and session ``struct pid``s, a ``cred_t``, its ``user_t`` (``u_comm``,
``u_psargs``) and its lwps on ``p_tlist``.  The process tree runs through
``p_parent``/``p_child``/``p_sibling``, newest child first, which is the
order mdb's ``proc`` walker shows; ``practive`` lists every process, newest
first.

C types: ``proc_t *``, ``struct pid *``, ``cred_t *``.
"""

from __future__ import annotations

from .text import KSource
from .thread import lwp_thread_create, thread_create

__all__ = ["proc_create", "proc_init", "curproc", "home_cpu", "new_session", "in_user_memory",
           "user_segment_name", "for_each_proc", "proc_by_pid", "pid_of", "MAXCOMLEN", "PSARGSZ"]

MAXCOMLEN = 16
PSARGSZ = 80

PROC = KSource("genunix", "proc.c", decls="""
    proc_t *practive;
    proc_t *proc_init;
    proc_t *proc_pageout;
    proc_t *proc_fsflush;
    proc_t *proc_sched;
    pid_t mpid;
    int nproc;
    int maxpid;
    struct pid pid0;
    struct cred *kcred;
    kmutex_t pidlock;
""", functions=[
    ("pid_assign", 0x1c8), ("pid_lookup", 0x54), ("pid_rele", 0xc0), ("prfind", 0x4c),
    ("prfind_zone", 0x60), ("pgfind", 0x44), ("sprlock", 0x90), ("sprunlock", 0x74),
    ("cfork", 0x904), ("forksys", 0xe4), ("getproc", 0x7e0), ("proc_exit", 0x9bc),
    ("exit", 0x24), ("rexit", 0x1c), ("exec_common", 0x9e0), ("exece", 0x2c), ("exec_args", 0x4c8),
    ("sigsendproc", 0x110), ("sigtoproc", 0x2b0), ("psig", 0x5a8), ("issig", 0x68),
    ("crget", 0x44), ("crfree", 0x80), ("crdup", 0x74), ("pgrpsys", 0x1b8), ("sess_create", 0xd4),
], sdt=[("proc_exit", "__proc_lwp__exit"), ("proc_exit", "__proc_exit"), ("cfork", "__proc_create"),
        ("exec_common", "__proc_exec"), ("exec_common", "__proc_exec__failure"), ("exec_common", "__proc_exec__success"),
        ("sigtoproc", "__proc_signal__send")])

# p_flag values seen on real SmartOS processes.
FLAG_SYS = 0x00000001            # SSYS
FLAG_SYS_NOWAIT = 0x00020001     # SSYS | SNOWAIT
FLAG_INIT = 0x4a004000           # SNOCD | SMSACCT | SEXECED | ...
FLAG_USER = 0x4a014000           # as init, plus SJCTL


def _new_pid(k, pid: int) -> int:
    """A ``struct pid`` for ``pid`` (``pid0`` for 0)."""
    if pid == 0:
        addr = k.sym_addr("pid0")
    else:
        addr = k.kmem.alloc(k.kmem.caches["pid_cache"])
    p = k.obj(addr, "struct pid")
    p.pid_id = pid
    p.pid_ref = 1
    p.pid_prslot = pid % 4096
    return addr


def _cred(k, uid: int, zone: int) -> int:
    addr = k.kmem.alloc(k.kmem.caches["cred_cache"])
    c = k.obj(addr, "cred_t")
    c.cr_ref = 1
    for f in ("cr_uid", "cr_ruid", "cr_suid"):
        setattr(c, f, uid)
    for f in ("cr_gid", "cr_rgid", "cr_sgid"):
        setattr(c, f, 0 if uid == 0 else uid)
    c.cr_zone = zone
    return addr


def proc_create(k, pid: int, parent: int, comm: str, psargs: str | None = None, *,
                zone: int | None = None, uid: int = 0, flag: int = FLAG_USER,
                nlwps: int = 1, stacks: list[str] | None = None, pgid: int | None = None,
                sid: int | None = None, model_lp64: bool = True, start_ticks: int = 0) -> int:
    """Create process ``pid`` (``comm`` is u_comm, cut to 16 characters) as a child of ``parent``.

    ``stacks`` names the sleep stack of each lwp (default: all in
    ``lwp_park``).  ``pgid``/``sid`` default to the parent's (or the pid for
    a leader).  Returns the ``proc_t *``.
    """
    proc_t = k.types.lookup("proc_t")
    if pid == 0:
        addr = k.sym_addr("p0")
    else:
        addr = k.kmem.alloc(k.kmem.caches["process_cache"])
    p = k.obj(addr, proc_t)
    if zone is None:
        zone = k.sym_addr("zone0")
    p.p_pidp = _new_pid(k, pid)
    p.p_stat = k.constants["SRUN"]
    p.p_flag = flag
    p.p_model = k.constants["DATAMODEL_LP64"] if model_lp64 else k.constants["DATAMODEL_ILP32"]
    p.p_zone = zone
    p.p_cred = k.var("kcred").value() if uid == 0 and flag & FLAG_SYS else _cred(k, uid, zone)
    p.p_lockp = 0
    u = p.member("p_user")
    u.u_comm = comm[:MAXCOMLEN]
    u.u_psargs = (psargs if psargs is not None else comm)[:PSARGSZ - 1]
    u.u_argc = len((psargs or comm).split())
    u.u_ticks = start_ticks
    start = u.member("u_start")
    start.tv_sec = k.boot_time + start_ticks // k.HZ
    start.tv_nsec = (start_ticks % k.HZ) * (1_000_000_000 // k.HZ)
    # Session and process group.
    if parent and pid != 0:
        pp = k.obj(parent, proc_t)
        p.p_ppid = k.obj(pp.p_pidp, "struct pid").pid_id
        parent_pg = pp.p_pgidp
        parent_sess = pp.p_sessp
    else:
        p.p_ppid = 0
        parent_pg = parent_sess = 0
    if pgid is None and parent_pg:
        p.p_pgidp = parent_pg
    else:
        p.p_pgidp = p.p_pidp if pgid in (None, pid) else _new_pid(k, pgid)
    if sid is None and parent_sess:
        p.p_sessp = parent_sess
    else:
        p.p_sessp = new_session(k, p.p_pidp if sid in (None, pid) else _new_pid(k, sid))
    # Family: the newest child comes first.
    p.p_parent = parent if pid != 0 else 0
    if parent and pid != 0:
        pp = k.obj(parent, proc_t)
        older = pp.p_child
        p.p_sibling = older
        if older:
            k.obj(older, proc_t).p_psibling = addr
        pp.p_child = addr
    # practive: newest first.
    head = k.var("practive")
    first = head.value()
    p.p_next = first
    if first:
        k.obj(first, proc_t).p_prev = addr
    head.set(addr)
    k.var("nproc").set(k.var("nproc").value() + 1)
    if pid > k.var("mpid").value():
        k.var("mpid").set(pid)
    # lwps
    stacks = stacks or ["lwp_park"] * nlwps
    p.p_lwpid = nlwps
    for i in range(nlwps):
        lwp_thread_create(k, addr, i + 1, k.constants["TS_SLEEP"], stack=stacks[i % len(stacks)])
    return addr


def new_session(k, sidp: int) -> int:
    """A ``sess_t`` led by the process whose ``struct pid`` is ``sidp``."""
    sess = k.kmem.kmem_alloc(k.types.lookup("sess_t").size)
    s = k.obj(sess, "sess_t")
    s.s_sidp = sidp
    s.s_ref = 1
    return sess


def user_segment_name(pid: int) -> str:
    """The name of process ``pid``'s user memory in the address space (its only user mapping)."""
    return f"user memory of pid {pid}"


def in_user_memory(k, proc: int, addr: int, size: int = 1) -> bool:
    """Are ``size`` bytes at ``addr`` in the user memory of ``proc`` (what copyin may read)?"""
    seg = k.mem.segment_at(addr)
    return (seg is not None and proc != 0 and seg.name == user_segment_name(pid_of(k, proc))
            and addr + size <= seg.end)


def home_cpu(k, pid: int) -> int:
    """The CPU process ``pid``'s threads run on here: spread by pid, always the same one."""
    return (pid * 7) % k.ncpus


def curproc(k) -> int:
    """``curproc``: the ``proc_t *`` of the running thread."""
    return k.obj(k.curthread, "kthread_t").t_procp


def proc_init(k) -> None:
    """``p0`` (sched) and its thread ``t0`` (with ``lwp0``); the kernel's credential ``kcred``."""
    kcred = _cred(k, 0, k.sym_addr("zone0"))
    k.var("kcred").set(kcred)
    p0 = proc_create(k, 0, 0, "sched", flag=FLAG_SYS, nlwps=0, stacks=["sched"])
    k.var("proc_sched").set(p0)
    t0 = thread_create(k, "sched", p0, k.constants["TS_SLEEP"], pri=96, stack="sched", at=k.sym_addr("t0"))
    t = k.obj(t0, "kthread_t")
    t.t_lwp = k.sym_addr("lwp0")
    t.t_tid = 1
    lwp = k.var("lwp0")
    lwp.lwp_thread = t0
    lwp.lwp_procp = p0
    k.var("allthreads").set(t0)


def pid_of(k, proc: int) -> int:
    """The process id of ``proc_t *proc`` (``p_pidp->pid_id``)."""
    return k.obj(k.obj(proc, "proc_t").p_pidp, "struct pid").pid_id


def for_each_proc(k):
    """Every ``proc_t *`` on ``practive``, newest first."""
    proc_t = k.types.lookup("proc_t")
    p = k.var("practive").value()
    n = 0
    while p and n < 1_000_000:
        yield p
        p = k.obj(p, proc_t).p_next
        n += 1


def proc_by_pid(k, pid: int) -> int | None:
    """The ``proc_t *`` of process ``pid``, or None."""
    for p in for_each_proc(k):
        if pid_of(k, p) == pid:
            return p
    return None
