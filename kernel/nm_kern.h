/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal interfaces of the portable netmap core.
 *
 * Objects:
 *   netmap_adapter  a port (NIC, sim NIC, VALE port, pipe end, ...): its
 *                   rings, its allocator and its per-type operations.
 *   netmap_kring    the kernel side of one ring: the indices the kernel
 *                   trusts, the sync routine, wait channel and locks.
 *   netmap_priv_d   one registration (one open file descriptor).
 *   netmap_mem_d    an allocator: if, ring and buffer pools (nm_mem.c).
 *
 * Locking:
 *   nm_global_lock (NMG_LOCK) serialises the control path: registration,
 *   teardown, lookups.  The data path never takes it.
 *   A kring is synced by one thread at a time: nm_kr_tryget() marks it
 *   busy, nm_kr_put() releases it.  Control code stops a kring (waiting
 *   for the current sync to finish) before it changes or frees the ring.
 *   kring->q_lock protects the kring against producers that are not its
 *   sync routine (a NIC model writing rx frames, a peer port).
 */
#ifndef _NM_KERN_H_
#define _NM_KERN_H_

#define NM_CORE_VIEW 1
#include "nm_os.h"
#include <net/netmap.h>

#define NM_NAME_LEN	NETMAP_REQ_IFNAMSIZ
#define NR_TXRX		2

#define NM_MIN(a, b)	((a) < (b) ? (a) : (b))
#define NM_MAX(a, b)	((a) > (b) ? (a) : (b))
#define NM_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static inline const char *nm_txrx_str(int t)
{
	return t == NR_TX ? "tx" : "rx";
}

#define for_rx_tx(t)	for ((t) = 0; (t) < NR_TXRX; (t)++)

/* Logging helpers; nm_verbose is the module parameter "verbose". */
extern long nm_verbose;
#define nm_prerr(fmt, ...)	nm_os_log(NM_LOG_ERR, "%s: " fmt, __func__, ##__VA_ARGS__)
#define nm_prinf(fmt, ...)	nm_os_log(NM_LOG_INFO, "%s: " fmt, __func__, ##__VA_ARGS__)
#define nm_prdbg(fmt, ...) do {						\
	if (nm_verbose)							\
		nm_os_log(NM_LOG_DBG, "%s: " fmt, __func__, ##__VA_ARGS__); \
} while (0)
/* Rate limited error for conditions users can trigger at will. */
bool nm_ratelimit(void);
#define nm_prlim(fmt, ...) do {						\
	if (nm_verbose && nm_ratelimit())				\
		nm_os_log(NM_LOG_INFO, "%s: " fmt, __func__, ##__VA_ARGS__); \
} while (0)

/* Core allocations go through here: counted, and a fault point. */
extern nm_atomic_t nm_live;	/* kernel objects and clusters alive */
void *nm_malloc(size_t size);
void nm_free(void *p);
long nm_live_objects(void);

struct netmap_adapter;
struct netmap_kring;
struct netmap_priv_d;
struct netmap_mem_d;

/* ------------------------------------------------------------------ */
/* Global lock                                                         */
/* ------------------------------------------------------------------ */

extern nm_mtx_t nm_global_lock;
#define NMG_LOCK()	nm_os_mtx_lock(&nm_global_lock)
#define NMG_UNLOCK()	nm_os_mtx_unlock(&nm_global_lock)

/* ------------------------------------------------------------------ */
/* krings                                                              */
/* ------------------------------------------------------------------ */

/* kring->nr_kflags */
#define NKR_EXCLUSIVE	0x1	/* bound by a registration with NR_EXCLUSIVE */
#define NKR_FORWARD	0x2	/* rx: frames may be forwarded to the peer */
#define NKR_NEEDRING	0x4	/* some registration wants this ring */

/* kring->nkr_stopped */
#define NM_KR_RUNNING	0
#define NM_KR_STOPPED	1	/* temporarily, during reconfiguration */
#define NM_KR_LOCKED	2	/* for good: the port is going away */

/* flags passed to nm_sync */
#define NAF_FORCE_READ		0x1
#define NAF_FORCE_RECLAIM	0x2

/*
 * Sync routines return 0, or NM_SYNC_REINIT when they found a slot they
 * cannot use (bad buffer index, length or offset): the caller then
 * reinitialises the ring and skips finalisation.  kring->nr_hwcur must
 * reflect the slots consumed before the bad one.
 */
#define NM_SYNC_REINIT	1

