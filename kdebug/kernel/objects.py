"""Typed views of kernel memory: ``k.obj(addr, "zone_t").zone_id``.

An :class:`Obj` is an address and a C type; reading a member reads the bytes
and gives them meaning.  Integer, enum and pointer members read as Python
ints (pointers as addresses); struct, union and array members read as Obj
views of the bytes inside.  Assigning to a member writes memory.  Nothing is
cached, so a view always shows what memory holds now.
"""

from __future__ import annotations

import struct

from . import ctf

__all__ = ["Obj", "member_path"]


def _member_info(t: ctf.Struct, name: str):
    cache = t.__dict__.setdefault("_views", {})
    info = cache.get(name)
    if info is None:
        m = t.member(name)
        if m is None:
            raise AttributeError(f"{t.name} has no member {name}")
        info = cache[name] = (m.bit_offset, m.bit_size, m.type, ctf.resolve(m.type))
    return info


class Obj:
    """The object of C type ``type`` at ``addr`` in kernel ``k``'s memory."""

    __slots__ = ("k", "type", "addr")

    def __init__(self, k, addr: int, type: ctf.CType):
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "addr", addr)
        object.__setattr__(self, "type", type)

    # -- whole object --------------------------------------------------------

    @property
    def size(self) -> int:
        return self.type.size

    def value(self):
        """The object's scalar value: int (integers, enums, pointers) or float."""
        return _read_scalar(self.k, self.addr, ctf.resolve(self.type))

    def set(self, value) -> None:
        _write_scalar(self.k, self.addr, ctf.resolve(self.type), value)

    def string(self, limit: int = 4096) -> str:
        """A char array's text, or the string a ``char *`` points to."""
        r = ctf.resolve(self.type)
        mem = self.k.mem
        if isinstance(r, ctf.Pointer):
            raw = mem.read_cstr(mem.read_u64(self.addr), limit)
        else:
            raw = mem.read(self.addr, min(r.size, limit)) if r.size else mem.read_cstr(self.addr, limit)
            raw = raw.split(b"\0", 1)[0]
        return raw.decode("latin-1")

    def deref(self, type: ctf.CType | str | None = None) -> "Obj":
        """The object a pointer points to (as ``type``, if given)."""
        r = ctf.resolve(self.type)
        target = self.k.types.lookup(type) if isinstance(type, str) else type
        if target is None:
            if not isinstance(r, ctf.Pointer):
                raise TypeError(f"{self.type.name} is not a pointer")
            target = r.target
        return Obj(self.k, self.k.mem.read_u64(self.addr), target)

    # -- members -----------------------------------------------------------

    def member(self, name: str) -> "Obj":
        """A view of member ``name`` (a bit-field cannot be viewed, only read)."""
        r = ctf.resolve(self.type)
        if not isinstance(r, ctf.Struct):
            raise TypeError(f"{self.type.name} is not a struct or union")
        bit, width, mtype, _ = _member_info(r, name)
        if width is not None:
            raise TypeError(f"{name} is a bit-field")
        return Obj(self.k, self.addr + bit // 8, mtype)

    def ref(self, name: str, type: ctf.CType | str | None = None) -> "Obj":
        """The object pointed to by pointer member ``name``."""
        return self.member(name).deref(type)

    def __getattr__(self, name: str):
        r = ctf.resolve(self.type)
        if not isinstance(r, ctf.Struct):
            raise AttributeError(name)
        bit, width, mtype, rtype = _member_info(r, name)
        addr = self.addr + bit // 8
        if width is not None:
            return _read_bits(self.k, self.addr, bit, width, rtype)
        if isinstance(rtype, (ctf.Struct, ctf.Array)):
            return Obj(self.k, addr, mtype)
        return _read_scalar(self.k, addr, rtype)

    def __setattr__(self, name: str, value) -> None:
        r = ctf.resolve(self.type)
        if not isinstance(r, ctf.Struct):
            raise AttributeError(name)
        bit, width, mtype, rtype = _member_info(r, name)
        if width is not None:
            _write_bits(self.k, self.addr, bit, width, rtype, value)
            return
        if isinstance(rtype, ctf.Array) and isinstance(value, (str, bytes)):
            raw = value.encode() if isinstance(value, str) else value
            raw = raw[: rtype.size - 1] + b"\0" * (rtype.size - min(len(raw), rtype.size - 1))
            self.k.mem.write(self.addr + bit // 8, raw)
            return
        _write_scalar(self.k, self.addr + bit // 8, rtype, value)

    # -- arrays and pointer arithmetic ---------------------------------------

    def __getitem__(self, i: int):
        r = ctf.resolve(self.type)
        if isinstance(r, ctf.Array):
            elem, base = r.elem, self.addr
        elif isinstance(r, ctf.Pointer):
            elem, base = r.target, self.k.mem.read_u64(self.addr)
        else:
            raise TypeError(f"{self.type.name} cannot be indexed")
        addr = base + i * elem.size
        re = ctf.resolve(elem)
        if isinstance(re, (ctf.Struct, ctf.Array)):
            return Obj(self.k, addr, elem)
        return _read_scalar(self.k, addr, re)

    def element(self, i: int) -> "Obj":
        """A view of element ``i`` of an array (or of the array a pointer points to)."""
        r = ctf.resolve(self.type)
        if isinstance(r, ctf.Array):
            return Obj(self.k, self.addr + i * r.elem.size, r.elem)
        if isinstance(r, ctf.Pointer):
            return Obj(self.k, self.k.mem.read_u64(self.addr) + i * r.target.size, r.target)
        raise TypeError(f"{self.type.name} cannot be indexed")

    def __repr__(self) -> str:
        return f"Obj({self.type.name} at {self.addr:#x})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Obj) and other.addr == self.addr and other.type is self.type

    def __hash__(self) -> int:
        return hash((self.addr, id(self.type)))


def member_path(t: ctf.CType, path: str) -> tuple[int, ctf.CType]:
    """(byte offset, type) of a ``.``-separated member path such as ``p_user.u_comm``."""
    off = 0
    for name in path.split("."):
        r = ctf.resolve(t)
        if not isinstance(r, ctf.Struct):
            raise TypeError(f"{t.name} is not a struct or union")
        m = r.member(name)
        if m is None:
            raise AttributeError(f"{t.name} has no member {name}")
        off += m.offset
        t = m.type
    return off, t


_FLOAT = {4: struct.Struct("<f"), 8: struct.Struct("<d")}


def _read_scalar(k, addr: int, r: ctf.CType):
    mem = k.mem
    if isinstance(r, ctf.Pointer):
        return mem.read_u64(addr)
    if isinstance(r, ctf.Integer):
        return mem.read_int(addr, r.size) if r.signed else mem.read_uint(addr, r.size)
    if isinstance(r, ctf.Enum):
        return mem.read_int(addr, r.size)
    if isinstance(r, ctf.Float):
        if r.size in _FLOAT:
            return _FLOAT[r.size].unpack(mem.read(addr, r.size))[0]
        raise TypeError(f"cannot read {r.name}")
    raise TypeError(f"{r.name} is not a scalar type")


def _write_scalar(k, addr: int, r: ctf.CType, value) -> None:
    if isinstance(r, (ctf.Pointer, ctf.Integer, ctf.Enum)):
        k.mem.write_uint(addr, r.size, int(value))
    elif isinstance(r, ctf.Float) and r.size in _FLOAT:
        k.mem.write(addr, _FLOAT[r.size].pack(value))
    else:
        raise TypeError(f"{r.name} is not a scalar type")


def _read_bits(k, base: int, bit: int, width: int, r: ctf.CType) -> int:
    first = bit // 8
    nbytes = (bit % 8 + width + 7) // 8
    raw = int.from_bytes(k.mem.read(base + first, nbytes), "little")
    v = (raw >> (bit % 8)) & ((1 << width) - 1)
    if isinstance(r, ctf.Integer) and r.signed and v >> (width - 1):
        v -= 1 << width
    return v


def _write_bits(k, base: int, bit: int, width: int, r: ctf.CType, value: int) -> None:
    first = bit // 8
    nbytes = (bit % 8 + width + 7) // 8
    raw = int.from_bytes(k.mem.read(base + first, nbytes), "little")
    mask = ((1 << width) - 1) << (bit % 8)
    raw = (raw & ~mask) | ((int(value) << (bit % 8)) & mask)
    k.mem.write(base + first, raw.to_bytes(nbytes, "little"))
