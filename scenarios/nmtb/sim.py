# SPDX-License-Identifier: BSD-2-Clause
"""The sim backend: the nmtb core in this process, through ctypes on
libnmsim.so ($NMSIM_LIB, default build/libnmsim.so of this tree).

Rings are read and written through one memoryview of the port's mapping,
at byte offsets computed from the ABI (abi.py); control requests are ctypes
structures placed in a "user memory" arena this backend owns, so that
nmsim_user_restrict() can narrow user pointers to it and still let our own
requests through."""
import ctypes
import os

from . import abi
from .api import (Backend, FaultPoints, Missing, NetmapError, Nic, Port,
                  RingState, RxFrame, Slot, SlotState)

_HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LIB = os.path.join(_HERE, "..", "..", "build", "libnmsim.so")

_c = ctypes
_SIGS = {
    "nmsim_open": (_c.c_int, []),
    "nmsim_ioctl": (_c.c_int, [_c.c_int, _c.c_ulong, _c.c_void_p]),
    "nmsim_mmap": (_c.c_void_p, [_c.c_int, _c.c_size_t]),
    "nmsim_munmap": (_c.c_int, [_c.c_void_p, _c.c_size_t]),
    "nmsim_poll": (_c.c_int, [_c.c_void_p, _c.c_uint, _c.c_int]),
    "nmsim_close": (_c.c_int, [_c.c_int]),
    "nmsim_nic_create": (_c.c_int, [_c.c_char_p, _c.c_uint, _c.c_uint]),
    "nmsim_nic_destroy": (_c.c_int, [_c.c_char_p]),
    "nmsim_user_restrict": (None, [_c.c_void_p, _c.c_size_t]),
    "nmsim_fi_arm": (_c.c_int, [_c.c_char_p, _c.c_char_p]),
    "nmsim_fi_hits": (_c.c_longlong, [_c.c_char_p]),
    "nmsim_fi_name": (_c.c_char_p, [_c.c_uint]),
    "nmsim_fi_disarm_all": (None, []),
    "nmsim_param_set": (_c.c_int, [_c.c_char_p, _c.c_long]),
    "nmsim_param_get": (_c.c_int, [_c.c_char_p, _c.POINTER(_c.c_long)]),
    "nmsim_live_objects": (_c.c_long, []),
    "nmsim_ring_reinits": (_c.c_longlong, [_c.c_int, _c.c_int, _c.c_uint]),
    "nmsim_nic_stats": (_c.c_int, [_c.c_char_p, _c.c_void_p]),
    "nmsim_wire_inject": (_c.c_int, [_c.c_char_p, _c.c_uint, _c.c_char_p,
                                     _c.c_size_t]),
    "nmsim_wire_capture": (_c.c_long, [_c.c_char_p, _c.c_void_p,
                                       _c.c_size_t, _c.POINTER(_c.c_uint)]),
    "nmsim_nic_loopback": (_c.c_int, [_c.c_char_p, _c.c_int]),
    "nmsim_host_inject": (_c.c_int, [_c.c_char_p, _c.c_char_p, _c.c_size_t]),
    "nmsim_host_capture": (_c.c_long, [_c.c_char_p, _c.c_void_p,
                                       _c.c_size_t]),
    "nmsim_kring_state": (_c.c_int, [_c.c_int, _c.c_int, _c.c_uint,
                                     _c.c_void_p]),
    "nmsim_shutdown": (_c.c_long, []),
}

# struct nmsim_nic_stats, in order; builds without the wire API fill only
# the first four.
_STATS = ["tx_frames", "rx_frames", "rx_dropped", "host_tx_frames",
          "wire_dropped", "stack_rx_frames", "stack_rx_dropped",
          "host_rx_frames", "host_rx_dropped", "fwd_up_frames",
          "fwd_down_frames", "fwd_dropped"]


class _KringState(_c.Structure):
    _fields_ = [(n, _c.c_uint32) for n in
                ("num_slots", "hwcur", "hwtail", "rhead", "rcur", "rtail")]


