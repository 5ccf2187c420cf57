BEGIN
{
	@[curthread->t_procp->p_user] = count();
}
