/* SPDX-License-Identifier: BSD-2-Clause */
/* Sim glue internals shared by its files. */
#ifndef _NMSIM_INT_H_
#define _NMSIM_INT_H_

#include <stdint.h>
#include "nmsim.h"

/* The process-wide wait channel (nm_os_sim.c). */
uint64_t sim_wait_begin(void);
uint64_t sim_wait_seq_now(void);
void sim_wait_sleep(uint64_t seq, uint64_t deadline_ns);
void sim_wait_end(void);
int sim_wait_add_efd(int efd);
void sim_wait_del_efd(int efd);

extern int sim_log_level;

/* Sim NICs (sim_nic.c); called with the sim lock held. */
int sim_nic_create(const char *name, unsigned int rings, unsigned int slots);
int sim_nic_destroy(const char *name);
void sim_nic_destroy_all(void);
int sim_nic_get_stats(const char *name, struct nmsim_nic_stats *st);
/* The wire and the host stack (sim_nic.c); errno, or -errno for longs. */
int sim_nic_wire_inject(const char *name, unsigned int ring,
			const void *frame, size_t len);
long sim_nic_wire_capture(const char *name, void *buf, size_t cap,
			  unsigned int *ring);
int sim_nic_loopback(const char *name, int on);
int sim_nic_host_inject(const char *name, const void *frame, size_t len);
long sim_nic_host_capture(const char *name, void *buf, size_t cap);

/* For the LD_PRELOAD layer: is this one of ours? (nmsim.c) */
int nmsim_is_fd(int fd);
int nmsim_is_mapping(const void *p);

/* Make sure the sim is initialised (nmsim.c). */
void sim_init(void);

#endif /* _NMSIM_INT_H_ */
