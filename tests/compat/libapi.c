/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libapi: a netmap program written against the helper library
 * (NETMAP_WITH_LIBS: nm_open, nm_inject, nm_dispatch, nm_nextpkt,
 * nm_close) and nothing else.  It must also compile as C++.
 *
 *   libapi PORT COUNT     send COUNT numbered frames with nm_inject and
 *                         receive them back (the port must loop tx ring i
 *                         to rx ring i, as a sim NIC does), alternating
 *                         nm_dispatch and nm_nextpkt.  Every 7th frame is
 *                         larger than a buffer, so it travels as a
 *                         NS_MOREFRAG chain.
 *   libapi --names IFNAME name parsing and the ring ranges of nm_open,
 *                         on an interface with 2 ring pairs and 1 host
 *                         ring pair.
 *
 * Exit status: 0 ok, 1 a check failed, 2 bad usage, 3 nm_open failed.
 */
#define NETMAP_WITH_LIBS
#include <net/netmap_user.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS	2000
#define ETH_TYPE	0x88b5

static const char *prog = "libapi";
static int failures;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s PORT COUNT\n"
		"       %s --names IFNAME\n"
		"  PORT is an nm_open() name such as netmap:sim0-0.  The first\n"
		"  form sends COUNT frames with nm_inject() and receives them\n"
		"  back with nm_dispatch()/nm_nextpkt(); the port must loop tx\n"
		"  back to rx.  The second checks nm_open() name parsing and ring\n"
		"  ranges on IFNAME (2 ring pairs, 1 host ring pair).\n"
		"  Exit: 0 ok, 1 check failed, 2 usage, 3 nm_open failed.\n",
		prog, prog);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAILED: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

/* ---- frames ------------------------------------------------------- */

static unsigned int frame_len(unsigned int seq, unsigned int bufsize)
{
	if (seq % 7 == 3)	/* two to three buffers: a MOREFRAG chain */
		return bufsize + 1 + (seq * 331u) % (bufsize + 1);
	return 60 + (seq * 7919u) % (1514 - 60 + 1);
}

static uint8_t pattern(unsigned int seq, unsigned int j)
{
	return (uint8_t)(seq * 131u + j * 7u + (j >> 8));
}

static void frame_fill(uint8_t *p, unsigned int seq, unsigned int len)
{
	unsigned int j;

	memset(p, 0xff, 6);
	memcpy(p + 6, "\x02\x00\x00\x00\x00\x01", 6);
	p[12] = ETH_TYPE >> 8;
	p[13] = ETH_TYPE & 0xff;
	p[14] = (uint8_t)(seq >> 24);
	p[15] = (uint8_t)(seq >> 16);
	p[16] = (uint8_t)(seq >> 8);
	p[17] = (uint8_t)seq;
	for (j = 18; j < len; j++)
		p[j] = pattern(seq, j);
}

static unsigned int frame_seq(const uint8_t *p)
{
	return (unsigned int)p[14] << 24 | (unsigned int)p[15] << 16 |
	       (unsigned int)p[16] << 8 | p[17];
}

/* ---- the receiving side ------------------------------------------- */

struct rxstate {
	unsigned int	count;		/* frames expected in all */
	unsigned int	bufsize;
	unsigned int	next;		/* lowest seq not received yet */
	unsigned int	got;
	unsigned int	chains;		/* frames that came in >1 slot */
	int		strict;		/* one ring: order must hold */
	unsigned char	*seen;
};

/*
 * Check one frame: buf holds caplen bytes of a len-byte frame (caplen <
 * len only for a chain seen through nm_nextpkt).
 */
static void rx_frame(struct rxstate *st, const uint8_t *buf,
		     unsigned int caplen, unsigned int len)
{
	unsigned int seq, j, want;

	if (caplen < 18 || caplen > len) {
		fail("frame of caplen %u len %u", caplen, len);
		return;
	}
	seq = frame_seq(buf);
	if (seq >= st->count || st->seen[seq]) {
		fail("unexpected or duplicate frame, seq %u", seq);
		return;
	}
	if (st->strict && seq != st->next)
		fail("frame %u arrived when %u was expected", seq, st->next);
	want = frame_len(seq, st->bufsize);
	if (len != want)
		fail("frame %u: length %u, expected %u", seq, len, want);
	for (j = 18; j < caplen && j < want; j++) {
		if (buf[j] != pattern(seq, j)) {
			fail("frame %u: byte %u is 0x%02x, expected 0x%02x",
			     seq, j, buf[j], pattern(seq, j));
			break;
		}
	}
	st->seen[seq] = 1;
	st->got++;
	while (st->next < st->count && st->seen[st->next])
		st->next++;
}

