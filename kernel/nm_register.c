/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * REGISTER and its undoing: which rings a registration binds, the rings
 * and netmap_if it creates, extra buffers, null ports, PORT_INFO_GET.
 *
 * Everything here runs under NMG_LOCK.  Each step of netmap_do_register()
 * has its inverse, run in reverse order both by the error path and by
 * netmap_do_unregister(), so a failure anywhere leaves nothing behind.
 */
#include "nm_kern.h"

#define NM_MAX_RINGS		64	/* NIC or null port rings per kind */
#define NM_MAX_HOST_RINGS	64
#define NM_DEFAULT_SLOTS	1024

#define NM_REG_KNOWN_FLAGS						\
	(NR_MONITOR_TX | NR_MONITOR_RX | NR_ZCOPY_MON | NR_EXCLUSIVE |	\
	 NR_PTNETMAP_GUEST | NR_RX_RINGS_ONLY | NR_TX_RINGS_ONLY |	\
	 NR_ACCEPT_VNET_HDR | NR_DO_RX_POLL | NR_NO_TX_POLL)

/* ------------------------------------------------------------------ */
/* ring ranges                                                         */
/* ------------------------------------------------------------------ */

/*
 * One index j for ONE_NIC / ONE_SW: the ringid, or ring 0 in a direction
 * with fewer rings (so asymmetric ports still work, as in netmap).  EINVAL
 * only when the ringid fits neither direction.
 */
static int nm_pick_one(uint32_t ringid, uint32_t n, uint32_t ntx, uint32_t nrx,
		       uint32_t *first, uint32_t *last)
{
	if (ringid >= ntx && ringid >= nrx)
		return EINVAL;
	if (n == 0) {
		*first = *last = 0;
		return 0;
	}
	*first = ringid < n ? ringid : 0;
	*last = *first + 1;
	return 0;
}

static int nm_interp_ringid(struct netmap_priv_d *priv,
			    struct netmap_adapter *na, uint32_t mode,
			    uint32_t ringid, uint64_t flags)
{
	uint32_t hosts[NR_TXRX] = { na->num_host_rings[NR_TX],
				    na->num_host_rings[NR_RX] };
	bool has_host = (na->na_flags & NAF_HOST_RINGS) &&
			(hosts[NR_TX] || hosts[NR_RX]);
	int t, err = 0;

	for_rx_tx(t) {
		uint32_t nr = na->num_rings[t], nh = hosts[t];
		uint32_t *first = &priv->np_qfirst[t], *last = &priv->np_qlast[t];
		uint64_t other_only = t == NR_TX ? NR_RX_RINGS_ONLY
						 : NR_TX_RINGS_ONLY;

		*first = *last = 0;
		if (flags & other_only)
			continue;
		switch (mode) {
		case NR_REG_ALL_NIC:
		case NR_REG_NULL:
			*last = nr;
			break;
		case NR_REG_SW:
		case NR_REG_NIC_SW:
			if (!has_host)
				return EINVAL;
			*first = mode == NR_REG_SW ? nr : 0;
			*last = nr + nh;
			break;
		case NR_REG_ONE_NIC:
			err = nm_pick_one(ringid, nr, na->num_rings[NR_TX],
					  na->num_rings[NR_RX], first, last);
			break;
		case NR_REG_ONE_SW:
			if (!has_host)
				return EINVAL;
			err = nm_pick_one(ringid, nh, hosts[NR_TX],
					  hosts[NR_RX], first, last);
			*first += nr;
			*last += nr;
			if (nh == 0)
				*last = *first;
			break;
		default:
			return EINVAL;
		}
		if (err)
			return err;
	}
	/* a registration that binds nothing is a mistake */
	if (priv->np_qfirst[NR_TX] == priv->np_qlast[NR_TX] &&
	    priv->np_qfirst[NR_RX] == priv->np_qlast[NR_RX])
		return EINVAL;
	return 0;
}

