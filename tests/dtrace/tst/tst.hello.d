BEGIN
{
	trace("hello, world");
	exit(0);
}