static void rx_cb(unsigned char *arg, const struct nm_pkthdr *h,
		  const unsigned char *buf)
{
	struct rxstate *st = (struct rxstate *)(void *)arg;

	if (h->len > st->bufsize)
		st->chains++;
	if (h->caplen != h->len)
		fail("nm_dispatch: caplen %u != len %u", h->caplen, h->len);
	if (buf != h->buf)
		fail("nm_dispatch: buf and hdr->buf differ");
	rx_frame(st, buf, h->caplen, h->len);
}

static int traffic(const char *port, unsigned int count)
{
	struct nm_desc *d;
	struct rxstate st;
	unsigned int sent = 0, round = 0, inflight, ndispatch = 0, nnext = 0;
	struct netmap_ring *some;
	uint8_t *frame;

	d = nm_open(port, NULL, 0, NULL);
	if (!d) {
		if (errno == 0)
			fprintf(stderr, "%s: %s: not a netmap port name "
				"(use netmap:IFNAME or valeX:Y)\n", prog, port);
		else
			fprintf(stderr, "%s: nm_open %s: %s\n", prog, port,
				strerror(errno));
		return 3;
	}
	some = NETMAP_TXRING(d->nifp, d->first_tx_ring);
	memset(&st, 0, sizeof(st));
	st.count = count;
	st.bufsize = some->nr_buf_size;
	st.strict = d->first_rx_ring == d->last_rx_ring;
	st.seen = (unsigned char *)calloc(count, 1);
	frame = (uint8_t *)malloc(3 * (size_t)st.bufsize);
	if (!st.seen || !frame) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(3);
	}
	printf("%s: %s: fd %d, tx rings %u..%u, rx rings %u..%u, %u-byte "
	       "buffers\n", prog, port, NETMAP_FD(d), d->first_tx_ring,
	       d->last_tx_ring, d->first_rx_ring, d->last_rx_ring, st.bufsize);

	/* a quarter of a ring in flight: room for the 3-slot frames too */
	inflight = some->num_slots / 4;
	if (inflight == 0)
		inflight = 1;

	while (st.got < count && !failures) {
		struct pollfd pfd;
		unsigned int burst = 0;
		int r;

		while (sent < count && sent - st.got < inflight && burst < 64) {
			unsigned int len = frame_len(sent, st.bufsize);

			frame_fill(frame, sent, len);
			if (nm_inject(d, frame, len) == 0)
				break;	/* tx rings full: sync first */
			sent++;
			burst++;
		}
		if (ioctl(NETMAP_FD(d), NIOCTXSYNC, NULL) != 0) {
			fail("NIOCTXSYNC: %s", strerror(errno));
			break;
		}
		pfd.fd = NETMAP_FD(d);
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, TIMEOUT_MS);
		if (r < 0) {
			fail("poll: %s", strerror(errno));
			break;
		}
		if (r == 0) {
			fail("poll: no frame within %d ms (%u of %u received,"
			     " %u sent)", TIMEOUT_MS, st.got, count, sent);
			break;
		}
		if (round++ % 2 == 0) {
			r = nm_dispatch(d, -1, rx_cb, (unsigned char *)&st);
			if (r <= 0)
				fail("nm_dispatch returned %d after POLLIN", r);
			ndispatch += (unsigned int)r;
		} else {
			struct nm_pkthdr h;
			unsigned char *buf;

			while ((buf = nm_nextpkt(d, &h)) != NULL) {
				if (h.buf != buf || h.d != d ||
				    h.caplen > h.len)
					fail("nm_nextpkt: bad header");
				if (h.len > st.bufsize)
					st.chains++;
				rx_frame(&st, buf, h.caplen, h.len);
				nnext++;
			}
		}
	}
	if (!failures && st.chains == 0 && count > 3)
		fail("no frame travelled as a NS_MOREFRAG chain");
	if (!failures)
		printf("%s: %s: %u frames intact (%u via nm_dispatch, %u via "
		       "nm_nextpkt, %u multi-slot)\n", prog, port, count,
		       ndispatch, nnext, st.chains);
	free(frame);
	free(st.seen);
	if (nm_close(d) != 0)
		fail("nm_close failed");
	return failures ? 1 : 0;
}

