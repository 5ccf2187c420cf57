#pragma D option defaultargs

BEGIN
{
	exit(0);
}
