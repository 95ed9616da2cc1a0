# SPDX-License-Identifier: BSD-2-Clause
"""nmtb: drive a netmap implementation from Python.

    import nmtb
    be = nmtb.backend("sim")          # or "qemu" (not built yet)
    nic = be.nic("sim0", rings=2, slots=256)
    p = be.open("sim0")               # REGISTER + mmap
    p.send([bytes_or_scapy_packet, nmtb.Slot(data, flags=nmtb.NS_MOREFRAG)])
    frames = p.recv()                 # [nmtb.RxFrame]
    be.fi.arm("txsync.enter", "nth:2")
    assert be.reset() == 0            # no kernel object leaked

See api.py for the whole interface.
"""
import os

from .abi import *  # noqa: F401,F403  constants: NS_*, NR_*, POLL*
from .api import (Backend, BackendUnavailable, FaultPoints, Missing,  # noqa
                  NetmapError, Nic, Port, RingState, RxFrame, Slot,
                  SlotState, frags)

BACKENDS = ("sim", "qemu")


def backend(name=None, **kw):
    """The backend called name (default $NMTB_BACKEND, else "sim")."""
    name = name or os.environ.get("NMTB_BACKEND") or "sim"
    if name == "sim":
        from .sim import SimBackend
        return SimBackend(**kw)
    if name == "qemu":
        raise BackendUnavailable(
            "the qemu backend is not built yet (it will speak JSON to a "
            "guest agent over a serial line); use BACKEND=sim")
    raise BackendUnavailable("unknown backend %r (known: %s)"
                             % (name, ", ".join(BACKENDS)))
