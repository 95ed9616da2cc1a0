/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poll(): readiness of tx and rx rings, the error revents, the
 * NR_NO_TX_POLL / NR_DO_RX_POLL flags, pollers blocked and woken by
 * other threads, many threads moving frames at once, two threads on the
 * same ring, a close under a poller, and one poll over many descriptors.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "t.h"
#include "tutil.h"

/* A thread's failure, reported once the thread is joined. */
#define CHECK_THREAD(bad, why) do {					\
	if (bad) {							\
		t_failf(__FILE__, __LINE__, "thread: %s", why);		\
		return;							\
	}								\
} while (0)

static void small_pools(void)
{
	nmsim_param_set("buf_num", 8192);
}

static void default_pools(void)
{
	nmsim_param_set("buf_num", 163840);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static struct nmsim_nic_stats nic_st(const char *name)
{
	struct nmsim_nic_stats st;

	memset(&st, 0, sizeof(st));
	nmsim_nic_stats(name, &st);
	return st;
}

static int put_seq(struct netmap_ring *r, uint32_t seq, uint16_t len)
{
	uint8_t b[2048];

	t_frame(b, len, seq);
	return tr_put(r, b, len, 0);
}

/* Seq of the frame at head, taken; -1 bad, -2 empty. */
static long get_seq(struct netmap_ring *r, uint16_t len)
{
	uint8_t b[2048];
	uint16_t fl;
	int n;

	if (nm_ring_empty(r))
		return -2;
	n = tr_get(r, b, sizeof(b), &fl);
	if (n != len || (fl & NS_MOREFRAG))
		return -1;
	return t_frame_seq(b, (uint16_t)n);
}

static int poll1(int fd, short events, int timeout, short *revents)
{
	struct pollfd pfd = { fd, events, 0 };
	int r = nmsim_poll(&pfd, 1, timeout);

	*revents = pfd.revents;
	return r;
}

/* ------------------------------------------------------------------ */
/* readiness                                                           */
/* ------------------------------------------------------------------ */

TEST(poll_readiness_tx_rx_and_timeout)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	uint64_t t0, dt;
	short rev;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	/* a fresh tx ring has room */
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	CHECK_EQ(poll1(p.fd, POLLOUT, 1000, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	/* nothing received: times out after about the timeout */
	t0 = mono_ms();
	CHECK_EQ(poll1(p.fd, POLLIN, 50, &rev), 0);
	dt = mono_ms() - t0;
	CHECK_EQ(rev, 0);
	CHECK(dt >= 40);
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 0);
	CHECK_EQ(rev, 0);
	/* both asked, one ready */
	CHECK_EQ(poll1(p.fd, POLLIN | POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	/* frames looped back: POLLIN, and poll did the rxsync */
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, (uint32_t)i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK(nm_ring_empty(rx));
	CHECK_EQ(poll1(p.fd, POLLIN, 1000, &rev), 1);
	CHECK_EQ(rev, POLLIN);
	CHECK_EQ(nm_ring_space(rx), 3);
	CHECK_EQ(poll1(p.fd, POLLIN | POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLIN | POLLOUT);
	/* cur at tail: the user wants more than there is, not ready */
	rx->cur = rx->tail;
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(get_seq(rx, 60), i);
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 0);
	CHECK_EQ(rev, 0);
	/* POLLRDNORM / POLLWRNORM are the same thing */
	CHECK_EQ(poll1(p.fd, POLLWRNORM, 0, &rev), 1);
	CHECK_EQ(rev, POLLWRNORM);
	CHECK_EQ(put_seq(tx, 9, 60), 0);
	CHECK_EQ(poll1(p.fd, POLLRDNORM, 1000, &rev), 1);
	CHECK_EQ(rev, POLLRDNORM);
	CHECK_EQ(get_seq(rx, 60), 9);
	tp_close(&p);
	default_pools();
}

TEST(poll_error_revents)
{
	struct pollfd pfd[3];
	int fd, fd2;
	short rev;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	/* open but not registered: POLLERR, whatever was asked */
	fd = nmsim_open();
	CHECK(fd >= 0);
	CHECK_EQ(poll1(fd, POLLIN, 0, &rev), 1);
	CHECK_EQ(rev, POLLERR);
	CHECK_EQ(poll1(fd, POLLOUT, 100, &rev), 1);
	CHECK_EQ(rev, POLLERR);
	CHECK_EQ(poll1(fd, 0, 0, &rev), 1);
	CHECK_EQ(rev, POLLERR);
	/* closed, or never ours: POLLNVAL */
	fd2 = nmsim_open();
	CHECK(fd2 >= 0);
	CHECK_OK(nmsim_close(fd2));
	CHECK_EQ(poll1(fd2, POLLIN, 0, &rev), 1);
	CHECK_EQ(rev, POLLNVAL);
	CHECK_EQ(poll1(100000, POLLIN, 100, &rev), 1);
	CHECK_EQ(rev, POLLNVAL);
	/* a negative fd is skipped and not counted */
	pfd[0] = (struct pollfd){ -1, POLLIN, 0x7777 };
	pfd[1] = (struct pollfd){ fd, POLLIN, 0 };
	pfd[2] = (struct pollfd){ fd2, POLLIN, 0 };
	CHECK_EQ(nmsim_poll(pfd, 3, 0), 2);
	CHECK_EQ(pfd[0].revents, 0);
	CHECK_EQ(pfd[1].revents, POLLERR);
	CHECK_EQ(pfd[2].revents, POLLNVAL);
	CHECK_OK(nmsim_close(fd));
	default_pools();
}

TEST(poll_malformed_ring_is_pollerr)
{
	struct netmap_ring *tx, *rx;
	uint32_t n, orig;
	struct tport p;
	short rev;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	n = tx->num_slots;
	/* a bad cur on tx: POLLERR, and the ring is reset */
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	tx->cur = n + 3;
	CHECK(poll1(p.fd, POLLOUT, 0, &rev) == 1);
	CHECK(rev & POLLERR);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 1);
	CHECK_EQ(tx->head, 0);
	CHECK_EQ(tx->cur, 0);
	CHECK_EQ(tx->tail, n - 1);
	CHECK_EQ(nic_st("sim0").tx_frames, 0);
	/* a bad head with only POLLIN asked: the tx ring holds "frames" */
	tx->head = n + 7;
	CHECK(poll1(p.fd, POLLIN, 0, &rev) == 1);
	CHECK_EQ(rev, POLLERR);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 2);
	CHECK_EQ(tx->head, 0);
	/* a bad slot */
	orig = tx->slot[0].buf_idx;
	CHECK_EQ(put_seq(tx, 2, 60), 0);
	tx->slot[0].buf_idx = 1;
	CHECK(poll1(p.fd, POLLOUT, 0, &rev) == 1);
	CHECK(rev & POLLERR);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 3);
	CHECK_EQ(tx->slot[0].buf_idx, 0);
	tx->slot[0].buf_idx = orig;
	tx->slot[0].flags = NS_BUF_CHANGED;
	/* a bad head on rx */
	rx->head = n;
	CHECK(poll1(p.fd, POLLIN, 0, &rev) == 1);
	CHECK_EQ(rev, POLLERR);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_RX, 0), 1);
	CHECK_EQ(rx->head, 0);
	/* healthy again: no POLLERR, the frame goes round */
	CHECK_EQ(put_seq(tx, 3, 60), 0);
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	CHECK_EQ(poll1(p.fd, POLLIN, 1000, &rev), 1);
	CHECK_EQ(rev, POLLIN);
	CHECK_EQ(get_seq(rx, 60), 3);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 3);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_RX, 0), 1);
	tp_close(&p);
	default_pools();
}

