"""Guests run on the machine's clock: hardware virtualisation (exits handled in the kernel) or QEMU's TCG."""

from kdebug.kernel import vmm
from kdebug.kernel.kvm import for_each_kvm

from .util import KVM, SECOND, TEST, probe, vmadm


def _rates(machine, seconds=10):
    g = {u: machine.userland.guest(u) for u in (TEST, KVM)}
    before = {u: (x.guest_work, x.proc._user_ns + x.proc._sys_ns) for u, x in g.items()}
    machine.advance(seconds * SECOND)
    return {u: ((x.guest_work - before[u][0]) / seconds, (x.proc._user_ns + x.proc._sys_ns - before[u][1]) / seconds)
            for u, x in g.items()}


def test_kvm_in_software_is_much_slower_and_burns_more_cpu(machine):
    vmadm(machine, "start", TEST)
    vmadm(machine, "start", KVM)
    rates = _rates(machine)
    (bhyve_work, bhyve_cpu), (kvm_work, kvm_cpu) = rates[TEST], rates[KVM]
    assert kvm_work * 10 < bhyve_work
    assert kvm_cpu > 5 * bhyve_cpu
    k = machine.kernel
    qemu = machine.userland.guest(KVM).proc
    p = k.obj(qemu.proc, "proc_t")
    assert p.p_utime > 0 and p.p_stime == 0          # all in user mode: translating


def test_kvm_with_hardware_is_as_fast_as_bhyve_and_its_exits_are_in_the_kernel(machine):
    vmadm(machine, "start", KVM)
    k = machine.kernel
    exits = []
    probe(k, "kvm`vmx_handle_exit", exits)
    g = machine.userland.guest(KVM)
    work = g.guest_work
    machine.advance(SECOND)
    assert g.guest_work - work == 100 * 1000
    assert len(exits) == 400                                     # 4 exits a slice, 100 slices a second
    assert all(cpu == g.proc.cpu for _, cpu, _, _ in exits)
    (kvmp,) = list(for_each_kvm(k))
    o = k.obj(kvmp, "kvm`struct kvm")
    assert o.kvm_pid == g.proc.pid and o.users_count == 2 and o.online_vcpus == 1
    stat = k.obj(o.member("vcpus")[0], "kvm`struct kvm_vcpu").member("stat")
    assert stat.exits >= 400 and stat.exits == stat.irq_exits + stat.halt_exits + stat.io_exits
    assert k.obj(machine.userland.guest(KVM).proc.proc, "proc_t").p_utime == 0


def test_bhyve_exits_are_counted_in_the_vcpu_stats(machine):
    vmadm(machine, "start", TEST)
    k = machine.kernel
    (sc,) = list(vmm.for_each_vmm_softc(k))
    s = k.obj(sc, "vmm`vmm_softc_t")
    assert s.member("vmm_name").string() == "SYSbhyve-49"
    assert s.vmm_is_open == 1
    zone = k.obj(s.vmm_zone, "zone_t")
    assert zone.member("zone_name").string() == TEST and zone.zone_ref == 2
    vm = k.obj(s.vmm_vm, "vmm`struct vm")
    stats = vm.member("vcpu").element(0).stats
    before = k.mem.read_u64(stats + 8 * vmm.VMEXIT_COUNT)
    machine.advance(SECOND)
    after = k.mem.read_u64(stats + 8 * vmm.VMEXIT_COUNT)
    assert after - before == 400
    assert k.mem.read_u64(stats + 8 * vmm.VMEXIT_HLT) * 4 == after
    # VMXON on every CPU while a VM exists.
    assert all(k.var("vmm`vmxon_enabled")[cpu] == 1 for cpu in range(k.ncpus))
    assert k.mem.read_u32(k.var("vmm`vmxon_region").element(48).addr) == vmm.VMX_REVISION
    vmadm(machine, "stop", TEST)
    assert not any(k.var("vmm`vmxon_enabled")[cpu] for cpu in range(k.ncpus))
    assert list(vmm.for_each_vmm_softc(k)) == []


def test_kvm_turns_vmx_on_per_cpu_while_it_has_users(machine):
    k = machine.kernel
    vmadm(machine, "start", KVM)
    words = k.var("kvm`cpus_hardware_enabled").member("cpub")
    assert sum(bin(words[i]).count("1") for i in range(4)) == k.ncpus
    assert k.var("kvm`vmxarea").value() != 0
    vmadm(machine, "stop", KVM)
    assert sum(bin(words[i]).count("1") for i in range(4)) == 0
    assert k.var("kvm`vmxarea").value() == 0
