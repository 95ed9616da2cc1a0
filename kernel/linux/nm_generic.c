// SPDX-License-Identifier: BSD-2-Clause
/*
 * The generic adapter: netmap mode on any Ethernet netdev, through the
 * hooks every driver has, the same shape as the sim NIC (sim_nic.c).
 *
 *   receive   while in netmap mode an rx_handler takes every frame the
 *             device receives (GRO super-frames segmented back, a VLAN tag
 *             the hardware stripped put back) and queues the skb for the
 *             NIC rx ring of its rx queue, unless nobody binds that ring:
 *             then the frame goes to the stack as usual.  rxsync copies
 *             queued skbs into the ring.
 *   transmit  txsync builds an skb per frame (NS_MOREFRAG chains joined)
 *             and hands it to the driver on the ring's tx queue with
 *             __dev_direct_xmit().  Each skb in flight holds the adapter;
 *             its destructor wakes the ring.  A full driver queue leaves
 *             the slots pending (hwcur stays), so the user sees the ring
 *             fill up; the destructors of the frames in flight wake it.
 *   host      in netmap mode the device's netdev_ops are replaced by a
 *             copy whose ndo_start_xmit queues what the stack sends for
 *             the host rx rings (nm_host.c); our own skbs (recognised by
 *             their destructor) pass through to the driver.  The host tx
 *             ring and NS_FORWARD hand frames to the stack with
 *             netif_receive_skb(), past our rx_handler.
 *
 * Adapters come and go with the netdevs: a netdevice notifier creates one
 * per Ethernet device (module parameter generic=1), named after it, and
 * tears it down when the device unregisters.  The notifier runs under
 * rtnl, and nm_register() runs under NMG_LOCK and needs rtnl to hook the
 * device, so the notifier never takes NMG_LOCK: it unhooks the device
 * itself (under rtnl) and leaves netmap_attach()/netmap_detach() to a work
 * item.  Lock order: NMG_LOCK -> rtnl -> nm_gen_lock.
 *
 * Life of struct nm_gen: refs counts the core's adapter (dropped by
 * nm_dtor) and every skb in flight; the last one frees it.  The device is
 * held (dev_hold) from creation until the work item has detached the
 * adapter; a zombie (detached, still registered) never touches it again.
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/if_arp.h>
#include <linux/delay.h>
#include <linux/skbuff.h>
#include <linux/rtnetlink.h>
#include <linux/rculist.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>

#include "nm_kern.h"
#include "nm_linux.h"

static bool generic = true;
module_param(generic, bool, 0444);
MODULE_PARM_DESC(generic, "attach a generic netmap adapter to every Ethernet netdev");

static int generic_ringsize = 1024;
module_param(generic_ringsize, int, 0644);
MODULE_PARM_DESC(generic_ringsize, "slots per ring of generic adapters created from now on (64-16384)");

static int generic_rings;
module_param(generic_rings, int, 0644);
MODULE_PARM_DESC(generic_rings, "rings per direction of new generic adapters (0: the device's queues, max 64)");

static int generic_rxqlen = 1024;
module_param(generic_rxqlen, int, 0644);
MODULE_PARM_DESC(generic_rxqlen, "received frames queued per rx ring before rxsync (16-65536)");

#define NM_GEN_MAX_RINGS	64

struct nm_gen;

struct nm_gen_txr {
	struct nm_gen	*g;
	uint32_t	q;
	atomic_t	inflight;
	bool		skip;	/* dropping the rest of an overlong chain */
};

struct nm_gen {
	struct netmap_adapter	up;	/* first: the core's view */
	struct net_device	*dev;
	const struct net_device_ops *orig_ops;
	struct net_device_ops	ops;	/* orig_ops with our ndo_start_xmit */
	struct nm_host		host;
	struct sk_buff_head	rxq[NM_GEN_MAX_RINGS];
	struct nm_gen_txr	txr[NM_GEN_MAX_RINGS];
	refcount_t		refs;

	bool			on;	/* netmap mode: krings exist */
	bool			hooked;	/* rx_handler and ops (rtnl) */
	bool			gone;	/* the device is unregistering */
	bool			attached;	/* in the core registry */
	struct list_head	link;	/* nm_gen_list, nm_gen_lock */
	struct list_head	hlink;	/* nm_gen_hooked, RCU */

	atomic64_t		tx_frames, tx_dropped, rx_frames, rx_dropped;
	atomic64_t		stack_captured;
};

