/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netmap monitors on sim NICs (whose tx loops back to rx) and pipe ends:
 * copy monitors of tx, rx and both (NS_TXMON), a full monitor ring that
 * costs the monitored port nothing, whole chains, zero-copy monitors and
 * their chains, several monitors on a ring, monitors coming and going
 * under traffic, and the monitored port closing first.
 */
#include <pthread.h>

#include "t.h"
#include "tutil.h"

static uint8_t fbuf[65536];

static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, 0);
}

/* Seq of the frame at head, taken; -2 empty, -1 broken. */
static long get_seq(struct netmap_ring *r, uint16_t *flags)
{
	int len = tr_get(r, fbuf, sizeof(fbuf), flags);

	if (len < 0)
		return -2;
	return t_frame_seq(fbuf, (uint16_t)len);
}

static int mon_open(struct tport *p, const char *name, uint64_t flags,
		    uint32_t slots)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_flags = flags;
	req.nr_rx_slots = slots;
	return tp_open_req(p, name, &req, NULL);
}

/* Sends seq [from, to) on p's tx ring 0, in one txsync. */
static int send_range(struct tport *p, uint32_t from, uint32_t to)
{
	uint32_t i;

	for (i = from; i < to; i++)
		if (put_seq(tp_tx(p, 0), i, (uint16_t)(60 + i % 100)))
			return -1;
	return tp_txsync(p);
}

/* ------------------------------------------------------------------ */

TEST(mon_lookup_errors)
{
	struct tport p, m;
	long base;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	base = nmsim_live_objects();
	/* the monitored port must be in netmap mode */
	CHECK_EQ(mon_open(&m, "sim0", NR_MONITOR_TX, 0), EINVAL);
	CHECK_EQ(mon_open(&m, "nosuch", NR_MONITOR_RX, 0), ENXIO);
	CHECK_EQ(mon_open(&m, "sim0{1", NR_MONITOR_RX, 0), ENXIO);
	CHECK_EQ(nmsim_live_objects(), base);
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	/* zero-copy of nothing */
	CHECK_EQ(mon_open(&m, "sim0", NR_ZCOPY_MON, 0), EINVAL);
	/* no host rings on a monitor */
	CHECK_EQ(tp_open(&m, "sim0", NR_REG_SW, 0, NR_MONITOR_TX), EINVAL);
	CHECK_EQ(mon_open(&m, "sim0", NR_MONITOR_TX, 2), EINVAL);
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX, 0));
	/* a monitor: rx rings only, one per monitored ring, private memory */
	CHECK_EQ(m.reg.nr_tx_rings, 0);
	CHECK_EQ(m.reg.nr_rx_rings, 1);
	CHECK_EQ(m.reg.nr_rx_slots, 64);
	CHECK(m.reg.nr_mem_id != p.reg.nr_mem_id);
	CHECK(m.nifp->ni_flags & NI_PRIV_MEM);
	CHECK_EQ(m.reg.nr_flags, NR_MONITOR_TX);
	tp_close(&m);
	tp_close(&p);
	CHECK_EQ(nmsim_live_objects(), base);
}

/* What the port sends, received by a /t monitor, tagged NS_TXMON. */
TEST(mon_copy_tx)
{
	struct tport p, m;
	struct netmap_ring *mr;
	uint16_t fl;
	uint32_t i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX, 0));
	mr = tp_rx(&m, 0);
	CHECK(mr != NULL);
	CHECK_OK(send_range(&p, 0, 10));
	/* the copy was made at txsync: nothing more after the port's rx */
	CHECK_OK(tp_rxsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 10);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(mr->slot[mr->head].len, 60 + i);
		CHECK_EQ(get_seq(mr, &fl), i);
		CHECK(fl & NS_TXMON);
		CHECK(!(fl & NS_MOREFRAG));
	}
	/* the port got its frames untouched */
	for (i = 0; i < 10; i++)
		CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), i);
	/* a txsync with nothing new copies nothing again */
	CHECK_OK(tp_txsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(get_seq(mr, NULL), -2);
	tp_close(&m);
	tp_close(&p);
}

