#pragma D option quiet

inline int FOO = 3 * 4;
inline string BAR = "bar";

BEGIN
{
	printf("%d %s\n", FOO, BAR);
	exit(0);
}
