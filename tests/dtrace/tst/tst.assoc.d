#pragma D option quiet

BEGIN
{
	a["x", 1] = 10;
	a["y", 2] = 20;
	a["x", 1] += 5;
	self->t = 3;
	this->l = 4;
	printf("%d %d %d %d %d\n", a["x", 1], a["y", 2], a["z", 3], self->t, this->l);
	a["x", 1] = 0;
	printf("%d\n", a["x", 1]);
	exit(0);
}
