#pragma D option quiet

BEGIN
{
	@[0] = sum(1200);
	@[1] = sum(1360);
	normalize(@, 2);
	printf("normalized data:\n");
	printa(@);
	denormalize(@);
	printf("denormalized:\n");
	printa(@);
	exit(0);
}
