#pragma D option quiet

BEGIN
{
	@[1] = sum(10);
	@[2] = sum(20);
	@[3] = sum(30);
	trunc(@, 2);
	printa(@);
	trunc(@);
	printa(@);
	printf("done\n");
	exit(0);
}