TEST(mon_copy_rx)
{
	struct tport p, m;
	struct netmap_ring *mr;
	uint16_t fl;
	uint32_t i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_RX, 0));
	mr = tp_rx(&m, 0);
	CHECK_OK(send_range(&p, 0, 10));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 0);	/* not yet seen by the port */
	CHECK_OK(tp_rxsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 10);
	for (i = 0; i < 10; i++) {
		CHECK_EQ(get_seq(mr, &fl), i);
		CHECK(!(fl & NS_TXMON));
	}
	/* the same frames are not copied twice */
	CHECK_OK(tp_rxsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(get_seq(mr, NULL), -2);
	tp_close(&m);
	tp_close(&p);
}

/* /tr: both directions into ring i; ONE_NIC: only that ring. */
TEST(mon_copy_both_and_one_ring)
{
	struct tport p, m, m1;
	struct netmap_ring *mr;
	unsigned int tx = 0, rx = 0;
	uint16_t fl;
	long v;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX | NR_MONITOR_RX, 0));
	CHECK_EQ(m.reg.nr_rx_rings, 2);
	CHECK_OK(tp_open(&m1, "sim0", NR_REG_ONE_NIC, 1,
			 NR_MONITOR_TX | NR_MONITOR_RX));
	CHECK_OK(send_range(&p, 0, 5));
	CHECK_OK(tp_rxsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_OK(tp_rxsync(&m1));
	mr = tp_rx(&m, 0);
	while ((v = get_seq(mr, &fl)) >= 0) {
		/* tx copies first (the txsync), then rx */
		if (fl & NS_TXMON)
			CHECK_EQ(v, tx++);
		else
			CHECK_EQ(v, rx++);
		CHECK(rx == 0 || tx == 5);
	}
	CHECK_EQ(tx, 5);
	CHECK_EQ(rx, 5);
	CHECK_EQ(get_seq(tp_rx(&m, 1), NULL), -2);
	CHECK(tp_rx(&m1, 0) == NULL);
	CHECK_EQ(get_seq(tp_rx(&m1, 1), NULL), -2);
	/* traffic on ring 1 reaches both */
	{
		struct netmap_ring *t1 = tp_tx(&p, 1);

		CHECK_OK(put_seq(t1, 77, 60));
		CHECK_OK(tp_txsync(&p));
		CHECK_OK(tp_rxsync(&p));
	}
	CHECK_OK(tp_rxsync(&m));
	CHECK_OK(tp_rxsync(&m1));
	CHECK_EQ(nm_ring_space(tp_rx(&m, 1)), 2);
	CHECK_EQ(nm_ring_space(tp_rx(&m1, 1)), 2);
	CHECK_EQ(get_seq(tp_rx(&m1, 1), &fl), 77);
	CHECK(fl & NS_TXMON);
	tp_close(&m1);
	tp_close(&m);
	tp_close(&p);
}

/*
 * A monitor that never reads: it keeps the first frames and loses the
 * rest, the port loses nothing.
 */
TEST(mon_full_ring_costs_the_port_nothing)
{
	struct tport p, m, z;
	struct netmap_ring *mr;
	uint32_t sent = 0, got = 0, i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX | NR_MONITOR_RX, 8));
	CHECK_OK(mon_open(&z, "sim0", NR_MONITOR_TX | NR_MONITOR_RX |
			  NR_ZCOPY_MON, 8));
	while (sent < 2000) {
		CHECK_OK(send_range(&p, sent, sent + 16));
		sent += 16;
		CHECK_EQ(nm_ring_space(tp_tx(&p, 0)), 63);
		CHECK_OK(tp_rxsync(&p));
		while (got < sent) {
			CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), got);
			got++;
		}
		CHECK_OK(tp_rxsync(&p));
	}
	CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), -2);
	mr = tp_rx(&m, 0);
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 7);
	for (i = 0; i < 7; i++)
		CHECK_EQ(get_seq(mr, NULL), i);
	mr = tp_rx(&z, 0);
	CHECK_OK(tp_rxsync(&z));
	CHECK_EQ(nm_ring_space(mr), 7);
	for (i = 0; i < 7; i++)
		CHECK_EQ(get_seq(mr, NULL), i);
	tp_close(&z);
	tp_close(&m);
	tp_close(&p);
}

