// SPDX-License-Identifier: BSD-2-Clause
/*
 * Module parameters: every tunable of the core (nm_params.c) under its own
 * name, range-checked by nm_param_set(), plus "fi" to arm fault points at
 * load time.  They are writable in /sys/module/netmap/parameters/ too;
 * allocator sizes take effect the next time the allocator goes from unused
 * to used (nm_mem.h).
 *
 * Values given to insmod are stored before the module's init runs, when
 * NMG_LOCK does not exist yet: then nothing else runs and no lock is
 * needed.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/kernel.h>

#include "nm_kern.h"
#include "nm_linux.h"

static int nm_lx_param_set(const char *val, const struct kernel_param *kp)
{
	const char *name = kp->arg;
	long v;
	int err;

	err = kstrtol(val, 0, &v);
	if (err)
		return err;
	if (nm_lx_core_ready) {
		NMG_LOCK();
		err = nm_param_set(name, v);
		NMG_UNLOCK();
	} else {
		err = nm_param_set(name, v);
	}
	return -err;
}

static int nm_lx_param_get(char *buf, const struct kernel_param *kp)
{
	struct nm_param *p = nm_param_find(kp->arg);

	if (!p)
		return -ENOENT;
	return scnprintf(buf, PAGE_SIZE, "%ld\n", READ_ONCE(*p->value));
}

static const struct kernel_param_ops nm_lx_param_ops = {
	.set = nm_lx_param_set,
	.get = nm_lx_param_get,
};

#define NM_LX_PARAM(n, desc)						\
	module_param_cb(n, &nm_lx_param_ops, (void *)#n, 0644);		\
	MODULE_PARM_DESC(n, desc)

NM_LX_PARAM(verbose, "log level of the core (0-10)");
NM_LX_PARAM(no_timestamp, "1: set ring->ts only on rings with NR_TIMESTAMP");
NM_LX_PARAM(fwd, "forward all rx frames to the host stack (0/1)");
NM_LX_PARAM(if_size, "bytes per netmap_if (global allocator)");
NM_LX_PARAM(if_num, "netmap_if objects (global allocator)");
NM_LX_PARAM(ring_size, "bytes per ring (global allocator)");
NM_LX_PARAM(ring_num, "rings (global allocator)");
NM_LX_PARAM(buf_size, "bytes per buffer (global allocator)");
NM_LX_PARAM(buf_num, "buffers (global allocator, 0 and 1 reserved)");
NM_LX_PARAM(mem_max_mb, "MiB of pool clusters of all allocators (0: no cap)");

/* the names above, to notice a core parameter this file does not know */
static const char *const nm_lx_param_names[] = {
	"verbose", "no_timestamp", "fwd", "if_size", "if_num", "ring_size",
	"ring_num", "buf_size", "buf_num", "mem_max_mb",
};

/* fi=name=spec,name=spec: arm fault points (see nm_fi.h) */
static int nm_lx_fi_set(const char *val, const struct kernel_param *kp)
{
	char *s, *nl;
	int err;

	s = kstrdup(val, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	err = nm_fi_arm_list(s);
	kfree(s);
	return -err;
}

static int nm_lx_fi_get(char *buf, const struct kernel_param *kp)
{
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < nm_fi_npoints && len + 1 < PAGE_SIZE; i++) {
		int n = scnprintf(buf + len, PAGE_SIZE - len, "%s%s=",
				  i ? "," : "", nm_fi_points[i]->name);

		len += n;
		n = nm_fi_show(nm_fi_points[i], buf + len, PAGE_SIZE - len);
		if (n < 0 || (size_t)n >= PAGE_SIZE - len)
			break;
		len += n;
	}
	len += scnprintf(buf + len, PAGE_SIZE - len, "\n");
	return (int)len;
}

static const struct kernel_param_ops nm_lx_fi_ops = {
	.set = nm_lx_fi_set,
	.get = nm_lx_fi_get,
};

module_param_cb(fi, &nm_lx_fi_ops, NULL, 0600);
MODULE_PARM_DESC(fi, "arm fault points: name=off|nth:N|every:N|prob:P[:SEED],...");

int nm_lx_params_init(void)
{
	unsigned int i, j;

	for (i = 0; i < nm_nparams; i++) {
		for (j = 0; j < ARRAY_SIZE(nm_lx_param_names); j++)
			if (!strcmp(nm_params[i].name, nm_lx_param_names[j]))
				break;
		if (j == ARRAY_SIZE(nm_lx_param_names))
			pr_warn("netmap: core parameter %s is not a module parameter\n",
				nm_params[i].name);
	}
	return 0;
}
