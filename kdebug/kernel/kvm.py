"""The kvm driver (illumos-kvm: kvm.c, kvm_x86.c, kvm_vmx.c), loaded and attached at boot.

``/dev/kvm`` is a cloning device: each open gets a new minor with a
``kvm_devstate_t``.  The open, not ``KVM_CREATE_VM``, takes the hypervisor:
``kvm_open`` -> ``kvm_hvm_incr`` -> (first user) ``kvm_hvm_init``, which on
joyent_20180329T002644Z takes the HVM exclusion lock as "SmartOS KVM" and
turns VMX on on every CPU (``hardware_enable_all``; ``vmxarea[]``,
``cpus_hardware_enabled``).  If that fails the open fails with ENXIO.  The
last close gives it all back (``kvm_hvm_decr`` -> ``kvm_hvm_fini``).  After
OS-7080 ``kvm_hvm_init`` registers with the HMA instead.

QEMU's use: open, ``KVM_CREATE_VM`` (the fd is the VM), a second open and
``KVM_CLONE`` for the vCPU, ``KVM_CREATE_VCPU``, then ``KVM_RUN`` slices in
which the kernel handles the guest's exits (``vmx_handle_exit``, counted in
the vCPU's ``stat``).

C types: ``struct kvm *``, ``struct kvm_vcpu *``, ``kvm_devstate_t *``.
"""

from __future__ import annotations

from .cpu import note_guest_entry
from .driver import (EINVAL, ENOTTY, ENXIO, getmajor, getminor, ddi_get_soft_state, ddi_soft_state_free,
                     ddi_soft_state_init, ddi_soft_state_zalloc, kfunc_addr, makedevice, soft_state_free_item,
                     mod_installdrv)
from .hma import HMA_PLATFORMS, hma_register, hma_unregister
from .lists import list_create, list_insert_tail, list_remove, list_walk
from .pc_hvm import HVM_EXCL_PLATFORMS, hvm_excl_hold, hvm_excl_rele
from .text import KSource
from .vnode import fd_table

__all__ = ["KVM_GET_API_VERSION", "KVM_CREATE_VM", "KVM_CLONE", "KVM_CREATE_VCPU", "KVM_RUN", "KVM_API_VERSION",
           "for_each_kvm", "EXCL_IDENT_ADDR"]

EXCL_IDENT_ADDR = 0xfffffffff8224185          # the literal "SmartOS KVM" (the post's holder)

KVM_API_VERSION = 12
KVM_GET_API_VERSION = 0x2000ae00
KVM_CREATE_VM = 0x2000ae01
KVM_CLONE = 0x2000ae20
KVM_CREATE_VCPU = 0x2000ae41
KVM_RUN = 0x2000ae80
VCPU_ENTER_GUEST = 0x5cc       # in vcpu_enter_guest: where a sample of guest time lands
# VMX exit reasons (Intel SDM) the guest's slices produce, and the vcpu stat each counts in.
EXIT_REASON_EXTERNAL_INTERRUPT, EXIT_REASON_HLT, EXIT_REASON_IO_INSTRUCTION = 1, 12, 30
SLICE_EXITS = (EXIT_REASON_EXTERNAL_INTERRUPT, EXIT_REASON_HLT, EXIT_REASON_IO_INSTRUCTION,
               EXIT_REASON_IO_INSTRUCTION)
_MAX_MINORS = 1024
VMX_REVISION = 0x4
PAGESIZE = 0x1000

