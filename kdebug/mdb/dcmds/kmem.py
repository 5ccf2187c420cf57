"""The kmem allocator seen from mdb: ::kmem_cache, ::kmastat, and the cache walkers (genunix kmem.c).

mdb's kmem module adds the walker ``kmem_cache`` (every cache) and, when it
loads, one walker per cache, named after it, that walks the cache's
allocated buffers.
"""

from __future__ import annotations

from ...kernel import MemoryFault
from ...kernel.lists import list_walk
from ..registry import ERR, OK, USAGE, Explain, Walker, dcmd, getopts, walker
from .genunix import walk_dcmd

__all__ = ["cache_walkers"]


@walker("kmem_cache", "walk list of kmem caches")
def walk_kmem_cache(m, addr):
    return list_walk(m.k, m.k.sym_addr("kmem_caches"))


def _walk_buffers(cache_name: str):
    def walk(m, addr):
        cache = m.k.kmem.caches.get(cache_name)
        return iter(()) if cache is None else m.k.kmem.buffers(cache, allocated=True)
    return walk


def cache_walkers(m) -> list[Walker]:
    """One walker per kmem cache, walking its allocated buffers."""
    if m.k.kmem is None:
        return []
    return [Walker(name, f"walk the {name} cache", _walk_buffers(name), "genunix")
            for name in m.k.kmem.caches]


def _cache_one(c) -> int:
    m = c.m
    try:
        kc = m.k.obj(c.addr, "kmem_cache_t")
        name = kc.member("cache_name").string()
        row = (kc.cache_flags, kc.cache_cflags, kc.cache_bufsize, kc.cache_buftotal)
    except MemoryFault as e:
        m.warn("couldn't read kmem_cache at %p", c.addr, reason=e.reason)
        return ERR
    if c.hdr:
        c.printf("%<u>%-?s %-25s %4s %6s %8s %8s%</u>\n", "ADDR", "NAME", "FLAG", "CFLAG", "BUFSIZE", "BUFTOTL")
    c.printf("%0?p %-25s %04x %06x %8ld %8lld\n", c.addr, name, *row)
    return OK


@dcmd("kmem_cache", "?[-n name]", "print kernel memory caches", module="genunix")
def cmd_kmem_cache(c) -> int:
    opts, rest = getopts(c.args, {"n": "str"})
    if rest:
        return USAGE
    if c.has_addr:
        return _cache_one(c)
    name = opts.get("n")

    def one(sub):
        if name is not None and name not in sub.k.obj(sub.addr, "kmem_cache_t").member("cache_name").string():
            return OK
        return _cache_one(sub)
    return walk_dcmd(c, "kmem_cache", one)


_KMASTAT_DASHES = "------------------------- ------ ------ ------ ---------- --------- -----"


_KMASTAT_EXPLAIN = Explain(
    "::kmastat prints the kernel memory allocator's statistics: one line per kmem cache, a Total line, "
    "then the vmem arena the caches take their memory from.",
    columns=(("cache name", "the kmem cache (::walk NAME walks its buffers in use)"),
             ("buf size", "the size of one buffer, in bytes"),
             ("buf in use", "buffers allocated now (allocations minus frees)"),
             ("buf total", "buffers the cache's slabs hold, in use or free"),
             ("memory in use", "bytes in the cache's slabs (-k, -m, -g: in K, M, G)"),
             ("alloc succeed", "allocations so far"),
             ("alloc fail", "allocations that failed"),
             ("vmem name", "an arena of kernel virtual memory; its columns are memory in use, total, "
                           "imported from another arena, and allocations that succeeded and failed")))


@dcmd("kmastat", "[-kmg]", "kernel memory allocator stats", module="genunix", explain=_KMASTAT_EXPLAIN)
def cmd_kmastat(c) -> int:
    """Per cache: buffer size, buffers in use and in total, memory in use, allocations and failures."""
    m = c.m
    opts, rest = getopts(c.args, {"k": "flag", "m": "flag", "g": "flag"})
    if rest or c.has_addr:
        return USAGE
    shift = 30 if opts.get("g") else 20 if opts.get("m") else 10 if opts.get("k") else 0
    unit = {30: "G", 20: "M", 10: "K"}.get(shift, "")
    c.printf("%-25s %6s %6s %6s %10s %9s %5s\n", "cache", "buf", "buf", "buf", "memory", "alloc", "alloc")
    c.printf("%-25s %6s %6s %6s %10s %9s %5s\n", "name", "size", "in use", "total", "in use", "succeed", "fail")
    c.printf("%s\n", _KMASTAT_DASHES)
    total_mem = total_alloc = total_fail = 0
    for addr in m.walk("kmem_cache"):
        try:
            kc = m.k.obj(addr, "kmem_cache_t")
            name = kc.member("cache_name").string()
            slabs = kc.cache_slab_create - kc.cache_slab_destroy
            mem = slabs * kc.cache_slabsize
            inuse = kc.cache_alloc - kc.cache_free
            row = (name, kc.cache_bufsize, inuse, kc.cache_buftotal)
            alloc, fail = kc.cache_alloc, kc.cache_alloc_fail
        except MemoryFault as e:
            m.warn("couldn't read kmem_cache at %p", addr, reason=e.reason)
            return ERR
        total_mem += mem
        total_alloc += alloc
        total_fail += fail
        shown = f"{mem >> shift}{unit}" if shift else str(mem)
        c.printf("%-25s %6u %6u %6u %10s %9u %5u\n", *row, shown, alloc, fail)
    c.printf("%s\n", _KMASTAT_DASHES)
    shown = f"{total_mem >> shift}{unit}" if shift else str(total_mem)
    c.printf("%-46s %10s %9u %5u\n", "Total [kmem_default]", shown, total_alloc, total_fail)
    kmem = m.k.kmem
    if kmem is not None:
        c.printf("\n%-25s %10s %11s %10s %9s %5s\n", "vmem", "memory", "memory", "memory", "alloc", "alloc")
        c.printf("%-25s %10s %11s %10s %9s %5s\n", "name", "in use", "total", "import", "succeed", "fail")
        c.printf("------------------------- ---------- ----------- ---------- --------- -----\n")
        used = getattr(kmem, "heap_next", kmem.heap_base) - kmem.heap_base
        c.printf("%-25s %10lu %11lu %10lu %9lu %5lu\n", "heap", used, kmem.heap_limit - kmem.heap_base, 0,
                 len(kmem.caches), 0)
    return OK
