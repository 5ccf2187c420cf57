"""Format characters and the format verbs / \\ @ ? = (illumos mdb_fmt.c and mdb_cmds.c).

Each format character reads a number of bytes and prints them one way
(``X``: a 4-byte word in hex, ``J``: 8 bytes, ``S``: a C string...).  The
table below is the whole of it; ``::formats`` is generated from it.
``addr/fmt`` reads virtual memory, ``?`` the unix object file, ``\\`` and
``@`` physical memory, and ``value=fmt`` formats the value itself.
"""

from __future__ import annotations

__all__ = ["FORMATS", "Format", "fmt_print"]

import struct
from dataclasses import dataclass

from ...kernel import MemoryFault, ctf
from .. import disasm
from ..printf import AUTOWRAP, INDENT, numtostr, strchr2esc
from ..explain import d_oneliner, d_symbol
from ..registry import ABORT, ERR, OK, PIPE, USAGE, Char, Explain, dcmd
from ..target import ReadOnlyTarget, ValueTarget

VARIABLE = 0       # size: reads a variable number of bytes
NONE = -1          # size: does not move dot


@dataclass(frozen=True)
class Format:
    help: str
    size: int
    printf: str | None = None     # printf layout for plain integer formats
    func: object = None           # func(m, reader, addr, count) -> new addr
    write: bool = False
    match: bool = False


# -- readers: where a format verb's bytes come from ---------------------------------

class _Memory:
    """Virtual memory, the object file, or physical memory, read through the session."""

    def __init__(self, m, space: str):
        self.m = m
        self.space = space

    def read(self, addr: int, size: int) -> bytes:
        if self.space == "phys":
            raise MemoryFault(addr)
        return self.m.target_read(addr, size, obj=self.space == "file")

    def readstr(self, addr: int, limit: int) -> bytes:
        self.read(addr, 1)
        out = bytearray()
        while len(out) < limit:
            try:
                b = self.read(addr + len(out), 1)
            except MemoryFault:
                break
            if b == b"\0":
                break
            out += b
        return bytes(out)


def _read_failed(m, e: MemoryFault) -> None:
    m.warn("failed to read data from target", reason=e.reason)


# -- the special formats --------------------------------------------------------------

def _fmt_dot(m, rd, addr: int, cnt: int) -> int:
    indent = m.out.flags & INDENT
    m.out.clrflags(indent)
    for _ in range(cnt):
        m.out.printf("%-#16lla%16T", addr)
    m.out.setflags(indent)
    m.rvalue = addr
    return addr


def _fmt_float(m, rd, addr: int, cnt: int) -> int:
    for _ in range(cnt):
        try:
            raw = rd.read(addr, 4)
        except MemoryFault as e:
            _read_failed(m, e)
            break
        m.out.printf("%e", struct.unpack("<f", raw)[0])
        addr += 4
    return addr


def _fmt_nl(m, rd, addr: int, cnt: int) -> int:
    for _ in range(cnt):
        m.out.nl()
    return addr


def _fmt_ws(m, rd, addr: int, cnt: int) -> int:
    m.out.ws(cnt)
    return addr


def _fmt_tab(m, rd, addr: int, cnt: int) -> int:
    m.out.tab(min(cnt, m.out.cols - 1) or 1)
    return addr


def _strings(m, rd, addr: int, cnt: int, escape: bool) -> int:
    indent = m.out.flags & INDENT
    m.out.clrflags(indent)
    try:
        for i in range(cnt):
            try:
                raw = rd.readstr(addr, 8191)
            except MemoryFault as e:
                _read_failed(m, e)
                break
            m.out.puts(strchr2esc(raw) if escape else raw.decode("latin-1"))
            addr += len(raw) + 1
            if i + 1 < cnt:
                m.out.puts("\\0")
    finally:
        m.out.setflags(indent)
    return addr


def _fmt_rawstr(m, rd, addr, cnt):
    return _strings(m, rd, addr, cnt, escape=False)


def _fmt_escstr(m, rd, addr, cnt):
    return _strings(m, rd, addr, cnt, escape=True)


def _fmt_escchr(m, rd, addr: int, cnt: int) -> int:
    try:
        raw = rd.read(addr, cnt)
    except MemoryFault:
        return addr
    m.out.puts(strchr2esc(raw))
    return addr + len(raw)


