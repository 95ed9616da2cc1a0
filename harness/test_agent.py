# SPDX-License-Identifier: BSD-2-Clause
"""The guest agent and the harness's host side, without QEMU.

The agent is built for this host and run on a socketpair: its JSON
handling under ASan+UBSan with hostile input, and its netmap commands
against the sim core through libnmsim_preload.so (which turns
/dev/netmap into the sim), so send/recv/ring/slot/poll are checked before
a real netmap.ko exists.  Run: make harness-test."""
import json
import os
import random
import socket
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import qemu  # noqa: E402

B = os.path.join(TOP, "build", "harness-test")
SRCS = [os.path.join(HERE, "agent", f) for f in ("agent.c", "json.c")]
PRELOAD = os.path.join(TOP, "build", "libnmsim_preload.so")
CFLAGS = ["-std=gnu11", "-D_GNU_SOURCE", "-g", "-Wall", "-Wextra", "-Werror",
          "-Wno-unused-parameter", "-Wshadow",
          "-I" + os.path.join(TOP, "include")]


def _build(name, extra):
    out = os.path.join(B, name)
    os.makedirs(B, exist_ok=True)
    subprocess.run(["gcc"] + CFLAGS + extra + ["-o", out] + SRCS, check=True)
    return out


@pytest.fixture(scope="session")
def asan_agent():
    return _build("agent-asan", ["-O1", "-fsanitize=address,undefined",
                                 "-fno-sanitize-recover=all"])


@pytest.fixture(scope="session")
def sim_agent():
    if not os.path.exists(PRELOAD):
        subprocess.run(["make", "-s", "-C", TOP, "preload"], check=True)
    return _build("agent-sim", ["-O1"])


class Running:
    """An agent process on one end of a socketpair; .a is an Agent."""

    def __init__(self, exe, env=None):
        mine, theirs = socket.socketpair()
        self.p = subprocess.Popen([exe, "-"], stdin=theirs, stdout=theirs,
                                  stderr=subprocess.PIPE,
                                  env=dict(os.environ, **(env or {})))
        theirs.close()
        self.a = qemu.Agent(None, timeout=20, sock=mine)
        self.a.wait_ready(20)

    def stop(self):
        self.a.sock.shutdown(socket.SHUT_WR)
        rc = self.p.wait(20)
        err = self.p.stderr.read().decode(errors="replace")
        self.a.close()
        return rc, err


@pytest.fixture
def asan(asan_agent):
    r = Running(asan_agent, {"ASAN_OPTIONS": "detect_leaks=1"})
    yield r.a
    rc, err = r.stop()
    assert rc == 0 and "ERROR" not in err and "runtime error" not in err, err


@pytest.fixture
def sim(sim_agent):
    r = Running(sim_agent, {"LD_PRELOAD": PRELOAD,
                            "NMSIM_NICS": "sim0:1x64", "NMSIM_LOG": "-1"})
    yield r.a
    rc, err = r.stop()
    assert rc == 0, err


def raw(a, line):
    """Sends one raw line; returns the reply to it."""
    a.sock.sendall(line + b"\n")
    return json.loads(a._readline(__import__("time").monotonic() + 20))


# ---- JSON handling -------------------------------------------------------

BAD_LINES = [b"{", b"}", b"[", b"null", b"1", b'"x"', b"{}", b'{"cmd":1}',
             b'{"cmd":"ping"', b'{"cmd":"ping"}}', b'{"cmd":"ping",}',
             b'{"cmd":"\\u12"}', b'{"cmd":"\\q"}', b'{"cmd":"p\x01"}',
             b"[" * 100000 + b"]" * 100000, b'{"a":' * 40 + b"1" + b"}" * 40,
             b'{"id":1e999,"cmd":"x"}', b'{"id":-0,"cmd":"x"}',
             b'{"cmd":"exec"}', b'{"cmd":"exec","sh":5}',
             b'{"cmd":"load","path":"/nonexistent"}',
             b'{"cmd":"open"}', b'{"cmd":"send","port":-1,"slots":[]}',
             b'{"cmd":"send","port":99999999999999999999,"slots":[]}',
             b'{"cmd":"pkt_send","data":"abc"}',
             b'{"cmd":"pkt_send","ifname":"' + b"x" * 300 + b'","data":"00"}',
             b'{"cmd":"fi_arm","name":"..","spec":"nth:1"}',
             b'{"cmd":"poll","items":[[1]]}', b'{"cmd":"poll","items":5}',
             b"\xff\xfe\x00garbage", b'{"cmd":"x\\ud800"}']