_TYPES = """
    #define KVM_MAX_VCPUS 64

    struct kvm_vcpu_stat {
        uint64_t pf_fixed;
        uint64_t pf_guest;
        uint64_t tlb_flush;
        uint64_t invlpg;
        uint64_t exits;
        uint64_t io_exits;
        uint64_t mmio_exits;
        uint64_t signal_exits;
        uint64_t irq_window_exits;
        uint64_t nmi_window_exits;
        uint64_t halt_exits;
        uint64_t halt_wakeup;
        uint64_t request_irq_exits;
        uint64_t irq_exits;
        uint64_t host_state_reload;
        uint64_t efer_reload;
        uint64_t fpu_reload;
        uint64_t insn_emulation;
        uint64_t insn_emulation_fail;
        uint64_t hypercalls;
        uint64_t irq_injections;
        uint64_t nmi_injections;
    };

    struct kvm;

    typedef struct kvm_vcpu {
        struct kvm *kvm;
        int vcpu_id;
        int cpu;
        int guest_mode;
        unsigned long requests;
        uint32_t exit_reason;
        struct kvm_vcpu_stat stat;
    } kvm_vcpu_t;

    typedef struct kvm {
        kmutex_t mmu_lock;
        kmutex_t lock;
        struct kvm_vcpu *vcpus[KVM_MAX_VCPUS];
        volatile int online_vcpus;
        list_node_t vm_list;
        volatile int users_count;
        int kvmid;
        pid_t kvm_pid;
        zoneid_t kvm_zoneid;
        struct kstat *kvm_kstat;
    } kvm_t;

    typedef struct kvm_devstate {
        struct kvm_vcpu *kds_vcpu;
        struct kvm *kds_kvmp;
    } kvm_devstate_t;
"""

_KVM_C_DECLS = """
    static kmutex_t kvm_lock;
    static uint_t kvm_usage_count;
    static list_t vm_list;
    static int kvmid;
    static void *kvm_state;
    static struct cb_ops kvm_cb_ops;
    static struct dev_ops kvm_ops;
    int kvm_open(dev_t *devp, int flag, int otype, cred_t *credp);
    int kvm_close(dev_t dev, int flag, int otyp, cred_t *cred);
    int kvm_ioctl(dev_t dev, int cmd, intptr_t arg, int md, cred_t *cr, int *rv);
    boolean_t kvm_hvm_incr(void);
    void kvm_hvm_decr(void);
    boolean_t kvm_hvm_init(void);
    void kvm_hvm_fini(void);
    struct kvm *kvm_create_vm(void);
    void kvm_destroy_vm(struct kvm *kvmp);
    int kvm_dev_ioctl_create_vm(kvm_devstate_t *ksp, intptr_t arg, int *rv);
"""
_KVM_C_HVM_DECLS = """
    static const char *kvm_excl_ident;
    static boolean_t kvm_init_failed;
    static cpuset_t cpus_hardware_enabled;
    static kmutex_t cpus_hardware_enabled_mp;
    static volatile uint32_t hardware_enable_failed;
    int hardware_enable_all(void);
    void hardware_disable_all(void);
"""
_KVM_C_HMA_DECLS = """
    static struct hma_reg *kvm_hma_reg;
"""
_KVM_C_FUNCS = [
    ("kvm_vcpu_init", 0x150), ("kvm_vcpu_uninit", 0x60), ("kvm_create_vm", 0x2c0), ("kvm_free_physmem", 0x90),
    ("kvm_destroy_vm", 0x1d8), ("kvm_get_kvm", 0x20), ("kvm_put_kvm", 0x40), ("kvm_set_memory_region", 0x3f0),
    ("kvm_vm_ioctl_create_vcpu", 0x1e0), ("kvm_vcpu_ioctl", 0x2a0), ("kvm_vm_ioctl", 0x3c0),
    ("kvm_dev_ioctl_create_vm", 0xb0), ("kvm_dev_ioctl_check_extension_generic", 0x40),
    ("hardware_enable", 0x98), ("hardware_disable", 0x70), ("hardware_enable_all", 0xb8),
    ("hardware_disable_all", 0x60), ("kvm_hvm_init", 0xa0), ("kvm_hvm_fini", 0x78), ("kvm_hvm_incr", 0x68),
    ("kvm_hvm_decr", 0x58), ("kvm_open", 0x120), ("kvm_close", 0x140), ("kvm_ioctl", 0x1470),
    ("kvm_devmap", 0xd0), ("kvm_segmap", 0x90), ("kvm_getinfo", 0x60), ("kvm_attach", 0x140),
    ("kvm_detach", 0xa8), ("_init", 0x98), ("_fini", 0x58), ("_info", 0x20),
]
_KVM_HVM_ONLY = {"hardware_enable", "hardware_disable", "hardware_enable_all", "hardware_disable_all"}