static LIST_HEAD(nm_gen_list);		/* every adapter not yet detached */
static DEFINE_MUTEX(nm_gen_lock);
static LIST_HEAD(nm_gen_hooked);	/* hooked devices, for the xmit hook */
static DEFINE_SPINLOCK(nm_gen_hooked_lock);
static atomic_t nm_gen_skbs = ATOMIC_INIT(0);	/* our skbs in flight */
static DEFINE_PER_CPU(int, nm_gen_bypass);	/* to_stack in progress */
static bool nm_gen_notifier_on;

static void nm_gen_work_fn(struct work_struct *w);
static DECLARE_WORK(nm_gen_work, nm_gen_work_fn);

static struct nm_gen *to_gen(struct netmap_adapter *na)
{
	return container_of(na, struct nm_gen, up);
}

static void nm_gen_get(struct nm_gen *g)
{
	refcount_inc(&g->refs);
}

static void nm_gen_put(struct nm_gen *g)
{
	unsigned int i;

	if (!refcount_dec_and_test(&g->refs))
		return;
	for (i = 0; i < NM_GEN_MAX_RINGS; i++)
		skb_queue_purge(&g->rxq[i]);
	nm_host_fini(&g->host);
	nm_free(g);
}

/* ------------------------------------------------------------------ */
/* building and sending skbs                                           */
/* ------------------------------------------------------------------ */

static void nm_gen_skb_destructor(struct sk_buff *skb)
{
	struct nm_gen_txr *txr = skb_shinfo(skb)->destructor_arg;
	struct nm_gen *g = txr->g;

	atomic_dec(&txr->inflight);
	rcu_read_lock();
	if (READ_ONCE(g->on) && txr->q < g->up.num_rings[NR_TX]) {
		struct netmap_kring *kring = nma_kring(&g->up, NR_TX, txr->q);

		kring->nm_notify(kring, 0);
	}
	rcu_read_unlock();
	nm_gen_put(g);
	atomic_dec(&nm_gen_skbs);
}

/* The largest frame the device takes. */
static uint32_t nm_gen_max_frame(struct net_device *dev)
{
	return dev->mtu + dev->hard_header_len + VLAN_HLEN;
}

static struct sk_buff *nm_gen_skb_alloc(struct net_device *dev, uint32_t len)
{
	struct sk_buff *skb = alloc_skb(LL_RESERVED_SPACE(dev) + len,
					nm_lx_gfp() | __GFP_NOWARN);

	if (skb)
		skb_reserve(skb, LL_RESERVED_SPACE(dev));
	return skb;
}

/*
 * Hands an skb holding a whole frame to the driver on tx queue q.
 * Returns NETDEV_TX_BUSY with the skb freed when the queue is stopped;
 * anything else means the skb is gone (sent or dropped: *sent says).
 */
static int nm_gen_xmit_skb(struct nm_gen *g, struct sk_buff *skb, uint32_t q,
			   bool *sent)
{
	struct net_device *dev = g->dev;
	struct nm_gen_txr *txr = &g->txr[q % NM_GEN_MAX_RINGS];
	int ret;

	skb->dev = dev;
	skb_reset_mac_header(skb);
	skb->protocol = eth_hdr(skb)->h_proto;
	skb_shinfo(skb)->destructor_arg = txr;
	skb->destructor = nm_gen_skb_destructor;
	atomic_inc(&txr->inflight);
	atomic_inc(&nm_gen_skbs);
	nm_gen_get(g);
	ret = __dev_direct_xmit(skb, (u16)(q % dev->real_num_tx_queues));
	*sent = ret == NETDEV_TX_OK;
	if (ret == NETDEV_TX_BUSY)
		kfree_skb(skb);	/* not consumed: runs our destructor */
	return ret;
}

/* ------------------------------------------------------------------ */
/* syncs                                                               */
/* ------------------------------------------------------------------ */

/* Offset of a slot, or false if it breaks the ring's offset rules. */
static bool nm_gen_slot_off(struct netmap_kring *kring, uint64_t ptr,
			    uint32_t len, uint32_t bufsize, uint64_t *off)
{
	*off = 0;
	if (!kring->offset_mask)
		return len <= bufsize;
	*off = ptr & kring->offset_mask;
	if (*off > kring->offset_max || *off + len > bufsize)
		return false;
	if (kring->tx == NR_TX && kring->buf_align > 1 &&
	    *off % kring->buf_align)
		return false;
	return true;
}

