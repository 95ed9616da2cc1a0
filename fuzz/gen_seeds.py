#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Writes the seed corpora of the control-ABI fuzz targets.

    /usr/bin/python3 fuzz/gen_seeds.py fuzz/corpus

Deterministic: the same files every time.  The encodings follow the input
formats described at the top of fuzz/nmreq.c and fuzz/legacy.c; keep the
two in step.  Each seed is named after what it exercises.
"""

import os
import struct
import sys

API = 14
ARENA_ADDR = 0x2a0000000000
ARENA_SIZE = 8 * 1024
HDR_OFS = 0x100
PLACE_OFS = 0x200
OPT_HDR = 24
MAXSIZE = 4096

# request types
REGISTER, PORT_INFO_GET, VALE_ATTACH, VALE_DETACH, VALE_LIST = 1, 2, 3, 4, 5
PORT_HDR_SET, PORT_HDR_GET, VALE_NEWIF, VALE_DELIF = 6, 7, 8, 9
POLLING_ENABLE, POLLING_DISABLE, POOLS_INFO_GET = 10, 11, 12
KLOOP_START, KLOOP_STOP, CSB_ENABLE = 13, 14, 15
BODY_SIZES = {1: 56, 2: 32, 3: 64, 4: 8, 5: 8, 6: 8, 7: 8, 8: 16, 9: 0,
              10: 16, 11: 16, 12: 64, 13: 8, 14: 0, 15: 0}

# option types and whole sizes (0: variable)
EXTMEM, EVENTFDS, CSB, KLOOP_MODE, OFFSETS = 1, 2, 3, 4, 5
OPT_SIZES = {1: 96, 2: 0, 3: 40, 4: 32, 5: 56}

# nr_mode and nr_flags
ALL_NIC, SW, NIC_SW, ONE_NIC, PIPE_MASTER, PIPE_SLAVE, NULL, ONE_SW = \
    1, 2, 3, 4, 5, 6, 7, 8
MONITOR_TX, MONITOR_RX, ZCOPY_MON, EXCLUSIVE = 0x100, 0x200, 0x400, 0x800
PTNETMAP_GUEST, RX_RINGS_ONLY, TX_RINGS_ONLY = 0x1000, 0x2000, 0x4000
ACCEPT_VNET_HDR, DO_RX_POLL, NO_TX_POLL = 0x8000, 0x10000, 0x20000

# indices of fz_names[] in fuzz/fz_common.c
N_SIM0, N_SIM1, N_SIM2, N_EMPTY, N_SIM3, N_ETH0, N_VALE, N_VALE2 = range(8)
N_PIPE_M, N_PIPE_S, N_NETMAP, N_CARET, N_SIM, N_SIM00, N_DASH = range(8, 15)
N_LONG15, N_LONG63 = 15, 16

# op kinds
TXSYNC, RXSYNC, POLL, CLOSE = 4, 5, 6, 7
POLLIN, POLLOUT = 1, 2   # harness encoding, not the poll.h values


def u8(v):
    return struct.pack('<B', v & 0xff)


def u16(v):
    return struct.pack('<H', v & 0xffff)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def name_sel(name):
    """An index into fz_names, ('len', bytes) or ('raw', bytes)."""
    if isinstance(name, int):
        return u8(name)
    kind, data = name
    if kind == 'len':
        return u8(0xf0) + u8(len(data)) + data
    return u8(0xff) + data


VALIDATE = 0x10   # data op bit: map and check the registration first


def data_op(kind, fd=0, events=None, validate=False):
    out = u8(kind | fd << 3 | (VALIDATE if validate else 0))
    if kind == POLL:
        out += u8(events if events is not None else POLLIN | POLLOUT)
    return out


# ---------------------------------------------------------------- nmreq

def reg_body(mode=ALL_NIC, ringid=0, flags=0, mem_id=0, tx_slots=0,
             rx_slots=0, tx_rings=0, rx_rings=0, host_tx=0, host_rx=0,
             extra=0):
    return (u64(0) + u64(0) + u32(tx_slots) + u32(rx_slots) + u16(tx_rings) +
            u16(rx_rings) + u16(host_tx) + u16(host_rx) + u16(mem_id) +
            u16(ringid) + u32(mode) + u32(extra) + u32(0) + u64(flags))


def offsets_body(max_offset=0, initial=0, bits=0, align=0, gap=0):
    return u64(max_offset) + u64(initial) + u32(bits) + u32(align) + u64(gap)


class Opt:
    """One option descriptor of the nmreq encoding.

    type: 0..5, or ('u8', n) for 6 + n, or ('raw', v) for a raw u32;
    size: 'natural', ('delta', d), ('raw', v), 'hdr';
    link: 'next', 'end', ('back', i), ('raw', v), ('ofs', n), 'skip';
    units: eventfd pairs, or 8-byte body units of other types.
    """

    def __init__(self, type, size='natural', link='next', status=0,
                 content=b'', units=0):
        self.type, self.size, self.link = type, size, link
        self.status, self.content, self.units = status, content, units

    def real_type(self):
        if isinstance(self.type, tuple):
            return 6 + self.type[1] if self.type[0] == 'u8' else self.type[1]
        return self.type

    def encode(self, i):
        t = self.type
        tbits = t if isinstance(t, int) else (6 if t[0] == 'u8' else 7)
        sbits = {'natural': 0, 'raw': 1, 'delta': 2, 'hdr': 3}[
            self.size if isinstance(self.size, str) else self.size[0]]
        lk = self.link if isinstance(self.link, str) else self.link[0]
        lbits = {'next': 0, 'end': 1, 'back': 2, 'raw': 3, 'ofs': 4,
                 'skip': 5}[lk]
        out = u8(tbits | sbits << 3 | lbits << 5)
        if tbits == 6:
            out += u8(t[1])
        elif tbits == 7:
            out += u32(t[1])
        rt = self.real_type()
        if sbits in (0, 2):
            if rt == EVENTFDS:
                out += u8(self.units)
                size = OPT_HDR + 8 * (self.units & 15)
            elif 0 < rt < 6:
                size = OPT_SIZES[rt]
            else:
                out += u8(self.units)
                size = OPT_HDR + 8 * (self.units & 7)
            if sbits == 2:
                out += u8(self.size[1])
                size += self.size[1]
        elif sbits == 1:
            out += u64(self.size[1])
            size = self.size[1]
        else:
            size = OPT_HDR
        if lbits == 2:
            out += u8(self.link[1])
        elif lbits == 3:
            out += u64(self.link[1])
        elif lbits == 4:
            out += u16(self.link[1])
        placed = size if OPT_HDR <= size <= MAXSIZE else OPT_HDR
        content = self.content[:min(255, placed - OPT_HDR)]
        out += u8(self.status) + u8(len(content)) + content
        self.placed = placed
        return out


def ctrl(rt, name=N_SIM0, body=None, opts=(), fd=0, hdr=None, version=None,
         reserved=None, bodyptr=None, force_body=False, optptr=None, pad=0):
    """One NIOCCTRL operation.

    hdr: None (HDR_OFS), ('ofs', n), ('raw', v), ('end', k);
    version: None (14), 15, ('raw', v), 13;
    body: the body bytes for the automatic placement (padded/cut to size);
    bodyptr: None (automatic), 'none', ('ofs', n), ('raw', v);
    optptr: None (first option), 'zero', ('ofs', n), ('raw', v).
    """
    hmode, harg = 0, b''
    if hdr is not None:
        hmode = {'ofs': 1, 'raw': 2, 'end': 3}[hdr[0]]
        harg = {'ofs': u16, 'raw': u64, 'end': u8}[hdr[0]](hdr[1])
    vbits, varg = 0, b''
    if version == 15:
        vbits = 1
    elif version == 13:
        vbits = 3
    elif version is not None:
        vbits, varg = 2, u16(version[1])
    rarg = b'' if reserved is None else u32(reserved)
    hsel = hmode | vbits << 2 | (reserved is not None) << 4 | (pad & 7) << 5
    out = u8(0 | fd << 3) + u8(hsel) + harg + varg + rarg + u16(rt)
    out += name_sel(name)

    if bodyptr is None:
        bmode = 0
    else:
        bmode = {'none': 1, 'ofs': 2, 'raw': 3}[
            bodyptr if isinstance(bodyptr, str) else bodyptr[0]]
    if optptr is None:
        omode = 0
    else:
        omode = {'zero': 1, 'ofs': 2, 'raw': 3}[
            optptr if isinstance(optptr, str) else optptr[0]]
    out += u8(bmode | force_body << 2 | omode << 3)
    cur = PLACE_OFS + (pad & 7)
    if bmode == 0:
        blen = BODY_SIZES.get(rt, 0)
        if not blen and force_body:
            blen = 64
        if blen:
            b = (body or b'')[:blen]
            out += b + bytes(blen - len(b))
            cur += (blen + 7) & ~7
    elif bmode == 2:
        out += u16(bodyptr[1])
    elif bmode == 3:
        out += u64(bodyptr[1])

    out += u8(len(opts))
    for i, o in enumerate(opts):
        out += o.encode(i)
        cur += (o.placed + 7) & ~7
    assert cur <= ARENA_SIZE, 'options do not fit the arena'
    if omode == 2:
        out += u16(optptr[1])
    elif omode == 3:
        out += u64(optptr[1])
    return out


def nmreq_seeds():
    s = {}

    def reg(mode=ALL_NIC, name=N_SIM0, opts=(), fd=0, **kw):
        ckw = {k: kw.pop(k) for k in ('optptr', 'pad', 'reserved', 'hdr',
                                      'version', 'bodyptr') if k in kw}
        return ctrl(REGISTER, name, reg_body(mode=mode, **kw), opts, fd=fd,
                    **ckw)

    # REGISTER: every mode, on each NIC
    modes = {'default': 0, 'allnic': ALL_NIC, 'sw': SW, 'nicsw': NIC_SW,
             'onenic': ONE_NIC, 'pipem': PIPE_MASTER, 'pipes': PIPE_SLAVE,
             'onesw': ONE_SW, 'bad9': 9}
    for mname, m in modes.items():
        s['reg-sim0-' + mname] = reg(m)
    s['reg-sim1-allnic'] = reg(ALL_NIC, N_SIM1)
    s['reg-sim1-onenic1'] = reg(ONE_NIC, N_SIM1, ringid=1)
    s['reg-sim1-nicsw'] = reg(NIC_SW, N_SIM1)
    s['reg-sim2-onenic3'] = reg(ONE_NIC, N_SIM2, ringid=3)
    s['reg-sim2-onenic4'] = reg(ONE_NIC, N_SIM2, ringid=4)
    s['reg-sim2-onesw0'] = reg(ONE_SW, N_SIM2)
    s['reg-sim0-onesw1'] = reg(ONE_SW, ringid=1)
    s['reg-sim0-onenic1'] = reg(ONE_NIC, ringid=1)
    s['reg-null'] = reg(NULL, N_VALE, mem_id=1, tx_slots=8, rx_slots=8)
    s['reg-null-rings'] = reg(NULL, N_VALE, mem_id=1, tx_rings=3,
                              rx_rings=2, tx_slots=4, rx_slots=16)
    s['reg-null-nomem'] = reg(NULL, N_VALE)
    s['reg-null-default-slots'] = reg(NULL, N_SIM0, mem_id=1)
    s['reg-null-65rings'] = reg(NULL, N_VALE, mem_id=1, tx_rings=65)
    s['reg-null-1slot'] = reg(NULL, N_VALE, mem_id=1, tx_slots=1,
                              rx_slots=1)
    s['reg-null-bigslots'] = reg(NULL, N_VALE, mem_id=1, tx_slots=3000,
                                 rx_slots=8)
    s['reg-null-2x128'] = reg(NULL, N_VALE, mem_id=1, tx_slots=128,
                              rx_slots=128)
    s['reg-null-64rings'] = reg(NULL, N_VALE, mem_id=1, tx_rings=64,
                                rx_rings=64, tx_slots=2, rx_slots=2)
    s['reg-null-mem2'] = reg(NULL, N_VALE, mem_id=2, tx_slots=8)
    s['reg-nonexistent'] = reg(ALL_NIC, N_SIM3)
    s['reg-vale'] = reg(ALL_NIC, N_VALE)
    s['reg-pipe-name'] = reg(ALL_NIC, N_PIPE_M)
    s['reg-long-name'] = reg(ALL_NIC, N_LONG63)

    # REGISTER: flags, host rings, allocators, extra buffers
    flags = {'excl': EXCLUSIVE, 'rxonly': RX_RINGS_ONLY,
             'txonly': TX_RINGS_ONLY, 'rxtxonly': RX_RINGS_ONLY |
             TX_RINGS_ONLY, 'notxpoll': NO_TX_POLL, 'dorxpoll': DO_RX_POLL,
             'montx': MONITOR_TX, 'monrx': MONITOR_RX, 'zcopy': ZCOPY_MON,
             'ptnet': PTNETMAP_GUEST, 'vnet': ACCEPT_VNET_HDR,
             'unknown': 1 << 40, 'low': 0x1}
    for fname, f in flags.items():
        s['reg-flag-' + fname] = reg(ALL_NIC, flags=f)
    s['reg-host-2x3'] = reg(NIC_SW, host_tx=2, host_rx=3)
    s['reg-host-65'] = reg(SW, host_tx=65)
    s['reg-onesw-host2'] = reg(ONE_SW, ringid=1, host_tx=2, host_rx=2)
    s['reg-mem1'] = reg(ALL_NIC, mem_id=1)
    s['reg-mem7'] = reg(ALL_NIC, mem_id=7)
    s['reg-extra-10'] = reg(ALL_NIC, extra=10)
    s['reg-extra-max'] = reg(ALL_NIC, extra=0xffffffff)
    s['reg-slots-ignored'] = reg(ALL_NIC, tx_slots=7, rx_slots=9,
                                 tx_rings=5, rx_rings=5)
    # each registration above, then its rings mapped and checked
    for k in [k for k in s if k.startswith('reg-')]:
        s[k] += data_op(TXSYNC, validate=True)

    # REGISTER, then the data path and a second registration
    r = reg(ALL_NIC)
    s['seq-reg-txsync'] = r + data_op(TXSYNC)
    s['seq-reg-rxsync'] = r + data_op(RXSYNC)
    s['seq-reg-poll'] = r + data_op(POLL) + data_op(POLL, events=0,
                                                    validate=True)
    s['seq-reg-reg-samefd'] = r + reg(ONE_NIC)
    s['seq-reg-reg-otherfd'] = r + reg(ALL_NIC, fd=1)
    s['seq-excl-conflict'] = reg(ALL_NIC, flags=EXCLUSIVE) + \
        reg(ONE_NIC, fd=1)
    s['seq-shared-excl'] = r + reg(ALL_NIC, fd=1, flags=EXCLUSIVE)
    s['seq-close-rereg'] = r + data_op(CLOSE) + reg(ALL_NIC)
    s['seq-host-busy'] = reg(NIC_SW) + reg(NIC_SW, fd=1, host_tx=2) + \
        data_op(RXSYNC, fd=1, validate=True)
    s['seq-sync-unreg'] = data_op(TXSYNC) + data_op(RXSYNC, fd=1) + \
        data_op(POLL, fd=1)
    s['seq-sim1-both'] = reg(ONE_NIC, N_SIM1, ringid=1) + \
        reg(ONE_NIC, N_SIM1, fd=1) + data_op(TXSYNC, fd=1, validate=True) + \
        data_op(POLL, events=POLLIN, validate=True)
    s['seq-null-then-sim'] = reg(NULL, N_VALE, mem_id=1, tx_slots=8,
                                 rx_slots=8) + reg(ALL_NIC, N_SIM2, fd=1)
    s['seq-reg-pinfo'] = r + ctrl(PORT_INFO_GET, N_SIM0, fd=1)

    # PORT_INFO_GET, POOLS_INFO_GET
    for n, nm in ((N_SIM0, 'sim0'), (N_SIM1, 'sim1'), (N_SIM2, 'sim2'),
                  (N_EMPTY, 'empty'), (N_SIM3, 'nonexistent')):
        s['pinfo-' + nm] = ctrl(PORT_INFO_GET, n)
    s['pinfo-empty-mem2'] = ctrl(PORT_INFO_GET, N_EMPTY,
                                 bytes(24) + u16(2))
    s['pinfo-empty-mem1'] = ctrl(PORT_INFO_GET, N_EMPTY,
                                 bytes(24) + u16(1))
    s['pools-empty'] = ctrl(POOLS_INFO_GET, N_EMPTY)
    s['pools-sim1'] = ctrl(POOLS_INFO_GET, N_SIM1)
    s['pools-mem9'] = ctrl(POOLS_INFO_GET, N_EMPTY, bytes(8) + u16(9))
    s['pools-nonexistent'] = ctrl(POOLS_INFO_GET, N_ETH0)

    # every request type, with and without the body it should have
    for rt in list(range(0, 17)) + [0xffff]:
        s['type-%d' % rt] = ctrl(rt, N_VALE)
    for rt in (REGISTER, PORT_INFO_GET, POOLS_INFO_GET, VALE_LIST):
        s['type-%d-nobody' % rt] = ctrl(rt, bodyptr='none')
    for rt in (VALE_DELIF, KLOOP_STOP, CSB_ENABLE):
        s['type-%d-withbody' % rt] = ctrl(rt, force_body=True)

    # header: versions, reserved, names, pointers
    s['hdr-version15'] = ctrl(PORT_INFO_GET, version=15)
    s['hdr-version13'] = ctrl(PORT_INFO_GET, version=13)
    s['hdr-version16'] = ctrl(PORT_INFO_GET, version=('raw', 16))
    s['hdr-version0'] = ctrl(PORT_INFO_GET, version=('raw', 0))
    s['hdr-reserved1'] = ctrl(PORT_INFO_GET, reserved=1)
    s['hdr-reserved-high'] = ctrl(REGISTER, body=reg_body(),
                                  reserved=0x80000000)
    s['hdr-name-nonul'] = ctrl(PORT_INFO_GET, ('raw', b'sim0' * 16))
    s['hdr-name-63'] = ctrl(PORT_INFO_GET, N_LONG63)
    s['hdr-name-len'] = ctrl(PORT_INFO_GET, ('len', b'sim1'))
    s['hdr-name-embedded-nul'] = ctrl(PORT_INFO_GET,
                                      ('len', b'sim0\0garbage'))
    s['hdr-null'] = ctrl(PORT_INFO_GET, hdr=('raw', 0))
    s['hdr-raw-bad'] = ctrl(PORT_INFO_GET, hdr=('raw', 0xdeadbeef0000))
    s['hdr-raw-arena'] = ctrl(PORT_INFO_GET,
                              hdr=('raw', ARENA_ADDR + 0x40))
    s['hdr-end-fits'] = ctrl(PORT_INFO_GET, hdr=('end', 0))
    s['hdr-end-1'] = ctrl(PORT_INFO_GET, hdr=('end', 1))
    s['hdr-end-88'] = ctrl(PORT_INFO_GET, hdr=('end', 88))
    s['hdr-at-place'] = ctrl(REGISTER, body=reg_body(), hdr=('ofs',
                             PLACE_OFS + 8))
    s['hdr-unaligned'] = ctrl(PORT_INFO_GET, hdr=('ofs', 0x103))

    # body pointers
    s['body-raw-bad'] = ctrl(REGISTER, bodyptr=('raw', 0x1234))
    s['body-end-1'] = ctrl(REGISTER, bodyptr=('ofs', ARENA_SIZE - 55))
    s['body-end-fits'] = ctrl(REGISTER, bodyptr=('ofs', ARENA_SIZE - 56))
    s['body-on-hdr'] = ctrl(PORT_INFO_GET, bodyptr=('ofs', HDR_OFS))
    s['body-on-hdr-pools'] = ctrl(POOLS_INFO_GET, N_EMPTY,
                                  bodyptr=('ofs', HDR_OFS + 8))
    s['body-zero-region'] = ctrl(POOLS_INFO_GET, bodyptr=('ofs', 0x1000))
    s['body-raw-arena'] = ctrl(PORT_INFO_GET,
                               bodyptr=('raw', ARENA_ADDR + 0x1000))

    # options, each type with REGISTER
    good_off = offsets_body(max_offset=64, initial=0, bits=0, align=0)
    s['opt-extmem'] = reg(opts=[Opt(EXTMEM)])
    s['opt-eventfds'] = reg(opts=[Opt(EVENTFDS, units=2)])
    s['opt-eventfds-0'] = reg(opts=[Opt(EVENTFDS, units=0)])
    s['opt-csb'] = reg(opts=[Opt(CSB)])
    s['opt-kloop-mode'] = reg(opts=[Opt(KLOOP_MODE, content=u32(3))])
    s['opt-offsets'] = reg(opts=[Opt(OFFSETS, content=good_off)]) + \
        data_op(TXSYNC, validate=True)
    s['opt-offsets-bits8'] = reg(opts=[Opt(OFFSETS, content=offsets_body(
        max_offset=200, initial=64, bits=8, align=64))])
    s['opt-offsets-bits64'] = reg(opts=[Opt(OFFSETS, content=offsets_body(
        max_offset=100, bits=64))])
    s['opt-offsets-bits65'] = reg(opts=[Opt(OFFSETS, content=offsets_body(
        bits=65))])
    s['opt-offsets-max-bufsize'] = reg(opts=[Opt(
        OFFSETS, content=offsets_body(max_offset=2048))])
    s['opt-offsets-initial-gt-max'] = reg(opts=[Opt(
        OFFSETS, content=offsets_body(max_offset=8, initial=9))])
    s['opt-offsets-align3'] = reg(opts=[Opt(OFFSETS, content=offsets_body(
        max_offset=64, align=3))])
    s['opt-offsets-misaligned'] = reg(opts=[Opt(
        OFFSETS, content=offsets_body(max_offset=64, initial=4, align=8))])
    s['opt-offsets-null'] = reg(NULL, N_VALE, mem_id=1, tx_slots=4,
                                rx_slots=4, opts=[Opt(OFFSETS,
                                                      content=good_off)])
    s['opt-offsets-mismatch'] = reg(opts=[Opt(OFFSETS, content=good_off)]) \
        + reg(ALL_NIC, fd=1)
    s['opt-offsets-same'] = reg(opts=[Opt(OFFSETS, content=good_off)]) + \
        reg(ONE_NIC, fd=1, opts=[Opt(OFFSETS, content=good_off)]) + \
        data_op(POLL, fd=1, validate=True)
    s['opt-offsets-bad-reg'] = reg(ALL_NIC, N_SIM3,
                                   opts=[Opt(OFFSETS, content=good_off)])
    s['opt-offsets-pinfo'] = ctrl(PORT_INFO_GET, opts=[Opt(OFFSETS)])
    s['opt-all-types'] = reg(opts=[Opt(t) for t in (1, 2, 3, 4, 5)])
    s['opt-pools-eventfds'] = ctrl(POOLS_INFO_GET, N_EMPTY,
                                   opts=[Opt(EVENTFDS, units=15)])

    # options: malformed
    s['opt-type0'] = reg(opts=[Opt(0)])
    s['opt-type0-body'] = reg(opts=[Opt(0, units=3)])
    s['opt-type6'] = reg(opts=[Opt(('u8', 0))])
    s['opt-type-max'] = reg(opts=[Opt(('raw', 0xffffffff))])
    s['opt-type-unknown-then-type0'] = reg(opts=[Opt(('u8', 10)), Opt(0)])
    s['opt-size-minus8'] = reg(opts=[Opt(OFFSETS, size=('delta', -8))])
    s['opt-size-plus8'] = reg(opts=[Opt(CSB, size=('delta', 8))])
    s['opt-size-odd'] = reg(opts=[Opt(EVENTFDS, units=1,
                                      size=('delta', 4))])
    s['opt-size-23'] = reg(opts=[Opt(EVENTFDS, size=('raw', 23))])
    s['opt-size-0'] = reg(opts=[Opt(OFFSETS, size=('raw', 0))])
    s['opt-size-huge'] = reg(opts=[Opt(EXTMEM, size=('raw', 1 << 63))])
    s['opt-size-wrap'] = reg(opts=[Opt(EVENTFDS,
                                       size=('raw', 0xffffffffffffffe8))])
    s['opt-size-hdr-only'] = reg(opts=[Opt(KLOOP_MODE, size='hdr')])
    s['opt-dup-offsets'] = reg(opts=[Opt(OFFSETS, content=good_off),
                                     Opt(OFFSETS, content=good_off)])
    s['opt-dup-three'] = reg(opts=[Opt(CSB), Opt(CSB), Opt(CSB)])
    s['opt-dup-first-bad'] = reg(opts=[Opt(OFFSETS, size='hdr'),
                                       Opt(OFFSETS, content=good_off)])
    s['opt-dup-unknown'] = reg(opts=[Opt(('u8', 1)), Opt(('u8', 1))])
    s['opt-status-preset'] = reg(opts=[Opt(OFFSETS, status=0xff,
                                           content=good_off),
                                       Opt(('u8', 3), status=0x55)])

    # options: chains, cycles, budgets
    s['opt-cycle-self'] = reg(opts=[Opt(OFFSETS, link=('back', 0))])
    s['opt-cycle-two'] = reg(opts=[Opt(CSB), Opt(EXTMEM, link=('back', 0))])
    s['opt-cycle-unknown'] = ctrl(PORT_INFO_GET, opts=[
        Opt(('u8', 2)), Opt(('u8', 3)), Opt(('u8', 4), link=('back', 1))])
    s['opt-skip'] = reg(opts=[Opt(CSB, link='skip'), Opt(0), Opt(EXTMEM)])
    s['opt-end-early'] = reg(opts=[Opt(OFFSETS, link='end'), Opt(0)])
    # no body: 170 option headers fill 4080 of the 4096 bytes
    s['opt-chain-170'] = ctrl(VALE_DELIF, N_EMPTY, opts=[
        Opt(('u8', 1)) for _ in range(170)])
    s['opt-chain-171'] = ctrl(VALE_DELIF, N_EMPTY, opts=[
        Opt(('u8', 1)) for _ in range(171)])
    s['opt-chain-budget-body'] = ctrl(POOLS_INFO_GET, N_EMPTY, opts=[
        Opt(0) for _ in range(168)])
    s['opt-chain-200'] = reg(opts=[Opt(0) for _ in range(200)])
    s['opt-eventfds-max'] = ctrl(VALE_DELIF, opts=[
        Opt(EVENTFDS, size=('raw', MAXSIZE))])
    s['opt-eventfds-over'] = reg(opts=[Opt(EVENTFDS,
                                           size=('raw', MAXSIZE - 32))])
    s['opt-eventfds-fit'] = reg(opts=[Opt(EVENTFDS,
                                          size=('raw', MAXSIZE - 56 - 24))])
    s['opt-eventfds-then-hdr'] = reg(opts=[
        Opt(EVENTFDS, size=('raw', MAXSIZE - 56 - 24)), Opt(0)])

    # options: pointers
    s['opt-ptr-raw-bad'] = reg(optptr=('raw', 0xffffffffffffff00))
    s['opt-ptr-raw-arena'] = reg(optptr=('raw', ARENA_ADDR + 0x1800))
    s['opt-ptr-end'] = reg(optptr=('ofs', ARENA_SIZE - 23))
    s['opt-ptr-is-hdr'] = ctrl(PORT_INFO_GET, optptr=('ofs', HDR_OFS))
    s['opt-ptr-in-body'] = reg(optptr=('ofs', PLACE_OFS + 8))
    s['opt-next-raw-bad'] = reg(opts=[Opt(OFFSETS, link=('raw', 1))])
    s['opt-next-to-hdr'] = reg(opts=[Opt(CSB, link=('ofs', HDR_OFS))])
    s['opt-next-zero-region'] = reg(opts=[Opt(CSB, link=('ofs', 0x1800))])
    s['opt-next-overlap'] = reg(opts=[Opt(EXTMEM, link=('ofs',
                                                        PLACE_OFS + 64 + 8)),
                                      Opt(CSB)])
    s['opt-body-end'] = reg(opts=[Opt(CSB, link=('ofs', ARENA_SIZE - 30))])
    s['opt-misaligned'] = ctrl(REGISTER, N_SIM0, reg_body(), pad=3,
                               opts=[Opt(OFFSETS, content=good_off),
                                     Opt(('u8', 0))])
    s['opt-reserved-and-opts'] = ctrl(REGISTER, N_SIM0, reg_body(),
                                      reserved=2, opts=[Opt(0)])
    s['opt-badbody-and-opts'] = ctrl(REGISTER, bodyptr=('raw', 8),
                                     opts=[Opt(0)])
    return s


# --------------------------------------------------------------- legacy

HW_RING, SW_RING, NO_TX_POLL_L, DO_RX_POLL_L = 0x4000, 0x2000, 0x1000, 0x8000
REGIF, GINFO = 0, 2


def legacy(kind, name=N_SIM0, fd=0, ptr=None, version=None, tx_slots=0,
           rx_slots=0, tx_rings=0, rx_rings=0, ringid=0, cmd=0, arg1=0,
           arg2=0, arg3=0, flags=0, offset=0, memsize=0, spare=0):
    """One NIOCREGIF (kind REGIF) or NIOCGINFO (kind GINFO) operation.

    ptr: None (REQ_OFS), ('ofs', n), ('raw', v), ('end', k);
    version: None (14), ('raw', v), 13, 15.
    """
    pmode, parg = 0, b''
    if ptr is not None:
        pmode = {'ofs': 1, 'raw': 2, 'end': 3}[ptr[0]]
        parg = {'ofs': u16, 'raw': u64, 'end': u8}[ptr[0]](ptr[1])
    out = u8(kind | fd << 3 | pmode << 4) + parg + name_sel(name)
    if version is None:
        out += u8(0)
    elif version == 13:
        out += u8(2)
    elif version == 15:
        out += u8(3)
    else:
        out += u8(1) + u32(version[1])
    out += (u32(offset) + u32(memsize) + u32(tx_slots) + u32(rx_slots) +
            u16(tx_rings) + u16(rx_rings) + u16(ringid) + u16(cmd) +
            u16(arg1) + u16(arg2) + u32(arg3) + u32(flags) + u32(spare))
    return out


def legacy_seeds():
    s = {}
    bits = {'hw': HW_RING, 'sw': SW_RING, 'notx': NO_TX_POLL_L,
            'dorx': DO_RX_POLL_L}
    # every combination of the ringid bits, ring 0 and ring 1, sim1
    for combo in range(16):
        rid = 0
        tag = []
        for j, (bn, bv) in enumerate(bits.items()):
            if combo >> j & 1:
                rid |= bv
                tag.append(bn)
        tag = '-'.join(tag) or 'none'
        s['regif-ringid-%s' % tag] = legacy(REGIF, N_SIM1, ringid=rid) + \
            data_op(TXSYNC, validate=True)
        s['regif-ringid-%s-ring1' % tag] = legacy(REGIF, N_SIM1,
                                                  ringid=rid | 1) + \
            data_op(RXSYNC, validate=True)
    s['regif-ringid-hw-ring3-sim2'] = legacy(REGIF, N_SIM2,
                                             ringid=HW_RING | 3)
    s['regif-ringid-hw-ring4-sim2'] = legacy(REGIF, N_SIM2,
                                             ringid=HW_RING | 4)
    s['regif-ringid-mask'] = legacy(REGIF, N_SIM2, ringid=0x0fff)
    # the NR_REG modes in nr_flags
    for m in range(0, 16):
        s['regif-mode-%d' % m] = legacy(REGIF, N_SIM0, flags=m) + \
            data_op(POLL, validate=True)
    s['regif-mode-pipe-ring5'] = legacy(REGIF, N_SIM0, flags=5, ringid=5)
    s['regif-mode-onenic-ring0'] = legacy(REGIF, N_SIM2, flags=4, ringid=2)
    s['regif-null'] = legacy(REGIF, N_VALE, flags=7, arg2=1, tx_slots=8,
                             rx_slots=8, tx_rings=2, rx_rings=1) + \
        data_op(TXSYNC, validate=True)
    s['regif-null-nomem'] = legacy(REGIF, N_VALE, flags=7, tx_slots=8)
    s['regif-null-default'] = legacy(REGIF, N_VALE, flags=7, arg2=1)
    s['regif-flags-excl'] = legacy(REGIF, flags=EXCLUSIVE)
    s['regif-flags-rxonly'] = legacy(REGIF, flags=RX_RINGS_ONLY | ALL_NIC) + \
        data_op(TXSYNC, validate=True)
    s['regif-flags-monitor'] = legacy(REGIF, flags=MONITOR_TX)
    s['regif-flags-unknown'] = legacy(REGIF, flags=0x10)
    s['regif-extra'] = legacy(REGIF, arg3=16) + data_op(TXSYNC,
                                                       validate=True)
    s['regif-extra-max'] = legacy(REGIF, arg3=0xffffffff) + \
        data_op(TXSYNC, validate=True)
    s['regif-mem2'] = legacy(REGIF, arg2=2)
    s['regif-arg1-pipes'] = legacy(REGIF, arg1=4)
    s['regif-outputs-preset'] = legacy(REGIF, offset=0xffffffff,
                                       memsize=1, spare=7)
    # names
    s['regif-sim3'] = legacy(REGIF, N_SIM3)
    s['regif-empty'] = legacy(REGIF, N_EMPTY)
    s['regif-vale'] = legacy(REGIF, N_VALE)
    s['regif-name16'] = legacy(REGIF, ('raw', b'0123456789abcdef'))
    s['regif-name-sim0-junk'] = legacy(REGIF, ('raw', b'sim0' + bytes(11) +
                                               b'x'))
    s['regif-name15'] = legacy(REGIF, N_LONG15)
    # sub-commands
    for c in range(1, 14):
        s['regif-cmd-%d' % c] = legacy(REGIF, cmd=c)
    s['regif-cmd-ffff'] = legacy(REGIF, cmd=0xffff)
    # versions
    s['regif-version13'] = legacy(REGIF, version=13)
    s['regif-version15'] = legacy(REGIF, version=15)
    s['regif-version0'] = legacy(REGIF, version=('raw', 0))
    s['regif-version-max'] = legacy(REGIF, version=('raw', 0xffffffff))
    # pointers
    s['regif-ptr-null'] = legacy(REGIF, ptr=('raw', 0))
    s['regif-ptr-bad'] = legacy(REGIF, ptr=('raw', 0x7fff00001000))
    s['regif-ptr-arena'] = legacy(REGIF, ptr=('raw', ARENA_ADDR + 0x400))
    s['regif-ptr-end-fits'] = legacy(REGIF, ptr=('end', 0))
    s['regif-ptr-end-1'] = legacy(REGIF, ptr=('end', 1))
    s['regif-ptr-end-60'] = legacy(REGIF, ptr=('end', 60))
    s['regif-ptr-unaligned'] = legacy(REGIF, ptr=('ofs', 0x333))
    s['ginfo-ptr-bad'] = legacy(GINFO, ptr=('raw', 0x10))
    s['ginfo-ptr-end-1'] = legacy(GINFO, ptr=('end', 1))
    # NIOCGINFO
    for n, nm in ((N_SIM0, 'sim0'), (N_SIM1, 'sim1'), (N_SIM2, 'sim2'),
                  (N_EMPTY, 'empty'), (N_SIM3, 'nonexistent'),
                  (N_PIPE_M, 'pipe')):
        s['ginfo-' + nm] = legacy(GINFO, n)
    s['ginfo-empty-mem1'] = legacy(GINFO, N_EMPTY, arg2=1, tx_slots=3)
    s['ginfo-empty-mem2'] = legacy(GINFO, N_EMPTY, arg2=2)
    s['ginfo-list'] = legacy(GINFO, N_SIM0, cmd=4)
    s['ginfo-cmd7'] = legacy(GINFO, N_SIM0, cmd=7)
    s['ginfo-version13'] = legacy(GINFO, version=13)
    s['ginfo-preset'] = legacy(GINFO, N_SIM1, offset=5, arg3=9, flags=3,
                               ringid=HW_RING | 1, spare=1)
    # sequences
    r = legacy(REGIF, N_SIM0)
    s['seq-regif-txsync'] = r + data_op(TXSYNC)
    s['seq-regif-rxsync'] = r + data_op(RXSYNC)
    s['seq-regif-poll'] = r + data_op(POLL) + data_op(POLL, events=0)
    s['seq-regif-twice'] = r + legacy(REGIF, N_SIM1)
    s['seq-regif-otherfd'] = r + legacy(REGIF, N_SIM0, fd=1,
                                        ringid=SW_RING)
    s['seq-regif-excl'] = legacy(REGIF, flags=EXCLUSIVE) + \
        legacy(REGIF, fd=1, ringid=HW_RING)
    s['seq-regif-close'] = r + data_op(CLOSE) + legacy(REGIF, N_SIM2) + \
        data_op(TXSYNC)
    s['seq-regif-ginfo'] = r + legacy(GINFO, N_SIM0, fd=1)
    s['seq-sync-unreg'] = data_op(TXSYNC) + data_op(POLL, fd=1)
    s['seq-regif-sw-poll'] = legacy(REGIF, ringid=SW_RING | DO_RX_POLL_L) \
        + data_op(POLL, events=0) + data_op(RXSYNC)
    s['seq-null-sim'] = legacy(REGIF, N_VALE, flags=7, arg2=1, tx_slots=4,
                               rx_slots=4) + \
        legacy(REGIF, N_SIM1, fd=1, ringid=HW_RING | 1) + data_op(POLL, fd=1)
    return s


def write(dirname, seeds):
    os.makedirs(dirname, exist_ok=True)
    for f in os.listdir(dirname):
        os.unlink(os.path.join(dirname, f))
    assert len(seeds) <= 200, '%s: %d seeds' % (dirname, len(seeds))
    for name, data in sorted(seeds.items()):
        with open(os.path.join(dirname, name), 'wb') as f:
            f.write(data)
    print('%s: %d seeds, %d bytes' % (dirname, len(seeds),
                                      sum(len(d) for d in seeds.values())))


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else 'fuzz/corpus'
    write(os.path.join(top, 'nmreq'), nmreq_seeds())
    write(os.path.join(top, 'legacy'), legacy_seeds())


if __name__ == '__main__':
    main()
