/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Host rings of a sim NIC and transparent-mode forwarding: host tx to the
 * host stack (MOREFRAG chains joined, also across syncs), the stack's
 * frames into host rx rings (scattered, bounded, waiting for room, poll
 * woken), several host rings, NS_FORWARD up and down with NR_FORWARD and
 * with the fwd parameter, no forwarding without them, malformed slots on
 * host rings, and frames queued at close and at shutdown.
 */
#include <stdbool.h>
#include <pthread.h>
#include <time.h>

#include "t.h"
#include "tutil.h"

#define MAXFRAME	65536

static uint8_t fbuf[MAXFRAME];
static uint8_t ebuf[MAXFRAME];

/* Every test starts with small pools and forwarding off. */
static void setup(void)
{
	nmsim_param_set("buf_num", 8192);
	nmsim_param_set("fwd", 0);
}

static void teardown(void)
{
	nmsim_param_set("buf_num", 163840);
	nmsim_param_set("fwd", 0);
}

static struct nmsim_nic_stats nic_st(const char *name)
{
	struct nmsim_nic_stats st;

	memset(&st, 0, sizeof(st));
	nmsim_nic_stats(name, &st);
	return st;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, 0);
}

static int put_seq_fl(struct netmap_ring *r, uint32_t seq, uint16_t len,
		      uint16_t flags)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, flags);
}

static int host_inject_seq(const char *nic, uint32_t seq, uint16_t len)
{
	t_frame(ebuf, len, seq);
	return nmsim_host_inject(nic, ebuf, len);
}

static int wire_inject_seq(const char *nic, unsigned int ring, uint32_t seq,
			   uint16_t len)
{
	t_frame(ebuf, len, seq);
	return nmsim_wire_inject(nic, ring, ebuf, len);
}

/* The frame at head (a chain) into fbuf: length, -1 empty, -2 cut. */
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

/* Seq of the next frame the host stack got, -2 none, -1 wrong. */
static long stack_seq(const char *nic, uint16_t len)
{
	long n = nmsim_host_capture(nic, fbuf, sizeof(fbuf));

	if (n != len)
		return n == 0 ? -2 : -1;
	return t_frame_seq(fbuf, len);
}

static long wire_seq(const char *nic, uint16_t len, unsigned int *ring)
{
	long n = nmsim_wire_capture(nic, fbuf, sizeof(fbuf), ring);

	if (n != len)
		return n == 0 ? -2 : -1;
	return t_frame_seq(fbuf, len);
}

static long long reinits(struct tport *p, int t, unsigned int i)
{
	return nmsim_ring_reinits(p->fd, t, i);
}

/* Opens name with host ring counts htx/hrx (0: the default). */
static int open_hosts(struct tport *p, const char *name, uint32_t mode,
		      uint16_t htx, uint16_t hrx)
{
	struct nmreq_register req;

	memset(&req, 0, sizeof(req));
	req.nr_mode = mode;
	req.nr_host_tx_rings = htx;
	req.nr_host_rx_rings = hrx;
	return tp_open_req(p, name, &req, NULL);
}

/* ------------------------------------------------------------------ */
/* host tx -> host stack                                               */
/* ------------------------------------------------------------------ */

