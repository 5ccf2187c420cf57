#pragma D option quiet

BEGIN
{
	self->spec = speculation();
	printf("got speculation %d\n", self->spec);
}

BEGIN
{
	speculate(self->spec);
	printf("speculative output\n");
}

BEGIN
{
	commit(self->spec);
}

BEGIN
{
	spec2 = speculation();
}

BEGIN
{
	speculate(spec2);
	printf("discarded output\n");
}

BEGIN
{
	discard(spec2);
	exit(0);
}