def test_bad_lines_get_an_error_never_a_crash(asan):
    for line in BAD_LINES:
        r = raw(asan, line)
        assert r["ok"] is False, (line[:80], r)
        assert r["error"], r
    assert asan.call("ping")["pong"] is True


def test_random_garbage_and_mutations(asan):
    rng = random.Random(1)
    seeds = [b'{"id":1,"cmd":"ping"}', b'{"cmd":"exec","sh":"true"}',
             b'{"cmd":"send","port":0,"slots":[{"data":"00","flags":32}]}',
             b'{"cmd":"open","name":"eth0","offsets":{"bits":8}}']
    for i in range(600):
        s = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            op = rng.randint(0, 2)
            pos = rng.randrange(len(s) + 1)
            if op == 0 and s:
                del s[min(pos, len(s) - 1)]
            elif op == 1:
                s.insert(pos, rng.choice(b'{}[]":,\\0123456789aeflnrstu- '))
            else:
                s[pos:pos] = bytes(rng.randrange(1, 256) for _ in range(3))
        line = bytes(s).replace(b"\n", b" ")
        if b'"exec"' in line:
            continue        # a mutated shell command could do anything
        r = raw(asan, line)
        assert "ok" in r, (line, r)
    assert asan.call("ping")["pong"] is True


def test_replies_echo_ids_and_escape_output(asan):
    r = asan.request("exec", sh="printf 'a\"b\\\\c\\001\\377'")
    assert r["ok"] and r["status"] == 0
    assert r["output"].encode("latin-1") == b'a"b\\c\x01\xff'
    assert raw(asan, b'{"id":"s-1","cmd":"ping"}')["id"] == "s-1"
    r = asan.request("exec", sh="exit 7")
    assert r["status"] == 7


def test_exec_timeout_kills(asan):
    r = asan.request("exec", sh="sleep 30", timeout=1)
    assert r["ok"] and r.get("timed_out") is True


def test_netmap_missing_is_clear(asan):
    if os.path.exists("/dev/netmap"):
        pytest.skip("this host has /dev/netmap")
    r = asan.request("open", name="eth0")
    assert not r["ok"] and "/dev/netmap is missing" in r["error"]


# ---- netmap commands on the sim ----------------------------------------

def test_pipe_send_recv_chains(sim):
    m = sim.call("open", name="sim0{1")
    s = sim.call("open", name="sim0}1")
    assert m["info"]["tx_slots"] == 64 and m["info"]["buf_size"] == 2048
    f1 = bytes(range(60))
    r = sim.call("send", port=m["port"], slots=[
        {"data": f1.hex()},
        {"data": "aabb", "flags": 0x20}, {"data": "cc"}])
    assert r["sent"] == 3
    fr = sim.call("recv", port=s["port"])["frames"]
    assert [bytes.fromhex(f["data"]) for f in fr] == [f1, b"\xaa\xbb\xcc"]
    assert fr[1]["lens"] == [2, 1] and fr[1]["flags"][0] & 0x20
    st = sim.call("ring_state", port=s["port"], kind="rx", ring=0)
    assert st["head"] == st["cur"] == 3 and st["num_slots"] == 64
    assert sim.call("bound", port=s["port"], kind="rx")["rings"] == [0]


def test_unfinished_chain_stays(sim):
    m = sim.call("open", name="sim0{2")
    s = sim.call("open", name="sim0}2")
    sim.call("send", port=m["port"], slots=[{"data": "01", "flags": 0x20}])
    assert sim.call("recv", port=s["port"])["frames"] == []
    sim.call("send", port=m["port"], slots=[{"data": "02"}])
    fr = sim.call("recv", port=s["port"])["frames"]
    assert len(fr) == 1 and fr[0]["data"] == "0102"


