/*
 * An exec of a file that is not there: proc:::exec sees the path,
 * proc:::exec-failure the errno (ENOENT), and the child keeps its parent's name.
 */
#pragma D option quiet

proc:::create
/pid == 1/
{
	child = args[0]->pr_pid;
}

proc:::exec
/pid == child/
{
	printf("exec: %s\n", stringof(args[0]));
}

proc:::exec-failure
/pid == child/
{
	printf("exec-failure: %s, errno %d\n", execname, args[0]);
}

proc:::exec-success
/pid == child/
{
	printf("exec-success?\n");
}