/* Copies a name, truncated to fit dst with its NUL (dst is zeroed). */
static void nm_copy_name(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

#define for_each_bound(priv, t, i)					\
	for_rx_tx(t)							\
		for ((i) = (priv)->np_qfirst[t]; (i) < (priv)->np_qlast[t]; (i)++)

/* ------------------------------------------------------------------ */
/* kring users and exclusivity                                         */
/* ------------------------------------------------------------------ */

static int nm_check_exclusive(struct netmap_priv_d *priv,
			      struct netmap_adapter *na, uint64_t flags)
{
	uint32_t i;
	int t;

	for_each_bound(priv, t, i) {
		struct netmap_kring *kring = nma_kring(na, t, i);

		if (kring->nr_kflags & NKR_EXCLUSIVE)
			return EBUSY;
		if ((flags & NR_EXCLUSIVE) && kring->users)
			return EBUSY;
	}
	return 0;
}

static void nm_krings_get(struct netmap_priv_d *priv, struct netmap_adapter *na)
{
	uint32_t i;
	int t;

	for_each_bound(priv, t, i) {
		struct netmap_kring *kring = nma_kring(na, t, i);

		kring->users++;
		if (priv->np_flags & NR_EXCLUSIVE)
			kring->nr_kflags |= NKR_EXCLUSIVE;
	}
}

static void nm_krings_put(struct netmap_priv_d *priv, struct netmap_adapter *na)
{
	uint32_t i;
	int t;

	for_each_bound(priv, t, i) {
		struct netmap_kring *kring = nma_kring(na, t, i);

		if (priv->np_flags & NR_EXCLUSIVE)
			kring->nr_kflags &= ~NKR_EXCLUSIVE;
		kring->users--;
	}
}

/* ------------------------------------------------------------------ */
/* offsets                                                             */
/* ------------------------------------------------------------------ */

struct nm_offsets {
	uint64_t mask, max, initial, gap, align;
};

/* Validates the OFFSETS option against the port's buffers. */
static int nm_offsets_parse(const struct nmreq_opt_offsets *o,
			    struct netmap_adapter *na, struct nm_offsets *off)
{
	uint32_t bufsize = nm_mem_bufsize(na->nm_mem);
	uint64_t mask;

	memset(off, 0, sizeof(*off));
	if (!o)
		return 0;
	if (o->nro_offset_bits > 64)
		return EINVAL;
	if (o->nro_offset_bits == 64)
		mask = ~0ULL;
	else if (o->nro_offset_bits > 0)
		mask = (1ULL << o->nro_offset_bits) - 1;
	else	/* 0: the smallest mask that holds max_offset */
		for (mask = 0; mask < o->nro_max_offset; mask = mask * 2 + 1)
			;
	if (o->nro_max_offset >= bufsize || o->nro_max_offset > mask)
		return EINVAL;
	if (o->nro_initial_offset > o->nro_max_offset)
		return EINVAL;
	if (o->nro_tx_align & (o->nro_tx_align - 1))
		return EINVAL;	/* not a power of two */
	if (o->nro_tx_align > 1 && o->nro_initial_offset % o->nro_tx_align)
		return EINVAL;
	off->mask = mask;
	off->max = o->nro_max_offset;
	off->initial = o->nro_initial_offset;
	off->gap = o->nro_min_gap;
	off->align = o->nro_tx_align ? o->nro_tx_align : 1;
	return 0;
}

/*
 * Rings shared with an earlier registration keep their offset setup; a
 * registration asking for a different one gets EBUSY.
 */
static int nm_offsets_check(struct netmap_priv_d *priv,
			    struct netmap_adapter *na,
			    const struct nm_offsets *off)
{
	uint32_t i;
	int t;

	for_each_bound(priv, t, i) {
		struct netmap_kring *kring = nma_kring(na, t, i);

		if (!kring->users)
			continue;
		if (kring->offset_mask != off->mask ||
		    kring->offset_max != off->max ||
		    (off->mask && kring->buf_align != off->align))
			return EBUSY;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* rings                                                               */
/* ------------------------------------------------------------------ */

static void nm_ring_init(struct netmap_kring *kring, struct netmap_ring *ring,
			 const struct nm_offsets *off)
{
	uint32_t n = kring->nkr_num_slots, i;

	ring->ringid = kring->ring_id;
	ring->dir = kring->tx;
	ring->offset_mask = off->mask;
	ring->buf_align = off->mask ? off->align : 0;
	kring->offset_mask = off->mask;
	kring->offset_max = off->max;
	kring->offset_gap = off->gap;
	kring->buf_align = off->mask ? off->align : 0;
	if (off->mask)
		for (i = 0; i < n; i++)
			ring->slot[i].ptr = off->initial;

	kring->nr_hwcur = 0;
	kring->rhead = kring->rcur = 0;
	if (kring->tx == NR_TX) {
		kring->nr_hwtail = kring->rtail = n - 1;
	} else {
		kring->nr_hwtail = kring->rtail = 0;
	}
	kring->nkr_hwofs = 0;
	ring->head = kring->rhead;
	ring->cur = kring->rcur;
	ring->tail = kring->rtail;
}

/* Turn a kring on or off with respect to producers outside its sync. */
static void nm_kring_set_on(struct netmap_kring *kring, bool on)
{
	nm_os_spin_lock(&kring->q_lock);
	kring->on = on;
	nm_os_spin_unlock(&kring->q_lock);
}

static void nm_rings_delete(struct netmap_adapter *na, struct netmap_mem_d *mem)
{
	uint32_t i;
	int t;

	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);

			if (kring->users || !kring->ring)
				continue;
			nm_kr_stop(kring, NM_KR_STOPPED);
			nm_kring_set_on(kring, false);
			if (na->nm_ring_off)
				na->nm_ring_off(kring);
			nm_mem_ring_delete(mem, kring->ring,
					   kring->nkr_num_slots);
			kring->ring = NULL;
			kring->offset_mask = 0;
			kring->offset_max = 0;
			kring->buf_align = 0;
			nm_kr_start(kring);
		}
	}
}

