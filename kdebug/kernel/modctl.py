"""Loadable kernel modules (krtld and genunix modctl.c): the module table and loading.

:data:`MODULE_TABLE` lists the modules a SmartOS 2018 host knows, with the
addresses their text and data load at (CONVENTIONS.md: unix and genunix in
the nucleus, everything else in the core heap below it).  :func:`load_module`
lays a module out from the :class:`~kdebug.kernel.text.KSource` files linked
into it: each function becomes a text symbol, each global an object symbol in
the data segment, each string literal bytes in the data segment (inside no
symbol), and a ``struct modctl`` joins the ``modules`` list.

Helpers: :func:`for_each_modctl`, :func:`modload`.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import ctf
from .cdecl import parse_header
from .symbols import Module, Symbol
from .text import KFunction, KSource, sources_for

__all__ = ["ModuleDef", "MODULE_TABLE", "module_def", "load_module", "link_modctl", "modload",
           "for_each_modctl", "BOOT_MODULES"]


@dataclass(frozen=True)
class ModuleDef:
    name: str
    filename: str
    linkinfo: str
    text: int
    data: int
    boot: bool = True          # loaded while the host boots


def _m(name, filename, linkinfo, text, data, boot=True):
    return ModuleDef(name, filename, linkinfo, text, data, boot)


MODULE_TABLE: list[ModuleDef] = [
    _m("unix", "/platform/i86pc/kernel/amd64/unix", "", 0xfffffffffb800000, 0xfffffffffbc00000),
    _m("krtld", "/kernel/misc/amd64/krtld", "", 0xfffffffffb8a0000, 0xfffffffffbc80000),
    _m("genunix", "/platform/i86pc/kernel/amd64/genunix", "", 0xfffffffffb900000, 0xfffffffffbd00000),
    _m("platmod", "/platform/i86pc/kernel/misc/amd64/platmod", "", 0xfffffffffbbd0000, 0xfffffffffbfc0000),
    _m("cpu.generic", "/kernel/cpu/amd64/cpu.generic", "Generic x86 CPU Module", 0xfffffffff7800000, 0xfffffffff7808000),
    _m("cpu_ms.GenuineIntel", "/platform/i86pc/kernel/cpu/amd64/cpu_ms.GenuineIntel",
       "Generic Intel model-specific MCA", 0xfffffffff7810000, 0xfffffffff7818000),
    _m("apix", "/platform/i86pc/kernel/mach/amd64/apix", "apix Interrupt Module", 0xfffffffff7820000, 0xfffffffff7848000),
    _m("scsi_vhci", "/kernel/drv/amd64/scsi_vhci", "SCSI VHCI Driver", 0xfffffffff7850000, 0xfffffffff7878000),
    _m("mac", "/kernel/misc/amd64/mac", "MAC Services", 0xfffffffff7880000, 0xfffffffff78d0000),
    _m("dls", "/kernel/misc/amd64/dls", "Data-Link Services", 0xfffffffff78e0000, 0xfffffffff78f0000),
    _m("dld", "/kernel/drv/amd64/dld", "dld control driver", 0xfffffffff7900000, 0xfffffffff7910000),
    _m("zfs", "/kernel/fs/amd64/zfs", "ZFS storage pool", 0xfffffffff7920000, 0xfffffffff7a20000),
    _m("sata", "/kernel/misc/amd64/sata", "SATA Module", 0xfffffffff7a40000, 0xfffffffff7a60000),
    _m("sd", "/kernel/drv/amd64/sd", "SCSI Disk Driver", 0xfffffffff7a70000, 0xfffffffff7a98000),
    _m("ip", "/kernel/drv/amd64/ip", "IP STREAMS driver", 0xfffffffff7aa0000, 0xfffffffff7b90000),
    _m("hook", "/kernel/misc/amd64/hook", "Hooks Interface v1.0", 0xfffffffff7ba0000, 0xfffffffff7ba8000),
    _m("neti", "/kernel/misc/amd64/neti", "netinfo module", 0xfffffffff7bb0000, 0xfffffffff7bb8000),
    _m("sockfs", "/kernel/fs/amd64/sockfs", "filesystem for sockfs", 0xfffffffff7bc0000, 0xfffffffff7be0000),
    _m("specfs", "/kernel/fs/amd64/specfs", "filesystem for specfs", 0xfffffffff7bf0000, 0xfffffffff7c00000),
    _m("devfs", "/kernel/fs/amd64/devfs", "devices filesystem", 0xfffffffff7c10000, 0xfffffffff7c18000),
    _m("procfs", "/kernel/fs/amd64/procfs", "filesystem for proc", 0xfffffffff7c20000, 0xfffffffff7c48000),
    _m("sdev", "/kernel/fs/amd64/dev", "/dev filesystem", 0xfffffffff7c50000, 0xfffffffff7c60000),
    _m("lofs", "/kernel/fs/amd64/lofs", "filesystem for lofs", 0xfffffffff7c70000, 0xfffffffff7c78000),
    _m("tmpfs", "/kernel/fs/amd64/tmpfs", "filesystem for tmpfs", 0xfffffffff7c80000, 0xfffffffff7c90000),
    _m("mm", "/kernel/drv/amd64/mm", "memory driver", 0xfffffffff7ca0000, 0xfffffffff7ca8000),
    _m("random", "/kernel/drv/amd64/random", "random number device", 0xfffffffff7cb0000, 0xfffffffff7cb8000),
    _m("dtrace", "/kernel/drv/amd64/dtrace", "Dynamic Tracing", 0xfffffffff7cc0000, 0xfffffffff7d00000),
    _m("fbt", "/kernel/drv/amd64/fbt", "Function Boundary Tracing", 0xfffffffff7d10000, 0xfffffffff7d18000),
    _m("profile", "/kernel/drv/amd64/profile", "Profile Interrupt Tracing", 0xfffffffff7d20000, 0xfffffffff7d28000),
    _m("sdt", "/kernel/drv/amd64/sdt", "Statically Defined Tracing", 0xfffffffff7d30000, 0xfffffffff7d38000),
    _m("systrace", "/kernel/drv/amd64/systrace", "System Call Tracing", 0xfffffffff7d40000, 0xfffffffff7d48000),
    _m("kvm", "/kernel/drv/amd64/kvm", "kvm driver v0.1", 0xfffffffff81d0000, 0xfffffffff8220000),
    _m("vmm", "/kernel/drv/amd64/vmm", "vmm", 0xfffffffff8290000, 0xfffffffff82ca000, boot=False),
]

BOOT_MODULES = [m.name for m in MODULE_TABLE if m.boot]

MODCTL = KSource("genunix", "modctl.c", decls="""
    struct modctl modules;
    kmutex_t mod_lock;
    int last_module_id;
    int modload(const char *subdir, const char *filename);
