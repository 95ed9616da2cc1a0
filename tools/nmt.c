/* SPDX-License-Identifier: BSD-2-Clause */
/* nmt: helpers shared by the netmap tools; see nmt.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nmt.h"

volatile sig_atomic_t nmt_stop;

static void on_signal(int sig)
{
	(void)sig;
	nmt_stop = 1;
}

void nmt_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocked poll() returns and sees nmt_stop */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

uint64_t nmt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int nmt_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K') {
		if (v > ~0ull / 1000)
			return -1;
		v *= 1000;
		end++;
	} else if (*end == 'M') {
		if (v > ~0ull / 1000000)
			return -1;
		v *= 1000000;
		end++;
	}
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void nmt_err(const char *what, int e)
{
	fprintf(stderr, "%s: %s: %s\n", nmt_prog, what, strerror(e));
}

static int open_dev(void)
{
	int fd = open(NETMAP_DEVICE_NAME, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		nmt_err("cannot open " NETMAP_DEVICE_NAME, errno);
	return fd;
}

int nmt_ctrl(uint16_t type, const char *name, void *body, void *opts)
{
	struct nmreq_header hdr;
	int fd, e = 0;

	fd = open_dev();
	if (fd < 0)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.nr_version = NETMAP_API;
	hdr.nr_reqtype = type;
	snprintf(hdr.nr_name, sizeof(hdr.nr_name), "%s", name ? name : "");
	hdr.nr_body = (uint64_t)(uintptr_t)body;
	hdr.nr_options = (uint64_t)(uintptr_t)opts;
	if (ioctl(fd, NIOCCTRL, &hdr) != 0)
		e = errno;
	/* VALE_LIST hands the port name back in the header */
	if (!e && name && type == NETMAP_REQ_VALE_LIST && !name[0])
		memcpy((char *)name, hdr.nr_name, sizeof(hdr.nr_name));
	close(fd);
	return e;
}

int nmt_open(struct nmt_port *p, const char *name, uint64_t flags,
	     unsigned int offset)
{
	struct nmreq_opt_offsets opt;
	struct nmreq_header hdr;
	char what[128];
	size_t n;
	uint32_t mode = NR_REG_ALL_NIC;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	if (!strncmp(name, "netmap:", 7))
		name += 7;
	n = strlen(name);
	if (n > 0 && name[n - 1] == '^') {
		mode = NR_REG_SW;
		n--;
	} else if (n > 0 && name[n - 1] == '*') {
		mode = NR_REG_NIC_SW;
		n--;
	}
	if (n == 0 || n >= sizeof(p->name)) {
		fprintf(stderr, "%s: '%s': a port name has 1..%zu characters\n",
			nmt_prog, name, sizeof(p->name) - 1);
		return -1;
	}
	memcpy(p->name, name, n);
	p->name[n] = '\0';

	p->fd = open_dev();
	if (p->fd < 0)
		return -1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.nr_version = NETMAP_API;
	hdr.nr_reqtype = NETMAP_REQ_REGISTER;
	memcpy(hdr.nr_name, p->name, n + 1);
	hdr.nr_body = (uint64_t)(uintptr_t)&p->reg;
	p->reg.nr_mode = mode;
	p->reg.nr_flags = flags;
	if (offset) {
		memset(&opt, 0, sizeof(opt));
		opt.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
		opt.nro_opt.nro_size = sizeof(opt);
		opt.nro_max_offset = offset;
		opt.nro_initial_offset = offset;
		hdr.nr_options = (uint64_t)(uintptr_t)&opt;
	}
	if (ioctl(p->fd, NIOCCTRL, &hdr) != 0) {
		snprintf(what, sizeof(what), "%s: REGISTER", p->name);
		nmt_err(what, errno);
		goto fail;
	}
	if (offset && opt.nro_opt.nro_status) {
		snprintf(what, sizeof(what), "%s: offset %u", p->name, offset);
		nmt_err(what, (int)opt.nro_opt.nro_status);
		goto fail;
	}
	p->offset = offset;
	p->memsize = p->reg.nr_memsize;
	p->mem = mmap(NULL, p->memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		snprintf(what, sizeof(what), "%s: mmap", p->name);
		nmt_err(what, errno);
		goto fail;
	}
	p->nifp = NETMAP_IF(p->mem, p->reg.nr_offset);
	if (mode == NR_REG_SW) {
		p->first_tx = p->nifp->ni_tx_rings;
		p->first_rx = p->nifp->ni_rx_rings;
	}
	p->last_tx = p->nifp->ni_tx_rings;
	p->last_rx = p->nifp->ni_rx_rings;
	if (mode != NR_REG_ALL_NIC) {
		p->last_tx += p->nifp->ni_host_tx_rings;
		p->last_rx += p->nifp->ni_host_rx_rings;
	}
	if (flags & NR_RX_RINGS_ONLY)
		p->last_tx = p->first_tx;
	if (flags & NR_TX_RINGS_ONLY)
		p->last_rx = p->first_rx;
	return 0;
fail:
	nmt_close(p);
	return -1;
}

void nmt_close(struct nmt_port *p)
{
	if (p->mem)
		munmap(p->mem, p->memsize);
	if (p->fd >= 0)
		close(p->fd);
	p->mem = NULL;
	p->fd = -1;
}

int nmt_wait(struct nmt_port *p, short events, int ms)
{
	struct pollfd pfd = { .fd = p->fd, .events = events };
	int r = poll(&pfd, 1, ms);

	if (r < 0) {
		if (errno == EINTR)
			return 0;
		nmt_err("poll", errno);
		return -1;
	}
	if (r > 0 && (pfd.revents & (POLLERR | POLLNVAL))) {
		fprintf(stderr, "%s: %s: poll: error event 0x%x\n", nmt_prog,
			p->name, pfd.revents);
		return -1;
	}
	return r;
}