static int nm_rings_create(struct netmap_adapter *na, struct netmap_mem_d *mem,
			   const struct nm_offsets *off)
{
	uint32_t i;
	int t, err;

	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);
			struct netmap_ring *ring;

			if (!kring->users || kring->ring)
				continue;
			ring = nm_mem_ring_new(mem, kring->nkr_num_slots, &err);
			if (!ring)
				return err;	/* the caller unwinds */
			nm_ring_init(kring, ring, off);
			kring->ring = ring;
			if (na->nm_ring_on)
				na->nm_ring_on(kring);
			nm_kring_set_on(kring, true);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* netmap_if                                                           */
/* ------------------------------------------------------------------ */

/*
 * There is always room for at least one host ring of each kind, so
 * programs that index rx rings past "ni_tx_rings + 1" keep working on
 * ports without host rings (the entry is 0, as for any unbound ring).
 */
static uint32_t nm_if_host_rings(struct netmap_adapter *na, int t)
{
	return NM_MAX(1u, na->num_host_rings[t]);
}

static struct netmap_if *nm_if_new(struct netmap_priv_d *priv,
				   struct netmap_adapter *na,
				   struct netmap_mem_d *mem, int *err)
{
	uint32_t slots[NR_TXRX], base_idx, i;
	struct netmap_if *nifp;
	uint64_t base;
	int t;

	for_rx_tx(t)
		slots[t] = na->num_rings[t] + nm_if_host_rings(na, t);
	nifp = nm_mem_if_alloc(mem, sizeof(*nifp) + sizeof(nifp->ring_ofs[0]) *
			       (slots[NR_TX] + slots[NR_RX]), err);
	if (!nifp)
		return NULL;

	nm_copy_name(nifp->ni_name, sizeof(nifp->ni_name), na->name);
	nifp->ni_version = NETMAP_API;
	nifp->ni_flags = mem->is_private ? NI_PRIV_MEM : 0;
	nifp->ni_tx_rings = na->num_rings[NR_TX];
	nifp->ni_rx_rings = na->num_rings[NR_RX];
	nifp->ni_host_tx_rings = nm_if_host_rings(na, NR_TX);
	nifp->ni_host_rx_rings = nm_if_host_rings(na, NR_RX);

	base = nm_mem_ofs(mem, nifp);
	for_rx_tx(t) {
		base_idx = t == NR_TX ? 0 : slots[NR_TX];
		for (i = priv->np_qfirst[t]; i < priv->np_qlast[t]; i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);

			nifp->ring_ofs[base_idx + i] =
				(ssize_t)(nm_mem_ofs(mem, kring->ring) - base);
		}
	}
	return nifp;
}

/* ------------------------------------------------------------------ */
/* null ports                                                          */
/* ------------------------------------------------------------------ */

