/*
 * sys/thread.h, sys/disp.h, sys/cpuvar.h, sys/machcpuvar.h (the parts the
 * debuggers and the dispatcher use).
 */

#define TS_FREE			0x00
#define TS_SLEEP		0x01
#define TS_RUN			0x02
#define TS_ONPROC		0x04
#define TS_ZOMB			0x08
#define TS_STOPPED		0x10
#define TS_WAIT			0x20

#define T_INTR_THREAD		0x0001
#define T_WAKEABLE		0x0002
#define T_TOMASK		0x0004
#define T_TALLOCSTK		0x0008
#define T_FORKALL		0x0010
#define T_WOULDBLOCK		0x0020
#define T_DONTBLOCK		0x0040
#define T_DONTPEND		0x0080
#define T_SYS_PROF		0x0100
#define T_WAITCVSEM		0x0200
#define T_WATCHPT		0x0400
#define T_PANIC			0x0800
#define T_LWPREUSE		0x1000
#define T_CAPTURING		0x2000
#define T_VFPARENT		0x4000
#define T_DONTDTRACE		0x8000

#define TP_DAEMON		0x0001
#define TP_HOLDLWP		0x0002
#define TP_TWAIT		0x0004
#define TP_LWPEXIT		0x0008
#define TP_PRSTOP		0x0010
#define TP_CHKPT		0x0020
#define TP_EXITLWP		0x0040
#define TP_PRVSTOP		0x0080
#define TP_MSACCT		0x0100
#define TP_STOPPING		0x0200
#define TP_WATCHPT		0x0400
#define TP_PAUSE		0x0800
#define TP_CHANGEBIND		0x1000
#define TP_ZTHREAD		0x2000
#define TP_WATCHSTOP		0x4000

#define TS_LOAD			0x0001
#define TS_DONT_SWAP		0x0002
#define TS_SWAPENQ		0x0004
#define TS_ON_SWAPQ		0x0008
#define TS_SIGNALLED		0x0010
#define TS_PROJWAITQ		0x0020
#define TS_ZONEWAITQ		0x0040
#define TS_CSTART		0x0100
#define TS_UNPAUSE		0x0200
#define TS_XSTART		0x0400
#define TS_PSTART		0x0800
#define TS_RESUME		0x1000
#define TS_CREATE		0x2000
#define TS_RUNQMATCH		0x4000

struct _sobj_ops {
	int		sobj_type;
	struct _kthread	*(*sobj_owner)(void *);
	void		(*sobj_unsleep)(struct _kthread *);
	void		(*sobj_change_pri)(struct _kthread *, pri_t, pri_t *);
};
typedef struct _sobj_ops sobj_ops_t;

#define SOBJ_NONE		0
#define SOBJ_MUTEX		1
#define SOBJ_RWLOCK		2
#define SOBJ_CV			3
#define SOBJ_SEMA		4
#define SOBJ_USER		5
#define SOBJ_USER_PI		6
#define SOBJ_SHUTTLE		7

typedef struct _kthread {
	struct _kthread	*t_link;
	caddr_t		t_stk;
	void		(*t_startpc)(void);
	struct cpu	*t_bound_cpu;
	short		t_affinitycnt;
	short		t_bind_cpu;
	ushort_t	t_flag;
	ushort_t	t_proc_flag;
	ushort_t	t_schedflag;
	volatile char	t_preempt;
	volatile char	t_preempt_lk;
	uint_t		t_state;
	pri_t		t_pri;
	pri_t		t_epri;
	pri_t		t_cpri;
	char		t_writer;
	uchar_t		t_bindflag;
	label_t		t_pcb;
	struct _sobj_ops *t_sobj_ops;
	id_t		t_cid;
	struct thread_ops *t_clfuncs;
	void		*t_cldata;
	struct ctxop	*t_ctx;
	uintptr_t	t_lofault;
	label_t		*t_onfault;
	struct on_trap_data *t_ontrap;
	caddr_t		t_swap;
	lock_t		t_lock;
	uint8_t		t_lockstat;
	uint8_t		t_pil;
	disp_lock_t	t_pi_lock;
	char		t_nomigrate;
	struct cpu	*t_cpu;
	struct cpu	*t_weakbound_cpu;
	struct lgrp_ld	*t_lpl;
	void		*t_lgrp_reserv[2];
	struct _kthread	*t_intr;
	uint64_t	t_intr_start;
	kt_did_t	t_did;
	struct ts_label_s *t_label;
	struct _kthread	*t_forw;
	struct _kthread	*t_back;
	struct _kthread	*t_thlink;
	klwp_t		*t_lwp;
	struct proc	*t_procp;
	struct audit_thread_s *t_audit_data;
	struct _kthread	*t_next;
	struct _kthread	*t_prev;
	ushort_t	t_whystop;
	ushort_t	t_whatstop;
	int		t_dslot;
	struct pollstate *t_pollstate;
	struct pollcache *t_pollcache;
	struct cred	*t_cred;
	time_t		t_start;
	clock_t		t_lbolt;
	hrtime_t	t_stoptime;
	uint_t		t_pctcpu;
	short		t_sysnum;
	kcondvar_t	t_delay_cv;
	kmutex_t	t_delay_lock;
	struct _disp	*t_disp_queue;
	disp_lock_t	*t_lockp;
	uint_t		t_sig_check;
	caddr_t		t_wchan0;
	caddr_t		t_wchan;
	id_t		t_tid;
	caddr_t		t_stkbase;
	struct page	*t_red_pp;
	uint_t		t_kpri_req;
	hrtime_t	t_hrtime;
	hrtime_t	t_waitrq;
	uint64_t	t_dtrace_vtime;
	uint64_t	t_dtrace_start;
	uint8_t		t_dtrace_stop;
	uint8_t		t_dtrace_sig;
	char		*t_name;
} kthread_t;

