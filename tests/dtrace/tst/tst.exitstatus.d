#pragma D option quiet

tick-1sec
{
	printf("tick\n");
	exit(3);
}

END
{
	printf("end reached\n");
}
