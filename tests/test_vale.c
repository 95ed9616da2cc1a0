/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VALE switch: port names and limits, the learning bridge, the data
 * path (batches, fragments, indirect buffers, offsets, malformed slots,
 * many senders at once), custom lookups, NICs on a switch, and the
 * control requests.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

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

TEST(vale_254_ports)
{
	static struct tport p[255];
	struct tport x;
	char name[32];
	int i;

	for (i = 0; i < 254; i++) {
		snprintf(name, sizeof(name), "vale0:p%d", i);
		CHECK_OK(vopen_req(&p[i], name, 1, 64));
	}
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
