/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Sim glue: the nm_os.h services implemented in a process.
 *
 * Pool clusters are shared anonymous mappings.  nmsim_mmap() gives the
 * user a second view of the same pages at another address (mremap with
 * old size 0), so the core's kernel addresses and the user's addresses
 * differ, as they do in a real kernel, and a core bug that hands out a
 * kernel pointer shows up.
 *
 * User memory: by default any address of the process, read and written
 * with process_vm_readv/writev so that a bad pointer yields EFAULT instead
 * of a crash.  nmsim_user_restrict() narrows it to one range, checked
 * arithmetically (fast, for the fuzzers).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "nm_os.h"
#include "nmsim_int.h"

/* ------------------------------------------------------------------ */
/* memory                                                              */
/* ------------------------------------------------------------------ */

void *nm_os_malloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void nm_os_free(void *p)
{
	free(p);
}

#ifdef NM_FUZZING
/*
 * Fuzz builds put a PROT_NONE page before and after every cluster: ASan
 * does not see into mmap'd memory, so this is what turns a core write
 * past the end of a pool cluster into a crash the fuzzer reports.
 */
#define SIM_GUARD	NM_PAGE_SIZE
#else
#define SIM_GUARD	0
#endif

void *nm_os_cluster_alloc(size_t size)
{
	char *p = mmap(NULL, size + 2 * SIM_GUARD,
		       SIM_GUARD ? PROT_NONE : PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (SIM_GUARD && mprotect(p + SIM_GUARD, size,
				  PROT_READ | PROT_WRITE)) {
		munmap(p, size + 2 * SIM_GUARD);
		return NULL;
	}
	return p + SIM_GUARD;
}

void nm_os_cluster_free(void *p, size_t size)
{
	munmap((char *)p - SIM_GUARD, size + 2 * SIM_GUARD);
}

/* ------------------------------------------------------------------ */
/* user memory                                                         */
/* ------------------------------------------------------------------ */

static uintptr_t sim_ubase;
static size_t sim_ulen;
static int sim_urestricted;

void nmsim_user_restrict(const void *base, size_t len)
{
	sim_ubase = (uintptr_t)base;
	sim_ulen = len;
	__atomic_store_n(&sim_urestricted, base != NULL && len != 0,
			 __ATOMIC_RELEASE);
}

/* [u, u + len) inside the restricted range, without overflow. */
static bool sim_urange_ok(uint64_t u, size_t len)
{
	if (u < sim_ubase)
		return false;
	if (u - sim_ubase > sim_ulen)
		return false;
	return len <= sim_ulen - (u - sim_ubase);
}

static int sim_vm_copy(void *k, uint64_t u, size_t len, bool in)
{
	struct iovec local = { .iov_base = k, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)u,
				.iov_len = len };
	ssize_t n;

	if (u + len < u)
		return EFAULT;
	n = in ? process_vm_readv(getpid(), &local, 1, &remote, 1, 0)
	       : process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : EFAULT;
}

int nm_os_copyin(void *kdst, uint64_t usrc, size_t len)
{
	if (len == 0)
		return 0;
	if (__atomic_load_n(&sim_urestricted, __ATOMIC_ACQUIRE)) {
		if (!sim_urange_ok(usrc, len))
			return EFAULT;
		memcpy(kdst, (const void *)(uintptr_t)usrc, len);
		return 0;
	}
	return sim_vm_copy(kdst, usrc, len, true);
}

int nm_os_copyout(uint64_t udst, const void *ksrc, size_t len)
{
	if (len == 0)
		return 0;
	if (__atomic_load_n(&sim_urestricted, __ATOMIC_ACQUIRE)) {
		if (!sim_urange_ok(udst, len))
			return EFAULT;
		memcpy((void *)(uintptr_t)udst, ksrc, len);
		return 0;
	}
	return sim_vm_copy((void *)ksrc, udst, len, false);
}

/* ------------------------------------------------------------------ */
/* locks                                                               */
/* ------------------------------------------------------------------ */

void nm_os_mtx_init(nm_mtx_t *m)
{
	pthread_mutex_init(m, NULL);
}

void nm_os_mtx_destroy(nm_mtx_t *m)
{
	pthread_mutex_destroy(m);
}

void nm_os_mtx_lock(nm_mtx_t *m)
{
	pthread_mutex_lock(m);
}

void nm_os_mtx_unlock(nm_mtx_t *m)
{
	pthread_mutex_unlock(m);
}

void nm_os_spin_init(nm_spin_t *s)
{
	pthread_mutex_init(s, NULL);
}

void nm_os_spin_destroy(nm_spin_t *s)
{
	pthread_mutex_destroy(s);
}

void nm_os_spin_lock(nm_spin_t *s)
{
	pthread_mutex_lock(s);
}

void nm_os_spin_unlock(nm_spin_t *s)
{
	pthread_mutex_unlock(s);
}

/* ------------------------------------------------------------------ */
/* the wait channel                                                    */
/* ------------------------------------------------------------------ */

