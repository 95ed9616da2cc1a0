/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netmap pipes on sim NIC parents: names, both directions, zero-copy
 * buffer swaps, wraparound with order/loss/duplicate checks, many pipes,
 * MOREFRAG chains, offsets, malformed slots, the "opened once" rule, one
 * end closing (and reopening) under traffic, and the pair's life cycle.
 */
#include <pthread.h>
#include <stdlib.h>

#include "t.h"
#include "tutil.h"

static uint8_t fbuf[65536];

/* A helper that may have failed a CHECK: leave the caller too. */
#define RUN(call) do {							\
	call;								\
	if (t_failed())							\
		return;							\
} while (0)

static void pools(long bufs, long rings)
{
	nmsim_param_set("buf_num", bufs);
	nmsim_param_set("ring_num", rings);
	nmsim_param_set("if_num", 400);
}

static void default_pools(void)
{
	nmsim_param_set("buf_num", 163840);
	nmsim_param_set("ring_num", 200);
	nmsim_param_set("if_num", 100);
}

static int popen_slots(struct tport *p, const char *name, uint32_t slots)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_tx_slots = req.nr_rx_slots = slots;
	return tp_open_req(p, name, &req, NULL);
}

static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, 0);
}

/* Seq of the frame at head, taken; -2 empty, -1 broken. */
static long get_seq(struct netmap_ring *r)
{
	int len = tr_get(r, fbuf, sizeof(fbuf), NULL);

	if (len < 0)
		return -2;
	return t_frame_seq(fbuf, (uint16_t)len);
}

static uint32_t space(struct netmap_ring *r)
{
	return nm_ring_space(r);
}

/* ------------------------------------------------------------------ */

TEST(pipe_bad_names)
{
	static const char *const bad[] = {
		"sim0{", "sim0}", "sim0{x", "sim0{1x", "{1", "}0", "sim0{1}2",
		"sim0{-1", "sim0{4096", "sim0{ 1", "sim0{99999999999",
	};
	struct tport p;
	unsigned int i;
	long base;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	base = nmsim_live_objects();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int e = tp_open(&p, bad[i], NR_REG_ALL_NIC, 0, 0);

		if (e != EINVAL) {
			t_failf(__FILE__, __LINE__, "%s: %d, want EINVAL",
				bad[i], e);
			return;
		}
	}
	/* the parent must exist */
	CHECK_EQ(tp_open(&p, "nosuch{1", NR_REG_ALL_NIC, 0, 0), ENXIO);
	CHECK_EQ(tp_open(&p, "nosuch}0", NR_REG_ALL_NIC, 0, 0), ENXIO);
	/* the pipe modes of the legacy API are not REGISTER modes */
	CHECK_EQ(tp_open(&p, "sim0{1", NR_REG_PIPE_MASTER, 0, 0), EINVAL);
	/* a pipe lives in its parent's allocator */
	{
		struct nmreq_register req;

		memset(&req, 0, sizeof(req));
		req.nr_mode = NR_REG_ALL_NIC;
		req.nr_mem_id = 77;
		CHECK(tp_open_req(&p, "sim0{1", &req, NULL) != 0);
	}
	/* silly geometry */
	CHECK_EQ(popen_slots(&p, "sim0{1", 2), EINVAL);
	CHECK_EQ(popen_slots(&p, "sim0{1", 40000), EINVAL);
	CHECK_EQ(nmsim_live_objects(), base);
	/* 4095 is the largest pipe number */
	CHECK_OK(tp_open(&p, "sim0{4095", NR_REG_ALL_NIC, 0, 0));
	CHECK(strcmp(p.nifp->ni_name, "sim0{4095") == 0);
	tp_close(&p);
	CHECK_EQ(nmsim_live_objects(), base);
}