struct netmap_kring {
	struct netmap_ring	*ring;		/* kernel view, NULL if none */

	uint32_t		nr_hwcur;	/* next slot the kernel handles */
	uint32_t		nr_hwtail;	/* first slot not yet ready */

	/* head, cur, tail as last validated / published */
	uint32_t		rhead;
	uint32_t		rcur;
	uint32_t		rtail;

	uint32_t		nkr_num_slots;
	uint32_t		nr_kflags;	/* NKR_* */

	/*
	 * Link-reset transparency for NIC drivers: netmap index =
	 * NIC index + nkr_hwofs (mod num_slots).
	 */
	int32_t			nkr_hwofs;

	uint16_t		ring_id;	/* index in na->rings[tx] */
	uint16_t		tx;		/* NR_TX or NR_RX */
	bool			host;		/* a host ring */
	bool			on;		/* in netmap mode, ring present */

	uint32_t		users;		/* registrations binding it */

	nm_atomic_t		nr_busy;	/* a sync is running */
	nm_atomic_t		nkr_stopped;	/* NM_KR_* */

	/* offsets (option OFFSETS); mask 0 means offsets are off */
	uint64_t		offset_mask;
	uint64_t		offset_max;
	uint64_t		offset_gap;
	uint64_t		buf_align;

	struct netmap_adapter	*na;
	int			(*nm_sync)(struct netmap_kring *kring, int flags);
	int			(*nm_notify)(struct netmap_kring *kring, int flags);

	nm_spin_t		q_lock;
	struct nm_selinfo	si;

	/* statistics */
	nm_atomic64_t		reinits;	/* times the ring was reset */
	nm_atomic64_t		drops;		/* frames dropped on this ring */

	void			*pdata;		/* owned by the adapter type */

	/*
	 * Monitors (nm_monitor.c): the monitors of this kring, or NULL.
	 * While set, nm_sync is the monitors' wrapper of the original.
	 */
	struct nm_mon_kstate	*mon;

	char			name[NM_NAME_LEN + 16];
};

/*
 * Validated head after a prologue.  A value >= num_slots means the ring is
 * malformed and must be reinitialised.
 */
uint32_t nm_txsync_prologue(struct netmap_kring *kring);
uint32_t nm_rxsync_prologue(struct netmap_kring *kring);
void nm_sync_finalize(struct netmap_kring *kring);
int netmap_ring_reinit(struct netmap_kring *kring);

/* Mark the kring busy; false (and *err) if busy or stopped. */
bool nm_kr_tryget(struct netmap_kring *kring, int *err);
void nm_kr_put(struct netmap_kring *kring);
void nm_kr_stop(struct netmap_kring *kring, int state);
void nm_kr_start(struct netmap_kring *kring);

static inline uint32_t nm_next(uint32_t i, uint32_t lim)
{
	return unlikely(i == lim) ? 0 : i + 1;
}

static inline uint32_t nm_prev(uint32_t i, uint32_t lim)
{
	return unlikely(i == 0) ? lim : i - 1;
}

/* Slots between a and b, going forward from a, in a ring of n. */
static inline uint32_t nm_ring_dist(uint32_t a, uint32_t b, uint32_t n)
{
	return b >= a ? b - a : b + n - a;
}

/* ------------------------------------------------------------------ */
/* adapters                                                            */
/* ------------------------------------------------------------------ */

/* na->na_flags */
#define NAF_HOST_RINGS	0x1	/* has host rings */
#define NAF_NATIVE	0x2	/* a native (NIC) adapter */
#define NAF_ZOMBIE	0x4	/* detached while in use */
#define NAF_NULL	0x8	/* a null port */
#define NAF_PRIV_MEM	0x10	/* uses a private allocator */

struct netmap_adapter {
	char			name[NM_NAME_LEN];
	uint32_t		na_flags;

	uint32_t		num_rings[NR_TXRX];	/* NIC rings */
	uint32_t		num_host_rings[NR_TXRX];
	uint32_t		num_slots[NR_TXRX];	/* NIC ring size */
	uint32_t		num_host_slots[NR_TXRX];

	/* num_rings[t] + num_host_rings[t] krings of each kind */
	struct netmap_kring	**rings[NR_TXRX];

	int			active_fds;	/* registrations */
	int			refcount;	/* references to this object */

	struct netmap_mem_d	*nm_mem;

	/* pollers bound to more than one ring sleep here */
	struct nm_selinfo	si[NR_TXRX];

