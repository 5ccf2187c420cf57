/*
 * sys/cred_impl.h, sys/vnode.h (the part debuggers use), sys/user.h,
 * sys/proc.h, sys/session.h, sys/task.h, sys/klwp.h.
 */

struct vnode;
struct zone;
struct cpu;
struct _kthread;
struct proc;

#define PRIV_SETSIZE		3
#define PRIV_NSET		4

typedef struct priv_set {
	priv_chunk_t	pbits[PRIV_SETSIZE];
} priv_set_t;

typedef struct cred_priv_s {
	priv_set_t	crprivs[PRIV_NSET];
	uint_t		crpriv_flags;
} cred_priv_t;

struct cred {
	uint_t		cr_ref;
	uid_t		cr_uid;
	gid_t		cr_gid;
	uid_t		cr_ruid;
	gid_t		cr_rgid;
	uid_t		cr_suid;
	gid_t		cr_sgid;
	cred_priv_t	cr_priv;
	projid_t	cr_projid;
	struct zone	*cr_zone;
	struct ts_label_s *cr_label;
	struct credsid	*cr_ksid;
	struct credgrp	*cr_grps;
};
typedef struct cred cred_t;

typedef enum vtype {
	VNON	= 0,
	VREG	= 1,
	VDIR	= 2,
	VBLK	= 3,
	VCHR	= 4,
	VLNK	= 5,
	VFIFO	= 6,
	VDOOR	= 7,
	VPROC	= 8,
	VSOCK	= 9,
	VPORT	= 10,
	VBAD	= 11
} vtype_t;

typedef struct vnode {
	kmutex_t	v_lock;
	uint_t		v_flag;
	uint_t		v_count;
	void		*v_data;
	struct vfs	*v_vfsp;
	struct stdata	*v_stream;
	enum vtype	v_type;
	dev_t		v_rdev;
	struct vfs	*v_vfsmountedhere;
	struct vnodeops	*v_op;
	struct page	*v_pages;
	struct filock	*v_filocks;
	struct shrlocklist *v_shrlocks;
	krwlock_t	v_nbllock;
	kcondvar_t	v_cv;
	void		*v_locality;
	struct fem_head	*v_femhead;
	char		*v_path;
	uint_t		v_rdcnt;
	uint_t		v_wrcnt;
} vnode_t;

/* sys/user.h */
#define MAXCOMLEN		16
#define PSARGSZ			80
#define NOFILES_MIN		20

typedef struct user {
	int		u_execsw;
	timestruc_t	u_start;
	clock_t		u_ticks;
	char		u_comm[MAXCOMLEN + 1];
	char		u_psargs[PSARGSZ];
	int		u_argc;
	uintptr_t	u_argv;
	uintptr_t	u_envp;
	uintptr_t	u_commpagep;
	struct vnode	*u_cdir;
	struct vnode	*u_rdir;
	uint64_t	u_mem;
	mode_t		u_cmask;
	char		u_acflag;
	char		u_systrap;
	struct refstr	*u_cwd;
	uint_t		u_nshmseg;
	int		u_rlimit_pad;
} user_t;

/* sys/proc.h: struct pid, one per process id (and process group, session). */
struct pid {
	unsigned int	pid_prinactive :1;
	unsigned int	pid_pgorphaned :1;
	unsigned int	pid_padding :6;
	unsigned int	pid_prslot :24;
	pid_t		pid_id;
	struct proc	*pid_pglink;
	struct proc	*pid_pgtail;
	struct pid	*pid_link;
	uint_t		pid_ref;
};

/* sys/session.h */
typedef struct sess {
	struct pid	*s_sidp;
	kmutex_t	s_lock;
	uint_t		s_ref;
	char		s_sighuped;
	struct vnode	*s_vp;
	dev_t		s_dev;
	struct cred	*s_cred;
	kcondvar_t	s_wait_cv;
	kcondvar_t	s_cv;
	int		s_cnt;
	int		s_flag;
} sess_t;

/* sys/task.h */
typedef struct task {
	taskid_t	tk_tkid;
	rctl_qty_t	tk_cpu_time;
	uint_t		tk_hold_count;
	struct proc	*tk_memb_list;
	struct task	*tk_prev;
	struct task	*tk_next;
	struct kproject	*tk_proj;
	struct zone	*tk_zone;
	uint_t		tk_nlwps;
	uint_t		tk_nprocs;
	int		tk_flags;
} task_t;

typedef struct plock {
	kmutex_t	pl_lock;
} plock_t;

/* sys/klwp.h (the start of it) */
typedef struct _klwp {
	struct _kthread	*lwp_thread;
	struct proc	*lwp_procp;
	caddr_t		lwp_regs;
	caddr_t		lwp_fpu;
	uintptr_t	lwp_ap;
	int		lwp_errno;
	char		lwp_error;
	char		lwp_eosys;
	char		lwp_argsaved;
	char		lwp_watchtrap;
	long		lwp_arg[8];
	uint64_t	lwp_ru_sysc;
	hrtime_t	lwp_mstate_start;
	uint_t		lwp_state;
	uint_t		lwp_nostop;
	uintptr_t	lwp_brand;
} klwp_t;

