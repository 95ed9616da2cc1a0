/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VALE: a learning Ethernet switch between netmap ports.
 *
 * Ports.  "valeX:Y" names port Y of switch "valeX".  REGISTER creates an
 * ephemeral port (and the switch) on first use; the port goes away with
 * its last registration, the switch with its last port.  VALE_NEWIF makes
 * a persistent port (a registry adapter named without the prefix) that
 * VALE_ATTACH puts on a switch; VALE_ATTACH also puts a NIC on a switch
 * (and with NR_REG_NIC_SW its host rings, as port "Y^").  Every virtual
 * port has a private allocator sized for its rings.
 *
 * Limits: NM_VALE_MAXPORTS ports per switch and NM_VALE_MAXSW switches;
 * beyond them REGISTER and ATTACH fail with ENOSPC (ENOMEM stays the
 * answer for memory that could not be allocated).
 *
 * Data path.  A sender's txsync (or, for a NIC, the notify of its rx
 * ring) forwards batches of up to NM_VALE_BATCH slots: it gathers whole
 * frames (NS_MOREFRAG chains of at most NETMAP_MAX_FRAGS slots), asks the
 * switch's lookup where each goes, then delivers per destination.  For a
 * virtual port, delivery reserves rx slots under the ring's q_lock (a
 * lease), copies with the lock dropped, and completes the lease under the
 * lock again; leases completed out of order are recorded by their start
 * slot and whoever completes the lease at the ready point advances over
 * all of them, so the receiver only sees slots whose copy is finished.
 * No lock is shared by senders of different ports except the
 * destination's q_lock, held for a few instructions.
 *
 * Port tables.  The data path reads a switch's ports from a table the
 * control path republishes (two copies, alternating).  Each source ring
 * has a sequence counter, odd while it forwards; after publishing, the
 * control path waits until every source ring of the switch has left the
 * forwarding it was in, so nothing uses the old table (or a port being
 * removed) afterwards.  This is RCU done by hand: no atomic
 * read-modify-write on the data path.
 *
 * Frames on rx rings: each slot takes at most bufsize - offset_max bytes
 * (the ring's worst-case offset), a frame needing more slots than
 * NETMAP_MAX_FRAGS or than the ring has is dropped whole, and so is one
 * that does not fit the free slots.  All slots of a frame but the last
 * carry NS_MOREFRAG; the first carries the slot count in the high byte of
 * its flags (NS_RFRAGS), the others 0 there.  The frame is written at the
 * offset the receiver left in each slot's ptr (one beyond offset_max
 * counts as 0 and is written back as 0).
 *
 * NS_INDIRECT tx slots: ptr is a user address, read with nm_os_copyin().
 * A frame whose header cannot be read is dropped; if the pointer goes bad
 * between the lookup and the copy, the destination receives the frame
 * with length 0 in every slot.  Nothing is ever read from a bad address.
 *
 * Malformed tx slots (buffer index, offset, alignment, length over the
 * buffer) make the sync return NM_SYNC_REINIT with hwcur at the start of
 * the frame holding the bad slot; frames before it are forwarded.  A
 * chain the user has not finished (NS_MOREFRAG on the slot before head)
 * stays in the ring until it is; one over NETMAP_MAX_FRAGS slots is
 * consumed and dropped, also when it arrives over several syncs.
 *
 * NICs.  The switch registers an attached NIC itself (nobody else may
 * while it is attached: EBUSY) and replaces the nm_notify of its rx
 * rings (and host rx ring) with a pull into the switch.  Frames for the
 * NIC are written to its tx ring and sent with its txsync; a tx ring
 * busy with another sender is waited for a bounded number of times,
 * then the frames are dropped, so two NICs looping frames back into the
 * same switch cannot deadlock it.
 *
 * Drops are counted on the destination kring (no room, ring off) or on
 * the source kring (lookup said drop, no such port, unreadable indirect
 * header, over-long chain).
 */
#include "nm_kern.h"
#include "nm_vale.h"

#define NM_VALE_HASH_BITS	10
#define NM_VALE_HASH_SIZE	(1u << NM_VALE_HASH_BITS)
#define NM_VALE_DEF_SLOTS	1024
#define NM_VALE_BUFSIZE		2048
#define NM_VALE_NOLEASE		0xffffffffu
#define NM_VALE_NIL		0xffffu
#define NM_VALE_NIC_SPIN	2000	/* tries for a busy NIC tx ring */
#define NM_VALE_PULL_ROUNDS	16	/* rx rounds of one NIC notify */
#define NM_VALE_HDR_COPY	64	/* header bytes an indirect lookup sees */
#define NM_VALE_MAX_EXTRA	4096	/* extra buffers a port is sized for */
/*
 * Pipe pairs (one tx and one rx ring per end, the port's slot count) the
 * layout of a port's allocator leaves room for.  Clusters are populated
 * on demand, so the room costs only the lookup table until pipes open;
 * smaller pipes fit more (up to NM_VALE_PIPE_OBJS pairs); beyond the room
 * REGISTER gets ENOMEM.
 */
#define NM_VALE_PIPE_ROOM	8
/* ...but never more than this many buffers: the lookup table is real */
#define NM_VALE_PIPE_BUFS	32768
/* ring and netmap_if objects are small: room for 64 pairs of those */
#define NM_VALE_PIPE_OBJS	64

/* how gathering a chain ended */
enum { NM_VALE_CHAIN_DONE, NM_VALE_CHAIN_OPEN, NM_VALE_CHAIN_FULL,
       NM_VALE_CHAIN_BAD };

enum { NM_VP_EPHEMERAL = 0, NM_VP_PERSISTENT, NM_VP_NIC, NM_VP_HOST };

struct nm_vale_sw;

/* One fragment gathered from a source slot. */
struct nm_vale_fslot {
	const uint8_t	*buf;	/* kernel address, NULL for NS_INDIRECT */
	uint64_t	uptr;	/* NS_INDIRECT user address */
	uint32_t	len;
};

/* One frame of a batch. */
struct nm_vale_frame {
	uint16_t	first;	/* index in fs[] */
	uint16_t	nfrags;
	uint16_t	next;	/* next frame for the same destination */
	uint8_t		ring;
	uint8_t		dst;	/* port index, NM_VALE_BROADCAST or _DROP */
	uint32_t	len;
};

/* Per source ring: the batch being forwarded. */
struct nm_vale_scratch {
	uint32_t		seq;	/* odd while forwarding */
	bool			dropping;	/* in a chain over 64 fragments */
	uint16_t		nused;
	uint16_t		ndropped;	/* frames of the batch in no list */
	struct nm_vale_fslot	fs[NM_VALE_BATCH];
	struct nm_vale_frame	fr[NM_VALE_BATCH];
	uint16_t		head[NM_VALE_MAXPORTS + 2];
	uint16_t		tail[NM_VALE_MAXPORTS + 2];
	uint8_t			used[NM_VALE_MAXPORTS];
	uint16_t		seqv[NM_VALE_BATCH];	/* a delivery's frames */
	uint16_t		ident[NM_VALE_BATCH];	/* 0, 1, 2, ... */
	uint16_t		bseq[NM_VALE_BATCH];	/* the broadcasts */
	uint16_t		acc[NM_VALE_BATCH];	/* ... that got room */
	uint8_t			need[NM_VALE_BATCH];
	uint32_t		cum[NM_VALE_BATCH];	/* slots up to acc[k] */
	uint8_t			hdr[NM_VALE_HDR_COPY];
};

static void vale_scratch_init(struct nm_vale_scratch *s)
{
	uint32_t i;

	memset(s->head, 0xff, sizeof(s->head));
	for (i = 0; i < NM_VALE_BATCH; i++)
		s->ident[i] = (uint16_t)i;
}

/* Per rx ring of a virtual port: the leases. */
struct nm_vale_rxq {
	uint32_t	lease;		/* first slot not leased */
	uint32_t	ready;		/* first slot not completed */
	uint32_t	inflight;	/* leases not completed */
	uint32_t	cap;		/* bytes a slot takes, set at ring on */
	uint32_t	done[];		/* by lease start: its end, or NOLEASE */
};

struct nm_vale_port {
	struct nm_vale_sw	*sw;	/* control view, NMG_LOCK */
	struct nm_vale_sw	*dp_sw;	/* data view: set while published */
	uint32_t		idx;
	int			kind;
	bool			live;	/* should be in the data tables */
	char			name[NM_NAME_LEN];	/* after the ':' */
	uint32_t		hdr_len;
	struct netmap_adapter	*na;
	/* destination krings: rx of a virtual port, tx of a NIC */
	uint32_t		dfirst, dnum;
	/* source krings of a NIC port (rx), hooked through nm_notify */
	uint32_t		sfirst, snum;
	struct nm_vale_nic	*nic;
};