	/* operations of the adapter type */
	int	(*nm_register)(struct netmap_adapter *na, int onoff);
	int	(*nm_txsync)(struct netmap_kring *kring, int flags);
	int	(*nm_rxsync)(struct netmap_kring *kring, int flags);
	int	(*nm_host_txsync)(struct netmap_kring *kring, int flags);
	int	(*nm_host_rxsync)(struct netmap_kring *kring, int flags);
	int	(*nm_notify)(struct netmap_kring *kring, int flags);
	/* called after the krings exist / before they go */
	int	(*nm_krings_create)(struct netmap_adapter *na);
	void	(*nm_krings_delete)(struct netmap_adapter *na);
	/* a kring's ring was just created / is about to be freed */
	void	(*nm_ring_on)(struct netmap_kring *kring);
	void	(*nm_ring_off)(struct netmap_kring *kring);
	/* frees the adapter type's state; the core frees na after it */
	void	(*nm_dtor)(struct netmap_adapter *na);

	void			*na_private;	/* adapter type state */

	struct netmap_adapter	*next;		/* registry */
};

static inline uint32_t nma_nrings(struct netmap_adapter *na, int t)
{
	return na->num_rings[t];
}

static inline uint32_t nma_all_rings(struct netmap_adapter *na, int t)
{
	return na->num_rings[t] + na->num_host_rings[t];
}

static inline struct netmap_kring *nma_kring(struct netmap_adapter *na,
					     int t, uint32_t i)
{
	return na->rings[t][i];
}

/* Register an adapter under its name; the registry holds a reference. */
int netmap_attach(struct netmap_adapter *na);
/* Remove from the registry; users keep the object until they close. */
void netmap_detach(struct netmap_adapter *na);
/* Find by name; returns a reference or NULL.  NMG_LOCK held. */
struct netmap_adapter *netmap_find_na(const char *name);
void netmap_adapter_get(struct netmap_adapter *na);
void netmap_adapter_put(struct netmap_adapter *na);

/* Default kring creation and deletion. */
int netmap_krings_create(struct netmap_adapter *na);
void netmap_krings_delete(struct netmap_adapter *na);

/* Default notify: wake the kring's pollers and the adapter-wide ones. */
int netmap_notify(struct netmap_kring *kring, int flags);

/* ------------------------------------------------------------------ */
/* registrations                                                       */
/* ------------------------------------------------------------------ */

struct netmap_priv_d {
	/*
	 * np_nifp is what the data path sees: published only once the
	 * registration can no longer be undone (options checked, results
	 * copied out), so a poll or sync racing with a failing REGISTER on
	 * the same fd never gets on wait queues that are about to go.
	 * np_nifp_reg is the registration's own pointer.
	 */
	struct netmap_if	*np_nifp;
	struct netmap_if	*np_nifp_reg;
	struct netmap_adapter	*np_na;
	uint64_t		np_flags;	/* nr_flags */
	uint32_t		np_mode;	/* nr_mode */
	uint32_t		np_qfirst[NR_TXRX];
	uint32_t		np_qlast[NR_TXRX];
	bool			np_txpoll;	/* txsync on poll */
	bool			np_rxpoll;	/* rxsync on poll, always */
	uint32_t		np_extra_bufs;	/* granted at register */
	struct netmap_mem_d	*np_mem;	/* a reference, see nm_mem */
};

struct netmap_priv_d *netmap_priv_new(void);
/* Undoes the registration (if any) and frees the priv. */
void netmap_priv_delete(struct netmap_priv_d *priv);

/* The ioctl entry point: cmd and a user pointer.  Returns an errno. */
int netmap_ioctl(struct netmap_priv_d *priv, unsigned long cmd, uint64_t uarg);

/* The poll entry point: returns the revents. */
int netmap_poll(struct netmap_priv_d *priv, int events, void *pollctx);

/* Sync all rings of kind t bound to priv (ioctl NIOCTXSYNC/RXSYNC). */
int netmap_sync_bound(struct netmap_priv_d *priv, int t);

/* Register options consumed by the core, and what became of them. */
struct nm_reg_opts {
	const struct nmreq_opt_offsets *offsets;	/* or NULL */
	int offsets_status;				/* out */
};

/* nm_register.c */
int netmap_do_register(struct netmap_priv_d *priv, const char *name,
		       struct nmreq_register *req, struct nm_reg_opts *opts);