KVM_C = KSource("kvm", "kvm.c", platforms=HVM_EXCL_PLATFORMS, types=_TYPES, decls=_KVM_C_DECLS + _KVM_C_HVM_DECLS,
                functions=_KVM_C_FUNCS, literals={"SmartOS KVM": EXCL_IDENT_ADDR})
KVM_C_HMA = KSource("kvm", "kvm.c", platforms=HMA_PLATFORMS, types=_TYPES, decls=_KVM_C_DECLS + _KVM_C_HMA_DECLS,
                    functions=[f for f in _KVM_C_FUNCS if f[0] not in _KVM_HVM_ONLY],
                    literals={"SmartOS KVM": EXCL_IDENT_ADDR})
_KVM_CS = (KVM_C, KVM_C_HMA)

KVM_X86 = KSource("kvm", "kvm_x86.c", decls="""
    int kvm_arch_vcpu_ioctl_run(struct kvm_vcpu *vcpu, void *kvm_run);
""", functions=[
    ("kvm_arch_hardware_enable", 0x40), ("kvm_arch_hardware_disable", 0x30), ("kvm_arch_hardware_setup", 0x20),
    ("kvm_arch_hardware_unsetup", 0x20), ("kvm_arch_init", 0x150), ("kvm_arch_exit", 0x60),
    ("kvm_arch_create_vm", 0x90), ("kvm_arch_destroy_vm", 0x150), ("kvm_arch_vcpu_create", 0x50),
    ("kvm_arch_vcpu_setup", 0x90), ("kvm_arch_vcpu_init", 0x1d0), ("kvm_arch_vcpu_destroy", 0x70),
    ("kvm_arch_vcpu_load", 0x1a0), ("kvm_arch_vcpu_put", 0x60), ("kvm_get_msr_common", 0x5a0),
    ("kvm_set_msr_common", 0x6c0), ("kvm_emulate_halt", 0x50), ("kvm_emulate_pio", 0x1d0),
    ("kvm_emulate_cpuid", 0x1c0), ("kvm_inject_page_fault", 0x60), ("inject_pending_event", 0x1b0),
    ("vcpu_enter_guest", 0x7a0), ("__vcpu_run", 0x2a0), ("kvm_arch_vcpu_ioctl_run", 0x250),
    ("kvm_arch_vcpu_ioctl_get_regs", 0x140), ("kvm_arch_vcpu_ioctl_set_regs", 0x140),
    ("kvm_arch_vcpu_ioctl_get_sregs", 0x2a0), ("kvm_arch_vcpu_ioctl_set_sregs", 0x3e0),
])

_VMX_FUNCS = [
    ("alloc_vmcs_cpu", 0x60), ("free_vmcs", 0x20), ("vmx_hardware_enable", 0xd0), ("vmx_hardware_disable", 0x40),
    ("setup_vmcs_config", 0x420), ("alloc_kvm_area", 0xa0), ("free_kvm_area", 0x50), ("vmx_vcpu_setup", 0x980),
    ("vmx_vcpu_run", 0x590), ("handle_exception", 0x2d0), ("handle_external_interrupt", 0x20),
    ("handle_triple_fault", 0x20), ("handle_io", 0xe0), ("handle_cr", 0x290), ("handle_dr", 0x1c0),
    ("handle_cpuid", 0x20), ("handle_rdmsr", 0x90), ("handle_wrmsr", 0x90), ("handle_interrupt_window", 0x70),
    ("handle_halt", 0x30), ("handle_vmcall", 0x20), ("handle_invlpg", 0x40), ("handle_apic_access", 0x80),
    ("handle_task_switch", 0x190), ("handle_ept_violation", 0x100), ("handle_ept_misconfig", 0x150),
    ("vmx_handle_exit", 0x1a0), ("vmx_init", 0x2c0), ("vmx_fini", 0x50),
]
_VMX_DECLS = """
    int vmx_init(void);
    void vmx_fini(void);
    int vmx_handle_exit(struct kvm_vcpu *vcpu);
"""
KVM_VMX = KSource("kvm", "kvm_vmx.c", platforms=HVM_EXCL_PLATFORMS, decls="""
    static struct vmcs **vmxarea;
""" + _VMX_DECLS, functions=_VMX_FUNCS)
KVM_VMX_HMA = KSource("kvm", "kvm_vmx.c", platforms=HMA_PLATFORMS, decls=_VMX_DECLS,
                      functions=[f for f in _VMX_FUNCS if f[0] not in ("vmx_hardware_enable", "vmx_hardware_disable")])
