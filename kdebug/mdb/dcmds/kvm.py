"""The kernel target's dcmds: ::status, stacks ($c, $C, ::stack, ::findstack), registers ($r, $?).

A thread that is not running has its registers saved in ``t_pcb`` and its
frames on its stack (kdebug.kernel.thread.stack_frames); these dcmds read
them from there.  Without an address, a crash dump's current thread is the
one that panicked (``panic_thread``), at the pc it saved in ``vpanic``;
other targets have none, as mdb says.
"""

from __future__ import annotations

from ...kernel import MemoryFault
from ...kernel.thread import stack_frames
from ..registry import ERR, OK, USAGE, Explain, dcmd, getopts
from ..values import parse_number


@dcmd("status", None, "print summary of current target",
      explain=Explain("::status says what mdb is debugging: the crash dump file (and the host it came from) "
                      "or the live kernel, then the operating system's release and version (the platform "
                      "image, as uname -v prints it), the panic message if the kernel panicked, and what a "
                      "dump holds."))
def cmd_status(c) -> int:
    m = c.m
    uts = m.target.uname()
    c.printf("%s\n", m.target.describe())
    c.printf("operating system: %s %s (%s)\n", uts["release"], uts["version"], uts["machine"])
    if m.k.panic_message:
        c.printf("panic message: %s\n", m.k.panic_message)
    if not m.target.live:
        c.printf("dump content: kernel pages only\n")
    return OK


def _frames(m, thread: int) -> list[tuple[int, int]]:
    """(frame pointer, pc) of a switched-out thread, innermost first, after the saved pc."""
    return stack_frames(m.k, thread)


def _panic_thread(m) -> int:
    """The thread that panicked, on a crash dump; else 0."""
    if m.target.live or not m.k.panic_message:
        return 0
    return m.k.var("panic_thread").value()


def _stack(c, verbose: bool) -> int:
    """``addr$c``: one frame a line, ``%a()``; ``$C`` puts the frame pointer first.

    Without an address, on a crash dump: the panic thread's stack from its
    registers, so the first line is the function it panicked in (``vpanic()``).
    """
    m = c.m
    thread = c.addr if c.has_addr else _panic_thread(m)
    if not thread:
        m.warn("command is not supported by current target\n")
        return ERR
    try:
        frames = _frames(m, thread)
    except MemoryFault as e:
        m.warn("failed to read thread at %p", thread, reason=e.reason)
        return ERR
    if not c.has_addr and frames:
        if verbose:
            c.printf("%0?lr ", frames[0][0])
        c.printf("%a()\n", frames[0][1])
    for fp, pc in frames[1:]:
        if verbose:
            c.printf("%0?lr ", fp)
        c.printf("%a()\n", pc)
    return OK


def _count_arg(c) -> bool:
    if len(c.args) > 1:
        return False
    if c.args:
        c.m.nargs = c.args[0] if isinstance(c.args[0], int) else parse_number(c.args[0], c.m.radix)
    return True


_STACK_EXPLAIN = Explain(
    "{verb} prints the stack of the thread at {addr} (a kthread_t, such as ::threadlist's ADDR) from where "
    "it stopped: one frame a line, innermost (most recent call) first, each the function+offset of the "
    "return address in that frame. With no address only a crash dump has a thread to show, the one that "
    "panicked.",
    columns=(("function+offset()", "a frame: the caller resumes there when the call below it returns; "
                                   "mdb leaves out unix` and genunix` and names other modules (vmm`...)"),),
    see="In D, stack() records the same kind of frames for the thread a probe fires in, at that moment; "
        "mdb reads a stopped thread's frames from its saved registers and stack.")


@dcmd("$c", "?[cnt]", "print stack backtrace", explain=_STACK_EXPLAIN)
@dcmd("stack", "?[cnt]", "print stack backtrace", explain=_STACK_EXPLAIN)
def cmd_stack(c) -> int:
    if not _count_arg(c):
        return USAGE
    return _stack(c, verbose=False)


@dcmd("$C", "?[cnt]", "print stack backtrace",
      explain=Explain("$C prints the stack of the thread at {addr} as $c does, each frame preceded by its "
                      "frame pointer.", see=_STACK_EXPLAIN.see))
def cmd_stackv(c) -> int:
    if not _count_arg(c):
        return USAGE
    return _stack(c, verbose=True)


