/*
 * Types declared in D: a struct with an array, a pointer to itself and a
 * bit-field, an enum whose enumerators are constants, typedefs of each, and
 * a D struct laid over kernel memory (utsname's first member is sysname).
 */
#pragma D option quiet

typedef struct point {
	int x;
	int y;
	char name[8];
	struct point *next;
	unsigned flags : 3;
} point_t;

enum color { RED, GREEN = 4, BLUE };
typedef enum color color_t;
typedef unsigned long long counter_t, *counterp_t;

struct sysname {
	char sys[6];
};

BEGIN
{
	printf("point_t: %d bytes, next at %d\n", sizeof (point_t), offsetof(point_t, next));
	printf("colors: %d %d %d, %d bytes\n", RED, GREEN, BLUE, sizeof (color_t));
	this->c = BLUE;
	printf("this->c == BLUE: %d\n", this->c == BLUE);
	n = (counter_t)-1;
	printf("counter_t: %u, %d bytes; pointer: %d bytes\n", n, sizeof (counter_t), sizeof (counterp_t));
	printf("%s\n", ((struct sysname *)&`utsname)->sys);
	exit(0);
}
