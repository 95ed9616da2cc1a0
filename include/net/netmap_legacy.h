/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmtb: netmap's legacy control structure, struct nmreq, used by the
 * NIOCGINFO and NIOCREGIF ioctls of older programs.  The kernel converts
 * these requests into NIOCCTRL requests and runs them through the same
 * parser, so both paths behave alike.
 */
#ifndef _NET_NETMAP_LEGACY_H_
#define _NET_NETMAP_LEGACY_H_

struct nmreq {
	char		nr_name[16];	/* IFNAMSIZ */
	uint32_t	nr_version;	/* NETMAP_API */
	uint32_t	nr_offset;	/* out: netmap_if offset */
	uint32_t	nr_memsize;	/* out: bytes to mmap */
	uint32_t	nr_tx_slots;
	uint32_t	nr_rx_slots;
	uint16_t	nr_tx_rings;
	uint16_t	nr_rx_rings;

	uint16_t	nr_ringid;	/* ring index and the bits below */
#define NETMAP_HW_RING		0x4000	/* one NIC ring pair */
#define NETMAP_SW_RING		0x2000	/* the host ring pair only */
#define NETMAP_RING_MASK	0x0fff	/* ring index */
#define NETMAP_NO_TX_POLL	0x1000	/* no txsync on poll */
#define NETMAP_DO_RX_POLL	0x8000	/* rxsync on poll */

	uint16_t	nr_cmd;		/* sub-command, 0 for a plain request */
#define NETMAP_BDG_ATTACH	1
#define NETMAP_BDG_DETACH	2
#define NETMAP_BDG_REGOPS	3
#define NETMAP_BDG_LIST		4
#define NETMAP_BDG_VNET_HDR	5
#define NETMAP_BDG_NEWIF	6
#define NETMAP_BDG_DELIF	7
#define NETMAP_PT_HOST_CREATE	8
#define NETMAP_PT_HOST_DELETE	9
#define NETMAP_BDG_POLLING_ON	10
#define NETMAP_BDG_POLLING_OFF	11
#define NETMAP_VNET_HDR_GET	12

	uint16_t	nr_arg1;	/* pipes, or NETMAP_BDG_HOST */
#define NETMAP_BDG_HOST		1
	uint16_t	nr_arg2;	/* allocator id */
	uint32_t	nr_arg3;	/* extra buffers wanted / granted */
	uint32_t	nr_flags;	/* NR_REG_* in the low bits, NR_* flags */
#define NR_REG_MASK		0xf
	uint32_t	spare2[1];
};

#define NIOCGINFO	_IOWR('i', 145, struct nmreq)	/* port info */
#define NIOCREGIF	_IOWR('i', 146, struct nmreq)	/* register a port */

#endif /* _NET_NETMAP_LEGACY_H_ */
