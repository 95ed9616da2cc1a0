/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VALE switch: port names and limits, the learning bridge, the data
 * path (batches, fragments, indirect buffers, offsets, malformed slots,
 * many senders at once), custom lookups, NICs on a switch, and the
 * control requests.
 */
#include <pthread.h>
#include <stdbool.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "t.h"
#include "tutil.h"

#define RUN(call) do {							\
	call;								\
	if (t_failed())							\
		return;							\
} while (0)

static uint8_t fbuf[65536];
static uint8_t gbuf[65536];

/* 02:00:00:00:00:xx */
static void mac(uint8_t *m, uint8_t x)
{
	memset(m, 0, 6);
	m[0] = 0x02;
	m[5] = x;
}

/* An Ethernet frame dst <- src carrying seq, len bytes. */
static void eth(uint8_t *buf, uint16_t len, uint8_t dst, uint8_t src,
		uint32_t seq)
{
	t_frame(buf, len, seq);
	if (dst == 0xff)
		memset(buf, 0xff, 6);
	else
		mac(buf, dst);
	mac(buf + 6, src);
	memcpy(buf + 12, &seq, 4);
}

static uint32_t eth_seq(const uint8_t *buf)
{
	uint32_t seq;

	memcpy(&seq, buf + 12, 4);
	return seq;
}

static int vopen(struct tport *p, const char *name)
{
	return tp_open(p, name, NR_REG_ALL_NIC, 0, 0);
}

static int vopen_req(struct tport *p, const char *name, uint16_t rings,
		     uint32_t slots)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_tx_rings = req.nr_rx_rings = rings;
	req.nr_tx_slots = req.nr_rx_slots = slots;
	return tp_open_req(p, name, &req, NULL);
}

/* Send one frame from p (ring 0) and txsync. */
static int send1(struct tport *p, uint8_t dst, uint8_t src, uint32_t seq,
		 uint16_t len)
{
	eth(fbuf, len, dst, src, seq);
	if (tr_put(tp_tx(p, 0), fbuf, len, 0))
		return -1;
	return tp_txsync(p);
}

/* Frames waiting on p's rx ring 0 after an rxsync (not consumed). */
static int pending(struct tport *p)
{
	struct netmap_ring *r;

	tp_rxsync(p);
	r = tp_rx(p, 0);
	return (int)((r->tail + r->num_slots - r->head) % r->num_slots);
}

/* Take one frame (single slot) from p; its length, -1 if none. */
static int recv1(struct tport *p, uint8_t *buf, uint16_t *flags)
{
	struct netmap_ring *r = tp_rx(p, 0);

	if (nm_ring_empty(r))
		tp_rxsync(p);
	return tr_get(r, buf, 65536, flags);
}

static void drain(struct tport *p)
{
	while (recv1(p, gbuf, NULL) >= 0)
		;
	tp_rxsync(p);
}

/* ------------------------------------------------------------------ */
/* names and limits                                                    */
/* ------------------------------------------------------------------ */

TEST(vale_register_basic)
{
	struct tport a;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_EQ(a.reg.nr_tx_rings, 1);
	CHECK_EQ(a.reg.nr_rx_rings, 1);
	CHECK_EQ(a.reg.nr_tx_slots, 1024);
	CHECK_EQ(a.reg.nr_rx_slots, 1024);
	CHECK(a.reg.nr_mem_id > 1);	/* a private allocator */
	CHECK(a.nifp->ni_flags & NI_PRIV_MEM);
	CHECK_EQ(tp_tx(&a, 0)->nr_buf_size, 2048);
	CHECK_EQ(tp_tx(&a, 0)->tail, 1023);
	CHECK(strcmp(a.nifp->ni_name, "vale0:a") == 0);
	tp_close(&a);
}

TEST(vale_register_bad_names)
{
	static const char *const bad[] = {
		"vale", "vale0", "vale0:", "vale:a", "vale0:a:b", "vale0:a b",
		"vale0:a^", "vale0:^", "vale0:a-b", "vale-1:a",
	};
	struct tport a;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = vopen(&a, bad[i]);

		if (err != EINVAL && !(err == ENXIO && i == 6)) {
			t_failf(__FILE__, __LINE__, "%s: %d", bad[i], err);
			return;
		}
	}
	/* 63 characters is fine */
	{
		char name[64];

		memset(name, 'x', sizeof(name));
		memcpy(name, "vale0:", 6);
		name[63] = '\0';
		CHECK_OK(vopen(&a, name));
		tp_close(&a);
	}
}

TEST(vale_register_geometry)
{
	struct tport a, b;

	CHECK_OK(vopen_req(&a, "vale0:a", 4, 256));
	CHECK_EQ(a.reg.nr_tx_rings, 4);
	CHECK_EQ(a.reg.nr_rx_slots, 256);
	CHECK(tp_rx(&a, 3) != NULL);
	CHECK_EQ(tp_rx(&a, 3)->num_slots, 256);
	/* bounded: 100 rings become 16 */
	CHECK_OK(vopen_req(&b, "vale0:b", 100, 8));
	CHECK_EQ(b.reg.nr_tx_rings, 16);
	CHECK_EQ(b.reg.nr_tx_slots, 8);
	/* a second registration sees the port as created */
	tp_close(&b);
	tp_close(&a);
}

/* An ephemeral port goes with its last registration, memory and all. */
TEST(vale_ephemeral_lifetime)
{
	struct tport a, a2;
	long base;

	nmsim_close(nmsim_open());	/* the sim is up */
	base = nmsim_live_objects();

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&a2, "vale0:a"));
	CHECK_EQ(a.reg.nr_mem_id, a2.reg.nr_mem_id);
	tp_close(&a);
	CHECK(nmsim_live_objects() > base);
	tp_close(&a2);
	CHECK_EQ(nmsim_live_objects(), base);
}

/*
 * A full switch of ports with default rings, in at most 1.5 GiB of
 * populated allocator memory (the layouts are larger: room for pipes,
 * populated when they open); the 255th port is refused.
 */
TEST(vale_254_ports)
{
	static struct tport p[255];
	struct tport x;
	uint64_t total = 0;
	char name[32];
	int i;

	for (i = 0; i < 254; i++) {
		snprintf(name, sizeof(name), "vale0:p%d", i);
		CHECK_OK(vopen(&p[i], name));
		total += (uint64_t)nmsim_mem_populated(p[i].reg.nr_mem_id);
	}
	CHECK(total > 254ULL * 4 << 20);	/* at least the buffers */
	CHECK(total <= 3ULL << 29);
	CHECK_EQ(vopen_req(&x, "vale0:one_more", 1, 64), ENOSPC);
	/* other switches are unaffected */
	CHECK_OK(vopen_req(&x, "vale1:one_more", 1, 64));
	/* a broadcast reaches all 253 others */
	CHECK_OK(send1(&p[0], 0xff, 1, 7, 60));
	for (i = 1; i < 254; i++)
		CHECK_EQ(pending(&p[i]), 1);
	CHECK_EQ(pending(&x), 0);
	tp_close(&p[100]);
	CHECK_OK(vopen_req(&p[100], "vale0:again", 1, 64));
	tp_close(&x);
	for (i = 0; i < 254; i++)
		tp_close(&p[i]);
}

