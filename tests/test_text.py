"""Kernel text: functions laid out as symbols, calls read back as stacks."""

import pytest

from kdebug.kernel.machdep import SyscallError, sys_syscall
from kdebug.kernel.modctl import ModuleDef, load_module
from kdebug.kernel.symbols import format_symbol
from kdebug.kernel.text import KSource

# A module that exists only in these tests.
TEXT_BASE = 0xfffffffff8400000
KTEST = KSource("ktest", "ktest.c", decls="""
    int ktest_outer(int a);
    int ktest_middle(int a);
    const char *ktest_name;
""", functions=[("ktest_outer", 0x80), ("ktest_middle", 0x60), ("ktest_inner", 0x40),
                ("ktest_pinned", 0x30), ("ktest_observe", 0x40), ("ktest_enxio", 0x20)],
    pinned={"ktest_pinned": TEXT_BASE + 0x400}, literals={"ktest": TEXT_BASE + 0x10123},
    sdt=[("ktest_inner", "inner__done")])

seen = {}


@KTEST.impl
def ktest_outer(k, a):
    return k.call(ktest_middle, a + 1, at=0x2b)


@KTEST.impl
def ktest_middle(k, a):
    return k.call(ktest_inner, a * 2, at=0x13)


@KTEST.impl
def ktest_inner(k, a):
    seen["stack"] = k.ctx.stack()
    seen["thread"], seen["cpu"] = k.curthread, k.curcpu
    k.sdt("inner__done", a)
    return a + 100


@KTEST.impl
def ktest_enxio(k):
    raise SyscallError(6)


@KTEST.impl
def ktest_observe(k, cpu):
    seen["cpu_thread"] = k.obj(k.cpu_addrs[cpu], "cpu_t").cpu_thread
    seen["state"] = k.obj(k.curthread, "kthread_t").t_state


@KTEST.impl
def ktest_pinned(k):
    return k.call(ktest_outer, 1, at=0x11)


@pytest.fixture
def k(fresh_kernel):
    mdef = ModuleDef("ktest", "/kernel/misc/amd64/ktest", "ktest module", TEXT_BASE, TEXT_BASE + 0x10000)
    load_module(fresh_kernel, mdef, 99)
    return fresh_kernel


def names(k, pcs):
    out = []
    for pc in pcs:
        sym, off = k.symtab.lookup_addr(pc)
        out.append(format_symbol(sym, off))
    return out


def test_layout_in_link_order_aligned_and_pinned(k):
    st = k.symtab
    assert st.lookup("ktest_outer").addr == TEXT_BASE
    assert st.lookup("ktest_middle").addr == TEXT_BASE + 0x80
    assert st.lookup("ktest_inner").addr == TEXT_BASE + 0xe0
    assert st.lookup("ktest_pinned").addr == TEXT_BASE + 0x400
    assert st.lookup("ktest_outer").type.name == "int (int)"
    assert st.lookup("ktest_name").kind == "OBJT"
    assert k.mem.read_cstr(k.literal("ktest", "ktest")) == b"ktest"
    assert k.symtab.lookup_addr(k.literal("ktest", "ktest")) is None


def test_call_chain_reads_back_as_frames_innermost_first(k):
    t0 = k.sym_addr("t0")
    rv = k.enter(t0, 5, ktest_pinned)
    assert rv == (1 + 1) * 2 + 100
    assert names(k, seen["stack"]) == ["ktest`ktest_middle+0x13", "ktest`ktest_outer+0x2b",
                                       "ktest`ktest_pinned+0x11"]
    assert (seen["thread"], seen["cpu"]) == (t0, 5)
    assert k.ctx is None


def test_same_call_site_same_return_address_every_time(k):
    t0 = k.sym_addr("t0")
    k.enter(t0, 0, ktest_outer, 1)
    first = list(seen["stack"])
    k.enter(t0, 3, ktest_outer, 7)
    assert seen["stack"] == first
    assert first[0] == k.sym_addr("ktest_middle") + 0x13


def test_cpu_runs_the_thread_while_in_the_kernel(k):
    t0 = k.sym_addr("t0")
    cpu5 = k.obj(k.cpu_addrs[5], "cpu_t")
    idle = cpu5.cpu_thread
    state = k.obj(t0, "kthread_t").t_state
    k.enter(t0, 5, ktest_observe, 5)
    assert seen["cpu_thread"] == t0
    assert seen["state"] == k.constants["TS_ONPROC"]
    assert cpu5.cpu_thread == idle
    assert k.obj(t0, "kthread_t").t_state == state
    assert k.obj(t0, "kthread_t").t_cpu == cpu5.addr


