"""The machine: a booted kernel, the userland commands that run on it, and its clock.

A :class:`Machine` is one simulated SmartOS host.  Clients (the daemon's
socket, or a test in the same process) ask it to run userland commands
(``vmadm``, ``zoneadm``, the shell's commands) and read its kernel.  Time
moves only when the machine is told to :meth:`advance` (the daemon does so
in real time; tests do it as they please), so the same requests in the same
order always give the same results.

Commands register with :func:`host_command`; each is a function
``fn(machine, argv, stdin) -> CommandResult``.

Besides its kernel, a machine has what outlives a boot: the VM
configurations (:class:`~kdebug.userland.vmstore.VMStore`, in
``vmadm.sqlite`` under ``state_dir``) and the files of its zpool
(``files``: path -> text; the global zone's ``/tmp`` is emptied at boot).
Each boot gets a new :class:`~kdebug.userland.system.Userland` (processes,
zones) and starts the VMs set to autoboot.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from importlib import import_module

from ..kernel import KernelPanic, cyclic, dump
from ..kernel.boot import DEFAULT_HOST, HostConfig, boot
from .protocol import CommandResult

__all__ = ["Machine", "CommandResult", "host_command", "HOST_COMMANDS", "USERLAND", "SpawnError"]


HOST_COMMANDS: dict[str, Callable] = {}
COMMAND_PATHS: dict[str, str] = {}         # command -> the file a process execs for it

# Userland modules that register host commands when imported.
USERLAND: list[str] = ["kdebug.userland.vmadm", "kdebug.userland.commands"]


class SpawnError(Exception):
    """A process for a command could not be created: libproc's Pcreate_error() words."""


def host_command(name: str, path: str):
    """Decorator: register ``fn(machine, argv, stdin) -> CommandResult`` as command ``name``,
    the program in the file ``path``."""
    from ..kernel.fork import EXECUTABLES

    def register(fn):
        HOST_COMMANDS[name] = fn
        COMMAND_PATHS[name] = path
        EXECUTABLES.add(path)
        return fn
    return register


