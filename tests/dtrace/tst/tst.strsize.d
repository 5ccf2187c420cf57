#pragma D option quiet
#pragma D option strsize=8

BEGIN
{
	s = "abcdefghijklmnop";
	printf("%s|%d|%s\n", s, strlen(s), strjoin(s, "XYZ"));
	exit(0);
}
