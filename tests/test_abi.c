/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The public ABI, checked against the numbers of shared/ABI.md.  Most
 * checks are static: this file does not compile if a layout is off.  The
 * runtime test repeats the ones that are values rather than layouts.
 */
#include <stddef.h>
#include <net/netmap_user.h>
#include "t.h"

#define OFF(t, f, o)	_Static_assert(offsetof(struct t, f) == (o), #t "." #f)
#define SIZE(t, s)	_Static_assert(sizeof(struct t) == (s), "sizeof " #t)

/* struct netmap_slot (16) */
SIZE(netmap_slot, 16);
OFF(netmap_slot, buf_idx, 0);
OFF(netmap_slot, len, 4);
OFF(netmap_slot, flags, 6);
OFF(netmap_slot, ptr, 8);

/* struct netmap_ring (header 256, slots at 256) */
SIZE(netmap_ring, 256);
OFF(netmap_ring, buf_ofs, 0);
OFF(netmap_ring, num_slots, 8);
OFF(netmap_ring, nr_buf_size, 12);
OFF(netmap_ring, ringid, 16);
OFF(netmap_ring, dir, 18);
OFF(netmap_ring, head, 20);
OFF(netmap_ring, cur, 24);
OFF(netmap_ring, tail, 28);
OFF(netmap_ring, flags, 32);
OFF(netmap_ring, ts, 40);
OFF(netmap_ring, offset_mask, 56);
OFF(netmap_ring, buf_align, 64);
OFF(netmap_ring, sem, 128);
OFF(netmap_ring, slot, 256);
_Static_assert(sizeof(((struct netmap_ring *)0)->ts) == 16, "ts");
_Static_assert(sizeof(((struct netmap_ring *)0)->sem) == 128, "sem");

/* struct netmap_if (header 56) */
SIZE(netmap_if, 56);
OFF(netmap_if, ni_name, 0);
OFF(netmap_if, ni_version, 16);
OFF(netmap_if, ni_flags, 20);
OFF(netmap_if, ni_tx_rings, 24);
OFF(netmap_if, ni_rx_rings, 28);
OFF(netmap_if, ni_bufs_head, 32);
OFF(netmap_if, ni_host_tx_rings, 36);
OFF(netmap_if, ni_host_rx_rings, 40);
OFF(netmap_if, ni_spare1, 44);
OFF(netmap_if, ring_ofs, 56);
_Static_assert(sizeof(((struct netmap_if *)0)->ring_ofs[0]) == 8, "ssize_t");

/* control API */
SIZE(nmreq_header, 88);
OFF(nmreq_header, nr_version, 0);
OFF(nmreq_header, nr_reqtype, 2);
OFF(nmreq_header, nr_reserved, 4);
OFF(nmreq_header, nr_name, 8);
OFF(nmreq_header, nr_options, 72);
OFF(nmreq_header, nr_body, 80);

SIZE(nmreq_option, 24);
OFF(nmreq_option, nro_next, 0);
OFF(nmreq_option, nro_reqtype, 8);
OFF(nmreq_option, nro_status, 12);
OFF(nmreq_option, nro_size, 16);

SIZE(nmreq_register, 56);
OFF(nmreq_register, nr_offset, 0);
OFF(nmreq_register, nr_memsize, 8);
OFF(nmreq_register, nr_tx_slots, 16);
OFF(nmreq_register, nr_rx_slots, 20);
OFF(nmreq_register, nr_tx_rings, 24);
OFF(nmreq_register, nr_rx_rings, 26);
OFF(nmreq_register, nr_host_tx_rings, 28);
OFF(nmreq_register, nr_host_rx_rings, 30);
OFF(nmreq_register, nr_mem_id, 32);
OFF(nmreq_register, nr_ringid, 34);
OFF(nmreq_register, nr_mode, 36);
OFF(nmreq_register, nr_extra_bufs, 40);
OFF(nmreq_register, nr_flags, 48);

