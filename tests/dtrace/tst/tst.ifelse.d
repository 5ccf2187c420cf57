#pragma D option quiet

BEGIN
{
	x = 3;
	if (x > 2) {
		printf("big\n");
	} else {
		printf("small\n");
	}
	if (x > 5)
		printf("huge\n");
	else if (x == 3)
		printf("three\n");
	exit(0);
}
