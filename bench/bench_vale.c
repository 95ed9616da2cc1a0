/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VALE forwarding rate, one thread doing both ends: the sender fills 512
 * tx slots and txsyncs (the switch copies into the receivers' rings), the
 * receivers rxsync and release everything.  Frames were learned first,
 * so 1to1 is unicast; bcast_1to4 floods to four receivers and counts
 * frames sent (each copied four times).  Then the memory of 254 ports
 * with default rings, from the allocators' sizes.
 *
 * Prints "bench <name> <value> <unit>" lines.  Figures, not asserts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <net/netmap_user.h>
#include "nmsim.h"

#define BATCH	512

static int quick;
#define NRX_MAX	4

struct port {
	int			fd;
	struct nmreq_register	reg;
	char			*mem;
	struct netmap_if	*nifp;
};

/*
 * The thread's CPU time: the machine this runs on is often shared, and
 * wall time would measure the neighbours.  The loop never sleeps, so on
 * an idle machine the two agree.
 */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_vale: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void port_open(struct port *p, const char *name, int map)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	memset(&p->reg, 0, sizeof(p->reg));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)&p->reg;
	p->reg.nr_mode = NR_REG_ALL_NIC;
	p->fd = nmsim_open();
	if (p->fd < 0 || nmsim_ioctl(p->fd, NIOCCTRL, &h))
		die(name);
	p->mem = NULL;
	if (!map)
		return;
	p->mem = nmsim_mmap(p->fd, p->reg.nr_memsize);
	if (p->mem == MAP_FAILED)
		die("mmap");
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
}

static void port_close(struct port *p)
{
	if (p->mem)
		nmsim_munmap(p->mem, p->reg.nr_memsize);
	nmsim_close(p->fd);
}

/* Every tx buffer of p holds a frame dst <- src of len bytes. */
static void prefill(struct port *p, const uint8_t *dst, uint8_t src,
		    uint16_t len)
{
	struct netmap_ring *tx = NETMAP_TXRING(p->nifp, 0);
	uint32_t i;

	for (i = 0; i < tx->num_slots; i++) {
		struct netmap_slot *s = &tx->slot[i];
		uint8_t *b = (uint8_t *)NETMAP_BUF(tx, s->buf_idx);

		memset(b, 0x5a, len);
		memcpy(b, dst, 6);
		memset(b + 6, 0, 6);
		b[6] = 0x02;
		b[11] = src;
		s->len = len;
		s->flags = 0;
	}
}

/* Sends one frame from p so the switch learns p's MAC. */
static void announce(struct port *p, uint8_t src)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct netmap_ring *tx = NETMAP_TXRING(p->nifp, 0);

	prefill(p, bcast, src, 60);
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	nmsim_ioctl(p->fd, NIOCTXSYNC, NULL);
}

static void rx_release_all(struct port *r)
{
	struct netmap_ring *rx = NETMAP_RXRING(r->nifp, 0);

	nmsim_ioctl(r->fd, NIOCRXSYNC, NULL);
	rx->head = rx->cur = rx->tail;
	nmsim_ioctl(r->fd, NIOCRXSYNC, NULL);
}

/* Frames sent per second from a to nrx receivers, len bytes each. */
static double run(struct port *a, struct port *r, int nrx, uint16_t len,
		  int bcast, double secs)
{
	static const uint8_t bc[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct netmap_ring *tx = NETMAP_TXRING(a->nifp, 0);
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x0b };
	uint64_t sent = 0, got = 0;
	double t0, t;
	int i;

	prefill(a, bcast ? bc : dst, 0x0a, len);
	t0 = now_s();
	do {
		int k;

		for (k = 0; k < 64; k++) {
			tx->head = tx->cur = (tx->head + BATCH) % tx->num_slots;
			nmsim_ioctl(a->fd, NIOCTXSYNC, NULL);
			sent += BATCH;
			for (i = 0; i < nrx; i++) {
				struct netmap_ring *rx;

				rx = NETMAP_RXRING(r[i].nifp, 0);
				nmsim_ioctl(r[i].fd, NIOCRXSYNC, NULL);
				got += (rx->tail + rx->num_slots - rx->head) %
				       rx->num_slots;
				rx->head = rx->cur = rx->tail;
				/* release now, as the next poll would */
				nmsim_ioctl(r[i].fd, NIOCRXSYNC, NULL);
			}
		}
		t = now_s() - t0;
	} while (t < secs);
	if (got < sent * (uint64_t)nrx)
		fprintf(stderr, "bench_vale: %llu of %llu frames delivered\n",
			(unsigned long long)got,
			(unsigned long long)(sent * (uint64_t)nrx));
	return sent / t;
}

static void rate_benches(void)
{
	struct port a, r[NRX_MAX];
	char name[32];
	double pps;
	int i;

	port_open(&a, "vale0:a", 1);
	for (i = 0; i < NRX_MAX; i++) {
		snprintf(name, sizeof(name), "vale0:r%d", i);
		port_open(&r[i], name, 1);
	}
	announce(&r[0], 0x0b);
	for (i = 0; i < NRX_MAX; i++)
		rx_release_all(&r[i]);
	rx_release_all(&a);

	pps = run(&a, r, 1, 60, 0, 1.0);
	printf("bench vale_60B_1to1 %.2f Mpps\n", pps / 1e6);
	if (quick)
		goto out;
	pps = run(&a, r, 1, 1514, 0, 1.0);
	printf("bench vale_1514B_1to1 %.2f Gbit/s\n", pps * 1514 * 8 / 1e9);
	pps = run(&a, r, 4, 60, 1, 1.0);
	printf("bench vale_60B_bcast_1to4 %.2f Mpps\n", pps / 1e6);
out:
	port_close(&a);
	for (i = 0; i < NRX_MAX; i++)
		port_close(&r[i]);
}

/* 254 ports with default rings: the memory their allocators hold. */
static void mem_bench(void)
{
	static struct port p[254];
	char name[32];
	double total = 0, layout = 0;
	int i;

	/*
	 * What the allocators hold: populated clusters.  The layout each
	 * port reports (nr_memsize) also covers room for pipes, populated
	 * only when they open.
	 */
	for (i = 0; i < 254; i++) {
		snprintf(name, sizeof(name), "vale1:p%d", i);
		port_open(&p[i], name, 0);
		total += (double)nmsim_mem_populated(p[i].reg.nr_mem_id);
		layout += (double)p[i].reg.nr_memsize;
	}
	printf("bench vale_port_mem %.2f MiB\n", total / 254 / (1 << 20));
	printf("bench vale_254_ports_mem %.2f GiB\n", total / (1 << 30));
	printf("bench vale_port_layout %.2f MiB\n", layout / 254 / (1 << 20));
	for (i = 0; i < 254; i++)
		port_close(&p[i]);
}

/* "bench_vale 60": only the 60-byte unicast rate, for profiling. */
int main(int argc, char **argv)
{
	quick = argc > 1 && !strcmp(argv[1], "60");
	rate_benches();
	if (!quick)
		mem_bench();
	if (nmsim_shutdown() != 0)
		fprintf(stderr, "bench_vale: objects left at shutdown\n");
	return 0;
}