/* Chains reach the monitor whole, or not at all. */
TEST(mon_copy_morefrag_whole_chains)
{
	struct tport p, m;
	struct netmap_ring *tx, *mr;
	uint32_t k, n = 0;
	uint16_t fl;
	int len;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX, 8));
	tx = tp_tx(&p, 0);
	for (k = 0; k < 4; k++) {
		CHECK_OK(tr_put(tx, "aaaa", 4, NS_MOREFRAG));
		CHECK_OK(tr_put(tx, "bbbb", 4, NS_MOREFRAG));
		CHECK_OK(tr_put(tx, "cc", 2, 0));
	}
	CHECK_OK(tp_txsync(&p));
	CHECK_OK(tp_rxsync(&m));
	mr = tp_rx(&m, 0);
	/* room for 7 slots: two chains of 3, never a piece of a third */
	CHECK_EQ(nm_ring_space(mr), 6);
	while ((len = tr_get(mr, fbuf, 4, &fl)) >= 0) {
		static const char *const want[] = { "aaaa", "bbbb", "cc" };

		CHECK(!memcmp(fbuf, want[n % 3], (size_t)len));
		CHECK_EQ(!!(fl & NS_MOREFRAG), n % 3 != 2);
		n++;
	}
	CHECK_EQ(n, 6);
	/* a chain split over two txsyncs appears when it is complete */
	CHECK_OK(tp_rxsync(&m));
	CHECK_OK(tr_put(tx, "dd", 2, NS_MOREFRAG));
	CHECK_OK(tp_txsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 0);
	CHECK_OK(tr_put(tx, "ee", 2, 0));
	CHECK_OK(tp_txsync(&p));
	CHECK_OK(tp_rxsync(&m));
	CHECK_EQ(nm_ring_space(mr), 2);
	tp_close(&m);
	tp_close(&p);
}

TEST(mon_several_on_one_ring)
{
	enum { NM = 4 };
	struct tport p, m[NM];
	uint32_t i, j;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	for (j = 0; j < NM; j++)
		CHECK_OK(mon_open(&m[j], "sim0", NR_MONITOR_TX, 0));
	CHECK_OK(send_range(&p, 0, 20));
	/* one goes away in the middle */
	tp_close(&m[1]);
	CHECK_OK(send_range(&p, 20, 30));
	for (j = 0; j < NM; j++) {
		if (j == 1)
			continue;
		CHECK_OK(tp_rxsync(&m[j]));
		for (i = 0; i < 30; i++)
			CHECK_EQ(get_seq(tp_rx(&m[j], 0), NULL), i);
		CHECK_EQ(get_seq(tp_rx(&m[j], 0), NULL), -2);
	}
	for (j = 0; j < NM; j++)
		if (j != 1)
			tp_close(&m[j]);
	tp_close(&p);
}

/* A /tz monitor gets the very buffers the port sent. */
TEST(mon_zcopy_tx)
{
	struct tport p, m;
	struct netmap_ring *tx, *mr;
	uint32_t idx[5], i;
	uint16_t fl;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX | NR_ZCOPY_MON, 0));
	CHECK_EQ(m.reg.nr_mem_id, p.reg.nr_mem_id);
	tx = tp_tx(&p, 0);
	for (i = 0; i < 5; i++)
		idx[i] = tx->slot[i].buf_idx;
	CHECK_OK(send_range(&p, 0, 5));
	CHECK_OK(tp_rxsync(&m));
	mr = tp_rx(&m, 0);
	CHECK_EQ(nm_ring_space(mr), 5);
	for (i = 0; i < 5; i++) {
		CHECK_EQ(mr->slot[mr->head].buf_idx, idx[i]);
		CHECK(tx->slot[i].buf_idx != idx[i]);
		CHECK(tx->slot[i].flags & NS_BUF_CHANGED);
		CHECK_EQ(get_seq(mr, &fl), i);
		CHECK(fl & NS_TXMON);
	}
	/* the port's loopback got them too, and the port keeps going */
	CHECK_OK(tp_rxsync(&p));
	for (i = 0; i < 5; i++)
		CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), i);
	CHECK_OK(tp_rxsync(&m));
	for (i = 0; i < 200; i += 10) {
		uint32_t k;

		CHECK_OK(send_range(&p, 5 + i, 15 + i));
		CHECK_OK(tp_rxsync(&p));
		for (k = 5 + i; k < 15 + i; k++)
			CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), k);
		CHECK_OK(tp_rxsync(&m));
		for (k = 5 + i; k < 15 + i; k++)
			CHECK_EQ(get_seq(mr, NULL), k);
	}
	tp_close(&m);
	tp_close(&p);
}