SIZE(nmreq_port_info_get, 32);
OFF(nmreq_port_info_get, nr_memsize, 0);
OFF(nmreq_port_info_get, nr_tx_slots, 8);
OFF(nmreq_port_info_get, nr_rx_slots, 12);
OFF(nmreq_port_info_get, nr_tx_rings, 16);
OFF(nmreq_port_info_get, nr_rx_rings, 18);
OFF(nmreq_port_info_get, nr_host_tx_rings, 20);
OFF(nmreq_port_info_get, nr_host_rx_rings, 22);
OFF(nmreq_port_info_get, nr_mem_id, 24);

SIZE(nmreq_vale_attach, 64);
OFF(nmreq_vale_attach, reg, 0);
OFF(nmreq_vale_attach, port_index, 56);
SIZE(nmreq_vale_detach, 8);
OFF(nmreq_vale_detach, port_index, 0);
SIZE(nmreq_vale_list, 8);
OFF(nmreq_vale_list, nr_bridge_idx, 0);
OFF(nmreq_vale_list, nr_port_idx, 4);
SIZE(nmreq_port_hdr, 8);
OFF(nmreq_port_hdr, nr_hdr_len, 0);
SIZE(nmreq_vale_newif, 16);
OFF(nmreq_vale_newif, nr_tx_slots, 0);
OFF(nmreq_vale_newif, nr_rx_slots, 4);
OFF(nmreq_vale_newif, nr_tx_rings, 8);
OFF(nmreq_vale_newif, nr_rx_rings, 10);
OFF(nmreq_vale_newif, nr_mem_id, 12);
SIZE(nmreq_vale_polling, 16);
OFF(nmreq_vale_polling, nr_mode, 0);
OFF(nmreq_vale_polling, nr_first_cpu_id, 4);
OFF(nmreq_vale_polling, nr_num_polling_cpus, 8);

SIZE(nmreq_pools_info, 64);
OFF(nmreq_pools_info, nr_memsize, 0);
OFF(nmreq_pools_info, nr_mem_id, 8);
OFF(nmreq_pools_info, nr_if_pool_offset, 16);
OFF(nmreq_pools_info, nr_if_pool_objtotal, 24);
OFF(nmreq_pools_info, nr_if_pool_objsize, 28);
OFF(nmreq_pools_info, nr_ring_pool_offset, 32);
OFF(nmreq_pools_info, nr_ring_pool_objtotal, 40);
OFF(nmreq_pools_info, nr_ring_pool_objsize, 44);
OFF(nmreq_pools_info, nr_buf_pool_offset, 48);
OFF(nmreq_pools_info, nr_buf_pool_objtotal, 56);
OFF(nmreq_pools_info, nr_buf_pool_objsize, 60);

SIZE(nmreq_sync_kloop_start, 8);
OFF(nmreq_sync_kloop_start, sleep_us, 0);

/* options */
SIZE(nmreq_opt_extmem, 96);
OFF(nmreq_opt_extmem, nro_usrptr, 24);
OFF(nmreq_opt_extmem, nro_info, 32);
SIZE(nmreq_opt_sync_kloop_eventfds, 24);
OFF(nmreq_opt_sync_kloop_eventfds, eventfds, 24);
_Static_assert(sizeof(((struct nmreq_opt_sync_kloop_eventfds *)0)->eventfds[0]) == 8,
	       "eventfd pair");
SIZE(nmreq_opt_csb, 40);
OFF(nmreq_opt_csb, csb_atok, 24);
OFF(nmreq_opt_csb, csb_ktoa, 32);
SIZE(nmreq_opt_sync_kloop_mode, 32);
OFF(nmreq_opt_sync_kloop_mode, mode, 24);
SIZE(nmreq_opt_offsets, 56);
OFF(nmreq_opt_offsets, nro_max_offset, 24);
OFF(nmreq_opt_offsets, nro_initial_offset, 32);
OFF(nmreq_opt_offsets, nro_offset_bits, 40);
OFF(nmreq_opt_offsets, nro_tx_align, 44);
OFF(nmreq_opt_offsets, nro_min_gap, 48);

