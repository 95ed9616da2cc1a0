/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * REGISTER: every nr_mode, the ring-selection flags, exclusivity, host
 * ring counts, allocator choice, null ports, offsets, and a port that
 * disappears under its users.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "t.h"
#include "tutil.h"

/* Which rings of kind t a registration bound, as a bit mask. */
static unsigned int bound(struct tport *p, int tx)
{
	struct netmap_if *n = p->nifp;
	unsigned int ntx = n->ni_tx_rings + n->ni_host_tx_rings;
	unsigned int cnt = tx ? ntx : n->ni_rx_rings + n->ni_host_rx_rings;
	unsigned int i, mask = 0;

	for (i = 0; i < cnt; i++)
		if (n->ring_ofs[(tx ? 0 : ntx) + i])
			mask |= 1u << i;
	return mask;
}

static void small_pools(void)
{
	nmsim_param_set("buf_num", 8192);
}

static void default_pools(void)
{
	nmsim_param_set("buf_num", 163840);
}

TEST(reg_modes_bind_the_right_rings)
{
	/* sim0: 4 NIC rings + 1 host ring each way: bits 0-3 NIC, bit 4 host */
	static const struct {
		uint32_t mode;
		uint16_t ringid;
		uint64_t flags;
		unsigned int tx, rx;
	} cases[] = {
		{ NR_REG_ALL_NIC, 0, 0, 0x0f, 0x0f },
		{ NR_REG_ONE_NIC, 2, 0, 0x04, 0x04 },
		{ NR_REG_SW, 0, 0, 0x10, 0x10 },
		{ NR_REG_NIC_SW, 0, 0, 0x1f, 0x1f },
		{ NR_REG_ONE_SW, 0, 0, 0x10, 0x10 },
		{ NR_REG_ALL_NIC, 0, NR_RX_RINGS_ONLY, 0x00, 0x0f },
		{ NR_REG_ALL_NIC, 0, NR_TX_RINGS_ONLY, 0x0f, 0x00 },
		{ NR_REG_ONE_NIC, 3, NR_TX_RINGS_ONLY, 0x08, 0x00 },
		{ NR_REG_NIC_SW, 0, NR_RX_RINGS_ONLY, 0x00, 0x1f },
	};
	unsigned int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 4, 64));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tport p;

		CHECK_EQ(tp_open(&p, "sim0", cases[i].mode, cases[i].ringid,
				 cases[i].flags), 0);
		CHECK_EQ(p.nifp->ni_tx_rings, 4);
		CHECK_EQ(p.nifp->ni_host_tx_rings, 1);
		CHECK_EQ(bound(&p, 1), cases[i].tx);
		CHECK_EQ(bound(&p, 0), cases[i].rx);
		/* mode, ringid and flags come back as given */
		CHECK_EQ(p.reg.nr_mode, cases[i].mode);
		CHECK_EQ(p.reg.nr_ringid, cases[i].ringid);
		CHECK_EQ(p.reg.nr_flags, cases[i].flags);
		tp_close(&p);
	}
	default_pools();
}

TEST(reg_bad_modes_and_ringids)
{
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_DEFAULT, 0, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_PIPE_MASTER, 0, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_PIPE_SLAVE, 0, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", 9, 0, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", 0xffffffffu, 0, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_NIC, 2, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_NIC, 0xfff, 0), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_SW, 1, 0), EINVAL);
	/* binding nothing at all is a mistake */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0,
			 NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY), EINVAL);
	/* unknown flag bits, and a monitor of a port not in netmap mode */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 1ULL << 40), EINVAL);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, NR_MONITOR_TX),
		 EINVAL);
	CHECK_EQ(tp_open(&p, "nosuch", NR_REG_ALL_NIC, 0, 0), ENXIO);
	CHECK_EQ(tp_open(&p, "", NR_REG_ALL_NIC, 0, 0), ENXIO);
	/* and after all that, a good registration works */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tp_close(&p);
	default_pools();
}