TEST(vale_many_switches)
{
	struct tport p[17];
	char name[32];
	int i;

	for (i = 0; i < 16; i++) {
		snprintf(name, sizeof(name), "vale%d:p", i);
		CHECK_OK(vopen_req(&p[i], name, 1, 64));
	}
	CHECK_EQ(vopen_req(&p[16], "valeX:p", 1, 64), ENOSPC);
	for (i = 0; i < 16; i++)
		tp_close(&p[i]);
	CHECK_OK(vopen_req(&p[16], "valeX:p", 1, 64));
	tp_close(&p[16]);
}

/* ------------------------------------------------------------------ */
/* learning bridge                                                     */
/* ------------------------------------------------------------------ */

TEST(vale_flood_then_learn)
{
	struct tport a, b, c;
	uint16_t fl;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK_OK(vopen(&c, "vale0:c"));
	/* unknown unicast floods, never back to the sender */
	CHECK_OK(send1(&a, 0xb, 0xa, 1, 60));
	CHECK_EQ(pending(&a), 0);
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 1);
	CHECK_EQ(recv1(&b, gbuf, &fl), 60);
	CHECK_EQ(eth_seq(gbuf), 1);
	CHECK_EQ(fl >> 8, 1);	/* one slot */
	drain(&c);
	/* b answers a: a is known, only a gets it */
	CHECK_OK(send1(&b, 0xa, 0xb, 2, 60));
	CHECK_EQ(pending(&a), 1);
	CHECK_EQ(pending(&c), 0);
	drain(&a);
	/* now b is known too */
	CHECK_OK(send1(&a, 0xb, 0xa, 3, 100));
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 0);
	CHECK_EQ(recv1(&b, gbuf, NULL), 100);
	CHECK_EQ(eth_seq(gbuf), 3);
	eth(fbuf, 100, 0xb, 0xa, 3);
	CHECK(memcmp(fbuf, gbuf, 100) == 0);
	/* broadcast and multicast flood */
	CHECK_OK(send1(&a, 0xff, 0xa, 4, 60));
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 1);
	drain(&b);
	drain(&c);
	eth(fbuf, 60, 0xb, 0xa, 5);
	fbuf[0] = 0x01;	/* multicast */
	CHECK_OK(tr_put(tp_tx(&a, 0), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 1);
	drain(&b);
	drain(&c);
	/* a frame to the sender's own MAC goes nowhere */
	CHECK_OK(send1(&a, 0xa, 0xa, 6, 60));
	CHECK_EQ(pending(&a) + pending(&b) + pending(&c), 0);
	/* runts are dropped */
	CHECK_OK(send1(&a, 0xb, 0xa, 7, 13));
	CHECK_EQ(pending(&b), 0);
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

/* A multicast source is not learned; NS_NO_LEARN is honoured. */
TEST(vale_learn_exceptions)
{
	struct tport a, b, c;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK_OK(vopen(&c, "vale0:c"));
	eth(fbuf, 60, 0xff, 0xa, 1);
	fbuf[6] = 0x03;	/* source 03:..:0a, multicast */
	CHECK_OK(tr_put(tp_tx(&a, 0), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&a));
	drain(&b);
	drain(&c);
	eth(fbuf, 60, 0xa, 0xb, 2);
	fbuf[0] = 0x02;
	CHECK_OK(send1(&b, 0xa, 0xb, 2, 60));	/* 02:..:0a unknown: flood */
	CHECK_EQ(pending(&a), 1);
	CHECK_EQ(pending(&c), 1);
	drain(&a);
	drain(&c);
	/* c sends with NO_LEARN: frames to c still flood */
	eth(fbuf, 60, 0xff, 0xc, 3);
	CHECK_OK(tr_put(tp_tx(&c, 0), fbuf, 60, NS_NO_LEARN));
	CHECK_OK(tp_txsync(&c));
	drain(&a);
	drain(&b);
	CHECK_OK(send1(&a, 0xc, 0xa, 4, 60));
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 1);
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

/* A station moving to another port is followed. */
TEST(vale_learn_moves)
{
	struct tport a, b, c;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK_OK(vopen(&c, "vale0:c"));
	CHECK_OK(send1(&b, 0xff, 0x10, 1, 60));
	drain(&a);
	drain(&c);
	CHECK_OK(send1(&a, 0x10, 0xa, 2, 60));
	CHECK_EQ(pending(&b), 1);
	CHECK_EQ(pending(&c), 0);
	drain(&b);
	CHECK_OK(send1(&c, 0xff, 0x10, 3, 60));
	drain(&a);
	drain(&b);
	CHECK_OK(send1(&a, 0x10, 0xa, 4, 60));
	CHECK_EQ(pending(&b), 0);
	CHECK_EQ(pending(&c), 1);
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

/* ------------------------------------------------------------------ */
/* data path                                                           */
/* ------------------------------------------------------------------ */

/* b's MAC learned on vale0 so that a -> b is unicast. */
static void learn(struct tport *b, uint8_t bmac, struct tport *a)
{
	CHECK_OK(send1(b, 0xff, bmac, 0, 60));
	drain(a);
}

/* Batches over 1024 slots in one txsync, with the rx ring keeping up. */
TEST(vale_big_batches)
{
	struct tport a, b;
	struct netmap_ring *tx, *rx;
	uint32_t i, got = 0;

	CHECK_OK(vopen_req(&a, "vale0:a", 1, 4096));
	CHECK_OK(vopen_req(&b, "vale0:b", 1, 4096));
	RUN(learn(&b, 0xb, &a));
	tx = tp_tx(&a, 0);
	rx = tp_rx(&b, 0);
	for (i = 0; i < 3000; i++) {
		eth(fbuf, 60 + i % 100, 0xb, 0xa, i);
		CHECK_OK(tr_put(tx, fbuf, 60 + i % 100, 0));
	}
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(tx->tail, nm_ring_next(tx, tx->head) == 0 ? 4095 :
		 (tx->head + 4095) % 4096);
	CHECK_OK(tp_rxsync(&b));
	while (!nm_ring_empty(rx)) {
		int len = tr_get(rx, gbuf, sizeof(gbuf), NULL);

		CHECK_EQ(len, 60 + got % 100);
		CHECK_EQ(eth_seq(gbuf), got);
		got++;
	}
	CHECK_EQ(got, 3000);
	CHECK_OK(tp_rxsync(&b));	/* give the slots back */
	/* a full destination drops the excess, counts it, never blocks */
	for (i = 0; i < 4095; i++) {
		eth(fbuf, 60, 0xb, 0xa, i);
		CHECK_OK(tr_put(tx, fbuf, 60, 0));
	}
	CHECK_OK(tp_txsync(&a));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ((rx->tail + 4096 - rx->head) % 4096, 4095);
	for (i = 0; i < 10; i++)
		CHECK_OK(send1(&a, 0xb, 0xa, 5000 + i, 60));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ((rx->tail + 4096 - rx->head) % 4096, 4095);
	CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
	CHECK_EQ(eth_seq(gbuf), 0);
	tp_close(&a);
	tp_close(&b);
}

/* Put a frame of len bytes as nfrag slots; the last without MOREFRAG. */
static int put_frags(struct netmap_ring *r, const uint8_t *frame,
		     uint32_t len, uint32_t nfrag, bool close)
{
	uint32_t per = (len + nfrag - 1) / nfrag, off = 0, k;

	for (k = 0; k < nfrag; k++) {
		uint32_t l = len - off < per ? len - off : per;
		uint16_t fl = k + 1 < nfrag || !close ? NS_MOREFRAG : 0;

		if (tr_put(r, frame + off, (uint16_t)l, fl))
			return -1;
		off += l;
	}
	return 0;
}

/* Take a whole frame (a MOREFRAG chain) from rx; its length, slots. */
static long get_chain(struct netmap_ring *r, uint8_t *buf, uint32_t *nslots,
		      uint32_t *rfrags)
{
	uint32_t n = 0;
	long len = 0;
	uint16_t fl;

	do {
		int l;

		if (nm_ring_empty(r))
			return -2;
		if (n == 0)
			*rfrags = NS_RFRAGS(&r->slot[r->head]);
		l = tr_get(r, buf + len, 65536 - (size_t)len, &fl);
		len += l;
		n++;
	} while (fl & NS_MOREFRAG);
	*nslots = n;
	return len;
}

TEST(vale_morefrag)
{
	struct tport a, b;
	struct netmap_ring *tx, *rx;
	uint32_t nf, ns, rf;
	long len;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	RUN(learn(&b, 0xb, &a));
	tx = tp_tx(&a, 0);
	rx = tp_rx(&b, 0);
	for (nf = 1; nf <= 64; nf++) {
		uint32_t flen = nf * 1000 < 14 ? 14 : nf * 1000;

		if (flen > nf * 2048)
			flen = nf * 2048;
		eth(fbuf, (uint16_t)(flen > 60000 ? 60000 : flen), 0xb, 0xa,
		    nf);
		if (flen > 60000)
			memcpy(fbuf + 60000, fbuf, flen - 60000);
		CHECK_OK(put_frags(tx, fbuf, flen, nf, true));
		CHECK_OK(tp_txsync(&a));
		CHECK_OK(tp_rxsync(&b));
		len = get_chain(rx, gbuf, &ns, &rf);
		CHECK_EQ(len, flen);
		CHECK_EQ(ns, (flen + 2047) / 2048);
		CHECK_EQ(rf, ns);
		CHECK(memcmp(gbuf, fbuf, flen) == 0);
		CHECK(nm_ring_empty(rx));
		tp_rxsync(&b);
	}
	/* a chain not finished at head waits for its end */
	eth(fbuf, 3000, 0xb, 0xa, 100);
	CHECK_OK(put_frags(tx, fbuf, 2000, 2, false));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 0);
	CHECK_EQ(tx->tail, (tx->head + 1024 - 3) % 1024);
	CHECK_OK(tr_put(tx, fbuf + 2000, 1000, 0));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 2);
	len = get_chain(rx, gbuf, &ns, &rf);
	CHECK_EQ(len, 3000);
	CHECK(memcmp(gbuf, fbuf, 3000) == 0);
	/* 65 fragments: dropped whole, the next frame goes through */
	CHECK_OK(put_frags(tx, fbuf, 65 * 20, 65, true));
	CHECK_OK(send1(&a, 0xb, 0xa, 101, 60));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
	CHECK_EQ(eth_seq(gbuf), 101);
	CHECK(nm_ring_empty(rx));
	/* ... also when the over-long chain arrives over several syncs */
	CHECK_OK(put_frags(tx, fbuf, 70 * 20, 70, false));
	CHECK_OK(tp_txsync(&a));
	CHECK_OK(put_frags(tx, fbuf, 30 * 20, 30, true));
	CHECK_OK(send1(&a, 0xb, 0xa, 102, 60));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
	CHECK_EQ(eth_seq(gbuf), 102);
	CHECK(nm_ring_empty(rx));
	tp_close(&a);
	tp_close(&b);
}