_KVM_VMXS = (KVM_VMX, KVM_VMX_HMA)

_OTHER_FILES = [
    ("kvm_emulate.c", [("decode_register", 0x50), ("decode_modrm", 0x3b0), ("decode_abs", 0x80),
                       ("x86_decode_insn", 0xf40), ("emulate_push", 0x90), ("emulate_pop", 0xc0),
                       ("emulate_grp2", 0x310), ("emulate_grp3", 0x2a0), ("x86_emulate_insn", 0x2a80)]),
    ("kvm_i8254.c", [("pit_get_count", 0x110), ("pit_get_out", 0x100), ("pit_latch_count", 0x60),
                     ("pit_load_count", 0x140), ("kvm_pit_ack_irq", 0x80), ("pit_ioport_write", 0x230),
                     ("pit_ioport_read", 0x190), ("kvm_create_pit", 0x1e0), ("kvm_free_pit", 0x70)]),
    ("kvm_i8259.c", [("pic_update_irq", 0x70), ("kvm_pic_set_irq", 0xa0), ("kvm_pic_read_irq", 0x160),
                     ("kvm_pic_reset", 0x90), ("pic_ioport_write", 0x2a0), ("picdev_read", 0xe0),
                     ("kvm_create_pic", 0x120)]),
    ("kvm_ioapic.c", [("ioapic_read_indirect", 0xc0), ("ioapic_service", 0x90), ("ioapic_write_indirect", 0x160),
                      ("kvm_ioapic_set_irq", 0xd0), ("kvm_ioapic_init", 0xa0)]),
    ("kvm_irq.c", [("kvm_irq_delivery_to_apic", 0x150), ("kvm_set_irq", 0x170), ("kvm_set_irq_routing", 0x1c0)]),
    ("kvm_lapic.c", [("apic_get_reg", 0x20), ("apic_set_reg", 0x20), ("apic_update_ppr", 0x80),
                     ("kvm_apic_set_irq", 0x60), ("apic_accept_irq", 0x260), ("apic_send_ipi", 0x120),
                     ("apic_timer_fn", 0x90), ("apic_reg_read", 0x120), ("apic_reg_write", 0x480),
                     ("kvm_lapic_reset", 0x200), ("kvm_create_lapic", 0x150), ("kvm_free_lapic", 0x70)]),
    ("kvm_mmu.c", [("kvm_mmu_page_fault", 0x1a0), ("kvm_mmu_get_page", 0x3a0), ("kvm_mmu_zap_page", 0x2d0),
                   ("mmu_set_spte", 0x430), ("tdp_page_fault", 0x1f0), ("kvm_mmu_load", 0x90),
                   ("kvm_mmu_unload", 0x40), ("kvm_mmu_create", 0x150), ("kvm_mmu_destroy", 0x80),
                   ("kvm_mmu_module_init", 0x150), ("kvm_mmu_module_exit", 0x60)]),
]
_OTHER_SOURCES = [KSource("kvm", name, functions=funcs) for name, funcs in _OTHER_FILES]


def _impl(*sources):
    """Register the decorated function with each of ``sources`` (the platforms' versions of a file)."""
    def register(fn):
        for src in sources:
            src.impl(fn)
        return fn
    return register


def _hvm_excl(k) -> bool:
    return k.platform in HVM_EXCL_PLATFORMS


def _kvm(k, kvmp: int):
    return k.obj(kvmp, "kvm`struct kvm")


def _vcpu(k, vcpu: int):
    return k.obj(vcpu, "kvm`struct kvm_vcpu")


def _ksp(k, ksp: int):
    return k.obj(ksp, "kvm`kvm_devstate_t")


