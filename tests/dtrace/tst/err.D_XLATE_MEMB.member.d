/* A translator may only define members of its output type. */
translator psinfo_t < kthread_t *T > {
	pr_nosuch = T->t_tid;
};
