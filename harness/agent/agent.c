/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmtb guest agent: JSON lines on a serial port (default /dev/ttyS1).
 *
 * Every request is one object on one line: {"id":N,"cmd":"name",...}
 * (exec takes its shell command as "sh").
 * Every reply is one line: {"id":N,"ok":true,...} or
 * {"id":N,"ok":false,"error":"text","errno":E}.  Binary data (frames)
 * travels as hex strings.  The netmap commands map one to one onto the
 * calls of scenarios/nmtb/api.py (Backend.open, Port.send, Port.recv, ...),
 * so the host side stays a thin shim.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <net/netmap.h>

#include "json.h"

#define MAX_LINE	(16u << 20)
#define MAX_PORTS	64
#define MAX_PKT		8
#define MAX_OUTPUT	(1u << 20)
#define ARENA_SIZE	(4u << 20)
#define NETMAP_DEV	"/dev/netmap"
#define FI_DIR		"/sys/kernel/debug/netmap/fi"
#define PARAM_DIR	"/sys/module/netmap/parameters"

struct req {
	struct jnode *j;
	struct sb *out;
	const char *err;	/* set by fail() */
	int eno;
	char ebuf[256];
};

static int fail(struct req *r, int eno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct req *r, int eno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->ebuf, sizeof(r->ebuf), fmt, ap);
	va_end(ap);
	r->err = r->ebuf;
	r->eno = eno;
	return -1;
}

static int fail_errno(struct req *r, const char *what)
{
	int e = errno;

	return fail(r, e, "%s: %s", what, strerror(e));
}

/* ---- argument access: a missing key gives the default, a key of the
 * wrong type is an error (so typos in the host shim show up) ---------- */

static int arg_int(struct req *r, const char *key, int64_t def, int64_t *v)
{
	struct jnode *n = json_get(r->j, key);

	*v = def;
	if (!n || n->type == J_NULL)
		return 0;
	if ((n->type != J_NUM && n->type != J_BOOL) || !n->isint)
		return fail(r, EINVAL, "argument '%s' must be an integer", key);
	*v = n->inum;
	return 0;
}

static int arg_str(struct req *r, const char *key, const char *def,
		   const char **v)
{
	struct jnode *n = json_get(r->j, key);

	*v = def ? def : "";
	if (!n || n->type == J_NULL) {
		if (!def)
			return fail(r, EINVAL, "argument '%s' is required",
				    key);
		return 0;
	}
	if (n->type != J_STR)
		return fail(r, EINVAL, "argument '%s' must be a string", key);
	*v = n->str;
	return 0;
}

