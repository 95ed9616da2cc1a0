# SPDX-License-Identifier: BSD-2-Clause
"""Malformed slots and ring indices of every class, on every port type.

The port that wrote them gets its ring reinitialised (or an errno), the
frames before the bad slot still go out, and its neighbours (other rings
of the same port, other ports) lose nothing and see no reinit."""
import errno

import pytest

import nmtb
from nmtb.frames import mac, parse, udp

NB = 3      # frames each neighbour has queued


class Link:
    """Something that sends on a tx ring and a way to see what arrived."""

    def __init__(self, port, ring, recv, src, dst):
        self.port, self.ring, self.recv_fn = port, ring, recv
        self.src, self.dst = src, dst

    def frame(self, seq):
        return udp(self.src, self.dst, self.src, seq)

    def send(self, seqs):
        return self.port.send([self.frame(s) for s in seqs], ring=self.ring)

    def recv(self):
        return [parse(d)[3] for d in self.recv_fn()]


def _port_recv(port, ring=None):
    return lambda: [f.data for f in port.recv(ring=ring)]


def rig_nic(nm):
    nm.nic("sim0", rings=2, slots=64)
    nm.nic("sim1", rings=1, slots=64)
    p = nm.open("sim0")
    q = nm.open("sim1")
    return (Link(p, 0, _port_recv(p, 0), 1, 2),
            [Link(p, 1, _port_recv(p, 1), 3, 4),
             Link(q, 0, _port_recv(q, 0), 5, 6)])


def _learn(ports):
    for k, p in enumerate(ports):
        p.send([udp(10 + k, 0, 0, 0, dst_mac=nmtb.frames.BCAST)])
    for p in ports:
        p.recv()


def rig_vale(nm):
    a, b, c, d = (nm.open("vale0:" + x) for x in "abcd")
    _learn([a, b, c, d])
    return (Link(a, 0, _port_recv(b), 10, 11),
            [Link(c, 0, _port_recv(d), 12, 13)])


def rig_pipe(nm):
    nm.nic("sim0", rings=1, slots=64)
    m1, s1 = nm.open("sim0{1"), nm.open("sim0}1")
    m2, s2 = nm.open("sim0{2"), nm.open("sim0}2")
    return (Link(m1, 0, _port_recv(s1), 1, 2),
            [Link(m2, 0, _port_recv(s2), 3, 4),
             Link(s1, 0, _port_recv(m1), 5, 6)])


def rig_host(nm):
    nic = nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0", mode="nic_sw")
    hr = p.host_ring("tx")
    return (Link(p, hr, nic.host_capture, 1, 2),
            [Link(p, 0, _port_recv(p, 0), 3, 4)])


RIGS = [pytest.param(rig_nic, id="nic"),
        pytest.param(rig_vale, id="vale", marks=pytest.mark.vale),
        pytest.param(rig_pipe, id="pipe", marks=pytest.mark.pipe),
        pytest.param(rig_host, id="host", marks=pytest.mark.host)]

SLOT_CLASSES = ["idx0", "idx1", "idx_total", "idx_total1", "idx_max",
                "len_buf1", "len_65535"]
INDEX_CLASSES = ["head_n", "cur_n", "head_max"]


def _bad_slot(cls, total, bs):
    return {"idx0": dict(buf_idx=0), "idx1": dict(buf_idx=1),
            "idx_total": dict(buf_idx=total),
            "idx_total1": dict(buf_idx=total + 1),
            "idx_max": dict(buf_idx=0xffffffff),
            "len_buf1": dict(len=bs + 1),
            "len_65535": dict(len=65535)}[cls]


def _sync_tolerant(fn):
    """A malformed ring may be answered by reinit (0) or by an errno."""
    try:
        fn()
    except nmtb.NetmapError as e:
        assert e.errno in (errno.EINVAL, errno.EIO, errno.EFAULT), e


def _neighbours_ok(nbs, base, re0):
    for k, nb in enumerate(nbs):
        nb.port.txsync()
        assert nb.recv() == [base + j for j in range(NB)], "neighbour %d" % k
        assert nb.port.reinits("tx", nb.ring) == re0[k]


