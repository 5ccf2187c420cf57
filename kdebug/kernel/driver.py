"""Character drivers (genunix driver.c, devops, ddi): how a device call reaches its driver.

Each driver has a ``struct dev_ops`` whose ``devo_cb_ops`` holds its entry
points (``cb_open``, ``cb_close``, ``cb_ioctl``); ``devopsp[major]`` points
at it once the driver is installed, and ``devnamesp[major].dn_name`` is the
driver's name (``/etc/name_to_major``).  ``dev_open``, ``dev_close`` and
``cdev_ioctl`` read the entry point from memory and call it, as illumos
does through the function pointer.

Helpers: :func:`makedevice`, :func:`getmajor`, :func:`getminor`,
:func:`ddi_name_to_major`, :func:`mod_installdrv`, :func:`funcptr`,
:func:`kfunc_addr`, :func:`copyinstr`.

C types: ``struct dev_ops *``, ``struct cb_ops *``, ``dev_t``.
"""

from __future__ import annotations

from .modctl import modload, module_def
from .text import KSource

__all__ = ["DRIVER", "makedevice", "getmajor", "getminor", "ddi_name_to_major", "mod_installdrv",
           "funcptr", "kfunc_addr", "copyinstr", "stack_local", "driver_init", "devops_of", "NAME_TO_MAJOR", "ENXIO", "ENOENT", "EPERM", "EBUSY",
           "EEXIST", "EBADF", "EINVAL", "ENOTTY", "ENAMETOOLONG", "EIO", "FREAD", "FWRITE", "FEXCL", "FKIOCTL",
           "OTYP_CHR", "ddi_hold_installed_driver", "ddi_soft_state_init", "ddi_get_soft_state",
           "ddi_soft_state_zalloc", "ddi_soft_state_free", "soft_state_free_item", "soft_state_items"]

# errno values (sys/errno.h).
EPERM, ENOENT, EIO, ENXIO, EBADF, EBUSY, EEXIST, EINVAL, ENOTTY, ENAMETOOLONG = 1, 2, 5, 6, 9, 16, 17, 22, 25, 78

# open modes (sys/file.h) and open types (sys/open.h).
FREAD, FWRITE, FEXCL, FKIOCTL = 0x01, 0x02, 0x0400, 0x80000000
OTYP_CHR = 2

DDI_ATTACH = 0
NBITSMINOR = 32
MAXMIN = 0xffffffff

# /etc/name_to_major of the simulated host: the drivers whose devices the
# simulation opens.
NAME_TO_MAJOR = {"kvm": 268, "vmm": 299}
_DEVCNT = 320

DRIVER = KSource("genunix", "driver.c", order=1, types="""
    struct cb_ops {
        int (*cb_open)(dev_t *devp, int flag, int otyp, cred_t *credp);
        int (*cb_close)(dev_t dev, int flag, int otyp, cred_t *credp);
        int (*cb_strategy)(void *bp);
        int (*cb_print)(dev_t dev, char *str);
        int (*cb_dump)(dev_t dev, caddr_t addr, long blkno, int nblk);
        int (*cb_read)(dev_t dev, void *uiop, cred_t *credp);
        int (*cb_write)(dev_t dev, void *uiop, cred_t *credp);
        int (*cb_ioctl)(dev_t dev, int cmd, intptr_t arg, int mode, cred_t *credp, int *rvalp);
        int (*cb_devmap)(dev_t dev, void *dhp, offset_t off, size_t len, size_t *maplen, uint_t model);
        int (*cb_mmap)(dev_t dev, off_t off, int prot);
        int (*cb_segmap)(dev_t dev, off_t off, void *asp, caddr_t *addrp, off_t len, uint_t prot,
            uint_t maxprot, uint_t flags, cred_t *credp);
        int (*cb_chpoll)(dev_t dev, short events, int anyyet, short *reventsp, void *phpp);
        int (*cb_prop_op)(dev_t dev, void *dip, int prop_op, int mod_flags, char *name, caddr_t valuep,
            int *length);
        struct streamtab *cb_str;
        int cb_flag;
        int cb_rev;
        int (*cb_aread)(dev_t dev, void *aio, cred_t *credp);
        int (*cb_awrite)(dev_t dev, void *aio, cred_t *credp);
    };

    struct dev_ops {
        int devo_rev;
        int devo_refcnt;
        int (*devo_getinfo)(void *dip, int infocmd, void *arg, void **result);
        int (*devo_identify)(void *dip);
        int (*devo_probe)(void *dip);
        int (*devo_attach)(void *dip, int cmd);
        int (*devo_detach)(void *dip, int cmd);
        int (*devo_reset)(void *dip, int cmd);
        struct cb_ops *devo_cb_ops;
        struct bus_ops *devo_bus_ops;
        int (*devo_power)(void *dip, int component, int level);
        int (*devo_quiesce)(void *dip);
    };

    struct i_ddi_soft_state {
        void **array;
        kmutex_t lock;
        size_t size;
        size_t n_items;
        struct i_ddi_soft_state *next;
    };

    struct devnames {
        char *dn_name;
        int dn_flags;
        int dn_pinstance;
        kmutex_t dn_lock;
        struct dev_info *dn_head;
        int dn_instance;
        void *dn_inlist;
        void *dn_global_prop_ptr;
        kcondvar_t dn_wait;
    };
""", decls="""
    struct dev_ops **devopsp;
    struct devnames *devnamesp;
    int devcnt;
    int dev_open(dev_t *devp, int flag, int type, struct cred *cred);
    int dev_close(dev_t dev, int flag, int type, struct cred *cred);
    int cdev_ioctl(dev_t dev, int cmd, intptr_t arg, int mode, cred_t *cred, int *rvalp);
    major_t ddi_name_to_major(const char *name);
    struct dev_ops *ddi_hold_installed_driver(major_t major);
    int ddi_soft_state_init(void **state_p, size_t size, size_t n_items);
    int ddi_soft_state_zalloc(void *state, int item);
    void ddi_soft_state_free(void *state, int item);
    void *ddi_get_soft_state(void *state, int item);
""", functions=[
    ("dev_open", 0x74), ("dev_lopen", 0x98), ("dev_close", 0x6c), ("dev_lclose", 0x78),
    ("bdev_strategy", 0x8c), ("bdev_print", 0x50), ("bdev_dump", 0x58), ("cdev_read", 0x50),
    ("cdev_write", 0x50), ("cdev_ioctl", 0x5c), ("cdev_devmap", 0x68), ("cdev_mmap", 0x50),
    ("cdev_segmap", 0x84), ("cdev_poll", 0x60), ("cdev_prop_op", 0xa0), ("ddi_name_to_major", 0x40),
    ("ddi_hold_installed_driver", 0x118), ("mod_installdrv", 0x130), ("mod_removedrv", 0x90),
    ("ddi_create_minor_node", 0x3c), ("ddi_remove_minor_node", 0x1c4), ("ddi_soft_state_init", 0xe0),
    ("ddi_soft_state_zalloc", 0x160), ("ddi_soft_state_free", 0xc0), ("ddi_get_soft_state", 0x5c),
])


