#pragma D option quiet

BEGIN
{
	r = rand();
	printf("%d\n", r >= 0 && r < 1771875);
}

fbt::dtktest_inner:entry
{
	printf("%d %d %d\n", progenyof(1), progenyof(0), progenyof(12345));
	exit(0);
}
