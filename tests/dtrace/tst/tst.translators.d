/*
 * curpsinfo and curlwpsinfo: the D library's translators from proc_t and
 * kthread_t, compared with the same facts read from the kernel's structures.
 */
#pragma D option quiet

fbt:dtktest:dtktest_outer:entry
{
	printf("%s %s %d %d\n", curpsinfo->pr_fname, curpsinfo->pr_psargs,
	    curpsinfo->pr_pid == pid, curpsinfo->pr_ppid == ppid);
	printf("%d %d %d\n", curpsinfo->pr_zoneid, curpsinfo->pr_dmodel == PR_MODEL_LP64,
	    curpsinfo->pr_addr == (uintptr_t)curthread->t_procp);
	printf("%d %c %d %d\n", curlwpsinfo->pr_lwpid == tid, curlwpsinfo->pr_sname,
	    curlwpsinfo->pr_state == SONPROC, curlwpsinfo->pr_onpro == cpu);
	printf("%d\n", xlate <psinfo_t> (curthread->t_procp).pr_nlwp);
}

/* A program's own translator: from the thread, to the same output type. */
translator psinfo_t < kthread_t *T > {
	pr_pid = T->t_tid + 1000;
};

fbt:dtktest:dtktest_inner:entry
{
	printf("%d %d\n", xlate <psinfo_t *> (curthread)->pr_pid, curpsinfo->pr_pid == pid);
}
