# SPDX-License-Identifier: BSD-2-Clause
"""VALE: the learning switch, 254 ports, concurrent senders, fragments,
indirect buffers."""
import errno
import threading

import pytest

import nmtb
from nmtb.frames import BCAST, Flow, SeqCheck, flow_of, mac, parse, udp

pytestmark = pytest.mark.vale


def _who(ports, frames_by_port):
    return {k for k, fs in frames_by_port.items() if fs}


def _recv_all(ports):
    return {k: [parse(f.data) for f in p.recv()] for k, p in ports.items()}


def test_learning_flooding_broadcast_unicast(nm):
    ports = {x: nm.open("vale0:" + x, tx_slots=64, rx_slots=64)
             for x in "abc"}
    A, B, C = 1, 2, 3
    # unknown destination: flooded to everyone but the sender
    ports["a"].send([udp(A, B, 0, 1)])
    got = _recv_all(ports)
    assert got["a"] == [] and len(got["b"]) == 1 and len(got["c"]) == 1
    assert got["b"][0] == (mac(A), mac(B), 0, 1)
    # b answers a: a's MAC was learned, only a gets it
    ports["b"].send([udp(B, A, 0, 2)])
    got = _recv_all(ports)
    assert [g[3] for g in got["a"]] == [2] and not got["b"] and not got["c"]
    # now b is known too: unicast a -> b reaches b only
    ports["a"].send([udp(A, B, 0, s) for s in range(3, 8)])
    got = _recv_all(ports)
    assert [g[3] for g in got["b"]] == [3, 4, 5, 6, 7]
    assert not got["a"] and not got["c"]
    # broadcast from c: a and b
    ports["c"].send([udp(C, 0, 0, 9, dst_mac=BCAST)])
    got = _recv_all(ports)
    assert [g[3] for g in got["a"]] == [9] and [g[3] for g in got["b"]] == [9]
    assert not got["c"]


def test_254_ports_on_one_switch(nm):
    ports = [nm.open("vale1:p%d" % k, tx_slots=8, rx_slots=8)
             for k in range(254)]
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("vale1:one_too_many", tx_slots=8, rx_slots=8)
    assert ei.value.errno == errno.ENOSPC
    ports[0].send([udp(1000, 0, 0, 1, dst_mac=BCAST)])
    for k, p in enumerate(ports[1:], 1):
        got = p.recv()
        assert [parse(f.data)[3] for f in got] == [1], "port %d" % k
    assert ports[0].recv() == []
    # port 200 announces itself; then unicast to it reaches it alone
    ports[200].send([udp(1200, 1000, 0, 2)])
    assert [parse(f.data)[3] for f in ports[0].recv()] == [2]
    ports[0].send([udp(1000, 1200, 0, 3)])
    for k, p in enumerate(ports[1:], 1):
        got = p.recv()
        assert [parse(f.data)[3] for f in got] == ([3] if k == 200 else [])


def test_many_concurrent_senders(nm):
    """6 sender threads, 2 receivers.  Senders take credits a receiver
    returns as it consumes, so receivers keep up; then nothing may be
    lost or duplicated and every flow keeps its order."""
    NS, NR, PER = 6, 2, 2000
    rx = [nm.open("vale2:r%d" % k, rx_slots=512, tx_slots=64)
          for k in range(NR)]
    tx = [nm.open("vale2:s%d" % k, tx_slots=256, rx_slots=64)
          for k in range(NS)]
    for k, r in enumerate(rx):      # receivers announce their MACs
        r.send([udp(100 + k, 0, 0, 0, dst_mac=BCAST)])
    for p in tx + rx:
        p.recv()
    credits = [threading.Semaphore(255) for _ in rx]
    flows = {}
    for s in range(NS):
        for k in range(NR):
            fid = s * NR + k
            flows[fid] = (k, Flow(fid, 200 + s, 100 + k, size=60 + 8 * s))
    errors = []

    def sender(s):
        try:
            seq = [0] * NR
            while min(seq) < PER:
                for k in range(NR):
                    batch = []
                    while len(batch) < 16 and seq[k] < PER:
                        credits[k].acquire()
                        batch.append(flows[s * NR + k][1].frame(seq[k]))
                        seq[k] += 1
                    left = batch
                    while left:
                        n = tx[s].send(left)
                        left = left[n:]
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=sender, args=(s,)) for s in range(NS)]
    for t in threads:
        t.start()
    checks = [SeqCheck() for _ in rx]
    want = NS * PER
    got = [0] * NR
    idle = 0
    while min(got) < want and idle < 20000:
        idle += 1
        for k, r in enumerate(rx):
            for f in r.recv():
                fid, seq = flow_of(f.data)
                dst, fl = flows[fid]
                assert dst == k, "flow %d arrived at receiver %d" % (fid, k)
                assert fl.seq_of(f.data) == seq
                checks[k].see(fid, seq)
                got[k] += 1
                credits[k].release()
                idle = 0
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    for k in range(NR):
        checks[k].assert_complete({fid: PER for fid, (d, _) in flows.items()
                                   if d == k})


