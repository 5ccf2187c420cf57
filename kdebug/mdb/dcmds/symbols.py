"""Symbols and text: ::nm, ::dis, $e, ::mappings and $m (illumos mdb_nm.c, mdb_cmds.c)."""

from __future__ import annotations

from ...kernel import MemoryFault
from .. import disasm
from ..registry import ERR, OK, USAGE, Explain, dcmd, getopts
from ..values import parse_number



def _shndx(sym) -> str:
    seg = sym.module.segment_of(sym.addr)
    return {"text": "1", "data": "3", "bss": "4"}.get(seg, "ABS")


def _nm_row(c, sym, fmt_value: str) -> None:
    c.printf(fmt_value + "|" + fmt_value + "|%-5s|%-5s|0x%-3x|%-8s|%s\n",
             sym.addr, sym.size, sym.kind, sym.bind, 0, _shndx(sym), sym.name)


_NM_VALUE = {"x": "0x%016llx", "d": "%20llu", "o": "0%022llo"}
_NM_HEADER = {"x": "%<u>%-18s %-18s %-5s %-5s %-5s %-8s %s%</u>\n",
              "d": "%<u>%-20s %-20s %-5s %-5s %-5s %-8s %s%</u>\n",
              "o": "%<u>%-23s %-23s %-5s %-5s %-5s %-8s %s%</u>\n"}


_NM_EXPLAIN = Explain(
    "::nm prints the kernel's symbol table, one symbol a line in order of address (-n: by name); given an "
    "address, only the symbol that contains it; given a module name, only that module's symbols.",
    columns=(("Value", "the symbol's address"),
             ("Size", "its size in bytes"),
             ("Type", "FUNC for a function, OBJT for a variable"),
             ("Bind", "GLOB for a global symbol, LOCL for a static one"),
             ("Other", "ELF's st_other, always 0x0 here"),
             ("Shndx", "its section: 1 text, 3 data, 4 bss"),
             ("Name", "the symbol's name")),
    see="D names kernel variables with a backquote (`hvm_excl_holder) and fbt probes by function name.")


@dcmd("nm", "?[-DPdghnopuvx] [-f format] [-t types] [object]", "print symbols", explain=_NM_EXPLAIN,
      help="-D         print .dynsym instead of .symtab\n"
           "-P         print private symbol table instead of .symtab\n"
           "-d         print value and size in decimal\n"
           "-g         only print global symbols\n"
           "-h         suppress header line\n"
           "-n         sort symbols by name\n"
           "-o         print value and size in octal\n"
           "-p         print symbols as a series of ::nmadd commands\n"
           "-u         only print undefined symbols\n"
           "-v         sort symbols by value\n"
           "-x         print value and size in hexadecimal\n"
           "-f format  print specified format\n"
           "           ndx, val, sz, type, bind, oth, shndx, name, ctype, obj\n"
           "-t types   print specified symbol types\n"
           "           noty, objt, func, sect, file, comm, tls, regu\n")
def cmd_nm(c) -> int:
    """One row per symbol: ``0x%016llx|0x%016llx|TYPE |BIND |0x0  |SHNDX   |name``."""
    m = c.m
    opts, rest = getopts(c.args, {f: "flag" for f in "DPdghnopuvx"} | {"f": "str", "t": "str"}, m.radix)
    if len(rest) > 1:
        return USAGE
    radix = "d" if opts.get("d") else "o" if opts.get("o") else "x"
    syms = list(m.target.symbols())
    if rest:
        mod = m.k.symtab.module(str(rest[0]))
        if mod is None:
            m.warn("failed to iterate over symbol table for %s", rest[0], reason="unknown object file name")
            return ERR
        syms = [s for s in syms if s.module is mod]
    if c.has_addr:
        found = m.target.lookup_by_addr(c.addr)
        if found is None:
            m.warn("failed to lookup symbol for %p", c.addr, reason="no symbol corresponds to address")
            return ERR
        syms = [found[0]]
    if opts.get("g"):
        syms = [s for s in syms if s.bind == "GLOB"]
    if opts.get("u"):
        syms = []
    if "t" in opts:
        wanted = {t.strip().upper() for t in opts["t"].split(",")}
        syms = [s for s in syms if s.kind in wanted]
    if opts.get("n"):
        syms.sort(key=lambda s: s.name)
    if opts.get("p") or opts.get("P"):
        for s in syms:
            c.printf("%#llr::nmadd -s %#llr %s\n", s.addr, s.size, s.name)
        return OK
    if c.hdr and not opts.get("h") and not c.pipe_out:
        c.printf(_NM_HEADER[radix], "Value", "Size", "Type", "Bind", "Other", "Shndx", "Name")
    for s in syms:
        if c.pipe_out:
            c.printf("%#llr\n", s.addr)
        else:
            _nm_row(c, s, _NM_VALUE[radix])
    return OK


# -- disassembly -------------------------------------------------------------------------