SIZE(nm_csb_atok, 64);
OFF(nm_csb_atok, head, 0);
OFF(nm_csb_atok, cur, 4);
OFF(nm_csb_atok, appl_need_kick, 8);
OFF(nm_csb_atok, sync_flags, 12);
SIZE(nm_csb_ktoa, 64);
OFF(nm_csb_ktoa, hwcur, 0);
OFF(nm_csb_ktoa, hwtail, 4);
OFF(nm_csb_ktoa, kern_need_kick, 8);

/* legacy struct nmreq (60) */
SIZE(nmreq, 60);
OFF(nmreq, nr_name, 0);
OFF(nmreq, nr_version, 16);
OFF(nmreq, nr_offset, 20);
OFF(nmreq, nr_memsize, 24);
OFF(nmreq, nr_tx_slots, 28);
OFF(nmreq, nr_rx_slots, 32);
OFF(nmreq, nr_tx_rings, 36);
OFF(nmreq, nr_rx_rings, 38);
OFF(nmreq, nr_ringid, 40);
OFF(nmreq, nr_cmd, 42);
OFF(nmreq, nr_arg1, 44);
OFF(nmreq, nr_arg2, 46);
OFF(nmreq, nr_arg3, 48);
OFF(nmreq, nr_flags, 52);
OFF(nmreq, spare2, 56);

/* constants */
_Static_assert(NETMAP_API == 14, "api");
_Static_assert(NIOCCTRL == 0xc0586997u, "NIOCCTRL");
_Static_assert(NIOCTXSYNC == 0x6994, "NIOCTXSYNC");
_Static_assert(NIOCRXSYNC == 0x6995, "NIOCRXSYNC");
_Static_assert(NIOCGINFO == 0xc03c6991u, "NIOCGINFO");
_Static_assert(NIOCREGIF == 0xc03c6992u, "NIOCREGIF");
_Static_assert(NS_BUF_CHANGED == 0x1 && NS_REPORT == 0x2 &&
	       NS_FORWARD == 0x4 && NS_NO_LEARN == 0x8 &&
	       NS_INDIRECT == 0x10 && NS_MOREFRAG == 0x20 &&
	       NS_TXMON == 0x40 && NETMAP_MAX_FRAGS == 64, "slot flags");
_Static_assert(NR_TIMESTAMP == 0x2 && NR_FORWARD == 0x4, "ring flags");
_Static_assert(NI_PRIV_MEM == 0x1, "ni_flags");
_Static_assert(NETMAP_REQ_REGISTER == 1 && NETMAP_REQ_PORT_INFO_GET == 2 &&
	       NETMAP_REQ_VALE_ATTACH == 3 && NETMAP_REQ_VALE_DETACH == 4 &&
	       NETMAP_REQ_VALE_LIST == 5 && NETMAP_REQ_PORT_HDR_SET == 6 &&
	       NETMAP_REQ_PORT_HDR_GET == 7 && NETMAP_REQ_VALE_NEWIF == 8 &&
	       NETMAP_REQ_VALE_DELIF == 9 &&
	       NETMAP_REQ_VALE_POLLING_ENABLE == 10 &&
	       NETMAP_REQ_VALE_POLLING_DISABLE == 11 &&
	       NETMAP_REQ_POOLS_INFO_GET == 12 &&
	       NETMAP_REQ_SYNC_KLOOP_START == 13 &&
	       NETMAP_REQ_SYNC_KLOOP_STOP == 14 &&
	       NETMAP_REQ_CSB_ENABLE == 15, "reqtypes");
_Static_assert(NETMAP_REQ_OPT_EXTMEM == 1 &&
	       NETMAP_REQ_OPT_SYNC_KLOOP_EVENTFDS == 2 &&
	       NETMAP_REQ_OPT_CSB == 3 && NETMAP_REQ_OPT_SYNC_KLOOP_MODE == 4 &&
	       NETMAP_REQ_OPT_OFFSETS == 5, "options");
_Static_assert(NM_OPT_SYNC_KLOOP_DIRECT_TX == 1 &&
	       NM_OPT_SYNC_KLOOP_DIRECT_RX == 2, "kloop mode");
