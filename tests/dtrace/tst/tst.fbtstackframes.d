fbt::dtktest_inner:entry
{
	stack(2);
	exit(0);
}