TEST(reg_reply_and_netmap_if)
{
	struct tport p;
	long sz;

	small_pools();
	CHECK_OK(nmsim_nic_create("a_rather_long_sim_nic_name", 3, 128));
	CHECK_EQ(tp_open(&p, "a_rather_long_sim_nic_name", NR_REG_ALL_NIC, 0,
			 0), 0);
	CHECK_EQ(p.reg.nr_tx_rings, 3);
	CHECK_EQ(p.reg.nr_rx_rings, 3);
	CHECK_EQ(p.reg.nr_tx_slots, 128);
	CHECK_EQ(p.reg.nr_rx_slots, 128);
	CHECK_EQ(p.reg.nr_host_tx_rings, 1);
	CHECK_EQ(p.reg.nr_host_rx_rings, 1);
	CHECK_EQ(p.reg.nr_mem_id, 1);
	CHECK(p.reg.nr_offset < p.reg.nr_memsize);
	CHECK_EQ(p.reg.nr_memsize % 4096, 0);
	CHECK_OK(nmsim_param_get("buf_num", &sz));
	CHECK_EQ(p.nifp->ni_version, NETMAP_API);
	CHECK_EQ(p.nifp->ni_flags, 0);
	CHECK_EQ(p.nifp->ni_bufs_head, 0);
	/* ni_name is 16 bytes: truncated, always terminated */
	CHECK(!strcmp(p.nifp->ni_name, "a_rather_long_s"));
	CHECK(!strcmp(tp_tx(&p, 2) ? "ok" : "", "ok"));
	CHECK_EQ(tp_tx(&p, 2)->ringid, 2);
	CHECK_EQ(tp_rx(&p, 1)->ringid, 1);
	CHECK_EQ(tp_tx(&p, 0)->dir, 0);
	CHECK_EQ(tp_rx(&p, 0)->dir, 1);
	tp_close(&p);
	default_pools();
}

TEST(reg_double_register_is_ebusy)
{
	struct nmreq_register req;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	CHECK_EQ(t_ctrl(p.fd, "sim0", NETMAP_REQ_REGISTER, &req, NULL), EBUSY);
	/* the first registration is intact */
	CHECK_EQ(tr_put(tp_tx(&p, 0), "hello", 5, 0), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(tr_get(tp_rx(&p, 0), NULL, 0, NULL), 5);
	tp_close(&p);
	default_pools();
}

TEST(reg_shared_rings_between_fds)
{
	struct tport a, b;
	char buf[16];

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ONE_NIC, 1, 0), 0);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	/* ring 1 is the same ring for both */
	CHECK_EQ(tr_put(tp_tx(&a, 1), "shared", 6, 0), 0);
	CHECK_EQ(tp_txsync(&a), 0);
	CHECK_EQ(tp_rxsync(&b), 0);
	CHECK_EQ(tr_get(tp_rx(&b, 1), buf, sizeof(buf), NULL), 6);
	CHECK(!memcmp(buf, "shared", 6));
	/* a closes: b's rings keep working */
	tp_close(&a);
	CHECK_EQ(tr_put(tp_tx(&b, 1), "again", 5, 0), 0);
	CHECK_EQ(tp_txsync(&b), 0);
	CHECK_EQ(tp_rxsync(&b), 0);
	CHECK_EQ(tr_get(tp_rx(&b, 1), buf, sizeof(buf), NULL), 5);
	tp_close(&b);
	default_pools();
}

TEST(reg_exclusive)
{
	struct tport a, b;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_ONE_NIC, 0, NR_EXCLUSIVE), 0);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ONE_NIC, 0, 0), EBUSY);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ALL_NIC, 0, 0), EBUSY);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ONE_NIC, 1, 0), 0);
	tp_close(&b);
	/* asking for exclusivity on a ring in use fails too */
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ONE_NIC, 1, 0), 0);
	{
		struct tport c;

		CHECK_EQ(tp_open(&c, "sim0", NR_REG_ONE_NIC, 1, NR_EXCLUSIVE),
			 EBUSY);
	}
	tp_close(&b);
	tp_close(&a);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tp_close(&b);
	default_pools();
}