TEST(pipe_both_ways)
{
	struct tport m, s, nic;
	struct netmap_ring *mt, *mr, *st, *sr;
	uint32_t i;

	CHECK_OK(nmsim_nic_create("sim0", 2, 128));
	CHECK_OK(tp_open(&nic, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&m, "sim0{3", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&s, "sim0}3", NR_REG_ALL_NIC, 0, 0));
	/* the parent's allocator, one ring each way, the parent's slots */
	CHECK_EQ(m.reg.nr_mem_id, nic.reg.nr_mem_id);
	CHECK_EQ(s.reg.nr_mem_id, nic.reg.nr_mem_id);
	CHECK_EQ(m.reg.nr_tx_rings, 1);
	CHECK_EQ(m.reg.nr_rx_rings, 1);
	CHECK_EQ(m.reg.nr_tx_slots, 128);
	CHECK_EQ(s.reg.nr_rx_slots, 128);
	CHECK(strcmp(m.nifp->ni_name, "sim0{3") == 0);
	CHECK(strcmp(s.nifp->ni_name, "sim0}3") == 0);
	mt = tp_tx(&m, 0);
	mr = tp_rx(&m, 0);
	st = tp_tx(&s, 0);
	sr = tp_rx(&s, 0);
	CHECK(mt && mr && st && sr);

	for (i = 0; i < 10; i++)
		CHECK_OK(put_seq(mt, i, (uint16_t)(60 + i)));
	for (i = 0; i < 5; i++)
		CHECK_OK(put_seq(st, 100 + i, 1500));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_txsync(&s));
	/* nothing crosses to the parent NIC */
	CHECK_OK(tp_rxsync(&nic));
	CHECK(nm_ring_empty(tp_rx(&nic, 0)));
	CHECK_OK(tp_rxsync(&s));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(space(sr), 10);
	CHECK_EQ(space(mr), 5);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(sr->slot[sr->head].len, 60 + i);
		CHECK_EQ(get_seq(sr), i);
	}
	for (i = 0; i < 5; i++)
		CHECK_EQ(get_seq(mr), 100 + i);
	CHECK_EQ(get_seq(sr), -2);
	/* sent slots come back at once */
	CHECK_OK(tp_txsync(&m));
	CHECK_EQ(space(mt), 127);
	tp_close(&m);
	tp_close(&s);
	tp_close(&nic);
}

TEST(pipe_zero_copy_swaps_buffers)
{
	struct tport m, s;
	struct netmap_ring *mt, *sr;
	uint32_t txidx[8], rxidx[8], i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&m, "sim0{0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&s, "sim0}0", NR_REG_ALL_NIC, 0, 0));
	mt = tp_tx(&m, 0);
	sr = tp_rx(&s, 0);
	for (i = 0; i < 8; i++) {
		txidx[i] = mt->slot[i].buf_idx;
		rxidx[i] = sr->slot[i].buf_idx;
		CHECK_OK(put_seq(mt, i, 64));
	}
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	for (i = 0; i < 8; i++) {
		/* the receiver has the sender's very buffer ... */
		CHECK_EQ(sr->slot[i].buf_idx, txidx[i]);
		CHECK(sr->slot[i].flags & NS_BUF_CHANGED);
		/* ... and the sender got the receiver's free one */
		CHECK_EQ(mt->slot[i].buf_idx, rxidx[i]);
		CHECK(mt->slot[i].flags & NS_BUF_CHANGED);
		CHECK_EQ(get_seq(sr), i);
	}
	tp_close(&m);
	tp_close(&s);
}

/*
 * Thousands of wraps of a small ring each way, random batches, partial
 * drains: every frame arrives once, in order, intact.
 */
