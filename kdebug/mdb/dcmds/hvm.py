"""The hypervisors: ::vmm (bhyve's VMs), ::kvm (kvm's VMs) and ::hma (the HMA's registrations).

Each comes from the debugger module of the kernel module that owns the
data, so ``::vmm`` exists only once vmm is loaded (on the first bhyve VM
start), like the dmods mdb loads for the modules it finds.  ``::hma`` reads
the HMA of OS-7080 platforms; on the earlier platform the HVM exclusion
lock is what there is, and ``hvm_excl_holder::print`` shows it.
"""

from __future__ import annotations

from ...kernel import MemoryFault
from ...kernel.lists import list_walk
from ..registry import ERR, OK, USAGE, Explain, dcmd, walker
from .genunix import walk_dcmd


def _cstr(m, addr: int, limit: int = 64) -> str:
    return m.k.mem.read_cstr(addr, limit).decode("latin-1") if addr else ""


# -- bhyve ------------------------------------------------------------------------------

@walker("vmm", "walk bhyve's VMs (vmm_softc_t on vmmdev_list)", module="vmm")
def walk_vmm(m, addr):
    return list_walk(m.k, m.k.sym_addr("vmm`vmmdev_list"))


def _vmm_one(c) -> int:
    m = c.m
    try:
        sc = m.k.obj(c.addr, "vmm`vmm_softc_t")
        name = sc.member("vmm_name").string()
        vm = sc.vmm_vm
        zoneid = m.k.obj(sc.vmm_zone, "zone_t").zone_id if sc.vmm_zone else -1
        flags = sc.vmm_flags
    except MemoryFault as e:
        m.warn("failed to read vmm_softc_t at %p", c.addr, reason=e.reason)
        return ERR
    if c.hdr:
        c.printf("%<u>%?s %?s %4s %5s %s%</u>\n", "ADDR", "VM", "ZONE", "FLAGS", "NAME")
    c.printf("%0?p %?p %4d %5x %s\n", c.addr, vm, zoneid, flags, name)
    return OK


_VMM_EXPLAIN = Explain(
    "::vmm lists bhyve's virtual machines (vmm_softc_t on vmmdev_list), one line each. It exists once the "
    "vmm module is loaded, on the first bhyve VM start.",
    columns=(("ADDR", "the VM's vmm_softc_t: ADDR::print vmm`vmm_softc_t"),
             ("VM", "its struct vm, the virtual machine's state"),
             ("ZONE", "the ID of the zone it runs in (-1: none)"),
             ("FLAGS", "vmm_flags in hex"),
             ("NAME", "the VM's name (SYSbhyve-N for a SmartOS VM)")))


@dcmd("vmm", "?", "list bhyve virtual machines", module="vmm", explain=_VMM_EXPLAIN,
      help="One line per bhyve VM: its vmm_softc_t, its struct vm, the zone it runs in,\n"
           "the softc's flags and the VM's name.\n")
def cmd_vmm(c) -> int:
    if c.args:
        return USAGE
    if not c.has_addr:
        return walk_dcmd(c, "vmm", _vmm_one)
    return _vmm_one(c)


# -- kvm --------------------------------------------------------------------------------

@walker("kvm", "walk kvm's VMs (struct kvm on vm_list)", module="kvm")
def walk_kvm(m, addr):
    return list_walk(m.k, m.k.sym_addr("kvm`vm_list"))


def _kvm_one(c) -> int:
    m = c.m
    try:
        kv = m.k.obj(c.addr, "kvm`struct kvm")
        row = (kv.kvmid, kv.kvm_pid, kv.kvm_zoneid, kv.online_vcpus, kv.users_count)
    except MemoryFault as e:
        m.warn("failed to read struct kvm at %p", c.addr, reason=e.reason)
        return ERR
    if c.hdr:
        c.printf("%<u>%?s %4s %6s %4s %5s %5s%</u>\n", "ADDR", "ID", "PID", "ZONE", "VCPUS", "USERS")
    c.printf("%0?p %4d %6d %4d %5d %5d\n", c.addr, *row)
    return OK


_KVM_EXPLAIN = Explain(
    "::kvm lists kvm's virtual machines (struct kvm on vm_list), one line each.",
    columns=(("ADDR", "the VM's struct kvm"),
             ("ID", "kvm's ID for it"),
             ("PID", "the qemu-system-x86_64 process that runs it"),
             ("ZONE", "the ID of the VM's zone"),
             ("VCPUS", "the virtual CPUs created so far"),
             ("USERS", "its user count")),
    see="Whether kvm got hardware virtualisation shows in hvm_excl_holder::print (\"SmartOS KVM\" when "
        "kvm holds the lock).")


@dcmd("kvm", "?", "list kvm virtual machines", module="kvm", explain=_KVM_EXPLAIN,
      help="One line per kvm VM: its struct kvm, kvm's id for it, the qemu process,\n"
           "the zone, the vCPUs created and the number of users.\n")
def cmd_kvm(c) -> int:
    if c.args:
        return USAGE
    if not c.has_addr:
        return walk_dcmd(c, "kvm", _kvm_one)
    return _kvm_one(c)


# -- the HMA ------------------------------------------------------------------------------

@walker("hma_reg", "walk the HMA's registrations (hma_reg_t on hma_registrations)", module="unix")
def walk_hma_reg(m, addr):
    sym = m.k.symtab.find("unix`hma_registrations")
    if sym is None:
        return iter(())
    return list_walk(m.k, sym.addr)


_HMA_EXPLAIN = Explain(
    "::hma prints the state of the hypervisor multiplexor (the HMA of OS-7080 platforms, which lets "
    "bhyve and kvm run side by side): whether VMX is ready and its revision, \", exclusive\" when one "
    "hypervisor holds it alone, then one line per registered hypervisor. The earlier platform has the "
    "HVM exclusion lock instead: hvm_excl_holder::print.",
    columns=(("VMX: ...", "ready or not ready, the VMX revision, and whether a hypervisor holds it "
                          "exclusively"),
             ("ADDR", "a registration, hma_reg_t"),
             ("NAME", "the hypervisor that registered (bhyve, SmartOS KVM)")))


@dcmd("hma", None, "print the hypervisor multiplexor's state and registrations", module="unix",
      explain=_HMA_EXPLAIN,
      help="Whether VMX is ready, its revision, whether a hypervisor holds the HMA\n"
           "exclusively, and one line per registered hypervisor.\n")
def cmd_hma(c) -> int:
    m = c.m
    if c.args or c.has_addr:
        return USAGE
    k = m.k
    if k.symtab.find("unix`hma_registrations") is None:
        m.warn("failed to read hma_registrations", reason="unknown symbol name")
        return ERR
    ready = k.var("unix`hma_vmx_ready").value()
    c.printf("VMX: %s (revision %#x)%s\n", "ready" if ready else "not ready",
             k.var("unix`hma_vmx_revision").value(),
             ", exclusive" if k.var("unix`hma_exclusive").value() else "")
    c.printf("%<u>%?s %s%</u>\n", "ADDR", "NAME")
    for reg in m.walk("hma_reg"):
        name = k.obj(reg, "unix`hma_reg_t").hr_name
        c.printf("%0?p %s\n", reg, _cstr(m, name))
    return OK