TEST(reg_host_ring_count_chosen_by_first_user)
{
	struct nmreq_register req;
	struct tport a, b;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_NIC_SW;
	req.nr_host_tx_rings = 3;
	req.nr_host_rx_rings = 2;
	CHECK_EQ(tp_open_req(&a, "sim0", &req, NULL), 0);
	CHECK_EQ(a.reg.nr_host_tx_rings, 3);
	CHECK_EQ(a.reg.nr_host_rx_rings, 2);
	CHECK_EQ(a.nifp->ni_host_tx_rings, 3);
	CHECK_EQ(bound(&a, 1), 0x1f);	/* 2 NIC + 3 host */
	CHECK_EQ(bound(&a, 0), 0x0f);	/* 2 NIC + 2 host */
	/* a later user cannot change it */
	req.nr_host_tx_rings = 1;
	CHECK_EQ(tp_open_req(&b, "sim0", &req, NULL), 0);
	CHECK_EQ(b.reg.nr_host_tx_rings, 3);
	/* ONE_SW picks one of them */
	tp_close(&b);
	CHECK_EQ(tp_open(&b, "sim0", NR_REG_ONE_SW, 2, NR_TX_RINGS_ONLY), 0);
	CHECK_EQ(bound(&b, 1), 0x10);
	tp_close(&b);
	tp_close(&a);
	/* idle again: back to one host ring */
	CHECK_EQ(tp_open(&a, "sim0", NR_REG_SW, 0, 0), 0);
	CHECK_EQ(a.reg.nr_host_tx_rings, 1);
	tp_close(&a);
	req.nr_host_tx_rings = 65;
	CHECK_EQ(tp_open_req(&a, "sim0", &req, NULL), EINVAL);
	default_pools();
}

TEST(reg_extra_buffers)
{
	struct nmreq_register req;
	struct tport p;
	uint32_t idx, n = 0, prev_free, lim;
	long free_before, free_open;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_extra_bufs = 100;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	CHECK_EQ(p.reg.nr_extra_bufs, 100);
	free_open = nmsim_mem_free_objects(1, 2);
	/* the list: first u32 of each buffer, ending with 0 */
	lim = tp_tx(&p, 0)->nr_buf_size ? 100000 : 0;
	for (idx = p.nifp->ni_bufs_head; idx && n < lim; n++) {
		char *buf = NETMAP_BUF(tp_tx(&p, 0), idx);

		CHECK(idx >= 2);
		idx = *(uint32_t *)buf;
	}
	CHECK_EQ(n, 100);
	prev_free = (uint32_t)free_open;
	tp_close(&p);

	/* freed at close: a new registration finds the pool as before */
	req.nr_extra_bufs = 0;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	free_before = nmsim_mem_free_objects(1, 2);
	CHECK_EQ(free_before, (long)prev_free + 100);
	CHECK_EQ(p.nifp->ni_bufs_head, 0);	/* reused object is clean */
	CHECK_EQ(p.reg.nr_extra_bufs, 0);
	tp_close(&p);
	default_pools();
}

TEST(reg_extra_buffers_more_than_the_pool)
{
	struct nmreq_register req;
	struct tport p;
	long total;

	nmsim_param_set("buf_num", 1024);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_extra_bufs = 1u << 30;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	total = nmsim_mem_free_objects(1, 2);
	CHECK_EQ(total, 0);	/* everything was granted */
	/* ALL_NIC: 2 rings of 64 slots, buffers 0 and 1; the rest are extra */
	CHECK_EQ(p.reg.nr_extra_bufs, 1024 - 2 - 2 * 64);
	tp_close(&p);
	default_pools();
}