TEST(host_tx_to_stack_in_order)
{
	struct netmap_ring *htx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t k;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	htx = tp_host_tx(&p, 0);
	for (k = 0; k < 40; k++)
		CHECK_EQ(put_seq(htx, k, (uint16_t)(60 + k)), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(htx->tail, nm_ring_next(htx, 39) == 0 ? 63 : 39);
	/* around the end of the ring, in the same order */
	for (k = 40; k < 100; k++)
		CHECK_EQ(put_seq(htx, k, (uint16_t)(60 + k)), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	for (k = 0; k < 100; k++)
		CHECK_EQ(stack_seq("sim0", (uint16_t)(60 + k)), k);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	st = nic_st("sim0");
	CHECK_EQ(st.host_tx_frames, 100);
	CHECK_EQ(st.stack_rx_frames, 100);
	CHECK_EQ(st.stack_rx_dropped, 0);
	CHECK_EQ(st.tx_frames, 0);
	tp_close(&p);
	teardown();
}

TEST(host_tx_morefrag_chains)
{
	uint32_t sizes[NETMAP_MAX_FRAGS + 1], total, j, off;
	struct netmap_ring *htx;
	struct nmsim_nic_stats st;
	struct tport p;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	htx = tp_host_tx(&p, 0);
	/* three fragments, one frame */
	t_frame(ebuf, 3000, 1);
	CHECK_EQ(tr_put(htx, ebuf, 1000, NS_MOREFRAG), 0);
	CHECK_EQ(tr_put(htx, ebuf + 1000, 1500, NS_MOREFRAG), 0);
	CHECK_EQ(tr_put(htx, ebuf + 2500, 500, 0), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 3000);
	CHECK(memcmp(fbuf, ebuf, 3000) == 0);
	/* a chain across two syncs */
	t_frame(ebuf, 2000, 2);
	CHECK_EQ(tr_put(htx, ebuf, 700, NS_MOREFRAG), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(tr_put(htx, ebuf + 700, 1300, 0), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 2000);
	CHECK(memcmp(fbuf, ebuf, 2000) == 0);
	/* 64 fragments are fine, 65 are dropped whole and counted */
	for (total = 0, j = 0; j < NETMAP_MAX_FRAGS; j++) {
		sizes[j] = 10 + j;
		total += sizes[j];
	}
	t_frame(ebuf, (uint16_t)total, 3);
	for (off = 0, j = 0; j < NETMAP_MAX_FRAGS; j++) {
		CHECK_EQ(tr_put(htx, ebuf + off, (uint16_t)sizes[j],
				j + 1 < NETMAP_MAX_FRAGS ? NS_MOREFRAG : 0), 0);
		off += sizes[j];
	}
	for (j = 0; j < NETMAP_MAX_FRAGS + 1; j++)
		CHECK_EQ(tr_put(htx, ebuf, 20,
				j < NETMAP_MAX_FRAGS ? NS_MOREFRAG : 0), 0);
	CHECK_EQ(put_seq(htx, 4, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), total);
	CHECK_EQ(t_frame_seq(fbuf, (uint16_t)total), 3);
	CHECK_EQ(stack_seq("sim0", 60), 4);	/* after the dropped one */
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	st = nic_st("sim0");
	CHECK_EQ(st.host_tx_frames, 5);
	CHECK_EQ(st.stack_rx_frames, 4);
	CHECK_EQ(st.stack_rx_dropped, 1);
	CHECK_EQ(reinits(&p, NR_TX, 1), 0);
	tp_close(&p);
	teardown();
}

/* Chains cut short by a close are counted where the frame would have gone. */
TEST(host_pending_chains_counted_at_close)
{
	struct netmap_ring *rx;
	struct nmsim_nic_stats s0, st;
	struct tport p;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	/* host tx: the first two slots of a chain */
	CHECK_EQ(put_seq_fl(tp_host_tx(&p, 0), 1, 100, NS_MOREFRAG), 0);
	CHECK_EQ(put_seq_fl(tp_host_tx(&p, 0), 1, 100, NS_MOREFRAG), 0);
	/* NIC tx: the same */
	CHECK_EQ(put_seq_fl(tp_tx(&p, 0), 2, 100, NS_MOREFRAG), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	/* NIC rx: half of a marked chain released */
	t_frame(ebuf, 5000, 3);
	CHECK_OK(nmsim_wire_inject("sim0", 0, ebuf, 5000));
	CHECK_EQ(tp_rxsync(&p), 0);
	rx = tp_rx(&p, 0);
	rx->flags |= NR_FORWARD;
	rx->slot[rx->head].flags |= NS_FORWARD;
	rx->head = rx->cur = nm_ring_next(rx, rx->head);
	CHECK_EQ(tp_rxsync(&p), 0);
	s0 = nic_st("sim0");
	CHECK_EQ(s0.stack_rx_frames + s0.stack_rx_dropped, 0);
	CHECK_EQ(s0.tx_frames + s0.rx_dropped, 0);
	CHECK_EQ(s0.fwd_up_frames + s0.fwd_dropped, 0);
	tp_close(&p);
	st = nic_st("sim0");
	CHECK_EQ(st.stack_rx_dropped, 1);
	CHECK_EQ(st.rx_dropped, 1);
	CHECK_EQ(st.fwd_dropped, 1);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	/* a new registration starts clean: single frames go through */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	CHECK_EQ(put_seq(tp_host_tx(&p, 0), 4, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 60), 4);
	tp_close(&p);
	teardown();
}

/* Frames the stack cannot take are counted, never silently lost. */
TEST(host_tx_runts_and_full_stack_counted)
{
	struct netmap_ring *htx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t k, sent = 0;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 512));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	htx = tp_host_tx(&p, 0);
	CHECK_EQ(put_seq(htx, 1, 13), 0);	/* no Ethernet header */
	CHECK_EQ(put_seq(htx, 2, 14), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 14), 2);
	CHECK_EQ(nic_st("sim0").stack_rx_dropped, 1);
	/* 4096 frames fill the stack's queue; the next 10 are dropped */
	while (sent < 4096 + 10) {
		for (k = 0; k < 500 && sent < 4096 + 10; k++, sent++)
			CHECK_EQ(put_seq(htx, sent, 60), 0);
		CHECK_EQ(tp_txsync(&p), 0);
	}
	st = nic_st("sim0");
	CHECK_EQ(st.stack_rx_frames, 1 + 4096);
	CHECK_EQ(st.stack_rx_dropped, 1 + 10);
	for (k = 0; k < 4096; k++) {
		long s = stack_seq("sim0", 60);

		if (s != (long)k)
			CHECK_EQ(s, k);
	}
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	tp_close(&p);
	teardown();
}

/* ------------------------------------------------------------------ */
/* host stack -> host rx                                               */
/* ------------------------------------------------------------------ */

TEST(host_inject_to_host_rx_ring)
{
	struct netmap_ring *hrx;
	struct nmsim_nic_stats st;
	struct tport p;
	unsigned int ns;
	uint32_t k, bs;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 128));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	bs = hrx->nr_buf_size;
	for (k = 0; k < 10; k++)
		CHECK_OK(host_inject_seq("sim0", k, (uint16_t)(60 + k)));
	CHECK(nm_ring_empty(hrx));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), 10);
	for (k = 0; k < 10; k++)
		CHECK_EQ(get_seq(hrx, (uint16_t)(60 + k)), k);
	/* NIC rx rings untouched, nothing on the wire or to the stack */
	CHECK(nm_ring_empty(tp_rx(&p, 0)));
	CHECK(nm_ring_empty(tp_rx(&p, 1)));
	/* a large frame is scattered over MOREFRAG slots */
	t_frame(ebuf, 65535, 77);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 65535));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(rx_take(hrx, &ns), 65535);
	CHECK_EQ(ns, (65535 + bs - 1) / bs);
	t_frame(ebuf, 65535, 77);
	CHECK(memcmp(fbuf, ebuf, 65535) == 0);
	st = nic_st("sim0");
	CHECK_EQ(st.host_rx_frames, 11);
	CHECK_EQ(st.host_rx_dropped, 0);
	CHECK_EQ(st.tx_frames, 0);
	CHECK_EQ(st.rx_frames, 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	tp_close(&p);
	teardown();
}