/* A virtual port is an adapter of its own. */
struct nm_vale_vp {
	struct netmap_adapter	up;
	struct nm_vale_port	port;
	struct nm_vale_vp	*pnext;	/* persistent list */
};

/* A NIC's rx kring hooked into a switch. */
struct nm_vale_src {
	struct nm_vale_port	*port;
	int			(*saved_notify)(struct netmap_kring *, int);
	uint32_t		pending;
	struct nm_vale_scratch	scr;
};

/* A NIC on a switch: the kernel's registration and its ports. */
struct nm_vale_nic {
	struct netmap_priv_d	*priv;
	struct netmap_adapter	*na;
	struct nm_vale_port	port;
	struct nm_vale_port	hport;	/* host rings, when attached */
	bool			has_host;
	uint32_t		nsrc;
	struct nm_vale_src	**src;	/* by rx kring index */
};

/* What the data path reads. */
struct nm_vale_tab {
	struct nm_vale_port	*port[NM_VALE_MAXPORTS];
	uint8_t			act[NM_VALE_MAXPORTS];
	uint32_t		nact;
	netmap_vale_lookup_t	lookup;
	void			*arg;
};

struct nm_vale_sw {
	char			name[NM_NAME_LEN];
	uint32_t		idx;
	uint32_t		nports;
	struct nm_vale_port	*ports[NM_VALE_MAXPORTS];
	netmap_vale_lookup_t	lookup;
	void			*arg;
	struct nm_vale_tab	*tab;	/* published */
	struct nm_vale_tab	tabs[2];
	uint64_t		ht[NM_VALE_HASH_SIZE];	/* mac << 16 | port + 1 */
};

static struct nm_vale_sw *nm_vale_sws[NM_VALE_MAXSW];
static struct nm_vale_vp *nm_vale_persistent;
static bool nm_vale_attaching;	/* our own registration of a NIC */

static int vale_vp_txsync(struct netmap_kring *kring, int flags);

/* ------------------------------------------------------------------ */
/* names                                                               */
/* ------------------------------------------------------------------ */

static bool vale_namechar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/*
 * Splits "valeX:Y" into the switch name "valeX" and the port name "Y".
 * X and Y are [A-Za-z0-9_]+; Y may end in '^' (a NIC's host port).
 */
static int vale_parse(const char *name, char *sw, char *port)
{
	size_t plen = sizeof(NM_VALE_PREFIX) - 1, i, j;

	for (i = plen; vale_namechar(name[i]); i++)
		;
	if (i == plen || name[i] != ':' || i >= NM_NAME_LEN)
		return EINVAL;
	memcpy(sw, name, i);
	sw[i] = '\0';
	for (j = i + 1; vale_namechar(name[j]); j++)
		;
	if (name[j] == '^' && j > i + 1)
		j++;
	if (j == i + 1 || name[j] != '\0' || j >= NM_NAME_LEN)
		return EINVAL;
	memcpy(port, name + i + 1, j - i - 1);
	port[j - i - 1] = '\0';
	return 0;
}

static bool vale_is_vale_name(const char *name)
{
	return !strncmp(name, NM_VALE_PREFIX, sizeof(NM_VALE_PREFIX) - 1);
}

static struct nm_vale_sw *vale_sw_find(const char *swname)
{
	uint32_t i;

	for (i = 0; i < NM_VALE_MAXSW; i++)
		if (nm_vale_sws[i] && !strncmp(nm_vale_sws[i]->name, swname,
						NM_NAME_LEN))
			return nm_vale_sws[i];
	return NULL;
}

static struct nm_vale_port *vale_port_find(struct nm_vale_sw *sw,
					   const char *pname)
{
	uint32_t i;

	for (i = 0; sw && i < NM_VALE_MAXPORTS; i++)
		if (sw->ports[i] && !strncmp(sw->ports[i]->name, pname,
					      NM_NAME_LEN))
			return sw->ports[i];
	return NULL;
}

/* The port of a NIC adapter on any switch, if it is attached. */
static struct nm_vale_port *vale_nic_port_of(const char *ifname)
{
	uint32_t s, i;

	for (s = 0; s < NM_VALE_MAXSW; s++) {
		struct nm_vale_sw *sw = nm_vale_sws[s];

		for (i = 0; sw && i < NM_VALE_MAXPORTS; i++) {
			struct nm_vale_port *p = sw->ports[i];

			if (p && p->kind == NM_VP_NIC &&
			    !strncmp(p->na->name, ifname, NM_NAME_LEN))
				return p;
		}
	}
	return NULL;
}

static struct nm_vale_vp *vale_persistent_find(const char *name)
{
	struct nm_vale_vp *vp;

	for (vp = nm_vale_persistent; vp; vp = vp->pnext)
		if (!strncmp(vp->up.name, name, NM_NAME_LEN))
			return vp;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* switches and their tables                                           */
/* ------------------------------------------------------------------ */

static struct nm_vale_sw *vale_sw_create(const char *swname, int *err)
{
	struct nm_vale_sw *sw;
	uint32_t i;

	for (i = 0; i < NM_VALE_MAXSW && nm_vale_sws[i]; i++)
		;
	if (i == NM_VALE_MAXSW) {
		*err = ENOSPC;
		return NULL;
	}
	sw = nm_malloc(sizeof(*sw));
	if (!sw) {
		*err = ENOMEM;
		return NULL;
	}
	memcpy(sw->name, swname, strnlen(swname, NM_NAME_LEN - 1));
	sw->idx = i;
	sw->tab = &sw->tabs[0];
	nm_vale_sws[i] = sw;
	*err = 0;
	return sw;
}

static void vale_sw_maybe_destroy(struct nm_vale_sw *sw)
{
	if (sw->nports > 0 || sw->lookup)
		return;
	nm_vale_sws[sw->idx] = NULL;
	nm_free(sw);
}

/* Wait until a source ring is not in the forwarding it may be in now. */
static void vale_scratch_quiesce(struct nm_vale_scratch *s)
{
	uint32_t v = nm_load_acquire(&s->seq);

	if (!(v & 1))
		return;
	while (nm_load_acquire(&s->seq) == v)
		nm_os_relax();
}

static void vale_port_quiesce(struct nm_vale_port *p)
{
	struct netmap_adapter *na = p->na;
	uint32_t i;

	if (p->kind == NM_VP_NIC || p->kind == NM_VP_HOST) {
		for (i = p->sfirst; i < p->sfirst + p->snum; i++)
			if (p->nic->src[i])
				vale_scratch_quiesce(&p->nic->src[i]->scr);
		return;
	}
	if (!na->rings[NR_TX])
		return;
	for (i = 0; i < na->num_rings[NR_TX]; i++) {
		struct nm_vale_scratch *s = nma_kring(na, NR_TX, i)->pdata;

		if (s)
			vale_scratch_quiesce(s);
	}
}

/*
 * Publishes the live ports of sw, then waits until no source ring can
 * still be using the previous table (or the port extra, being removed).
 * NMG_LOCK held.
 */
static void vale_publish(struct nm_vale_sw *sw, struct nm_vale_port *extra)
{
	struct nm_vale_tab *t = sw->tab == &sw->tabs[0] ? &sw->tabs[1]
							 : &sw->tabs[0];
	uint32_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < NM_VALE_MAXPORTS; i++) {
		struct nm_vale_port *p = sw->ports[i];

		if (!p)
			continue;
		if (p->live) {
			t->port[i] = p;
			t->act[t->nact++] = (uint8_t)i;
		}
		nm_store_release(&p->dp_sw, p->live ? sw : NULL);
	}
	if (extra)
		nm_store_release(&extra->dp_sw, NULL);
	t->lookup = sw->lookup;
	t->arg = sw->arg;
	nm_store_release(&sw->tab, t);
	nm_smp_mb();
	for (i = 0; i < NM_VALE_MAXPORTS; i++)
		if (sw->ports[i])
			vale_port_quiesce(sw->ports[i]);
	if (extra)
		vale_port_quiesce(extra);
}

/* Forget what the table learned about port idx. */
static void vale_forget(struct nm_vale_sw *sw, uint32_t idx)
{
	uint32_t h;

	for (h = 0; h < NM_VALE_HASH_SIZE; h++) {
		uint64_t e = nm_load(&sw->ht[h]);

		if (e && (e & 0xffff) == idx + 1)
			nm_store(&sw->ht[h], 0);
	}
}

static int vale_port_add(struct nm_vale_sw *sw, struct nm_vale_port *p)
{
	uint32_t i;

	for (i = 0; i < NM_VALE_MAXPORTS && sw->ports[i]; i++)
		;
	if (i == NM_VALE_MAXPORTS)
		return ENOSPC;
	p->idx = i;
	p->sw = sw;
	sw->ports[i] = p;
	sw->nports++;
	return 0;
}