_Static_assert(NR_REG_DEFAULT == 0 && NR_REG_ALL_NIC == 1 && NR_REG_SW == 2 &&
	       NR_REG_NIC_SW == 3 && NR_REG_ONE_NIC == 4 &&
	       NR_REG_PIPE_MASTER == 5 && NR_REG_PIPE_SLAVE == 6 &&
	       NR_REG_NULL == 7 && NR_REG_ONE_SW == 8, "modes");
_Static_assert(NR_MONITOR_TX == 0x100 && NR_MONITOR_RX == 0x200 &&
	       NR_ZCOPY_MON == 0x400 && NR_EXCLUSIVE == 0x800 &&
	       NR_RX_RINGS_ONLY == 0x2000 && NR_TX_RINGS_ONLY == 0x4000 &&
	       NR_ACCEPT_VNET_HDR == 0x8000 && NR_DO_RX_POLL == 0x10000 &&
	       NR_NO_TX_POLL == 0x20000, "nr_flags");
_Static_assert(NETMAP_HW_RING == 0x4000 && NETMAP_SW_RING == 0x2000 &&
	       NETMAP_NO_TX_POLL == 0x1000 && NETMAP_DO_RX_POLL == 0x8000 &&
	       NETMAP_RING_MASK == 0xfff && NR_REG_MASK == 0xf, "legacy bits");
_Static_assert(NETMAP_POLLING_MODE_SINGLE_CPU == 1 &&
	       NETMAP_POLLING_MODE_MULTI_CPU == 2, "polling modes");

/* The userspace helpers do the arithmetic netmap programs expect. */
TEST(abi_user_helpers)
{
	static uint64_t area[(4096 + 8 * 4096) / 8] __attribute__((aligned(128)));
	struct netmap_ring *r = (struct netmap_ring *)area;
	struct netmap_slot *s;
	struct netmap_if *nifp = (struct netmap_if *)&area[256];

	/* a fake ring of 8 slots with 1024-byte buffers after it */
	*(uint32_t *)&r->num_slots = 8;
	*(uint32_t *)&r->nr_buf_size = 1024;
	*(int64_t *)&r->buf_ofs = 4096;
	*(uint64_t *)&r->offset_mask = 0xff;
	s = &r->slot[3];
	s->buf_idx = 2;
	CHECK(NETMAP_BUF(r, 2) == (char *)r + 4096 + 2048);
	CHECK_EQ(NETMAP_BUF_IDX(r, NETMAP_BUF(r, 5)), 5);
	s->ptr = 0x1200 | 0x34;
	CHECK_EQ(NETMAP_ROFFSET(r, s), 0x34);
	NETMAP_WOFFSET(r, s, 0x56);
	CHECK_EQ(s->ptr, 0x1256);
	CHECK(NETMAP_BUF_OFFSET(r, s) == NETMAP_BUF(r, 2) + 0x56);

	CHECK_EQ(nm_ring_next(r, 6), 7);
	CHECK_EQ(nm_ring_next(r, 7), 0);
	r->head = r->cur = 6;
	*(uint32_t *)&r->tail = 2;
	CHECK_EQ(nm_ring_space(r), 4);
	CHECK(!nm_ring_empty(r));
	CHECK(nm_tx_pending(r));	/* tail + 1 != head */
	r->head = r->cur = 3;
	CHECK(!nm_tx_pending(r));
	r->head = 2;
	CHECK(nm_ring_empty(r));

	/* ring offsets: tx rings, host tx, rx rings, host rx */
	*(uint32_t *)&nifp->ni_tx_rings = 2;
	*(uint32_t *)&nifp->ni_host_tx_rings = 1;
	*(ssize_t *)&nifp->ring_ofs[0] = 100;
	*(ssize_t *)&nifp->ring_ofs[3] = 300;
	CHECK((char *)NETMAP_TXRING(nifp, 0) == (char *)nifp + 100);
	CHECK((char *)NETMAP_RXRING(nifp, 0) == (char *)nifp + 300);
	CHECK((char *)NETMAP_IF(nifp, 8) == (char *)nifp + 8);
}