/* A full ring makes frames wait in the queue; none is lost. */
TEST(host_rx_waits_for_room)
{
	struct netmap_ring *hrx;
	struct tport p;
	uint32_t k, got = 0;
	long s;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	for (k = 0; k < 200; k++)
		CHECK_OK(host_inject_seq("sim0", k, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), 63);
	/* take 10 and release them: exactly 10 more come */
	for (k = 0; k < 10; k++)
		CHECK_EQ(get_seq(hrx, 60), got++);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), 63);
	while (got < 200) {
		CHECK_EQ(tp_rxsync(&p), 0);
		CHECK(!nm_ring_empty(hrx));
		while ((s = get_seq(hrx, 60)) != -2)
			CHECK_EQ(s, got++);
	}
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(hrx));
	CHECK_EQ(nic_st("sim0").host_rx_frames, 200);
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 0);
	tp_close(&p);
	teardown();
}

/* 4096 frames per host rx queue; the rest dropped and counted. */
TEST(host_rx_queue_is_bounded)
{
	struct netmap_ring *hrx;
	struct tport p;
	uint32_t k, got = 0;
	long s;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 1024));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	for (k = 0; k < 4096 + 50; k++)
		CHECK_OK(host_inject_seq("sim0", k, 60));
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 50);
	while (got < 4096) {
		CHECK_EQ(tp_rxsync(&p), 0);
		CHECK(!nm_ring_empty(hrx));
		while ((s = get_seq(hrx, 60)) != -2) {
			if (s != (long)got)
				CHECK_EQ(s, got);
			got++;
		}
	}
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(hrx));
	CHECK_EQ(nic_st("sim0").host_rx_frames, 4096);
	tp_close(&p);
	teardown();
}

/*
 * A frame larger than the whole ring can ever hold is dropped, counted,
 * and does not block the ones behind it.
 */
TEST(host_rx_frame_larger_than_ring_dropped)
{
	struct netmap_ring *hrx;
	struct tport p;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 8));	/* 7 usable slots */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	CHECK(hrx->nr_buf_size * 7 < 65535);
	t_frame(ebuf, 65535, 1);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 65535));
	CHECK_OK(host_inject_seq("sim0", 2, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(hrx, 60), 2);
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 1);
	tp_close(&p);
	teardown();
}