_FINDSTACK_HELP = (
    "Prints the kernel stack of the thread at addr, starting with the\n"
    "saved stack pointer.  -v also prints each frame's arguments.\n")


_FINDSTACK_EXPLAIN = Explain(
    "::findstack prints the stack of the stopped (sleeping or preempted) thread at {addr}, a kthread_t, "
    "innermost frame first: first the stack pointer it saved, then where it stopped, then one line per "
    "caller.",
    columns=(("stack pointer for thread T: SP", "the thread and the stack pointer saved when it switched "
                                                "out"),
             ("[ SP function() ]", "where the thread stopped (usually swtch, called from a sleep such as "
                                   "cv_wait)"),
             ("FP function+offset()", "each caller: the frame's pointer and the return address in it")),
    see="D's stack() shows the same kind of frames, innermost first, for the thread a probe fires in, as "
        "it fires; ::findstack shows them for a thread that is asleep, where no probe fires.")


@dcmd("findstack", ":[-v]", "find kernel thread stack", module="genunix", help=_FINDSTACK_HELP,
      explain=_FINDSTACK_EXPLAIN)
def cmd_findstack(c) -> int:
    """The stack of a switched-out thread: its saved pc in brackets, then each frame."""
    m = c.m
    opts, rest = getopts(c.args, {"v": "flag"})
    if not c.has_addr or rest:
        return USAGE
    try:
        m.k.obj(c.addr, "kthread_t").t_state
        frames = _frames(m, c.addr)
    except MemoryFault:
        m.warn("couldn't read thread at %p\n", c.addr)
        return ERR
    if not frames:
        c.printf("stack pointer for thread %p: 0\n", c.addr)
        return OK
    sp, pc = frames[0]
    c.printf("stack pointer for thread %p: %p\n", c.addr, sp)
    c.printf("[ %0?lr %a() ]\n", sp, pc)
    for fp, pc in frames[1:]:
        c.printf("  %0?lr %a()\n", fp, pc)
    return OK


# -- registers -------------------------------------------------------------------------

_REGS = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"]


def _saved_regs(m, thread: int) -> dict[str, int]:
    """The registers a switched-out thread saved in t_pcb: pc, sp and rbp; the rest read as 0."""
    pcb = m.k.obj(thread, "kthread_t").member("t_pcb").addr
    regs = dict.fromkeys(_REGS, 0)
    regs["rip"] = m.target.read_ptr(pcb)
    regs["rsp"] = m.target.read_ptr(pcb + 8)
    regs["rbp"] = m.target.read_ptr(pcb + 16)
    regs["rflags"] = 0x46
    return regs


def _print_regs(c, regs: dict[str, int]) -> None:
    left = ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8"]
    right = ["r9", "r10", "r11", "r12", "r13", "r14", "r15"]
    for a, b in zip(left, right):
        c.printf("%%%-3s = 0x%0?p %15A %%%-3s = 0x%0?p %A\n", a, regs[a], regs[a], b, regs[b], regs[b])
    c.printf("\n")
    c.printf("%%rip = 0x%0?p %A\n", regs["rip"], regs["rip"])
    c.printf("%%rbp = 0x%0?p\n", regs["rbp"])
    c.printf("%%rsp = 0x%0?p\n", regs["rsp"])
    c.printf("%%rflags = 0x%0?p\n", regs["rflags"])
    c.printf("  id=0 vip=0 vif=0 ac=0 vm=0 rf=0 nt=0 iopl=0x0\n")
    c.printf("  status=<of,df,IF,tf,sf,ZF,af,PF,cf>\n")


@dcmd("$r", "?", "print general-purpose registers")
@dcmd("regs", "?", "print general purpose registers")
def cmd_regs(c) -> int:
    m = c.m
    if c.args:
        return USAGE
    thread = c.addr if c.has_addr else _panic_thread(m)
    if not thread:
        m.warn("command is not supported by current target\n")
        return ERR
    try:
        _print_regs(c, _saved_regs(m, thread))
    except MemoryFault as e:
        m.warn("failed to read thread at %p", thread, reason=e.reason)
        return ERR
    return OK


@dcmd("$?", None, "print status and registers")
def cmd_status_regs(c) -> int:
    return cmd_status(c)


__all__ = ["cmd_status"]
