BEGIN
{
	setopt("quiet");
	printf("now quiet\n");
}

BEGIN
{
	exit(0);
}