/* A chain the destination has no room for is dropped whole. */
TEST(vale_morefrag_no_room)
{
	struct tport a, b;
	struct netmap_ring *tx, *rx;
	uint32_t i, ns, rf;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen_req(&b, "vale0:b", 1, 16));
	RUN(learn(&b, 0xb, &a));
	tx = tp_tx(&a, 0);
	rx = tp_rx(&b, 0);
	/* 20 slots can never fit a ring of 16 */
	eth(fbuf, 20 * 2048, 0xb, 0xa, 1);
	CHECK_OK(put_frags(tx, fbuf, 20 * 2048, 20, true));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 0);
	/* fill 12 of 15, then a 4-slot chain does not fit, a 3-slot one does */
	for (i = 0; i < 12; i++)
		CHECK_OK(send1(&a, 0xb, 0xa, i, 60));
	CHECK_OK(put_frags(tx, fbuf, 4 * 2048, 4, true));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 12);
	CHECK_OK(put_frags(tx, fbuf, 3 * 2048, 3, true));
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 15);
	for (i = 0; i < 12; i++)
		CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
	CHECK_EQ(get_chain(rx, gbuf, &ns, &rf), 3 * 2048);
	CHECK_EQ(rf, 3);
	tp_close(&a);
	tp_close(&b);
}

TEST(vale_indirect)
{
	struct tport a, b;
	struct netmap_ring *tx, *rx;
	struct netmap_slot *s;
	static uint8_t user[4096];
	uint16_t fl;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	RUN(learn(&b, 0xb, &a));
	tx = tp_tx(&a, 0);
	rx = tp_rx(&b, 0);
	eth(user, 1500, 0xb, 0xa, 42);
	s = &tx->slot[tx->head];
	s->ptr = (uintptr_t)user;
	s->len = 1500;
	s->flags = NS_INDIRECT;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), &fl), 1500);
	CHECK(memcmp(gbuf, user, 1500) == 0);
	/* bad pointers: outside user memory, or NULL; dropped, no crash */
	nmsim_user_restrict(fbuf, sizeof(fbuf));
	s = &tx->slot[tx->head];
	s->ptr = (uintptr_t)user;
	s->len = 100;
	s->flags = NS_INDIRECT;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	s = &tx->slot[tx->head];
	s->ptr = 16;
	s->len = 100;
	s->flags = NS_INDIRECT;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	/* a good one from the allowed region follows */
	eth(fbuf, 80, 0xb, 0xa, 43);
	s = &tx->slot[tx->head];
	s->ptr = (uintptr_t)fbuf;
	s->len = 80;
	s->flags = NS_INDIRECT;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	nmsim_user_restrict(NULL, 0);
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 0);
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), &fl), 80);
	CHECK_EQ(eth_seq(gbuf), 43);
	CHECK(nm_ring_empty(rx));
	tp_close(&a);
	tp_close(&b);
}

