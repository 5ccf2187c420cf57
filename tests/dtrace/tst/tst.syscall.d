#pragma D option quiet

syscall::ioctl:entry
/execname == "init"/
{
	@calls[probefunc, (int)arg0] = count();
}

syscall::ioctl:return
/execname == "init"/
{
	printf("%s returned %d errno %d\n", probefunc, (int)arg0, errno);
}
