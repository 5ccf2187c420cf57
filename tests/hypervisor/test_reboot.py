"""Reboot: configurations persist, autoboot VMs race for the lock, the seed decides; the later platform."""

import pytest

from kdebug.host.machine import Machine
from kdebug.kernel.lists import list_walk
from kdebug.kernel.symbols import SymbolLookupError

from .util import KVM, LATER, TEST, holder, state, vmadm


def _race(machine, seed):
    machine.reboot(seed=seed)
    return holder(machine)[1], state(machine, TEST), state(machine, KVM)


def test_seeds_decide_the_race_reproducibly(machine):
    vmadm(machine, "start", TEST)
    vmadm(machine, "start", KVM)
    outcomes = {seed: _race(machine, seed) for seed in range(8)}
    assert set(outcomes.values()) == {("bhyve", "running", "running"), ("SmartOS KVM", "stopped", "running")}
    for seed in (0, 5):
        assert _race(machine, seed) == outcomes[seed]


def test_configurations_survive_reboot_and_a_new_machine(tmp_path):
    m = Machine(state_dir=tmp_path)
    assert vmadm(m, "update", TEST, "alias=renamed").rc == 0
    m.reboot(seed=3)
    assert vmadm(m, "lookup", "-1", "alias=renamed").stdout == TEST + "\n"
    m.close()
    assert (tmp_path / "vmadm.sqlite").stat().st_mode & 0o077 == 0
    m2 = Machine(state_dir=tmp_path)
    assert vmadm(m2, "lookup", "-1", "alias=renamed").stdout == TEST + "\n"
    assert vmadm(m2, "list", "-H", "-o", "state").stdout == "stopped\nstopped\n"
    m2.close()


def test_autoboot_vms_start_when_the_machine_starts(tmp_path):
    m = Machine(state_dir=tmp_path)
    vmadm(m, "start", KVM)
    m.close()
    m2 = Machine(state_dir=tmp_path)
    assert state(m2, KVM) == "running" and holder(m2)[1] == "SmartOS KVM"
    m2.close()


def test_stop_clears_autoboot_so_a_reboot_leaves_the_vm_stopped(machine):
    vmadm(machine, "start", KVM)
    vmadm(machine, "stop", KVM)
    machine.reboot(seed=1)
    assert state(machine, KVM) == "stopped" and holder(machine) == (0, None)


def test_later_platform_both_hypervisors_with_hardware(machine):
    vmadm(machine, "start", TEST)
    vmadm(machine, "start", KVM)
    machine.reboot(seed=0, platform=LATER)
    k = machine.kernel
    assert machine.run(["uname", "-v"]).stdout == LATER + "\n"
    for name in ("hvm_excl_holder", "hvm_excl_hold", "hvm_excl_rele", "hvm_excl_lock", "vmm`vmmdev_mod_incr"):
        with pytest.raises(SymbolLookupError):
            k.symtab.lookup(name)
    assert state(machine, TEST) == state(machine, KVM) == "running"
    regs = [k.obj(r, "struct unix`hma_reg").member("hr_name").string()
            for r in list_walk(k, k.sym_addr("hma_registrations"))]
    assert sorted(regs) == ["SmartOS KVM", "bhyve"]
    assert k.var("hma_vmx_ready").value() == 1
    assert all(k.var("hma_vmx_status")[c] == k.constants["VCS_READY"] for c in range(k.ncpus))
    assert '"enabled": true' in vmadm(machine, "info", KVM, "kvm").stdout
    assert machine.userland.guest(TEST).hardware and machine.userland.guest(KVM).hardware
    vmadm(machine, "stop", KVM)
    regs = [k.obj(r, "struct unix`hma_reg").member("hr_name").string()
            for r in list_walk(k, k.sym_addr("hma_registrations"))]
    assert regs == ["bhyve"]                     # vmm keeps its registration while attached


def test_rele_of_a_pointer_that_does_not_hold_the_lock_panics(machine):
    from kdebug.kernel.kernel import KernelPanic
    from kdebug.kernel.pc_hvm import hvm_excl_hold, hvm_excl_rele
    k = machine.kernel
    t0 = k.sym_addr("t0")
    assert k.enter(t0, 0, hvm_excl_hold, 0xfffffffff8224185) == 1
    assert k.enter(t0, 0, hvm_excl_hold, 0xfffffffff8224185) == 0          # not re-entrant
    with pytest.raises(KernelPanic):
        k.enter(t0, 0, hvm_excl_rele, 0xfffffffff82caded)
    assert k.panic_message == ("assertion failed: consumer == hvm_excl_holder, "
                               "file: ../../i86pc/os/pc_hvm.c, line: 54")
