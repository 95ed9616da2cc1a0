# SPDX-License-Identifier: BSD-2-Clause
"""The backend-neutral nmtb API.

Scenarios talk to these classes only.  Every call is coarse-grained and its
arguments and results are plain data (ints, bytes, lists, small records),
so a backend may run it in-process (sim, over ctypes) or ship it to a guest
agent as one JSON request (qemu).  No pointer into netmap memory ever
reaches a scenario: rings and slots are read and written through the port.

Ring numbering follows the kernel's krings: for kind "tx" or "rx", ring i
below the NIC ring count is NIC ring i, and the host rings come after them
(Port.host_ring(kind) gives the first one).
"""
import errno as _errno
import os as _os
from dataclasses import dataclass, field
from typing import List, Optional

from . import abi


class NetmapError(OSError):
    """A netmap call failed with an errno."""

    def __init__(self, err, what=""):
        super().__init__(err, "%s: %s" % (what, _os.strerror(err)) if what
                         else _os.strerror(err))


class BackendUnavailable(RuntimeError):
    """The backend exists in name only (or cannot be loaded)."""


class Missing(NetmapError):
    """The backend lacks the feature (e.g. a sim built without it)."""

    def __init__(self, what):
        super().__init__(_errno.ENOSYS, "%s: not available in this build"
                         % what)


@dataclass
class Slot:
    """A frame (or one fragment of one) to put in a tx slot.

    data      bytes, or anything bytes() accepts (a scapy packet)
    flags     NS_* flags of the slot (NS_MOREFRAG for all but the last
              fragment of a chain)
    offset    buffer offset to write the data at (ports with offsets);
              None keeps the offset the slot has
    buf_idx   replaces the slot's buffer index after the data is written
              (malformed-slot scenarios)
    len       replaces the slot's length (default: len(data))
    indirect  NS_INDIRECT: True puts data in user memory and the slot
              points there; "outside" puts it in process memory outside
              the range user pointers are restricted to; an int is a raw
              user address (bad-pointer scenarios)
    """
    data: object = b""
    flags: int = 0
    offset: Optional[int] = None
    buf_idx: Optional[int] = None
    len: Optional[int] = None
    indirect: object = False


@dataclass
class RxFrame:
    """A received frame: a whole NS_MOREFRAG chain unless asked otherwise."""
    data: bytes
    ring: int
    flags: List[int] = field(default_factory=list)    # per slot
    lens: List[int] = field(default_factory=list)     # per slot
    offsets: List[int] = field(default_factory=list)  # per slot
    first_slot: int = 0

    @property
    def nslots(self):
        return len(self.lens)


@dataclass
class RingState:
    kind: str
    ring: int
    num_slots: int
    buf_size: int
    head: int
    cur: int
    tail: int
    flags: int
    offset_mask: int
    buf_align: int
    dir: int
    hwcur: Optional[int] = None     # the kernel's view, when the backend
    hwtail: Optional[int] = None    # can show it

    @property
    def space(self):
        """Slots the user owns: tail - head, mod num_slots."""
        return (self.tail - self.head) % self.num_slots


@dataclass
class SlotState:
    buf_idx: int
    len: int
    flags: int
    ptr: int
    offset: int


def frags(data, sizes, flags=0):
    """Slots carrying data as a chain of fragments of the given sizes."""
    data = bytes(data)
    assert sum(sizes) == len(data), "fragment sizes must add up"
    out, pos = [], 0
    for k, s in enumerate(sizes):
        more = abi.NS_MOREFRAG if k + 1 < len(sizes) else 0
        out.append(Slot(data[pos:pos + s], flags=flags | more))
        pos += s
    return out


