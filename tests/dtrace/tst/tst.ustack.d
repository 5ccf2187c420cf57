/*
 * ustack() at system calls: the libc function each call is made from (init's
 * child execs, then creates an lwp).  Frames are named from the process when
 * dtrace prints them; this one has exited by then, so they stay addresses,
 * as with libproc.  A thread not yet in user code prints no frames.
 */
#pragma D option quiet

syscall::exece:entry,
syscall::lwp_create:entry,
fbt::lwp_rtt_initial:entry
{
	printf("%s:", probefunc);
	ustack();
}
