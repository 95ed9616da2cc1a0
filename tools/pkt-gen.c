/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pkt-gen: send, receive and echo frames on a netmap port.
 *
 *   -f tx    send -n frames (0: until SIGINT or -D) of -l bytes on -i
 *   -f rx    count frames arriving on -i
 *   -f txrx  tx on -i and rx on -I (default: -i itself, for a port that
 *            loops tx back to rx) in two threads of this process
 *   -f ping  send one frame at a time on -i, wait for its echo, time it;
 *            with -I a pong thread echoes on that port in this process
 *   -f pong  echo every frame arriving on -i back out of it
 *
 * The in-process modes exist because a port name is only meaningful
 * within one /dev/netmap instance: on the sim (LD_PRELOAD) that is one
 * process, so two programs cannot talk to each other there.
 * Exit: 0 ok, 1 a run failed (loss, error), 2 usage, 3 port setup failed.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nmt.h"

const char *nmt_prog = "pkt-gen";

#define ETH_TYPE	0x88b5		/* IEEE local experimental */
#define HDR_LEN		30		/* eth 14 + magic 4 + seq 4 + ts 8 */
#define MIN_LEN		60
#define MAX_LEN		65535
#define MAGIC		0x4e4d5442u	/* "NMTB" */

enum func { F_TX, F_RX, F_TXRX, F_PING, F_PONG };
static const char *const fname[] = { "tx", "rx", "txrx", "ping", "pong" };

struct cfg {
	const char *port, *peer;
	enum func func;
	uint64_t len, burst, count, rate, frags, offset, report_ms, dur_ms;
};

struct worker {
	struct nmt_port p;
	enum func role;
	const struct cfg *c;
	pthread_t tid;
	uint64_t pkts, bytes;		/* atomics: main reads them live */
	int done;			/* atomic */
	int rc;
	uint64_t t0, t1;
	/* ping */
	uint64_t lost, rtt_min, rtt_max, rtt_sum;
};

static int peers_stop;		/* atomic: the main activity has ended */
static int tx_done;		/* atomic: the txrx sender has finished */
static uint64_t deadline;	/* -D, in nmt_now_ns() time; 0 none */

static void usage(FILE *f)
{
	fprintf(f,
"usage: pkt-gen -i PORT [-f tx|rx|txrx|ping|pong] [options]\n"
"  -i PORT    netmap port: vale0:a, a NIC (eth0, sim0), a pipe end\n"
"             (vale0:a{1 / vale0:a}1); suffix ^ host rings, * NIC+host\n"
"  -I PORT    peer in this process: rx side of txrx, pong side of ping\n"
"  -f FUNC    tx (default), rx, txrx, ping, pong\n"
"  -l LEN     frame length in bytes, %d..%d (default 60)\n"
"  -b BURST   frames per sync, 1..4096 (default 64)\n"
"  -n COUNT   frames to send/receive/echo, 0 = no limit (default 0)\n"
"  -R RATE    transmit at most RATE frames per second (k/M suffix ok)\n"
"  -F FRAGS   slots per frame, 1..%d (NS_MOREFRAG chains; default 1)\n"
"  -O OFFSET  data offset in each buffer (NETMAP_REQ_OPT_OFFSETS)\n"
"  -T MS      report interval in ms, 0 = only the summary (default 1000)\n"
"  -D MS      stop after MS milliseconds\n"
"  --help     this text\n"
"Prints '<N> pps' lines while running and a summary at the end.\n"
"Exit: 0 ok, 1 run failed (loss, error), 2 usage, 3 port setup failed.\n",
		MIN_LEN, MAX_LEN, NETMAP_MAX_FRAGS);
}