def makedevice(major: int, minor: int) -> int:
    """``makedevice(9F)``: the 64-bit ``dev_t`` of ``major``, ``minor``."""
    return (major << NBITSMINOR) | (minor & MAXMIN)


def getmajor(dev: int) -> int:
    return dev >> NBITSMINOR


def getminor(dev: int) -> int:
    return dev & MAXMIN


def funcptr(k, addr: int):
    """The implementation of the kernel function at ``addr`` (a function pointer's target)."""
    found = k.symtab.lookup_addr(addr)
    if found is None or found[1] != 0:
        k.panic(f"BAD TRAP: type=e (#pf Page fault) rp=0 addr={addr:x}")
    sym = found[0]
    return k.functions[(sym.module.name, sym.name)].impl


def kfunc_addr(k, impl) -> int:
    """The address of kernel function ``impl`` (``&func`` in C)."""
    return k.kfuncs[impl].addr


def stack_local(k, size: int) -> int:
    """Room for a local variable of ``size`` bytes in the running function's stack frame."""
    t = k.obj(k.curthread, "kthread_t")
    return (t.t_stk - 0x80 * len(k.ctx.frames) - size) & ~0x7


def copyinstr(k, uaddr: int, maxlength: int) -> str | None:
    """``copyinstr(9F)``: the string at ``uaddr``, or None if it does not fit (ENAMETOOLONG)."""
    raw = k.mem.read_cstr(uaddr, maxlength + 1)
    if len(raw) >= maxlength:
        return None
    return raw.decode("latin-1")


def driver_init(k) -> None:
    """The ``devopsp`` and ``devnamesp`` tables, read from ``/etc/name_to_major``."""
    dn_t = k.types.lookup("struct devnames")
    k.var("devcnt").set(_DEVCNT)
    ops = k.kmem.kmem_alloc(8 * _DEVCNT)
    names = k.kmem.kmem_alloc(dn_t.size * _DEVCNT)
    k.var("devopsp").set(ops)
    k.var("devnamesp").set(names)
    for name, major in NAME_TO_MAJOR.items():
        k.obj(names + major * dn_t.size, dn_t).dn_name = k.strdup(name)


def ddi_name_to_major(k, name: str) -> int:
    """The major number of driver ``name``, or -1 (DDI_MAJOR_T_NONE)."""
    dn_t = k.types.lookup("struct devnames")
    base = k.var("devnamesp").value()
    for major in range(k.var("devcnt").value()):
        p = k.obj(base + major * dn_t.size, dn_t).dn_name
        if p and k.mem.read_cstr(p, 64).decode() == name:
            return major
    return -1


def devops_of(k, major: int) -> int:
    """``devopsp[major]``: the installed driver's ``struct dev_ops *``, or 0."""
    return k.mem.read_u64(k.var("devopsp").value() + 8 * major)


