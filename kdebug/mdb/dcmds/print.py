"""Type-driven dcmds: ::print, ::sizeof, ::offsetof, ::list, ::array, ::enum (illumos mdb_print.c).

``::print`` walks a C type the way mdb_ctf_type_visit does (the object,
then each member, depth first) and prints each element with mdb's layout
(``elt_print``): indentation of 4 per level, optional address and type,
the member name, `` = `` and the value; structs open ``{`` and close ``}``
when the walk leaves them.  Values: integers in hex (``0``, ``0x2a``),
characters as C literals (``'A'``), pointers symbolically with the string a
``char *`` points to, char arrays as strings, enums as ``2 (NAME)``.
Into a pipe it prints bare values instead (``pipe_print``).
"""

from __future__ import annotations

import struct

from ...kernel import MemoryFault, ctf
from ..printf import strchr2esc
from ..explain import d_oneliner, d_symbol
from ..registry import ABORT, ERR, OK, USAGE, Explain, dcmd, getopts
from ..target import ValueTarget
from ..values import parse_number

__all__ = ["print_type_fallback", "args_to_typename", "type_completer"]

SHOWTYPE, SHOWBASETYPE, SHOWNAME, SHOWADDR, SHOWVAL, SHOWHOLES, INTHEX, INTDEC, NOSYMBOLIC = (
    0x001, 0x002, 0x004, 0x008, 0x010, 0x020, 0x040, 0x080, 0x100)
NOLIMIT = None
_NEVER = 1 << 30          # pa_nooutdepth when nothing is suppressed


def _is_char(t) -> bool:
    """IS_CHAR: a signed 8-bit character type (char, signed char)."""
    r = ctf.resolve(t)
    return isinstance(r, ctf.Integer) and r.char and r.signed and r.size == 1


def _isprint(raw: bytes) -> bool:
    return all(0x20 <= b < 0x7f or b in (9, 10, 13) for b in raw)


def _kind_composite(r) -> bool:
    return isinstance(r, (ctf.Struct, ctf.Array))


def _type_name(t) -> str:
    if isinstance(t, ctf.Struct) and not t.tag:
        return f"{t.kind} {{...}}"
    return t.name


class _Hole:
    __slots__ = ("offset", "isunion")

    def __init__(self):
        self.offset = 0
        self.isunion = False