TEST(pipe_wraparound_order_loss_dup)
{
	struct tport m, s;
	struct netmap_ring *tx, *rx;
	uint32_t sent = 0, got = 0, total = 16 * 3000;
	unsigned int seed = 7;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{5", 16));
	CHECK_OK(popen_slots(&s, "sim0}5", 16));
	tx = tp_tx(&m, 0);
	rx = tp_rx(&s, 0);
	CHECK_EQ(tx->num_slots, 16);
	while (got < total) {
		uint32_t n = (uint32_t)rand_r(&seed) % 16, k;

		for (k = 0; k < n && sent < total; k++) {
			if (put_seq(tx, sent, (uint16_t)(60 + sent % 200)))
				break;
			sent++;
		}
		CHECK_OK(tp_txsync(&m));
		CHECK_OK(tp_rxsync(&s));
		/* take some of what is there, not always all */
		n = (uint32_t)rand_r(&seed) % 20;
		for (k = 0; k < n; k++) {
			long v = get_seq(rx);

			if (v == -2)
				break;
			CHECK_EQ(v, got);
			got++;
		}
		CHECK(sent - got <= 2 * 15 + 1);
	}
	CHECK_EQ(sent, total);
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(get_seq(rx), -2);
	tp_close(&m);
	tp_close(&s);
}

/* A full receiver stalls the sender; nothing is lost, it resumes. */
TEST(pipe_backpressure_lossless)
{
	struct tport m, s;
	struct netmap_ring *tx, *rx;
	uint32_t i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{1", 8));
	CHECK_OK(popen_slots(&s, "sim0}1", 8));
	tx = tp_tx(&m, 0);
	rx = tp_rx(&s, 0);
	for (i = 0; i < 7; i++)
		CHECK_OK(put_seq(tx, i, 60));
	CHECK_OK(tp_txsync(&m));
	for (i = 7; i < 14; i++)
		CHECK_OK(put_seq(tx, i, 60));
	CHECK_OK(tp_txsync(&m));
	/* the peer holds 7, the other 7 wait in the tx ring */
	CHECK_EQ(space(tx), 0);
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 7);
	for (i = 0; i < 7; i++)
		CHECK_EQ(get_seq(rx), i);
	CHECK_OK(tp_rxsync(&s));	/* release */
	CHECK_OK(tp_txsync(&m));	/* the rest moves */
	CHECK_EQ(space(tx), 7);
	CHECK_OK(tp_rxsync(&s));
	for (i = 7; i < 14; i++)
		CHECK_EQ(get_seq(rx), i);
	tp_close(&m);
	tp_close(&s);
}

TEST(pipe_64_pipes_on_one_parent)
{
	enum { NP = 64 };
	static struct tport m[NP], s[NP];
	char name[32];
	unsigned int i;

	pools(16384, 600);
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	for (i = 0; i < NP; i++) {
		snprintf(name, sizeof(name), "sim0{%u", i);
		CHECK_OK(popen_slots(&m[i], name, 16));
		snprintf(name, sizeof(name), "sim0}%u", i);
		CHECK_OK(popen_slots(&s[i], name, 16));
	}
	for (i = 0; i < NP; i++) {
		CHECK_OK(put_seq(tp_tx(&m[i], 0), 1000 + i, 100));
		CHECK_OK(put_seq(tp_tx(&s[i], 0), 2000 + i, 100));
		CHECK_OK(tp_txsync(&m[i]));
		CHECK_OK(tp_txsync(&s[i]));
	}
	for (i = 0; i < NP; i++) {
		CHECK_OK(tp_rxsync(&m[i]));
		CHECK_OK(tp_rxsync(&s[i]));
		CHECK_EQ(get_seq(tp_rx(&s[i], 0)), 1000 + i);
		CHECK_EQ(get_seq(tp_rx(&m[i], 0)), 2000 + i);
		CHECK_EQ(get_seq(tp_rx(&s[i], 0)), -2);
		CHECK_EQ(get_seq(tp_rx(&m[i], 0)), -2);
	}
	for (i = 0; i < NP; i++) {
		tp_close(&m[i]);
		tp_close(&s[i]);
	}
	default_pools();
}

TEST(pipe_morefrag_partial_chain_invisible)
{
	struct tport m, s;
	struct netmap_ring *tx, *rx;
	uint16_t fl;
	int len;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&m, "sim0{2", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&s, "sim0}2", NR_REG_ALL_NIC, 0, 0));
	tx = tp_tx(&m, 0);
	rx = tp_rx(&s, 0);
	CHECK_OK(put_seq(tx, 1, 100));		/* a whole frame */
	CHECK_OK(tr_put(tx, "aaaa", 4, NS_MOREFRAG));
	CHECK_OK(tr_put(tx, "bbbb", 4, NS_MOREFRAG));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	/* only the whole frame is visible */
	CHECK_EQ(space(rx), 1);
	CHECK_EQ(get_seq(rx), 1);
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 0);
	/* the chain ends: all three fragments at once */
	CHECK_OK(tr_put(tx, "cc", 2, 0));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 3);
	len = tr_get(rx, fbuf, 4, &fl);
	CHECK(len == 4 && (fl & NS_MOREFRAG) && !memcmp(fbuf, "aaaa", 4));
	len = tr_get(rx, fbuf, 4, &fl);
	CHECK(len == 4 && (fl & NS_MOREFRAG) && !memcmp(fbuf, "bbbb", 4));
	len = tr_get(rx, fbuf, 4, &fl);
	CHECK(len == 2 && !(fl & NS_MOREFRAG) && !memcmp(fbuf, "cc", 2));
	tp_close(&m);
	tp_close(&s);
}

