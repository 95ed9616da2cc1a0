/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire of a sim NIC: frames injected into each rx ring, frames the
 * tx rings send captured with their ring, order, bounded queues and their
 * drop counters, the loopback switched on and off, the paths taken while
 * the NIC is not in netmap mode, poll woken by an injection from another
 * thread, and frames left queued at shutdown.
 */
#include <pthread.h>
#include <time.h>

#include "t.h"
#include "tutil.h"

#define MAXFRAME	65536

static uint8_t fbuf[MAXFRAME];
static uint8_t ebuf[MAXFRAME];

static void small_pools(void)
{
	nmsim_param_set("buf_num", 8192);
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

/* Injects t_frame(len, seq) on rx ring `ring`. */
static int inject_seq(const char *nic, unsigned int ring, uint32_t seq,
		      uint16_t len)
{
	t_frame(fbuf, len, seq);
	return nmsim_wire_inject(nic, ring, fbuf, len);
}

static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	t_frame(fbuf, len, seq);
	return tr_put(r, fbuf, len, 0);
}

/*
 * Takes the frame at head (a MOREFRAG chain) into fbuf: its length, -1
 * when the ring is empty, -2 when the chain runs into tail.
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

/* Seq of the single-slot frame of len bytes at head, taken; -2 empty. */
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

/* Captures a frame: its seq if it is t_frame(len, seq), -1 otherwise. */
static long capture_seq(const char *nic, uint16_t len, unsigned int *ring)
{
	long n = nmsim_wire_capture(nic, fbuf, sizeof(fbuf), ring);

	if (n != len)
		return n == 0 ? -2 : -1;
	return t_frame_seq(fbuf, len);
}

static long host_capture_seq(const char *nic, uint16_t len)
{
	long n = nmsim_host_capture(nic, fbuf, sizeof(fbuf));

	if (n != len)
		return n == 0 ? -2 : -1;
	return t_frame_seq(fbuf, len);
}

/* ------------------------------------------------------------------ */
/* inject                                                              */
/* ------------------------------------------------------------------ */

TEST(wire_inject_into_each_rx_ring)
{
	struct nmsim_nic_stats st;
	struct tport p;
	unsigned int r, k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 4, 128));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	/* ring r gets frames 100*r .. 100*r+9, interleaved with the others */
	for (k = 0; k < 10; k++)
		for (r = 0; r < 4; r++)
			CHECK_OK(inject_seq("sim0", r, 100 * r + k,
					    (uint16_t)(60 + r)));
	/* nothing is visible before rxsync */
	for (r = 0; r < 4; r++)
		CHECK(nm_ring_empty(tp_rx(&p, r)));
	CHECK_EQ(tp_rxsync(&p), 0);
	for (r = 0; r < 4; r++) {
		struct netmap_ring *rx = tp_rx(&p, r);

		CHECK_EQ(nm_ring_space(rx), 10);
		for (k = 0; k < 10; k++)
			CHECK_EQ(get_seq(rx, (uint16_t)(60 + r)), 100 * r + k);
		CHECK(nm_ring_empty(rx));
	}
	st = nic_st("sim0");
	CHECK_EQ(st.rx_frames, 40);
	CHECK_EQ(st.rx_dropped, 0);
	CHECK_EQ(st.tx_frames, 0);
	CHECK_EQ(st.stack_rx_frames, 0);
	tp_close(&p);
	default_pools();
}