/* The sync fault points fire in poll too: POLLERR, nothing moves. */
TEST(poll_sync_fault_points_are_pollerr)
{
	struct netmap_ring *tx, *rx;
	struct tport p;
	short rev;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	CHECK_OK(nmsim_fi_arm("txsync.enter", "nth:1"));
	CHECK_EQ(put_seq(tx, 1, 60), 0);
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK(rev & POLLERR);
	CHECK_EQ(nic_st("sim0").tx_frames, 0);
	CHECK_EQ(tx->tail, 63);
	CHECK_EQ(nmsim_fi_hits("txsync.enter"), 1);
	/* the next poll sends; rxsync fails once */
	CHECK_OK(nmsim_fi_arm("rxsync.enter", "nth:1"));
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 1);
	CHECK_EQ(rev, POLLERR);
	CHECK_EQ(nic_st("sim0").tx_frames, 1);
	CHECK_EQ(rx->tail, 0);
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 1);
	CHECK_EQ(rev, POLLIN);
	CHECK_EQ(get_seq(rx, 60), 1);
	/* a fault is not a malformed ring */
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 0);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_RX, 0), 0);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* NR_NO_TX_POLL and NR_DO_RX_POLL                                     */
/* ------------------------------------------------------------------ */

TEST(poll_no_tx_poll)
{
	struct netmap_ring *tx;
	struct tport p, q;
	short rev;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sima", 1, 64));
	CHECK_OK(nmsim_nic_create("simb", 1, 64));
	/* with the flag: POLLIN leaves pending tx frames alone */
	CHECK_EQ(tp_open(&p, "sima", NR_REG_ALL_NIC, 0, NR_NO_TX_POLL), 0);
	tx = tp_tx(&p, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, (uint32_t)i, 60), 0);
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 0);
	CHECK_EQ(poll1(p.fd, POLLIN, 30, &rev), 0);
	CHECK_EQ(nic_st("sima").tx_frames, 0);
	CHECK_EQ(tx->tail, 63);
	/* POLLOUT still syncs tx */
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	CHECK_EQ(nic_st("sima").tx_frames, 3);
	CHECK_EQ(tx->tail, 2);
	CHECK_EQ(poll1(p.fd, POLLIN, 0, &rev), 1);
	CHECK_EQ(get_seq(tp_rx(&p, 0), 60), 0);
	/* without it: POLLIN sends them, and they come back */
	CHECK_EQ(tp_open(&q, "simb", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&q, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, 10 + (uint32_t)i, 60), 0);
	CHECK_EQ(poll1(q.fd, POLLIN, 1000, &rev), 1);
	CHECK_EQ(rev, POLLIN);
	CHECK_EQ(nic_st("simb").tx_frames, 3);
	CHECK_EQ(tx->tail, 2);
	for (i = 0; i < 3; i++)
		CHECK_EQ(get_seq(tp_rx(&q, 0), 60), 10 + i);
	tp_close(&q);
	tp_close(&p);
	default_pools();
}

