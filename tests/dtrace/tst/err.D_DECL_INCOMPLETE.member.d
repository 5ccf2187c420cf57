/*
 * A member must have a complete type: the kernel only declares struct cpupart.
 */
struct mine {
	struct cpupart part;
};

BEGIN
{
	exit(0);
}
