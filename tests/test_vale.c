/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VALE switch: port names and limits, the learning bridge, the data
 * path (batches, fragments, indirect buffers, offsets, malformed slots,
 * many senders at once), custom lookups, NICs on a switch, and the
 * control requests.
 */
#include <pthread.h>
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