TEST(poll_do_rx_poll)
{
	struct netmap_ring *tx, *rx;
	struct tport p, q;
	short rev;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sima", 1, 64));
	CHECK_OK(nmsim_nic_create("simb", 1, 64));
	/* with the flag: POLLOUT also runs rxsync */
	CHECK_EQ(tp_open(&p, "sima", NR_REG_ALL_NIC, 0, NR_DO_RX_POLL), 0);
	tx = tp_tx(&p, 0);
	rx = tp_rx(&p, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, (uint32_t)i, 60), 0);
	CHECK_EQ(tp_txsync(&p), 0);
	CHECK_EQ(rx->tail, 0);
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);		/* POLLIN was not asked */
	CHECK_EQ(rx->tail, 3);
	/*
	 * and releases what was consumed: after this poll the device has
	 * all 63 slots again.  (poll syncs tx before rx, so the release must
	 * come in an earlier call than the frames that need the room.)
	 */
	for (i = 0; i < 3; i++)
		CHECK_EQ(get_seq(rx, 60), i);
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	for (i = 0; i < 63; i++)
		CHECK_EQ(put_seq(tx, 100 + (uint32_t)i, 60), 0);
	CHECK_EQ(poll1(p.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(nic_st("sima").rx_dropped, 0);
	CHECK_EQ(nm_ring_space(rx), 63);
	CHECK_EQ(get_seq(rx, 60), 100);
	/* without it: POLLOUT leaves rx alone */
	CHECK_EQ(tp_open(&q, "simb", NR_REG_ALL_NIC, 0, 0), 0);
	tx = tp_tx(&q, 0);
	rx = tp_rx(&q, 0);
	for (i = 0; i < 3; i++)
		CHECK_EQ(put_seq(tx, (uint32_t)i, 60), 0);
	CHECK_EQ(tp_txsync(&q), 0);
	CHECK_EQ(poll1(q.fd, POLLOUT, 0, &rev), 1);
	CHECK_EQ(rev, POLLOUT);
	CHECK_EQ(rx->tail, 0);
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK_EQ(rx->tail, 3);
	tp_close(&q);
	tp_close(&p);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* blocking and threads                                                */
/* ------------------------------------------------------------------ */

struct waiter {
	struct tport	*p;
	unsigned int	ring;
	uint32_t	want;		/* frames to receive */
	int		timeout;	/* per poll */
	/* results */
	uint32_t	got;
	uint64_t	first_at;	/* when the first poll returned */
	int		bad;		/* a poll failed or a frame was wrong */
	char		why[96];
};

static void waiter_fail(struct waiter *w, const char *why, long a)
{
	if (!w->bad)
		snprintf(w->why, sizeof(w->why), "%s (%ld)", why, a);
	w->bad = 1;
}

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct netmap_ring *rx = tp_rx(w->p, w->ring);

	while (w->got < w->want && !w->bad) {
		short rev;
		int r = poll1(w->p->fd, POLLIN, w->timeout, &rev);

		if (!w->first_at)
			w->first_at = mono_ms();
		if (r != 1 || rev != POLLIN) {
			waiter_fail(w, "poll", r);
			break;
		}
		/* readable means frames are there, not a spurious wake-up */
		if (nm_ring_empty(rx)) {
			waiter_fail(w, "POLLIN on an empty ring", rx->tail);
			break;
		}
		while (!nm_ring_empty(rx)) {
			long s = get_seq(rx, 60);

			if (s != (long)w->got) {
				waiter_fail(w, "seq", s);
				break;
			}
			w->got++;
		}
	}
	return NULL;
}

TEST(poll_blocked_reader_woken_by_sender)
{
	struct tport prx, ptx;
	struct netmap_ring *tx;
	struct waiter w;
	uint64_t sent_at = 0;
	pthread_t th;
	uint32_t i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 2, 256));
	CHECK_EQ(tp_open(&prx, "sim0", NR_REG_ONE_NIC, 0, NR_RX_RINGS_ONLY), 0);
	CHECK_EQ(tp_open(&ptx, "sim0", NR_REG_ONE_NIC, 0, NR_TX_RINGS_ONLY), 0);
	CHECK(tp_tx(&prx, 0) == NULL && tp_rx(&ptx, 0) == NULL);
	tx = tp_tx(&ptx, 0);
	memset(&w, 0, sizeof(w));
	w.p = &prx;
	w.ring = 0;
	w.want = 100;
	w.timeout = 5000;
	CHECK_EQ(pthread_create(&th, NULL, waiter_main, &w), 0);
	/* let it block, then send in batches */
	sleep_ms(100);
	for (i = 0; i < 100; i++) {
		if (i == 9)
			sent_at = mono_ms();
		if (put_seq(tx, i, 60) || (i % 10 == 9 && tp_txsync(&ptx)))
			break;
		if (i % 10 == 9)
			sleep_ms(2);
	}
	pthread_join(th, NULL);
	CHECK_EQ(i, 100);
	CHECK_THREAD(w.bad, w.why);
	CHECK_EQ(w.got, 100);
	/*
	 * It slept until the first frames came (no poll returned before
	 * there was something to read), and no poll timed out (checked in
	 * the waiter).  No bound on how long anything took: noisy machines.
	 */
	CHECK(w.first_at >= sent_at);
	CHECK_EQ(nic_st("sim0").rx_dropped, 0);
	tp_close(&ptx);
	tp_close(&prx);
	default_pools();
}

