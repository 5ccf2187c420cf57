"""Kernel virtual memory: a sparse 64-bit address space of mapped segments.

Every kernel object lives here as bytes.  A segment is a contiguous mapped
range with a name (``unix text``, ``kmem_alloc_64 slab``...) and a protection;
everything else is unmapped.  Reading or writing where nothing is mapped, or
writing a read-only segment, raises :class:`MemoryFault`, which carries the
faulting address, as a real kernel's fault would.

Segments are kept sorted by base, so finding the one that holds an address is
a binary search; the last segment used is remembered because kernel code and
debuggers read the same object many times in a row.
"""

from __future__ import annotations

import bisect
import struct

__all__ = ["MemoryFault", "Segment", "AddressSpace", "ADDR_MAX"]

ADDR_MAX = (1 << 64) - 1

_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_S8 = struct.Struct("<b")
_S16 = struct.Struct("<h")
_S32 = struct.Struct("<i")
_S64 = struct.Struct("<q")
_UNSIGNED = {1: _U8, 2: _U16, 4: _U32, 8: _U64}
_SIGNED = {1: _S8, 2: _S16, 4: _S32, 8: _S64}


class MemoryFault(Exception):
    """An access to an address that is not mapped (or not writable).

    ``addr`` is the first faulting address; ``reason`` is the text mdb prints
    after the address ("no mapping for address").
    """

    def __init__(self, addr: int, reason: str = "no mapping for address", write: bool = False):
        self.addr = addr
        self.reason = reason
        self.write = write
        super().__init__(f"{addr:x}: {reason}")


class Segment:
    """One mapped range ``[base, base + size)`` of kernel virtual memory."""

    __slots__ = ("base", "size", "name", "writable", "data")

    def __init__(self, base: int, size: int, name: str, writable: bool = True,
                 data: bytearray | None = None):
        self.base = base
        self.size = size
        self.name = name
        self.writable = writable
        self.data = bytearray(size) if data is None else data

    def __repr__(self) -> str:
        return f"Segment({self.name!r}, {self.base:#x}, size {self.size:#x})"

    @property
    def end(self) -> int:
        return self.base + self.size

    def __contains__(self, addr: int) -> bool:
        return self.base <= addr < self.base + self.size


