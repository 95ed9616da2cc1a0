/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libnmsim: the nmtb netmap core running inside a process.
 *
 * The first group of calls mirrors the system calls a netmap program makes
 * on /dev/netmap, with the same semantics and errno conventions: they
 * return -1 (MAP_FAILED for nmsim_mmap) and set errno on failure.  The
 * descriptors are real file descriptors (reserved with eventfd), so they
 * never collide with the process's own.
 *
 * Environment, read at the first call:
 *   NMSIM_NICS="sim0:2x1024,sim1:1x512"  sim NICs to create (rings x slots)
 *   NMSIM_FI="mem.alloc=nth:5,..."       fault points to arm
 *   NMSIM_PARAMS="buf_num=4096,..."      core parameters
 *   NMSIM_LOG=-1|0|1|2                   silent / errors / info / debug (default 1)
 */
#ifndef _NMSIM_H_
#define _NMSIM_H_

#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ---- the /dev/netmap system calls ----------------------------------
 * An unknown ioctl command gives ENOTTY, Linux's convention (netmap's
 * reference module says EOPNOTSUPP).  nmsim_munmap() takes back a whole
 * mapping: p its start, len its length; anything else is EINVAL.
 */
int nmsim_open(void);
int nmsim_ioctl(int fd, unsigned long cmd, void *arg);
void *nmsim_mmap(int fd, size_t len);
int nmsim_munmap(void *p, size_t len);
int nmsim_poll(struct pollfd *fds, unsigned int n, int timeout_ms);
int nmsim_close(int fd);

/*
 * A simulated NIC that REGISTER opens by name, with `rings` tx and rx
 * rings of `slots` slots and one host ring pair.  Until a wire is
 * attached, its wire side loops tx ring i back to rx ring i.
 */
int nmsim_nic_create(const char *name, unsigned int rings, unsigned int slots);
/* Removes a sim NIC; registrations still open see ENXIO. */
int nmsim_nic_destroy(const char *name);

/*
 * Limit "user memory" to [base, base + len): pointers outside it, in
 * request bodies and options, give EFAULT.  NULL/0 lifts the limit (then
 * all process memory is user memory, and unmapped addresses give EFAULT).
 */
void nmsim_user_restrict(const void *base, size_t len);

/* ---- testbed extensions -------------------------------------------- */

/* Fault points: arm with "off", "nth:N", "every:N", "prob:P[:SEED]". */
int nmsim_fi_arm(const char *name, const char *spec);
/* "mode hits=H fired=F" into buf; -1/ENOENT for an unknown point. */
int nmsim_fi_show(const char *name, char *buf, size_t len);
/* Hits counted since the point was last armed, or -1. */
long long nmsim_fi_hits(const char *name);
/* Name of the i-th fault point, NULL past the end. */
const char *nmsim_fi_name(unsigned int i);
void nmsim_fi_disarm_all(void);

/* Core parameters (verbose, buf_num, ...).  -1/ENOENT, -1/ERANGE. */
int nmsim_param_set(const char *name, long value);
int nmsim_param_get(const char *name, long *value);

/* Kernel objects alive in the sim (allocations and pool clusters). */
long nmsim_live_objects(void);

/* Free objects of pool 0 (if), 1 (ring) or 2 (buf) of allocator mem_id. */
long nmsim_mem_free_objects(unsigned int mem_id, int pool);

/*
 * issue 3, memory per port: bytes of populated pool clusters of allocator
 * mem_id (0 while it is unused), or of all allocators together for mem_id
 * 0 (what the mem_max_mb cap counts).  -1/ENOENT for an unknown id.
 */
long long nmsim_mem_populated(unsigned int mem_id);

/*
 * issue 3, the slots fuzzer: the kernel's own view of kring i of kind t
 * (0 tx / 1 rx, host rings after the NIC rings) of fd's port.  0, or
 * -1/EBADF, -1/EINVAL (no such kring, or not registered).
 */
struct nmsim_kring_state {
	uint32_t num_slots;
	uint32_t hwcur, hwtail;		/* the kernel's */
	uint32_t rhead, rcur, rtail;	/* the user's, as last validated */
};
int nmsim_kring_state(int fd, int t, unsigned int i,
		      struct nmsim_kring_state *st);

/* Times a ring of fd was reinitialised; t 0 tx / 1 rx, i kring index. */
long long nmsim_ring_reinits(int fd, int t, unsigned int i);

