/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmtb: netmap public ABI, NETMAP_API 14.
 *
 * Layouts and constants follow netmap's published ABI so that programs
 * written for netmap build against this header unchanged.  The numbers are
 * checked by static asserts in tests/test_abi.c.
 *
 * Shared memory model: a process registers a port through NIOCCTRL
 * (struct nmreq_header + struct nmreq_register), mmap()s nr_memsize bytes of
 * /dev/netmap and finds its struct netmap_if at nr_offset.  The netmap_if
 * points to the rings, each ring to its slots, each slot to a buffer.
 * Every pointer in the region is an offset, so the region can be mapped
 * anywhere.
 */
#ifndef _NET_NETMAP_H_
#define _NET_NETMAP_H_

#define NETMAP_API	14	/* the version this header describes */
#define NETMAP_MIN_API	14	/* oldest nr_version NIOCCTRL accepts */
#define NETMAP_MAX_API	15	/* newest nr_version NIOCCTRL accepts */

#if defined(__KERNEL__)
#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/time_types.h>
/* The kernel has no struct timeval any more; this one has its layout. */
#define NM_TIMEVAL	struct __kernel_old_timeval
#else
#include <stdint.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/ioctl.h>
#define NM_TIMEVAL	struct timeval
#endif

/*
 * Fields the kernel writes are const for applications.  The core (kernel or
 * its userspace sim build) defines NM_CORE_VIEW to write them.
 */
#if defined(__KERNEL__) || defined(NM_CORE_VIEW)
#define NM_RO
#else
#define NM_RO	const
#endif

#define NM_CACHE_ALIGN	128

/* ------------------------------------------------------------------ */
/* Slots                                                               */
/* ------------------------------------------------------------------ */

struct netmap_slot {
	uint32_t buf_idx;	/* buffer index in the port's buffer pool */
	uint16_t len;		/* frame length (bytes after the offset) */
	uint16_t flags;		/* NS_* below */
	uint64_t ptr;		/* NS_INDIRECT user pointer, or the offset */
};

#define NS_BUF_CHANGED	0x0001	/* buf_idx was changed by the user */
#define NS_REPORT	0x0002	/* ask for a completion report (tx) */
#define NS_FORWARD	0x0004	/* pass this rx frame to the other side */
#define NS_NO_LEARN	0x0008	/* VALE: do not learn the source MAC */
#define NS_INDIRECT	0x0010	/* ptr holds a user pointer to the data */
#define NS_MOREFRAG	0x0020	/* more fragments of this frame follow */
#define NS_TXMON	0x0040	/* monitor: frame was seen on a tx ring */

/* The high byte of flags carries the fragment count on VALE rx slots. */
#define NS_PORT_SHIFT	8
#define NS_PORT_MASK	(0xff << NS_PORT_SHIFT)
#define NS_RFRAGS(_slot)	(((_slot)->flags >> 8) & 0xff)

#define NETMAP_MAX_FRAGS	64	/* fragments a frame may span */

/* ------------------------------------------------------------------ */
/* Rings                                                               */
/* ------------------------------------------------------------------ */

/*
 * A ring is owned by the user between head and tail (circularly, tail
 * excluded); the rest belongs to the kernel.  One slot always stays empty.
 *
 * TX: the user fills slots from head on, advances head (and cur) and calls
 * NIOCTXSYNC or poll; the kernel sends slots up to head and moves tail on
 * as slots complete.
 * RX: the kernel fills slots from tail on; the user consumes them from head
 * and hands them back by advancing head.
 *
 * dir: 0 for tx rings, 1 for rx rings, as documented.  (netmap's reference
 * kernel has stored the opposite values since 2015; nmtb follows the
 * documented meaning.)
 */
struct netmap_ring {
	NM_RO int64_t	buf_ofs;	/* buffer 0, relative to this ring */
	NM_RO uint32_t	num_slots;	/* slots in the ring */
	NM_RO uint32_t	nr_buf_size;	/* bytes per buffer */
	NM_RO uint16_t	ringid;		/* ring index within its kind */
	NM_RO uint16_t	dir;		/* NR_TX or NR_RX */

