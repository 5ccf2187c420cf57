"""The simulated kernel: memory, types, symbols, text and the allocator in one object.

A :class:`Kernel` is what mdb reads and dtrace instruments.  It is made by
:func:`kdebug.kernel.boot.boot` (a live kernel) or
:func:`kdebug.kernel.dump.load` (a crash dump).  Kernel code reaches memory
through typed views (``k.obj(addr, "zone_t")``, ``k.var("zone0")``) and calls
other kernel functions with :meth:`Kernel.call`, which keeps the call chain
that stacks are read from.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ctf
from .memory import AddressSpace, MemoryFault
from .objects import Obj
from .symbols import SymbolTable
from .text import ExecContext, KFunction

__all__ = ["Kernel", "KernelPanic"]


class KernelPanic(Exception):
    """The kernel panicked (a failed VERIFY, a trap in kernel mode, an explicit panic)."""


def _note_trap(fault: MemoryFault, ctx: ExecContext) -> None:
    """Remember, once, where in kernel code a fault happened: (thread, cpu, function, returns)."""
    if not hasattr(fault, "kernel_trap"):
        fault.kernel_trap = (ctx.thread, ctx.cpu, ctx.frames[-1], list(ctx.returns))


class Kernel:
    """One kernel instance.  Attributes hold its parts; see the module docstring."""

    def __init__(self, platform: str, hostname: str = "localhost", ncpus: int = 1,
                 physmem: int = 1 << 30, seed: int = 0, boot_time: int = 0):
        self.platform = platform
        self.hostname = hostname
        self.ncpus = ncpus
        self.physmem = physmem            # bytes of RAM
        self.seed = seed
        self.boot_time = boot_time        # seconds since the epoch
        self.mem = AddressSpace()
        self.types = ctf.TypeRegistry()
        self.symtab = SymbolTable()
        self.constants: dict[str, int] = {}          # #define and enumerator values
        self.functions: dict[tuple[str, str], KFunction] = {}
        self.kfuncs: dict[Callable, KFunction] = {}  # implementation -> loaded function
        self.literals: dict[str, dict[str, int]] = {}
        self.kmem = None
        self.ctx: ExecContext | None = None
        self.hrtime = 0                   # nanoseconds since boot (the kernel's clock)
        self.modules_generation = 0       # bumped whenever a module loads
        self.modload_hooks: list[Callable] = []
        self.proc_exit_hooks: list[Callable] = []   # hook(k, proc) before an exited process is reaped
        self.cpu_addrs: list[int] = []    # cpu_t of each CPU id
        # What keeps each CPU busy over a stretch of time (kdebug.kernel.cpu.occupy).
        self.busy: dict[int, tuple] = {}
        self.guest_pcs: dict[int, list[int]] = {}   # thread -> its stack when it last entered a guest
        self.user_stacks: dict[int, tuple] = {}     # thread -> its user stack (innermost first) where it left user code
        self.live = True                  # False for a kernel read from a dump
        self.panic_message: str | None = None
        # Probe sites: (module, function, name) of every SDT probe, and the
        # hooks of the enabled ones; system-call hooks by handler name.
        self.sdt_sites: list[tuple[str, str, str]] = []
        self.sdt_args: dict[tuple[str, str, str], list[str]] = {}   # site -> its arguments' C types
        self.sdt_hooks: dict[tuple[str, str, str], Callable] = {}
        self.syscall_hooks: dict[str, tuple[Callable, Callable]] = {}
        # sched provider: "on-cpu" / "off-cpu" hooks, called as hook(k) in enter().
        self.sched_hooks: dict[str, Callable] = {}
        # The clock's queue of cyclics and timeouts (kdebug.kernel.cyclic).
        self.cyclics: list = []
        self.cyclic_ids: dict = {}
        self.cyclic_seq = 0

    # -- memory through types --------------------------------------------

    def obj(self, addr: int, type: ctf.CType | str) -> Obj:
        """A view of the ``type`` object at ``addr``."""
        if isinstance(type, str):
            type = self.types.lookup(type)
        return Obj(self, addr, type)

    def sym_addr(self, name: str) -> int:
        """Address of symbol ``name`` (``sym`` or ``mod`sym``)."""
        return self.symtab.lookup(name).addr

    def var(self, name: str) -> Obj:
        """A typed view of the global ``name``."""
        sym = self.symtab.lookup(name)
        if sym.type is None:
            raise TypeError(f"{name} has no type")
        return Obj(self, sym.addr, sym.type)

    def strdup(self, text: str) -> int:
        """A kmem copy of ``text`` (NUL-terminated); returns its address."""
        raw = text.encode()
        addr = self.kmem.kmem_alloc(len(raw) + 1, zero=True)
        self.mem.write(addr, raw + b"\0")
        return addr

    def literal(self, module: str, text: str) -> int:
        """Address of string literal ``text`` in ``module``'s data."""
        return self.literals[module][text]

    def function(self, name: str, module: str | None = None) -> KFunction:
        """The loaded kernel function ``name`` (``mod`name`` allowed)."""
        if module is None and "`" in name:
            module, _, name = name.partition("`")
        if module is not None:
            return self.functions[(module, name)]
        sym = self.symtab.lookup(name)
        return self.functions[(sym.module.name, sym.name)]

    # -- running kernel code ------------------------------------------------

    def call(self, fn: Callable, *args, at: int):
        """Call kernel function ``fn`` from the current one; ``at`` is the return offset.

        The caller's frame gets return address ``caller + at``.  If an fbt
        probe of ``fn`` is enabled, its hooks run around the call.
        """
        kf = self.kfuncs[fn]
        ctx = self.ctx
        ctx.returns.append(ctx.frames[-1].addr + at)
        ctx.frames.append(kf)
        try:
            if kf.probed:       # _call_probed, inlined: this is every fbt firing's path
                hook = kf.entry_hook
                if hook is not None:
                    hook(self, kf, args)
                rv = fn(self, *args)
                hook = kf.return_hook
                if hook is not None:
                    hook(self, kf, rv)
                return rv
            return fn(self, *args)
        except MemoryFault as e:
            _note_trap(e, ctx)
            raise
        finally:
            ctx.frames.pop()
            ctx.returns.pop()

    def _call_probed(self, kf: KFunction, fn: Callable, args: tuple):
        if kf.entry_hook is not None:
            kf.entry_hook(self, kf, args)
        rv = fn(self, *args)
        if kf.return_hook is not None:
            kf.return_hook(self, kf, rv)
        return rv

    def sdt(self, name: str, *args) -> None:
        """``DTRACE_PROBEn(name, args...)``: a statically defined probe site here.

        Costs one test while no SDT probe is enabled.  The site must be
        declared in its KSource (``sdt=``) so that the probe can be listed.
        """
        if self.sdt_hooks:
            kf = self.ctx.frames[-1]
            hook = self.sdt_hooks.get((kf.module, kf.name, name))
            if hook is not None:
                hook(self, kf, name, args)

    def enter(self, thread: int, cpu: int, fn: Callable, *args):
        """Run ``fn`` as the first kernel frame of ``thread`` on CPU ``cpu``.

        This is how user code enters the kernel (``sys_syscall``) and how a
        kernel thread starts (``thread_start``).  While it runs, the CPU's
        ``cpu_thread`` is the thread and the thread is on that CPU.
        """
        kf = self.kfuncs[fn]
        saved = self.ctx
        ctx = ExecContext(thread, cpu, [kf], [])
        self.ctx = ctx
        cpu_addr = self.cpu_addrs[cpu]
        cpu_t = self.types.lookup("cpu_t")
        c = Obj(self, cpu_addr, cpu_t)
        t = Obj(self, thread, self.types.lookup("kthread_t"))
        prev_thread, prev_state = c.cpu_thread, t.t_state
        c.cpu_thread = thread
        t.t_cpu = cpu_addr
        t.t_state = self.constants["TS_ONPROC"]
        if self.sched_hooks and "on-cpu" in self.sched_hooks:
            self.sched_hooks["on-cpu"](self)
        try:
            if kf.probed:
                return self._call_probed(kf, fn, args)
            return fn(self, *args)
        except MemoryFault as e:
            # A fault in kernel code is a trap in kernel mode: the kernel panics.
            _note_trap(e, ctx)
            if self.panic_message is None:
                from .panic import trap_panic
                trap_panic(self, e, e.kernel_trap)
            raise KernelPanic(self.panic_message) from None
        finally:
            if self.sched_hooks and "off-cpu" in self.sched_hooks:
                self.sched_hooks["off-cpu"](self, prev_thread)      # the thread that runs next
            c.cpu_thread = prev_thread
            t.t_state = prev_state
            self.ctx = saved

    @property
    def curthread(self) -> int:
        """The running thread (``curthread``), or 0 outside kernel code."""
        return self.ctx.thread if self.ctx is not None else 0

    @property
    def curcpu(self) -> int:
        return self.ctx.cpu if self.ctx is not None else 0

    def panic(self, message: str, at: int | None = None):
        """Panic: record it in memory as illumos does (``panicstr``, the panic thread's
        stack, the console message) and stop, raising KernelPanic.

        ``at`` is the return offset of the running function's call to
        ``assfail`` when a VERIFY failed (see kdebug.kernel.panic).
        """
        from .panic import panic_record

        if self.panic_message is None:
            panic_record(self, message, at)
        raise KernelPanic(message)

    # -- time ------------------------------------------------------------

    HZ = 100

    @property
    def lbolt(self) -> int:
        """Clock ticks since boot."""
        return self.hrtime // (1_000_000_000 // self.HZ)

    @property
    def walltime_ns(self) -> int:
        return self.boot_time * 1_000_000_000 + self.hrtime

    def __repr__(self) -> str:
        kind = "live" if self.live else "dump"
        return f"<Kernel {self.hostname} {self.platform} ({kind})>"