static int nm_null_sync(struct netmap_kring *kring, int flags)
{
	(void)kring;
	(void)flags;
	return 0;	/* rings and buffers, and nothing moves */
}

static struct netmap_adapter *nm_null_create(const char *name,
					     struct nmreq_register *req,
					     int *err)
{
	struct netmap_adapter *na;
	struct netmap_mem_d *mem;

	/* a null port lives in an allocator somebody else created */
	if (req->nr_mem_id == 0) {
		*err = EINVAL;
		return NULL;
	}
	if (req->nr_tx_rings > NM_MAX_RINGS || req->nr_rx_rings > NM_MAX_RINGS) {
		*err = EINVAL;
		return NULL;
	}
	mem = nm_mem_find(req->nr_mem_id);
	if (!mem) {
		*err = EINVAL;
		return NULL;
	}
	na = nm_malloc(sizeof(*na));
	if (!na) {
		nm_mem_put(mem);
		*err = ENOMEM;
		return NULL;
	}
	nm_copy_name(na->name, sizeof(na->name), name);
	na->na_flags = NAF_NULL;
	na->num_rings[NR_TX] = req->nr_tx_rings ? req->nr_tx_rings : 1;
	na->num_rings[NR_RX] = req->nr_rx_rings ? req->nr_rx_rings : 1;
	na->num_slots[NR_TX] = req->nr_tx_slots ? req->nr_tx_slots
						: NM_DEFAULT_SLOTS;
	na->num_slots[NR_RX] = req->nr_rx_slots ? req->nr_rx_slots
						: NM_DEFAULT_SLOTS;
	na->nm_txsync = na->nm_rxsync = nm_null_sync;
	na->nm_notify = netmap_notify;
	na->nm_krings_create = netmap_krings_create;
	na->nm_krings_delete = netmap_krings_delete;
	na->nm_mem = mem;
	na->refcount = 1;	/* the registration's; not in the registry */
	nm_os_selinfo_init(&na->si[NR_TX]);
	nm_os_selinfo_init(&na->si[NR_RX]);
	*err = 0;
	return na;
}

/* ------------------------------------------------------------------ */
/* register / unregister                                               */
/* ------------------------------------------------------------------ */

static void nm_host_rings_reset(struct netmap_adapter *na)
{
	int t;

	if (!(na->na_flags & NAF_HOST_RINGS))
		return;
	for_rx_tx(t)
		na->num_host_rings[t] = 1;
}

/* Host ring counts can be chosen by the first registration. */
static int nm_host_rings_request(struct netmap_adapter *na,
				 const struct nmreq_register *req)
{
	uint16_t want[NR_TXRX] = { req->nr_host_tx_rings,
				   req->nr_host_rx_rings };
	int t;

	if (!(na->na_flags & NAF_HOST_RINGS) || na->active_fds > 0)
		return 0;
	for_rx_tx(t) {
		if (want[t] > NM_MAX_HOST_RINGS)
			return EINVAL;
		if (want[t])
			na->num_host_rings[t] = want[t];
	}
	return 0;
}

/* An idle port may move to another allocator (nr_mem_id). */
static int nm_choose_mem(struct netmap_adapter *na, uint16_t mem_id)
{
	struct netmap_mem_d *mem;

	if (mem_id == 0 || mem_id == na->nm_mem->id)
		return 0;
	mem = nm_mem_find(mem_id);
	if (!mem)
		return EINVAL;
	if (na->active_fds > 0) {
		nm_mem_put(mem);
		return EBUSY;
	}
	nm_mem_put(na->nm_mem);
	na->nm_mem = mem;
	return 0;
}

static int nm_reg_check_req(const struct nmreq_register *req)
{
	if (req->nr_flags & ~(uint64_t)NM_REG_KNOWN_FLAGS)
		return EINVAL;
	if (req->nr_flags & NR_PTNETMAP_GUEST)
		return EOPNOTSUPP;
	switch (req->nr_mode) {
	case NR_REG_ALL_NIC:
	case NR_REG_SW:
	case NR_REG_NIC_SW:
	case NR_REG_ONE_NIC:
	case NR_REG_NULL:
	case NR_REG_ONE_SW:
		return 0;
	default:	/* DEFAULT, the pipe modes, unknown */
		return EINVAL;
	}
}

