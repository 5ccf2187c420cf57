"""Files and vnodes (genunix vnode.c, lookup.c, open.c, fio.c, ioctl.c): the system calls on files.

A process opens a device with ``open``/``openat``: ``copen`` allocates a
``file_t`` (from ``file_cache``) and a descriptor, ``vn_openat`` looks the
path up (device nodes only: ``/dev/...``) and calls ``fop_open``, which goes
through the vnode's ``v_op`` to specfs.  ``ioctl`` and ``close`` go the same
way down through ``fop_ioctl`` and ``fop_close``.

The descriptor table (``u_finfo`` in illumos, not modelled in ``user_t``
here) maps a process's descriptors to its ``file_t`` pointers; the file_t,
vnode and snode are in kernel memory.

Device paths: ``/dev/NAME`` for a driver's minor 0 (``/dev/kvm``,
``/dev/vmmctl``), and directories served by an sdev plugin
(:data:`SDEV_PLUGINS`, e.g. ``/dev/vmm/NAME``).

C types: ``file_t *``, ``vnode_t *``, ``struct vnodeops *``.
"""

from __future__ import annotations

from .driver import ENOENT, EBADF, FREAD, FWRITE, ddi_name_to_major, funcptr, makedevice, stack_local
from .machdep import SyscallError
from .proc import curproc
from .specfs import makespecvp, spec_inactive
from .text import KSource

__all__ = ["VNODE", "OPEN", "FIO", "IOCTL", "LOOKUP", "open", "openat", "close", "ioctl", "getf",
           "fd_table", "SDEV_PLUGINS", "DEVICE_NODES", "O_RDONLY", "O_WRONLY", "O_RDWR", "O_EXCL",
           "AT_FDCWD"]

O_RDONLY, O_WRONLY, O_RDWR, O_EXCL = 0, 1, 2, 0x400
AT_FDCWD = 0xffd19553
_FOPEN = 0xffffffff

# /dev nodes that are a driver's minor: path -> (driver, minor).
DEVICE_NODES = {"/dev/kvm": ("kvm", 0), "/dev/vmmctl": ("vmm", 0)}
# sdev plugins: directory -> (driver, lookup(k, name) -> minor or None).
SDEV_PLUGINS: dict[str, tuple[str, object]] = {}

VNODE = KSource("genunix", "vnode.c", order=1, types="""
    struct vnodeops {
        const char *vnop_name;
        int (*vop_open)(struct vnode **vpp, int flag, struct cred *cr, void *ct);
        int (*vop_close)(struct vnode *vp, int flag, int count, offset_t offset, struct cred *cr, void *ct);
        int (*vop_read)(struct vnode *vp, void *uiop, int ioflag, struct cred *cr, void *ct);
        int (*vop_write)(struct vnode *vp, void *uiop, int ioflag, struct cred *cr, void *ct);
        int (*vop_ioctl)(struct vnode *vp, int cmd, intptr_t arg, int flag, struct cred *cr, int *rvalp,
            void *ct);
        int (*vop_setfl)(struct vnode *vp, int oflags, int nflags, struct cred *cr, void *ct);
        int (*vop_getattr)(struct vnode *vp, void *vap, int flags, struct cred *cr, void *ct);
    };
    typedef struct vnodeops vnodeops_t;
""", decls="""
    int fop_open(vnode_t **vpp, int mode, cred_t *cr, void *ct);
    int fop_close(vnode_t *vp, int flag, int count, offset_t offset, cred_t *cr, void *ct);
    int fop_ioctl(vnode_t *vp, int cmd, intptr_t arg, int flag, cred_t *cr, int *rvalp, void *ct);
    int vn_openat(char *pnamep, int seg, int filemode, int createmode, vnode_t **vpp, int crwhy,
        mode_t umask, vnode_t *startvp, int fd);
    void vn_rele(vnode_t *vp);
""", functions=[
    ("vn_open", 0x5c), ("vn_openat", 0x5a8), ("vn_create", 0x80), ("vn_rele", 0x84),
    ("vn_rele_async", 0x9c), ("vn_alloc", 0x80), ("vn_free", 0x74), ("vn_reinit", 0x98),
    ("vn_setpath", 0x1b0), ("fop_open", 0x130), ("fop_close", 0x98), ("fop_read", 0xe8),
    ("fop_write", 0xf4), ("fop_ioctl", 0x88), ("fop_setfl", 0x70), ("fop_getattr", 0xb0),
    ("fop_lookup", 0x1a0), ("fop_inactive", 0x78),
])

