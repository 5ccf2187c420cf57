#pragma D option quiet

fbt::dtktest_inner:entry
{
	printf("%a|%a\n", caller, 0);
	sym(caller);
	mod(caller);
	func(caller);
	printf("\n");
}
