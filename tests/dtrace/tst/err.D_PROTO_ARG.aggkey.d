BEGIN
{
	@a["x"] = count();
	@a[0] = count();
}