""", functions=[
    ("modload", 0x98), ("modload_qualified", 0x2a8), ("modunload", 0x140), ("mod_load", 0x200),
    ("mod_unload", 0x1c4), ("mod_hold_by_name", 0x74), ("mod_release_mod", 0x60),
    ("mod_install", 0x58), ("mod_remove", 0x58), ("mod_getinfo", 0x58), ("ddi_modopen", 0x1b4),
])

_PAGE = 0x1000


def module_def(name: str) -> ModuleDef | None:
    for m in MODULE_TABLE:
        if m.name == name:
            return m
    return None


def _round_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def _function_bytes(size: int) -> bytes:
    """Plausible amd64 text: push %rbp; mov %rsp,%rbp; ...; leave; ret."""
    if size < 6:
        return b"\xc3".rjust(size, b"\x90") if size else b""
    return b"\x55\x48\x89\xe5" + b"\x90" * (size - 6) + b"\xc9\xc3"


def load_module(k, mdef: ModuleDef, mod_id: int) -> Module:
    """Lay out and map module ``mdef`` in kernel ``k``; returns its Module.

    The ``struct modctl`` is made by :func:`link_modctl` (at boot, once the
    allocator runs; at run time, straight after).
    """
    sources = sources_for(mdef.name, k.platform)
    container = k.types.container(mdef.name)
    functions: list[tuple[str, int, object, int | None]] = []   # name, size, source, pinned
    objects: list[tuple[str, ctf.CType, object, bool]] = []      # name, type, source, static
    literals: list[tuple[str, int | None]] = []
    protos: dict[str, ctf.Function] = {}
    for src in sources:
        if src.types:
            parse_header(src.types, container, k.constants, source=src.filename)
        hdr = parse_header(src.decls, container, k.constants, source=src.filename) if src.decls else None
        if hdr is not None:
            protos.update(hdr.functions)
            for name, t in hdr.objects.items():
                objects.append((name, t, src, name in hdr.static))
        for name, size in src.functions:
            functions.append((name, size, src, src.pinned.get(name)))
        literals.extend(src.literals.items())
        for func, probe, *types in src.sdt:
            if func not in dict(src.functions):
                raise ValueError(f"{src.filename}: SDT probe {probe} in undeclared function {func}")
            k.sdt_sites.append((mdef.name, func, probe))
            if types:
                k.sdt_args[(mdef.name, func, probe)] = list(types[0])

    mod = Module(id=mod_id, name=mdef.name, filename=mdef.filename, linkinfo=mdef.linkinfo,
                 text=mdef.text, text_size=0, data=mdef.data, data_size=0)
    k.symtab.add_module(mod)

    # Text: functions in link order, 16-byte aligned, pinned ones where they must be.
    cursor = mdef.text
    placed: list[tuple[int, int]] = []
    for name, size, src, pin in functions:
        start = _round_up(cursor, 16) if pin is None else pin
        if start < cursor:
            raise ValueError(f"{mdef.name}`{name} pinned at {start:#x} overlaps the previous function")
        proto = protos.get(name)
        k.symtab.add_symbol(Symbol(name, start, size, "FUNC", mod, proto, "GLOB"))
        kf = KFunction(name, mdef.name, start, size, src.impls.get(name), proto)
        k.functions[(mdef.name, name)] = kf
        impl = src.impls.get(name)
        if impl is not None:
            k.kfuncs[impl] = kf
        placed.append((start, size))
        cursor = start + size
    mod.text_size = _round_up(max(cursor - mdef.text, 1), _PAGE)
    if mdef.text + mod.text_size > mdef.data:
        raise ValueError(f"{mdef.name}: text runs into data")
    text = bytearray(b"\xcc" * mod.text_size)
    for start, size in placed:
        off = start - mdef.text
        text[off:off + size] = _function_bytes(size)
    k.mem.map(mdef.text, mod.text_size, f"{mdef.name} text", writable=False, data=text)

    # Data: globals aligned to their type, then string literals.
    cursor = mdef.data
    data_items: list[tuple[int, bytes]] = []
    for name, t, src, static in objects:
        align = max(t.align, 8 if t.size >= 8 else t.align)
        start = src.pinned.get(name) or _round_up(cursor, align)
        k.symtab.add_symbol(Symbol(name, start, max(t.size, 1), "OBJT", mod, t, "LOCL" if static else "GLOB"))
        cursor = max(cursor, start + max(t.size, 1))
    literal_addrs: dict[str, int] = {}
    for text_lit, pin in literals:
        start = pin if pin is not None else cursor
        raw = text_lit.encode() + b"\0"
        data_items.append((start, raw))
        literal_addrs[text_lit] = start
        cursor = max(cursor, start + len(raw))
    mod.data_size = _round_up(max(cursor - mdef.data, 1), _PAGE)
    seg = k.mem.map(mdef.data, mod.data_size, f"{mdef.name} data")
    for start, raw in data_items:
        off = start - mdef.data
        seg.data[off:off + len(raw)] = raw
    k.literals[mdef.name] = literal_addrs
    for src in sources:
        for fn in src.initializers:
            fn(k, mod)
    return mod


def link_modctl(k, mod: Module, loadcnt: int = 1) -> int:
    """Give ``mod`` its ``struct modctl`` and krtld ``struct module``; returns the modctl."""
    modctl_t = k.types.lookup("struct modctl")
    module_t = k.types.lookup("struct module")
    head = k.sym_addr("modules")
    if mod.name == "unix":
        mp_ctl = head   # the head of the list is unix's own modctl
    else:
        mp_ctl = k.kmem.kmem_alloc(modctl_t.size)
    mp = k.kmem.kmem_alloc(module_t.size)
    m = k.obj(mp, module_t)
    m.text = mod.text
    m.text_size = mod.text_size
    m.data = mod.data
    m.data_size = mod.data_size
    m.filename = k.strdup(mod.filename)
    m.nsyms = len(mod.symbols)
    c = k.obj(mp_ctl, modctl_t)
    c.mod_id = mod.id
    c.mod_mp = mp
    c.mod_filename = k.strdup(mod.filename)
    c.mod_modname = k.strdup(mod.name)
    c.mod_loaded = 1
    c.mod_installed = 1
    c.mod_loadcnt = loadcnt
    c.mod_text = mod.text
    c.mod_text_size = mod.text_size
    c.mod_ref = 1 if mod.name in ("unix", "genunix", "krtld") else 0
    if mod.linkinfo:
        ml = k.kmem.kmem_alloc(k.types.lookup("struct modlinkage").size)
        misc = k.kmem.kmem_alloc(k.types.lookup("struct modldrv").size)
        k.obj(misc, "struct modldrv").drv_linkinfo = k.strdup(mod.linkinfo)
        link = k.obj(ml, "struct modlinkage")
        link.ml_rev = 1
        k.mem.write_u64(link.member("ml_linkage").addr, misc)
        c.mod_linkage = ml
    if mod.name == "unix":
        c.mod_next = head
        c.mod_prev = head
    else:
        last = k.obj(head, modctl_t).mod_prev
        c.mod_next = head
        c.mod_prev = last
        k.obj(last, modctl_t).mod_next = mp_ctl
        k.obj(head, modctl_t).mod_prev = mp_ctl
    mod.modctl = mp_ctl
    mod.mp = mp
    return mp_ctl


def modload(k, name: str) -> Module:
    """Load module ``name`` now (``modload``); it stays loaded until reboot."""
    mod = k.symtab.module(name)
    if mod is not None:
        return mod
    mdef = module_def(name)
    if mdef is None:
        raise LookupError(f"no module {name}")
    mod = load_module(k, mdef, max(m.id for m in k.symtab.modules) + 1)
    link_modctl(k, mod)
    k.modules_generation += 1
    for hook in list(k.modload_hooks):
        hook(k, mod)
    return mod


def for_each_modctl(k):
    """Addresses of every ``struct modctl``, from ``modules`` around the ring."""
    head = k.sym_addr("modules")
    modctl_t = k.types.lookup("struct modctl")
    addr = head
    while True:
        yield addr
        addr = k.obj(addr, modctl_t).mod_next
        if addr == head or addr == 0:
            return
