#pragma D option quiet
#pragma D option stackindent=4
#pragma D option stackframes=2

fbt::dtktest_inner:entry
{
	stack();
	@[stack(1)] = count();
	exit(0);
}
