# SPDX-License-Identifier: BSD-2-Clause
"""Sim NIC rings: the loopback wire, ring wraparound, fault points."""
import errno

import pytest

import nmtb
from nmtb.frames import Flow, parse, udp
from util import pump


def test_loopback_scapy_frames_per_ring(nm):
    """tx ring i comes back on rx ring i, frames intact, order kept."""
    nm.nic("sim0", rings=4, slots=64)
    p = nm.open("sim0")
    assert p.bound("tx") == [0, 1, 2, 3] and p.bound("rx") == [0, 1, 2, 3]
    for r in range(4):
        pkts = [udp(1, 2, flow=r, seq=s, size=60 + 37 * s) for s in range(5)]
        assert p.send(pkts, ring=r) == 5
    for r in range(4):
        got = p.recv(ring=r)
        assert [parse(f.data)[2:] for f in got] == [(r, s) for s in range(5)]
        assert [f.data for f in got] == [bytes(udp(1, 2, r, s, 60 + 37 * s))
                                         for s in range(5)]

    assert p.recv() == []


def test_fresh_ring_state(nm):
    nm.nic("sim0", rings=1, slots=32)
    p = nm.open("sim0")
    tx, rx = p.ring_state("tx", 0), p.ring_state("rx", 0)
    assert (tx.head, tx.cur, tx.tail, tx.num_slots) == (0, 0, 31, 32)
    assert (rx.head, rx.cur, rx.tail) == (0, 0, 0)
    assert (tx.dir, rx.dir) == (0, 1)
    if nm.has("kring_state"):
        assert (tx.hwcur, tx.hwtail) == (0, 31)


def test_one_nic_binds_one_ring(nm):
    nm.nic("sim0", rings=2, slots=64)
    a = nm.open("sim0", mode="one_nic", ringid=1)
    assert a.bound("tx") == [1] and a.bound("rx") == [1]
    b = nm.open("sim0", mode="one_nic", ringid=0)
    a.send([udp(1, 2, 1, 0)], ring=1)
    b.send([udp(1, 2, 0, 0)], ring=0)
    assert [parse(f.data)[2] for f in a.recv()] == [1]
    assert [parse(f.data)[2] for f in b.recv()] == [0]


@pytest.mark.parametrize("slots", [8, 16])
def test_wraparound_thousands_of_times(nm, slots):
    """Batches of every size 1..n-1 so the indices wrap at every position;
    each frame checked for loss, duplication and order."""
    nm.nic("sim0", rings=1, slots=slots)
    p = nm.open("sim0")
    flows = [Flow(1, 1, 2, size=60), Flow(2, 1, 2, size=123)]
    wraps = 2500 if slots == 8 else 1500
    total = wraps * slots
    sent = 0
    batch = 1
    from nmtb.frames import SeqCheck, flow_of
    sc = SeqCheck()
    seqs = [0, 0]
    while sent < total:
        out = []
        for _ in range(batch):
            k = sent % 2
            out.append(flows[k].frame(seqs[k]))
            seqs[k] += 1
            sent += 1
        assert p.send(out) == batch
        got = p.recv()
        assert len(got) == batch
        for f in got:
            fl, seq = flow_of(f.data)
            assert flows[fl - 1].seq_of(f.data) == seq
            sc.see(fl, seq)
        st = p.ring_state("rx", 0)
        assert st.head == st.tail and st.head == sent % slots
        batch = batch % (slots - 1) + 1
    sc.assert_complete({1: seqs[0], 2: seqs[1]})
    tx = p.ring_state("tx", 0)
    assert tx.head == sent % slots and tx.tail == (tx.head - 1) % slots
    assert p.reinits("tx", 0) == 0 and p.reinits("rx", 0) == 0

    assert sent // slots >= 1500


def test_many_frames_pump(nm):
    nm.nic("sim0", rings=1, slots=256)
    p = nm.open("sim0")
    flows = [Flow(f, 1, 2, size=60 + 50 * f) for f in range(4)]
    pump(p, p, flows, [5000] * 4, batch=200)


def test_nic_stats_count(nm):
    nic = nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    p.send([udp(1, 2, 0, s) for s in range(10)])
    assert len(p.recv()) == 10
    st = nic.stats()
    assert st["tx_frames"] == 10 and st["rx_frames"] == 10
    assert st["rx_dropped"] == 0


def test_fault_txsync_enter(nm):
    """txsync.enter nth:3: the third txsync fails with EIO and sends
    nothing; the next one sends what was queued."""
    nic = nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    assert "txsync.enter" in nm.fi.names()
    nm.fi.arm("txsync.enter", "nth:3")
    p.send([udp(1, 2, 0, 0)])
    p.send([udp(1, 2, 0, 1)])
    with pytest.raises(nmtb.NetmapError) as ei:
        p.send([udp(1, 2, 0, 2)])
    assert ei.value.errno == errno.EIO
    assert nic.stats()["tx_frames"] == 2
    assert nm.fi.hits("txsync.enter") == 3
    p.txsync()
    assert [parse(f.data)[3] for f in p.recv()] == [0, 1, 2]


def test_fault_rxsync_enter_every(nm):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    p.send([udp(1, 2, 0, s) for s in range(4)])
    nm.fi.arm("rxsync.enter", "every:2")
    p.rxsync()                              # hit 1: fine
    with pytest.raises(nmtb.NetmapError) as ei:
        p.rxsync()                          # hit 2: EIO
    assert ei.value.errno == errno.EIO
    got = p.recv(sync=False)
    assert [parse(f.data)[3] for f in got] == [0, 1, 2, 3]
    nm.fi.arm("rxsync.enter", "off")
    p.rxsync()
    assert p.reinits("rx", 0) == 0


def test_fault_mem_alloc_register_fails_cleanly(nm):
    """An allocation failing at each step of REGISTER: ENOMEM, nothing
    leaked (the fixture checks), and the port works afterwards."""
    nm.nic("sim0", rings=2, slots=64)
    failures = 0
    for n in range(1, 40):
        nm.fi.arm("mem.alloc", "nth:%d" % n)
        try:
            p = nm.open("sim0")
        except nmtb.NetmapError as e:
            assert e.errno == errno.ENOMEM, e
            failures += 1
            continue
        p.send([udp(1, 2, 0, n)])
        assert [parse(f.data)[3] for f in p.recv()] == [n]
        p.close()
        if nm.fi.hits("mem.alloc") < n:
            break           # every allocation of a REGISTER was tried
    assert failures > 0
    nm.fi.arm("mem.alloc", "off")


def test_unknown_fault_point(nm):
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.fi.arm("no.such.point", "nth:1")
    assert ei.value.errno == errno.ENOENT


def test_no_such_port(nm):
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("nosuchnic")
    assert ei.value.errno == errno.ENXIO


def test_poll_reports_rx(nm):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    assert p.poll(nmtb.POLLIN, 0) & nmtb.POLLIN == 0
    assert p.poll(nmtb.POLLOUT, 0) & nmtb.POLLOUT
    p.send([udp(1, 2)])
    assert p.poll(nmtb.POLLIN, 100) & nmtb.POLLIN
    assert len(p.recv(sync=False)) == 1