/* Takes the port off its switch; destroys the switch if it is empty. */
static void vale_port_remove(struct nm_vale_port *p)
{
	struct nm_vale_sw *sw = p->sw;

	if (!sw)
		return;
	p->live = false;
	sw->ports[p->idx] = NULL;
	sw->nports--;
	vale_publish(sw, p);
	vale_forget(sw, p->idx);
	p->sw = NULL;
	vale_sw_maybe_destroy(sw);
}

/* ------------------------------------------------------------------ */
/* learning bridge                                                     */
/* ------------------------------------------------------------------ */

/*
 * A MAC address as a 48-bit key (in memory order, which is all a table
 * needs).  Reads 8 bytes: callers have at least 14 in the buffer.
 */
static inline uint64_t vale_mac(const uint8_t *b)
{
	uint64_t v;

	memcpy(&v, b, sizeof(v));
	return v & 0xffffffffffffULL;
}

static inline uint32_t vale_hash(uint64_t mac)
{
	return (uint32_t)((mac * 0x9e3779b97f4a7c15ULL) >>
			  (64 - NM_VALE_HASH_BITS));
}

/*
 * Learns the source, finds the destination.  Entries are single 64-bit
 * words, so concurrent senders never see half an entry; a race between
 * two learners leaves one of their values, which is all a cache needs.
 */
static inline uint32_t vale_learn(struct nm_vale_sw *sw,
				  const uint8_t *buf, uint32_t len,
				  uint32_t src, uint16_t flags)
{
	uint64_t smac, dmac, e;
	uint32_t h;

	if (len < 14)
		return NM_VALE_DROP;
	smac = vale_mac(buf + 6);
	if (!(buf[6] & 1) && !(flags & NS_NO_LEARN)) {
		e = smac << 16 | (src + 1);
		h = vale_hash(smac);
		if (nm_load(&sw->ht[h]) != e)
			nm_store(&sw->ht[h], e);
	}
	if (buf[0] & 1)
		return NM_VALE_BROADCAST;	/* broadcast or multicast */
	dmac = vale_mac(buf);
	e = nm_load(&sw->ht[vale_hash(dmac)]);
	if ((e >> 16) == dmac && (e & 0xffff))
		return (uint32_t)(e & 0xffff) - 1;
	return NM_VALE_BROADCAST;
}

/* ------------------------------------------------------------------ */
/* delivery                                                            */
/* ------------------------------------------------------------------ */

static void vale_count_drops(struct netmap_kring *kring, uint32_t n)
{
	while (n--)
		nm_atomic64_inc_return(&kring->drops);
}

static inline uint32_t vale_need(uint32_t len, uint32_t cap)
{
	return likely(len <= cap) ? 1 : (len + cap - 1) / cap;
}

/*
 * Small frames are the ones whose rate matters: copy them with a few
 * fixed-size moves (overlapping at the end, never past len) instead of
 * a call into a general memcpy.
 */
static inline void vale_copy(uint8_t *dst, const uint8_t *src, uint32_t len)
{
	uint32_t i;

	if (len < 16 || len > 64) {
		memcpy(dst, src, len);
		return;
	}
	for (i = 0; i + 16 < len; i += 16)
		memcpy(dst + i, src + i, 16);
	memcpy(dst + len - 16, src + len - 16, 16);
}

/*
 * Writes frame f into need slots of kring's ring from slot i on, at most
 * cap bytes a slot.  The slots are ours (a lease or a tx ring we own) but
 * the memory is the user's: indices are read once and checked.
 */
static void vale_fill_slow(struct netmap_kring *kring,
		      const struct nm_vale_scratch *s,
		      const struct nm_vale_frame *f, uint32_t i,
		      uint32_t need, uint32_t cap)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	const struct nm_vale_fslot *fs = &s->fs[f->first];
	const struct nm_vale_fslot *fe = fs + f->nfrags;
	uint32_t lim = kring->nkr_num_slots - 1, fofs = 0, j, first = i;
	bool fault = false;

	for (j = 0; j < need; j++, i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx), room = cap, done = 0;
		uint64_t off = 0;
		uint8_t *dst = NULL;

		if (kring->offset_mask) {
			uint64_t ptr = nm_load(&slot->ptr);

			off = ptr & kring->offset_mask;
			if (off > kring->offset_max) {
				off = 0;
				nm_store(&slot->ptr, ptr & ~kring->offset_mask);
			}
		}
		if (likely(nm_mem_buf_valid(mem, idx)))
			dst = (uint8_t *)nm_mem_buf(mem, idx) + off;
		while (room && fs < fe) {
			uint32_t chunk = NM_MIN(room, fs->len - fofs);

			if (dst && chunk) {
				if (fs->buf)
					memcpy(dst + done, fs->buf + fofs, chunk);
				else if (nm_os_copyin(dst + done,
						      fs->uptr + fofs, chunk))
					fault = true;
			}
			done += chunk;
			room -= chunk;
			fofs += chunk;
			if (fofs == fs->len) {
				fs++;
				fofs = 0;
			}
		}
		nm_store(&slot->len, (uint16_t)(dst ? done : 0));
		nm_store(&slot->flags,
			 (uint16_t)((j + 1 < need ? NS_MOREFRAG : 0) |
				    (j == 0 ? need << NS_PORT_SHIFT : 0)));
	}
	for (j = 0, i = first; fault && j < need; j++, i = nm_next(i, lim))
		nm_store(&ring->slot[i].len, 0);
}

/* One slot in, one slot out, no offsets: inline; the rest out of line. */
static inline void vale_fill(struct netmap_kring *kring,
			     const struct nm_vale_scratch *s,
			     const struct nm_vale_frame *f, uint32_t i,
			     uint32_t need, uint32_t cap)
{
	const struct nm_vale_fslot *fs = &s->fs[f->first];

	if (likely(need == 1 && f->nfrags == 1 && fs->buf &&
		   !kring->offset_mask)) {
		struct netmap_mem_d *mem = kring->na->nm_mem;
		struct netmap_slot *slot = &kring->ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx), len = fs->len;

		if (likely(nm_mem_buf_valid(mem, idx)))
			vale_copy(nm_mem_buf(mem, idx), fs->buf, len);
		else
			len = 0;	/* nowhere to write */
		nm_store(&slot->len, (uint16_t)len);
		nm_store(&slot->flags, (uint16_t)(1 << NS_PORT_SHIFT));
		return;
	}
	vale_fill_slow(kring, s, f, i, need, cap);
}

/*
 * The frames of s->seqv that can ever fit a ring of lim usable slots of
 * cap bytes (at most NETMAP_MAX_FRAGS slots each), in order, into s->acc,
 * with their slot counts in s->need and running totals in s->cum.
 */
static uint32_t vale_choose(struct nm_vale_scratch *s, const uint16_t *seqv,
			    uint32_t cnt, uint32_t lim, uint32_t cap)
{
	uint32_t j, total = 0, k = 0;

	for (j = 0; j < cnt; j++) {
		uint32_t need = vale_need(s->fr[seqv[j]].len, cap);

		if (need > NETMAP_MAX_FRAGS || need > lim)
			continue;
		s->acc[k] = seqv[j];
		s->need[k] = (uint8_t)need;
		total += need;
		s->cum[k++] = total;
	}
	return k;
}

