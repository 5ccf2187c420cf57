"""Typed kernel objects as JSON (mdb's ``::json``): what the C type says, as data.

A struct or union is an object of its members (anonymous members' members
inline, bit-fields as integers); an array is a list (a char array the string
it holds); an integer is a number, signed as its type; an enum is its
enumerator's name (the number when it has none); a pointer is ``"0x..."``
(JSON numbers lose 64-bit addresses), a ``char *`` ``{"addr": "0x...",
"string": "..."}`` (``null`` when it cannot be read), a function pointer the
name of the function it points to.  Pointers are not followed.
"""

from __future__ import annotations

from ..kernel import MemoryFault, ctf

__all__ = ["value_json", "MAX_ELEMENTS"]

MAX_ELEMENTS = 4096        # elements of one array, at most
_STRLIMIT = 1024


def value_json(target, t, addr: int, bit_offset: int = 0, bit_size: int | None = None):
    """The value of type ``t`` at ``addr`` (+ ``bit_offset`` bits) in ``target``'s memory."""
    r = ctf.resolve(t)
    if isinstance(r, ctf.Struct):
        out = {}
        for mem in r.members:
            v = value_json(target, mem.type, addr + mem.bit_offset // 8, mem.bit_offset % 8, mem.bit_size)
            if mem.name:
                out[mem.name] = v
            elif isinstance(v, dict):
                out.update(v)           # an anonymous struct or union: its members are the parent's
        return out
    if isinstance(r, ctf.Array):
        elem = ctf.resolve(r.elem)
        count = min(r.count or 0, MAX_ELEMENTS)
        if isinstance(elem, ctf.Integer) and elem.char:
            raw = target.read(addr, r.count or 0)
            return raw.split(b"\0", 1)[0].decode("latin-1")
        return [value_json(target, r.elem, addr + i * elem.size) for i in range(count)]
    if isinstance(r, ctf.Pointer):
        p = int.from_bytes(target.read(addr, 8), "little")
        target_t = ctf.resolve(r.target)
        if isinstance(target_t, ctf.Function):
            return target.symbolize(p) or f"0x{p:x}" if p else None
        if isinstance(target_t, ctf.Integer) and target_t.char:
            return {"addr": f"0x{p:x}", "string": _string(target, p)}
        return f"0x{p:x}"
    if isinstance(r, (ctf.Integer, ctf.Enum)):
        size = r.size
        raw = int.from_bytes(target.read(addr, size), "little")
        if bit_size is not None:
            raw = (raw >> bit_offset) & ((1 << bit_size) - 1)
        if isinstance(r, ctf.Enum):
            names = [n for n, v in r.values if v == raw]
            return names[0] if names else raw
        if r.signed and bit_size is None and raw >> (8 * size - 1):
            raw -= 1 << (8 * size)
        return bool(raw) if r.boolean else raw
    if isinstance(r, ctf.Float):
        import struct
        fmt = {4: "<f", 8: "<d"}.get(r.size)
        return struct.unpack(fmt, target.read(addr, r.size))[0] if fmt else None
    return None


def _string(target, p: int) -> str | None:
    if not p:
        return None
    try:
        return target.readstr(p, _STRLIMIT).decode("latin-1")
    except MemoryFault:
        return None
