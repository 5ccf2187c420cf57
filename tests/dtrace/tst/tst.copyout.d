/*
 * copyout (-w): bytes of a buffer, here a copyin() copy, written into the
 * calling process.  The child's exec path loses its "/opt/" and the exec
 * fails.
 */
#pragma D option quiet
#pragma D option destructive

syscall::exece:entry
{
	copyout(copyin(arg0 + 5, 7), arg0, 7);
	printf("path now %s\n", copyinstr(arg0));
}

syscall::exece:return
{
	printf("exece returned %d, errno %d\n", arg0, errno);
}
