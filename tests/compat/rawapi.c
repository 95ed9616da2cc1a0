/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rawapi: a netmap program written against the public API only
 * (<net/netmap_user.h>, no library, no testbed call).
 *
 * It registers a port with NIOCCTRL (REGISTER, all NIC rings), maps the
 * region, sends COUNT numbered frames of 60..1514 bytes on tx ring 0 and
 * expects them back, in order and intact, on rx ring 0: the port must
 * loop tx ring 0 back to rx ring 0 (a sim NIC does, until a wire is
 * attached).  Waiting alternates between poll(), select() and
 * NIOCRXSYNC.  Exit status: 0 all frames arrived intact, 1 a check
 * failed, 2 bad usage, 3 a system call failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>

#include <net/netmap_user.h>

#define TIMEOUT_MS	2000	/* a looped-back frame takes microseconds */
#define MIN_LEN		60
#define MAX_LEN		1514
#define ETH_TYPE	0x88b5	/* IEEE local experimental */

static const char *prog = "rawapi";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s IFNAME COUNT\n"
		"  Register IFNAME (all NIC rings) through NIOCCTRL, send COUNT\n"
		"  frames on tx ring 0 and check that they come back, in order\n"
		"  and intact, on rx ring 0 (IFNAME must loop tx back to rx).\n"
		"  Exit: 0 ok, 1 check failed, 2 usage, 3 system call failed.\n",
		prog);
}

static const char *errname(int e)
{
	switch (e) {
	case ENXIO: return "ENXIO";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case EBUSY: return "EBUSY";
	case EBADF: return "EBADF";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case ENOTTY: return "ENOTTY";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	default: return "?";
	}
}

/* A system call failed: report it with its errno and exit 3. */
static void die(const char *what)
{
	int e = errno;

	fprintf(stderr, "%s: %s: %s (%s)\n", prog, what, strerror(e),
		errname(e));
	exit(3);
}

/* A check failed: exit 1. */
static void check_failed(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void check_failed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: FAILED: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

#define CHECK(cond, ...) do {			\
	if (!(cond))				\
		check_failed(__VA_ARGS__);	\
} while (0)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- frames: Ethernet header, seq, len, then a pattern ------------- */

static unsigned int frame_len(unsigned int seq)
{
	if (seq == 0)
		return MIN_LEN;
	if (seq == 1)
		return MAX_LEN;
	return MIN_LEN + (seq * 7919u) % (MAX_LEN - MIN_LEN + 1);
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

static uint8_t pattern(unsigned int seq, unsigned int j)
{
	return (uint8_t)(seq * 131u + j * 7u + (j >> 8));
}

static void frame_fill(uint8_t *p, unsigned int seq, unsigned int len)
{
	static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
	static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	unsigned int j;

	memcpy(p, mac_dst, 6);
	memcpy(p + 6, mac_src, 6);
	p[12] = ETH_TYPE >> 8;
	p[13] = ETH_TYPE & 0xff;
	put32(p + 14, seq);
	put32(p + 18, len);
	for (j = 22; j < len; j++)
		p[j] = pattern(seq, j);
}

/* NULL if the frame is frame seq, else what is wrong with it. */
static const char *frame_bad(const uint8_t *p, unsigned int len,
			     unsigned int seq, char *why, size_t whylen)
{
	unsigned int j, want = frame_len(seq);

	if (len != want) {
		snprintf(why, whylen, "length %u, expected %u (seq in frame "
			 "%u)", len, want, len >= 22 ? get32(p + 14) : ~0u);
		return why;
	}
	if (get32(p + 14) != seq) {
		snprintf(why, whylen, "sequence %u, expected %u (lost or "
			 "reordered)", get32(p + 14), seq);
		return why;
	}
	if (get32(p + 18) != len || p[12] != (ETH_TYPE >> 8) ||
	    p[13] != (ETH_TYPE & 0xff)) {
		snprintf(why, whylen, "corrupt header");
		return why;
	}
	for (j = 22; j < len; j++) {
		if (p[j] != pattern(seq, j)) {
			snprintf(why, whylen, "byte %u is 0x%02x, expected "
				 "0x%02x", j, p[j], pattern(seq, j));
			return why;
		}
	}
	return NULL;
}

/* ---- waiting for rx, three ways ----------------------------------- */

enum { W_POLL, W_SELECT, W_RXSYNC, W_NUM };
static const char *const wname[W_NUM] = { "poll", "select", "NIOCRXSYNC" };
static unsigned long wcount[W_NUM];

static void wait_poll(int fd, unsigned int seq)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = poll(&pfd, 1, TIMEOUT_MS);

	if (r < 0)
		die("poll");
	CHECK(r > 0, "no frame %u within %d ms (poll timed out)", seq,
	      TIMEOUT_MS);
	CHECK(r == 1 && (pfd.revents & POLLIN) && !(pfd.revents & POLLERR),
	      "poll returned %d, revents 0x%x", r, pfd.revents);
}

