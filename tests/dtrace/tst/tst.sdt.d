#pragma D option quiet

sdt:dtktest::inner-done
{
	printf("%s:%s:%s:%s %d\n", probeprov, probemod, probefunc, probename, arg0);
}