/*
 * A sender and a receiver per ring, each on its own fd.  The sender never
 * hands the device more frames than the receiver has released, so nothing
 * may be dropped; the receiver checks that seqs come exactly in order.
 */
#define MT_RINGS	2
#define MT_FRAMES	50000
#define MT_SLOTS	512

struct mt_ring {
	struct tport	tx, rx;
	unsigned int	q;
	uint32_t	released;	/* receiver -> sender */
	uint32_t	sent, got;
	int		bad;
	char		why[96];
	uint64_t	spins;
};

static void mt_fail(struct mt_ring *m, const char *why, long a)
{
	if (!__atomic_exchange_n(&m->bad, 1, __ATOMIC_ACQ_REL))
		snprintf(m->why, sizeof(m->why), "ring %u: %s (%ld)", m->q,
			 why, a);
}

static int mt_failed(struct mt_ring *m)
{
	return __atomic_load_n(&m->bad, __ATOMIC_ACQUIRE);
}

static uint16_t mt_len(uint32_t seq)
{
	return (uint16_t)(60 + seq % 64);
}

static void *mt_sender(void *arg)
{
	struct mt_ring *m = arg;
	struct netmap_ring *tx = tp_tx(&m->tx, m->q);
	uint64_t t0 = mono_ms();

	while (m->sent < MT_FRAMES && !mt_failed(m)) {
		uint32_t rel = __atomic_load_n(&m->released, __ATOMIC_ACQUIRE);
		uint32_t credit = MT_SLOTS - 1 - (m->sent - rel), k;

		if (credit > MT_FRAMES - m->sent)
			credit = MT_FRAMES - m->sent;
		if (credit > nm_ring_space(tx))
			credit = nm_ring_space(tx);
		if (credit > 128)
			credit = 128;
		if (credit == 0) {
			m->spins++;
			if (mono_ms() - t0 > 20000) {
				mt_fail(m, "sender starved", (long)m->sent);
				break;
			}
			sched_yield();
			continue;
		}
		for (k = 0; k < credit; k++) {
			uint32_t seq = m->q << 24 | (m->sent + k);

			if (put_seq(tx, seq, mt_len(seq)))
				mt_fail(m, "tx full", (long)k);
		}
		m->sent += credit;
		if (tp_txsync(&m->tx))
			mt_fail(m, "txsync", errno);
	}
	return NULL;
}