/*
 * /rz: the monitor sees what the port's user released, as the user left
 * it; a second /rz sees what the first released (a chain).
 */
TEST(mon_zcopy_rx_chain)
{
	struct tport p, z1, z2;
	struct netmap_ring *rx, *r1, *r2;
	uint32_t i, round;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&z1, "sim0", NR_MONITOR_RX | NR_ZCOPY_MON, 0));
	CHECK_OK(mon_open(&z2, "sim0", NR_MONITOR_RX | NR_ZCOPY_MON, 0));
	rx = tp_rx(&p, 0);
	r1 = tp_rx(&z1, 0);
	r2 = tp_rx(&z2, 0);
	for (round = 0; round < 20; round++) {
		uint32_t b = round * 10;

		CHECK_OK(send_range(&p, b, b + 10));
		CHECK_OK(tp_rxsync(&p));
		for (i = b; i < b + 10; i++)
			CHECK_EQ(get_seq(rx, NULL), i);
		CHECK_OK(tp_rxsync(&z1));
		CHECK_EQ(nm_ring_space(r1), 0);	/* not released yet */
		CHECK_OK(tp_rxsync(&p));	/* released */
		CHECK_OK(tp_rxsync(&z1));
		CHECK_EQ(nm_ring_space(r1), 10);
		for (i = b; i < b + 10; i++)
			CHECK_EQ(get_seq(r1, NULL), i);
		CHECK_OK(tp_rxsync(&z2));
		CHECK_EQ(nm_ring_space(r2), 0);
		CHECK_OK(tp_rxsync(&z1));	/* z1 releases: z2 sees */
		CHECK_OK(tp_rxsync(&z2));
		CHECK_EQ(nm_ring_space(r2), 10);
		for (i = b; i < b + 10; i++)
			CHECK_EQ(get_seq(r2, NULL), i);
		CHECK_OK(tp_rxsync(&z2));
	}
	/* the end of the chain goes: the rest keeps working */
	tp_close(&z2);
	CHECK_OK(send_range(&p, 500, 510));
	CHECK_OK(tp_rxsync(&p));
	for (i = 500; i < 510; i++)
		CHECK_EQ(get_seq(rx, NULL), i);
	CHECK_OK(tp_rxsync(&p));
	CHECK_OK(tp_rxsync(&z1));
	CHECK_EQ(get_seq(r1, NULL), 500);
	tp_close(&z1);
	tp_close(&p);
}

/* Closing a link of a zero-copy chain: the ones after it are zombies. */
TEST(mon_zcopy_chain_middle_closes)
{
	struct tport p, z1, z2;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&z1, "sim0", NR_MONITOR_RX | NR_ZCOPY_MON, 0));
	CHECK_OK(mon_open(&z2, "sim0", NR_MONITOR_RX | NR_ZCOPY_MON, 0));
	tp_close(&z1);
	CHECK_EQ(tp_rxsync(&z2), ENXIO);
	/* the port does not care */
	CHECK_OK(send_range(&p, 0, 10));
	CHECK_OK(tp_rxsync(&p));
	CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), 0);
	CHECK_OK(tp_rxsync(&p));
	tp_close(&z2);
	tp_close(&p);
}

