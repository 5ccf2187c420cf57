/*
 * sys/modctl.h and krtld's sys/kobj.h: loaded kernel modules.
 */

struct mod_ops {
	int		(*modm_install)(void *, void *);
	int		(*modm_remove)(void *, void *);
	int		(*modm_info)(void *, void *, void *);
};

struct modlmisc {
	struct mod_ops	*misc_modops;
	const char	*misc_linkinfo;
};

struct modldrv {
	struct mod_ops	*drv_modops;
	const char	*drv_linkinfo;
	struct dev_ops	*drv_dev_ops;
};

#define MODMAXLINK		7

struct modlinkage {
	int		ml_rev;
	void		*ml_linkage[MODMAXLINK];
};

struct modctl {
	struct modctl	*mod_next;
	struct modctl	*mod_prev;
	int		mod_id;
	void		*mod_mp;
	struct _kthread	*mod_inprogress_thread;
	struct modinfo	*mod_modinfo;
	struct modlinkage *mod_linkage;
	char		*mod_filename;
	char		*mod_modname;
	char		mod_busy;
	char		mod_want;
	char		mod_prim;
	int		mod_ref;
	char		mod_loaded;
	char		mod_installed;
	char		mod_loadflags;
	char		mod_delay_unload;
	struct modctl_list *mod_requisites;
	void		*__unused;
	int		mod_loadcnt;
	int		mod_nenabled;
	char		*mod_text;
	size_t		mod_text_size;
	int		mod_gencount;
	struct dev_info	*mod_devi;
};
typedef struct modctl modctl_t;

/* krtld's view of a loaded object */
struct module {
	int		total_allocated;
	char		*shdrs;
	char		*symhdr;
	char		*strhdr;
	char		*depends_on;
	size_t		symsize;
	char		*symspace;
	int		flags;
	size_t		text_size;
	size_t		data_size;
	char		*text;
	char		*data;
	unsigned int	symtbl_section;
	char		*symtbl;
	char		*strings;
	unsigned int	hashsize;
	unsigned int	nsyms;
	unsigned int	bss_align;
	size_t		bss_size;
	uintptr_t	bss;
	char		*filename;
	char		*ctfdata;
	size_t		ctfsize;
};
