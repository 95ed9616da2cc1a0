# SPDX-License-Identifier: BSD-2-Clause
"""Copy and zero-copy monitors of a sim NIC port."""
import pytest

import nmtb
from nmtb.frames import parse, udp

pytestmark = pytest.mark.monitor


def test_copy_monitor_tx_and_rx(nm):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    mon = nm.open("sim0", flags=nmtb.NR_MONITOR_TX | nmtb.NR_MONITOR_RX)
    p.send([udp(1, 2, 0, k) for k in range(4)])
    got = p.recv()
    assert [parse(f.data)[3] for f in got] == [0, 1, 2, 3]
    seen = mon.recv()
    txs = [parse(f.data)[3] for f in seen if f.flags[0] & nmtb.NS_TXMON]
    rxs = [parse(f.data)[3] for f in seen
           if not f.flags[0] & nmtb.NS_TXMON]
    assert txs == [0, 1, 2, 3] and rxs == [0, 1, 2, 3]


def test_zero_copy_monitor_tx(nm):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    mon = nm.open("sim0", flags=nmtb.NR_MONITOR_TX | nmtb.NR_ZCOPY_MON)
    for rnd in range(5):            # several laps of the rings
        p.send([udp(1, 2, 0, 20 * rnd + k) for k in range(20)])
        assert [parse(f.data)[3] for f in p.recv()] == \
            [20 * rnd + k for k in range(20)]
        assert [parse(f.data)[3] for f in mon.recv()] == \
            [20 * rnd + k for k in range(20)]


def test_zero_copy_monitor_rx(nm):
    nm.nic("sim0", rings=1, slots=64)
    p = nm.open("sim0")
    mon = nm.open("sim0", flags=nmtb.NR_MONITOR_RX | nmtb.NR_ZCOPY_MON)
    p.send([udp(1, 2, 0, k) for k in range(6)])
    assert len(p.recv()) == 6           # released: the monitor gets them
    assert [parse(f.data)[3] for f in mon.recv()] == list(range(6))


def test_monitor_full_ring_loses_only_its_own(nm):
    nm.nic("sim0", rings=1, slots=256)
    p = nm.open("sim0")
    mon = nm.open("sim0", flags=nmtb.NR_MONITOR_TX, rx_slots=16)
    p.send([udp(1, 2, 0, k) for k in range(100)])
    assert [parse(f.data)[3] for f in p.recv()] == list(range(100))
    assert 0 < len(mon.recv()) < 100