/* Several host rings: the stack's frames go round robin. */
TEST(host_rings_several)
{
	struct tport p;
	uint32_t k;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(open_hosts(&p, "sim0", NR_REG_NIC_SW, 3, 2), 0);
	CHECK_EQ(p.nifp->ni_host_tx_rings, 3);
	CHECK_EQ(p.nifp->ni_host_rx_rings, 2);
	for (k = 0; k < 6; k++)
		CHECK_OK(host_inject_seq("sim0", k, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	for (k = 0; k < 3; k++) {
		CHECK_EQ(get_seq(tp_host_rx(&p, 0), 60), 2 * k);
		CHECK_EQ(get_seq(tp_host_rx(&p, 1), 60), 2 * k + 1);
	}
	/* each host tx ring feeds the stack */
	for (k = 0; k < 3; k++)
		CHECK_EQ(put_seq(tp_host_tx(&p, k), 10 + k, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	for (k = 0; k < 3; k++)
		CHECK_EQ(stack_seq("sim0", 60), 10 + k);
	CHECK_EQ(nic_st("sim0").host_tx_frames, 3);
	tp_close(&p);
	teardown();
}

/* Frames waiting for a host rx ring when the NIC leaves netmap mode. */
TEST(host_rx_queue_dropped_at_last_close)
{
	struct tport p, q;
	uint32_t k;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	/* ALL_NIC binds no host ring: the stack's frames queue all the same */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	for (k = 0; k < 3; k++)
		CHECK_OK(host_inject_seq("sim0", k, 60));
	/* a later registration of the host rings finds them */
	CHECK_EQ(tp_open(&q, "sim0", NR_REG_SW, 0, 0), 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	for (k = 0; k < 3; k++)
		CHECK_EQ(get_seq(tp_host_rx(&q, 0), 60), k);
	tp_close(&q);
	/* still in netmap mode (p): what comes now waits for the next one */
	CHECK_OK(host_inject_seq("sim0", 3, 60));
	CHECK_EQ(tp_open(&q, "sim0", NR_REG_SW, 0, 0), 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK_EQ(get_seq(tp_host_rx(&q, 0), 60), 3);
	tp_close(&q);
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 0);
	CHECK_EQ(nic_st("sim0").host_rx_frames, 4);
	/* the last close: the queued frames are dropped and counted */
	CHECK_OK(host_inject_seq("sim0", 9, 60));
	CHECK_OK(host_inject_seq("sim0", 10, 60));
	tp_close(&p);
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 2);
	/* not in netmap mode now: the stack's frames go out */
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_OK(host_inject_seq("sim0", 11, 60));
	CHECK_EQ(wire_seq("sim0", 60, NULL), 11);
	/* and a new registration starts with an empty queue */
	CHECK_EQ(tp_open(&q, "sim0", NR_REG_SW, 0, 0), 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK(nm_ring_empty(tp_host_rx(&q, 0)));
	tp_close(&q);
	teardown();
}

struct waiter {
	struct tport	*p;
	int		ret;
	short		revents;
	long		returned_at;
	int		started;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct pollfd pfd = { w->p->fd, POLLIN, 0 };

	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->ret = nmsim_poll(&pfd, 1, 5000);
	w->returned_at = now_ms();
	w->revents = pfd.revents;
	return NULL;
}

TEST(host_inject_wakes_poller)
{
	struct waiter w;
	pthread_t th;
	struct tport p;
	long injected_at;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_SW, 0, NR_RX_RINGS_ONLY), 0);
	memset(&w, 0, sizeof(w));
	w.p = &p;
	CHECK_EQ(pthread_create(&th, NULL, waiter_main, &w), 0);
	while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(100);
	injected_at = now_ms();
	CHECK_OK(host_inject_seq("sim0", 5, 60));
	pthread_join(th, NULL);
	/* woken by the frame (not before it, and not by the timeout) */
	CHECK_EQ(w.ret, 1);
	CHECK(w.revents & POLLIN);
	CHECK(w.returned_at >= injected_at);
	CHECK_EQ(get_seq(tp_host_rx(&p, 0), 60), 5);
	tp_close(&p);
	teardown();
}

/* With the OFFSETS option, host rings honour each slot's offset. */
TEST(host_rings_with_offsets)
{
	struct nmreq_opt_offsets o;
	struct nmreq_register req;
	struct netmap_ring *htx, *hrx;
	struct netmap_slot *s;
	struct tport p;
	uint32_t bs;
	long n;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	memset(&req, 0, sizeof(req));
	req.nr_mode = NR_REG_SW;
	memset(&o, 0, sizeof(o));
	o.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
	o.nro_opt.nro_size = sizeof(o);
	o.nro_max_offset = 256;
	o.nro_initial_offset = 64;
	o.nro_offset_bits = 16;
	CHECK_EQ(tp_open_req(&p, "sim0", &req, &o), 0);
	CHECK_EQ(o.nro_opt.nro_status, 0);
	htx = tp_host_tx(&p, 0);
	hrx = tp_host_rx(&p, 0);
	bs = hrx->nr_buf_size;
	/* host tx: the stack gets the bytes after the offset */
	t_frame(ebuf, 100, 1);
	s = &htx->slot[htx->head];
	memset(NETMAP_BUF(htx, s->buf_idx), 0xee, 64);
	CHECK_EQ(tr_put(htx, ebuf, 100, 0), 0);	/* at offset 64 */
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 100), 1);
	/* host rx: written at the offset; the rest of the buffer is used */
	t_frame(ebuf, (uint16_t)(2 * bs), 2);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 2 * bs));
	CHECK_EQ(tp_rxsync(&p), 0);
	s = &hrx->slot[hrx->head];
	CHECK_EQ(NETMAP_ROFFSET(hrx, s), 64);
	CHECK_EQ(s->len, bs - 64);
	CHECK(s->flags & NS_MOREFRAG);
	n = rx_take(hrx, NULL);
	CHECK_EQ(n, 2 * bs);
	t_frame(ebuf, (uint16_t)(2 * bs), 2);
	CHECK(memcmp(fbuf, ebuf, 2 * bs) == 0);
	/* a slot whose offset breaks the limit: the host tx ring resets */
	s = &htx->slot[htx->head];
	s->ptr = 300;
	s->len = 60;
	htx->head = htx->cur = nm_ring_next(htx, htx->head);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_TX, 1), 1);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	tp_close(&p);
	teardown();
}

/* ------------------------------------------------------------------ */
/* forwarding up: NIC rx -> host stack                                 */
/* ------------------------------------------------------------------ */

/* Receives n injected frames (seq 0..n-1) into rx ring 0. */
static void receive_n(struct tport *p, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		CHECK_OK(wire_inject_seq("sim0", 0, k, 60));
	CHECK_EQ(tp_rxsync(p), 0);
	CHECK_EQ(nm_ring_space(tp_rx(p, 0)), n);
}

/* Releases every slot received on r (head = cur = tail). */
static void release_all(struct netmap_ring *r)
{
	r->head = r->cur = r->tail;
}

TEST(host_fwd_up_with_nr_forward)
{
	struct netmap_ring *rx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t h;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 0);
	receive_n(&p, 4);
	if (t_failed())
		return;
	h = rx->head;
	rx->slot[h].flags |= NS_FORWARD;
	rx->slot[(h + 2) % 64].flags |= NS_FORWARD;
	rx->flags |= NR_FORWARD;
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 60), 0);
	CHECK_EQ(stack_seq("sim0", 60), 2);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	/* the flag is cleared on the slots forwarded */
	CHECK_EQ(rx->slot[h].flags & NS_FORWARD, 0);
	CHECK_EQ(rx->slot[(h + 2) % 64].flags & NS_FORWARD, 0);
	st = nic_st("sim0");
	CHECK_EQ(st.fwd_up_frames, 2);
	CHECK_EQ(st.stack_rx_frames, 2);
	CHECK_EQ(st.fwd_dropped, 0);
	/* slots only released later are forwarded then, once */
	receive_n(&p, 2);
	rx->slot[rx->head].flags |= NS_FORWARD;
	CHECK_EQ(tp_rxsync(&p), 0);	/* nothing released */
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 60), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nic_st("sim0").fwd_up_frames, 3);
	tp_close(&p);
	teardown();
}