	uint32_t	head;		/* user: first slot owned by the user */
	uint32_t	cur;		/* user: wake-up point */
	NM_RO uint32_t	tail;		/* kernel: first slot owned by kernel */

	uint32_t	flags;		/* NR_TIMESTAMP, NR_FORWARD */

	NM_TIMEVAL	ts;		/* time of the last rxsync */

	NM_RO uint64_t	offset_mask;	/* bits of slot->ptr holding the offset */
	NM_RO uint64_t	buf_align;	/* tx offsets must be multiples of this */

	/* kernel private; opaque to users */
	uint8_t		sem[128] __attribute__((__aligned__(NM_CACHE_ALIGN)));

	/* the slots follow, cache aligned */
	struct netmap_slot slot[0] __attribute__((__aligned__(NM_CACHE_ALIGN)));
};

#define NR_TIMESTAMP	0x0002	/* set ts on every rxsync */
#define NR_FORWARD	0x0004	/* honour NS_FORWARD on this rx ring */

/* Values of netmap_ring.dir and indices for kernel tables. */
enum { NR_TX = 0, NR_RX = 1 };

/* ------------------------------------------------------------------ */
/* Interface descriptor                                                */
/* ------------------------------------------------------------------ */

/*
 * One netmap_if per registration (per file descriptor).  ring_ofs[] holds
 * the offsets of the rings relative to the netmap_if, in this order:
 * ni_tx_rings NIC tx rings, ni_host_tx_rings host tx rings, ni_rx_rings NIC
 * rx rings, ni_host_rx_rings host rx rings.  An offset of 0 means that ring
 * is not bound to this file descriptor.
 */
struct netmap_if {
	char		ni_name[16];	/* IFNAMSIZ: name of the port */
	NM_RO uint32_t	ni_version;	/* NETMAP_API */
	NM_RO uint32_t	ni_flags;	/* NI_PRIV_MEM */
	NM_RO uint32_t	ni_tx_rings;	/* NIC tx rings */
	NM_RO uint32_t	ni_rx_rings;	/* NIC rx rings */
	uint32_t	ni_bufs_head;	/* head of the extra buffer list */
	NM_RO uint32_t	ni_host_tx_rings;
	NM_RO uint32_t	ni_host_rx_rings;
	uint32_t	ni_spare1[3];
	NM_RO ssize_t	ring_ofs[0];
};

#define NI_PRIV_MEM	0x1	/* the port uses a private allocator */

/* ------------------------------------------------------------------ */
/* Control requests: NIOCCTRL                                          */
/* ------------------------------------------------------------------ */

#define NETMAP_REQ_IFNAMSIZ	64
#define NETMAP_REQ_MAXSIZE	4096	/* body plus options, at most */

/*
 * Every control request starts with this header.  nr_body and nr_options
 * are user pointers (as integers, so 32 and 64 bit agree).  The kernel
 * always writes the header back, with the user's own pointers restored.
 */
struct nmreq_header {
	uint16_t	nr_version;	/* NETMAP_API */
	uint16_t	nr_reqtype;	/* NETMAP_REQ_* */
	uint32_t	nr_reserved;	/* must be zero */
	char		nr_name[NETMAP_REQ_IFNAMSIZ];	/* port name */
	uint64_t	nr_options;	/* first struct nmreq_option, or 0 */
	uint64_t	nr_body;	/* request body, or 0 */
};

enum {
	NETMAP_REQ_REGISTER = 1,
	NETMAP_REQ_PORT_INFO_GET,
	NETMAP_REQ_VALE_ATTACH,
	NETMAP_REQ_VALE_DETACH,
	NETMAP_REQ_VALE_LIST,
	NETMAP_REQ_PORT_HDR_SET,
	NETMAP_REQ_PORT_HDR_GET,
	NETMAP_REQ_VALE_NEWIF,
	NETMAP_REQ_VALE_DELIF,
	NETMAP_REQ_VALE_POLLING_ENABLE,
	NETMAP_REQ_VALE_POLLING_DISABLE,
	NETMAP_REQ_POOLS_INFO_GET,
	NETMAP_REQ_SYNC_KLOOP_START,
	NETMAP_REQ_SYNC_KLOOP_STOP,
	NETMAP_REQ_CSB_ENABLE,
	NETMAP_REQ_MAX			/* first invalid type */
};

