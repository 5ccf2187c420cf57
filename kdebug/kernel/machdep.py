"""The unix module: machine-dependent kernel code (i86pc) and its globals.

``unix`` holds the kernel's entry points (``sys_syscall``), the context
switch (``resume``, ``_resume_from_idle``), ``thread_start``, the lock
primitives and the statically allocated first process, thread and CPU
(``p0``, ``t0``, ``cpus``).  Also here: genunix's identity globals
(``utsname``, ``panicstr``, ``hz``).
"""

from __future__ import annotations

from .text import KSource

__all__ = ["LOCORE", "SYSCALL", "SWTCH", "STARTUP", "sys_syscall", "thread_start", "lwp_rtt_initial", "lwp_rtt",
           "SyscallError",
           "RESUME_PC", "SYSCALL_RETURN", "THREAD_START_RETURN"]

# Return offsets that appear in every stack (see DESIGN decision 2).
SYSCALL_RETURN = 0x19f       # sys_syscall -> the system call's handler
THREAD_START_RETURN = 0xb    # thread_start -> a kernel thread's start function
RESUME_PC = 0xf4             # where a switched-out thread's saved pc points in _resume_from_idle

LOCORE = KSource("unix", "locore.s", order=0, decls="""
    proc_t p0;
    kthread_t t0;
    klwp_t lwp0;
    cpu_t cpus[1];
    uintptr_t kernelbase;
    uintptr_t kernelheap;
    uintptr_t ekernelheap;
    uintptr_t segkp_base;
    pgcnt_t physmem;
    int max_ncpus;
""", functions=[
    ("_locore_start", 0x2c0), ("_start", 0x9c), ("cmntrap", 0x1d4), ("lwp_rtt_initial", 0x18),
    ("lwp_rtt", 0x98), ("_sys_rtt", 0x110), ("sys_rtt_common", 0xd8), ("_interrupt", 0x70), ("_cmnint", 0x64),
], sdt=[("lwp_rtt_initial", "__proc_start"), ("lwp_rtt", "__proc_lwp__start")])

SYSCALL = KSource("unix", "syscall_asm_amd64.s", order=1, decls="""
    void sys_syscall(void);
    void sys_syscall32(void);
""", functions=[
    ("brand_sys_syscall", 0x58), ("sys_syscall", 0x2b8), ("brand_sys_syscall32", 0x58),
    ("sys_syscall32", 0x1f8), ("brand_sys_sysenter", 0x5c), ("sys_sysenter", 0x1e0),
    ("_sys_sysenter_post_swapgs", 0x1b4), ("sys_syscall_int", 0x118), ("nopsys_syscall", 0x20),
])

SWTCH = KSource("unix", "swtch.s", order=2, decls="""
    void thread_start(void);
    void resume(kthread_t *t);
""", functions=[
    ("resume", 0x1a8), ("resume_from_zombie", 0xe4), ("resume_from_intr", 0x98),
    ("_resume_from_idle", 0x13c), ("thread_start", 0x20), ("thread_splitstack_run", 0x3c),
    ("thread_splitstack_cleanup", 0x18),
])

LOCKS = KSource("unix", "lock_prim.s", order=3, decls="""
    void mutex_enter(kmutex_t *mp);
    void mutex_exit(kmutex_t *mp);
    int mutex_tryenter(kmutex_t *mp);
""", functions=[
    ("lock_try", 0x18), ("lock_spin_try", 0x18), ("ulock_try", 0x24), ("lock_clear", 0x14),
    ("ulock_clear", 0x14), ("lock_set_spl", 0x50), ("lock_init", 0x10), ("lock_set", 0x30),
    ("lock_clear_splx", 0x2c), ("mutex_enter", 0x44), ("mutex_tryenter", 0x3c),
    ("mutex_adaptive_tryenter", 0x2c), ("mutex_owner_running", 0x34), ("mutex_exit", 0x34),
    ("rw_enter", 0x68), ("rw_exit", 0x64), ("lockstat_hot_patch", 0x1f0),
])

SUBR = KSource("unix", "i86_subr.s", order=4, functions=[
    ("on_fault", 0x38), ("no_fault", 0x1c), ("setjmp", 0x48), ("longjmp", 0x48),
    ("caller", 0x10), ("callee", 0x10), ("getfp", 0x10), ("i86_monitor", 0x20),
    ("i86_mwait", 0x18), ("tsc_read", 0x1c), ("outb", 0x10), ("inb", 0x10), ("splx", 0x14),
    ("splhigh", 0x14), ("spl0", 0x14), ("do_splx", 0x70), ("membar_enter", 0x8),
    ("membar_exit", 0x8), ("membar_producer", 0x8), ("membar_consumer", 0x8),
    ("atomic_add_32", 0xc), ("atomic_add_64", 0xc), ("atomic_cas_32", 0x10),
    ("atomic_cas_64", 0x10), ("atomic_inc_64", 0xc), ("atomic_dec_64", 0xc),
    ("bcopy", 0x9c), ("bzero", 0x88), ("kcopy", 0x50), ("copyin", 0x70), ("copyout", 0x70),
    ("copyinstr", 0x98), ("copyoutstr", 0x98), ("ovbcopy", 0xa0), ("strlen", 0x30),
])