def _each(size: int, fmt_value):
    """A format that reads ``size`` bytes per repetition and prints with ``fmt_value(m, value)``."""
    def run(m, rd, addr: int, cnt: int) -> int:
        for _ in range(cnt):
            try:
                raw = rd.read(addr, size)
            except MemoryFault as e:
                _read_failed(m, e)
                break
            value = int.from_bytes(raw, "little")
            fmt_value(m, value)
            m.rvalue = value
            addr += size
        return addr
    return run


def _swapshort(m, x):
    m.out.printf("%-8x", ((x << 8) | (x >> 8)) & 0xffff)


def _swapint(m, x):
    m.out.printf("%-16x", int.from_bytes(x.to_bytes(4, "little"), "big"))


def _hex64(m, x):
    m.out.printf("%-17llx" if x & 0xf000000000000000 else "%-16llx", x)


def _binary(m, x):
    m.out.printf("%-65s" if x >> 63 else "%-64s", numtostr(x, 2, 1))


def _time32(m, x):
    m.out.printf("%-24Y", x - (1 << 32) if x >> 31 else x)


def _time64(m, x):
    m.out.printf("%-24Y", x - (1 << 64) if x >> 63 else x)


def _sdbyte(m, x):
    m.out.printf("%-8d", x - 256 if x & 0x80 else x)


def _jazzed(m, x):
    """The ``j`` diagram: the bits, a bar under each set bit, and one line naming each set bit."""
    wrap = m.out.flags & AUTOWRAP
    m.out.clrflags(wrap)
    digits = numtostr(x, 2, 1)
    width = len(digits)
    top = width - 1
    m.out.printf("%s", digits)
    m.out.nl()
    set_bits = [b for b in range(width) if x >> b & 1]
    if set_bits:
        low = set_bits[0]
        m.out.printf("%s", "".join("|" if x >> b & 1 else " " for b in range(top, low - 1, -1)))
        m.out.nl()
        mask_digits = top // 4 + 1
        for bit in set_bits:
            arms = "".join("|" if x >> b & 1 else " " for b in range(top, bit, -1))
            dashes = "-" * (width + 1 - (top - bit))
            num = f"{bit:2d}" if top >= 10 else str(bit)
            m.out.printf("%s+%s bit %s mask 0x%s", arms, dashes, num, f"{1 << bit:0{mask_digits}x}")
            m.out.nl()
    m.out.setflags(wrap)


def _fmt_instr(m, rd, addr: int, cnt: int) -> int:
    for _ in range(cnt):
        try:
            text, n = disasm.decode(rd.read, addr)
        except MemoryFault as e:
            _read_failed(m, e)
            return addr
        m.out.printf("%s\n", text)
        addr += n
    return addr


def _fmt_dotinstr(m, rd, addr: int, cnt: int) -> int:
    indent = m.out.flags & INDENT
    m.out.clrflags(indent)
    try:
        for _ in range(cnt):
            try:
                word = int.from_bytes(rd.read(addr, 4), "little")
            except MemoryFault as e:
                _read_failed(m, e)
                break
            text, n = disasm.decode(rd.read, addr)
            m.out.printf("%lx %x: %s\n", addr, word, text)
            addr += n
    finally:
        m.out.setflags(indent)
    return addr


