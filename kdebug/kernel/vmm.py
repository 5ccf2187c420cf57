"""bhyve's kernel module, vmm (i86pc io/vmm: vmm_sol_dev.c, vmm_zsd.c, vmm.c, intel/vmx.c).

The module loads on the first open of ``/dev/vmmctl`` and stays loaded
until reboot.  Its ``_init`` registers the ZSD key (``vmm_zsd_init``).
``VMM_CREATE_VM`` on the control device makes a VM (``vmm_softc_t`` on
``vmmdev_list``, one per zone, tied to the zone's ``vmm_zsd_t``);
``/dev/vmm/NAME`` is the VM's device (an sdev plugin), on which the vCPU
threads issue ``VM_RUN``.  VMs are destroyed by the ZSD destroy callback
when their zone halts.

On joyent_20180329T002644Z the first VM takes the HVM exclusion lock and
loads the VMX machinery (``vmmdev_mod_incr`` -> ``hvm_excl_hold("bhyve")``
-> ``vmm_mod_load`` -> VMXON on every CPU, ``vmxon_region[]`` and
``vmxon_enabled[]``); the last VM undoes it (``vmmdev_mod_decr``).  After
OS-7080 (joyent_20180830T002644Z) ``vmm_attach`` registers with the HMA and
loads the VMX machinery once; VMXON belongs to the HMA.

The addresses of the post's frames are pinned (CONVENTIONS.md).

C types: ``vmm_softc_t *``, ``vmm_zsd_t *``, ``struct vm *``.
"""

from __future__ import annotations

from . import vnode
from .cpu import note_guest_entry
from .driver import (EBUSY, EEXIST, EINVAL, ENAMETOOLONG, ENOENT, ENOTTY, ENXIO, EPERM, FEXCL, FWRITE, copyinstr,
                     ddi_get_soft_state, funcptr, ddi_soft_state_free, ddi_soft_state_init, ddi_soft_state_zalloc, getminor,
                     kfunc_addr, mod_installdrv, soft_state_free_item, stack_local)
from .lists import list_create, list_insert_tail, list_remove, list_walk
from .pc_hvm import HVM_EXCL_PLATFORMS, hvm_excl_hold, hvm_excl_rele
from .hma import HMA_PLATFORMS, hma_register, hma_unregister
from .text import KSource
from .zone import zone_hold, zone_key_create, zone_rele

__all__ = ["VMM_CTL_MINOR", "VMM_CREATE_VM", "VMM_DESTROY_VM", "VMM_VM_SUPPORTED", "VM_SUSPEND",
           "VM_MAX_NAMELEN", "for_each_vmm_softc", "VMEXIT_COUNT", "VMEXIT_EXTINT", "VMEXIT_HLT", "VMEXIT_INOUT",
           "vm_run_ioctl"]

DATA = 0xfffffffff82ca000              # vmm data (modctl.MODULE_TABLE)
HVM_NAME_ADDR = 0xfffffffff82caded          # the literal "bhyve" (the post's holder)

VMM_CTL_MINOR = 0
VM_MAX_NAMELEN = 32
VM_MAXCPU = 32
VMM_IOC_BASE = (ord("V") << 16) | (ord("M") << 8)
VMM_CREATE_VM = VMM_IOC_BASE | 0x01
VMM_DESTROY_VM = VMM_IOC_BASE | 0x02
VMM_VM_SUPPORTED = VMM_IOC_BASE | 0x03
IOCNUM_RUN, IOCNUM_SUSPEND = 1, 4
_IOC_INOUT = 0xc0000000
VM_SUSPEND = 0x80000000 | (4 << 16) | (ord("v") << 8) | IOCNUM_SUSPEND   # _IOW('v', 4, struct vm_suspend)
VM_SUSPEND_POWEROFF = 2
VM_EXITCODE_INOUT, VM_EXITCODE_SUSPENDED = 0, 13
# Indexes of a vCPU's exit statistics (vmm_stat.c: VMM_STAT(VMEXIT_COUNT, ...)).
VMEXIT_COUNT, VMEXIT_EXTINT, VMEXIT_HLT, VMEXIT_INOUT = 0, 1, 2, 3
_NSTATS = 8
VMX_ENTER_GUEST = 0x34b      # in vmx_run: the VMLAUNCH/VMRESUME, where a sample of guest time lands

# VM exits the kernel handles in one 10 ms slice of an idle Linux guest:
# its timer interrupt, the HLT that follows, and port I/O to the PIT.
SLICE_EXITS = (VMEXIT_EXTINT, VMEXIT_HLT, VMEXIT_INOUT, VMEXIT_INOUT)
VMX_REVISION = 0x4
PAGESIZE = 0x1000

ALL = HVM_EXCL_PLATFORMS | HMA_PLATFORMS


