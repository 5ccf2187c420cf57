#pragma D option quiet

BEGIN
{
	a = 7;
	b = -2;
	printf("%d %d %d %d %d\n", a + b, a - b, a * b, a / b, a % b);
	printf("%d %d %d\n", a << 3, -16 >> 2, (unsigned int)0xffffffff >> 28);
	printf("%d %d %d %d\n", a & 3, a | 8, a ^ 5, ~a);
	printf("%d %d %d %d\n", a > b, a < b, a == 7, a != 7);
	printf("%d %d %d\n", a && 0, a || 0, a ^^ 1);
	printf("%d %d\n", a > 3 ? 10 : 20, !a);
	u = (unsigned long)-1;
	printf("%u %d\n", u, u > 0);
	printf("%d %d\n", sizeof (int), sizeof (long));
	printf("%x %X %o %5d|%-5d|%05d\n", 255, 255, 8, 42, 42, 42);
	x = 1;
	x += 4;
	x *= 3;
	x -= 1;
	x <<= 1;
	printf("%d %d %d\n", x, x++, ++x);
	exit(0);
}