static void *mt_receiver(void *arg)
{
	struct mt_ring *m = arg;
	struct netmap_ring *rx = tp_rx(&m->rx, m->q);

	while (m->got < MT_FRAMES && !mt_failed(m)) {
		uint32_t consumed = m->got;

		/* releases what was consumed; the sender may go on */
		if (tp_rxsync(&m->rx)) {
			mt_fail(m, "rxsync", errno);
			break;
		}
		__atomic_store_n(&m->released, consumed, __ATOMIC_RELEASE);
		if (nm_ring_empty(rx)) {
			short rev;
			int r = poll1(m->rx.fd, POLLIN, 5000, &rev);

			if (r != 1 || rev != POLLIN) {
				mt_fail(m, "poll", r);
				break;
			}
		}
		while (!nm_ring_empty(rx)) {
			uint32_t seq = m->q << 24 | m->got;
			long s = get_seq(rx, mt_len(seq));

			if (s != (long)seq) {
				mt_fail(m, "seq", s);
				break;
			}
			m->got++;
		}
	}
	tp_rxsync(&m->rx);
	__atomic_store_n(&m->released, m->got, __ATOMIC_RELEASE);
	return NULL;
}

TEST(poll_many_threads_many_rings)
{
	struct mt_ring m[MT_RINGS];
	pthread_t th[2 * MT_RINGS];
	struct nmsim_nic_stats st;
	unsigned int q;
	int started = 0;

	small_pools();
	CHECK_OK(nmsim_nic_create("simm", MT_RINGS, MT_SLOTS));
	memset(m, 0, sizeof(m));
	for (q = 0; q < MT_RINGS; q++) {
		m[q].q = q;
		CHECK_EQ(tp_open(&m[q].tx, "simm", NR_REG_ONE_NIC, (uint16_t)q,
				 NR_TX_RINGS_ONLY), 0);
		CHECK_EQ(tp_open(&m[q].rx, "simm", NR_REG_ONE_NIC, (uint16_t)q,
				 NR_RX_RINGS_ONLY), 0);
	}
	for (q = 0; q < MT_RINGS; q++) {
		if (pthread_create(&th[started], NULL, mt_receiver, &m[q]))
			break;
		started++;
		if (pthread_create(&th[started], NULL, mt_sender, &m[q]))
			break;
		started++;
	}
	while (started > 0)
		pthread_join(th[--started], NULL);
	CHECK_EQ(q, MT_RINGS);
	for (q = 0; q < MT_RINGS; q++) {
		CHECK_THREAD(m[q].bad, m[q].why);
		CHECK_EQ(m[q].sent, MT_FRAMES);
		CHECK_EQ(m[q].got, MT_FRAMES);
	}
	st = nic_st("simm");
	CHECK_EQ(st.tx_frames, MT_RINGS * MT_FRAMES);
	CHECK_EQ(st.rx_frames, MT_RINGS * MT_FRAMES);
	CHECK_EQ(st.rx_dropped, 0);
	for (q = 0; q < MT_RINGS; q++) {
		CHECK_EQ(nmsim_ring_reinits(m[q].tx.fd, NR_TX, q), 0);
		CHECK_EQ(nmsim_ring_reinits(m[q].rx.fd, NR_RX, q), 0);
		tp_close(&m[q].rx);
		tp_close(&m[q].tx);
	}
	default_pools();
}