static int vopen_off(struct tport *p, const char *name, uint64_t max,
		     uint64_t initial)
{
	struct nmreq_opt_offsets o;
	struct nmreq_register req;

	memset(&o, 0, sizeof(o));
	o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	o.nro_opt.nro_size = sizeof(o);
	o.nro_max_offset = max;
	o.nro_initial_offset = initial;
	o.nro_offset_bits = 16;
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	return tp_open_req(p, name, &req, &o);
}

/* Offsets: tx payload at the slot's offset, rx at the receiver's. */
TEST(vale_offsets)
{
	struct tport a, b;
	struct netmap_ring *tx, *rx;
	struct netmap_slot *s;
	uint32_t ns, rf;

	CHECK_OK(vopen_off(&a, "vale0:a", 512, 64));
	CHECK_OK(vopen_off(&b, "vale0:b", 1024, 200));
	RUN(learn(&b, 0xb, &a));
	tx = tp_tx(&a, 0);
	rx = tp_rx(&b, 0);
	/* tx at offset 300 */
	s = &tx->slot[tx->head];
	s->ptr = 300;
	eth((uint8_t *)NETMAP_BUF_OFFSET(tx, s), 1000, 0xb, 0xa, 9);
	eth(fbuf, 1000, 0xb, 0xa, 9);
	s->len = 1000;
	s->flags = 0;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_OK(tp_rxsync(&b));
	s = &rx->slot[rx->head];
	CHECK_EQ(NETMAP_ROFFSET(rx, s), 200);
	CHECK_EQ(s->len, 1000);
	CHECK(memcmp(NETMAP_BUF_OFFSET(rx, s), fbuf, 1000) == 0);
	rx->head = rx->cur = nm_ring_next(rx, rx->head);
	/*
	 * A 1900-byte frame: the receiver's slots hold at most
	 * 2048 - 1024 bytes, so it spans two, each at its own offset.
	 */
	rx->slot[rx->head].ptr = 10;
	CHECK_OK(tp_rxsync(&b));
	s = &tx->slot[tx->head];
	s->ptr = 0;
	eth((uint8_t *)NETMAP_BUF_OFFSET(tx, s), 1900, 0xb, 0xa, 10);
	eth(fbuf, 1900, 0xb, 0xa, 10);
	s->len = 1900;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_OK(tp_rxsync(&b));
	CHECK_EQ(NETMAP_ROFFSET(rx, &rx->slot[rx->head]), 10);
	CHECK_EQ(get_chain(rx, gbuf, &ns, &rf), 1900);
	CHECK_EQ(ns, 2);
	CHECK(memcmp(gbuf, fbuf, 1900) == 0);
	CHECK_OK(tp_rxsync(&b));
	/* a tx offset beyond max_offset, or offset + len beyond the buffer */
	s = &tx->slot[tx->head];
	s->ptr = 513;
	s->len = 60;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 1);
	CHECK_EQ(tx->head, tx->cur);
	s = &tx->slot[tx->head];
	s->ptr = 500;
	s->len = 1600;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 2);
	CHECK_EQ(pending(&b), 0);
	tp_close(&a);
	tp_close(&b);
}

/* Malformed slots reset the sender's ring; neighbours keep going. */
TEST(vale_malformed_slots)
{
	struct tport a, b, c;
	struct netmap_ring *tx;
	uint32_t i, h;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK_OK(vopen(&c, "vale0:c"));
	RUN(learn(&b, 0xb, &a));
	drain(&c);
	tx = tp_tx(&a, 0);
	/* three good frames, then a bad buffer index */
	for (i = 0; i < 3; i++) {
		eth(fbuf, 60, 0xb, 0xa, i);
		CHECK_OK(tr_put(tx, fbuf, 60, 0));
	}
	h = tx->head;
	tx->slot[h].buf_idx = 1;
	tx->slot[h].len = 60;
	tx->slot[h].flags = 0;
	tx->head = tx->cur = nm_ring_next(tx, h);
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 1);
	CHECK_EQ(tx->head, h);
	CHECK_EQ(tx->slot[h].buf_idx, 0);
	CHECK_EQ(pending(&b), 3);
	/* a length over the buffer inside a chain: the chain stays */
	tx->slot[h].buf_idx = tx->slot[nm_ring_next(tx, h)].buf_idx;
	eth(fbuf, 60, 0xb, 0xa, 10);
	CHECK_OK(tr_put(tx, fbuf, 60, NS_MOREFRAG));
	tx->slot[tx->head].len = 3000;
	tx->slot[tx->head].flags = 0;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 2);
	CHECK_EQ(tx->head, h);
	CHECK_EQ(pending(&b), 3);
	/* hostile head */
	tx->head = 5000;
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(nmsim_ring_reinits(a.fd, 0, 0), 3);
	/* c still talks to b, and a works again */
	CHECK_OK(send1(&c, 0xb, 0xc, 20, 60));
	CHECK_EQ(pending(&b), 4);
	CHECK_OK(send1(&a, 0xb, 0xa, 21, 60));
	CHECK_EQ(pending(&b), 5);
	/* a bad buffer index released by the receiver resets its rx ring */
	{
		struct netmap_ring *rx = tp_rx(&b, 0);

		rx->slot[rx->head].buf_idx = 0xfffffff;
		rx->head = rx->cur = nm_ring_next(rx, rx->head);
		CHECK_OK(tp_rxsync(&b));
		CHECK_EQ(nmsim_ring_reinits(b.fd, 1, 0), 1);
		CHECK_EQ(pending(&b), 5);
	}
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

struct lk {
	unsigned int	calls;
	unsigned int	last_src;
	unsigned int	last_len;
};

static unsigned int my_lookup(const uint8_t *frame, unsigned int len,
			      unsigned int src, uint8_t *ring, void *arg)
{
	struct lk *l = arg;

	l->calls++;
	l->last_src = src;
	l->last_len = len;
	*ring = 1;
	switch (frame[15]) {	/* the high byte of our seq */
	case 0:
		return NMSIM_VALE_DROP;
	case 1:
		return NMSIM_VALE_BROADCAST;
	case 2:
		return src;	/* back to the sender: never */
	case 3:
		return 1000;	/* nonsense: dropped */
	default:
		return frame[15] - 4;	/* port index */
	}
}

