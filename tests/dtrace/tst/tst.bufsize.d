#pragma D option bufsize=300

BEGIN
{
	trace("one");
	trace("two");
}

BEGIN
{
	exit(0);
}
