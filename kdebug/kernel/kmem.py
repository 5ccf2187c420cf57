"""The kernel memory allocator: kmem caches, slabs and buffers.

Like illumos' slab allocator, everything is in kernel memory: each cache is
a ``kmem_cache_t`` on the ``kmem_caches`` list; each slab is a page run from
the kernel heap whose ``kmem_slab_t`` sits at its end (as illumos does for
small buffers); a free buffer holds the link to the next free one in its
first word.  So mdb can walk caches and buffers, and a dump carries the
allocator's whole state.

The Python side keeps one index, the slabs sorted by base address, so that
"which buffer holds this address" (``::whatis``) is a binary search.  It is
rebuilt from memory when a dump is opened (:meth:`Kmem.rebuild`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from .lists import list_insert_tail, list_walk
from .memory import MemoryFault
from .text import KSource

__all__ = ["Kmem", "KmemCache", "KMEM_ALLOC_SIZES", "PAGESIZE"]

PAGESIZE = 0x1000

KMEM = KSource("genunix", "kmem.c", decls="""
    list_t kmem_caches;
    void *kmem_alloc(size_t size, int kmflag);
    void *kmem_zalloc(size_t size, int kmflag);
    void kmem_free(void *buf, size_t size);
    void *kmem_cache_alloc(kmem_cache_t *cp, int kmflag);
    void kmem_cache_free(kmem_cache_t *cp, void *buf);