enum {
	NETMAP_REQ_OPT_EXTMEM = 1,
	NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS,
	NETMAP_REQ_OPT_CSB,
	NETMAP_REQ_OPT_SYNC_KLOOP_MODE,
	NETMAP_REQ_OPT_OFFSETS,
	NETMAP_REQ_OPT_MAX		/* first invalid type */
};

/*
 * Options form a list through nro_next.  nro_size is the size of the whole
 * option, this header included.  The kernel writes nro_status: 0 when the
 * option was used, an errno otherwise (EOPNOTSUPP when nobody used it).
 */
struct nmreq_option {
	uint64_t	nro_next;
	uint32_t	nro_reqtype;
	uint32_t	nro_status;
	uint64_t	nro_size;
};

/* NETMAP_REQ_REGISTER */
struct nmreq_register {
	uint64_t	nr_offset;	/* out: netmap_if offset in the region */
	uint64_t	nr_memsize;	/* out: bytes to mmap */
	uint32_t	nr_tx_slots;	/* in/out */
	uint32_t	nr_rx_slots;
	uint16_t	nr_tx_rings;
	uint16_t	nr_rx_rings;
	uint16_t	nr_host_tx_rings;
	uint16_t	nr_host_rx_rings;
	uint16_t	nr_mem_id;	/* in/out: allocator id */
	uint16_t	nr_ringid;	/* ring for ONE_NIC / ONE_SW */
	uint32_t	nr_mode;	/* NR_REG_* */
	uint32_t	nr_extra_bufs;	/* in: wanted, out: granted */
	uint64_t	nr_flags;	/* NR_* below */
};

/* nr_mode */
enum {
	NR_REG_DEFAULT = 0,	/* only for legacy requests; EINVAL here */
	NR_REG_ALL_NIC = 1,
	NR_REG_SW = 2,
	NR_REG_NIC_SW = 3,
	NR_REG_ONE_NIC = 4,
	NR_REG_PIPE_MASTER = 5,	/* internal, rejected by NIOCCTRL */
	NR_REG_PIPE_SLAVE = 6,	/* internal, rejected by NIOCCTRL */
	NR_REG_NULL = 7,
	NR_REG_ONE_SW = 8,
};

/* nr_flags */
#define NR_MONITOR_TX		0x100
#define NR_MONITOR_RX		0x200
#define NR_ZCOPY_MON		0x400
#define NR_EXCLUSIVE		0x800
#define NR_PTNETMAP_GUEST	0x1000	/* not supported by nmtb */
#define NR_RX_RINGS_ONLY	0x2000
#define NR_TX_RINGS_ONLY	0x4000
#define NR_ACCEPT_VNET_HDR	0x8000
#define NR_DO_RX_POLL		0x10000
#define NR_NO_TX_POLL		0x20000

/* NETMAP_REQ_PORT_INFO_GET */
struct nmreq_port_info_get {
	uint64_t	nr_memsize;
	uint32_t	nr_tx_slots;
	uint32_t	nr_rx_slots;
	uint16_t	nr_tx_rings;
	uint16_t	nr_rx_rings;
	uint16_t	nr_host_tx_rings;
	uint16_t	nr_host_rx_rings;
	uint16_t	nr_mem_id;
	uint16_t	pad1[3];
};

/* NETMAP_REQ_VALE_ATTACH */
struct nmreq_vale_attach {
	struct nmreq_register reg;
	uint32_t	port_index;	/* out */
	uint32_t	pad1;
};

/* NETMAP_REQ_VALE_DETACH */
struct nmreq_vale_detach {
	uint32_t	port_index;	/* out */
	uint32_t	pad1;
};

/* NETMAP_REQ_VALE_LIST */
struct nmreq_vale_list {
	uint16_t	nr_bridge_idx;
	uint16_t	pad1;
	uint32_t	nr_port_idx;
};

/* NETMAP_REQ_PORT_HDR_SET / NETMAP_REQ_PORT_HDR_GET */
struct nmreq_port_hdr {
	uint32_t	nr_hdr_len;	/* 0, 10 or 12 */
	uint32_t	pad1;
};