/*
 * A chain longer than the peer's ring can never be delivered: it is
 * dropped whole, and the pipe goes on.
 */
TEST(pipe_chain_longer_than_ring_dropped)
{
	struct tport m, s;
	struct netmap_ring *tx, *rx;
	int i, k;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{2", 8));
	CHECK_OK(popen_slots(&s, "sim0}2", 8));
	tx = tp_tx(&m, 0);
	rx = tp_rx(&s, 0);
	/* 20 fragments, 5 at a time */
	for (k = 0; k < 4; k++) {
		for (i = 0; i < 5; i++)
			CHECK_OK(tr_put(tx, "x", 1,
					k == 3 && i == 4 ? 0 : NS_MOREFRAG));
		CHECK_OK(tp_txsync(&m));
		CHECK_OK(tp_rxsync(&s));
		CHECK_EQ(space(rx), 0);
	}
	CHECK_OK(put_seq(tx, 42, 80));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 1);
	CHECK_EQ(get_seq(rx), 42);
	tp_close(&m);
	tp_close(&s);
}

static void offs_opt(struct nmreq_opt_offsets *o, uint64_t max, uint64_t init)
{
	memset(o, 0, sizeof(*o));
	o->nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	o->nro_opt.nro_size = sizeof(*o);
	o->nro_max_offset = max;
	o->nro_initial_offset = init;
}

TEST(pipe_offsets_travel_with_the_buffer)
{
	struct nmreq_opt_offsets om, os, bad;
	struct nmreq_register req;
	struct tport m, s, x;
	struct netmap_ring *tx, *rx;
	struct netmap_slot *sl;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	offs_opt(&om, 256, 64);
	CHECK_OK(tp_open_req(&m, "sim0{7", &req, &om));
	tx = tp_tx(&m, 0);
	CHECK_EQ(NETMAP_ROFFSET(tx, &tx->slot[0]), 64);
	/* the other end must use the same setup */
	offs_opt(&bad, 128, 0);
	CHECK_EQ(tp_open_req(&x, "sim0}7", &req, &bad), EBUSY);
	offs_opt(&os, 256, 64);
	CHECK_OK(tp_open_req(&s, "sim0}7", &req, &os));
	rx = tp_rx(&s, 0);
	CHECK_EQ(rx->offset_mask, tx->offset_mask);

	sl = &tx->slot[tx->head];
	NETMAP_WOFFSET(tx, sl, 200);
	t_frame(fbuf, 300, 9);
	memcpy(NETMAP_BUF_OFFSET(tx, sl), fbuf, 300);
	sl->len = 300;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 1);
	sl = &rx->slot[rx->head];
	CHECK_EQ(NETMAP_ROFFSET(rx, sl), 200);
	CHECK_EQ(sl->len, 300);
	CHECK_EQ(t_frame_seq((uint8_t *)NETMAP_BUF_OFFSET(rx, sl), 300), 9);
	/* an offset past the maximum is a malformed slot */
	sl = &tx->slot[tx->head];
	NETMAP_WOFFSET(tx, sl, 300);
	sl->len = 10;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&m));
	CHECK_EQ(nmsim_ring_reinits(m.fd, 0, 0), 1);
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(space(rx), 1);	/* still just the first */
	tp_close(&m);
	tp_close(&s);
}

