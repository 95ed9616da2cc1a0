/* SPDX-License-Identifier: BSD-2-Clause */
/* Sim glue of the VALE switch: the C API of nmsim.h. */
#include <errno.h>

#include "nm_kern.h"
#include "nm_vale.h"
#include "nmsim_int.h"

_Static_assert(NMSIM_VALE_BROADCAST == NM_VALE_BROADCAST, "broadcast");
_Static_assert(NMSIM_VALE_DROP == NM_VALE_DROP, "drop");

int nmsim_vale_set_lookup(const char *sw, nmsim_vale_lookup_fn fn, void *arg)
{
	int err;

	sim_init();
	if (!sw)
		return errno = EINVAL, -1;
	/* same parameter types: unsigned int is uint32_t here */
	err = netmap_vale_set_lookup(sw, (netmap_vale_lookup_t)fn, arg);
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}
