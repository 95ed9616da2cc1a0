/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fault points: their modes and parser, the environment variables of the
 * sim, and a sweep that fails every mem.alloc site of register and
 * unregister in turn, checking each time that the failure unwinds
 * completely (right errno, no object left alive, pools whole).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "t.h"
#include "tutil.h"

struct reg_case {
	const char	*name;
	uint32_t	mode;
	uint32_t	extra;
	bool		hold;	/* another port keeps the allocator in use */
};

/* open, register, map, move a frame, close: 0 or the first errno */
static int reg_cycle(const struct reg_case *c)
{
	struct nmreq_register req;
	struct tport p;
	int err;

	memset(&req, 0, sizeof(req));
	req.nr_mode = c->mode;
	req.nr_extra_bufs = c->extra;
	err = tp_open_req(&p, "sim0", &req, NULL);
	if (err)
		return err;
	if (tp_tx(&p, 0)) {
		tr_put(tp_tx(&p, 0), "x", 1, 0);
		tp_txsync(&p);
		tp_rxsync(&p);
	}
	tp_close(&p);
	return 0;
}

/*
 * Fails the n-th allocation for n = 1, 2, ... until an attempt hits fewer
 * than n allocation sites: then every site has failed once.
 */
static int sweep(const struct reg_case *c, int *sites)
{
	struct tport hold;
	long live0, free0 = 0;
	int n, err, failures = 0;

	if (c->hold && tp_open(&hold, "hold", NR_REG_ALL_NIC, 0, 0))
		return -1;
	if (c->hold)
		free0 = nmsim_mem_free_objects(1, 2);
	live0 = nmsim_live_objects();
	for (n = 1; n < 100000; n++) {
		char spec[32];
		long long hits;

		snprintf(spec, sizeof(spec), "nth:%d", n);
		if (nmsim_fi_arm("mem.alloc", spec))
			return -1;
		err = reg_cycle(c);
		hits = nmsim_fi_hits("mem.alloc");
		nmsim_fi_arm("mem.alloc", "off");
		if (err != 0 && err != ENOMEM) {
			t_failf(__FILE__, __LINE__, "%s: site %d: errno %d",
				c->name, n, err);
			return -1;
		}
		if (nmsim_live_objects() != live0) {
			t_failf(__FILE__, __LINE__, "%s: site %d: %ld objects "
				"leaked", c->name, n,
				nmsim_live_objects() - live0);
			return -1;
		}
		if (c->hold && nmsim_mem_free_objects(1, 2) != free0) {
			t_failf(__FILE__, __LINE__, "%s: site %d: buffers "
				"leaked", c->name, n);
			return -1;
		}
		failures += err == ENOMEM;
		if (hits < n)
			break;	/* the fault did not fire: all sites done */
	}
	*sites = n - 1;
	if (c->hold)
		tp_close(&hold);
	return failures;
}

TEST(fi_mem_alloc_sweep_register)
{
	static const struct reg_case cases[] = {
		{ "all_nic, idle allocator", NR_REG_ALL_NIC, 0, false },
		{ "nic_sw + extra bufs, idle", NR_REG_NIC_SW, 16, false },
		{ "all_nic, allocator in use", NR_REG_ALL_NIC, 0, true },
		{ "sw + extra bufs, in use", NR_REG_SW, 8, true },
	};
	unsigned int i;

	/* small pools: few clusters, so a short sweep */
	nmsim_param_set("buf_num", 2048);
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_create("hold", 1, 64));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reg_case c = cases[i];
		int sites = 0, failures;

		failures = sweep(&c, &sites);
		printf("  sweep '%s': %d allocation sites, %d ENOMEM\n",
		       c.name, sites, failures);
		CHECK(failures >= 0);
		/* the sweep reached the allocations it should have */
		CHECK(sites >= (c.hold ? 3 : 6));
		CHECK(failures >= 1);
		if (t_failed())
			return;
	}
	nmsim_param_set("buf_num", 163840);
}