LOOKUP = KSource("genunix", "lookup.c", order=1, decls="""
    int lookupnameat(char *fnamep, int seg, int followlink, vnode_t **dirvpp, vnode_t **compvpp,
        vnode_t *startvp);
""", functions=[
    ("lookupname", 0x34), ("lookupnameat", 0xd8), ("lookupnameatcred", 0x110), ("lookuppn", 0x48),
    ("lookuppnat", 0x104), ("lookuppnvp", 0x7a0), ("traverse", 0x130),
])

OPEN = KSource("genunix", "open.c", order=1, decls="""
    int open(char *fname, int fmode, int cmode);
    int openat(int fd, char *path, int fmode, int cmode);
    int copen(int startfd, char *fname, int filemode, int createmode);
""", functions=[
    ("copen", 0x2c0), ("openat", 0x5c), ("open", 0x2c), ("openat64", 0x5c), ("open64", 0x2c),
    ("creat", 0x30), ("creat64", 0x30),
])

FIO = KSource("genunix", "fio.c", order=1, types="""
    typedef struct file {
        kmutex_t f_tlock;
        ushort_t f_flag;
        ushort_t f_flag2;
        struct vnode *f_vnode;
        offset_t f_offset;
        struct cred *f_cred;
        struct f_audit_data *f_audit_data;
        int f_count;
    } file_t;
""", decls="""
    int close(int fdes);
    int closeandsetf(int fd, file_t *newfp);
    int closef(file_t *fp);
    void closeall(void *fip);
    file_t *getf(int fd);
    void releasef(int fd);
    int falloc(vnode_t *vp, int flag, file_t **fpp, int *fdp);
""", functions=[
    ("fcnt_add", 0x70), ("getf", 0xd8), ("releasef", 0xb8), ("areleasef", 0x98), ("ufalloc_file", 0x1a4),
    ("ufalloc", 0x24), ("falloc", 0x164), ("unfalloc", 0x7c), ("setf", 0xf8), ("closef", 0x128),
    ("closeandsetf", 0x2f4), ("close", 0x18), ("closeall", 0xc8), ("f_getfl", 0x48), ("f_setfd", 0x58),
])

IOCTL = KSource("genunix", "ioctl.c", order=1, decls="""
    int ioctl(int fdes, int cmd, intptr_t arg);
""", functions=[
    ("ioctl", 0x1c8), ("old_ioctl", 0x94),
])

_STDIO_FDS = 3   # 0, 1 and 2 belong to the zone's zfd devices or the console


def fd_table(k, proc: int) -> dict[int, int]:
    """The descriptor table of ``proc_t *proc``: descriptor -> ``file_t *``."""
    return k.__dict__.setdefault("uf_tables", {}).setdefault(proc, {})


def _cred(k) -> int:
    return k.obj(curproc(k), "proc_t").p_cred


def _device_lookup(k, path: str) -> int | None:
    """The ``dev_t`` of device node ``path``, or None (ENOENT)."""
    node = DEVICE_NODES.get(path)
    if node is not None:
        return makedevice(ddi_name_to_major(k, node[0]), node[1])
    head, _, name = path.rpartition("/")
    plugin = SDEV_PLUGINS.get(head)
    if plugin is not None and name:
        driver, lookup = plugin
        if k.symtab.module(driver) is not None:
            minor = lookup(k, name)
            if minor is not None:
                return makedevice(ddi_name_to_major(k, driver), minor)
    return None


# -- lookup.c ------------------------------------------------------------------


