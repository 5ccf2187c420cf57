"""specfs: the file system of device special files (specvnops.c, specsubr.c, specvfsops.c).

A device vnode's ``v_data`` is its ``struct snode``; snodes are hashed by
device number in ``stable[]``.  ``spec_open`` holds the driver installed
(loading its module on first use, as ``ddi_hold_installed_driver`` does)
and calls ``dev_open``; a cloning driver hands back a new device number and
the open continues on a new snode.  ``spec_close`` calls ``device_close``
on the last close of a device, ``spec_ioctl`` calls ``cdev_ioctl``.

C types: ``struct snode *``, ``vnode_t *``.
"""

from __future__ import annotations

from .driver import (ENOTTY, ENXIO, OTYP_CHR, cdev_ioctl, ddi_hold_installed_driver, dev_close, dev_open, getmajor,
                     kfunc_addr, stack_local)
from .text import KSource

__all__ = ["SPECVNOPS", "SPECSUBR", "specinit", "makespecvp", "spec_open", "spec_close", "spec_ioctl",
           "spec_inactive", "for_each_snode"]

STABLESIZE = 16

SPECVNOPS = KSource("specfs", "specvnops.c", types="""
    struct snode {
        struct snode *s_next;
        struct vnode *s_vnode;
        struct vnode *s_realvp;
        struct vnode *s_commonvp;
        ushort_t s_flag;
        dev_t s_dev;
        dev_t s_fsid;
        long s_nextr;
        size_t s_size;
        time_t s_atime;
        time_t s_mtime;
        time_t s_ctime;
        int s_count;
        long s_mapcnt;
        kmutex_t s_lock;
        kcondvar_t s_cv;
    };
""", decls="""
    struct vnodeops *spec_vnodeops;
    int spec_open(struct vnode **vpp, int flag, struct cred *cr, void *ct);
    int spec_close(struct vnode *vp, int flag, int count, offset_t offset, struct cred *cr, void *ct);
    int spec_ioctl(struct vnode *vp, int cmd, intptr_t arg, int mode, struct cred *cr, int *rvalp, void *ct);
    void spec_inactive(struct vnode *vp, struct cred *cr, void *ct);
""", functions=[
    ("spec_open", 0x5f0), ("spec_read", 0x240), ("spec_write", 0x2c8), ("spec_ioctl", 0xa8),
    ("spec_getattr", 0x1d0), ("spec_setattr", 0x138), ("spec_access", 0x98), ("spec_fsync", 0x110),
    ("spec_inactive", 0x1a4), ("spec_close", 0x238), ("device_close", 0xb0), ("spec_poll", 0x100),
    ("spec_getpage", 0x1fc), ("spec_putpage", 0x1a8), ("spec_map", 0x240), ("spec_addmap", 0x148),
    ("spec_delmap", 0x1c0), ("spec_dump", 0x60), ("spec_pathconf", 0x80),
])

SPECSUBR = KSource("specfs", "specsubr.c", decls="""
    struct snode *stable[16];
    struct vnode *makespecvp(dev_t dev, vtype_t type);
""", functions=[
    ("makespecvp", 0x1b8), ("specvp", 0x2d0), ("commonvp", 0x64), ("specfind", 0xa8), ("sfind", 0xb0),
    ("sinsert", 0x50), ("sdelete", 0x84), ("spec_assoc_vp_with_devi", 0x70), ("spec_size", 0x16c),
])

SPECVFSOPS = KSource("specfs", "specvfsops.c", functions=[
    ("_init", 0x48), ("_fini", 0x10), ("_info", 0x20), ("specinit", 0x130), ("spec_sync", 0x98),
])

_VNODEOPS_NAME = "specfs"


def specinit(k) -> None:
    """specfs's vnode operations vector, made at boot by ``vn_make_ops`` in ``specinit``."""
    ops = k.kmem.kmem_alloc(k.types.lookup("struct vnodeops").size)
    o = k.obj(ops, "struct vnodeops")
    o.vnop_name = k.strdup(_VNODEOPS_NAME)
    o.vop_open = kfunc_addr(k, spec_open)
    o.vop_close = kfunc_addr(k, spec_close)
    o.vop_ioctl = kfunc_addr(k, spec_ioctl)
    k.var("spec_vnodeops").set(ops)



def _stable(k, dev: int) -> int:
    """``&stable[STABLEHASH(dev)]``."""
    return k.sym_addr("specfs`stable") + 8 * (((dev >> 32) + dev) % STABLESIZE)


def _sfind(k, dev: int) -> int:
    p = k.mem.read_u64(_stable(k, dev))
    while p:
        s = k.obj(p, "struct snode")
        if s.s_dev == dev:
            return p
        p = s.s_next
    return 0


def _sinsert(k, sp: int) -> None:
    s = k.obj(sp, "struct snode")
    head = _stable(k, s.s_dev)
    s.s_next = k.mem.read_u64(head)
    k.mem.write_u64(head, sp)


