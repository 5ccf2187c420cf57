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


def test_a_fault_in_kernel_code_is_a_bad_trap_panic(fresh_kernel):
    k = fresh_kernel
    from kdebug.kernel import kvm

    t0 = k.sym_addr("t0")
    with pytest.raises(KernelPanic):
        k.enter(t0, 5, kvm.vmx_fini)      # kvm never set up VMX: its VMXON area pointer is NULL
    info = panic_info(k)
    assert info["message"].startswith("BAD TRAP: type=e (#pf Page fault) rp=")
    assert info["message"].endswith(' addr=0 occurred in module "kvm" due to a NULL pointer dereference')
    frames = [format_symbol(*k.symtab.lookup_addr(pc), bare_core=True) for _, pc in thread.stack_frames(k, t0)]
    assert frames[:4] == ["vpanic", "die+0xdf", "trap+0x1c5", "cmntrap+0xe6"]
    assert frames[4].startswith("kvm`vmx_fini+0x")


def test_a_panicking_host_saves_a_crash_dump_and_reboots(tmp_path):
    from kdebug.host.machine import Machine, host_command, HOST_COMMANDS, CommandResult
    from kdebug.kernel import kvm

    @host_command("test-crash", "/usr/bin/test-crash")
    def crash(machine, argv, stdin):
        machine.kernel.enter(machine.kernel.sym_addr("t0"), 3, kvm.vmx_fini)
        return CommandResult(0)

    try:
        m = Machine(state_dir=tmp_path)
        boots = m.boots
        r = m.run(["test-crash"])
        assert r.rc == 1 and r.stdout == ""
        assert "BAD TRAP: type=e (#pf Page fault)" in r.stderr.splitlines()[0]
        path = tmp_path / "crash" / "vmdump.0.kdump"
        assert r.stderr.splitlines()[1] == f"kdebug: the host panicked and rebooted; its crash dump is {path}"
        assert m.boots == boots + 1 and panic_info(m.kernel) is None
        assert panic_info(dump.load(path))["message"].startswith("BAD TRAP")
        m.run(["test-crash"])
        assert (tmp_path / "crash" / "vmdump.1.kdump").exists()
    finally:
        HOST_COMMANDS.pop("test-crash", None)
