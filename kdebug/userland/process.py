"""User processes: a ``proc_t`` in kernel memory, entered through system calls.

A :class:`Process` is the userland side of one process of the simulated
host: it was created in kernel memory (``proc_create``), its threads enter
the kernel through ``sys_syscall`` (:meth:`Process.syscall`), and its
arguments live in a page of user memory (:meth:`Process.ustr`) that the
kernel copies in.  When the kernel reaps the process (exit or SIGKILL), the
userland is told (``k.proc_exit_hooks``) and the Process is dead.
"""

from __future__ import annotations

from ..kernel import proc as kproc
from ..kernel.exit import exit_proc
from ..kernel.cpu import occupy
from ..kernel.fork import SETSID, exece, forksys, pgrpsys, syslwp_create
from ..kernel.machdep import SyscallError, lwp_rtt, lwp_rtt_initial, sys_syscall
from ..kernel.thread import SLEEP_STACKS, set_stack
from . import images

__all__ = ["Process", "spawn", "SyscallError", "strerror", "USER_PAGES"]

PAGESIZE = 0x1000
USER_PAGES = 2
# User memory: each process gets a scratch page pair for system-call
# arguments, below the 64-bit user stack top (just under kernelbase).
_USER_TOP = 0xfffffd7fff000000

_STRERROR = {1: "Not owner", 2: "No such file or directory", 5: "I/O error", 6: "No such device or address",
             9: "Bad file number", 16: "Device busy", 17: "File exists", 22: "Invalid argument",
             25: "Inappropriate ioctl for device", 78: "File name too long"}


def strerror(errno: int) -> str:
    """illumos libc's strerror() text."""
    return _STRERROR.get(errno, f"Unknown error {errno}")


class Process:
    """One user process; ``proc`` is its ``proc_t *``."""

    def __init__(self, k, proc: int, pid: int):
        self.k = k
        self.proc = proc
        self.pid = pid
        self.alive = True
        self.page = _USER_TOP - pid * USER_PAGES * PAGESIZE
        self._brk = 0
        self._user_ns = 0
        self._sys_ns = 0
        k.mem.map(self.page, USER_PAGES * PAGESIZE, kproc.user_segment_name(pid))
        self.on_exit: list = []
        self.exec_errno = 0             # set by spawn() when the exec failed

    def __repr__(self) -> str:
        return f"<Process {self.pid} {self.comm}>"

    @property
    def comm(self) -> str:
        return self.k.obj(self.proc, "proc_t").member("p_user").member("u_comm").string()

    @property
    def cpu(self) -> int:
        """The CPU this process's threads run on: spread by pid, always the same."""
        return kproc.home_cpu(self.k, self.pid)

    def thread(self, lwp: int = 0) -> int:
        """The ``kthread_t *`` of the process's ``lwp``-th lwp (0: the first)."""
        t = self.k.obj(self.proc, "proc_t").p_tlist
        for _ in range(lwp):
            t = self.k.obj(t, "kthread_t").t_forw
        return t

    # -- user memory ----------------------------------------------------------

    def ualloc(self, size: int) -> int:
        """``size`` zeroed bytes of user memory (the scratch area is reused round-robin)."""
        size = (size + 15) & ~15
        if self._brk + size > USER_PAGES * PAGESIZE:
            self._brk = 0
        addr = self.page + self._brk
        self._brk += size
        self.k.mem.write(addr, b"\0" * size)
        return addr

    def ustr(self, text: str) -> int:
        """A NUL-terminated copy of ``text`` in user memory; returns its address."""
        raw = text.encode() + b"\0"
        addr = self.ualloc(len(raw))
        self.k.mem.write(addr, raw)
        return addr

    # -- system calls ------------------------------------------------------------

    def syscall(self, handler, *args, lwp: int = 0, ustack: tuple | None = None) -> int:
        """Enter the kernel from lwp ``lwp``: ``handler(*args)``; SyscallError on failure.

        ``ustack`` is where in user code the call is made (innermost first, see
        :func:`images.frames`); by default, libc's stub called from the program's main().
        """
        t = self.thread(lwp)
        self.k.user_stacks[t] = ustack if ustack is not None else self._main_stack(handler)
        return self.k.enter(t, self.cpu, sys_syscall, handler, *args)

    def _main_stack(self, handler) -> tuple:
        image = images.image_for_comm(self.comm)
        stub = _LIBC_STUBS.get(self.k.kfuncs[handler].name, "syscall")
        if image is None:
            return images.frames((images.LIBC, stub, 0xa))
        return images.frames((images.LIBC, stub, 0xa), *((image, f, off) for f, off in image_main(image)))

    def exec(self, path: str, argv: list[str]) -> None:
        """exec(2) of the file ``path`` with arguments ``argv``; SyscallError if it fails."""
        raw = [a.encode() + b"\0" for a in [path, *argv]]
        vec = 8 * (len(argv) + 1)
        block = self.ualloc(vec + sum(len(r) for r in raw))     # one block: the scratch area wraps
        addrs, at = [], block + vec
        for r in raw:
            self.k.mem.write(at, r)
            addrs.append(at)
            at += len(r)
        self.k.mem.write(block, b"".join(a.to_bytes(8, "little") for a in [*addrs[1:], 0]))
        self.syscall(exece, addrs[0], block, 0)

    def exit(self, status: int) -> None:
        """exit(2): the process ends and is reaped."""
        exit_proc(self.k, self.proc, status, self.cpu)

    def account(self, user_ns: int, sys_ns: int, lwp: int = 0, ustack: tuple | None = None) -> None:
        """CPU time used by lwp ``lwp`` from now, in user and system mode: ``p_utime``/``p_stime``
        (clock ticks), and its CPU is busy meanwhile (in the kernel: where it last entered a guest;
        in user mode: at ``ustack``)."""
        t = self.thread(lwp)
        if ustack is not None:
            self.k.user_stacks[t] = ustack
        if user_ns:
            occupy(self.k, self.cpu, t, self.k.hrtime + user_ns, True)
        elif sys_ns:
            occupy(self.k, self.cpu, t, self.k.hrtime + sys_ns, False, self.k.guest_pcs.get(t, ()))
        self._user_ns += user_ns
        self._sys_ns += sys_ns
        p = self.k.obj(self.proc, "proc_t")
        tick = 1_000_000_000 // self.k.HZ
        p.p_utime = self._user_ns // tick
        p.p_stime = self._sys_ns // tick

    def reaped(self) -> None:
        """Called when the kernel reaps the process: its user memory goes away."""
        self.alive = False
        self.k.mem.unmap(self.page)
        for fn in list(self.on_exit):
            fn(self)