/* Bad slots reset the sender's ring; the receiver keeps what it had. */
TEST(pipe_malformed_slots)
{
	struct tport m, s;
	struct netmap_ring *tx, *rx;
	struct nmreq_pools_info pi;
	uint32_t bad_idx[3], i, k;
	uint16_t bad_len[3] = { 60, 60, 60 };

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&m, "sim0{1", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&s, "sim0}1", NR_REG_ALL_NIC, 0, 0));
	memset(&pi, 0, sizeof(pi));
	pi.nr_mem_id = m.reg.nr_mem_id;
	CHECK_OK(t_ctrl(m.fd, "", NETMAP_REQ_POOLS_INFO_GET, &pi, NULL));
	bad_idx[0] = 0;
	bad_idx[1] = pi.nr_buf_pool_objtotal;
	bad_idx[2] = tp_tx(&m, 0)->slot[0].buf_idx;	/* good index ... */
	bad_len[2] = (uint16_t)(pi.nr_buf_pool_objsize + 1); /* bad len */
	tx = tp_tx(&m, 0);
	rx = tp_rx(&s, 0);
	for (k = 0; k < 3; k++) {
		uint32_t seq = k * 10;

		CHECK_OK(put_seq(tx, seq, 60));
		CHECK_OK(put_seq(tx, seq + 1, 60));
		if (k < 2)
			tx->slot[tx->head].buf_idx = bad_idx[k];
		tx->slot[tx->head].len = bad_len[k];
		i = tx->head;
		tx->head = tx->cur = nm_ring_next(tx, tx->head);
		CHECK_OK(put_seq(tx, seq + 2, 60));
		CHECK_OK(tp_txsync(&m));
		CHECK_EQ(nmsim_ring_reinits(m.fd, 0, 0), k + 1);
		/* the ring is back at the bad slot */
		CHECK_EQ(tx->head, i);
		CHECK_EQ(tx->cur, i);
		CHECK_OK(tp_rxsync(&s));
		CHECK_EQ(get_seq(rx), seq);
		CHECK_EQ(get_seq(rx), seq + 1);
		CHECK_EQ(get_seq(rx), -2);
		CHECK_EQ(nmsim_ring_reinits(s.fd, 1, 0), 0);
		/* fix the slot and go on */
		if (tx->slot[i].buf_idx < 2)
			tx->slot[i].buf_idx = bad_idx[2];
		CHECK_OK(put_seq(tx, seq + 3, 60));
		CHECK_OK(tp_txsync(&m));
		CHECK_OK(tp_rxsync(&s));
		CHECK_EQ(get_seq(rx), seq + 3);
		CHECK_OK(tp_rxsync(&s));
	}
	/* a receiver releasing a bad buffer resets its own ring only */
	CHECK_OK(put_seq(tx, 50, 60));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	i = rx->head;
	CHECK_EQ(get_seq(rx), 50);
	rx->slot[i].buf_idx = 1;
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(nmsim_ring_reinits(s.fd, 1, 0), 1);
	CHECK_EQ(nmsim_ring_reinits(m.fd, 0, 0), 3);
	tp_close(&m);
	tp_close(&s);
}

TEST(pipe_end_opened_once)
{
	struct tport a, b, c;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&a, "sim0{1", NR_REG_ALL_NIC, 0, 0));
	CHECK_EQ(tp_open(&b, "sim0{1", NR_REG_ALL_NIC, 0, 0), EBUSY);
	CHECK_OK(tp_open(&b, "sim0}1", NR_REG_ALL_NIC, 0, 0));
	CHECK_EQ(tp_open(&c, "sim0}1", NR_REG_ONE_NIC, 0, 0), EBUSY);
	/* other numbers are other pipes */
	CHECK_OK(tp_open(&c, "sim0}2", NR_REG_ALL_NIC, 0, 0));
	tp_close(&a);
	/* closed: it may be opened again */
	CHECK_OK(tp_open(&a, "sim0{1", NR_REG_ALL_NIC, 0, 0));
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

