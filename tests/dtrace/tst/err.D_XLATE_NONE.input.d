/* No translator makes a psinfo_t from a cpu_t. */
BEGIN
{
	trace(xlate <psinfo_t *> (curthread->t_cpu)->pr_pid);
}