TEST(wire_inject_bad_arguments)
{
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	t_frame(fbuf, 60, 1);
	CHECK_ERRNO(nmsim_wire_inject("nosuch", 0, fbuf, 60), ENOENT);
	CHECK_ERRNO(nmsim_wire_inject(NULL, 0, fbuf, 60), ENOENT);
	CHECK_ERRNO(nmsim_wire_inject("sim0", 2, fbuf, 60), EINVAL);
	CHECK_ERRNO(nmsim_wire_inject("sim0", ~0u, fbuf, 60), EINVAL);
	CHECK_ERRNO(nmsim_wire_inject("sim0", 0, fbuf, 0), EINVAL);
	CHECK_ERRNO(nmsim_wire_inject("sim0", 0, fbuf, 65536), EINVAL);
	CHECK_ERRNO(nmsim_wire_inject("sim0", 0, NULL, 60), EFAULT);
	CHECK_EQ(nmsim_wire_capture("nosuch", fbuf, 10, NULL), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_EQ(nmsim_host_capture("nosuch", fbuf, 10), -1);
	CHECK_EQ(errno, ENOENT);
	CHECK_ERRNO(nmsim_host_inject("nosuch", fbuf, 60), ENOENT);
	CHECK_ERRNO(nmsim_host_inject("sim0", fbuf, 0), EINVAL);
	CHECK_ERRNO(nmsim_host_inject("sim0", NULL, 60), EFAULT);
	CHECK_ERRNO(nmsim_nic_loopback("nosuch", 1), ENOENT);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(tp_rx(&p, 0)));
	CHECK_EQ(nic_st("sim0").rx_frames, 0);
	tp_close(&p);
	default_pools();
}

/* The largest frame, scattered over buffer-sized MOREFRAG slots. */
TEST(wire_inject_scatters_large_frames)
{
	struct netmap_ring *rx;
	struct tport p;
	unsigned int ns;
	uint32_t bs;
	long n;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 0);
	bs = rx->nr_buf_size;
	t_frame(ebuf, 65535, 7);
	CHECK_OK(nmsim_wire_inject("sim0", 0, ebuf, 65535));
	CHECK_OK(inject_seq("sim0", 0, 8, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(nm_ring_space(rx), (65535 + bs - 1) / bs + 1);
	n = rx_take(rx, &ns);
	CHECK_EQ(n, 65535);
	CHECK_EQ(ns, (65535 + bs - 1) / bs);
	CHECK(memcmp(fbuf, ebuf, 65535) == 0);
	CHECK_EQ(get_seq(rx, 60), 8);
	tp_close(&p);
	default_pools();
}

/* No room: the frame is dropped and counted; the ring keeps the others. */
TEST(wire_inject_full_ring_drops_and_counts)
{
	struct netmap_ring *rx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	rx = tp_rx(&p, 1);
	for (k = 0; k < 100; k++)
		CHECK_OK(inject_seq("sim0", 1, k, 60));
	st = nic_st("sim0");
	CHECK_EQ(st.rx_frames, 63);
	CHECK_EQ(st.rx_dropped, 37);
	CHECK_EQ(tp_rxsync(&p), 0);
	for (k = 0; k < 63; k++)
		CHECK_EQ(get_seq(rx, 60), k);
	CHECK(nm_ring_empty(rx));
	/* released: room again */
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_OK(inject_seq("sim0", 1, 500, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 500);
	CHECK(nm_ring_empty(tp_rx(&p, 0)));
	tp_close(&p);
	default_pools();
}

/* An rx ring no registration binds, in netmap mode: dropped, counted. */
TEST(wire_inject_unbound_ring_in_netmap_mode)
{
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_NIC, 0, 0), 0);
	CHECK_OK(inject_seq("sim0", 1, 1, 60));
	CHECK_OK(inject_seq("sim0", 0, 2, 60));
	CHECK_EQ(nic_st("sim0").rx_dropped, 1);
	CHECK_EQ(nic_st("sim0").stack_rx_frames, 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 60), 2);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* capture                                                             */
/* ------------------------------------------------------------------ */

TEST(wire_capture_with_ring_and_order)
{
	struct nmsim_nic_stats st;
	unsigned int r, k, ring;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 3, 64));
	/* the first capture attaches the wire: nothing there yet */
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	for (k = 0; k < 5; k++)
		for (r = 0; r < 3; r++)
			CHECK_EQ(put_seq(tp_tx(&p, r), 10 * r + k,
					 (uint16_t)(64 + r)), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	st = nic_st("sim0");
	CHECK_EQ(st.tx_frames, 15);
	CHECK_EQ(st.rx_frames, 0);	/* no loopback any more */
	CHECK_EQ(tp_rxsync(&p), 0);
	for (r = 0; r < 3; r++)
		CHECK(nm_ring_empty(tp_rx(&p, r)));
	/* txsync walks the rings in order, each ring in slot order */
	for (r = 0; r < 3; r++) {
		for (k = 0; k < 5; k++) {
			ring = 99;
			CHECK_EQ(capture_seq("sim0", (uint16_t)(64 + r), &ring),
				 10 * r + k);
			CHECK_EQ(ring, r);
		}
	}
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), &ring), 0);
	tp_close(&p);
	default_pools();
}