TEST(reg_hostile_extra_list_at_close)
{
	struct nmreq_register req;
	struct tport p, q;
	struct netmap_ring *r;
	uint32_t a, b;
	long free_idle;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	/* q holds the allocator so free counts stay meaningful */
	CHECK_EQ(tp_open(&q, "sim1", NR_REG_ALL_NIC, 0, 0), 0);
	free_idle = nmsim_mem_free_objects(1, 2);
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_extra_bufs = 4;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	r = tp_tx(&p, 0);
	/* a cycle of two, pointing into the ring's own buffers */
	a = p.nifp->ni_bufs_head;
	b = r->slot[0].buf_idx;
	*(uint32_t *)NETMAP_BUF(r, a) = b;
	*(uint32_t *)NETMAP_BUF(r, b) = a;
	tp_close(&p);
	/*
	 * a and b came back once each; the three extra buffers the user
	 * unlinked are lost until the allocator goes idle; nothing of q's
	 * was taken.
	 */
	CHECK_EQ(nmsim_mem_free_objects(1, 2), free_idle - 3);
	/* an out-of-range head is just ignored */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	*(uint32_t *)&p.nifp->ni_bufs_head = 0xfffffff0u;
	tp_close(&p);
	/* q still works */
	CHECK_EQ(tr_put(tp_tx(&q, 0), "q", 1, 0), 0);
	CHECK_EQ(tp_txsync(&q), 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK_EQ(tr_get(tp_rx(&q, 0), NULL, 0, NULL), 1);
	tp_close(&q);
	default_pools();
}

TEST(reg_null_ports)
{
	struct nmreq_register req;
	struct netmap_ring *tx, *rx;
	struct tport p, hold;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_NULL;
	/* needs an existing allocator */
	CHECK_EQ(tp_open_req(&p, "anything", &req, NULL), EINVAL);
	req.nr_mem_id = 77;
	CHECK_EQ(tp_open_req(&p, "anything", &req, NULL), EINVAL);
	req.nr_mem_id = 1;
	req.nr_tx_rings = 2;
	req.nr_rx_rings = 3;
	req.nr_tx_slots = 32;
	req.nr_rx_slots = 16;
	CHECK_EQ(tp_open(&hold, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_open_req(&p, "anything", &req, NULL), 0);
	CHECK_EQ(p.reg.nr_tx_rings, 2);
	CHECK_EQ(p.reg.nr_rx_rings, 3);
	CHECK_EQ(p.reg.nr_tx_slots, 32);
	CHECK_EQ(p.reg.nr_mem_id, 1);
	CHECK_EQ(p.reg.nr_memsize, hold.reg.nr_memsize); /* same region */
	CHECK_EQ(bound(&p, 1), 0x3);
	CHECK_EQ(bound(&p, 0), 0x7);
	/* the sync does nothing: the user can fill n-1 slots, no more */
	tx = tp_tx(&p, 1);
	rx = tp_rx(&p, 2);
	for (i = 0; i < 31; i++)
		CHECK_EQ(tr_put(tx, "x", 1, 0), 0);
	CHECK_EQ(tr_put(tx, "x", 1, 0), -1);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tx->tail, 31);
	CHECK_EQ(tx->head, 31);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(rx));
	/* a second null port with the same name is another port */
	{
		struct tport p2;

		CHECK_EQ(tp_open_req(&p2, "anything", &req, NULL), 0);
		tp_close(&p2);
	}
	tp_close(&p);
	tp_close(&hold);
	default_pools();
}