TEST(mon_port_closes_first)
{
	struct tport p, m, z, z2;
	struct pollfd pfd;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_TX | NR_MONITOR_RX, 0));
	CHECK_OK(mon_open(&z, "sim0", NR_MONITOR_TX | NR_ZCOPY_MON, 0));
	CHECK_OK(mon_open(&z2, "sim0", NR_MONITOR_TX | NR_ZCOPY_MON, 0));
	CHECK_OK(send_range(&p, 0, 10));
	tp_close(&p);
	CHECK_EQ(tp_rxsync(&m), ENXIO);
	CHECK_EQ(tp_rxsync(&z), ENXIO);
	CHECK_EQ(tp_rxsync(&z2), ENXIO);
	pfd.fd = m.fd;
	pfd.events = POLLIN;
	CHECK_EQ(nmsim_poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLERR);
	/* the port comes back: the old monitors stay dead */
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(send_range(&p, 0, 10));
	CHECK_EQ(tp_rxsync(&m), ENXIO);
	tp_close(&z);
	tp_close(&m);
	tp_close(&z2);
	/* and the NIC itself goes while the port and a monitor are open */
	CHECK_OK(mon_open(&m, "sim0", NR_MONITOR_RX, 0));
	CHECK_OK(nmsim_nic_destroy("sim0"));
	CHECK_EQ(tp_txsync(&p), ENXIO);
	tp_close(&p);
	CHECK_EQ(tp_rxsync(&m), ENXIO);
	tp_close(&m);
}

/* Monitors of a pipe end: copies of both ways, zero-copy of rx. */
TEST(mon_on_pipe_end)
{
	struct tport a, b, m, z, x;
	uint32_t i;
	uint16_t fl;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&a, "sim0{1", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(tp_open(&b, "sim0}1", NR_REG_ALL_NIC, 0, 0));
	CHECK_OK(mon_open(&m, "sim0{1", NR_MONITOR_TX, 0));
	CHECK_OK(mon_open(&z, "sim0}1", NR_MONITOR_RX | NR_ZCOPY_MON, 0));
	CHECK_EQ(mon_open(&x, "sim0{1", NR_MONITOR_TX | NR_ZCOPY_MON, 0),
		 EOPNOTSUPP);
	CHECK_OK(send_range(&a, 0, 8));
	CHECK_OK(tp_rxsync(&b));
	for (i = 0; i < 8; i++)
		CHECK_EQ(get_seq(tp_rx(&b, 0), NULL), i);
	CHECK_OK(tp_rxsync(&b));
	CHECK_OK(tp_rxsync(&m));
	CHECK_OK(tp_rxsync(&z));
	for (i = 0; i < 8; i++) {
		CHECK_EQ(get_seq(tp_rx(&m, 0), &fl), i);
		CHECK(fl & NS_TXMON);
		CHECK_EQ(get_seq(tp_rx(&z, 0), NULL), i);
	}
	/* and the pipe keeps flowing with the exchanged buffers */
	CHECK_OK(tp_rxsync(&z));
	for (i = 0; i < 100; i += 4) {
		uint32_t k;

		CHECK_OK(send_range(&a, 100 + i, 104 + i));
		CHECK_OK(tp_rxsync(&b));
		for (k = 100 + i; k < 104 + i; k++)
			CHECK_EQ(get_seq(tp_rx(&b, 0), NULL), k);
		CHECK_OK(tp_rxsync(&b));
	}
	tp_close(&a);	/* the monitored end goes: its monitor is dead */
	CHECK_EQ(tp_rxsync(&m), ENXIO);
	CHECK_OK(tp_rxsync(&z));
	tp_close(&m);
	tp_close(&z);
	tp_close(&b);
}

/*
 * Monitors open and close over and over while the port runs traffic in
 * another thread: the port sees every frame, in order.
 */
struct traffic {
	struct tport	*p;
	volatile int	stop;
	long		frames;
	char		err[128];
};