class _Lib:
    """libnmsim with checked calls; a missing symbol raises Missing when
    used, so a scenario for a part not merged yet fails, naming it."""

    def __init__(self, path):
        self.path = path
        self.dll = _c.CDLL(path, use_errno=True)
        for name, (res, args) in _SIGS.items():
            fn = getattr(self.dll, name, None)
            if fn is not None:
                fn.restype, fn.argtypes = res, args

    def has(self, name):
        return hasattr(self.dll, name)

    def fn(self, name):
        f = getattr(self.dll, name, None)
        if f is None:
            raise Missing(name + "() in " + self.path)
        return f

    def call(self, name, *args):
        """Calls a -1/errno function; returns its result or raises."""
        r = self.fn(name)(*args)
        if r is not None and r < 0:
            raise NetmapError(_c.get_errno(), name)
        return r


def _b(s):
    return s.encode() if isinstance(s, str) else s


class _Arena:
    """Process memory handed out as "user memory": control requests and
    indirect buffers.  A bump allocator, reset with the backend."""
    SIZE = 4 << 20

    def __init__(self):
        self.buf = (_c.c_char * self.SIZE)()
        self.base = _c.addressof(self.buf)
        self.pos = 0

    def alloc(self, n, align=64):
        self.pos = (self.pos + align - 1) & ~(align - 1)
        if self.pos + n > self.SIZE:
            self.pos = 0        # wrap: old data is no longer needed
        off = self.pos
        self.pos += n
        return off

    def struct(self, cls):
        off = self.alloc(_c.sizeof(cls))
        _c.memset(self.base + off, 0, _c.sizeof(cls))
        return cls.from_buffer(self.buf, off)

    def put(self, data):
        off = self.alloc(max(len(data), 1))
        _c.memmove(self.base + off, data, len(data))
        return self.base + off