/*
 * All sim pollers share one channel: a sequence number bumped by every
 * wake-up and a condition variable.  A poller samples the sequence before
 * it checks its rings and sleeps only while the sequence is unchanged, so
 * no wake-up is lost; spurious ones just cost a re-check.  Pollers that
 * also wait for real file descriptors (the LD_PRELOAD poll) register an
 * eventfd that every wake-up writes to.
 */
static pthread_mutex_t sim_wait_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sim_wait_cond;
static pthread_once_t sim_wait_once = PTHREAD_ONCE_INIT;
static uint64_t sim_wait_seq;
static int sim_wait_sleepers;
#define SIM_MAX_EFDS 256
static int sim_wait_efds[SIM_MAX_EFDS];
static int sim_wait_nefds;

static void sim_wait_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&sim_wait_cond, &a);
	pthread_condattr_destroy(&a);
}

void nm_os_selinfo_init(struct nm_selinfo *si)
{
	(void)si;
}

void nm_os_selinfo_uninit(struct nm_selinfo *si)
{
	(void)si;
}

void nm_os_selrecord(void *pollctx, struct nm_selinfo *si)
{
	(void)pollctx;
	(void)si;
}

void nm_os_selwakeup(struct nm_selinfo *si)
{
	int i;

	(void)si;
	__atomic_add_fetch(&sim_wait_seq, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sim_wait_sleepers, __ATOMIC_SEQ_CST) == 0)
		return;
	pthread_mutex_lock(&sim_wait_lock);
	pthread_cond_broadcast(&sim_wait_cond);
	for (i = 0; i < sim_wait_nefds; i++) {
		uint64_t one = 1;

		if (write(sim_wait_efds[i], &one, sizeof(one)) < 0)
			(void)0;	/* full counter: already readable */
	}
	pthread_mutex_unlock(&sim_wait_lock);
}

uint64_t sim_wait_begin(void)
{
	pthread_once(&sim_wait_once, sim_wait_init);
	__atomic_add_fetch(&sim_wait_sleepers, 1, __ATOMIC_SEQ_CST);
	return __atomic_load_n(&sim_wait_seq, __ATOMIC_SEQ_CST);
}

uint64_t sim_wait_seq_now(void)
{
	return __atomic_load_n(&sim_wait_seq, __ATOMIC_SEQ_CST);
}

/* Sleep until the sequence moves past seq or until deadline (ns, 0: none). */
void sim_wait_sleep(uint64_t seq, uint64_t deadline_ns)
{
	struct timespec ts;

	pthread_mutex_lock(&sim_wait_lock);
	while (__atomic_load_n(&sim_wait_seq, __ATOMIC_SEQ_CST) == seq) {
		if (deadline_ns == 0) {
			pthread_cond_wait(&sim_wait_cond, &sim_wait_lock);
			continue;
		}
		if (nm_os_mono_ns() >= deadline_ns)
			break;
		ts.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
		ts.tv_nsec = (long)(deadline_ns % 1000000000ULL);
		pthread_cond_timedwait(&sim_wait_cond, &sim_wait_lock, &ts);
	}
	pthread_mutex_unlock(&sim_wait_lock);
}

void sim_wait_end(void)
{
	__atomic_sub_fetch(&sim_wait_sleepers, 1, __ATOMIC_SEQ_CST);
}

int sim_wait_add_efd(int efd)
{
	int err = 0;

	pthread_mutex_lock(&sim_wait_lock);
	if (sim_wait_nefds < SIM_MAX_EFDS)
		sim_wait_efds[sim_wait_nefds++] = efd;
	else
		err = ENOMEM;
	pthread_mutex_unlock(&sim_wait_lock);
	return err;
}

void sim_wait_del_efd(int efd)
{
	int i;

	pthread_mutex_lock(&sim_wait_lock);
	for (i = 0; i < sim_wait_nefds; i++) {
		if (sim_wait_efds[i] == efd) {
			sim_wait_efds[i] = sim_wait_efds[--sim_wait_nefds];
			break;
		}
	}
	pthread_mutex_unlock(&sim_wait_lock);
}

/* ------------------------------------------------------------------ */
/* time, scheduling, logging                                           */
/* ------------------------------------------------------------------ */

static int sim_clock_frozen;
static int64_t sim_clock_sec, sim_clock_usec;

void nmsim_clock_freeze(int64_t sec, int64_t usec)
{
	sim_clock_sec = sec;
	sim_clock_usec = usec;
	__atomic_store_n(&sim_clock_frozen, 1, __ATOMIC_RELEASE);
}

void nmsim_clock_thaw(void)
{
	__atomic_store_n(&sim_clock_frozen, 0, __ATOMIC_RELEASE);
}

void nm_os_microtime(int64_t *sec, int64_t *usec)
{
	struct timespec ts;

	if (__atomic_load_n(&sim_clock_frozen, __ATOMIC_ACQUIRE)) {
		*sec = sim_clock_sec;
		*usec = sim_clock_usec;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	*sec = ts.tv_sec;
	*usec = ts.tv_nsec / 1000;
}

uint64_t nm_os_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void nm_os_relax(void)
{
	sched_yield();
}

int sim_log_level = NM_LOG_INFO;	/* NMSIM_LOG overrides */

void nm_os_log(int level, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (level > sim_log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "nmsim: %s\n", buf);
}
