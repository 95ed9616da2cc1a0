/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The wire and the host stack of a sim NIC, in frames per second of 60
 * bytes, one thread: each figure is a whole round trip through the API
 * (inject or put, sync, take or capture), so it measures the copies, the
 * queue locks and the sync path together.
 *
 *   wire_rx          nmsim_wire_inject -> rx ring (rxsync, take)
 *   wire_tx          tx ring (txsync) -> nmsim_wire_capture
 *   host_tx          host tx ring (txsync) -> nmsim_host_capture
 *   host_rx          nmsim_host_inject -> host rx ring (rxsync, take)
 *   fwd_up           wire -> rx ring, NS_FORWARD -> nmsim_host_capture
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

#define BATCH	256
#define FLEN	60
#define RUN_MS	300.0

static uint8_t frame[FLEN], sink[2048];

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

struct port {
	int			fd;
	struct nmreq_register	r;
	char			*mem;
	struct netmap_if	*nifp;
};

static int port_open(struct port *p, const char *name, uint32_t mode)
{
	struct nmreq_header h;

	memset(p, 0, sizeof(*p));
	memset(&h, 0, sizeof(h));
	p->fd = nmsim_open();
	if (p->fd < 0)
		return -1;
	h.nr_version = NETMAP_API;
	h.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)&p->r;
	p->r.nr_mode = mode;
	if (nmsim_ioctl(p->fd, NIOCCTRL, &h))
		return -1;
	p->mem = nmsim_mmap(p->fd, p->r.nr_memsize);
	if (p->mem == MAP_FAILED)
		return -1;
	p->nifp = NETMAP_IF(p->mem, p->r.nr_offset);
	return 0;
}

static void port_close(struct port *p)
{
	nmsim_munmap(p->mem, p->r.nr_memsize);
	nmsim_close(p->fd);
}

static void put_n(struct netmap_ring *r, unsigned int n)
{
	while (n-- && !nm_ring_empty(r)) {
		struct netmap_slot *s = &r->slot[r->head];

		memcpy(NETMAP_BUF(r, s->buf_idx), frame, FLEN);
		s->len = FLEN;
		s->flags = 0;
		r->head = r->cur = nm_ring_next(r, r->head);
	}
}

/* Takes everything received; with fwd, marks it for forwarding. */
static unsigned int take_all(struct netmap_ring *r, int fwd)
{
	unsigned int n = 0;

	while (!nm_ring_empty(r)) {
		if (fwd)
			r->slot[r->head].flags |= NS_FORWARD;
		r->head = r->cur = nm_ring_next(r, r->head);
		n++;
	}
	return n;
}

static void report(const char *name, double frames, double ms)
{
	printf("bench %s %.3f Mpps\n", name, frames / ms / 1e3);
}

static void bench_wire_rx(struct port *p)
{
	struct netmap_ring *rx = NETMAP_RXRING(p->nifp, 0);
	double t0 = now_ms(), n = 0;
	unsigned int k;

	while (now_ms() - t0 < RUN_MS) {
		for (k = 0; k < BATCH; k++)
			nmsim_wire_inject("bench0", 0, frame, FLEN);
		nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
		n += take_all(rx, 0);
	}
	nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
	report("wire_rx", n, now_ms() - t0);
}

static void bench_wire_tx(struct port *p)
{
	struct netmap_ring *tx = NETMAP_TXRING(p->nifp, 0);
	double t0 = now_ms(), n = 0;

	while (now_ms() - t0 < RUN_MS) {
		put_n(tx, BATCH);
		nmsim_ioctl(p->fd, NIOCTXSYNC, NULL);
		while (nmsim_wire_capture("bench0", sink, sizeof(sink), NULL) > 0)
			n++;
	}
	report("wire_tx", n, now_ms() - t0);
}

static void bench_host_tx(struct port *p)
{
	struct netmap_ring *tx = NETMAP_TXRING(p->nifp, p->nifp->ni_tx_rings);
	double t0 = now_ms(), n = 0;

	while (now_ms() - t0 < RUN_MS) {
		put_n(tx, BATCH);
		nmsim_ioctl(p->fd, NIOCTXSYNC, NULL);
		while (nmsim_host_capture("bench0", sink, sizeof(sink)) > 0)
			n++;
	}
	report("host_tx", n, now_ms() - t0);
}

static void bench_host_rx(struct port *p)
{
	struct netmap_ring *rx = NETMAP_RXRING(p->nifp, p->nifp->ni_rx_rings);
	double t0 = now_ms(), n = 0;
	unsigned int k;

	while (now_ms() - t0 < RUN_MS) {
		for (k = 0; k < BATCH; k++)
			nmsim_host_inject("bench0", frame, FLEN);
		nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
		n += take_all(rx, 0);
	}
	nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
	report("host_rx", n, now_ms() - t0);
}

static void bench_fwd_up(struct port *p)
{
	struct netmap_ring *rx = NETMAP_RXRING(p->nifp, 0);
	double t0 = now_ms(), n = 0;
	unsigned int k;

	rx->flags |= NR_FORWARD;
	while (now_ms() - t0 < RUN_MS) {
		for (k = 0; k < BATCH; k++)
			nmsim_wire_inject("bench0", 0, frame, FLEN);
		nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
		take_all(rx, 1);
		nmsim_ioctl(p->fd, NIOCRXSYNC, NULL);
		while (nmsim_host_capture("bench0", sink, sizeof(sink)) > 0)
			n++;
	}
	rx->flags &= ~NR_FORWARD;
	report("fwd_up", n, now_ms() - t0);
}

int main(void)
{
	struct port p;

	memset(frame, 0x5a, sizeof(frame));
	if (nmsim_nic_create("bench0", 1, 1024) ||
	    nmsim_nic_loopback("bench0", 0) ||
	    port_open(&p, "bench0", NR_REG_NIC_SW)) {
		fprintf(stderr, "bench_host: setup failed: %s\n",
			strerror(errno));
		return 1;
	}
	bench_wire_rx(&p);
	bench_wire_tx(&p);
	bench_host_tx(&p);
	bench_host_rx(&p);
	bench_fwd_up(&p);
	port_close(&p);
	if (nmsim_shutdown() != 0) {
		fprintf(stderr, "bench_host: objects left at shutdown\n");
		return 1;
	}
	return 0;
}
