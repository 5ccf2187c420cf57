BEGIN
{
	curthread->t_tid = 1;
}
