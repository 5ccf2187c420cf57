"""The Hypervisor Multiplexor API (i86pc os/hma.c, unix), from OS-7080 on.

VMX is turned on once, at boot, on every CPU (``hma_init`` from
``mp_startup``), and never turned off; hypervisors register by name
(``hma_register``), without excluding each other.  Registrations are
``struct hma_reg`` on the ``hma_registrations`` list, so
``hma_registrations::walk list | ::print struct hma_reg hr_name`` shows
who is registered.

C types: ``hma_reg_t *``, ``const char *name``.
"""

from __future__ import annotations

from .lists import list_create, list_insert_tail, list_remove
from .text import KSource

__all__ = ["HMA", "HMA_PLATFORMS", "hma_init", "hma_register", "hma_unregister"]

HMA_PLATFORMS = {"joyent_20180830T002644Z"}

# VMX revision identifier of the host's CPUs (Broadwell-EP, IA32_VMX_BASIC[30:0]).
VMX_REVISION = 0x4
PAGESIZE = 0x1000

HMA = KSource("unix", "hma.c", order=7, platforms=HMA_PLATFORMS, types="""
    struct hma_reg {
        const char *hr_name;
        list_node_t hr_node;
    };
    typedef struct hma_reg hma_reg_t;

    typedef enum hma_vmx_status {
        VCS_UNINITIALIZED = 0,
        VCS_READY,
        VCS_ERROR
    } hma_vmx_status_t;
""", decls="""
    static kmutex_t hma_lock;
    static list_t hma_registrations;
    static boolean_t hma_exclusive;
    static boolean_t hma_vmx_ready;
    static const char *hma_vmx_error;
    static uint32_t hma_vmx_revision;
    static void *hma_vmx_vmxon_page[NCPU];
    static uintptr_t hma_vmx_vmxon_pa[NCPU];
    static hma_vmx_status_t hma_vmx_status[NCPU];
    void hma_init(void);
    hma_reg_t *hma_register(const char *name);
    void hma_unregister(hma_reg_t *reg);
""", functions=[
    ("hma_init", 0x8c), ("hma_register", 0xb4), ("hma_unregister", 0x6c), ("hma_vmx_init", 0x1e8),
    ("hma_vmx_cpu_setup", 0x158), ("hma_vmx_cpu_vmxon", 0xdc), ("hma_vmx_vpid_alloc", 0x38),
    ("hma_vmx_vpid_free", 0x30), ("hma_svm_init", 0x4c),
])


@HMA.impl
def hma_init(k):
    """void hma_init(void): VMX on every CPU (Intel host); registrations start empty."""
    reg_t = k.types.lookup("struct unix`hma_reg")
    list_create(k, k.sym_addr("hma_registrations"), reg_t.size, reg_t.member("hr_node").offset)
    k.call(hma_vmx_init, at=0x6d)


@HMA.impl
def hma_vmx_init(k):
    """static int hma_vmx_init(void): VMXON on each online CPU, then ``hma_vmx_ready``."""
    k.var("hma_vmx_revision").set(VMX_REVISION)
    for cpu in range(k.ncpus):
        k.call(hma_vmx_cpu_setup, 0, cpu, at=0x17a)
    k.var("hma_vmx_ready").set(1)
    return 0


@HMA.impl
def hma_vmx_cpu_setup(k, what, seqid):
    """static int hma_vmx_cpu_setup(cpu_setup_t what, int id): the CPU's VMXON page, then VMXON."""
    page = k.kmem.vmem_alloc(PAGESIZE, "hma vmxon page")
    k.mem.write_u32(page, VMX_REVISION)
    k.var("hma_vmx_vmxon_page").element(seqid).set(page)
    k.var("hma_vmx_vmxon_pa").element(seqid).set(page - k.var("kernelheap").value() + 0x100000000)
    return k.call(hma_vmx_cpu_vmxon, seqid, at=0x121)


@HMA.impl
def hma_vmx_cpu_vmxon(k, seqid):
    """static int hma_vmx_cpu_vmxon(xc_arg_t, ...): CR4.VMXE and VMXON on this CPU."""
    k.var("hma_vmx_status").element(seqid).set(k.constants["VCS_READY"])
    return 0


@HMA.impl
def hma_register(k, name):
    """hma_reg_t *hma_register(const char *name): a registration, or NULL if VMX is not ready."""
    if not k.var("hma_vmx_ready").value() or k.var("hma_exclusive").value():
        return 0
    reg_t = k.types.lookup("struct unix`hma_reg")
    reg = k.kmem.kmem_alloc(reg_t.size)
    k.obj(reg, reg_t).hr_name = name
    list_insert_tail(k, k.sym_addr("hma_registrations"), reg)
    return reg


@HMA.impl
def hma_unregister(k, reg):
    """void hma_unregister(hma_reg_t *reg)."""
    list_remove(k, k.sym_addr("hma_registrations"), reg)
    k.kmem.kmem_free(reg)
