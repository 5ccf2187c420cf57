BEGIN
{
	x = *(int *)8;
}

BEGIN
{
	y = 0;
	z = 10 / y;
}

ERROR
{
	printf("ERROR fired: epid %d fault %d", arg1, arg4);
}

BEGIN
{
	exit(0);
}
