#pragma D option quiet

BEGIN
{
	@func[0] = sum(500);
	@func[1] = sum(700);
	printf("Aggregation data before clear():\n");
	printa(@func);
	clear(@func);
	printf("Aggregation data after clear():\n");
	printa(@func);
	exit(0);
}