/* The same for a null port, which allocates its adapter too. */
TEST(fi_mem_alloc_sweep_null_port)
{
	struct nmreq_register req;
	struct tport hold, p;
	long live0;
	int n, err, sites = 0;

	nmsim_param_set("buf_num", 2048);
	CHECK_OK(nmsim_nic_create("hold", 1, 64));
	CHECK_EQ(tp_open(&hold, "hold", NR_REG_ALL_NIC, 0, 0), 0);
	live0 = nmsim_live_objects();
	for (n = 1; n < 1000; n++) {
		char spec[32];

		snprintf(spec, sizeof(spec), "nth:%d", n);
		CHECK_OK(nmsim_fi_arm("mem.alloc", spec));
		memset(&req, 0, sizeof(req));
		req.nr_mode = NR_REG_NULL;
		req.nr_mem_id = 1;
		req.nr_tx_slots = req.nr_rx_slots = 32;
		err = tp_open_req(&p, "null0", &req, NULL);
		if (!err)
			tp_close(&p);
		if (nmsim_fi_hits("mem.alloc") < n) {
			nmsim_fi_arm("mem.alloc", "off");
			CHECK_EQ(err, 0);
			break;
		}
		nmsim_fi_arm("mem.alloc", "off");
		CHECK(err == ENOMEM || err == 0);
		CHECK_EQ(nmsim_live_objects(), live0);
		sites++;
	}
	CHECK(sites >= 3);
	tp_close(&hold);
	nmsim_param_set("buf_num", 163840);
}

/* A failure in a NIOCCTRL that is not REGISTER unwinds too. */
TEST(fi_mem_alloc_in_control_requests)
{
	struct nmreq_port_info_get pi;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_OK(nmsim_fi_arm("mem.alloc", "nth:1"));
	memset(&pi, 0, sizeof(pi));
	CHECK_EQ(t_ctrl(fd, "sim0", NETMAP_REQ_PORT_INFO_GET, &pi, NULL),
		 ENOMEM);
	CHECK_EQ(pi.nr_tx_slots, 0);
	CHECK_EQ(t_ctrl(fd, "sim0", NETMAP_REQ_PORT_INFO_GET, &pi, NULL), 0);
	CHECK_EQ(pi.nr_tx_slots, 64);
	/* every allocation fails: open itself reports ENOMEM */
	CHECK_OK(nmsim_fi_arm("mem.alloc", "every:1"));
	CHECK_ERRNO(nmsim_open(), ENOMEM);
	nmsim_fi_arm("mem.alloc", "off");
	nmsim_close(fd);
}

TEST(fi_modes)
{
	char buf[128];
	int i, fired;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	/* nth: exactly once */
	CHECK_OK(nmsim_fi_arm("mem.alloc", "nth:3"));
	for (i = 0, fired = 0; i < 10; i++) {
		int fd = nmsim_open();

		if (fd < 0)
			fired++;
		else
			nmsim_close(fd);
	}
	CHECK_EQ(fired, 1);
	CHECK_EQ(nmsim_fi_hits("mem.alloc"), 10);
	CHECK(nmsim_fi_show("mem.alloc", buf, sizeof(buf)) > 0);
	CHECK(!strcmp(buf, "nth:3 hits=10 fired=1"));
	/* every: each Nth */
	CHECK_OK(nmsim_fi_arm("mem.alloc", "every:4"));
	for (i = 0, fired = 0; i < 20; i++) {
		int fd = nmsim_open();

		if (fd < 0)
			fired++;
		else
			nmsim_close(fd);
	}
	CHECK_EQ(fired, 5);
	/* probabilities: the same seed fires at the same hits */
	{
		int a[64], b[64], k, ones = 0;

		for (k = 0; k < 2; k++) {
			int *v = k ? b : a;

			CHECK_OK(nmsim_fi_arm("mem.alloc", "prob:0.5:1234"));
			for (i = 0; i < 64; i++) {
				int fd = nmsim_open();

				v[i] = fd < 0;
				if (fd >= 0)
					nmsim_close(fd);
			}
		}
		for (i = 0; i < 64; i++) {
			CHECK_EQ(a[i], b[i]);
			ones += a[i];
		}
		CHECK(ones > 10 && ones < 54);
		CHECK_OK(nmsim_fi_arm("mem.alloc", "prob:0%"));
		for (i = 0; i < 64; i++) {
			int fd = nmsim_open();

			CHECK(fd >= 0);
			nmsim_close(fd);
		}
		CHECK_OK(nmsim_fi_arm("mem.alloc", "prob:100%:9"));
		CHECK_ERRNO(nmsim_open(), ENOMEM);
		CHECK(nmsim_fi_show("mem.alloc", buf, sizeof(buf)) > 0);
		CHECK(!strncmp(buf, "prob:1:9 ", 9));
	}
	CHECK_OK(nmsim_fi_arm("mem.alloc", "off\n"));
	CHECK(nmsim_fi_show("mem.alloc", buf, sizeof(buf)) > 0);
	CHECK(!strcmp(buf, "off hits=0 fired=0"));
}

