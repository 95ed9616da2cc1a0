/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The sync path on sim NICs: the state of fresh rings, the loopback wire,
 * frames spanning several slots, index wraparound, the head/cur/tail
 * window txsync and rxsync enforce, malformed slots and who they may
 * hurt, a user racing the kernel over its slots, ring timestamps, the
 * sync fault points and the host rings.
 *
 * A sim NIC transmits at once: after every txsync the tx tail is one
 * slot behind head, so [old head, tail] covers the whole ring and a tx
 * head can never be "beyond tail" there.  The tx cases that need a tail
 * lagging behind use a null port, whose sync never moves hwcur/hwtail.
 */
#include <pthread.h>
#include <time.h>

#include "t.h"
#include "tutil.h"

#define MAXFRAME	65536

static uint8_t fbuf[MAXFRAME];	/* frames being built or taken */
static uint8_t ebuf[MAXFRAME];	/* frames as they should be */
static char ctx[160];		/* which case a shared helper was doing */

/* A helper that may have failed a CHECK: leave the caller too. */
#define RUN(call) do {							\
	call;								\
	if (t_failed())							\
		return;							\
} while (0)

/* CHECK / CHECK_EQ for helpers run once per case: say which case. */
#define XCHECK(cond) do {						\
	if (!(cond)) {							\
		t_failf(__FILE__, __LINE__, "[%s] %s", ctx, #cond);	\
		return;							\
	}								\
} while (0)

#define XCHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		t_failf(__FILE__, __LINE__, "[%s] %s == %s: %lld != %lld", \
			ctx, #a, #b, _a, _b);				\
		return;							\
	}								\
} while (0)

#define CTX(...)	snprintf(ctx, sizeof(ctx), __VA_ARGS__)

static void small_pools(void)
{
	nmsim_param_set("buf_num", 8192);
	ctx[0] = '\0';
}

static void default_pools(void)
{
	nmsim_param_set("buf_num", 163840);
}

static struct nmsim_nic_stats nic_st(const char *name)
{
	struct nmsim_nic_stats st;

	memset(&st, 0, sizeof(st));
	nmsim_nic_stats(name, &st);
	return st;
}

static int pools(struct tport *p, struct nmreq_pools_info *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->nr_mem_id = p->reg.nr_mem_id;
	return t_ctrl(p->fd, "", NETMAP_REQ_POOLS_INFO_GET, pi, NULL);
}

static uint32_t buf_total(struct tport *p)
{
	struct nmreq_pools_info pi;

	return pools(p, &pi) ? 0 : pi.nr_buf_pool_objtotal;
}

static long long reinits(struct tport *p, int t, unsigned int i)
{
	return nmsim_ring_reinits(p->fd, t, i);
}

static uint32_t ring_dist(uint32_t a, uint32_t b, uint32_t n)
{
	return b >= a ? b - a : b + n - a;
}

/* The kernel's tail is read-only for users; these tests scribble it. */
static void set_tail(struct netmap_ring *r, uint32_t v)
{
	*(volatile uint32_t *)&r->tail = v;
}

/* A frame of len bytes tagged seq; -1 when the ring is full. */
static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, 0);
}

/*
 * Takes the frame at head, a MOREFRAG chain, into fbuf.  Returns its
 * length, -1 when the ring is empty, -2 when the chain runs into tail.
 */
static long rx_take(struct netmap_ring *r, unsigned int *nslots)
{
	uint32_t i = r->head;
	unsigned int n = 0;
	long len = 0;

	for (;;) {
		struct netmap_slot *s;

		if (i == r->tail)
			return n ? -2 : -1;
		s = &r->slot[i];
		if (len + s->len <= MAXFRAME)
			memcpy(fbuf + len, NETMAP_BUF_OFFSET(r, s), s->len);
		len += s->len;
		n++;
		i = nm_ring_next(r, i);
		if (!(s->flags & NS_MOREFRAG))
			break;
	}
	r->head = r->cur = i;
	if (nslots)
		*nslots = n;
	return len;
}

/* The frame just taken is t_frame(want_len, seq). */
static int taken_is(long len, long want_len, uint32_t seq)
{
	if (len != want_len)
		return 0;
	t_frame(ebuf, (uint16_t)len, seq);
	return memcmp(fbuf, ebuf, (size_t)len) == 0;
}

/* Seq of the single-slot frame at head, taken; -1 bad, -2 empty. */
static long get_seq(struct netmap_ring *r, uint16_t len)
{
	unsigned int ns;
	long n = rx_take(r, &ns);

	if (n == -1)
		return -2;
	if (n != len || ns != 1)
		return -1;
	return t_frame_seq(fbuf, (uint16_t)n);
}

/* Seq of the frame in slot i, without taking it. */
static long slot_seq(struct netmap_ring *r, uint32_t i)
{
	struct netmap_slot *s = &r->slot[i];

	return t_frame_seq((uint8_t *)NETMAP_BUF(r, s->buf_idx), s->len);
}

/*
 * Puts len bytes of data as a chain of nfrag fragments of the given
 * sizes (their sum must be len).  -1 if the ring fills up.
 */
static int tx_frags(struct netmap_ring *r, const uint8_t *data,
		    const uint32_t *sizes, unsigned int nfrag)
{
	uint32_t off = 0;
	unsigned int j;

	for (j = 0; j < nfrag; j++) {
		if (tr_put(r, data + off, (uint16_t)sizes[j],
			   j + 1 < nfrag ? NS_MOREFRAG : 0))
			return -1;
		off += sizes[j];
	}
	return 0;
}

/* rxsync, drop everything received on every bound rx ring, release it. */
static long drain(struct tport *p)
{
	struct netmap_if *nifp = p->nifp;
	unsigned int i;
	long n = 0;

	tp_rxsync(p);
	for (i = 0; i < nifp->ni_rx_rings + nifp->ni_host_rx_rings; i++) {
		struct netmap_ring *r = tp_rx(p, i);

		while (r && rx_take(r, NULL) >= 0)
			n++;
	}
	tp_rxsync(p);
	return n;
}

/* ------------------------------------------------------------------ */
/* fresh rings                                                         */
/* ------------------------------------------------------------------ */

TEST(sync_initial_ring_state)
{
	static uint8_t seen[1 << 20];
	struct nmreq_pools_info pi;
	struct netmap_if *nifp;
	struct tport p;
	unsigned int t, k, cnt;
	uint32_t i, total;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 3, 128));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	CHECK_EQ(pools(&p, &pi), 0);
	total = pi.nr_buf_pool_objtotal;
	CHECK(total > 2 && total <= sizeof(seen));
	memset(seen, 0, total);
	nifp = p.nifp;
	CHECK_EQ(nifp->ni_tx_rings, 3);
	CHECK_EQ(nifp->ni_host_tx_rings, 1);
	for (t = 0; t < 2; t++) {
		cnt = t == NR_TX ? nifp->ni_tx_rings + nifp->ni_host_tx_rings
				 : nifp->ni_rx_rings + nifp->ni_host_rx_rings;
		for (k = 0; k < cnt; k++) {
			struct netmap_ring *r = t == NR_TX ? tp_tx(&p, k)
							   : tp_rx(&p, k);
			uint32_t n;

			CTX("%s ring %u", t == NR_TX ? "tx" : "rx", k);
			XCHECK(r != NULL);
			XCHECK((char *)r > p.mem &&
			       (char *)r < p.mem + p.reg.nr_memsize);
			n = r->num_slots;
			XCHECK_EQ(n, 128);
			XCHECK_EQ(r->nr_buf_size, pi.nr_buf_pool_objsize);
			XCHECK_EQ(r->dir, t);
			XCHECK_EQ(r->ringid, k);
			XCHECK_EQ(r->flags, 0);
			XCHECK_EQ(r->offset_mask, 0);
			/* buf_ofs leads to the buffer pool of this region */
			XCHECK((char *)r + r->buf_ofs ==
			       p.mem + pi.nr_buf_pool_offset);
			XCHECK_EQ(r->head, 0);
			XCHECK_EQ(r->cur, 0);
			XCHECK_EQ(r->tail, t == NR_TX ? n - 1 : 0);
			for (i = 0; i < n; i++) {
				uint32_t idx = r->slot[i].buf_idx;
				char *b;

				XCHECK(idx >= 2 && idx < total);
				XCHECK_EQ(seen[idx], 0);	/* distinct */
				seen[idx] = 1;
				b = NETMAP_BUF(r, idx);
				XCHECK(b >= p.mem + pi.nr_buf_pool_offset);
				XCHECK(b + r->nr_buf_size <=
				       p.mem + p.reg.nr_memsize);
				/* the whole buffer is mapped and writable */
				b[0] = 1;
				b[r->nr_buf_size - 1] = 2;
			}
		}
	}
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* the loopback wire                                                   */
/* ------------------------------------------------------------------ */