/* NETMAP_REQ_VALE_NEWIF */
struct nmreq_vale_newif {
	uint32_t	nr_tx_slots;
	uint32_t	nr_rx_slots;
	uint16_t	nr_tx_rings;
	uint16_t	nr_rx_rings;
	uint16_t	nr_mem_id;
	uint16_t	pad1;
};

/* NETMAP_REQ_VALE_POLLING_ENABLE / _DISABLE */
struct nmreq_vale_polling {
	uint32_t	nr_mode;
#define NETMAP_POLLING_MODE_SINGLE_CPU	1
#define NETMAP_POLLING_MODE_MULTI_CPU	2
	uint32_t	nr_first_cpu_id;
	uint32_t	nr_num_polling_cpus;
	uint32_t	pad1;
};

/* NETMAP_REQ_POOLS_INFO_GET, also inside the EXTMEM option */
struct nmreq_pools_info {
	uint64_t	nr_memsize;
	uint16_t	nr_mem_id;
	uint16_t	pad1[3];
	uint64_t	nr_if_pool_offset;
	uint32_t	nr_if_pool_objtotal;
	uint32_t	nr_if_pool_objsize;
	uint64_t	nr_ring_pool_offset;
	uint32_t	nr_ring_pool_objtotal;
	uint32_t	nr_ring_pool_objsize;
	uint64_t	nr_buf_pool_offset;
	uint32_t	nr_buf_pool_objtotal;
	uint32_t	nr_buf_pool_objsize;
};

/* NETMAP_REQ_SYNC_KLOOP_START */
struct nmreq_sync_kloop_start {
	uint32_t	sleep_us;
	uint32_t	pad1;
};

/* NETMAP_REQ_OPT_EXTMEM */
struct nmreq_opt_extmem {
	struct nmreq_option	nro_opt;
	uint64_t		nro_usrptr;
	struct nmreq_pools_info	nro_info;
};

/* NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS: one pair per bound ring */
struct nmreq_opt_sync_kloop_eventfds {
	struct nmreq_option	nro_opt;
	struct {
		int32_t	ioeventfd;
		int32_t	irqfd;
	} eventfds[0];
};

/* NETMAP_REQ_OPT_SYNC_KLOOP_MODE */
struct nmreq_opt_sync_kloop_mode {
	struct nmreq_option	nro_opt;
#define NM_OPT_SYNC_KLOOP_DIRECT_TX	(1 << 0)
#define NM_OPT_SYNC_KLOOP_DIRECT_RX	(1 << 1)
	uint32_t		mode;
};

/* NETMAP_REQ_OPT_CSB */
struct nmreq_opt_csb {
	struct nmreq_option	nro_opt;
	uint64_t		csb_atok;	/* struct nm_csb_atok array */
	uint64_t		csb_ktoa;	/* struct nm_csb_ktoa array */
};

/* NETMAP_REQ_OPT_OFFSETS */
struct nmreq_opt_offsets {
	struct nmreq_option	nro_opt;
	uint64_t		nro_max_offset;
	uint64_t		nro_initial_offset;
	uint32_t		nro_offset_bits;
	uint32_t		nro_tx_align;
	uint64_t		nro_min_gap;
};

/* Shared control blocks, one pair per ring (CSB option). */
struct nm_csb_atok {
	uint32_t	head;
	uint32_t	cur;
	uint32_t	appl_need_kick;
	uint32_t	sync_flags;
	uint32_t	pad[12];
};

struct nm_csb_ktoa {
	uint32_t	hwcur;
	uint32_t	hwtail;
	uint32_t	kern_need_kick;
	uint32_t	pad[13];
};

/* ------------------------------------------------------------------ */
/* ioctls on /dev/netmap                                               */
/* ------------------------------------------------------------------ */

#define NIOCCTRL	_IOWR('i', 151, struct nmreq_header)
#define NIOCTXSYNC	_IO('i', 148)	/* sync the bound tx rings */
#define NIOCRXSYNC	_IO('i', 149)	/* sync the bound rx rings */

/* The legacy struct nmreq and its ioctls. */
#include "netmap_legacy.h"

#endif /* _NET_NETMAP_H_ */
