/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: NIOCCTRL, the control request parser (header, body,
 * option chain) and the requests behind it, through nmsim_ioctl().
 *
 * An input is a sequence of at most FZ_MAX_OPS operations.  Each starts
 * with a code byte: bits 0-2 the kind (0-3 a NIOCCTRL request, 4 TXSYNC,
 * 5 RXSYNC, 6 poll with a u8 of events, 7 close and reopen), bit 3 the
 * descriptor (two per input; registrations are dropped at the end); on
 * 4-6, bit 4 first maps the registration and checks what it binds
 * (fz_validate()).  A request is decoded into the arena (see
 * fz_common.h) as follows; missing bytes read as 0.
 *
 *   u8  hsel     bits 0-1 where the header is: 0 at HDR_OFS, 1 at a u16
 *                arena offset, 2 at a raw u64 address, 3 across the end of
 *                the arena (u8: 0..88 bytes past the last fitting place);
 *                bits 2-3 nr_version: 14, 15, a raw u16, 13;
 *                bit 4 nr_reserved: a raw u32 (else 0);
 *                bits 5-7 misalignment of everything placed after PLACE_OFS
 *   u16 nr_reqtype
 *   name         see fz_put_name()
 *   u8  bsel     bits 0-1 body: 0 placed if the type has one (bit 2: a
 *                64-byte body even if not), its bytes from the input;
 *                1 none (nr_body 0); 2 a u16 arena offset; 3 a raw u64;
 *                bits 3-4 nr_options: 0 the first placed option (0 if
 *                none); 1 zero; 2 a u16 arena offset; 3 a raw u64
 *   u8  nopt     options to place (at most MAX_HOPTS), each:
 *     u8 osel    bits 0-2 nro_reqtype: 0-5 as is, 6: 6 + u8, 7: raw u32;
 *                bits 3-4 nro_size: 0 the right size for the type (a u8
 *                picks the eventfd pairs, or the body of other types),
 *                1 raw u64, 2 right size + s8, 3 header only (24);
 *                bits 5-7 nro_next: 0/6/7 the next placed option (0 after
 *                the last), 1 zero, 2 back to option u8 % (i + 1) (a
 *                cycle), 3 raw u64, 4 u16 arena offset, 5 the one after
 *                next
 *     u8 status  initial nro_status (0xff: 0xdeadbeef)
 *     u8 clen    bytes of option body taken from the input
 *
 * A u16 arena offset is taken modulo FZ_ARENA_SIZE + 256, so a few land
 * past the end.  Placed objects (body, options) follow each other from
 * PLACE_OFS; the header is written last.  Arena offsets and raw
 * pointers may point anywhere, so objects can overlap each other and the
 * header.
 *
 * The checks rest on a model of the parser, written from the rules in
 * kernel/nm_ctrl.c and shared/ABI.md.  Run on the arena before the call,
 * it predicts the errno of every request the parser rejects, the options
 * the walk reaches and their statuses, and which bytes the kernel may
 * write: the header (always, when readable: the user's own bytes with
 * nr_reserved 0), the body (only on success), option headers (only when
 * the chain was read whole: nro_next, type and size as read, a status),
 * option bodies (only on success with status 0).  The copy-out order
 * (body, each option header and its body, header last) decides what an
 * overlapped byte must hold; nothing else in the arena may change.  Then
 * the errno of a request that runs must be one the request can return,
 * statuses must be errnos from the allowed set, REGISTER must fail when
 * an option was not consumed, replies must describe the global allocator
 * and the sim NICs, and kernel objects and pool objects must not leak.
 * A successful REGISTER takes exactly one netmap_if; a failed request
 * changes no count at all.
 */
#include <stdio.h>

#include "fz_common.h"

#define HDR_OFS		0x100
#define PLACE_OFS	0x200
#define MAX_HOPTS	200	/* options the harness places */
#define OPT_HDR		((uint32_t)sizeof(struct nmreq_option))
#define HDR_SIZE	((uint32_t)sizeof(struct nmreq_header))
/* the budget admits at most this many option headers */
#define KMAX_OPTS	(NETMAP_REQ_MAXSIZE / sizeof(struct nmreq_option))

