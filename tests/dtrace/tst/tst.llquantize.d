#pragma D option quiet

BEGIN
{
	@ = llquantize(1, 2, 0, 6, 2);
	@ = llquantize(2, 2, 0, 6, 2);
	@ = llquantize(3, 2, 0, 6, 2);
	@ = llquantize(70, 2, 0, 6, 2);
	@ = llquantize(100, 2, 0, 6, 2);
	@t = llquantize(15, 10, 0, 2, 10);
	exit(0);
}
