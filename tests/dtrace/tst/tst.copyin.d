/*
 * copyin: bytes of the calling process's user memory, copied to scratch
 * memory that D reads like any other (exec's argv[0], found through argv).
 * With -w, copyoutstr writes into the process: the child execs a path that
 * is not there, and fails.
 */
#pragma D option quiet
#pragma D option destructive

syscall::exece:entry
{
	this->argv0 = *(uintptr_t *)copyin(arg1, sizeof (uintptr_t));
	printf("argv[0] %s, path %s\n", copyinstr(this->argv0), stringof(copyin(arg0, 5)));
	copyoutstr("/nope", arg0, 6);
}

syscall::exece:return
{
	printf("exece returned %d, errno %d\n", arg0, errno);
}
