/* SPDX-License-Identifier: BSD-2-Clause */
/* Linux glue internals shared by its files. */
#ifndef _NM_LINUX_H_
#define _NM_LINUX_H_

#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/gfp.h>

/* What netmap_poll() hands to nm_os_selrecord(). */
struct nm_lx_pollctx {
	struct file	*file;
	poll_table	*pt;
};

/* The context allows sleeping: GFP_KERNEL, vmalloc, mutexes. */
bool nm_lx_can_sleep(void);
gfp_t nm_lx_gfp(void);

/* The core is initialised (module parameters may take NMG_LOCK). */
extern bool nm_lx_core_ready;

/* nm_linux_params.c */
int nm_lx_params_init(void);

/* nm_linux_debugfs.c */
void nm_lx_debugfs_init(void);
void nm_lx_debugfs_fini(void);

/* nm_generic.c */
int nm_lx_generic_init(void);
void nm_lx_generic_fini(void);
/* One line per generic adapter, for debugfs. */
struct seq_file;
void nm_lx_generic_show(struct seq_file *s);

#endif /* _NM_LINUX_H_ */