FORMATS: dict[str, Format] = {
    "+": Format("increment dot by the count", VARIABLE, func=lambda m, rd, a, n: a + n),
    "-": Format("decrement dot by the count", VARIABLE, func=lambda m, rd, a, n: a - n),
    "B": Format("hexadecimal int", 1, "%-8x"),
    "C": Format("character using C character notation", 1, func=_fmt_escchr),
    "D": Format("decimal signed int", 4, "%-16d"),
    "E": Format("decimal unsigned long long", 8, "%-21llu"),
    "F": Format("double", 8, "%g"),
    "G": Format("octal unsigned long long", 8, "%-23llo"),
    "H": Format("swap bytes and shorts", 4, func=_each(4, _swapint)),
    "I": Format("address and disassembled instruction", VARIABLE, func=_fmt_dotinstr),
    "J": Format("hexadecimal long long", 8, func=_each(8, _hex64)),
    "K": Format("hexadecimal uintptr_t", 8, func=_each(8, _hex64)),
    "L": Format("int", 4, match=True),
    "M": Format("long long", 8, match=True),
    "N": Format("newline", NONE, func=_fmt_nl),
    "O": Format("octal unsigned int", 4, "%-#16o"),
    "P": Format("symbol", 8, "%-19a"),
    "Q": Format("octal signed int", 4, "%-#16q"),
    "R": Format("binary unsigned long long", 8, func=_each(8, _binary)),
    "S": Format("string using C string notation", VARIABLE, func=_fmt_escstr),
    "T": Format("horizontal tab", NONE, func=_fmt_tab),
    "U": Format("decimal unsigned int", 4, "%-16u"),
    "V": Format("decimal unsigned int", 1, "%-8u"),
    "W": Format("default radix unsigned int", 4, "%-16r", write=True),
    "X": Format("hexadecimal int", 4, "%-16x"),
    "Y": Format("decoded time32_t", 4, func=_each(4, _time32)),
    "Z": Format("hexadecimal long long", 8, func=_each(8, _hex64), write=True),
    "^": Format("decrement dot by increment * count", VARIABLE, func=lambda m, rd, a, n: a - m.incr * n),
    "a": Format("dot as symbol+offset", NONE, func=_fmt_dot),
    "b": Format("octal unsigned int", 1, "%-#8o"),
    "c": Format("character", 1, "%c"),
    "d": Format("decimal signed short", 2, "%-8hd"),
    "e": Format("decimal signed long long", 8, "%-21lld"),
    "f": Format("float", 4, func=_fmt_float),
    "g": Format("octal signed long long", 8, "%-24llq"),
    "h": Format("swap bytes", 2, func=_each(2, _swapshort)),
    "i": Format("disassembled instruction", VARIABLE, func=_fmt_instr),
    "j": Format("jazzed-up binary unsigned long long", 8, func=_each(8, _jazzed)),
    "l": Format("short", 2, match=True),
    "n": Format("newline", NONE, func=_fmt_nl),
    "o": Format("octal unsigned short", 2, "%-#8ho"),
    "p": Format("symbol", 8, "%-19a"),
    "q": Format("octal signed short", 2, "%-#8hq"),
    "r": Format("whitespace", NONE, func=_fmt_ws),
    "s": Format("raw string", VARIABLE, func=_fmt_rawstr),
    "t": Format("horizontal tab", NONE, func=_fmt_tab),
    "u": Format("decimal unsigned short", 2, "%-8hu"),
    "v": Format("decimal signed int", 1, func=_each(1, _sdbyte), write=True),
    "w": Format("default radix unsigned short", 2, "%-8hr", write=True),
    "x": Format("hexadecimal short", 2, "%-8hx"),
    "y": Format("decoded time64_t", 8, func=_each(8, _time64)),
    "z": Format("whose size is inferred by CTF info", VARIABLE, write=True),
}


def fmt_print(m, rd, addr: int, cnt: int, ch: str) -> int:
    """Print ``cnt`` repetitions of format ``ch`` read from ``rd`` at ``addr``; returns the new address."""
    f = FORMATS.get(ch)
    if f is None or f.match or (f.write and f.func is None and f.printf is None):
        m.warn("invalid format character -- '%c'\n", ch)
        return addr
    if f.func is not None:
        return f.func(m, rd, addr, cnt)
    for _ in range(cnt):
        try:
            raw = rd.read(addr, f.size)
        except MemoryFault as e:
            _read_failed(m, e)
            return addr
        value = int.from_bytes(raw, "little")
        if ch == "F":
            m.out.printf(f.printf, struct.unpack("<d", raw)[0])
        else:
            m.out.printf(f.printf, value)
        m.rvalue = value
        addr += f.size
    return addr


# -- the verbs -----------------------------------------------------------------------

# With no format list, mdb uses adb's default: X^"= "i.
_DEFAULT_LIST = [Char("X"), Char("^"), "= ", Char("i")]


