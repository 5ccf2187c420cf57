/*
 * A translator member defined through the translator itself: within its own
 * definition the translator cannot be used, so the recursion ends here.
 */
struct out {
	int v;
	int w;
};

translator struct out < int *T > {
	v = xlate <struct out *> (T)->w;
	w = xlate <struct out *> (T)->v;
};

BEGIN
{
	trace(xlate <struct out *> ((int *)0)->v);
	exit(0);
}
