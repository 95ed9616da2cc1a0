/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the legacy struct nmreq through NIOCREGIF and
 * NIOCGINFO, and the data path after a successful NIOCREGIF.
 *
 * An input is a sequence of at most FZ_MAX_OPS operations, each starting
 * with a code byte: bits 0-2 the kind (0-1 NIOCREGIF, 2-3 NIOCGINFO,
 * 4 TXSYNC, 5 RXSYNC, 6 poll with a u8 of events, 7 close and reopen),
 * bit 3 the descriptor; on 4-6, bit 4 first maps the registration and
 * checks what it binds (fz_validate()).  On requests, bits 4-5 say where
 * the struct nmreq goes: 0 at REQ_OFS, 1 at a u16 arena offset (modulo
 * FZ_ARENA_SIZE + 256), 2 at a raw u64 address, 3 across the end of the
 * arena (a u8: 0..60 bytes past the last place it fits).  Then:
 *
 *   name      16 bytes, see fz_put_name()
 *   u8 vsel   nr_version: 0 NETMAP_API, 1 a raw u32, 2 13, 3 15
 *   40 bytes  the rest of the struct, from nr_offset on, as is
 *
 * Checks: a struct the kernel cannot read gives EFAULT; a version below
 * 14 EINVAL; sub-commands the right errno (polling and ptnetmap
 * EOPNOTSUPP, unknown ones EINVAL, the VALE ones one of theirs); a request that runs one of the errnos it can
 * return.  On error the arena is untouched; on success only the 60 bytes
 * change, input fields come back as given (nr_name with its last byte
 * NUL), and the reply describes the global allocator and the sim NICs.
 * A successful NIOCREGIF takes one netmap_if; nothing else may change
 * the kernel object and pool counts, and nothing may leak.
 */
#include <stdio.h>

#include "fz_common.h"

#define REQ_OFS		0x100
#define REQ_SIZE	((uint32_t)sizeof(struct nmreq))

_Static_assert(sizeof(struct nmreq) == 60, "struct nmreq is 60 bytes");

/* Expected errno of a request the kernel turns down before running it. */
static int legacy_precheck(const struct nmreq *a, bool regif)
{
	if (a->nr_version < NETMAP_API)
		return EINVAL;
	if (!regif)
		return 0;	/* BDG_LIST runs (VALE) */
	switch (a->nr_cmd) {
	case 0:
	case NETMAP_BDG_ATTACH:
	case NETMAP_BDG_DETACH:
	case NETMAP_BDG_VNET_HDR:
	case NETMAP_BDG_NEWIF:
	case NETMAP_BDG_DELIF:
	case NETMAP_VNET_HDR_GET:
		return 0;	/* VALE: they run, see is_vale() */
	case NETMAP_BDG_POLLING_ON:
	case NETMAP_BDG_POLLING_OFF:
	case NETMAP_PT_HOST_CREATE:
	case NETMAP_PT_HOST_DELETE:
		return EOPNOTSUPP;	/* polling and ptnetmap: not built */
	default:
		return EINVAL;		/* REGOPS, LIST, unknown */
	}
}

/*
 * VALE requests (the BDG sub-commands, and ports named vale*) run in
 * the switch: private allocators, persistent ports, names written back.
 * Their replies and object counts are the VALE unit tests' business;
 * here they only have to keep to their errnos and not crash or leak.
 */
static bool is_vale(const struct nmreq *a, bool regif)
{
	if (!regif)
		return a->nr_cmd == NETMAP_BDG_LIST ||
		       !strncmp(a->nr_name, "vale", 4);
	return a->nr_cmd != 0 || !strncmp(a->nr_name, "vale", 4);
}