TEST(reg_nic_moves_to_another_allocator_when_idle)
{
	struct nmreq_register req;
	struct tport a, b, c;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_mem_id = 9;	/* no such allocator */
	CHECK_EQ(tp_open_req(&a, "sim0", &req, NULL), EINVAL);
	req.nr_mem_id = 1;
	CHECK_EQ(tp_open_req(&a, "sim0", &req, NULL), 0);
	CHECK_EQ(tp_open_req(&b, "sim1", &req, NULL), 0);
	/* same allocator id, same region size */
	CHECK_EQ(a.reg.nr_mem_id, b.reg.nr_mem_id);
	req.nr_mem_id = 0;	/* 0: whatever the port has */
	CHECK_EQ(tp_open_req(&c, "sim0", &req, NULL), 0);
	CHECK_EQ(c.reg.nr_mem_id, 1);
	tp_close(&c);
	tp_close(&b);
	tp_close(&a);
	default_pools();
}

TEST(reg_port_destroyed_under_its_users)
{
	struct pollfd pfd;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_OK(nmsim_nic_destroy("sim0"));
	CHECK_ERRNO(nmsim_nic_destroy("sim0"), ENXIO);
	/* the registration lives on, but its rings are dead */
	CHECK_EQ(tp_txsync(&p), ENXIO);
	CHECK_EQ(tp_rxsync(&p), ENXIO);
	pfd.fd = p.fd;
	pfd.events = POLLIN | POLLOUT;
	CHECK_EQ(nmsim_poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLERR);
	/* the name is free again */
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	tp_close(&p);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(p.reg.nr_tx_rings, 2);
	tp_close(&p);
	default_pools();
}

