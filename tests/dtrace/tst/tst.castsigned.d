#pragma D option quiet

BEGIN
{
	printf("%d %d %x\n", (char)0x1ef, (unsigned int)-1895788817, (short)0xcdef);
	printf("%d %u\n", (int)0xffffffff, (unsigned char)-1);
	x = (uint64_t)1 << 63;
	printf("%d %u\n", x > 0, x);
	exit(0);
}
