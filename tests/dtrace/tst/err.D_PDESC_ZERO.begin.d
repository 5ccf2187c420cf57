BEGIN::read:entry
{
}