def for_each_kvm(k):
    """Every ``struct kvm *`` on ``vm_list``."""
    return list_walk(k, k.sym_addr("kvm`vm_list"))


@KVM_C.init
def _kvm_data_hvm(k, mod) -> None:
    k.var("kvm`kvm_excl_ident").set(k.literal("kvm", "SmartOS KVM"))
    _kvm_data(k)


@KVM_C_HMA.init
def _kvm_data_hma(k, mod) -> None:
    _kvm_data(k)


def _kvm_data(k) -> None:
    """The initialised data: ``kvm_cb_ops`` and ``kvm_ops``."""
    cb = k.var("kvm`kvm_cb_ops")
    cb.cb_open = kfunc_addr(k, kvm_open)
    cb.cb_close = kfunc_addr(k, kvm_close)
    cb.cb_ioctl = kfunc_addr(k, kvm_ioctl)
    cb.cb_devmap = k.sym_addr("kvm`kvm_devmap")
    cb.cb_segmap = k.sym_addr("kvm`kvm_segmap")
    cb.cb_flag = 0x20
    cb.cb_rev = 1
    ops = k.var("kvm`kvm_ops")
    ops.devo_rev = 3
    ops.devo_getinfo = k.sym_addr("kvm`kvm_getinfo")
    ops.devo_attach = kfunc_addr(k, kvm_attach)
    ops.devo_detach = k.sym_addr("kvm`kvm_detach")
    ops.devo_cb_ops = cb.addr


@_impl(*_KVM_CS)
def _init(k):
    """int _init(void): soft state and mod_install."""
    ksp_t = k.types.lookup("kvm`kvm_devstate_t")
    k.call(ddi_soft_state_init, k.sym_addr("kvm`kvm_state"), ksp_t.size, _MAX_MINORS, at=0x39)
    mod_installdrv(k, "kvm", k.sym_addr("kvm`kvm_ops"))
    return 0


@_impl(*_KVM_CS)
def kvm_attach(k, dip, cmd):
    """static int kvm_attach(dev_info_t *devi, ddi_attach_cmd_t cmd): the /dev/kvm node, ``vm_list``."""
    kvm_t = k.types.lookup("kvm`struct kvm")
    list_create(k, k.sym_addr("kvm`vm_list"), kvm_t.size, kvm_t.member("vm_list").offset)
    if _hvm_excl(k):
        k.var("kvm`kvm_init_failed").set(0)
    return 0


# -- open and close: the hypervisor's users ------------------------------------------


@_impl(*_KVM_CS)
def kvm_open(k, devp, flag, otype, credp):
    """static int kvm_open(dev_t *devp, int flag, int otype, cred_t *credp): a clone, ENXIO without VMX."""
    if getminor(k.mem.read_u64(devp)) != 0:
        return ENXIO
    state = k.var("kvm`kvm_state").value()
    minor = soft_state_free_item(k, state)
    if minor < 0 or k.call(ddi_soft_state_zalloc, state, minor, at=0x58) != 0:
        return ENXIO
    if not k.call(kvm_hvm_incr, at=0x8d):
        k.call(ddi_soft_state_free, state, minor, at=0xa4)
        return ENXIO
    k.mem.write_u64(devp, makedevice(getmajor(k.mem.read_u64(devp)), minor))
    return 0


@_impl(*_KVM_CS)
def kvm_hvm_incr(k):
    """static boolean_t kvm_hvm_incr(void): the first user brings up the hypervisor."""
    count = k.var("kvm`kvm_usage_count")
    if count.value() == 0 and not k.call(kvm_hvm_init, at=0x3e):
        return 0
    count.set(count.value() + 1)
    return 1


@_impl(*_KVM_CS)
def kvm_hvm_decr(k):
    """static void kvm_hvm_decr(void): the last user takes it down."""
    count = k.var("kvm`kvm_usage_count")
    count.set(count.value() - 1)
    if count.value() == 0:
        k.call(kvm_hvm_fini, at=0x43)


