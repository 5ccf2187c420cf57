/*
 * An enumerator is a global identifier: it may not take a built-in variable's name.
 */
enum when {
	now,
	timestamp
};

BEGIN
{
	exit(0);
}