def _formatting(m):
    """Formats autowrap while they print (mdb forces it on for them)."""
    class _Wrap:
        def __enter__(self):
            self.saved = m.out.flags & AUTOWRAP
            m.out.setflags(AUTOWRAP)

        def __exit__(self, *exc):
            m.out.clrflags(AUTOWRAP & ~self.saved)
    return _Wrap()


def _print_list(c, space: str) -> int:
    m = c.m
    addr = oaddr = m.dot
    args = c.args
    rd = _Memory(m, space)
    with _formatting(m):
        if c.hdr and not c.pipe_out:
            is_dis = args[:2] in ([Char("a"), Char("i")], [Char("i"), Char("a")])
            if not is_dis and space != "phys":
                sym = m.target.exact_symbol(addr)
                if sym is not None:
                    m.printf("%s:\n", m.symbolize(addr))
            if args[:2] == [Char("a"), Char("i")]:
                m.printf("%-#*lla\n", m.out.margin, addr)
            elif args[:2] == [Char("i"), Char("a")]:
                m.printf("%-#*lla", m.out.margin, addr)
            else:
                m.printf("%-#*lla%16T", m.out.margin, addr)
        m.out.setflags(INDENT)
        n = 1
        for a in args or _DEFAULT_LIST:
            if isinstance(a, Char):
                naddr = fmt_print(m, rd, addr, n, a)
                m.incr = naddr - addr
                addr = naddr
                n = 1
            elif isinstance(a, int):
                n = a
            else:
                m.out.puts(a)
                n = 1
        m.incr = addr - oaddr
        m.out.clrflags(INDENT)
    return OK


def _write_list(c, space: str) -> int:
    """``addr/W value...``: write each value at consecutive addresses, echoing old and new."""
    m = c.m
    letter = c.args[0]
    if len(c.args) == 1:
        m.warn("expected value to write following %c\n", letter)
        return ERR
    size = {"v": 1, "w": 2, "W": 4, "Z": 8}.get(letter)
    addr = m.dot
    for a in c.args[1:]:
        if isinstance(a, Char):
            m.warn("expected immediate value instead of '%c'\n", a)
            return ERR
        if isinstance(a, str):
            if not m.eval(a):
                m.warn('failed to write "%s"', a, reason="syntax error")
                return ERR
            value = m.dot
        else:
            value = a
        m.dot = addr
        wsize = size if size is not None else _ctf_size(m, addr)
        if wsize is None:
            return ERR
        naddr = _write_value(m, space, addr, value, wsize)
        if naddr == addr:
            m.incr = 0
            return ERR
        m.incr = naddr - addr
        addr = naddr
    return OK


def _ctf_size(m, addr: int) -> int | None:
    from ...kernel import ctf

    found = m.target.lookup_by_addr(addr)
    if found is None or found[0].type is None:
        m.warn("no CTF data found at this address\n")
        return None
    r = ctf.resolve(found[0].type)
    if not isinstance(r, (ctf.Integer, ctf.Pointer, ctf.Enum)):
        m.warn("CTF type should be integer, pointer, or enum\n")
        return None
    return r.size


_READBACK = {1: "%-#*lla%16T%-#8x=%8T0x%x\n", 2: "%-#*lla%16T%-#8hx=%8T0x%hx\n",
             4: "%-#*lla%16T%-#16x=%8T0x%x\n", 8: "%-#*lla%16T%-#24llx=%8T0x%llx\n"}


def _write_value(m, space: str, addr: int, value: int, size: int) -> int:
    mask = (1 << (8 * size)) - 1
    try:
        if space == "phys":
            raise MemoryFault(addr)
        old = int.from_bytes(m.target_read(addr, size, obj=space == "file"), "little")
        m.target.write(addr, (value & mask).to_bytes(size, "little"))
        new = int.from_bytes(m.target_read(addr, size), "little")
    except (MemoryFault, ReadOnlyTarget) as e:
        m.warn("failed to write %llr at address 0x%llx", value, addr,
               reason=e.reason if isinstance(e, MemoryFault) else str(e))
        return addr
    if m.options["write_readback"]:
        m.printf(_READBACK[size], m.out.margin, addr, old, new)
    return addr + size


