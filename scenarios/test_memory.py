# SPDX-License-Identifier: BSD-2-Clause
"""Memory per port: VALE ports grow with the rings they have, and running
out of memory fails REGISTER with ENOMEM while the open ports carry on."""
import errno

import pytest

import nmtb
from nmtb.frames import BCAST, parse, udp

pytestmark = pytest.mark.vale

CAP_MB = 64     # small enough to run out after a dozen default ports


@pytest.fixture
def small_cap(nm):
    old = nm.param_get("mem_max_mb")
    nm.param_set("mem_max_mb", CAP_MB)
    yield nm
    nm.param_set("mem_max_mb", old)


def test_ports_until_enomem_then_the_others_forward(small_cap):
    nm = small_cap
    ports = []
    with pytest.raises(nmtb.NetmapError) as ei:
        for k in range(254):
            ports.append(nm.open("vale0:p%d" % k))   # default 1024 slots
    assert ei.value.errno == errno.ENOMEM
    # default rings take a few MiB each: the cap stops us early, not the
    # port limit, and it does not stop us at the very first port
    assert 4 <= len(ports) < 254, len(ports)
    # the ports already open keep forwarding, both ways and broadcast
    a, b = ports[0], ports[-1]
    a.send([udp(1, 2, 0, 1)])
    for p in ports[1:]:
        assert [parse(f.data)[3] for f in p.recv()] == [1]
    b.send([udp(2, 1, 0, 2)])
    assert [parse(f.data)[3] for f in a.recv()] == [2]
    for p in ports[1:]:
        assert p.recv() == []
    a.send([udp(1, 0, 0, 3, dst_mac=BCAST)])
    assert all([parse(f.data)[3] for f in p.recv()] == [3]
               for p in ports[1:])
    # memory comes back when a port goes: the next REGISTER succeeds
    ports.pop().close()
    again = nm.open("vale0:again")
    a.send([udp(1, 0, 0, 4, dst_mac=BCAST)])
    assert [parse(f.data)[3] for f in again.recv()] == [4]


def test_enomem_leaves_no_half_port(small_cap):
    """A REGISTER that failed for memory leaves nothing behind: the same
    name fails the same way, and nothing is listed or leaked."""
    nm = small_cap
    ports = []
    try:
        for k in range(254):
            ports.append(nm.open("vale1:q%d" % k))
    except nmtb.NetmapError as e:
        assert e.errno == errno.ENOMEM
    live = nm.live_objects()
    for _ in range(3):
        with pytest.raises(nmtb.NetmapError) as ei:
            nm.open("vale1:late")
        assert ei.value.errno == errno.ENOMEM
        assert nm.live_objects() == live