void netmap_do_unregister(struct netmap_priv_d *priv);
/* Make a successful netmap_do_register() visible to the data path. */
void netmap_register_commit(struct netmap_priv_d *priv);
int netmap_port_info(const char *name, struct nmreq_port_info_get *req);
int netmap_pools_info(const char *name, struct nmreq_pools_info *req);

/*
 * Port types that come into being by name (VALE ports, pipe ends,
 * monitors).  Each lookup returns 0 with *na NULL when the request is not
 * its kind, 0 with a reference in *na, or an errno.  NMG_LOCK held.
 * netmap_get_na() tries them in order (monitor flags, pipe braces, the
 * "vale" prefix) and then the registry; a pipe or a monitor resolves its
 * parent through it again.
 */
int netmap_get_na(const char *name, struct nmreq_register *req,
		  struct netmap_adapter **na);
int netmap_get_monitor_na(const char *name, struct nmreq_register *req,
			  struct netmap_adapter **na);
int netmap_get_pipe_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na);
int netmap_get_vale_na(const char *name, struct nmreq_register *req,
		       struct netmap_adapter **na);

/*
 * VALE control requests (VALE_ATTACH/DETACH/LIST/NEWIF/DELIF,
 * PORT_HDR_SET/GET, POLLING_*): body is the request body in kernel
 * memory.  NMG_LOCK is not held on entry.  nm_vale.c.
 */
int netmap_vale_ctl(struct netmap_priv_d *priv, uint16_t reqtype,
		    const char *name, void *body);

/*
 * Monitors (nm_monitor.c): called when a port's last registration goes,
 * before its krings do; its monitors are unhooked and become zombies.
 */
void netmap_monitor_stop(struct netmap_adapter *na);

/* Subsystem life cycles, called from netmap_core_init/fini. */
int netmap_vale_init(void);
void netmap_vale_fini(void);

/* ------------------------------------------------------------------ */
/* control requests (nm_ctrl.c)                                        */
/* ------------------------------------------------------------------ */

int netmap_ioctl_ctrl(struct netmap_priv_d *priv, uint64_t uhdr);
int netmap_ioctl_legacy(struct netmap_priv_d *priv, unsigned long cmd,
			uint64_t unmr);

/* ------------------------------------------------------------------ */
/* parameters (nm_params.c)                                            */
/* ------------------------------------------------------------------ */

struct nm_param {
	const char	*name;
	long		*value;
	long		min;
	long		max;
	const char	*desc;
};

extern struct nm_param nm_params[];
extern const unsigned int nm_nparams;
struct nm_param *nm_param_find(const char *name);
/* 0, ENOENT for an unknown name, ERANGE outside [min, max]. */
int nm_param_set(const char *name, long value);

extern long nm_no_timestamp;
extern long nm_fwd;

/* Core life cycle, called by the glue. */
int netmap_core_init(void);
/* Returns the objects still alive (0 when everything was freed). */
long netmap_core_fini(void);

/* ------------------------------------------------------------------ */
/* host stack and host rings (nm_host.c)                               */
/* ------------------------------------------------------------------ */

/*
 * The portable half of a NIC's host rings: the queue of frames the host
 * stack sends into netmap (host rx rings), the host tx ring's txsync, and
 * transparent-mode forwarding (NS_FORWARD).  A NIC adapter embeds a
 * struct nm_host, points its host-ring syncs at nm_host_txsync/rxsync,
 * calls nm_host_rx_released() for every slot its NIC rx ring gets back,
 * and provides two callbacks: to_stack (hand a frame to the OS stack) and
 * to_wire (transmit a frame out of the NIC).  Frames are copied; every
 * frame not delivered is counted in one of the counters below.
 */
#define NM_HOST_MAX_RINGS	64	/* host rings per direction */
#define NM_HOST_MAX_KRINGS	128	/* NIC rings + host rings per kind */
#define NM_HOST_QLEN		4096	/* frames per queue */
#define NM_HOST_MAX_FRAME	65535
#define NM_HOST_MIN_FRAME	14	/* what the stack takes: an Ethernet header */

/*
 * Sync flag added by nm_sync.c when the registration binds every NIC tx
 * ring: only then may a host rx ring forward frames down to the NIC.
 */
#define NAF_CAN_FORWARD_DOWN	0x100

struct nm_hframe {
	struct nm_hframe	*next;
	uint32_t		len;
	uint32_t		ring;	/* the ring it left from / goes to */
	uint8_t			data[];
};

