/*
 * sys/kmem_impl.h: the slab allocator's caches, slabs and buffer control.
 * Free buffers hold their free-list link (a kmem_bufctl_t) in their first
 * word, so the allocator's state is all in memory, as mdb reads it.
 */

#define KMEM_CACHE_NAMELEN	31

#define KMF_AUDIT		0x00000001
#define KMF_DEADBEEF		0x00000002
#define KMF_REDZONE		0x00000004
#define KMF_CONTENTS		0x00000008
#define KMF_STICKY		0x00000010
#define KMF_NOMAGAZINE		0x00000020
#define KMF_FIREWALL		0x00000040
#define KMF_LITE		0x00000100
#define KMF_HASH		0x00000200
#define KMF_RANDOMIZE		0x00000400

#define KMC_NOTOUCH		0x00010000
#define KMC_NODEBUG		0x00020000
#define KMC_NOMAGAZINE		0x00040000
#define KMC_NOHASH		0x00080000
#define KMC_QCACHE		0x00100000
#define KMC_KMEM_ALLOC		0x00200000
#define KMC_IDENTIFIER		0x00400000

typedef struct kmem_bufctl {
	struct kmem_bufctl	*bc_next;
} kmem_bufctl_t;

typedef struct kmem_slab {
	struct kmem_cache	*slab_cache;
	void			*slab_base;
	struct kmem_slab	*slab_next;
	struct kmem_slab	*slab_prev;
	struct kmem_bufctl	*slab_head;
	long			slab_refcnt;
	long			slab_chunks;
	uint32_t		slab_stuck_offset;
	uint16_t		slab_later_count;
	uint16_t		slab_flags;
} kmem_slab_t;

typedef struct kmem_cache {
	uint64_t		cache_slab_create;
	uint64_t		cache_slab_destroy;
	uint64_t		cache_slab_alloc;
	uint64_t		cache_slab_free;
	uint64_t		cache_alloc_fail;
	uint64_t		cache_buftotal;
	uint64_t		cache_bufmax;
	uint64_t		cache_bufslab;
	uint64_t		cache_reap;
	kmutex_t		cache_lock;
	int			cache_flags;
	int			cache_cflags;
	size_t			cache_bufsize;
	size_t			cache_align;
	size_t			cache_chunksize;
	size_t			cache_slabsize;
	size_t			cache_bufctl;
	size_t			cache_maxcolor;
	struct vmem		*cache_arena;
	int			(*cache_constructor)(void *, void *, int);
	void			(*cache_destructor)(void *, void *);
	void			*cache_private;
	char			cache_name[KMEM_CACHE_NAMELEN + 1];
	list_node_t		cache_link;
	kmem_slab_t		*cache_freelist;
	kmem_slab_t		cache_nullslab;
	uint64_t		cache_alloc;
	uint64_t		cache_free;
} kmem_cache_t;