static int stopping(void)
{
	if (nmt_stop || __atomic_load_n(&peers_stop, __ATOMIC_RELAXED))
		return 1;
	return deadline && nmt_now_ns() >= deadline;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Template: broadcast, so any VALE switch floods it to every port. */
static void frame_template(uint8_t *f, size_t len, uint8_t who)
{
	size_t j;

	memset(f, 0xff, 6);
	f[6] = 0x02;
	memset(f + 7, 0, 4);
	f[11] = who;
	f[12] = ETH_TYPE >> 8;
	f[13] = ETH_TYPE & 0xff;
	put32(f + 14, MAGIC);
	memset(f + 18, 0, 12);
	for (j = HDR_LEN; j < len; j++)
		f[j] = (uint8_t)(j * 7u);
}

static void frame_stamp(uint8_t *f, uint32_t seq, uint64_t ts)
{
	put32(f + 18, seq);
	put32(f + 22, (uint32_t)(ts >> 32));
	put32(f + 26, (uint32_t)ts);
}

static void add(struct worker *w, uint64_t pkts, uint64_t bytes)
{
	__atomic_store_n(&w->pkts, w->pkts + pkts, __ATOMIC_RELAXED);
	__atomic_store_n(&w->bytes, w->bytes + bytes, __ATOMIC_RELAXED);
}

static unsigned int room(const struct nmt_port *p, struct netmap_ring *r)
{
	return r->nr_buf_size - p->offset;
}

/* Put one frame (from tmpl) into ring r as frags slots. */
static void put_frame(struct worker *w, struct netmap_ring *r,
		      const uint8_t *tmpl)
{
	size_t len = w->c->len, frags = w->c->frags, done = 0, k;

	for (k = 0; k < frags; k++) {
		struct netmap_slot *s = &r->slot[r->head];
		size_t n = len / frags + (k < len % frags ? 1 : 0);

		NETMAP_WOFFSET(r, s, w->p.offset);
		memcpy(NETMAP_BUF_OFFSET(r, s), tmpl + done, n);
		s->len = (uint16_t)n;
		s->flags = k + 1 < frags ? NS_MOREFRAG : 0;
		done += n;
		r->head = r->cur = nm_ring_next(r, r->head);
	}
}

static void tx_drain(struct worker *w)
{
	uint64_t until = nmt_now_ns() + 1000000000ull;
	unsigned int i;

	while (nmt_now_ns() < until && !nmt_stop) {
		int pending = 0;

		if (ioctl(w->p.fd, NIOCTXSYNC, NULL) != 0)
			return;
		for (i = w->p.first_tx; i < w->p.last_tx; i++)
			pending |= nm_tx_pending(NETMAP_TXRING(w->p.nifp, i));
		if (!pending)
			return;
		nmt_wait(&w->p, POLLOUT, 10);
	}
}

static void *tx_main(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	uint8_t *tmpl = malloc(c->len);
	uint64_t sent = 0;
	uint32_t seq = 0;

	if (!tmpl) {
		nmt_err("malloc", ENOMEM);
		w->rc = 1;
		goto out;
	}
	frame_template(tmpl, c->len, 1);
	while (!stopping() && (!c->count || sent < c->count)) {
		uint64_t want = c->burst, n = 0, now = nmt_now_ns();
		unsigned int i;

		if (c->count && c->count - sent < want)
			want = c->count - sent;
		if (c->rate) {
			double due = (double)c->rate * (double)(now - w->t0)
				     / 1e9 + 1;
			if ((double)sent + 1 > due) {
				struct timespec ts = { 0, 200000 };

				nanosleep(&ts, NULL);
				continue;
			}
			if ((double)(sent + want) > due)
				want = (uint64_t)(due - (double)sent);
		}
		for (i = w->p.first_tx; i < w->p.last_tx && n < want; i++) {
			struct netmap_ring *r = NETMAP_TXRING(w->p.nifp, i);

			while (n < want && nm_ring_space(r) >= c->frags) {
				frame_stamp(tmpl, seq++, now);
				put_frame(w, r, tmpl);
				n++;
			}
		}
		if (n == 0) {
			if (nmt_wait(&w->p, POLLOUT, 100) < 0) {
				w->rc = 1;
				break;
			}
			continue;
		}
		if (ioctl(w->p.fd, NIOCTXSYNC, NULL) != 0) {
			nmt_err("NIOCTXSYNC", errno);
			w->rc = 1;
			break;
		}
		sent += n;
		add(w, n, n * c->len);
	}
	tx_drain(w);
out:
	free(tmpl);
	w->t1 = nmt_now_ns();
	__atomic_store_n(&tx_done, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Consume every rx slot; count frames (the last slot of each chain). */
static void rx_drain(struct worker *w, uint64_t *frames)
{
	unsigned int i;

	for (i = w->p.first_rx; i < w->p.last_rx; i++) {
		struct netmap_ring *r = NETMAP_RXRING(w->p.nifp, i);
		uint64_t n = 0, b = 0;

		while (!nm_ring_empty(r)) {
			struct netmap_slot *s = &r->slot[r->head];

			b += s->len;
			if (!(s->flags & NS_MOREFRAG))
				n++;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
		if (n || b) {
			*frames += n;
			add(w, n, b);
		}
	}
}

static void *rx_main(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	uint64_t frames = 0, last = nmt_now_ns();

	while (!nmt_stop && (!c->count || frames < c->count)) {
		int r;

		/* in txrx, stop 300 ms after the sender when nothing comes */
		if (__atomic_load_n(&tx_done, __ATOMIC_RELAXED) &&
		    nmt_now_ns() - last > 300000000ull)
			break;
		if (w->role == F_RX && stopping())
			break;
		r = nmt_wait(&w->p, POLLIN, 100);
		if (r < 0) {
			w->rc = 1;
			break;
		}
		if (r == 0)
			continue;
		rx_drain(w, &frames);
		last = nmt_now_ns();
	}
	w->t1 = nmt_now_ns();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Echo each arriving slot back out, source and destination swapped. */
static void *pong_main(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	uint64_t frames = 0;
	int first = 1;

	while (!stopping() && (!c->count || frames < c->count)) {
		unsigned int i, t = w->p.first_tx;
		uint64_t n = 0, b = 0;
		int r = nmt_wait(&w->p, POLLIN, 100);

		if (r < 0) {
			w->rc = 1;
			break;
		}
		for (i = w->p.first_rx; i < w->p.last_rx; i++) {
			struct netmap_ring *rx = NETMAP_RXRING(w->p.nifp, i);

			while (!nm_ring_empty(rx)) {
				struct netmap_slot *s = &rx->slot[rx->head];
				struct netmap_ring *tx = NULL;
				uint8_t *src = (uint8_t *)NETMAP_BUF_OFFSET(rx,
									    s);

				while (t < w->p.last_tx) {
					tx = NETMAP_TXRING(w->p.nifp, t);
					if (nm_ring_space(tx))
						break;
					tx = NULL;
					t++;
				}
				if (tx && s->len <= room(&w->p, tx)) {
					struct netmap_slot *d =
						&tx->slot[tx->head];
					uint8_t *dst;

					NETMAP_WOFFSET(tx, d, w->p.offset);
					dst = (uint8_t *)NETMAP_BUF_OFFSET(tx,
									   d);
					memcpy(dst, src, s->len);
					if (first && s->len >= 12) {
						memcpy(dst, src + 6, 6);
						memcpy(dst + 6, src, 6);
						dst[6] = 0x02;
						dst[11] = 2;
					}
					d->len = s->len;
					d->flags = s->flags & NS_MOREFRAG;
					tx->head = tx->cur =
						nm_ring_next(tx, tx->head);
					b += s->len;
					if (!(s->flags & NS_MOREFRAG))
						n++;
				}
				first = !(s->flags & NS_MOREFRAG);
				rx->head = rx->cur = nm_ring_next(rx,
								  rx->head);
			}
		}
		if (n || b) {
			if (ioctl(w->p.fd, NIOCTXSYNC, NULL) != 0) {
				nmt_err("NIOCTXSYNC", errno);
				w->rc = 1;
				break;
			}
			frames += n;
			add(w, n, b);
		}
	}
	tx_drain(w);
	w->t1 = nmt_now_ns();
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Look for the echo of seq in the rx rings; consumes what it sees. */
static int ping_got(struct worker *w, uint32_t seq)
{
	unsigned int i;
	int got = 0;

	for (i = w->p.first_rx; i < w->p.last_rx; i++) {
		struct netmap_ring *r = NETMAP_RXRING(w->p.nifp, i);

		while (!nm_ring_empty(r)) {
			struct netmap_slot *s = &r->slot[r->head];
			const uint8_t *f = (const uint8_t *)
				NETMAP_BUF_OFFSET(r, s);

			if (s->len >= HDR_LEN && get32(f + 14) == MAGIC &&
			    get32(f + 18) == seq)
				got = 1;
			r->head = r->cur = nm_ring_next(r, r->head);
		}
	}
	return got;
}

static void *ping_main(void *arg)
{
	struct worker *w = arg;
	const struct cfg *c = w->c;
	uint8_t *tmpl = malloc(c->len);
	uint32_t seq;

	w->rtt_min = ~0ull;
	if (!tmpl) {
		nmt_err("malloc", ENOMEM);
		w->rc = 1;
		goto out;
	}
	frame_template(tmpl, c->len, 1);
	for (seq = 0; !stopping() && (!c->count || seq < c->count); seq++) {
		struct netmap_ring *r = NULL;
		uint64_t t0 = nmt_now_ns(), rtt;
		unsigned int i;
		int got = 0;

		for (i = w->p.first_tx; i < w->p.last_tx; i++) {
			r = NETMAP_TXRING(w->p.nifp, i);
			if (nm_ring_space(r) >= c->frags)
				break;
			r = NULL;
		}
		if (!r) {
			nmt_wait(&w->p, POLLOUT, 100);
			seq--;
			continue;
		}
		frame_stamp(tmpl, seq, t0);
		put_frame(w, r, tmpl);
		if (ioctl(w->p.fd, NIOCTXSYNC, NULL) != 0) {
			nmt_err("NIOCTXSYNC", errno);
			w->rc = 1;
			break;
		}
		while (!got && !nmt_stop &&
		       nmt_now_ns() - t0 < 1000000000ull) {
			if (nmt_wait(&w->p, POLLIN, 100) < 0) {
				w->rc = 1;
				goto out;
			}
			got = ping_got(w, seq);
		}
		if (!got) {
			if (!nmt_stop)
				w->lost++;
			continue;
		}
		rtt = nmt_now_ns() - t0;
		w->rtt_sum += rtt;
		if (rtt < w->rtt_min)
			w->rtt_min = rtt;
		if (rtt > w->rtt_max)
			w->rtt_max = rtt;
		add(w, 1, c->len);
	}
out:
	free(tmpl);
	w->t1 = nmt_now_ns();
	__atomic_store_n(&peers_stop, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void summary(struct worker *w)
{
	double s = (double)(w->t1 - w->t0) / 1e9;
	double pps = s > 0 ? (double)w->pkts / s : 0;
	double mbps = s > 0 ? (double)w->bytes * 8 / s / 1e6 : 0;

	printf("%s: %s %s: %" PRIu64 " packets %" PRIu64 " bytes in %.3f s: "
	       "%.0f pps %.2f Mbps\n", nmt_prog, fname[w->role], w->p.name,
	       w->pkts, w->bytes, s, pps, mbps);
	if (w->role == F_PING) {
		uint64_t n = w->pkts;

		printf("%s: ping %s: %" PRIu64 " replies, %" PRIu64 " lost, "
		       "rtt min/avg/max %.1f/%.1f/%.1f us\n", nmt_prog,
		       w->p.name, n, w->lost,
		       n ? (double)w->rtt_min / 1e3 : 0,
		       n ? (double)w->rtt_sum / (double)n / 1e3 : 0,
		       (double)w->rtt_max / 1e3);
	}
}

static int parse_opt(int o, const char *arg, struct cfg *c)
{
	uint64_t *v = NULL, lo = 0, hi = 0;
	const char *what = NULL;

	switch (o) {
	case 'i': c->port = arg; return 0;
	case 'I': c->peer = arg; return 0;
	case 'f':
		for (size_t k = 0; k < sizeof(fname) / sizeof(fname[0]); k++)
			if (!strcmp(arg, fname[k])) {
				c->func = (enum func)k;
				return 0;
			}
		fprintf(stderr, "%s: -f: unknown function '%s' (tx, rx, txrx, "
			"ping, pong)\n", nmt_prog, arg);
		return -1;
	case 'l': v = &c->len; lo = MIN_LEN; hi = MAX_LEN; what = "length";
		break;
	case 'b': v = &c->burst; lo = 1; hi = 4096; what = "burst"; break;
	case 'n': v = &c->count; hi = 1ull << 48; what = "count"; break;
	case 'R': v = &c->rate; lo = 1; hi = 1ull << 40; what = "rate";
		break;
	case 'F': v = &c->frags; lo = 1; hi = NETMAP_MAX_FRAGS;
		what = "fragments"; break;
	case 'O': v = &c->offset; lo = 0; hi = 65535; what = "offset"; break;
	case 'T': v = &c->report_ms; hi = 3600000; what = "interval"; break;
	case 'D': v = &c->dur_ms; lo = 1; hi = 1ull << 40; what = "duration";
		break;
	default:
		return -1;
	}
	if (nmt_parse_u64(arg, lo, hi, v)) {
		fprintf(stderr, "%s: -%c: %s must be a number in %" PRIu64
			"..%" PRIu64 ", not '%s'\n", nmt_prog, o, what, lo, hi,
			arg);
		return -1;
	}
	return 0;
}

/* Frames must fit the buffers the port gave us. */
static int check_fit(const struct cfg *c, struct worker *w)
{
	unsigned int i = w->p.first_tx;
	struct netmap_ring *r;
	uint64_t cap;

	if (w->p.last_tx == w->p.first_tx) {
		fprintf(stderr, "%s: %s: no tx ring bound\n", nmt_prog,
			w->p.name);
		return -1;
	}
	r = NETMAP_TXRING(w->p.nifp, i);
	cap = (uint64_t)room(&w->p, r) * c->frags;
	if (c->len > cap || c->len < c->frags) {
		fprintf(stderr, "%s: %s: %" PRIu64 " bytes do not fit in %"
			PRIu64 " fragment(s) of %u bytes (buffer %u, offset %u)"
			"\n", nmt_prog, w->p.name, c->len, c->frags,
			room(&w->p, r), r->nr_buf_size, w->p.offset);
		return -1;
	}
	if (r->num_slots <= c->frags) {
		fprintf(stderr, "%s: %s: %" PRIu64 " fragments do not fit in a "
			"ring of %u slots\n", nmt_prog, w->p.name, c->frags,
			r->num_slots);
		return -1;
	}
	return 0;
}

static void report(struct worker *ws, int nw, uint64_t *prev, uint64_t dt)
{
	int k;

	for (k = 0; k < nw; k++) {
		uint64_t n = __atomic_load_n(&ws[k].pkts, __ATOMIC_RELAXED);
		double pps = (double)(n - prev[k]) * 1e9 / (double)dt;

		printf("%s%.0f pps (%s %s)", k ? "  " : "", pps,
		       fname[ws[k].role], ws[k].p.name);
		prev[k] = n;
	}
	putchar('\n');
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct cfg c = { .func = F_TX, .len = MIN_LEN, .burst = 64,
			 .frags = 1, .report_ms = 1000 };
	struct worker ws[2];
	uint64_t prev[2] = { 0, 0 }, last;
	int nw = 0, k, o, rc = 0;

	for (k = 1; k < argc; k++)
		if (!strcmp(argv[k], "--help")) {
			usage(stdout);
			return 0;
		}
	opterr = 0;
	while ((o = getopt(argc, argv, "i:I:f:l:b:n:R:F:O:T:D:")) != -1) {
		if (o == '?' || o == ':') {
			if (optopt && strchr("iIflbnRFOTD", optopt))
				fprintf(stderr, "%s: -%c needs an argument\n",
					nmt_prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s' "
					"(try --help)\n", nmt_prog,
					argv[optind - 1]);
			return 2;
		}
		if (parse_opt(o, optarg, &c))
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s' (try --help)\n",
			nmt_prog, argv[optind]);
		return 2;
	}
	if (!c.port) {
		fprintf(stderr, "%s: no port: -i PORT is required (try --help)"
			"\n", nmt_prog);
		return 2;
	}
	if (c.peer && c.func != F_TXRX && c.func != F_PING) {
		fprintf(stderr, "%s: -I only goes with -f txrx or -f ping\n",
			nmt_prog);
		return 2;
	}
	if (c.len < HDR_LEN)
		c.len = HDR_LEN;

	nmt_signals();
	memset(ws, 0, sizeof(ws));
	switch (c.func) {
	case F_TX:
	case F_RX:
	case F_PONG:
	case F_PING:
		ws[0].role = c.func;
		ws[0].c = &c;
		nw = 1;
		if (nmt_open(&ws[0].p, c.port, 0, (unsigned int)c.offset))
			return 3;
		break;
	case F_TXRX:
		ws[0].role = F_TX;
		ws[1].role = F_RX;
		ws[0].c = ws[1].c = &c;
		nw = 2;
		if (nmt_open(&ws[0].p, c.port, NR_TX_RINGS_ONLY,
			     (unsigned int)c.offset))
			return 3;
		if (nmt_open(&ws[1].p, c.peer ? c.peer : c.port,
			     NR_RX_RINGS_ONLY, (unsigned int)c.offset)) {
			nmt_close(&ws[0].p);
			return 3;
		}
		break;
	}
	if (c.func == F_PING && c.peer) {
		ws[1].role = F_PONG;
		ws[1].c = &c;
		nw = 2;
		if (nmt_open(&ws[1].p, c.peer, 0, (unsigned int)c.offset)) {
			nmt_close(&ws[0].p);
			return 3;
		}
	}
	if (c.func != F_RX && check_fit(&c, &ws[0])) {
		for (k = 0; k < nw; k++)
			nmt_close(&ws[k].p);
		return 3;
	}

	last = nmt_now_ns();
	if (c.dur_ms)
		deadline = last + c.dur_ms * 1000000ull;
	/* receivers first, so nothing sent is missed */
	for (k = nw - 1; k >= 0; k--) {
		void *(*fn)(void *) = ws[k].role == F_TX ? tx_main :
				      ws[k].role == F_RX ? rx_main :
				      ws[k].role == F_PING ? ping_main :
				      pong_main;

		ws[k].t0 = nmt_now_ns();
		if (pthread_create(&ws[k].tid, NULL, fn, &ws[k])) {
			nmt_err("pthread_create", errno);
			nmt_stop = 1;
			for (k++; k < nw; k++)
				pthread_join(ws[k].tid, NULL);
			return 1;
		}
	}
	for (;;) {
		struct timespec ts = { 0, 10000000 };
		uint64_t now;
		int all = 1;

		for (k = 0; k < nw; k++)
			all &= __atomic_load_n(&ws[k].done, __ATOMIC_ACQUIRE);
		if (all)
			break;
		nanosleep(&ts, NULL);
		now = nmt_now_ns();
		if (c.report_ms && now - last >= c.report_ms * 1000000ull) {
			report(ws, nw, prev, now - last);
			last = now;
		}
	}
	for (k = 0; k < nw; k++) {
		pthread_join(ws[k].tid, NULL);
		summary(&ws[k]);
		if (ws[k].rc)
			rc = 1;
	}
	if (c.func == F_TXRX && ws[1].pkts != ws[0].pkts) {
		fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " frames lost\n",
			nmt_prog, ws[0].pkts - ws[1].pkts, ws[0].pkts);
		rc = 1;
	}
	if (c.func == F_PING && ws[0].lost) {
		fprintf(stderr, "%s: %" PRIu64 " ping(s) unanswered\n",
			nmt_prog, ws[0].lost);
		rc = 1;
	}
	if (!nmt_stop && c.count && c.func == F_RX && ws[0].pkts < c.count) {
		fprintf(stderr, "%s: %" PRIu64 " of %" PRIu64 " frames "
			"received\n", nmt_prog, ws[0].pkts, c.count);
		rc = 1;
	}
	for (k = 0; k < nw; k++)
		nmt_close(&ws[k].p);
	return rc;
}