/*
 * Two threads sync the same rings of one fd.  The worker moves frames:
 * it writes cur before head (so any snapshot the kernel takes is a valid
 * pair) and sends a batch only after the previous one came back.  The
 * other thread just hammers NIOCTXSYNC/NIOCRXSYNC.  Whichever sync finds
 * the ring busy skips it; nothing may be lost, reordered or reset.
 */
#define SR_FRAMES	20000

struct same_ring {
	struct tport	*p;
	int		stop;
	uint32_t	got;
	unsigned long	calls;		/* hammer's txsyncs */
	unsigned long	wcalls;		/* worker's txsyncs */
	unsigned long	errs;
	int		bad;
	char		why[96];
};

static void sr_fail(struct same_ring *s, const char *why, long a)
{
	if (!s->bad)
		snprintf(s->why, sizeof(s->why), "%s (%ld)", why, a);
	s->bad = 1;
}

static void *sr_hammer(void *arg)
{
	struct same_ring *s = arg;

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		s->errs += nmsim_ioctl(s->p->fd, NIOCTXSYNC, NULL) != 0;
		s->errs += nmsim_ioctl(s->p->fd, NIOCRXSYNC, NULL) != 0;
		s->calls++;
	}
	return NULL;
}

/* cur first, then head: a sync racing with us sees a valid pair */
static void sr_advance(struct netmap_ring *r, uint32_t to)
{
	__atomic_store_n(&r->cur, to, __ATOMIC_RELEASE);
	__atomic_store_n(&r->head, to, __ATOMIC_RELEASE);
}

static uint32_t tail_acquire(struct netmap_ring *r)
{
	return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
}

static void sr_put(struct netmap_ring *r, uint32_t seq)
{
	uint32_t h = r->head, nh = nm_ring_next(r, h);
	uint8_t b[64];

	t_frame(b, 64, seq);
	memcpy(NETMAP_BUF(r, r->slot[h].buf_idx), b, 64);
	r->slot[h].len = 64;
	r->slot[h].flags = 0;
	sr_advance(r, nh);
}

static void *sr_worker(void *arg)
{
	struct same_ring *s = arg;
	struct netmap_ring *tx = tp_tx(s->p, 0), *rx = tp_rx(s->p, 0);
	uint32_t sent = 0, seed = 1;
	uint64_t t0 = mono_ms();

	while (s->got < SR_FRAMES && !s->bad) {
		uint32_t b = 1 + (seed = seed * 1103515245u + 12345u) % 8, k;

		if (b > SR_FRAMES - sent)
			b = SR_FRAMES - sent;
		for (k = 0; k < b; k++) {
			if (nm_ring_space(tx) == 0) {
				sr_fail(s, "tx full", (long)sent);
				return NULL;
			}
			sr_put(tx, sent++);
		}
		s->errs += nmsim_ioctl(s->p->fd, NIOCTXSYNC, NULL) != 0;
		s->wcalls++;
		while (s->got < sent && !s->bad) {
			uint32_t t = tail_acquire(rx);

			while (rx->head != t) {
				struct netmap_slot *sl = &rx->slot[rx->head];
				long q = t_frame_seq((uint8_t *)NETMAP_BUF(rx,
							sl->buf_idx), sl->len);
				uint32_t nh = nm_ring_next(rx, rx->head);

				if (sl->len != 64 || q != (long)s->got) {
					sr_fail(s, "seq", q);
					return NULL;
				}
				s->got++;
				sr_advance(rx, nh);
			}
			if (s->got < sent) {
				/* our own sync may be the skipped one */
				s->errs += nmsim_ioctl(s->p->fd, NIOCTXSYNC,
						       NULL) != 0;
				s->errs += nmsim_ioctl(s->p->fd, NIOCRXSYNC,
						       NULL) != 0;
				s->wcalls++;
			}
			if (mono_ms() - t0 > 20000) {
				sr_fail(s, "stuck", (long)s->got);
				return NULL;
			}
		}
	}
	return NULL;
}

