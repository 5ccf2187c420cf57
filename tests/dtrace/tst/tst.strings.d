#pragma D option quiet

BEGIN
{
	s = "hello";
	t = strjoin(s, ", world");
	printf("%s|%d|%s|%s\n", t, strlen(t), substr(t, 7), substr(t, 0, 5));
	printf("%d %d %d\n", index(t, "o"), rindex(t, "o"), index(t, "xyz"));
	printf("%s|%s|%s\n", strstr(t, "wor"), strchr(t, 'l'), strrchr(t, 'l'));
	printf("%s|%s\n", toupper(s), tolower("ABC"));
	printf("%s|%s|%s\n", basename("/usr/lib/libc.so.1"), dirname("/usr/lib/libc.so.1"), cleanpath("/a/./b/../c"));
	printf("%s|%s|%d\n", lltostr(-42), lltostr(255, 16), strtoll("123"));
	printf("%d %d %d\n", s == "hello", s < "help", s != t);
	printf("[%10s][%-10s][%.3s]\n", s, s, s);
	printf("%s|%s|%s|%s\n", strtok("a,b;;c", ",;"), strtok(NULL, ",;"), strtok(NULL, ",;"), strtok(NULL, ",;"));
	exit(0);
}
