#pragma D option quiet

BEGIN
{
	@a["Amsterdam"] = sum(17);
	@a["Brisbane"] = sum(14);
	@b["Amsterdam"] = sum(8);
	@b["Brisbane"] = sum(7);
	@c = count();
	printa("%s %@d\n", @a);
	printa("%10s %@5d %@5d\n", @a, @b);
	printa("@c = %@u\n", @c);
	printa(@a);
	exit(0);
}
