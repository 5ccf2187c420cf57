#pragma D option quiet

profile-100hz
/cpu == 3/
{
	@[execname, stack()] = count();
	@pc[func(arg0), arg1] = count();
}

tick-1s
{
	exit(0);
}
