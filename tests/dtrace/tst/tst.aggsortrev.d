#pragma D option quiet
#pragma D option aggsortrev

BEGIN
{
	@["b", 1] = sum(30);
	@["a", 2] = sum(10);
	@["c", 0] = sum(20);
	printa("%s %d %@d\n", @);
	setopt("aggsortkey");
	printa("%s %d %@d\n", @);
	setopt("aggsortkeypos", "1");
	printa("%s %d %@d\n", @);
	exit(0);
}