@pytest.mark.parametrize("cls", SLOT_CLASSES + INDEX_CLASSES)
@pytest.mark.parametrize("rig", RIGS)
def test_malformed_tx(nm, rig, cls):
    me, nbs = rig(nm)
    p, r = me.port, me.ring
    total = nm.pools_info(p)["buf_pool_objtotal"]
    bs = p.info["buf_size"]
    for rnd in range(3):        # a few rounds: bad slots at other indices
        base = 100 * (rnd + 1)
        for k, nb in enumerate(nbs):
            nb.port.send([nb.frame(base + j) for j in range(NB)],
                         ring=nb.ring, sync=False)
        re0 = [nb.port.reinits("tx", nb.ring) for nb in nbs]
        r0 = p.reinits("tx", r)
        head0 = p.ring_state("tx", r).head
        n = p.ring_state("tx", r).num_slots
        bad = (head0 + 2) % n
        orig = p.slot("tx", r, bad).buf_idx
        if cls in SLOT_CLASSES:
            frames = [me.frame(base + 1), me.frame(base + 2),
                      nmtb.Slot(me.frame(base + 3),
                                **_bad_slot(cls, total, bs)),
                      me.frame(base + 4)]
            p.send(frames, ring=r, sync=False)
            _sync_tolerant(p.txsync)
            st = p.ring_state("tx", r)
            assert p.reinits("tx", r) == r0 + 1
            assert (st.head, st.cur) == (bad, bad)
            s = p.slot("tx", r, bad)
            assert s.len == 0 or (s.buf_idx == 0 and cls.startswith("idx"))
            if cls.startswith("idx"):
                assert s.buf_idx == 0
            assert me.recv() == [base + 1, base + 2]
        else:
            p.send([me.frame(base + 1), me.frame(base + 2)], ring=r,
                   sync=False)
            v = {"head_n": dict(head=n), "cur_n": dict(cur=n + 3),
                 "head_max": dict(head=0xffffffff)}[cls]
            p.set_ring("tx", r, **v)
            _sync_tolerant(p.txsync)
            st = p.ring_state("tx", r)
            assert p.reinits("tx", r) == r0 + 1
            assert (st.head, st.cur) == (head0, head0)
            assert me.recv() == []
        _neighbours_ok(nbs, base, re0)
        # the user repairs the slot and the port carries on
        p.set_slot("tx", r, bad, buf_idx=orig, flags=nmtb.NS_BUF_CHANGED)
        assert me.send([base + 50, base + 51]) == 2
        assert me.recv() == [base + 50, base + 51]


RX_RIGS = [pytest.param(rig_nic, id="nic"),
           pytest.param(rig_vale, id="vale", marks=pytest.mark.vale),
           pytest.param(rig_pipe, id="pipe", marks=pytest.mark.pipe)]


def _rx_port(me):
    """The port and ring me's frames arrive on."""
    fn = me.recv_fn
    return fn


@pytest.mark.parametrize("cls", ["idx0", "idx1", "idx_total", "idx_max",
                                 "head_beyond_tail", "cur_beyond_tail",
                                 "head_behind"])
@pytest.mark.parametrize("rig", RX_RIGS)
def test_malformed_rx(nm, rig, cls):
    me, nbs = rig(nm)
    # find the receiving port: the one me's frames arrive on
    rxp = {"nic": lambda: me.port}.get("x", None)
    me.send([1, 2, 3, 4])
    rx = None
    for cand in nm.ports:
        for ring in cand.bound("rx"):
            cand.rxsync()
            if cand.ring_state("rx", ring).space == 4:
                rx, rring = cand, ring
    assert rx is not None, "no port received the 4 frames"
    del rxp
    total = nm.pools_info(rx)["buf_pool_objtotal"]
    st = rx.ring_state("rx", rring)
    n, h = st.num_slots, st.head
    got = rx.recv(ring=rring, max=2, release=False)     # consume 2 of 4
    assert [parse(f.data)[3] for f in got] == [1, 2]
    r0 = rx.reinits("rx", rring)
    base = 500
    for nb in nbs:
        nb.port.send([nb.frame(base + j) for j in range(NB)], ring=nb.ring,
                     sync=False)
    re0 = [nb.port.reinits("tx", nb.ring) for nb in nbs]
    if cls.startswith("idx"):
        rx.set_slot("rx", rring, h + 1, flags=nmtb.NS_BUF_CHANGED,
                    **_bad_slot(cls if cls != "idx_total" else "idx_total",
                                total, 0))
        _sync_tolerant(rx.rxsync)
        assert rx.reinits("rx", rring) == r0 + 1
        assert rx.slot("rx", rring, h + 1).buf_idx == 0
    else:
        v = {"head_beyond_tail": dict(head=(h + 5) % n),
             "cur_beyond_tail": dict(cur=(h + 6) % n),
             "head_behind": dict(head=(h - 1) % n, cur=(h - 1) % n)}[cls]
        rx.set_slot  # noqa: B018
        rx.set_ring("rx", rring, **v)
        _sync_tolerant(rx.rxsync)
        assert rx.reinits("rx", rring) == r0 + 1
        st = rx.ring_state("rx", rring)
        assert st.head == st.cur and st.head in (h, (h + 2) % n)
    _neighbours_ok([nb for nb in nbs if nb.port is not rx], base, re0)