""", functions=[
    ("kmem_cache_create", 0x5b8), ("kmem_cache_destroy", 0x1e0), ("kmem_cache_alloc", 0x1a0),
    ("kmem_cache_free", 0x1a8), ("kmem_slab_alloc", 0x1f4), ("kmem_slab_free", 0x1c8),
    ("kmem_slab_create", 0x3a0), ("kmem_slab_destroy", 0x8c), ("kmem_alloc", 0xf8),
    ("kmem_zalloc", 0xe8), ("kmem_free", 0x11c), ("kmem_cache_reap", 0x7c), ("kmem_reap", 0x40),
    ("kmem_magazine_destroy", 0x98), ("kmem_cpu_reload", 0x1a0), ("kmem_init", 0x340),
])

# The kmem_alloc_N caches of illumos' kmem_alloc_sizes[] (up to 16K).
KMEM_ALLOC_SIZES = [
    8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
    320, 384, 448, 512, 640, 768, 896, 1024, 1152, 1344, 1600, 2048,
    2688, 4096, 5400, 8192, 12288, 16384,
]


def _round_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


@dataclass(eq=False)
class KmemCache:
    """Python handle on one ``kmem_cache_t`` in memory."""

    addr: int
    name: str
    bufsize: int
    chunksize: int
    slabsize: int
    chunks: int          # buffers per slab


@dataclass(eq=False, slots=True)
class _Slab:
    base: int            # first buffer
    addr: int            # its kmem_slab_t
    cache: KmemCache


class Kmem:
    """The allocator of one kernel.  ``heap`` is ``(base, limit)`` of the kmem arena."""

    def __init__(self, k, heap: tuple[int, int]):
        self.k = k
        self.heap_base, self.heap_limit = heap
        self.heap_next = self.heap_base
        self.caches: dict[str, KmemCache] = {}
        self._by_addr: dict[int, KmemCache] = {}
        self._bases: list[int] = []
        self._slabs: list[_Slab] = []
        self._slab_t = k.types.lookup("kmem_slab_t")
        self._cache_t = k.types.lookup("kmem_cache_t")
        self._meta_cache: KmemCache | None = None
        self._alloc_caches: list[KmemCache] = []

    # -- the heap arena ------------------------------------------------------

    def vmem_alloc(self, size: int, name: str) -> int:
        """Map ``size`` bytes (page-rounded) of kernel heap; returns the base."""
        size = _round_up(size, PAGESIZE)
        base = self.heap_next
        if base + size > self.heap_limit:
            raise MemoryError("kernel heap exhausted")
        self.k.mem.map(base, size, name)
        self.heap_next = base + size
        return base

    # -- caches ------------------------------------------------------------

    def create_cache(self, name: str, bufsize: int, align: int = 8, cflags: int = 0) -> KmemCache:
        """``kmem_cache_create``: a new cache on the ``kmem_caches`` list."""
        if name in self.caches:
            raise ValueError(f"kmem cache {name} exists")
        chunksize = _round_up(max(bufsize, 8), max(align, 8))
        slab_hdr = _round_up(self._slab_t.size, 8)
        slabsize = PAGESIZE
        while (slabsize - slab_hdr) // chunksize < 8 and slabsize < 32 * PAGESIZE:
            slabsize *= 2
        chunks = (slabsize - slab_hdr) // chunksize
        if self._meta_cache is None:
            addr = self.vmem_alloc(self._cache_t.size, "kmem_cache")  # bootstrap: the first cache_t
        else:
            addr = self.alloc(self._meta_cache)
        cache = KmemCache(addr, name, bufsize, chunksize, slabsize, chunks)
        c = self.k.obj(addr, self._cache_t)
        c.cache_name = name
        c.cache_bufsize = bufsize
        c.cache_align = align
        c.cache_chunksize = chunksize
        c.cache_slabsize = slabsize
        c.cache_cflags = cflags
        c.cache_bufctl = 0
        null = addr + self._member_offset(self._cache_t, "cache_nullslab")
        ns = self.k.obj(null, self._slab_t)
        ns.slab_cache = addr
        ns.slab_next = null
        ns.slab_prev = null
        c.cache_freelist = null
        list_insert_tail(self.k, self.k.sym_addr("kmem_caches"), addr)
        self.caches[name] = cache
        self._by_addr[addr] = cache
        if self._meta_cache is None and name == "kmem_cache":
            self._meta_cache = cache
        return cache

    @staticmethod
    def _member_offset(t, name: str) -> int:
        return t.member(name).offset

    def _new_slab(self, cache: KmemCache) -> int:
        base = self.vmem_alloc(cache.slabsize, f"kmem slab of {cache.name}")
        slab = base + cache.slabsize - _round_up(self._slab_t.size, 8)
        mem = self.k.mem
        # Thread the free list through the buffers, lowest address first.
        for i in range(cache.chunks):
            buf = base + i * cache.chunksize
            nxt = buf + cache.chunksize if i + 1 < cache.chunks else 0
            mem.write_u64(buf, nxt)
        s = self.k.obj(slab, self._slab_t)
        s.slab_cache = cache.addr
        s.slab_base = base
        s.slab_head = base
        s.slab_refcnt = 0
        s.slab_chunks = cache.chunks
        # Link at the tail of the cache's slab list (circular, through cache_nullslab).
        c = self.k.obj(cache.addr, self._cache_t)
        null = cache.addr + self._member_offset(self._cache_t, "cache_nullslab")
        ns = self.k.obj(null, self._slab_t)
        last = ns.slab_prev
        s.slab_next = null
        s.slab_prev = last
        self.k.obj(last, self._slab_t).slab_next = slab
        ns.slab_prev = slab
        c.cache_slab_create += 1
        c.cache_buftotal += cache.chunks
        c.cache_bufmax = max(c.cache_bufmax, c.cache_buftotal)
        c.cache_freelist = slab
        i = bisect.bisect_left(self._bases, base)
        self._bases.insert(i, base)
        self._slabs.insert(i, _Slab(base, slab, cache))
        return slab

    # -- allocation ------------------------------------------------------

    def alloc(self, cache: KmemCache, zero: bool = True) -> int:
        """``kmem_cache_alloc``: a buffer from ``cache`` (zero-filled unless asked not to)."""
        c = self.k.obj(cache.addr, self._cache_t)
        null = cache.addr + self._member_offset(self._cache_t, "cache_nullslab")
        slab = c.cache_freelist
        if slab == null:
            slab = self._new_slab(cache)
        s = self.k.obj(slab, self._slab_t)
        buf = s.slab_head
        mem = self.k.mem
        s.slab_head = mem.read_u64(buf)
        s.slab_refcnt += 1
        if s.slab_head == 0:
            c.cache_freelist = self._next_free_slab(cache, null)
        c.cache_slab_alloc += 1
        c.cache_alloc += 1
        if zero:
            mem.write(buf, bytes(cache.bufsize))
        return buf

    def _next_free_slab(self, cache: KmemCache, null: int) -> int:
        s = self.k.obj(null, self._slab_t).slab_next
        while s != null:
            so = self.k.obj(s, self._slab_t)
            if so.slab_head != 0:
                return s
            s = so.slab_next
        return null

    def alloc_full_slabs(self, cache: KmemCache, nslabs: int) -> list[int]:
        """Add ``nslabs`` slabs to ``cache`` with every buffer allocated; returns their bases.

        The bulk path for hosts with millions of buffers (benchmarks): the
        same memory state as ``cache.chunks * nslabs`` calls of :meth:`alloc`
        that each needed a new slab, built a slab at a time.
        """
        mem = self.k.mem
        slab_t, cache_t = self._slab_t, self._cache_t
        off = {name: slab_t.member(name).offset for name in
               ("slab_cache", "slab_base", "slab_next", "slab_prev", "slab_head", "slab_refcnt", "slab_chunks")}
        null = cache.addr + self._member_offset(cache_t, "cache_nullslab")
        hdr = _round_up(slab_t.size, 8)
        bases = []
        for _ in range(nslabs):
            base = self.vmem_alloc(cache.slabsize, f"kmem slab of {cache.name}")
            slab = base + cache.slabsize - hdr
            last = mem.read_u64(null + off["slab_prev"])
            for name, value in (("slab_cache", cache.addr), ("slab_base", base), ("slab_next", null),
                                ("slab_prev", last), ("slab_head", 0), ("slab_refcnt", cache.chunks),
                                ("slab_chunks", cache.chunks)):
                mem.write_u64(slab + off[name], value)
            mem.write_u64(last + off["slab_next"], slab)
            mem.write_u64(null + off["slab_prev"], slab)
            i = bisect.bisect_left(self._bases, base)
            self._bases.insert(i, base)
            self._slabs.insert(i, _Slab(base, slab, cache))
            bases.append(base)
        c = self.k.obj(cache.addr, cache_t)
        nbufs = nslabs * cache.chunks
        c.cache_slab_create += nslabs
        c.cache_buftotal += nbufs
        c.cache_bufmax = max(c.cache_bufmax, c.cache_buftotal)
        c.cache_slab_alloc += nbufs
        c.cache_alloc += nbufs
        return bases

    def free(self, cache: KmemCache, buf: int) -> None:
        """``kmem_cache_free``: return ``buf`` to its slab."""
        found = self.buffer_at(buf)
        if found is None or found[0] is not cache or found[1] != buf or not found[2]:
            raise ValueError(f"kmem_cache_free: bad free of {buf:#x} to {cache.name}")
        slab = self._slab_of(buf)
        s = self.k.obj(slab.addr, self._slab_t)
        was_full = s.slab_head == 0
        self.k.mem.write_u64(buf, s.slab_head)
        s.slab_head = buf
        s.slab_refcnt -= 1
        c = self.k.obj(cache.addr, self._cache_t)
        c.cache_slab_free += 1
        c.cache_free += 1
        null = cache.addr + self._member_offset(self._cache_t, "cache_nullslab")
        if was_full or c.cache_freelist == null:
            c.cache_freelist = slab.addr   # a slab that was full goes back to the head

    def kmem_free(self, buf: int) -> None:
        """``kmem_free``: give back a buffer from ``kmem_alloc``."""
        found = self.buffer_at(buf)
        if found is None:
            raise ValueError(f"kmem_free: {buf:#x} is not a kmem buffer")
        self.free(found[0], buf)

    def kmem_alloc(self, size: int, zero: bool = True) -> int:
        """``kmem_alloc``/``kmem_zalloc``: a buffer from the smallest fitting kmem_alloc_N cache."""
        for cache in self._alloc_caches:
            if cache.bufsize >= size:
                return self.alloc(cache, zero)
        return self.vmem_alloc(size, "kmem_alloc (large)")

    def create_alloc_caches(self) -> None:
        """The kmem_alloc_8 ... kmem_alloc_16384 caches behind ``kmem_alloc``."""
        for size in KMEM_ALLOC_SIZES:
            align = 8 if size < 64 else 64 if size < PAGESIZE else PAGESIZE
            self._alloc_caches.append(self.create_cache(f"kmem_alloc_{size}", size, align, cflags=0x00200000))

    # -- looking up ------------------------------------------------------

    def _slab_of(self, addr: int) -> _Slab | None:
        i = bisect.bisect_right(self._bases, addr) - 1
        if i < 0:
            return None
        slab = self._slabs[i]
        if addr < slab.base + slab.cache.slabsize:
            return slab
        return None

    def buffer_at(self, addr: int) -> tuple[KmemCache, int, bool] | None:
        """(cache, buffer base, allocated) for an address inside a slab's buffers."""
        slab = self._slab_of(addr)
        if slab is None:
            return None
        cache = slab.cache
        idx = (addr - slab.base) // cache.chunksize
        if idx >= cache.chunks:
            return None  # the slab header at the end of the run
        buf = slab.base + idx * cache.chunksize
        return cache, buf, not self._is_free(slab, buf)

    def _is_free(self, slab: _Slab, buf: int) -> bool:
        mem = self.k.mem
        p = self.k.obj(slab.addr, self._slab_t).slab_head
        n = 0
        while p and n <= slab.cache.chunks:
            if p == buf:
                return True
            p = mem.read_u64(p)
            n += 1
        return False

    def cache_of(self, addr: int) -> KmemCache | None:
        """The cache whose ``kmem_cache_t`` is at ``addr``."""
        return self._by_addr.get(addr)

    def buffers(self, cache: KmemCache, allocated: bool = True):
        """Addresses of ``cache``'s allocated (or free) buffers, slab by slab."""
        for slab in self._slabs_of(cache):
            free = set()
            p = self.k.obj(slab.addr, self._slab_t).slab_head
            while p:
                free.add(p)
                p = self.k.mem.read_u64(p)
            for i in range(cache.chunks):
                buf = slab.base + i * cache.chunksize
                if (buf not in free) == allocated:
                    yield buf

    def _slabs_of(self, cache: KmemCache):
        null = cache.addr + self._member_offset(self._cache_t, "cache_nullslab")
        s = self.k.obj(null, self._slab_t).slab_next
        while s != null:
            so = self.k.obj(s, self._slab_t)
            yield _Slab(so.slab_base, s, cache)
            s = so.slab_next

    # -- after loading a dump --------------------------------------------

    def rebuild(self) -> None:
        """Recreate the Python index from the caches and slabs in memory."""
        self.caches.clear()
        self._by_addr.clear()
        self._bases.clear()
        self._slabs.clear()
        self._alloc_caches.clear()
        self._meta_cache = None
        top = self.heap_base
        for addr in list_walk(self.k, self.k.sym_addr("kmem_caches")):
            c = self.k.obj(addr, self._cache_t)
            cache = KmemCache(addr, c.member("cache_name").string(), c.cache_bufsize,
                              c.cache_chunksize, c.cache_slabsize, 0)
            hdr = _round_up(self._slab_t.size, 8)
            cache.chunks = (cache.slabsize - hdr) // cache.chunksize
            self.caches[cache.name] = cache
            self._by_addr[addr] = cache
            if cache.name == "kmem_cache":
                self._meta_cache = cache
            if cache.name.startswith("kmem_alloc_"):
                self._alloc_caches.append(cache)
            for slab in self._slabs_of(cache):
                i = bisect.bisect_left(self._bases, slab.base)
                self._bases.insert(i, slab.base)
                self._slabs.insert(i, slab)
        self._alloc_caches.sort(key=lambda c: c.bufsize)
        for seg in self.k.mem.segments():
            if self.heap_base <= seg.base < self.heap_limit:
                top = max(top, seg.end)
        self.heap_next = top

    def check(self) -> None:
        """Raise MemoryFault/ValueError if a slab's free list is inconsistent."""
        for slab in self._slabs:
            p = self.k.obj(slab.addr, self._slab_t).slab_head
            n = 0
            while p:
                if not (slab.base <= p < slab.base + slab.cache.chunks * slab.cache.chunksize):
                    raise MemoryFault(p, "free list leaves its slab")
                p = self.k.mem.read_u64(p)
                n += 1
                if n > slab.cache.chunks:
                    raise ValueError(f"free list of slab {slab.addr:x} loops")