/* The fwd parameter forwards every released slot, marked or not. */
TEST(host_fwd_up_with_fwd_parameter)
{
	struct netmap_ring *rx;
	struct tport p;
	uint32_t k;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 0);
	CHECK_OK(nmsim_param_set("fwd", 1));
	receive_n(&p, 3);
	if (t_failed())
		return;
	rx->slot[rx->head].flags |= NS_FORWARD;
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	for (k = 0; k < 3; k++)
		CHECK_EQ(stack_seq("sim0", 60), k);
	CHECK_EQ(nic_st("sim0").fwd_up_frames, 3);
	/* back to 0: nothing goes up, even marked */
	CHECK_OK(nmsim_param_set("fwd", 0));
	receive_n(&p, 2);
	rx->slot[rx->head].flags |= NS_FORWARD;
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nic_st("sim0").fwd_up_frames, 3);
	tp_close(&p);
	teardown();
}

TEST(host_no_forwarding_without_the_flags)
{
	struct netmap_ring *rx, *hrx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t i;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	rx = tp_rx(&p, 0);
	hrx = tp_host_rx(&p, 0);
	receive_n(&p, 3);
	CHECK_OK(host_inject_seq("sim0", 9, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), 1);
	/* NS_FORWARD everywhere, but no NR_FORWARD and fwd is 0 */
	for (i = 0; i < 64; i++) {
		rx->slot[i].flags |= NS_FORWARD;
		hrx->slot[i].flags |= NS_FORWARD;
	}
	release_all(rx);
	release_all(hrx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	st = nic_st("sim0");
	CHECK_EQ(st.fwd_up_frames + st.fwd_down_frames + st.fwd_dropped, 0);
	/* and NR_FORWARD alone (no NS_FORWARD) forwards nothing either */
	receive_n(&p, 2);
	for (i = 0; i < 64; i++)
		rx->slot[i].flags &= (uint16_t)~NS_FORWARD;
	rx->flags |= NR_FORWARD;
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	tp_close(&p);
	teardown();
}

/* A scattered frame goes up whole. */
TEST(host_fwd_up_morefrag_chain)
{
	struct netmap_ring *rx;
	struct tport p;
	uint32_t bs, n;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 0);
	bs = rx->nr_buf_size;
	t_frame(ebuf, 5000, 3);
	CHECK_OK(nmsim_wire_inject("sim0", 0, ebuf, 5000));
	CHECK_EQ(tp_rxsync(&p), 0);
	n = (5000 + bs - 1) / bs;
	CHECK(n > 1);
	CHECK_EQ(nm_ring_space(rx), n);
	rx->slot[rx->head].flags |= NS_FORWARD;	/* the first slot asks */
	rx->flags |= NR_FORWARD;
	/* released in two syncs: the chain spans them */
	rx->head = rx->cur = (rx->head + 1) % 64;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 5000);
	CHECK(memcmp(fbuf, ebuf, 5000) == 0);
	CHECK_EQ(nic_st("sim0").fwd_up_frames, 1);
	tp_close(&p);
	teardown();
}

/* A marked slot whose length does not fit its buffer: counted. */
TEST(host_fwd_bad_length_counted)
{
	struct netmap_ring *rx;
	struct tport p;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 0);
	receive_n(&p, 2);
	if (t_failed())
		return;
	rx->slot[rx->head].flags |= NS_FORWARD;
	rx->slot[rx->head].len = (uint16_t)(rx->nr_buf_size + 1);
	rx->slot[(rx->head + 1) % 64].flags |= NS_FORWARD;
	rx->flags |= NR_FORWARD;
	release_all(rx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(stack_seq("sim0", 60), 1);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nic_st("sim0").fwd_dropped, 1);
	CHECK_EQ(nic_st("sim0").fwd_up_frames, 1);
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	tp_close(&p);
	teardown();
}

/* ------------------------------------------------------------------ */
/* forwarding down: host rx -> NIC tx                                  */
/* ------------------------------------------------------------------ */

/* The stack sends n frames; they are received on host rx ring 0. */
static void host_receive_n(struct tport *p, uint32_t first, uint32_t n)
{
	uint32_t k;

	for (k = 0; k < n; k++)
		CHECK_OK(host_inject_seq("sim0", first + k, 70));
	CHECK_EQ(tp_rxsync(p), 0);
	CHECK_EQ(nm_ring_space(tp_host_rx(p, 0)), n);
}