def _match_list(c, space: str) -> int:
    """``addr/L value [mask]``: print the first address from dot whose value matches."""
    m = c.m
    letter = c.args[0]
    if len(c.args) < 2:
        m.warn("expected value following %c\n", letter)
        return ERR
    if len(c.args) > 3:
        m.warn("only value and mask may follow %c\n", letter)
        return ERR
    vals = [0, (1 << 64) - 1]
    for i, a in enumerate(c.args[1:]):
        if isinstance(a, Char):
            m.warn("expected immediate value instead of '%c'\n", a)
            return ERR
        if isinstance(a, str):
            if not m.eval(a):
                m.warn('failed to evaluate "%s"', a, reason="syntax error")
                return ERR
            vals[i] = m.dot
        else:
            vals[i] = a
    size = {"l": 2, "L": 4, "M": 8}[letter]
    mask = (1 << (8 * size)) - 1
    value, vmask = vals[0] & mask, vals[1] & mask
    addr = m.dot
    rd = _Memory(m, space)
    while True:
        try:
            x = int.from_bytes(rd.read(addr, size), "little")
        except MemoryFault:
            break
        if x & vmask == value:
            m.printf("%lla\n", addr)
            break
        addr += size
    m.dot = addr
    return OK if c.flags & PIPE else ABORT


def _print_common(c, space: str) -> int:
    if c.args and isinstance(c.args[0], Char):
        if c.args[0] in "vwzWZ":
            return _write_list(c, space)
        if c.args[0] in "lLM":
            return _match_list(c, space)
    return _print_list(c, space)


# -- ::explain of the format verbs ------------------------------------------------------------

# The D that prints a value as a format character does: the C type to read, printf's conversion.
D_FORMS: dict[str, tuple[str, str]] = {
    "B": ("uint8_t", "%x"), "x": ("uint16_t", "%x"), "X": ("uint32_t", "%x"),
    "J": ("uint64_t", "%x"), "K": ("uintptr_t", "%x"), "Z": ("uint64_t", "%x"),
    "V": ("uint8_t", "%u"), "u": ("uint16_t", "%u"), "U": ("uint32_t", "%u"), "E": ("uint64_t", "%u"),
    "d": ("int16_t", "%d"), "D": ("int32_t", "%d"), "e": ("int64_t", "%d"),
    "c": ("char", "%c"), "s": ("char *", "%s"),
}

# Where each verb reads its bytes, as ::explain says it.
_SPACES = {"/": "reads virtual memory (the kernel's address space)",
           "?": "reads the primary object file (unix's text and data)",
           "\\": "reads physical memory, which the simulated kernel does not have (every read fails)",
           "@": "reads physical memory, which the simulated kernel does not have (every read fails)"}


def _size_text(f: Format) -> str:
    if f.size == NONE:
        return "reads nothing"
    if f.size == VARIABLE:
        return "variable size"
    return "1 byte" if f.size == 1 else f"{f.size} bytes"


def _format_items(args: list) -> list[str]:
    """Each item of a format list in words: ``K (8 bytes): hexadecimal uintptr_t``."""
    items, count = [], None
    for a in args:
        if isinstance(a, Char):
            f = FORMATS.get(a)
            times = f"{count} times " if count not in (None, 1) else ""
            items.append(f"{times}{a} ({_size_text(f)}): {f.help}" if f is not None else
                         f"{a}: not a format character (mdb will say so)")
            count = None
        elif isinstance(a, int):
            count = a
        else:
            items.append(f'"{a}": prints the text {a!r}')
    return items


def _d_read(s, ch: str) -> str | None:
    """The D expression of what format ``ch`` reads at the statement's address."""
    ctype, _ = D_FORMS[ch]
    sym = s.symbol
    if ch == "s":
        return None if s.d_address() is None else f"stringof((char *){s.d_address()})"
    if sym is not None and sym.type is not None and sym.type.size == FORMATS[ch].size and \
            ctf.resolve(sym.type).kind in ("integer", "pointer", "enum"):
        return f"({ctype}){d_symbol(sym)}"
    return None if s.d_address() is None else f"*({ctype} *){s.d_address()}"


def _one_char(args: list) -> str | None:
    """The format character of a list that is just one of them, once."""
    return str(args[0]) if len(args) == 1 and isinstance(args[0], Char) and args[0] in D_FORMS else None


