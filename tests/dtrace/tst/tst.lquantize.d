#pragma D option quiet

BEGIN
{
	@l["low"] = lquantize(-5, 0, 100, 10);
	@l["mid"] = lquantize(55, 0, 100, 10);
	@l["mid"] = lquantize(59, 0, 100, 10);
	@l["high"] = lquantize(1000, 0, 100, 10);
	@l["high"] = lquantize(1000, 0, 100, 10);
	@l["high"] = lquantize(1000, 0, 100, 10);
	exit(0);
}