/* How many of the k chosen frames fit avail slots (whole, in order). */
static uint32_t vale_fit(const struct nm_vale_scratch *s, uint32_t k,
			 uint32_t avail)
{
	uint32_t lo = 0, hi = k;

	while (lo < hi) {
		uint32_t mid = (lo + hi + 1) / 2;

		if (s->cum[mid - 1] <= avail)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

static void vale_rx_complete(struct nm_vale_rxq *rq, uint32_t start,
			     uint32_t end)
{
	if (start == rq->ready) {
		rq->ready = end;
		while (rq->done[rq->ready] != NM_VALE_NOLEASE) {
			uint32_t t = rq->done[rq->ready];

			rq->done[rq->ready] = NM_VALE_NOLEASE;
			rq->ready = t;
		}
	} else {
		rq->done[start] = end;
	}
	rq->inflight--;
}

/* Frames to an rx ring of a virtual port. */
static void vale_vp_deliver(struct netmap_kring *kring,
			    struct nm_vale_scratch *s, const uint16_t *seqv,
			    uint32_t cnt)
{
	struct nm_vale_rxq *rq = kring->pdata;
	uint32_t n = kring->nkr_num_slots, lim = n - 1;
	uint32_t cap, avail, total, nacc, start, i, j, k;

	/* slot counts before the lock: it is held only to take the lease */
	cap = nm_load(&rq->cap);
	k = vale_choose(s, seqv, cnt, lim, cap);
	nm_os_spin_lock(&kring->q_lock);
	if (unlikely(!kring->on)) {
		nm_os_spin_unlock(&kring->q_lock);
		vale_count_drops(kring, cnt);
		return;
	}
	if (unlikely(nm_load(&rq->cap) != cap)) {	/* ring just remade */
		cap = nm_load(&rq->cap);
		k = vale_choose(s, seqv, cnt, lim, cap);
	}
	avail = lim - nm_ring_dist(kring->nr_hwcur, rq->lease, n);
	nacc = vale_fit(s, k, avail);
	total = nacc ? s->cum[nacc - 1] : 0;
	start = rq->lease;
	if (total) {
		rq->lease = (start + total) % n;
		rq->inflight++;
	}
	nm_os_spin_unlock(&kring->q_lock);
	if (nacc < cnt)
		vale_count_drops(kring, cnt - nacc);
	if (!total)
		return;

	for (j = 0, i = start; j < nacc; j++) {
		vale_fill(kring, s, &s->fr[s->acc[j]], i, s->need[j], cap);
		i = (i + s->need[j]) % n;
	}

	nm_os_spin_lock(&kring->q_lock);
	vale_rx_complete(rq, start, i);
	nm_os_spin_unlock(&kring->q_lock);
	kring->nm_notify(kring, 0);
}

/* One sync of a kring the switch owns as its user (a NIC's rings). */
static void vale_kring_sync(struct netmap_kring *kring)
{
	uint32_t head = kring->tx == NR_TX ? nm_txsync_prologue(kring)
					   : nm_rxsync_prologue(kring);

	if (head >= kring->nkr_num_slots ||
	    kring->nm_sync(kring, kring->tx == NR_TX ? NAF_FORCE_RECLAIM
						     : NAF_FORCE_READ))
		netmap_ring_reinit(kring);
	else
		nm_sync_finalize(kring);
}

/* Frames to a tx ring of a NIC (or its host tx ring). */
static void vale_nic_deliver(struct netmap_kring *kring,
			     struct nm_vale_scratch *s, const uint16_t *seqv,
			     uint32_t cnt)
{
	struct netmap_ring *ring;
	uint32_t n = kring->nkr_num_slots, lim = n - 1;
	uint32_t cap = NM_MIN(nm_mem_bufsize(kring->na->nm_mem), 0xffffu);
	uint32_t tries, avail, total, nacc, head, j;
	int err;

	/* a ring busy with another sender frees up soon; our own won't */
	for (tries = 0; !nm_kr_tryget(kring, &err); tries++) {
		if (err || tries == NM_VALE_NIC_SPIN) {
			vale_count_drops(kring, cnt);
			return;
		}
		nm_os_relax();
	}
	ring = kring->ring;
	if (!ring) {
		nm_kr_put(kring);
		vale_count_drops(kring, cnt);
		return;
	}
	avail = nm_ring_dist(kring->rhead, kring->rtail, n);
	if (avail < cnt + NETMAP_MAX_FRAGS) {
		vale_kring_sync(kring);	/* reclaim what the NIC sent */
		avail = nm_ring_dist(kring->rhead, kring->rtail, n);
	}
	nacc = vale_fit(s, vale_choose(s, seqv, cnt, lim, cap), avail);
	total = nacc ? s->cum[nacc - 1] : 0;
	if (nacc < cnt)
		vale_count_drops(kring, cnt - nacc);
	head = kring->rhead;
	for (j = 0; j < nacc; j++) {
		vale_fill(kring, s, &s->fr[s->acc[j]], head, s->need[j], cap);
		head = (head + s->need[j]) % n;
	}
	if (total) {
		nm_store(&ring->head, head);
		nm_store(&ring->cur, head);
		vale_kring_sync(kring);
	}
	nm_kr_put(kring);
}

/* Frames seqv[0..cnt) to port p, grouped by destination ring. */
static void vale_deliver(struct nm_vale_port *p, struct nm_vale_scratch *s,
			 const uint16_t *seqv, uint32_t cnt)
{
	struct netmap_adapter *na = p->na;
	bool vp = p->kind != NM_VP_NIC && p->kind != NM_VP_HOST;
	uint32_t j = 0, k;

	while (j < cnt) {
		uint8_t r = s->fr[seqv[j]].ring;
		struct netmap_kring *kring;

		for (k = j + 1; k < cnt && s->fr[seqv[k]].ring == r; k++)
			;
		kring = nma_kring(na, vp ? NR_RX : NR_TX,
				  p->dfirst + r % p->dnum);
		if (vp)
			vale_vp_deliver(kring, s, seqv + j, k - j);
		else
			vale_nic_deliver(kring, s, seqv + j, k - j);
		j = k;
	}
}

/*
 * Merges the unicast list of port d with the broadcast list (both in
 * frame order) into s->seqv; returns the count.
 */
static uint32_t vale_merge(struct nm_vale_scratch *s, uint16_t u, uint16_t b)
{
	uint32_t n = 0;

	while (u != NM_VALE_NIL || b != NM_VALE_NIL) {
		if (b == NM_VALE_NIL || (u != NM_VALE_NIL && u < b)) {
			s->seqv[n++] = u;
			u = s->fr[u].next;
		} else {
			s->seqv[n++] = b;
			b = s->fr[b].next;
		}
	}
	return n;
}

#define NM_VALE_BCAST_LIST	NM_VALE_MAXPORTS

static void vale_list_add(struct nm_vale_scratch *s, uint32_t d, uint16_t f)
{
	s->fr[f].next = NM_VALE_NIL;
	if (s->head[d] == NM_VALE_NIL)
		s->head[d] = f;
	else
		s->fr[s->tail[d]].next = f;
	s->tail[d] = f;
}

/* Sends the nf frames of a batch where the lookup said. */
static void vale_dispatch(const struct nm_vale_tab *tab,
			  struct nm_vale_port *src, struct netmap_kring *skring,
			  struct nm_vale_scratch *s, uint32_t nf)
{
	uint32_t f, j, n, d0 = s->fr[0].dst;
	uint16_t bhead;

	/* the common case, one destination for all: no lists at all */
	for (f = 1; f < nf && s->fr[f].dst == d0; f++)
		;
	if (f == nf) {
		if (d0 < NM_VALE_MAXPORTS && d0 != src->idx && tab->port[d0]) {
			vale_deliver(tab->port[d0], s, s->ident, nf);
			return;
		}
		if (d0 == NM_VALE_BROADCAST) {
			for (j = 0; j < tab->nact; j++)
				if (tab->act[j] != src->idx)
					vale_deliver(tab->port[tab->act[j]], s,
						     s->ident, nf);
			return;
		}
	}

	s->head[NM_VALE_BCAST_LIST] = NM_VALE_NIL;
	s->nused = 0;
	s->ndropped = 0;
	for (f = 0; f < nf; f++) {
		uint32_t d = s->fr[f].dst;

		if (d == NM_VALE_BROADCAST) {
			vale_list_add(s, NM_VALE_BCAST_LIST, (uint16_t)f);
			continue;
		}
		if (d >= NM_VALE_MAXPORTS || d == src->idx || !tab->port[d]) {
			s->ndropped++;
			nm_atomic64_inc_return(&skring->drops);
			continue;
		}
		if (s->head[d] == NM_VALE_NIL)
			s->used[s->nused++] = (uint8_t)d;
		vale_list_add(s, d, (uint16_t)f);
	}
	bhead = s->head[NM_VALE_BCAST_LIST];
	for (j = 0; j < s->nused; j++) {
		uint32_t d = s->used[j];

		n = vale_merge(s, s->head[d], bhead);
		vale_deliver(tab->port[d], s, s->seqv, n);
	}
	if (bhead != NM_VALE_NIL) {
		const uint16_t *bseq = s->ident;	/* all broadcasts */
		uint32_t nb = nf;

		if (s->nused || s->ndropped) {
			for (nb = 0, f = bhead; f != NM_VALE_NIL;
			     f = s->fr[f].next)
				s->bseq[nb++] = (uint16_t)f;
			bseq = s->bseq;
		}
		for (j = 0; j < tab->nact; j++) {
			uint32_t d = tab->act[j];

			if (d == src->idx || s->head[d] != NM_VALE_NIL)
				continue;
			vale_deliver(tab->port[d], s, bseq, nb);
		}
	}
	for (j = 0; j < s->nused; j++)
		s->head[s->used[j]] = NM_VALE_NIL;
}

/* ------------------------------------------------------------------ */
/* gathering                                                           */
/* ------------------------------------------------------------------ */

/* Where frame f goes; the frame's first fragment is s->fs[first]. */
static inline uint32_t vale_lookup(const struct nm_vale_tab *tab,
				   struct nm_vale_sw *sw,
				   struct nm_vale_port *src,
				   struct nm_vale_scratch *s, uint32_t first,
				   uint16_t flags, uint8_t *ring)
{
	const struct nm_vale_fslot *fs = &s->fs[first];
	const uint8_t *hdr = fs->buf;
	uint32_t len = fs->len;

	if (!hdr) {
		len = NM_MIN(len, (uint32_t)NM_VALE_HDR_COPY);
		if (nm_os_copyin(s->hdr, fs->uptr, len))
			return NM_VALE_DROP;
		hdr = s->hdr;
	}
	*ring = 0;
	if (tab->lookup) {
		uint32_t d = tab->lookup(hdr, len, src->idx, ring, tab->arg);

		return d < NM_VALE_MAXPORTS || d == NM_VALE_BROADCAST ?
		       d : NM_VALE_DROP;
	}
	return vale_learn(sw, hdr, len, src->idx, flags);
}

/* What checking a source slot needs, read once per forwarding. */
struct nm_vale_src_ctx {
	void		**lut;
	uint32_t	nbufs;
	uint32_t	bufsize;
	uint64_t	mask, max, align;
};

static void vale_src_ctx(struct netmap_kring *kring, struct nm_vale_src_ctx *c)
{
	struct netmap_mem_d *mem = kring->na->nm_mem;

	c->lut = mem->pools[NM_POOL_BUF].lut;
	c->nbufs = nm_mem_nbufs(mem);
	c->bufsize = nm_mem_bufsize(mem);
	c->mask = kring->offset_mask;
	c->max = kring->offset_max;
	c->align = kring->buf_align;
}

/* Reads one tx slot into a fragment; false if the slot is malformed. */
static inline bool vale_slot_read(const struct nm_vale_src_ctx *c,
				  struct netmap_slot *slot, uint16_t fl,
				  struct nm_vale_fslot *fs)
{
	uint32_t len = nm_load(&slot->len), idx;
	uint64_t off = 0;

	fs->len = len;
	if (unlikely(fl & NS_INDIRECT)) {
		fs->buf = NULL;
		fs->uptr = nm_load(&slot->ptr);
		return true;
	}
	idx = nm_load(&slot->buf_idx);
	if (unlikely(idx < 2 || idx >= c->nbufs))
		return false;
	if (c->mask) {
		off = nm_load(&slot->ptr) & c->mask;
		if (off > c->max || (c->align > 1 && off % c->align))
			return false;
	}
	if (unlikely(off + len > c->bufsize))
		return false;
	fs->buf = (const uint8_t *)c->lut[idx] + off;
	return true;
}

/*
 * Forwards the frames in slots [from, to) of a source ring of port src.
 * Returns the first slot not consumed: to, the start of a chain the user
 * has not finished, or the start of the chain holding a malformed slot
 * (then *bad is set).
 */
static uint32_t vale_forward(struct nm_vale_port *src,
			     struct netmap_kring *kring,
			     struct nm_vale_scratch *s, uint32_t from,
			     uint32_t to, bool *bad)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t lim = kring->nkr_num_slots - 1, i = from;
	const struct nm_vale_tab *tab = NULL;
	struct nm_vale_src_ctx c;
	struct nm_vale_sw *sw;
	bool stop = false;

	*bad = false;
	vale_src_ctx(kring, &c);
	nm_store(&s->seq, s->seq + 1);
	nm_smp_mb();	/* pairs with the one in vale_publish() */
	sw = nm_load_acquire(&src->dp_sw);
	if (sw) {
		tab = nm_load_acquire(&sw->tab);
		if (tab->port[src->idx] != src)
			tab = NULL;
	}

	while (i != to && !stop) {
		uint32_t nf = 0, nfs = 0;

		while (i != to) {
			uint32_t start = i, n = 0, total = 0;
			uint16_t fl = 0, ffl = 0;
			int why = NM_VALE_CHAIN_DONE;

			/* the common case: a frame in one plain slot */
			fl = nm_load(&ring->slot[i].flags);
			if (likely(!(fl & (NS_MOREFRAG | NS_INDIRECT)) &&
				   !s->dropping && tab)) {
				struct nm_vale_fslot *fs = &s->fs[nfs];

				if (unlikely(!vale_slot_read(&c, &ring->slot[i],
							     fl, fs))) {
					*bad = true;
					stop = true;
					break;
				}
				i = nm_next(i, lim);
				s->fr[nf].first = (uint16_t)nfs;
				s->fr[nf].nfrags = 1;
				s->fr[nf].len = fs->len;
				s->fr[nf].dst = (uint8_t)vale_lookup(tab, sw, src,
							s, nfs, fl, &s->fr[nf].ring);
				nfs++;
				nf++;
				if (nfs == NM_VALE_BATCH)
					break;
				continue;
			}

			/* one chain: [start, i) */
			for (;;) {
				struct netmap_slot *slot = &ring->slot[i];

				fl = nm_load(&slot->flags);
				if (n == 0)
					ffl = fl;
				if (!s->dropping && n == NETMAP_MAX_FRAGS)
					s->dropping = true;
				if (!s->dropping) {
					if (nfs + n == NM_VALE_BATCH) {
						why = NM_VALE_CHAIN_FULL;
						break;
					}
					if (!vale_slot_read(&c, slot, fl,
							    &s->fs[nfs + n])) {
						why = NM_VALE_CHAIN_BAD;
						break;
					}
					total += s->fs[nfs + n].len;
					n++;
				}
				i = nm_next(i, lim);
				if (!(fl & NS_MOREFRAG))
					break;
				if (i == to) {
					why = NM_VALE_CHAIN_OPEN;
					break;
				}
			}

			if (why == NM_VALE_CHAIN_OPEN && s->dropping) {
				stop = true;	/* consumed; the rest goes too */
				break;
			}
			if (why != NM_VALE_CHAIN_DONE) {
				i = start;
				*bad = why == NM_VALE_CHAIN_BAD;
				stop = why != NM_VALE_CHAIN_FULL;
				break;
			}
			if (s->dropping) {
				/* the end of an over-long chain */
				s->dropping = false;
				nm_atomic64_inc_return(&kring->drops);
				continue;
			}
			if (!tab) {
				nm_atomic64_inc_return(&kring->drops);
				continue;
			}
			s->fr[nf].first = (uint16_t)nfs;
			s->fr[nf].nfrags = (uint16_t)n;
			s->fr[nf].len = total;
			s->fr[nf].dst = (uint8_t)vale_lookup(tab, sw, src, s,
							      nfs, ffl,
							      &s->fr[nf].ring);
			nfs += n;
			nf++;
			if (nfs == NM_VALE_BATCH)
				break;
		}
		if (nf)
			vale_dispatch(tab, src, kring, s, nf);
	}
	nm_store_release(&s->seq, s->seq + 1);
	return i;
}

/* ------------------------------------------------------------------ */
/* virtual ports: syncs and rings                                      */
/* ------------------------------------------------------------------ */

static struct nm_vale_vp *to_vp(struct netmap_adapter *na)
{
	return (struct nm_vale_vp *)na;
}

static int vale_vp_txsync(struct netmap_kring *kring, int flags)
{
	struct nm_vale_vp *vp = to_vp(kring->na);
	uint32_t lim = kring->nkr_num_slots - 1;
	bool bad;

	(void)flags;
	kring->nr_hwcur = vale_forward(&vp->port, kring, kring->pdata,
				       kring->nr_hwcur, kring->rhead, &bad);
	kring->nr_hwtail = nm_prev(kring->nr_hwcur, lim);
	return bad ? NM_SYNC_REINIT : 0;
}

/* Gives the user's released slots back to the senders, takes new ones. */
static int vale_vp_rxsync(struct netmap_kring *kring, int flags)
{
	struct nm_vale_rxq *rq = kring->pdata;
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, i;

	(void)flags;
	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];

		if (!nm_mem_buf_valid(mem, nm_load(&slot->buf_idx)))
			break;
		if (kring->offset_mask &&
		    (nm_load(&slot->ptr) & kring->offset_mask) >
		    kring->offset_max)
			break;
		if (nm_load(&slot->flags) & NS_BUF_CHANGED)
			nm_store(&slot->flags, 0);
	}
	nm_os_spin_lock(&kring->q_lock);
	kring->nr_hwcur = i;
	kring->nr_hwtail = rq->ready;
	nm_os_spin_unlock(&kring->q_lock);
	return i == kring->rhead ? 0 : NM_SYNC_REINIT;
}

