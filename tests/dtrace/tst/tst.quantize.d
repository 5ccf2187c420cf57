#pragma D option quiet

BEGIN
{
	@q = quantize(0);
	@q = quantize(1);
	@q = quantize(3);
	@q = quantize(100);
	@q = quantize(100, 2);
	@n = quantize(-5);
	@n = quantize(7);
	@z = quantize(1, 0);
	exit(0);
}
