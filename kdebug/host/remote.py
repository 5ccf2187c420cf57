"""A live kernel read through the host daemon: what ``mdb -k`` opens.

:class:`RemoteKernel` is a :class:`~kdebug.kernel.Kernel` whose types,
symbols and facts come from the daemon (``kernel.describe``) and whose
memory is read over the socket, a page at a time, with a cache that lasts
until :meth:`RemoteKernel.refresh` (mdb refreshes before each command line,
so each command sees one consistent moment and the next sees what changed).
Faults come back as :class:`~kdebug.kernel.MemoryFault`, as in process.
"""

from __future__ import annotations

import struct

from ..kernel import Kernel, MemoryFault
from ..kernel.dump import kernel_from_description
from ..kernel.kmem import KmemCache
from ..kernel.memory import ADDR_MAX, Segment

__all__ = ["RemoteKernel", "RemoteAddressSpace", "RemoteKmem"]

_PAGE = 0x1000
_UNSIGNED = {1: struct.Struct("<B"), 2: struct.Struct("<H"), 4: struct.Struct("<I"), 8: struct.Struct("<Q")}
_SIGNED = {1: struct.Struct("<b"), 2: struct.Struct("<h"), 4: struct.Struct("<i"), 8: struct.Struct("<q")}


class RemoteAddressSpace:
    """The daemon's kernel memory, read by pages and cached until invalidated."""

    def __init__(self, host, segments: list[dict]):
        self.host = host
        self._pages: dict[int, bytes] = {}
        self.set_segments(segments)

    def set_segments(self, segments: list[dict]) -> None:
        self._segs = [Segment(s["base"], s["size"], s["name"], s["w"], bytearray()) for s in segments]
        self.generation = getattr(self, "generation", 0) + 1

    def invalidate(self) -> None:
        self._pages.clear()

    def segments(self) -> list[Segment]:
        return list(self._segs)

    def segment_at(self, addr: int) -> Segment | None:
        lo, hi = 0, len(self._segs)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._segs[mid].base <= addr:
                lo = mid + 1
            else:
                hi = mid
        if lo and addr < self._segs[lo - 1].base + self._segs[lo - 1].size:
            return self._segs[lo - 1]
        return None

    def is_mapped(self, addr: int, size: int = 1) -> bool:
        try:
            self.read(addr, size)
        except MemoryFault:
            return False
        return True

    # -- reading ---------------------------------------------------------

    def _page(self, pn: int) -> bytes:
        page = self._pages.get(pn)
        if page is None:
            page = self.host.read_memory(pn * _PAGE, _PAGE)
            self._pages[pn] = page
        return page

    def read(self, addr: int, size: int) -> bytes:
        if size <= 0:
            return b""
        if addr < 0 or addr + size - 1 > ADDR_MAX:
            raise MemoryFault(addr & ADDR_MAX)
        out = bytearray()
        a, end = addr, addr + size
        try:
            while a < end:
                pn, off = divmod(a, _PAGE)
                page = self._page(pn)
                n = min(end - a, _PAGE - off)
                out += page[off:off + n]
                a += n
        except MemoryFault:
            # A page not wholly mapped: ask for exactly what was wanted, for the exact fault.
            return self.host.read_memory(addr, size)
        return bytes(out)

    def read_uint(self, addr: int, size: int) -> int:
        return _UNSIGNED[size].unpack(self.read(addr, size))[0]

    def read_int(self, addr: int, size: int) -> int:
        return _SIGNED[size].unpack(self.read(addr, size))[0]

    def read_u8(self, addr: int) -> int:
        return self.read_uint(addr, 1)

    def read_u16(self, addr: int) -> int:
        return self.read_uint(addr, 2)

    def read_u32(self, addr: int) -> int:
        return self.read_uint(addr, 4)

    def read_u64(self, addr: int) -> int:
        return self.read_uint(addr, 8)

    read_ptr = read_u64

    def read_cstr(self, addr: int, limit: int = 4096) -> bytes:
        if self.segment_at(addr) is None:
            raise MemoryFault(addr)
        out = bytearray()
        while len(out) < limit:
            pn, off = divmod(addr, _PAGE)
            try:
                chunk = self._page(pn)[off:off + limit - len(out)]
            except MemoryFault:
                break
            nul = chunk.find(0)
            if nul >= 0:
                return bytes(out + chunk[:nul])
            out += chunk
            addr += len(chunk)
        return bytes(out[:limit])

    # -- writing (mdb -w) -------------------------------------------------

    def write(self, addr: int, data: bytes | bytearray, *, force: bool = False) -> None:
        self.host.write_memory(addr, bytes(data))
        for pn in range(addr // _PAGE, (addr + len(data) - 1) // _PAGE + 1):
            self._pages.pop(pn, None)

    def write_uint(self, addr: int, size: int, value: int, *, force: bool = False) -> None:
        self.write(addr, _UNSIGNED[size].pack(value & ((1 << (8 * size)) - 1)))

    def write_u8(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 1, value)

    def write_u16(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 2, value)

    def write_u32(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 4, value)

    def write_u64(self, addr: int, value: int, *, force: bool = False) -> None:
        self.write_uint(addr, 8, value)

    write_ptr = write_u64

    def write_cstr(self, addr: int, text, *, force: bool = False) -> int:
        raw = text.encode() if isinstance(text, str) else bytes(text)
        self.write(addr, raw + b"\0")
        return len(raw) + 1


class RemoteKmem:
    """The allocator questions debuggers ask, answered by the daemon."""

    def __init__(self, host, heap: tuple[int, int]):
        self.host = host
        self.heap_base, self.heap_limit = heap
        self._caches: dict[str, KmemCache] | None = None

    def invalidate(self) -> None:
        self._caches = None

    @property
    def caches(self) -> dict[str, KmemCache]:
        if self._caches is None:
            rows = self.host.call("kernel.kmem", method="caches")
            self._caches = {r[1]: KmemCache(*r) for r in rows}
        return self._caches

    def cache_of(self, addr: int) -> KmemCache | None:
        for c in self.caches.values():
            if c.addr == addr:
                return c
        return None

    def buffer_at(self, addr: int):
        found = self.host.call("kernel.kmem", method="buffer_at", addr=addr)
        if found is None:
            return None
        name, buf, allocated = found
        return self.caches[name], buf, allocated

    def buffers(self, cache: KmemCache, allocated: bool = True):
        return iter(self.host.call("kernel.kmem", method="buffers", cache=cache.name, allocated=allocated))


class RemoteKernel(Kernel):
    """The host's live kernel, seen from another process."""

    def __init__(self, host):
        self.host = host
        state = host.call("kernel.describe")
        self._adopt(state["describe"])
        self._state = state
        self.hrtime = state["hrtime"]

    def _adopt(self, desc: dict) -> None:
        self.__dict__.update(kernel_from_description(desc).__dict__)
        self.live = True
        self.mem = RemoteAddressSpace(self.host, desc["segments"])
        self.kmem = RemoteKmem(self.host, tuple(desc["kmem_heap"])) if desc["kmem_heap"] else None

    def refresh(self) -> None:
        """Forget cached memory; pick up new segments, modules or a reboot since last time."""
        st = self._state
        new = self.host.call("kernel.refresh", boots=st["boots"], mem_generation=st["mem_generation"],
                             modules_generation=st["modules_generation"])
        if "describe" in new:
            self._adopt(new.pop("describe"))
        elif "segments" in new:
            self.mem.set_segments(new.pop("segments"))
        self.mem.invalidate()
        if self.kmem is not None:
            self.kmem.invalidate()
        self._state = new
        self.hrtime = new["hrtime"]
