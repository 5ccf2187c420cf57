/*
 * An SDT probe's args[] are typed as its site declares them
 * (DTRACE_PROBE1(inner__done, int, a) in dtktest_inner).
 */
#pragma D option quiet

sdt:dtktest:dtktest_inner:inner-done
{
	printf("inner-done: args[0] = %d, sizeof (args[0]) = %d\n", args[0], sizeof (args[0]));
}