@_impl(*_KVM_CS)
def kvm_hvm_init(k):
    """static boolean_t kvm_hvm_init(void): the HVM lock (or an HMA registration), then VMX."""
    if _hvm_excl(k):
        if k.var("kvm`kvm_init_failed").value():
            return 0
        ident = k.var("kvm`kvm_excl_ident").value()
        if not k.call(hvm_excl_hold, ident, at=0x2d):
            return 0
        if k.call(vmx_init, at=0x4a) != 0 or k.call(hardware_enable_all, at=0x5b) != 0:
            k.var("kvm`kvm_init_failed").set(1)
            k.call(hvm_excl_rele, ident, at=0x7f)
            return 0
        return 1
    reg = k.call(hma_register, k.literal("kvm", "SmartOS KVM"), at=0x25)
    if not reg:
        return 0
    k.var("kvm`kvm_hma_reg").set(reg)
    if k.call(vmx_init, at=0x42) != 0:
        k.call(hma_unregister, reg, at=0x5c)
        k.var("kvm`kvm_hma_reg").set(0)
        return 0
    return 1


@_impl(*_KVM_CS)
def kvm_hvm_fini(k):
    """static void kvm_hvm_fini(void): VMX off (before OS-7080), then release the lock or registration."""
    if _hvm_excl(k):
        k.call(hardware_disable_all, at=0x13)
        k.call(vmx_fini, at=0x27)
        k.call(hvm_excl_rele, k.var("kvm`kvm_excl_ident").value(), at=0x63)
        return
    k.call(vmx_fini, at=0x1b)
    k.call(hma_unregister, k.var("kvm`kvm_hma_reg").value(), at=0x3a)
    k.var("kvm`kvm_hma_reg").set(0)


@_impl(*_KVM_CS)
def kvm_close(k, dev, flag, otyp, cred):
    """static int kvm_close(dev_t dev, int flag, int otyp, cred_t *cred)."""
    state = k.var("kvm`kvm_state").value()
    minor = getminor(dev)
    ksp = k.call(ddi_get_soft_state, state, minor, at=0x2e)
    if not ksp:
        return ENXIO
    kvmp = _ksp(k, ksp).kds_kvmp
    if kvmp:
        o = _kvm(k, kvmp)
        o.users_count = o.users_count - 1
        if o.users_count == 0:
            k.call(kvm_destroy_vm, kvmp, at=0x9a)
    k.call(ddi_soft_state_free, state, minor, at=0xf1)
    k.call(kvm_hvm_decr, at=0x111)
    return 0


# -- ioctls ---------------------------------------------------------------------------


@_impl(*_KVM_CS)
def kvm_ioctl(k, dev, cmd, arg, md, cr, rv):
    """static int kvm_ioctl(dev_t dev, int cmd, intptr_t arg, int md, cred_t *cr, int *rv)."""
    ksp = k.call(ddi_get_soft_state, k.var("kvm`kvm_state").value(), getminor(dev), at=0x4c)
    if not ksp:
        return ENXIO
    s = _ksp(k, ksp)
    if cmd == KVM_RUN:
        if not s.kds_vcpu:
            return EINVAL
        return k.call(kvm_arch_vcpu_ioctl_run, s.kds_vcpu, 0, at=0x2d5)
    if cmd == KVM_GET_API_VERSION:
        if arg:
            return EINVAL
        k.mem.write_u32(rv, KVM_API_VERSION)
        return 0
    if cmd == KVM_CREATE_VM:
        if arg:
            return EINVAL
        return k.call(kvm_dev_ioctl_create_vm, ksp, arg, rv, at=0xb62)
    if cmd == KVM_CLONE:
        if s.kds_kvmp:
            return EINVAL
        proc = k.obj(k.curthread, "kthread_t").t_procp
        fp = fd_table(k, proc).get(arg, 0)
        if not fp:
            return 9   # EBADF
        vp = k.obj(fp, "file_t").f_vnode
        other = k.call(ddi_get_soft_state, k.var("kvm`kvm_state").value(),
                       getminor(k.obj(vp, "vnode_t").v_rdev), at=0xc8e)
        if not other or not _ksp(k, other).kds_kvmp:
            return EINVAL
        kvmp = _ksp(k, other).kds_kvmp
        s.kds_kvmp = kvmp
        _kvm(k, kvmp).users_count = _kvm(k, kvmp).users_count + 1
        return 0
    if cmd == KVM_CREATE_VCPU:
        if not s.kds_kvmp or s.kds_vcpu:
            return EINVAL
        vcpu = k.call(kvm_vm_ioctl_create_vcpu, s.kds_kvmp, arg, rv, at=0x7f0)
        if not vcpu:
            return EINVAL
        s.kds_vcpu = vcpu
        return 0
    return ENOTTY