/* A validated slot: buffer address and length; false if unusable. */
static bool nm_gen_slot(struct netmap_kring *kring, struct netmap_slot *slot,
			const uint8_t **data, uint16_t *len, uint16_t *fl)
{
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t idx = nm_load(&slot->buf_idx);
	uint64_t off;

	*len = nm_load(&slot->len);
	*fl = nm_load(&slot->flags);
	if (!nm_mem_buf_valid(mem, idx) ||
	    !nm_gen_slot_off(kring, nm_load(&slot->ptr), *len,
			     nm_mem_bufsize(mem), &off))
		return false;
	*data = (const uint8_t *)nm_mem_buf(mem, idx) + off;
	return true;
}

/*
 * Scans the chain starting at slot i: its last slot and total length.
 * 1: complete, 0: not all of it released yet, -1: a bad slot.
 */
static int nm_gen_chain(struct netmap_kring *kring, uint32_t i, uint32_t *last,
			uint32_t *total, uint32_t *nfrags)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t lim = kring->nkr_num_slots - 1;
	const uint8_t *data;
	uint16_t len, fl;

	*total = 0;
	*nfrags = 0;
	for (;;) {
		if (!nm_gen_slot(kring, &ring->slot[i], &data, &len, &fl))
			return -1;
		*total += len;
		(*nfrags)++;
		*last = i;
		if (!(fl & NS_MOREFRAG) || *nfrags > NETMAP_MAX_FRAGS)
			return 1;
		i = nm_next(i, lim);
		if (i == kring->rhead)
			return 0;
	}
}

/*
 * Copies the chain [i, last] into a new skb of at most total bytes,
 * reading each slot again: the user may have changed it since the scan.
 * NULL when a slot went bad or grew, or without memory.
 */
static struct sk_buff *nm_gen_chain_skb(struct nm_gen *g,
					struct netmap_kring *kring, uint32_t i,
					uint32_t last, uint32_t total)
{
	struct netmap_ring *ring = kring->ring;
	uint32_t lim = kring->nkr_num_slots - 1;
	struct sk_buff *skb = nm_gen_skb_alloc(g->dev, total);
	const uint8_t *data;
	uint16_t len, fl;

	if (!skb)
		return NULL;
	for (;; i = nm_next(i, lim)) {
		if (!nm_gen_slot(kring, &ring->slot[i], &data, &len, &fl) ||
		    len > skb_tailroom(skb) || skb->len + len > total) {
			kfree_skb(skb);
			return NULL;
		}
		skb_put_data(skb, data, len);
		if (fl & NS_BUF_CHANGED)
			nm_store(&ring->slot[i].flags, fl & ~NS_BUF_CHANGED);
		if (i == last)
			return skb;
	}
}

static int nm_gen_txsync(struct netmap_kring *kring, int flags)
{
	struct nm_gen *g = to_gen(kring->na);
	struct nm_gen_txr *txr = &g->txr[kring->ring_id];
	uint32_t lim = kring->nkr_num_slots - 1, i = kring->nr_hwcur;
	uint32_t maxlen = nm_gen_max_frame(g->dev);
	int err = 0;

	/* a transmit enables bottom halves: not with interrupts off */
	if (WARN_ON_ONCE(irqs_disabled()))
		return 0;
	while (i != kring->rhead) {
		uint32_t last, total, nfrags;
		struct sk_buff *skb;
		bool sent;
		int r = nm_gen_chain(kring, i, &last, &total, &nfrags);

		if (r < 0) {
			err = NM_SYNC_REINIT;
			break;
		}
		if (r == 0)
			break;	/* the rest of the chain comes later */
		if (txr->skip || nfrags > NETMAP_MAX_FRAGS) {
			/* an overlong chain: drop slots up to its end */
			const uint8_t *d;
			uint16_t l, fl;

			nm_gen_slot(kring, &kring->ring->slot[last], &d, &l, &fl);
			if (!txr->skip)
				atomic64_inc(&g->tx_dropped);
			txr->skip = fl & NS_MOREFRAG;
			i = nm_next(last, lim);
			continue;
		}
		if (total < ETH_HLEN || total > maxlen) {
			atomic64_inc(&g->tx_dropped);
			i = nm_next(last, lim);
			continue;
		}
		if (atomic_read(&txr->inflight) >= (int)kring->nkr_num_slots)
			break;	/* a destructor will wake us */
		skb = nm_gen_chain_skb(g, kring, i, last, total);
		if (!skb) {
			atomic64_inc(&g->tx_dropped);
			i = nm_next(last, lim);
			continue;
		}
		if (nm_gen_xmit_skb(g, skb, kring->ring_id, &sent) ==
		    NETDEV_TX_BUSY && atomic_read(&txr->inflight) > 0)
			break;	/* queue stopped: retry when frames complete */
		atomic64_inc(sent ? &g->tx_frames : &g->tx_dropped);
		i = nm_next(last, lim);
	}
	kring->nr_hwcur = i;
	kring->nr_hwtail = nm_prev(i, lim);
	return err;
}