static void vale_vp_ring_on(struct netmap_kring *kring)
{
	uint32_t i;

	if (kring->tx == NR_TX) {
		struct nm_vale_scratch *s = kring->pdata;

		s->dropping = false;
		return;
	} else {
		struct nm_vale_rxq *rq = kring->pdata;

		rq->lease = rq->ready = kring->nr_hwtail;
		nm_store(&rq->cap, NM_MIN(nm_mem_bufsize(kring->na->nm_mem) -
					  (uint32_t)kring->offset_max,
					  0xffffu));
		rq->inflight = 0;
		for (i = 0; i < kring->nkr_num_slots; i++)
			rq->done[i] = NM_VALE_NOLEASE;
	}
}

/* The ring goes: wait for the senders still copying into it. */
static void vale_vp_ring_off(struct netmap_kring *kring)
{
	struct nm_vale_rxq *rq = kring->pdata;
	uint32_t busy;

	if (kring->tx == NR_TX)
		return;
	for (;;) {
		nm_os_spin_lock(&kring->q_lock);
		busy = rq->inflight;
		nm_os_spin_unlock(&kring->q_lock);
		if (!busy)
			break;
		nm_os_relax();
	}
}

static void vale_vp_krings_delete(struct netmap_adapter *na)
{
	uint32_t i;
	int t;

	if (!na->rings[NR_TX])
		return;
	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);

			nm_free(kring->pdata);
			kring->pdata = NULL;
		}
	}
	netmap_krings_delete(na);
}

