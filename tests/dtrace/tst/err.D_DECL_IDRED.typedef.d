/*
 * A typedef name may be declared once, and not over a built-in type.
 */
typedef int count_t;
typedef long count_t;

BEGIN
{
	exit(0);
}
