#pragma D option quiet

BEGIN
{
	printf("%d %d %d %d\n", sizeof (int), sizeof (long long), sizeof (char *), sizeof (string));
	printf("%d %d %d\n", sizeof (kthread_t), offsetof(kthread_t, t_tid), offsetof(struct _kthread, t_procp));
	printf("%d %d\n", sizeof (curthread->t_tid), sizeof (`hvm_excl_holder));
	exit(0);
}