# The libc function each system call is made from (the stub's name, not the handler's).
_LIBC_STUBS = {"ioctl": "ioctl", "open": "open", "close": "close", "exece": "execve", "forksys": "__forkx",
               "syslwp_create": "_lwp_create", "pgrpsys": "setsid", "rexit": "_exit"}


def image_main(image) -> list[tuple[str, int]]:
    """Where a program's main thread calls from: main() under _start (when the image has them)."""
    return [(f, off) for f, off in (("main", 0x4e), ("_start", 0x6c)) if f in image.funcs]


def spawn(k, parent: int, path: str, argv: list[str], nlwps: int = 1, stacks: list[str] | None = None,
          setsid: bool = False) -> Process:
    """fork+exec, as the parent (``proc_t *parent``, a user process) does it: its first lwp forks,
    the child starts (``lwp_rtt_initial``), optionally leads a new session (``setsid``), execs
    ``path`` with ``argv`` and creates its other lwps, which then sleep in ``stacks`` (default
    ``lwp_park``).  If the exec fails the child is left as the parent's copy, for the caller to end.
    """
    ppid = kproc.pid_of(k, parent)
    pid = k.enter(k.obj(parent, "proc_t").p_tlist, kproc.home_cpu(k, ppid), sys_syscall, forksys, 0, 0)
    proc = Process(k, kproc.proc_by_pid(k, pid), pid)
    k.enter(proc.thread(), proc.cpu, lwp_rtt_initial)
    if setsid:
        proc.syscall(pgrpsys, SETSID, 0, 0)
    try:
        proc.exec(path, argv)
    except SyscallError as e:
        proc.exec_errno = e.errno
        return proc
    for _ in range(nlwps - 1):
        proc.syscall(syslwp_create, 0, 0, 0)
        t = k.obj(proc.thread(), "kthread_t").t_back         # the newest lwp: it starts in lwp_rtt
        k.enter(t, proc.cpu, lwp_rtt)
    stacks = stacks or ["lwp_park"]
    for i in range(nlwps):
        t = proc.thread(i)
        k.obj(t, "kthread_t").t_state = k.constants["TS_SLEEP"]
        set_stack(k, t, SLEEP_STACKS[stacks[i % len(stacks)]])
    return proc


def adopt(k, proc: int) -> Process:
    """The Process of a ``proc_t`` the kernel created (a zone's init)."""
    return Process(k, proc, kproc.pid_of(k, proc))