TEST(host_fwd_down_with_nic_sw)
{
	struct netmap_ring *hrx;
	struct nmsim_nic_stats st;
	unsigned int ring = 9;
	struct tport p;
	uint32_t h;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	host_receive_n(&p, 0, 3);
	if (t_failed())
		return;
	h = hrx->head;
	hrx->slot[h].flags |= NS_FORWARD;
	hrx->slot[(h + 2) % 64].flags |= NS_FORWARD;
	hrx->flags |= NR_FORWARD;
	release_all(hrx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(wire_seq("sim0", 70, &ring), 0);
	CHECK_EQ(ring, 0);
	CHECK_EQ(wire_seq("sim0", 70, &ring), 2);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	CHECK_EQ(hrx->slot[h].flags & NS_FORWARD, 0);
	st = nic_st("sim0");
	CHECK_EQ(st.fwd_down_frames, 2);
	CHECK_EQ(st.tx_frames, 2);
	/* with the fwd parameter: every slot, marked or not */
	CHECK_OK(nmsim_param_set("fwd", 1));
	hrx->flags &= (uint16_t)~NR_FORWARD;
	host_receive_n(&p, 10, 2);
	release_all(hrx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(wire_seq("sim0", 70, NULL), 10);
	CHECK_EQ(wire_seq("sim0", 70, NULL), 11);
	CHECK_EQ(nic_st("sim0").fwd_down_frames, 4);
	/* and with the loopback, down the wire and back into rx ring 0 */
	CHECK_OK(nmsim_param_set("fwd", 0));
	hrx->flags |= NR_FORWARD;
	CHECK_OK(nmsim_nic_loopback("sim0", 1));
	host_receive_n(&p, 20, 1);
	hrx->slot[hrx->head].flags |= NS_FORWARD;
	release_all(hrx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 70), 20);
	tp_close(&p);
	teardown();
}

/* Without every NIC tx ring bound, nothing goes down. */
TEST(host_no_fwd_down_without_all_tx_rings)
{
	struct netmap_ring *hrx;
	struct tport p;
	uint32_t mode;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	for (mode = 0; mode < 2; mode++) {
		if (mode == 0)
			CHECK_EQ(tp_open(&p, "sim0", NR_REG_SW, 0, 0), 0);
		else
			CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0,
					 NR_RX_RINGS_ONLY), 0);
		hrx = tp_host_rx(&p, 0);
		host_receive_n(&p, 0, 2);
		if (t_failed())
			return;
		hrx->slot[hrx->head].flags |= NS_FORWARD;
		hrx->slot[(hrx->head + 1) % 64].flags |= NS_FORWARD;
		hrx->flags |= NR_FORWARD;
		release_all(hrx);
		CHECK_EQ(tp_rxsync(&p), 0);
		CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL),
			 0);
		CHECK_EQ(nic_st("sim0").fwd_down_frames, 0);
		CHECK_EQ(nic_st("sim0").tx_frames, 0);
		tp_close(&p);
	}
	teardown();
}

/* A stack frame scattered over host rx slots goes down whole. */
TEST(host_fwd_down_morefrag_chain)
{
	struct netmap_ring *hrx;
	struct tport p;
	uint32_t bs;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	hrx = tp_host_rx(&p, 0);
	bs = hrx->nr_buf_size;
	t_frame(ebuf, 9000, 4);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 9000));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), (9000 + bs - 1) / bs);
	hrx->slot[(hrx->tail + 63) % 64].flags |= NS_FORWARD;	/* the last */
	hrx->flags |= NR_FORWARD;
	release_all(hrx);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 9000);
	CHECK(memcmp(fbuf, ebuf, 9000) == 0);
	tp_close(&p);
	teardown();
}

/* ------------------------------------------------------------------ */
/* threads                                                             */
/* ------------------------------------------------------------------ */

#define TH_FRAMES	20000

struct pump {
	int	kind;		/* 0 host_inject, 1 wire_inject, 2 capture */
	int	err;
	long	got[2];		/* captured: from the wire, by the stack */
	int	stop;
};

static void *pump_main(void *arg)
{
	struct pump *pu = arg;
	uint8_t frame[128];
	uint32_t k;

	if (pu->kind == 2) {
		while (!__atomic_load_n(&pu->stop, __ATOMIC_ACQUIRE)) {
			long a = nmsim_wire_capture("sim0", frame,
						    sizeof(frame), NULL);
			long b = nmsim_host_capture("sim0", frame,
						    sizeof(frame));

			if (a < 0 || b < 0)
				pu->err = errno;
			pu->got[0] += a > 0;
			pu->got[1] += b > 0;
			if (a <= 0 && b <= 0) {
				struct timespec ts = { 0, 100000 };

				nanosleep(&ts, NULL);	/* do not hog the sim lock */
			}
		}
		return NULL;
	}
	for (k = 0; k < TH_FRAMES && !pu->err; k++) {
		t_frame(frame, 100, k);
		if (pu->kind == 0 ? nmsim_host_inject("sim0", frame, 100)
				  : nmsim_wire_inject("sim0", 0, frame, 100))
			pu->err = errno;
	}
	return NULL;
}

/*
 * The stack and the wire push frames from two threads, a third captures
 * both ends, and this one forwards everything it receives: host rx ->
 * wire, NIC rx -> stack.  Every frame is accounted for exactly once.
 */
TEST(host_forwarding_with_threads)
{
	struct pump pu[3];
	struct nmsim_nic_stats st;
	struct netmap_ring *rx, *hrx;
	pthread_t th[3];
	struct tport p;
	bool timed_out;
	long t0;
	int i;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	rx = tp_rx(&p, 0);
	hrx = tp_host_rx(&p, 0);
	rx->flags |= NR_FORWARD;
	hrx->flags |= NR_FORWARD;
	memset(pu, 0, sizeof(pu));
	for (i = 0; i < 3; i++) {
		pu[i].kind = i;
		CHECK_EQ(pthread_create(&th[i], NULL, pump_main, &pu[i]), 0);
	}
	for (t0 = now_ms(); now_ms() - t0 < 30000;) {
		struct netmap_ring *r[2] = { rx, hrx };
		int j, done;

		st = nic_st("sim0");
		done = st.rx_frames + st.rx_dropped == TH_FRAMES &&
		       st.host_rx_frames + st.host_rx_dropped == TH_FRAMES;
		tp_rxsync(&p);
		for (j = 0; j < 2; j++) {
			for (; !nm_ring_empty(r[j]);
			     r[j]->head = nm_ring_next(r[j], r[j]->head))
				r[j]->slot[r[j]->head].flags |= NS_FORWARD;
			r[j]->cur = r[j]->head;
		}
		if (done)
			break;
	}
	timed_out = now_ms() - t0 >= 30000;
	tp_rxsync(&p);	/* release the last ones */
	st = nic_st("sim0");
	while (pu[2].got[0] < (long)st.fwd_down_frames ||
	       pu[2].got[1] < (long)st.fwd_up_frames) {
		if (now_ms() - t0 > 40000)
			break;
		sleep_ms(1);
	}
	__atomic_store_n(&pu[2].stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 3; i++)
		CHECK_EQ(pu[i].err, 0);
	CHECK(!timed_out);	/* the loop ended by done, not by the clock */
	CHECK_EQ(st.rx_frames + st.rx_dropped, TH_FRAMES);
	CHECK_EQ(st.host_rx_frames + st.host_rx_dropped, TH_FRAMES);
	/* up: what the stack refused is counted there */
	CHECK_EQ(st.fwd_up_frames + st.stack_rx_dropped, st.rx_frames);
	CHECK_EQ(st.fwd_down_frames, st.host_rx_frames);
	CHECK_EQ(st.fwd_dropped, 0);
	CHECK_EQ(pu[2].got[0] + (long)st.wire_dropped, st.fwd_down_frames);
	CHECK_EQ(pu[2].got[1], st.fwd_up_frames);
	CHECK(st.fwd_up_frames > 0 && st.fwd_down_frames > 0);
	tp_close(&p);
	teardown();
}

