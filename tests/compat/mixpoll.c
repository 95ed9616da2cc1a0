/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mixpoll: waiting on a netmap descriptor together with ordinary ones,
 * as event loops do.  Written against <net/netmap_user.h> only.
 *
 *   mixpoll IFNAME
 *
 * IFNAME needs 2 ring pairs and must loop tx ring i back to rx ring i.
 * Each case waits on { netmap fd, read end of a pipe } with poll, ppoll,
 * select or pselect and checks what comes back and when:
 *   - nothing ready: the timeout is honoured;
 *   - only the pipe, only netmap, or both ready;
 *   - a frame sent by another thread, on its own descriptor, wakes a
 *     sleeping poll/select at once (not at the timeout);
 *   - the pipe written by another thread wakes an infinite poll;
 *   - a signal interrupts the wait with EINTR, netmap-only or mixed.
 * Exit status: 0 ok, 1 a check failed, 2 bad usage, 3 a call failed.
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/time.h>

#include <net/netmap_user.h>

static const char *prog = "mixpoll";
static int failures;
static const char *ifname;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(3);
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A registered port: descriptor, region and netmap_if. */
struct port {
	int			fd;
	void			*mem;
	uint64_t		memsize;
	struct netmap_if	*nifp;
};

static void port_open(struct port *p, uint32_t mode, uint16_t ring,
		      uint64_t flags)
{
	struct nmreq_header hdr;
	struct nmreq_register reg;

	p->fd = open(NETMAP_DEVICE_NAME, O_RDWR);
	if (p->fd < 0)
		die("open " NETMAP_DEVICE_NAME);
	memset(&hdr, 0, sizeof(hdr));
	memset(&reg, 0, sizeof(reg));
	hdr.nr_version = NETMAP_API;
	hdr.nr_reqtype = NETMAP_REQ_REGISTER;
	snprintf(hdr.nr_name, sizeof(hdr.nr_name), "%s", ifname);
	hdr.nr_body = (uint64_t)(uintptr_t)&reg;
	reg.nr_mode = mode;
	reg.nr_ringid = ring;
	reg.nr_flags = flags;
	if (ioctl(p->fd, NIOCCTRL, &hdr) != 0)
		die("NIOCCTRL REGISTER");
	if (reg.nr_tx_rings < 2 || reg.nr_rx_rings < 2) {
		fprintf(stderr, "%s: %s needs 2 ring pairs\n", prog, ifname);
		exit(2);
	}
	p->memsize = reg.nr_memsize;
	p->mem = mmap(NULL, reg.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->mem == MAP_FAILED)
		die("mmap");
	p->nifp = NETMAP_IF(p->mem, reg.nr_offset);
}

static void port_close(struct port *p)
{
	if (munmap(p->mem, p->memsize) != 0)
		die("munmap");
	if (close(p->fd) != 0)
		die("close");
}

/* One 60-byte frame on tx ring i, pushed out with NIOCTXSYNC. */
static void send_one(struct port *p, unsigned int i)
{
	struct netmap_ring *tx = NETMAP_TXRING(p->nifp, i);
	struct netmap_slot *slot;
	char *buf;

	if (nm_ring_space(tx) == 0)
		die("tx ring full");
	slot = &tx->slot[tx->head];
	buf = NETMAP_BUF(tx, slot->buf_idx);
	memset(buf, 0xff, 60);
	slot->len = 60;
	slot->flags = 0;
	tx->head = tx->cur = nm_ring_next(tx, tx->head);
	if (ioctl(p->fd, NIOCTXSYNC, NULL) != 0)
		die("NIOCTXSYNC");
}

/* Release every received slot of the rx rings; returns how many. */
static unsigned int drain(struct port *p)
{
	unsigned int i, n = 0;

	if (ioctl(p->fd, NIOCRXSYNC, NULL) != 0)
		die("NIOCRXSYNC");
	for (i = 0; i < p->nifp->ni_rx_rings; i++) {
		struct netmap_ring *rx = NETMAP_RXRING(p->nifp, i);

		n += nm_ring_space(rx);
		rx->head = rx->cur = rx->tail;
	}
	if (ioctl(p->fd, NIOCRXSYNC, NULL) != 0)
		die("NIOCRXSYNC");
	return n;
}

/* ---- helpers run on another thread after a delay ------------------ */

