/*
 * The /proc view of processes and threads (sys/procfs.h), as D's library
 * gives it: psinfo_t and lwpsinfo_t translated from the kernel's proc_t and
 * kthread_t, and curpsinfo and curlwpsinfo for the current thread.  A
 * program that uses these keeps working when the kernel's structures change;
 * only these translators would.
 */

/* Thread states (sys/thread.h), and the process states /proc reports them as. */
inline int TS_SLEEP = 0x01;
inline int TS_RUN = 0x02;
inline int TS_ONPROC = 0x04;
inline int TS_ZOMB = 0x08;
inline int TS_STOPPED = 0x10;
inline int TS_WAIT = 0x20;

inline char SSLEEP = 1;
inline char SRUN = 2;
inline char SZOMB = 3;
inline char SSTOP = 4;
inline char SIDL = 5;
inline char SONPROC = 6;
inline char SWAIT = 7;

inline int DATAMODEL_ILP32 = 0x00100000;
inline char PR_MODEL_ILP32 = 1;
inline char PR_MODEL_LP64 = 2;

translator psinfo_t < proc_t *T > {
	pr_flag = T->p_flag;
	pr_nlwp = T->p_lwpcnt;
	pr_pid = T->p_pidp->pid_id;
	pr_ppid = T->p_ppid;
	pr_pgid = T->p_pgidp->pid_id;
	pr_sid = T->p_sessp->s_sidp->pid_id;
	pr_uid = T->p_cred->cr_ruid;
	pr_euid = T->p_cred->cr_uid;
	pr_gid = T->p_cred->cr_rgid;
	pr_egid = T->p_cred->cr_gid;
	pr_addr = (uintptr_t)T;
	pr_fname = T->p_user.u_comm;
	pr_psargs = T->p_user.u_psargs;
	pr_argc = T->p_user.u_argc;
	pr_argv = T->p_user.u_argv;
	pr_envp = T->p_user.u_envp;
	pr_dmodel = T->p_model == DATAMODEL_ILP32 ? PR_MODEL_ILP32 : PR_MODEL_LP64;
	pr_taskid = T->p_task->tk_tkid;
	pr_projid = T->p_cred->cr_projid;
	pr_zoneid = T->p_zone->zone_id;
};

inline psinfo_t *curpsinfo = xlate <psinfo_t *> (curthread->t_procp);

translator lwpsinfo_t < kthread_t *T > {
	pr_flag = T->t_flag;
	pr_lwpid = T->t_tid;
	pr_addr = (uintptr_t)T;
	pr_wchan = (uintptr_t)T->t_wchan;
	pr_state = T->t_state == TS_SLEEP ? SSLEEP :
	    T->t_state == TS_RUN ? SRUN :
	    T->t_state == TS_ONPROC ? SONPROC :
	    T->t_state == TS_ZOMB ? SZOMB :
	    T->t_state == TS_STOPPED ? SSTOP :
	    T->t_state == TS_WAIT ? SWAIT : 0;
	pr_sname = T->t_state == TS_SLEEP ? 'S' :
	    T->t_state == TS_RUN ? 'R' :
	    T->t_state == TS_ONPROC ? 'O' :
	    T->t_state == TS_ZOMB ? 'Z' :
	    T->t_state == TS_STOPPED ? 'T' :
	    T->t_state == TS_WAIT ? 'W' : '?';
	pr_pri = T->t_pri;
	pr_onpro = T->t_cpu->cpu_id;
	pr_bindpro = T->t_bind_cpu;
};

inline lwpsinfo_t *curlwpsinfo = xlate <lwpsinfo_t *> (curthread);