class AddressSpace:
    """A sparse, little-endian 64-bit address space."""

    def __init__(self) -> None:
        self._bases: list[int] = []
        self._segs: list[Segment] = []
        self._last: Segment = Segment(0, 0, "<none>", False, bytearray())
        self.generation = 0  # bumped on every map/unmap, for caches of layout

    # -- mappings -------------------------------------------------------

    def map(self, base: int, size: int, name: str, *, writable: bool = True,
            data: bytes | bytearray | None = None) -> Segment:
        """Map ``size`` zero bytes (or ``data``) at ``base``; overlapping is an error."""
        if size <= 0 or base < 0 or base + size - 1 > ADDR_MAX:
            raise ValueError(f"bad mapping {name!r} at {base:#x} size {size:#x}")
        i = bisect.bisect_right(self._bases, base)
        if i > 0 and self._segs[i - 1].end > base:
            raise ValueError(f"mapping {name!r} at {base:#x} overlaps {self._segs[i - 1].name!r}")
        if i < len(self._segs) and base + size > self._segs[i].base:
            raise ValueError(f"mapping {name!r} at {base:#x} overlaps {self._segs[i].name!r}")
        buf = bytearray(data) if data is not None else None
        if buf is not None and len(buf) != size:
            raise ValueError(f"mapping {name!r}: {len(buf)} bytes of data for size {size:#x}")
        seg = Segment(base, size, name, writable, buf)
        self._bases.insert(i, base)
        self._segs.insert(i, seg)
        self.generation += 1
        return seg

    def unmap(self, base: int) -> Segment:
        """Remove the segment that starts at ``base``."""
        i = bisect.bisect_left(self._bases, base)
        if i == len(self._bases) or self._bases[i] != base:
            raise MemoryFault(base)
        seg = self._segs.pop(i)
        self._bases.pop(i)
        if self._last is seg:
            self._last = Segment(0, 0, "<none>", False, bytearray())
        self.generation += 1
        return seg

    def segments(self) -> list[Segment]:
        """All segments, lowest address first."""
        return list(self._segs)

    def segment_at(self, addr: int) -> Segment | None:
        """The segment holding ``addr``, or None."""
        seg = self._last
        if seg.base <= addr < seg.base + seg.size:
            return seg
        i = bisect.bisect_right(self._bases, addr) - 1
        if i >= 0:
            seg = self._segs[i]
            if addr < seg.base + seg.size:
                self._last = seg
                return seg
        return None

    def is_mapped(self, addr: int, size: int = 1) -> bool:
        try:
            self.read(addr, size)
        except MemoryFault:
            return False
        return True

    # -- raw bytes --------------------------------------------------------

    def read(self, addr: int, size: int) -> bytes:
        """``size`` bytes at ``addr``; may cross adjacent segments."""
        seg = self._last
        off = addr - seg.base
        if 0 <= off and off + size <= seg.size:
            return bytes(seg.data[off:off + size])
        return self._read_slow(addr, size)

    def _read_slow(self, addr: int, size: int) -> bytes:
        if size < 0:
            raise ValueError("negative read size")
        out = bytearray()
        while size > 0:
            if addr < 0 or addr > ADDR_MAX:
                raise MemoryFault(addr & ADDR_MAX)
            seg = self.segment_at(addr)
            if seg is None:
                raise MemoryFault(addr)
            off = addr - seg.base
            n = min(size, seg.size - off)
            out += seg.data[off:off + n]
            addr += n
            size -= n
        return bytes(out)

    def write(self, addr: int, data: bytes | bytearray, *, force: bool = False) -> None:
        """Store ``data`` at ``addr``.  ``force`` writes read-only segments (boot, loader)."""
        size = len(data)
        # Check the whole range first so that a faulting write changes nothing.
        a, left = addr, size
        plan = []
        while left > 0:
            if a < 0 or a > ADDR_MAX:
                raise MemoryFault(a & ADDR_MAX, write=True)
            seg = self.segment_at(a)
            if seg is None:
                raise MemoryFault(a, write=True)
            if not seg.writable and not force:
                raise MemoryFault(a, "read-only segment", write=True)
            off = a - seg.base
            n = min(left, seg.size - off)
            plan.append((seg, off, n))
            a += n
            left -= n
        pos = 0
        for seg, off, n in plan:
            seg.data[off:off + n] = data[pos:pos + n]
            pos += n

    # -- integers -------------------------------------------------------

    def read_uint(self, addr: int, size: int) -> int:
        seg = self._last
        off = addr - seg.base
        if 0 <= off and off + size <= seg.size:
            return _UNSIGNED[size].unpack_from(seg.data, off)[0]
        return _UNSIGNED[size].unpack(self._read_slow(addr, size))[0]

    def read_int(self, addr: int, size: int) -> int:
        seg = self._last
        off = addr - seg.base
        if 0 <= off and off + size <= seg.size:
            return _SIGNED[size].unpack_from(seg.data, off)[0]
        return _SIGNED[size].unpack(self._read_slow(addr, size))[0]

    def write_uint(self, addr: int, size: int, value: int, *, force: bool = False) -> None:
        seg = self._last
        off = addr - seg.base
        value &= (1 << (8 * size)) - 1
        if 0 <= off and off + size <= seg.size and (seg.writable or force):
            _UNSIGNED[size].pack_into(seg.data, off, value)
            return
        self.write(addr, _UNSIGNED[size].pack(value), force=force)

    def read_u8(self, addr: int) -> int:
        return self.read_uint(addr, 1)

    def read_u16(self, addr: int) -> int:
        return self.read_uint(addr, 2)

    def read_u32(self, addr: int) -> int:
        return self.read_uint(addr, 4)

    def read_u64(self, addr: int) -> int:
        seg = self._last
        off = addr - seg.base
        if 0 <= off and off + 8 <= seg.size:
            return _U64.unpack_from(seg.data, off)[0]
        return _U64.unpack(self._read_slow(addr, 8))[0]

    read_ptr = read_u64

    def write_u64(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 8, value, force=force)

    write_ptr = write_u64

    def write_u32(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 4, value, force=force)

    def write_u16(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 2, value, force=force)

    def write_u8(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 1, value, force=force)

    # -- strings --------------------------------------------------------

    def read_cstr(self, addr: int, limit: int = 4096) -> bytes:
        """The NUL-terminated string at ``addr`` (without the NUL), at most ``limit`` bytes.

        Faults only if the first byte is unmapped; a string that runs into
        unmapped memory is cut there, as a debugger's string read is.
        """
        seg = self.segment_at(addr)
        if seg is None:
            raise MemoryFault(addr)
        out = bytearray()
        while len(out) < limit:
            off = addr - seg.base
            chunk = seg.data[off:off + min(limit - len(out), seg.size - off)]
            nul = chunk.find(0)
            if nul >= 0:
                out += chunk[:nul]
                return bytes(out)
            out += chunk
            addr += len(chunk)
            seg = self.segment_at(addr)
            if seg is None:
                break
        return bytes(out[:limit])

    def write_cstr(self, addr: int, text: str | bytes, *, force: bool = False) -> int:
        """Store ``text`` and a NUL at ``addr``; returns the bytes written."""
        raw = text.encode() if isinstance(text, str) else bytes(text)
        self.write(addr, raw + b"\0", force=force)
        return len(raw) + 1

    # -- whole-space checks ----------------------------------------------

    def digest(self) -> str:
        """A hash of every mapping and every byte: equal digests, equal memory."""
        import hashlib

        h = hashlib.sha256()
        for seg in self._segs:
            h.update(struct.pack("<QQ?", seg.base, seg.size, seg.writable))
            h.update(seg.name.encode())
            h.update(seg.data)
        return h.hexdigest()
