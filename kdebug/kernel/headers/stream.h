/*
 * sys/stream.h and sys/strlog.h: enough of STREAMS for the kernel's message
 * log, which mdb's ::msgbuf reads through log_recentq.
 */

typedef struct datab {
	unsigned char	*db_base;
	unsigned char	*db_lim;
	unsigned char	db_ref;
	unsigned char	db_type;
	unsigned char	db_flags;
	unsigned char	db_struioflag;
} dblk_t;

typedef struct msgb {
	struct msgb	*b_next;
	struct msgb	*b_prev;
	struct msgb	*b_cont;
	unsigned char	*b_rptr;
	unsigned char	*b_wptr;
	struct datab	*b_datap;
	unsigned char	b_band;
	unsigned char	b_tag;
	unsigned short	b_flag;
	struct queue	*b_queue;
} mblk_t;

typedef struct queue {
	struct qinit	*q_qinfo;
	struct msgb	*q_first;
	struct msgb	*q_last;
	struct queue	*q_next;
	struct queue	*q_link;
	void		*q_ptr;
	size_t		q_count;
	uint_t		q_flag;
	ssize_t		q_minpsz;
	ssize_t		q_maxpsz;
	size_t		q_hiwat;
	size_t		q_lowat;
} queue_t;

#define SL_FATAL		0x0001
#define SL_NOTIFY		0x0002
#define SL_ERROR		0x0004
#define SL_TRACE		0x0008
#define SL_CONSOLE		0x0010
#define SL_WARN			0x0020
#define SL_NOTE			0x0040

typedef struct log_ctl {
	short		mid;
	short		sid;
	char		level;
	short		flags;
	clock_t		ltime;
	time_t		ttime;
	int		seq_no;
	int		pri;
} log_ctl_t;
