"""A panic leaves in memory what mdb reads from a crash dump."""

import pytest

from kdebug.kernel import KernelPanic, dump, msgbuf, thread
from kdebug.kernel.panic import panic_info
from kdebug.kernel.pc_hvm import hvm_excl_hold, hvm_excl_rele
from kdebug.kernel.symbols import format_symbol


def test_verify_failure_panics_with_the_illumos_message_and_stack(fresh_kernel):
    k = fresh_kernel
    t0 = k.sym_addr("t0")
    k.enter(t0, 0, hvm_excl_hold, k.literal("kvm", "SmartOS KVM"))
    assert panic_info(k) is None
    with pytest.raises(KernelPanic):
        k.enter(t0, 72, hvm_excl_rele, 0xfffffffffbf3ff40)     # not the holder's pointer
    info = panic_info(k)
    message = "assertion failed: consumer == hvm_excl_holder, file: ../../i86pc/os/pc_hvm.c, line: 54"
    assert info == {"message": message, "thread": t0, "cpu": 72}
    frames = [format_symbol(*k.symtab.lookup_addr(pc), bare_core=True) for _, pc in thread.stack_frames(k, t0)]
    assert frames == ["vpanic", "assfail+0x7e", "hvm_excl_rele+0x3c"]
    lines = [msgbuf.message_text(k, m) for m in msgbuf.for_each_message(k)]
    assert f"\rpanic[cpu72]/thread={t0:x}: {message}\n" in lines
    assert lines[-1] == "dumping to /dev/zvol/dsk/zones/dump, offset 65536, content: kernel\n"
    # and a dump of it says the same
    k2 = dump.loads(dump.dumps(k))
    assert panic_info(k2) == info and k2.panic_message == message


def test_a_panicked_kernel_stays_panicked(fresh_kernel):
    k = fresh_kernel
    with pytest.raises(KernelPanic):
        k.panic("first")
    with pytest.raises(KernelPanic):
        k.panic("second")
    assert panic_info(k)["message"] == "first"