@LOOKUP.impl
def lookupnameat(k, fnamep, seg, followlink, dirvpp, compvpp, startvp):
    """int lookupnameat(char *fnamep, ...): the vnode of a path, held, in ``*compvpp``."""
    path = k.mem.read_cstr(fnamep, 1024).decode("latin-1")
    dev = _device_lookup(k, path)
    if dev is None:
        return ENOENT
    vp = k.call(makespecvp, dev, k.constants["VCHR"], at=0xb3)
    k.obj(vp, "vnode_t").v_path = k.strdup(path)
    k.mem.write_u64(compvpp, vp)
    return 0


# -- vnode.c -------------------------------------------------------------------


def _vop(k, vp: int, entry: str):
    ops = k.obj(vp, "vnode_t").v_op
    return funcptr(k, getattr(k.obj(ops, "struct vnodeops"), entry))


@VNODE.impl
def vn_openat(k, pnamep, seg, filemode, createmode, vpp, crwhy, umask, startvp, fd):
    """int vn_openat(char *pnamep, ..., vnode_t **vpp, ...): look up and open a file."""
    error = k.call(lookupnameat, pnamep, seg, 1, 0, vpp, startvp, at=0x1c2)
    if error:
        return error
    error = k.call(fop_open, vpp, filemode, _cred(k), 0, at=0x3f1)
    if error:
        k.call(vn_rele, k.mem.read_u64(vpp), at=0x4c8)
    return error


@VNODE.impl
def fop_open(k, vpp, mode, cr, ct):
    """int fop_open(vnode_t **vpp, int mode, cred_t *cr, caller_context_t *ct)."""
    vp = k.mem.read_u64(vpp)
    error = k.call(_vop(k, vp, "vop_open"), vpp, mode, cr, ct, at=0x6b)
    if not error:
        v = k.obj(k.mem.read_u64(vpp), "vnode_t")
        if mode & FREAD:
            v.v_rdcnt = v.v_rdcnt + 1
        if mode & FWRITE:
            v.v_wrcnt = v.v_wrcnt + 1
    return error


@VNODE.impl
def fop_close(k, vp, flag, count, offset, cr, ct):
    """int fop_close(vnode_t *vp, int flag, int count, offset_t offset, cred_t *cr, caller_context_t *ct)."""
    error = k.call(_vop(k, vp, "vop_close"), vp, flag, count, offset, cr, ct, at=0x4d)
    if count == 1:
        v = k.obj(vp, "vnode_t")
        if flag & FREAD:
            v.v_rdcnt = max(0, v.v_rdcnt - 1)
        if flag & FWRITE:
            v.v_wrcnt = max(0, v.v_wrcnt - 1)
    return error


@VNODE.impl
def fop_ioctl(k, vp, cmd, arg, flag, cr, rvalp, ct):
    """int fop_ioctl(vnode_t *vp, int cmd, intptr_t arg, int flag, cred_t *cr, int *rvalp, ...)."""
    return k.call(_vop(k, vp, "vop_ioctl"), vp, cmd, arg, flag, cr, rvalp, ct, at=0x55)


@VNODE.impl
def vn_rele(k, vp):
    """void vn_rele(vnode_t *vp): drop a hold; the last one frees the vnode (and its snode)."""
    v = k.obj(vp, "vnode_t")
    if v.v_count > 1:
        v.v_count = v.v_count - 1
        return
    k.call(spec_inactive, vp, _cred(k), 0, at=0x61)


# -- open.c --------------------------------------------------------------------


@OPEN.impl
def copen(k, startfd, fname, filemode, createmode):
    """int copen(int startfd, char *fname, int filemode, int createmode): returns the descriptor."""
    proc = curproc(k)
    fpp = stack_local(k, 8)
    fdp = stack_local(k, 16)
    error = k.call(falloc, 0, filemode, fpp, fdp, at=0x98)
    if error:
        raise SyscallError(error)
    fp = k.mem.read_u64(fpp)
    fd = k.mem.read_u32(fdp)
    vpp = stack_local(k, 24)
    error = k.call(vn_openat, fname, 0, filemode, createmode, vpp, 0, 0o22, 0, startfd, at=0x14e)
    if error:
        del fd_table(k, proc)[fd]
        k.kmem.free(k.kmem.caches["file_cache"], fp)
        raise SyscallError(error)
    k.obj(fp, "file_t").f_vnode = k.mem.read_u64(vpp)
    return fd


