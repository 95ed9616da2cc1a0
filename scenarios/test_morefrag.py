# SPDX-License-Identifier: BSD-2-Clause
"""Multi-slot frames (NS_MOREFRAG) through the sim NIC's loopback."""
import nmtb
from nmtb.frames import parse, udp


def _sizes(total, n):
    base = [total // n] * n
    base[-1] += total - sum(base)
    return base


def test_chains_of_1_to_64_fragments(nm):
    nic = nm.nic("sim0", rings=1, slots=1024)
    p = nm.open("sim0")
    for n in range(1, 65):
        pkt = bytes(udp(1, 2, 0, n, size=max(64, 23 * n)))
        slots = nmtb.frags(pkt, _sizes(len(pkt), n))
        assert p.send(slots) == n
        (f,) = p.recv()
        assert f.data == pkt and parse(f.data)[3] == n
        assert not f.flags[-1] & nmtb.NS_MOREFRAG
    assert nic.stats()["rx_dropped"] == 0


def test_frame_larger_than_a_buffer_scattered(nm):
    nm.nic("sim0", rings=1, slots=256)
    p = nm.open("sim0")
    bs = p.info["buf_size"]
    pkt = bytes(udp(1, 2, 0, 7, size=5 * bs + 100))
    p.send(nmtb.frags(pkt, [bs] * 5 + [100]))
    (f,) = p.recv()
    assert f.data == pkt and f.nslots == 6
    assert all(fl & nmtb.NS_MOREFRAG for fl in f.flags[:-1])


def test_65_fragments_dropped_whole(nm):
    nic = nm.nic("sim0", rings=1, slots=256)
    p = nm.open("sim0")
    pkt = bytes(udp(1, 2, 0, 65, size=65 * 10))
    p.send(nmtb.frags(pkt, [10] * 65))
    p.send([udp(1, 2, 0, 66)])
    assert [parse(f.data)[3] for f in p.recv()] == [66]
    assert nic.stats()["rx_dropped"] == 1


def test_unfinished_chain_not_delivered_until_complete(nm):
    """A chain whose last slot still says MOREFRAG is held, not sent in
    part; it goes out whole when the user finishes it."""
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    pkt = bytes(udp(1, 2, 0, 9, size=300))
    s = nmtb.frags(pkt, [100, 100, 100])
    p.send(s[:2])
    assert p.recv() == []
    p.send(s[2:])
    (f,) = p.recv()
    assert f.data == pkt


def test_chain_larger_than_free_space_dropped_whole(nm):
    """The receiver holds frames without releasing them; a chain needing
    more rx slots than are free is dropped whole, never half-delivered,
    and a small frame behind it still fits."""
    nic = nm.nic("sim0", rings=1, slots=16)
    p = nm.open("sim0")
    bs = p.info["buf_size"]
    p.send([udp(1, 2, 0, s) for s in range(10)])   # 10 of 15 slots used
    big = bytes(udp(1, 2, 0, 100, size=6 * bs))      # needs 6 slots
    p.send(nmtb.frags(big, [bs] * 6))
    p.send([udp(1, 2, 0, 101)])
    got = p.recv(release=False)
    assert [parse(f.data)[3] for f in got] == list(range(10)) + [101]
    assert nic.stats()["rx_dropped"] == 1
    p.rxsync()
    p.send(nmtb.frags(big, [bs] * 6))               # now it fits
    (f,) = p.recv()
    assert f.data == big