def mod_installdrv(k, name: str, dev_ops: int) -> None:
    """Install driver ``name``: ``devopsp[major] = dev_ops`` (``mod_installdrv``)."""
    major = ddi_name_to_major(k, name)
    k.mem.write_u64(k.var("devopsp").value() + 8 * major, dev_ops)


def _cb(k, dev: int, entry: str):
    ops = devops_of(k, getmajor(dev))
    cb = k.obj(ops, "struct dev_ops").devo_cb_ops
    return funcptr(k, getattr(k.obj(cb, "struct cb_ops"), entry))


@DRIVER.impl
def ddi_hold_installed_driver(k, major):
    """struct dev_ops *ddi_hold_installed_driver(major_t major): load and attach a driver if needed.

    The first use of a driver loads its module (``modload``), whose
    ``_init`` installs the dev_ops (``mod_install``), then attaches it.
    Returns the driver's dev_ops, or NULL.
    """
    ops = devops_of(k, major)
    if ops:
        return ops
    dn = k.obj(k.var("devnamesp").value() + major * k.types.lookup("struct devnames").size, "struct devnames")
    if not dn.dn_name:
        return 0
    name = k.mem.read_cstr(dn.dn_name, 64).decode()
    if module_def(name) is None:
        return 0
    modload(k, name)
    if k.call(k.function("_init", name).impl, at=0xa6) != 0:
        return 0
    ops = devops_of(k, major)
    if not ops:
        return 0
    attach = funcptr(k, k.obj(ops, "struct dev_ops").devo_attach)
    if k.call(attach, 0, DDI_ATTACH, at=0xe1) != 0:
        return 0
    return ops


@DRIVER.impl
def dev_open(k, devp, flag, otype, cred):
    """int dev_open(dev_t *devp, int flag, int type, cred_t *cred): the driver's cb_open.

    A cloning driver writes its new device number through ``devp``.
    """
    return k.call(_cb(k, k.mem.read_u64(devp), "cb_open"), devp, flag, otype, cred, at=0x4a)


@DRIVER.impl
def dev_close(k, dev, flag, otype, cred):
    """int dev_close(dev_t dev, int flag, int type, cred_t *cred): the driver's cb_close."""
    return k.call(_cb(k, dev, "cb_close"), dev, flag, otype, cred, at=0x47)


@DRIVER.impl
def cdev_ioctl(k, dev, cmd, arg, mode, cred, rvalp):
    """int cdev_ioctl(dev_t dev, int cmd, intptr_t arg, int mode, cred_t *cred, int *rvalp)."""
    return k.call(_cb(k, dev, "cb_ioctl"), dev, cmd, arg, mode, cred, rvalp, at=0x39)


# -- soft state (sunddi.c) -------------------------------------------------------


def _ss(k, state: int):
    return k.obj(state, "struct i_ddi_soft_state")


@DRIVER.impl
def ddi_soft_state_init(k, state_p, size, n_items):
    """int ddi_soft_state_init(void **state_p, size_t size, size_t n_items): a per-minor state table."""
    ss_t = k.types.lookup("struct i_ddi_soft_state")
    state = k.kmem.kmem_alloc(ss_t.size)
    ss = _ss(k, state)
    ss.size = size
    ss.n_items = n_items
    ss.array = k.kmem.kmem_alloc(8 * n_items)
    k.mem.write_u64(state_p, state)
    return 0


@DRIVER.impl
def ddi_get_soft_state(k, state, item):
    """void *ddi_get_soft_state(void *state, int item): the item's state, or NULL."""
    ss = _ss(k, state)
    if not 0 <= item < ss.n_items:
        return 0
    return k.mem.read_u64(ss.array + 8 * item)


@DRIVER.impl
def ddi_soft_state_zalloc(k, state, item):
    """int ddi_soft_state_zalloc(void *state, int item): zeroed state for ``item`` (DDI_SUCCESS 0)."""
    ss = _ss(k, state)
    if not 0 <= item < ss.n_items or k.mem.read_u64(ss.array + 8 * item):
        return -1
    # (``size`` is also Obj's own attribute: read the member explicitly.)
    k.mem.write_u64(ss.array + 8 * item, k.kmem.kmem_alloc(ss.member("size").value()))
    return 0


@DRIVER.impl
def ddi_soft_state_free(k, state, item):
    """void ddi_soft_state_free(void *state, int item)."""
    ss = _ss(k, state)
    p = k.mem.read_u64(ss.array + 8 * item)
    if p:
        k.kmem.kmem_free(p)
        k.mem.write_u64(ss.array + 8 * item, 0)


def soft_state_free_item(k, state: int, first: int = 1) -> int:
    """The lowest item number >= ``first`` with no state (``id_alloc`` of a minor), or -1."""
    ss = _ss(k, state)
    for item in range(first, ss.n_items):
        if not k.mem.read_u64(ss.array + 8 * item):
            return item
    return -1


def soft_state_items(k, state: int):
    """(item, state pointer) of every allocated item."""
    ss = _ss(k, state)
    for item in range(ss.n_items):
        p = k.mem.read_u64(ss.array + 8 * item)
        if p:
            yield item, p