/*
 * Copies skb into the free slots from hwtail on.  Returns the slots used,
 * 0 when it does not fit in avail, -1 at a slot the user broke.
 */
static int nm_gen_rx_fill_one(struct netmap_kring *kring, struct sk_buff *skb,
			      uint32_t avail)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	uint32_t i = kring->nr_hwtail, done = 0, used = 0;

	do {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx, cap, chunk;
		uint64_t off;

		if (used == avail)
			return 0;
		idx = nm_load(&slot->buf_idx);
		if (!nm_mem_buf_valid(mem, idx) ||
		    !nm_gen_slot_off(kring, nm_load(&slot->ptr), 0, bufsize,
				     &off) || off >= bufsize)
			return -1;
		cap = NM_MIN(bufsize - (uint32_t)off, 0xffffu);
		chunk = NM_MIN(skb->len - done, cap);
		if (skb_copy_bits(skb, (int)done,
				  (uint8_t *)nm_mem_buf(mem, idx) + off,
				  (int)chunk))
			return -1;
		done += chunk;
		nm_store(&slot->len, (uint16_t)chunk);
		nm_store(&slot->flags, done < skb->len ? NS_MOREFRAG : 0);
		used++;
		i = nm_next(i, lim);
	} while (done < skb->len);
	return (int)used;
}

/* Gives back [hwcur, head), forwarding to the stack when asked. */
static bool nm_gen_rx_release(struct nm_gen *g, struct netmap_kring *kring)
{
	struct netmap_ring *ring = kring->ring;
	struct netmap_mem_d *mem = kring->na->nm_mem;
	uint32_t lim = kring->nkr_num_slots - 1, bufsize = nm_mem_bufsize(mem);
	bool fwd = kring->rhead != kring->nr_hwcur && nm_host_may_fwd(kring);
	uint32_t i;

	for (i = kring->nr_hwcur; i != kring->rhead; i = nm_next(i, lim)) {
		struct netmap_slot *slot = &ring->slot[i];
		uint32_t idx = nm_load(&slot->buf_idx);
		uint16_t fl = nm_load(&slot->flags);
		uint16_t len = nm_load(&slot->len);
		uint64_t off;

		if (!nm_mem_buf_valid(mem, idx) ||
		    !nm_gen_slot_off(kring, nm_load(&slot->ptr), 0, bufsize,
				     &off)) {
			kring->nr_hwcur = i;
			return false;
		}
		if (fl & NS_BUF_CHANGED)
			nm_store(&slot->flags, fl & ~NS_BUF_CHANGED);
		nm_host_rx_released(&g->host, kring, fwd, slot, idx, off, len,
				    fl);
	}
	kring->nr_hwcur = kring->rhead;
	return true;
}

static int nm_gen_rxsync(struct netmap_kring *kring, int flags)
{
	struct nm_gen *g = to_gen(kring->na);
	struct sk_buff_head *q = &g->rxq[kring->ring_id];
	uint32_t n = kring->nkr_num_slots, lim = n - 1, avail;
	struct sk_buff *skb;
	int ret = 0, used;

	if (!nm_gen_rx_release(g, kring))
		return NM_SYNC_REINIT;
	/* only this sync takes from the head: a frame may go back there */
	while ((skb = skb_dequeue(q)) != NULL) {
		avail = nm_ring_dist(kring->nr_hwtail, kring->nr_hwcur, n);
		avail = avail == 0 ? lim : avail - 1;
		used = nm_gen_rx_fill_one(kring, skb, avail);
		if (used < 0) {
			skb_queue_head(q, skb);
			ret = NM_SYNC_REINIT;
			break;
		}
		if (used == 0 && avail < lim) {
			skb_queue_head(q, skb);
			break;	/* wait for the user to free slots */
		}
		if (used == 0) {
			atomic64_inc(&g->rx_dropped);	/* bigger than the ring */
		} else {
			kring->nr_hwtail = (kring->nr_hwtail + (uint32_t)used) % n;
			atomic64_inc(&g->rx_frames);
		}
		consume_skb(skb);
	}
	return ret;
}

static int nm_gen_host_txsync(struct netmap_kring *kring, int flags)
{
	return nm_host_txsync(&to_gen(kring->na)->host, kring, flags);
}

