/*
 * Signal numbers of illumos (sys/iso/signal_iso.h, sys/signal.h), for
 * raise() and the proc provider's signal probes.
 */

inline int SIGHUP = 1;
inline int SIGINT = 2;
inline int SIGQUIT = 3;
inline int SIGILL = 4;
inline int SIGTRAP = 5;
inline int SIGABRT = 6;
inline int SIGEMT = 7;
inline int SIGFPE = 8;
inline int SIGKILL = 9;
inline int SIGBUS = 10;
inline int SIGSEGV = 11;
inline int SIGSYS = 12;
inline int SIGPIPE = 13;
inline int SIGALRM = 14;
inline int SIGTERM = 15;
inline int SIGUSR1 = 16;
inline int SIGUSR2 = 17;
inline int SIGCHLD = 18;
inline int SIGPWR = 19;
inline int SIGWINCH = 20;
inline int SIGURG = 21;
inline int SIGPOLL = 22;
inline int SIGSTOP = 23;
inline int SIGTSTP = 24;
inline int SIGCONT = 25;
inline int SIGTTIN = 26;
inline int SIGTTOU = 27;
inline int SIGVTALRM = 28;
inline int SIGPROF = 29;
inline int SIGXCPU = 30;
inline int SIGXFSZ = 31;