/* ---- nm_open names and ring ranges -------------------------------- */

/* nm_open(name) must fail with errno want (0: "not a netmap name"). */
static void name_rejected(const char *name, int want)
{
	struct nm_desc *d;

	errno = 12345;
	d = nm_open(name, NULL, 0, NULL);
	if (d) {
		fail("nm_open(\"%s\") succeeded, expected errno %d", name,
		     want);
		nm_close(d);
	} else if (errno != want) {
		fail("nm_open(\"%s\"): errno %d (%s), expected %d", name,
		     errno, strerror(errno), want);
	}
}

/* nm_open(name) must bind tx rings [tf, tl] and rx rings [rf, rl]. */
static struct nm_desc *name_rings(const char *name, int flags,
				  const struct nm_desc *parent, int tf, int tl,
				  int rf, int rl)
{
	struct nm_desc *d = nm_open(name, NULL, (uint64_t)flags, parent);

	if (!d) {
		fail("nm_open(\"%s\"): %s", name, strerror(errno));
		return NULL;
	}
	if (d->first_tx_ring != tf || d->last_tx_ring != tl ||
	    d->first_rx_ring != rf || d->last_rx_ring != rl)
		fail("nm_open(\"%s\"): tx %u..%u rx %u..%u, expected tx "
		     "%d..%d rx %d..%d", name, d->first_tx_ring,
		     d->last_tx_ring, d->first_rx_ring, d->last_rx_ring, tf, tl,
		     rf, rl);
	if (d->cur_tx_ring != d->first_tx_ring ||
	    d->cur_rx_ring != d->first_rx_ring)
		fail("nm_open(\"%s\"): cur rings not at the first ones", name);
	return d;
}

