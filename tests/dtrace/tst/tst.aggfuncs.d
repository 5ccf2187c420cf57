#pragma D option quiet

BEGIN
{
	@s = sum(450);
	@sm = sum(4050);
	@mn = min(0);
	@mx = max(900);
	@mn = min(5);
	@mx = max(1);
	@a = avg(10);
	@a = avg(20);
	@sd = stddev(2);
	@sd = stddev(4);
	@sd = stddev(4);
	@sd = stddev(4);
	@sd = stddev(5);
	@sd = stddev(5);
	@sd = stddev(7);
	@sd = stddev(9);
	exit(0);
}
