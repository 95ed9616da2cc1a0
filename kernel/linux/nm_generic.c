// SPDX-License-Identifier: BSD-2-Clause
#include <linux/seq_file.h>
#include "nm_kern.h"
#include "nm_linux.h"

int nm_lx_generic_init(void)
{
	return 0;
}

void nm_lx_generic_fini(void)
{
}

void nm_lx_generic_show(struct seq_file *s)
{
}
