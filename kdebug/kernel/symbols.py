"""Kernel modules and their symbol tables.

A :class:`Module` is a loaded kernel module (unix, genunix, specfs, vmm,
kvm...) with text, data and bss segments in kernel memory and its symbols:
functions (``FUNC``, in text, with sizes) and objects (``OBJT``, in data or
bss, with C types).  :class:`SymbolTable` holds the modules in load order and
answers the two questions debuggers ask: which address has this name
(``sym`` or ``mod`sym``), and which symbol contains this address (the one
with start <= addr < start + size, found by binary search).
"""

from __future__ import annotations

import bisect

from .ctf import CType

__all__ = ["Symbol", "Module", "SymbolTable", "SymbolLookupError", "format_symbol"]


class SymbolLookupError(LookupError):
    """No symbol of that name."""

    def __init__(self, name: str):
        self.name = name
        super().__init__("unknown symbol name")


class Symbol:
    """A text (``FUNC``) or data (``OBJT``) symbol; ``bind`` is "GLOB" or "LOCL" (static)."""

    __slots__ = ("name", "addr", "size", "kind", "module", "type", "bind")

    def __init__(self, name: str, addr: int, size: int, kind: str, module: "Module",
                 type: CType | None = None, bind: str = "GLOB"):
        self.name = name
        self.addr = addr
        self.size = size
        self.kind = kind
        self.module = module
        self.type = type
        self.bind = bind

    def __repr__(self) -> str:
        return f"Symbol({self.module.name}`{self.name}, {self.addr:#x}, size {self.size:#x})"

    @property
    def end(self) -> int:
        return self.addr + self.size

    def __contains__(self, addr: int) -> bool:
        return self.addr <= addr < self.addr + self.size


class Module:
    """A loaded kernel module: ``struct modctl`` and krtld's ``struct module`` in one.

    ``linkinfo`` is its modlinkage description ("kvm driver v0.1"); ``modctl``
    and ``mp`` are the addresses of its ``struct modctl`` and ``struct module``.
    """

    def __init__(self, id: int, name: str, filename: str, linkinfo: str, text: int, text_size: int,
                 data: int, data_size: int, bss: int = 0, bss_size: int = 0, rev: int = 1,
                 modctl: int = 0, mp: int = 0):
        self.id = id
        self.name = name
        self.filename = filename
        self.linkinfo = linkinfo
        self.text = text
        self.text_size = text_size
        self.data = data
        self.data_size = data_size
        self.bss = bss
        self.bss_size = bss_size
        self.rev = rev
        self.symbols: dict[str, Symbol] = {}
        self.modctl = modctl
        self.mp = mp

    def __repr__(self) -> str:
        return f"Module({self.id}, {self.name!r}, text {self.text:#x})"

    def segment_of(self, addr: int) -> str | None:
        """"text", "data" or "bss" if ``addr`` lies in that segment of this module."""
        if self.text <= addr < self.text + self.text_size:
            return "text"
        if self.data <= addr < self.data + self.data_size:
            return "data"
        if self.bss_size and self.bss <= addr < self.bss + self.bss_size:
            return "bss"
        return None


def format_symbol(sym: Symbol, off: int, bare_core: bool = False) -> str:
    """``mod`sym+0xoff``; with ``bare_core`` unix and genunix names go bare (mdb's style)."""
    name = sym.name if bare_core and sym.module.name in ("unix", "genunix") else f"{sym.module.name}`{sym.name}"
    return f"{name}+{off:#x}" if off else name


class SymbolTable:
    """Every loaded module's symbols, searchable by name and by address."""

    def __init__(self) -> None:
        self.modules: list[Module] = []
        self._by_module: dict[str, Module] = {}
        self._starts: list[int] = []
        self._syms: list[Symbol] = []

    # -- building --------------------------------------------------------

    def add_module(self, mod: Module) -> Module:
        if mod.name in self._by_module:
            raise ValueError(f"module {mod.name} already loaded")
        self.modules.append(mod)
        self._by_module[mod.name] = mod
        return mod

    def add_symbol(self, sym: Symbol) -> Symbol:
        mod = sym.module
        if sym.name in mod.symbols:
            raise ValueError(f"duplicate symbol {mod.name}`{sym.name}")
        mod.symbols[sym.name] = sym
        i = bisect.bisect_right(self._starts, sym.addr)
        self._starts.insert(i, sym.addr)
        self._syms.insert(i, sym)
        return sym

    def module(self, name: str) -> Module | None:
        return self._by_module.get(name)

    # -- by name ---------------------------------------------------------

    def lookup(self, name: str, module: str | None = None) -> Symbol:
        """The symbol ``name`` (or ``mod`name``); unscoped names search in load order."""
        if "`" in name and module is None:
            module, _, name = name.partition("`")
        if module is not None:
            mod = self._by_module.get(module)
            sym = mod.symbols.get(name) if mod is not None else None
            if sym is None:
                raise SymbolLookupError(name)
            return sym
        for mod in self.modules:
            sym = mod.symbols.get(name)
            if sym is not None:
                return sym
        raise SymbolLookupError(name)

    def find(self, name: str, module: str | None = None) -> Symbol | None:
        try:
            return self.lookup(name, module)
        except SymbolLookupError:
            return None

    def names(self) -> list[str]:
        """Every symbol name (bare), for completion and suggestions."""
        return sorted({n for m in self.modules for n in m.symbols})

    def __iter__(self):
        return iter(self._syms)

    # -- by address ------------------------------------------------------

    def lookup_addr(self, addr: int, modules: frozenset[str] | None = None) -> tuple[Symbol, int] | None:
        """(symbol, offset) for the symbol containing ``addr``, or None.

        ``modules``, when given, limits the answer to those modules: a
        consumer that took its snapshot of the symbol tables earlier does not
        know modules loaded since.
        """
        i = bisect.bisect_right(self._starts, addr) - 1
        # Symbols do not nest in practice; look back a little in case a
        # zero-size or small symbol shares an address with a larger one.
        for j in range(i, max(i - 4, -1), -1):
            sym = self._syms[j]
            if sym.addr <= addr < sym.addr + sym.size:
                if modules is not None and sym.module.name not in modules:
                    return None
                return sym, addr - sym.addr
            if sym.addr < addr and j < i:
                break
        return None

    def module_at(self, addr: int) -> tuple[Module, str] | None:
        """(module, "text"|"data"|"bss") for an address inside a module's segments."""
        for mod in self.modules:
            seg = mod.segment_of(addr)
            if seg is not None:
                return mod, seg
        return None
