BEGIN
{
	nosuchfunc();
}
