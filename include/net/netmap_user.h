/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nmtb: userspace helpers for netmap programs.
 *
 * The macros turn the offsets stored in shared memory into pointers, and
 * the inline functions do ring arithmetic.  Define NETMAP_WITH_LIBS before
 * including this header to also get the nm_open() family (nm_desc).
 */
#ifndef _NET_NETMAP_USER_H_
#define _NET_NETMAP_USER_H_

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <net/if.h>		/* IFNAMSIZ */
#include <net/netmap.h>

#define NETMAP_DEVICE_NAME	"/dev/netmap"

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/* A pointer of type _t, _o bytes after _p. */
#define _NETMAP_OFFSET(_t, _p, _o)	((_t)(void *)((char *)(_p) + (_o)))

/* The netmap_if of a registration: mmap base plus nr_offset. */
#define NETMAP_IF(_base, _ofs)	_NETMAP_OFFSET(struct netmap_if *, _base, _ofs)

/* Tx ring _i; index ni_tx_rings and beyond are the host tx rings. */
#define NETMAP_TXRING(_nifp, _i)					\
	_NETMAP_OFFSET(struct netmap_ring *, _nifp, (_nifp)->ring_ofs[_i])

/* Rx ring _i; index ni_rx_rings and beyond are the host rx rings. */
#define NETMAP_RXRING(_nifp, _i)					\
	_NETMAP_OFFSET(struct netmap_ring *, _nifp,			\
		(_nifp)->ring_ofs[(_i) + (_nifp)->ni_tx_rings +		\
				  (_nifp)->ni_host_tx_rings])

/* Address of buffer _idx seen from ring _r. */
#define NETMAP_BUF(_r, _idx)						\
	((char *)(_r) + (_r)->buf_ofs + ((size_t)(_idx) * (_r)->nr_buf_size))

/* Index of the buffer at address _buf seen from ring _r. */
#define NETMAP_BUF_IDX(_r, _buf)					\
	((uint32_t)(((char *)(_buf) - ((char *)(_r) + (_r)->buf_ofs)) /	\
		    (_r)->nr_buf_size))

/* The offset stored in a slot (0 unless the OFFSETS option is in use). */
#define NETMAP_ROFFSET(_r, _slot)	((_slot)->ptr & (_r)->offset_mask)

/* Store offset _o into a slot, keeping the other bits of ptr. */
#define NETMAP_WOFFSET(_r, _slot, _o) do {				\
	(_slot)->ptr = ((_slot)->ptr & ~(_r)->offset_mask) |		\
		       ((uint64_t)(_o) & (_r)->offset_mask);		\
} while (0)

/* Start of the frame in a slot: its buffer plus its offset. */
#define NETMAP_BUF_OFFSET(_r, _slot)					\
	(NETMAP_BUF(_r, (_slot)->buf_idx) + NETMAP_ROFFSET(_r, _slot))

/* The slot after _i, wrapping at the end of the ring. */
static inline uint32_t
nm_ring_next(struct netmap_ring *r, uint32_t i)
{
	return (unlikely(i + 1 == r->num_slots) ? 0 : i + 1);
}

/*
 * Slots the user owns, from head up to tail.  (head, not cur: cur only
 * tells the kernel when to wake the user up.)
 */
static inline uint32_t
nm_ring_space(struct netmap_ring *r)
{
	int n = (int)r->tail - (int)r->head;

	if (n < 0)
		n += (int)r->num_slots;
	return (uint32_t)n;
}

/* The user owns no slot. */
static inline int
nm_ring_empty(struct netmap_ring *r)
{
	return (r->head == r->tail);
}

/* Tx frames handed to the kernel that it has not completed yet. */
static inline int
nm_tx_pending(struct netmap_ring *r)
{
	return (nm_ring_next(r, r->tail) != r->head);
}

#ifdef NETMAP_WITH_LIBS
#include "netmap_user_libs.h"
#endif

#endif /* _NET_NETMAP_USER_H_ */
