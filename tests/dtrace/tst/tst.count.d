BEGIN
{
	@counts["tick-count"] = count();
	@counts["tick-count"] = count();
	@ = count();
	exit(0);
}
