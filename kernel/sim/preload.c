/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnmsim_preload: unmodified netmap programs on the sim core.
 *
 *   LD_PRELOAD=build/libnmsim_preload.so NMSIM_NICS=sim0:2x1024 ./app
 *
 * The library carries the whole sim (core + sim glue) and interposes the
 * system calls a netmap program makes on /dev/netmap:
 *
 *   open, open64, openat, openat64 and the _FORTIFY_SOURCE entry points
 *     __open_2, __open64_2, __openat_2, __openat64_2: the path
 *     "/dev/netmap" gives a sim descriptor (nmsim_open);
 *   ioctl, close on sim descriptors (FIONBIO, FIOASYNC, FIOCLEX and
 *     FIONCLEX reach the real descriptor: Linux serves them for every
 *     file, above the driver);
 *   mmap, mmap64 of a sim descriptor (offset 0, MAP_SHARED, no MAP_FIXED)
 *     and munmap of the mappings made that way;
 *   poll, ppoll, select, pselect (and __poll_chk, __ppoll_chk) on any mix
 *     of sim and real descriptors.
 *
 * Everything else goes to the next definition (libc) through
 * dlsym(RTLD_NEXT).  The sim is initialised by a constructor, so the
 * NICs listed in NMSIM_NICS exist before main() runs.
 *
 * Waiting on a mix of descriptors: a sim descriptor is an eventfd the
 * sim never signals, so the kernel cannot wait on it.  Instead every
 * round checks the sim descriptors without sleeping (nmsim_poll with
 * timeout 0), then sleeps in the real ppoll() on the real descriptors
 * plus a private eventfd registered with sim_wait_add_efd(): every sim
 * wake-up (a ring became ready anywhere in the sim) writes to it, so the
 * real sleep ends and the next round re-checks the sim descriptors.  The
 * eventfd is registered before the first check, so no wake-up is lost.
 * Descriptors that are all sim use the same loop when they have to
 * wait, so that a signal interrupts the wait with EINTR as poll(2) does.
 *
 * Not covered: epoll, and copies of a sim descriptor made with dup(),
 * dup2() or fork() (they are plain eventfds, not netmap descriptors).
 *
 * Recursion: the sim itself calls close(), mmap() and munmap(), which
 * resolve to the definitions below.  A per-thread depth counter marks
 * "inside the sim"; there every call goes straight to libc.  While
 * dlsym() runs (it may allocate, or worse), the wrappers fall back to raw
 * system calls.  malloc is not interposed.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>

#include "nmsim_int.h"

#define PL_DEVICE	"/dev/netmap"

/* glibc's fortify entry points; declared here because the headers only
 * declare them when _FORTIFY_SOURCE is on. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		const sigset_t *mask, size_t fdslen);
void __chk_fail(void) __attribute__((__noreturn__));

/* ------------------------------------------------------------------ */
/* the real functions                                                  */
/* ------------------------------------------------------------------ */

typedef int (*pl_open_t)(const char *, int, ...);
typedef int (*pl_openat_t)(int, const char *, int, ...);
typedef int (*pl_open2_t)(const char *, int);
typedef int (*pl_openat2_t)(int, const char *, int);
typedef int (*pl_close_t)(int);
typedef int (*pl_ioctl_t)(int, unsigned long, ...);
typedef void *(*pl_mmap_t)(void *, size_t, int, int, int, off_t);
typedef int (*pl_munmap_t)(void *, size_t);
typedef int (*pl_poll_t)(struct pollfd *, nfds_t, int);
typedef int (*pl_ppoll_t)(struct pollfd *, nfds_t, const struct timespec *,
			  const sigset_t *);
typedef int (*pl_select_t)(int, fd_set *, fd_set *, fd_set *,
			   struct timeval *);
typedef int (*pl_pselect_t)(int, fd_set *, fd_set *, fd_set *,
			    const struct timespec *, const sigset_t *);