TEST(vale_custom_lookup)
{
	struct tport a, b, c;
	struct lk l;

	memset(&l, 0, sizeof(l));
	CHECK_EQ(nmsim_vale_set_lookup("vale0", my_lookup, &l), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(nmsim_vale_set_lookup("xx", my_lookup, &l), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_OK(vopen_req(&a, "vale0:a", 2, 64));	/* port 0 */
	CHECK_OK(vopen_req(&b, "vale0:b", 2, 64));	/* port 1 */
	CHECK_OK(vopen_req(&c, "vale0:c", 1, 64));	/* port 2 */
	CHECK_OK(nmsim_vale_set_lookup("vale0", my_lookup, &l));
	CHECK_OK(send1(&a, 0xb, 0xa, 0 << 24, 60));
	CHECK_EQ(l.calls, 1);
	CHECK_EQ(l.last_src, 0);
	CHECK_EQ(l.last_len, 60);
	CHECK_EQ(pending(&b) + pending(&c), 0);
	CHECK_OK(send1(&a, 0xb, 0xa, 1u << 24, 60));
	/* ring 1 of b, ring 0 of c (1 mod 1) */
	tp_rxsync(&b);
	CHECK(!nm_ring_empty(tp_rx(&b, 1)));
	CHECK(nm_ring_empty(tp_rx(&b, 0)));
	CHECK_EQ(pending(&c), 1);
	drain(&c);
	CHECK_OK(send1(&a, 0xb, 0xa, 2u << 24, 60));
	CHECK_OK(send1(&a, 0xb, 0xa, 3u << 24, 60));
	CHECK_EQ(pending(&c), 0);
	CHECK_OK(send1(&a, 0xb, 0xa, 6u << 24, 60));	/* port 2 = c */
	CHECK_EQ(pending(&c), 1);
	/* back to learning */
	CHECK_OK(nmsim_vale_set_lookup("vale0", NULL, NULL));
	CHECK_OK(send1(&a, 0xb, 0xa, 6u << 24, 60));
	CHECK_EQ(l.calls, 5);
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

/* ------------------------------------------------------------------ */
/* concurrency                                                         */
/* ------------------------------------------------------------------ */

#define CS	4	/* senders */
#define CR	2	/* receivers */
#define CN	3000	/* frames per sender and receiver */

struct cthr {
	struct tport	p;
	int		k;
	uint32_t	got[CS];	/* receivers: next seq per sender */
	long		total;
	int		err;
	volatile int	*stop;
};

static void *c_sender(void *arg)
{
	struct cthr *t = arg;
	struct netmap_ring *tx = tp_tx(&t->p, 0);
	uint8_t buf[128];
	uint32_t i = 0;

	while (i < CN * CR) {
		uint32_t r = i % CR, seq = (uint32_t)t->k << 24 | (i / CR);

		eth(buf, 64 + (uint16_t)(i % 50), (uint8_t)(0xe0 + r),
		    (uint8_t)(0x10 + t->k), seq);
		if (tr_put(tx, buf, 64 + (uint16_t)(i % 50), 0) == 0)
			i++;
		if (i % 32 == 0 || nm_ring_empty(tx))
			tp_txsync(&t->p);
	}
	tp_txsync(&t->p);
	return NULL;
}

static void *c_receiver(void *arg)
{
	struct cthr *t = arg;
	struct netmap_ring *rx = tp_rx(&t->p, 0);
	uint8_t buf[256];
	int idle = 0;

	while (t->total < (long)CN * CS && idle < 2000000) {
		int len;

		tp_rxsync(&t->p);
		if (nm_ring_empty(rx)) {
			idle++;
			sched_yield();
			continue;
		}
		while ((len = tr_get(rx, buf, sizeof(buf), NULL)) >= 0) {
			uint32_t seq = eth_seq(buf), k = seq >> 24;

			if (buf[11] == 0x30)
				continue;	/* the broadcaster's */
			if (k >= CS || (seq & 0xffffff) != t->got[k] ||
			    buf[5] != 0xe0 + t->k || buf[11] != 0x10 + k) {
				t->err = 1;	/* lost, duplicated or reordered */
				return NULL;
			}
			t->got[k]++;
			t->total++;
		}
	}
	return NULL;
}

static void *c_churn(void *arg)
{
	struct cthr *t = arg;
	struct tport x;
	int n = 0;

	while (!__atomic_load_n(t->stop, __ATOMIC_ACQUIRE)) {
		char name[32];

		snprintf(name, sizeof(name), "vale0:churn%d", n++ % 3);
		if (vopen_req(&x, name, 1, 64) == 0)
			tp_close(&x);
	}
	return NULL;
}

/* Floods the switch while churn ports come and go. */
static void *c_bcaster(void *arg)
{
	struct cthr *t = arg;
	struct netmap_ring *tx = tp_tx(&t->p, 0);
	uint8_t buf[64];
	uint32_t i = 0;

	while (!__atomic_load_n(t->stop, __ATOMIC_ACQUIRE)) {
		eth(buf, 60, 0xff, 0x30, i++);
		tr_put(tx, buf, 60, 0);
		if (i % 8 == 0)
			tp_txsync(&t->p);
		if (i % 64 == 0)
			sched_yield();
	}
	return NULL;
}

TEST(vale_concurrent_senders)
{
	static struct cthr s[CS], r[CR], ch, bc;
	pthread_t ts[CS], tr[CR], tc, tb;
	volatile int stop = 0;
	char name[32];
	int i, k;

	memset(s, 0, sizeof(s));
	memset(r, 0, sizeof(r));
	for (i = 0; i < CR; i++) {
		snprintf(name, sizeof(name), "vale0:r%d", i);
		CHECK_OK(vopen_req(&r[i].p, name, 1, 16384));
		r[i].k = i;
	}
	for (i = 0; i < CS; i++) {
		snprintf(name, sizeof(name), "vale0:s%d", i);
		CHECK_OK(vopen_req(&s[i].p, name, 1, 256));
		s[i].k = i;
	}
	/* everybody learned, so the traffic is unicast */
	for (i = 0; i < CR; i++)
		CHECK_OK(send1(&r[i].p, 0xff, (uint8_t)(0xe0 + i), 0, 60));
	for (i = 0; i < CR; i++)
		drain(&r[i].p);
	for (i = 0; i < CS; i++)
		drain(&s[i].p);
	ch.stop = &stop;
	bc.stop = &stop;
	CHECK_OK(vopen_req(&bc.p, "vale0:bcaster", 1, 64));
	pthread_create(&tc, NULL, c_churn, &ch);
	pthread_create(&tb, NULL, c_bcaster, &bc);
	for (i = 0; i < CR; i++)
		pthread_create(&tr[i], NULL, c_receiver, &r[i]);
	for (i = 0; i < CS; i++)
		pthread_create(&ts[i], NULL, c_sender, &s[i]);
	for (i = 0; i < CS; i++)
		pthread_join(ts[i], NULL);
	for (i = 0; i < CR; i++)
		pthread_join(tr[i], NULL);
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_join(tc, NULL);
	pthread_join(tb, NULL);
	tp_close(&bc.p);
	for (i = 0; i < CR; i++) {
		CHECK_EQ(r[i].err, 0);
		CHECK_EQ(r[i].total, (long)CN * CS);
		for (k = 0; k < CS; k++)
			CHECK_EQ(r[i].got[k], CN);
	}
	/* the senders heard the broadcaster only */
	for (i = 0; i < CS; i++) {
		tp_rxsync(&s[i].p);
		while (recv1(&s[i].p, gbuf, NULL) >= 0)
			CHECK_EQ(gbuf[11], 0x30);
	}
	for (i = 0; i < CR; i++)
		tp_close(&r[i].p);
	for (i = 0; i < CS; i++)
		tp_close(&s[i].p);
}

/* ------------------------------------------------------------------ */
/* control requests                                                    */
/* ------------------------------------------------------------------ */

static int attach(int fd, const char *name, uint32_t mode, uint32_t *idx)
{
	struct nmreq_vale_attach a;
	int err;

	memset(&a, 0, sizeof(a));
	a.reg.nr_mode = mode;
	err = t_ctrl(fd, name, NETMAP_REQ_VALE_ATTACH, &a, NULL);
	if (!err && idx)
		*idx = a.port_index;
	return err;
}

static int detach(int fd, const char *name, uint32_t *idx)
{
	struct nmreq_vale_detach d;
	int err;

	memset(&d, 0, sizeof(d));
	err = t_ctrl(fd, name, NETMAP_REQ_VALE_DETACH, &d, NULL);
	if (!err && idx)
		*idx = d.port_index;
	return err;
}

/* VALE_LIST from (b, p): the name found, or the errno. */
static int list(int fd, uint16_t *b, uint32_t *p, char *name)
{
	struct nmreq_vale_list l;
	struct nmreq_header h;
	int err;

	memset(&l, 0, sizeof(l));
	memset(&h, 0, sizeof(h));
	l.nr_bridge_idx = *b;
	l.nr_port_idx = *p;
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_VALE_LIST;
	strcpy(h.nr_name, name);
	h.nr_body = (uintptr_t)&l;
	err = t_ctrl_hdr(fd, &h);
	if (!err) {
		*b = l.nr_bridge_idx;
		*p = l.nr_port_idx;
		strcpy(name, h.nr_name);
	}
	return err;
}

TEST(vale_attach_nic)
{
	struct nmsim_nic_stats st;
	struct tport a, b, n;
	uint32_t idx = 99, p = 0;
	uint16_t br = 0;
	char name[64];
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_EQ(attach(fd, "vale0:nosuch", NR_REG_ALL_NIC, NULL), ENXIO);
	CHECK_EQ(attach(fd, "sim0", NR_REG_ALL_NIC, NULL), EINVAL);
	CHECK_EQ(attach(fd, "vale0:sim0", NR_REG_ONE_NIC, NULL), EINVAL);
	CHECK_OK(attach(fd, "vale0:sim0", NR_REG_NIC_SW, &idx));
	CHECK_EQ(idx, 2);
	CHECK_EQ(attach(fd, "vale0:sim0", NR_REG_NIC_SW, NULL), EBUSY);
	CHECK_EQ(attach(fd, "vale1:sim0", NR_REG_ALL_NIC, NULL), EBUSY);
	/* the switch owns the NIC now */
	CHECK_EQ(vopen(&n, "sim0"), EBUSY);
	CHECK_EQ(vopen(&n, "vale0:sim0"), EBUSY);
	CHECK_EQ(vopen(&n, "vale0:sim0^"), EBUSY);
	/*
	 * a broadcast from a: to b, to the host stack and out of the NIC,
	 * whose loopback brings it back into the switch: to a, b and the
	 * host stack again.
	 */
	CHECK_OK(send1(&a, 0xff, 0xa, 1, 60));
	CHECK_OK(nmsim_nic_stats("sim0", &st));
	CHECK_EQ(st.tx_frames, 1);
	CHECK_EQ(st.rx_frames, 1);
	CHECK_EQ(st.host_tx_frames, 2);
	CHECK_EQ(pending(&b), 2);
	CHECK_EQ(pending(&a), 1);
	CHECK_EQ(recv1(&a, gbuf, NULL), 60);
	CHECK_EQ(eth_seq(gbuf), 1);
	/* the ports, in index order */
	name[0] = '\0';
	CHECK_OK(list(fd, &br, &p, name));
	CHECK(strcmp(name, "vale0:a") == 0);
	CHECK_EQ(p, 0);
	p++;
	name[0] = '\0';
	CHECK_OK(list(fd, &br, &p, name));
	CHECK(strcmp(name, "vale0:b") == 0);
	p++;
	name[0] = '\0';
	CHECK_OK(list(fd, &br, &p, name));
	CHECK(strcmp(name, "vale0:sim0") == 0);
	p++;
	name[0] = '\0';
	CHECK_OK(list(fd, &br, &p, name));
	CHECK(strcmp(name, "vale0:sim0^") == 0);
	CHECK_EQ(p, 3);
	p++;
	name[0] = '\0';
	CHECK_EQ(list(fd, &br, &p, name), ENOENT);
	/* by name */
	br = 0;
	p = 0;
	strcpy(name, "vale0:b");
	CHECK_OK(list(fd, &br, &p, name));
	CHECK_EQ(p, 1);
	strcpy(name, "vale0:zz");
	CHECK_EQ(list(fd, &br, &p, name), ENXIO);
	/* detach: the host port goes with it */
	CHECK_EQ(detach(fd, "vale0:sim0^", NULL), EBUSY);
	CHECK_EQ(detach(fd, "vale0:a", NULL), EBUSY);
	CHECK_OK(detach(fd, "vale0:sim0", &idx));
	CHECK_EQ(idx, 2);
	CHECK_EQ(detach(fd, "vale0:sim0", NULL), ENXIO);
	CHECK_OK(vopen(&n, "sim0"));
	tp_close(&n);
	drain(&b);
	CHECK_OK(send1(&a, 0xff, 0xa, 2, 60));
	CHECK_EQ(pending(&b), 1);
	/* attached and left there: shutdown takes it down */
	CHECK_OK(attach(fd, "vale0:sim0", NR_REG_ALL_NIC, NULL));
	nmsim_close(fd);
	tp_close(&a);
	tp_close(&b);
}

TEST(vale_newif_delif)
{
	struct nmreq_vale_newif nif;
	struct tport a, p, q;
	int fd = nmsim_open();

	CHECK(fd >= 0);
	memset(&nif, 0, sizeof(nif));
	nif.nr_tx_slots = nif.nr_rx_slots = 128;
	CHECK_EQ(t_ctrl(fd, "vale0:pers", NETMAP_REQ_VALE_NEWIF, &nif, NULL),
		 EINVAL);
	CHECK_EQ(t_ctrl(fd, "a:b", NETMAP_REQ_VALE_NEWIF, &nif, NULL), EINVAL);
	CHECK_OK(t_ctrl(fd, "pers", NETMAP_REQ_VALE_NEWIF, &nif, NULL));
	CHECK_EQ(nif.nr_tx_rings, 1);
	CHECK_EQ(nif.nr_rx_slots, 128);
	CHECK(nif.nr_mem_id > 1);
	CHECK_EQ(t_ctrl(fd, "pers", NETMAP_REQ_VALE_NEWIF, &nif, NULL), EEXIST);
	/* usable by its own name before it is on a switch */
	CHECK_OK(vopen(&p, "pers"));
	CHECK_EQ(p.reg.nr_rx_slots, 128);
	CHECK_OK(tr_put(tp_tx(&p, 0), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&p));	/* on no switch: goes nowhere */
	tp_close(&p);
	/* not a port name until attached */
	CHECK_EQ(vopen(&q, "vale0:pers"), EBUSY);
	CHECK_OK(attach(fd, "vale0:pers", NR_REG_ALL_NIC, NULL));
	CHECK_OK(vopen(&q, "vale0:pers"));
	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(send1(&a, 0xff, 0xa, 1, 60));
	CHECK_EQ(pending(&q), 1);
	CHECK_EQ(t_ctrl(fd, "pers", NETMAP_REQ_VALE_DELIF, NULL, NULL), EBUSY);
	CHECK_OK(detach(fd, "vale0:pers", NULL));
	CHECK_EQ(t_ctrl(fd, "pers", NETMAP_REQ_VALE_DELIF, NULL, NULL), EBUSY);
	drain(&q);
	CHECK_OK(send1(&a, 0xff, 0xa, 2, 60));
	CHECK_EQ(pending(&q), 0);
	tp_close(&q);
	CHECK_OK(t_ctrl(fd, "pers", NETMAP_REQ_VALE_DELIF, NULL, NULL));
	CHECK_EQ(t_ctrl(fd, "pers", NETMAP_REQ_VALE_DELIF, NULL, NULL), ENXIO);
	CHECK_EQ(vopen(&q, "pers"), ENXIO);
	/* one left attached at shutdown is cleaned up */
	nif.nr_mem_id = 0;	/* the reply's allocator went with "pers" */
	CHECK_OK(t_ctrl(fd, "pers2", NETMAP_REQ_VALE_NEWIF, &nif, NULL));
	CHECK_OK(attach(fd, "vale3:pers2", NR_REG_ALL_NIC, NULL));
	CHECK_OK(t_ctrl(fd, "pers3", NETMAP_REQ_VALE_NEWIF, &nif, NULL));
	tp_close(&a);
	nmsim_close(fd);
}

TEST(vale_port_hdr_polling)
{
	struct nmreq_vale_polling pol;
	struct nmreq_port_hdr h;
	struct tport a;
	static const uint32_t ok[] = { 0, 10, 12 };
	unsigned int i;

	CHECK_OK(vopen(&a, "vale0:a"));
	memset(&h, 0, sizeof(h));
	CHECK_OK(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_PORT_HDR_GET, &h, NULL));
	CHECK_EQ(h.nr_hdr_len, 0);
	for (i = 0; i < 3; i++) {
		h.nr_hdr_len = ok[i];
		CHECK_OK(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_PORT_HDR_SET, &h,
				NULL));
		h.nr_hdr_len = 77;
		CHECK_OK(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_PORT_HDR_GET, &h,
				NULL));
		CHECK_EQ(h.nr_hdr_len, ok[i]);
	}
	h.nr_hdr_len = 11;
	CHECK_EQ(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_PORT_HDR_SET, &h, NULL),
		 EINVAL);
	CHECK_EQ(t_ctrl(a.fd, "vale0:b", NETMAP_REQ_PORT_HDR_SET, &h, NULL),
		 ENXIO);
	memset(&pol, 0, sizeof(pol));
	pol.nr_mode = NETMAP_POLLING_MODE_SINGLE_CPU;
	CHECK_EQ(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_VALE_POLLING_ENABLE, &pol,
			NULL), EOPNOTSUPP);
	CHECK_EQ(t_ctrl(a.fd, "vale0:a", NETMAP_REQ_VALE_POLLING_DISABLE, &pol,
			NULL), EOPNOTSUPP);
	tp_close(&a);
}

