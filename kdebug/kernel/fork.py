"""Process creation: fork, exec, sessions and new lwps (genunix fork.c, exec.c, pgrpsys.c, lwp.c;
declared with proc.c in :mod:`kdebug.kernel.proc` and thread.c in :mod:`kdebug.kernel.thread`).

A new process is a copy of its parent made by ``forksys`` → ``cfork``
(``getproc`` makes the ``proc_t``; the child has one lwp, the copy of the
caller's, and the parent's name, zone and credentials).  The child first runs
at ``lwp_rtt_initial`` (unix) and becomes a program of its own with ``exece``
→ ``exec_common``, which looks the file up, copies the arguments in
(``exec_args``: ``u_psargs``, ``u_argc``) and names the process after the
file (``u_comm``).  ``pgrpsys`` (setsid) puts it in a new session; more lwps
come from ``syslwp_create`` → ``lwp_create``, each starting at ``lwp_rtt``.

The proc provider's probes are here, as DTRACE_PROC sites: create (in the
parent), start and lwp-start (in the child), exec, exec-failure and
exec-success, lwp-create.

The files a process can exec are those of :data:`EXECUTABLES` (path →
nothing; registered by the programs of the simulated userland).

C types: ``proc_t *``, ``kthread_t *``, ``klwp_t *``.
"""

from __future__ import annotations

from .driver import EINVAL, ENAMETOOLONG, ENOENT, EPERM, copyinstr
from .machdep import SyscallError
from .proc import MAXCOMLEN, PROC, PSARGSZ, curproc, new_session, pid_of, proc_create
from .thread import THREAD, lwp_thread_create

__all__ = ["EXECUTABLES", "SETSID", "forksys", "exece", "pgrpsys", "syslwp_create"]

EXECUTABLES: set[str] = set()
SETSID = 3                     # pgrpsys(SETSID, ...): setsid(2)
_ARG_MAX = 4096                # how much of argv exec_args reads, at most


# -- fork.c ---------------------------------------------------------------------

@PROC.impl
def forksys(k, subcode, flags):
    """int forksys(int subcode, int flags): fork1 (subcode 0) and its kin; the child's pid."""
    if subcode not in (0, 1, 2):
        raise SyscallError(EINVAL)
    return k.call(cfork, 0, 1, flags, at=0x5f)


@PROC.impl
def cfork(k, isvfork, isfork1, flags):
    """int cfork(int isvfork, int isfork1, int flags): a copy of the calling process, with one lwp."""
    child = k.call(getproc, at=0x1b3)
    k.sdt("__proc_create", child)             # DTRACE_PROC1(create, proc_t *, cp): proc:::create
    return pid_of(k, child)


@PROC.impl
def getproc(k):
    """proc_t *getproc(...): the child's proc_t, pid and lwp: the parent's name, arguments, zone, uid."""
    parent = curproc(k)
    p = k.obj(parent, "proc_t")
    u = p.member("p_user")
    uid = k.obj(p.p_cred, "cred_t").cr_uid
    return proc_create(k, k.var("mpid").value() + 1, parent, u.member("u_comm").string(),
                       u.member("u_psargs").string(), zone=p.p_zone, uid=uid, nlwps=1,
                       model_lp64=p.p_model == k.constants["DATAMODEL_LP64"], start_ticks=k.lbolt)


# -- exec.c ---------------------------------------------------------------------

@PROC.impl
def exece(k, fname, argp, envp):
    """int exece(const char *fname, const char **argp, const char **envp): the exec system call."""
    return k.call(exec_common, fname, argp, envp, 0, at=0x27)


@PROC.impl
def exec_common(k, fname, argp, envp, brandaction):
    """int exec_common(const char *fname, const char **argp, const char **envp, int brandaction).

    The path is copied into a kernel buffer, which proc:::exec sees; a file
    that is not there fails with ENOENT (proc:::exec-failure).
    """
    path = copyinstr(k, fname, k.constants["MAXPATHLEN"])
    if path is None:
        raise SyscallError(ENAMETOOLONG)
    buf = k.kmem.kmem_alloc(len(path) + 1)
    k.mem.write(buf, path.encode("latin-1") + b"\0")
    try:
        k.sdt("__proc_exec", buf)             # DTRACE_PROC1(exec, char *, exec_file)
        if path not in EXECUTABLES:
            k.sdt("__proc_exec__failure", ENOENT)
            raise SyscallError(ENOENT)
        k.call(exec_args, argp, path, at=0x3e1)
    finally:
        k.kmem.kmem_free(buf)
    k.sdt("__proc_exec__success")
    return 0


@PROC.impl
def exec_args(k, argp, path):
    """int exec_args(...): the new image's arguments into ``u_psargs``/``u_argc``; ``u_comm`` from the file."""
    args = []
    size = 0
    while argp and size < _ARG_MAX:
        a = k.mem.read_u64(argp + 8 * len(args))
        if a == 0:
            break
        arg = copyinstr(k, a, _ARG_MAX) or ""
        args.append(arg)
        size += len(arg) + 1
    u = k.obj(curproc(k), "proc_t").member("p_user")
    u.u_comm = path.rsplit("/", 1)[-1][:MAXCOMLEN]
    u.u_psargs = " ".join(args)[:PSARGSZ - 1]
    u.u_argc = len(args)
    return 0


# -- pgrpsys.c ----------------------------------------------------------------------

@PROC.impl
def pgrpsys(k, flag, pid, pgid):
    """int pgrpsys(int flag, pid_t pid, pid_t pgid): setsid (SETSID) makes the caller lead a new session."""
    if flag != SETSID:
        raise SyscallError(EINVAL)
    p = k.obj(curproc(k), "proc_t")
    if p.p_pgidp == p.p_pidp:
        raise SyscallError(EPERM)             # already a process group leader
    k.call(sess_create, at=0x10b)
    return pid_of(k, curproc(k))


@PROC.impl
def sess_create(k):
    """void sess_create(void): a new session and process group, led by the caller."""
    p = k.obj(curproc(k), "proc_t")
    p.p_sessp = new_session(k, p.p_pidp)
    p.p_pgidp = p.p_pidp


# -- lwp.c -------------------------------------------------------------------------

@THREAD.impl
def syslwp_create(k, ucp, flags, new_lwp):
    """int syslwp_create(ucontext_t *ucp, int flags, id_t *new_lwp): another lwp in the caller's process."""
    p = curproc(k)
    lwp = k.call(lwp_create, 0, 0, 0, p, k.constants["TS_STOPPED"], 59, 0, 1, 0, at=0x1a7)
    tid = k.obj(k.obj(lwp, "klwp_t").lwp_thread, "kthread_t").t_tid
    if new_lwp:
        k.mem.write(new_lwp, tid.to_bytes(4, "little"))
    return 0


@THREAD.impl
def lwp_create(k, proc, arg, len_, p, state, pri, smask, cid, lwpid):
    """klwp_t *lwp_create(...): a new lwp and its thread in ``p``, numbered from ``p_lwpid``."""
    o = k.obj(p, "proc_t")
    o.p_lwpid = o.p_lwpid + 1
    t = lwp_thread_create(k, p, o.p_lwpid, state, pri=pri)
    k.sdt("__proc_lwp__create", t, p)         # DTRACE_PROC2(lwp__create, kthread_t *, t, proc_t *, p)
    return k.obj(t, "kthread_t").t_lwp