/*
 * Frames sent while the peer is closed wait in its rx ring, which lives
 * as long as one end is open.  When both ends are closed, the pair and
 * its rings are gone, and a new pair starts empty.
 */
TEST(pipe_peer_closed_and_reopened)
{
	struct tport m, s;
	long base;
	uint32_t i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	base = nmsim_live_objects();
	CHECK_OK(tp_open(&m, "sim0{4", NR_REG_ALL_NIC, 0, 0));
	for (i = 0; i < 5; i++)
		CHECK_OK(put_seq(tp_tx(&m, 0), i, 70));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_open(&s, "sim0}4", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(get_seq(tp_rx(&s, 0)), 0);
	CHECK_EQ(get_seq(tp_rx(&s, 0)), 1);
	CHECK_OK(tp_rxsync(&s));
	/* the slave goes, three frames still queued; more come */
	tp_close(&s);
	for (i = 5; i < 8; i++)
		CHECK_OK(put_seq(tp_tx(&m, 0), i, 70));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_open(&s, "sim0}4", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_rxsync(&s));
	for (i = 2; i < 8; i++)
		CHECK_EQ(get_seq(tp_rx(&s, 0)), i);
	CHECK_OK(tp_rxsync(&s));
	/* now the master goes; the slave can still send to it */
	tp_close(&m);
	CHECK_OK(put_seq(tp_tx(&s, 0), 99, 70));
	CHECK_OK(tp_txsync(&s));
	CHECK_OK(tp_open(&m, "sim0{4", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(get_seq(tp_rx(&m, 0)), 99);
	tp_close(&m);
	tp_close(&s);
	CHECK_EQ(nmsim_live_objects(), base);
	/* a new pair is empty */
	CHECK_OK(tp_open(&s, "sim0}4", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(get_seq(tp_rx(&s, 0)), -2);
	tp_close(&s);
	CHECK_EQ(nmsim_live_objects(), base);
}

/* The parent NIC goes away: its pipes keep working until closed. */
TEST(pipe_parent_destroyed)
{
	struct tport m, s;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&m, "sim0{1", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&s, "sim0}1", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(nmsim_nic_destroy("sim0"));
	CHECK_OK(put_seq(tp_tx(&m, 0), 5, 60));
	CHECK_OK(tp_txsync(&m));
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(get_seq(tp_rx(&s, 0)), 5);
	/* a new lookup finds no parent */
	tp_close(&s);
	CHECK_EQ(tp_open(&s, "sim0}1", NR_REG_ALL_NIC, 0, 0), ENXIO);
	tp_close(&m);
}

/* One end opens and closes over and over while the other sends. */
struct churn {
	struct tport	*m;
	volatile int	stop;
	long		syncs;
	int		err;
};

static void *sender(void *arg)
{
	struct churn *c = arg;
	struct netmap_ring *tx = tp_tx(c->m, 0);
	uint8_t frame[64];	/* fbuf belongs to the main thread */
	uint32_t seq = 0;

	while (!c->stop) {
		for (;;) {
			t_frame(frame, sizeof(frame), seq);
			if (tr_put(tx, frame, sizeof(frame), 0))
				break;
			seq++;
		}
		if (tp_txsync(c->m))
			c->err = errno;
		c->syncs++;
	}
	return NULL;
}

TEST(pipe_close_one_end_under_traffic)
{
	struct tport m, s;
	struct churn c;
	pthread_t th;
	int i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{9", 32));
	memset(&c, 0, sizeof(c));
	c.m = &m;
	CHECK_OK(pthread_create(&th, NULL, sender, &c));
	for (i = 0; i < 200; i++) {
		long last = -1, v;
		int k;

		if (popen_slots(&s, "sim0}9", 32)) {
			c.stop = 1;
			pthread_join(th, NULL);
			CHECK(!"reopen failed");
		}
		for (k = 0; k < 5; k++) {
			tp_rxsync(&s);
			while ((v = get_seq(tp_rx(&s, 0))) >= 0) {
				/* in order, no duplicates */
				if (last >= 0 && v != last + 1)
					break;
				last = v;
			}
			if (v == -1)
				break;
		}
		tp_close(&s);
		if (v == -1 || (v >= 0 && v != last + 1)) {
			c.stop = 1;
			pthread_join(th, NULL);
			t_failf(__FILE__, __LINE__, "iter %d: frame %ld after %ld", i, v, last);
			return;
		}
	}
	c.stop = 1;
	pthread_join(th, NULL);
	CHECK_EQ(c.err, 0);
	CHECK(c.syncs > 0);
	tp_close(&m);
}

/* poll: the receiver wakes with POLLIN, the sender gets POLLOUT back. */
TEST(pipe_poll)
{
	struct tport m, s;
	struct pollfd pfd;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{1", 8));
	CHECK_OK(popen_slots(&s, "sim0}1", 8));
	pfd.fd = s.fd;
	pfd.events = POLLIN;
	CHECK_EQ(nmsim_poll(&pfd, 1, 0), 0);
	CHECK_OK(put_seq(tp_tx(&m, 0), 1, 60));
	CHECK_OK(tp_txsync(&m));
	CHECK_EQ(nmsim_poll(&pfd, 1, 100), 1);
	CHECK(pfd.revents & POLLIN);
	CHECK_EQ(get_seq(tp_rx(&s, 0)), 1);
	pfd.fd = m.fd;
	pfd.events = POLLOUT;
	CHECK_EQ(nmsim_poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLOUT);
	tp_close(&m);
	tp_close(&s);
}

/*
 * Both ends busy at once from two threads: one sends, the other receives
 * and checks; the peer rx ring is what they share (its q_lock).
 */
struct two {
	struct tport	*p;
	uint32_t	total;
	char		err[96];
};

static void *pipe_tx_thread(void *arg)
{
	struct two *c = arg;
	struct netmap_ring *tx = tp_tx(c->p, 0);
	uint8_t frame[80];
	uint32_t seq = 0;

	while (seq < c->total) {
		while (seq < c->total) {
			t_frame(frame, (uint16_t)(60 + seq % 20), seq);
			if (tr_put(tx, frame, (uint16_t)(60 + seq % 20), 0))
				break;
			seq++;
		}
		if (tp_txsync(c->p)) {
			snprintf(c->err, sizeof(c->err), "txsync %d", errno);
			return NULL;
		}
	}
	/* the last ones may still wait for room */
	while (nm_ring_space(tx) != tx->num_slots - 1 && !c->err[0])
		tp_txsync(c->p);
	return NULL;
}

TEST(pipe_two_threads)
{
	struct tport m, s;
	struct netmap_ring *rx;
	struct two c;
	pthread_t th;
	uint32_t got = 0;
	uint8_t frame[128];

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(popen_slots(&m, "sim0{6", 64));
	CHECK_OK(popen_slots(&s, "sim0}6", 64));
	rx = tp_rx(&s, 0);
	memset(&c, 0, sizeof(c));
	c.p = &m;
	c.total = 200000;
	CHECK_OK(pthread_create(&th, NULL, pipe_tx_thread, &c));
	while (got < c.total && !c.err[0]) {
		int len;

		if (tp_rxsync(&s)) {
			snprintf(c.err, sizeof(c.err), "rxsync %d", errno);
			break;
		}
		while ((len = tr_get(rx, frame, sizeof(frame), NULL)) >= 0) {
			if (len != (int)(60 + got % 20) ||
			    t_frame_seq(frame, (uint16_t)len) != got) {
				snprintf(c.err, sizeof(c.err),
					 "frame %u: len %d seq %ld", got, len,
					 t_frame_seq(frame, (uint16_t)len));
				break;
			}
			got++;
		}
	}
	pthread_join(th, NULL);
	if (c.err[0]) {
		t_failf(__FILE__, __LINE__, "%s", c.err);
		return;
	}
	CHECK_EQ(got, c.total);
	CHECK_OK(tp_rxsync(&s));
	CHECK_EQ(get_seq(rx), -2);
	tp_close(&m);
	tp_close(&s);
}
