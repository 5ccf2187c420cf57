"""The slab allocator: buffers, free lists in memory, and finding a buffer by address."""

import pytest

from kdebug.kernel import dump


def test_alloc_free_and_buffer_lookup(fresh_kernel):
    km = fresh_kernel.kmem
    cache = km.create_cache("test_cache", 100, 8)
    bufs = [km.alloc(cache) for _ in range(cache.chunks + 3)]   # spills into a second slab
    assert len(set(bufs)) == len(bufs)
    assert all(b % 8 == 0 for b in bufs)
    assert km.buffer_at(bufs[1] + 50) == (cache, bufs[1], True)
    km.free(cache, bufs[1])
    assert km.buffer_at(bufs[1] + 50) == (cache, bufs[1], False)
    assert km.alloc(cache) == bufs[1]          # the freed buffer is reused first
    c = fresh_kernel.obj(cache.addr, "kmem_cache_t")
    assert c.member("cache_name").string() == "test_cache"
    assert c.cache_slab_create == 2
    assert c.cache_buftotal == 2 * cache.chunks


def test_kmem_alloc_picks_the_smallest_fitting_cache(fresh_kernel):
    km = fresh_kernel.kmem
    addr = km.kmem_alloc(100)
    assert km.buffer_at(addr)[0].name == "kmem_alloc_112"
    assert km.buffer_at(km.kmem_alloc(8))[0].name == "kmem_alloc_8"


def test_address_outside_buffers(fresh_kernel):
    km = fresh_kernel.kmem
    cache = km.create_cache("tiny", 24, 8)
    buf = km.alloc(cache)
    slab_end = buf + cache.slabsize - 1          # inside the slab header, not a buffer
    assert km.buffer_at(slab_end) is None
    assert km.buffer_at(fresh_kernel.sym_addr("p0")) is None


def test_bad_free_is_refused(fresh_kernel):
    km = fresh_kernel.kmem
    cache = km.create_cache("tiny2", 24, 8)
    buf = km.alloc(cache)
    with pytest.raises(ValueError):
        km.free(cache, buf + 8)
    km.free(cache, buf)
    with pytest.raises(ValueError):
        km.free(cache, buf)                         # double free


def test_allocator_state_survives_a_dump(fresh_kernel):
    km = fresh_kernel.kmem
    cache = km.create_cache("keep", 64, 8)
    a, b, c = km.alloc(cache), km.alloc(cache), km.alloc(cache)
    km.free(cache, b)
    k2 = dump.loads(dump.dumps(fresh_kernel))
    km2 = k2.kmem
    assert km2.buffer_at(a)[1:] == (a, True)
    assert km2.buffer_at(b)[1:] == (b, False)
    assert km2.buffer_at(c)[0].name == "keep"
    assert set(km2.buffers(km2.caches["keep"])) == {a, c}
    km2.check()