@pytest.mark.parametrize("nfrags", [1, 2, 7, 33, 64])
def test_fragments_through_vale(nm, nfrags):
    a = nm.open("vale3:a")
    b = nm.open("vale3:b")
    pkt = bytes(udp(1, 2, 0, nfrags, size=max(64, 40 * nfrags)))
    sizes = [len(pkt) // nfrags] * nfrags
    sizes[-1] += len(pkt) - sum(sizes)
    a.send(nmtb.frags(pkt, sizes))
    (f,) = b.recv()
    assert f.data == pkt


def test_vale_65_fragments_dropped(nm):
    a, b = nm.open("vale3:a"), nm.open("vale3:b")
    pkt = bytes(udp(1, 2, 0, 65, size=650))
    a.send(nmtb.frags(pkt, [10] * 65))
    a.send([udp(1, 2, 0, 66)])
    assert [parse(f.data)[3] for f in b.recv()] == [66]


def test_vale_unfinished_chain_held(nm):
    a, b = nm.open("vale3:a"), nm.open("vale3:b")
    pkt = bytes(udp(1, 2, 0, 5, size=300))
    s = nmtb.frags(pkt, [100] * 3)
    a.send(s[:2])
    assert b.recv() == []
    a.send(s[2:])
    assert [f.data for f in b.recv()] == [pkt]


def test_vale_chain_larger_than_free_space_dropped_whole(nm):
    a = nm.open("vale3:a", tx_slots=64)
    b = nm.open("vale3:b", rx_slots=16)
    b.send([udp(2, 0, 0, 0, dst_mac=BCAST)])
    a.recv()
    a.send([udp(1, 2, 0, s) for s in range(10)])
    bs = b.info["buf_size"]
    big = bytes(udp(1, 2, 0, 100, size=6 * bs))     # 6 rx slots, 5 free
    a.send(nmtb.frags(big, [bs] * 6))
    a.send([udp(1, 2, 0, 101)])
    got = b.recv(release=False)
    assert [parse(f.data)[3] for f in got] == list(range(10)) + [101]
    b.rxsync()
    a.send(nmtb.frags(big, [bs] * 6))
    assert [f.data for f in b.recv()] == [big]


def test_indirect_buffers(nm):
    a, b = nm.open("vale4:a"), nm.open("vale4:b")
    pkts = [bytes(udp(1, 2, 0, s, size=64 + 100 * s)) for s in range(5)]
    a.send([nmtb.Slot(p, indirect=True) for p in pkts])
    assert [f.data for f in b.recv()] == pkts


@pytest.mark.parametrize("where", ["null", "unmapped", "outside"])
def test_indirect_bad_pointers(nm, where):
    """A frame whose indirect pointer is bad is dropped (nothing is read
    from a bad address); the frames around it, and the port, are fine."""
    a, b = nm.open("vale4:a"), nm.open("vale4:b")
    nm.restrict_user_memory(True)
    bad = {"null": nmtb.Slot(len=60, indirect=0),
           "unmapped": nmtb.Slot(len=60, indirect=0x10),
           "outside": nmtb.Slot(bytes(udp(1, 2, 0, 99)),
                                indirect="outside")}[where]
    a.send([nmtb.Slot(udp(1, 2, 0, 1), indirect=True), bad,
            nmtb.Slot(udp(1, 2, 0, 2), indirect=True)])
    got = [f for f in b.recv() if f.data]
    assert [parse(f.data)[3] for f in got] == [1, 2]
    a.send([udp(1, 2, 0, 3)])
    assert [parse(f.data)[3] for f in b.recv()] == [3]
