"""mdb's view of a kernel (the "kvm" target): memory, symbols and types.

A :class:`KernelTarget` wraps a :class:`~kdebug.kernel.Kernel` (booted,
loaded from a dump, or the live host's :class:`~kdebug.host.remote.RemoteKernel`)
and answers what mdb asks a target: read and write virtual memory, name an
address (unix and genunix symbols bare, others ``mod`sym``), find a symbol
by name, look a C type up by the name a person types (``proc_t``,
``struct proc``, ``char *``, ``vmm`vmm_softc_t``).

:class:`ValueTarget` is mdb's immediate-value target behind ``=`` and
``::print -i``: every read returns the low-order bytes of one value.
"""

from __future__ import annotations

from ..kernel import MemoryFault
from ..kernel import ctf
from ..kernel.symbols import Symbol

__all__ = ["KernelTarget", "ValueTarget", "ReadOnlyTarget", "CORE_MODULES", "symbol_name"]

# mdb prints the symbols of these modules without a module prefix.
CORE_MODULES = ("unix", "genunix")


class ReadOnlyTarget(Exception):
    """A write to a target not opened with -w."""

    def __str__(self) -> str:
        return "target is not open for writing"


def symbol_name(sym: Symbol) -> str:
    """The name mdb prints for ``sym``: bare for unix and genunix, else ``mod`sym``."""
    mod = sym.module.name
    return sym.name if mod in CORE_MODULES else f"{mod}`{sym.name}"


class ValueTarget:
    """Reads of any address and size give the low-order bytes of ``value``."""

    def __init__(self, value: int):
        self.raw = (value & ((1 << 64) - 1)).to_bytes(8, "little")

    def read(self, addr: int, size: int) -> bytes:
        return (self.raw + bytes(max(0, size - 8)))[:size]

    def readstr(self, addr: int, limit: int = 4096) -> bytes:
        return self.raw.split(b"\0", 1)[0][:limit]


class KernelTarget:
    """The kernel being debugged; ``name`` is the dump as the user named it, None when live."""

    def __init__(self, k, name: str | None = None, writable: bool = False):
        self.k = k
        self.name = name
        self.writable = writable
        self._synthetic: ctf.TypeContainer | None = None

    @property
    def live(self) -> bool:
        return self.name is None

    def refresh(self) -> None:
        """A live kernel moves on: forget cached memory before each command line."""
        refresh = getattr(self.k, "refresh", None)
        if refresh is not None:
            refresh()

    # -- memory ------------------------------------------------------------------

    def read(self, addr: int, size: int) -> bytes:
        if addr < 0 or addr + size - 1 > (1 << 64) - 1:
            raise MemoryFault(addr & ((1 << 64) - 1))
        return self.k.mem.read(addr, size)

    def readstr(self, addr: int, limit: int = 4096) -> bytes:
        return self.k.mem.read_cstr(addr, limit)

    def read_ptr(self, addr: int) -> int:
        return self.k.mem.read_u64(addr)

    def write(self, addr: int, data: bytes) -> None:
        if not self.writable:
            raise ReadOnlyTarget()
        self.k.mem.write(addr, data)

    # -- symbols --------------------------------------------------------------

    def lookup_by_name(self, name: str) -> Symbol:
        """``sym`` or ``mod`sym``; raises SymbolLookupError ("unknown symbol name")."""
        return self.k.symtab.lookup(name)

    def lookup_by_addr(self, addr: int) -> tuple[Symbol, int] | None:
        """The symbol containing ``addr`` and the offset into it."""
        return self.k.symtab.lookup_addr(addr)

    def symbolize(self, addr: int, radix: int = 16) -> str | None:
        """``sym+off`` for %a, or None when no symbol contains ``addr``."""
        from .printf import NTOS_SHOWBASE, NTOS_SIGNPOS, numtostr

        found = self.lookup_by_addr(addr)
        if found is None:
            return None
        sym, off = found
        name = symbol_name(sym)
        return name + numtostr(off, radix, NTOS_SIGNPOS | NTOS_SHOWBASE) if off else name

    def exact_symbol(self, addr: int) -> Symbol | None:
        found = self.lookup_by_addr(addr)
        return found[0] if found is not None and found[1] == 0 else None

    def symbols(self):
        return iter(self.k.symtab)

    def modules(self):
        return list(self.k.symtab.modules)

    def module_at(self, addr: int):
        return self.k.symtab.module_at(addr)

    # -- types ----------------------------------------------------------------

    def synthetic(self) -> ctf.TypeContainer:
        """The container of types made with ::typedef (consulted before the kernel's)."""
        if self._synthetic is None:
            self._synthetic = ctf.TypeContainer("mdb", self.k.types.base)
        return self._synthetic

    def drop_synthetic(self) -> None:
        self._synthetic = None

    def find_type(self, name: str) -> ctf.CType | None:
        try:
            return self.lookup_type(name)
        except LookupError:
            return None

    def lookup_type(self, name: str) -> ctf.CType:
        """The type a person typed; raises TypeLookupError."""
        name = " ".join(name.split())
        if self._synthetic is not None:
            t = self._synthetic.local(name)
            if t is not None:
                return t
        t = self.k.types.find(name)
        if t is not None:
            return t
        if any(c in name for c in "*[("):
            return self._declared_type(name)
        raise ctf.TypeLookupError(name)

    def _declared_type(self, name: str) -> ctf.CType:
        from ..kernel.cdecl import CDeclError, parse_type_name

        containers = list(self.k.types.containers.values())
        if self._synthetic is not None:
            containers.insert(0, self._synthetic)
        base = name.split("*")[0].split("[")[0].split("(")[0].strip()
        if "`" in base:
            mod, _, rest = base.rpartition("`")
            kw = mod.split(" ")[0] if " " in mod else ""
            mod = mod.split(" ")[-1]
            container = self.k.types.containers.get(mod)
            if container is None:
                raise ctf.TypeLookupError(name)
            containers = [container]
            name = name.replace(f"{mod}`", "", 1)
        for c in containers:
            try:
                return parse_type_name(name, c, self.k.constants)
            except (CDeclError, LookupError, KeyError, ValueError):
                continue
        raise ctf.TypeLookupError(name)

    def type_names(self) -> list[str]:
        names = self.k.types.all_names()
        if self._synthetic is not None:
            names = sorted(set(names) | set(self._synthetic.names) |
                           {f"{k} {tag}" for k, tag in self._synthetic.tags})
        return names

    # -- facts ----------------------------------------------------------------

    def uname(self) -> dict:
        uts = self.k.var("utsname")
        return {f: uts.member(f).string() for f in ("sysname", "nodename", "release", "version", "machine")}

    def describe(self) -> str:
        """The first line of ::status."""
        if self.live:
            return f"debugging live kernel (64-bit) on {self.k.hostname}"
        return f"debugging crash dump {self.name} (64-bit) from {self.k.hostname}"
