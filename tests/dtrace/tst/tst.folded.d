#pragma D option quiet
#pragma D option stackfmt=folded

fbt::dtktest_inner:entry
{
	@[stack()] = count();
	@w[probefunc, stack(2)] = sum(arg0);
}