class SimPort(Port):
    def __init__(self, be, name, fd, reg, mem):
        self.be, self.name, self.fd = be, name, fd
        self.mem = mem
        self.info = {
            "offset": reg.nr_offset, "memsize": reg.nr_memsize,
            "tx_slots": reg.nr_tx_slots, "rx_slots": reg.nr_rx_slots,
            "tx_rings": reg.nr_tx_rings, "rx_rings": reg.nr_rx_rings,
            "host_tx_rings": reg.nr_host_tx_rings,
            "host_rx_rings": reg.nr_host_rx_rings,
            "mem_id": reg.nr_mem_id, "mode": reg.nr_mode,
            "flags": reg.nr_flags, "extra_bufs": reg.nr_extra_bufs,
        }
        nif = reg.nr_offset
        u32 = lambda o: int.from_bytes(mem[nif + o:nif + o + 4], "little")
        self.ni = {"tx": u32(abi.IF_TX_RINGS) + u32(abi.IF_HOST_TX_RINGS),
                   "rx": u32(abi.IF_RX_RINGS) + u32(abi.IF_HOST_RX_RINGS)}
        self.info["ni_flags"] = u32(abi.IF_FLAGS)
        self.info["bufs_head"] = u32(abi.IF_BUFS_HEAD)
        self.rings = {}
        for kind, first in (("tx", 0), ("rx", self.ni["tx"])):
            lst = []
            for i in range(self.ni[kind]):
                o = nif + abi.IF_RING_OFS + 8 * (first + i)
                ofs = int.from_bytes(mem[o:o + 8], "little", signed=True)
                lst.append(nif + ofs if ofs else None)
            self.rings[kind] = lst
        some = next((r for r in self.rings["rx"] + self.rings["tx"] if r),
                    None)
        self.info["buf_size"] = self._u32(some, abi.RING_BUF_SIZE) \
            if some is not None else 0
        self.closed = False

    # ---- raw access ----------------------------------------------------
    def _u32(self, base, o):
        return int.from_bytes(self.mem[base + o:base + o + 4], "little")

    def _set_u32(self, base, o, v):
        self.mem[base + o:base + o + 4] = (v & 0xffffffff).to_bytes(
            4, "little")

    def _u64(self, base, o):
        return int.from_bytes(self.mem[base + o:base + o + 8], "little")

    def _ring(self, kind, ring):
        self._alive()
        if kind not in self.rings:
            raise ValueError("ring kind is 'tx' or 'rx', not %r" % (kind,))
        lst = self.rings[kind]
        if ring < 0 or ring >= len(lst) or lst[ring] is None:
            raise NetmapError(22, "%s ring %d of %s is not bound"
                              % (kind, ring, self.name))
        return lst[ring]

    def _geom(self, r):
        return (self._u32(r, abi.RING_NUM_SLOTS),
                self._u32(r, abi.RING_BUF_SIZE),
                int.from_bytes(self.mem[r:r + 8], "little", signed=True),
                self._u64(r, abi.RING_OFFSET_MASK))

    def _buf(self, r, buf_ofs, bsize, idx):
        """Mapping offset of buffer idx, or None outside the mapping."""
        a = r + buf_ofs + idx * bsize
        return a if 0 <= a and a + bsize <= len(self.mem) else None

    def _alive(self):
        if self.closed:
            raise NetmapError(9, "port %s is closed" % self.name)

    # ---- data ----------------------------------------------------------
    def send(self, frames, ring=0, sync=True):
        r = self._ring("tx", ring)
        n, bsize, buf_ofs, mask = self._geom(r)
        mem = self.mem
        head = self._u32(r, abi.RING_HEAD)
        tail = self._u32(r, abi.RING_TAIL)
        room = (tail - head) % n if head < n and tail < n else 0
        sent = 0
        for f in frames:
            if sent >= room:
                break
            s = f if isinstance(f, Slot) else Slot(f)
            data = bytes(s.data)
            so = r + abi.RING_SLOTS + head * abi.SLOT_SIZE
            idx, _, _, ptr = abi.SLOT_FMT.unpack_from(mem, so)
            flags = s.flags
            if s.indirect is not False:
                flags |= abi.NS_INDIRECT
                if s.indirect is True:
                    ptr = self.be.arena.put(data)
                elif s.indirect == "outside":
                    ptr = self.be.outside(data)
                else:
                    ptr = int(s.indirect)
            else:
                off = ptr & mask
                if s.offset is not None:
                    off = s.offset
                    ptr = (ptr & ~mask) | (off & mask)
                a = self._buf(r, buf_ofs, bsize, idx)
                if a is not None and data:
                    end = min(off + len(data), bsize)
                    if end > off:
                        mem[a + off:a + end] = data[:end - off]
            if s.buf_idx is not None:
                idx = s.buf_idx
            ln = len(data) if s.len is None else s.len
            abi.SLOT_FMT.pack_into(mem, so, idx & 0xffffffff, ln & 0xffff,
                                   flags & 0xffff, ptr & (2**64 - 1))
            head = head + 1 if head + 1 < n else 0
            sent += 1
        self._set_u32(r, abi.RING_HEAD, head)
        self._set_u32(r, abi.RING_CUR, head)
        if sync:
            self.txsync()
        return sent

    def recv(self, max=None, ring=None, sync=True, chains=True,
             rx_offset=None, release=None):
        if sync:
            self.rxsync()
        rings = [ring] if ring is not None else self.bound("rx")
        out = []
        mem = self.mem
        for rn in rings:
            r = self._ring("rx", rn)
            n, bsize, buf_ofs, mask = self._geom(r)
            head = self._u32(r, abi.RING_HEAD)
            tail = self._u32(r, abi.RING_TAIL)
            if head >= n or tail >= n:
                continue
            i = head
            while i != tail and (max is None or len(out) < max):
                start, parts, fr = i, [], RxFrame(b"", rn, first_slot=i)
                complete = False
                while i != tail:
                    so = r + abi.RING_SLOTS + i * abi.SLOT_SIZE
                    idx, ln, fl, ptr = abi.SLOT_FMT.unpack_from(mem, so)
                    off = ptr & mask
                    a = self._buf(r, buf_ofs, bsize, idx)
                    if a is not None and off + ln <= bsize:
                        parts.append(bytes(mem[a + off:a + off + ln]))
                    else:
                        parts.append(b"")
                    fr.flags.append(fl)
                    fr.lens.append(ln)
                    fr.offsets.append(off)
                    if rx_offset is not None:
                        abi.SLOT_FMT.pack_into(
                            mem, so, idx, ln, fl,
                            (ptr & ~mask) | (rx_offset & mask))
                    i = i + 1 if i + 1 < n else 0
                    if not chains or not fl & abi.NS_MOREFRAG:
                        complete = True
                        break
                if not complete:
                    i = start   # an unfinished chain stays in the ring
                    break
                fr.data = b"".join(parts)
                out.append(fr)
            self._set_u32(r, abi.RING_HEAD, i)
            self._set_u32(r, abi.RING_CUR, i)
        if out and (sync if release is None else release):
            self.rxsync()
        return out

    def _sync(self, cmd, what):
        self._alive()
        if self.be.lib.fn("nmsim_ioctl")(self.fd, cmd, None) < 0:
            raise NetmapError(_c.get_errno(), what)

    def txsync(self):
        self._sync(abi.NIOCTXSYNC, "NIOCTXSYNC")

    def rxsync(self):
        self._sync(abi.NIOCRXSYNC, "NIOCRXSYNC")

    # ---- ring and slot state -------------------------------------------
    def ring_state(self, kind, ring=0):
        r = self._ring(kind, ring)
        n, bsize, _, mask = self._geom(r)
        st = RingState(kind, ring, n, bsize,
                       self._u32(r, abi.RING_HEAD),
                       self._u32(r, abi.RING_CUR),
                       self._u32(r, abi.RING_TAIL),
                       self._u32(r, abi.RING_FLAGS), mask,
                       self._u64(r, abi.RING_BUF_ALIGN),
                       int.from_bytes(self.mem[r + abi.RING_DIR:
                                               r + abi.RING_DIR + 2],
                                      "little"))
        if self.be.lib.has("nmsim_kring_state"):
            ks = _KringState()
            if self.be.lib.fn("nmsim_kring_state")(
                    self.fd, 0 if kind == "tx" else 1, ring,
                    _c.byref(ks)) == 0:
                st.hwcur, st.hwtail = ks.hwcur, ks.hwtail
        return st

    def set_ring(self, kind, ring=0, head=None, cur=None, tail=None,
                 flags=None):
        r = self._ring(kind, ring)
        for o, v in ((abi.RING_HEAD, head), (abi.RING_CUR, cur),
                     (abi.RING_TAIL, tail), (abi.RING_FLAGS, flags)):
            if v is not None:
                self._set_u32(r, o, v)

    def slot(self, kind, ring, i):
        r = self._ring(kind, ring)
        n, _, _, mask = self._geom(r)
        idx, ln, fl, ptr = abi.SLOT_FMT.unpack_from(
            self.mem, r + abi.RING_SLOTS + (i % n) * abi.SLOT_SIZE)
        return SlotState(idx, ln, fl, ptr, ptr & mask)

    def set_slot(self, kind, ring, i, buf_idx=None, len=None, flags=None,
                 ptr=None, offset=None, data=None):
        r = self._ring(kind, ring)
        n, bsize, buf_ofs, mask = self._geom(r)
        so = r + abi.RING_SLOTS + (i % n) * abi.SLOT_SIZE
        idx, ln, fl, p = abi.SLOT_FMT.unpack_from(self.mem, so)
        if data is not None:
            a = self._buf(r, buf_ofs, bsize, idx)
            data = bytes(data)
            off = (p & mask) if offset is None else offset
            self.mem[a + off:a + off + builtins_len(data)] = data
            ln = builtins_len(data)
        idx = idx if buf_idx is None else buf_idx
        ln = ln if len is None else len
        fl = fl if flags is None else flags
        p = p if ptr is None else ptr
        if offset is not None:
            p = (p & ~mask) | (offset & mask)
        abi.SLOT_FMT.pack_into(self.mem, so, idx & 0xffffffff, ln & 0xffff,
                               fl & 0xffff, p & (2**64 - 1))

    def reinits(self, kind, ring=0):
        self._alive()
        return self.be.lib.call("nmsim_ring_reinits", self.fd,
                                0 if kind == "tx" else 1, ring)

    def bound(self, kind):
        self._alive()
        return [i for i, r in enumerate(self.rings[kind]) if r is not None]

    def poll(self, events, timeout_ms=0):
        return self.be.poll([(self, events)], timeout_ms)[0]

    def close(self):
        if self.closed:
            return
        self.closed = True
        self.be._forget(self)
        if self.mem is not None:
            self.mem.release()
            self.mem = None
        self.be.lib.call("nmsim_munmap", self.addr, self.size)
        self.be.lib.call("nmsim_close", self.fd)

    def _invalidate(self):
        """The sim went away under us: forget the mapping, touch nothing."""
        self.closed = True
        if self.mem is not None:
            self.mem.release()
            self.mem = None