MP = KSource("unix", "mp_machdep.c", order=5, functions=[
    ("cpu_idle_adaptive", 0x20), ("cpu_idle", 0x1a0), ("cpu_idle_mwait", 0x1bc),
    ("cpu_wakeup", 0x160), ("cpu_wakeup_mwait", 0x130), ("mach_cpu_idle", 0x40),
    ("mach_cpu_halt", 0x30), ("cpu_halt", 0x1e0), ("mach_smpinit", 0x120),
    ("mp_startup", 0x20), ("mp_startup_common", 0x4a0), ("start_other_cpus", 0x250),
])

STARTUP = KSource("unix", "startup.c", order=6, functions=[
    ("mlsetup", 0x5d8), ("startup", 0x9c), ("startup_init", 0x1d0), ("startup_memlist", 0x6e0),
    ("startup_kmem", 0x4b4), ("startup_vm", 0x5f0), ("startup_modules", 0x2c8),
    ("startup_end", 0x3a0), ("post_startup", 0x1c4), ("kobj_vmem_init", 0x60),
    ("trap", 0xd3c), ("die", 0x118), ("kern_gpfault", 0x1b0), ("xc_call", 0x70), ("xc_sync", 0x70),
    ("xc_common", 0x3c8), ("xc_serv", 0x1e4), ("tsc_gethrtime", 0x94),
    ("tsc_gethrtime_delta", 0xa0), ("dtrace_gethrtime", 0x90), ("cbe_fire", 0xdc),
    ("cbe_reprogram", 0x8c), ("hat_memload", 0x1f8), ("hat_unload", 0x80),
    ("hat_switch", 0x174), ("hati_load_common", 0x310), ("vpanic", 0x1e0), ("panic", 0x5c),
])


class SyscallError(Exception):
    """A system call failed with ``errno`` (raised by handlers, seen by user code)."""

    def __init__(self, errno: int):
        self.errno = errno
        super().__init__(errno)


def sys_syscall(k, handler, *args):
    """unix`sys_syscall: enter the kernel from user mode and run ``handler``.

    Every system call's handler is called from the same instruction, so its
    caller frame is always ``unix`sys_syscall+0x19f``.  A handler fails by
    raising SyscallError; the lwp's ``lwp_errno`` is set and the error goes
    back to user code.  The syscall provider's hooks, when enabled for this
    call, see the arguments before and the return value (-1 on failure) after.
    """
    hooks = k.syscall_hooks.get(k.kfuncs[handler].name) if k.syscall_hooks else None
    if hooks is not None:
        hooks[0](k, handler, args)
    try:
        rv = k.call(handler, *args, at=SYSCALL_RETURN)
    except SyscallError as e:
        _set_errno(k, e.errno)
        if hooks is not None:
            hooks[1](k, handler, -1, e.errno)
        raise
    if hooks is not None:
        hooks[1](k, handler, rv, 0)
    return rv


def _set_errno(k, errno: int) -> None:
    lwp = k.obj(k.curthread, "kthread_t").t_lwp
    if lwp:
        k.obj(lwp, "klwp_t").lwp_errno = errno


@LOCORE.impl
def lwp_rtt_initial(k):
    """unix`lwp_rtt_initial: where a new process's first lwp starts; on to lwp_rtt and user mode."""
    k.sdt("__proc_start")                     # proc:::start, in the new process
    k.call(lwp_rtt, at=0xd)


@LOCORE.impl
def lwp_rtt(k):
    """unix`lwp_rtt: where a new lwp starts; it returns to user mode (post_syscall, sys_rtt)."""
    k.sdt("__proc_lwp__start")                # proc:::lwp-start


def thread_start(k, start, *args):
    """unix`thread_start: the first frame of a kernel thread, calling ``start``."""
    return k.call(start, *args, at=THREAD_START_RETURN)


SYSCALL.impl(sys_syscall)
SWTCH.impl(thread_start)

UTSNAME = KSource("genunix", "main.c", order=0, types="""
    #define SYS_NMLN	257
    struct utsname {
        char sysname[SYS_NMLN];
        char nodename[SYS_NMLN];
        char release[SYS_NMLN];
        char version[SYS_NMLN];
        char machine[SYS_NMLN];
    };
""", decls="""
    struct utsname utsname;
    char *panicstr;
    int hz;
    int64_t lbolt_hybrid;
    hrtime_t panic_hrtime;
    time_t boot_time;
    char hw_serial[11];
    pgcnt_t physinstalled;
    pgcnt_t freemem;
""", functions=[
    ("main", 0x3d0), ("uname", 0x90), ("uts_init", 0x58), ("panicsys", 0x5b8),
    ("cmn_err", 0xa4), ("vcmn_err", 0x98), ("cprintf", 0x318), ("printf", 0x9c),
])
