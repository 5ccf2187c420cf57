#pragma D option quiet

BEGIN
{
	i = 0;
}

tick-1ms
/i < 3/
{
	printf("tick %d\n", i++);
}

tick-1ms
/i == 3/
{
	exit(0);
}