builtins_len = len


class SimNic(Nic):
    def __init__(self, be, name):
        self.be, self.name = be, name
        self._n = _b(name)

    def inject(self, ring, frame):
        data = bytes(frame)
        self.be.lib.call("nmsim_wire_inject", self._n, ring, data, len(data))

    def capture(self):
        out = []
        buf = _c.create_string_buffer(65536)
        ring = _c.c_uint(0)
        while True:
            n = self.be.lib.call("nmsim_wire_capture", self._n, buf,
                                 len(buf), _c.byref(ring))
            if n == 0:
                return out
            out.append((ring.value, buf.raw[:n]))

    def loopback(self, on):
        self.be.lib.call("nmsim_nic_loopback", self._n, 1 if on else 0)

    def host_inject(self, frame):
        data = bytes(frame)
        self.be.lib.call("nmsim_host_inject", self._n, data, len(data))

    def host_capture(self):
        out = []
        buf = _c.create_string_buffer(65536)
        while True:
            n = self.be.lib.call("nmsim_host_capture", self._n, buf,
                                 len(buf))
            if n == 0:
                return out
            out.append(buf.raw[:n])

    def stats(self):
        raw = (_c.c_uint64 * 32)()
        self.be.lib.call("nmsim_nic_stats", self._n, raw)
        k = len(_STATS) if self.be.has("wire") else 4
        return {name: raw[i] for i, name in enumerate(_STATS[:k])}

    def destroy(self):
        self.be.lib.call("nmsim_nic_destroy", self._n)