static int nm_gen_host_rxsync(struct netmap_kring *kring, int flags)
{
	return nm_host_rxsync(&to_gen(kring->na)->host, kring, flags);
}

/* ------------------------------------------------------------------ */
/* host stack callbacks                                                */
/* ------------------------------------------------------------------ */

/* A frame for the stack, as if the device had received it. */
static int nm_gen_to_stack(struct nm_host *h, const void *buf, uint32_t len)
{
	struct nm_gen *g = container_of(h, struct nm_gen, host);
	struct net_device *dev = g->dev;
	struct sk_buff *skb;

	if (irqs_disabled())
		return EBUSY;
	skb = __netdev_alloc_skb_ip_align(dev, len, nm_lx_gfp() | __GFP_NOWARN);
	if (!skb)
		return ENOMEM;
	skb_put_data(skb, buf, len);
	skb->protocol = eth_type_trans(skb, dev);
	/* synchronous delivery on this cpu: our rx_handler lets it pass */
	local_bh_disable();
	__this_cpu_write(nm_gen_bypass, 1);
	netif_receive_skb(skb);
	__this_cpu_write(nm_gen_bypass, 0);
	local_bh_enable();
	return 0;
}

/* A frame from a host rx ring out of the device (NS_FORWARD down). */
static int nm_gen_to_wire(struct nm_host *h, uint32_t ring, const void *buf,
			  uint32_t len)
{
	struct nm_gen *g = container_of(h, struct nm_gen, host);
	struct sk_buff *skb;
	bool sent;

	if (irqs_disabled() || len < ETH_HLEN || len > nm_gen_max_frame(g->dev))
		return EINVAL;
	skb = nm_gen_skb_alloc(g->dev, len);
	if (!skb)
		return ENOMEM;
	skb_put_data(skb, buf, len);
	nm_gen_xmit_skb(g, skb, ring, &sent);
	if (sent)
		atomic64_inc(&g->tx_frames);
	return sent ? 0 : EIO;
}

/* ------------------------------------------------------------------ */
/* the device hooks                                                    */
/* ------------------------------------------------------------------ */

/* A frame the device received, in netmap mode (softirq context). */
static void nm_gen_rx_one(struct nm_gen *g, struct sk_buff *skb, uint32_t q)
{
	struct netmap_kring *kring = nma_kring(&g->up, NR_RX, q);

	if (skb_queue_len(&g->rxq[q]) >= (uint32_t)READ_ONCE(generic_rxqlen)) {
		atomic64_inc(&g->rx_dropped);
		kfree_skb(skb);
		return;
	}
	skb_queue_tail(&g->rxq[q], skb);
	kring->nm_notify(kring, 0);
}

static rx_handler_result_t nm_gen_rx_handler(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb, *segs, *next;
	struct nm_gen *g = rcu_dereference(skb->dev->rx_handler_data);
	uint32_t q = 0;

	if (__this_cpu_read(nm_gen_bypass) || skb->pkt_type == PACKET_LOOPBACK)
		return RX_HANDLER_PASS;
	if (!g || !READ_ONCE(g->on))
		return RX_HANDLER_PASS;
	if (skb_rx_queue_recorded(skb))
		q = skb_get_rx_queue(skb) % g->up.num_rings[NR_RX];
	/* a ring nobody binds: the frame is the stack's */
	if (!READ_ONCE(nma_kring(&g->up, NR_RX, q)->on))
		return RX_HANDLER_PASS;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		goto dropped;
	/* back to the whole frame, as it was on the wire */
	skb_push(skb, skb->data - skb_mac_header(skb));
	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb)
			goto dropped;
	}
	if (!skb_is_gso(skb)) {
		nm_gen_rx_one(g, skb, q);
		return RX_HANDLER_CONSUMED;
	}
	segs = __skb_gso_segment(skb, 0, false);
	if (IS_ERR_OR_NULL(segs)) {
		kfree_skb(skb);
		goto dropped;
	}
	consume_skb(skb);
	skb_list_walk_safe(segs, skb, next) {
		skb_mark_not_on_list(skb);
		nm_gen_rx_one(g, skb, q);
	}
	return RX_HANDLER_CONSUMED;
dropped:
	atomic64_inc(&g->rx_dropped);
	return RX_HANDLER_CONSUMED;
}

static struct nm_gen *nm_gen_hooked_find(struct net_device *dev)
{
	struct nm_gen *g;

	list_for_each_entry_rcu(g, &nm_gen_hooked, hlink)
		if (g->dev == dev)
			return g;
	return NULL;
}