def _sdelete(k, sp: int) -> None:
    s = k.obj(sp, "struct snode")
    head = _stable(k, s.s_dev)
    p, prev = k.mem.read_u64(head), 0
    while p and p != sp:
        prev, p = p, k.obj(p, "struct snode").s_next
    if not p:
        return
    if prev:
        k.obj(prev, "struct snode").s_next = s.s_next
    else:
        k.mem.write_u64(head, s.s_next)


def _snode_vnode(k, dev: int, vtype: int) -> int:
    """A new snode and vnode for ``dev`` (held once), hashed into ``stable``."""
    vp = k.kmem.alloc(k.kmem.caches["vn_cache"])
    sp = k.kmem.kmem_alloc(k.types.lookup("struct snode").size)
    v = k.obj(vp, "vnode_t")
    v.v_count = 1
    v.v_type = vtype
    v.v_rdev = dev
    v.v_data = sp
    v.v_op = k.var("specfs`spec_vnodeops").value()
    s = k.obj(sp, "struct snode")
    s.s_vnode = vp
    s.s_commonvp = vp
    s.s_dev = dev
    s.s_atime = s.s_mtime = s.s_ctime = k.boot_time + k.hrtime // 1_000_000_000
    _sinsert(k, sp)
    return vp


@SPECSUBR.impl
def makespecvp(k, dev, vtype):
    """struct vnode *makespecvp(dev_t dev, vtype_t type): a held vnode for ``dev``."""
    return _snode_vnode(k, dev, vtype)


@SPECVNOPS.impl
def spec_open(k, vpp, flag, cr, ct):
    """int spec_open(struct vnode **vpp, int flag, struct cred *cr, caller_context_t *ct)."""
    vp = k.mem.read_u64(vpp)
    dev = k.obj(vp, "vnode_t").v_rdev
    if not k.call(ddi_hold_installed_driver, getmajor(dev), at=0x11d):
        return ENXIO
    devp = stack_local(k, 8)
    k.mem.write_u64(devp, dev)
    error = k.call(dev_open, devp, flag, OTYP_CHR, cr, at=0x35c)
    if error:
        return error
    newdev = k.mem.read_u64(devp)
    if newdev != dev:
        # A clone open: the caller gets a vnode for the new device.
        nvp = _snode_vnode(k, newdev, k.obj(vp, "vnode_t").v_type)
        path = k.obj(vp, "vnode_t").v_path
        if path:
            k.obj(nvp, "vnode_t").v_path = k.strdup(k.mem.read_cstr(path, 1024).decode("latin-1"))
        k.call(spec_inactive, vp, cr, ct, at=0x4b2)
        vp = nvp
        k.mem.write_u64(vpp, vp)
    s = k.obj(k.obj(vp, "vnode_t").v_data, "struct snode")
    s.s_count = s.s_count + 1
    return 0


@SPECVNOPS.impl
def spec_close(k, vp, flag, count, offset, cr, ct):
    """int spec_close(struct vnode *vp, int flag, int count, offset_t offset, struct cred *cr, ...)."""
    s = k.obj(k.obj(vp, "vnode_t").v_data, "struct snode")
    if count > 1:
        return 0
    s.s_count = s.s_count - 1
    if s.s_count > 0:
        return 0
    return k.call(device_close, vp, flag, cr, at=0x1b6)


@SPECVNOPS.impl
def device_close(k, vp, flag, cr):
    """static int device_close(struct vnode *vp, int flag, struct cred *cr): the driver's close."""
    return k.call(dev_close, k.obj(vp, "vnode_t").v_rdev, flag, OTYP_CHR, cr, at=0x7d)


@SPECVNOPS.impl
def spec_ioctl(k, vp, cmd, arg, mode, cr, rvalp, ct):
    """int spec_ioctl(struct vnode *vp, int cmd, intptr_t arg, int mode, struct cred *cr, int *rvalp, ...)."""
    dev = k.obj(vp, "vnode_t").v_rdev
    if k.obj(vp, "vnode_t").v_type != k.constants["VCHR"]:
        return ENOTTY
    return k.call(cdev_ioctl, dev, cmd, arg, mode, cr, rvalp, at=0x60)


@SPECVNOPS.impl
def spec_inactive(k, vp, cr, ct):
    """void spec_inactive(struct vnode *vp, struct cred *cr, caller_context_t *ct): free vnode and snode."""
    v = k.obj(vp, "vnode_t")
    sp = v.v_data
    _sdelete(k, sp)
    if v.v_path:
        k.kmem.kmem_free(v.v_path)
    k.kmem.kmem_free(sp)
    k.kmem.free(k.kmem.caches["vn_cache"], vp)


def for_each_snode(k):
    """Every ``struct snode *`` in ``stable``."""
    base = k.sym_addr("specfs`stable")
    for i in range(STABLESIZE):
        p = k.mem.read_u64(base + 8 * i)
        while p:
            yield p
            p = k.obj(p, "struct snode").s_next