static void names(const char *ifname)
{
	char n[128];
	struct nm_desc *d, *p, *c;
	static const unsigned char frame[60] = { 0xff, 0xff };
	struct nm_desc fake;

#define NAME(fmt) (snprintf(n, sizeof(n), fmt, ifname), n)
	/* not netmap names: NULL with errno 0 */
	name_rejected("eth0", 0);
	name_rejected("", 0);
	name_rejected("netmap", 0);
	/* netmap names with a bad ring specification: EINVAL */
	name_rejected("netmap:", EINVAL);
	name_rejected("netmap:-1", EINVAL);
	name_rejected(NAME("netmap:%s-"), EINVAL);
	name_rejected(NAME("netmap:%s-x"), EINVAL);
	name_rejected(NAME("netmap:%s-4095"), EINVAL);
	name_rejected(NAME("netmap:%s-1^"), EINVAL);
	name_rejected(NAME("netmap:%s*-1"), EINVAL);
	name_rejected(NAME("netmap:%s/q"), EINVAL);
	name_rejected(NAME("netmap:%s@0"), EINVAL);
	name_rejected(NAME("netmap:%s@1@1"), EINVAL);
	name_rejected(NAME("netmap:%s^2"), EINVAL);
	name_rejected("netmap:abcdefghijklmnopqrstuvwxyz", EINVAL);
	name_rejected("vale0", EINVAL);
	name_rejected("vale:1", EINVAL);
	name_rejected("vale0:", EINVAL);
	/* well formed, but no such interface */
	name_rejected("netmap:nosuch0", ENXIO);

	/* ring ranges: 2 NIC ring pairs (0, 1), host ring pair 2 */
	d = name_rings(NAME("netmap:%s"), 0, NULL, 0, 1, 0, 1);
	nm_close(d);
	d = name_rings(NAME("netmap:%s-1"), 0, NULL, 1, 1, 1, 1);
	nm_close(d);
	d = name_rings(NAME("netmap:%s^"), 0, NULL, 2, 2, 2, 2);
	nm_close(d);
	d = name_rings(NAME("netmap:%s*"), 0, NULL, 0, 2, 0, 2);
	nm_close(d);
	/* one direction only: the other has first > last */
	d = name_rings(NAME("netmap:%s-1/R"), 0, NULL, 1, 0, 1, 1);
	if (d && nm_inject(d, frame, sizeof(frame)) != 0)
		fail("nm_inject on an rx-only descriptor succeeded");
	nm_close(d);
	d = name_rings(NAME("netmap:%s/T"), 0, NULL, 0, 1, 1, 0);
	if (d && nm_nextpkt(d, NULL) != NULL)
		fail("nm_nextpkt on a tx-only descriptor returned a frame");
	nm_close(d);
	/* allocator 1 is the global one */
	d = name_rings(NAME("netmap:%s-0@1"), 0, NULL, 0, 0, 0, 0);
	if (d && d->req.nr_arg2 != 1)
		fail("@1: nr_arg2 %u", d->req.nr_arg2);
	nm_close(d);

	/* exclusive: a second binding of the ring fails with EBUSY */
	d = name_rings(NAME("netmap:%s-0/x"), 0, NULL, 0, 0, 0, 0);
	if (d) {
		name_rejected(NAME("netmap:%s-0"), EBUSY);
		nm_close(d);
		c = name_rings(NAME("netmap:%s-0"), 0, NULL, 0, 0, 0, 0);
		nm_close(c);
	}

	/* a child shares its parent's mapping */
	p = name_rings(NAME("netmap:%s-0"), 0, NULL, 0, 0, 0, 0);
	c = name_rings(NAME("netmap:%s-1"), NM_OPEN_NO_MMAP, p, 1, 1, 1, 1);
	if (p && c) {
		if (c->mem != p->mem || c->done_mmap || !p->done_mmap)
			fail("child: mem %p (parent %p), done_mmap %d",
			     c->mem, p->mem, c->done_mmap);
		if (!c->nifp || c->nifp == p->nifp)
			fail("child: no netmap_if of its own");
		nm_close(c);
		/* the parent's mapping survives the child */
		if (NETMAP_TXRING(p->nifp, 0)->num_slots == 0)
			fail("parent ring unreadable after the child closed");
	}
	/* NM_OPEN_IFNAME: name, ring and flags from the parent */
	c = nm_open("netmap:ignored", NULL, NM_OPEN_IFNAME | NM_OPEN_NO_MMAP, p);
	if (!c) {
		fail("NM_OPEN_IFNAME: %s", strerror(errno));
	} else {
		if (strcmp(c->req.nr_name, ifname) ||
		    c->first_rx_ring != 0 || c->last_rx_ring != 0)
			fail("NM_OPEN_IFNAME: %s rx %u..%u", c->req.nr_name,
			     c->first_rx_ring, c->last_rx_ring);
		nm_close(c);
	}
	nm_close(p);
	/* without a parent, NM_OPEN_NO_MMAP leaves the region unmapped */
	c = name_rings(NAME("netmap:%s-1"), NM_OPEN_NO_MMAP, NULL, 1, 1, 1, 1);
	if (c && (c->mem || c->nifp || c->done_mmap))
		fail("NM_OPEN_NO_MMAP: mapped anyway");
	nm_close(c);

	/* nm_close rejects what is not a descriptor */
	if (nm_close(NULL) != EINVAL)
		fail("nm_close(NULL) did not return EINVAL");
	memset(&fake, 0, sizeof(fake));
	if (nm_close(&fake) != EINVAL)
		fail("nm_close(invalid) did not return EINVAL");
#undef NAME
	if (!failures)
		printf("%s: nm_open names and ring ranges on %s: ok\n", prog,
		       ifname);
}

int main(int argc, char **argv)
{
	unsigned long count;
	char *end;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "--names")) {
		names(argv[2]);
		return failures ? 1 : 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	errno = 0;
	count = strtoul(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || count == 0 ||
	    count > 100000000) {
		fprintf(stderr, "%s: COUNT must be a number in 1..100000000, "
			"not '%s'\n", prog, argv[2]);
		return 2;
	}
	return traffic(argv[1], (unsigned int)count);
}