static void nm_reg_reply(struct netmap_priv_d *priv, struct netmap_adapter *na,
			 struct nmreq_register *req)
{
	struct netmap_mem_d *mem = na->nm_mem;

	req->nr_offset = nm_mem_ofs(mem, priv->np_nifp_reg);
	req->nr_memsize = mem->memtotal;
	req->nr_tx_slots = na->num_slots[NR_TX];
	req->nr_rx_slots = na->num_slots[NR_RX];
	req->nr_tx_rings = (uint16_t)na->num_rings[NR_TX];
	req->nr_rx_rings = (uint16_t)na->num_rings[NR_RX];
	req->nr_host_tx_rings = (uint16_t)na->num_host_rings[NR_TX];
	req->nr_host_rx_rings = (uint16_t)na->num_host_rings[NR_RX];
	req->nr_mem_id = mem->id;
	if (req->nr_extra_bufs)
		req->nr_extra_bufs = priv->np_extra_bufs;
}

int netmap_get_na(const char *name, struct nmreq_register *req,
		  struct netmap_adapter **na)
{
	int err;

	*na = NULL;
	err = netmap_get_monitor_na(name, req, na);
	if (err || *na)
		return err;
	err = netmap_get_pipe_na(name, req, na);
	if (err || *na)
		return err;
	err = netmap_get_vale_na(name, req, na);
	if (err || *na)
		return err;
	*na = netmap_find_na(name);
	return *na ? 0 : ENXIO;
}

static struct netmap_adapter *nm_reg_get_na(const char *name,
					    struct nmreq_register *req,
					    int *err)
{
	struct netmap_adapter *na;

	if (req->nr_mode == NR_REG_NULL)
		return nm_null_create(name, req, err);
	*err = netmap_get_na(name, req, &na);
	if (*err)
		return NULL;
	*err = nm_choose_mem(na, req->nr_mem_id);
	if (!*err)
		*err = nm_host_rings_request(na, req);
	if (*err) {
		netmap_adapter_put(na);
		return NULL;
	}
	return na;
}

int netmap_do_register(struct netmap_priv_d *priv, const char *name,
		       struct nmreq_register *req, struct nm_reg_opts *opts)
{
	struct netmap_adapter *na;
	struct netmap_mem_d *mem;
	struct netmap_if *nifp;
	struct nm_offsets off;
	uint32_t head = 0;
	bool first;
	int err;

	if (priv->np_na)
		return EBUSY;
	err = nm_reg_check_req(req);
	if (err)
		return err;
	na = nm_reg_get_na(name, req, &err);
	if (!na)
		return err;
	first = na->active_fds == 0;
	mem = na->nm_mem;
	priv->np_flags = req->nr_flags;
	priv->np_mode = req->nr_mode;
	err = nm_interp_ringid(priv, na, req->nr_mode, req->nr_ringid,
			       req->nr_flags);
	if (err)
		goto out_put;
	err = nm_mem_finalize(mem);
	if (err)
		goto out_put;
	/* offsets are checked against the buffer size: after finalize */
	err = nm_offsets_parse(opts ? opts->offsets : NULL, na, &off);
	if (opts)
		opts->offsets_status = err;
	if (err)
		goto out_deref;
	if (first) {
		err = na->nm_krings_create(na);
		if (err)
			goto out_deref;
	}
	err = nm_check_exclusive(priv, na, req->nr_flags);
	if (!err) {
		err = nm_offsets_check(priv, na, &off);
		if (err && opts && opts->offsets)
			opts->offsets_status = err;
	}
	if (err)
		goto out_krings;
	nm_krings_get(priv, na);
	err = nm_rings_create(na, mem, &off);
	if (err)
		goto out_rings;
	if (first && na->nm_register) {
		err = na->nm_register(na, 1);
		if (err)
			goto out_rings;
	}
	nifp = nm_if_new(priv, na, mem, &err);
	if (!nifp)
		goto out_register;