/* Frames the stack sends while the device is in netmap mode. */
static void nm_gen_capture(struct nm_gen *g, struct sk_buff *skb)
{
	if (skb_vlan_tag_present(skb)) {
		skb = __vlan_hwaccel_push_inside(skb);
		if (!skb)
			goto dropped;
	}
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb))
		goto free;
	if (skb_linearize(skb))
		goto free;
	atomic64_inc(&g->stack_captured);
	nm_host_enqueue(&g->host, skb->data, skb->len);
	consume_skb(skb);
	return;
free:
	kfree_skb(skb);
dropped:
	nm_atomic64_inc_return(&g->host.host_rx_dropped);
}

static netdev_tx_t nm_gen_start_xmit(struct sk_buff *skb,
				     struct net_device *dev)
{
	struct sk_buff *segs, *next;
	struct nm_gen *g;

	rcu_read_lock();
	g = nm_gen_hooked_find(dev);
	if (!g) {	/* cannot happen: we are called through g->ops */
		rcu_read_unlock();
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	/* ours, or netpoll (interrupts off): the driver's own transmit */
	if (skb->destructor == nm_gen_skb_destructor || irqs_disabled() ||
	    !READ_ONCE(g->on)) {
		netdev_tx_t ret = g->orig_ops->ndo_start_xmit(skb, dev);

		rcu_read_unlock();
		return ret;
	}
	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR_OR_NULL(segs)) {
			nm_atomic64_inc_return(&g->host.host_rx_dropped);
			kfree_skb(skb);
		} else {
			consume_skb(skb);
			skb_list_walk_safe(segs, skb, next) {
				skb_mark_not_on_list(skb);
				nm_gen_capture(g, skb);
			}
		}
	} else {
		nm_gen_capture(g, skb);
	}
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

/* Under rtnl. */
static int nm_gen_hook(struct nm_gen *g)
{
	struct net_device *dev = g->dev;
	int err;

	ASSERT_RTNL();
	g->orig_ops = dev->netdev_ops;
	g->ops = *dev->netdev_ops;
	g->ops.ndo_start_xmit = nm_gen_start_xmit;
	err = netdev_rx_handler_register(dev, nm_gen_rx_handler, g);
	if (err)
		return err;
	spin_lock(&nm_gen_hooked_lock);
	list_add_rcu(&g->hlink, &nm_gen_hooked);
	spin_unlock(&nm_gen_hooked_lock);
	WRITE_ONCE(dev->netdev_ops, &g->ops);
	g->hooked = true;
	return 0;
}

/*
 * Under rtnl.  The caller waits for an RCU grace period before the
 * krings go or g is hooked again: hooks may still be running.
 */
static void nm_gen_unhook(struct nm_gen *g)
{
	ASSERT_RTNL();
	if (!g->hooked)
		return;
	netdev_rx_handler_unregister(g->dev);
	WRITE_ONCE(g->dev->netdev_ops, g->orig_ops);
	spin_lock(&nm_gen_hooked_lock);
	list_del_rcu(&g->hlink);
	spin_unlock(&nm_gen_hooked_lock);
	g->hooked = false;
}

/* ------------------------------------------------------------------ */
/* netmap mode on and off                                              */
/* ------------------------------------------------------------------ */

static void nm_gen_purge(struct nm_gen *g)
{
	unsigned int i;

	for (i = 0; i < NM_GEN_MAX_RINGS; i++)
		skb_queue_purge(&g->rxq[i]);
	nm_host_purge(&g->host);
}

/* NMG_LOCK held; takes rtnl. */
static int nm_gen_register(struct netmap_adapter *na, int onoff)
{
	struct nm_gen *g = to_gen(na);
	unsigned int i;
	int err = 0;

	if (onoff) {
		rtnl_lock();
		if (g->gone) {
			rtnl_unlock();
			return ENXIO;
		}
		nm_gen_purge(g);
		for (i = 0; i < NM_GEN_MAX_RINGS; i++)
			g->txr[i].skip = false;
		WRITE_ONCE(g->on, true);
		err = nm_gen_hook(g);
		if (err)
			WRITE_ONCE(g->on, false);
		rtnl_unlock();
		if (err)
			synchronize_net();
		return err < 0 ? -err : err;
	}
	rtnl_lock();
	nm_gen_unhook(g);	/* nothing to do if the notifier did it */
	rtnl_unlock();
	WRITE_ONCE(g->on, false);
	/* hooks and destructors that saw on are done after this */
	synchronize_net();
	nm_gen_purge(g);
	return 0;
}

