"""A kernel module that exists only in these tests (``dtktest``), and a host command that runs it.

``dtktest N`` on the host makes N system calls into ``dtktest_ioctl``, which
calls down a small chain of functions (fbt probes with typed arguments, an
SDT probe, a return value) so tests see exactly known stacks and values.
"""

from kdebug.host.machine import CommandResult, host_command
from kdebug.kernel.machdep import SyscallError, sys_syscall
from kdebug.kernel.modctl import ModuleDef, load_module
from kdebug.kernel.text import KSource
from kdebug.kernel.vnode import ioctl
from kdebug.userland.process import spawn

TEXT_BASE = 0xfffffffff8500000
MODULE = ModuleDef("dtktest", "/kernel/drv/amd64/dtktest", "dtrace test module", TEXT_BASE, TEXT_BASE + 0x10000,
                   boot=False)

DTKTEST = KSource("dtktest", "dtktest.c", decls="""
    int dtktest_ioctl(int cmd, intptr_t arg);
    int dtktest_outer(int a, const char *name);
    int dtktest_inner(int a);
    int dtktest_fail(int a);
    int dtktest_counter;
    const char *dtktest_name;
""", functions=[("dtktest_ioctl", 0x80), ("dtktest_outer", 0x60), ("dtktest_inner", 0x40), ("dtktest_fail", 0x20)],
    literals={"dtktest": None}, sdt=[("dtktest_inner", "inner__done", ("int",))])


@DTKTEST.impl
def dtktest_ioctl(k, cmd, arg):
    if cmd < 0:
        return k.call(dtktest_fail, cmd, at=0x11)
    return k.call(dtktest_outer, cmd, k.literal("dtktest", "dtktest"), at=0x2b)


@DTKTEST.impl
def dtktest_outer(k, a, name):
    return k.call(dtktest_inner, a * 2, at=0x13)


@DTKTEST.impl
def dtktest_inner(k, a):
    k.mem.write_uint(k.sym_addr("dtktest_counter"), 4, a)
    k.sdt("inner__done", a)
    return a + 100


@DTKTEST.impl
def dtktest_fail(k, a):
    raise SyscallError(22)


def install(machine) -> None:
    """Load dtktest into the machine's kernel (as a module loaded after boot)."""
    k = machine.kernel
    if k.symtab.module("dtktest") is None:
        mod = load_module(k, MODULE, max(m.id for m in k.symtab.modules) + 1)
        from kdebug.kernel.modctl import link_modctl
        link_modctl(k, mod)
        k.dtktest_name_set = True
        k.mem.write_uint(k.sym_addr("dtktest_name"), 8, k.literal("dtktest", "dtktest"))
        for hook in list(k.modload_hooks):
            hook(k, mod)


@host_command("dtktest", "/opt/kdebug/bin/dtktest")
def dtktest_command(machine, argv, stdin):
    """dtktest [N [CMD]]: N system calls dtktest_ioctl(CMD + i) from init's thread on CPU 1.

    ``dtktest badfd N``: N ioctl(2) calls on file descriptor -1 (each fails with EBADF).
    ``dtktest spawn PATH N``: init forks a child that execs PATH ("dtktest child") and
    creates N lwps in all, then exits 0 (127 if the exec failed).
    """
    k = machine.kernel
    thread = k.obj(k.var("proc_init").value(), "proc_t").p_tlist
    if argv[:1] == ["spawn"]:
        return _spawn(machine, argv[1], int(argv[2]))
    if argv[:1] == ["badfd"]:
        calls = [(ioctl, -1, 0x1234, 0)] * int(argv[1])
    else:
        n = int(argv[0]) if argv else 1
        cmd = int(argv[1]) if len(argv) > 1 else 1
        calls = [(dtktest_ioctl, cmd + i, 0) for i in range(n)]
    out = []
    for call in calls:
        try:
            out.append(str(k.enter(thread, 1, sys_syscall, *call)))
        except SyscallError as e:
            out.append(f"error {e.errno}")
    return CommandResult(0, " ".join(out) + "\n", "")


def _spawn(machine, path: str, nlwps: int) -> CommandResult:
    k = machine.kernel
    child = spawn(k, k.var("proc_init").value(), path, ["dtktest", "child"], nlwps=nlwps)
    machine.userland.track(child)
    status = 0 if child.comm == "dtktest" else 127
    child.exit(status)
    return CommandResult(0, f"child exited with status {status}\n", "")
