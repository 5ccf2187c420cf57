"""Panics (genunix os/panic.c and os/debug.c; unix vpanic): what a panic leaves behind.

When illumos panics, ``panicsys`` records the message in ``panicstr``, the
panicking thread in ``panic_thread`` and a copy of its CPU in ``panic_cpu``,
saves the thread's registers so its stack can be read, and prints the
message and the stack on the console before the dump is written.  Those are
exactly what mdb shows of a crash dump (``::status``, ``::panicinfo``,
``$c``, ``::msgbuf``).  :func:`panic_record` does the same to kernel memory;
``Kernel.panic`` calls it and then stops the kernel.

A failed ``VERIFY`` calls ``assfail``, which calls ``vpanic``: the panic
thread's stack then reads ``vpanic``, ``assfail+0x7e``, the caller...
"""

from __future__ import annotations

from .msgbuf import CE_CONT, log_message
from .text import KSource
from .thread import stack_frames, write_stack

__all__ = ["panic_record", "trap_panic", "ASSFAIL_RETURN", "panic_info"]

ASSFAIL_RETURN = 0x7e      # assfail's call of vpanic returns here
DIE_RETURN = 0xdf          # die's call of panic
TRAP_RETURN = 0x1c5        # trap's call of die
CMNTRAP_RETURN = 0xe6      # cmntrap's call of trap

DEBUG = KSource("genunix", "debug.c", decls="""
    int assfail(const char *a, const char *f, int l);
    void assfail3(const char *a, uintmax_t lv, const char *op, uintmax_t rv, const char *f, int l);
""", functions=[("assfail", 0x90), ("assfail3", 0xb8)])

PANIC = KSource("genunix", "panic.c", decls="""
    kthread_t *panic_thread;
    cpu_t panic_cpu;
    int panic_quiesce;
    int panic_sync;
    int panic_dump;
""", functions=[("panic_saveregs", 0x90), ("panic_stopcpus", 0xd0), ("panic_quiesce_hw", 0x60),
                ("panic_dump_hw", 0x30), ("panicsys_stack", 0x48)])


def panic_record(k, message: str, at: int | None = None) -> None:
    """Record a panic of the running thread with ``message`` in kernel memory.

    ``at`` is the return offset, in the running function, of its call to
    ``assfail`` (a failed VERIFY); without it the stack starts at the
    running function's caller.
    """
    ctx = k.ctx
    thread = ctx.thread if ctx is not None else k.sym_addr("t0")
    cpu = ctx.cpu if ctx is not None else 0
    pcs = []
    if at is not None and ctx is not None:
        pcs = [k.sym_addr("assfail") + ASSFAIL_RETURN, ctx.frames[-1].addr + at]
    if ctx is not None:
        pcs += ctx.stack()
    _record(k, message, thread, cpu, pcs)


def trap_panic(k, fault, trap) -> None:
    """Panic for a page fault in kernel code, as illumos's ``die()`` does.

    ``trap`` is (thread, cpu, faulting KFunction, return addresses) noted
    where the fault happened.  The stack reads ``die``, ``trap``,
    ``cmntrap``, then the faulting function and its callers.
    """
    thread, cpu, kf, returns = trap
    fault_pc = kf.addr + kf.size // 2
    pcs = [k.sym_addr("die") + DIE_RETURN, k.sym_addr("trap") + TRAP_RETURN,
           k.sym_addr("cmntrap") + CMNTRAP_RETURN, fault_pc] + returns[::-1]
    fps = write_stack(k, thread, pcs, k.sym_addr("vpanic"))
    rp = fps[3] - 0xc0           # the trapped registers, pushed below cmntrap's frame
    message = f"BAD TRAP: type=e (#pf Page fault) rp={rp:x} addr={fault.addr:x}"
    if fault.addr < k.var("kernelbase").value():
        why = "a NULL pointer dereference" if fault.addr < 0x1000 else "an illegal access to a user address"
        message += f' occurred in module "{kf.module}" due to {why}'
    _record(k, message, thread, cpu, pcs)


def _record(k, message: str, thread: int, cpu: int, pcs: list[int]) -> None:
    write_stack(k, thread, pcs, k.sym_addr("vpanic"))
    k.var("panicstr").set(k.strdup(message))
    k.var("panic_thread").set(thread)
    k.var("panic_hrtime").set(k.hrtime)
    cpu_t = k.types.lookup("cpu_t")
    k.mem.write(k.sym_addr("panic_cpu"), k.mem.read(k.cpu_addrs[cpu], cpu_t.size))
    log_message(k, f"\rpanic[cpu{cpu}]/thread={thread:x}: {message}", CE_CONT)
    log_message(k, "", CE_CONT)
    for fp, pc in stack_frames(k, thread):
        found = k.symtab.lookup_addr(pc)
        if found is None:
            where = f"{pc:x}"
        else:
            sym, off = found
            where = f"{sym.module.name}:{sym.name}" + (f"+{off:x}" if off else "")
        log_message(k, f"{fp:016x} {where} ()", CE_CONT)
    log_message(k, "", CE_CONT)
    log_message(k, "syncing file systems...", CE_CONT)
    log_message(k, " done", CE_CONT)
    log_message(k, "dumping to /dev/zvol/dsk/zones/dump, offset 65536, content: kernel", CE_CONT)
    k.panic_message = message


def panic_info(k) -> dict | None:
    """{"message", "thread", "cpu"} of a panicked kernel, read from memory; None if it has not panicked."""
    msg = k.var("panicstr").value()
    if not msg:
        return None
    return {"message": k.mem.read_cstr(msg, 1024).decode("latin-1"),
            "thread": k.var("panic_thread").value(),
            "cpu": k.var("panic_cpu").cpu_id}