@_impl(*_KVM_CS)
def kvm_dev_ioctl_create_vm(k, ksp, arg, rv):
    """static int kvm_dev_ioctl_create_vm(kvm_devstate_t *ksp, intptr_t arg, int *rv)."""
    s = _ksp(k, ksp)
    if s.kds_kvmp:
        return EINVAL
    kvmp = k.call(kvm_create_vm, at=0x3a)
    if not kvmp:
        return 5   # EIO: "Could not create new vm"
    s.kds_kvmp = kvmp
    k.mem.write_u32(rv, _kvm(k, kvmp).kvmid)
    return 0


@_impl(*_KVM_CS)
def kvm_create_vm(k):
    """static struct kvm *kvm_create_vm(void): on ``vm_list`` with the next ``kvmid``."""
    kvm_t = k.types.lookup("kvm`struct kvm")
    kvmp = k.kmem.kmem_alloc(kvm_t.size)
    o = _kvm(k, kvmp)
    kid = k.var("kvm`kvmid")
    o.kvmid = kid.value()
    kid.set(kid.value() + 1)
    o.users_count = 1
    proc = k.obj(k.curthread, "kthread_t").t_procp
    p = k.obj(proc, "proc_t")
    o.kvm_pid = k.obj(p.p_pidp, "struct pid").pid_id
    o.kvm_zoneid = k.obj(p.p_zone, "zone_t").zone_id
    list_insert_tail(k, k.sym_addr("kvm`vm_list"), kvmp)
    return kvmp


@_impl(*_KVM_CS)
def kvm_vm_ioctl_create_vcpu(k, kvmp, n, rv):
    """static int kvm_vm_ioctl_create_vcpu(struct kvm *kvm, uint32_t id, int *rv): returns the vcpu here."""
    o = _kvm(k, kvmp)
    if not 0 <= n < k.constants["KVM_MAX_VCPUS"] or o.member("vcpus")[n]:
        return 0
    vcpu_t = k.types.lookup("kvm`struct kvm_vcpu")
    vcpu = k.kmem.kmem_alloc(vcpu_t.size)
    v = _vcpu(k, vcpu)
    v.kvm = kvmp
    v.vcpu_id = n
    v.cpu = -1
    o.member("vcpus").element(n).set(vcpu)
    o.online_vcpus = o.online_vcpus + 1
    return vcpu


@_impl(*_KVM_CS)
def kvm_destroy_vm(k, kvmp):
    """static void kvm_destroy_vm(struct kvm *kvmp): off ``vm_list``; vcpus and VM freed."""
    o = _kvm(k, kvmp)
    for i in range(o.online_vcpus):
        vcpu = o.member("vcpus")[i]
        if vcpu:
            k.kmem.kmem_free(vcpu)
    list_remove(k, k.sym_addr("kvm`vm_list"), kvmp)
    k.kmem.kmem_free(kvmp)


# -- running the guest --------------------------------------------------------------------


@KVM_X86.impl
def kvm_arch_vcpu_ioctl_run(k, vcpu, kvm_run):
    """int kvm_arch_vcpu_ioctl_run(struct kvm_vcpu *vcpu, struct kvm_run *kvm_run)."""
    return k.call(__vcpu_run, vcpu, at=0x1a1)


@KVM_X86.impl
def __vcpu_run(k, vcpu):
    """static int __vcpu_run(struct kvm_vcpu *vcpu): enter the guest until an exit needs userland."""
    v = _vcpu(k, vcpu)
    v.cpu = k.curcpu
    for reason in SLICE_EXITS:
        v.exit_reason = reason
        k.call(vcpu_enter_guest, vcpu, at=0x10e)
    v.cpu = -1
    return 0