TEST(sync_loopback_lengths_order_content)
{
	struct nmsim_nic_stats st;
	uint16_t lens[5];
	struct tport p;
	unsigned int q, j, round;
	uint32_t bs;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	bs = tp_tx(&p, 0)->nr_buf_size;
	lens[0] = 0;
	lens[1] = 1;
	lens[2] = 60;
	lens[3] = 1514;
	lens[4] = (uint16_t)bs;
	for (round = 0; round < 40; round++) {
		for (q = 0; q < 2; q++)
			for (j = 0; j < 5; j++)
				CHECK_EQ(put_seq(tp_tx(&p, q),
						 round * 100 + q * 10 + j,
						 lens[j]), 0);
		CHECK_EQ(tp_txsync(&p), 0);
		CHECK_EQ(tp_rxsync(&p), 0);
		for (q = 0; q < 2; q++) {
			struct netmap_ring *rx = tp_rx(&p, q);

			CHECK_EQ(nm_ring_space(rx), 5);
			for (j = 0; j < 5; j++) {
				unsigned int ns = 0;
				long len = rx_take(rx, &ns);

				CTX("round %u ring %u frame %u", round, q, j);
				XCHECK_EQ(ns, 1);
				XCHECK(taken_is(len, lens[j],
						round * 100 + q * 10 + j));
			}
			CHECK(nm_ring_empty(rx));
		}
	}
	st = nic_st("sim0");
	CHECK_EQ(st.tx_frames, 40 * 10);
	CHECK_EQ(st.rx_frames, 40 * 10);
	CHECK_EQ(st.rx_dropped, 0);
	tp_close(&p);
	default_pools();
}

TEST(sync_morefrag_frame_larger_than_a_buffer)
{
	/* fragment sizes on tx: buffer sized, and irregular */
	uint32_t even[4], odd[5];
	struct netmap_ring *tx, *rx;
	struct tport p;
	uint32_t bs, len, i, k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	bs = tx->nr_buf_size;
	len = 3 * bs + 100;
	even[0] = even[1] = even[2] = bs;
	even[3] = 100;
	odd[0] = 700;
	odd[1] = bs;
	odd[2] = 1;
	odd[3] = bs - 1;
	odd[4] = len - 700 - bs - 1 - (bs - 1);
	for (k = 0; k < 2; k++) {
		t_frame(ebuf, (uint16_t)len, 42 + k);
		CHECK_EQ(tx_frags(tx, ebuf, k ? odd : even, k ? 5 : 4), 0);
	}
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nic_st("sim0").tx_frames, 2);
	CHECK_EQ(tp_rxsync(&p), 0);
	/* each arrives as buffer-sized pieces: bs, bs, bs, 100 */
	CHECK_EQ(nm_ring_space(rx), 8);
	for (k = 0; k < 2; k++) {
		uint32_t h = rx->head;
		unsigned int ns;
		long got;

		for (i = 0; i < 4; i++) {
			struct netmap_slot *s = &rx->slot[(h + i) % 256];

			CHECK_EQ(s->len, i < 3 ? bs : 100);
			CHECK_EQ(!!(s->flags & NS_MOREFRAG), i < 3);
		}
		got = rx_take(rx, &ns);
		CHECK_EQ(ns, 4);
		CHECK(taken_is(got, len, 42 + k));
	}
	CHECK(nm_ring_empty(rx));
	CHECK_EQ(nic_st("sim0").rx_dropped, 0);
	tp_close(&p);
	default_pools();
}

TEST(sync_morefrag_chains_of_1_to_64_fragments)
{
	uint32_t sizes[NETMAP_MAX_FRAGS], total[NETMAP_MAX_FRAGS + 1];
	struct netmap_ring *tx, *rx;
	struct tport p;
	unsigned int k, first, j;
	uint32_t bs;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 512));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	bs = tx->nr_buf_size;
	/* four chains per sync, so chains also meet in the rings */
	for (first = 1; first <= NETMAP_MAX_FRAGS; first += 4) {
		for (k = first; k < first + 4; k++) {
			total[k] = 0;
			for (j = 0; j < k; j++) {
				sizes[j] = 1 + (k * 131 + j * 71) % 1000;
				total[k] += sizes[j];
			}
			t_frame(ebuf, (uint16_t)total[k], k);
			CHECK_EQ(tx_frags(tx, ebuf, sizes, k), 0);
		}
		CHECK_EQ(tp_txsync(&p), 0);
		CHECK_EQ(tp_rxsync(&p), 0);
		for (k = first; k < first + 4; k++) {
			unsigned int ns = 0;
			long got = rx_take(rx, &ns);

			CTX("chain of %u fragments, %u bytes", k, total[k]);
			XCHECK(taken_is(got, total[k], k));
			XCHECK_EQ(ns, (total[k] + bs - 1) / bs);
		}
		CHECK(nm_ring_empty(rx));
		CHECK_EQ(tp_rxsync(&p), 0);
	}
	CHECK_EQ(nic_st("sim0").tx_frames, NETMAP_MAX_FRAGS);
	CHECK_EQ(nic_st("sim0").rx_dropped, 0);
	tp_close(&p);
	default_pools();
}

TEST(sync_morefrag_65_fragments_dropped_whole)
{
	uint32_t sizes[NETMAP_MAX_FRAGS + 1];
	struct nmsim_nic_stats s0, s1;
	struct netmap_ring *tx, *rx;
	struct tport p;
	unsigned int j, ns;
	long got;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 512));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	for (j = 0; j <= NETMAP_MAX_FRAGS; j++)
		sizes[j] = 100;
	s0 = nic_st("sim0");
	/* good, 65 fragments, good, 64 fragments (the limit), good */
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	t_frame(ebuf, 6500, 2);
	CHECK_EQ(tx_frags(tx, ebuf, sizes, NETMAP_MAX_FRAGS + 1), 0);
	CHECK_EQ(put_seq(tx, 3, 60), 0);
	t_frame(ebuf, 6400, 4);
	CHECK_EQ(tx_frags(tx, ebuf, sizes, NETMAP_MAX_FRAGS), 0);
	CHECK_EQ(put_seq(tx, 5, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	s1 = nic_st("sim0");
	CHECK_EQ(s1.rx_dropped - s0.rx_dropped, 1);
	CHECK_EQ(s1.tx_frames - s0.tx_frames, 4);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 1);
	CHECK_EQ(get_seq(rx, 60), 3);	/* no piece of the dropped one */
	got = rx_take(rx, &ns);
	CHECK(taken_is(got, 6400, 4));
	CHECK_EQ(ns, (6400 + rx->nr_buf_size - 1) / rx->nr_buf_size);
	CHECK_EQ(get_seq(rx, 60), 5);
	CHECK(nm_ring_empty(rx));
	/* the device forgot the dropped chain: the next frame is whole */
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(put_seq(tx, 6, 1514), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 1514), 6);
	CHECK(nm_ring_empty(rx));
	tp_close(&p);
	default_pools();
}