	priv->np_extra_bufs = nm_mem_extra_alloc(mem, &head,
						 req->nr_extra_bufs);
	nifp->ni_bufs_head = head;
	priv->np_txpoll = !(req->nr_flags & NR_NO_TX_POLL);
	priv->np_rxpoll = !!(req->nr_flags & NR_DO_RX_POLL);
	priv->np_na = na;
	nm_mem_get(mem);
	priv->np_mem = mem;
	na->active_fds++;
	priv->np_nifp_reg = nifp;	/* published by the commit */
	nm_reg_reply(priv, na, req);
	return 0;

out_register:
	if (first && na->nm_register)
		na->nm_register(na, 0);
out_rings:
	nm_krings_put(priv, na);
	nm_rings_delete(na, mem);
out_krings:
	if (first)
		na->nm_krings_delete(na);
out_deref:
	nm_mem_deref(mem);
out_put:
	if (first)
		nm_host_rings_reset(na);
	netmap_adapter_put(na);
	memset(priv, 0, sizeof(*priv));
	return err;
}

void netmap_register_commit(struct netmap_priv_d *priv)
{
	if (priv->np_nifp_reg)
		nm_store_release(&priv->np_nifp, priv->np_nifp_reg);
}

void netmap_do_unregister(struct netmap_priv_d *priv)
{
	struct netmap_adapter *na = priv->np_na;
	struct netmap_mem_d *mem = priv->np_mem;
	struct netmap_if *nifp = priv->np_nifp_reg;

	nm_store_release(&priv->np_nifp, NULL);
	priv->np_nifp_reg = NULL;
	if (nifp) {
		/* the list head is user memory: bounded walk, see nm_mem.c */
		nm_mem_extra_free(mem, nm_load(&nifp->ni_bufs_head),
				  priv->np_extra_bufs);
		nm_mem_if_free(mem, nifp);
	}
	na->active_fds--;
	/* monitors: unhook them while the krings still exist */
	if (na->active_fds == 0)
		netmap_monitor_stop(na);
	if (na->active_fds == 0 && na->nm_register)
		na->nm_register(na, 0);
	nm_krings_put(priv, na);
	nm_rings_delete(na, mem);
	if (na->active_fds == 0) {
		na->nm_krings_delete(na);
		nm_host_rings_reset(na);
	}
	nm_mem_deref(mem);
	nm_mem_put(mem);
	netmap_adapter_put(na);
	memset(priv, 0, sizeof(*priv));
}

/* ------------------------------------------------------------------ */
/* PORT_INFO_GET                                                       */
/* ------------------------------------------------------------------ */

static int nm_mem_info_by_id(uint16_t id, struct nmreq_pools_info *info)
{
	struct netmap_mem_d *mem = nm_mem_find(id);
	int err;

	if (!mem)
		return EINVAL;
	err = nm_mem_get_info(mem, info);
	nm_mem_put(mem);
	return err;
}

int netmap_port_info(const char *name, struct nmreq_port_info_get *req)
{
	struct nmreq_pools_info info;
	struct netmap_adapter *na;
	int err;

	memset(&info, 0, sizeof(info));
	if (name[0] == '\0') {
		/* no port: just the allocator nr_mem_id (0: the global) */
		err = nm_mem_info_by_id(req->nr_mem_id, &info);
		if (err)
			return err;
		req->nr_memsize = info.nr_memsize;
		req->nr_mem_id = info.nr_mem_id;
		return 0;
	}
	na = netmap_find_na(name);
	if (!na)
		return ENXIO;
	err = nm_mem_get_info(na->nm_mem, &info);
	if (!err) {
		req->nr_memsize = info.nr_memsize;
		req->nr_mem_id = info.nr_mem_id;
		req->nr_tx_slots = na->num_slots[NR_TX];
		req->nr_rx_slots = na->num_slots[NR_RX];
		req->nr_tx_rings = (uint16_t)na->num_rings[NR_TX];
		req->nr_rx_rings = (uint16_t)na->num_rings[NR_RX];
		req->nr_host_tx_rings = (uint16_t)na->num_host_rings[NR_TX];
		req->nr_host_rx_rings = (uint16_t)na->num_host_rings[NR_RX];
	}
	netmap_adapter_put(na);
	return err;
}

int netmap_pools_info(const char *name, struct nmreq_pools_info *req)
{
	struct netmap_adapter *na;
	int err;

	if (name[0] == '\0')
		return nm_mem_info_by_id(req->nr_mem_id, req);
	na = netmap_find_na(name);
	if (!na)
		return ENXIO;
	err = nm_mem_get_info(na->nm_mem, req);
	netmap_adapter_put(na);
	return err;
}
