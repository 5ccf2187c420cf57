/*
 * A member may not be void.
 */
struct mine {
	int a;
	void nothing;
};

BEGIN
{
	exit(0);
}