TEST(fi_bad_specs)
{
	static const char *const bad[] = {
		"", "on", "nth", "nth:", "nth:0", "nth:-1", "nth:1x", "every:0",
		"every", "prob", "prob:", "prob:2", "prob:1.5", "prob:x",
		"prob:0.5:", "prob:0.5:x", "prob:101%", "off:1",
		"nth:99999999999999999999",
	};
	unsigned int i;
	char buf[64];

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		if (nmsim_fi_arm("txsync.enter", bad[i]) != -1 ||
		    errno != EINVAL) {
			t_failf(__FILE__, __LINE__, "spec '%s' accepted",
				bad[i]);
			return;
		}
	}
	CHECK_ERRNO(nmsim_fi_arm("no.such.point", "nth:1"), ENOENT);
	CHECK_ERRNO(nmsim_fi_show("no.such.point", buf, sizeof(buf)), ENOENT);
	CHECK_ERRNO(nmsim_fi_arm(NULL, "nth:1"), EINVAL);
	CHECK_EQ(nmsim_fi_hits("no.such.point"), -1);
	/* the known points are listed */
	CHECK(!strcmp(nmsim_fi_name(0), "mem.alloc"));
	CHECK(!strcmp(nmsim_fi_name(1), "txsync.enter"));
	CHECK(!strcmp(nmsim_fi_name(2), "rxsync.enter"));
	CHECK(nmsim_fi_name(3) == NULL);
}

/* NMSIM_FI, NMSIM_PARAMS and NMSIM_NICS are read when the sim starts. */
TEST(fi_environment)
{
	struct nmreq_port_info_get pi;
	char buf[64];
	long v;
	int fd;

	nmsim_shutdown();
	setenv("NMSIM_FI", "txsync.enter=every:2,rxsync.enter=nth:3", 1);
	setenv("NMSIM_PARAMS", "if_num=50,nosuch=1,buf_num=x", 1);
	setenv("NMSIM_NICS", "env0:2x128,broken,env1:1x64,env2:0x64", 1);
	/* the first call starts the sim */
	CHECK(nmsim_fi_show("txsync.enter", buf, sizeof(buf)) > 0);
	unsetenv("NMSIM_FI");
	unsetenv("NMSIM_PARAMS");
	unsetenv("NMSIM_NICS");
	CHECK(!strcmp(buf, "every:2 hits=0 fired=0"));
	CHECK(nmsim_fi_show("rxsync.enter", buf, sizeof(buf)) > 0);
	CHECK(!strcmp(buf, "nth:3 hits=0 fired=0"));
	CHECK_OK(nmsim_param_get("if_num", &v));
	CHECK_EQ(v, 50);
	CHECK_OK(nmsim_param_get("buf_num", &v));
	CHECK_EQ(v, 163840);	/* the bad value was refused */
	fd = nmsim_open();
	memset(&pi, 0, sizeof(pi));
	CHECK_EQ(t_ctrl(fd, "env0", NETMAP_REQ_PORT_INFO_GET, &pi, NULL), 0);
	CHECK_EQ(pi.nr_tx_rings, 2);
	CHECK_EQ(pi.nr_tx_slots, 128);
	CHECK_EQ(t_ctrl(fd, "env1", NETMAP_REQ_PORT_INFO_GET, &pi, NULL), 0);
	CHECK_EQ(pi.nr_tx_rings, 1);
	CHECK_EQ(t_ctrl(fd, "env2", NETMAP_REQ_PORT_INFO_GET, &pi, NULL),
		 ENXIO);
	nmsim_close(fd);
	nmsim_param_set("if_num", 100);
}
