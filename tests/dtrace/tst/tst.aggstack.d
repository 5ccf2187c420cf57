#pragma D option quiet

fbt::dtktest_inner:entry
{
	@[stack()] = count();
	@f[probefunc, probemod] = count();
}