TEST(poll_two_threads_sync_the_same_ring)
{
	struct same_ring s;
	pthread_t hammer, worker;
	struct tport p;
	long long hits;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 256));
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	memset(&s, 0, sizeof(s));
	s.p = &p;
	/* the point only counts: a hit is a sync that got the ring */
	CHECK_OK(nmsim_fi_arm("txsync.enter", "off"));
	CHECK_EQ(pthread_create(&hammer, NULL, sr_hammer, &s), 0);
	if (pthread_create(&worker, NULL, sr_worker, &s) == 0)
		pthread_join(worker, NULL);
	else
		sr_fail(&s, "pthread_create", 0);
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(hammer, NULL);
	CHECK_THREAD(s.bad, s.why);
	CHECK_EQ(s.got, SR_FRAMES);
	CHECK_EQ(s.errs, 0);
	CHECK(s.calls > 0);
	hits = nmsim_fi_hits("txsync.enter");
	CHECK(hits > 0 && hits <= (long long)(s.calls + s.wcalls));
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_TX, 0), 0);
	CHECK_EQ(nmsim_ring_reinits(p.fd, NR_RX, 0), 0);
	CHECK_EQ(nic_st("sim0").tx_frames, SR_FRAMES);
	CHECK_EQ(nic_st("sim0").rx_dropped, 0);
	tp_close(&p);
	default_pools();
}

struct closer {
	int		fd;
	int		timeout;
	int		ret;
	short		revents;
	uint64_t	ms;
	int		stop;
	unsigned long	loops;
};

static void *blocked_poller(void *arg)
{
	struct closer *c = arg;
	uint64_t t0 = mono_ms();

	c->ret = poll1(c->fd, POLLIN, c->timeout, &c->revents);
	c->ms = mono_ms() - t0;
	return NULL;
}

/* Polls and syncs an fd in a loop, until told or until it is gone. */
static void *busy_poller(void *arg)
{
	struct closer *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		short rev;

		poll1(c->fd, POLLIN | POLLOUT, 0, &rev);
		nmsim_ioctl(c->fd, NIOCTXSYNC, NULL);
		nmsim_ioctl(c->fd, NIOCRXSYNC, NULL);
		c->loops++;
		if (rev == POLLNVAL)
			break;
	}
	return NULL;
}

