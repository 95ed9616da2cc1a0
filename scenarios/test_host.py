# SPDX-License-Identifier: BSD-2-Clause
"""The wire and the host stack of a sim NIC; forwarding both ways."""
import pytest

import nmtb
from nmtb.frames import parse, udp


@pytest.mark.wire
def test_wire_inject_and_capture(nm):
    nic = nm.nic("sim0", rings=2, slots=64)
    p = nm.open("sim0")
    nic.inject(1, udp(9, 1, 0, 1))
    got = p.recv()
    assert [(f.ring, parse(f.data)[3]) for f in got] == [(1, 1)]
    p.send([udp(1, 9, 0, 2)], ring=1)
    assert p.recv() == []                   # no loopback with a wire
    cap = nic.capture()
    assert [(r, parse(d)[3]) for r, d in cap] == [(1, 2)]
    nic.loopback(True)
    p.send([udp(1, 9, 0, 3)])
    assert [parse(f.data)[3] for f in p.recv()] == [3]


@pytest.mark.host
def test_host_rings_both_ways(nm):
    nic = nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0", mode="nic_sw")
    htx, hrx = p.host_ring("tx"), p.host_ring("rx")
    p.send([udp(1, 2, 0, k) for k in range(3)], ring=htx)
    assert [parse(d)[3] for d in nic.host_capture()] == [0, 1, 2]
    for k in range(4):
        nic.host_inject(udp(2, 1, 0, 10 + k))
    got = p.recv(ring=hrx)
    assert [parse(f.data)[3] for f in got] == [10, 11, 12, 13]


@pytest.mark.host
@pytest.mark.wire
def test_forward_nic_to_host_and_host_to_wire(nm):
    """NR_FORWARD + NS_FORWARD: released slots go to the other side."""
    nic = nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0", mode="nic_sw")
    hrx = p.host_ring("rx")
    # up: wire -> NIC rx ring -> (forward) -> host stack
    p.set_ring("rx", 0, flags=nmtb.NR_FORWARD)
    for k in range(3):
        nic.inject(0, udp(9, 1, 0, k))
    p.rxsync()
    st = p.ring_state("rx", 0)
    for i in range(st.head, st.head + 3):
        if i % 3 != 1:      # forward 0 and 2, keep 1
            p.set_slot("rx", 0, i, flags=nmtb.NS_FORWARD)
    assert len(p.recv(sync=False)) == 3
    p.rxsync()
    assert [parse(d)[3] for d in nic.host_capture()] == [0, 2]
    # down: host stack -> host rx ring -> (forward) -> wire
    p.set_ring("rx", hrx, flags=nmtb.NR_FORWARD)
    for k in range(3):
        nic.host_inject(udp(1, 9, 0, 10 + k))
    p.rxsync()
    st = p.ring_state("rx", hrx)
    for i in range(st.head, st.head + 3):
        p.set_slot("rx", hrx, i, flags=nmtb.NS_FORWARD)
    assert len(p.recv(ring=hrx, sync=False)) == 3
    p.rxsync()
    p.txsync()
    assert [parse(d)[3] for _, d in nic.capture()] == [10, 11, 12]


@pytest.mark.host
@pytest.mark.wire
def test_not_in_netmap_mode_wire_and_stack_talk(nm):
    nic = nm.nic("sim0", rings=1, slots=64)
    nic.inject(0, udp(9, 1, 0, 1))
    assert [parse(d)[3] for d in nic.host_capture()] == [1]
    nic.host_inject(udp(1, 9, 0, 2))
    assert [parse(d)[3] for _, d in nic.capture()] == [2]