class SimFaultPoints(FaultPoints):
    def __init__(self, be):
        self.be = be

    def arm(self, name, spec):
        self.be.lib.call("nmsim_fi_arm", _b(name), _b(spec))

    def hits(self, name):
        return self.be.lib.call("nmsim_fi_hits", _b(name))

    def names(self):
        out, i = [], 0
        f = self.be.lib.fn("nmsim_fi_name")
        while True:
            n = f(i)
            if not n:
                return out
            out.append(n.decode())
            i += 1

    def disarm_all(self):
        self.be.lib.fn("nmsim_fi_disarm_all")()


class SimBackend(Backend):
    name = "sim"

    def __init__(self, lib=None):
        path = lib or os.environ.get("NMSIM_LIB") or DEFAULT_LIB
        self.lib = _Lib(os.path.abspath(path))
        self.fi = SimFaultPoints(self)
        self.arena = _Arena()
        self._outside = []
        self.ports = []
        self.restricted = False

    def has(self, feature):
        sym = {"wire": "nmsim_wire_inject", "host": "nmsim_host_inject",
               "kring_state": "nmsim_kring_state"}[feature]
        return self.lib.has(sym)

    def nic(self, name, rings=1, slots=1024):
        self.lib.call("nmsim_nic_create", _b(name), rings, slots)
        return SimNic(self, name)

    def _ctrl(self, fd, name, reqtype, body, options=None):
        hdr = self.arena.struct(abi.nmreq_header)
        hdr.nr_version = abi.NETMAP_API
        hdr.nr_reqtype = reqtype
        hdr.nr_name = _b(name)
        hdr.nr_body = _c.addressof(body) if body is not None else 0
        hdr.nr_options = _c.addressof(options) if options is not None else 0
        if self.lib.fn("nmsim_ioctl")(fd, abi.NIOCCTRL,
                                      _c.addressof(hdr)) < 0:
            return _c.get_errno()
        return 0

    def open(self, name, mode="all_nic", ringid=0, flags=0, tx_slots=0,
             rx_slots=0, tx_rings=0, rx_rings=0, host_tx_rings=0,
             host_rx_rings=0, mem_id=0, extra_bufs=0, offsets=None):
        reg = self.arena.struct(abi.nmreq_register)
        reg.nr_mode = abi.MODES[mode] if isinstance(mode, str) else mode
        reg.nr_ringid, reg.nr_flags = ringid, flags
        reg.nr_tx_slots, reg.nr_rx_slots = tx_slots, rx_slots
        reg.nr_tx_rings, reg.nr_rx_rings = tx_rings, rx_rings
        reg.nr_host_tx_rings, reg.nr_host_rx_rings = (host_tx_rings,
                                                      host_rx_rings)
        reg.nr_mem_id, reg.nr_extra_bufs = mem_id, extra_bufs
        opt = None
        if offsets is not None:
            opt = self.arena.struct(abi.nmreq_opt_offsets)
            opt.nro_opt.nro_reqtype = abi.NETMAP_REQ_OPT_OFFSETS
            opt.nro_opt.nro_size = _c.sizeof(opt)
            opt.nro_max_offset = offsets.get("max_offset", 0)
            opt.nro_initial_offset = offsets.get("initial_offset", 0)
            opt.nro_offset_bits = offsets.get("bits", 0)
            opt.nro_tx_align = offsets.get("tx_align", 0)
            opt.nro_min_gap = offsets.get("min_gap", 0)
        fd = self.lib.call("nmsim_open")
        err = self._ctrl(fd, name, abi.NETMAP_REQ_REGISTER, reg, opt)
        if err:
            self.lib.fn("nmsim_close")(fd)
            e = NetmapError(err, "REGISTER %s" % name)
            e.option_status = opt.nro_opt.nro_status if opt else None
            raise e
        addr = self.lib.fn("nmsim_mmap")(fd, reg.nr_memsize)
        if addr is None or addr == 2**64 - 1:
            err = _c.get_errno()
            self.lib.fn("nmsim_close")(fd)
            raise NetmapError(err, "mmap %s" % name)
        mem = memoryview((_c.c_char * reg.nr_memsize).from_address(addr)
                         ).cast("B")
        p = SimPort(self, name, fd, reg, mem)
        p.addr, p.size = addr, reg.nr_memsize
        p.option_status = opt.nro_opt.nro_status if opt else None
        self.ports.append(p)
        return p

    def _forget(self, port):
        if port in self.ports:
            self.ports.remove(port)

    def pools_info(self, port_or_mem_id):
        mem_id = port_or_mem_id.info["mem_id"] \
            if isinstance(port_or_mem_id, Port) else port_or_mem_id
        pi = self.arena.struct(abi.nmreq_pools_info)
        pi.nr_mem_id = mem_id
        fd = self.lib.call("nmsim_open")
        try:
            err = self._ctrl(fd, "", abi.NETMAP_REQ_POOLS_INFO_GET, pi)
        finally:
            self.lib.fn("nmsim_close")(fd)
        if err:
            raise NetmapError(err, "POOLS_INFO_GET")
        return {k[3:]: getattr(pi, k) for k, _ in pi._fields_
                if k.startswith("nr_")}

    def poll(self, items, timeout_ms=0):
        arr = (abi.pollfd * len(items))()
        for k, (port, ev) in enumerate(items):
            arr[k].fd, arr[k].events = port.fd, ev
        self.lib.call("nmsim_poll", arr, len(items), timeout_ms)
        return [arr[k].revents for k in range(len(items))]

    def param_set(self, name, value):
        self.lib.call("nmsim_param_set", _b(name), value)

    def param_get(self, name):
        v = _c.c_long()
        self.lib.call("nmsim_param_get", _b(name), _c.byref(v))
        return v.value

    def outside(self, data):
        """Process memory outside the arena, kept alive until reset."""
        b = _c.create_string_buffer(bytes(data), max(len(data), 1))
        self._outside.append(b)
        return _c.addressof(b)

    def restrict_user_memory(self, on=True):
        if on:
            self.lib.fn("nmsim_user_restrict")(self.arena.base,
                                               self.arena.SIZE)
        else:
            self.lib.fn("nmsim_user_restrict")(None, 0)
        self.restricted = on

    def live_objects(self):
        return self.lib.fn("nmsim_live_objects")()

    def reset(self):
        for p in list(self.ports):
            p._invalidate()
        self.ports = []
        self.restrict_user_memory(False)
        self._outside = []
        self.arena.pos = 0
        return self.lib.fn("nmsim_shutdown")()