TEST(reg_sim_nic_creation_errors)
{
	CHECK_ERRNO(nmsim_nic_create(NULL, 1, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("", 1, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("vale0", 1, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("a{1", 1, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("a:b", 1, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("sim0", 0, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("sim0", 65, 64), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("sim0", 1, 3), EINVAL);
	CHECK_ERRNO(nmsim_nic_create("sim0", 1, 40000), EINVAL);
	CHECK_ERRNO(nmsim_nic_create(
		"0123456789012345678901234567890123456789012345678901234567890123",
		1, 64), EINVAL);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_ERRNO(nmsim_nic_create("sim0", 1, 64), EEXIST);
}

TEST(reg_ring_too_big_for_the_ring_pool)
{
	struct tport p;

	/* 4096 slots need 64 KiB + 256 > the 36 KiB default ring object */
	nmsim_param_set("buf_num", 16384);
	CHECK_OK(nmsim_nic_create("big", 1, 4096));
	CHECK_EQ(tp_open(&p, "big", NR_REG_ALL_NIC, 0, 0), EINVAL);
	CHECK_OK(nmsim_param_set("ring_size", 4096 * 16 + 256));
	CHECK_EQ(tp_open(&p, "big", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_tx(&p, 0)->num_slots, 4096);
	tp_close(&p);
	CHECK_OK(nmsim_param_set("ring_size", 9 * 4096));
	default_pools();
}

/* ------------------------------------------------------------------ */
/* offsets                                                             */
/* ------------------------------------------------------------------ */

static void off_opt(struct nmreq_opt_offsets *o, uint64_t max, uint64_t init,
		    uint32_t bits, uint32_t align)
{
	memset(o, 0, sizeof(*o));
	o->nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	o->nro_opt.nro_size = sizeof(*o);
	o->nro_max_offset = max;
	o->nro_initial_offset = init;
	o->nro_offset_bits = bits;
	o->nro_tx_align = align;
}

TEST(reg_offsets_option)
{
	struct nmreq_opt_offsets o;
	struct nmreq_register req;
	struct netmap_ring *tx, *rx;
	struct tport p;
	struct netmap_slot *s;
	unsigned int i;
	uint8_t frame[100], got[100];

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	off_opt(&o, 256, 64, 16, 8);
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), 0);
	CHECK_EQ(o.nro_opt.nro_status, 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_EQ(tx->offset_mask, 0xffff);
	CHECK_EQ(tx->buf_align, 8);
	for (i = 0; i < tx->num_slots; i++)
		CHECK_EQ(NETMAP_ROFFSET(tx, &tx->slot[i]), 64);

	/*
	 * Send each frame at offset 200 (room for a header pushed in
	 * front).  Receive: slots the NIC got at registration deliver at
	 * the initial offset 64; every slot is released with offset 16, so
	 * once the ring wraps frames arrive at 16.
	 */
	for (i = 0; i < 3 * rx->num_slots; i++) {
		uint64_t want = i < rx->num_slots ? 64 : 16;

		t_frame(frame, sizeof(frame), i);
		s = &tx->slot[tx->head];
		NETMAP_WOFFSET(tx, s, 200);
		memcpy(NETMAP_BUF_OFFSET(tx, s), frame, sizeof(frame));
		s->len = sizeof(frame);
		tx->head = tx->cur = nm_ring_next(tx, tx->head);
		CHECK_EQ(tp_txsync(&p), 0);
		CHECK_EQ(tp_rxsync(&p), 0);
		CHECK(!nm_ring_empty(rx));
		s = &rx->slot[rx->head];
		CHECK_EQ(s->len, sizeof(frame));
		CHECK_EQ(NETMAP_ROFFSET(rx, s), want);
		memcpy(got, NETMAP_BUF_OFFSET(rx, s), sizeof(got));
		CHECK(!memcmp(got, frame, sizeof(frame)));
		NETMAP_WOFFSET(rx, s, 16);
		rx->head = rx->cur = nm_ring_next(rx, rx->head);
	}
	tp_close(&p);
	default_pools();
}

TEST(reg_offsets_violations)
{
	struct nmreq_opt_offsets o;
	struct nmreq_register req;
	struct netmap_ring *tx;
	struct tport p, q;
	struct nmsim_nic_stats st;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	off_opt(&o, 2048, 0, 16, 0);	/* max must be < buffer size */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	CHECK_EQ(o.nro_opt.nro_status, EINVAL);
	off_opt(&o, 100, 101, 16, 0);	/* initial > max */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	off_opt(&o, 300, 0, 8, 0);	/* max does not fit 8 bits */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	off_opt(&o, 100, 0, 65, 0);
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	off_opt(&o, 100, 0, 16, 6);	/* not a power of two */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	off_opt(&o, 100, 3, 16, 4);	/* initial offset not aligned */
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), EINVAL);
	/* bits 0: the smallest mask for max */
	off_opt(&o, 100, 0, 0, 0);
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), 0);
	CHECK_EQ(tp_tx(&p, 0)->offset_mask, 127);
	/* a second user of the same rings with another setup: EBUSY */
	off_opt(&o, 50, 0, 0, 0);
	CHECK_EQ(tp_open_req(&q, "sim0", &req, &o), EBUSY);
	CHECK_EQ(o.nro_opt.nro_status, EBUSY);
	CHECK_EQ(tp_open_req(&q, "sim0", &req, NULL), EBUSY);

	/* tx slot with an offset above max: ring reinitialised, not sent */
	tx = tp_tx(&p, 0);
	NETMAP_WOFFSET(tx, &tx->slot[0], 101);
	tx->slot[0].len = 10;
	tx->head = tx->cur = 1;
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tx->head, 0);
	CHECK_EQ(NETMAP_ROFFSET(tx, &tx->slot[0]), 0);
	CHECK_OK(nmsim_nic_stats("sim0", &st));
	CHECK_EQ(st.tx_frames, 0);
	/* offset + len beyond the buffer: the same */
	NETMAP_WOFFSET(tx, &tx->slot[0], 100);
	tx->slot[0].len = 2000;
	tx->head = tx->cur = 1;
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tx->head, 0);
	CHECK_OK(nmsim_nic_stats("sim0", &st));
	CHECK_EQ(st.tx_frames, 0);
	tp_close(&p);
	default_pools();
}
