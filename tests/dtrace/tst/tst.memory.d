#pragma D option quiet

fbt::dtktest_outer:entry
{
	printf("%s %s\n", stringof(arg1), stringof(args[1]));
}

fbt::dtktest_outer:entry
{
	printf("%s %s\n", curthread->t_procp->p_user.u_comm, stringof(`dtktest_name));
	printf("%d %d\n", pid, curthread->t_procp->p_pidp->pid_id);
	exit(0);
}

fbt::dtktest_outer:entry
{
	printf("not reached: exit() in an earlier clause drains the state\n");
}
