/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NIOCCTRL: copying a control request (header, body, option chain) in from
 * user memory, running it, and copying the results out; and the legacy
 * NIOCREGIF / NIOCGINFO requests, converted and run by the same code.
 *
 * Rules (see shared/ABI.md):
 *  - nr_version in [NETMAP_MIN_API, NETMAP_MAX_API], nr_reserved 0, a
 *    known nr_reqtype, nr_name NUL-terminated: EINVAL otherwise.
 *  - a body exactly when the request type has one: EINVAL otherwise.
 *  - every option starts with status EOPNOTSUPP; the code that uses it
 *    sets 0 or an errno.  Type 0 and duplicates get EINVAL, unknown types
 *    keep EOPNOTSUPP; either fails the request before it runs.
 *  - body plus options may not exceed NETMAP_REQ_MAXSIZE bytes, each
 *    option counting at least its header, so long and cyclic chains end
 *    in EMSGSIZE after a bounded walk.
 *  - REGISTER fails with EOPNOTSUPP (and undoes itself) if an option was
 *    not used.
 *  - the header always goes back to the user with the user's own
 *    pointers and nr_reserved 0; the body only on success; the option
 *    headers (with statuses) whenever the chain was read whole; an
 *    option's body only on success and when its status is 0.
 *
 * Past bugs of this parser in netmap, each avoided by construction here:
 * sizes computed in one pass over user memory and trusted in a second
 * (every user byte is read once, into the kernel buffer, in a single
 * pass); an unchecked nro_size overflowing a sum (sizes are bounded before
 * any addition); a per-option saved pointer not counted in the buffer
 * size (saved pointers live in their own array, not in the byte budget);
 * the header not restored on error (the copy-out path is shared by every
 * outcome and writes the user's own values).
 */
#include "nm_kern.h"

#define NM_OPT_HDR	((uint32_t)sizeof(struct nmreq_option))
#define NM_MAX_OPTS	(NETMAP_REQ_MAXSIZE / sizeof(struct nmreq_option))

struct nm_kopt {
	uint64_t		uaddr;	/* where the option is in user memory */
	uint64_t		unext;	/* the user's nro_next */
	struct nmreq_option	*k;	/* kernel copy; the body follows it */
	uint32_t		bodysz;
};

struct nm_kreq {
	struct nmreq_header	hdr;		/* as the user sent it */
	void			*body;
	uint32_t		bodysz;
	unsigned int		nopts;
	bool			opts_read;	/* the whole chain was read */
	struct nm_kopt		opts[NM_MAX_OPTS];
	struct nmreq_option	*bytype[NETMAP_REQ_OPT_MAX];
	uint32_t		used;		/* bytes of buf in use */
	uint64_t		buf[NETMAP_REQ_MAXSIZE / sizeof(uint64_t)];
};

static const uint8_t nm_body_sizes[NETMAP_REQ_MAX] = {
	[NETMAP_REQ_REGISTER] = sizeof(struct nmreq_register),
	[NETMAP_REQ_PORT_INFO_GET] = sizeof(struct nmreq_port_info_get),
	[NETMAP_REQ_VALE_ATTACH] = sizeof(struct nmreq_vale_attach),
	[NETMAP_REQ_VALE_DETACH] = sizeof(struct nmreq_vale_detach),
	[NETMAP_REQ_VALE_LIST] = sizeof(struct nmreq_vale_list),
	[NETMAP_REQ_PORT_HDR_SET] = sizeof(struct nmreq_port_hdr),
	[NETMAP_REQ_PORT_HDR_GET] = sizeof(struct nmreq_port_hdr),
	[NETMAP_REQ_VALE_NEWIF] = sizeof(struct nmreq_vale_newif),
	[NETMAP_REQ_VALE_DELIF] = 0,
	[NETMAP_REQ_VALE_POLLING_ENABLE] = sizeof(struct nmreq_vale_polling),
	[NETMAP_REQ_VALE_POLLING_DISABLE] = sizeof(struct nmreq_vale_polling),
	[NETMAP_REQ_POOLS_INFO_GET] = sizeof(struct nmreq_pools_info),
	[NETMAP_REQ_SYNC_KLOOP_START] = sizeof(struct nmreq_sync_kloop_start),
	[NETMAP_REQ_SYNC_KLOOP_STOP] = 0,
	[NETMAP_REQ_CSB_ENABLE] = 0,
};

/* Whole sizes of the fixed-size options; 0: variable. */
static const uint8_t nm_opt_sizes[NETMAP_REQ_OPT_MAX] = {
	[NETMAP_REQ_OPT_EXTMEM] = sizeof(struct nmreq_opt_extmem),
	[NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS] = 0,
	[NETMAP_REQ_OPT_CSB] = sizeof(struct nmreq_opt_csb),
	[NETMAP_REQ_OPT_SYNC_KLOOP_MODE] = sizeof(struct nmreq_opt_sync_kloop_mode),
	[NETMAP_REQ_OPT_OFFSETS] = sizeof(struct nmreq_opt_offsets),
};

/* ------------------------------------------------------------------ */
/* copy in                                                             */
/* ------------------------------------------------------------------ */

/*
 * Body bytes of an option of a known type, or -1 when nro_size does not
 * fit the type.  nro_size is a user value: bounded before any use.
 */
static int64_t nm_opt_body_size(uint32_t type, uint64_t nro_size)
{
	if (nro_size < NM_OPT_HDR || nro_size > NETMAP_REQ_MAXSIZE)
		return -1;
	if (nm_opt_sizes[type])
		return nro_size == nm_opt_sizes[type] ?
		       (int64_t)(nro_size - NM_OPT_HDR) : -1;
	/* SYNC_KLOOP_EVENTFDS: a whole number of (ioeventfd, irqfd) pairs */
	if ((nro_size - NM_OPT_HDR) % 8)
		return -1;
	return (int64_t)(nro_size - NM_OPT_HDR);
}

/* Reserve n bytes of the request buffer; NULL when over the budget. */
static void *nm_kreq_take(struct nm_kreq *r, uint32_t n)
{
	void *p;

	if (n > NETMAP_REQ_MAXSIZE - r->used)
		return NULL;
	p = (char *)r->buf + r->used;
	r->used += (n + 7) & ~7u;	/* keep copies 8-byte aligned */
	if (r->used > NETMAP_REQ_MAXSIZE)
		r->used = NETMAP_REQ_MAXSIZE;
	return p;
}

/*
 * Reads one option at uopt.  Returns 0, or the errno that stops the walk
 * (EFAULT, EMSGSIZE); problems with the option itself go to its status
 * and to *verdict.
 */
static int nm_copyin_opt(struct nm_kreq *r, uint64_t uopt, uint64_t *next,
			 int *verdict)
{
	struct nm_kopt *ko = &r->opts[r->nopts];
	struct nmreq_option *k;
	uint32_t type;
	int64_t bodysz;

	if (r->nopts == NM_MAX_OPTS)
		return EMSGSIZE;
	k = nm_kreq_take(r, NM_OPT_HDR);
	if (!k)
		return EMSGSIZE;
	if (nm_os_copyin(k, uopt, NM_OPT_HDR))
		return EFAULT;
	ko->uaddr = uopt;
	ko->unext = k->nro_next;
	ko->k = k;
	ko->bodysz = 0;
	r->nopts++;
	*next = k->nro_next;
	type = k->nro_reqtype;
	k->nro_status = EOPNOTSUPP;

	if (type == 0) {
		k->nro_status = EINVAL;
		*verdict = EINVAL;
		return 0;
	}
	if (type >= NETMAP_REQ_OPT_MAX) {
		if (*verdict == 0)
			*verdict = EOPNOTSUPP;
		return 0;	/* nobody will use it: keep EOPNOTSUPP */
	}
	if (r->bytype[type]) {
		r->bytype[type]->nro_status = EINVAL;
		k->nro_status = EINVAL;
		*verdict = EINVAL;
		return 0;
	}
	bodysz = nm_opt_body_size(type, k->nro_size);
	if (bodysz < 0) {
		k->nro_status = EINVAL;
		*verdict = EINVAL;
		return 0;
	}
	if (bodysz > 0) {
		/* the body follows the header in the kernel buffer too */
		if (!nm_kreq_take(r, (uint32_t)bodysz))
			return EMSGSIZE;
		if (nm_os_copyin(k + 1, uopt + NM_OPT_HDR, (size_t)bodysz))
			return EFAULT;
		ko->bodysz = (uint32_t)bodysz;
	}
	r->bytype[type] = k;
	return 0;
}

static int nm_copyin_opts(struct nm_kreq *r)
{
	uint64_t uopt = r->hdr.nr_options;
	int verdict = 0, err;

	while (uopt) {
		err = nm_copyin_opt(r, uopt, &uopt, &verdict);
		if (err)
			return err;
	}
	r->opts_read = true;
	return verdict;
}

static bool nm_name_ok(const char *name)
{
	return memchr(name, '\0', NETMAP_REQ_IFNAMSIZ) != NULL;
}

static int nm_copyin_req(struct nm_kreq *r)
{
	struct nmreq_header *h = &r->hdr;

	if (h->nr_version < NETMAP_MIN_API || h->nr_version > NETMAP_MAX_API)
		return EINVAL;
	if (h->nr_reserved != 0)
		return EINVAL;
	if (h->nr_reqtype == 0 || h->nr_reqtype >= NETMAP_REQ_MAX)
		return EINVAL;
	if (!nm_name_ok(h->nr_name))
		return EINVAL;
	r->bodysz = nm_body_sizes[h->nr_reqtype];
	if ((r->bodysz != 0) != (h->nr_body != 0))
		return EINVAL;
	if (r->bodysz) {
		r->body = nm_kreq_take(r, r->bodysz);
		if (nm_os_copyin(r->body, h->nr_body, r->bodysz))
			return EFAULT;
	}
	return nm_copyin_opts(r);
}

/* ------------------------------------------------------------------ */
/* copy out                                                            */
/* ------------------------------------------------------------------ */

static int nm_copyout_req(struct nm_kreq *r, uint64_t uhdr, int rerr)
{
	struct nmreq_header out = r->hdr;	/* the user's own pointers */
	unsigned int i;
	int err = 0;

	if (!rerr && r->bodysz)
		err = nm_os_copyout(r->hdr.nr_body, r->body, r->bodysz);
	for (i = 0; !err && r->opts_read && i < r->nopts; i++) {
		struct nm_kopt *ko = &r->opts[i];
		struct nmreq_option oh = *ko->k;

		oh.nro_next = ko->unext;
		err = nm_os_copyout(ko->uaddr, &oh, NM_OPT_HDR);
		if (!err && !rerr && oh.nro_status == 0 && ko->bodysz)
			err = nm_os_copyout(ko->uaddr + NM_OPT_HDR, ko->k + 1,
					    ko->bodysz);
	}
	/* the header last: whatever overlaps it, the user reads it intact */
	out.nr_reserved = 0;
	if (nm_os_copyout(uhdr, &out, sizeof(out)))
		err = EFAULT;
	return err;
}

/* ------------------------------------------------------------------ */
/* running a request                                                   */
/* ------------------------------------------------------------------ */

/* The option of a type, marked as used; NULL if absent (or no chain). */
static struct nmreq_option *nm_getoption(struct nm_kreq *r, uint32_t type)
{
	/* a lookup only: the consumer sets the status once it has run */
	return r ? r->bytype[type] : NULL;
}

static int nm_checkoptions(struct nm_kreq *r)
{
	unsigned int i;

	for (i = 0; r && i < r->nopts; i++)
		if (r->opts[i].k->nro_status == EOPNOTSUPP)
			return EOPNOTSUPP;
	return 0;
}

static int nm_req_register(struct netmap_priv_d *priv, const char *name,
			   struct nmreq_register *req, struct nm_kreq *r)
{
	struct nmreq_option *off = nm_getoption(r, NETMAP_REQ_OPT_OFFSETS);
	struct nm_reg_opts ro = {
		.offsets = (const struct nmreq_opt_offsets *)off,
		.offsets_status = EOPNOTSUPP,
	};
	int err;

	NMG_LOCK();
	err = netmap_do_register(priv, name, req, &ro);
	if (off)
		off->nro_status = (uint32_t)ro.offsets_status;
	if (!err) {
		err = nm_checkoptions(r);
		if (err)
			netmap_do_unregister(priv);
	}
	NMG_UNLOCK();
	return err;
}

static int nm_req_run(struct netmap_priv_d *priv, const char *name,
		      uint16_t type, void *body, struct nm_kreq *r)
{
	int err;

	switch (type) {
	case NETMAP_REQ_REGISTER:
		return nm_req_register(priv, name, body, r);
	case NETMAP_REQ_PORT_INFO_GET:
		NMG_LOCK();
		err = netmap_port_info(name, body);
		NMG_UNLOCK();
		return err;
	case NETMAP_REQ_POOLS_INFO_GET:
		NMG_LOCK();
		err = netmap_pools_info(name, body);
		NMG_UNLOCK();
		return err;
	case NETMAP_REQ_VALE_ATTACH:
	case NETMAP_REQ_VALE_DETACH:
	case NETMAP_REQ_VALE_LIST:
	case NETMAP_REQ_VALE_NEWIF:
	case NETMAP_REQ_VALE_DELIF:
	case NETMAP_REQ_PORT_HDR_SET:
	case NETMAP_REQ_PORT_HDR_GET:
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return netmap_vale_ctl(priv, type, name, body);
	default:
		/* kloop, CSB: not built */
		return EOPNOTSUPP;
	}
}

/* Undo a registration the user will not hear about (copy-out failed). */
static void nm_req_undo(struct netmap_priv_d *priv, uint16_t type)
{
	if (type != NETMAP_REQ_REGISTER)
		return;
	NMG_LOCK();
	if (priv->np_na)
		netmap_do_unregister(priv);
	NMG_UNLOCK();
}

int netmap_ioctl_ctrl(struct netmap_priv_d *priv, uint64_t uhdr)
{
	struct nm_kreq *r;
	int err, cerr;

	r = nm_malloc(sizeof(*r));
	if (!r)
		return ENOMEM;
	if (nm_os_copyin(&r->hdr, uhdr, sizeof(r->hdr))) {
		nm_free(r);
		return EFAULT;	/* nothing we can even write back */
	}
	err = nm_copyin_req(r);
	if (!err)
		err = nm_req_run(priv, r->hdr.nr_name, r->hdr.nr_reqtype,
				 r->body, r);
	cerr = nm_copyout_req(r, uhdr, err);
	if (cerr && !err) {
		nm_req_undo(priv, r->hdr.nr_reqtype);
		err = cerr;
	} else if (!err && r->hdr.nr_reqtype == NETMAP_REQ_REGISTER) {
		NMG_LOCK();
		netmap_register_commit(priv);
		NMG_UNLOCK();
	}
	nm_free(r);
	return err;
}

/* ------------------------------------------------------------------ */
/* legacy requests                                                     */
/* ------------------------------------------------------------------ */

/*
 * Legacy ringid bits: with mode DEFAULT, NETMAP_SW_RING selects the host
 * rings and NETMAP_HW_RING one NIC ring.  (netmap's reference kernel
 * tests these bits after masking them away, so it always picks ALL_NIC;
 * the documented meaning is implemented here.)
 */
static uint32_t nm_legacy_mode(const struct nmreq *nmr)
{
	uint32_t mode = nmr->nr_flags & NR_REG_MASK;

	if (mode != NR_REG_DEFAULT)
		return mode;
	if (nmr->nr_ringid & NETMAP_SW_RING)
		return NR_REG_SW;
	if (nmr->nr_ringid & NETMAP_HW_RING)
		return NR_REG_ONE_NIC;
	return NR_REG_ALL_NIC;
}

static int nm_legacy_register(const struct nmreq *nmr, char *name,
			      struct nmreq_register *reg)
{
	uint32_t mode = nm_legacy_mode(nmr);

	memset(reg, 0, sizeof(*reg));
	reg->nr_tx_slots = nmr->nr_tx_slots;
	reg->nr_rx_slots = nmr->nr_rx_slots;
	reg->nr_tx_rings = nmr->nr_tx_rings;
	reg->nr_rx_rings = nmr->nr_rx_rings;
	reg->nr_mem_id = nmr->nr_arg2;
	reg->nr_ringid = nmr->nr_ringid & NETMAP_RING_MASK;
	reg->nr_extra_bufs = nmr->nr_arg3;
	reg->nr_flags = nmr->nr_flags & ~(uint32_t)NR_REG_MASK;
	if (nmr->nr_ringid & NETMAP_NO_TX_POLL)
		reg->nr_flags |= NR_NO_TX_POLL;
	if (nmr->nr_ringid & NETMAP_DO_RX_POLL)
		reg->nr_flags |= NR_DO_RX_POLL;
	reg->nr_mode = mode;
	if (mode == NR_REG_PIPE_MASTER || mode == NR_REG_PIPE_SLAVE) {
		/* legacy pipes are named by a suffix in the new API */
		size_t len = strlen(name);
		int n = snprintf(name + len, NETMAP_REQ_IFNAMSIZ - len, "%c%u",
				 mode == NR_REG_PIPE_MASTER ? '{' : '}',
				 reg->nr_ringid);

		if (n < 0 || (size_t)n >= NETMAP_REQ_IFNAMSIZ - len)
			return EINVAL;
		reg->nr_mode = NR_REG_ALL_NIC;
		reg->nr_ringid = 0;
	}
	return 0;
}

/* ---- VALE commands of the legacy API (nm_vale.c does the work) ---- */

static int nm_legacy_vale(struct netmap_priv_d *priv, struct nmreq *nmr,
			  char *name)
{
	union {
		struct nmreq_vale_attach	att;
		struct nmreq_vale_detach	det;
		struct nmreq_vale_newif		nif;
		struct nmreq_port_hdr		hdr;
		struct nmreq_vale_polling	pol;
	} b;
	int err;

	memset(&b, 0, sizeof(b));
	switch (nmr->nr_cmd) {
	case NETMAP_BDG_ATTACH:
		err = nm_legacy_register(nmr, name, &b.att.reg);
		if (err)
			return err;
		b.att.reg.nr_mode = (nmr->nr_arg1 & NETMAP_BDG_HOST) ?
				    NR_REG_NIC_SW : NR_REG_ALL_NIC;
		err = netmap_vale_ctl(priv, NETMAP_REQ_VALE_ATTACH, name, &b);
		if (!err)
			nmr->nr_arg2 = b.att.reg.nr_mem_id;
		return err;
	case NETMAP_BDG_DETACH:
		return netmap_vale_ctl(priv, NETMAP_REQ_VALE_DETACH, name, &b);
	case NETMAP_BDG_VNET_HDR:
		b.hdr.nr_hdr_len = nmr->nr_arg1;
		return netmap_vale_ctl(priv, NETMAP_REQ_PORT_HDR_SET, name, &b);
	case NETMAP_VNET_HDR_GET:
		err = netmap_vale_ctl(priv, NETMAP_REQ_PORT_HDR_GET, name, &b);
		if (!err)
			nmr->nr_arg1 = (uint16_t)b.hdr.nr_hdr_len;
		return err;
	case NETMAP_BDG_NEWIF:
		b.nif.nr_tx_slots = nmr->nr_tx_slots;
		b.nif.nr_rx_slots = nmr->nr_rx_slots;
		b.nif.nr_tx_rings = nmr->nr_tx_rings;
		b.nif.nr_rx_rings = nmr->nr_rx_rings;
		b.nif.nr_mem_id = nmr->nr_arg2;
		err = netmap_vale_ctl(priv, NETMAP_REQ_VALE_NEWIF, name, &b);
		if (err)
			return err;
		nmr->nr_tx_slots = b.nif.nr_tx_slots;
		nmr->nr_rx_slots = b.nif.nr_rx_slots;
		nmr->nr_tx_rings = b.nif.nr_tx_rings;
		nmr->nr_rx_rings = b.nif.nr_rx_rings;
		nmr->nr_arg2 = b.nif.nr_mem_id;
		return 0;
	case NETMAP_BDG_DELIF:
		return netmap_vale_ctl(priv, NETMAP_REQ_VALE_DELIF, name, NULL);
	default:	/* POLLING_ON / OFF */
		return netmap_vale_ctl(priv, nmr->nr_cmd == NETMAP_BDG_POLLING_ON ?
				       NETMAP_REQ_VALE_POLLING_ENABLE :
				       NETMAP_REQ_VALE_POLLING_DISABLE,
				       name, &b);
	}
}

static int nm_legacy_regif(struct netmap_priv_d *priv, struct nmreq *nmr,
			   char *name)
{
	struct nmreq_register reg;
	int err;

	switch (nmr->nr_cmd) {
	case 0:
		break;
	case NETMAP_BDG_ATTACH:
	case NETMAP_BDG_DETACH:
	case NETMAP_BDG_VNET_HDR:
	case NETMAP_BDG_NEWIF:
	case NETMAP_BDG_DELIF:
	case NETMAP_BDG_POLLING_ON:
	case NETMAP_BDG_POLLING_OFF:
	case NETMAP_VNET_HDR_GET:
		return nm_legacy_vale(priv, nmr, name);
	case NETMAP_PT_HOST_CREATE:
	case NETMAP_PT_HOST_DELETE:
		return EOPNOTSUPP;
	default:
		return EINVAL;
	}
	err = nm_legacy_register(nmr, name, &reg);
	if (!err)
		err = nm_req_run(priv, name, NETMAP_REQ_REGISTER, &reg, NULL);
	if (err)
		return err;
	nmr->nr_offset = (uint32_t)reg.nr_offset;
	nmr->nr_memsize = (uint32_t)reg.nr_memsize;
	nmr->nr_tx_slots = reg.nr_tx_slots;
	nmr->nr_rx_slots = reg.nr_rx_slots;
	nmr->nr_tx_rings = reg.nr_tx_rings;
	nmr->nr_rx_rings = reg.nr_rx_rings;
	nmr->nr_arg2 = reg.nr_mem_id;
	nmr->nr_arg3 = reg.nr_extra_bufs;
	return 0;
}

static int nm_legacy_ginfo(struct netmap_priv_d *priv, struct nmreq *nmr,
			   char *name)
{
	struct nmreq_port_info_get pi;
	int err;

	if (nmr->nr_cmd == NETMAP_BDG_LIST) {
		struct nmreq_vale_list vl;

		memset(&vl, 0, sizeof(vl));
		vl.nr_bridge_idx = nmr->nr_arg1;
		vl.nr_port_idx = nmr->nr_arg2;
		err = netmap_vale_ctl(priv, NETMAP_REQ_VALE_LIST, name, &vl);
		if (err)
			return err;
		/* the name comes back in 16 bytes: truncated */
		memcpy(nmr->nr_name, name, sizeof(nmr->nr_name) - 1);
		nmr->nr_name[sizeof(nmr->nr_name) - 1] = '\0';
		nmr->nr_arg1 = vl.nr_bridge_idx;
		nmr->nr_arg2 = (uint16_t)vl.nr_port_idx;
		return 0;
	}
	memset(&pi, 0, sizeof(pi));
	pi.nr_mem_id = nmr->nr_arg2;
	err = nm_req_run(priv, name, NETMAP_REQ_PORT_INFO_GET, &pi, NULL);
	if (err)
		return err;
	nmr->nr_memsize = (uint32_t)pi.nr_memsize;
	nmr->nr_arg2 = pi.nr_mem_id;
	if (name[0] != '\0') {
		nmr->nr_tx_slots = pi.nr_tx_slots;
		nmr->nr_rx_slots = pi.nr_rx_slots;
		nmr->nr_tx_rings = pi.nr_tx_rings;
		nmr->nr_rx_rings = pi.nr_rx_rings;
	}
	return 0;
}

/*
 * struct nmreq is copied back only on success; on error the user's copy
 * is untouched.  nr_memsize and nr_offset are 32 bits wide here.
 */
int netmap_ioctl_legacy(struct netmap_priv_d *priv, unsigned long cmd,
			uint64_t unmr)
{
	char name[NETMAP_REQ_IFNAMSIZ];
	struct nmreq nmr;
	int err;

	if (nm_os_copyin(&nmr, unmr, sizeof(nmr)))
		return EFAULT;
	if (nmr.nr_version < NETMAP_MIN_API)
		return EINVAL;
	nmr.nr_name[sizeof(nmr.nr_name) - 1] = '\0';
	memset(name, 0, sizeof(name));
	memcpy(name, nmr.nr_name, sizeof(nmr.nr_name));
	if (cmd == (uint32_t)NIOCREGIF)
		err = nm_legacy_regif(priv, &nmr, name);
	else
		err = nm_legacy_ginfo(priv, &nmr, name);
	if (err)
		return err;
	if (nm_os_copyout(unmr, &nmr, sizeof(nmr))) {
		nm_req_undo(priv, cmd == (uint32_t)NIOCREGIF ?
			    NETMAP_REQ_REGISTER : 0);
		return EFAULT;
	}
	if (cmd == (uint32_t)NIOCREGIF) {
		NMG_LOCK();
		netmap_register_commit(priv);
		NMG_UNLOCK();
	}
	return 0;
}