static void wait_select(int fd, unsigned int seq)
{
	struct timeval tv = { .tv_sec = TIMEOUT_MS / 1000,
			      .tv_usec = (TIMEOUT_MS % 1000) * 1000 };
	fd_set rd;
	int r;

	CHECK(fd < FD_SETSIZE, "descriptor %d too large for select", fd);
	FD_ZERO(&rd);
	FD_SET(fd, &rd);
	r = select(fd + 1, &rd, NULL, NULL, &tv);
	if (r < 0)
		die("select");
	CHECK(r > 0, "no frame %u within %d ms (select timed out)", seq,
	      TIMEOUT_MS);
	CHECK(r == 1 && FD_ISSET(fd, &rd), "select returned %d", r);
}

/* The loopback is synchronous: after NIOCTXSYNC, one rxsync suffices. */
static void wait_rxsync(int fd, struct netmap_ring *rx, unsigned int seq)
{
	if (ioctl(fd, NIOCRXSYNC, NULL) != 0)
		die("ioctl NIOCRXSYNC");
	if (nm_ring_empty(rx))
		wait_poll(fd, seq);
}

int main(int argc, char **argv)
{
	struct nmreq_header hdr;
	struct nmreq_register reg;
	struct netmap_if *nifp;
	struct netmap_ring *tx, *rx;
	unsigned int count, sent = 0, recvd = 0, inflight_max, round = 0;
	const char *ifname;
	char why[128], *end;
	struct pollfd pfd;
	long long t0;
	void *mem;
	int fd, r;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3) {
		usage(stderr);
		return 2;
	}
	ifname = argv[1];
	errno = 0;
	count = (unsigned int)strtoul(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || count == 0 || count > 100000000) {
		fprintf(stderr, "%s: COUNT must be a number in 1..100000000, "
			"not '%s'\n", prog, argv[2]);
		return 2;
	}
	if (strlen(ifname) == 0 || strlen(ifname) >= sizeof(hdr.nr_name)) {
		fprintf(stderr, "%s: IFNAME must have 1..%zu characters\n",
			prog, sizeof(hdr.nr_name) - 1);
		return 2;
	}

	fd = open(NETMAP_DEVICE_NAME, O_RDWR);
	if (fd < 0)
		die("cannot open " NETMAP_DEVICE_NAME);
	/* as on any Linux file: netmap programs often set this */
	r = 1;
	if (ioctl(fd, FIONBIO, &r) != 0)
		die("ioctl FIONBIO");

	/* REGISTER, all NIC rings, with the NIOCCTRL API */
	memset(&hdr, 0, sizeof(hdr));
	memset(&reg, 0, sizeof(reg));
	hdr.nr_version = NETMAP_API;
	hdr.nr_reqtype = NETMAP_REQ_REGISTER;
	strcpy(hdr.nr_name, ifname);
	hdr.nr_body = (uint64_t)(uintptr_t)&reg;
	reg.nr_mode = NR_REG_ALL_NIC;
	if (ioctl(fd, NIOCCTRL, &hdr) != 0) {
		snprintf(why, sizeof(why), "NIOCCTRL REGISTER '%s'", ifname);
		die(why);
	}
	CHECK(hdr.nr_body == (uint64_t)(uintptr_t)&reg,
	      "nr_body not restored after REGISTER");
	CHECK(reg.nr_mode == NR_REG_ALL_NIC, "nr_mode not echoed (%u)",
	      reg.nr_mode);
	CHECK(reg.nr_memsize > 0 && reg.nr_tx_rings > 0 &&
	      reg.nr_rx_rings > 0 && reg.nr_tx_slots > 1 &&
	      reg.nr_rx_slots > 1, "implausible REGISTER reply");
	printf("%s: %s: %u/%u tx/rx rings of %u/%u slots, %llu bytes of "
	       "memory (mem_id %u)\n", prog, ifname, reg.nr_tx_rings,
	       reg.nr_rx_rings, reg.nr_tx_slots, reg.nr_rx_slots,
	       (unsigned long long)reg.nr_memsize, reg.nr_mem_id);

	mem = mmap(NULL, reg.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	nifp = NETMAP_IF(mem, reg.nr_offset);
	CHECK(!strncmp(nifp->ni_name, ifname, sizeof(nifp->ni_name)),
	      "ni_name is '%.16s'", nifp->ni_name);
	CHECK(nifp->ni_version == NETMAP_API, "ni_version %u",
	      nifp->ni_version);
	CHECK(nifp->ni_tx_rings == reg.nr_tx_rings &&
	      nifp->ni_rx_rings == reg.nr_rx_rings,
	      "netmap_if ring counts differ from the REGISTER reply");

	tx = NETMAP_TXRING(nifp, 0);
	rx = NETMAP_RXRING(nifp, 0);
	CHECK(tx->num_slots == reg.nr_tx_slots &&
	      rx->num_slots == reg.nr_rx_slots, "ring sizes differ");
	CHECK(tx->dir == NR_TX && rx->dir == NR_RX,
	      "ring dir: tx %u rx %u (expected %d, %d)", tx->dir, rx->dir,
	      NR_TX, NR_RX);
	CHECK(tx->ringid == 0 && rx->ringid == 0, "ringid not 0");
	CHECK(tx->head == 0 && tx->cur == 0 && tx->tail == tx->num_slots - 1,
	      "fresh tx ring: head %u cur %u tail %u", tx->head, tx->cur,
	      tx->tail);
	CHECK(rx->head == 0 && rx->cur == 0 && rx->tail == 0,
	      "fresh rx ring: head %u cur %u tail %u", rx->head, rx->cur,
	      rx->tail);
	CHECK(tx->nr_buf_size >= MAX_LEN, "buffers of %u bytes",
	      tx->nr_buf_size);

	/* an empty tx ring is writable at once */
	pfd.fd = fd;
	pfd.events = POLLOUT;
	pfd.revents = 0;
	r = poll(&pfd, 1, 0);
	CHECK(r == 1 && (pfd.revents & POLLOUT), "POLLOUT on an empty tx "
	      "ring: poll %d revents 0x%x", r, pfd.revents);

	/* nothing to receive yet: poll must time out */
	pfd.events = POLLIN;
	t0 = now_ms();
	r = poll(&pfd, 1, 50);
	CHECK(r == 0 && pfd.revents == 0, "POLLIN with nothing sent: poll "
	      "%d revents 0x%x", r, pfd.revents);
	CHECK(now_ms() - t0 >= 40, "poll(50 ms) returned after %lld ms",
	      now_ms() - t0);

	/* keep the rx ring from overflowing: half of it in flight at most */
	inflight_max = (rx->num_slots < tx->num_slots ? rx->num_slots
						      : tx->num_slots) / 2;
	if (inflight_max == 0)
		inflight_max = 1;

	while (recvd < count) {
		unsigned int burst = 0;

		while (sent < count && sent - recvd < inflight_max &&
		       nm_ring_space(tx) > 0 && burst < 64) {
			struct netmap_slot *slot = &tx->slot[tx->head];
			unsigned int len = frame_len(sent);

			frame_fill((uint8_t *)NETMAP_BUF(tx, slot->buf_idx),
				   sent, len);
			slot->len = (uint16_t)len;
			slot->flags = 0;
			tx->head = tx->cur = nm_ring_next(tx, tx->head);
			sent++;
			burst++;
		}
		if (burst && ioctl(fd, NIOCTXSYNC, NULL) != 0)
			die("ioctl NIOCTXSYNC");

		switch (round++ % W_NUM) {
		case W_POLL:
			wait_poll(fd, recvd);
			wcount[W_POLL]++;
			break;
		case W_SELECT:
			wait_select(fd, recvd);
			wcount[W_SELECT]++;
			break;
		default:
			wait_rxsync(fd, rx, recvd);
			wcount[W_RXSYNC]++;
			break;
		}
		CHECK(!nm_ring_empty(rx), "woken up with rx ring 0 empty "
		      "(frame %u)", recvd);
		while (!nm_ring_empty(rx)) {
			struct netmap_slot *slot = &rx->slot[rx->head];

			CHECK(recvd < sent, "frame %u received but only %u "
			      "sent", recvd, sent);
			CHECK(!(slot->flags & NS_MOREFRAG), "frame %u split "
			      "over several slots", recvd);
			if (frame_bad((const uint8_t *)NETMAP_BUF(rx,
					slot->buf_idx), slot->len, recvd,
				      why, sizeof(why)))
				check_failed("frame %u: %s", recvd, why);
			recvd++;
			rx->head = rx->cur = nm_ring_next(rx, rx->head);
		}
	}

	/* everything handed over was sent */
	if (ioctl(fd, NIOCTXSYNC, NULL) != 0)
		die("ioctl NIOCTXSYNC");
	CHECK(!nm_tx_pending(tx), "tx completions still pending: head %u "
	      "tail %u", tx->head, tx->tail);
	if (ioctl(fd, NIOCRXSYNC, NULL) != 0)
		die("ioctl NIOCRXSYNC");
	CHECK(nm_ring_empty(rx), "extra frames after the last one");

	if (munmap(mem, reg.nr_memsize) != 0)
		die("munmap");
	if (close(fd) != 0)
		die("close");
	r = ioctl(fd, NIOCTXSYNC, NULL);
	CHECK(r == -1 && errno == EBADF, "ioctl on a closed descriptor: %d "
	      "(%s)", r, strerror(errno));

	printf("%s: %s: %u frames of %u..%u bytes sent and received intact "
	       "(waits: %s %lu, %s %lu, %s %lu)\n", prog, ifname, count,
	       MIN_LEN, MAX_LEN, wname[W_POLL], wcount[W_POLL],
	       wname[W_SELECT], wcount[W_SELECT], wname[W_RXSYNC],
	       wcount[W_RXSYNC]);
	return 0;
}
