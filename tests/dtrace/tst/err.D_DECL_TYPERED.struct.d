/*
 * A struct may be defined once.
 */
struct pair {
	int a;
};

struct pair {
	long b;
};

BEGIN
{
	exit(0);
}
