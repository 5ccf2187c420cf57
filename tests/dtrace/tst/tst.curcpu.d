/*
 * curcpu: the CPU a probe fires on, as a cpuinfo_t (sched.d) translated
 * from the kernel's cpu_t.  The host has two sockets of 40 CPUs each.
 */
#pragma D option quiet

profile-997
/cpu == 3 || cpu == 41/
{
	printf("cpu %d: cpu_id %d, pset %d, chip %d, lgrp %d\n", cpu, curcpu->cpu_id, curcpu->cpu_pset,
	    curcpu->cpu_chip, curcpu->cpu_lgrp);
	seen[cpu] = 1;
}

profile-997
/seen[3] && seen[41]/
{
	printf("%d-byte cpuinfo_t\n", sizeof (cpuinfo_t));
	exit(0);
}