/* Body sizes by request type (shared/ABI.md). */
static const uint32_t body_sizes[NETMAP_REQ_MAX] = {
	[NETMAP_REQ_REGISTER] = 56,
	[NETMAP_REQ_PORT_INFO_GET] = 32,
	[NETMAP_REQ_VALE_ATTACH] = 64,
	[NETMAP_REQ_VALE_DETACH] = 8,
	[NETMAP_REQ_VALE_LIST] = 8,
	[NETMAP_REQ_PORT_HDR_SET] = 8,
	[NETMAP_REQ_PORT_HDR_GET] = 8,
	[NETMAP_REQ_VALE_NEWIF] = 16,
	[NETMAP_REQ_VALE_DELIF] = 0,
	[NETMAP_REQ_VALE_POLLING_ENABLE] = 16,
	[NETMAP_REQ_VALE_POLLING_DISABLE] = 16,
	[NETMAP_REQ_POOLS_INFO_GET] = 64,
	[NETMAP_REQ_SYNC_KLOOP_START] = 8,
	[NETMAP_REQ_SYNC_KLOOP_STOP] = 0,
	[NETMAP_REQ_CSB_ENABLE] = 0,
};

/* Whole option sizes by option type; 0: a variable size (eventfds). */
static const uint32_t opt_sizes[NETMAP_REQ_OPT_MAX] = {
	[NETMAP_REQ_OPT_EXTMEM] = 96,
	[NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS] = 0,
	[NETMAP_REQ_OPT_CSB] = 40,
	[NETMAP_REQ_OPT_SYNC_KLOOP_MODE] = 32,
	[NETMAP_REQ_OPT_OFFSETS] = 56,
};

/*
 * Options each request type consumes today; the others must come back
 * with EOPNOTSUPP.  Update this table when the core learns more.
 */
static const uint32_t consumed[NETMAP_REQ_MAX] = {
	[NETMAP_REQ_REGISTER] = 1u << NETMAP_REQ_OPT_OFFSETS,
};