static void check_reply(const struct nmreq *a, const struct nmreq *b,
			bool regif)
{
	uint64_t if_end = fz_pools.nr_if_pool_offset +
			  (uint64_t)fz_pools.nr_if_pool_objtotal *
			  fz_pools.nr_if_pool_objsize;

	FZ_CHECK(!memcmp(a->nr_name, b->nr_name, sizeof(a->nr_name) - 1) &&
		 b->nr_name[sizeof(b->nr_name) - 1] == '\0',
		 "nr_name came back changed");
	FZ_CHECK(b->nr_version == a->nr_version &&
		 b->nr_ringid == a->nr_ringid && b->nr_cmd == a->nr_cmd &&
		 b->nr_arg1 == a->nr_arg1 && b->nr_flags == a->nr_flags &&
		 b->spare2[0] == a->spare2[0],
		 "input fields came back changed");
	FZ_CHECK((regif && fz_copy_monitor(a->nr_flags,
					   a->nr_flags & NR_REG_MASK)) ||
		 (b->nr_arg2 == 1 &&
		  b->nr_memsize == (uint32_t)fz_pools.nr_memsize),
		 "reply: mem_id %u memsize %u", b->nr_arg2, b->nr_memsize);
	if (regif) {
		FZ_CHECK(b->nr_offset >= fz_pools.nr_if_pool_offset &&
			 b->nr_offset < if_end, "NIOCREGIF: nr_offset %u",
			 b->nr_offset);
		FZ_CHECK(b->nr_arg3 <= a->nr_arg3,
			 "extra bufs %u granted, %u asked", b->nr_arg3,
			 a->nr_arg3);
		/* pipe ends and monitors have geometries of their own */
		if ((a->nr_flags & NR_REG_MASK) != NR_REG_NULL &&
		    (a->nr_flags & NR_REG_MASK) != NR_REG_PIPE_MASTER &&
		    (a->nr_flags & NR_REG_MASK) != NR_REG_PIPE_SLAVE &&
		    !fz_monitor(a->nr_flags, a->nr_flags & NR_REG_MASK))
			fz_check_geometry(b->nr_name, sizeof(b->nr_name),
					  b->nr_tx_slots, b->nr_rx_slots,
					  b->nr_tx_rings, b->nr_rx_rings);
		return;
	}
	FZ_CHECK(b->nr_offset == a->nr_offset && b->nr_arg3 == a->nr_arg3,
		 "NIOCGINFO changed nr_offset or nr_arg3");
	if (b->nr_name[0])
		fz_check_geometry(b->nr_name, sizeof(b->nr_name),
				  b->nr_tx_slots, b->nr_rx_slots,
				  b->nr_tx_rings, b->nr_rx_rings);
	else
		FZ_CHECK(b->nr_tx_slots == a->nr_tx_slots &&
			 b->nr_rx_slots == a->nr_rx_slots &&
			 b->nr_tx_rings == a->nr_tx_rings &&
			 b->nr_rx_rings == a->nr_rx_rings,
			 "NIOCGINFO without a name changed the port fields");
}

/* The NIOCCTRL view of a legacy request (see nm_legacy_register()). */
static void record_reg(const struct nmreq *a, const struct nmreq *b, int fdi)
{
	struct fz_regi *ri = &fz_regi[fdi];
	uint32_t mode = a->nr_flags & NR_REG_MASK;

	if (mode == NR_REG_DEFAULT)
		mode = a->nr_ringid & NETMAP_SW_RING ? NR_REG_SW :
		       a->nr_ringid & NETMAP_HW_RING ? NR_REG_ONE_NIC :
						       NR_REG_ALL_NIC;
	memset(ri, 0, sizeof(*ri));
	/* the checks of fz_validate() assume the global allocator */
	ri->valid = !fz_copy_monitor(a->nr_flags,
				     a->nr_flags & NR_REG_MASK);
	memcpy(ri->name, b->nr_name, sizeof(b->nr_name));
	ri->mode = mode;
	ri->ringid = a->nr_ringid & NETMAP_RING_MASK;
	/* the pipe modes name a pipe end ("{N" / "}N"), bound whole */
	if (mode == NR_REG_PIPE_MASTER || mode == NR_REG_PIPE_SLAVE) {
		ri->mode = NR_REG_ALL_NIC;
		ri->ringid = 0;
	}
	ri->flags = a->nr_flags & ~(uint32_t)NR_REG_MASK;
	ri->extra_asked = a->nr_arg3;
	ri->reply.nr_offset = b->nr_offset;
	ri->reply.nr_memsize = b->nr_memsize;
	ri->reply.nr_tx_slots = b->nr_tx_slots;
	ri->reply.nr_rx_slots = b->nr_rx_slots;
	ri->reply.nr_tx_rings = b->nr_tx_rings;
	ri->reply.nr_rx_rings = b->nr_rx_rings;
	ri->reply.nr_mem_id = b->nr_arg2;
	ri->reply.nr_extra_bufs = b->nr_arg3;
}