struct later {
	pthread_t	th;
	int		delay_ms;
	int		pipe_wr;	/* >= 0: write a byte there */
	unsigned int	ring;		/* else send a frame on this ring */
};

static void *later_main(void *arg)
{
	struct later *l = (struct later *)arg;
	struct timespec ts = { .tv_sec = l->delay_ms / 1000,
			       .tv_nsec = (l->delay_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	if (l->pipe_wr >= 0) {
		if (write(l->pipe_wr, "x", 1) != 1)
			die("write pipe");
	} else {
		/* a descriptor of its own, bound to its tx ring only */
		struct port p;

		port_open(&p, NR_REG_ONE_NIC, (uint16_t)l->ring,
			  NR_TX_RINGS_ONLY);
		send_one(&p, l->ring);
		port_close(&p);
	}
	return NULL;
}

static void later_start(struct later *l, int delay_ms, int pipe_wr,
			unsigned int ring)
{
	l->delay_ms = delay_ms;
	l->pipe_wr = pipe_wr;
	l->ring = ring;
	if (pthread_create(&l->th, NULL, later_main, l) != 0)
		die("pthread_create");
}

static void later_join(struct later *l)
{
	pthread_join(l->th, NULL);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Raise SIGALRM after ms milliseconds, once. */
static void alarm_ms(int ms)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	if (setitimer(ITIMER_REAL, &it, NULL) != 0)
		die("setitimer");
}

/* ---- the cases ---------------------------------------------------- */

#define NM	0
#define PIPE	1

/* poll on {nm, pipe}: expect ret, revents and a time window. */
static void expect_poll(const char *what, struct pollfd *pfd, int timeout,
			int want_ret, int want_nm, int want_pipe,
			long long min_ms, long long max_ms)
{
	long long t0 = now_ms(), dt;
	int r;

	pfd[NM].revents = pfd[PIPE].revents = 0;
	r = poll(pfd, 2, timeout);
	dt = now_ms() - t0;
	if (r != want_ret ||
	    !!(pfd[NM].revents & POLLIN) != want_nm ||
	    !!(pfd[PIPE].revents & POLLIN) != want_pipe)
		fail("%s: poll returned %d, revents nm 0x%x pipe 0x%x; "
		     "expected %d, nm %s, pipe %s", what, r, pfd[NM].revents,
		     pfd[PIPE].revents, want_ret, want_nm ? "POLLIN" : "0",
		     want_pipe ? "POLLIN" : "0");
	if (dt < min_ms || dt > max_ms)
		fail("%s: poll took %lld ms, expected %lld..%lld", what, dt,
		     min_ms, max_ms);
}

int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	struct sigaction sa;
	struct timespec ts;
	struct timeval tv;
	struct later l;
	struct port p;
	long long t0, dt;
	int pp[2], r, nfds;
	unsigned int cases = 0;
	fd_set rd;
	char c;

	if (argc == 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h"))) {
		printf("usage: %s IFNAME\n  Wait on a netmap descriptor and "
		       "a pipe together (poll, ppoll,\n  select, pselect); "
		       "IFNAME needs 2 ring pairs looped tx to rx.\n", prog);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME (--help for more)\n", prog);
		return 2;
	}
	ifname = argv[1];
	port_open(&p, NR_REG_ALL_NIC, 0, 0);
	if (pipe(pp) != 0)
		die("pipe");
	nfds = (p.fd > pp[0] ? p.fd : pp[0]) + 1;
	pfd[NM].fd = p.fd;
	pfd[NM].events = POLLIN;
	pfd[PIPE].fd = pp[0];
	pfd[PIPE].events = POLLIN;

	/* 1. nothing ready: the timeout holds */
	expect_poll("idle", pfd, 100, 0, 0, 0, 90, 1000);
	cases++;

	/* 2. only the pipe */
	if (write(pp[1], "x", 1) != 1)
		die("write");
	expect_poll("pipe ready", pfd, 1000, 1, 0, 1, 0, 500);
	if (read(pp[0], &c, 1) != 1)
		die("read");
	cases++;

	/* 3. only netmap */
	send_one(&p, 0);
	expect_poll("netmap ready", pfd, 1000, 1, 1, 0, 0, 500);
	if (drain(&p) != 1)
		fail("netmap ready: expected 1 frame");
	cases++;

	/* 4. both */
	send_one(&p, 1);
	if (write(pp[1], "x", 1) != 1)
		die("write");
	expect_poll("both ready", pfd, 1000, 2, 1, 1, 0, 500);
	if (read(pp[0], &c, 1) != 1)
		die("read");
	drain(&p);
	cases++;

	/* 5. a frame from another thread wakes the sleeper at once */
	later_start(&l, 100, -1, 1);
	expect_poll("netmap wake-up", pfd, 10000, 1, 1, 0, 50, 3000);
	later_join(&l);
	if (drain(&p) != 1)
		fail("netmap wake-up: expected 1 frame on ring 1");
	cases++;

	/* 6. the pipe, written by another thread, ends an infinite poll */
	later_start(&l, 100, pp[1], 0);
	expect_poll("pipe wake-up", pfd, -1, 1, 0, 1, 50, 3000);
	later_join(&l);
	if (read(pp[0], &c, 1) != 1)
		die("read");
	cases++;

	/* 7. select: idle with the time left written back, then woken */
	FD_ZERO(&rd);
	FD_SET(p.fd, &rd);
	FD_SET(pp[0], &rd);
	tv.tv_sec = 0;
	tv.tv_usec = 100000;
	t0 = now_ms();
	r = select(nfds, &rd, NULL, NULL, &tv);
	dt = now_ms() - t0;
	if (r != 0 || dt < 90 || tv.tv_sec != 0 || tv.tv_usec > 20000 ||
	    FD_ISSET(p.fd, &rd) || FD_ISSET(pp[0], &rd))
		fail("select idle: %d after %lld ms, %ld.%06ld s left", r, dt,
		     (long)tv.tv_sec, (long)tv.tv_usec);
	later_start(&l, 100, -1, 0);
	FD_ZERO(&rd);
	FD_SET(p.fd, &rd);
	FD_SET(pp[0], &rd);
	tv.tv_sec = 10;
	tv.tv_usec = 0;
	t0 = now_ms();
	r = select(nfds, &rd, NULL, NULL, &tv);
	dt = now_ms() - t0;
	later_join(&l);
	if (r != 1 || !FD_ISSET(p.fd, &rd) || FD_ISSET(pp[0], &rd) ||
	    dt > 3000)
		fail("select wake-up: %d after %lld ms", r, dt);
	drain(&p);
	cases++;

	/* 8. ppoll and pselect, idle: 50 ms */
	ts.tv_sec = 0;
	ts.tv_nsec = 50000000;
	t0 = now_ms();
	r = ppoll(pfd, 2, &ts, NULL);
	dt = now_ms() - t0;
	if (r != 0 || dt < 40)
		fail("ppoll idle: %d after %lld ms", r, dt);
	FD_ZERO(&rd);
	FD_SET(p.fd, &rd);
	FD_SET(pp[0], &rd);
	t0 = now_ms();
	r = pselect(nfds, &rd, NULL, NULL, &ts, NULL);
	dt = now_ms() - t0;
	if (r != 0 || dt < 40)
		fail("pselect idle: %d after %lld ms", r, dt);
	cases++;

	/* 9. a signal interrupts the wait, netmap only and mixed */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) != 0)
		die("sigaction");
	alarm_ms(100);
	t0 = now_ms();
	r = poll(pfd, 1, 10000);
	dt = now_ms() - t0;
	if (r != -1 || errno != EINTR || dt > 3000)
		fail("signal, netmap only: poll %d (%s) after %lld ms", r,
		     r < 0 ? strerror(errno) : "-", dt);
	alarm_ms(100);
	t0 = now_ms();
	r = poll(pfd, 2, -1);
	dt = now_ms() - t0;
	if (r != -1 || errno != EINTR || dt > 3000)
		fail("signal, mixed: poll %d (%s) after %lld ms", r,
		     r < 0 ? strerror(errno) : "-", dt);
	cases++;

	/* 10. after close, the descriptor is gone for poll too */
	port_close(&p);
	pfd[NM].revents = 0;
	r = poll(pfd, 1, 0);
	if (r != 1 || !(pfd[NM].revents & POLLNVAL))
		fail("closed descriptor: poll %d revents 0x%x", r,
		     pfd[NM].revents);
	cases++;
	close(pp[0]);
	close(pp[1]);

	if (failures)
		return 1;
	printf("%s: %s: %u cases of poll/ppoll/select/pselect on netmap and "
	       "pipe descriptors: ok\n", prog, ifname, cases);
	return 0;
}
