/* psinfo_t has pr_size, but the library's translator does not define it. */
BEGIN
{
	trace(curpsinfo->pr_size);
}