static int vale_vp_krings_create(struct netmap_adapter *na)
{
	uint32_t i;
	int t, err;

	err = netmap_krings_create(na);
	if (err)
		return err;
	for_rx_tx(t) {
		for (i = 0; i < nma_all_rings(na, t); i++) {
			struct netmap_kring *kring = nma_kring(na, t, i);
			size_t sz = t == NR_TX ? sizeof(struct nm_vale_scratch) :
				    sizeof(struct nm_vale_rxq) +
				    sizeof(uint32_t) * kring->nkr_num_slots;

			kring->pdata = nm_malloc(sz);
			if (!kring->pdata) {
				vale_vp_krings_delete(na);
				return ENOMEM;
			}
			if (t == NR_TX)
				vale_scratch_init(kring->pdata);
		}
	}
	return 0;
}

/* First registration in / last one out: in and out of the data path. */
static int vale_vp_register(struct netmap_adapter *na, int onoff)
{
	struct nm_vale_port *p = &to_vp(na)->port;

	p->live = onoff && p->sw;
	if (p->sw)
		vale_publish(p->sw, NULL);
	return 0;
}

static void vale_vp_dtor(struct netmap_adapter *na)
{
	struct nm_vale_vp *vp = to_vp(na), **pp;

	vale_port_remove(&vp->port);
	for (pp = &nm_vale_persistent; *pp; pp = &(*pp)->pnext) {
		if (*pp == vp) {
			*pp = vp->pnext;
			break;
		}
	}
	nm_free(vp);
}

static uint32_t vale_clamp(uint32_t v, uint32_t def, uint32_t lo, uint32_t hi)
{
	if (v == 0)
		return def;
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * A virtual port with a private allocator holding exactly its rings,
 * plus extra buffers and a little slack; the pool rounds up to whole
 * clusters anyway.
 */
static struct nm_vale_vp *vale_vp_new(const char *name, uint32_t ntx,
				      uint32_t nrx, uint32_t txs,
				      uint32_t rxs, uint32_t extra,
				      uint16_t mem_id, int *err)
{
	struct nm_mem_params mp;
	struct nm_vale_vp *vp;
	struct netmap_adapter *na;
	uint64_t nbufs;
	int t;

	ntx = vale_clamp(ntx, 1, 1, NM_VALE_MAXRINGS);
	nrx = vale_clamp(nrx, 1, 1, NM_VALE_MAXRINGS);
	txs = vale_clamp(txs, NM_VALE_DEF_SLOTS, 2, NM_VALE_MAXSLOTS);
	rxs = vale_clamp(rxs, NM_VALE_DEF_SLOTS, 2, NM_VALE_MAXSLOTS);
	/* extra buffers are a favour: a few, not an allocator's worth */
	extra = NM_MIN(extra, (uint32_t)NM_VALE_MAX_EXTRA);
	nbufs = (uint64_t)ntx * txs + (uint64_t)nrx * rxs + extra + 2 + 8;
	/* room for pipes (and zero-copy monitors) sharing the memory */
	nbufs += NM_MIN((uint64_t)NM_VALE_PIPE_ROOM * 4 * NM_MAX(txs, rxs),
			(uint64_t)NM_VALE_PIPE_BUFS);
	if (nbufs > 0x7fffffff) {
		*err = EINVAL;
		return NULL;
	}
	vp = nm_malloc(sizeof(*vp));
	if (!vp) {
		*err = ENOMEM;
		return NULL;
	}
	na = &vp->up;
	memcpy(na->name, name, strnlen(name, NM_NAME_LEN - 1));
	na->num_rings[NR_TX] = ntx;
	na->num_rings[NR_RX] = nrx;
	na->num_slots[NR_TX] = txs;
	na->num_slots[NR_RX] = rxs;
	if (mem_id) {
		na->nm_mem = nm_mem_find(mem_id);
		if (!na->nm_mem) {
			nm_free(vp);
			*err = EINVAL;
			return NULL;
		}
	} else {
		mp.size[NM_POOL_IF] = (uint32_t)(sizeof(struct netmap_if) +
				      sizeof(int64_t) * (ntx + nrx + 2));
		mp.num[NM_POOL_IF] = 8 + 2 * NM_VALE_PIPE_OBJS;
		mp.size[NM_POOL_RING] = (uint32_t)(sizeof(struct netmap_ring) +
				sizeof(struct netmap_slot) * NM_MAX(txs, rxs));
		mp.num[NM_POOL_RING] = ntx + nrx + 4 * NM_VALE_PIPE_OBJS;
		mp.size[NM_POOL_BUF] = NM_VALE_BUFSIZE;
		mp.num[NM_POOL_BUF] = (uint32_t)nbufs;
		na->nm_mem = nm_mem_private_new(&mp, err);
		if (!na->nm_mem) {
			nm_free(vp);
			return NULL;
		}
		na->na_flags |= NAF_PRIV_MEM;
	}
	na->nm_txsync = vale_vp_txsync;
	na->nm_rxsync = vale_vp_rxsync;
	na->nm_notify = netmap_notify;
	na->nm_register = vale_vp_register;
	na->nm_krings_create = vale_vp_krings_create;
	na->nm_krings_delete = vale_vp_krings_delete;
	na->nm_ring_on = vale_vp_ring_on;
	na->nm_ring_off = vale_vp_ring_off;
	na->nm_dtor = vale_vp_dtor;
	na->refcount = 1;
	for_rx_tx(t)
		nm_os_selinfo_init(&na->si[t]);
	vp->port.na = na;
	vp->port.dfirst = 0;
	vp->port.dnum = nrx;
	*err = 0;
	return vp;
}

/* ------------------------------------------------------------------ */
/* REGISTER of "valeX:Y"                                               */
/* ------------------------------------------------------------------ */

int netmap_get_vale_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na)
{
	char swname[NM_NAME_LEN], pname[NM_NAME_LEN];
	struct netmap_adapter *other;
	struct nm_vale_port *p;
	struct nm_vale_sw *sw;
	struct nm_vale_vp *vp;
	bool created = false;
	int err;

	*na = NULL;
	if (!vale_is_vale_name(name)) {
		/* a NIC on a switch belongs to the switch */
		if (!nm_vale_attaching && vale_nic_port_of(name))
			return EBUSY;
		return 0;
	}
	err = vale_parse(name, swname, pname);
	if (err)
		return err;
	sw = vale_sw_find(swname);
	p = vale_port_find(sw, pname);
	if (p) {
		if (p->kind == NM_VP_NIC || p->kind == NM_VP_HOST)
			return EBUSY;
		netmap_adapter_get(p->na);
		*na = p->na;
		return 0;
	}
	/* the name of an interface or a persistent port: attach it first */
	other = netmap_find_na(pname);
	if (other) {
		netmap_adapter_put(other);
		return EBUSY;
	}
	if (pname[strlen(pname) - 1] == '^')
		return ENXIO;
	if (!sw) {
		sw = vale_sw_create(swname, &err);
		if (!sw)
			return err;
		created = true;
	}
	if (sw->nports >= NM_VALE_MAXPORTS) {
		err = ENOSPC;
		goto fail;
	}
	vp = vale_vp_new(name, req->nr_tx_rings, req->nr_rx_rings,
			 req->nr_tx_slots, req->nr_rx_slots,
			 req->nr_extra_bufs, 0, &err);
	if (!vp)
		goto fail;
	vp->port.kind = NM_VP_EPHEMERAL;
	memcpy(vp->port.name, pname, strlen(pname) + 1);
	vale_port_add(sw, &vp->port);	/* room checked above */
	*na = &vp->up;
	return 0;
fail:
	if (created)
		vale_sw_maybe_destroy(sw);
	return err;
}

/* ------------------------------------------------------------------ */
/* NICs on a switch                                                    */
/* ------------------------------------------------------------------ */

