#pragma D option quiet

profile-100hz
/cpu == 0/
{
	@ticks = count();
}

tick-1s
{
	exit(0);
}
