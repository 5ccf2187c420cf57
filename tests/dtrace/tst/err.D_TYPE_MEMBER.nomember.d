BEGIN
{
	trace(curthread->t_nosuch);
}
