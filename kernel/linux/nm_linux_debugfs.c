// SPDX-License-Identifier: BSD-2-Clause
/*
 * debugfs: /sys/kernel/debug/netmap/
 *   fi/<point>   write a mode (off, nth:N, every:N, prob:P[:SEED]) to arm
 *                the fault point; read "mode hits=H fired=F"
 *   live         objects and clusters the core has alive
 *   generic      one line of counters per generic adapter
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include "nm_kern.h"
#include "nm_linux.h"

static struct dentry *nm_lx_dbg_root;

static ssize_t nm_lx_fi_read(struct file *file, char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct nm_fi_point *p = file_inode(file)->i_private;
	char buf[160];
	int n;

	n = nm_fi_show(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return -EIO;
	if ((size_t)n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	return simple_read_from_buffer(ubuf, count, ppos, buf, n);
}

static ssize_t nm_lx_fi_write(struct file *file, const char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct nm_fi_point *p = file_inode(file)->i_private;
	char buf[64];
	int err;

	if (count == 0 || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	err = nm_fi_arm(p->name, buf);
	return err ? -err : (ssize_t)count;
}

static const struct file_operations nm_lx_fi_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= nm_lx_fi_read,
	.write	= nm_lx_fi_write,
	.llseek	= default_llseek,
};

static int nm_lx_live_show(struct seq_file *s, void *unused)
{
	seq_printf(s, "%ld\n", nm_live_objects());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nm_lx_live);

static int nm_lx_generic_dbg_show(struct seq_file *s, void *unused)
{
	nm_lx_generic_show(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nm_lx_generic_dbg);

/* debugfs is best effort: the module works without it. */
void nm_lx_debugfs_init(void)
{
	struct dentry *fi;
	unsigned int i;

	nm_lx_dbg_root = debugfs_create_dir("netmap", NULL);
	if (IS_ERR_OR_NULL(nm_lx_dbg_root))
		return;
	fi = debugfs_create_dir("fi", nm_lx_dbg_root);
	for (i = 0; i < nm_fi_npoints; i++)
		debugfs_create_file(nm_fi_points[i]->name, 0600, fi,
				    nm_fi_points[i], &nm_lx_fi_fops);
	debugfs_create_file("live", 0400, nm_lx_dbg_root, NULL,
			    &nm_lx_live_fops);
	debugfs_create_file("generic", 0400, nm_lx_dbg_root, NULL,
			    &nm_lx_generic_dbg_fops);
}

void nm_lx_debugfs_fini(void)
{
	debugfs_remove_recursive(nm_lx_dbg_root);
	nm_lx_dbg_root = NULL;
}