typedef kthread_t		*kthread_id_t;

/* sys/disp.h */
typedef struct _dispq {
	kthread_t	*dq_first;
	kthread_t	*dq_last;
	int		dq_sruncnt;
} dispq_t;

typedef struct _disp {
	disp_lock_t	disp_lock;
	pri_t		disp_npri;
	struct _dispq	*disp_q;
	struct _dispq	*disp_q_limit;
	ulong_t		*disp_qactmap;
	pri_t		disp_maxrunpri;
	pri_t		disp_max_unbound_pri;
	volatile int	disp_nrunnable;
	struct cpu	*disp_cpu;
	hrtime_t	disp_steal;
} disp_t;

/* sys/machcpuvar.h */
struct machcpu {
	struct cpu	*mcpu_pri_data;
	int		mcpu_pri;
	uint32_t	mcpu_apicid;
	uint64_t	mcpu_vmxon_pa;
	uint64_t	mcpu_intrcnt;
};

#define CPU_RUNNING		0x001
#define CPU_READY		0x002
#define CPU_QUIESCED		0x004
#define CPU_EXISTS		0x008
#define CPU_ENABLE		0x010
#define CPU_OFFLINE		0x020
#define CPU_POWEROFF		0x040
#define CPU_FROZEN		0x080
#define CPU_SPARE		0x100
#define CPU_FAULTED		0x200

/* sys/cpuvar.h */
typedef struct cpu {
	processorid_t	cpu_id;
	processorid_t	cpu_seqid;
	volatile cpu_flag_t cpu_flags;
	struct cpu	*cpu_self;
	kthread_t	*cpu_thread;
	kthread_t	*cpu_idle_thread;
	kthread_t	*cpu_pause_thread;
	klwp_id_t	cpu_lwp;
	klwp_id_t	cpu_fpowner;
	struct cpupart	*cpu_part;
	struct lgrp_ld	*cpu_lpl;
	int		cpu_cache_offset;
	struct cpu	*cpu_next;
	struct cpu	*cpu_prev;
	struct cpu	*cpu_next_onln;
	struct cpu	*cpu_prev_onln;
	struct cpu	*cpu_next_part;
	struct cpu	*cpu_prev_part;
	struct cpu	*cpu_next_lgrp;
	struct cpu	*cpu_prev_lgrp;
	struct cpu	*cpu_next_lpl;
	struct cpu	*cpu_prev_lpl;
	struct cpu_pg	*cpu_pg;
	void		*cpu_reserved[4];
	struct _disp	*cpu_disp;
	char		cpu_runrun;
	char		cpu_kprunrun;
	pri_t		cpu_chosen_level;
	kthread_t	*cpu_dispthread;
	disp_lock_t	cpu_thread_lock;
	uint8_t		cpu_disp_flags;
	pri_t		cpu_dispatch_pri;
	clock_t		cpu_last_swtch;
	caddr_t		cpu_intr_stack;
	kthread_t	*cpu_intr_thread;
	uint_t		cpu_intr_actv;
	int		cpu_base_spl;
	uint64_t	cpu_intracct[4];
	hrtime_t	cpu_intrlast;
	hrtime_t	cpu_intrstat[16][2];
	uint_t		cpu_type_info;
	char		*cpu_idstr;
	char		*cpu_brandstr;
	struct machcpu	cpu_m;
} cpu_t;
