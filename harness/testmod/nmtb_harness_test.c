// SPDX-License-Identifier: GPL-2.0
/*
 * A module for testing the harness itself: it proves that an out-of-tree
 * module built against the installed headers loads in the guest; warn=1
 * raises a real WARNING and oops=1 a real Oops (a NULL write in the
 * loading process, which dies), so the console scanner and the agent's
 * crash detection can be seen to fail a run.
 */
#include <linux/module.h>
#include <linux/kernel.h>

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "raise a WARNING at load time");
static bool oops;
module_param(oops, bool, 0444);
MODULE_PARM_DESC(oops, "oops at load time (NULL pointer write)");
static int *volatile nowhere;

static int __init nmtb_harness_test_init(void)
{
	pr_info("nmtb_harness_test: loaded (warn=%d)\n", warn);
	WARN(warn, "nmtb_harness_test: WARNING asked for by warn=1\n");
	if (oops)
		*nowhere = 1;
	return 0;
}

static void __exit nmtb_harness_test_exit(void)
{
	pr_info("nmtb_harness_test: unloaded\n");
}

module_init(nmtb_harness_test_init);
module_exit(nmtb_harness_test_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nmtb harness self-test module");
