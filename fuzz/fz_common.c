/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared parts of the control-ABI fuzz targets; see fz_common.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#include "fz_common.h"

/*
 * Buffers in the global allocator.  Few, so that a request for 2^32 extra
 * buffers or a null port with big rings costs microseconds, and running
 * out of buffers (ENOMEM, with its unwinding) is easy to reach: a null
 * port with the default 1024 slots does not fit, nor two rings of 128.
 * The NICs below need 64, 48 and 40 buffers when fully bound.
 */
#define FZ_BUF_NUM	256

/*
 * Small NICs: each slot of a bound ring takes a buffer at REGISTER and
 * gives it back at close; small rings keep that work and the buffer
 * budget small.  Ring counts differ so ringids and modes can miss.
 */
const struct fz_nic fz_nics[] = {
	{ "sim0", 1, 16 },
	{ "sim1", 2, 8 },
	{ "sim2", 4, 4 },
};
const unsigned int fz_nnics = sizeof(fz_nics) / sizeof(fz_nics[0]);

/*
 * Names an input picks by index: the sim NICs, names that exist nowhere,
 * VALE and pipe syntax (not built yet: ENXIO), user-library syntax the
 * kernel never sees, and limits of the 16 and 64 byte fields.
 */
static const char *const fz_names[] = {
	"sim0", "sim1", "sim2", "", "sim3", "eth0", "valeX:y", "vale0:sim0",
	"sim0{1", "sim1}0", "netmap:sim0", "sim0^", "sim", "sim00",
	"sim0-0", "0123456789abcde",
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
};
#define FZ_NNAMES	(sizeof(fz_names) / sizeof(fz_names[0]))

uint8_t *fz_arena;
uint8_t fz_snap[FZ_ARENA_SIZE];

struct fz_counts fz_base;
struct nmreq_pools_info fz_pools;
int fz_fd[FZ_NFD];
bool fz_reg[FZ_NFD];
bool fz_pools_touched;
struct fz_regi fz_regi[FZ_NFD];
static uint8_t *fz_bufseen;	/* one byte per buffer, for fz_validate() */

static int fz_keep_fd = -1;	/* keeps the global allocator finalized */
bool fz_trace;