TEST(sync_rx_frame_that_does_not_fit_dropped_whole)
{
	struct nmsim_nic_stats s0, s1;
	struct netmap_ring *tx, *rx;
	uint32_t sz[3], bs, i;
	struct tport p;
	unsigned int ns;
	long got;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 16));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	bs = tx->nr_buf_size;
	s0 = nic_st("sim0");
	/* 13 of the 15 usable rx slots taken: 2 left */
	for (i = 0; i < 13; i++)
		CHECK_EQ(put_seq(tx, i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	/* a 3-slot frame does not fit: dropped whole */
	sz[0] = sz[1] = bs;
	sz[2] = 1;
	t_frame(ebuf, (uint16_t)(2 * bs + 1), 100);
	CHECK_EQ(tx_frags(tx, ebuf, sz, 3), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	s1 = nic_st("sim0");
	CHECK_EQ(s1.rx_dropped - s0.rx_dropped, 1);
	/* a 2-slot one does */
	sz[1] = 5;
	t_frame(ebuf, (uint16_t)(bs + 5), 101);
	CHECK_EQ(tx_frags(tx, ebuf, sz, 2), 0);
	/* and then the ring is full: a 1-slot one is dropped */
	CHECK_EQ(put_seq(tx, 102, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	s1 = nic_st("sim0");
	CHECK_EQ(s1.rx_dropped - s0.rx_dropped, 2);
	CHECK_EQ(s1.rx_frames - s0.rx_frames, 14);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(rx), 15);
	for (i = 0; i < 13; i++)
		CHECK_EQ(get_seq(rx, 60), i);
	got = rx_take(rx, &ns);
	CHECK(taken_is(got, bs + 5, 101));
	CHECK_EQ(ns, 2);
	CHECK(nm_ring_empty(rx));
	/* released, the same 3-slot frame fits */
	CHECK_EQ(tp_rxsync(&p), 0);
	sz[1] = bs;
	t_frame(ebuf, (uint16_t)(2 * bs + 1), 103);
	CHECK_EQ(tx_frags(tx, ebuf, sz, 3), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	got = rx_take(rx, &ns);
	CHECK(taken_is(got, 2 * bs + 1, 103));
	CHECK_EQ(ns, 3);
	CHECK_EQ(nic_st("sim0").rx_dropped - s0.rx_dropped, 2);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* wraparound                                                          */
/* ------------------------------------------------------------------ */

static uint32_t lcg_next(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static uint16_t wrap_len(uint32_t seq)
{
	return (uint16_t)(4 + seq % 197);
}

/*
 * Moves total frames through a 1-ring NIC of n slots in batches of
 * random size, consuming a random part of what arrived each round, so
 * that head, cur and tail of both rings wrap total/n times.  The sender
 * never hands the device more than the rx slots released so far.
 */
static void wrap_run(const char *name, uint32_t n, uint32_t total)
{
	uint32_t sent = 0, got = 0, released = 0, seed = n, wraps = 0;
	struct netmap_ring *tx, *rx;
	struct tport p;

	CTX("%s", name);
	XCHECK_EQ(nmsim_nic_create(name, 1, n), 0);
	XCHECK_EQ(tp_open(&p, name, NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	while (got < total) {
		uint32_t room = n - 1 - (sent - released);
		uint32_t b = lcg_next(&seed) % n, k, avail, oh = rx->head;

		if (b > room)
			b = room;
		if (b > total - sent)
			b = total - sent;
		if (b > nm_ring_space(tx))
			b = nm_ring_space(tx);
		for (k = 0; k < b; k++)
			XCHECK_EQ(put_seq(tx, sent + k, wrap_len(sent + k)), 0);
		sent += b;
		XCHECK_EQ(tp_txsync(&p), 0);
		XCHECK_EQ(tx->tail, (tx->head + n - 1) % n);
		XCHECK_EQ(tx->cur, tx->head);
		/* this rxsync releases what was consumed before it */
		released = got;
		XCHECK_EQ(tp_rxsync(&p), 0);
		avail = nm_ring_space(rx);
		XCHECK_EQ(avail, sent - got);
		/* consume a random part; all of it when nothing else moves */
		k = avail ? lcg_next(&seed) % (avail + 1) : 0;
		if (room == 0 && k == 0)
			k = avail;
		while (k--) {
			CTX("%s frame %u", name, got);
			XCHECK_EQ(get_seq(rx, wrap_len(got)), got);
			got++;
		}
		if (rx->head < oh)
			wraps++;
	}
	CTX("%s", name);
	XCHECK(wraps >= total / n - 1);
	XCHECK_EQ(nic_st(name).rx_dropped, 0);
	XCHECK_EQ(nic_st(name).tx_frames, total);
	XCHECK_EQ(reinits(&p, NR_TX, 0), 0);
	XCHECK_EQ(reinits(&p, NR_RX, 0), 0);
	tp_close(&p);
}

TEST(sync_wraparound_8_and_16_slots)
{
	small_pools();
	RUN(wrap_run("simw", 8, 16000));
	RUN(wrap_run("simx", 16, 32000));
	default_pools();
}

/* ------------------------------------------------------------------ */
/* the head/cur window                                                 */
/* ------------------------------------------------------------------ */

struct win {
	uint32_t head, cur;
	int ok;
	int scribble;		/* write tail = tailv first */
	uint32_t tailv;
	const char *what;
};

/*
 * One txsync with head and cur as in c.  Accepted: the pointers stay,
 * the slots in between go out.  Rejected: the ioctl still succeeds, the
 * ring is back at the kernel's (hwcur, hwcur, hwtail), nothing goes out.
 * nic NULL: a null port (its hwcur is always 0 and hwtail n - 1).
 */
static void tx_case(struct tport *p, const char *nic, const struct win *c)
{
	struct netmap_ring *tx = tp_tx(p, 0);
	uint32_t n = tx->num_slots, oh = tx->head, ot = tx->tail;
	long long r0 = reinits(p, NR_TX, 0);
	struct nmsim_nic_stats s0, s1;

	CTX("tx %s: head %u cur %u (was head %u tail %u)%s", c->what,
	    c->head, c->cur, oh, ot, nic ? "" : " null port");
	if (nic)
		s0 = nic_st(nic);
	if (c->scribble)
		set_tail(tx, c->tailv);
	tx->head = c->head;
	tx->cur = c->cur;
	XCHECK_EQ(tp_txsync(p), 0);
	if (c->ok) {
		XCHECK_EQ(reinits(p, NR_TX, 0), r0);
		XCHECK_EQ(tx->head, c->head);
		XCHECK_EQ(tx->cur, c->cur);
		XCHECK_EQ(tx->tail, nic ? (c->head + n - 1) % n : n - 1);
	} else {
		XCHECK_EQ(reinits(p, NR_TX, 0), r0 + 1);
		XCHECK_EQ(tx->head, nic ? oh : 0);
		XCHECK_EQ(tx->cur, nic ? oh : 0);
		XCHECK_EQ(tx->tail, ot);
	}
	if (nic) {
		s1 = nic_st(nic);
		XCHECK_EQ(s1.tx_frames - s0.tx_frames,
			  c->ok ? ring_dist(oh, c->head, n) : 0);
		XCHECK_EQ(drain(p), (long)(s1.tx_frames - s0.tx_frames));
	}
}

TEST(sync_txsync_head_cur_window)
{
	/* n = 16; a sim NIC: after each sync tail = head - 1 */
	static const struct win nic_cases[] = {
		{ 10, 10, 1, 0, 0, "forward" },
		{ 10, 10, 1, 0, 0, "no move" },
		{ 10, 9, 1, 0, 0, "cur at tail" },
		{ 16, 10, 0, 0, 0, "head == num_slots" },
		{ 0xffffffff, 10, 0, 0, 0, "head ~0" },
		{ 10, 16, 0, 0, 0, "cur == num_slots" },
		{ 10, 0x80000000, 0, 0, 0, "cur huge" },
		{ 12, 11, 0, 0, 0, "cur behind head" },
		{ 2, 1, 0, 0, 0, "cur behind head, head wrapped" },
		{ 5, 10, 0, 0, 0, "cur beyond tail, head wrapped" },
		{ 2, 15, 0, 0, 0, "cur beyond tail, cur not wrapped" },
		{ 3, 5, 1, 0, 0, "forward across the end" },
		{ 3, 2, 1, 0, 0, "cur at tail, wrapped" },
		{ 15, 2, 1, 0, 0, "cur wrapped past head" },
		{ 14, 14, 1, 0, 0, "head to tail: all n-1 slots" },
		{ 15, 15, 1, 1, 3, "tail scribbled, pointers fine" },
		{ 15, 15, 1, 1, 0xdeadbeef, "tail scribbled out of range" },
		{ 15, 20, 0, 1, 7, "tail scribbled and cur bad" },
		{ 4, 4, 1, 0, 0, "usable after all that" },
	};
	/* n = 16; a null port: hwcur 0 and hwtail 15 for good */
	static const struct win null_cases[] = {
		{ 6, 6, 1, 0, 0, "forward" },
		{ 6, 15, 1, 0, 0, "cur at tail" },
		{ 4, 4, 0, 0, 0, "head behind old head" },
		{ 6, 6, 1, 0, 0, "forward again" },
		{ 5, 6, 0, 0, 0, "head one behind old head" },
		{ 10, 9, 0, 0, 0, "cur behind head" },
		{ 15, 15, 1, 0, 0, "head up to tail" },
		{ 0, 0, 0, 0, 0, "head beyond tail (wraps)" },
		{ 15, 15, 1, 0, 0, "head up to tail again" },
		{ 15, 15, 1, 0, 0, "head up to tail, third time" },
		{ 15, 0, 0, 0, 0, "cur beyond tail (wraps)" },
		{ 15, 15, 1, 0, 0, "head up to tail, fourth time" },
		{ 3, 3, 0, 0, 0, "head beyond tail, far" },
		{ 8, 8, 1, 0, 0, "forward after reinit" },
		{ 16, 16, 0, 0, 0, "head == num_slots" },
		{ 8, 16, 0, 0, 0, "cur == num_slots" },
		{ 9, 9, 1, 1, 2, "tail scribbled, pointers fine" },
		{ 7, 9, 0, 1, 3, "tail scribbled and head backward" },
	};
	struct nmreq_register req;
	struct tport p, np;
	unsigned int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("simt", 1, 16));
	CHECK_EQ(tp_open(&p, "simt", NR_REG_ALL_NIC, 0, 0), 0);
	for (i = 0; i < sizeof(nic_cases) / sizeof(nic_cases[0]); i++)
		RUN(tx_case(&p, "simt", &nic_cases[i]));
	CHECK(reinits(&p, NR_RX, 0) == 0);
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_NULL;
	req.nr_mem_id = p.reg.nr_mem_id;
	req.nr_tx_slots = req.nr_rx_slots = 16;
	CHECK_EQ(tp_open_req(&np, "null0", &req, NULL), 0);
	CHECK_EQ(tp_tx(&np, 0)->tail, 15);
	for (i = 0; i < sizeof(null_cases) / sizeof(null_cases[0]); i++)
		RUN(tx_case(&np, NULL, &null_cases[i]));
	tp_close(&np);
	tp_close(&p);
	default_pools();
}

/*
 * One rxsync with head and cur as in c.  Accepted: the pointers stay
 * and tail becomes want_tail.  Rejected: back at (hwcur, hwcur, hwtail)
 * as before the call, no new frame surfaces, and the frame at head is
 * still there (seq_at_head, -1 if none).
 */
static void rx_case(struct tport *p, const struct win *c, uint32_t want_tail,
		    long seq_at_head)
{
	struct netmap_ring *rx = tp_rx(p, 0);
	uint32_t oh = rx->head, ot = rx->tail;
	long long r0 = reinits(p, NR_RX, 0);

	CTX("rx %s: head %u cur %u (was head %u tail %u)", c->what,
	    c->head, c->cur, oh, ot);
	if (c->scribble)
		set_tail(rx, c->tailv);
	rx->head = c->head;
	rx->cur = c->cur;
	XCHECK_EQ(tp_rxsync(p), 0);
	if (c->ok) {
		XCHECK_EQ(reinits(p, NR_RX, 0), r0);
		XCHECK_EQ(rx->head, c->head);
		XCHECK_EQ(rx->cur, c->cur);
		XCHECK_EQ(rx->tail, want_tail);
	} else {
		XCHECK_EQ(reinits(p, NR_RX, 0), r0 + 1);
		XCHECK_EQ(rx->head, oh);
		XCHECK_EQ(rx->cur, oh);
		XCHECK_EQ(rx->tail, ot);
		if (seq_at_head >= 0)
			XCHECK_EQ(slot_seq(rx, oh), seq_at_head);
	}
}

static void rx_reject(struct tport *p, uint32_t head, uint32_t cur,
		      const char *what, long seq_at_head)
{
	struct win c = { head, cur, 0, 0, 0, what };

	rx_case(p, &c, 0, seq_at_head);
}

static void rx_accept(struct tport *p, uint32_t head, uint32_t cur,
		      uint32_t want_tail, const char *what)
{
	struct win c = { head, cur, 1, 0, 0, what };

	rx_case(p, &c, want_tail, -1);
}

TEST(sync_rxsync_release_window)
{
	struct netmap_ring *tx, *rx;
	struct win c;
	struct tport p;
	uint32_t i, seq = 0;

	small_pools();
	CHECK_OK(nmsim_nic_create("simr", 1, 16));
	CHECK_EQ(tp_open(&p, "simr", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	for (i = 0; i < 10; i++)
		CHECK_EQ(put_seq(tx, seq++, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(rx->tail, 10);
	/* hwcur 0, hwtail 10 */
	RUN(rx_accept(&p, 0, 10, 10, "cur at hwtail, nothing released"));
	RUN(rx_accept(&p, 3, 3, 10, "release 3"));
	/* two more frames wait in the device: a rejected sync hides them */
	for (i = 0; i < 2; i++)
		CHECK_EQ(put_seq(tx, seq++, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	/* hwcur 3, hwtail 10 */
	RUN(rx_reject(&p, 11, 11, "head beyond hwtail", 3));
	RUN(rx_reject(&p, 15, 15, "head far beyond hwtail", 3));
	RUN(rx_reject(&p, 2, 2, "head behind hwcur (backward)", 3));
	RUN(rx_reject(&p, 0, 0, "head back to 0", 3));
	RUN(rx_reject(&p, 16, 16, "head == num_slots", 3));
	RUN(rx_reject(&p, 0xffffffff, 3, "head ~0", 3));
	RUN(rx_reject(&p, 3, 16, "cur == num_slots", 3));
	RUN(rx_reject(&p, 5, 4, "cur behind head", 3));
	RUN(rx_reject(&p, 5, 12, "cur beyond hwtail", 3));
	c = (struct win){ 4, 20, 0, 1, 9, "tail scribbled, cur bad" };
	RUN(rx_case(&p, &c, 0, 3));
	/* a scribbled tail alone is no error; the pending two surface */
	c = (struct win){ 5, 5, 1, 1, 1, "tail scribbled, pointers fine" };
	RUN(rx_case(&p, &c, 12, -1));
	CHECK_EQ(slot_seq(rx, 5), 5);
	RUN(rx_accept(&p, 12, 12, 12, "release all"));
	/* now wrap: 8 frames land in 12..15 and 0..3 */
	for (i = 0; i < 8; i++)
		CHECK_EQ(put_seq(tx, seq++, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(rx->tail, 4);
	/* hwcur 12, hwtail 4 */
	RUN(rx_reject(&p, 6, 6, "wrapped: head beyond hwtail", 12));
	RUN(rx_reject(&p, 8, 8, "wrapped: head in the kernel's part", 12));
	RUN(rx_reject(&p, 11, 11, "wrapped: head behind hwcur", 12));
	RUN(rx_reject(&p, 1, 0, "wrapped: cur behind head", 12));
	RUN(rx_reject(&p, 14, 5, "wrapped: cur beyond hwtail", 12));
	RUN(rx_reject(&p, 1, 11, "wrapped: cur behind hwcur", 12));
	/* past the end of the ring, but "inside" a window that wraps */
	RUN(rx_reject(&p, 16, 16, "wrapped: head == num_slots", 12));
	RUN(rx_reject(&p, 14, 16, "wrapped: cur == num_slots", 12));
	RUN(rx_reject(&p, 14, 0xffffffff, "wrapped: cur ~0", 12));
	RUN(rx_reject(&p, 0x80000000, 2, "wrapped: head huge", 12));
	RUN(rx_accept(&p, 14, 2, 4, "wrapped: release 2, cur wrapped"));
	RUN(rx_reject(&p, 13, 13, "wrapped: backward by one", 14));
	RUN(rx_accept(&p, 2, 4, 4, "wrapped: release across the end"));
	CHECK_EQ(get_seq(rx, 60), 18);
	CHECK_EQ(get_seq(rx, 60), 19);
	/* what was released is really the device's again: 13 slots */
	for (i = 0; i < 14; i++)
		CHECK_EQ(put_seq(tx, seq++, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nic_st("simr").rx_dropped, 1);	/* the 14th */
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(rx), 13);
	for (i = 0; i < 13; i++)
		CHECK_EQ(get_seq(rx, 60), 20 + i);
	CHECK_EQ(reinits(&p, NR_TX, 0), 0);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* malformed slots                                                     */
/* ------------------------------------------------------------------ */

/* A ring that must not notice a neighbour's trouble. */
struct nb {
	struct tport	*p;
	unsigned int	ring;
};

enum { BAD_IDX, BAD_LEN };

struct bad {
	int		kind;
	uint32_t	v;		/* buf_idx or len */
	int		total;		/* v is objtotal + v */
	const char	*what;
};

static const struct bad bad_slots[] = {
	{ BAD_IDX, 0, 0, "buf_idx 0" },
	{ BAD_IDX, 1, 0, "buf_idx 1" },
	{ BAD_IDX, 0, 1, "buf_idx objtotal" },
	{ BAD_IDX, 1, 1, "buf_idx objtotal + 1" },
	{ BAD_IDX, 0xffffffff, 0, "buf_idx ~0" },
	{ BAD_LEN, 0, 0, "len buf_size + 1" },
	{ BAD_LEN, 65535, 0, "len 65535" },
};

#define NBAD	(sizeof(bad_slots) / sizeof(bad_slots[0]))

#define NB_FRAMES	3

/* Each neighbour queues NB_FRAMES frames on its tx ring, tagged base + k. */
static void nb_queue(struct nb *nbs, int nnb, uint32_t base)
{
	int k, j;

	for (k = 0; k < nnb; k++)
		for (j = 0; j < NB_FRAMES; j++)
			XCHECK_EQ(put_seq(tp_tx(nbs[k].p, nbs[k].ring),
					  base + 100 * k + j, 60), 0);
}

/* ... and they all arrive, on rx ring i of whoever sent on tx ring i. */
static void nb_check(struct tport *pv, struct nb *nbs, int nnb,
		     uint32_t base, const long long *re)
{
	int k, j;

	for (k = 0; k < nnb; k++) {
		struct tport *q = nbs[k].p;
		struct netmap_ring *rx;

		if (q != pv)
			XCHECK_EQ(tp_txsync(q), 0);
		XCHECK_EQ(tp_rxsync(q), 0);
		rx = tp_rx(q, nbs[k].ring);
		XCHECK_EQ(nm_ring_space(rx), NB_FRAMES);
		for (j = 0; j < NB_FRAMES; j++)
			XCHECK_EQ(get_seq(rx, 60), base + 100 * k + j);
		XCHECK_EQ(tp_rxsync(q), 0);
		XCHECK_EQ(reinits(q, NR_TX, nbs[k].ring), re[2 * k]);
		XCHECK_EQ(reinits(q, NR_RX, nbs[k].ring), re[2 * k + 1]);
	}
}

static void nb_reinits(struct nb *nbs, int nnb, long long *re)
{
	int k;

	for (k = 0; k < nnb; k++) {
		re[2 * k] = reinits(nbs[k].p, NR_TX, nbs[k].ring);
		re[2 * k + 1] = reinits(nbs[k].p, NR_RX, nbs[k].ring);
	}
}

/*
 * On tx ring 0 of pv: two good frames, the bad slot, two good frames.
 * The neighbours have frames queued.  One txsync: the two before the
 * bad slot go out, the ring is reset to the bad slot, which is cleaned;
 * the neighbours' frames all arrive.  Then the user repairs the slot
 * and the rest goes out in order.
 */
static void tx_bad_slot(struct tport *pv, const char *nic, struct nb *nbs,
			int nnb, const struct bad *b)
{
	struct netmap_ring *tx = tp_tx(pv, 0), *rx = tp_rx(pv, 0);
	uint32_t n = tx->num_slots, total = buf_total(pv), bad, orig, ot;
	struct nmsim_nic_stats s0, s1;
	long long r0, re[16];
	int k;

	CTX("tx %s", b->what);
	RUN(nb_queue(nbs, nnb, 1000));
	nb_reinits(nbs, nnb, re);
	ot = tx->tail;
	XCHECK_EQ(put_seq(tx, 1, 60), 0);
	XCHECK_EQ(put_seq(tx, 2, 60), 0);
	bad = tx->head;
	XCHECK_EQ(put_seq(tx, 3, 60), 0);
	orig = tx->slot[bad].buf_idx;
	if (b->kind == BAD_IDX)
		tx->slot[bad].buf_idx = b->v + (b->total ? total : 0);
	else
		tx->slot[bad].len = (uint16_t)(b->v ? b->v
						    : tx->nr_buf_size + 1);
	XCHECK_EQ(put_seq(tx, 4, 60), 0);
	XCHECK_EQ(put_seq(tx, 5, 60), 0);
	r0 = reinits(pv, NR_TX, 0);
	s0 = nic_st(nic);

	XCHECK_EQ(tp_txsync(pv), 0);
	XCHECK_EQ(reinits(pv, NR_TX, 0), r0 + 1);
	XCHECK_EQ(tx->head, bad);
	XCHECK_EQ(tx->cur, bad);
	XCHECK_EQ(tx->tail, ot);
	if (b->kind == BAD_IDX) {
		XCHECK_EQ(tx->slot[bad].buf_idx, 0);
	} else {
		XCHECK_EQ(tx->slot[bad].buf_idx, orig);
	}
	XCHECK_EQ(tx->slot[bad].len, 0);
	/* the slots after the bad one are untouched */
	XCHECK_EQ(slot_seq(tx, (bad + 1) % n), 4);
	XCHECK_EQ(slot_seq(tx, (bad + 2) % n), 5);
	s1 = nic_st(nic);
	/* ours before the bad slot, plus a same-fd neighbour's */
	for (k = 0; k < nnb; k++)
		if (nbs[k].p == pv)
			s0.tx_frames += NB_FRAMES;
	XCHECK_EQ(s1.tx_frames - s0.tx_frames, 2);
	XCHECK_EQ(tp_rxsync(pv), 0);
	XCHECK_EQ(nm_ring_space(rx), 2);
	XCHECK_EQ(get_seq(rx, 60), 1);
	XCHECK_EQ(get_seq(rx, 60), 2);
	RUN(nb_check(pv, nbs, nnb, 1000, re));

	/* repaired, the rest goes out, in order */
	tx->slot[bad].buf_idx = orig;
	tx->slot[bad].flags = NS_BUF_CHANGED;
	t_frame(fbuf, 60, 3);
	memcpy(NETMAP_BUF(tx, orig), fbuf, 60);
	tx->slot[bad].len = 60;
	tx->head = tx->cur = (bad + 3) % n;
	XCHECK_EQ(tp_txsync(pv), 0);
	XCHECK_EQ(reinits(pv, NR_TX, 0), r0 + 1);
	XCHECK_EQ(tx->tail, (tx->head + n - 1) % n);
	XCHECK_EQ(tp_rxsync(pv), 0);
	XCHECK_EQ(get_seq(rx, 60), 3);
	XCHECK_EQ(get_seq(rx, 60), 4);
	XCHECK_EQ(get_seq(rx, 60), 5);
	XCHECK(nm_ring_empty(rx));
	XCHECK_EQ(tp_rxsync(pv), 0);
}

/*
 * Six frames received on rx ring 0 of pv; the user consumes four and
 * puts a bad buffer into the third.  Two more frames wait in the device
 * and the neighbours have frames waiting too.  One rxsync: the two slots
 * before the bad one are released, the ring is reset to the bad slot,
 * which is cleaned, no new frame surfaces; the neighbours are served.
 * Then the user repairs the slot and everything left arrives in order.
 */
static void rx_bad_slot(struct tport *pv, struct nb *nbs, int nnb,
			const struct bad *b)
{
	struct netmap_ring *tx = tp_tx(pv, 0), *rx = tp_rx(pv, 0);
	uint32_t n = rx->num_slots, total = buf_total(pv), h, bad, orig;
	long long r0, re[16];
	int i, k;

	CTX("rx %s", b->what);
	for (i = 1; i <= 6; i++)
		XCHECK_EQ(put_seq(tx, i, 60), 0);
	XCHECK_EQ(tp_txsync(pv), 0);
	XCHECK_EQ(tp_rxsync(pv), 0);
	XCHECK_EQ(nm_ring_space(rx), 6);
	h = rx->head;
	bad = (h + 2) % n;
	orig = rx->slot[bad].buf_idx;
	for (i = 1; i <= 4; i++)
		XCHECK_EQ(get_seq(rx, 60), i);
	rx->slot[bad].buf_idx = b->v + (b->total ? total : 0);
	rx->slot[bad].flags |= NS_BUF_CHANGED;
	/* more for us and for the neighbours, waiting in the devices */
	XCHECK_EQ(put_seq(tx, 7, 60), 0);
	XCHECK_EQ(put_seq(tx, 8, 60), 0);
	RUN(nb_queue(nbs, nnb, 2000));
	XCHECK_EQ(tp_txsync(pv), 0);
	nb_reinits(nbs, nnb, re);
	for (k = 0; k < nnb; k++)
		if (nbs[k].p != pv)
			XCHECK_EQ(tp_txsync(nbs[k].p), 0);
	r0 = reinits(pv, NR_RX, 0);

	XCHECK_EQ(tp_rxsync(pv), 0);
	XCHECK_EQ(reinits(pv, NR_RX, 0), r0 + 1);
	XCHECK_EQ(rx->head, bad);
	XCHECK_EQ(rx->cur, bad);
	XCHECK_EQ(rx->tail, (h + 6) % n);
	XCHECK_EQ(rx->slot[bad].buf_idx, 0);
	XCHECK_EQ(rx->slot[bad].len, 0);
	XCHECK_EQ(slot_seq(rx, (bad + 1) % n), 4);
	XCHECK_EQ(slot_seq(rx, (bad + 2) % n), 5);
	RUN(nb_check(pv, nbs, nnb, 2000, re));

	/* repaired and released, the rest surfaces */
	rx->slot[bad].buf_idx = orig;
	rx->slot[bad].flags = NS_BUF_CHANGED;
	rx->head = rx->cur = (bad + 2) % n;
	XCHECK_EQ(tp_rxsync(pv), 0);
	XCHECK_EQ(reinits(pv, NR_RX, 0), r0 + 1);
	XCHECK_EQ(rx->slot[bad].flags & NS_BUF_CHANGED, 0);
	XCHECK_EQ(nm_ring_space(rx), 4);
	for (i = 5; i <= 8; i++)
		XCHECK_EQ(get_seq(rx, 60), i);
	XCHECK_EQ(tp_rxsync(pv), 0);
}

/*
 * Victims: pa (all rings of sima; its tx/rx ring 1 is the same-fd
 * neighbour) and pc (ring 0 of simc through ONE_NIC, next to pd on ring
 * 1 of simc through another fd).  pb on simb is another NIC.
 */
struct bad_fixture {
	struct tport pa, pb, pc, pd;
	struct nb nba[3], nbc[2];
};

static void bad_fixture_open(struct bad_fixture *f)
{
	small_pools();
	XCHECK_EQ(nmsim_nic_create("sima", 2, 64), 0);
	XCHECK_EQ(nmsim_nic_create("simb", 1, 64), 0);
	XCHECK_EQ(nmsim_nic_create("simc", 2, 64), 0);
	XCHECK_EQ(tp_open(&f->pa, "sima", NR_REG_ALL_NIC, 0, 0), 0);
	XCHECK_EQ(tp_open(&f->pb, "simb", NR_REG_ALL_NIC, 0, 0), 0);
	XCHECK_EQ(tp_open(&f->pc, "simc", NR_REG_ONE_NIC, 0, 0), 0);
	XCHECK_EQ(tp_open(&f->pd, "simc", NR_REG_ONE_NIC, 1, 0), 0);
	XCHECK(tp_tx(&f->pc, 1) == NULL && tp_tx(&f->pd, 0) == NULL);
	f->nba[0] = (struct nb){ &f->pa, 1 };
	f->nba[1] = (struct nb){ &f->pb, 0 };
	f->nba[2] = (struct nb){ &f->pd, 1 };
	f->nbc[0] = (struct nb){ &f->pd, 1 };
	f->nbc[1] = (struct nb){ &f->pb, 0 };
}

static void bad_fixture_close(struct bad_fixture *f)
{
	tp_close(&f->pd);
	tp_close(&f->pc);
	tp_close(&f->pb);
	tp_close(&f->pa);
	default_pools();
}

TEST(sync_malformed_tx_slots)
{
	struct bad_fixture f;
	unsigned int i, round;

	RUN(bad_fixture_open(&f));
	/* twice over, so bad slots also land across the end of the ring */
	for (round = 0; round < 4; round++) {
		for (i = 0; i < NBAD; i++) {
			const struct bad *b = &bad_slots[i];

			RUN(tx_bad_slot(&f.pa, "sima", f.nba, 3, b));
			RUN(tx_bad_slot(&f.pc, "simc", f.nbc, 2, b));
		}
	}
	CHECK_EQ(nic_st("sima").rx_dropped, 0);
	CHECK_EQ(nic_st("simb").rx_dropped, 0);
	CHECK_EQ(nic_st("simc").rx_dropped, 0);
	bad_fixture_close(&f);
}

TEST(sync_malformed_rx_slots)
{
	struct bad_fixture f;
	unsigned int i, round;

	RUN(bad_fixture_open(&f));
	for (round = 0; round < 4; round++) {
		for (i = 0; i < NBAD; i++) {
			/* rx lengths are the kernel's to write */
			if (bad_slots[i].kind != BAD_IDX)
				continue;
			RUN(rx_bad_slot(&f.pa, f.nba, 3, &bad_slots[i]));
			RUN(rx_bad_slot(&f.pc, f.nbc, 2, &bad_slots[i]));
		}
	}
	CHECK_EQ(nic_st("sima").rx_dropped, 0);
	CHECK_EQ(nic_st("simb").rx_dropped, 0);
	CHECK_EQ(nic_st("simc").rx_dropped, 0);
	bad_fixture_close(&f);
}

/* Buffer swaps with NS_BUF_CHANGED, using extra buffers. */
TEST(sync_buf_changed_swaps_are_honoured)
{
	struct nmreq_register req;
	struct netmap_ring *tx, *rx;
	uint32_t e1, e2, o, next, i, t_old;
	struct tport p;
	char *ob;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 8));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_ALL_NIC;
	req.nr_extra_bufs = 2;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, NULL), 0);
	CHECK_EQ(p.reg.nr_extra_bufs, 2);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	e1 = p.nifp->ni_bufs_head;
	CHECK(e1 >= 2 && e1 < buf_total(&p));
	e2 = *(uint32_t *)NETMAP_BUF(rx, e1);
	CHECK(e2 >= 2 && e2 < buf_total(&p));
	next = *(uint32_t *)NETMAP_BUF(rx, e2);
	CHECK_EQ(next, 0);

	/* rx: frame 0 in slot 0; the user swaps e1 in and releases */
	CHECK_EQ(put_seq(tx, 0, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 0);
	o = rx->slot[0].buf_idx;
	CHECK(o != e1 && o != e2);
	rx->slot[0].buf_idx = e1;
	rx->slot[0].flags |= NS_BUF_CHANGED;
	/* o takes e1's place on the extra list; poison the rest of it */
	ob = NETMAP_BUF(rx, o);
	*(uint32_t *)ob = e2;
	memset(ob + 4, 0xa5, rx->nr_buf_size - 4);
	p.nifp->ni_bufs_head = o;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(rx->slot[0].flags & NS_BUF_CHANGED, 0);
	/* 7 frames land in slots 1..7, then the 8th in slot 0: in e1 */
	for (i = 1; i <= 7; i++)
		CHECK_EQ(put_seq(tx, i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	for (i = 1; i <= 7; i++)
		CHECK_EQ(get_seq(rx, 60), i);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(put_seq(tx, 8, 1000), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(rx->head, 0);
	CHECK_EQ(rx->slot[0].buf_idx, e1);
	CHECK_EQ(t_frame_seq((uint8_t *)NETMAP_BUF(rx, e1), rx->slot[0].len),
		 8);
	CHECK_EQ(get_seq(rx, 1000), 8);
	CHECK_EQ(tp_rxsync(&p), 0);
	/* the old buffer was left alone */
	for (i = 4; i < rx->nr_buf_size; i++)
		CHECK_EQ((uint8_t)ob[i], 0xa5);

	/* tx: the next frame is written into e2 and swapped into the slot */
	t_old = tx->slot[tx->head].buf_idx;
	t_frame((uint8_t *)NETMAP_BUF(tx, e2), 300, 9);
	tx->slot[tx->head].buf_idx = e2;
	tx->slot[tx->head].len = 300;
	tx->slot[tx->head].flags = NS_BUF_CHANGED;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	/* e2 was the list's tail: t_old ends the list instead */
	*(uint32_t *)ob = t_old;
	*(uint32_t *)NETMAP_BUF(tx, t_old) = 0;
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 300), 9);
	CHECK_EQ(reinits(&p, NR_TX, 0), 0);
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	tp_close(&p);
	default_pools();
}

/*
 * Slots the kernel owns are the device's business: their buffers were
 * handed over when released, and what the user writes there meanwhile
 * is ignored (and overwritten when the frames are delivered).
 */
TEST(sync_rx_kernel_owned_slots_ignore_user_writes)
{
	struct netmap_ring *tx, *rx;
	uint32_t save[8], i, other;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 8));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	other = tx->slot[5].buf_idx;
	/* a fresh rx ring: every slot is the kernel's */
	for (i = 0; i < 8; i++) {
		save[i] = rx->slot[i].buf_idx;
		rx->slot[i].buf_idx = i % 2 ? 1 : other;
		rx->slot[i].len = 7;
		rx->slot[i].flags = NS_BUF_CHANGED;
	}
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	CHECK_EQ(rx->tail, 3);
	for (i = 0; i < 3; i++) {
		CHECK_EQ(rx->slot[i].buf_idx, save[i]);
		CHECK_EQ(rx->slot[i].flags, 0);
		CHECK_EQ(get_seq(rx, 60), i);
	}
	/* the tx buffer the user pointed at was not written */
	CHECK_EQ(tx->slot[5].buf_idx, other);
	CHECK_EQ(tx->slot[5].len, 0);
	/* and the rest fill up the same way once released */
	CHECK_EQ(tp_rxsync(&p), 0);
	for (i = 3; i < 10; i++)
		CHECK_EQ(put_seq(tx, i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(rx), 7);
	for (i = 3; i < 10; i++) {
		CHECK_EQ(rx->slot[i % 8].buf_idx, save[i % 8]);
		CHECK_EQ(get_seq(rx, 60), i);
	}
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	CHECK_EQ(nic_st("sim0").rx_dropped, 0);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* a user racing the kernel                                            */
/* ------------------------------------------------------------------ */

struct scrib {
	struct netmap_ring	*ring[2];
	uint32_t		total;
	uint32_t		bufsize;
	int			stop;
	unsigned long		flips;
};

/* Flips slot fields (and now and then head/cur) to good and bad values. */
static void *scribbler(void *arg)
{
	struct scrib *s = arg;
	uint32_t seed = 7;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		uint32_t r = lcg_next(&seed), v = lcg_next(&seed);
		struct netmap_ring *ring = s->ring[r & 1];
		uint32_t n = ring->num_slots;
		struct netmap_slot *sl = &ring->slot[(r >> 1) % n];
		const uint32_t idx[] = { 0, 1, 2, 3, s->total - 1, s->total,
					 s->total + 1, 0xffffffff,
					 0x80000000, s->total / 2 };
		const uint16_t len[] = { 0, 1, 60, (uint16_t)s->bufsize,
					 (uint16_t)(s->bufsize + 1), 65535 };

		switch ((r >> 8) % 5) {
		case 0:
		case 1:
			__atomic_store_n(&sl->buf_idx, idx[v % 10],
					 __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_store_n(&sl->len, len[v % 6],
					 __ATOMIC_RELAXED);
			break;
		case 3:
			__atomic_store_n(&sl->flags, (uint16_t)(v & 0x3f),
					 __ATOMIC_RELAXED);
			break;
		default:
			if (v & 1)
				__atomic_store_n(&ring->head, v % (n + 2),
						 __ATOMIC_RELAXED);
			else
				__atomic_store_n(&ring->cur, v % (n + 2),
						 __ATOMIC_RELAXED);
			break;
		}
		s->flips++;
	}
	return NULL;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

TEST(sync_user_scribbling_slots_during_syncs)
{
	uint32_t save[2][64], i, n = 64;
	struct netmap_ring *tx, *rx;
	unsigned long iters = 0, errs = 0;
	struct scrib s;
	struct tport p;
	pthread_t th;
	uint64_t t0;
	int k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	for (i = 0; i < n; i++) {
		save[0][i] = tx->slot[i].buf_idx;
		save[1][i] = rx->slot[i].buf_idx;
	}
	memset(&s, 0, sizeof(s));
	s.ring[0] = tx;
	s.ring[1] = rx;
	s.total = buf_total(&p);
	s.bufsize = tx->nr_buf_size;
	CHECK(s.total > 0);
	CHECK_EQ(pthread_create(&th, NULL, scribbler, &s), 0);
	/* no CHECK until the scribbler is joined */
	t0 = mono_ms();
	while (iters < 30000 && mono_ms() - t0 < 400) {
		uint32_t t = __atomic_load_n(&tx->tail, __ATOMIC_ACQUIRE);

		__atomic_store_n(&tx->cur, t, __ATOMIC_RELAXED);
		__atomic_store_n(&tx->head, t, __ATOMIC_RELEASE);
		errs += tp_txsync(&p) != 0;
		errs += tp_rxsync(&p) != 0;
		t = __atomic_load_n(&rx->tail, __ATOMIC_ACQUIRE);
		__atomic_store_n(&rx->cur, t, __ATOMIC_RELAXED);
		__atomic_store_n(&rx->head, t, __ATOMIC_RELEASE);
		if (iters % 8 == 0) {
			struct pollfd pfd = { p.fd, POLLIN | POLLOUT, 0 };

			nmsim_poll(&pfd, 1, 0);
		}
		iters++;
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	CHECK_EQ(errs, 0);
	CHECK(s.flips > 0);
	/* the kernel kept resetting the rings */
	CHECK(reinits(&p, NR_TX, 0) > 0);
	CHECK(reinits(&p, NR_RX, 0) > 0);

	/* the user comes to its senses: good buffers, a forced reset */
	for (k = 0; k < 2; k++) {
		struct netmap_ring *r = k ? rx : tx;

		for (i = 0; i < n; i++) {
			r->slot[i].buf_idx = save[k][i];
			r->slot[i].len = 0;
			r->slot[i].flags = NS_BUF_CHANGED;
		}
		r->head = r->cur = n;
	}
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(tx->head < n && tx->cur == tx->head && tx->tail < n);
	CHECK(rx->head < n && rx->cur == rx->head && rx->tail < n);
	/*
	 * After a reset for a bad slot, tx tail lags behind the slots sent
	 * before it until the next good txsync: one with no new slot.
	 */
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nm_ring_space(tx), n - 1);
	/* release everything that is ours */
	rx->head = rx->cur = rx->tail;
	CHECK_EQ(tp_rxsync(&p), 0);
	rx->head = rx->cur = rx->tail;
	CHECK_EQ(tp_rxsync(&p), 0);
	/*
	 * The device still holds whatever buffers were released during the
	 * storm (duplicates too): cycle every slot once more, handing back
	 * the original buffers as the frames come in.
	 */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < n - 1; i++)
			CHECK_EQ(put_seq(tx, i, 60), 0);
		CHECK_EQ(tp_txsync(&p), 0);
		CHECK_EQ(tp_rxsync(&p), 0);
		while (!nm_ring_empty(rx)) {
			rx->slot[rx->head].buf_idx = save[1][rx->head];
			rx->slot[rx->head].flags = NS_BUF_CHANGED;
			rx->head = rx->cur = nm_ring_next(rx, rx->head);
		}
		CHECK_EQ(tp_rxsync(&p), 0);
	}
	/* and a clean round trip */
	for (i = 0; i < 8; i++)
		CHECK_EQ(put_seq(tx, 500 + i, 200), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(rx), 8);
	for (i = 0; i < 8; i++)
		CHECK_EQ(get_seq(rx, 200), 500 + i);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* timestamps                                                          */
/* ------------------------------------------------------------------ */

static int ts_is(struct netmap_ring *r, long sec, long usec)
{
	return r->ts.tv_sec == sec && r->ts.tv_usec == usec;
}

TEST(sync_rx_timestamps)
{
	struct netmap_ring *tx, *rx;
	struct pollfd pfd;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	memset(&rx->ts, 0, sizeof(rx->ts));
	memset(&tx->ts, 0, sizeof(tx->ts));

	/* no_timestamp 1: only rings asking with NR_TIMESTAMP */
	CHECK_OK(nmsim_param_set("no_timestamp", 1));
	nmsim_clock_freeze(1000, 11);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 0, 0));
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	rx->flags |= NR_TIMESTAMP;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 1000, 11));
	nmsim_clock_freeze(2000, 22);
	rx->flags &= ~NR_TIMESTAMP;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 1000, 11));
	rx->flags |= NR_TIMESTAMP;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 2000, 22));
	rx->flags &= ~NR_TIMESTAMP;
	/* txsync never, even when asked */
	tx->flags |= NR_TIMESTAMP;
	CHECK_EQ(put_seq(tx, 2, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK(ts_is(tx, 0, 0));
	tx->flags &= ~NR_TIMESTAMP;

	/* no_timestamp 0 (the default): every rxsync */
	CHECK_OK(nmsim_param_set("no_timestamp", 0));
	nmsim_clock_freeze(3000, 33);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 3000, 33));
	nmsim_clock_freeze(4000, 44);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(ts_is(rx, 4000, 44));
	/* also the rxsync of a poll */
	nmsim_clock_freeze(5000, 55);
	pfd.fd = p.fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	CHECK(nmsim_poll(&pfd, 1, 0) >= 0);
	CHECK(ts_is(rx, 5000, 55));
	CHECK_EQ(put_seq(tx, 3, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK(ts_is(tx, 0, 0));
	nmsim_clock_thaw();
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(rx->ts.tv_sec > 1000000000);	/* the real clock again */
	CHECK_EQ(get_seq(rx, 60), 1);
	CHECK_EQ(get_seq(rx, 60), 2);
	CHECK_EQ(get_seq(rx, 60), 3);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* fault points                                                        */
/* ------------------------------------------------------------------ */

static int sync_errno(struct tport *p, unsigned long cmd)
{
	return nmsim_ioctl(p->fd, cmd, NULL) ? errno : 0;
}

TEST(sync_fault_txsync_enter_nth)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	uint32_t ot;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_OK(nmsim_fi_arm("txsync.enter", "nth:2"));
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 0);
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	CHECK_EQ(sync_errno(&p, NIOCTXSYNC), 0);
	CHECK_EQ(nic_st("sim0").tx_frames, 1);
	CHECK_EQ(put_seq(tx, 2, 60), 0);
	ot = tx->tail;
	CHECK_EQ(sync_errno(&p, NIOCTXSYNC), EIO);
	CHECK_EQ(nic_st("sim0").tx_frames, 1);	/* nothing sent */
	CHECK_EQ(tx->tail, ot);
	CHECK_EQ(tx->head, 2);
	CHECK_EQ(sync_errno(&p, NIOCTXSYNC), 0);
	CHECK_EQ(nic_st("sim0").tx_frames, 2);
	CHECK_EQ(tx->tail, 1);
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 3);
	CHECK_EQ(sync_errno(&p, NIOCTXSYNC), 0);
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 4);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 1);
	CHECK_EQ(get_seq(rx, 60), 2);
	CHECK(nm_ring_empty(rx));
	CHECK_EQ(reinits(&p, NR_TX, 0), 0);
	tp_close(&p);
	default_pools();
}

TEST(sync_fault_rxsync_enter_nth)
{
	struct netmap_ring *tx, *rx;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_OK(nmsim_fi_arm("rxsync.enter", "nth:2"));
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(sync_errno(&p, NIOCRXSYNC), 0);
	CHECK_EQ(rx->tail, 1);
	CHECK_EQ(get_seq(rx, 60), 1);
	CHECK_EQ(put_seq(tx, 2, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(sync_errno(&p, NIOCRXSYNC), EIO);
	CHECK_EQ(rx->tail, 1);			/* nothing received */
	CHECK(nm_ring_empty(rx));
	CHECK_EQ(sync_errno(&p, NIOCRXSYNC), 0);
	CHECK_EQ(rx->tail, 2);
	CHECK_EQ(get_seq(rx, 60), 2);
	CHECK_EQ(nmsim_fi_hits("rxsync.enter"), 3);
	/* the tx side is another point */
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 2);
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	tp_close(&p);
	default_pools();
}

TEST(sync_fault_every_3)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	uint64_t want = 0;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_OK(nmsim_fi_arm("txsync.enter", "every:3"));
	for (i = 1; i <= 9; i++) {
		CHECK_EQ(put_seq(tx, (uint32_t)i, 60), 0);
		CTX("txsync %d", i);
		XCHECK_EQ(sync_errno(&p, NIOCTXSYNC), i % 3 ? 0 : EIO);
		/* a failed call leaves its frame for the next one */
		want = i % 3 ? (uint64_t)i : (uint64_t)i - 1;
		XCHECK_EQ(nic_st("sim0").tx_frames, want);
	}
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 9);
	CHECK_EQ(sync_errno(&p, NIOCTXSYNC), 0);
	CHECK_EQ(nic_st("sim0").tx_frames, 9);
	CHECK_OK(nmsim_fi_arm("rxsync.enter", "every:3"));
	for (i = 1; i <= 9; i++) {
		uint32_t ot = rx->tail;

		CTX("rxsync %d", i);
		XCHECK_EQ(sync_errno(&p, NIOCRXSYNC), i % 3 ? 0 : EIO);
		if (i % 3 == 0)
			XCHECK_EQ(rx->tail, ot);
	}
	CHECK_EQ(nmsim_fi_hits("rxsync.enter"), 9);
	for (i = 1; i <= 9; i++)
		CHECK_EQ(get_seq(rx, 60), i);
	tp_close(&p);
	default_pools();
}

/* 64 txsyncs, one frame each: bit i set when call i failed. */
static uint64_t prob_pattern(struct tport *p, const char *spec, long *sent)
{
	struct netmap_ring *tx = tp_tx(p, 0);
	uint64_t pat = 0;
	int i, e;

	CTX("%s", spec);
	if (nmsim_fi_arm("txsync.enter", spec))
		return 0;
	for (i = 0; i < 64; i++) {
		if (put_seq(tx, (uint32_t)i, 60))
			return 0;
		e = sync_errno(p, NIOCTXSYNC);
		if (e == EIO)
			pat |= 1ULL << i;
		else if (e)
			return 0;
	}
	if (nmsim_fi_hits("txsync.enter") != 64)
		return 0;
	nmsim_fi_arm("txsync.enter", "off");
	if (sync_errno(p, NIOCTXSYNC))	/* flush what the last one kept */
		return 0;
	*sent += 64;
	return pat;
}

TEST(sync_fault_prob_is_deterministic_per_seed)
{
	uint64_t a, b, c;
	struct tport p;
	long sent = 0;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	a = prob_pattern(&p, "prob:0.5:42", &sent);
	CHECK_EQ(drain(&p), 64);
	b = prob_pattern(&p, "prob:0.5:42", &sent);
	CHECK_EQ(drain(&p), 64);
	c = prob_pattern(&p, "prob:0.5:43", &sent);
	CHECK_EQ(drain(&p), 64);
	CHECK_EQ(sent, 3 * 64);
	CHECK(a != 0 && a != ~0ULL);
	CHECK_EQ(a, b);
	CHECK(a != c);
	CHECK(__builtin_popcountll(a) > 8 && __builtin_popcountll(a) < 56);
	CHECK_EQ(nic_st("sim0").tx_frames, 3 * 64);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* syncs without a usable port                                         */
/* ------------------------------------------------------------------ */

TEST(sync_ioctl_without_a_port)
{
	struct tport p;
	short rev;
	int fd, fd2;
	struct pollfd pfd;

	small_pools();
	/* not registered: ENXIO */
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_ERRNO(nmsim_ioctl(fd, NIOCTXSYNC, NULL), ENXIO);
	CHECK_ERRNO(nmsim_ioctl(fd, NIOCRXSYNC, NULL), ENXIO);
	/* closed: EBADF */
	fd2 = nmsim_open();
	CHECK(fd2 >= 0);
	CHECK_OK(nmsim_close(fd2));
	CHECK_ERRNO(nmsim_ioctl(fd2, NIOCTXSYNC, NULL), EBADF);
	CHECK_OK(nmsim_close(fd));
	/* the NIC went away under the registration: ENXIO and POLLERR */
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(put_seq(tp_tx(&p, 0), 1, 60), 0);
	CHECK_OK(nmsim_nic_destroy("sim0"));
	CHECK_ERRNO(nmsim_ioctl(p.fd, NIOCTXSYNC, NULL), ENXIO);
	CHECK_ERRNO(nmsim_ioctl(p.fd, NIOCRXSYNC, NULL), ENXIO);
	pfd.fd = p.fd;
	pfd.events = POLLIN | POLLOUT;
	pfd.revents = 0;
	CHECK_EQ(nmsim_poll(&pfd, 1, 0), 1);
	rev = pfd.revents;
	CHECK_EQ(rev, POLLERR);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* host rings                                                          */
/* ------------------------------------------------------------------ */

/* ring_ofs of NIC tx/rx rings and of host tx/rx rings are set or not */
static void bound_as(struct tport *p, int nic, int host)
{
	struct netmap_if *f = p->nifp;
	uint32_t ntx = f->ni_tx_rings, nhtx = f->ni_host_tx_rings;
	uint32_t nrx = f->ni_rx_rings, nhrx = f->ni_host_rx_rings, i;

	for (i = 0; i < ntx; i++)
		XCHECK_EQ(f->ring_ofs[i] != 0, nic);
	for (i = 0; i < nhtx; i++)
		XCHECK_EQ(f->ring_ofs[ntx + i] != 0, host);
	for (i = 0; i < nrx; i++)
		XCHECK_EQ(f->ring_ofs[ntx + nhtx + i] != 0, nic);
	for (i = 0; i < nhrx; i++)
		XCHECK_EQ(f->ring_ofs[ntx + nhtx + nrx + i] != 0, host);
}

TEST(sync_host_rings)
{
	struct netmap_ring *htx, *hrx;
	struct nmsim_nic_stats s0, s1;
	uint32_t sz[2] = { 100, 50 }, n, orig;
	struct tport p;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));

	/* SW: the host rings alone */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	CTX("SW");
	RUN(bound_as(&p, 0, 1));
	htx = tp_host_tx(&p, 0);
	hrx = tp_host_rx(&p, 0);
	CHECK(htx && hrx);
	n = htx->num_slots;
	CHECK_EQ(n, 64);
	CHECK_EQ(hrx->num_slots, 64);
	CHECK_EQ(htx->dir, 0);
	CHECK_EQ(hrx->dir, 1);
	CHECK_EQ(htx->head, 0);
	CHECK_EQ(htx->tail, n - 1);
	CHECK_EQ(hrx->tail, 0);
	s0 = nic_st("sim0");
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(htx, (uint32_t)i, 60), 0);
	t_frame(ebuf, 150, 3);
	CHECK_EQ(tx_frags(htx, ebuf, sz, 2), 0);	/* one frame */
	CHECK_EQ(tp_txsync(&p), 0);
	s1 = nic_st("sim0");
	CHECK_EQ(s1.host_tx_frames - s0.host_tx_frames, 4);
	CHECK_EQ(s1.tx_frames, s0.tx_frames);	/* not on the wire */
	CHECK_EQ(htx->head, 5);
	CHECK_EQ(htx->cur, 5);
	CHECK_EQ(htx->tail, 4);
	/* across the end of the ring */
	for (i = 0; i < 60; i++)
		CHECK_EQ(put_seq(htx, 10 + (uint32_t)i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nic_st("sim0").host_tx_frames - s0.host_tx_frames, 64);
	CHECK_EQ(htx->head, 1);
	CHECK_EQ(htx->tail, 0);
	/* no host stack: nothing ever arrives on host rx */
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(hrx));
	CHECK_EQ(reinits(&p, NR_TX, 2), 0);
	tp_close(&p);

	/* NIC_SW: both, in one sync */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	CTX("NIC_SW");
	RUN(bound_as(&p, 1, 1));
	s0 = nic_st("sim0");
	CHECK_EQ(put_seq(tp_tx(&p, 1), 77, 60), 0);
	CHECK_EQ(put_seq(tp_host_tx(&p, 0), 78, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	s1 = nic_st("sim0");
	CHECK_EQ(s1.tx_frames - s0.tx_frames, 1);
	CHECK_EQ(s1.host_tx_frames - s0.host_tx_frames, 1);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 1), 60), 77);
	CHECK(nm_ring_empty(tp_rx(&p, 0)));
	CHECK(nm_ring_empty(tp_host_rx(&p, 0)));
	tp_close(&p);

	/* ONE_SW, ring 0: the host rings again */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_SW, 0, 0), 0);
	CTX("ONE_SW");
	RUN(bound_as(&p, 0, 1));
	htx = tp_host_tx(&p, 0);
	CHECK_EQ(htx->head, 0);
	CHECK_EQ(htx->tail, n - 1);
	CHECK_EQ(put_seq(htx, 5, 60), 0);
	s0 = nic_st("sim0");
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nic_st("sim0").host_tx_frames - s0.host_tx_frames, 1);
	CHECK_EQ(htx->tail, 0);
	/* a bad host slot resets the host ring like any other */
	orig = htx->slot[1].buf_idx;
	htx->slot[1].buf_idx = 1;
	htx->head = htx->cur = 2;
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_TX, 2), 1);
	CHECK_EQ(htx->head, 1);
	CHECK_EQ(htx->cur, 1);
	CHECK_EQ(htx->slot[1].buf_idx, 0);
	htx->slot[1].buf_idx = orig;
	htx->slot[1].flags = NS_BUF_CHANGED;
	htx->head = htx->cur = 2;
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_TX, 2), 1);
	CHECK_EQ(nic_st("sim0").host_tx_frames - s0.host_tx_frames, 2);
	tp_close(&p);
	default_pools();
}
