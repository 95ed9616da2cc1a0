/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: arbitrary ring and slot contents (indices, lengths,
 * flags, offsets, head/cur/tail) pushed through txsync/rxsync/poll on the
 * port types that move buffers: a sim NIC (with its host rings), a null
 * port, a VALE port pair, a pipe pair and a monitor of a sim NIC.
 *
 * Input: u8 port type (mod 5: 0 NIC "sim0" NIC+host rings, 1 null port in
 * the global allocator, 2 "vale0:a" + "vale0:b", 3 "sim0{1" + "sim0}1",
 * 4 "sim0" + a tx/rx monitor of it), then at most SL_MAX_OPS operations,
 * each a code byte: bits 0-2 the kind, bit 3 the descriptor (of a pair),
 * and its arguments:
 *   0 SLOT   u8 ring, u8 slot, u8 mask: bit 0 buf_idx (u8 mode: 0 raw
 *            u32, 1 another slot's index (u8), 2 index 0 or 1, 3 just
 *            past the pool (+u8), 4 the next index), bit 1 len (u16),
 *            bit 2 flags (u16), bit 3 ptr (u64)
 *   1 RING   u8 ring, u8 mask (bit 0 head, 1 cur, 2 tail), each: u8
 *            mode (0 raw u32, 1 cur + s8 mod n, 2 tail, 3 num_slots)
 *   2 SEND   u8 tx ring, u8 count, u16 length: frames the proper way
 *   3 RECV   u8 rx ring, u8 count: release received slots properly
 *   4 TXSYNC 5 RXSYNC 6 POLL (u8 events) 7 TXSYNC then RXSYNC
 * "ring" picks among all rings (tx then rx, host rings included).
 * Port types that do not exist in a build (ENXIO) end the input early.
 *
 * After every sync or poll, on the rings of the descriptor it ran on:
 * head, cur and tail are below num_slots and tail is the kernel's
 * hwtail; a ring the kernel reinitialised has head = cur = hwcur and
 * only index 0 or valid buffer indices and lengths; slots the kernel
 * gave the user (rx, old tail up to the new one) hold valid buffers with
 * len <= buffer size unless the input wrote that slot since the last
 * reinit; clean slots of all rings of the input's ports hold distinct
 * buffers (for pipes only until the input swaps a written index: pipes
 * move indices and the kernel does not own-check them, as netmap's);
 * buffers in clean tx slots, and in clean rx slots the user holds, keep
 * their first and last 64 bytes (the kernel writes neither: an overrun
 * of a neighbouring buffer lands there); the user arena around the requests
 * keeps its canary.  Kernel writes outside the pool clusters hit the
 * guard pages of fuzz builds (nm_os_sim.c); heap ones are ASan's.  At the
 * end of an input nothing leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "fz_common.h"
#include <net/netmap_user.h>

#define SL_MAX_OPS	24
#define SL_NPORT	2
#define SL_MAX_RINGS	16
#define SL_MAX_SLOTS	1024	/* larger rings are not tracked */
#define SL_EDGE		64	/* bytes checked at each end of tx buffers */

/* Arena: canary page, request page (user memory), canary page. */
#define SL_PAGE		4096u
static uint8_t *sl_arena;

struct sl_ring {
	struct netmap_ring *r;
	int		t;		/* NR_TX / NR_RX */
	unsigned int	k;		/* kring index */
	uint8_t		dirty[SL_MAX_SLOTS];	/* written by the input */
	uint64_t	edge[SL_MAX_SLOTS];	/* tx: hash of the buffer edges */
	uint32_t	eidx[SL_MAX_SLOTS];	/* tx: index hashed */
};

struct sl_port {
	int		fd;
	char		*mem;
	uint64_t	memsize;
	uint16_t	mem_id;
	uint32_t	nbufs, bufsize;
	struct netmap_if *nifp;
	unsigned int	nrings;
	struct sl_ring	rings[SL_MAX_RINGS];
};

static struct sl_port sl_ports[SL_NPORT];
static unsigned int sl_nports;
static bool sl_zero_copy;	/* pipes: indices move between ports */
static bool sl_dup_ok;		/* a written index may have been moved */
static long sl_live0;
/* per buffer index of one allocator: in a clean slot, in a written one */
static uint8_t *sl_seen, *sl_dirt;
#define SL_SEEN_N	(1u << 16)

static const uint8_t sl_canary[SL_PAGE] = { [0 ... SL_PAGE - 1] = 0xa5 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("NMSIM_LOG", "-1", 0);
	if (nmsim_param_set("buf_num", 1024) ||
	    nmsim_param_set("mem_max_mb", FZ_MEM_MAX_MB) ||
	    nmsim_nic_create("sim0", 2, 32)) {
		fprintf(stderr, "slots: set-up failed: %s\n", strerror(errno));
		abort();
	}
	sl_arena = mmap(NULL, 3 * SL_PAGE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sl_arena == MAP_FAILED)
		abort();
	memset(sl_arena, 0xa5, 3 * SL_PAGE);
	nmsim_user_restrict(sl_arena + SL_PAGE, SL_PAGE);
	sl_live0 = nmsim_live_objects();
	sl_seen = calloc(1, SL_SEEN_N);
	sl_dirt = calloc(1, SL_SEEN_N);
	if (!sl_seen || !sl_dirt)
		abort();
	sl_ports[0].fd = sl_ports[1].fd = -1;
	return 0;
}

static void sl_canary_check(const char *what)
{
	FZ_CHECK(!memcmp(sl_arena, sl_canary, SL_PAGE) &&
		 !memcmp(sl_arena + 2 * SL_PAGE, sl_canary, SL_PAGE),
		 "%s: the canary around the user arena changed", what);
}

/* NIOCCTRL with the header and body in the user arena. */
static int sl_ctrl(int fd, const char *name, uint16_t type, void *body,
		   size_t len)
{
	struct nmreq_header *h = (struct nmreq_header *)(sl_arena + SL_PAGE);
	uint8_t *b = sl_arena + SL_PAGE + 256;
	int err = 0;

	memset(sl_arena + SL_PAGE, 0, SL_PAGE);
	h->nr_version = NETMAP_API;
	h->nr_reqtype = type;
	snprintf(h->nr_name, sizeof(h->nr_name), "%s", name);
	memcpy(b, body, len);
	h->nr_body = (uint64_t)(uintptr_t)b;
	if (nmsim_ioctl(fd, NIOCCTRL, h))
		err = errno;
	else
		memcpy(body, b, len);
	sl_canary_check("NIOCCTRL");
	return err;
}

static int sl_open(struct sl_port *p, const char *name, uint32_t mode,
		   uint64_t flags, uint32_t slots)
{
	struct nmreq_register reg;
	struct nmreq_pools_info pi;
	unsigned int t, k, n, at;
	int err;

	/* the per-slot arrays are big: cleared per ring below */
	memset(p, 0, offsetof(struct sl_port, rings));
	p->fd = nmsim_open();
	FZ_CHECK(p->fd >= 0, "nmsim_open: errno %d", errno);
	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = mode;
	reg.nr_flags = flags;
	reg.nr_mem_id = mode == NR_REG_NULL ? 1 : 0;
	reg.nr_tx_slots = reg.nr_rx_slots = slots;
	reg.nr_tx_rings = reg.nr_rx_rings = mode == NR_REG_NULL ? 1 : 0;
	err = sl_ctrl(p->fd, name, NETMAP_REQ_REGISTER, &reg, sizeof(reg));
	if (err)
		goto fail;
	memset(&pi, 0, sizeof(pi));
	pi.nr_mem_id = reg.nr_mem_id;
	err = sl_ctrl(p->fd, "", NETMAP_REQ_POOLS_INFO_GET, &pi, sizeof(pi));
	FZ_CHECK(!err, "POOLS_INFO_GET of mem %u: %d", reg.nr_mem_id, err);
	p->memsize = reg.nr_memsize;
	p->mem_id = reg.nr_mem_id;
	p->nbufs = pi.nr_buf_pool_objtotal;
	p->bufsize = pi.nr_buf_pool_objsize;
	p->mem = nmsim_mmap(p->fd, p->memsize);
	FZ_CHECK(p->mem != MAP_FAILED, "mmap: errno %d", errno);
	p->nifp = NETMAP_IF(p->mem, reg.nr_offset);
	for (t = 0, at = 0; t < 2; t++) {
		n = t == NR_TX ? p->nifp->ni_tx_rings + p->nifp->ni_host_tx_rings
			       : p->nifp->ni_rx_rings + p->nifp->ni_host_rx_rings;
		for (k = 0; k < n; k++, at++) {
			struct sl_ring *sr;
			ssize_t ofs = p->nifp->ring_ofs[at];

			if (!ofs || p->nrings == SL_MAX_RINGS)
				continue;
			sr = &p->rings[p->nrings];
			sr->r = (struct netmap_ring *)((char *)p->nifp + ofs);
			sr->t = (int)t;
			sr->k = k;
			if (sr->r->num_slots > SL_MAX_SLOTS)
				continue;
			memset(sr->dirty, 0, sr->r->num_slots);
			memset(sr->eidx, 0, sizeof(sr->eidx[0]) *
			       sr->r->num_slots);
			p->nrings++;
		}
	}
	return 0;
fail:
	nmsim_close(p->fd);
	p->fd = -1;
	return err;
}

static void sl_close(struct sl_port *p)
{
	if (p->fd < 0)
		return;
	if (p->mem)
		FZ_CHECK(!nmsim_munmap(p->mem, p->memsize), "munmap: %d",
			 errno);
	nmsim_close(p->fd);
	p->fd = -1;
}

static FZ_NOCOV uint64_t sl_hash(const uint8_t *b, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static char *sl_buf(struct sl_port *p, struct sl_ring *sr, uint32_t idx)
{
	return NETMAP_BUF(sr->r, idx);
}

static FZ_NOCOV uint64_t sl_edges(struct sl_port *p, struct sl_ring *sr,
				  uint32_t idx)
{
	const uint8_t *b = (const uint8_t *)sl_buf(p, sr, idx);

	return sl_hash(b + p->bufsize - SL_EDGE, SL_EDGE,
		       sl_hash(b, SL_EDGE, 0xcbf29ce484222325ULL));
}

static bool sl_idx_ok(struct sl_port *p, uint32_t idx)
{
	return idx >= 2 && idx < p->nbufs;
}

/* x in the circular interval [a, b) of a ring of n slots */
static bool sl_in(uint32_t a, uint32_t b, uint32_t x)
{
	return a <= b ? (x >= a && x < b) : (x >= a || x < b);
}

/*
 * Before a sync: remember the edges of the buffers the kernel must not
 * write, those of clean tx slots and of clean rx slots the user still
 * holds (delivered and not released by the head the sync will read).
 */
static void sl_snap(struct sl_port *p)
{
	struct nmsim_kring_state ks;
	unsigned int i, j;

	for (i = 0; i < p->nrings; i++) {
		struct sl_ring *sr = &p->rings[i];
		uint32_t n = sr->r->num_slots, head = sr->r->head;
		bool held = false;

		if (sr->t == NR_RX) {
			FZ_CHECK(!nmsim_kring_state(p->fd, sr->t, sr->k, &ks),
				 "kring state: errno %d", errno);
			held = head < n && (sl_in(ks.hwcur, ks.rtail, head) ||
					    head == ks.rtail);
		}
		for (j = 0; j < n; j++) {
			uint32_t idx = sr->r->slot[j].buf_idx;

			sr->eidx[j] = 0;
			if (sr->dirty[j] || !sl_idx_ok(p, idx))
				continue;
			if (sr->t == NR_RX && !(held &&
						sl_in(head, ks.rtail, j)))
				continue;
			sr->eidx[j] = idx;
			sr->edge[j] = sl_edges(p, sr, idx);
		}
	}
}

/*
 * Per allocator (the ports of a pair share one, but VALE ports have one
 * each): buffers in clean slots are distinct and in the pool, and the
 * edges of buffers in clean tx slots did not change unless a written
 * slot names the same buffer (then the input itself let the kernel in).
 */
static FZ_NOCOV void sl_check_mem(uint16_t mem_id, const char *what)
{
	unsigned int q, i, j;

	memset(sl_seen, 0, SL_SEEN_N);
	memset(sl_dirt, 0, SL_SEEN_N);
	for (q = 0; q < sl_nports; q++) {
		struct sl_port *p = &sl_ports[q];

		if (p->mem_id != mem_id || p->nbufs > SL_SEEN_N)
			continue;
		for (i = 0; i < p->nrings; i++) {
			struct sl_ring *sr = &p->rings[i];

			for (j = 0; j < sr->r->num_slots; j++) {
				uint32_t idx = sr->r->slot[j].buf_idx;

				if (sr->dirty[j] || sl_dup_ok) {
					if (idx < SL_SEEN_N)
						sl_dirt[idx] = 1;
					continue;
				}
				FZ_CHECK(sl_idx_ok(p, idx) && !sl_seen[idx],
					 "%s: port %u %s ring %u slot %u: "
					 "buffer %u %s", what, q,
					 sr->t == NR_TX ? "tx" : "rx", sr->k, j,
					 idx, sl_idx_ok(p, idx) ? "twice" :
					 "not a buffer");
				sl_seen[idx] = 1;
			}
		}
	}
	for (q = 0; q < sl_nports; q++) {
		struct sl_port *p = &sl_ports[q];

		if (p->mem_id != mem_id || p->nbufs > SL_SEEN_N)
			continue;
		for (i = 0; i < p->nrings; i++) {
			struct sl_ring *sr = &p->rings[i];

			if (sl_dup_ok)
				continue;
			for (j = 0; j < sr->r->num_slots; j++) {
				uint32_t idx = sr->r->slot[j].buf_idx;

				if (!sr->eidx[j] || sr->eidx[j] != idx ||
				    sr->dirty[j] || sl_dirt[idx])
					continue;
				FZ_CHECK(sl_edges(p, sr, idx) == sr->edge[j],
					 "%s: %s buffer %u (port %u ring %u "
					 "slot %u) written by the kernel",
					 what, sr->t == NR_TX ? "tx" : "held rx",
					 idx, q, sr->k, j);
			}
		}
	}
}

static void sl_check_all(const char *what)
{
	unsigned int q;

	for (q = 0; q < sl_nports; q++)
		if (q == 0 || sl_ports[q].mem_id != sl_ports[0].mem_id)
			sl_check_mem(sl_ports[q].mem_id, what);
	sl_canary_check(what);
}

/* After a sync of kind t (or both, t < 0) on port p. */
static void sl_check_port(struct sl_port *p, int t, const uint32_t *old_tail,
			  const long long *old_reinits, const char *what)
{
	unsigned int i, j;

	for (i = 0; i < p->nrings; i++) {
		struct sl_ring *sr = &p->rings[i];
		struct netmap_ring *r = sr->r;
		struct nmsim_kring_state ks;
		uint32_t n = r->num_slots, head = r->head, cur = r->cur;
		uint32_t tail = r->tail;
		long long re;

		if (t >= 0 && sr->t != t)
			continue;
		FZ_CHECK(!nmsim_kring_state(p->fd, sr->t, sr->k, &ks),
			 "kring state: errno %d", errno);
		FZ_CHECK(ks.num_slots == n, "%s: num_slots %u, kernel %u",
			 what, n, ks.num_slots);
		FZ_CHECK(head < n && cur < n && tail < n,
			 "%s: %s ring %u: head %u cur %u tail %u of %u", what,
			 sr->t == NR_TX ? "tx" : "rx", sr->k, head, cur, tail,
			 n);
		FZ_CHECK(tail == ks.hwtail, "%s: %s ring %u: tail %u, hwtail "
			 "%u", what, sr->t == NR_TX ? "tx" : "rx", sr->k, tail,
			 ks.hwtail);
		re = nmsim_ring_reinits(p->fd, sr->t, sr->k);
		if (re != old_reinits[i]) {
			/* a reinit keeps valid indices: written slots stay
			 * marked, they may still repeat a buffer */
			FZ_CHECK(head == ks.hwcur && cur == ks.hwcur,
				 "%s: reinit left head %u cur %u, hwcur %u",
				 what, head, cur, ks.hwcur);
			for (j = 0; j < n; j++) {
				uint32_t idx = r->slot[j].buf_idx;

				FZ_CHECK(idx == 0 || sl_idx_ok(p, idx),
					 "%s: reinit left buffer %u in slot %u",
					 what, idx, j);
				FZ_CHECK(r->slot[j].len <= p->bufsize,
					 "%s: reinit left len %u in slot %u",
					 what, r->slot[j].len, j);
			}
			continue;
		}
		if (sr->t != NR_RX)
			continue;
		/* what the kernel just delivered */
		for (j = old_tail[i]; j != tail; j = j + 1 == n ? 0 : j + 1) {
			uint32_t idx = r->slot[j].buf_idx;

			if (sr->dirty[j])
				continue;
			FZ_CHECK(sl_idx_ok(p, idx) || (sl_zero_copy &&
							sl_dup_ok),
				 "%s: rx ring %u slot %u delivered with buffer "
				 "%u", what, sr->k, j, idx);
			FZ_CHECK(r->slot[j].len <= p->bufsize,
				 "%s: rx ring %u slot %u delivered with len %u",
				 what, sr->k, j, r->slot[j].len);
		}
	}
}

static void sl_sync(struct sl_port *p, int kind, uint8_t events)
{
	uint32_t old_tail[SL_MAX_RINGS];
	long long old_re[SL_MAX_RINGS];
	struct nmsim_kring_state ks;
	struct pollfd pfd;
	unsigned int q, i;
	int r;

	for (q = 0; q < sl_nports; q++)
		sl_snap(&sl_ports[q]);
	for (i = 0; i < p->nrings; i++) {
		old_tail[i] = p->rings[i].r->tail;
		old_re[i] = nmsim_ring_reinits(p->fd, p->rings[i].t,
					       p->rings[i].k);
		/* from the kernel's tail: the user's may be scribbled */
		FZ_CHECK(!nmsim_kring_state(p->fd, p->rings[i].t,
					    p->rings[i].k, &ks),
			 "kring state: errno %d", errno);
		old_tail[i] = ks.rtail;
	}
	switch (kind) {
	case 4:
	case 5:
		r = nmsim_ioctl(p->fd, kind == 4 ? NIOCTXSYNC : NIOCRXSYNC,
				NULL);
		FZ_CHECK(r == 0, "%s: errno %d", kind == 4 ? "TXSYNC" :
			 "RXSYNC", errno);
		sl_check_port(p, kind == 4 ? NR_TX : NR_RX, old_tail, old_re,
			      kind == 4 ? "TXSYNC" : "RXSYNC");
		break;
	case 6:
		pfd.fd = p->fd;
		pfd.events = (short)((events & 1 ? POLLIN : 0) |
				     (events & 2 ? POLLOUT : 0));
		pfd.revents = 0;
		r = nmsim_poll(&pfd, 1, 0);
		FZ_CHECK(r == 0 || r == 1, "poll returned %d", r);
		FZ_CHECK(!(pfd.revents & ~(pfd.events | POLLERR)),
			 "poll revents 0x%x for 0x%x", pfd.revents,
			 pfd.events);
		/* poll syncs only the directions it was asked for */
		if (pfd.events == (POLLIN | POLLOUT))
			sl_check_port(p, -1, old_tail, old_re, "poll");
		break;
	}
	sl_check_all(kind == 6 ? "poll" : "sync");
}

static struct sl_ring *sl_pick(struct sl_port *p, uint8_t sel, int t)
{
	unsigned int i, n = 0;
	struct sl_ring *c[SL_MAX_RINGS];

	for (i = 0; i < p->nrings; i++)
		if (t < 0 || p->rings[i].t == t)
			c[n++] = &p->rings[i];
	return n ? c[sel % n] : NULL;
}

static void sl_op_slot(struct sl_port *p, struct fz_in *in)
{
	struct sl_ring *sr = sl_pick(p, fz_u8(in), -1);
	uint8_t s = fz_u8(in), mask = fz_u8(in), m;
	struct netmap_slot *slot;
	uint32_t n, idx;

	if (!sr)
		return;
	n = sr->r->num_slots;
	slot = &sr->r->slot[s % n];
	if (mask & 1) {
		m = fz_u8(in);
		switch (m % 5) {
		case 0:
			idx = fz_u32(in);
			break;
		case 1:
			idx = sr->r->slot[fz_u8(in) % n].buf_idx;
			break;
		case 2:
			idx = m & 8 ? 1 : 0;
			break;
		case 3:
			idx = p->nbufs + fz_u8(in);
			break;
		default:
			idx = slot->buf_idx + 1;
			break;
		}
		if (idx != slot->buf_idx) {
			sr->dirty[s % n] = 1;
			if (sl_zero_copy)
				sl_dup_ok = true;
		}
		slot->buf_idx = idx;
	}
	if (mask & 2) {
		/*
		 * A length written into a slot the kernel filled but has not
		 * published yet (VALE, pipes, monitors fill ahead of tail) is
		 * what the user later reads there: netmap does not rewrite
		 * it, and only the writer's own view suffers.  So the slot
		 * counts as written.
		 */
		slot->len = fz_u16(in);
		sr->dirty[s % n] = 1;
	}
	if (mask & 4)
		slot->flags = fz_u16(in);
	if (mask & 8)
		slot->ptr = fz_u64(in);
}

static uint32_t sl_ring_val(struct netmap_ring *r, struct fz_in *in)
{
	uint8_t m = fz_u8(in);

	switch (m & 3) {
	case 0:
		return fz_u32(in);
	case 1:
		return (uint32_t)((r->cur + (uint32_t)(int8_t)fz_u8(in) +
				   r->num_slots * 2) % r->num_slots);
	case 2:
		return r->tail;
	default:
		return r->num_slots;
	}
}

static void sl_op_ring(struct sl_port *p, struct fz_in *in)
{
	struct sl_ring *sr = sl_pick(p, fz_u8(in), -1);
	uint8_t mask = fz_u8(in);

	if (!sr)
		return;
	if (mask & 1)
		sr->r->head = sl_ring_val(sr->r, in);
	if (mask & 2)
		sr->r->cur = sl_ring_val(sr->r, in);
	if (mask & 4)	/* read-only in the ABI; the kernel must cope */
		*(uint32_t *)(uintptr_t)&sr->r->tail = sl_ring_val(sr->r, in);
}

/* Frames the proper way: only into clean slots with a valid buffer. */
static void sl_op_send(struct sl_port *p, struct fz_in *in)
{
	struct sl_ring *sr = sl_pick(p, fz_u8(in), NR_TX);
	uint8_t count = fz_u8(in);
	uint16_t len = fz_u16(in);
	struct netmap_ring *r;
	uint32_t h, n;

	if (!sr)
		return;
	r = sr->r;
	n = r->num_slots;
	h = r->head;
	if (h >= n || r->tail >= n)
		return;
	len = (uint16_t)(len % (p->bufsize + 1));
	while (count-- && h != r->tail) {
		struct netmap_slot *slot = &r->slot[h];

		if (sr->dirty[h] || !sl_idx_ok(p, slot->buf_idx))
			break;
		memset(sl_buf(p, sr, slot->buf_idx), (int)(h & 0xff), len);
		slot->len = len;
		slot->flags = 0;
		h = h + 1 == n ? 0 : h + 1;
	}
	r->head = r->cur = h;
}

static void sl_op_recv(struct sl_port *p, struct fz_in *in)
{
	struct sl_ring *sr = sl_pick(p, fz_u8(in), NR_RX);
	uint8_t count = fz_u8(in);
	struct netmap_ring *r;
	uint32_t h, n;

	if (!sr)
		return;
	r = sr->r;
	n = r->num_slots;
	h = r->head;
	if (h >= n || r->tail >= n)
		return;
	while (count-- && h != r->tail)
		h = h + 1 == n ? 0 : h + 1;
	r->head = r->cur = h;
}

static bool sl_setup_ports(uint8_t type)
{
	static const struct {
		const char *name;
		uint32_t mode;
		uint64_t flags;
		uint32_t slots;
	} ports[5][SL_NPORT] = {
		{ { "sim0", NR_REG_NIC_SW, 0, 0 } },
		{ { "sl-null", NR_REG_NULL, 0, 32 } },
		{ { "vale0:a", NR_REG_ALL_NIC, 0, 64 },
		  { "vale0:b", NR_REG_ALL_NIC, 0, 64 } },
		{ { "sim0{1", NR_REG_ALL_NIC, 0, 0 },
		  { "sim0}1", NR_REG_ALL_NIC, 0, 0 } },
		{ { "sim0", NR_REG_ALL_NIC, 0, 0 },
		  { "sim0", NR_REG_ALL_NIC, NR_MONITOR_TX | NR_MONITOR_RX,
		    0 } },
	};
	unsigned int i;

	type %= 5;
	sl_zero_copy = type == 3;
	sl_dup_ok = false;
	sl_nports = 0;
	for (i = 0; i < SL_NPORT && ports[type][i].name; i++) {
		int err = sl_open(&sl_ports[i], ports[type][i].name,
				  ports[type][i].mode, ports[type][i].flags,
				  ports[type][i].slots);

		if (err) {
			/* not in this build (ENXIO), or no memory */
			FZ_CHECK(err == ENXIO || err == ENOMEM ||
				 err == EINVAL || err == EOPNOTSUPP,
				 "REGISTER %s: errno %d", ports[type][i].name,
				 err);
			return false;
		}
		sl_nports++;
	}
	return true;
}

/*
 * Frames the NIC handed to its host stack (host tx ring, NS_FORWARD) wait
 * in the sim's queue, as kernel objects: take them, so the next input
 * starts from the same count.  (The wire is left alone: touching it would
 * end the NIC's loopback for every later input.)
 */
static void sl_drain_host(const char *nic)
{
	static uint8_t frame[65536];

	while (nmsim_host_capture(nic, frame, sizeof(frame)) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned int i, op;

	if (sl_setup_ports(fz_u8(&in))) {
		sl_check_all("REGISTER");
		for (op = 0; op < SL_MAX_OPS && in.n; op++) {
			uint8_t code = fz_u8(&in);
			struct sl_port *p = &sl_ports[(code >> 3 & 1) %
						     sl_nports];

			switch (code & 7) {
			case 0:
				sl_op_slot(p, &in);
				break;
			case 1:
				sl_op_ring(p, &in);
				break;
			case 2:
				sl_op_send(p, &in);
				break;
			case 3:
				sl_op_recv(p, &in);
				break;
			case 4:
			case 5:
				sl_sync(p, code & 7, 0);
				break;
			case 6:
				sl_sync(p, 6, fz_u8(&in));
				break;
			default:
				sl_sync(p, 4, 0);
				sl_sync(p, 5, 0);
				break;
			}
		}
	}
	for (i = 0; i < sl_nports; i++)
		sl_close(&sl_ports[i]);
	sl_nports = 0;
	sl_drain_host("sim0");
	fz_live_expect(sl_live0, "end of input (leak)");
	return 0;
}