void fz_fail(const char *file, int line, const char *cond, const char *fmt,
	     ...)
{
	va_list ap;

	fprintf(stderr, "\n==FUZZ INVARIANT== %s:%d: %s\n  ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	__builtin_trap();
}

/*
 * A smaller quarantine than ASan's 256 MB: the core allocates ~10 KB per
 * NIOCCTRL, and cycling through 256 MB of them costs a page fault per
 * request; 16 MB still holds thousands of requests' worth of freed memory.
 * ASAN_OPTIONS in the environment still overrides this.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=16";
}

static void fz_die(const char *what)
{
	fprintf(stderr, "fuzz set-up: %s: %s\n", what, strerror(errno));
	abort();
}

FZ_NOCOV void fz_arena_compare(const char *what)
{
	size_t i;

	if (!memcmp(fz_arena, fz_snap, FZ_ARENA_SIZE))
		return;
	for (i = 0; i < FZ_ARENA_SIZE; i++)
		if (fz_arena[i] != fz_snap[i])
			break;
	fz_fail(__FILE__, __LINE__, "arena == expected",
		"%s: arena offset 0x%zx is 0x%02x, expected 0x%02x", what, i,
		fz_arena[i], fz_snap[i]);
}

/* ------------------------------------------------------------------ */
/* names and NICs                                                      */
/* ------------------------------------------------------------------ */

const struct fz_nic *fz_nic_find(const char *name, size_t size)
{
	unsigned int i;

	if (!memchr(name, '\0', size))
		return NULL;
	for (i = 0; i < fz_nnics; i++)
		if (!strcmp(name, fz_nics[i].name))
			return &fz_nics[i];
	return NULL;
}

/*
 * sel < 0xf0: a dictionary name (truncated to size bytes, NUL included
 * when it fits); 0xf0..0xfe: a length byte and that many raw bytes; 0xff:
 * size raw bytes, so possibly no NUL at all.  dst is zero on entry.
 */
void fz_put_name(struct fz_in *in, char *dst, size_t size)
{
	uint8_t sel = fz_u8(in);

	if (sel == 0xff) {
		fz_bytes(in, dst, size);
	} else if (sel >= 0xf0) {
		size_t len = fz_u8(in);

		fz_bytes(in, dst, len < size ? len : size);
	} else {
		const char *n = fz_names[sel % FZ_NNAMES];
		size_t len = strlen(n);

		memcpy(dst, n, len < size ? len : size);
	}
}

/* ------------------------------------------------------------------ */
/* counters                                                            */
/* ------------------------------------------------------------------ */

void fz_counts_get(struct fz_counts *c)
{
	int p;

	c->live = nmsim_live_objects();
	for (p = 0; p < 3; p++)
		c->pool[p] = nmsim_mem_free_objects(1, p);
}

bool fz_counts_eq(const struct fz_counts *a, const struct fz_counts *b)
{
	return a->live == b->live && a->pool[0] == b->pool[0] &&
	       a->pool[1] == b->pool[1] && a->pool[2] == b->pool[2];
}

void fz_counts_expect(const struct fz_counts *c, const char *what)
{
	struct fz_counts now;

	fz_counts_get(&now);
	FZ_CHECK(fz_counts_eq(&now, c),
		 "%s: live %ld free if/ring/buf %ld/%ld/%ld, expected "
		 "%ld %ld/%ld/%ld", what, now.live, now.pool[0], now.pool[1],
		 now.pool[2], c->live, c->pool[0], c->pool[1], c->pool[2]);
}

void fz_live_expect(long live, const char *what)
{
	long now = nmsim_live_objects();

	FZ_CHECK(now == live, "%s: %ld kernel objects alive, expected %ld",
		 what, now, live);
}

/* ------------------------------------------------------------------ */
/* descriptors and set-up                                              */
/* ------------------------------------------------------------------ */

void fz_fd_reset(int i)
{
	if (fz_reg[i])
		fz_pools_touched = true;
	fz_regi[i].valid = false;
	if (nmsim_close(fz_fd[i]))
		fz_die("nmsim_close");
	fz_fd[i] = nmsim_open();
	if (fz_fd[i] < 0)
		fz_die("nmsim_open");
	fz_reg[i] = false;
}

/* A NIOCCTRL request from the arena, for the set-up itself. */
static int fz_setup_ctrl(int fd, const char *name, uint16_t type, void *body,
			 size_t bodysz)
{
	struct nmreq_header *h = (struct nmreq_header *)fz_arena;
	uint8_t *b = fz_arena + 256;

	memset(fz_arena, 0, 512);
	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	snprintf(h->nr_name, sizeof(h->nr_name), "%s", name);
	memcpy(b, body, bodysz);
	h->nr_body = (uint64_t)(uintptr_t)b;
	if (nmsim_ioctl(fd, NIOCCTRL, h))
		return errno;
	memcpy(body, b, bodysz);
	memset(fz_arena, 0, 512);
	return 0;
}

void fz_setup(void)
{
	struct nmreq_register reg;
	unsigned int i;
	void *p;
	int err;

	fz_trace = getenv("NMFUZZ_TRACE") != NULL;
	if (getenv("NMSIM_FI"))
		fprintf(stderr, "fuzz set-up: ignoring NMSIM_FI: the checks "
			"assume no fault point fires\n");
	/* quiet unless the user asks otherwise; read at the first call */
	setenv("NMSIM_LOG", "0", 0);
	if (nmsim_param_set("buf_num", FZ_BUF_NUM))
		fz_die("buf_num");
	/*
	 * A VALE port asked for 16 rings of 65536 slots populates buffers
	 * until the memory cap says ENOMEM: keep that well under libFuzzer's
	 * 2 GB rss limit (ASan's shadow comes on top).
	 */
	if (nmsim_param_set("mem_max_mb", FZ_MEM_MAX_MB))
		fz_die("mem_max_mb");
	for (i = 0; i < fz_nnics; i++)
		if (nmsim_nic_create(fz_nics[i].name, fz_nics[i].rings,
				     fz_nics[i].slots))
			fz_die(fz_nics[i].name);

	p = mmap((void *)(uintptr_t)FZ_ARENA_ADDR, FZ_ARENA_SIZE,
		 PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)(uintptr_t)FZ_ARENA_ADDR) {
		fprintf(stderr, "fuzz set-up: arena not at 0x%llx; raw "
			"pointers in inputs will not reproduce\n",
			FZ_ARENA_ADDR);
		if (p != MAP_FAILED)
			munmap(p, FZ_ARENA_SIZE);
		p = mmap(NULL, FZ_ARENA_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			fz_die("arena");
	}
	fz_arena = p;
	nmsim_user_restrict(fz_arena, FZ_ARENA_SIZE);

	/* a null port on the global allocator, open for the whole run */
	fz_keep_fd = nmsim_open();
	if (fz_keep_fd < 0)
		fz_die("nmsim_open");
	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = NR_REG_NULL;
	reg.nr_mem_id = 1;
	reg.nr_tx_rings = reg.nr_rx_rings = 1;
	reg.nr_tx_slots = reg.nr_rx_slots = 4;
	err = fz_setup_ctrl(fz_keep_fd, "fz-keep", NETMAP_REQ_REGISTER, &reg,
			    sizeof(reg));
	if (err) {
		errno = err;
		fz_die("REGISTER of the keep-alive null port");
	}
	memset(&fz_pools, 0, sizeof(fz_pools));
	err = fz_setup_ctrl(fz_keep_fd, "", NETMAP_REQ_POOLS_INFO_GET,
			    &fz_pools, sizeof(fz_pools));
	if (err) {
		errno = err;
		fz_die("POOLS_INFO_GET");
	}
	if (fz_pools.nr_mem_id != 1 || fz_pools.nr_memsize != reg.nr_memsize) {
		errno = EPROTO;
		fz_die("global allocator reply");
	}
	fz_bufseen = calloc(fz_pools.nr_buf_pool_objtotal, 1);
	if (!fz_bufseen)
		fz_die("calloc");
	nmsim_fi_disarm_all();
	for (i = 0; i < FZ_NFD; i++) {
		fz_fd[i] = nmsim_open();
		if (fz_fd[i] < 0)
			fz_die("nmsim_open");
	}
	fz_counts_get(&fz_base);
}

/* ------------------------------------------------------------------ */
/* data path and end of input                                          */
/* ------------------------------------------------------------------ */

/* ------------------------------------------------------------------ */
/* what a registration binds                                           */
/* ------------------------------------------------------------------ */

/*
 * The rings of kind t a registration binds, [*first, *last), among nr
 * NIC and nh host rings (netmap's modes; ONE_NIC and ONE_SW take ring 0
 * in a direction with fewer rings than the ringid).
 */
static void fz_bound(const struct fz_regi *ri, int t, uint32_t nr,
		     uint32_t nh, uint32_t *first, uint32_t *last)
{
	uint64_t other_only = t == NR_TX ? NR_RX_RINGS_ONLY : NR_TX_RINGS_ONLY;
	uint32_t j;

	*first = *last = 0;
	if (ri->flags & other_only)
		return;
	switch (ri->mode) {
	case NR_REG_ALL_NIC:
	case NR_REG_NULL:
		*last = nr;
		break;
	case NR_REG_SW:
		*first = nr;
		*last = nr + nh;
		break;
	case NR_REG_NIC_SW:
		*last = nr + nh;
		break;
	case NR_REG_ONE_NIC:
		j = ri->ringid < nr ? ri->ringid : 0;
		*first = j;
		*last = nr ? j + 1 : j;
		break;
	case NR_REG_ONE_SW:
		j = ri->ringid < nh ? ri->ringid : 0;
		*first = nr + j;
		*last = nh ? nr + j + 1 : nr + j;
		break;
	}
}

static const char *fz_txrx(uint32_t t)
{
	return t == NR_TX ? "tx" : "rx";
}

/* A buffer index a ring or the extra list may hold, seen once. */
static void fz_buf_take(uint32_t idx, const char *where, uint32_t k)
{
	FZ_CHECK(idx >= 2 && idx < fz_pools.nr_buf_pool_objtotal,
		 "%s %u: buffer index %u", where, k, idx);
	FZ_CHECK(!fz_bufseen[idx], "%s %u: buffer %u handed out twice",
		 where, k, idx);
	fz_bufseen[idx] = 1;
}

static void fz_check_ring(const struct netmap_if *nifp, const char *base,
			  const struct fz_regi *ri, uint32_t t, uint32_t k,
			  ssize_t ofs)
{
	const char *lo = base + fz_pools.nr_ring_pool_offset;
	const char *hi = lo + (uint64_t)fz_pools.nr_ring_pool_objtotal *
			 fz_pools.nr_ring_pool_objsize;
	const struct netmap_ring *ring =
		(const struct netmap_ring *)((const char *)nifp + ofs);
	uint32_t n, want, j;

	FZ_CHECK((const char *)ring >= lo &&
		 (const char *)ring + sizeof(*ring) <= hi,
		 "%s ring %u at offset %zd: outside the ring pool",
		 fz_txrx(t), k, ofs);
	n = ring->num_slots;
	want = t == NR_TX ? ri->reply.nr_tx_slots : ri->reply.nr_rx_slots;
	FZ_CHECK(n == want && (const char *)&ring->slot[n] <= hi,
		 "%s ring %u: %u slots, expected %u", fz_txrx(t), k, n, want);
	FZ_CHECK(ring->dir == t && ring->ringid == k,
		 "%s ring %u: dir %u ringid %u", fz_txrx(t), k, ring->dir,
		 ring->ringid);
	FZ_CHECK(ring->nr_buf_size == fz_pools.nr_buf_pool_objsize &&
		 (const char *)ring + ring->buf_ofs ==
		 base + fz_pools.nr_buf_pool_offset,
		 "%s ring %u: buffers at %lld, size %u", fz_txrx(t), k,
		 (long long)ring->buf_ofs, ring->nr_buf_size);
	FZ_CHECK(ring->head < n && ring->cur < n && ring->tail < n,
		 "%s ring %u: head %u cur %u tail %u of %u", fz_txrx(t), k,
		 ring->head, ring->cur, ring->tail, n);
	for (j = 0; j < n; j++) {
		fz_buf_take(ring->slot[j].buf_idx, "slot", j);
		FZ_CHECK(ring->slot[j].len <= ring->nr_buf_size,
			 "%s ring %u slot %u: len %u", fz_txrx(t), k, j,
			 ring->slot[j].len);
	}
}

void fz_validate(int i)
{
	const struct fz_regi *ri = &fz_regi[i];
	uint64_t memsize = fz_pools.nr_memsize;
	const struct netmap_if *nifp;
	uint32_t nr[2], nh[2], nh_if[2], t, k, idx, n;
	const char *base, *bufs;
	struct fz_counts c;
	size_t ifsize;

	if (!fz_reg[i] || !ri->valid)
		return;
	fz_counts_get(&c);
	base = nmsim_mmap(fz_fd[i], memsize);
	FZ_CHECK(base != MAP_FAILED, "mmap of %llu bytes: errno %d",
		 (unsigned long long)memsize, errno);
	nifp = (const struct netmap_if *)(base + ri->reply.nr_offset);
	memset(fz_bufseen, 0, fz_pools.nr_buf_pool_objtotal);

	FZ_CHECK(nifp->ni_version == NETMAP_API, "ni_version %u",
		 nifp->ni_version);
	n = (uint32_t)strnlen(ri->name, sizeof(nifp->ni_name) - 1);
	/*
	 * The port's name, or a port named after it: a pipe end (the legacy
	 * pipe modes append "{N" / "}N") or a monitor ("/t", "/r", ...).
	 */
	FZ_CHECK(!memcmp(nifp->ni_name, ri->name, n) &&
		 (nifp->ni_name[n] == '\0' || nifp->ni_name[n] == '{' ||
		  nifp->ni_name[n] == '}' || nifp->ni_name[n] == '/'),
		 "ni_name \"%.16s\" for \"%s\"", nifp->ni_name, ri->name);
	nr[NR_TX] = nifp->ni_tx_rings;
	nr[NR_RX] = nifp->ni_rx_rings;
	nh_if[NR_TX] = nifp->ni_host_tx_rings;
	nh_if[NR_RX] = nifp->ni_host_rx_rings;
	FZ_CHECK(nr[NR_TX] == ri->reply.nr_tx_rings &&
		 nr[NR_RX] == ri->reply.nr_rx_rings,
		 "netmap_if has %u/%u rings, the reply said %u/%u",
		 nr[NR_TX], nr[NR_RX], ri->reply.nr_tx_rings,
		 ri->reply.nr_rx_rings);
	for (t = 0; t < 2; t++) {
		if (ri->host_known) {
			nh[t] = t == NR_TX ? ri->reply.nr_host_tx_rings
					   : ri->reply.nr_host_rx_rings;
			FZ_CHECK(nh_if[t] == (nh[t] ? nh[t] : 1),
				 "ni_host_%s_rings %u for %u host rings",
				 fz_txrx(t), nh_if[t], nh[t]);
		} else {
			nh[t] = ri->mode == NR_REG_NULL ? 0 : nh_if[t];
		}
	}
	ifsize = sizeof(*nifp) + sizeof(nifp->ring_ofs[0]) *
		 (nr[0] + nh_if[0] + nr[1] + nh_if[1]);
	FZ_CHECK(ifsize <= fz_pools.nr_if_pool_objsize,
		 "netmap_if of %zu bytes in %u-byte objects", ifsize,
		 fz_pools.nr_if_pool_objsize);

	for (t = 0; t < 2; t++) {
		uint32_t first, last, at = t == NR_TX ? 0 : nr[0] + nh_if[0];

		fz_bound(ri, (int)t, nr[t], nh[t], &first, &last);
		for (k = 0; k < nr[t] + nh_if[t]; k++) {
			ssize_t ofs = nifp->ring_ofs[at + k];
			bool bound = k >= first && k < last;

			FZ_CHECK((ofs != 0) == bound, "mode %u ringid %u flags "
				 "0x%llx: %s ring %u %s", ri->mode, ri->ringid,
				 (unsigned long long)ri->flags, fz_txrx(t), k,
				 bound ? "not bound" : "bound");
			if (bound)
				fz_check_ring(nifp, base, ri, t, k, ofs);
		}
	}

	/* the extra buffers: a list through their first 4 bytes */
	bufs = base + fz_pools.nr_buf_pool_offset;
	n = 0;
	for (idx = nifp->ni_bufs_head; idx; n++) {
		FZ_CHECK(n < ri->reply.nr_extra_bufs,
			 "extra buffer list longer than the %u granted",
			 ri->reply.nr_extra_bufs);
		fz_buf_take(idx, "extra buffer", n);
		memcpy(&idx, bufs + (size_t)idx * fz_pools.nr_buf_pool_objsize,
		       sizeof(idx));
	}
	FZ_CHECK(n == (ri->extra_asked ? ri->reply.nr_extra_bufs : 0),
		 "%u extra buffers in the list, %u granted", n,
		 ri->reply.nr_extra_bufs);

	FZ_CHECK(nmsim_munmap((void *)base, memsize) == 0, "munmap: errno %d",
		 errno);
	fz_counts_expect(&c, "mmap and munmap");
	if (fz_trace)
		fprintf(stderr, "fz: fd%d validated: mode %u ringid %u rings "
			"%u+%u/%u+%u, %u extra buffers\n", i, ri->mode,
			ri->ringid, nr[0], nh[0], nr[1], nh[1], n);
}

static unsigned int fz_vale_nnewif, fz_vale_nattach;

void fz_data_op(int kind, int i, struct fz_in *in)
{
	long live;
	struct pollfd pfd;
	int r, err;

	if (kind & FZ_OP_VALIDATE)
		fz_validate(i);
	kind &= 7;
	live = nmsim_live_objects();
	switch (kind) {
	case FZ_OP_TXSYNC:
	case FZ_OP_RXSYNC:
		r = nmsim_ioctl(fz_fd[i], kind == FZ_OP_TXSYNC ? NIOCTXSYNC
							       : NIOCRXSYNC,
				NULL);
		err = r ? errno : 0;
		FZ_CHECK(r == 0 || r == -1, "sync returned %d", r);
		/* no fault point is armed: a bound ring always syncs */
		FZ_CHECK(err == (fz_reg[i] ? 0 : ENXIO),
			 "%s on a%s registered fd: errno %d",
			 kind == FZ_OP_TXSYNC ? "TXSYNC" : "RXSYNC",
			 fz_reg[i] ? "" : "n un", err);
		if (fz_trace)
			fprintf(stderr, "fz: fd%d %s -> %d\n", i,
				kind == FZ_OP_TXSYNC ? "TXSYNC" : "RXSYNC",
				err);
		fz_live_expect(live, "sync");
		break;
	case FZ_OP_POLL:
		r = fz_u8(in);
		pfd.fd = fz_fd[i];
		pfd.events = (short)((r & 1 ? POLLIN : 0) |
				     (r & 2 ? POLLOUT : 0) |
				     (r & 4 ? POLLRDNORM : 0) |
				     (r & 8 ? POLLWRNORM : 0));
		pfd.revents = 0;
		r = nmsim_poll(&pfd, 1, 0);
		FZ_CHECK(r == 0 || r == 1, "poll returned %d", r);
		FZ_CHECK((r == 1) == (pfd.revents != 0),
			 "poll returned %d with revents 0x%x", r, pfd.revents);
		FZ_CHECK(!(pfd.revents & ~(pfd.events | POLLERR)),
			 "poll revents 0x%x for events 0x%x", pfd.revents,
			 pfd.events);
		FZ_CHECK(fz_reg[i] || pfd.revents == POLLERR,
			 "poll on an unregistered fd: revents 0x%x",
			 pfd.revents);
		if (fz_trace)
			fprintf(stderr, "fz: fd%d poll 0x%x -> %d revents "
				"0x%x\n", i, pfd.events, r, pfd.revents);
		fz_live_expect(live, "poll");
		break;
	case FZ_OP_CLOSE:
		if (fz_trace)
			fprintf(stderr, "fz: fd%d close\n", i);
		fz_fd_reset(i);
		if (!fz_reg[0] && !fz_reg[1] && !fz_vale_nnewif &&
		    !fz_vale_nattach)
			fz_counts_expect(&fz_base, "close");
		break;
	}
}

/*
 * Pool objects change hands only at REGISTER and at the close of a
 * registered descriptor, and both are checked where they happen; so the
 * pool counts are compared here after those (and every 64th input, in
 * case something else ever takes pool objects), the object count always.
 */
#define FZ_VALE_MAX	16

static char fz_vale_newif[FZ_VALE_MAX][NETMAP_REQ_IFNAMSIZ];
static char fz_vale_attach[FZ_VALE_MAX][NETMAP_REQ_IFNAMSIZ];

static void fz_vale_note(char (*tab)[NETMAP_REQ_IFNAMSIZ], unsigned int *n,
			 const char *name)
{
	if (*n < FZ_VALE_MAX) {
		memset(tab[*n], 0, NETMAP_REQ_IFNAMSIZ);
		strncpy(tab[*n], name, NETMAP_REQ_IFNAMSIZ - 1);
		(*n)++;
	}
}

void fz_vale_note_newif(const char *name)
{
	fz_vale_note(fz_vale_newif, &fz_vale_nnewif, name);
}

void fz_vale_note_attach(const char *name)
{
	fz_vale_note(fz_vale_attach, &fz_vale_nattach, name);
}

static void fz_vale_req(int fd, const char *name, uint16_t type, void *body)
{
	struct nmreq_header h;

	memset(&h, 0, sizeof(h));
	h.nr_version = NETMAP_API;
	h.nr_reqtype = type;
	strncpy(h.nr_name, name, sizeof(h.nr_name) - 1);
	h.nr_body = (uintptr_t)body;
	/* gone already is fine too */
	if (nmsim_ioctl(fd, NIOCCTRL, &h) && fz_trace)
		fprintf(stderr, "fz: VALE cleanup %u \"%s\": errno %d\n", type,
			name, errno);
}

/* Detach what was attached, then delete the persistent ports. */
static void fz_vale_cleanup(void)
{
	struct nmreq_vale_detach d;
	unsigned int i;
	int fd;

	if (!fz_vale_nnewif && !fz_vale_nattach)
		return;
	fd = nmsim_open();
	nmsim_user_restrict(NULL, 0);	/* our requests live on the stack */
	for (i = fz_vale_nattach; i-- > 0;) {
		memset(&d, 0, sizeof(d));
		fz_vale_req(fd, fz_vale_attach[i], NETMAP_REQ_VALE_DETACH, &d);
	}
	for (i = 0; i < fz_vale_nnewif; i++)
		fz_vale_req(fd, fz_vale_newif[i], NETMAP_REQ_VALE_DELIF, NULL);
	nmsim_user_restrict(fz_arena, FZ_ARENA_SIZE);
	nmsim_close(fd);
	fz_vale_nnewif = fz_vale_nattach = 0;
}

void fz_end_input(void)
{
	static unsigned int n;
	int i;

	for (i = 0; i < FZ_NFD; i++)
		if (fz_reg[i])
			fz_fd_reset(i);
	fz_vale_cleanup();
	if (fz_pools_touched || (++n & 63) == 0)
		fz_counts_expect(&fz_base, "end of input (leak)");
	else
		fz_live_expect(fz_base.live, "end of input (leak)");
	fz_pools_touched = false;
}

void fz_check_geometry(const char *name, size_t size, uint32_t tx_slots,
		       uint32_t rx_slots, uint16_t tx_rings,
		       uint16_t rx_rings)
{
	const struct fz_nic *nic = fz_nic_find(name, size);

	if (!nic)
		return;
	FZ_CHECK(tx_rings == nic->rings && rx_rings == nic->rings &&
		 tx_slots == nic->slots && rx_slots == nic->slots,
		 "%s reported %ux%u tx %ux%u rx, is %ux%u", nic->name,
		 tx_rings, tx_slots, rx_rings, rx_slots, nic->rings,
		 nic->slots);
}
