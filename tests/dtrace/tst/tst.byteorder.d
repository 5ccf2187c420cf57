/*
 * Byte order (x86 is little-endian: hton* swap), dev_t parts (64-bit: a
 * 32-bit major above a 32-bit minor) and mutex questions on a kernel mutex
 * nobody holds.
 */
#pragma D option quiet

BEGIN
{
	printf("%x %x %x %x\n", htons(0x1234), ntohs(0x1234), htonl(0x12345678), ntohl(0x12345678));
	printf("%x %x\n", htonll(0x0102030405060708), ntohll(0x0102030405060708));
	printf("major %d minor %d\n", getmajor(0x0000003500000007), getminor(0x0000003500000007));
	printf("pidlock owned %d, owner %p\n", mutex_owned(&`pidlock), mutex_owner(&`pidlock));
	exit(0);
}
