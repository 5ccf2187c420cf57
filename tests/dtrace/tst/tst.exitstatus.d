tick-1sec
{
	exit(3);
}

END
{
	trace("end reached");
}