/* A short buffer gets the head of the frame, and the full length. */
TEST(wire_capture_truncates_to_the_buffer)
{
	uint8_t small[16];
	struct tport p;
	unsigned int ring = 7;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(put_seq(tp_tx(&p, 0), 42, 300), 0);
	CHECK_EQ(put_seq(tp_tx(&p, 0), 43, 300), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	memset(small, 0xee, sizeof(small));
	CHECK_EQ(nmsim_wire_capture("sim0", small, 10, &ring), 300);
	CHECK_EQ(ring, 0);
	t_frame(ebuf, 300, 42);
	CHECK(memcmp(small, ebuf, 10) == 0);
	CHECK_EQ(small[10], 0xee);
	/* cap 0 with no buffer: the frame is taken, its length returned */
	CHECK_EQ(nmsim_wire_capture("sim0", NULL, 0, NULL), 300);
	CHECK_EQ(nmsim_wire_capture("sim0", NULL, 0, NULL), 0);
	tp_close(&p);
	default_pools();
}

/* A MOREFRAG chain on tx is one frame on the wire. */
TEST(wire_capture_tx_chain_is_one_frame)
{
	struct netmap_ring *tx;
	struct tport p;
	unsigned int ring;
	uint32_t off = 0, j;
	uint32_t sizes[5] = { 1000, 1, 2000, 333, 1234 };

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 1);
	t_frame(ebuf, 4568, 9);
	for (j = 0; j < 5; j++) {
		CHECK_EQ(tr_put(tx, ebuf + off, (uint16_t)sizes[j],
				j < 4 ? NS_MOREFRAG : 0), 0);
		off += sizes[j];
	}
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), &ring), 4568);
	CHECK_EQ(ring, 1);
	CHECK(memcmp(fbuf, ebuf, 4568) == 0);
	CHECK_EQ(nic_st("sim0").tx_frames, 1);
	tp_close(&p);
	default_pools();
}