class Printer:
    """The printarg_t of one ::print: where to read, what to show, and where the walk is."""

    def __init__(self, c, flags: int, addr: int, reader, armemlim, arstrlim, maxdepth: int):
        self.c = c
        self.m = c.m
        self.flags = flags
        self.addr = addr
        self.reader = reader          # pa_tgt: memory, or the value for -i
        self.armemlim = armemlim
        self.arstrlim = arstrlim
        self.maxdepth = maxdepth
        self.delim = "\n"
        self.prefix: str | None = None
        self.suffix: str | None = None
        self.depth = 0
        self.nest = 0
        self.nooutdepth = _NEVER
        self.holes: list[_Hole] = []

    def copy(self) -> "Printer":
        p = Printer(self.c, self.flags, self.addr, self.reader, self.armemlim, self.arstrlim, self.maxdepth)
        p.delim, p.prefix, p.suffix = self.delim, self.prefix, self.suffix
        p.depth, p.nest, p.nooutdepth, p.holes = self.depth, self.nest, self.nooutdepth, self.holes
        return p

    def printf(self, fmt: str, *args) -> None:
        self.m.out.printf(fmt, *args)

    def read(self, addr: int, size: int) -> bytes:
        return self.reader.read(addr, size)

    # -- the walk (mdb_ctf_type_visit) ------------------------------------------------

    def visit(self, t, name: str = "", off: int = 0, depth: int = 0, bits: int | None = None) -> bool:
        """Print ``t`` (at bit offset ``off``) and, for a struct or union, each member after it.

        Stops at the first element that cannot be printed (False), as
        mdb_ctf_type_visit stops when its callback fails.
        """
        if not self.elt(name, t, off, depth, bits):
            return False
        r = ctf.resolve(t)
        if isinstance(r, ctf.Struct) and r.complete:
            for mem in r.members:
                if not self.visit(mem.type, mem.name or "", off + mem.bit_offset, depth + 1, mem.bit_size):
                    return False
        return True

    def close_all(self) -> None:
        for d in range(self.depth - 1, -1, -1):
            self.close_sou(d)

    # -- elt_print -------------------------------------------------------------------

    def elt(self, name: str, t, off: int, depth: int, bits: int | None = None) -> bool:
        for d in range(self.depth - 1, depth - 1, -1):
            if d < self.nooutdepth:
                self.close_sou(d)
        if depth <= self.nooutdepth:
            self.nooutdepth = _NEVER
        if depth > self.maxdepth or depth > self.nooutdepth:
            return True
        base = ctf.resolve(t)
        tname = _type_name(t)
        if self.flags & SHOWBASETYPE:
            bname = _type_name(base)
            if bname != tname and bname not in ("struct ", "enum ", "union "):
                tname = f"{tname} <<{bname}>>"
        if self.flags & SHOWHOLES:
            self._track_hole(base, off, depth, bits)
        flags = self.flags
        if flags & (SHOWTYPE | SHOWNAME | SHOWADDR):
            self.printf("%*s", (depth + self.nest) * 4, "")
        if flags & SHOWADDR:
            a = self.addr + off // 8
            if off % 8 == 0:
                self.printf("%llx ", a)
            else:
                self.printf("%llx.%lx ", a, off % 8)
        if flags & SHOWTYPE:
            self.printf("%s", tname)
            if not tname.endswith("*") or (depth == 0 and (not flags & SHOWNAME or self.prefix is None)):
                self.printf(" ")
        if flags & SHOWNAME:
            if self.prefix is not None and depth <= 1:
                self.printf("%s%s", self.prefix, "" if depth == 0 else self.suffix)
            self.printf("%s", name)
        if flags & SHOWTYPE and isinstance(base, ctf.Integer):
            nbits = bits if bits is not None else base.bits
            if nbits % 8 or off % 8 or nbits // 8 > 8 or nbits != base.bits:
                self.printf(" :%d", nbits)
        if depth != 0 or (flags & SHOWNAME and self.prefix is not None):
            self.printf("%s ", " =" if flags & SHOWVAL else "")
        if depth == 0 and self.prefix is not None:
            name = self.prefix
        self.depth = depth
        try:
            ok = self._print_value(tname, name, t, base, off, bits)
        except MemoryFault:
            ok = False
        if ok:
            self.m.out.puts(self.delim)
        else:
            self.m.out.discard()
        return ok

    def _print_value(self, tname, name, t, base, off, bits) -> bool:
        if isinstance(base, ctf.Integer):
            return self.print_int(tname, base, off, bits)
        if isinstance(base, ctf.Float):
            return self.print_float(base, off)
        if isinstance(base, (ctf.Pointer, ctf.Function)):
            return self.print_ptr(tname, name, base, off)
        if isinstance(base, ctf.Array):
            return self.print_array(base, off)
        if isinstance(base, ctf.Struct):
            if not base.complete:
                return self.print_tag(base)
            return self.print_sou(tname, name, off)
        if isinstance(base, ctf.Enum):
            return self.print_enum(name, base, off)
        self.m.warn("unknown ctf for %s type %s kind %d\n", name, tname, 0)
        return False

    # -- values ----------------------------------------------------------------

    def print_int(self, tname: str, base, off: int, bits: int | None) -> bool:
        if not self.flags & SHOWVAL:
            return True
        nbits = bits if bits is not None else base.bits
        size = nbits // 8
        if nbits % 8 or size > 8 or size & (size - 1) or off % 8:
            return self.print_bitfield(off, nbits, base.signed)
        addr = self.addr + off // 8
        if _is_char(base):
            try:
                raw = self.read(addr, 1)
            except MemoryFault:
                return False
            self.printf("'%s'", strchr2esc(raw))
            return True
        try:
            value = int.from_bytes(self.read(addr, size), "little")
        except MemoryFault:
            self.m.warn("failed to read %lu bytes at %llx", size, addr, reason="no mapping for address")
            return False
        if not self.flags & (INTHEX | INTDEC):
            if tname == "time_t" and value:
                self.printf("%Y", value - (1 << 64) if value >> 63 else value)
                return True
            if tname in ("ipaddr_t", "in_addr_t"):
                self.printf("%I", value)
                return True
        big = "ll" if size == 8 else ""
        if not self.flags & INTDEC:
            self.printf(f"%#{big}x", value)
        elif base.signed:
            self.printf(f"%#{big}d", value)
        else:
            self.printf(f"%#{big}u", value)
        return True

    def print_bitfield(self, off: int, nbits: int, signed: bool) -> bool:
        if not self.flags & SHOWVAL:
            return True
        addr = self.addr + off // 8
        nbytes = (off % 8 + nbits + 7) // 8
        raw = int.from_bytes(self.read(addr, nbytes), "little")
        value = (raw >> (off % 8)) & ((1 << nbits) - 1)
        if self.flags & INTHEX or not signed:
            self.printf("%#llu" if self.flags & INTDEC else "%#llx", value)
        else:
            if value >> (nbits - 1):
                value -= 1 << nbits
            self.printf("%#lld", value)
        return True

    def print_float(self, base, off: int) -> bool:
        if not self.flags & SHOWVAL:
            return True
        addr = self.addr + off // 8
        if base.size not in (4, 8):
            self.printf("??? (unsupported FP format %u / %u bits\n", 1, base.size * 8)
            return True
        try:
            raw = self.read(addr, base.size)
        except MemoryFault:
            self.m.warn("failed to read float at %llx", addr, reason="no mapping for address")
            return False
        self.printf("%e", struct.unpack("<f" if base.size == 4 else "<d", raw)[0])
        return True

    def print_ptr(self, tname: str, name: str, base, off: int) -> bool:
        if not self.flags & SHOWVAL:
            return True
        addr = self.addr + off // 8
        try:
            value = int.from_bytes(self.read(addr, 8), "little")
        except MemoryFault:
            self.m.warn("failed to read %s pointer at %llx", name, addr, reason="no mapping for address")
            return False
        if self.flags & NOSYMBOLIC:
            self.printf("%#lx", value)
            return True
        self.printf("%a", value)
        if value == 0 or tname == "caddr_t":
            return True
        if isinstance(base, ctf.Pointer) and _is_char(base.target):
            try:
                raw = self.m.target.readstr(value, 256)
            except MemoryFault:
                return True
            if _isprint(raw):
                text = raw.decode("latin-1")
                if len(raw) >= 256:
                    text = text[:252] + "..."
                self.printf(' "%s"', text)
        return True

    def print_array(self, base, off: int) -> bool:
        if not self.flags & SHOWVAL:
            return True
        if self.depth == self.maxdepth:
            self.printf("[ ... ]")
            return True
        addr = self.addr + off // 8
        nelems = base.count or 0
        elem = base.elem
        relem = ctf.resolve(elem)
        eltsize = elem.size
        if (self.arstrlim is NOLIMIT or nelems <= self.arstrlim) and _is_char(relem) and nelems:
            try:
                head = self.read(addr, min(8, nelems)).split(b"\0", 1)[0]
                if head and _isprint(head):
                    text = self.read(addr, nelems).split(b"\0", 1)[0]
                    if _isprint(text):
                        self.printf('[ "%s" ]', text.decode("latin-1"))
                        return True
            except MemoryFault:
                self.m.warn("failed to read char array at %llx", addr, reason="no mapping for address")
                return False
        limit = nelems if self.armemlim is NOLIMIT else min(nelems, self.armemlim)
        if limit == 0:
            self.printf("[ ... ]")
            return True
        sou = _kind_composite(relem)
        pa = self.copy()
        pa.addr = addr
        pa.maxdepth = self.maxdepth - self.depth - 1
        pa.nest = self.nest + self.depth + 1
        pa.depth = 0
        pa.prefix = None
        if sou:
            pa.delim = "\n"
            self.printf("[\n")
        else:
            pa.flags &= ~(SHOWTYPE | SHOWNAME | SHOWADDR)
            pa.delim = ", "
            self.printf("[ ")
        for i in range(limit):
            if i == limit - 1 and not sou:
                pa.delim = ", ... ]" if limit < nelems else " ]"
            if not pa.visit(elem):
                self.m.warn("failed to print array data", reason="no mapping for address")
                return False
            pa.addr += eltsize
        if sou:
            pa.close_all()
            pad = (self.depth + self.nest) * 4
            self.printf("%*s... ]" if limit < nelems else "%*s]", pad, "")
        self.holes = pa.holes
        return True

    def print_sou(self, tname: str, name: str, off: int) -> bool:
        addr = self.addr + off // 8
        if self.flags & SHOWVAL:
            if tname in ("in6_addr_t", "struct in6_addr"):
                self.printf("%N", self.read(addr, 16))
                self.nooutdepth = self.depth
                return True
            if tname == "struct in_addr":
                self.printf("%I", int.from_bytes(self.read(addr, 4), "big"))
                self.nooutdepth = self.depth
                return True
        self.printf("{ ... }" if self.depth == self.maxdepth else "{")
        self.delim = "\n"
        return True

    def print_enum(self, name: str, base, off: int) -> bool:
        addr = self.addr + off // 8
        isp2 = _enum_is_p2(base)
        flags = self.flags | (INTHEX if isp2 else 0)
        if not flags & SHOWVAL:
            return True
        try:
            value = int.from_bytes(self.read(addr, 4), "little", signed=True)
        except MemoryFault:
            self.m.warn("failed to read %s integer at %llx", name, addr, reason="no mapping for address")
            return False
        self.printf("%#x" if flags & INTHEX else "%#d", value)
        self.printf(" (")
        if not isp2 or not _enum_print_p2(self, base, value):
            self.printf("%s", base.name_of(value) or "???")
        self.printf(")")
        return True

    def print_tag(self, base) -> bool:
        if self.flags & SHOWVAL:
            self.printf("; ")
        self.printf("<forward declaration of %s>", base.name)
        return True

    # -- closing structs and holes ------------------------------------------------------

    def close_sou(self, newdepth: int) -> None:
        d = newdepth + self.nest
        if self.flags & SHOWHOLES and d + 1 < len(self.holes) and not self.holes[d].isunion:
            end, expected = self.holes[d + 1].offset, self.holes[d].offset
            if end < expected:
                self.print_hole(newdepth + 1, end, expected)
        self.printf("%*s}%s\n", d * 4, "", "," if newdepth == 0 and self.nest > 0 else "")

    def _track_hole(self, base, off: int, depth: int, bits: int | None) -> None:
        extra = 1 if _kind_composite(base) else 0
        while len(self.holes) <= self.nest + depth + extra:
            self.holes.append(_Hole())
        hole = self.holes[depth + self.nest]
        if depth != 0 and off > hole.offset:
            self.print_hole(depth, hole.offset, off)
        if isinstance(base, ctf.Integer):
            hole.offset = off + (bits if bits is not None else base.bits)
        else:
            hole.offset = off + base.size * 8
        if extra:
            hole.isunion = isinstance(base, ctf.Struct) and base.kind == "union"
            self.holes[depth + self.nest + 1].offset = off

    def print_hole(self, depth: int, off: int, endoff: int) -> None:
        nbits = endoff - off
        if nbits > 64:
            while off < endoff:
                end = min((off // 64 + 1) * 64, endoff)
                self.print_hole(depth, off, end)
                off = end
            return
        size = nbits // 8
        bitfield = off % 8 or nbits % 8 or size > 8 or size & (size - 1)
        tname = "unsigned" if bitfield else f"uint{nbits}_t"
        if self.flags & (SHOWTYPE | SHOWNAME | SHOWADDR):
            self.printf("%*s", (depth + self.nest) * 4, "")
        if self.flags & SHOWADDR:
            a = self.addr + off // 8
            self.printf("%llx " if off % 8 == 0 else "%llx.%lx ", a, off % 8)
        if self.flags & SHOWTYPE:
            self.printf("%s ", tname)
        if self.flags & SHOWNAME:
            self.printf("%s", "<<HOLE>>")
        if bitfield and self.flags & SHOWTYPE:
            self.printf(" :%d", nbits)
        self.printf("%s ", " =" if self.flags & SHOWVAL else "")
        try:
            if bitfield:
                self.print_bitfield(off, nbits, False)
            elif self.flags & SHOWVAL:
                self.printf("%#llx" if size == 8 else "%#x",
                            int.from_bytes(self.read(self.addr + off // 8, size), "little"))
            self.m.out.puts(self.delim)
        except MemoryFault:
            self.m.out.discard()


def _enum_is_p2(e) -> bool:
    """An enum whose values are all 0 or powers of two prints as flags."""
    bits = 0
    for _, v in e.values:
        if v and v & (v - 1):
            return False
        bits |= v
    return bits != 0 and bool(e.values)


def _enum_print_p2(p: Printer, e, value: int) -> bool:
    """``A|B|0x10`` for a flags enum; names after the first lose their common prefix."""
    names = [n for n, _ in e.values]
    prefix = _common_prefix(names)
    parts = []
    seen = 0
    for n, v in e.values:
        if v and not seen & v and value & v:
            parts.append(n if not parts or len(n) <= len(prefix) else n[len(prefix):])
        seen |= v
    missed = value & ~seen
    text = ""
    if parts:
        if len(parts) > 1 and prefix:
            text = parts[0][:len(prefix)] + "{" + parts[0][len(prefix):] + "|" + "|".join(parts[1:]) + "}"
        else:
            text = "|".join(parts)
        if missed:
            text += "|"
    p.printf("%s", text)
    if not parts or missed:
        p.printf("%#llx", missed & ((1 << 64) - 1))
    return True


def _common_prefix(names: list[str]) -> str:
    if not names:
        return ""
    prefix = names[0]
    for n in names[1:]:
        i = 0
        while i < min(len(prefix), len(n)) and prefix[i] == n[i]:
            i += 1
        prefix = prefix[:i]
    if prefix in names:
        prefix = prefix[:-1]
    return prefix


# -- member paths ------------------------------------------------------------------------

class _MemberError(Exception):
    pass


def parse_member(p: Printer, path: str, t) -> tuple:
    """Follow ``a.b->c[3]`` from type ``t``, moving ``p.addr``; returns (type, bit offset, last_deref)."""
    m = p.m
    s = path
    pos = 0
    off = 0
    last_deref = False
    non_array = False

    def delim() -> str | None:
        nonlocal pos
        if pos >= len(s):
            return "done"
        ch = s[pos]
        if ch == ".":
            pos += 1
            return "dot"
        if ch == "[":
            pos += 1
            return "lbr"
        if s.startswith("->", pos):
            pos += 2
            return "ptr"
        return None

    d = delim()
    if d is None:
        d = "ptr" if isinstance(ctf.resolve(t), ctf.Pointer) else "dot"
    while d != "done":
        r = ctf.resolve(t)
        if d == "ptr":
            if not isinstance(r, ctf.Pointer):
                m.warn("%s is not a pointer type\n", _type_name(t))
                raise _MemberError()
            _deref(p)
            t = r.target
            off = 0
        elif d == "dot":
            if not isinstance(r, ctf.Struct):
                m.warn("%s is not a struct or union type\n", _type_name(t))
                raise _MemberError()
        elif d == "lbr":
            end = s.find("]", pos)
            if end < 0:
                m.warn("no trailing ']'\n")
                raise _MemberError()
            index = parse_number(s[pos:end], m.radix) if s[pos:end] else 0
            if isinstance(r, ctf.Pointer):
                _deref(p)
                t = r.target
                if t.size <= 0:
                    m.warn("cannot dereference void type\n")
                    raise _MemberError()
                p.addr += index * t.size
                off = 0
                if index == 0 and non_array:
                    last_deref = True
            elif isinstance(r, ctf.Array):
                if index >= (r.count or 0):
                    m.warn("index %r is outside of array bounds [0 .. %r]\n", index, (r.count or 0) - 1)
                t = r.elem
                if t.size <= 0:
                    m.warn("cannot dereference void type\n")
                    raise _MemberError()
                p.addr += index * t.size
                off = 0
            else:
                m.warn("cannot index into non-array, non-pointer type\n")
                raise _MemberError()
            pos = end + 1
            d = delim()
            if d is None:
                m.warn("'%c' is not a valid delimiter\n", s[pos])
                raise _MemberError()
            continue
        last_deref = False
        non_array = True
        end = pos + 1
        while end < len(s) and (s[end].isalnum() or s[end] == "_"):
            end += 1
        name = s[pos:end]
        mem = ctf.resolve(t).member(name) if isinstance(ctf.resolve(t), ctf.Struct) else None
        if mem is None:
            m.warn("failed to find member %s of %s", name, _type_name(t),
                   reason="no such member of structure or union")
            r = ctf.resolve(t)
            m.hint(name, [x.name for x in r.members if x.name] if isinstance(r, ctf.Struct) else [])
            raise _MemberError()
        off = mem.bit_offset
        t = mem.type
        p.addr += off // 8
        pos = end
        d = delim()
        if d is None:
            m.warn("'%c' is not a valid delimiter\n", s[pos])
            raise _MemberError()
    return t, off, last_deref


def _deref(p: Printer) -> None:
    try:
        p.addr = int.from_bytes(p.m.target.read(p.addr, 8), "little")
    except MemoryFault:
        p.m.warn("could not dereference pointer %llx\n", p.addr)
        raise _MemberError() from None
    p.reader = p.m.target


def _member_at(t, off: int):
    """mdb_ctf_offset_to_name: the innermost member containing byte ``off`` as (path, type, bit offset)."""
    path = ""
    bit = off * 8
    r = ctf.resolve(t)
    found = False
    while isinstance(r, ctf.Struct):
        for mem in r.members:
            end = mem.bit_offset + (mem.bit_size if mem.bit_size is not None else mem.type.size * 8)
            if mem.bit_offset <= bit < end:
                path = f"{path}.{mem.name}" if path and mem.name else (mem.name or path)
                bit -= mem.bit_offset
                t = mem.type
                r = ctf.resolve(t)
                found = True
                break
        else:
            break
    if not found and off != 0:
        return None
    return path, t, bit


# -- pipe output -----------------------------------------------------------------------

def pipe_print(p: Printer, t, off: int) -> bool:
    """The bare value of a member for the next dcmd: integers and pointers, else the address."""
    addr = p.addr + off // 8
    if p.flags & SHOWADDR:
        p.printf("%#lr\n", addr)
        return True
    r = ctf.resolve(t)
    try:
        if isinstance(r, ctf.Pointer):
            p.printf("%#lr\n", int.from_bytes(p.read(addr, 8), "little"))
        elif isinstance(r, ctf.Enum):
            p.printf("%#r\n", int.from_bytes(p.read(addr, 4), "little"))
        elif isinstance(r, ctf.Integer):
            if off % 8 or r.size & (r.size - 1):
                p.print_bitfield(off, r.bits, r.signed)
            else:
                p.printf("%#llr\n" if r.size == 8 else "%#r\n", int.from_bytes(p.read(addr, r.size), "little"))
        else:
            p.printf("%#lr\n", addr)
    except MemoryFault:
        p.m.warn("failed to read %lu bytes at %p", r.size, addr, reason="no mapping for address")
        return False
    return True


# -- ::print ---------------------------------------------------------------------------

def args_to_typename(c, args: list) -> tuple[str, list] | int:
    """``struct proc`` is one type name given as two words; returns (name, rest) or a status."""
    if not args or not isinstance(args[0], str):
        return USAGE
    if args[0] in ("struct", "enum", "union"):
        if len(args) <= 1:
            c.m.warn("%s is not a valid type\n", args[0])
            return ABORT
        if not isinstance(args[1], str):
            return USAGE
        return f"{args[0]} {args[1]}", args[2:]
    return args[0], args[1:]


def _symbol_type(m, addr: int):
    sym = m.target.exact_symbol(addr)
    return sym.type if sym is not None else None


_PRINT_OPTS = {"a": "flag", "C": "flag", "c": "uint", "d": "flag", "h": "flag", "i": "flag", "L": "flag",
               "l": "uint", "n": "flag", "p": "flag", "s": "uint", "T": "flag", "t": "flag", "x": "flag"}

_PRINT_HELP = (
    "-a         show address of object\n"
    "-C         unlimit the length of character arrays\n"
    "-c limit   limit the length of character arrays\n"
    "-d         output values in decimal\n"
    "-h         print holes in structures\n"
    "-i         interpret address as data of the given type\n"
    "-L         unlimit the length of standard arrays\n"
    "-l limit   limit the length of standard arrays\n"
    "-n         don't print pointers as symbol offsets\n"
    "-p         interpret address as a physical memory address\n"
    "-s depth   limit the recursion depth\n"
    "-T         show type and <<base type>> of object\n"
    "-t         show type of object\n"
    "-x         output values in hexadecimal\n"
    "\n"
    "type may be omitted if the C type of addr can be inferred.\n"
    "\n"
    "Members may be specified with standard C syntax using the\n"
    "array indexing operator \"[index]\", structure member\n"
    "operator \".\", or structure pointer operator \"->\".\n"
    "\n"
    "Offsets must use the $[ expression ] syntax\n")


def type_completer(m, words: list[str]) -> list[str]:
    """Complete a type name first, then the members of that type (``p_user.u_comm``)."""
    words = [w for w in words if not w.startswith("-")]
    if len(words) <= 1:
        return m.target.type_names()
    name = " ".join(words[:2]) if words[0] in ("struct", "union", "enum") else words[0]
    rest = words[2:] if words[0] in ("struct", "union", "enum") else words[1:]
    if not rest:
        return [n for n in m.target.type_names() if n.startswith(words[0])] if words[0] in (
            "struct", "union", "enum") else []
    try:
        t = m.target.lookup_type(name)
    except LookupError:
        return []
    return member_paths(t, rest[-1])


def member_paths(t, partial: str) -> list[str]:
    """Member paths of ``t`` that continue ``partial`` (``p_user.u_co`` -> ``p_user.u_comm``)."""
    head, sep, _ = partial.rpartition(".")
    if "->" in partial and partial.rfind("->") > partial.rfind("."):
        head, sep, _ = partial.rpartition("->")
    r = ctf.resolve(t)
    if head:
        for name in head.replace("->", ".").split("."):
            if not name:
                continue
            r = ctf.resolve(r)
            if isinstance(r, ctf.Pointer):
                r = ctf.resolve(r.target)
            mem = r.member(name) if isinstance(r, ctf.Struct) else None
            if mem is None:
                return []
            r = ctf.resolve(mem.type)
    if isinstance(r, ctf.Pointer):
        r = ctf.resolve(r.target)
    if not isinstance(r, ctf.Struct):
        return []
    return [f"{head}{sep}{mem.name}" for mem in r.members if mem.name]


# -- ::explain of ::print ------------------------------------------------------------------

# How ::print lays out a value of each kind of C type (the Printer's layouts above).
_LAYOUTS = {
    "char pointer": "A char pointer prints as its address and then, in quotes, the string it points to; a "
                    "NULL one prints as 0.",
    "pointer": "A pointer prints as the symbol it points to when there is one, else as its address in hex; "
               "NULL prints as 0.",
    "char": "A char prints as a C character literal ('A', '\\002').",
    "integer": "An integer prints in hex (0x50), and 0 as 0; -d prints it in decimal.",
    "float": "A floating-point number prints in %e notation.",
    "enum": "An enum prints as its value and, in parentheses, the name of that value.",
    "char array": "A char array prints as the string it holds, in quotes inside [ ].",
    "array": "An array prints as [ element, element, ... ], at most array_mem_limit elements (-L: all).",
    "struct": "A struct prints as { member = value ... }, one member a line, nested structs indented by 4.",
    "union": "A union prints like a struct: every member, each over the same bytes.",
    "function": "A function has no value to print; ::dis disassembles it.",
}

# The D that prints a value of each kind as ::print does ({} is the D expression of the value).
_D_PRINTS = {
    "char pointer": ("%s", '{0} ? stringof({0}) : "0"'),
    "integer": ("%#x", "{0}"),
    "char array": ("%s", "{0}"),
}


def _layout_kind(t) -> str:
    r = ctf.resolve(t)
    if isinstance(r, ctf.Pointer) and _is_char(ctf.resolve(r.target)):
        return "char pointer"
    if isinstance(r, ctf.Array) and _is_char(ctf.resolve(r.elem)):
        return "char array"
    if isinstance(r, ctf.Integer) and _is_char(r):
        return "char"
    return r.kind if r.kind in _LAYOUTS else "struct"


def _explain_print(s) -> Explain:
    """What ``ADDR::print [type] [member]`` shows, by the C type of what is at ADDR."""
    m = s.m
    opts, args = _explain_args(s.words)
    sym = s.symbol
    t = tname = None
    if args:
        tname = " ".join(args[:2]) if args[0] in ("struct", "union", "enum") and len(args) > 1 else args[0]
        t = m.target.find_type(tname)
        args = args[len(tname.split()):] if t is not None else args
    typed_var = sym is not None and sym.type is not None and (t is None or ctf.resolve(t) is ctf.resolve(sym.type))
    if typed_var:
        t = sym.type
        says = (f"::print shows the kernel variable {sym.name} ({_place(m, sym)}) as its C type, "
                f"{_type_name(t)}.")
        d_value, arrow = d_symbol(sym), "."
    elif t is not None:
        says = f"::print shows the memory at {s.where} as a {_type_name(t)}."
        d_addr = s.d_address()
        d_value = f"(({tname} *){d_addr})" if d_addr is not None and "`" not in tname else None
        arrow = "->"
    elif s.addr_text is None and not args:
        return Explain("::print shows memory as a C type; with neither an address nor a type mdb prints its usage.")
    else:
        what = f"{tname} is not a type on this target" if tname else "the address is not a variable with a C type"
        return Explain(f"::print shows memory as a C type; here {what}, so mdb will say it cannot look it up.")
    member = _member_info(t, args[0]) if len(args) == 1 and "[" not in args[0] and "->" not in args[0] else None
    if member is not None:
        t = member[1]
        says += f" Only the member {args[0]} ({_type_name(t)}) is printed, as {args[0]} = value."
        d_value = None if d_value is None else f"{d_value}{arrow}{args[0]}"
    elif args:
        says += f" Only the members {', '.join(args)} are printed, each as name = value."
        d_value = None
    kind = _layout_kind(t)
    says += " " + _LAYOUTS[kind]
    d = None
    if d_value is not None and kind in _D_PRINTS and not opts:
        fmt, expr = _D_PRINTS[kind]
        d = d_oneliner(fmt, expr.format(d_value))
    see = None if kind not in ("struct", "union") else \
        "D has no action here that prints a whole struct; it reads one member at a time (`var.member)."
    return Explain(says, d=d, see=see)


def _explain_args(words: list[str]) -> tuple[set[str], list[str]]:
    """The option letters and the other words of a ::print command line (``-c lim`` takes a value)."""
    opts, rest, i = set(), [], 0
    while i < len(words):
        w = words[i]
        if w.startswith("-") and len(w) > 1 and not rest:
            opts |= set(w[1:])
            i += 2 if w[-1] in "cls" else 1
            continue
        rest.append(w)
        i += 1
    return opts, rest


def _place(m, sym) -> str:
    """``at fffffffffbc008b0, in unix's data``: where a variable lives."""
    found = m.target.module_at(sym.addr)
    seg = f", in {found[0].name}'s {found[1]}" if found is not None else ""
    return f"at {sym.addr:x}{seg}"


@dcmd("print", "?[-aCdhiLptx] [-c lim] [-l lim] [type] [member|offset ...]",
      "print the contents of a data structure", help=_PRINT_HELP, complete=type_completer,
      explain=_explain_print)
def cmd_print(c) -> int:
    m = c.m
    opts, args = getopts(c.args, _PRINT_OPTS, m.radix)
    uflags = SHOWVAL if c.has_addr else 0
    uflags |= SHOWADDR if opts.get("a") else 0
    uflags |= INTDEC if opts.get("d") else 0
    uflags |= SHOWHOLES if opts.get("h") else 0
    uflags |= NOSYMBOLIC if opts.get("n") else 0
    uflags |= (SHOWTYPE | SHOWBASETYPE) if opts.get("T") else 0
    uflags |= SHOWTYPE if opts.get("t") else 0
    uflags |= INTHEX if opts.get("x") else 0
    if uflags & INTHEX:
        uflags &= ~INTDEC
    uflags |= SHOWNAME
    opt_i, opt_p = opts.get("i"), opts.get("p")
    if opt_p and opt_i:
        m.warn("-p and -i options are incompatible\n")
        return ERR
    t = None
    if args and isinstance(args[0], str):
        if args[0][:1] in "+-":
            return USAGE
        named = args_to_typename(c, args)
        if isinstance(named, int):
            return named
        tname, rest = named
        try:
            t = m.target.lookup_type(tname)
            args = rest
        except LookupError as e:
            t = None if not c.has_addr or opt_i else _symbol_type(m, c.addr)
            if t is None:
                m.warn("failed to look up type %s", tname,
                       reason=getattr(e, "reason", "No type information available for that name"))
                m.hint(tname, m.target.type_names())
                return ABORT
    elif not c.has_addr or opt_i:
        return USAGE
    else:
        sym = m.target.exact_symbol(c.addr)
        if sym is None:
            m.warn("no symbol information for %a", c.addr, reason="no symbol corresponds to address")
            return ERR
        if sym.type is None:
            m.warn("no type data available for %a [%u]", c.addr, 0, reason="no CTF data for symbol")
            return ERR
        t = sym.type
    armemlim = m.options["array_mem_limit"]
    arstrlim = m.options["array_str_limit"]
    if "c" in opts:
        arstrlim = opts["c"]
    if opts.get("C"):
        arstrlim = NOLIMIT
    if "l" in opts:
        armemlim = opts["l"]
    if opts.get("L"):
        armemlim = NOLIMIT
    maxdepth = opts.get("s", _NEVER)
    reader = m.target
    addr = c.addr if c.has_addr and not opt_i else 0
    if opt_p:
        reader = _Physical()
    if opt_i:
        reader = ValueTarget(m.dot)
    p = Printer(c, uflags, addr, reader, armemlim, arstrlim, maxdepth)
    if getattr(c, "as_json", False):
        status = _print_json(c, p, t, args)
        if status == OK:
            m.dot, m.incr = c.addr + t.size, 0
        return status
    if args:
        for a in args:
            saved_reader, saved_addr = p.reader, p.addr
            if isinstance(a, str):
                try:
                    mt, off, last_deref = parse_member(p, a, t)
                except _MemberError:
                    return ABORT
                rm = ctf.resolve(mt)
                member = a
                if last_deref and isinstance(rm, ctf.Struct):
                    member = a[:a.rfind("[")]
                    p.suffix = "->"
                else:
                    p.suffix = "." if isinstance(rm, ctf.Struct) else ""
                p.prefix = member
            else:
                found = _member_at(t, a)
                if found is None:
                    m.warn("invalid offset %lx\n", a)
                    return ABORT
                path, mt, off = found
                p.prefix = path
                p.addr += a - off // 8
                p.suffix = "" if not path else "."
            off %= 8
            if c.pipe_out:
                printed = pipe_print(p, mt, off)
            elif off:
                printed = p.elt("", mt, off, 0)
            else:
                printed = p.visit(mt)
                if printed:
                    p.close_all()
            if not printed:
                m.warn("failed to print type", reason="no mapping for address")
                return ERR
            p.depth = 0
            p.reader, p.addr = saved_reader, saved_addr
            p.delim = "\n"
    else:
        printed = pipe_print(p, t, 0) if c.pipe_out else p.visit(t)
        if not printed:
            m.warn("failed to print type", reason="no mapping for address")
            return ERR
        if not c.pipe_out:
            p.close_all()
    m.dot = c.addr + t.size
    m.incr = 0
    return OK


@dcmd("json", "?[type] [member ...]", "print a data structure as JSON (kdebug)",
      help="Like ::print, but the object (or each member path given) is one line of\n"
           "JSON, from its C type (see docs/json.md in kdebug).  Example:\n\n"
           "  zone0::json zone_t zone_name zone_id zone_status\n")
def cmd_json(c) -> int:
    c.as_json = True
    return cmd_print(c)


def _print_json(c, p: Printer, t, args: list) -> int:
    """``::json``: the object (or each member path given) as one line of JSON (kdebug.mdb.tojson)."""
    import json

    from ..tojson import value_json
    m = c.m
    try:
        if not args:
            obj = value_json(p.reader, t, p.addr)
        else:
            obj = {}
            for a in args:
                if not isinstance(a, str):
                    return USAGE
                saved = p.reader, p.addr
                try:
                    mt, off, _ = parse_member(p, a, t)
                except _MemberError:
                    return ABORT
                obj[a] = value_json(p.reader, mt, p.addr, off % 8)
                p.reader, p.addr = saved
    except MemoryFault:
        m.warn("failed to print type", reason="no mapping for address")
        return ERR
    if m.structured is not None:          # kdebug mdb --json: the value itself, not its text
        m.structured.value(obj)
    else:
        c.printf("%s\n", json.dumps(obj))
    return OK


class _Physical:
    """::print -p: the simulated kernel has no physical address space to read."""

    def read(self, addr: int, size: int) -> bytes:
        raise MemoryFault(addr)


def print_type_fallback(c, name: str):
    """``addr$<name`` with no macro file: print ``struct name``, ``union name``, ``name_t`` or ``struct names``."""
    m = c.m
    for candidate in (f"struct {name}", f"union {name}", f"{name}_t", f"struct {name}s", f"union {name}s"):
        if m.target.k.types.find(candidate) is not None:
            words = candidate.split(" ")
            call = type(c)(m, c.addr if c.has_addr else m.dot, c.flags | 0x01, words, m.lookup_dcmd("print"))
            return cmd_print(call)
    return None


# -- ::sizeof, ::offsetof ----------------------------------------------------------------

def _sizeof_complete(m, words):
    return m.target.type_names() if len(words) <= 1 else []


def _explain_sizeof(s) -> Explain:
    tname = " ".join(s.words[:2]) if s.words[:1] in (["struct"], ["union"], ["enum"]) else " ".join(s.words[:1])
    says = (f"::sizeof prints the size in bytes of the C type {tname or 'TYPE'}, in hex: "
            f"sizeof ({tname or 'TYPE'}) = SIZE (into a pipe, just the number).")
    known = tname and "`" not in tname and s.m.target.find_type(tname) is not None
    return Explain(says, d=d_oneliner("%#x", f"sizeof ({tname})") if known else None)


@dcmd("sizeof", "type", "print the size of a type", complete=_sizeof_complete, explain=_explain_sizeof)
def cmd_sizeof(c) -> int:
    if c.has_addr:
        return USAGE
    named = args_to_typename(c, c.args)
    if isinstance(named, int):
        return named
    tname, rest = named
    if rest:
        return USAGE
    try:
        t = c.m.target.lookup_type(tname)
    except LookupError as e:
        c.warn("failed to look up type %s", tname, reason=getattr(e, "reason", str(e)))
        c.m.hint(tname, c.m.target.type_names())
        return ERR
    if c.pipe_out:
        c.printf("%#lr\n", t.size)
    else:
        c.printf("sizeof (%s) = %#lr\n", tname, t.size)
    return OK


def _explain_offsetof(s) -> Explain:
    words = s.words
    n = 2 if words[:1] in (["struct"], ["union"]) else 1
    tname, member = " ".join(words[:n]) or "TYPE", " ".join(words[n:n + 1]) or "MEMBER"
    says = (f"::offsetof prints where the member {member} lies in the C type {tname}: its offset in bytes "
            f"from the start, in hex, and the member's size: offsetof ({tname}, {member}) = OFFSET, "
            f"sizeof (...->{member}) = SIZE.")
    t = s.m.target.find_type(tname) if "`" not in tname else None
    known = t is not None and _member_info(t, member) is not None
    return Explain(says, d=d_oneliner("%#x", f"offsetof({tname}, {member})") if known else None)


@dcmd("offsetof", "type member", "print the offset of a given struct or union member",
      complete=type_completer, explain=_explain_offsetof)
def cmd_offsetof(c) -> int:
    if c.has_addr:
        return USAGE
    named = args_to_typename(c, c.args)
    if isinstance(named, int):
        return named
    tname, rest = named
    if len(rest) != 1 or not isinstance(rest[0], str):
        return USAGE
    try:
        t = c.m.target.lookup_type(tname)
    except LookupError as e:
        c.warn("failed to look up type %s", tname, reason=getattr(e, "reason", str(e)))
        return ERR
    member = rest[0]
    found = _member_info(t, member)
    if found is None:
        c.warn("failed to find member %s of type %s", member, tname, reason="no such member of structure or union")
        return ERR
    bit, mt, bits = found
    if c.pipe_out:
        if bit % 8:
            c.warn("member %s of type %s is not byte-aligned\n", member, tname)
            return ERR
        c.printf("%#lr", bit // 8)
        return OK
    c.printf("offsetof (%s, %s) = %#lr", tname, member, bit // 8)
    if bit % 8:
        c.printf(".%lr", bit % 8)
    size = (bits + 7) // 8 if bits is not None else mt.size
    if size > 0:
        c.printf(", sizeof (...->%s) = %#lr", member, size)
    c.printf("\n")
    return OK


def _member_info(t, path: str):
    """(bit offset, type, bit-field width) of member ``path`` (``a.b``) in ``t``, or None."""
    bit = 0
    bits = None
    for name in path.split("."):
        r = ctf.resolve(t)
        mem = r.member(name) if isinstance(r, ctf.Struct) else None
        if mem is None:
            return None
        bit += mem.bit_offset
        bits = mem.bit_size
        t = mem.type
    return bit, t, bits


# -- ::list, ::array, ::enum ---------------------------------------------------------------

@dcmd("list", "?type member [variable]", "walk list using member as link pointer", complete=type_completer)
def cmd_list(c) -> int:
    m = c.m
    if not c.has_addr or not c.args:
        return USAGE
    args = c.args
    if not isinstance(args[0], str):
        if len(args) != 1:
            return USAGE
        offset = args[0]
        args = []
        if offset % 8:
            m.warn("offset must fall on a word boundary\n")
            return ABORT
    else:
        if len(args) < 2:
            return USAGE
        named = args_to_typename(c, args)
        if isinstance(named, int):
            return named
        tname, args = named
        if not args:
            return USAGE
        member = args[0]
        args = args[1:]
        try:
            t = m.target.lookup_type(tname)
        except LookupError as e:
            m.warn("failed to look up type %s", tname, reason=getattr(e, "reason", str(e)))
            return ABORT
        found = _member_info(t, member)
        if found is None:
            m.warn("failed to find member %s of type %s", member, tname,
                   reason="no such member of structure or union")
            return ABORT
        offset = found[0] // 8
        if found[0] % 64:
            m.warn("%s is not a word-aligned member\n", member)
            return ABORT
    var = None
    if len(args) == 1:
        if not isinstance(args[0], str):
            return USAGE
        var = args[0]
        m.pipe_vars.add(var)
    elif args:
        return USAGE
    a = c.addr
    while True:
        if var is not None:
            m.vars.set(var, a)
        c.printf("%lr\n", a)
        try:
            nxt = m.target.read_ptr(a + offset)
        except MemoryFault as e:
            m.warn("failed to read next pointer from object %p", a, reason=e.reason)
            return ERR
        a = nxt
        if a == c.addr or a == 0:
            return OK


@dcmd("array", ":[type count] [variable]", "print each array element's address")
def cmd_array(c) -> int:
    m = c.m
    if not c.has_addr:
        return USAGE
    args = c.args
    if len(args) >= 2:
        named = args_to_typename(c, args)
        if isinstance(named, int):
            return named
        tname, args = named
        if not args:
            return USAGE
        try:
            elemsize = m.target.lookup_type(tname).size
        except LookupError as e:
            m.warn("failed to look up type %s", tname, reason=getattr(e, "reason", str(e)))
            return ABORT
        n = args[0]
        nelem = n if isinstance(n, int) else parse_number(n, m.radix)
        args = args[1:]
    else:
        sym = m.target.exact_symbol(c.addr)
        r = ctf.resolve(sym.type) if sym is not None and sym.type is not None else None
        if not isinstance(r, ctf.Array):
            m.warn("no symbol information for %a", c.addr, reason="no symbol corresponds to address")
            return ERR
        nelem, elemsize = r.count or 0, r.elem.size
    if len(args) == 1:
        if not isinstance(args[0], str):
            return USAGE
        m.pipe_vars.add(args[0])
        var = args[0]
    elif args:
        return USAGE
    else:
        var = None
    addr = c.addr
    for _ in range(nelem):
        if var is not None:
            m.vars.set(var, addr)
        c.printf("%lr\n", addr)
        addr += elemsize
    return OK


@dcmd("enum", "?[-ex] enum [name]", "print an enumeration",
      help="Without an address and name, print all values for the enumeration \"enum\".\n"
           "With an address, look up a particular value in \"enum\".  With a name, look\n"
           "up a particular name in \"enum\".\n\nOPTIONS\n"
           "   -e    remove common prefixes from enum names\n"
           "   -x    report enum values in hexadecimal\n")
def cmd_enum(c) -> int:
    m = c.m
    opts, args = getopts(c.args, {"e": "flag", "x": "flag"}, m.radix)
    named = args_to_typename(c, args)
    if isinstance(named, int):
        return named
    tname, rest = named
    if " " not in tname:
        t = m.target.k.types.find(f"enum {tname}") or m.target.k.types.find(tname)
        if t is None:
            m.warn("types '%s', '%s'", f"enum {tname}", tname, reason="No type information available for that name")
            return ERR
    else:
        t = m.target.k.types.find(tname)
        if t is None:
            m.warn("'%s'", tname, reason="No type information available for that name")
            return ERR
    e = ctf.resolve(t)
    if not isinstance(e, ctf.Enum):
        m.warn("'%s': not an enumeration\n", tname)
        return ERR
    if len(rest) > 1:
        return USAGE
    search_name = search_value = None
    if rest:
        if c.has_addr:
            m.warn("may only specify one of: name, address\n")
            return USAGE
        if isinstance(rest[0], str):
            search_name = rest[0]
        else:
            search_value = rest[0]
    if c.has_addr:
        search_value = c.addr
    hexa = bool(opts.get("x")) or _enum_is_p2(e)
    pretty = not c.pipe_out
    prefix = _common_prefix([n for n, _ in e.values]) if opts.get("e") else ""
    if c.hdr and pretty:
        c.printf("%<u>%8s %-64s%</u>\n" if hexa else "%<u>%11s %-64s%</u>\n", "VALUE", "NAME")
    found = False
    for name, value in e.values:
        if search_name is not None and name != search_name:
            continue
        if search_value is not None and value != search_value:
            continue
        found = True
        shown = name[len(prefix):] if prefix and len(name) > len(prefix) else name
        if pretty:
            c.printf("%8x %s\n" if hexa else "%11d %s\n", value, shown)
        else:
            c.printf("%#r\n", value)
    if not found and (search_name is not None or search_value is not None):
        if search_name is not None:
            m.warn('name "%s" not in \'%s\'\n', search_name, tname)
        else:
            m.warn("value %#lld not in '%s'\n", search_value, tname)
        return ERR
    return OK
