/* SPDX-License-Identifier: BSD-2-Clause */
/* netmap pipes.  Placeholder: no name is a pipe end yet. */
#include "nm_kern.h"

int netmap_get_pipe_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na)
{
	*na = NULL;
	return 0;
}