/* The capture queue holds 4096 frames; later ones are dropped, counted. */
TEST(wire_capture_queue_is_bounded)
{
	struct netmap_ring *tx;
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t k, sent = 0;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 512));
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	while (sent < 4096 + 100) {
		for (k = 0; k < 256 && sent < 4096 + 100; k++, sent++)
			CHECK_EQ(put_seq(tx, sent, 60), 0);
		CHECK_EQ(tp_txsync(&p), 0);
	}
	st = nic_st("sim0");
	CHECK_EQ(st.tx_frames, 4196);
	CHECK_EQ(st.wire_dropped, 100);
	/* the oldest 4096 are kept, in order */
	for (k = 0; k < 4096; k++) {
		long s = capture_seq("sim0", 60, NULL);

		if (s != (long)k) {
			CHECK_EQ(s, k);
		}
	}
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	/* room again */
	CHECK_EQ(put_seq(tx, 9999, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(capture_seq("sim0", 60, NULL), 9999);
	CHECK_EQ(nic_st("sim0").wire_dropped, 100);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* loopback                                                            */
/* ------------------------------------------------------------------ */

TEST(wire_loopback_on_and_off)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	unsigned int ring;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 1);
	rx = tp_rx(&p, 1);
	/* a fresh NIC loops back */
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 1);
	/* loopback off: to the capture queue */
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	CHECK_EQ(put_seq(tx, 2, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK(nm_ring_empty(rx));
	/* on again: loops, and the captured frame is still there */
	CHECK_OK(nmsim_nic_loopback("sim0", 1));
	CHECK_EQ(put_seq(tx, 3, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 3);
	CHECK_EQ(capture_seq("sim0", 60, &ring), 2);
	CHECK_EQ(ring, 1);
	/* capture does not unplug a loopback turned on explicitly */
	CHECK_EQ(put_seq(tx, 4, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(rx, 60), 4);
	CHECK_EQ(nmsim_wire_capture("sim0", fbuf, sizeof(fbuf), NULL), 0);
	/* inject works with the loopback on */
	CHECK_OK(inject_seq("sim0", 0, 5, 60));
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 60), 5);
	tp_close(&p);
	default_pools();
}

/* The first inject unplugs the loopback too; the NICs are independent. */
TEST(wire_first_inject_unplugs_loopback)
{
	struct tport p, q;

	small_pools();
	CHECK_OK(nmsim_nic_create("sima", 1, 64));
	CHECK_OK(nmsim_nic_create("simb", 1, 64));
	CHECK_EQ(tp_open(&p, "sima", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_open(&q, "simb", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_OK(inject_seq("sima", 0, 1, 60));
	CHECK_EQ(put_seq(tp_tx(&p, 0), 2, 60), 0);
	CHECK_EQ(put_seq(tp_tx(&q, 0), 3, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(tp_txsync(&q), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 60), 1);
	CHECK(nm_ring_empty(tp_rx(&p, 0)));
	CHECK_EQ(capture_seq("sima", 60, NULL), 2);
	CHECK_EQ(get_seq(tp_rx(&q, 0), 60), 3);	/* simb still loops */
	CHECK_EQ(nmsim_wire_capture("simb", fbuf, sizeof(fbuf), NULL), 0);
	tp_close(&p);
	tp_close(&q);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* not in netmap mode                                                  */
/* ------------------------------------------------------------------ */

TEST(wire_not_in_netmap_mode_goes_to_host_stack)
{
	struct nmsim_nic_stats st;
	struct tport p;
	uint32_t k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	for (k = 0; k < 5; k++)
		CHECK_OK(inject_seq("sim0", k % 2, k, 80));
	st = nic_st("sim0");
	CHECK_EQ(st.stack_rx_frames, 5);
	CHECK_EQ(st.rx_frames, 0);
	for (k = 0; k < 5; k++)
		CHECK_EQ(host_capture_seq("sim0", 80), k);
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	/* in netmap mode the ring gets it; after the last close, the stack */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_OK(inject_seq("sim0", 0, 10, 80));
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(tp_rxsync(&p), 0);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 80), 10);
	tp_close(&p);
	CHECK_OK(inject_seq("sim0", 0, 11, 80));
	CHECK_EQ(host_capture_seq("sim0", 80), 11);
	/* the stack does not take runts (no Ethernet header): counted */
	CHECK_OK(inject_seq("sim0", 0, 12, 13));
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(nic_st("sim0").stack_rx_dropped, 1);
	default_pools();
}

TEST(wire_host_inject_not_in_netmap_mode_goes_out)
{
	struct nmsim_nic_stats st;
	unsigned int ring = 9;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	/* loopback: out and straight back in, to the stack again */
	t_frame(ebuf, 90, 1);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 90));
	CHECK_EQ(host_capture_seq("sim0", 90), 1);
	/* a wire: captured, from tx ring 0 */
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	t_frame(ebuf, 90, 2);
	CHECK_OK(nmsim_host_inject("sim0", ebuf, 90));
	CHECK_EQ(nmsim_host_capture("sim0", fbuf, sizeof(fbuf)), 0);
	CHECK_EQ(capture_seq("sim0", 90, &ring), 2);
	CHECK_EQ(ring, 0);
	st = nic_st("sim0");
	CHECK_EQ(st.tx_frames, 2);
	CHECK_EQ(st.host_rx_frames, 0);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* poll                                                                */
/* ------------------------------------------------------------------ */

struct waiter {
	struct tport	*p;
	int		events;
	int		ret;
	short		revents;
	long		returned_at;
	int		started;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct pollfd pfd = { w->p->fd, (short)w->events, 0 };

	__atomic_store_n(&w->started, 1, __ATOMIC_RELEASE);
	w->ret = nmsim_poll(&pfd, 1, 5000);
	w->returned_at = now_ms();
	w->revents = pfd.revents;
	return NULL;
}

TEST(wire_inject_wakes_poller)
{
	long injected_at;
	struct waiter w;
	pthread_t th;
	struct tport p;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ONE_NIC, 1, NR_RX_RINGS_ONLY), 0);
	memset(&w, 0, sizeof(w));
	w.p = &p;
	w.events = POLLIN;
	CHECK_EQ(pthread_create(&th, NULL, waiter_main, &w), 0);
	while (!__atomic_load_n(&w.started, __ATOMIC_ACQUIRE))
		sleep_ms(1);
	sleep_ms(100);
	/* another ring first: must not wake it up as ready */
	CHECK_OK(inject_seq("sim0", 0, 1, 60));
	injected_at = now_ms();
	CHECK_OK(inject_seq("sim0", 1, 2, 60));
	pthread_join(th, NULL);
	CHECK_EQ(w.ret, 1);
	CHECK(w.revents & POLLIN);
	/* woken by its own ring's frame, not before, not by the timeout */
	CHECK(w.returned_at >= injected_at);
	CHECK_EQ(get_seq(tp_rx(&p, 1), 60), 2);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* threads                                                             */
/* ------------------------------------------------------------------ */

#define TH_FRAMES	20000

struct injector {
	unsigned int	ring;
	int		err;
};

static void *injector_main(void *arg)
{
	struct injector *in = arg;
	uint8_t frame[64];
	uint32_t k;

	for (k = 0; k < TH_FRAMES && !in->err; k++) {
		t_frame(frame, 64, k);
		if (nmsim_wire_inject("sim0", in->ring, frame, 64))
			in->err = errno;
	}
	return NULL;
}

/*
 * Two threads inject on two rings while this one receives: every frame
 * is received or counted as dropped, and on each ring the seqs that do
 * arrive are increasing.
 */
TEST(wire_inject_from_threads_while_receiving)
{
	struct injector in[2] = { { 0, 0 }, { 1, 0 } };
	long last[2] = { -1, -1 }, got = 0;
	struct nmsim_nic_stats st;
	pthread_t th[2];
	struct tport p;
	int i, bad = 0;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	for (i = 0; i < 2; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, injector_main, &in[i]), 0);
	for (long t0 = now_ms(); now_ms() - t0 < 30000;) {
		int alive = 0;

		st = nic_st("sim0");
		alive = st.rx_frames + st.rx_dropped < 2 * TH_FRAMES;
		tp_rxsync(&p);
		for (i = 0; i < 2; i++) {
			struct netmap_ring *rx = tp_rx(&p, (unsigned int)i);
			long s;

			while ((s = get_seq(rx, 64)) != -2) {
				if (s <= last[i])
					bad++;
				last[i] = s;
				got++;
			}
		}
		if (!alive)
			break;
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(in[0].err, 0);
	CHECK_EQ(in[1].err, 0);
	CHECK_EQ(bad, 0);
	tp_rxsync(&p);
	st = nic_st("sim0");
	CHECK_EQ(st.rx_frames + st.rx_dropped, 2 * TH_FRAMES);
	CHECK_EQ(got, st.rx_frames);
	CHECK(got > 0);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* shutdown                                                            */
/* ------------------------------------------------------------------ */

TEST(wire_shutdown_with_frames_queued)
{
	struct tport p;
	uint32_t k;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 64));
	CHECK_OK(nmsim_nic_create("sim1", 1, 64));
	/* sim1, not in netmap mode: a full stack queue */
	for (k = 0; k < 10; k++)
		CHECK_OK(inject_seq("sim1", 0, k, 60));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_NIC_SW, 0, 0), 0);
	CHECK_OK(nmsim_nic_loopback("sim0", 0));
	for (k = 0; k < 10; k++)
		CHECK_EQ(put_seq(tp_tx(&p, 0), k, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	for (k = 0; k < 5; k++) {
		t_frame(ebuf, 100, k);
		CHECK_OK(nmsim_host_inject("sim0", ebuf, 100));
		CHECK_OK(inject_seq("sim0", 1, k, 60));
	}
	/* a tx chain left half-way */
	CHECK_EQ(tr_put(tp_tx(&p, 1), ebuf, 100, NS_MOREFRAG), 0);
	CHECK_EQ(tr_put(tp_host_tx(&p, 0), ebuf, 100, NS_MOREFRAG), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	/* everything still queued, the port still open */
	CHECK(nmsim_live_objects() > 0);
	CHECK_EQ(nmsim_shutdown(), 0);
	default_pools();
}
