"""The kmem bulk path the mdb benchmark builds its big hosts with (Kmem.alloc_full_slabs)."""

from kdebug.kernel.boot import boot


def test_full_slabs_leave_the_same_memory_as_allocating_every_buffer():
    bulk, one_by_one = boot(), boot()
    name = "kmem_magazine_7"            # a cache with no slabs yet
    bases = bulk.kmem.alloc_full_slabs(bulk.kmem.caches[name], 3)
    cache = one_by_one.kmem.caches[name]
    for _ in range(3 * cache.chunks):
        one_by_one.kmem.alloc(cache)
    assert bulk.mem.digest() == one_by_one.mem.digest()
    bulk.kmem.check()
    assert bulk.kmem.buffer_at(bases[1] + 70)[1:] == (bases[1] + 64, True)
    assert len(list(bulk.kmem.buffers(bulk.kmem.caches[name]))) == 3 * cache.chunks
