# SPDX-License-Identifier: BSD-2-Clause
"""netmap ABI (NETMAP_API 14) as seen from Python: constants, ctypes
structures for the control requests, byte offsets of the shared-memory
structures, and the ioctl numbers, all from include/net/netmap.h.

scenarios/test_abi.py compiles a small C program against the header and
checks every number here against the compiler's."""
import ctypes
import struct

NETMAP_API = 14

# ---- ioctl numbers (asm-generic/ioctl.h encoding) ------------------------
_IOC_NONE, _IOC_WRITE, _IOC_READ = 0, 1, 2


def _ioc(direction, typ, nr, size):
    return (direction << 30) | (size << 16) | (ord(typ) << 8) | nr


def _IO(typ, nr):
    return _ioc(_IOC_NONE, typ, nr, 0)


def _IOWR(typ, nr, size):
    return _ioc(_IOC_READ | _IOC_WRITE, typ, nr, size)


# ---- control requests ----------------------------------------------------
class nmreq_header(ctypes.Structure):
    _fields_ = [
        ("nr_version", ctypes.c_uint16),
        ("nr_reqtype", ctypes.c_uint16),
        ("nr_reserved", ctypes.c_uint32),
        ("nr_name", ctypes.c_char * 64),
        ("nr_options", ctypes.c_uint64),
        ("nr_body", ctypes.c_uint64),
    ]


class nmreq_option(ctypes.Structure):
    _fields_ = [
        ("nro_next", ctypes.c_uint64),
        ("nro_reqtype", ctypes.c_uint32),
        ("nro_status", ctypes.c_uint32),
        ("nro_size", ctypes.c_uint64),
    ]


class nmreq_register(ctypes.Structure):
    _fields_ = [
        ("nr_offset", ctypes.c_uint64),
        ("nr_memsize", ctypes.c_uint64),
        ("nr_tx_slots", ctypes.c_uint32),
        ("nr_rx_slots", ctypes.c_uint32),
        ("nr_tx_rings", ctypes.c_uint16),
        ("nr_rx_rings", ctypes.c_uint16),
        ("nr_host_tx_rings", ctypes.c_uint16),
        ("nr_host_rx_rings", ctypes.c_uint16),
        ("nr_mem_id", ctypes.c_uint16),
        ("nr_ringid", ctypes.c_uint16),
        ("nr_mode", ctypes.c_uint32),
        ("nr_extra_bufs", ctypes.c_uint32),
        ("nr_flags", ctypes.c_uint64),
    ]


class nmreq_opt_offsets(ctypes.Structure):
    _fields_ = [
        ("nro_opt", nmreq_option),
        ("nro_max_offset", ctypes.c_uint64),
        ("nro_initial_offset", ctypes.c_uint64),
        ("nro_offset_bits", ctypes.c_uint32),
        ("nro_tx_align", ctypes.c_uint32),
        ("nro_min_gap", ctypes.c_uint64),
    ]


class nmreq_pools_info(ctypes.Structure):
    _fields_ = [
        ("nr_memsize", ctypes.c_uint64),
        ("nr_mem_id", ctypes.c_uint16),
        ("pad1", ctypes.c_uint16 * 3),
        ("nr_if_pool_offset", ctypes.c_uint64),
        ("nr_if_pool_objtotal", ctypes.c_uint32),
        ("nr_if_pool_objsize", ctypes.c_uint32),
        ("nr_ring_pool_offset", ctypes.c_uint64),
        ("nr_ring_pool_objtotal", ctypes.c_uint32),
        ("nr_ring_pool_objsize", ctypes.c_uint32),
        ("nr_buf_pool_offset", ctypes.c_uint64),
        ("nr_buf_pool_objtotal", ctypes.c_uint32),
        ("nr_buf_pool_objsize", ctypes.c_uint32),
    ]


class pollfd(ctypes.Structure):
    _fields_ = [("fd", ctypes.c_int), ("events", ctypes.c_short),
                ("revents", ctypes.c_short)]


NIOCCTRL = _IOWR("i", 151, ctypes.sizeof(nmreq_header))
NIOCTXSYNC = _IO("i", 148)
NIOCRXSYNC = _IO("i", 149)

# request types
NETMAP_REQ_REGISTER = 1
NETMAP_REQ_PORT_INFO_GET = 2
NETMAP_REQ_POOLS_INFO_GET = 12
NETMAP_REQ_OPT_OFFSETS = 5

# nr_mode
NR_REG_ALL_NIC = 1
NR_REG_SW = 2
NR_REG_NIC_SW = 3
NR_REG_ONE_NIC = 4
NR_REG_NULL = 7
NR_REG_ONE_SW = 8
MODES = {"all_nic": NR_REG_ALL_NIC, "sw": NR_REG_SW,
         "nic_sw": NR_REG_NIC_SW, "one_nic": NR_REG_ONE_NIC,
         "null": NR_REG_NULL, "one_sw": NR_REG_ONE_SW}

# nr_flags
NR_MONITOR_TX = 0x100
NR_MONITOR_RX = 0x200
NR_ZCOPY_MON = 0x400
NR_EXCLUSIVE = 0x800
NR_RX_RINGS_ONLY = 0x2000
NR_TX_RINGS_ONLY = 0x4000
NR_NO_TX_POLL = 0x20000

# slot flags
NS_BUF_CHANGED = 0x1
NS_REPORT = 0x2
NS_FORWARD = 0x4
NS_NO_LEARN = 0x8
NS_INDIRECT = 0x10
NS_MOREFRAG = 0x20
NS_TXMON = 0x40
NS_LOW_MASK = 0xff          # the high byte counts fragments on VALE rx
NETMAP_MAX_FRAGS = 64

# ring flags
NR_TIMESTAMP = 0x2
NR_FORWARD = 0x4

# poll events
POLLIN, POLLOUT, POLLERR, POLLNVAL = 0x1, 0x4, 0x8, 0x20

# ---- shared memory: byte offsets -----------------------------------------
# struct netmap_if
IF_NAME, IF_VERSION, IF_FLAGS = 0, 16, 20
IF_TX_RINGS, IF_RX_RINGS, IF_BUFS_HEAD = 24, 28, 32
IF_HOST_TX_RINGS, IF_HOST_RX_RINGS = 36, 40
IF_RING_OFS = 56            # ssize_t ring_ofs[]
# struct netmap_ring
RING_BUF_OFS, RING_NUM_SLOTS, RING_BUF_SIZE = 0, 8, 12
RING_RINGID, RING_DIR = 16, 18
RING_HEAD, RING_CUR, RING_TAIL, RING_FLAGS = 20, 24, 28, 32
RING_TS = 40
RING_OFFSET_MASK, RING_BUF_ALIGN = 56, 64
RING_SLOTS = 256
# struct netmap_slot
SLOT_SIZE = 16
SLOT_BUF_IDX, SLOT_LEN, SLOT_FLAGS, SLOT_PTR = 0, 4, 6, 8
SLOT_FMT = struct.Struct("<IHHQ")