def test_ring_and_slot_access(sim):
    m = sim.call("open", name="sim0{3")
    p = m["port"]
    st = sim.call("ring_state", port=p, kind="tx")
    assert st["tail"] == 63 and st["dir"] == 0
    sl = sim.call("slot", port=p, kind="tx", ring=0, slot=5)
    sim.call("set_slot", port=p, kind="tx", ring=0, slot=5, len=33, flags=1)
    sl2 = sim.call("slot", port=p, kind="tx", ring=0, slot=5)
    assert (sl2["len"], sl2["flags"], sl2["buf_idx"]) == (33, 1, sl["buf_idx"])
    # a hostile head: the kernel refuses the sync or reinits the ring
    sim.call("set_ring", port=p, kind="tx", head=1000, cur=1000)
    r = sim.request("txsync", port=p)
    st = sim.call("ring_state", port=p, kind="tx")
    assert not r["ok"] or st["head"] < 64
    r = sim.request("ring_state", port=p, kind="rx", ring=7)
    assert not r["ok"] and "not bound" in r["error"]
    assert sim.call("poll", items=[[p, 4]], timeout_ms=0)["revents"][0] & 4


def test_close_and_reset(sim):
    m = sim.call("open", name="sim0{4")
    sim.call("close", port=m["port"])
    r = sim.request("txsync", port=m["port"])
    assert not r["ok"] and r["errno"] == 9
    sim.call("open", name="sim0{5")
    assert sim.call("reset")["closed"] == 1


def test_register_error_carries_errno(sim):
    r = sim.request("open", name="nosuch0")
    assert not r["ok"] and r["errno"] != 0
    r = sim.request("open", name="sim0", mode="bogus")
    assert not r["ok"] and "mode" in r["error"]


# ---- host side -----------------------------------------------------------

def test_scanner():
    ok, detail = qemu.scanner_selftest()
    assert ok, detail
    assert qemu.scan_console("[1.0] INFO: task kworker/0:1:12 blocked for "
                             "more than 15 seconds.")[0][0] == "hung task"
    assert not qemu.scan_console("e1000: eth0 NIC Link is Up\nDEBUG: x\n")


def test_scan_cli_fails_on_a_bad_log(tmp_path):
    bad = tmp_path / "bad.log"
    bad.write_text("[2.0] general protection fault, probably for ...\n")
    good = tmp_path / "good.log"
    good.write_text("[1.0] Run /init as init process\n")
    py = [sys.executable, os.path.join(HERE, "qemu.py"), "scan"]
    assert subprocess.run(py + [str(bad)], capture_output=True).returncode == 1
    assert subprocess.run(py + [str(good)], capture_output=True).returncode == 0


def test_kver_from_installed_headers():
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\n",
                          "linux-headers-*-amd64"], capture_output=True,
                         text=True).stdout.split()
    if not out:
        pytest.skip("no linux-headers installed (make deps-qemu)")
    assert "linux-headers-" + qemu.guest_kver() in out


def test_offsets_option_and_slot_offsets(sim):
    off = {"max_offset": 256, "initial_offset": 64, "bits": 16,
           "tx_align": 2}
    r = sim.call("open", name="sim0", offsets=off)
    assert r["option_status"] == 0
    p = r["port"]
    st = sim.call("ring_state", port=p, kind="tx")
    assert st["offset_mask"] == 0xffff and st["buf_align"] == 2
    assert sim.call("slot", port=p, kind="rx", ring=0, slot=3)["offset"] == 64
    frame = bytes(range(14)) + b"payload-" * 8
    assert sim.call("send", port=p, slots=[
        {"data": frame.hex(), "offset": 114}])["sent"] == 1
    fr = sim.call("recv", port=p, rx_offset=32)["frames"]
    assert [bytes.fromhex(f["data"]) for f in fr] == [frame]
    assert fr[0]["offsets"] == [64]
    # the released slot now carries the new offset
    assert sim.call("slot", port=p, kind="rx", ring=0,
                    slot=fr[0]["first_slot"])["offset"] == 32
    r = sim.request("open", name="sim0", offsets={"bits": "x"})
    assert not r["ok"] and "integer" in r["error"]


def test_fault_points_need_debugfs(sim):
    r = sim.request("fi_arm", name="txsync.enter", spec="nth:1")
    if os.path.isdir("/sys/kernel/debug/netmap/fi"):
        pytest.skip("this host has netmap's debugfs")
    assert not r["ok"] and "/sys/kernel/debug/netmap/fi/txsync.enter" in \
        r["error"]


def test_indirect_slots(sim):
    m = sim.call("open", name="sim0{6")
    s = sim.call("open", name="sim0}6")
    r = sim.request("send", port=m["port"], slots=[
        {"data": "abcdef", "indirect": True}])
    # whatever the core does with NS_INDIRECT on a pipe, the agent
    # survives and reports it
    assert "ok" in r
    assert sim.call("ping")["pong"]
    sim.call("recv", port=s["port"])