class Port:
    """A registered port.  Implemented by each backend."""
    name = None
    info = None     # dict: the REGISTER reply, plus buf_size

    def send(self, frames, ring=0, sync=True):
        """Puts frames (bytes, scapy packets or Slots) at head of tx ring
        `ring`, advances head and cur past them and, if sync, issues
        NIOCTXSYNC.  Returns how many slots were filled (stops when the
        ring is full)."""
        raise NotImplementedError

    def recv(self, max=None, ring=None, sync=True, chains=True,
             rx_offset=None, release=None):
        """NIOCRXSYNC (if sync), then takes up to `max` frames from the rx
        ring(s) (all bound ones when ring is None), releasing their slots:
        head/cur advance, and with release (default: same as sync) another
        NIOCRXSYNC hands them back to the kernel at once.
        chains=True merges NS_MOREFRAG chains (an unfinished chain at tail
        is left in the ring); rx_offset sets the offset of released slots."""
        raise NotImplementedError

    def txsync(self):
        raise NotImplementedError

    def rxsync(self):
        raise NotImplementedError

    def ring_state(self, kind, ring=0):
        raise NotImplementedError

    def set_ring(self, kind, ring=0, head=None, cur=None, tail=None,
                 flags=None):
        """Writes ring fields as a (possibly hostile) user would."""
        raise NotImplementedError

    def slot(self, kind, ring, i):
        raise NotImplementedError

    def set_slot(self, kind, ring, i, buf_idx=None, len=None, flags=None,
                 ptr=None, offset=None, data=None):
        raise NotImplementedError

    def reinits(self, kind, ring=0):
        """Times the kernel reinitialised that ring."""
        raise NotImplementedError

    def bound(self, kind):
        """Indices of the rings of that kind bound to this port."""
        raise NotImplementedError

    def host_ring(self, kind):
        """Index of the first host ring of that kind."""
        return self.info["tx_rings" if kind == "tx" else "rx_rings"]

    def poll(self, events, timeout_ms=0):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()


class Nic:
    """A (simulated or emulated) NIC: its wire and its host stack."""
    name = None

    def inject(self, ring, frame):
        """A frame arrives off the cable on rx ring `ring`."""
        raise NotImplementedError

    def capture(self):
        """Everything transmitted since the last call: [(tx ring, bytes)]."""
        raise NotImplementedError

    def loopback(self, on):
        raise NotImplementedError

    def host_inject(self, frame):
        """The host stack sends a frame."""
        raise NotImplementedError

    def host_capture(self):
        """Everything the host stack received since the last call."""
        raise NotImplementedError

    def stats(self):
        raise NotImplementedError

    def destroy(self):
        raise NotImplementedError


class FaultPoints:
    def arm(self, name, spec):
        raise NotImplementedError

    def hits(self, name):
        raise NotImplementedError

    def names(self):
        raise NotImplementedError

    def disarm_all(self):
        raise NotImplementedError


class Backend:
    """One netmap instance: the sim library, or a guest's kernel."""
    name = None
    fi = None       # FaultPoints

    def nic(self, name, rings=1, slots=1024):
        """Creates (sim) or finds (qemu) a NIC; returns a Nic."""
        raise NotImplementedError

    def open(self, name, mode="all_nic", ringid=0, flags=0, tx_slots=0,
             rx_slots=0, tx_rings=0, rx_rings=0, host_tx_rings=0,
             host_rx_rings=0, mem_id=0, extra_bufs=0, offsets=None):
        """Registers a port and maps it.  offsets: dict with max_offset,
        initial_offset, bits, tx_align, min_gap (the OFFSETS option).
        Raises NetmapError; e.option_status holds the option's status."""
        raise NotImplementedError

    def pools_info(self, port_or_mem_id):
        raise NotImplementedError

    def poll(self, items, timeout_ms=0):
        """items: [(port, events)] -> [revents]"""
        raise NotImplementedError

    def param_set(self, name, value):
        raise NotImplementedError

    def param_get(self, name):
        raise NotImplementedError

    def restrict_user_memory(self, on=True):
        """Limits user pointers (indirect buffers, requests) to memory the
        backend handed out for them."""
        raise NotImplementedError

    def reset(self):
        """Tears everything down; returns the kernel objects still alive
        (0: nothing leaked)."""
        raise NotImplementedError

    def live_objects(self):
        raise NotImplementedError

    def has(self, feature):
        """Whether the backend build has a feature ("wire", "host",
        "kring_state"); scenarios must not skip on it, only explain."""
        raise NotImplementedError