/* ------------------------------------------------------------------ */
/* malformed host slots                                                */
/* ------------------------------------------------------------------ */

/*
 * Bad host slots reset the host ring that holds them; the NIC rings of
 * the same registration keep their frames, and the stack's queued
 * frames are not lost.
 */
TEST(host_malformed_slots_reinit_only_the_host_ring)
{
	struct netmap_ring *htx, *hrx, *rx;
	struct tport p;
	uint32_t orig, h;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	htx = tp_host_tx(&p, 0);
	hrx = tp_host_rx(&p, 0);
	rx = tp_rx(&p, 0);
	receive_n(&p, 3);	/* frames waiting in the NIC rx ring */
	if (t_failed())
		return;

	/* host tx: a bad buffer index after a good slot */
	CHECK_EQ(put_seq(htx, 1, 60), 0);
	CHECK_EQ(put_seq(tp_tx(&p, 0), 2, 60), 0);
	h = htx->head;
	orig = htx->slot[h].buf_idx;
	htx->slot[h].buf_idx = 1;
	htx->head = htx->cur = nm_ring_next(htx, h);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_TX, 1), 1);
	CHECK_EQ(reinits(&p, NR_TX, 0), 0);
	CHECK_EQ(stack_seq("sim0", 60), 1);	/* the good one went */
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(wire_seq("sim0", 60, NULL), 2);	/* NIC tx unaffected */
	CHECK_EQ(htx->head, h);
	htx->slot[h].buf_idx = orig;
	/* host tx: a length over the buffer */
	htx->slot[h].len = (uint16_t)(htx->nr_buf_size + 1);
	htx->head = htx->cur = nm_ring_next(htx, h);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_TX, 1), 2);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);

	/* host rx: a bad slot released */
	CHECK_OK(host_inject_seq("sim0", 5, 60));
	CHECK_OK(host_inject_seq("sim0", 6, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(hrx), 2);
	h = hrx->head;
	orig = hrx->slot[h].buf_idx;
	hrx->slot[h].buf_idx = 0xfffffff0u;
	hrx->head = hrx->cur = nm_ring_next(hrx, h);
	CHECK_OK(host_inject_seq("sim0", 7, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_RX, 1), 1);
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	CHECK_EQ(hrx->head, h);
	CHECK_EQ(hrx->slot[h].len, 0);	/* reinit cleared the bad slot */
	hrx->slot[h].buf_idx = orig;
	hrx->slot[h].len = 60;
	CHECK_EQ(get_seq(hrx, 60), 5);
	CHECK_EQ(get_seq(hrx, 60), 6);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(hrx, 60), 7);	/* queued, not lost */

	/* host rx: the user breaks a slot the kernel owns (the next fill) */
	h = hrx->tail;
	orig = hrx->slot[h].buf_idx;
	hrx->slot[h].buf_idx = 0;
	CHECK_OK(host_inject_seq("sim0", 8, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(reinits(&p, NR_RX, 1), 2);
	CHECK(nm_ring_empty(hrx));
	hrx->slot[h].buf_idx = orig;
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(hrx, 60), 8);	/* it waited in the queue */

	/* the NIC rx ring never noticed */
	CHECK_EQ(reinits(&p, NR_RX, 0), 0);
	CHECK_EQ(get_seq(rx, 60), 0);
	CHECK_EQ(get_seq(rx, 60), 1);
	CHECK_EQ(get_seq(rx, 60), 2);
	CHECK_EQ(nic_st("sim0").host_rx_dropped, 0);
	tp_close(&p);
	teardown();
}

/* Another registration's host ring is not hurt by a bad neighbour. */
TEST(host_malformed_slots_other_port_keeps_frames)
{
	struct tport bad, good;
	struct netmap_ring *r;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	CHECK_EQ(tp_open(&bad, "sim0", NR_REG_SW, 0, 0), 0);
	CHECK_EQ(tp_open(&good, "sim1", NR_REG_SW, 0, 0), 0);
	CHECK_OK(host_inject_seq("sim1", 1, 60));
	CHECK_OK(host_inject_seq("sim0", 2, 60));
	r = tp_host_tx(&bad, 0);
	r->head = r->cur = 77;	/* out of range */
	CHECK_EQ(tp_txsync(&bad), 0);
	CHECK_EQ(reinits(&bad, NR_TX, 1), 1);
	r = tp_host_rx(&bad, 0);
	r->head = 5;	/* beyond tail */
	CHECK_EQ(tp_rxsync(&bad), 0);
	CHECK_EQ(reinits(&bad, NR_RX, 1), 1);
	CHECK_EQ(r->head, 0);
	CHECK_EQ(tp_rxsync(&bad), 0);
	CHECK_EQ(get_seq(r, 60), 2);
	CHECK_EQ(tp_rxsync(&good), 0);
	CHECK_EQ(get_seq(tp_host_rx(&good, 0), 60), 1);
	CHECK_EQ(reinits(&good, NR_RX, 1), 0);
	tp_close(&bad);
	tp_close(&good);
	teardown();
}