def _scaled(functions, factor: float):
    """Function sizes scaled (16-byte multiples), so that the module's text has the post's layout:
    vmm_sol_dev.c's functions at the post's addresses, vmm_zsd.c at the end of the text."""
    return [(name, max(0x10, int(size * factor) // 0x10 * 0x10)) for name, size in functions]


_BEFORE, _AFTER = 1.88, 1.94

_TYPES = """
    #define VM_MAX_NAMELEN 32
    #define VM_MAXCPU 32
    #define VMM_HELD 0x1
    #define VMM_CLEANUP 0x2
    #define VMM_PURGED 0x4
    #define VMM_BLOCK_HOOK 0x8

    struct vm_exit {
        int exitcode;
        int inst_length;
        uint64_t rip;
        uint64_t u[4];
    };

    struct vm_run {
        int cpuid;
        struct vm_exit vm_exit;
    };

    struct vcpu {
        int state;
        int hostcpu;
        int reqidle;
        int vcpuid;
        struct vlapic *vlapic;
        uint64_t nextrip;
        struct vm_exit exitinfo;
        uint64_t *stats;
    };

    struct vm {
        void *cookie;
        void *iommu;
        struct vhpet *vhpet;
        struct vioapic *vioapic;
        struct vatpic *vatpic;
        struct vatpit *vatpit;
        struct vpmtmr *vpmtmr;
        struct vrtc *vrtc;
        cpuset_t active_cpus;
        cpuset_t debug_cpus;
        int suspend;
        cpuset_t suspended_cpus;
        cpuset_t halted_cpus;
        char name[VM_MAX_NAMELEN];
        struct vcpu vcpu[VM_MAXCPU];
        uint16_t sockets;
        uint16_t cores;
        uint16_t threads;
        uint16_t maxcpus;
    };

    struct vmm_zsd;

    typedef struct vmm_softc {
        list_node_t vmm_node;
        struct vm *vmm_vm;
        minor_t vmm_minor;
        char vmm_name[VM_MAX_NAMELEN];
        uint_t vmm_flags;
        boolean_t vmm_is_open;
        list_t vmm_devmem_list;
        list_t vmm_holds;
        kcondvar_t vmm_cv;
        list_node_t vmm_zsd_linkage;
        zone_t *vmm_zone;
        struct vmm_zsd *vmm_zsd;
    } vmm_softc_t;

    typedef struct vmm_zsd {
        list_t vz_vmms;
        list_node_t vz_linkage;
        boolean_t vz_active;
        zoneid_t vz_zoneid;
        kmutex_t vz_lock;
    } vmm_zsd_t;
"""

# -- intel/vmx.c ----------------------------------------------------------------

_VMX_FUNCS = [
    ("vmx_allow_x2apic_msrs", 0x2f0), ("vmx_fix_cr0", 0x30), ("vmx_fix_cr4", 0x30), ("vpid_free", 0x50),
    ("vpid_alloc", 0xf8), ("vpid_init", 0x64), ("vmx_disable", 0x48), ("vmx_cleanup", 0x74),
    ("vmx_enable", 0xa4), ("vmx_restore", 0x54), ("vmx_init", 0x7e8), ("vmx_trigger_hostintr", 0x8c),
    ("vmx_setup_cr_shadow", 0x90), ("vmx_vminit", 0x8b0), ("vmx_handle_cpuid", 0x60),
    ("vmx_run_trace", 0x10), ("vmx_exit_trace", 0x10), ("vmx_astpending_trace", 0x10),
    ("vmx_invvpid", 0xf4), ("vmx_set_pcpu_defaults", 0x1c0), ("vmx_set_int_window_exiting", 0x50),
    ("vmx_clear_int_window_exiting", 0x50), ("vmx_inject_nmi", 0x7c), ("vmx_inject_interrupts", 0x4a0),
    ("vmx_emulate_xsetbv", 0x1a8), ("vmx_get_guest_reg", 0xb0), ("vmx_set_guest_reg", 0x120),
    ("vmx_emulate_cr0_access", 0x1d0), ("vmx_emulate_cr4_access", 0x120), ("vmx_emulate_cr8_access", 0x140),
    ("vmx_cpl", 0x28), ("vmx_cpu_mode", 0x70), ("vmx_paging_mode", 0x80), ("inout_str_index", 0x88),
    ("inout_str_count", 0x50), ("inout_str_addrsize", 0x50), ("inout_str_seginfo", 0xa0),
    ("vmx_paging_info", 0x70), ("vmexit_inst_emul", 0x120), ("ept_fault_type", 0x30),
    ("ept_emulation_fault", 0x50), ("apic_access_virtualization", 0x20),
    ("x2apic_virtualization", 0x20), ("vmx_handle_apic_write", 0x1a0), ("apic_access_fault", 0x50),
    ("vmx_handle_apic_access", 0x240), ("vmx_task_switch_reason", 0x50), ("emulate_wrmsr", 0x80),
    ("emulate_rdmsr", 0x100), ("vmx_exit_process", 0x11a0), ("vmx_exit_inst_error", 0x90),
    ("vmx_exit_handle_nmi", 0x60), ("vmx_dr_enter_guest", 0xa0), ("vmx_dr_leave_guest", 0xa0),
    ("vmx_run", 0x7f0), ("vmx_vmcleanup", 0x118), ("vmx_getreg", 0x1c8), ("vmx_setreg", 0x228),
    ("vmx_getdesc", 0x80), ("vmx_setdesc", 0x80), ("vmx_getcap", 0xb0), ("vmx_setcap", 0x1b8),
    ("vmx_vlapic_init", 0x1b0), ("vmx_vlapic_cleanup", 0x40), ("vmx_savectx", 0x68),
    ("vmx_restorectx", 0x68),
]
_VMX_HVM_ONLY = {"vmx_disable", "vmx_enable"}

_VMX_DECLS_HVM = """
    static uint8_t vmxon_region[NCPU][4096];
    static int vmxon_enabled[NCPU];
"""
_VMX_DECLS = """
    static uint32_t vmcs_revision_id;
    static int vmx_initialized;
    int vmx_init(int ipinum);
    int vmx_run(void *arg, int vcpu, uint64_t rip, void *pmap, void *evinfo);
    int vmx_exit_process(void *vmx, int vcpu, struct vm_exit *vmexit);
"""

VMX = KSource("vmm", "intel/vmx.c", order=0, platforms=HVM_EXCL_PLATFORMS, decls=_VMX_DECLS_HVM + _VMX_DECLS,
              functions=_scaled(_VMX_FUNCS, _BEFORE), pinned={"vmxon_region": DATA + 0x1000, "vmxon_enabled": DATA + 0x101000},
              types=_TYPES)
VMX_HMA = KSource("vmm", "intel/vmx.c", order=0, platforms=HMA_PLATFORMS, decls=_VMX_DECLS,
                  functions=_scaled([f for f in _VMX_FUNCS if f[0] not in _VMX_HVM_ONLY], _BEFORE), types=_TYPES)

_OTHER_FILES = [
    ("intel/vmcs.c", [("vmcs_field_encoding", 0x148), ("vmcs_seg_desc_encoding", 0x150), ("vmcs_getreg", 0x90),
                      ("vmcs_setreg", 0x90), ("vmcs_setdesc", 0xd0), ("vmcs_getdesc", 0xd0), ("vmcs_init", 0x3a0),
                      ("vmcs_read", 0x30), ("vmcs_write", 0x30), ("vmcs_load", 0x48), ("vmcs_clear", 0x48)]),
    ("intel/ept.c", [("ept_init", 0x1a0), ("ept_pmap_activated", 0x20), ("ept_pinit", 0x40),
                     ("ept_vmspace_alloc", 0x60), ("ept_vmspace_free", 0x30), ("eptp", 0x40)]),
    ("intel/vmx_msr.c", [("vmx_ctl_allows_one_setting", 0x20), ("vmx_ctl_allows_zero_setting", 0x20),
                         ("vmx_set_ctlreg", 0x1c0), ("msr_bitmap_initialize", 0x30),
                         ("msr_bitmap_change_access", 0x90), ("vmx_msr_init", 0x1c8), ("vmx_msr_guest_init", 0x70),
                         ("vmx_msr_rdmsr", 0x1a0), ("vmx_msr_wrmsr", 0x1f0)]),
    ("io/vatpic.c", [("vatpic_get_highest_isrpin", 0x70), ("vatpic_get_highest_irrpin", 0x90),
                     ("vatpic_notify_intr", 0x1f0), ("vatpic_icw1", 0xb0), ("vatpic_set_pinstate", 0x150),
                     ("vatpic_assert_irq", 0x30), ("vatpic_pending_intr", 0x1a0), ("vatpic_intr_accepted", 0x170),
                     ("vatpic_master_handler", 0x60), ("vatpic_init", 0x70), ("vatpic_cleanup", 0x20)]),
    ("io/vatpit.c", [("vatpit_get_out", 0xb0), ("vatpit_callout_handler", 0x110), ("pit_timer_start_cntr0", 0x120),
                     ("pit_update_counter", 0x100), ("vatpit_handler", 0x2d0), ("vatpit_init", 0xc0),
                     ("vatpit_cleanup", 0x60)]),
    ("io/vhpet.c", [("vhpet_counter", 0xa0), ("vhpet_timer_interrupt", 0x1d0), ("vhpet_handler", 0x90),
                    ("vhpet_start_timer", 0xd0), ("vhpet_mmio_write", 0x5e0), ("vhpet_mmio_read", 0x280),
                    ("vhpet_init", 0x170), ("vhpet_cleanup", 0x50)]),
    ("io/vioapic.c", [("vioapic_send_intr", 0x170), ("vioapic_set_pinstate", 0xc0), ("vioapic_set_irqstate", 0xa0),
                      ("vioapic_assert_irq", 0x20), ("vioapic_update_tmr", 0x150), ("vioapic_read", 0xa0),
                      ("vioapic_write", 0x210), ("vioapic_mmio_rw", 0x100), ("vioapic_init", 0x80),
                      ("vioapic_cleanup", 0x20)]),
    ("io/vlapic.c", [("vlapic_get_id", 0x30), ("vlapic_id_write_handler", 0x30), ("vlapic_timer_tick", 0x90),
                     ("vlapic_set_intr_ready", 0x160), ("vlapic_fire_lvt", 0xf0), ("vlapic_callout_handler", 0x240),
                     ("vlapic_icrtmr_write_handler", 0xe0), ("vlapic_icrlo_write_handler", 0x4b0),
                     ("vlapic_pending_intr", 0x110), ("vlapic_intr_accepted", 0x150), ("vlapic_read", 0x310),
                     ("vlapic_write", 0x2d0), ("vlapic_init", 0x120), ("vlapic_cleanup", 0x40)]),
    ("io/vpmtmr.c", [("vpmtmr_init", 0x50), ("vpmtmr_cleanup", 0x20), ("vpmtmr_handler", 0xa0)]),
    ("io/vrtc.c", [("vrtc_curtime", 0x80), ("secs_to_rtc", 0x2b0), ("rtc_to_secs", 0x330),
                   ("vrtc_time_update", 0x1c0), ("vrtc_callout_handler", 0x110), ("vrtc_nvram_write", 0xe0),
                   ("vrtc_nvram_read", 0xe0), ("vrtc_addr_handler", 0x40), ("vrtc_data_handler", 0x3b0),
                   ("vrtc_init", 0x170), ("vrtc_cleanup", 0x30)]),
]

# AMD-V support (FreeBSD's amd/), built into the module though this host is Intel.
_OTHER_FILES[:0] = [
    ("amd/amdv.c", [("amd_iommu_init", 0x20), ("amd_iommu_cleanup", 0x10), ("amd_iommu_enable", 0x10),
                    ("amd_iommu_disable", 0x10), ("amd_iommu_create_domain", 0x20), ("amd_iommu_destroy_domain", 0x10),
                    ("amd_iommu_create_mapping", 0x20), ("amd_iommu_remove_mapping", 0x20),
                    ("amd_iommu_add_device", 0x10), ("amd_iommu_remove_device", 0x10),
                    ("amd_iommu_invalidate_tlb", 0x10)]),
    ("amd/npt.c", [("svm_npt_init", 0x90), ("npt_pinit", 0x40), ("svm_npt_alloc", 0x60), ("svm_npt_free", 0x30)]),
    ("amd/svm.c", [("svm_cleanup", 0x40), ("check_svm_features", 0x290), ("svm_disable", 0x40),
                   ("svm_available", 0x90), ("svm_init", 0xd0), ("svm_restore", 0x30), ("svm_get_intercept", 0x60),
                   ("svm_set_intercept", 0xe0), ("vmcb_init", 0x420), ("svm_vminit", 0x2e0),
                   ("svm_vcpu_mode", 0xa0), ("svm_paging_info", 0x90), ("svm_inout_str_seginfo", 0x80),
                   ("svm_handle_io", 0x2a0), ("npf_fault_type", 0x30), ("svm_npf_emul_fault", 0x90),
                   ("svm_handle_inst_emul", 0x150), ("svm_eventinject", 0x120), ("svm_update_virqinfo", 0xa0),
                   ("svm_save_intinfo", 0xb0), ("enable_intr_window_exiting", 0xc0),
                   ("disable_intr_window_exiting", 0x90), ("svm_modify_intr_shadow", 0x80),
                   ("svm_get_intr_shadow", 0x50), ("nmi_blocked", 0x30), ("enable_nmi_blocking", 0x40),
                   ("clear_nmi_blocking", 0xb0), ("svm_write_efer", 0x1d0),
                   ("exit_reason_to_str", 0x140), ("svm_vmexit", 0xb30),
                   ("svm_inj_intinfo", 0xb0), ("svm_inj_interrupts", 0x650), ("svm_pmap_activate", 0x160),
                   ("svm_vmrun", 0x560), ("svm_vmcleanup", 0x60), ("swctx_regptr", 0x90), ("svm_getreg", 0xc0),
                   ("svm_setreg", 0xd0), ("svm_setcap", 0x160), ("svm_getcap", 0xf0), ("svm_vlapic_init", 0x80),
                   ("svm_vlapic_cleanup", 0x30)]),
    ("amd/svm_msr.c", [("svm_msr_init", 0x60), ("svm_msr_guest_init", 0x20), ("svm_msr_guest_enter", 0x60),
                       ("svm_msr_guest_exit", 0x60), ("svm_rdmsr", 0x130), ("svm_wrmsr", 0x110)]),
    ("amd/vmcb.c", [("vmcb_access", 0xb0), ("vmcb_segptr", 0xa0), ("vmcb_read", 0x2e0), ("vmcb_write", 0x360),
                    ("vmcb_seg", 0x60), ("vmcb_setdesc", 0xf0), ("vmcb_getdesc", 0xe0)]),
]

_OTHER_SOURCES = [KSource("vmm", name, order=1 + i, functions=_scaled(funcs, _BEFORE))
                  for i, (name, funcs) in enumerate(f for f in _OTHER_FILES if not f[0].startswith("io/"))]

# -- vmm.c ---------------------------------------------------------------------

VMM_C = KSource("vmm", "vmm.c", order=20, decls="""
    static int vmm_initialized;
    static int halt_detection_enabled;
    int vmm_mod_load(void);
    int vmm_mod_unload(void);
    int vm_create(const char *name, struct vm **retvm);
    void vm_destroy(struct vm *vm);
    int vm_run(struct vm *vm, struct vm_run *vmrun);
    int vm_suspend(struct vm *vm, int how);
""", functions=_scaled([
    ("vcpu_cleanup", 0x60), ("vcpu_init", 0x120), ("vm_exitinfo", 0x40), ("vmm_init", 0xd0),
    ("vmm_mod_load", 0x58), ("vmm_mod_unload", 0x50), ("vm_init", 0x1b0), ("vm_create", 0x140),
    ("vm_cleanup", 0x150), ("vm_destroy", 0x30), ("vm_reinit", 0x80), ("vm_name", 0x10),
    ("vm_map_mmio", 0x30), ("vm_unmap_mmio", 0x30), ("vm_mem_allocated", 0x70), ("vm_alloc_memseg", 0x120),
    ("vm_free_memseg", 0x60), ("vm_mmap_memseg", 0x1c0), ("vm_get_memseg", 0x90), ("vm_gpa_hold", 0x100),
    ("vm_get_register", 0x60), ("vm_set_register", 0x90), ("vm_get_seg_desc", 0x50), ("vm_set_seg_desc", 0x50),
    ("restore_guest_fpustate", 0x90), ("save_guest_fpustate", 0x90), ("vcpu_set_state_locked", 0x1a0),
    ("vcpu_require_state", 0x40), ("vm_handle_rendezvous", 0x170), ("vm_handle_hlt", 0x3a0),
    ("vm_handle_paging", 0x150), ("vm_handle_inst_emul", 0x1f0), ("vm_handle_suspend", 0x140),
    ("vm_handle_reqidle", 0x60), ("vm_suspend", 0xa0), ("vm_exit_suspended", 0x60), ("vm_exit_astpending", 0x50),
    ("vm_run", 0x4a0), ("vm_restart_instruction", 0xd0), ("vm_inject_exception", 0x1c0),
    ("vm_inject_nmi", 0x70), ("vm_inject_extint", 0x70), ("vm_activate_cpu", 0x90), ("vm_active_cpus", 0x20),
    ("vm_set_capability", 0x50), ("vm_get_capability", 0x50), ("vm_ioport_handler_hook", 0xe0),
], _BEFORE))

# -- the rest before vmm_sol_dev.c -------------------------------------------------

_MID_FILES = [
    ("vmm_host.c", [("vmm_host_state_init", 0x90), ("vmm_get_host_pat", 0x10), ("vmm_get_host_efer", 0x10),
                    ("vmm_get_host_cr0", 0x10), ("vmm_get_host_cr4", 0x10), ("vmm_get_host_datasel", 0x10),
                    ("vmm_get_host_codesel", 0x10), ("vmm_get_host_tsssel", 0x10), ("vmm_get_host_fsbase", 0x10),
                    ("vmm_get_host_idtrbase", 0x10), ("vmm_get_host_xcr0", 0x10)]),
    ("vmm_instruction_emul.c", [("vie_read_register", 0x80), ("vie_calc_bytereg", 0x60),
                                ("vie_read_bytereg", 0x80), ("vie_write_bytereg", 0xa0),
                                ("vie_update_register", 0xa0), ("getcc", 0x70), ("emulate_mov", 0x440),
                                ("emulate_movx", 0x2e0), ("get_gla", 0x170), ("emulate_movs", 0x6d0),
                                ("emulate_stos", 0x370), ("emulate_and", 0x2b0), ("emulate_or", 0x2b0),
                                ("emulate_cmp", 0x2f0), ("emulate_sub", 0x1a0), ("emulate_stack_op", 0x3c0),
                                ("emulate_push", 0x80), ("emulate_pop", 0x80), ("emulate_group1", 0x70),
                                ("emulate_bittest", 0x140), ("emulate_twob_group15", 0xd0),
                                ("vmm_emulate_instruction", 0x1f0), ("vie_alignment_check", 0x70),
                                ("vie_canonical_check", 0x40), ("vie_size2mask", 0x30),
                                ("vie_calculate_gla", 0x280), ("vie_init", 0x50), ("pf_error_code", 0x40),
                                ("ptp_release", 0x20), ("ptp_hold", 0x50), ("vm_gla2gpa", 0x580),
                                ("vmm_fetch_instruction", 0xe0), ("vie_peek", 0x30), ("vie_advance", 0x20),
                                ("decode_prefixes", 0x170), ("decode_two_byte_opcode", 0x50),
                                ("decode_opcode", 0x90), ("decode_modrm", 0x140), ("decode_sib", 0x120),
                                ("decode_displacement", 0xd0), ("decode_immediate", 0x130),
                                ("decode_moffset", 0xb0), ("verify_gla", 0x110), ("vmm_decode_instruction", 0x100)]),
    ("vmm_ioport.c", [("vm_inout_access", 0x1b0), ("emulate_inout_port", 0xf0), ("emulate_inout_str", 0x60),
                      ("vm_handle_inout", 0xa0)]),
    ("vmm_lapic.c", [("lapic_set_intr", 0x90), ("lapic_set_local_intr", 0xb0), ("lapic_intr_msi", 0xd0),
                     ("lapic_msr", 0x20), ("lapic_rdmsr", 0x70), ("lapic_wrmsr", 0x70), ("lapic_mmio_write", 0x90),
                     ("lapic_mmio_read", 0x90)]),
    ("vmm_stat.c", [("vmm_stat_register", 0xb0), ("vmm_stat_copy", 0xa0), ("vmm_stat_alloc", 0x30),
                    ("vmm_stat_init", 0x80), ("vmm_stat_free", 0x20), ("vmm_stat_desc_copy", 0x80)]),
    ("vmm_util.c", [("vmm_is_intel", 0x30), ("vmm_is_amd", 0x30), ("vmm_supports_1G_pages", 0x40)]),
    ("x86.c", [("x86_emulate_cpuid", 0x8b0), ("vm_cpuid_capability", 0x80)]),
]

_MID_SOURCES = [KSource("vmm", name, order=30 + i, functions=_scaled(funcs, _BEFORE))
                for i, (name, funcs) in enumerate(f for f in _MID_FILES if f[0] != "vmm_instruction_emul.c")]

# -- vmm_sol_dev.c -----------------------------------------------------------------

_SOL_DEV_DECLS = """
    static kmutex_t vmmdev_mtx;
    static kmutex_t vmm_mtx;
    static list_t vmmdev_list;
    static void *vmm_statep;
    static struct cb_ops vmm_cb_ops;
    static struct dev_ops vmm_ops;
    int vmm_ioctl(dev_t dev, int cmd, intptr_t arg, int md, cred_t *credp, int *rvalp);
    int vmm_open(dev_t *devp, int flag, int otyp, cred_t *credp);
    int vmm_close(dev_t dev, int flag, int otyp, cred_t *credp);
    int vmmdev_do_vm_create(char *name, cred_t *cr);
    int vmm_do_vm_destroy(vmm_softc_t *sc, boolean_t clean_zsd);
    int vmm_do_vm_destroy_locked(vmm_softc_t *sc, boolean_t clean_zsd);
    int vmmdev_do_ioctl(vmm_softc_t *sc, int cmd, intptr_t arg, int md, cred_t *credp, int *rvalp);
"""
_SOL_DEV_HVM_DECLS = """
    static const char *vmmdev_hvm_name;
    static uint_t vmmdev_inst_count;
    static boolean_t vmmdev_load_failure;
    boolean_t vmmdev_mod_incr(void);
    void vmmdev_mod_decr(void);
"""
_SOL_DEV_HMA_DECLS = """
    static struct hma_reg *vmm_hma_reg;
"""
_SOL_DEV_FUNCS = [
    ("vmmdev_lookup", 0x60), ("vmmdev_devmem_find", 0x48), ("vmmdev_get_memseg", 0x118),
    ("vmmdev_devmem_create", 0x100), ("vmmdev_devmem_segid", 0x58), ("vmmdev_alloc_memseg", 0xe0),
    ("vcpu_lock_one", 0x50), ("vcpu_unlock_one", 0x48), ("vcpu_lock_all", 0x70), ("vcpu_unlock_all", 0x60),
    ("vmmdev_do_ioctl", 0x1d40), ("vmm_lookup", 0x70), ("vmmdev_mod_incr", 0x7a), ("vmmdev_mod_decr", 0xc8),
    ("vmmdev_do_vm_create", 0x398), ("vmm_drv_hold", 0x98), ("vmm_drv_rele", 0x58), ("vmm_drv_release_reqd", 0x10),
    ("vmm_drv_lease_sign", 0x6c), ("vmm_drv_purge", 0x98), ("vmm_drv_block_hook", 0x70),
    ("vmm_drv_gpa2kva", 0x28), ("vmm_drv_ioport_hook", 0xa0), ("vmm_drv_ioport_unhook", 0x70),
    ("vmm_drv_msi", 0x40), ("vmmdev_devmem_purge", 0x70), ("vmm_do_vm_destroy_locked", 0xf8),
    ("vmm_do_vm_destroy", 0x68), ("vmmdev_do_vm_destroy", 0xe8), ("vmm_open", 0xb8), ("vmm_close", 0x98),
    ("vmm_is_supported", 0xb0), ("vmm_ioctl", 0x2a0), ("vmm_segmap", 0x1b0), ("vmm_sdev_filldir", 0x190),
    ("vmm_sdev_inactive", 0x10), ("vmm_sdev_validate", 0x90), ("vmm_info", 0x48), ("vmm_attach", 0x1c8),
    ("vmm_detach", 0xf0), ("_init", 0x78), ("_fini", 0x60), ("_info", 0x20),
]
_HVM_ONLY = {"vmmdev_mod_incr", "vmmdev_mod_decr"}

VMM_SOL_DEV = KSource("vmm", "vmm_sol_dev.c", order=40, platforms=HVM_EXCL_PLATFORMS,
                      decls=_SOL_DEV_DECLS + _SOL_DEV_HVM_DECLS, functions=_SOL_DEV_FUNCS,
                      pinned={"vmmdev_mod_incr": 0xfffffffff82aec60, "vmmdev_mod_decr": 0xfffffffff82aece0,
                              "vmmdev_do_vm_create": 0xfffffffff82aedb0,
                              "vmm_do_vm_destroy_locked": 0xfffffffff82af5d0,
                              "vmm_do_vm_destroy": 0xfffffffff82af6d0, "vmm_ioctl": 0xfffffffff82afa40},
                      literals={"bhyve": HVM_NAME_ADDR})
VMM_SOL_DEV_HMA = KSource("vmm", "vmm_sol_dev.c", order=40, platforms=HMA_PLATFORMS,
                          decls=_SOL_DEV_DECLS + _SOL_DEV_HMA_DECLS,
                          functions=[f for f in _SOL_DEV_FUNCS if f[0] not in _HVM_ONLY],
                          literals={"bhyve": None})
_SOL_DEVS = (VMM_SOL_DEV, VMM_SOL_DEV_HMA)

_LATE_FILES = [
    ("vmm_sol_glue.c", [("pmap_pinit_type", 0x70), ("pmap_invalidate", 0x20), ("vmspace_alloc", 0x80),
                        ("vmspace_free", 0x40), ("contigmalloc", 0xb0), ("contigfree", 0x40), ("vtophys", 0x30),
                        ("malloc", 0xd0), ("free", 0x80), ("mtx_init", 0x50), ("mtx_destroy", 0x20),
                        ("critical_enter", 0x30), ("critical_exit", 0x50), ("vmm_glue_callout_init", 0x70),
                        ("vmm_glue_callout_reset_sbt", 0xc0), ("vmm_glue_callout_stop", 0x40),
                        ("vmm_glue_callout_drain", 0x40), ("vmm_glue_callout_handler", 0x50), ("ipi_cpu", 0x40),
                        ("smp_rendezvous", 0x90), ("vmm_cpuid_init", 0x170), ("vmm_sol_glue_init", 0x30),
                        ("vmm_sol_glue_cleanup", 0x20), ("vmm_hma_fpu", 0x50)]),
    ("vmm_sol_vm.c", [("vmspace_find_kva", 0x70), ("vmspace_pmap", 0x10), ("vmspace_resident_count", 0x30),
                      ("eptable_alloc", 0x60), ("eptable_free", 0x40), ("eptable_dump", 0x1b0),
                      ("eptable_walk", 0x150), ("eptable_mapin", 0x1f0), ("eptable_mapout", 0x130),
                      ("vm_map_find", 0x1c0), ("vm_map_remove", 0x140), ("vm_map_wire", 0x10),
                      ("vm_segmap_obj", 0x170), ("vm_segmap_space", 0x140), ("vm_object_allocate", 0xf0),
                      ("vm_object_deallocate", 0xa0), ("vm_object_reference", 0x30), ("vm_fault", 0x1a0),
                      ("vm_fault_quick_hold_pages", 0x90), ("vmm_sol_vm_init", 0x40)]),
    ("vmm_sol_ept.c", [("ept_pte_prot", 0x40), ("ept_map", 0xd0), ("ept_unmap", 0x60), ("ept_lookup", 0x50),
                       ("ept_create", 0x50), ("ept_destroy", 0x30), ("ept_wired_count", 0x10)]),
    ("vmm_sol_mem.c", [("vmm_mem_init", 0x60), ("vmm_mem_alloc", 0x90), ("vmm_mem_free", 0x40),
                       ("vmm_mem_maxaddr", 0x10)]),
    ("vmm_sol_rvi.c", [("rvi_pte_prot", 0x40), ("rvi_map", 0xb0), ("rvi_unmap", 0x50), ("rvi_lookup", 0x50),
                       ("rvi_create", 0x50), ("rvi_destroy", 0x30)]),
    ("io/iommu.c", [("iommu_init", 0x100), ("iommu_cleanup", 0x50), ("iommu_create_domain", 0x80),
                    ("iommu_destroy_domain", 0x30), ("iommu_create_mapping", 0x80), ("iommu_remove_mapping", 0x80),
                    ("iommu_host_domain", 0x10), ("iommu_add_device", 0x30), ("iommu_remove_device", 0x30),
                    ("iommu_invalidate_tlb", 0x30)]),
    ("io/ppt.c", [("ppt_find", 0x90), ("ppt_unmap_mmio", 0x80), ("ppt_msi_teardown", 0x110),
                  ("ppt_msix_teardown", 0x120), ("ppt_avail_devices", 0x50), ("ppt_assigned_devices", 0x60),
                  ("ppt_is_mmio", 0xa0), ("ppt_pci_reset", 0x90), ("ppt_assign_device", 0x110),
                  ("ppt_unassign_device", 0x110), ("ppt_unassign_all", 0x80), ("ppt_map_mmio", 0x120),
                  ("pptintr", 0x80), ("ppt_setup_msi", 0x3a0), ("ppt_setup_msix", 0x470), ("ppt_attach", 0x250),
                  ("ppt_detach", 0x90)]),
    ("intel/vtd.c", [("vtd_max_domains", 0x40), ("domain_id", 0x70), ("vtd_device_scope", 0x50),
                     ("vtd_wbflush", 0x60), ("vtd_ctx_global_invalidate", 0x80), ("vtd_iotlb_global_invalidate", 0xa0),
                     ("vtd_translation_enable", 0x50), ("vtd_translation_disable", 0x50), ("vtd_init", 0x3b0),
                     ("vtd_cleanup", 0x10), ("vtd_enable", 0x80), ("vtd_disable", 0x60), ("vtd_add_device", 0x1a0),
                     ("vtd_remove_device", 0x120), ("vtd_update_mapping", 0x2b0), ("vtd_create_mapping", 0x30),
                     ("vtd_remove_mapping", 0x30), ("vtd_invalidate_tlb", 0xe0), ("vtd_create_domain", 0x230),
                     ("ept_free_ptp", 0x70), ("vtd_destroy_domain", 0xb0)]),
]

# After vmm_sol_dev.c: the emulated devices and the instruction emulator, then the illumos glue.
_LATE_FILES[:0] = [f for f in _OTHER_FILES if f[0].startswith("io/")] + \
    [f for f in _MID_FILES if f[0] == "vmm_instruction_emul.c"]
_LATE_SOURCES = {name: KSource("vmm", name, order=50 + i, functions=_scaled(funcs, _AFTER))
                 for i, (name, funcs) in enumerate(_LATE_FILES)}

# -- vmm_zsd.c ---------------------------------------------------------------------

VMM_ZSD = KSource("vmm", "vmm_zsd.c", order=90, decls="""
    static zone_key_t vmm_zsd_key;
    static list_t vmm_zsd_list;
    static kmutex_t vmm_zsd_lock;
    void vmm_zsd_init(void);
    void vmm_zsd_fini(void);
    int vmm_zsd_add_vm(vmm_softc_t *sc);
    void vmm_zsd_rem_vm(vmm_softc_t *sc);
    void *vmm_zsd_create(zoneid_t zid);
    void vmm_zsd_shutdown(zoneid_t zid, void *data);
    void vmm_zsd_destroy(zoneid_t zid, void *data);
""", functions=[
    ("vmm_zsd_init", 0x58), ("vmm_zsd_fini", 0x3c), ("vmm_zsd_add_vm", 0x98), ("vmm_zsd_rem_vm", 0x58),
    ("vmm_zsd_create", 0x88), ("vmm_zsd_shutdown", 0xa8), ("vmm_zsd_destroy", 0x90),
], pinned={"vmm_zsd_destroy": 0xfffffffff82c9f60})


def _impl(*sources):
    """Register the decorated function with each of ``sources`` (the platforms' versions of a file)."""
    def register(fn):
        for src in sources:
            src.impl(fn)
        return fn
    return register


def _hvm_excl(k) -> bool:
    """True on a platform with the HVM exclusion lock (before OS-7080)."""
    return k.platform in HVM_EXCL_PLATFORMS


def _sc(k, sc: int):
    return k.obj(sc, "vmm`vmm_softc_t")


def _zsd(k, z: int):
    return k.obj(z, "vmm`vmm_zsd_t")


def _vm(k, vm: int):
    return k.obj(vm, "vmm`struct vm")


def for_each_vmm_softc(k):
    """Every ``vmm_softc_t *`` on ``vmmdev_list`` (none while vmm is not loaded)."""
    if k.symtab.module("vmm") is None:
        return iter(())
    return list_walk(k, k.sym_addr("vmm`vmmdev_list"))


def vm_run_ioctl(k) -> int:
    """The ``VM_RUN`` ioctl number: ``_IOWR('v', IOCNUM_RUN, struct vm_run)``."""
    size = k.types.lookup("vmm`struct vm_run").size
    return _IOC_INOUT | ((size & 0xff) << 16) | (ord("v") << 8) | IOCNUM_RUN


# -- module data and load ------------------------------------------------------------


@VMM_SOL_DEV.init
def _vmm_data_hvm(k, mod) -> None:
    k.var("vmm`vmmdev_hvm_name").set(k.literal("vmm", "bhyve"))
    _vmm_data(k)


@VMM_SOL_DEV_HMA.init
def _vmm_data_hma(k, mod) -> None:
    _vmm_data(k)


def _vmm_data(k) -> None:
    """The initialised data: ``vmm_cb_ops`` and ``vmm_ops``."""
    cb = k.var("vmm`vmm_cb_ops")
    cb.cb_open = kfunc_addr(k, vmm_open)
    cb.cb_close = kfunc_addr(k, vmm_close)
    cb.cb_ioctl = kfunc_addr(k, vmm_ioctl)
    cb.cb_segmap = k.sym_addr("vmm`vmm_segmap")
    cb.cb_flag = 0x20      # D_NEW | D_MP
    cb.cb_rev = 1
    ops = k.var("vmm`vmm_ops")
    ops.devo_rev = 3
    ops.devo_attach = kfunc_addr(k, vmm_attach)
    ops.devo_detach = k.sym_addr("vmm`vmm_detach")
    ops.devo_cb_ops = cb.addr


@_impl(*_SOL_DEVS)
def _init(k):
    """int _init(void): soft state, ZSD key, mod_install."""
    sc_t = k.types.lookup("vmm`vmm_softc_t")
    list_create(k, k.sym_addr("vmm`vmmdev_list"), sc_t.size, sc_t.member("vmm_node").offset)
    ddi_state = k.sym_addr("vmm`vmm_statep")
    k.call(ddi_soft_state_init, ddi_state, sc_t.size, 64, at=0x2b)
    k.call(vmm_zsd_init, at=0x35)
    mod_installdrv(k, "vmm", k.sym_addr("vmm`vmm_ops"))
    return 0


@_impl(*_SOL_DEVS)
def vmm_attach(k, dip, cmd):
    """static int vmm_attach(dev_info_t *dip, ddi_attach_cmd_t cmd): the control node; HMA after OS-7080."""
    if not _hvm_excl(k):
        reg = k.call(hma_register, k.literal("vmm", "bhyve"), at=0x5d)
        if not reg:
            return -1
        k.var("vmm`vmm_hma_reg").set(reg)
        if k.call(vmm_mod_load, at=0x7b) != 0:
            k.call(hma_unregister, reg, at=0x95)
            k.var("vmm`vmm_hma_reg").set(0)
            return -1
    else:
        k.var("vmm`vmmdev_load_failure").set(0)
    return 0


# -- the control device --------------------------------------------------------------


@_impl(*_SOL_DEVS)
def vmm_open(k, devp, flag, otyp, credp):
    """static int vmm_open(dev_t *devp, int flag, int otyp, cred_t *credp)."""
    minor = getminor(k.mem.read_u64(devp))
    if minor == VMM_CTL_MINOR:
        return 0 if flag & FEXCL else EINVAL
    sc = k.call(ddi_get_soft_state, k.var("vmm`vmm_statep").value(), minor, at=0x55)
    if not sc:
        return ENXIO
    s = _sc(k, sc)
    if s.vmm_is_open:
        return EBUSY
    s.vmm_is_open = 1
    return 0


@_impl(*_SOL_DEVS)
def vmm_close(k, dev, flag, otyp, credp):
    """static int vmm_close(dev_t dev, int flag, int otyp, cred_t *credp)."""
    minor = getminor(dev)
    if minor == VMM_CTL_MINOR:
        return 0
    sc = k.call(ddi_get_soft_state, k.var("vmm`vmm_statep").value(), minor, at=0x3d)
    if sc:
        _sc(k, sc).vmm_is_open = 0
    return 0


@_impl(*_SOL_DEVS)
def vmm_ioctl(k, dev, cmd, arg, md, credp, rvalp):
    """static int vmm_ioctl(dev_t dev, int cmd, intptr_t arg, int md, cred_t *credp, int *rvalp)."""
    minor = getminor(dev)
    if minor != VMM_CTL_MINOR:
        sc = k.call(ddi_get_soft_state, k.var("vmm`vmm_statep").value(), minor, at=0x15b)
        if not sc:
            return ENXIO
        return k.call(vmmdev_do_ioctl, sc, cmd, arg, md, credp, rvalp, at=0x16a)
    if cmd == VMM_VM_SUPPORTED:
        return k.call(vmm_is_supported, arg, at=0x1e1)
    if cmd not in (VMM_CREATE_VM, VMM_DESTROY_VM):
        return ENOTTY
    if not md & FWRITE:
        return EPERM
    name = copyinstr(k, arg, VM_MAX_NAMELEN)
    if name is None:
        return ENAMETOOLONG
    buf = stack_local(k, VM_MAX_NAMELEN)
    k.mem.write(buf, name.encode() + b"\0")
    if cmd == VMM_CREATE_VM:
        return k.call(vmmdev_do_vm_create, buf, credp, at=0x193)
    return k.call(vmmdev_do_vm_destroy, buf, credp, at=0x1c4)


@_impl(*_SOL_DEVS)
def vmm_is_supported(k, arg):
    """static int vmm_is_supported(intptr_t arg): 0 when VMX can be used."""
    return 0


def _crgetzone(k, cr: int) -> int:
    return k.obj(cr, "cred_t").cr_zone


@_impl(*_SOL_DEVS)
def vmm_lookup(k, name):
    """static vmm_softc_t *vmm_lookup(const char *name)."""
    text = k.mem.read_cstr(name, VM_MAX_NAMELEN).decode("latin-1")
    for sc in for_each_vmm_softc(k):
        if _sc(k, sc).member("vmm_name").string() == text:
            return sc
    return 0


@VMM_SOL_DEV.impl
def vmmdev_mod_incr(k):
    """static boolean_t vmmdev_mod_incr(void): the first VM takes the HVM lock and loads vmm."""
    count = k.var("vmm`vmmdev_inst_count")
    if count.value() == 0:
        if k.var("vmm`vmmdev_load_failure").value():
            return 0
        name = k.var("vmm`vmmdev_hvm_name").value()
        if not k.call(hvm_excl_hold, name, at=0x37):
            return 0
        if k.call(vmm_mod_load, at=0x4b) != 0:
            k.call(hvm_excl_rele, name, at=0x5e)
            k.var("vmm`vmmdev_load_failure").set(1)
            return 0
    count.set(count.value() + 1)
    return 1


@VMM_SOL_DEV.impl
def vmmdev_mod_decr(k):
    """static void vmmdev_mod_decr(void): the last VM unloads vmm and releases the HVM lock."""
    count = k.var("vmm`vmmdev_inst_count")
    count.set(count.value() - 1)
    if count.value() == 0:
        if k.call(vmm_mod_unload, at=0x1c) != 0:
            k.panic("assertion failed: vmm_mod_unload() == 0 (0x1 == 0x0), file: ../../i86pc/io/vmm/vmm_sol_dev.c",
                    at=0x27)
        k.call(hvm_excl_rele, k.var("vmm`vmmdev_hvm_name").value(), at=0x31)


@_impl(*_SOL_DEVS)
def vmmdev_do_vm_create(k, name, cr):
    """static int vmmdev_do_vm_create(char *name, cred_t *cr)."""
    if _hvm_excl(k) and not k.call(vmmdev_mod_incr, at=0x73):
        return ENXIO
    zone = _crgetzone(k, cr)

    def undo(error):
        if _hvm_excl(k):
            k.call(vmmdev_mod_decr, at=0x1f1)
        return error

    if k.call(vmm_lookup, name, at=0x9b):
        return undo(EEXIST)
    if k.obj(zone, "zone_t").zone_id != 0:
        for other in for_each_vmm_softc(k):
            if _sc(k, other).vmm_zone == zone:
                return undo(EINVAL)
    statep = k.var("vmm`vmm_statep").value()
    minor = soft_state_free_item(k, statep)
    if minor < 0 or k.call(ddi_soft_state_zalloc, statep, minor, at=0xf4) != 0:
        return undo(ENXIO)
    sc = k.call(ddi_get_soft_state, statep, minor, at=0x108)
    vmp = stack_local(k, 8)
    error = k.call(vm_create, name, vmp, at=0x16e)
    if error:
        k.call(ddi_soft_state_free, statep, minor, at=0x1a2)
        return undo(error)
    s = _sc(k, sc)
    s.vmm_vm = k.mem.read_u64(vmp)
    s.vmm_minor = minor
    s.vmm_name = k.mem.read_cstr(name, VM_MAX_NAMELEN)
    s.vmm_zone = zone
    k.call(zone_hold, zone, at=0x1c5)
    k.call(vmm_zsd_add_vm, sc, at=0x1d4)
    list_insert_tail(k, k.sym_addr("vmm`vmmdev_list"), sc)
    return 0


@_impl(*_SOL_DEVS)
def vmm_do_vm_destroy_locked(k, sc, clean_zsd):
    """static int vmm_do_vm_destroy_locked(vmm_softc_t *sc, boolean_t clean_zsd)."""
    s = _sc(k, sc)
    if s.vmm_is_open:
        return EBUSY
    if clean_zsd:
        k.call(vmm_zsd_rem_vm, sc, at=0x3b)
    k.call(vm_destroy, s.vmm_vm, at=0x7c)
    list_remove(k, k.sym_addr("vmm`vmmdev_list"), sc)
    k.call(zone_rele, s.vmm_zone, at=0xae)
    k.call(ddi_soft_state_free, k.var("vmm`vmm_statep").value(), s.vmm_minor, at=0xbe)
    if _hvm_excl(k):
        k.call(vmmdev_mod_decr, at=0xe6)
    return 0


@_impl(*_SOL_DEVS)
def vmm_do_vm_destroy(k, sc, clean_zsd):
    """static int vmm_do_vm_destroy(vmm_softc_t *sc, boolean_t clean_zsd): with vmmdev_mtx and vmm_mtx."""
    return k.call(vmm_do_vm_destroy_locked, sc, clean_zsd, at=0x3d)


@_impl(*_SOL_DEVS)
def vmmdev_do_vm_destroy(k, name, cr):
    """static int vmmdev_do_vm_destroy(const char *name, cred_t *cr): VMM_DESTROY_VM."""
    if k.obj(cr, "cred_t").cr_uid != 0:
        return EPERM
    sc = k.call(vmm_lookup, name, at=0x4e)
    if not sc:
        return ENOENT
    zone = _crgetzone(k, cr)
    if k.obj(zone, "zone_t").zone_id != 0 and _sc(k, sc).vmm_zone != zone:
        return EPERM
    return k.call(vmm_do_vm_destroy_locked, sc, 1, at=0xb2)


@_impl(*_SOL_DEVS)
def vmmdev_do_ioctl(k, sc, cmd, arg, md, credp, rvalp):
    """static int vmmdev_do_ioctl(vmm_softc_t *sc, int cmd, intptr_t arg, int md, cred_t *credp, int *rvalp).

    The per-VM ioctls the simulation's zhyve uses: VM_RUN and VM_SUSPEND.
    """
    vm = _sc(k, sc).vmm_vm
    if cmd == vm_run_ioctl(k):
        return k.call(vm_run, vm, arg, at=0x3a9)
    if cmd == VM_SUSPEND:
        return k.call(vm_suspend, vm, k.mem.read_u32(arg), at=0x5c2)
    return ENOTTY


def _vmm_sdev_lookup(k, name: str) -> int | None:
    """The minor of VM ``name`` under /dev/vmm (the sdev plugin's validate)."""
    for sc in for_each_vmm_softc(k):
        s = _sc(k, sc)
        if s.member("vmm_name").string() == name:
            return s.vmm_minor
    return None


vnode.SDEV_PLUGINS["/dev/vmm"] = ("vmm", _vmm_sdev_lookup)


# -- vmm.c ---------------------------------------------------------------------------


@VMM_C.impl
def vmm_mod_load(k):
    """int vmm_mod_load(void): vmm_init() -> VMM_INIT (vmx_init); vmm is then initialised."""
    k.call(vmm_init, at=0x19)
    k.var("vmm`vmm_initialized").set(1)
    return 0


@VMM_C.impl
def vmm_init(k):
    """static int vmm_init(void): host state, then the VMX ops' init."""
    return k.call(vmx_init, 0, at=0xa3)


@VMM_C.impl
def vmm_mod_unload(k):
    """int vmm_mod_unload(void): VMM_CLEANUP (vmx_cleanup)."""
    k.call(vmx_cleanup, at=0x27)
    k.var("vmm`vmm_initialized").set(0)
    return 0


@VMM_C.impl
def vm_create(k, name, retvm):
    """int vm_create(const char *name, struct vm **retvm): ENXIO unless vmm is initialised."""
    if not k.var("vmm`vmm_initialized").value():
        return ENXIO
    vm_t = k.types.lookup("vmm`struct vm")
    vm = k.kmem.kmem_alloc(vm_t.size)
    v = _vm(k, vm)
    v.name = k.mem.read_cstr(name, VM_MAX_NAMELEN)
    v.sockets = v.cores = v.threads = 1
    v.maxcpus = VM_MAXCPU
    for i in range(VM_MAXCPU):
        vc = v.member("vcpu").element(i)
        vc.vcpuid = i
        vc.hostcpu = -1
        vc.stats = k.kmem.kmem_alloc(8 * _NSTATS)
    k.mem.write_u64(retvm, vm)
    return 0


@VMM_C.impl
def vm_destroy(k, vm):
    """void vm_destroy(struct vm *vm)."""
    v = _vm(k, vm)
    for i in range(VM_MAXCPU):
        k.kmem.kmem_free(v.member("vcpu").element(i).stats)
    k.kmem.kmem_free(vm)


@VMM_C.impl
def vm_suspend(k, vm, how):
    """int vm_suspend(struct vm *vm, enum vm_suspend_how how)."""
    v = _vm(k, vm)
    if v.suspend == 0:
        v.suspend = how
    return 0


@VMM_C.impl
def vm_run(k, vm, vmrun):
    """int vm_run(struct vm *vm, struct vm_run *vmrun): run a vCPU for one slice.

    The guest's exits that the kernel handles are counted in the vCPU's
    statistics; the slice ends with an exit for userland (port I/O), or
    with VM_EXITCODE_SUSPENDED once the VM is suspended.
    """
    v = _vm(k, vm)
    run = k.obj(vmrun, "vmm`struct vm_run")
    cpuid = run.cpuid
    vc = v.member("vcpu").element(cpuid)
    vc.hostcpu = k.curcpu
    if v.suspend:
        run.member("vm_exit").exitcode = VM_EXITCODE_SUSPENDED
        vc.hostcpu = -1
        return 0
    k.call(vmx_run, vm, cpuid, vc.nextrip, 0, 0, at=0x24b)
    run.member("vm_exit").exitcode = VM_EXITCODE_INOUT
    run.member("vm_exit").rip = vc.nextrip
    vc.hostcpu = -1
    return 0


# -- intel/vmx.c ----------------------------------------------------------------------


@_impl(VMX, VMX_HMA)
def vmx_init(k, ipinum):
    """static int vmx_init(int ipinum): VMX capabilities, then VMXON on every CPU (before OS-7080)."""
    k.var("vmm`vmcs_revision_id").set(VMX_REVISION)
    if _hvm_excl(k):
        k.call(smp_rendezvous, 0, kfunc_addr(k, vmx_enable), 0, 0, at=0x6f1)
    k.var("vmm`vmx_initialized").set(1)
    return 0


@VMX.impl
def vmx_enable(k, arg):
    """static void vmx_enable(void *arg): VMXON on this CPU with its ``vmxon_region``."""
    cpu = k.curcpu
    region = k.var("vmm`vmxon_region").element(cpu).addr
    k.mem.write_u32(region, VMX_REVISION)
    k.var("vmm`vmxon_enabled").element(cpu).set(1)


@VMX.impl
def vmx_disable(k, arg):
    """static void vmx_disable(void *arg): VMXOFF on this CPU."""
    k.var("vmm`vmxon_enabled").element(k.curcpu).set(0)


@_impl(VMX, VMX_HMA)
def vmx_cleanup(k):
    """static int vmx_cleanup(void): VMXOFF everywhere (HMA keeps VMX on after OS-7080)."""
    if _hvm_excl(k):
        k.call(smp_rendezvous, 0, kfunc_addr(k, vmx_disable), 0, 0, at=0x4f)
    k.var("vmm`vmx_initialized").set(0)
    return 0


@_impl(VMX, VMX_HMA)
def vmx_run(k, vm, vcpu, rip, pmap, evinfo):
    """static int vmx_run(void *arg, int vcpu, register_t rip, pmap_t pmap, void *evinfo).

    Enter the guest; handle the slice's exits in the kernel
    (``vmx_exit_process``), until one needs userland.
    """
    note_guest_entry(k, VMX_ENTER_GUEST)
    vc = _vm(k, vm).member("vcpu").element(vcpu)
    for reason in SLICE_EXITS:
        exitinfo = vc.member("exitinfo")
        exitinfo.exitcode = reason
        k.call(vmx_exit_process, vm, vcpu, exitinfo.addr, at=0x3de)
    return 0


@_impl(VMX, VMX_HMA)
def vmx_exit_process(k, vmx, vcpu, vmexit):
    """static int vmx_exit_process(struct vmx *vmx, int vcpu, struct vm_exit *vmexit): count the exit."""
    vc = _vm(k, vmx).member("vcpu").element(vcpu)
    stats = vc.stats
    reason = k.obj(vmexit, "vmm`struct vm_exit").exitcode
    for idx in (VMEXIT_COUNT, reason):
        k.mem.write_u64(stats + 8 * idx, k.mem.read_u64(stats + 8 * idx) + 1)
    vc.nextrip = vc.nextrip + 2
    return 1


_GLUE = _LATE_SOURCES["vmm_sol_glue.c"]


@_GLUE.impl
def smp_rendezvous(k, setup, action, teardown, arg):
    """void smp_rendezvous(setup, action, teardown, arg): run ``action`` on every CPU (xc_sync)."""
    fn = funcptr(k, action)
    saved = k.ctx.cpu
    for cpu in range(k.ncpus):
        k.ctx.cpu = cpu
        k.call(fn, arg, at=0x71)
    k.ctx.cpu = saved


# -- vmm_zsd.c ---------------------------------------------------------------------------


@VMM_ZSD.impl
def vmm_zsd_init(k):
    """void vmm_zsd_init(void): the per-zone records and the ZSD key."""
    zsd_t = k.types.lookup("vmm`vmm_zsd_t")
    list_create(k, k.sym_addr("vmm`vmm_zsd_list"), zsd_t.size, zsd_t.member("vz_linkage").offset)
    k.call(zone_key_create, k.sym_addr("vmm`vmm_zsd_key"), kfunc_addr(k, vmm_zsd_create),
           kfunc_addr(k, vmm_zsd_shutdown), kfunc_addr(k, vmm_zsd_destroy), at=0x45)


@VMM_ZSD.impl
def vmm_zsd_create(k, zid):
    """static void *vmm_zsd_create(zoneid_t zid): a vmm_zsd_t for the zone."""
    zsd_t = k.types.lookup("vmm`vmm_zsd_t")
    sc_t = k.types.lookup("vmm`vmm_softc_t")
    z = k.kmem.kmem_alloc(zsd_t.size)
    o = _zsd(k, z)
    list_create(k, o.member("vz_vmms").addr, sc_t.size, sc_t.member("vmm_zsd_linkage").offset)
    o.vz_zoneid = zid
    o.vz_active = 1
    list_insert_tail(k, k.sym_addr("vmm`vmm_zsd_list"), z)
    return z


@VMM_ZSD.impl
def vmm_zsd_add_vm(k, sc):
    """int vmm_zsd_add_vm(vmm_softc_t *sc): tie the VM to its zone's record."""
    zid = k.obj(_sc(k, sc).vmm_zone, "zone_t").zone_id
    for z in list_walk(k, k.sym_addr("vmm`vmm_zsd_list")):
        o = _zsd(k, z)
        if o.vz_zoneid == zid:
            if not o.vz_active:
                return -1
            _sc(k, sc).vmm_zsd = z
            list_insert_tail(k, o.member("vz_vmms").addr, sc)
            return 0
    return -1


@VMM_ZSD.impl
def vmm_zsd_rem_vm(k, sc):
    """void vmm_zsd_rem_vm(vmm_softc_t *sc)."""
    z = _sc(k, sc).vmm_zsd
    if z:
        list_remove(k, _zsd(k, z).member("vz_vmms").addr, sc)
        _sc(k, sc).vmm_zsd = 0


@VMM_ZSD.impl
def vmm_zsd_shutdown(k, zid, data):
    """static void vmm_zsd_shutdown(zoneid_t zid, void *data): inactive; power off its VMs."""
    o = _zsd(k, data)
    o.vz_active = 0
    for sc in list(list_walk(k, o.member("vz_vmms").addr)):
        k.call(vm_suspend, _sc(k, sc).vmm_vm, VM_SUSPEND_POWEROFF, at=0x6b)


@VMM_ZSD.impl
def vmm_zsd_destroy(k, zid, data):
    """static void vmm_zsd_destroy(zoneid_t zid, void *data): destroy the zone's VMs, free the record."""
    o = _zsd(k, data)
    for sc in list(list_walk(k, o.member("vz_vmms").addr)):
        list_remove(k, o.member("vz_vmms").addr, sc)
        _sc(k, sc).vmm_zsd = 0
        k.call(vmm_do_vm_destroy, sc, 0, at=0x3a)
    list_remove(k, k.sym_addr("vmm`vmm_zsd_list"), data)
    k.kmem.kmem_free(data)