/* A NIC rx ring has frames: pull them into the switch. */
static int vale_nic_notify(struct netmap_kring *kring, int flags)
{
	struct nm_vale_src *src;
	uint32_t round;
	int err;

	(void)flags;
	src = nm_load_acquire(&kring->pdata);
	if (!src)
		return 0;
	nm_store(&src->pending, 1);
	nm_smp_mb();
	if (!nm_kr_tryget(kring, &err))
		return 0;	/* the thread inside sees pending */
	src = kring->pdata;
	for (round = 0; src && round < NM_VALE_PULL_ROUNDS; round++) {
		uint32_t to;
		bool bad;

		nm_store(&src->pending, 0);
		nm_smp_mb();
		if (!kring->ring)
			break;
		vale_kring_sync(kring);
		to = kring->nr_hwtail;
		if (to == kring->rhead && !nm_load(&src->pending))
			break;
		to = vale_forward(src->port, kring, &src->scr, kring->rhead,
				  to, &bad);
		if (bad)	/* frames from a device are whole: skip them */
			to = kring->nr_hwtail;
		nm_store(&kring->ring->head, to);
		nm_store(&kring->ring->cur, to);
	}
	if (src && kring->ring)
		vale_kring_sync(kring);	/* give the buffers back */
	nm_kr_put(kring);
	return 0;
}

static void vale_nic_unhook(struct nm_vale_nic *nic)
{
	uint32_t i;

	for (i = 0; i < nic->nsrc; i++) {
		struct nm_vale_src *src = nic->src[i];
		struct netmap_kring *kring;

		if (!src)
			continue;
		kring = nma_kring(nic->na, NR_RX, i);
		kring->nm_notify = src->saved_notify;
		nm_store_release(&kring->pdata, NULL);
		/* wait for a pull that may still use src */
		nm_kr_stop(kring, NM_KR_STOPPED);
		nm_kr_start(kring);
	}
}

/*
 * The src structures go last: a notify that read pdata just before it
 * was cleared may still mark one pending; once the registration is gone
 * the NIC delivers no more frames to these rings.
 */
static void vale_nic_free(struct nm_vale_nic *nic)
{
	uint32_t i;

	if (nic->src)
		vale_nic_unhook(nic);
	if (nic->priv) {
		if (nic->priv->np_na)
			netmap_do_unregister(nic->priv);
		nm_free(nic->priv);
	}
	for (i = 0; nic->src && i < nic->nsrc; i++)
		nm_free(nic->src[i]);
	nm_free(nic->src);
	nm_free(nic);
}

static int vale_nic_hook(struct nm_vale_nic *nic, struct nm_vale_port *p)
{
	uint32_t i;

	for (i = p->sfirst; i < p->sfirst + p->snum; i++) {
		struct netmap_kring *kring = nma_kring(nic->na, NR_RX, i);
		struct nm_vale_src *src;

		if (kring->pdata)
			return EBUSY;	/* the adapter type uses it */
		src = nm_malloc(sizeof(*src));
		if (!src)
			return ENOMEM;
		vale_scratch_init(&src->scr);
		src->port = p;
		src->saved_notify = kring->nm_notify;
		nic->src[i] = src;
		nm_store_release(&kring->pdata, src);
		kring->nm_notify = vale_nic_notify;
	}
	return 0;
}

static void vale_nic_port_init(struct nm_vale_nic *nic, struct nm_vale_port *p,
			       const char *pname, bool host)
{
	struct netmap_adapter *na = nic->na;
	size_t len = strnlen(pname, NM_NAME_LEN - 2);

	p->kind = host ? NM_VP_HOST : NM_VP_NIC;
	p->na = na;
	p->nic = nic;
	memcpy(p->name, pname, len);
	if (host)
		p->name[len] = '^';
	p->dfirst = host ? na->num_rings[NR_TX] : 0;
	p->dnum = host ? na->num_host_rings[NR_TX] : na->num_rings[NR_TX];
	p->sfirst = host ? na->num_rings[NR_RX] : 0;
	p->snum = host ? na->num_host_rings[NR_RX] : na->num_rings[NR_RX];
}

static int vale_attach_nic(struct nm_vale_sw *sw, const char *pname,
			   struct netmap_adapter *na,
			   struct nmreq_vale_attach *req)
{
	bool host = req->reg.nr_mode == NR_REG_NIC_SW;
	struct nmreq_register reg;
	struct nm_vale_nic *nic;
	int err;

	if (na->na_flags & NAF_NULL)
		return EINVAL;
	if (na->active_fds > 0)
		return EBUSY;
	if (sw->nports + (host ? 2 : 1) > NM_VALE_MAXPORTS)
		return ENOSPC;
	nic = nm_malloc(sizeof(*nic));
	if (!nic)
		return ENOMEM;
	nic->na = na;
	nic->priv = netmap_priv_new();
	if (!nic->priv) {
		err = ENOMEM;
		goto fail;
	}
	memset(&reg, 0, sizeof(reg));
	reg.nr_mode = host ? NR_REG_NIC_SW : NR_REG_ALL_NIC;
	nm_vale_attaching = true;
	err = netmap_do_register(nic->priv, na->name, &reg, NULL);
	if (!err)
		netmap_register_commit(nic->priv);
	nm_vale_attaching = false;
	if (err)
		goto fail;
	nic->nsrc = nma_all_rings(na, NR_RX);
	nic->src = nm_malloc(sizeof(*nic->src) * nic->nsrc);
	if (!nic->src) {
		err = ENOMEM;
		goto fail;
	}
	vale_nic_port_init(nic, &nic->port, pname, false);
	err = vale_nic_hook(nic, &nic->port);
	if (!err && host) {
		nic->has_host = true;
		vale_nic_port_init(nic, &nic->hport, pname, true);
		err = vale_nic_hook(nic, &nic->hport);
	}
	if (err)
		goto fail;
	vale_port_add(sw, &nic->port);
	if (host)
		vale_port_add(sw, &nic->hport);
	nic->port.live = nic->hport.live = true;
	vale_publish(sw, NULL);
	req->port_index = nic->port.idx;
	req->reg.nr_mem_id = na->nm_mem->id;
	req->reg.nr_memsize = na->nm_mem->memtotal;
	return 0;
fail:
	vale_nic_free(nic);
	return err;
}

static void vale_detach_nic(struct nm_vale_nic *nic)
{
	nic->port.live = nic->hport.live = false;
	if (nic->has_host)
		vale_port_remove(&nic->hport);
	vale_port_remove(&nic->port);
	vale_nic_free(nic);
}

/* ------------------------------------------------------------------ */
/* control requests                                                    */
/* ------------------------------------------------------------------ */

static int vale_ctl_attach(const char *name, struct nmreq_vale_attach *req)
{
	char swname[NM_NAME_LEN], pname[NM_NAME_LEN];
	struct netmap_adapter *na;
	struct nm_vale_sw *sw;
	struct nm_vale_vp *vp;
	bool created = false;
	int err;

	if (!vale_is_vale_name(name))
		return EINVAL;
	err = vale_parse(name, swname, pname);
	if (err)
		return err;
	if (req->reg.nr_mode != NR_REG_ALL_NIC &&
	    req->reg.nr_mode != NR_REG_NIC_SW &&
	    req->reg.nr_mode != NR_REG_DEFAULT)
		return EINVAL;
	sw = vale_sw_find(swname);
	if (vale_port_find(sw, pname))
		return EBUSY;
	vp = vale_persistent_find(pname);
	na = vp ? NULL : netmap_find_na(pname);
	if (!vp && !na)
		return ENXIO;
	if ((vp && vp->port.sw) || (na && vale_nic_port_of(pname))) {
		err = EBUSY;
		goto out;
	}
	if (!sw) {
		sw = vale_sw_create(swname, &err);
		if (!sw)
			goto out;
		created = true;
	}
	if (vp) {
		err = vale_port_add(sw, &vp->port);
		if (!err) {
			memcpy(vp->port.name, pname, strlen(pname) + 1);
			netmap_adapter_get(&vp->up);	/* the switch's */
			vp->port.live = vp->up.active_fds > 0;
			vale_publish(sw, NULL);
			req->port_index = vp->port.idx;
			req->reg.nr_mem_id = vp->up.nm_mem->id;
		}
	} else {
		err = vale_attach_nic(sw, pname, na, req);
	}
	if (err && created)
		vale_sw_maybe_destroy(sw);
out:
	if (na)
		netmap_adapter_put(na);
	return err;
}

static int vale_ctl_detach(const char *name, struct nmreq_vale_detach *req)
{
	char swname[NM_NAME_LEN], pname[NM_NAME_LEN];
	struct nm_vale_port *p;
	int err;

	if (!vale_is_vale_name(name))
		return EINVAL;
	err = vale_parse(name, swname, pname);
	if (err)
		return err;
	p = vale_port_find(vale_sw_find(swname), pname);
	if (!p)
		return ENXIO;
	req->port_index = p->idx;
	switch (p->kind) {
	case NM_VP_NIC:
		vale_detach_nic(p->nic);
		return 0;
	case NM_VP_PERSISTENT: {
		struct netmap_adapter *na = p->na;

		vale_port_remove(p);
		netmap_adapter_put(na);	/* the switch's */
		return 0;
	}
	default:	/* host ports go with their NIC, ephemeral by closing */
		return EBUSY;
	}
}

