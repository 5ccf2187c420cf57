/*
 * The scheduler's view of a CPU (illumos's sched.d): cpuinfo_t, translated
 * from the kernel's cpu_t, and curcpu, the CPU a probe fires on.
 *
 * The simulated host is a two-socket machine (2 x 20 cores x 2 threads)
 * with its CPUs numbered socket by socket, one locality group per socket
 * (1 and 2; 0 is the root) and no processor sets (PS_NONE).  cpuinfo_t has
 * no cpu_info member here: the kernel keeps no processor_info_t.
 */
typedef id_t chipid_t;
typedef id_t lgrp_id_t;

typedef struct cpuinfo {
	processorid_t cpu_id;		/* CPU identifier */
	psetid_t cpu_pset;		/* processor set identifier */
	chipid_t cpu_chip;		/* chip identifier */
	lgrp_id_t cpu_lgrp;		/* locality group identifier */
} cpuinfo_t;

inline int PS_NONE = -1;

translator cpuinfo_t < cpu_t *C > {
	cpu_id = C->cpu_id;
	cpu_pset = PS_NONE;
	cpu_chip = C->cpu_id / (`ncpus / 2);
	cpu_lgrp = C->cpu_id / (`ncpus / 2) + 1;
};

inline cpuinfo_t *curcpu = xlate <cpuinfo_t *> (curthread->t_cpu);