static void *port_traffic(void *arg)
{
	struct traffic *c = arg;
	struct netmap_ring *tx = tp_tx(c->p, 0), *rx = tp_rx(c->p, 0);
	uint8_t frame[128];
	uint32_t sent = 0, got = 0, k;

	while (!c->stop) {
		for (k = 0; k < 16; k++, sent++) {
			t_frame(frame, 100, sent);
			if (tr_put(tx, frame, 100, 0))
				break;
		}
		if (tp_txsync(c->p) || tp_rxsync(c->p)) {
			snprintf(c->err, sizeof(c->err), "sync: %d", errno);
			return NULL;
		}
		while (tr_get(rx, frame, sizeof(frame), NULL) == 100) {
			if (t_frame_seq(frame, 100) != got) {
				snprintf(c->err, sizeof(c->err),
					 "got %ld want %u",
					 t_frame_seq(frame, 100), got);
				return NULL;
			}
			got++;
		}
		tp_rxsync(c->p);
	}
	c->frames = got;
	if (got + 16 < sent)
		snprintf(c->err, sizeof(c->err), "lost %u", sent - got);
	return NULL;
}

TEST(mon_open_close_under_traffic)
{
	static const uint64_t kinds[] = {
		NR_MONITOR_TX, NR_MONITOR_RX, NR_MONITOR_TX | NR_MONITOR_RX,
		NR_MONITOR_TX | NR_ZCOPY_MON, NR_MONITOR_RX | NR_ZCOPY_MON,
	};
	struct tport p, m[2];
	struct traffic c;
	pthread_t th;
	int i;

	/*
	 * A monitor coming or going holds the port's ring for a moment, and
	 * a sync meeting it is skipped (as any busy ring): a big rx ring
	 * keeps such skips from filling it up.
	 */
	CHECK_OK(nmsim_nic_create("sim0", 1, 1024));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	memset(&c, 0, sizeof(c));
	c.p = &p;
	CHECK_OK(pthread_create(&th, NULL, port_traffic, &c));
	for (i = 0; i < 300 && !c.err[0]; i++) {
		int err = mon_open(&m[i % 2], "sim0", kinds[i % 5], 16);

		if (err) {
			snprintf(c.err, sizeof(c.err), "monitor open: %d", err);
			if (i % 2)
				tp_close(&m[0]);
			break;
		}
		tp_rxsync(&m[i % 2]);
		tp_rxsync(&m[i % 2]);
		if (i % 2) {
			tp_close(&m[0]);
			tp_close(&m[1]);
		}
	}
	if (!c.err[0] && i % 2)
		tp_close(&m[0]);
	c.stop = 1;
	pthread_join(th, NULL);
	if (c.err[0]) {
		struct nmsim_nic_stats st;

		nmsim_nic_stats("sim0", &st);
		t_failf(__FILE__, __LINE__, "%s (i %d, nic tx %llu rx %llu drop %llu)",
			c.err, i, (unsigned long long)st.tx_frames,
			(unsigned long long)st.rx_frames,
			(unsigned long long)st.rx_dropped);
		return;
	}
	CHECK(c.frames > 0);
	{
		struct nmsim_nic_stats st;

		CHECK_OK(nmsim_nic_stats("sim0", &st));
		CHECK_EQ(st.rx_dropped, 0);
	}
	tp_close(&p);
}

/* Zero-copy chains are bounded: the ninth on a ring is refused. */
TEST(mon_zcopy_chain_bounded)
{
	struct tport p, z[9];
	int i;

	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0));
	for (i = 0; i < 8; i++)
		CHECK_OK(mon_open(&z[i], "sim0", NR_MONITOR_RX | NR_ZCOPY_MON,
				  16));
	CHECK_EQ(mon_open(&z[8], "sim0", NR_MONITOR_RX | NR_ZCOPY_MON, 16),
		 EBUSY);
	/* the chain carries a frame to its end */
	CHECK_OK(send_range(&p, 0, 1));
	CHECK_OK(tp_rxsync(&p));
	CHECK_EQ(get_seq(tp_rx(&p, 0), NULL), 0);
	CHECK_OK(tp_rxsync(&p));
	for (i = 0; i < 8; i++) {
		CHECK_OK(tp_rxsync(&z[i]));
		CHECK_EQ(get_seq(tp_rx(&z[i], 0), NULL), 0);
		CHECK_OK(tp_rxsync(&z[i]));
	}
	/* the port closing kills the whole chain */
	tp_close(&p);
	for (i = 0; i < 8; i++) {
		CHECK_EQ(tp_rxsync(&z[i]), ENXIO);
		tp_close(&z[i]);
	}
}
