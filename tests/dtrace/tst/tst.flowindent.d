#pragma D option flowindent

fbt:dtktest::entry,
fbt:dtktest::return
{
}