static void legacy_op(struct fz_in *in, int fdi, bool regif, int psel)
{
	struct fz_counts c0, c1;
	struct nmreq q, a, b;
	bool readable;
	uint64_t u;
	long live;
	int r, err, want;

	switch (psel) {
	case 0:
		u = fz_uaddr(REQ_OFS);
		break;
	case 1:
		u = fz_uaddr(fz_ofs(in));
		break;
	case 2:
		u = fz_u64(in);
		break;
	default:
		u = fz_uaddr(FZ_ARENA_SIZE - REQ_SIZE) +
		    fz_u8(in) % (REQ_SIZE + 1);
		break;
	}
	memset(&q, 0, sizeof(q));
	fz_put_name(in, q.nr_name, sizeof(q.nr_name));
	switch (fz_u8(in) & 3) {
	case 0:
		q.nr_version = NETMAP_API;
		break;
	case 1:
		q.nr_version = fz_u32(in);
		break;
	case 2:
		q.nr_version = NETMAP_API - 1;
		break;
	default:
		q.nr_version = NETMAP_MAX_API;
		break;
	}
	fz_bytes(in, &q.nr_offset,
		 REQ_SIZE - offsetof(struct nmreq, nr_offset));
	readable = fz_uok(u, REQ_SIZE);
	if (readable)
		memcpy(fz_uptr(u), &q, sizeof(q));
	memcpy(fz_snap, fz_arena, FZ_ARENA_SIZE);
	live = nmsim_live_objects();
	if (regif) {
		fz_counts_get(&c0);
		fz_pools_touched = true;
	}

	r = nmsim_ioctl(fz_fd[fdi], regif ? NIOCREGIF : NIOCGINFO, fz_uptr(u));
	err = r ? errno : 0;
	FZ_CHECK(r == 0 || (r == -1 && err > 0), "ioctl returned %d errno %d",
		 r, err);

	if (fz_trace)
		fprintf(stderr, "fz: fd%d %s \"%.16s\" ringid 0x%x cmd %u "
			"flags 0x%x -> %d\n", fdi,
			regif ? "NIOCREGIF" : "NIOCGINFO",
			readable ? q.nr_name : "", q.nr_ringid, q.nr_cmd,
			q.nr_flags, err);
	if (!readable) {
		FZ_CHECK(err == EFAULT, "unreadable nmreq: errno %d", err);
		fz_arena_compare("unreadable nmreq: nothing may change");
		fz_live_expect(live, "unreadable nmreq");
		return;
	}
	a = q;	/* what the kernel read */
	want = legacy_precheck(&a, regif);
	if (want) {
		FZ_CHECK(err == want, "%s: errno %d, expected %d",
			 regif ? "NIOCREGIF" : "NIOCGINFO", err, want);
	} else if (is_vale(&a, regif)) {
		FZ_CHECK(err == 0 || err == EINVAL || err == EBUSY ||
			 err == ENXIO || err == ENOMEM || err == EEXIST ||
			 err == ENOENT || err == ENOSPC || err == EOPNOTSUPP,
			 "VALE request: errno %d", err);
	} else if (regif && fz_reg[fdi]) {
		FZ_CHECK(err == EBUSY, "NIOCREGIF on a registered fd: errno %d",
			 err);
	} else if (regif) {
		FZ_CHECK(err == 0 || err == EINVAL || err == EBUSY ||
			 err == ENXIO || err == ENOMEM || err == EOPNOTSUPP,
			 "NIOCREGIF: errno %d", err);
	} else {
		FZ_CHECK(err == 0 || err == ENXIO || err == EINVAL,
			 "NIOCGINFO: errno %d", err);
	}
	if (err == 0) {
		memcpy(&b, fz_uptr(u), sizeof(b));
		if (!is_vale(&a, regif))
			check_reply(&a, &b, regif);
		memcpy(fz_snap + fz_uofs(u), &b, sizeof(b));
	}
	fz_arena_compare(err ? "failed legacy request: nothing may change"
			     : "legacy reply");
	if (is_vale(&a, regif)) {
		char name[sizeof(a.nr_name)];

		memcpy(name, a.nr_name, sizeof(name));
		name[sizeof(name) - 1] = '\0';
		if (regif && err == 0 && a.nr_cmd == 0)
			fz_reg[fdi] = true;
		if (regif && err == 0 && a.nr_cmd == NETMAP_BDG_NEWIF)
			fz_vale_note_newif(name);
		if (regif && err == 0 && a.nr_cmd == NETMAP_BDG_ATTACH)
			fz_vale_note_attach(name);
	} else if (regif && err == 0) {
		fz_counts_get(&c1);
		/* a copy monitor's netmap_if is in its own allocator */
		FZ_CHECK(c1.pool[0] == c0.pool[0] -
			 (fz_copy_monitor(a.nr_flags,
					  a.nr_flags & NR_REG_MASK) ? 0 : 1),
			 "NIOCREGIF took %ld netmap_if objects",
			 c0.pool[0] - c1.pool[0]);
		fz_reg[fdi] = true;
		record_reg(&a, &b, fdi);
	} else if (regif) {
		fz_counts_expect(&c0, "failed NIOCREGIF");
	} else {
		fz_live_expect(live, "NIOCGINFO");
	}
	memset(fz_uptr(u), 0, sizeof(q));
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
			legacy_op(&in, fdi, kind < 2, (code >> 4) & 3);
		else
			fz_data_op(code & (7 | FZ_OP_VALIDATE), fdi, &in);
	}
	fz_end_input();
	return 0;
}