typedef int (*pl_poll_chk_t)(struct pollfd *, nfds_t, int, size_t);
typedef int (*pl_ppoll_chk_t)(struct pollfd *, nfds_t,
			      const struct timespec *, const sigset_t *,
			      size_t);

enum {
	PL_OPEN, PL_OPEN64, PL_OPENAT, PL_OPENAT64,
	PL_OPEN_2, PL_OPEN64_2, PL_OPENAT_2, PL_OPENAT64_2,
	PL_CLOSE, PL_IOCTL, PL_MMAP, PL_MMAP64, PL_MUNMAP,
	PL_POLL, PL_PPOLL, PL_SELECT, PL_PSELECT, PL_POLL_CHK, PL_PPOLL_CHK,
	PL_NREAL
};

static const char *const pl_names[PL_NREAL] = {
	[PL_OPEN] = "open",		[PL_OPEN64] = "open64",
	[PL_OPENAT] = "openat",		[PL_OPENAT64] = "openat64",
	[PL_OPEN_2] = "__open_2",	[PL_OPEN64_2] = "__open64_2",
	[PL_OPENAT_2] = "__openat_2",	[PL_OPENAT64_2] = "__openat64_2",
	[PL_CLOSE] = "close",		[PL_IOCTL] = "ioctl",
	[PL_MMAP] = "mmap",		[PL_MMAP64] = "mmap64",
	[PL_MUNMAP] = "munmap",		[PL_POLL] = "poll",
	[PL_PPOLL] = "ppoll",		[PL_SELECT] = "select",
	[PL_PSELECT] = "pselect",	[PL_POLL_CHK] = "__poll_chk",
	[PL_PPOLL_CHK] = "__ppoll_chk",
};

static void *pl_real[PL_NREAL];

#define PL_TLS	__thread __attribute__((__tls_model__("initial-exec")))

/* > 0 while this thread runs sim code: no interposition then */
static PL_TLS int pl_depth;
/* > 0 while this thread runs dlsym(): raw system calls then */
static PL_TLS int pl_resolving;

/* The next definition of function k, or NULL (then use a raw syscall). */
static void *pl_next(int k)
{
	void *p = __atomic_load_n(&pl_real[k], __ATOMIC_ACQUIRE);

	if (p || pl_resolving)
		return p;
	pl_resolving++;
	p = dlsym(RTLD_NEXT, pl_names[k]);
	pl_resolving--;
	if (p)
		__atomic_store_n(&pl_real[k], p, __ATOMIC_RELEASE);
	return p;
}

#define PL_NEXT(k, type)	((type)pl_next(k))

/* Brackets around every call into the sim; errno passes through. */
static void pl_enter(void)
{
	pl_depth++;
}

static void pl_leave(void)
{
	pl_depth--;
}

/*
 * Sim descriptors and mappings made through this library: while there
 * are none (most processes a preloaded shell starts), no call needs to
 * ask the sim anything.
 */
static int pl_nfds, pl_nmaps;

static int pl_is_sim_fd(int fd)
{
	int yes;

	if (fd < 0 || pl_depth || pl_resolving ||
	    !__atomic_load_n(&pl_nfds, __ATOMIC_ACQUIRE))
		return 0;
	pl_enter();
	yes = nmsim_is_fd(fd);
	pl_leave();
	return yes;
}

static int pl_is_device(const char *path)
{
	return path && !pl_depth && !pl_resolving &&
	       strcmp(path, PL_DEVICE) == 0;
}

__attribute__((__constructor__))
static void pl_init(void)
{
	int k;

	for (k = 0; k < PL_NREAL; k++)
		(void)pl_next(k);
	pl_enter();
	sim_init();
	pl_leave();
}

/* ------------------------------------------------------------------ */
/* open                                                                */
/* ------------------------------------------------------------------ */