def _dis_line(c, addr: int, text: str, opts: dict) -> None:
    if opts.get("a"):
        c.printf("%-#32p%8T%s\n", addr, text)
    elif opts.get("b"):
        c.printf("%-#?p  %-#32a%8T%s\n", addr, addr, text)
    else:
        c.printf("%-#32a%8T%s\n", addr, text)


_DIS_EXPLAIN = Explain(
    "::dis disassembles the machine code at {addr}: the whole function when the address starts one, "
    "else a window of instructions around it (-n: how many).",
    columns=(("function+offset", "the instruction's address as symbol+offset (-a: as a bare address, -b: "
                                 "both)"),
             ("instruction", "the instruction in AT&T syntax (a call shows its target by name)")),
    see="D cannot disassemble; fbt probes sit at a function's entry and at each of its returns (a return "
        "probe's arg0 is the offset of its return instruction, which ::dis shows).")


@dcmd("dis", "?[-abfw] [-n cnt] [addr]", "disassemble near addr", explain=_DIS_EXPLAIN,
      help="Options:\n"
           "    -a  Print instructions without symbolic addresses\n"
           "    -b  Print addresses and symbolic addresses\n"
           "    -f  Read instructions from the object file\n"
           "    -n  Set the number of instructions to print\n"
           "    -w  Disassemble a window around the address\n")
def cmd_dis(c) -> int:
    """A whole function when the address starts one, else a window of instructions around it."""
    m = c.m
    opts, rest = getopts(c.args, {"f": "flag", "w": "flag", "a": "flag", "b": "flag", "n": "uint"}, m.radix)
    addr = c.addr
    if rest:
        if len(rest) != 1:
            return USAGE
        a = rest[0]
        if isinstance(a, int):
            addr = a
        elif a.startswith("-"):
            return USAGE
        elif a[:1].isdigit():
            addr = parse_number(a, m.radix)
        else:
            sym = m.k.symtab.find(a)
            if sym is None:
                m.warn("symbol '%s' not found\n", a)
                return ERR
            addr = sym.addr
    window = bool(opts.get("w"))
    end = 0
    if not window and (rest or c.has_addr):
        sym = m.target.exact_symbol(addr)
        if sym is not None and sym.kind == "FUNC":
            end = addr + sym.size if sym.size else 0
        else:
            window = True
    if c.flags & 0x02:
        window = False
    n = opts.get("n")
    if n is not None:
        end = 0
    else:
        n = 10
    read = lambda a, size: m.target_read(a, size, obj=bool(opts.get("f")))
    try:
        if not window:
            left = n + 1
            while (end == 0 and left > 0) or addr < end:
                text, size = disasm.decode(read, addr)
                _dis_line(c, addr, text, opts)
                addr += size
                left -= 1
        else:
            found = m.target.lookup_by_addr(addr)
            start = found[0].addr if found else max(addr - 64, 0)
            a = disasm.previous(read, addr, n, start)
            while a < addr:
                text, size = disasm.decode(read, a)
                _dis_line(c, a, text, opts)
                a += size
            text, size = disasm.decode(read, addr)
            c.printf("%<b>")
            _dis_line(c, addr, text, opts)
            c.printf("%</b>")
            a = addr + size
            for _ in range(n):
                text, size = disasm.decode(read, a)
                _dis_line(c, a, text, opts)
                a += size
            addr = a
    except MemoryFault:
        return ERR
    m.dot = addr
    m.incr = 0
    return OK


# -- globals and mappings ----------------------------------------------------------------

@dcmd("$e", None, "print listing of global symbols")
def cmd_globals(c) -> int:
    if c.args:
        return USAGE
    m = c.m
    for s in m.target.symbols():
        if s.bind != "GLOB":
            continue
        try:
            value = m.target.read_ptr(s.addr)
            c.printf("%s(%llr):\t%lr\n", s.name, s.addr, value)
        except MemoryFault:
            c.printf("%s(%llr):\t?\n", s.name, s.addr)
    return OK


def _print_map(c, mod) -> None:
    c.printf("%?p %?p %?lx %s\n", mod.text, mod.text + mod.text_size, mod.text_size, mod.name)


@dcmd("mappings", "?[name]", "print address space mappings")
@dcmd("$m", "?[name]", "print address space mappings")
def cmd_mappings(c) -> int:
    """One row per loaded module (the kernel target's mappings)."""
    m = c.m
    if len(c.args) > 1 or (c.args and c.has_addr):
        return USAGE
    c.printf("%<u>%?s %?s %?s %s%</u>\n", "BASE", "LIMIT", "SIZE", "NAME")
    mods = m.target.modules()
    if c.has_addr or c.args:
        if c.has_addr or isinstance(c.args[0], int):
            addr = c.addr if c.has_addr else c.args[0]
            found = m.target.module_at(addr)
            mod = found[0] if found else None
        else:
            mod = m.k.symtab.module(c.args[0])
        if mod is None:
            m.warn("failed to obtain mapping", reason="no mapping for address")
        else:
            _print_map(c, mod)
        return OK
    for mod in mods:
        _print_map(c, mod)
    return OK