def _explain_print_verb(s) -> Explain:
    verb = s.command.name
    if s.command.kind == "write":
        return _explain_write(s)
    items = _format_items(s.command.args or _DEFAULT_LIST)
    default = "" if s.command.args else " (none given: adb's default X^\"= \"i)"
    named = s.symbol is not None and verb in "/?"       # physical reads have no symbols to name
    first = f"mdb first prints the line {s.symbol.name}: (the address starts that symbol), then" if named \
        else "mdb prints"
    says = (f"{verb} {_SPACES[verb]} at {s.where} and prints it as the format list{default} says: "
            + "; ".join(items) + f". {first} the address as symbol+offset and the values; afterwards dot "
            "moves past the bytes read.")
    ch = _one_char(s.command.args)
    expr = _d_read(s, ch) if ch is not None and verb == "/" else None
    return Explain(says, d=d_oneliner(D_FORMS[ch][1], expr) if expr is not None else None)


def _explain_write(s) -> Explain:
    letter = s.command.args[0]
    f = FORMATS[letter]
    if f.match:
        return Explain(f"{s.command.text} searches memory from {s.where}, {_size_text(f)} at a time, for the "
                       f"first {f.help} equal to the value (under the mask, if one is given), and prints its "
                       "address.")
    return Explain(f"{s.command.text} writes each value, as a {f.size}-byte {f.help}, at {s.where} and the "
                   "addresses after it, printing the old and new contents. Writing needs mdb -w.",
                   see="D cannot write to kernel memory; mdb -w is the tool for that.")


def _explain_value_verb(s) -> Explain:
    items = _format_items(s.command.args)
    says = (f"= formats the value {s.where} itself, not the memory there, as the format list says: "
            + "; ".join(items) + ". Afterwards dot is that value.")
    ch = _one_char(s.command.args)
    value = s.d_address()
    if ch is None or ch == "s" or value is None:
        return Explain(says)
    ctype, conv = D_FORMS[ch]
    return Explain(says, d=d_oneliner(conv, f"({ctype}){value}"))


@dcmd("/", "fmt-list", "format data from virtual as", explain=_explain_print_verb)
def cmd_print_core(c) -> int:
    return _print_common(c, "virt")


@dcmd("\\", "fmt-list", "format data from physical as", explain=_explain_print_verb)
def cmd_print_phys(c) -> int:
    return _print_common(c, "phys")


@dcmd("@", "fmt-list", "format data from physical as", explain=_explain_print_verb)
def cmd_print_phys_at(c) -> int:
    return _print_common(c, "phys")


@dcmd("?", "fmt-list", "format data from object file", explain=_explain_print_verb)
def cmd_print_object(c) -> int:
    return _print_common(c, "file")


@dcmd("=", "fmt-list", "format immediate value", explain=_explain_value_verb)
def cmd_print_value(c) -> int:
    """``value=fmt``: format the value itself; dot becomes the value and the increment 0."""
    m = c.m
    if not c.args:
        m.warn("expected one or more format characters following '='\n")
        return ERR
    dot = m.dot
    with _formatting(m):
        m.out.setflags(INDENT)
        n = 1
        for a in c.args:
            if isinstance(a, Char):
                # The value target reads mdb's own dot, so + and - change what follows.
                ndot = fmt_print(m, ValueTarget(dot), dot, n, a)
                if a in "+-":
                    dot = ndot
                n = 1
            elif isinstance(a, int):
                n = a
            else:
                m.out.puts(a)
                n = 1
        m.out.clrflags(INDENT)
    m.dot = dot
    m.incr = 0
    return OK


@dcmd("formats", None, "list format specifiers")
def cmd_formats(c) -> int:
    if c.has_addr or c.args:
        return USAGE
    for ch in sorted(FORMATS):
        f = FORMATS[ch]
        desc = ("match " if f.match else "write " if f.write else "") + f.help
        if f.size == NONE:
            tail = ""
        elif f.size == VARIABLE:
            tail = " (variable size)"
        elif f.size == 1:
            tail = " (1 byte)"
        else:
            tail = f" ({f.size} bytes)"
        c.printf("%c - %s%s\n", ch, desc, tail)
    return OK