static int hex_decode(struct req *r, const struct jnode *n, unsigned char **out,
		      size_t *len)
{
	static const signed char tab[256] = {
		['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
		['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
		['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15,
		['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14,
		['E'] = 15, ['F'] = 16,
	};
	size_t i;
	unsigned char *b;

	if (!n || n->type != J_STR || n->len % 2)
		return fail(r, EINVAL, "data must be a hex string of even length");
	b = malloc(n->len / 2 + 1);
	if (!b)
		return fail(r, ENOMEM, "out of memory");
	for (i = 0; i < n->len / 2; i++) {
		int hi = tab[(unsigned char)n->str[2 * i]];
		int lo = tab[(unsigned char)n->str[2 * i + 1]];

		if (!hi || !lo) {
			free(b);
			return fail(r, EINVAL, "data is not hex");
		}
		b[i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
	}
	*out = b;
	*len = n->len / 2;
	return 0;
}

/* ------------------------------------------------------------ basics */

static int cmd_ping(struct req *r)
{
	sb_printf(r->out, ",\"pong\":true,\"pid\":%d", (int)getpid());
	return 0;
}

static int cmd_uname(struct req *r)
{
	struct utsname u;

	if (uname(&u))
		return fail_errno(r, "uname");
	sb_raw(r->out, ",\"release\":", 11);
	sb_jstr(r->out, u.release, strlen(u.release));
	sb_raw(r->out, ",\"machine\":", 11);
	sb_jstr(r->out, u.machine, strlen(u.machine));
	sb_raw(r->out, ",\"version\":", 11);
	sb_jstr(r->out, u.version, strlen(u.version));
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs /bin/sh -c cmd with stdout and stderr into one pipe, killing it
 * after timeout seconds. */
static int cmd_exec(struct req *r)
{
	const char *cmd;
	int64_t tmo;
	int pfd[2], status = 0, killed = 0;
	char *buf;
	size_t n = 0;
	pid_t pid;
	double deadline;

	if (arg_str(r, "sh", NULL, &cmd) || arg_int(r, "timeout", 30, &tmo))
		return -1;
	if (pipe(pfd))
		return fail_errno(r, "pipe");
	buf = malloc(MAX_OUTPUT);
	if (!buf) {
		close(pfd[0]);
		close(pfd[1]);
		return fail(r, ENOMEM, "out of memory");
	}
	pid = fork();
	if (pid < 0) {
		free(buf);
		close(pfd[0]);
		close(pfd[1]);
		return fail_errno(r, "fork");
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		setsid();
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	deadline = now_s() + (double)tmo;
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		double left = deadline - now_s();
		int rc;
		ssize_t k;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			killed = 1;
			break;
		}
		rc = poll(&p, 1, (int)(left * 1000) + 1);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			continue;
		if (n < MAX_OUTPUT) {
			k = read(pfd[0], buf + n, MAX_OUTPUT - n);
		} else {
			char junk[4096];

			k = read(pfd[0], junk, sizeof(junk));
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (n < MAX_OUTPUT)
			n += (size_t)k;
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	sb_raw(r->out, ",\"output\":", 10);
	sb_jstr(r->out, buf, n);
	free(buf);
	if (WIFEXITED(status))
		sb_printf(r->out, ",\"status\":%d", WEXITSTATUS(status));
	else
		sb_printf(r->out, ",\"status\":%d,\"signal\":%d",
			  128 + WTERMSIG(status), WTERMSIG(status));
	if (killed)
		sb_raw(r->out, ",\"timed_out\":true", 17);
	return 0;
}

static int cmd_dmesg(struct req *r)
{
	int64_t clear;
	int size, n;
	char *buf;

	if (arg_int(r, "clear", 0, &clear))
		return -1;
	size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	if (size <= 0)
		size = 1 << 20;
	buf = malloc((size_t)size);
	if (!buf)
		return fail(r, ENOMEM, "out of memory");
	/* READ_CLEAR when asked, so nothing logged in between is lost */
	n = klogctl(clear ? 4 : 3, buf, size);
	if (n < 0) {
		free(buf);
		return fail_errno(r, "klogctl");
	}
	sb_raw(r->out, ",\"log\":", 7);
	sb_jstr(r->out, buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmd_load(struct req *r)
{
	const char *path, *params;
	int fd;

	if (arg_str(r, "path", NULL, &path) || arg_str(r, "params", "", &params))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(r, path);
	if (syscall(SYS_finit_module, fd, params, 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return fail_errno(r, "finit_module");
	}
	close(fd);
	return 0;
}

static int cmd_unload(struct req *r)
{
	const char *name;

	if (arg_str(r, "name", NULL, &name))
		return -1;
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return fail_errno(r, "delete_module");
	return 0;
}

static int cmd_read(struct req *r)
{
	const char *path;
	char buf[65536];
	size_t n = 0;
	int fd;

	if (arg_str(r, "path", NULL, &path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(r, path);
	while (n < sizeof(buf)) {
		ssize_t k = read(fd, buf + n, sizeof(buf) - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			close(fd);
			errno = e;
			return fail_errno(r, path);
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	close(fd);
	sb_raw(r->out, ",\"data\":", 8);
	sb_jstr(r->out, buf, n);
	return 0;
}

static int write_file(struct req *r, const char *path, const char *data)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(data);
	ssize_t k;

	if (fd < 0)
		return fail_errno(r, path);
	k = write(fd, data, len);
	if (k < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return fail_errno(r, path);
	}
	close(fd);
	if ((size_t)k != len)
		return fail(r, EIO, "%s: short write", path);
	return 0;
}

static int cmd_write(struct req *r)
{
	const char *path, *data;

	if (arg_str(r, "path", NULL, &path) || arg_str(r, "data", NULL, &data))
		return -1;
	return write_file(r, path, data);
}

/* ------------------------------------------------------- AF_PACKET */

struct pkt {
	char ifname[IFNAMSIZ];
	int fd, ifindex;
};
static struct pkt pkts[MAX_PKT];

static struct pkt *pkt_get(struct req *r, const char *ifname)
{
	struct sockaddr_ll sll;
	struct pkt *free_slot = NULL;
	int i, fd;
	unsigned idx;

	for (i = 0; i < MAX_PKT; i++) {
		if (pkts[i].fd > 0 && !strcmp(pkts[i].ifname, ifname)) {
			/* an interface that went away and came back (module
			 * reload, replug) needs a new socket */
			if ((int)if_nametoindex(ifname) == pkts[i].ifindex)
				return &pkts[i];
			close(pkts[i].fd);
			pkts[i].fd = 0;
		}
		if (pkts[i].fd <= 0 && !free_slot)
			free_slot = &pkts[i];
	}
	if (strlen(ifname) >= IFNAMSIZ) {
		fail(r, EINVAL, "interface name too long");
		return NULL;
	}
	if (!free_slot) {
		fail(r, EMFILE, "too many packet sockets");
		return NULL;
	}
	idx = if_nametoindex(ifname);
	if (!idx) {
		fail_errno(r, ifname);
		return NULL;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		fail_errno(r, "socket(AF_PACKET)");
		return NULL;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fail_errno(r, "bind(AF_PACKET)");
		close(fd);
		return NULL;
	}
	strcpy(free_slot->ifname, ifname);
	free_slot->fd = fd;
	free_slot->ifindex = (int)idx;
	return free_slot;
}

static int cmd_pkt_open(struct req *r)
{
	const char *ifname;

	if (arg_str(r, "ifname", "eth0", &ifname))
		return -1;
	return pkt_get(r, ifname) ? 0 : -1;
}

static int cmd_pkt_send(struct req *r)
{
	const char *ifname;
	unsigned char *data;
	size_t len;
	struct pkt *p;
	struct sockaddr_ll sll;
	ssize_t k;

	if (arg_str(r, "ifname", "eth0", &ifname))
		return -1;
	p = pkt_get(r, ifname);
	if (!p || hex_decode(r, json_get(r->j, "data"), &data, &len))
		return -1;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = p->ifindex;
	sll.sll_halen = ETH_ALEN;
	if (len >= ETH_ALEN)
		memcpy(sll.sll_addr, data, ETH_ALEN);
	k = sendto(p->fd, data, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	free(data);
	if (k < 0)
		return fail_errno(r, "sendto(AF_PACKET)");
	sb_printf(r->out, ",\"sent\":%zd", k);
	return 0;
}

/* Frames the interface received (outgoing ones are skipped unless asked)
 * until max frames or timeout_ms without one. */
static int cmd_pkt_recv(struct req *r)
{
	const char *ifname;
	int64_t tmo, max, outgoing;
	struct pkt *p;
	static unsigned char buf[65536];
	int got = 0;
	double deadline;

	if (arg_str(r, "ifname", "eth0", &ifname) ||
	    arg_int(r, "timeout_ms", 0, &tmo) ||
	    arg_int(r, "max", 64, &max) ||
	    arg_int(r, "outgoing", 0, &outgoing))
		return -1;
	p = pkt_get(r, ifname);
	if (!p)
		return -1;
	deadline = now_s() + (double)tmo / 1000.0;
	sb_raw(r->out, ",\"frames\":[", 11);
	while (got < max) {
		struct pollfd pf = { p->fd, POLLIN, 0 };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		double left = deadline - now_s();
		ssize_t k;

		if (poll(&pf, 1, left > 0 ? (int)(left * 1000) + 1 : 0) <= 0)
			break;
		k = recvfrom(p->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (k < 0)
			break;
		if (from.sll_pkttype == PACKET_OUTGOING && !outgoing)
			continue;
		if (got)
			sb_raw(r->out, ",", 1);
		sb_hex(r->out, buf, (size_t)k);
		got++;
	}
	sb_raw(r->out, "]", 1);
	return 0;
}

/* ---------------------------------------------------------- netmap */

struct port {
	int fd;
	char name[NETMAP_REQ_IFNAMSIZ];
	unsigned char *mem;
	size_t memsize;
	struct nmreq_register reg;
	struct netmap_if *nifp;
	unsigned ntx, nrx;	/* NIC + host rings of each kind */
};
static struct port *ports[MAX_PORTS];
static unsigned char *arena;	/* "user memory" for NS_INDIRECT */
static size_t arena_pos;
static void *outside[256];	/* other process memory, until reset */
static unsigned n_outside;

static int netmap_fd(struct req *r)
{
	int fd = open(NETMAP_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return fail(r, ENOENT, NETMAP_DEV " is missing (netmap.ko"
				    " not loaded?)");
		return fail_errno(r, NETMAP_DEV);
	}
	return fd;
}

static int get_mode(struct req *r, uint32_t *mode)
{
	static const struct { const char *n; uint32_t v; } modes[] = {
		{ "all_nic", NR_REG_ALL_NIC }, { "sw", NR_REG_SW },
		{ "nic_sw", NR_REG_NIC_SW }, { "one_nic", NR_REG_ONE_NIC },
		{ "null", NR_REG_NULL }, { "one_sw", NR_REG_ONE_SW },
	};
	struct jnode *n = json_get(r->j, "mode");
	unsigned i;

	if (!n || n->type == J_NULL) {
		*mode = NR_REG_ALL_NIC;
		return 0;
	}
	if (n->type == J_NUM && n->isint) {
		*mode = (uint32_t)n->inum;
		return 0;
	}
	if (n->type == J_STR)
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(modes[i].n, n->str)) {
				*mode = modes[i].v;
				return 0;
			}
	return fail(r, EINVAL, "bad mode");
}

static int ctrl(int fd, const char *name, uint16_t type, void *body,
		void *opts)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = type;
	snprintf(h.nr_name, sizeof(h.nr_name), "%s", name);
	h.nr_body = (uintptr_t)body;
	h.nr_options = (uintptr_t)opts;
	return ioctl(fd, NIOCCTRL, &h);
}

static void port_info(struct sb *o, struct port *p)
{
	struct nmreq_register *g = &p->reg;

	sb_printf(o, ",\"info\":{\"offset\":%llu,\"memsize\":%llu,"
		  "\"tx_slots\":%u,\"rx_slots\":%u,\"tx_rings\":%u,"
		  "\"rx_rings\":%u,\"host_tx_rings\":%u,\"host_rx_rings\":%u,"
		  "\"mem_id\":%u,\"mode\":%u,\"flags\":%llu,\"extra_bufs\":%u",
		  (unsigned long long)g->nr_offset,
		  (unsigned long long)g->nr_memsize, g->nr_tx_slots,
		  g->nr_rx_slots, g->nr_tx_rings, g->nr_rx_rings,
		  g->nr_host_tx_rings, g->nr_host_rx_rings, g->nr_mem_id,
		  g->nr_mode, (unsigned long long)g->nr_flags,
		  g->nr_extra_bufs);
	if (p->nifp)
		sb_printf(o, ",\"ni_flags\":%u,\"bufs_head\":%u",
			  p->nifp->ni_flags, p->nifp->ni_bufs_head);
}

static struct netmap_ring *ring_at(struct port *p, int rx, unsigned i)
{
	ssize_t ofs;
	unsigned char *a;

	if (i >= (rx ? p->nrx : p->ntx))
		return NULL;
	ofs = p->nifp->ring_ofs[(rx ? p->ntx : 0) + i];
	if (!ofs)
		return NULL;
	a = (unsigned char *)p->nifp + ofs;
	if (a < p->mem || a + sizeof(struct netmap_ring) > p->mem + p->memsize)
		return NULL;
	return (struct netmap_ring *)a;
}

static int cmd_open(struct req *r)
{
	struct nmreq_register reg;
	struct nmreq_opt_offsets off;
	struct jnode *jo = json_get(r->j, "offsets");
	const char *name;
	int64_t v[11];
	static const char *keys[] = { "ringid", "flags", "tx_slots",
		"rx_slots", "tx_rings", "rx_rings", "host_tx_rings",
		"host_rx_rings", "mem_id", "extra_bufs", NULL };
	struct port *p;
	int fd, slot, i;
	void *m;
	size_t ifend;

	if (arg_str(r, "name", NULL, &name))
		return -1;
	memset(&reg, 0, sizeof(reg));
	if (get_mode(r, &reg.nr_mode))
		return -1;
	for (i = 0; keys[i]; i++)
		if (arg_int(r, keys[i], 0, &v[i]))
			return -1;
	reg.nr_ringid = (uint16_t)v[0];
	reg.nr_flags = (uint64_t)v[1];
	reg.nr_tx_slots = (uint32_t)v[2];
	reg.nr_rx_slots = (uint32_t)v[3];
	reg.nr_tx_rings = (uint16_t)v[4];
	reg.nr_rx_rings = (uint16_t)v[5];
	reg.nr_host_tx_rings = (uint16_t)v[6];
	reg.nr_host_rx_rings = (uint16_t)v[7];
	reg.nr_mem_id = (uint16_t)v[8];
	reg.nr_extra_bufs = (uint32_t)v[9];
	memset(&off, 0, sizeof(off));
	if (jo && jo->type == J_OBJ) {
		struct req sub = *r;
		int64_t mo, io, bits, al, gap;

		sub.j = jo;
		if (arg_int(&sub, "max_offset", 0, &mo) ||
		    arg_int(&sub, "initial_offset", 0, &io) ||
		    arg_int(&sub, "bits", 0, &bits) ||
		    arg_int(&sub, "tx_align", 0, &al) ||
		    arg_int(&sub, "min_gap", 0, &gap)) {
			*r = sub;
			r->err = r->ebuf;
			return -1;
		}
		off.nro_opt.nro_reqtype = NETMAP_REQ_OPT_OFFSETS;
		off.nro_opt.nro_size = sizeof(off);
		off.nro_max_offset = (uint64_t)mo;
		off.nro_initial_offset = (uint64_t)io;
		off.nro_offset_bits = (uint32_t)bits;
		off.nro_tx_align = (uint32_t)al;
		off.nro_min_gap = (uint64_t)gap;
	} else if (jo && jo->type != J_NULL) {
		return fail(r, EINVAL, "offsets must be an object");
	}
	for (slot = 0; slot < MAX_PORTS && ports[slot]; slot++)
		;
	if (slot == MAX_PORTS)
		return fail(r, EMFILE, "too many open ports");
	fd = netmap_fd(r);
	if (fd < 0)
		return -1;
	if (ctrl(fd, name, NETMAP_REQ_REGISTER, &reg,
		 jo && jo->type == J_OBJ ? &off : NULL)) {
		int e = errno;

		close(fd);
		fail(r, e, "REGISTER %s: %s", name, strerror(e));
		if (jo && jo->type == J_OBJ)
			sb_printf(r->out, ",\"option_status\":%u",
				  off.nro_opt.nro_status);
		return -1;
	}
	m = mmap(NULL, reg.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (m == MAP_FAILED) {
		int e = errno;

		close(fd);
		return fail(r, e, "mmap %s: %s", name, strerror(e));
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		munmap(m, reg.nr_memsize);
		close(fd);
		return fail(r, ENOMEM, "out of memory");
	}
	p->fd = fd;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->mem = m;
	p->memsize = reg.nr_memsize;
	p->reg = reg;
	ifend = reg.nr_offset + sizeof(struct netmap_if);
	if (reg.nr_offset < reg.nr_memsize && ifend <= reg.nr_memsize) {
		p->nifp = (struct netmap_if *)(p->mem + reg.nr_offset);
		p->ntx = p->nifp->ni_tx_rings + p->nifp->ni_host_tx_rings;
		p->nrx = p->nifp->ni_rx_rings + p->nifp->ni_host_rx_rings;
		/* the ring offset table must fit in the mapping too */
		if (ifend + (size_t)(p->ntx + p->nrx) * sizeof(ssize_t) >
		    reg.nr_memsize)
			p->ntx = p->nrx = 0;
	}
	ports[slot] = p;
	sb_printf(r->out, ",\"port\":%d", slot);
	port_info(r->out, p);
	{
		struct netmap_ring *any = NULL;
		unsigned k;

		for (k = 0; !any && k < p->nrx; k++)
			any = ring_at(p, 1, k);
		for (k = 0; !any && k < p->ntx; k++)
			any = ring_at(p, 0, k);
		sb_printf(r->out, ",\"buf_size\":%u}",
			  any ? any->nr_buf_size : 0);
	}
	sb_printf(r->out, ",\"ntx\":%u,\"nrx\":%u", p->ntx, p->nrx);
	if (jo && jo->type == J_OBJ)
		sb_printf(r->out, ",\"option_status\":%u",
			  off.nro_opt.nro_status);
	return 0;
}

static struct port *get_port(struct req *r)
{
	int64_t id;

	if (arg_int(r, "port", -1, &id))
		return NULL;
	if (id < 0 || id >= MAX_PORTS || !ports[id]) {
		fail(r, EBADF, "no open port %lld", (long long)id);
		return NULL;
	}
	return ports[id];
}

static struct netmap_ring *get_ring(struct req *r, struct port *p, int *rx)
{
	const char *kind;
	int64_t ring;
	struct netmap_ring *k;

	if (arg_str(r, "kind", "tx", &kind) || arg_int(r, "ring", 0, &ring))
		return NULL;
	if (strcmp(kind, "tx") && strcmp(kind, "rx")) {
		fail(r, EINVAL, "ring kind is 'tx' or 'rx'");
		return NULL;
	}
	*rx = !strcmp(kind, "rx");
	k = ring < 0 || ring > 0xffff ? NULL : ring_at(p, *rx, (unsigned)ring);
	if (!k)
		fail(r, EINVAL, "%s ring %lld of %s is not bound", kind,
		     (long long)ring, p->name);
	return k;
}

/* Buffer idx of a ring, or NULL when it falls outside the mapping. */
static unsigned char *buf_at(struct port *p, struct netmap_ring *k,
			     uint32_t idx)
{
	unsigned char *a = (unsigned char *)k + k->buf_ofs +
			   (uint64_t)idx * k->nr_buf_size;

	if (a < p->mem || a + k->nr_buf_size > p->mem + p->memsize ||
	    a + k->nr_buf_size < a)
		return NULL;
	return a;
}

static int do_sync(struct req *r, struct port *p, unsigned long cmd,
		   const char *what)
{
	if (ioctl(p->fd, cmd, NULL))
		return fail_errno(r, what);
	return 0;
}

static void *indirect_ptr(const unsigned char *data, size_t len, int out)
{
	void *m;

	if (!out) {
		size_t at = (arena_pos + 63) & ~(size_t)63;

		if (!arena)
			arena = malloc(ARENA_SIZE);
		if (!arena || len > ARENA_SIZE)
			return NULL;
		if (at + len > ARENA_SIZE)
			at = 0;
		memcpy(arena + at, data, len);
		arena_pos = at + len;
		return arena + at;
	}
	if (n_outside == sizeof(outside) / sizeof(outside[0]))
		return NULL;
	m = malloc(len ? len : 1);
	if (m) {
		memcpy(m, data, len);
		outside[n_outside++] = m;
	}
	return m;
}

static int cmd_send(struct req *r)
{
	struct port *p = get_port(r);
	struct netmap_ring *k;
	struct jnode *slots, *s;
	int64_t sync, ring;
	uint32_t n, head, tail, room, sent = 0;
	int rx;

	if (!p || arg_int(r, "sync", 1, &sync))
		return -1;
	/* "kind" is always tx here */
	if (arg_int(r, "ring", 0, &ring))
		return -1;
	rx = 0;
	k = ring < 0 || ring > 0xffff ? NULL : ring_at(p, 0, (unsigned)ring);
	if (!k)
		return fail(r, EINVAL, "tx ring %lld of %s is not bound",
			    (long long)ring, p->name);
	(void)rx;
	slots = json_get(r->j, "slots");
	if (!slots || slots->type != J_ARR)
		return fail(r, EINVAL, "slots must be an array");
	n = k->num_slots;
	head = k->head;
	tail = k->tail;
	room = n && head < n && tail < n ? (tail + n - head) % n : 0;
	for (s = slots->child; s && sent < room; s = s->next) {
		struct req sub = *r;
		struct netmap_slot *sl = &k->slot[head];
		unsigned char *data = NULL, *a;
		size_t len = 0;
		int64_t flags, offset, bidx, slen;
		uint64_t ptr = sl->ptr, mask = k->offset_mask;
		uint32_t idx = sl->buf_idx;
		struct jnode *ind;

		if ((unsigned char *)(sl + 1) > p->mem + p->memsize)
			break;
		sub.j = s;
		if (s->type != J_OBJ ||
		    hex_decode(&sub, json_get(s, "data"), &data, &len) ||
		    arg_int(&sub, "flags", 0, &flags) ||
		    arg_int(&sub, "offset", -1, &offset) ||
		    arg_int(&sub, "buf_idx", -1, &bidx) ||
		    arg_int(&sub, "len", -1, &slen)) {
			if (s->type != J_OBJ)
				fail(&sub, EINVAL, "a slot must be an object");
			free(data);
			*r = sub;
			r->err = r->ebuf;
			return -1;
		}
		ind = json_get(s, "indirect");
		if (ind && !(ind->type == J_BOOL && !ind->bval) &&
		    ind->type != J_NULL) {
			flags |= NS_INDIRECT;
			if (ind->type == J_BOOL || (ind->type == J_STR &&
			    !strcmp(ind->str, "outside"))) {
				void *m = indirect_ptr(data, len,
						       ind->type == J_STR);

				if (!m) {
					free(data);
					return fail(r, ENOMEM, "no room for an"
						    " indirect buffer");
				}
				ptr = (uintptr_t)m;
			} else if (ind->type == J_NUM && ind->isint) {
				ptr = (uint64_t)ind->inum;
			} else {
				free(data);
				return fail(r, EINVAL, "bad indirect");
			}
		} else {
			uint64_t o = ptr & mask;

			if (offset >= 0) {
				o = (uint64_t)offset;
				ptr = (ptr & ~mask) | (o & mask);
			}
			a = buf_at(p, k, idx);
			if (a && len && o < k->nr_buf_size) {
				size_t room_b = k->nr_buf_size - o;

				memcpy(a + o, data, len < room_b ? len : room_b);
			}
		}
		if (bidx >= 0)
			idx = (uint32_t)bidx;
		sl->buf_idx = idx;
		sl->len = (uint16_t)(slen >= 0 ? (uint64_t)slen : len);
		sl->flags = (uint16_t)flags;
		sl->ptr = ptr;
		free(data);
		head = head + 1 < n ? head + 1 : 0;
		sent++;
	}
	k->head = head;
	k->cur = head;
	if (sync && do_sync(r, p, NIOCTXSYNC, "NIOCTXSYNC"))
		return -1;
	sb_printf(r->out, ",\"sent\":%u", sent);
	return 0;
}

static int recv_ring(struct req *r, struct port *p, unsigned rn, int64_t max,
		     int chains, int64_t rx_off, int *got)
{
	struct netmap_ring *k = ring_at(p, 1, rn);
	uint32_t n, head, tail, i;
	uint64_t mask;

	if (!k)
		return fail(r, EINVAL, "rx ring %u of %s is not bound", rn,
			    p->name);
	n = k->num_slots;
	head = k->head;
	tail = k->tail;
	mask = k->offset_mask;
	if (!n || head >= n || tail >= n ||
	    (unsigned char *)&k->slot[n] > p->mem + p->memsize)
		return 0;
	i = head;
	while (i != tail && (max < 0 || *got < max)) {
		struct sb data, fl, ln, of;
		uint32_t start = i, nsl = 0;
		int complete = 0;

		sb_init(&data);
		sb_init(&fl);
		sb_init(&ln);
		sb_init(&of);
		while (i != tail) {
			struct netmap_slot *s = &k->slot[i];
			uint64_t o = s->ptr & mask;
			unsigned char *a = buf_at(p, k, s->buf_idx);
			uint16_t flags = s->flags, len = s->len;

			if (a && o + len <= k->nr_buf_size)
				sb_raw(&data, (const char *)a + o, len);
			sb_printf(&fl, "%s%u", nsl ? "," : "", flags);
			sb_printf(&ln, "%s%u", nsl ? "," : "", len);
			sb_printf(&of, "%s%llu", nsl ? "," : "",
				  (unsigned long long)o);
			nsl++;
			if (rx_off >= 0)
				s->ptr = (s->ptr & ~mask) |
					 ((uint64_t)rx_off & mask);
			i = i + 1 < n ? i + 1 : 0;
			if (!chains || !(flags & NS_MOREFRAG)) {
				complete = 1;
				break;
			}
		}
		if (complete) {
			sb_printf(r->out, "%s{\"ring\":%u,\"first_slot\":%u,"
				  "\"data\":", *got ? "," : "", rn, start);
			sb_hex(r->out, data.p ? data.p : "", data.n);
			sb_printf(r->out, ",\"flags\":[%s],\"lens\":[%s],"
				  "\"offsets\":[%s]}", fl.p ? fl.p : "",
				  ln.p ? ln.p : "", of.p ? of.p : "");
			(*got)++;
		}
		sb_free(&data);
		sb_free(&fl);
		sb_free(&ln);
		sb_free(&of);
		if (!complete) {
			i = start;	/* an unfinished chain stays */
			break;
		}
	}
	k->head = i;
	k->cur = i;
	return 0;
}

static int cmd_recv(struct req *r)
{
	struct port *p = get_port(r);
	int64_t max, ring, sync, chains, rx_off, release;
	int got = 0;
	unsigned i;

	if (!p || arg_int(r, "max", -1, &max) || arg_int(r, "ring", -1, &ring) ||
	    arg_int(r, "sync", 1, &sync) || arg_int(r, "chains", 1, &chains) ||
	    arg_int(r, "rx_offset", -1, &rx_off) ||
	    arg_int(r, "release", -1, &release))
		return -1;
	if (release < 0)
		release = sync;
	if (sync && do_sync(r, p, NIOCRXSYNC, "NIOCRXSYNC"))
		return -1;
	sb_raw(r->out, ",\"frames\":[", 11);
	if (ring >= 0) {
		if (recv_ring(r, p, (unsigned)ring, max, chains, rx_off, &got))
			return -1;
	} else {
		for (i = 0; i < p->nrx; i++)
			if (ring_at(p, 1, i) &&
			    recv_ring(r, p, i, max, chains, rx_off, &got))
				return -1;
	}
	sb_raw(r->out, "]", 1);
	if (got && release && do_sync(r, p, NIOCRXSYNC, "NIOCRXSYNC"))
		return -1;
	return 0;
}

static int cmd_txsync(struct req *r)
{
	struct port *p = get_port(r);

	return p ? do_sync(r, p, NIOCTXSYNC, "NIOCTXSYNC") : -1;
}

static int cmd_rxsync(struct req *r)
{
	struct port *p = get_port(r);

	return p ? do_sync(r, p, NIOCRXSYNC, "NIOCRXSYNC") : -1;
}

static int cmd_ring_state(struct req *r)
{
	struct port *p = get_port(r);
	struct netmap_ring *k;
	int rx;

	if (!p || !(k = get_ring(r, p, &rx)))
		return -1;
	sb_printf(r->out, ",\"num_slots\":%u,\"buf_size\":%u,\"head\":%u,"
		  "\"cur\":%u,\"tail\":%u,\"flags\":%u,\"offset_mask\":%llu,"
		  "\"buf_align\":%llu,\"dir\":%u,\"buf_ofs\":%lld",
		  k->num_slots, k->nr_buf_size, k->head, k->cur, k->tail,
		  k->flags, (unsigned long long)k->offset_mask,
		  (unsigned long long)k->buf_align, k->dir,
		  (long long)k->buf_ofs);
	return 0;
}

static int cmd_set_ring(struct req *r)
{
	struct port *p = get_port(r);
	struct netmap_ring *k;
	int64_t head, cur, tail, flags;
	int rx;

	if (!p || !(k = get_ring(r, p, &rx)) || arg_int(r, "head", -1, &head) ||
	    arg_int(r, "cur", -1, &cur) || arg_int(r, "tail", -1, &tail) ||
	    arg_int(r, "flags", -1, &flags))
		return -1;
	if (head >= 0)
		k->head = (uint32_t)head;
	if (cur >= 0)
		k->cur = (uint32_t)cur;
	if (tail >= 0)	/* const for applications; a hostile user writes it */
		*(uint32_t *)(uintptr_t)&k->tail = (uint32_t)tail;
	if (flags >= 0)
		k->flags = (uint32_t)flags;
	return 0;
}

static struct netmap_slot *get_slot(struct req *r, struct port *p,
				    struct netmap_ring **kp)
{
	struct netmap_ring *k;
	struct netmap_slot *s;
	int64_t i;
	int rx;

	if (!(k = get_ring(r, p, &rx)) || arg_int(r, "slot", 0, &i))
		return NULL;
	if (!k->num_slots) {
		fail(r, EINVAL, "ring has no slots");
		return NULL;
	}
	s = &k->slot[(uint64_t)i % k->num_slots];
	if ((unsigned char *)(s + 1) > p->mem + p->memsize) {
		fail(r, EFAULT, "slot outside the mapping");
		return NULL;
	}
	*kp = k;
	return s;
}

static int cmd_slot(struct req *r)
{
	struct port *p = get_port(r);
	struct netmap_ring *k;
	struct netmap_slot *s;

	if (!p || !(s = get_slot(r, p, &k)))
		return -1;
	sb_printf(r->out, ",\"buf_idx\":%u,\"len\":%u,\"flags\":%u,"
		  "\"ptr\":%llu,\"offset\":%llu", s->buf_idx, s->len, s->flags,
		  (unsigned long long)s->ptr,
		  (unsigned long long)(s->ptr & k->offset_mask));
	return 0;
}

static int cmd_set_slot(struct req *r)
{
	struct port *p = get_port(r);
	struct netmap_ring *k;
	struct netmap_slot *s;
	int64_t bidx, len, flags, ptr, offset;
	struct jnode *jd;
	uint64_t mask;

	if (!p || !(s = get_slot(r, p, &k)) || arg_int(r, "buf_idx", -1, &bidx) ||
	    arg_int(r, "len", -1, &len) || arg_int(r, "flags", -1, &flags) ||
	    arg_int(r, "offset", -1, &offset))
		return -1;
	mask = k->offset_mask;
	jd = json_get(r->j, "data");
	if (jd && jd->type != J_NULL) {
		unsigned char *d, *a;
		size_t dl;
		uint64_t o = offset >= 0 ? (uint64_t)offset : s->ptr & mask;

		if (hex_decode(r, jd, &d, &dl))
			return -1;
		a = buf_at(p, k, s->buf_idx);
		if (!a || o > k->nr_buf_size || dl > k->nr_buf_size - o) {
			free(d);
			return fail(r, EINVAL, "data does not fit the buffer");
		}
		memcpy(a + o, d, dl);
		free(d);
		s->len = (uint16_t)dl;
	}
	if (bidx >= 0)
		s->buf_idx = (uint32_t)bidx;
	if (len >= 0)
		s->len = (uint16_t)len;
	if (flags >= 0)
		s->flags = (uint16_t)flags;
	/* ptr may be any u64: it is only taken when given */
	if (json_get(r->j, "ptr") && json_get(r->j, "ptr")->type != J_NULL) {
		if (arg_int(r, "ptr", 0, &ptr))
			return -1;
		s->ptr = (uint64_t)ptr;
	}
	if (offset >= 0)
		s->ptr = (s->ptr & ~mask) | ((uint64_t)offset & mask);
	return 0;
}

static int cmd_bound(struct req *r)
{
	struct port *p = get_port(r);
	const char *kind;
	unsigned i, n = 0;
	int rx;

	if (!p || arg_str(r, "kind", "tx", &kind))
		return -1;
	rx = !strcmp(kind, "rx");
	sb_raw(r->out, ",\"rings\":[", 10);
	for (i = 0; i < (rx ? p->nrx : p->ntx); i++)
		if (ring_at(p, rx, i))
			sb_printf(r->out, "%s%u", n++ ? "," : "", i);
	sb_raw(r->out, "]", 1);
	return 0;
}

static void port_close(int id)
{
	struct port *p = ports[id];

	if (!p)
		return;
	munmap(p->mem, p->memsize);
	close(p->fd);
	free(p);
	ports[id] = NULL;
}

static int cmd_close(struct req *r)
{
	struct port *p = get_port(r);
	int64_t id;

	if (!p)
		return -1;
	arg_int(r, "port", -1, &id);
	port_close((int)id);
	return 0;
}

/* items: [[port, events], ...] */
static int cmd_poll(struct req *r)
{
	struct jnode *items = json_get(r->j, "items"), *it;
	struct pollfd pf[MAX_PORTS];
	int64_t tmo;
	unsigned n = 0, i;

	if (arg_int(r, "timeout_ms", 0, &tmo))
		return -1;
	if (!items || items->type != J_ARR || items->len > MAX_PORTS)
		return fail(r, EINVAL, "items must be a list of [port, events]");
	for (it = items->child; it; it = it->next) {
		struct jnode *a = it->child, *b = a ? a->next : NULL;

		if (it->type != J_ARR || !a || !b || !a->isint || !b->isint ||
		    a->inum < 0 || a->inum >= MAX_PORTS || !ports[a->inum])
			return fail(r, EINVAL, "bad poll item");
		pf[n].fd = ports[a->inum]->fd;
		pf[n].events = (short)b->inum;
		pf[n].revents = 0;
		n++;
	}
	if (poll(pf, n, (int)tmo) < 0)
		return fail_errno(r, "poll");
	sb_raw(r->out, ",\"revents\":[", 12);
	for (i = 0; i < n; i++)
		sb_printf(r->out, "%s%d", i ? "," : "", pf[i].revents);
	sb_raw(r->out, "]", 1);
	return 0;
}

static int cmd_pools_info(struct req *r)
{
	struct nmreq_pools_info pi;
	int64_t mem_id;
	int fd;

	if (arg_int(r, "mem_id", 0, &mem_id))
		return -1;
	memset(&pi, 0, sizeof(pi));
	pi.nr_mem_id = (uint16_t)mem_id;
	fd = netmap_fd(r);
	if (fd < 0)
		return -1;
	if (ctrl(fd, "", NETMAP_REQ_POOLS_INFO_GET, &pi, NULL)) {
		int e = errno;

		close(fd);
		errno = e;
		return fail_errno(r, "POOLS_INFO_GET");
	}
	close(fd);
	sb_printf(r->out, ",\"memsize\":%llu,\"mem_id\":%u,"
		  "\"if_pool_offset\":%llu,\"if_pool_objtotal\":%u,"
		  "\"if_pool_objsize\":%u,\"ring_pool_offset\":%llu,"
		  "\"ring_pool_objtotal\":%u,\"ring_pool_objsize\":%u,"
		  "\"buf_pool_offset\":%llu,\"buf_pool_objtotal\":%u,"
		  "\"buf_pool_objsize\":%u",
		  (unsigned long long)pi.nr_memsize, pi.nr_mem_id,
		  (unsigned long long)pi.nr_if_pool_offset,
		  pi.nr_if_pool_objtotal, pi.nr_if_pool_objsize,
		  (unsigned long long)pi.nr_ring_pool_offset,
		  pi.nr_ring_pool_objtotal, pi.nr_ring_pool_objsize,
		  (unsigned long long)pi.nr_buf_pool_offset,
		  pi.nr_buf_pool_objtotal, pi.nr_buf_pool_objsize);
	return 0;
}

/* A name that cannot climb out of its directory. */
static int safe_name(struct req *r, const char *name)
{
	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return fail(r, EINVAL, "bad name '%s'", name);
	return 0;
}

static int cmd_fi_arm(struct req *r)
{
	const char *name, *spec;
	char path[512];

	if (arg_str(r, "name", NULL, &name) || arg_str(r, "spec", NULL, &spec) ||
	    safe_name(r, name))
		return -1;
	snprintf(path, sizeof(path), FI_DIR "/%s", name);
	return write_file(r, path, spec);
}

/* The file's text is returned as is, and "hits" is the number after the
 * word "hits" in it (or its first number). */
static int cmd_fi_hits(struct req *r)
{
	const char *name;
	char path[512], buf[4096];
	ssize_t k;
	int fd;
	char *h, *e;
	long long hits;

	if (arg_str(r, "name", NULL, &name) || safe_name(r, name))
		return -1;
	snprintf(path, sizeof(path), FI_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(r, path);
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k < 0)
		return fail_errno(r, path);
	buf[k] = 0;
	h = strstr(buf, "hits");
	h = h ? h + 4 : buf;
	while (*h && (*h < '0' || *h > '9'))
		h++;
	hits = strtoll(h, &e, 10);
	sb_raw(r->out, ",\"text\":", 8);
	sb_jstr(r->out, buf, (size_t)k);
	if (e != h)
		sb_printf(r->out, ",\"hits\":%lld", hits);
	return 0;
}

static int list_dir(struct req *r, const char *dir);

static int cmd_fi_names(struct req *r)
{
	return list_dir(r, FI_DIR);
}

#include <dirent.h>
static int list_dir(struct req *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return fail_errno(r, dir);
	sb_raw(r->out, ",\"names\":[", 10);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n++)
			sb_raw(r->out, ",", 1);
		sb_jstr(r->out, e->d_name, strlen(e->d_name));
	}
	closedir(d);
	sb_raw(r->out, "]", 1);
	return 0;
}

static int cmd_param_set(struct req *r)
{
	const char *name;
	int64_t v;
	char path[512], val[32];

	if (arg_str(r, "name", NULL, &name) || arg_int(r, "value", 0, &v) ||
	    safe_name(r, name))
		return -1;
	snprintf(path, sizeof(path), PARAM_DIR "/%s", name);
	snprintf(val, sizeof(val), "%lld", (long long)v);
	return write_file(r, path, val);
}

static int cmd_param_get(struct req *r)
{
	const char *name;
	char path[512], buf[64];
	ssize_t k;
	int fd;

	if (arg_str(r, "name", NULL, &name) || safe_name(r, name))
		return -1;
	snprintf(path, sizeof(path), PARAM_DIR "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(r, path);
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k < 0)
		return fail_errno(r, path);
	buf[k] = 0;
	sb_printf(r->out, ",\"value\":%lld", strtoll(buf, NULL, 0));
	return 0;
}

/* Closes every port and packet socket the agent holds. */
static int cmd_reset(struct req *r)
{
	int i, n = 0;

	for (i = 0; i < MAX_PORTS; i++)
		if (ports[i]) {
			port_close(i);
			n++;
		}
	for (i = 0; i < MAX_PKT; i++)
		if (pkts[i].fd > 0) {
			close(pkts[i].fd);
			pkts[i].fd = 0;
		}
	while (n_outside)
		free(outside[--n_outside]);
	arena_pos = 0;
	sb_printf(r->out, ",\"closed\":%d", n);
	return 0;
}

/* ---------------------------------------------------------- dispatch */

static const struct {
	const char *name;
	int (*fn)(struct req *);
} cmds[] = {
	{ "ping", cmd_ping }, { "uname", cmd_uname }, { "exec", cmd_exec },
	{ "dmesg", cmd_dmesg }, { "load", cmd_load }, { "unload", cmd_unload },
	{ "read", cmd_read }, { "write", cmd_write },
	{ "pkt_open", cmd_pkt_open }, { "pkt_send", cmd_pkt_send },
	{ "pkt_recv", cmd_pkt_recv },
	{ "open", cmd_open }, { "send", cmd_send }, { "recv", cmd_recv },
	{ "txsync", cmd_txsync }, { "rxsync", cmd_rxsync },
	{ "ring_state", cmd_ring_state }, { "set_ring", cmd_set_ring },
	{ "slot", cmd_slot }, { "set_slot", cmd_set_slot },
	{ "bound", cmd_bound }, { "close", cmd_close }, { "poll", cmd_poll },
	{ "pools_info", cmd_pools_info },
	{ "fi_arm", cmd_fi_arm }, { "fi_hits", cmd_fi_hits },
	{ "fi_names", cmd_fi_names },
	{ "param_set", cmd_param_set }, { "param_get", cmd_param_get },
	{ "reset", cmd_reset },
};

static void handle(const char *line, size_t len, struct sb *out)
{
	struct jdoc doc;
	const char *perr = NULL, *cmd = NULL;
	struct req r;
	struct jnode *id, *c;
	struct sb body;
	unsigned i;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	sb_init(&body);
	r.out = &body;
	sb_raw(out, "{\"id\":", 6);
	if (json_parse(line, len, &doc, &perr)) {
		sb_raw(out, "null", 4);
		fail(&r, EINVAL, "bad JSON: %s", perr);
		goto done;
	}
	r.j = doc.root;
	id = json_get(doc.root, "id");
	if (id && id->type == J_NUM && id->isint)
		sb_printf(out, "%lld", (long long)id->inum);
	else if (id && id->type == J_STR)
		sb_jstr(out, id->str, id->len);
	else
		sb_raw(out, "null", 4);
	if (doc.root->type != J_OBJ) {
		fail(&r, EINVAL, "a request is a JSON object");
		goto done;
	}
	c = json_get(doc.root, "cmd");
	if (!c || c->type != J_STR) {
		fail(&r, EINVAL, "missing \"cmd\"");
		goto done;
	}
	cmd = c->str;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, cmd))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fail(&r, ENOSYS, "unknown command '%.64s'", cmd);
		goto done;
	}
	rc = cmds[i].fn(&r);
done:
	if (rc == 0 && !body.oom) {
		sb_raw(out, ",\"ok\":true", 10);
		if (body.n)
			sb_raw(out, body.p, body.n);
	} else {
		if (!r.err)
			fail(&r, ENOMEM, "out of memory building the reply");
		sb_raw(out, ",\"ok\":false,\"error\":", 20);
		sb_jstr(out, r.err, strlen(r.err));
		sb_printf(out, ",\"errno\":%d", r.eno);
		/* extra fields set before the failure (option_status) */
		if (body.n && body.p[0] == ',' && !body.oom &&
		    !strncmp(body.p, ",\"option_status\"", 16))
			sb_raw(out, body.p, body.n);
	}
	sb_raw(out, "}\n", 2);
	sb_free(&body);
	json_free(&doc);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && (errno == EINTR || errno == EAGAIN)) {
			if (errno == EAGAIN) {
				struct pollfd pf = { fd, POLLOUT, 0 };

				poll(&pf, 1, 1000);
			}
			continue;
		}
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = argc > 1 ? argv[1] : "/dev/ttyS1";
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	int fd, skipping = 0;
	struct termios t;

	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(dev, "-")) {
		fd = 0;		/* stdin/stdout: for tests on the host */
	} else {
		fd = open(dev, O_RDWR | O_NOCTTY);
		if (fd < 0) {
			perror(dev);
			return 1;
		}
		if (!tcgetattr(fd, &t)) {
			cfmakeraw(&t);
			cfsetispeed(&t, B115200);
			cfsetospeed(&t, B115200);
			tcsetattr(fd, TCSANOW, &t);
		}
		tcflush(fd, TCIFLUSH);
	}
	if (!buf)
		return 1;
	/* a hello line, so the host sees a (re)start */
	{
		static const char hello[] =
			"{\"id\":null,\"ok\":true,\"hello\":\"nmtb-agent\"}\n";

		write_all(fd ? fd : 1, hello, strlen(hello));
	}
	for (;;) {
		ssize_t k;
		char *nl;

		if (n == cap) {
			if (cap >= MAX_LINE) {
				/* drop an overlong line, then answer it */
				n = 0;
				skipping = 1;
			} else {
				char *nb = realloc(buf, cap * 2);

				if (!nb) {
					n = 0;
					skipping = 1;
				} else {
					buf = nb;
					cap *= 2;
				}
			}
		}
		k = read(fd, buf + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			free(buf);
			return k < 0 ? 1 : 0;
		}
		n += (size_t)k;
		while ((nl = memchr(buf, '\n', n))) {
			size_t len = (size_t)(nl - buf), rest;
			struct sb out;

			sb_init(&out);
			if (skipping) {
				sb_printf(&out, "{\"id\":null,\"ok\":false,"
					  "\"error\":\"line too long\","
					  "\"errno\":%d}\n", E2BIG);
				skipping = 0;
			} else {
				while (len && buf[len - 1] == '\r')
					len--;
				if (len)
					handle(buf, len, &out);
			}
			if (out.n && write_all(fd ? fd : 1, out.p, out.n))
				return 1;
			sb_free(&out);
			rest = n - (size_t)(nl - buf) - 1;
			memmove(buf, nl + 1, rest);
			n = rest;
		}
	}
}
