/*
 * sys/zone.h and sys/brand.h: zones, their zone-specific data (ZSD).
 */

#define GLOBAL_ZONEID		0
#define MIN_USERZONEID		1
#define ZONENAME_MAX		64
#define MAXPATHLEN		1024

typedef enum {
	ZONE_IS_UNINITIALIZED = 0,
	ZONE_IS_INITIALIZED,
	ZONE_IS_READY,
	ZONE_IS_BOOTING,
	ZONE_IS_RUNNING,
	ZONE_IS_SHUTTING_DOWN,
	ZONE_IS_EMPTY,
	ZONE_IS_DOWN,
	ZONE_IS_DYING,
	ZONE_IS_DEAD
} zone_status_t;

#define ZSD_CREATE_NEEDED	0x0001
#define ZSD_CREATE_INPROGRESS	0x0002
#define ZSD_CREATE_COMPLETED	0x0004
#define ZSD_SHUTDOWN_NEEDED	0x0010
#define ZSD_SHUTDOWN_INPROGRESS	0x0020
#define ZSD_SHUTDOWN_COMPLETED	0x0040
#define ZSD_DESTROY_NEEDED	0x0100
#define ZSD_DESTROY_INPROGRESS	0x0200
#define ZSD_DESTROY_COMPLETED	0x0400

struct zsd_entry {
	zone_key_t	zsd_key;
	void		*zsd_data;
	void		*(*zsd_create)(zoneid_t);
	void		(*zsd_shutdown)(zoneid_t, void *);
	void		(*zsd_destroy)(zoneid_t, void *);
	list_node_t	zsd_linkage;
	uint16_t	zsd_flags;
	kcondvar_t	zsd_cv;
};

struct brand_ops;
struct brand_mach_ops;

typedef struct brand {
	int		b_version;
	char		*b_name;
	struct brand_ops *b_ops;
	struct brand_mach_ops *b_machops;
	size_t		b_data_size;
} brand_t;

#define ZF_HASHED_LABEL		0x2
#define ZF_IS_SCRATCH		0x4
#define ZF_NET_EXCL		0x8

typedef struct zone {
	char		*zone_name;
	char		*zone_nodename;
	char		*zone_domain;
	uint32_t	zone_hostid;
	kmutex_t	zone_lock;
	list_node_t	zone_linkage;
	zoneid_t	zone_id;
	zoneid_t	zone_did;
	uint_t		zone_ref;
	uint_t		zone_cred_ref;
	struct vnode	*zone_rootvp;
	char		*zone_rootpath;
	ushort_t	zone_flags;
	zone_status_t	zone_status;
	uint_t		zone_ntasks;
	kmutex_t	zone_nlwps_lock;
	rctl_qty_t	zone_nlwps;
	rctl_qty_t	zone_nlwps_ctl;
	rctl_qty_t	zone_shmmax;
	uint_t		zone_rootpathlen;
	uint32_t	zone_shares;
	struct rctl_set	*zone_rctls;
	kmutex_t	zone_mem_lock;
	rctl_qty_t	zone_locked_mem;
	rctl_qty_t	zone_locked_mem_ctl;
	rctl_qty_t	zone_max_swap;
	rctl_qty_t	zone_max_swap_ctl;
	list_t		zone_zsd;
	kcondvar_t	zone_cv;
	struct proc	*zone_zsched;
	pid_t		zone_proc_initpid;
	char		*zone_initname;
	int		zone_boot_err;
	char		*zone_bootargs;
	rctl_qty_t	zone_phys_mem_ctl;
	uint64_t	zone_phys_mem;
	struct pool	*zone_pool;
	hrtime_t	zone_pool_mod;
	struct zone_ref *zone_ref_list_pad;
	boolean_t	zone_restart_init;
	boolean_t	zone_reboot_on_init_exit;
	boolean_t	zone_restart_init_0;
	int		zone_init_status;
	struct brand	*zone_brand;
	void		*zone_brand_data;
	id_t		zone_defaultcid;
	uint64_t	zone_uniqid;
	struct cred	*zone_kcred;
	char		*zone_fs_allowed;
	hrtime_t	zone_boot_time;
	uint_t		zone_secflags;
} zone_t;
