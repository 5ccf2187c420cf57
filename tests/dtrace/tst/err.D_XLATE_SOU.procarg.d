/*
 * proc:::create's args[0] is a psinfo_t * translated from the child's
 * proc_t *: its members can be used, the pointer itself cannot.
 */
proc:::create
{
	trace(args[0]);
}