typedef klwp_t			*klwp_id_t;

#define SSLEEP			1
#define SRUN			2
#define SZOMB			3
#define SSTOP			4
#define SIDL			5
#define SONPROC			6
#define SWAIT			7

#define SSYS			0x00000001
#define SEXITING		0x00000002
#define SITBUSY			0x00000004
#define SFORKING		0x00000008
#define SWATCHOK		0x00000010
#define SKILLED			0x00000100
#define SSCONT			0x00000200
#define SZONETOP		0x00000400
#define SEXTKILLED		0x00000800
#define SUGID			0x00002000
#define SEXECED			0x00004000
#define SJCTL			0x00010000
#define SNOWAIT			0x00020000
#define SVFORK			0x00040000
#define SVFWAIT			0x00080000
#define SEXITLWPS		0x00100000
#define SHOLDFORK		0x00200000
#define SMSACCT			0x02000000
#define SMSFORK			0x10000000
#define SNOCD			0x40000000
#define SHOLDWATCH		0x80000000

#define DATAMODEL_ILP32		0x00100000
#define DATAMODEL_LP64		0x00200000

typedef struct proc {
	struct vnode	*p_exec;
	struct as	*p_as;
	struct plock	*p_lockp;
	kmutex_t	p_crlock;
	struct cred	*p_cred;
	int		p_swapcnt;
	char		p_stat;
	char		p_wcode;
	ushort_t	p_pidflag;
	int		p_wdata;
	pid_t		p_ppid;
	struct proc	*p_link;
	struct proc	*p_parent;
	struct proc	*p_child;
	struct proc	*p_sibling;
	struct proc	*p_psibling;
	struct proc	*p_sibling_ns;
	struct proc	*p_child_ns;
	struct proc	*p_next;
	struct proc	*p_prev;
	struct proc	*p_nextofkin;
	struct proc	*p_orphan;
	struct proc	*p_nextorph;
	struct proc	*p_pglink;
	struct proc	*p_ppglink;
	struct sess	*p_sessp;
	struct pid	*p_pidp;
	struct pid	*p_pgidp;
	kcondvar_t	p_cv;
	kcondvar_t	p_flag_cv;
	kcondvar_t	p_lwpexit;
	kcondvar_t	p_holdlwps;
	uint_t		p_proc_flag;
	uint_t		p_flag;
	clock_t		p_utime;
	clock_t		p_stime;
	clock_t		p_cutime;
	clock_t		p_cstime;
	avl_tree_t	*p_segacct;
	avl_tree_t	*p_semacct;
	caddr_t		p_bssbase;
	caddr_t		p_brkbase;
	size_t		p_brksize;
	uint_t		p_brkpageszc;
	caddr_t		p_stkbase;
	size_t		p_stksize;
	uint_t		p_stkpageszc;
	char		p_nstopped;
	char		p_nstopgeneral;
	int		p_exitsig;
	int		p_lwpcnt;
	int		p_lwprcnt;
	int		p_lwpdaemon;
	int		p_lwpwait;
	int		p_lwpdwait;
	int		p_zombcnt;
	struct _kthread	*p_tlist;
	struct _kthread	*p_agenttp;
	struct _kthread	*p_aslwptp;
	hrtime_t	p_mstart;
	hrtime_t	p_mterm;
	hrtime_t	p_mlreal;
	hrtime_t	p_acct[8];
	struct lrusage	*p_ru;
	uint_t		p_defunct;
	kmutex_t	p_maplock;
	struct itimer	**p_itimer;
	model_t		p_model;
	struct lwpdir	*p_lwpdir;
	struct lwpdir	*p_lwpfree;
	uint_t		p_lwpdir_sz;
	uint_t		p_tidhash_sz;
	uint64_t	p_lgrpset;
	struct task	*p_task;
	struct proc	*p_taskprev;
	struct proc	*p_tasknext;
	struct rctl_set	*p_rctls;
	uint64_t	p_stk_ctl;
	uint64_t	p_fsz_ctl;
	uint64_t	p_vmem_ctl;
	uint64_t	p_fno_ctl;
	pid_t		p_ancpid;
	int		p_dtrace_probes;
	uint64_t	p_dtrace_count;
	void		*p_dtrace_helpers;
	struct zone	*p_zone;
	struct brand	*p_brand;
	void		*p_brand_data;
	uint_t		p_secflags;
	user_t		p_user;
	struct vnode	*p_execdir;
	uint_t		p_lwpid;
	int		p_tidhash_pad;
} proc_t;