/* Frames a sim NIC sent and received on its wire side, and dropped. */
struct nmsim_nic_stats {
	uint64_t tx_frames;
	uint64_t rx_frames;
	uint64_t rx_dropped;	/* no room in the rx ring, ring off, or a tx
				   chain over 64 fragments / 65535 bytes */
	uint64_t host_tx_frames;	/* taken from the host tx rings */
	/* ---- the wire, the host stack and forwarding ---- */
	uint64_t wire_dropped;	/* transmitted, but the capture queue was
				   full (4096 frames), or zero-length */
	uint64_t stack_rx_frames;	/* queued for nmsim_host_capture */
	uint64_t stack_rx_dropped;	/* meant for the host stack, lost: its
					   queue full (4096), shorter than 14
					   bytes, a bad MOREFRAG chain */
	uint64_t host_rx_frames;	/* stack frames put in host rx rings */
	uint64_t host_rx_dropped;	/* stack frames lost before that: queue
					   full (4096 per host rx ring), larger
					   than the whole ring, or still queued
					   when the NIC left netmap mode */
	uint64_t fwd_up_frames;		/* NS_FORWARD: NIC rx -> host stack */
	uint64_t fwd_down_frames;	/* NS_FORWARD: host rx -> wire */
	uint64_t fwd_dropped;		/* marked, not forwardable (bad length,
					   bad or partly unforwarded chain) */
};
int nmsim_nic_stats(const char *name, struct nmsim_nic_stats *st);

/*
 * ---- the wire and the host stack of a sim NIC ----------------------
 * The wire: the first call of nmsim_wire_inject or nmsim_wire_capture on
 * a NIC attaches its wire, and from then on what the NIC transmits queues
 * for capture instead of looping back (nmsim_nic_loopback(name, 1) brings
 * the loopback back).  inject puts a frame on rx ring `ring` as if it came
 * off the cable (dropped and counted when the ring has no room); with the
 * NIC not in netmap mode it goes to the host stack instead.  capture takes
 * the oldest transmitted frame: returns its length (copying at most cap
 * bytes), 0 when none is queued, -1/ENOENT for an unknown NIC.  *ring (if
 * not NULL) receives the tx ring it left from.
 *
 * The host stack: a queue per direction.  host_inject is the stack sending
 * a frame: it arrives in a host rx ring (or, with the NIC not in netmap
 * mode, goes out on the wire).  host_capture takes the oldest frame the
 * stack received (from a host tx ring, forwarded with NS_FORWARD, or from
 * the wire while the NIC is not in netmap mode); same returns as capture.
 * (Sim choices: with several host rx rings, host_inject goes round robin
 * over them; every queue holds 4096 frames and counts what it refuses in
 * struct nmsim_nic_stats; in netmap mode an rx ring no one bound drops.)
 */
int nmsim_wire_inject(const char *nic, unsigned int ring, const void *frame,
		      size_t len);
long nmsim_wire_capture(const char *nic, void *buf, size_t cap,
			unsigned int *ring);
int nmsim_nic_loopback(const char *nic, int on);
int nmsim_host_inject(const char *nic, const void *frame, size_t len);
long nmsim_host_capture(const char *nic, void *buf, size_t cap);

/*
 * ---- VALE ------------------------------------------------------------
 * A replaceable lookup per switch ("vale0", no port part).  fn gets the
 * frame of one slot (its first len bytes, after any offset), the source
 * port index and arg, and returns the destination port index,
 * NMSIM_VALE_BROADCAST (every port but the source) or NMSIM_VALE_DROP.
 * fn NULL restores the learning bridge.  0, or -1/ENOENT (no such switch)
 * or -1/EINVAL.  *ring_nr may be set to pick the destination's rx ring.
 */
#define NMSIM_VALE_BROADCAST	255u
#define NMSIM_VALE_DROP		254u
typedef unsigned int (*nmsim_vale_lookup_fn)(const uint8_t *frame,
					     unsigned int len,
					     unsigned int src_port,
					     uint8_t *ring_nr, void *arg);
int nmsim_vale_set_lookup(const char *sw, nmsim_vale_lookup_fn fn,
			  void *arg);

/* Freeze ring timestamps at a value, or let them follow the clock. */
void nmsim_clock_freeze(int64_t sec, int64_t usec);
void nmsim_clock_thaw(void);

/*
 * Tear the sim down: closes every descriptor, destroys every sim NIC and
 * the allocators.  Returns the kernel objects still alive (0: no leak).
 * The sim starts afresh at the next call.
 */
long nmsim_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* _NMSIM_H_ */