@OPEN.impl
def openat(k, fd, path, fmode, cmode):
    """int openat(int fd, char *path, int fmode, int cmode)."""
    return k.call(copen, fd, path, (fmode + 1) & _FOPEN, cmode, at=0x4f)


@OPEN.impl
def open(k, fname, fmode, cmode):
    """int open(char *fname, int fmode, int cmode): ``openat(AT_FDCWD, ...)``."""
    return k.call(openat, AT_FDCWD, fname, fmode, cmode, at=0x1f)


# -- fio.c ---------------------------------------------------------------------


@FIO.impl
def falloc(k, vp, flag, fpp, fdp):
    """int falloc(vnode_t *vp, int flag, file_t **fpp, int *fdp): a new file_t and descriptor."""
    table = fd_table(k, curproc(k))
    fd = _STDIO_FDS
    while fd in table:
        fd += 1
    fp = k.kmem.alloc(k.kmem.caches["file_cache"])
    f = k.obj(fp, "file_t")
    f.f_flag = flag & 0xffff
    f.f_vnode = vp
    f.f_count = 1
    f.f_cred = _cred(k)
    table[fd] = fp
    k.mem.write_u64(fpp, fp)
    k.mem.write_u32(fdp, fd)
    return 0


@FIO.impl
def getf(k, fd):
    """file_t *getf(int fd): the open file of descriptor ``fd`` in this process, or NULL."""
    return fd_table(k, curproc(k)).get(fd, 0)


@FIO.impl
def releasef(k, fd):
    """void releasef(int fd): done with the file from getf()."""


@FIO.impl
def closef(k, fp):
    """int closef(file_t *fp): drop a reference; the last closes the vnode and frees the file_t."""
    f = k.obj(fp, "file_t")
    vp = f.f_vnode
    count = f.f_count
    error = k.call(fop_close, vp, f.f_flag, 1, f.f_offset, f.f_cred, 0, at=0xa1)
    if count > 1:
        f.f_count = count - 1
        return error
    k.call(vn_rele, vp, at=0xd3)
    k.kmem.free(k.kmem.caches["file_cache"], fp)
    return error


@FIO.impl
def closeandsetf(k, fd, newfp):
    """int closeandsetf(int fd, file_t *newfp): close descriptor ``fd``."""
    table = fd_table(k, curproc(k))
    fp = table.pop(fd, 0)
    if not fp:
        return EBADF
    return k.call(closef, fp, at=0x26b)


@FIO.impl
def close(k, fdes):
    """int close(int fdes)."""
    error = k.call(closeandsetf, fdes, 0, at=0x12)
    if error:
        raise SyscallError(error)
    return 0


@FIO.impl
def closeall(k, fip):
    """void closeall(uf_info_t *fip): close every descriptor of the exiting process."""
    table = fd_table(k, curproc(k))
    for fd in sorted(table):
        k.call(closef, table.pop(fd), at=0x8e)
    k.__dict__["uf_tables"].pop(curproc(k), None)


# -- ioctl.c -------------------------------------------------------------------


@IOCTL.impl
def ioctl(k, fdes, cmd, arg):
    """int ioctl(int fdes, int cmd, intptr_t arg): the file's fop_ioctl; returns ``*rvalp``."""
    fp = k.call(getf, fdes, at=0x31)
    if not fp:
        raise SyscallError(EBADF)
    f = k.obj(fp, "file_t")
    rvalp = stack_local(k, 4)
    k.mem.write_u32(rvalp, 0)
    error = k.call(fop_ioctl, f.f_vnode, cmd, arg, f.f_flag, f.f_cred, rvalp, 0, at=0x9b)
    k.call(releasef, fdes, at=0xc4)
    if error:
        raise SyscallError(error)
    return k.mem.read_int(rvalp, 4)
