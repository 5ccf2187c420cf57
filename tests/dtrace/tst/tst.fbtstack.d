fbt::dtktest_inner:entry
{
	stack();
	trace(args[0]);
}

fbt::dtktest_inner:return
{
	trace(arg0);
	trace(args[1]);
}