static int legacy(int fd, unsigned long cmd, const char *name, uint16_t nrcmd,
		  struct nmreq *r)
{
	memset(r, 0, sizeof(*r));
	r->nr_version = NETMAP_API;
	strncpy(r->nr_name, name, sizeof(r->nr_name) - 1);
	r->nr_cmd = nrcmd;
	return nmsim_ioctl(fd, cmd, r) ? errno : 0;
}

TEST(vale_legacy)
{
	struct tport a;
	struct nmreq r;
	int fd = nmsim_open();

	CHECK(fd >= 0);
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	CHECK_OK(vopen(&a, "vale1:a"));
	memset(&r, 0, sizeof(r));
	r.nr_version = NETMAP_API;
	strcpy(r.nr_name, "leg");
	r.nr_cmd = NETMAP_BDG_NEWIF;
	r.nr_tx_slots = 64;
	CHECK_OK(nmsim_ioctl(fd, NIOCREGIF, &r));
	CHECK_EQ(r.nr_tx_slots, 64);
	CHECK_EQ(r.nr_rx_slots, 1024);
	CHECK(r.nr_arg2 > 1);
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:leg", NETMAP_BDG_ATTACH, &r), 0);
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:sim1", NETMAP_BDG_ATTACH, &r), 0);
	/* VNET_HDR: nr_arg1 is the length */
	memset(&r, 0, sizeof(r));
	r.nr_version = NETMAP_API;
	strcpy(r.nr_name, "vale1:a");
	r.nr_cmd = NETMAP_BDG_VNET_HDR;
	r.nr_arg1 = 12;
	CHECK_OK(nmsim_ioctl(fd, NIOCREGIF, &r));
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:a", NETMAP_VNET_HDR_GET, &r), 0);
	CHECK_EQ(r.nr_arg1, 12);
	/* BDG_LIST walks with nr_arg1 / nr_arg2 */
	CHECK_EQ(legacy(fd, NIOCGINFO, "", NETMAP_BDG_LIST, &r), 0);
	CHECK(strcmp(r.nr_name, "vale1:a") == 0);
	CHECK_EQ(r.nr_arg2, 0);
	r.nr_arg2++;
	r.nr_name[0] = '\0';
	CHECK_OK(nmsim_ioctl(fd, NIOCGINFO, &r));
	CHECK(strcmp(r.nr_name, "vale1:leg") == 0);
	CHECK_EQ(r.nr_arg2, 1);
	r.nr_arg2++;
	r.nr_name[0] = '\0';
	CHECK_OK(nmsim_ioctl(fd, NIOCGINFO, &r));
	CHECK(strcmp(r.nr_name, "vale1:sim1") == 0);
	r.nr_arg2++;
	r.nr_name[0] = '\0';
	CHECK_EQ(nmsim_ioctl(fd, NIOCGINFO, &r), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:leg", NETMAP_BDG_DETACH, &r), 0);
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:sim1", NETMAP_BDG_DETACH, &r), 0);
	CHECK_EQ(legacy(fd, NIOCREGIF, "leg", NETMAP_BDG_DELIF, &r), 0);
	CHECK_EQ(legacy(fd, NIOCREGIF, "leg", NETMAP_BDG_DELIF, &r), ENXIO);
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:a", NETMAP_BDG_POLLING_ON, &r),
		 EOPNOTSUPP);
	/* a plain legacy registration of a VALE port */
	CHECK_EQ(legacy(fd, NIOCREGIF, "vale1:b", 0, &r), 0);
	CHECK_EQ(r.nr_tx_slots, 1024);
	tp_close(&a);
	nmsim_close(fd);
}