/* "sw:port", truncated to a name (both parts are shorter in practice). */
static void vale_full_name(char *dst, const char *sw, const char *port)
{
	size_t a = strnlen(sw, NM_NAME_LEN - 1), b;

	memcpy(dst, sw, a);
	if (a < NM_NAME_LEN - 1)
		dst[a++] = ':';
	b = NM_MIN(strnlen(port, NM_NAME_LEN), NM_NAME_LEN - 1 - a);
	memcpy(dst + a, port, b);
	dst[a + b] = '\0';
}

/* The next port at or after (bridge, port) in index order. */
static int vale_ctl_list(char *name, struct nmreq_vale_list *req)
{
	char swname[NM_NAME_LEN], pname[NM_NAME_LEN];
	uint32_t b, i = req->nr_port_idx;

	if (name[0]) {
		struct nm_vale_sw *sw;
		struct nm_vale_port *p;

		if (!vale_is_vale_name(name))
			return ENXIO;
		if (vale_parse(name, swname, pname))
			return EINVAL;
		sw = vale_sw_find(swname);
		p = vale_port_find(sw, pname);
		if (!p)
			return ENXIO;
		req->nr_bridge_idx = (uint16_t)sw->idx;
		req->nr_port_idx = p->idx;
		return 0;
	}
	for (b = req->nr_bridge_idx; b < NM_VALE_MAXSW; b++, i = 0) {
		struct nm_vale_sw *sw = nm_vale_sws[b];

		for (; sw && i < NM_VALE_MAXPORTS; i++) {
			struct nm_vale_port *p = sw->ports[i];

			if (!p)
				continue;
			vale_full_name(name, sw->name, p->name);
			req->nr_bridge_idx = (uint16_t)b;
			req->nr_port_idx = i;
			return 0;
		}
	}
	return ENOENT;
}

static int vale_ctl_newif(const char *name, struct nmreq_vale_newif *req)
{
	struct netmap_adapter *other;
	struct nm_vale_vp *vp;
	size_t len = strnlen(name, NM_NAME_LEN);
	size_t i;
	int err;

	if (len == 0 || len >= NM_NAME_LEN || vale_is_vale_name(name))
		return EINVAL;
	for (i = 0; i < len; i++)
		if (!vale_namechar(name[i]))
			return EINVAL;
	other = netmap_find_na(name);
	if (other) {
		netmap_adapter_put(other);
		return EEXIST;
	}
	vp = vale_vp_new(name, req->nr_tx_rings, req->nr_rx_rings,
			 req->nr_tx_slots, req->nr_rx_slots, 0,
			 req->nr_mem_id, &err);
	if (!vp)
		return err;
	vp->port.kind = NM_VP_PERSISTENT;
	memcpy(vp->port.name, name, len + 1);
	req->nr_tx_rings = (uint16_t)vp->up.num_rings[NR_TX];
	req->nr_rx_rings = (uint16_t)vp->up.num_rings[NR_RX];
	req->nr_tx_slots = vp->up.num_slots[NR_TX];
	req->nr_rx_slots = vp->up.num_slots[NR_RX];
	req->nr_mem_id = vp->up.nm_mem->id;
	/* the registry takes the reference vale_vp_new() made */
	NMG_UNLOCK();
	err = netmap_attach(&vp->up);
	NMG_LOCK();
	if (err) {
		nm_mem_put(vp->up.nm_mem);
		nm_free(vp);
		return err;
	}
	vp->pnext = nm_vale_persistent;
	nm_vale_persistent = vp;
	return 0;
}

static int vale_ctl_delif(const char *name)
{
	struct nm_vale_vp *vp = vale_persistent_find(name), **pp;

	if (!vp)
		return ENXIO;
	if (vp->up.active_fds > 0 || vp->port.sw || vp->up.refcount > 1)
		return EBUSY;
	for (pp = &nm_vale_persistent; *pp; pp = &(*pp)->pnext) {
		if (*pp == vp) {
			*pp = vp->pnext;
			break;
		}
	}
	vp->pnext = NULL;
	NMG_UNLOCK();
	netmap_detach(&vp->up);	/* drops the registry's reference */
	NMG_LOCK();
	return 0;
}

static struct nm_vale_port *vale_port_by_name(const char *name)
{
	char swname[NM_NAME_LEN], pname[NM_NAME_LEN];
	struct nm_vale_vp *vp;

	if (!vale_is_vale_name(name)) {
		vp = vale_persistent_find(name);
		return vp ? &vp->port : NULL;
	}
	if (vale_parse(name, swname, pname))
		return NULL;
	return vale_port_find(vale_sw_find(swname), pname);
}

static int vale_ctl_hdr(const char *name, uint16_t type,
			struct nmreq_port_hdr *req)
{
	struct nm_vale_port *p = vale_port_by_name(name);

	if (!p)
		return ENXIO;
	if (type == NETMAP_REQ_PORT_HDR_GET) {
		req->nr_hdr_len = p->hdr_len;
		return 0;
	}
	if (req->nr_hdr_len != 0 && req->nr_hdr_len != 10 &&
	    req->nr_hdr_len != 12)
		return EINVAL;
	p->hdr_len = req->nr_hdr_len;
	return 0;
}

/*
 * name is the kernel copy of the request header's nr_name, which goes
 * back to the user: VALE_LIST writes the port it found there.
 */
int netmap_vale_ctl(struct netmap_priv_d *priv, uint16_t reqtype,
		    const char *name, void *body)
{
	int err;

	(void)priv;
	switch (reqtype) {
	case NETMAP_REQ_VALE_POLLING_ENABLE:
	case NETMAP_REQ_VALE_POLLING_DISABLE:
		return EOPNOTSUPP;
	default:
		break;
	}
	NMG_LOCK();
	switch (reqtype) {
	case NETMAP_REQ_VALE_ATTACH:
		err = vale_ctl_attach(name, body);
		break;
	case NETMAP_REQ_VALE_DETACH:
		err = vale_ctl_detach(name, body);
		break;
	case NETMAP_REQ_VALE_LIST:
		err = vale_ctl_list((char *)name, body);
		break;
	case NETMAP_REQ_VALE_NEWIF:
		err = vale_ctl_newif(name, body);
		break;
	case NETMAP_REQ_VALE_DELIF:
		err = vale_ctl_delif(name);
		break;
	case NETMAP_REQ_PORT_HDR_SET:
	case NETMAP_REQ_PORT_HDR_GET:
		err = vale_ctl_hdr(name, reqtype, body);
		break;
	default:
		err = EINVAL;
		break;
	}
	NMG_UNLOCK();
	return err;
}

int netmap_vale_set_lookup(const char *swname, netmap_vale_lookup_t fn,
			   void *arg)
{
	struct nm_vale_sw *sw;
	uint32_t i;

	if (!swname || !vale_is_vale_name(swname))
		return EINVAL;
	for (i = sizeof(NM_VALE_PREFIX) - 1; swname[i]; i++)
		if (!vale_namechar(swname[i]) || i >= NM_NAME_LEN - 1)
			return EINVAL;
	NMG_LOCK();
	sw = vale_sw_find(swname);
	if (!sw) {
		NMG_UNLOCK();
		return ENOENT;
	}
	sw->lookup = fn;
	sw->arg = fn ? arg : NULL;
	vale_publish(sw, NULL);
	vale_sw_maybe_destroy(sw);
	NMG_UNLOCK();
	return 0;
}

/* ------------------------------------------------------------------ */
/* life cycle                                                          */
/* ------------------------------------------------------------------ */

int netmap_vale_init(void)
{
	return 0;
}

/* Tears down NICs, persistent ports and switches; NMG_LOCK not held. */
void netmap_vale_fini(void)
{
	struct nm_vale_vp *vp;
	uint32_t s, i;

	NMG_LOCK();
	for (s = 0; s < NM_VALE_MAXSW; s++) {
		struct nm_vale_sw *sw = nm_vale_sws[s];

		if (!sw)
			continue;
		sw->lookup = NULL;
		for (i = 0; i < NM_VALE_MAXPORTS && nm_vale_sws[s]; i++) {
			struct nm_vale_port *p = sw->ports[i];

			if (!p)
				continue;
			if (p->kind == NM_VP_NIC) {
				vale_detach_nic(p->nic);
			} else if (p->kind == NM_VP_PERSISTENT) {
				vale_port_remove(p);
				netmap_adapter_put(p->na);
			}
		}
		if (nm_vale_sws[s] && sw->nports)
			nm_prerr("%s: %u ports still in use at exit",
				 sw->name, sw->nports);
		else if (nm_vale_sws[s])
			vale_sw_maybe_destroy(sw);
	}
	while ((vp = nm_vale_persistent)) {
		nm_vale_persistent = vp->pnext;
		vp->pnext = NULL;
		NMG_UNLOCK();
		netmap_detach(&vp->up);
		NMG_LOCK();
	}
	NMG_UNLOCK();
}