class Machine:
    """One simulated host.  ``state_dir`` holds what survives a reboot (None: nothing does)."""

    def __init__(self, config: HostConfig = DEFAULT_HOST, state_dir: str | os.PathLike | None = None, *,
                 vms: list[dict] | None = None, files: dict[str, str] | None = None, defer_userland: bool = False):
        """``vms`` and ``files`` (a replica of another machine's boot) replace the store's VMs and the
        files; with ``defer_userland`` the boot stops once the kernel is up, until :meth:`finish_boot`
        (a replay enables its probes there, to see the whole boot)."""
        for name in USERLAND:
            import_module(name)
        from ..userland.vmstore import VMStore
        self.config = config
        self.state_dir = os.fspath(state_dir) if state_dir is not None else None
        self.store = VMStore(os.path.join(self.state_dir, "vmadm.sqlite") if self.state_dir is not None else None)
        if vms is not None:
            for cfg in self.store.all():
                self.store.delete(cfg["uuid"])
            for cfg in vms:
                self.store.put(cfg)
        self.files: dict[str, str] = dict(files or {})
        self._depth = 0                    # > 0 inside a command: its own clock moves are not inputs
        self.boots = 1
        self.crashes: list = []            # crash dump paths (or kernels, without a state dir)
        self.boot_hooks: list[Callable[[Machine], None]] = []
        self._boot(defer_userland)

    def _boot(self, defer_userland: bool = False) -> None:
        """Boot the kernel as ``config`` says, then its userland; the recorder starts again."""
        from .recorder import Recorder
        self.recorder = Recorder(self.config, self.store.all(), self.files)
        self.kernel = boot(self.config)
        self.spawned: dict = {}            # pid -> Process made by spawn() and not yet run
        self.booting = True
        if not defer_userland:
            self.finish_boot()

    def finish_boot(self) -> None:
        """Start the boot's userland (the services, the autoboot VMs) if not done yet."""
        if not self.booting:
            return
        self.booting = False
        self._depth += 1
        try:
            self._start_userland()
        finally:
            self._depth -= 1

    def _input(self, *entry) -> None:
        """An input from outside (not from a command already running): the recorder keeps it."""
        if self._depth == 0:
            self.recorder.add(entry)

    # -- commands --------------------------------------------------------

    def run(self, argv: list[str], stdin: str = "", pid: int | None = None) -> CommandResult:
        """Run a userland command on the host, as ``argv[0]`` would on SmartOS.

        With ``pid`` (from :meth:`spawn`), the command is that process: it
        exits with the command's status when the command is done.  If the
        kernel panics meanwhile, the machine goes down as a SmartOS box does
        (crash dump, reboot) and the command fails with the panic.
        """
        self._input("run", list(argv), stdin, pid)
        proc = self.spawned.pop(pid, None) if pid is not None else None
        self._depth += 1
        try:
            if not argv:
                res = CommandResult(0)
            elif argv[0] not in HOST_COMMANDS:
                res = CommandResult(127, "", f"{argv[0]}: command not found\n")
            else:
                try:
                    res = HOST_COMMANDS[argv[0]](self, list(argv[1:]), stdin)
                except KernelPanic:
                    return CommandResult(1, "", self._crash())
            if proc is not None and proc.alive:
                proc.exit(res.rc & 0xff)
            return res
        finally:
            self._depth -= 1

    def spawn(self, argv: list[str]) -> int:
        """A process for ``argv``, created but not yet run (dtrace -c: ``$target``); returns its pid.

        :meth:`run` with the pid runs it; :meth:`release` ends it unrun.
        """
        from ..userland.process import spawn

        self._input("spawn", list(argv))
        k = self.kernel
        argv = list(argv) or ["sh"]
        name = argv[0]
        path = name if "/" in name else COMMAND_PATHS.get(name, f"/usr/bin/{name}")
        p = spawn(k, k.var("proc_init").value(), path, argv)
        self.userland.track(p)                 # its user memory goes when it is reaped
        if p.exec_errno:                       # the child could not exec: it ends, as Pcreate's does
            from ..kernel.exit import exit_proc
            exit_proc(k, p.proc, 127)
            raise SpawnError("cannot find executable file" if p.exec_errno == 2 else "cannot execute file")
        self.spawned[p.pid] = p
        return p.pid

    def release(self, pid: int) -> None:
        """End a spawned process that was never run (killed, as dtrace's Prelease does)."""
        self._input("release", pid)
        proc = self.spawned.pop(pid, None)
        if proc is not None and proc.alive:
            from ..kernel.exit import kill_proc
            kill_proc(self.kernel, proc.proc)

    # -- time ------------------------------------------------------------

    @property
    def now(self) -> int:
        """Nanoseconds since boot on the machine's clock."""
        return self.kernel.hrtime

    def advance(self, ns: int) -> None:
        """Let ``ns`` nanoseconds pass on the machine, firing what falls due."""
        self._input("advance_to", self.kernel.hrtime + ns)
        cyclic.advance(self.kernel, self.kernel.hrtime + ns)

    def advance_to(self, when: int) -> None:
        """Move the clock to ``when``; a panic meanwhile crashes and reboots the machine."""
        self._input("advance_to", when)
        try:
            cyclic.advance(self.kernel, when)
        except KernelPanic:
            self._crash()

    def run_until(self, done: Callable[[], bool], limit_ns: int = 600 * 1_000_000_000) -> bool:
        """Advance event by event until ``done()`` or ``limit_ns`` passes; returns ``done()``."""
        end = self.kernel.hrtime + limit_ns
        while not done():
            due = cyclic.next_due(self.kernel)
            if due is None or due > end:
                self.advance_to(end)
                return done()
            self.advance_to(due)
        return True

    def write_kernel(self, addr: int, data: bytes) -> None:
        """Write kernel memory from outside (``mdb -kw``): an input like any other."""
        self._input("write", addr, bytes(data))
        self.kernel.mem.write(addr, data)

    # -- the whole machine -------------------------------------------------

    def _crash(self) -> str:
        """The kernel panicked: save its crash dump as savecore would, then reboot.

        The dump goes to ``state_dir/crash/vmdump.N.kdump`` (kept in
        ``crashes`` without a state directory).  Returns the panic as the
        console showed it, and where the dump is.
        """
        from ..kernel.panic import panic_info

        k = self.kernel
        info = panic_info(k) or {"message": k.panic_message or "unknown", "thread": 0, "cpu": 0}
        console = f"panic[cpu{info['cpu']}]/thread={info['thread']:x}: {info['message']}\n"
        where = "kept in memory"
        if self.state_dir is not None:
            crash_dir = os.path.join(self.state_dir, "crash")
            os.makedirs(crash_dir, mode=0o700, exist_ok=True)
            n = 0
            while os.path.exists(os.path.join(crash_dir, f"vmdump.{n}.kdump")):
                n += 1
            where = os.path.join(crash_dir, f"vmdump.{n}.kdump")
            dump.save(k, where)
        self.crashes.append(k if self.state_dir is None else where)
        self.reboot()
        return console + f"kdebug: the host panicked and rebooted; its crash dump is {where}\n"

    def reboot(self, seed: int | None = None, platform: str | None = None) -> None:
        """Reboot: kernel memory is rebuilt; what lives in ``state_dir`` stays."""
        changes = {}
        if seed is not None:
            changes["seed"] = seed
        if platform is not None:
            changes["platform"] = platform
        self.config = replace(self.config, **changes)
        self.boots += 1
        self.files = {path: text for path, text in self.files.items() if not path.startswith("/tmp/")}
        self._boot()
        for hook in list(self.boot_hooks):
            hook(self)

    def _start_userland(self) -> None:
        """The boot's userland; the services start the autoboot VMs, and the host settles."""
        from ..userland.system import SERVICES_SETTLE_NS, Userland
        self.userland = Userland(self)
        if self.userland.start_services(self.config.seed, self.store.all()):
            self.advance(SERVICES_SETTLE_NS)

    def append_file(self, path: str, text: str) -> None:
        """Append ``text`` to the host file ``path`` (created if need be)."""
        self.files[path] = self.files.get(path, "") + text

    def close(self) -> None:
        """Done with the machine: its store is closed."""
        self.store.close()

    def dump(self, path: str | os.PathLike) -> None:
        """Write a crash-dump-style snapshot of the kernel (``kdebug mdb PATH`` opens it)."""
        dump.save(self.kernel, path)