@KVM_X86.impl
def vcpu_enter_guest(k, vcpu):
    """static int vcpu_enter_guest(struct kvm_vcpu *vcpu): run, then ``kvm_x86_ops->handle_exit``."""
    v = _vcpu(k, vcpu)
    v.guest_mode = 1
    note_guest_entry(k, VCPU_ENTER_GUEST)
    v.guest_mode = 0
    return k.call(vmx_handle_exit, vcpu, at=0x5f3)


_EXIT_STAT = {EXIT_REASON_EXTERNAL_INTERRUPT: "irq_exits", EXIT_REASON_HLT: "halt_exits",
              EXIT_REASON_IO_INSTRUCTION: "io_exits"}


@_impl(*_KVM_VMXS)
def vmx_handle_exit(k, vcpu):
    """static int vmx_handle_exit(struct kvm_vcpu *vcpu): count the exit in ``vcpu->stat``."""
    v = _vcpu(k, vcpu)
    stat = v.member("stat")
    stat.exits = stat.exits + 1
    name = _EXIT_STAT[v.exit_reason]
    setattr(stat, name, getattr(stat, name) + 1)
    return 1


# -- VMX on and off (before OS-7080) -----------------------------------------------------


@_impl(*_KVM_VMXS)
def vmx_init(k):
    """static int vmx_init(void): VMCS config; a VMXON area per CPU (before OS-7080)."""
    if _hvm_excl(k):
        area = k.kmem.kmem_alloc(8 * k.ncpus)
        for cpu in range(k.ncpus):
            page = k.kmem.kmem_alloc(PAGESIZE)
            k.mem.write_u32(page, VMX_REVISION)
            k.mem.write_u64(area + 8 * cpu, page)
        k.var("kvm`vmxarea").set(area)
    return 0


@_impl(*_KVM_VMXS)
def vmx_fini(k):
    """static void vmx_fini(void): free the VMXON areas."""
    if _hvm_excl(k):
        area = k.var("kvm`vmxarea").value()
        for cpu in range(k.ncpus):
            k.kmem.kmem_free(k.mem.read_u64(area + 8 * cpu))
        k.kmem.kmem_free(area)
        k.var("kvm`vmxarea").set(0)


def _cpuset(k, cpu: int, on: bool) -> None:
    words = k.var("kvm`cpus_hardware_enabled").member("cpub")
    a = words.addr + 8 * (cpu // 64)
    bit = 1 << (cpu % 64)
    v = k.mem.read_u64(a)
    k.mem.write_u64(a, v | bit if on else v & ~bit)


@KVM_C.impl
def hardware_enable_all(k):
    """static int hardware_enable_all(void): ``on_each_cpu(hardware_enable)``."""
    saved = k.ctx.cpu
    for cpu in range(k.ncpus):
        k.ctx.cpu = cpu
        k.call(hardware_enable, 0, at=0x6d)
    k.ctx.cpu = saved
    return 0


@KVM_C.impl
def hardware_enable(k, junk):
    """static void hardware_enable(void *junk): VMXON on this CPU, noted in ``cpus_hardware_enabled``."""
    _cpuset(k, k.curcpu, True)
    k.call(vmx_hardware_enable, 0, at=0x5c)


@KVM_VMX.impl
def vmx_hardware_enable(k, garbage):
    """static int vmx_hardware_enable(void *garbage): VMXON with this CPU's ``vmxarea`` page."""
    return 0


@KVM_C.impl
def hardware_disable_all(k):
    """static void hardware_disable_all(void): ``on_each_cpu(hardware_disable)``."""
    saved = k.ctx.cpu
    for cpu in range(k.ncpus):
        k.ctx.cpu = cpu
        k.call(hardware_disable, 0, at=0x45)
    k.ctx.cpu = saved


@KVM_C.impl
def hardware_disable(k, junk):
    """static void hardware_disable(void *junk): VMXOFF on this CPU."""
    _cpuset(k, k.curcpu, False)
    k.call(vmx_hardware_disable, 0, at=0x3e)


@KVM_VMX.impl
def vmx_hardware_disable(k, garbage):
    """static void vmx_hardware_disable(void *garbage): VMXOFF."""