/* The errnos an option status may hold. */
static bool status_ok(uint32_t st)
{
	switch (st) {
	case 0: case EINVAL: case EOPNOTSUPP: case EBUSY: case ENOMEM:
	case ENXIO: case EFAULT: case EMSGSIZE: case E2BIG: case ERANGE:
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* building a request                                                  */
/* ------------------------------------------------------------------ */

struct built {
	uint64_t	uhdr;		/* the ioctl argument */
	uint32_t	lo, hi;		/* the arena bytes written */
};

static void dirty(struct built *b, uint32_t ofs, uint32_t len)
{
	if (ofs < b->lo)
		b->lo = ofs;
	if (ofs + len > b->hi)
		b->hi = ofs + len;
}

struct hopt {
	uint32_t	ofs;		/* where it was placed */
	uint8_t		link;
	uint64_t	arg;		/* raw next, offset, or index */
};

/* Decodes one option descriptor and places it at *cur; false: no room. */
static bool place_opt(struct fz_in *in, struct built *b, struct hopt *ho,
		      unsigned int i, uint32_t *cur)
{
	struct nmreq_option o;
	uint8_t osel = fz_u8(in), st, clen;
	uint64_t size, placed;
	uint32_t type = osel & 7, room;

	if (type == 6)
		type = 6u + fz_u8(in);
	else if (type == 7)
		type = fz_u32(in);
	switch ((osel >> 3) & 3) {
	case 0:
	case 2:
		if (type == NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS)
			size = OPT_HDR + 8u * (fz_u8(in) & 15);
		else if (type && type < NETMAP_REQ_OPT_MAX)
			size = opt_sizes[type];
		else
			size = OPT_HDR + 8u * (fz_u8(in) & 7);
		if ((osel >> 3) & 2)
			size += (uint64_t)(int64_t)(int8_t)fz_u8(in);
		break;
	case 1:
		size = fz_u64(in);
		break;
	default:
		size = OPT_HDR;
		break;
	}
	ho->link = (uint8_t)(osel >> 5);
	switch (ho->link) {
	case 2:
		ho->arg = fz_u8(in) % (i + 1);
		break;
	case 3:
		ho->arg = fz_u64(in);
		break;
	case 4:
		ho->arg = fz_ofs(in);
		break;
	default:
		ho->arg = 0;
		break;
	}
	st = fz_u8(in);
	clen = fz_u8(in);

	placed = size >= OPT_HDR && size <= NETMAP_REQ_MAXSIZE ? size : OPT_HDR;
	if (*cur + placed > FZ_ARENA_SIZE)
		return false;
	ho->ofs = *cur;
	memset(&o, 0, sizeof(o));
	o.nro_reqtype = type;
	o.nro_status = st == 0xff ? 0xdeadbeef : st;
	o.nro_size = size;
	memcpy(fz_arena + *cur, &o, sizeof(o));
	room = (uint32_t)placed - OPT_HDR;
	fz_bytes(in, fz_arena + *cur + OPT_HDR, clen < room ? clen : room);
	dirty(b, *cur, (uint32_t)placed);
	*cur += ((uint32_t)placed + 7) & ~7u;
	return true;
}

static uint64_t opt_next(const struct hopt *ho, unsigned int i, unsigned int n)
{
	switch (ho[i].link) {
	case 1:
		return 0;
	case 2:
		return fz_uaddr(ho[ho[i].arg].ofs);
	case 3:
		return ho[i].arg;
	case 4:
		return fz_uaddr(0) + ho[i].arg;
	case 5:
		return i + 2 < n ? fz_uaddr(ho[i + 2].ofs) : 0;
	default:
		return i + 1 < n ? fz_uaddr(ho[i + 1].ofs) : 0;
	}
}

static void build_req(struct fz_in *in, struct built *b)
{
	static struct hopt ho[MAX_HOPTS];
	struct nmreq_header h;
	uint8_t hsel, bsel, nopt;
	uint32_t cur, blen;
	unsigned int i, n;

	memset(&h, 0, sizeof(h));
	b->lo = FZ_ARENA_SIZE;
	b->hi = 0;
	hsel = fz_u8(in);
	cur = PLACE_OFS + (hsel >> 5);
	switch (hsel & 3) {
	case 0:
		b->uhdr = fz_uaddr(HDR_OFS);
		break;
	case 1:
		b->uhdr = fz_uaddr(fz_ofs(in));
		break;
	case 2:
		b->uhdr = fz_u64(in);
		break;
	default:
		b->uhdr = fz_uaddr(FZ_ARENA_SIZE - HDR_SIZE) +
			  fz_u8(in) % (HDR_SIZE + 1);
		break;
	}
	switch ((hsel >> 2) & 3) {
	case 0:
		h.nr_version = NETMAP_API;
		break;
	case 1:
		h.nr_version = NETMAP_MAX_API;
		break;
	case 2:
		h.nr_version = fz_u16(in);
		break;
	default:
		h.nr_version = NETMAP_MIN_API - 1;
		break;
	}
	if (hsel & 0x10)
		h.nr_reserved = fz_u32(in);
	h.nr_reqtype = fz_u16(in);
	fz_put_name(in, h.nr_name, sizeof(h.nr_name));

	bsel = fz_u8(in);
	switch (bsel & 3) {
	case 0:
		blen = h.nr_reqtype < NETMAP_REQ_MAX ? body_sizes[h.nr_reqtype]
						     : 0;
		if (!blen && (bsel & 4))
			blen = 64;
		if (blen) {
			h.nr_body = fz_uaddr(cur);
			fz_bytes(in, fz_arena + cur, blen);
			dirty(b, cur, blen);
			cur += (blen + 7) & ~7u;
		}
		break;
	case 1:
		break;
	case 2:
		h.nr_body = fz_uaddr(fz_ofs(in));
		break;
	default:
		h.nr_body = fz_u64(in);
		break;
	}

	nopt = fz_u8(in);
	n = nopt < MAX_HOPTS ? nopt : MAX_HOPTS;
	for (i = 0; i < n; i++)
		if (!place_opt(in, b, &ho[i], i, &cur))
			break;
	n = i;
	for (i = 0; i < n; i++) {
		uint64_t next = opt_next(ho, i, n);

		memcpy(fz_arena + ho[i].ofs, &next, sizeof(next));
	}
	switch ((bsel >> 3) & 3) {
	case 0:
		h.nr_options = n ? fz_uaddr(ho[0].ofs) : 0;
		break;
	case 1:
		break;
	case 2:
		h.nr_options = fz_uaddr(fz_ofs(in));
		break;
	default:
		h.nr_options = fz_u64(in);
		break;
	}
	/* the header last: where it overlaps other objects, it wins */
	if (fz_uok(b->uhdr, HDR_SIZE)) {
		memcpy(fz_uptr(b->uhdr), &h, sizeof(h));
		dirty(b, fz_uofs(b->uhdr), HDR_SIZE);
	}
}

/* ------------------------------------------------------------------ */
/* the model of the parser                                             */
/* ------------------------------------------------------------------ */

struct mopt {
	uint64_t	ua;		/* user address of the option */
	uint32_t	type;
	uint32_t	bodysz;		/* body bytes read, if valid */
	uint32_t	status;		/* after the walk */
};

struct model {
	bool		hdr_ok;		/* the header was readable */
	bool		runs;		/* the parser accepted it */
	bool		opts_read;	/* the walk reached the end */
	int		perr;		/* parser errno, if !runs */
	struct nmreq_header h;		/* as the kernel read it */
	uint32_t	bodysz;
	unsigned int	nopts;
	struct mopt	o[KMAX_OPTS + 1];
};

/* Body bytes of a valid option of a known type, or -1. */
static int64_t model_opt_body(uint32_t type, uint64_t size)
{
	if (size < OPT_HDR || size > NETMAP_REQ_MAXSIZE)
		return -1;
	if (opt_sizes[type])
		return size == opt_sizes[type] ? (int64_t)(size - OPT_HDR) : -1;
	return (size - OPT_HDR) % 8 ? -1 : (int64_t)(size - OPT_HDR);
}

/*
 * The walk.  Every option costs its header and, when valid and of a
 * known type, its body against the NETMAP_REQ_MAXSIZE budget, which is
 * charged before the bytes are read; so the budget, not the pointer,
 * decides between EMSGSIZE and EFAULT.
 */
static int model_opts(struct model *m, uint32_t used)
{
	int bytype[NETMAP_REQ_OPT_MAX], verdict = 0;
	uint64_t u = m->h.nr_options;
	unsigned int t;

	for (t = 0; t < NETMAP_REQ_OPT_MAX; t++)
		bytype[t] = -1;
	while (u) {
		struct nmreq_option oh;
		struct mopt *o;
		int64_t bs;

		if (m->nopts == KMAX_OPTS ||
		    NETMAP_REQ_MAXSIZE - used < OPT_HDR)
			return EMSGSIZE;
		used += OPT_HDR;
		if (!fz_uok(u, OPT_HDR))
			return EFAULT;
		memcpy(&oh, fz_uptr(u), sizeof(oh));
		o = &m->o[m->nopts++];
		o->ua = u;
		o->type = oh.nro_reqtype;
		o->bodysz = 0;
		o->status = EOPNOTSUPP;
		u = oh.nro_next;
		if (o->type == 0) {
			o->status = EINVAL;
			verdict = EINVAL;
			continue;
		}
		if (o->type >= NETMAP_REQ_OPT_MAX) {
			if (!verdict)
				verdict = EOPNOTSUPP;
			continue;
		}
		if (bytype[o->type] >= 0) {
			m->o[bytype[o->type]].status = EINVAL;
			o->status = EINVAL;
			verdict = EINVAL;
			continue;
		}
		bs = model_opt_body(o->type, oh.nro_size);
		if (bs < 0) {
			o->status = EINVAL;
			verdict = EINVAL;
			continue;
		}
		if (bs > 0) {
			uint32_t need = ((uint32_t)bs + 7) & ~7u;

			if (NETMAP_REQ_MAXSIZE - used < (uint32_t)bs)
				return EMSGSIZE;
			used += need;
			if (used > NETMAP_REQ_MAXSIZE)
				used = NETMAP_REQ_MAXSIZE;
			if (!fz_uok(o->ua + OPT_HDR, (uint64_t)bs))
				return EFAULT;
			o->bodysz = (uint32_t)bs;
		}
		bytype[o->type] = (int)(o - m->o);
	}
	m->opts_read = true;
	return verdict;
}

static void model_run(struct model *m, uint64_t uhdr)
{
	struct nmreq_header *h = &m->h;

	m->hdr_ok = m->runs = m->opts_read = false;
	m->bodysz = 0;
	m->nopts = 0;
	if (!fz_uok(uhdr, HDR_SIZE)) {
		m->perr = EFAULT;
		return;
	}
	m->hdr_ok = true;
	memcpy(h, fz_uptr(uhdr), sizeof(*h));
	if (h->nr_version < NETMAP_MIN_API || h->nr_version > NETMAP_MAX_API ||
	    h->nr_reserved || h->nr_reqtype == 0 ||
	    h->nr_reqtype >= NETMAP_REQ_MAX ||
	    !memchr(h->nr_name, '\0', sizeof(h->nr_name))) {
		m->perr = EINVAL;
		return;
	}
	if ((body_sizes[h->nr_reqtype] != 0) != (h->nr_body != 0)) {
		m->perr = EINVAL;
		return;
	}
	m->bodysz = body_sizes[h->nr_reqtype];
	if (m->bodysz && !fz_uok(h->nr_body, m->bodysz)) {
		m->perr = EFAULT;
		return;
	}
	m->perr = model_opts(m, m->bodysz);
	m->runs = m->perr == 0;
}

/* ------------------------------------------------------------------ */
/* checks                                                              */
/* ------------------------------------------------------------------ */

static bool unconsumed_opts(const struct model *m)
{
	unsigned int i;

	for (i = 0; i < m->nopts; i++)
		if (!(consumed[m->h.nr_reqtype] & (1u << m->o[i].type)))
			return true;
	return false;
}

static void check_errno(const struct model *m, int err, bool registered)
{
	if (!m->runs) {
		FZ_CHECK(err == m->perr, "parser: errno %d, model says %d", err,
			 m->perr);
		return;
	}
	switch (m->h.nr_reqtype) {
	case NETMAP_REQ_REGISTER:
		if (registered) {
			FZ_CHECK(err == EBUSY, "REGISTER on a registered fd: "
				 "errno %d", err);
			break;
		}
		FZ_CHECK(err == 0 || err == EINVAL || err == EBUSY ||
			 err == ENXIO || err == ENOMEM || err == EOPNOTSUPP,
			 "REGISTER: errno %d", err);
		FZ_CHECK(!(err == 0 && unconsumed_opts(m)),
			 "REGISTER succeeded with an unconsumed option");
		break;
	case NETMAP_REQ_PORT_INFO_GET:
	case NETMAP_REQ_POOLS_INFO_GET:
		FZ_CHECK(err == 0 || err == ENXIO || err == EINVAL,
			 "reqtype %u: errno %d", m->h.nr_reqtype, err);
		break;
	default:
		/* VALE, port headers, polling, kloop, CSB: not built yet */
		FZ_CHECK(err == 0 || err == EOPNOTSUPP || err == EINVAL ||
			 err == EBUSY || err == ENOMEM || err == ENXIO ||
			 err == EEXIST || err == ENOENT || err == ENOSPC ||
			 err == ERANGE, "reqtype %u: errno %d",
			 m->h.nr_reqtype, err);
		break;
	}
}

/* What the last write to an arena byte leaves there (see check_arena). */
enum { M_NONE = 0, M_SAME, M_ZERO, M_ANY };

static uint8_t marks[FZ_ARENA_SIZE];
static uint32_t mk_lo, mk_hi;		/* hull of the marked bytes */
static struct { uint32_t ofs, len; } mk_reg[3 * KMAX_OPTS + 4];
static unsigned int mk_n;

/* Claims the unclaimed bytes of [u, u + len); true if none was claimed. */
static FZ_NOCOV bool mark(uint64_t u, uint32_t len, uint8_t kind)
{
	uint32_t o = fz_uofs(u), j;
	bool clean = true;

	for (j = 0; j < len; j++) {
		if (marks[o + j])
			clean = false;
		else
			marks[o + j] = kind;
	}
	mk_reg[mk_n].ofs = o;
	mk_reg[mk_n++].len = len;
	if (o < mk_lo)
		mk_lo = o;
	if (o + len > mk_hi)
		mk_hi = o + len;
	return clean;
}

static FZ_NOCOV bool unmarked(uint64_t u, uint32_t len)
{
	uint32_t o = fz_uofs(u), j;

	for (j = 0; j < len; j++)
		if (marks[o + j])
			return false;
	return true;
}

/* Turns the snapshot into the expected arena and clears the marks. */
static FZ_NOCOV void apply_marks(void)
{
	uint32_t k, end;
	unsigned int r;

	for (r = 0; r < mk_n; r++) {
		for (k = mk_reg[r].ofs, end = k + mk_reg[r].len; k < end; k++) {
			if (marks[k] == M_ZERO)
				fz_snap[k] = 0;
			else if (marks[k] == M_ANY)
				fz_snap[k] = fz_arena[k];
		}
	}
	for (r = 0; r < mk_n; r++)
		memset(marks + mk_reg[r].ofs, M_NONE, mk_reg[r].len);
	mk_n = 0;
}

static void check_status(const struct model *m, unsigned int i, uint32_t st,
			 int err)
{
	const struct mopt *o = &m->o[i];

	if (!m->runs) {
		FZ_CHECK(st == o->status, "option %u (type %u): status %u, "
			 "model says %u", i, o->type, st, o->status);
		return;
	}
	FZ_CHECK(status_ok(st), "option %u (type %u): status %u", i, o->type,
		 st);
	if (!(consumed[m->h.nr_reqtype] & (1u << o->type)))
		FZ_CHECK(st == EOPNOTSUPP, "option %u (type %u) not consumed "
			 "by reqtype %u: status %u", i, o->type,
			 m->h.nr_reqtype, st);
	if (m->h.nr_reqtype == NETMAP_REQ_REGISTER && err == 0)
		FZ_CHECK(st == 0, "REGISTER succeeded, option %u (type %u) "
			 "status %u", i, o->type, st);
}

/* The request body of the last REGISTER that check_reply() saw. */
static struct nmreq_register reg_req;

/* A successful request's reply, when no later write covered it. */
static void check_reply(const struct model *m)
{
	const void *in = fz_snap + fz_uofs(m->h.nr_body);
	const void *out = fz_arena + fz_uofs(m->h.nr_body);

	switch (m->h.nr_reqtype) {
	case NETMAP_REQ_REGISTER: {
		struct nmreq_register a, b;
		uint64_t if_end;

		memcpy(&a, in, sizeof(a));
		memcpy(&b, out, sizeof(b));
		reg_req = a;
		FZ_CHECK(b.nr_mode == a.nr_mode && b.nr_ringid == a.nr_ringid &&
			 b.nr_flags == a.nr_flags,
			 "REGISTER did not echo mode %u ringid %u flags 0x%llx",
			 a.nr_mode, a.nr_ringid,
			 (unsigned long long)a.nr_flags);
		FZ_CHECK(b.nr_extra_bufs <= a.nr_extra_bufs,
			 "extra bufs %u granted, %u asked", b.nr_extra_bufs,
			 a.nr_extra_bufs);
		/* a VALE port (and its pipes, monitors) has its own allocator */
		if (!strncmp(m->h.nr_name, "vale", 4) &&
		    a.nr_mode != NR_REG_NULL)
			break;
		/* a copy monitor has memory of its own */
		FZ_CHECK(fz_copy_monitor(a.nr_flags, a.nr_mode) ||
			 (b.nr_mem_id == 1 &&
			  b.nr_memsize == fz_pools.nr_memsize),
			 "REGISTER: mem_id %u memsize %llu", b.nr_mem_id,
			 (unsigned long long)b.nr_memsize);
		if_end = fz_pools.nr_if_pool_offset +
			 (uint64_t)fz_pools.nr_if_pool_objtotal *
			 fz_pools.nr_if_pool_objsize;
		FZ_CHECK(b.nr_offset >= fz_pools.nr_if_pool_offset &&
			 b.nr_offset < if_end, "REGISTER: nr_offset %llu",
			 (unsigned long long)b.nr_offset);
		if (a.nr_mode != NR_REG_NULL &&
		    !fz_monitor(a.nr_flags, a.nr_mode))
			fz_check_geometry(m->h.nr_name, sizeof(m->h.nr_name),
					  b.nr_tx_slots, b.nr_rx_slots,
					  b.nr_tx_rings, b.nr_rx_rings);
		break;
	}
	case NETMAP_REQ_PORT_INFO_GET: {
		struct nmreq_port_info_get b;

		memcpy(&b, out, sizeof(b));
		/* a VALE port has an allocator of its own */
		if (!strncmp(m->h.nr_name, "vale", 4))
			break;
		FZ_CHECK(b.nr_mem_id == 1 &&
			 b.nr_memsize == fz_pools.nr_memsize,
			 "PORT_INFO_GET: mem_id %u memsize %llu", b.nr_mem_id,
			 (unsigned long long)b.nr_memsize);
		if (m->h.nr_name[0])
			fz_check_geometry(m->h.nr_name, sizeof(m->h.nr_name),
					  b.nr_tx_slots, b.nr_rx_slots,
					  b.nr_tx_rings, b.nr_rx_rings);
		break;
	}
	case NETMAP_REQ_POOLS_INFO_GET: {
		struct nmreq_pools_info b, *p = &fz_pools;

		memcpy(&b, out, sizeof(b));
		FZ_CHECK(b.nr_memsize == p->nr_memsize && b.nr_mem_id == 1 &&
			 b.nr_if_pool_offset == p->nr_if_pool_offset &&
			 b.nr_if_pool_objtotal == p->nr_if_pool_objtotal &&
			 b.nr_if_pool_objsize == p->nr_if_pool_objsize &&
			 b.nr_ring_pool_offset == p->nr_ring_pool_offset &&
			 b.nr_ring_pool_objtotal == p->nr_ring_pool_objtotal &&
			 b.nr_ring_pool_objsize == p->nr_ring_pool_objsize &&
			 b.nr_buf_pool_offset == p->nr_buf_pool_offset &&
			 b.nr_buf_pool_objtotal == p->nr_buf_pool_objtotal &&
			 b.nr_buf_pool_objsize == p->nr_buf_pool_objsize,
			 "POOLS_INFO_GET: not the global allocator's layout");
		break;
	}
	default:
		break;
	}
}

/*
 * The arena after the call.  The kernel writes, in this order: the body
 * (on success), each option's header and then its body (when the chain
 * was read whole; the body on success with status 0), the header last.
 * Walking these writes backwards, the first to claim a byte is the last
 * to have written it.  Bytes written from the kernel's copy of what it
 * read hold their old value (M_SAME); nr_reserved is zeroed (M_ZERO);
 * statuses and replies may hold anything the other checks accept (M_ANY).
 * Every other byte of the arena must be unchanged.
 */
static bool check_arena(const struct model *m, uint64_t uhdr, int err)
{
	bool reply = false;
	int i;

	mk_lo = FZ_ARENA_SIZE;
	mk_hi = 0;
	mk_n = 0;
	if (!m->hdr_ok) {
		fz_arena_compare("unreadable header: nothing may change");
		return false;
	}
	mark(uhdr + offsetof(struct nmreq_header, nr_reserved),
	     sizeof(uint32_t), M_ZERO);
	mark(uhdr, HDR_SIZE, M_SAME);
	for (i = m->opts_read ? (int)m->nopts - 1 : -1; i >= 0; i--) {
		const struct mopt *o = &m->o[i];
		uint64_t us = o->ua + offsetof(struct nmreq_option, nro_status);
		bool known = unmarked(us, sizeof(uint32_t));
		uint32_t st = 0;

		if (known) {
			memcpy(&st, fz_uptr(us), sizeof(st));
			check_status(m, (unsigned int)i, st, err);
		}
		/* unknown status: the body may or may not have been written */
		if (err == 0 && o->bodysz && (!known || st == 0))
			mark(o->ua + OPT_HDR, o->bodysz, M_ANY);
		mark(us, sizeof(uint32_t), M_ANY);
		mark(o->ua, OPT_HDR, M_SAME);
	}
	if (err == 0 && m->bodysz && mark(m->h.nr_body, m->bodysz, M_ANY)) {
		check_reply(m);
		reply = true;
	}
	apply_marks();
	fz_arena_compare(m->opts_read ? "NIOCCTRL (chain read)"
				      : "NIOCCTRL (chain not read)");
	return reply;
}

/* Remembers a registration for fz_validate(); the reply must be intact. */
static void record_reg(const struct model *m, int fdi, bool reply)
{
	struct fz_regi *ri = &fz_regi[fdi];

	/* the checks of fz_validate() assume the global allocator */
	ri->valid = reply &&
		    !fz_copy_monitor(reg_req.nr_flags, reg_req.nr_mode);
	if (!reply)
		return;
	memcpy(&ri->reply, fz_uptr(m->h.nr_body), sizeof(ri->reply));
	memcpy(ri->name, m->h.nr_name, sizeof(ri->name));
	ri->host_known = true;
	ri->mode = reg_req.nr_mode;
	ri->ringid = reg_req.nr_ringid;
	ri->flags = reg_req.nr_flags;
	ri->extra_asked = reg_req.nr_extra_bufs;
}

static struct model mdl;

static void ctrl_op(struct fz_in *in, int fdi)
{
	struct fz_counts c0, c1;
	struct built b;
	uint32_t lo, hi;
	bool reg, reply;
	long live;
	int r, err;

	build_req(in, &b);
	memcpy(fz_snap, fz_arena, FZ_ARENA_SIZE);
	model_run(&mdl, b.uhdr);
	/* pool counts only around REGISTER: the only request that takes any */
	reg = mdl.runs && mdl.h.nr_reqtype == NETMAP_REQ_REGISTER;
	if (reg) {
		fz_counts_get(&c0);
		fz_pools_touched = true;
	}
	live = nmsim_live_objects();

	r = nmsim_ioctl(fz_fd[fdi], NIOCCTRL, fz_uptr(b.uhdr));
	err = r ? errno : 0;
	FZ_CHECK(r == 0 || (r == -1 && err > 0), "ioctl returned %d errno %d",
		 r, err);
	if (fz_trace)
		fprintf(stderr, "fz: fd%d NIOCCTRL type %u \"%.64s\" opts %u%s "
			"-> %d (model: %s %d)\n", fdi, mdl.h.nr_reqtype,
			mdl.hdr_ok ? mdl.h.nr_name : "", mdl.nopts,
			mdl.opts_read ? " read" : "", err,
			mdl.runs ? "runs" : "rejects", mdl.perr);
	if (fz_trace) {
		unsigned int k;

		for (k = 0; k < mdl.nopts; k++)
			fprintf(stderr, "fz:   option %u at +0x%x type %u "
				"body %u status %u\n", k, fz_uofs(mdl.o[k].ua),
				mdl.o[k].type, mdl.o[k].bodysz,
				mdl.o[k].status);
	}
	/*
	 * The REGISTER body as sent, for the checks below: check_reply()
	 * only sees it when no later write of the input covered the reply,
	 * and a stale copy from an earlier request misjudged monitors.
	 */
	if (reg && fz_uok(mdl.h.nr_body, sizeof(reg_req)))
		memcpy(&reg_req, fz_snap + fz_uofs(mdl.h.nr_body),
		       sizeof(reg_req));
	check_errno(&mdl, err, fz_reg[fdi]);
	if (mdl.hdr_ok) {
		struct nmreq_header h;

		memcpy(&h, fz_uptr(b.uhdr), sizeof(h));
		FZ_CHECK(h.nr_body == mdl.h.nr_body &&
			 h.nr_options == mdl.h.nr_options && h.nr_reserved == 0,
			 "header back with body 0x%llx options 0x%llx "
			 "reserved %u", (unsigned long long)h.nr_body,
			 (unsigned long long)h.nr_options, h.nr_reserved);
	}
	reply = check_arena(&mdl, b.uhdr, err);

	if (err == 0 && mdl.h.nr_reqtype == NETMAP_REQ_VALE_NEWIF)
		fz_vale_note_newif(mdl.h.nr_name);
	if (err == 0 && mdl.h.nr_reqtype == NETMAP_REQ_VALE_ATTACH)
		fz_vale_note_attach(mdl.h.nr_name);
	if (reg && !strncmp(mdl.h.nr_name, "vale", 4)) {
		/* a VALE port: its own allocator, so other counts */
		if (err == 0)
			fz_reg[fdi] = true;
		record_reg(&mdl, fdi, false);
	} else if (reg && err == 0) {
		fz_counts_get(&c1);
		/* a copy monitor's netmap_if is in its own allocator */
		FZ_CHECK(c1.pool[0] == c0.pool[0] -
			 (fz_copy_monitor(reg_req.nr_flags,
					  reg_req.nr_mode) ? 0 : 1),
			 "REGISTER took %ld netmap_if objects",
			 c0.pool[0] - c1.pool[0]);
		fz_reg[fdi] = true;
		record_reg(&mdl, fdi, reply);
	} else if (reg) {
		fz_counts_expect(&c0, "failed REGISTER");
	} else if (mdl.h.nr_reqtype < NETMAP_REQ_VALE_ATTACH ||
		   mdl.h.nr_reqtype > NETMAP_REQ_VALE_DELIF) {
		/* VALE requests make and take ports: fz_end_input() checks */
		fz_live_expect(live, "NIOCCTRL");
	}

	/* back to an all-zero arena */
	lo = b.lo < mk_lo ? b.lo : mk_lo;
	hi = b.hi > mk_hi ? b.hi : mk_hi;
	if (lo < hi)
		memset(fz_arena + lo, 0, hi - lo);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_setup();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	unsigned int ops;

	for (ops = 0; in.n && ops < FZ_MAX_OPS; ops++) {
		uint8_t code = fz_u8(&in);
		int kind = code & 7, fdi = (code >> 3) & 1;

		if (kind < 4)
			ctrl_op(&in, fdi);
		else
			fz_data_op(code & (7 | FZ_OP_VALIDATE), fdi, &in);
	}
	fz_end_input();
	return 0;
}
