#pragma D option quiet

fbt:dtktest:dtktest_outer:entry
{
	printf("%s %d %s %s:%s:%s:%s\n", stringof(args[1]), args[0], execname, probeprov, probemod, probefunc, probename);
	printf("%a\n", caller);
}

fbt:dtktest:dtktest_inner:return
{
	printf("%d %a %x\n", args[1], arg0, `dtktest_counter);
}
