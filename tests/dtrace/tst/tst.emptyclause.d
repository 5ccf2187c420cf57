BEGIN
{
}

BEGIN
{
	x = 1;
}

BEGIN
{
	printf("x is %d\n", x);
	exit(0);
}