static void nm_gen_dtor(struct netmap_adapter *na)
{
	nm_gen_put(to_gen(na));
}

/* ------------------------------------------------------------------ */
/* creation and teardown                                               */
/* ------------------------------------------------------------------ */

static uint32_t nm_gen_nrings(unsigned int devq)
{
	int want = READ_ONCE(generic_rings);
	unsigned int n = want > 0 ? (unsigned int)want : devq;

	return clamp_t(unsigned int, n, 1, NM_GEN_MAX_RINGS);
}

/* Under rtnl (the notifier): a new adapter, not yet in the registry. */
static struct nm_gen *nm_gen_create(struct net_device *dev)
{
	uint32_t slots = clamp_t(int, READ_ONCE(generic_ringsize), 64, 16384);
	struct netmap_adapter *na;
	struct nm_gen *g;
	unsigned int i;

	if (strnlen(dev->name, IFNAMSIZ) >= NM_NAME_LEN)
		return NULL;
	g = nm_malloc(sizeof(*g));
	if (!g)
		return NULL;
	g->dev = dev;
	refcount_set(&g->refs, 1);	/* the adapter's, dropped by nm_dtor */
	INIT_LIST_HEAD(&g->hlink);
	for (i = 0; i < NM_GEN_MAX_RINGS; i++) {
		skb_queue_head_init(&g->rxq[i]);
		g->txr[i].g = g;
		g->txr[i].q = i;
		atomic_set(&g->txr[i].inflight, 0);
	}
	nm_host_init(&g->host, &g->up);
	g->host.to_stack = nm_gen_to_stack;
	g->host.to_wire = nm_gen_to_wire;

	na = &g->up;
	strscpy(na->name, dev->name, sizeof(na->name));
	na->na_flags = NAF_NATIVE | NAF_HOST_RINGS;
	na->num_rings[NR_TX] = nm_gen_nrings(dev->real_num_tx_queues);
	na->num_rings[NR_RX] = nm_gen_nrings(dev->real_num_rx_queues);
	na->num_host_rings[NR_TX] = na->num_host_rings[NR_RX] = 1;
	na->num_slots[NR_TX] = na->num_slots[NR_RX] = slots;
	na->num_host_slots[NR_TX] = na->num_host_slots[NR_RX] = slots;
	na->nm_txsync = nm_gen_txsync;
	na->nm_rxsync = nm_gen_rxsync;
	na->nm_host_txsync = nm_gen_host_txsync;
	na->nm_host_rxsync = nm_gen_host_rxsync;
	na->nm_register = nm_gen_register;
	na->nm_dtor = nm_gen_dtor;
	dev_hold(dev);
	return g;
}

static bool nm_gen_eligible(struct net_device *dev)
{
	return dev->type == ARPHRD_ETHER && !(dev->flags & IFF_LOOPBACK) &&
	       dev->netdev_ops && dev->netdev_ops->ndo_start_xmit &&
	       dev->addr_len == ETH_ALEN;
}

/* nm_gen_lock held */
static struct nm_gen *nm_gen_by_dev(struct net_device *dev)
{
	struct nm_gen *g;

	list_for_each_entry(g, &nm_gen_list, link)
		if (g->dev == dev)
			return g;
	return NULL;
}