/* A bounded FIFO of frames; put counts what it refuses. */
struct nm_hq {
	nm_spin_t		lock;
	struct nm_hframe	*head, *tail;
	uint32_t		count;
	uint32_t		limit;
	nm_atomic64_t		dropped;	/* full, or no memory */
};

void nm_hq_init(struct nm_hq *q, uint32_t limit);
/* Frees every frame; returns how many there were. */
uint32_t nm_hq_purge(struct nm_hq *q);
void nm_hq_fini(struct nm_hq *q);
/* 0, or ENOBUFS (full) / ENOMEM, both counted in q->dropped. */
int nm_hq_put(struct nm_hq *q, uint32_t ring, const void *buf, uint32_t len);
/* The oldest frame (the caller frees it with nm_free), or NULL. */
struct nm_hframe *nm_hq_get(struct nm_hq *q);
uint32_t nm_hq_count(struct nm_hq *q);

/* A NS_MOREFRAG chain being put together across slots (and syncs). */
struct nm_gather {
	uint8_t		*buf;		/* NM_HOST_MAX_FRAME bytes, lazily */
	uint32_t	len;
	uint32_t	nfrags;
	bool		bad;		/* too long, or no memory: dropped */
	bool		fwd;		/* some slot asked for forwarding */
	bool		off;		/* part of it went by unforwarded */
};

struct nm_host {
	struct netmap_adapter	*na;
	/* the OS stack takes a frame: 0, or an errno if it dropped it */
	int	(*to_stack)(struct nm_host *h, const void *buf, uint32_t len);
	/* the NIC transmits a frame on its tx ring `ring` */
	int	(*to_wire)(struct nm_host *h, uint32_t ring, const void *buf,
			   uint32_t len);
	struct nm_hq		rxq[NM_HOST_MAX_RINGS];	/* stack -> host rx */
	nm_atomic_t		rr;	/* next host rx ring for the stack */
	/* per kring (kind, ring_id): chains in progress */
	struct nm_gather	g[NR_TXRX][NM_HOST_MAX_KRINGS];

	nm_atomic64_t	host_tx_frames;	/* taken from host tx rings */
	nm_atomic64_t	stack_rx_frames;	/* the stack took */
	nm_atomic64_t	stack_rx_dropped;	/* meant for the stack, lost */
	nm_atomic64_t	stack_tx_frames;	/* the stack sent into netmap */
	nm_atomic64_t	host_rx_frames;	/* put into host rx rings */
	nm_atomic64_t	host_rx_dropped;	/* stack frames lost before that */
	nm_atomic64_t	fwd_up_frames;	/* NIC rx ring -> stack */
	nm_atomic64_t	fwd_down_frames;	/* host rx ring -> NIC tx */
	nm_atomic64_t	fwd_dropped;	/* marked, but not forwardable */
};

void nm_host_init(struct nm_host *h, struct netmap_adapter *na);
/* Frees queued frames and chain buffers. */
void nm_host_fini(struct nm_host *h);
/* Leaving netmap mode: frames queued for host rx rings are dropped. */
void nm_host_purge(struct nm_host *h);
/* A kring's ring goes away: a chain in progress is dropped. */
void nm_host_ring_off(struct nm_host *h, struct netmap_kring *kring);

/* Hands a frame to the stack, counting it as taken or dropped. */
int nm_host_send_up(struct nm_host *h, const void *buf, uint32_t len);
/*
 * The stack sends a frame into netmap: queued for a host rx ring.  The
 * adapter must be in netmap mode (its krings exist).
 */
int nm_host_enqueue(struct nm_host *h, const void *buf, uint32_t len);

int nm_host_txsync(struct nm_host *h, struct netmap_kring *kring, int flags);
int nm_host_rxsync(struct nm_host *h, struct netmap_kring *kring, int flags);

/* Forwarding is on for this sync of an rx kring (reads ring->flags). */
bool nm_host_may_fwd(struct netmap_kring *kring);
/*
 * A NIC rx slot released by the user, already validated (buffer idx,
 * offset off); fl and len as read once from the slot.  With fwd (from
 * nm_host_may_fwd) it may be forwarded up to the stack.
 */
void nm_host_rx_released(struct nm_host *h, struct netmap_kring *kring,
			 bool fwd, struct netmap_slot *slot, uint32_t idx,
			 uint64_t off, uint16_t len, uint16_t fl);

#include "nm_mem.h"
#include "nm_fi.h"

#endif /* _NM_KERN_H_ */
