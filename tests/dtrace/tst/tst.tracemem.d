BEGIN
{
	tracemem(`dtktest_name, 16);
	exit(0);
}
