"""Symbol tables: look-up by name (with module scoping) and by address."""

import pytest

from kdebug.kernel.symbols import SymbolLookupError, format_symbol


def test_lookup_by_name_and_module_scope(emy17):
    st = emy17.symtab
    assert st.lookup("p0").module.name == "unix"
    assert st.lookup("unix`p0") is st.lookup("p0")
    assert st.lookup("genunix`zone0").kind == "OBJT"
    with pytest.raises(SymbolLookupError) as e:
        st.lookup("genunix`p0")
    assert str(e.value) == "unknown symbol name"
    with pytest.raises(SymbolLookupError):
        st.lookup("no_such_symbol")


def test_address_lookup_at_symbol_boundaries(emy17):
    sym = emy17.symtab.lookup("sys_syscall")
    lookup = emy17.symtab.lookup_addr
    assert lookup(sym.addr) == (sym, 0)
    assert lookup(sym.addr + 0x19f) == (sym, 0x19f)
    assert lookup(sym.addr + sym.size - 1) == (sym, sym.size - 1)
    after = lookup(sym.addr + sym.size)
    assert after is None or after[0] is not sym
    assert lookup(sym.addr - 1) is None or lookup(sym.addr - 1)[0] is not sym


def test_address_inside_no_symbol(emy17):
    # The "global" literal is in genunix's data but inside no symbol.
    addr = emy17.literal("genunix", "global")
    assert emy17.symtab.lookup_addr(addr) is None
    assert emy17.symtab.module_at(addr)[0].name == "genunix"
    assert emy17.symtab.module_at(addr)[1] == "data"
    assert emy17.symtab.lookup_addr(0x1000) is None


def test_snapshot_of_modules_hides_later_ones(emy17):
    # A consumer that knows only some modules (dtrace's snapshot) gets no name.
    pc = emy17.sym_addr("sys_syscall") + 0x19f
    assert emy17.symtab.lookup_addr(pc, frozenset({"unix"}))[0].name == "sys_syscall"
    assert emy17.symtab.lookup_addr(pc, frozenset({"genunix"})) is None


def test_format_symbol_styles(emy17):
    sym = emy17.symtab.lookup("sys_syscall")
    assert format_symbol(sym, 0x19f) == "unix`sys_syscall+0x19f"
    assert format_symbol(sym, 0x19f, bare_core=True) == "sys_syscall+0x19f"
    assert format_symbol(sym, 0) == "unix`sys_syscall"


def test_functions_are_text_objects_are_data(emy17):
    for sym in emy17.symtab:
        seg = sym.module.segment_of(sym.addr)
        assert seg == ("text" if sym.kind == "FUNC" else "data"), sym.name
        assert emy17.mem.segment_at(sym.addr) is not None


def test_symbols_do_not_overlap(emy17):
    syms = sorted(emy17.symtab, key=lambda s: s.addr)
    for a, b in zip(syms, syms[1:]):
        assert a.addr + a.size <= b.addr, (a.name, b.name)
