"""The syscall provider: ``syscall::<name>:entry`` / ``:return`` for each system call handler.

Probes exist for the illumos system calls whose handlers the simulated
kernel has.  Enabling installs ``k.syscall_hooks[name]``, which
``unix`sys_syscall`` calls around the handler (see ``machdep.sys_syscall``):
entry gets the raw arguments, return gets the return value (-1 on failure)
in arg0 and arg1, with ``errno`` set.
"""

from __future__ import annotations

from ....kernel import ctf

# illumos sysent names (the handlers' function names), in table order.
SYSCALLS = ["rexit", "forkall", "read", "write", "open", "close", "wait", "link", "unlink", "exec", "chdir",
            "time", "mknod", "chmod", "chown", "brk", "stat", "lseek", "getpid", "mount", "umount", "setuid",
            "getuid", "stime", "pcsample", "alarm", "fstat", "pause", "stty", "gtty", "access", "nice",
            "statfs", "sync", "kill", "fstatfs", "pgrpsys", "uucopystr", "pipe", "times", "profil", "faccessat",
            "setgid", "getgid", "mknodat", "msgsys", "sysi86", "acct", "shmsys", "semsys", "ioctl", "uadmin",
            "fchownat", "utssys", "fdsync", "exece", "umask", "chroot", "fcntl", "ulimit", "renameat",
            "unlinkat", "fstatat", "fstatat64", "openat", "openat64", "tasksys", "acctctl", "exacctsys",
            "getpagesizes", "rctlsys", "sidsys", "lwp_park", "sendfilev", "rmdir", "mkdir", "getdents",
            "privsys", "ucredsys", "sysfs", "getmsg", "putmsg", "lstat", "symlink", "readlink", "setgroups",
            "getgroups", "fchmod", "fchown", "sigprocmask", "sigsuspend", "sigaltstack", "sigaction",
            "sigpending", "context", "fchmodat", "mkdirat", "statvfs", "fstatvfs", "getloadavg", "nfssys",
            "waitsys", "sigsendsys", "hrtsys", "utimesys", "sigresend", "priocntlsys", "pathconf", "mincore",
            "mmap", "mprotect", "munmap", "fpathconf", "vfork", "fchdir", "readv", "writev", "mmapobj",
            "setrlimit", "getrlimit", "lchown", "memcntl", "getpmsg", "putpmsg", "rename", "uname",
            "setegid", "sysconfig", "adjtime", "systeminfo", "sharefs", "seteuid", "forksys", "sigtimedwait",
            "lwp_info", "yield", "lwp_sema_post", "lwp_sema_trywait", "lwp_detach", "corectl", "modctl",
            "fchroot", "vhangup", "gettimeofday", "getitimer", "setitimer", "lwp_create", "lwp_exit",
            "lwp_suspend", "lwp_continue", "lwp_kill", "lwp_self", "lwp_sigmask", "signotify", "lwp_wait",
            "lwp_mutex_wakeup", "lwp_cond_wait", "lwp_cond_signal", "lwp_cond_broadcast", "pread", "pwrite",
            "llseek", "inst_sync", "brand", "kaio", "cpc", "lgrpsys", "rusagesys", "portfs", "pollsys",
            "labelsys", "acl", "auditsys", "processor_bind", "processor_info", "p_online", "sigqueue",
            "clock_gettime", "clock_settime", "clock_getres", "timer_create", "timer_delete", "timer_settime",
            "timer_gettime", "timer_getoverrun", "nanosleep", "facl", "door", "setreuid", "setregid",
            "install_utrap", "signotify", "schedctl", "pset", "sparc_utrap_install", "resolvepath",
            "lwp_mutex_timedlock", "lwp_sema_timedwait", "lwp_rwlock_sys", "getdents64", "mmap64", "stat64",
            "lstat64", "fstat64", "statvfs64", "fstatvfs64", "setrlimit64", "getrlimit64", "pread64",
            "pwrite64", "open64", "rpcsys", "zone", "autofssys", "getcwd", "so_socket", "so_socketpair",
            "bind", "listen", "accept", "connect", "shutdown", "recv", "recvfrom", "recvmsg", "send",
            "sendmsg", "sendto", "getpeername", "getsockname", "getsockopt", "setsockopt", "sockconfig",
            "ntp_gettime", "ntp_adjtime", "lwp_mutex_unlock", "lwp_mutex_trylock", "lwp_mutex_register",
            "cladm", "uucopy", "umount2"]


# Where a system call's name is not its handler's (sysent's sy_callc).
HANDLERS = {"lwp_create": "syslwp_create", "lwp_park": "syslwp_park"}


class SyscallProvider:
    name = "syscall"

    def provide(self, fw, desc) -> None:
        if desc is None:
            self._add(fw)

    def module_loaded(self, fw, module) -> None:
        self._add(fw)

    def _add(self, fw) -> None:
        have = {name: kf for (mod, name), kf in fw.k.functions.items() if mod in ("genunix", "unix")}
        for name in dict.fromkeys(SYSCALLS):
            handler = have.get(HANDLERS.get(name, name))
            if handler is not None:
                fw.probes.create(self, "", name, "entry", handler)
                fw.probes.create(self, "", name, "return", handler)

    def enable(self, fw, probe) -> None:
        # sys_syscall looks its hooks up by the handler's name.
        hooks = fw.k.syscall_hooks
        entry, ret = hooks.get(probe.data.name, (None, None))
        fire = fw.firer(probe)
        if probe.name == "entry":
            entry = lambda k, handler, args: fire(k.ctx.cpu, args)
        else:
            ret = lambda k, handler, rv, err: fire(k.ctx.cpu, (rv, rv))
        hooks[probe.data.name] = (entry or _nothing, ret or _nothing)

    def disable(self, fw, probe) -> None:
        hooks = fw.k.syscall_hooks
        entry, ret = hooks.get(probe.data.name, (_nothing, _nothing))
        if probe.name == "entry":
            entry = _nothing
        else:
            ret = _nothing
        if entry is _nothing and ret is _nothing:
            hooks.pop(probe.data.name, None)
        else:
            hooks[probe.data.name] = (entry, ret)

    def args(self, fw, probe) -> list[str]:
        proto = probe.data.proto
        if probe.name == "return":
            return ["int", "int"]
        if isinstance(proto, ctf.Function):
            return [ctf.type_name(t) for _, t in proto.params]
        return []


def _nothing(*args) -> None:
    return None
