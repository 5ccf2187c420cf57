/*
 * sys/types.h, sys/int_types.h, sys/t_lock.h, sys/list.h: the base typedefs
 * of an LP64 illumos kernel.
 */

typedef unsigned char		uchar_t;
typedef unsigned short		ushort_t;
typedef unsigned int		uint_t;
typedef unsigned long		ulong_t;
typedef char			*caddr_t;
typedef long long		longlong_t;
typedef unsigned long long	u_longlong_t;

typedef signed char		int8_t;
typedef short			int16_t;
typedef int			int32_t;
typedef long			int64_t;
typedef unsigned char		uint8_t;
typedef unsigned short		uint16_t;
typedef unsigned int		uint32_t;
typedef unsigned long		uint64_t;
typedef long			intptr_t;
typedef unsigned long		uintptr_t;
typedef long			intmax_t;
typedef unsigned long		uintmax_t;

typedef unsigned long		size_t;
typedef long			ssize_t;
typedef long			ptrdiff_t;
typedef long			off_t;
typedef longlong_t		offset_t;
typedef u_longlong_t		diskaddr_t;

typedef enum { B_FALSE = 0, B_TRUE = 1 } boolean_t;

typedef int			pid_t;
typedef int			id_t;
typedef id_t			zoneid_t;
typedef id_t			projid_t;
typedef id_t			taskid_t;
typedef id_t			ctid_t;
typedef id_t			poolid_t;
typedef unsigned int		uid_t;
typedef uid_t			gid_t;
typedef int			processorid_t;
typedef int			psetid_t;
typedef int			chipid_t;
typedef int			lgrp_id_t;
typedef unsigned int		minor_t;
typedef unsigned int		major_t;
typedef unsigned long		dev_t;
typedef unsigned int		mode_t;
typedef long long		hrtime_t;
typedef long			time_t;
typedef long			clock_t;
typedef short			pri_t;
typedef ushort_t		cpu_flag_t;
typedef int			model_t;
typedef uint64_t		rctl_qty_t;
typedef uint64_t		kt_did_t;
typedef ulong_t			pgcnt_t;
typedef ulong_t			pfn_t;
typedef uint_t			zone_key_t;
typedef uint32_t		priv_chunk_t;
typedef uint32_t		ipaddr_t;

typedef struct timespec {
	time_t		tv_sec;
	long		tv_nsec;
} timespec_t;
typedef struct timespec		timestruc_t;

/* Locks: opaque words, as the kernel's headers declare them. */
typedef struct mutex {
	void		*_opaque[1];
} kmutex_t;

typedef struct _kcondvar {
	ushort_t	_opaque;
} kcondvar_t;

typedef struct _krwlock {
	void		*_opaque[1];
} krwlock_t;

typedef struct _ksema {
	void		*_opaque[2];
} ksema_t;

typedef uchar_t			lock_t;
typedef lock_t			disp_lock_t;

/* sys/list_impl.h */
struct list_node {
	struct list_node	*list_next;
	struct list_node	*list_prev;
};

struct list {
	size_t			list_size;
	size_t			list_offset;
	struct list_node	list_head;
};

typedef struct list_node	list_node_t;
typedef struct list		list_t;

/* sys/avl_impl.h */
struct avl_node {
	struct avl_node	*avl_child[2];
	uintptr_t	avl_pcb;
};

struct avl_tree {
	struct avl_node	*avl_root;
	int		(*avl_compar)(const void *, const void *);
	size_t		avl_offset;
	ulong_t		avl_numnodes;
	size_t		avl_size;
};

typedef struct avl_node		avl_node_t;
typedef struct avl_tree		avl_tree_t;

/* sys/machtypes.h: the registers saved when a thread switches out. */
typedef struct _label_t {
	long		val[8];
} label_t;

#define NCPU			256
#define CPUSET_WORDS		4

typedef struct cpuset {
	ulong_t		cpub[CPUSET_WORDS];
} cpuset_t;