static int nm_gen_netdev_event(struct notifier_block *nb, unsigned long ev,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct nm_gen *g;

	switch (ev) {
	case NETDEV_REGISTER:
		if (!nm_gen_eligible(dev))
			break;
		g = nm_gen_create(dev);
		if (!g) {
			pr_warn("netmap: %s: no generic adapter\n", dev->name);
			break;
		}
		mutex_lock(&nm_gen_lock);
		list_add_tail(&g->link, &nm_gen_list);
		mutex_unlock(&nm_gen_lock);
		schedule_work(&nm_gen_work);
		break;
	case NETDEV_UNREGISTER:
		mutex_lock(&nm_gen_lock);
		g = nm_gen_by_dev(dev);
		if (g && !g->gone) {
			/* the device must not call into us after this */
			nm_gen_unhook(g);
			g->gone = true;
			schedule_work(&nm_gen_work);
		}
		mutex_unlock(&nm_gen_lock);
		break;
	default:
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nm_gen_nb = {
	.notifier_call = nm_gen_netdev_event,
};

/*
 * Registry work: attach new adapters, detach those whose device went.
 * One adapter at a time, nm_gen_lock not held while the core runs.
 */
static bool nm_gen_work_one(void)
{
	struct nm_gen *g, *pick = NULL;
	bool detach = false;
	int err;

	mutex_lock(&nm_gen_lock);
	list_for_each_entry(g, &nm_gen_list, link) {
		if (g->gone || !g->attached) {
			pick = g;
			detach = g->gone;
			break;
		}
	}
	if (pick && detach)
		list_del(&pick->link);
	mutex_unlock(&nm_gen_lock);
	if (!pick)
		return false;
	g = pick;
	if (detach) {
		/* hooks are gone (notifier); syncs stop in netmap_detach */
		nm_gen_get(g);
		if (g->attached)
			netmap_detach(&g->up);
		else
			nm_gen_put(g);	/* the adapter's: never in the core */
		synchronize_net();
		dev_put(g->dev);
		nm_gen_put(g);
		return true;
	}
	err = netmap_attach(&g->up);
	mutex_lock(&nm_gen_lock);
	if (err) {
		pr_warn("netmap: %s: attach failed: %d\n", g->up.name, err);
		list_del(&g->link);
	} else {
		g->attached = true;
	}
	mutex_unlock(&nm_gen_lock);
	if (err) {
		dev_put(g->dev);
		nm_gen_put(g);
	}
	return true;
}

static void nm_gen_work_fn(struct work_struct *w)
{
	while (nm_gen_work_one())
		cond_resched();
}

int nm_lx_generic_init(void)
{
	int err;

	if (!generic)
		return 0;
	/* replays NETDEV_REGISTER for the devices already there */
	err = register_netdevice_notifier(&nm_gen_nb);
	if (err)
		return err;
	nm_gen_notifier_on = true;
	flush_work(&nm_gen_work);
	return 0;
}

/* Whatever the notifier's replay did not reach is let go here. */
static void nm_gen_unhook_all(void)
{
	struct nm_gen *g;

	rtnl_lock();
	mutex_lock(&nm_gen_lock);
	list_for_each_entry(g, &nm_gen_list, link) {
		if (!g->gone) {
			nm_gen_unhook(g);
			g->gone = true;
		}
	}
	mutex_unlock(&nm_gen_lock);
	rtnl_unlock();
}

void nm_lx_generic_fini(void)
{
	int waited = 0;

	if (nm_gen_notifier_on) {
		/* replays NETDEV_UNREGISTER: every device is unhooked */
		unregister_netdevice_notifier(&nm_gen_nb);
		nm_gen_notifier_on = false;
	}
	nm_gen_unhook_all();
	flush_work(&nm_gen_work);
	nm_gen_work_fn(NULL);
	/* skbs in flight run our destructor: the code must stay */
	while (atomic_read(&nm_gen_skbs) > 0) {
		if (++waited % 50 == 0)
			pr_warn("netmap: waiting for %d skbs in flight\n",
				atomic_read(&nm_gen_skbs));
		msleep(100);
	}
	rcu_barrier();
}

void nm_lx_generic_show(struct seq_file *s)
{
	struct nm_gen *g;

	mutex_lock(&nm_gen_lock);
	list_for_each_entry(g, &nm_gen_list, link)
		seq_printf(s, "%s attached=%d on=%d rings=%ux%u slots=%u tx=%lld tx_dropped=%lld rx=%lld rx_dropped=%lld stack_captured=%lld host_rx=%llu host_rx_dropped=%llu stack_rx=%llu fwd_up=%llu fwd_down=%llu fwd_dropped=%llu\n",
			   g->up.name, g->attached, READ_ONCE(g->on),
			   g->up.num_rings[NR_TX], g->up.num_rings[NR_RX],
			   g->up.num_slots[NR_TX],
			   (long long)atomic64_read(&g->tx_frames),
			   (long long)atomic64_read(&g->tx_dropped),
			   (long long)atomic64_read(&g->rx_frames),
			   (long long)atomic64_read(&g->rx_dropped),
			   (long long)atomic64_read(&g->stack_captured),
			   (unsigned long long)nm_atomic64_read(&g->host.host_rx_frames),
			   (unsigned long long)nm_atomic64_read(&g->host.host_rx_dropped),
			   (unsigned long long)nm_atomic64_read(&g->host.stack_rx_frames),
			   (unsigned long long)nm_atomic64_read(&g->host.fwd_up_frames),
			   (unsigned long long)nm_atomic64_read(&g->host.fwd_down_frames),
			   (unsigned long long)nm_atomic64_read(&g->host.fwd_dropped));
	mutex_unlock(&nm_gen_lock);
}