/*
 * A hostile user: random slot contents (buffer indices, lengths, flags
 * with MOREFRAG and FORWARD, offsets) and random head/cur on every ring,
 * with frames coming in from both sides and forwarding on.  Nothing may
 * crash, the rings stay within bounds, and every frame the stack sent is
 * accounted for once the port is closed.
 */
static uint32_t rnd_state = 12345;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void scribble(struct netmap_ring *r)
{
	uint32_t n = r->num_slots, i, k;

	for (k = 0; k < 4; k++) {
		struct netmap_slot *sl = &r->slot[rnd() % n];

		switch (rnd() % 5) {
		case 0:
			sl->buf_idx = rnd() % 4 == 0 ? rnd() : sl->buf_idx;
			break;
		case 1:
			sl->len = (uint16_t)rnd();
			break;
		case 2:
			sl->flags = (uint16_t)(rnd() & (NS_MOREFRAG | NS_FORWARD |
						       NS_BUF_CHANGED));
			break;
		case 3:
			sl->ptr = rnd() % 8 ? 0 : rnd();
			break;
		default:
			sl->len = (uint16_t)(14 + rnd() % 200);
			break;
		}
	}
	i = rnd() % 8;
	if (i == 0)
		r->head = rnd() % (n + 2);
	else if (i < 4)
		r->head = (r->head + rnd() % 4) % n;
	else if (i < 6)
		r->head = r->tail;
	r->cur = rnd() % 8 ? r->head : rnd() % n;
	if (rnd() % 2)
		r->flags |= NR_FORWARD;
	else
		r->flags &= (uint16_t)~NR_FORWARD;
}

TEST(host_hostile_rings_account_for_every_frame)
{
	struct nmsim_nic_stats st;
	uint64_t injected = 0;
	struct tport p;
	int round, i;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 2, 32));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(open_hosts(&p, "sim0", NR_REG_NIC_SW, 2, 2), 0);
	for (round = 0; round < 3000; round++) {
		struct netmap_if *f = p.nifp;
		uint32_t k;

		if (round == 1500)
			nmsim_param_set("fwd", 1);
		for (k = rnd() % 4; k > 0; k--) {
			uint16_t len = (uint16_t)(1 + rnd() % 5000);

			t_frame(ebuf, len, k);
			if (nmsim_host_inject("sim0", ebuf, len) == 0)
				injected++;
			nmsim_wire_inject("sim0", rnd() % 2, ebuf, len);
		}
		for (i = 0; i < (int)(f->ni_tx_rings + f->ni_host_tx_rings); i++)
			if (rnd() % 2)
				scribble(tp_tx(&p, (unsigned int)i));
		for (i = 0; i < (int)(f->ni_rx_rings + f->ni_host_rx_rings); i++)
			if (rnd() % 2)
				scribble(tp_rx(&p, (unsigned int)i));
		tp_txsync(&p);
		tp_rxsync(&p);
		for (i = 0; i < (int)(f->ni_rx_rings + f->ni_host_rx_rings); i++) {
			struct netmap_ring *r = tp_rx(&p, (unsigned int)i);

			CHECK(r->head < r->num_slots && r->cur < r->num_slots &&
			      r->tail < r->num_slots);
		}
		while (nmsim_wire_capture("sim0", NULL, 0, NULL) > 0)
			;
		while (nmsim_host_capture("sim0", NULL, 0) > 0)
			;
	}
	tp_close(&p);
	st = nic_st("sim0");
	CHECK_EQ(st.host_rx_frames + st.host_rx_dropped, injected);
	CHECK(st.host_rx_frames > 0);
	CHECK(st.fwd_up_frames > 0);
	CHECK(st.fwd_down_frames > 0);
	CHECK(st.host_tx_frames > 0);
	teardown();
}

/* ------------------------------------------------------------------ */
/* shutdown                                                            */
/* ------------------------------------------------------------------ */

TEST(host_shutdown_with_frames_queued)
{
	struct netmap_ring *rx;
	struct tport p;
	uint32_t k;

	setup();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(open_hosts(&p, "sim0", NR_REG_NIC_SW, 2, 2), 0);
	for (k = 0; k < 20; k++)
		CHECK_OK(host_inject_seq("sim0", k, 200));	/* host rx */
	CHECK_EQ(put_seq(tp_host_tx(&p, 1), 1, 60), 0);	/* stack */
	CHECK_EQ(put_seq_fl(tp_host_tx(&p, 0), 2, 60, NS_MOREFRAG), 0);
	CHECK_EQ(tp_txsync(&p), 0);			/* chain pending */
	t_frame(ebuf, 5000, 3);
	CHECK_OK(nmsim_wire_inject("sim0", 0, ebuf, 5000));
	CHECK_EQ(tp_rxsync(&p), 0);
	rx = tp_rx(&p, 0);
	rx->flags |= NR_FORWARD;
	rx->slot[rx->head].flags |= NS_FORWARD;
	rx->head = rx->cur = nm_ring_next(rx, rx->head);	/* half a chain */
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nmsim_shutdown(), 0);
	teardown();
}
