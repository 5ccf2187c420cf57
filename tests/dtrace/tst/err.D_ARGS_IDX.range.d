fbt::dtktest_inner:entry
{
	trace(args[5]);
}
