# SPDX-License-Identifier: BSD-2-Clause
"""The Python view of the ABI (nmtb/abi.py) against the C compiler's view
of include/net/netmap.h."""
import ctypes
import os
import subprocess

from nmtb import abi

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PROG = r"""
#include <stdio.h>
#include <stddef.h>
#include <net/netmap.h>
int main(void) {
  printf("%lu %lu %lu %lu %lu\n", (unsigned long)NIOCCTRL,
    (unsigned long)NIOCTXSYNC, (unsigned long)NIOCRXSYNC,
    sizeof(struct nmreq_header), sizeof(struct nmreq_register));
  printf("%zu %zu %zu %zu\n", sizeof(struct nmreq_option),
    sizeof(struct nmreq_opt_offsets), sizeof(struct nmreq_pools_info),
    offsetof(struct nmreq_register, nr_flags));
  printf("%zu %zu %zu %zu %zu %zu\n", offsetof(struct netmap_ring, head),
    offsetof(struct netmap_ring, tail), offsetof(struct netmap_ring, flags),
    offsetof(struct netmap_ring, offset_mask),
    offsetof(struct netmap_ring, slot), sizeof(struct netmap_slot));
  printf("%zu %zu %zu\n", offsetof(struct netmap_if, ni_tx_rings),
    offsetof(struct netmap_if, ni_host_tx_rings),
    offsetof(struct netmap_if, ring_ofs));
  return 0;
}
"""


def test_abi_matches_the_header(tmp_path):
    src, exe = tmp_path / "abi.c", tmp_path / "abi"
    src.write_text(PROG)
    subprocess.run(["gcc", "-I", os.path.join(ROOT, "include"), "-o",
                    str(exe), str(src)], check=True)
    out = [list(map(int, line.split())) for line in
           subprocess.run([str(exe)], check=True, capture_output=True,
                          text=True).stdout.splitlines()]
    assert out[0] == [abi.NIOCCTRL, abi.NIOCTXSYNC, abi.NIOCRXSYNC,
                      ctypes.sizeof(abi.nmreq_header),
                      ctypes.sizeof(abi.nmreq_register)]
    assert out[0][:3] == [0xc0586997, 0x6994, 0x6995]
    assert out[1] == [ctypes.sizeof(abi.nmreq_option),
                      ctypes.sizeof(abi.nmreq_opt_offsets),
                      ctypes.sizeof(abi.nmreq_pools_info),
                      abi.nmreq_register.nr_flags.offset]
    assert out[2] == [abi.RING_HEAD, abi.RING_TAIL, abi.RING_FLAGS,
                      abi.RING_OFFSET_MASK, abi.RING_SLOTS, abi.SLOT_SIZE]
    assert out[3] == [abi.IF_TX_RINGS, abi.IF_HOST_TX_RINGS, abi.IF_RING_OFS]
