# SPDX-License-Identifier: BSD-2-Clause
"""netmap pipes: X{N master, X}N slave."""
import pytest

import nmtb
from nmtb.frames import Flow, parse, udp
from util import pump

pytestmark = pytest.mark.pipe


def test_pipe_both_ways(nm):
    nm.nic("sim0", rings=1, slots=64)
    m, s = nm.open("sim0{1"), nm.open("sim0}1")
    m.send([udp(1, 2, 0, k) for k in range(5)])
    assert [parse(f.data)[3] for f in s.recv()] == list(range(5))
    s.send([udp(2, 1, 1, k) for k in range(3)])
    assert [parse(f.data)[2:] for f in m.recv()] == [(1, k) for k in range(3)]


def test_pipe_volume_order(nm):
    nm.nic("sim0", rings=1, slots=64)
    m, s = nm.open("sim0{2", tx_slots=256, rx_slots=256), nm.open("sim0}2")
    pump(m, s, [Flow(1, 1, 2), Flow(2, 1, 2, size=200)], [8000, 8000],
         batch=100)


def test_pipe_frames_wait_for_the_peer(nm):
    nm.nic("sim0", rings=1, slots=64)
    m = nm.open("sim0{3")
    m.send([udp(1, 2, 0, 7)])
    s = nm.open("sim0}3")
    assert [parse(f.data)[3] for f in s.recv()] == [7]


@pytest.mark.parametrize("nfrags", [1, 5, 64])
def test_pipe_chains(nm, nfrags):
    nm.nic("sim0", rings=1, slots=64)
    m, s = nm.open("sim0{4", tx_slots=256, rx_slots=256), nm.open("sim0}4")
    pkt = bytes(udp(1, 2, 0, 1, size=max(64, 20 * nfrags)))
    sizes = [len(pkt) // nfrags] * nfrags
    sizes[-1] += len(pkt) - sum(sizes)
    m.send(nmtb.frags(pkt, sizes))
    assert [f.data for f in s.recv()] == [pkt]


def test_pipe_unfinished_chain_not_half_delivered(nm):
    nm.nic("sim0", rings=1, slots=64)
    m, s = nm.open("sim0{5"), nm.open("sim0}5")
    pkt = bytes(udp(1, 2, 0, 1, size=300))
    fr = nmtb.frags(pkt, [100] * 3)
    m.send(fr[:2])
    assert s.recv() == []
    m.send(fr[2:])
    assert [f.data for f in s.recv()] == [pkt]


@pytest.mark.vale
def test_pipes_on_a_vale_port(nm):
    """Pipes share a VALE port's memory: the port's layout has room for 8
    pairs of its own ring size (populated only when they open); the next
    one is refused with ENOMEM and the open ones keep working."""
    import errno
    port = nm.open("vale0:x")
    ends = [(nm.open("vale0:x{%d" % k), nm.open("vale0:x}%d" % k))
            for k in range(8)]
    for m, s in ends:
        assert m.info["mem_id"] == s.info["mem_id"] == port.info["mem_id"]
    with pytest.raises(nmtb.NetmapError) as ei:
        nm.open("vale0:x{8")
    assert ei.value.errno == errno.ENOMEM
    for k, (m, s) in enumerate(ends):
        m.send([udp(1, 2, k, j) for j in range(4)])
        assert [parse(f.data)[2:] for f in s.recv()] == \
            [(k, j) for j in range(4)]
    # more pipes fit when they are smaller
    small = [nm.open("vale0:y{%d" % k, tx_slots=64, rx_slots=64)
             for k in range(64)]
    assert len(small) == 64
