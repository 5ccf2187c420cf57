/*
 * The proc provider over a fork and exec: init (pid 1) forks a child that
 * starts, execs dtktest, creates a second lwp and exits.  The child's
 * psinfo_t and lwpsinfo_t are translated from its proc_t and kthread_t.
 */
#pragma D option quiet

proc:::create
/args[0]->pr_ppid == 1 && pid == 1/
{
	printf("create: %s forks %s (parent %d)\n", execname, args[0]->pr_fname, args[0]->pr_ppid);
	child = args[0]->pr_pid;
}

proc:::start
/pid == child/
{
	printf("start: %s, lwp %d, ppid %d\n", execname, tid, ppid);
}

proc:::lwp-start
/pid == child/
{
	printf("lwp-start: lwp %d (%s)\n", tid, probefunc);
}

proc:::exec
/pid == child/
{
	printf("exec: %s\n", stringof(args[0]));
}

proc:::exec-success
/pid == child/
{
	printf("exec-success: %s [%s] argc %d\n", execname, curpsinfo->pr_psargs, curpsinfo->pr_argc);
}

proc:::lwp-create
/pid == child/
{
	printf("lwp-create: lwp %d of %s, sname %c\n", args[0]->pr_lwpid, args[1]->pr_fname,
	    args[0]->pr_sname);
}

proc:::lwp-exit
/pid == child/
{
	printf("lwp-exit: lwp %d (%s)\n", tid, probefunc);
}

proc:::exit
/pid == child/
{
	printf("exit: %s, why %d\n", execname, args[0]);
}
