/*
 * sched:::off-cpu: the thread leaving a CPU is curthread; args[0] and
 * args[1] are the lwpsinfo_t and psinfo_t of the thread that runs next
 * (here each CPU's idle thread, an lwp of sched, pid 0).
 */
#pragma D option quiet

sched:::off-cpu
/pid != 0/
{
	printf("%s (pid %s) -> %s, pid %d, lwp %d\n", execname, pid == $target ? "$target" : "other",
	    args[1]->pr_fname, args[1]->pr_pid, args[0]->pr_lwpid);
}
