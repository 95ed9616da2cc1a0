/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sim glue: the OS environment of the portable core when it runs inside a
 * process.  See kernel/nm_os.h for the contract.
 */
#ifndef _NM_OS_IMPL_H_
#define _NM_OS_IMPL_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>		/* snprintf */
#include <errno.h>
#include <poll.h>
#include <pthread.h>

#define NM_PAGE_SIZE	4096UL

#ifndef likely
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

typedef pthread_mutex_t nm_mtx_t;
typedef pthread_mutex_t nm_spin_t;	/* a mutex keeps TSan and helgrind exact */

typedef struct { int v; } nm_atomic_t;

static inline int nm_atomic_read(nm_atomic_t *a)
{
	return __atomic_load_n(&a->v, __ATOMIC_ACQUIRE);
}

static inline void nm_atomic_set(nm_atomic_t *a, int v)
{
	__atomic_store_n(&a->v, v, __ATOMIC_RELEASE);
}

static inline int nm_atomic_add_return(nm_atomic_t *a, int d)
{
	return __atomic_add_fetch(&a->v, d, __ATOMIC_ACQ_REL);
}

/* Returns the old value; sets v only when the old value was expected. */
static inline int nm_atomic_cmpxchg(nm_atomic_t *a, int expected, int v)
{
	__atomic_compare_exchange_n(&a->v, &expected, v, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return expected;
}

/* 64-bit counters (statistics, fault points). */
typedef struct { uint64_t v; } nm_atomic64_t;

static inline uint64_t nm_atomic64_inc_return(nm_atomic64_t *a)
{
	return __atomic_add_fetch(&a->v, 1, __ATOMIC_RELAXED);
}

static inline uint64_t nm_atomic64_read(nm_atomic64_t *a)
{
	return __atomic_load_n(&a->v, __ATOMIC_RELAXED);
}

static inline void nm_atomic64_set(nm_atomic64_t *a, uint64_t v)
{
	__atomic_store_n(&a->v, v, __ATOMIC_RELAXED);
}

/* Single accesses to memory another party may change under us. */
#define nm_load(p)	__atomic_load_n((p), __ATOMIC_RELAXED)
#define nm_store(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define nm_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define nm_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)

#define nm_smp_mb()	__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define nm_smp_rmb()	__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define nm_smp_wmb()	__atomic_thread_fence(__ATOMIC_RELEASE)

/* Pollers in the sim sleep on one process-wide wait channel. */
struct nm_selinfo {
	int unused;
};

#endif /* _NM_OS_IMPL_H_ */