/* ------------------------------------------------------------------ */
/* memory                                                              */
/* ------------------------------------------------------------------ */

/* REGISTER failing at every allocation: ENOMEM, nothing left behind. */
TEST(vale_register_enomem)
{
	struct tport b, c, x;
	long base;
	int k, err = ENOMEM;

	CHECK_OK(vopen_req(&b, "vale0:b", 1, 64));
	CHECK_OK(vopen_req(&c, "vale0:c", 1, 64));
	base = nmsim_live_objects();
	for (k = 1; err && k < 200; k++) {
		char spec[16];

		snprintf(spec, sizeof(spec), "nth:%d", k);
		CHECK_OK(nmsim_fi_arm("mem.alloc", spec));
		err = vopen_req(&x, k % 2 ? "vale0:x" : "vale7:x", 1, 64);
		CHECK_OK(nmsim_fi_arm("mem.alloc", "off"));
		if (err) {
			CHECK_EQ(err, ENOMEM);
			CHECK_EQ(nmsim_live_objects(), base);
		}
		/* the neighbours keep forwarding */
		CHECK_OK(send1(&b, 0xff, 0xb, (uint32_t)k, 60));
		CHECK_EQ(pending(&c), 1);
		drain(&c);
	}
	CHECK_EQ(err, 0);
	CHECK(k > 3);
	tp_close(&x);
	tp_close(&b);
	tp_close(&c);
}