def test_probe_hooks_run_only_while_enabled(k):
    t0 = k.sym_addr("t0")
    kf = k.functions[("ktest", "ktest_middle")]
    calls = []
    kf.entry_hook = lambda k2, f, args: calls.append(("entry", f.name, args, list(k2.ctx.stack())))
    kf.return_hook = lambda k2, f, rv: calls.append(("return", f.name, rv))
    k.enter(t0, 0, ktest_outer, 1)
    assert calls == []                     # hooks set but not enabled: not called
    kf.probed = True
    k.enter(t0, 0, ktest_outer, 1)
    assert calls[0][:3] == ("entry", "ktest_middle", (2,))
    # An entry probe's stack starts at the caller, at the return address.
    assert names(k, calls[0][3]) == ["ktest`ktest_outer+0x2b"]
    assert calls[1] == ("return", "ktest_middle", 104)
    kf.probed = False
    calls.clear()
    k.enter(t0, 0, ktest_outer, 1)
    assert calls == []


def test_pinned_function_overlapping_is_refused(fresh_kernel):
    KSource("ktest2", "ktest2.c", functions=[("a2", 0x100), ("b2", 0x10)],
            pinned={"b2": TEXT_BASE + 0x20000 + 0x80})
    mdef = ModuleDef("ktest2", "/kernel/misc/amd64/ktest2", "", TEXT_BASE + 0x20000, TEXT_BASE + 0x30000)
    with pytest.raises(ValueError, match="overlaps"):
        load_module(fresh_kernel, mdef, 98)


# -- probe sites and the clock -------------------------------------------------

from kdebug.kernel import cyclic  # noqa: E402


def test_cyclics_and_timeouts_fire_in_time_order(fresh_kernel):
    k = fresh_kernel
    start = k.hrtime
    fired = []
    every = cyclic.cyclic_add(k, lambda k2, cpu: fired.append(("tick", k2.hrtime - start, cpu)), 10_000_000)
    cyclic.timeout(k, lambda k2, cpu: fired.append(("once", k2.hrtime - start, cpu)), 25_000_000, cpu=3)
    omni = cyclic.cyclic_add(k, lambda k2, cpu: fired.append(("omni", k2.hrtime - start, cpu)), 30_000_000,
                             cpus=cyclic.CY_ALL)
    n = cyclic.advance(k, start + 35_000_000)
    assert fired[:4] == [("tick", 10_000_000, 0), ("tick", 20_000_000, 0), ("once", 25_000_000, 3),
                         ("tick", 30_000_000, 0)]
    assert [f for f in fired if f[0] == "omni"] == [("omni", 30_000_000, c) for c in range(80)]
    assert n == len(fired) == 84 and k.hrtime == start + 35_000_000
    cyclic.cyclic_remove(k, every)
    cyclic.cyclic_remove(k, omni)
    fired.clear()
    cyclic.advance(k, start + 100_000_000)
    assert fired == [] and cyclic.next_due(k) is None


def test_sdt_sites_fire_only_when_enabled(k):
    assert ("ktest", "ktest_inner", "inner__done") in k.sdt_sites
    t0 = k.sym_addr("t0")
    got = []
    k.enter(t0, 0, ktest_outer, 1)
    k.sdt_hooks[("ktest", "ktest_inner", "inner__done")] = lambda k2, kf, name, args: got.append((kf.name, name, args))
    k.enter(t0, 0, ktest_outer, 1)
    assert got == [("ktest_inner", "inner__done", (4,))]


def test_system_calls_enter_through_sys_syscall(k):
    init_thread = k.obj(k.var("proc_init").value(), "proc_t").p_tlist
    assert k.enter(init_thread, 2, sys_syscall, ktest_outer, 1) == 104
    assert names(k, seen["stack"])[-1] == "unix`sys_syscall+0x19f"
    events = []
    k.syscall_hooks["ktest_enxio"] = (lambda k2, h, args: events.append(("entry", args)),
                                      lambda k2, h, rv, err: events.append(("return", rv, err)))
    with pytest.raises(SyscallError) as e:
        k.enter(init_thread, 2, sys_syscall, ktest_enxio)
    assert e.value.errno == 6
    assert events == [("entry", ()), ("return", -1, 6)]
    lwp = k.obj(init_thread, "kthread_t").t_lwp
    assert k.obj(lwp, "klwp_t").lwp_errno == 6
