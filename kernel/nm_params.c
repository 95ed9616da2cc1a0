/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tunables of the core.  The Linux glue exposes each as a module
 * parameter of the same name, the sim glue through nmsim_param_set() and
 * NMSIM_PARAMS.  Allocator sizes take effect the next time the allocator
 * goes from unused to used (see nm_mem.h).
 */
#include "nm_kern.h"

long nm_verbose;
long nm_no_timestamp;
long nm_fwd;

struct nm_param nm_params[] = {
	{ "verbose", &nm_verbose, 0, 10, "log level of the core" },
	{ "no_timestamp", &nm_no_timestamp, 0, 1,
	  "1: set ring->ts only on rings with NR_TIMESTAMP" },
	{ "fwd", &nm_fwd, 0, 1, "forward all rx frames to the host stack" },
	{ "if_size", &nm_if_size, 128, 65536,
	  "bytes per netmap_if (global allocator)" },
	{ "if_num", &nm_if_num, 1, 1 << 20, "netmap_if objects" },
	{ "ring_size", &nm_ring_size, 512, 1 << 21, "bytes per ring" },
	{ "ring_num", &nm_ring_num, 2, 1 << 20, "rings" },
	{ "buf_size", &nm_buf_size, 64, 65536, "bytes per buffer" },
	{ "buf_num", &nm_buf_num, 3, 1 << 26, "buffers (0 and 1 reserved)" },
	/* issue 3: memory per port */
	{ "mem_max_mb", &nm_mem_max_mb, 0, 1 << 22,
	  "MiB of pool clusters of all allocators together (0: no cap)" },
};

const unsigned int nm_nparams = NM_ARRAY_SIZE(nm_params);

struct nm_param *nm_param_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < nm_nparams; i++)
		if (!strcmp(nm_params[i].name, name))
			return &nm_params[i];
	return NULL;
}

int nm_param_set(const char *name, long value)
{
	struct nm_param *p = nm_param_find(name);

	if (!p)
		return ENOENT;
	if (value < p->min || value > p->max)
		return ERANGE;
	*p->value = value;
	return 0;
}