static int pl_sim_open(void)
{
	int fd;

	pl_enter();
	fd = nmsim_open();
	pl_leave();
	if (fd >= 0)
		__atomic_add_fetch(&pl_nfds, 1, __ATOMIC_RELEASE);
	return fd;
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
static int pl_needs_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

static int pl_openat_common(int k, int dirfd, const char *path, int flags,
			    mode_t mode)
{
	pl_openat_t at;
	pl_open_t op;

	if (pl_is_device(path))
		return pl_sim_open();
	if (k == PL_OPEN || k == PL_OPEN64) {
		op = PL_NEXT(k, pl_open_t);
		if (op)
			return op(path, flags, mode);
	} else {
		at = PL_NEXT(k, pl_openat_t);
		if (at)
			return at(dirfd, path, flags, mode);
	}
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (pl_needs_mode(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return pl_openat_common(PL_OPEN, AT_FDCWD, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (pl_needs_mode(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return pl_openat_common(PL_OPEN64, AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (pl_needs_mode(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return pl_openat_common(PL_OPENAT, dirfd, path, flags, mode);
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (pl_needs_mode(flags)) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	return pl_openat_common(PL_OPENAT64, dirfd, path, flags, mode);
}

/* The fortify variants: a call without a mode argument. */
static int pl_open2_common(int k, int dirfd, const char *path, int flags)
{
	pl_openat2_t at;
	pl_open2_t op;

	if (pl_is_device(path))
		return pl_sim_open();
	if (k == PL_OPEN_2 || k == PL_OPEN64_2) {
		op = PL_NEXT(k, pl_open2_t);
		if (op)
			return op(path, flags);
	} else {
		at = PL_NEXT(k, pl_openat2_t);
		if (at)
			return at(dirfd, path, flags);
	}
	if (pl_needs_mode(flags))
		__chk_fail();
	return (int)syscall(SYS_openat, dirfd, path, flags, 0);
}

int __open_2(const char *path, int flags)
{
	return pl_open2_common(PL_OPEN_2, AT_FDCWD, path, flags);
}

int __open64_2(const char *path, int flags)
{
	return pl_open2_common(PL_OPEN64_2, AT_FDCWD, path, flags);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return pl_open2_common(PL_OPENAT_2, dirfd, path, flags);
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	return pl_open2_common(PL_OPENAT64_2, dirfd, path, flags);
}

/* ------------------------------------------------------------------ */
/* close, ioctl                                                        */
/* ------------------------------------------------------------------ */

int close(int fd)
{
	pl_close_t real;
	int ret;

	if (pl_is_sim_fd(fd)) {
		pl_enter();
		ret = nmsim_close(fd);
		pl_leave();
		if (ret == 0)
			__atomic_sub_fetch(&pl_nfds, 1, __ATOMIC_RELEASE);
		return ret;
	}
	real = PL_NEXT(PL_CLOSE, pl_close_t);
	return real ? real(fd) : (int)syscall(SYS_close, fd);
}

int ioctl(int fd, unsigned long req, ...)
{
	pl_ioctl_t real;
	va_list ap;
	void *arg;
	int ret;

	/* every ioctl takes at most one argument, passed like a pointer */
	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	/*
	 * Linux serves these for every file before the driver sees the
	 * ioctl; the sim descriptor is a real file, so the real call does.
	 */
	if (pl_is_sim_fd(fd) && req != FIOCLEX && req != FIONCLEX &&
	    req != FIONBIO && req != FIOASYNC) {
		pl_enter();
		ret = nmsim_ioctl(fd, req, arg);
		pl_leave();
		return ret;
	}
	real = PL_NEXT(PL_IOCTL, pl_ioctl_t);
	return real ? real(fd, req, arg) : (int)syscall(SYS_ioctl, fd, req, arg);
}

/* ------------------------------------------------------------------ */
/* mmap, munmap                                                        */
/* ------------------------------------------------------------------ */

/*
 * A netmap program maps the whole region: mmap(NULL, nr_memsize,
 * PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0).  The sim places the view
 * itself, so MAP_FIXED cannot be honoured; a private mapping of shared
 * rings makes no sense; the region starts at offset 0.
 */
static void *pl_sim_mmap(void *addr, size_t len, int prot, int flags, int fd,
			 int64_t off)
{
	int type = flags & MAP_TYPE;
	void *p;

	(void)addr;
	(void)prot;
	if (off != 0 || (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) ||
	    (type != MAP_SHARED && type != MAP_SHARED_VALIDATE)) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	pl_enter();
	p = nmsim_mmap(fd, len);
	pl_leave();
	if (p != MAP_FAILED)
		__atomic_add_fetch(&pl_nmaps, 1, __ATOMIC_RELEASE);
	return p;
}

static void *pl_mmap_common(int k, void *addr, size_t len, int prot,
			    int flags, int fd, int64_t off)
{
	pl_mmap_t real;

	if (!(flags & MAP_ANONYMOUS) && pl_is_sim_fd(fd))
		return pl_sim_mmap(addr, len, prot, flags, fd, off);
	real = PL_NEXT(k, pl_mmap_t);
	if (real)
		return real(addr, len, prot, flags, fd, (off_t)off);
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return pl_mmap_common(PL_MMAP, addr, len, prot, flags, fd,
			      (int64_t)off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd,
	     off64_t off)
{
	return pl_mmap_common(PL_MMAP64, addr, len, prot, flags, fd,
			      (int64_t)off);
}

int munmap(void *addr, size_t len)
{
	pl_munmap_t real;
	int ret, ours = 0;

	if (addr && !pl_depth && !pl_resolving &&
	    __atomic_load_n(&pl_nmaps, __ATOMIC_ACQUIRE)) {
		pl_enter();
		ours = nmsim_is_mapping(addr);
		pl_leave();
	}
	if (ours) {
		pl_enter();
		ret = nmsim_munmap(addr, len);
		pl_leave();
		if (ret == 0)
			__atomic_sub_fetch(&pl_nmaps, 1, __ATOMIC_RELEASE);
		return ret;
	}
	real = PL_NEXT(PL_MUNMAP, pl_munmap_t);
	return real ? real(addr, len) : (int)syscall(SYS_munmap, addr, len);
}

/* ------------------------------------------------------------------ */
/* waiting: poll and friends                                           */
/* ------------------------------------------------------------------ */

static int64_t pl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The real ppoll(), or the system call when it cannot be resolved. */
static int pl_real_ppoll(struct pollfd *fds, nfds_t n,
			 const struct timespec *tmo, const sigset_t *mask)
{
	pl_ppoll_t real = PL_NEXT(PL_PPOLL, pl_ppoll_t);
	struct timespec copy;

	if (real)
		return real(fds, n, tmo, mask);
	if (tmo) {
		copy = *tmo;	/* the system call writes it back */
		tmo = &copy;
	}
	return (int)syscall(SYS_ppoll, fds, n, tmo, mask, _NSIG / 8);
}

static int pl_sim_poll_now(struct pollfd *fds, unsigned int n)
{
	int ret;

	pl_enter();
	ret = nmsim_poll(fds, n, 0);
	pl_leave();
	return ret;
}

static void pl_drain(int efd)
{
	uint64_t v;

	while (read(efd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

#define PL_STACK_FDS	8

/*
 * poll() semantics over a mix of sim and real descriptors.  tmo_ns < 0
 * waits forever.  *handled is 0 when no descriptor is a sim one: the
 * caller then makes the real call itself, with its own semantics.
 */
static int pl_wait(struct pollfd *fds, nfds_t n, int64_t tmo_ns,
		   const sigset_t *mask, int *handled)
{
	struct pollfd sbuf[PL_STACK_FDS], rbuf[PL_STACK_FDS + 1];
	nfds_t sibuf[PL_STACK_FDS], ribuf[PL_STACK_FDS];
	struct pollfd *sp = sbuf, *rp = rbuf;
	nfds_t *sidx = sibuf, *ridx = ribuf, i;
	unsigned int ns = 0, nr = 0;
	int64_t deadline = 0;
	int efd = -1, registered = 0, ret, err = 0;
	void *heap = NULL;

	*handled = 0;
	if (pl_depth || pl_resolving)
		return 0;
	for (i = 0; i < n; i++)
		if (pl_is_sim_fd(fds[i].fd))
			ns++;
	if (ns == 0)
		return 0;
	*handled = 1;
	if (n > 0xffffffu) {
		errno = EINVAL;
		return -1;
	}
	if (ns == n && tmo_ns == 0)
		return pl_sim_poll_now(fds, (unsigned int)n);

	if (n > PL_STACK_FDS) {
		heap = malloc((size_t)n * 2 * sizeof(nfds_t) +
			      ((size_t)n * 2 + 1) * sizeof(struct pollfd));
		if (!heap) {
			errno = ENOMEM;
			return -1;
		}
		sp = heap;
		rp = sp + n;
		sidx = (nfds_t *)(void *)(rp + n + 1);
		ridx = sidx + n;
	}
	ns = 0;
	for (i = 0; i < n; i++) {
		if (pl_is_sim_fd(fds[i].fd)) {
			sidx[ns] = i;
			sp[ns++] = fds[i];
		} else {
			ridx[nr] = i;
			rp[nr++] = fds[i];
		}
	}
	if (tmo_ns > 0)
		deadline = pl_now_ns() + tmo_ns;

	for (;;) {
		struct timespec ts, *tsp = NULL;
		int64_t wait_ns;
		int rs, rr = 0;
		nfds_t nreal = nr;

		rs = pl_sim_poll_now(sp, ns);
		if (rs > 0 || tmo_ns == 0)
			wait_ns = 0;
		else if (tmo_ns < 0)
			wait_ns = -1;
		else if ((wait_ns = deadline - pl_now_ns()) < 0)
			wait_ns = 0;

		if (wait_ns != 0 && efd < 0 && !err) {
			/*
			 * About to sleep: from now on every sim wake-up
			 * writes to efd.  Check the sim again before
			 * sleeping, in case one came in just now.
			 */
			efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (efd >= 0 && sim_wait_add_efd(efd) == 0) {
				registered = 1;
				(void)sim_wait_begin();
				continue;
			}
			/* no eventfd: fall back to 1 ms naps */
			err = 1;
			if (efd >= 0)
				close(efd);
			efd = -1;
		}
		if (efd >= 0) {
			rp[nreal].fd = efd;
			rp[nreal].events = POLLIN;
			rp[nreal].revents = 0;
			nreal++;
		} else if (err && (wait_ns < 0 || wait_ns > 1000000)) {
			wait_ns = 1000000;
		}
		if (wait_ns >= 0) {
			ts.tv_sec = (time_t)(wait_ns / 1000000000LL);
			ts.tv_nsec = (long)(wait_ns % 1000000000LL);
			tsp = &ts;
		}
		if (nreal > 0 || wait_ns != 0)
			rr = pl_real_ppoll(rp, nreal, tsp, mask);
		if (rr < 0) {
			ret = -1;
			break;
		}
		if (efd >= 0 && rp[nr].revents) {
			pl_drain(efd);
			rr--;
		}
		ret = rs + rr;
		if (ret > 0 || tmo_ns == 0)
			break;
		if (tmo_ns > 0 && pl_now_ns() >= deadline)
			break;
	}

	if (ret >= 0) {
		for (i = 0; i < ns; i++)
			fds[sidx[i]].revents = sp[i].revents;
		for (i = 0; i < nr; i++)
			fds[ridx[i]].revents = rp[i].revents;
	}
	err = errno;
	if (registered) {
		sim_wait_end();
		sim_wait_del_efd(efd);
	}
	if (efd >= 0)
		close(efd);
	free(heap);
	errno = err;
	return ret;
}

static int64_t pl_ms_to_ns(int ms)
{
	return ms < 0 ? -1 : (int64_t)ms * 1000000LL;
}

static int pl_ts_to_ns(const struct timespec *ts, int64_t *ns)
{
	if (!ts) {
		*ns = -1;
		return 0;
	}
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return EINVAL;
	if (ts->tv_sec > INT64_MAX / 1000000000LL - 1)
		*ns = -1;	/* centuries: forever */
	else
		*ns = (int64_t)ts->tv_sec * 1000000000LL + ts->tv_nsec;
	return 0;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	pl_poll_t real;
	int handled, ret;

	ret = pl_wait(fds, n, pl_ms_to_ns(timeout), NULL, &handled);
	if (handled)
		return ret;
	real = PL_NEXT(PL_POLL, pl_poll_t);
	return real ? real(fds, n, timeout)
		    : (int)syscall(SYS_poll, fds, n, timeout);
}

int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
	  const sigset_t *mask)
{
	int64_t ns;
	int handled, ret, err;

	err = pl_ts_to_ns(tmo, &ns);
	if (!err) {
		ret = pl_wait(fds, n, ns, mask, &handled);
		if (handled)
			return ret;
	}
	/* the real call also reports a bad timeout */
	return pl_real_ppoll(fds, n, tmo, mask);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen)
{
	pl_poll_chk_t real;
	int handled, ret;

	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	ret = pl_wait(fds, n, pl_ms_to_ns(timeout), NULL, &handled);
	if (handled)
		return ret;
	real = PL_NEXT(PL_POLL_CHK, pl_poll_chk_t);
	return real ? real(fds, n, timeout, fdslen)
		    : (int)syscall(SYS_poll, fds, n, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *tmo,
		const sigset_t *mask, size_t fdslen)
{
	pl_ppoll_chk_t real;
	int64_t ns;
	int handled, ret;

	if (fdslen / sizeof(*fds) < n)
		__chk_fail();
	if (!pl_ts_to_ns(tmo, &ns)) {
		ret = pl_wait(fds, n, ns, mask, &handled);
		if (handled)
			return ret;
	}
	real = PL_NEXT(PL_PPOLL_CHK, pl_ppoll_chk_t);
	return real ? real(fds, n, tmo, mask, fdslen)
		    : pl_real_ppoll(fds, n, tmo, mask);
}

/* ---- select: fd_set bits, read directly (no FD_SETSIZE limit) ------ */

#define PL_WORD_BITS	(8 * (int)sizeof(unsigned long))

static int pl_isset(const fd_set *s, int fd)
{
	const unsigned long *w = (const unsigned long *)(const void *)s;

	return s && ((w[fd / PL_WORD_BITS] >> (fd % PL_WORD_BITS)) & 1UL);
}

static void pl_set(fd_set *s, int fd)
{
	unsigned long *w = (unsigned long *)(void *)s;

	w[fd / PL_WORD_BITS] |= 1UL << (fd % PL_WORD_BITS);
}

static void pl_zero(fd_set *s, int nfds)
{
	size_t words = ((size_t)nfds + PL_WORD_BITS - 1) / PL_WORD_BITS;

	if (s)
		memset(s, 0, words * sizeof(unsigned long));
}

/* What select() reports for poll events (as Linux maps them). */
#define PL_IN_SET	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define PL_OUT_SET	(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define PL_EX_SET	(POLLPRI)

/*
 * select() through pl_wait() when a sim descriptor is in a set.  Returns
 * with *handled = 0 when none is (or on a bad argument the real call
 * reports itself).
 */
static int pl_select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
		     int64_t tmo_ns, const sigset_t *mask, int *handled)
{
	struct pollfd *pfd;
	int fd, n = 0, sim = 0, i, ret;

	*handled = 0;
	if (nfds <= 0 || pl_depth || pl_resolving)
		return 0;
	for (fd = 0; fd < nfds; fd++) {
		if (!pl_isset(rd, fd) && !pl_isset(wr, fd) && !pl_isset(ex, fd))
			continue;
		n++;
		if (!sim && pl_is_sim_fd(fd))
			sim = 1;
	}
	if (!sim)
		return 0;
	*handled = 1;
	pfd = calloc((size_t)n, sizeof(*pfd));
	if (!pfd) {
		errno = ENOMEM;
		return -1;
	}
	for (fd = 0, i = 0; fd < nfds; fd++) {
		short ev = 0;

		if (pl_isset(rd, fd))
			ev |= POLLIN;
		if (pl_isset(wr, fd))
			ev |= POLLOUT;
		if (pl_isset(ex, fd))
			ev |= POLLPRI;
		if (!ev)
			continue;
		pfd[i].fd = fd;
		pfd[i++].events = ev;
	}
	ret = pl_wait(pfd, (nfds_t)n, tmo_ns, mask, &i);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (pfd[i].revents & POLLNVAL) {
			errno = EBADF;
			ret = -1;
			goto out;
		}
	}
	pl_zero(rd, nfds);
	pl_zero(wr, nfds);
	pl_zero(ex, nfds);
	ret = 0;
	for (i = 0; i < n; i++) {
		short ev = pfd[i].events, rev = pfd[i].revents;

		if ((ev & POLLIN) && (rev & PL_IN_SET)) {
			pl_set(rd, pfd[i].fd);
			ret++;
		}
		if ((ev & POLLOUT) && (rev & PL_OUT_SET)) {
			pl_set(wr, pfd[i].fd);
			ret++;
		}
		if ((ev & POLLPRI) && (rev & PL_EX_SET)) {
			pl_set(ex, pfd[i].fd);
			ret++;
		}
	}
out:
	i = errno;
	free(pfd);
	errno = i;
	return ret;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	int64_t tmo = -1, start = 0, left;
	pl_select_t real;
	int handled = 0, ret = 0;

	if (!tv || (tv->tv_sec >= 0 && tv->tv_usec >= 0 &&
		    tv->tv_usec < 1000000)) {
		if (tv) {
			tmo = tv->tv_sec > INT64_MAX / 1000000000LL - 1 ? -1 :
			      (int64_t)tv->tv_sec * 1000000000LL +
			      (int64_t)tv->tv_usec * 1000LL;
			start = pl_now_ns();
		}
		ret = pl_select(nfds, rd, wr, ex, tmo, NULL, &handled);
	}
	if (handled) {
		/* Linux writes back the time left */
		if (tv && tmo >= 0) {
			left = tmo - (pl_now_ns() - start);
			if (left < 0)
				left = 0;
			tv->tv_sec = (time_t)(left / 1000000000LL);
			tv->tv_usec = (suseconds_t)(left % 1000000000LL / 1000);
		}
		return ret;
	}
	real = PL_NEXT(PL_SELECT, pl_select_t);
	return real ? real(nfds, rd, wr, ex, tv)
		    : (int)syscall(SYS_select, nfds, rd, wr, ex, tv);
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex,
	    const struct timespec *tmo, const sigset_t *mask)
{
	pl_pselect_t real;
	int handled = 0, ret = 0;
	int64_t ns;

	if (!pl_ts_to_ns(tmo, &ns))
		ret = pl_select(nfds, rd, wr, ex, ns, mask, &handled);
	if (handled)
		return ret;
	real = PL_NEXT(PL_PSELECT, pl_pselect_t);
	if (real)
		return real(nfds, rd, wr, ex, tmo, mask);
	errno = ENOSYS;
	return -1;
}