TEST(poll_close_under_a_poller)
{
	struct tport p, q;
	struct closer c;
	pthread_t th;
	int i;

	small_pools();
	CHECK_OK(nmsim_nic_create("sim0", 1, 64));
	/* blocked in poll while another thread closes the fd */
	CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_open(&q, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
	memset(&c, 0, sizeof(c));
	c.fd = p.fd;
	c.timeout = 400;
	CHECK_EQ(pthread_create(&th, NULL, blocked_poller, &c), 0);
	sleep_ms(50);
	tp_close(&p);
	/* some traffic on the port wakes the poller */
	if (put_seq(tp_tx(&q, 0), 1, 60) == 0)
		tp_txsync(&q);
	pthread_join(th, NULL);
	CHECK((c.ret == 1 && c.revents == POLLNVAL) ||
	      (c.ret == 0 && c.revents == 0));
	CHECK(c.ms >= 40);
	/* the other registration of the port is fine */
	CHECK_EQ(tp_rxsync(&q), 0);
	CHECK_EQ(get_seq(tp_rx(&q, 0), 60), 1);

	/* closed while another thread is inside poll and sync, many times */
	for (i = 0; i < 20; i++) {
		CHECK_EQ(tp_open(&p, "sim0", NR_REG_ALL_NIC, 0, 0), 0);
		memset(&c, 0, sizeof(c));
		c.fd = p.fd;
		CHECK_EQ(pthread_create(&th, NULL, busy_poller, &c), 0);
		while (__atomic_load_n(&c.loops, __ATOMIC_RELAXED) < 3)
			sched_yield();
		tp_close(&p);
		sleep_ms(1);
		__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
		pthread_join(th, NULL);
	}
	tp_close(&q);
	default_pools();
}

/* ------------------------------------------------------------------ */
/* several descriptors in one call                                     */
/* ------------------------------------------------------------------ */

struct later {
	struct tport	*p;
	unsigned int	delay_ms;
};

static void *send_later(void *arg)
{
	struct later *l = arg;

	sleep_ms(l->delay_ms);
	if (put_seq(tp_tx(l->p, 0), 7, 60) == 0)
		tp_txsync(l->p);
	return NULL;
}

TEST(poll_many_fds_in_one_call)
{
	struct tport pa, pb, pbt, pc, pe;
	struct pollfd pfd[7];
	struct later l;
	int fu, fcl, i;
	pthread_t th;
	uint64_t t0;

	small_pools();
	CHECK_OK(nmsim_nic_create("sa", 1, 64));
	CHECK_OK(nmsim_nic_create("sb", 1, 64));
	CHECK_OK(nmsim_nic_create("sc", 1, 64));
	CHECK_OK(nmsim_nic_create("sd", 1, 64));
	CHECK_EQ(tp_open(&pa, "sa", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_open(&pb, "sb", NR_REG_ALL_NIC, 0, NR_RX_RINGS_ONLY), 0);
	CHECK_EQ(tp_open(&pbt, "sb", NR_REG_ALL_NIC, 0, NR_TX_RINGS_ONLY), 0);
	CHECK_EQ(tp_open(&pc, "sc", NR_REG_ALL_NIC, 0, 0), 0);
	CHECK_EQ(tp_open(&pe, "sd", NR_REG_ALL_NIC, 0, 0), 0);
	fu = nmsim_open();
	CHECK(fu >= 0);
	fcl = nmsim_open();
	CHECK(fcl >= 0);
	CHECK_OK(nmsim_close(fcl));
	/* frames waiting for pa */
	for (i = 0; i < 2; i++)
		CHECK_EQ(put_seq(tp_tx(&pa, 0), (uint32_t)i, 60), 0);
	CHECK_EQ(tp_txsync(&pa), 0);

	pfd[0] = (struct pollfd){ pa.fd, POLLIN, 0 };		/* ready */
	pfd[1] = (struct pollfd){ pb.fd, POLLIN, 0 };		/* not */
	pfd[2] = (struct pollfd){ pc.fd, POLLOUT, 0 };		/* ready */
	pfd[3] = (struct pollfd){ fu, POLLIN, 0 };		/* POLLERR */
	pfd[4] = (struct pollfd){ fcl, POLLIN, 0 };		/* POLLNVAL */
	pfd[5] = (struct pollfd){ -1, POLLIN, 0 };		/* skipped */
	pfd[6] = (struct pollfd){ pe.fd, POLLIN | POLLOUT, 0 };	/* half */
	CHECK_EQ(nmsim_poll(pfd, 7, 0), 5);
	CHECK_EQ(pfd[0].revents, POLLIN);
	CHECK_EQ(pfd[1].revents, 0);
	CHECK_EQ(pfd[2].revents, POLLOUT);
	CHECK_EQ(pfd[3].revents, POLLERR);
	CHECK_EQ(pfd[4].revents, POLLNVAL);
	CHECK_EQ(pfd[5].revents, 0);
	CHECK_EQ(pfd[6].revents, POLLOUT);
	CHECK_EQ(get_seq(tp_rx(&pa, 0), 60), 0);
	CHECK_EQ(get_seq(tp_rx(&pa, 0), 60), 1);

	/* nothing ready: one poll blocks until a frame comes for pb */
	pfd[0] = (struct pollfd){ pa.fd, POLLIN, 0 };
	pfd[1] = (struct pollfd){ pb.fd, POLLIN, 0 };
	pfd[2] = (struct pollfd){ pe.fd, POLLIN, 0 };
	l.p = &pbt;
	l.delay_ms = 60;
	CHECK_EQ(pthread_create(&th, NULL, send_later, &l), 0);
	t0 = mono_ms();
	i = nmsim_poll(pfd, 3, 3000);
	t0 = mono_ms() - t0;
	pthread_join(th, NULL);
	CHECK_EQ(i, 1);
	CHECK_EQ(pfd[0].revents, 0);
	CHECK_EQ(pfd[1].revents, POLLIN);
	CHECK_EQ(pfd[2].revents, 0);
	CHECK(t0 >= 40 && t0 < 2500);
	CHECK_EQ(get_seq(tp_rx(&pb, 0), 60), 7);
	/* an empty set just sleeps */
	t0 = mono_ms();
	CHECK_EQ(nmsim_poll(NULL, 0, 30), 0);
	CHECK(mono_ms() - t0 >= 20);

	CHECK_OK(nmsim_close(fu));
	tp_close(&pe);
	tp_close(&pc);
	tp_close(&pbt);
	tp_close(&pb);
	tp_close(&pa);
	default_pools();
}
