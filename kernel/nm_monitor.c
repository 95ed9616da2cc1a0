/* SPDX-License-Identifier: BSD-2-Clause */
/* netmap monitors.  Placeholder: monitor flags are not honoured yet. */
#include "nm_kern.h"

int netmap_get_monitor_na(const char *name, struct nmreq_register *req,
			  struct netmap_adapter **na)
{
	*na = NULL;
	return 0;
}