/* Unicast and broadcast frames of one batch keep their order. */
TEST(vale_mixed_batch_order)
{
	struct tport a, b, c;
	struct netmap_ring *tx, *rx;
	uint32_t i;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK_OK(vopen(&c, "vale0:c"));
	RUN(learn(&b, 0xb, &a));
	drain(&c);
	tx = tp_tx(&a, 0);
	for (i = 0; i < 40; i++) {
		eth(fbuf, 60, i % 3 ? 0xb : 0xff, 0xa, i);
		CHECK_OK(tr_put(tx, fbuf, 60, 0));
	}
	CHECK_OK(tp_txsync(&a));
	CHECK_EQ(pending(&b), 40);
	CHECK_EQ(pending(&c), 14);
	rx = tp_rx(&b, 0);
	for (i = 0; i < 40; i++) {
		CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
		CHECK_EQ(eth_seq(gbuf), i);
	}
	rx = tp_rx(&c, 0);
	for (i = 0; i < 40; i += 3) {
		CHECK_EQ(tr_get(rx, gbuf, sizeof(gbuf), NULL), 60);
		CHECK_EQ(eth_seq(gbuf), i);
	}
	tp_close(&a);
	tp_close(&b);
	tp_close(&c);
}

struct pw {
	struct tport	*p;
	int		rc;
	short		revents;
};

static void *poller(void *arg)
{
	struct pw *w = arg;
	struct pollfd pfd = { .fd = w->p->fd, .events = POLLIN };

	w->rc = nmsim_poll(&pfd, 1, 5000);
	w->revents = pfd.revents;
	return NULL;
}

/* A receiver sleeping in poll() wakes up when a frame arrives. */
TEST(vale_poll_wakeup)
{
	struct tport a, b;
	struct pw w = { .p = &b };
	pthread_t th;

	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	pthread_create(&th, NULL, poller, &w);
	usleep(50000);
	CHECK_OK(send1(&a, 0xff, 0xa, 1, 60));
	pthread_join(th, NULL);
	/* woken by the frame: rc 1, not the 5 s timeout's 0 */
	CHECK_EQ(w.rc, 1);
	CHECK(w.revents & POLLIN);
	tp_close(&a);
	tp_close(&b);
}

/* A NIC that goes away while on a switch: frames to it are dropped. */
TEST(vale_nic_destroyed_while_attached)
{
	struct tport a, b;
	int fd;

	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(vopen(&a, "vale0:a"));
	CHECK_OK(vopen(&b, "vale0:b"));
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_OK(attach(fd, "vale0:sim0", NR_REG_ALL_NIC, NULL));
	CHECK_OK(nmsim_nic_destroy("sim0"));
	CHECK_OK(send1(&a, 0xff, 0xa, 1, 60));
	CHECK_EQ(pending(&b), 1);
	CHECK_OK(detach(fd, "vale0:sim0", NULL));
	CHECK_OK(send1(&a, 0xff, 0xa, 2, 60));
	CHECK_EQ(pending(&b), 2);
	nmsim_close(fd);
	tp_close(&a);
	tp_close(&b);
}

/* A switch with a custom lookup outlives its ports. */
TEST(vale_lookup_survives_empty_switch)
{
	struct tport a, b;
	struct lk l;

	memset(&l, 0, sizeof(l));
	CHECK_OK(vopen(&a, "vale5:a"));
	CHECK_OK(nmsim_vale_set_lookup("vale5", my_lookup, &l));
	tp_close(&a);
	CHECK_OK(vopen(&a, "vale5:a"));
	CHECK_OK(vopen(&b, "vale5:b"));
	CHECK_OK(send1(&a, 0xb, 0xa, 1u << 24, 60));	/* broadcast */
	CHECK_EQ(l.calls, 1);
	CHECK_EQ(pending(&b), 1);
	tp_close(&a);
	tp_close(&b);
	/* left set: shutdown removes the switch */
}

/* One registration per ring of a port; rings come and go under traffic. */
TEST(vale_per_ring_registrations)
{
	struct nmreq_register req;
	struct tport m0, m1, b;

	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ONE_NIC;
	req.nr_tx_rings = req.nr_rx_rings = 2;
	req.nr_ringid = 0;
	CHECK_OK(tp_open_req(&m0, "vale0:m", &req, NULL));
	req.nr_ringid = 1;
	CHECK_OK(tp_open_req(&m1, "vale0:m", &req, NULL));
	CHECK_OK(vopen(&b, "vale0:b"));
	CHECK(tp_tx(&m0, 1) == NULL && tp_tx(&m1, 0) == NULL);
	/* both rings send */
	eth(fbuf, 60, 0xb, 0xc, 1);
	CHECK_OK(tr_put(tp_tx(&m0, 0), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&m0));
	eth(fbuf, 60, 0xb, 0xc, 2);
	CHECK_OK(tr_put(tp_tx(&m1, 1), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&m1));
	CHECK_EQ(pending(&b), 2);
	/* frames for m arrive on its ring 0 */
	CHECK_OK(send1(&b, 0xc, 0xb, 3, 60));
	CHECK_OK(tp_rxsync(&m0));
	CHECK(!nm_ring_empty(tp_rx(&m0, 0)));
	CHECK_OK(tp_rxsync(&m1));
	CHECK(nm_ring_empty(tp_rx(&m1, 1)));
	/* ring 0 goes: frames for it are dropped, ring 1 still sends */
	tp_close(&m0);
	CHECK_OK(send1(&b, 0xc, 0xb, 4, 60));
	drain(&b);
	eth(fbuf, 60, 0xb, 0xc, 5);
	CHECK_OK(tr_put(tp_tx(&m1, 1), fbuf, 60, 0));
	CHECK_OK(tp_txsync(&m1));
	CHECK_EQ(pending(&b), 1);
	tp_close(&m1);
	tp_close(&b);
}
