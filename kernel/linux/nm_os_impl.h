/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux glue: the OS environment of the portable core inside netmap.ko.
 * See kernel/nm_os.h for the contract.
 *
 * Locks.  nm_mtx_t is a struct mutex.  nm_spin_t is a spinlock taken with
 * bottom halves off: the generic adapter's hooks (rx_handler, the patched
 * ndo_start_xmit, skb destructors) run in softirq context and end up in
 * core functions that take queue locks.  Nothing of netmap runs in hard
 * interrupt context; a transmit with interrupts off (netpoll) bypasses
 * netmap (nm_generic.c).  Code under an nm_spin_t may still disable and
 * enable bottom halves (transmit, netif_receive_skb): that nests.
 */
#ifndef _NM_OS_IMPL_H_
#define _NM_OS_IMPL_H_

#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/kernel.h>	/* snprintf */
#include <linux/errno.h>
#include <linux/poll.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/atomic.h>
#include <linux/compiler.h>
#include <asm/barrier.h>

#define NM_PAGE_SIZE	((unsigned long)PAGE_SIZE)

typedef struct mutex nm_mtx_t;

typedef spinlock_t nm_spin_t;

typedef struct { atomic_t a; } nm_atomic_t;

static inline int nm_atomic_read(nm_atomic_t *a)
{
	return atomic_read_acquire(&a->a);
}

static inline void nm_atomic_set(nm_atomic_t *a, int v)
{
	atomic_set_release(&a->a, v);
}

static inline int nm_atomic_add_return(nm_atomic_t *a, int d)
{
	return atomic_add_return(d, &a->a);
}

/* Returns the old value; sets v only when the old value was expected. */
static inline int nm_atomic_cmpxchg(nm_atomic_t *a, int expected, int v)
{
	return atomic_cmpxchg(&a->a, expected, v);
}

typedef struct { atomic64_t a; } nm_atomic64_t;

static inline uint64_t nm_atomic64_inc_return(nm_atomic64_t *a)
{
	return (uint64_t)atomic64_inc_return_relaxed(&a->a);
}

static inline uint64_t nm_atomic64_read(nm_atomic64_t *a)
{
	return (uint64_t)atomic64_read(&a->a);
}

static inline void nm_atomic64_set(nm_atomic64_t *a, uint64_t v)
{
	atomic64_set(&a->a, (s64)v);
}

/* Single accesses to memory another party may change under us. */
#define nm_load(p)		READ_ONCE(*(p))
#define nm_store(p, v)		WRITE_ONCE(*(p), (v))
#define nm_load_acquire(p)	smp_load_acquire(p)
#define nm_store_release(p, v)	smp_store_release((p), (v))

#define nm_smp_mb()	smp_mb()
#define nm_smp_rmb()	smp_rmb()
#define nm_smp_wmb()	smp_wmb()

/* A poller's wait channel: poll_wait() puts it here. */
struct nm_selinfo {
	wait_queue_head_t	wq;
};

#endif /* _NM_OS_IMPL_H_ */
