#pragma D option quiet

BEGIN
{
	trace((char)-2);
	printf("\n");
	trace((short)-2);
	printf("\n");
	trace(-2);
	printf("\n");
	trace((long)-2);
	printf("\n");
	trace((unsigned int)-1);
	printf("\n");
	trace((unsigned long)-1);
	printf("\n");
	exit(0);
}
