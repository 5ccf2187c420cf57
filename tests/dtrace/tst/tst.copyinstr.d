/*
 * copyinstr: a string in the user memory of the process that made the
 * system call (exec's path), whole or cut to a length; an address that is
 * not the process's own faults, and the ERROR probe says where.
 */
#pragma D option quiet

syscall::exece:entry
{
	printf("%s execs %s (%s)\n", execname, copyinstr(arg0), copyinstr(arg0, 5));
}

syscall::exece:entry
{
	copyinstr(`kernelbase);
}

ERROR
{
	printf("fault %d at the kernel's address? %d\n", arg4, arg5 == `kernelbase);
}
