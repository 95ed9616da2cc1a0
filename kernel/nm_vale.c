/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VALE software switch.  Placeholder until the switch lands: no name is
 * a VALE port yet and the control requests are not supported.
 */
#include "nm_kern.h"

int netmap_get_vale_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na)
{
	*na = NULL;
	return 0;
}

int netmap_vale_ctl(struct netmap_priv_d *priv, uint16_t reqtype,
		    const char *name, void *body)
{
	return EOPNOTSUPP;
}

int netmap_vale_init(void)
{
	return 0;
}

void netmap_vale_fini(void)
{
}
