# SPDX-License-Identifier: BSD-2-Clause
"""A small QMP client: one unix socket, synchronous commands, events kept.

    q = QMP("/path/qmp.sock")          # greeting + qmp_capabilities
    q.set_link("nic0", False)           # cable out
    q.execute("query-status")           # -> {"running": True, ...}
    q.events                            # every event seen so far
"""
import json
import socket
import time


class QMPError(RuntimeError):
    """QEMU answered a command with an error."""

    def __init__(self, cmd, err):
        self.cmd, self.cls = cmd, err.get("class", "?")
        super().__init__("%s: %s: %s" % (cmd, self.cls, err.get("desc", "")))


class QMP:
    def __init__(self, path, timeout=30.0):
        self.path = path
        self.events = []
        self._buf = b""
        self._id = 0
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.timeout = timeout
        self.sock.settimeout(timeout)
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError("not a QMP greeting: %r" % (greeting,))
        self.version = greeting["QMP"].get("version", {})
        self.execute("qmp_capabilities")

    def _read(self):
        while b"\n" not in self._buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("QMP socket closed")
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line)

    def execute(self, cmd, **args):
        """Runs one command; returns its "return" value or raises QMPError.
        Argument names may use '_' for QMP's '-'."""
        self._id += 1
        msg = {"execute": cmd, "id": self._id}
        if args:
            msg["arguments"] = {k.replace("_", "-"): v
                                for k, v in args.items()}
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            r = self._read()
            if "event" in r:
                self.events.append(r)
                continue
            if r.get("id") != self._id:
                continue
            if "error" in r:
                raise QMPError(cmd, r["error"])
            return r.get("return")

    def wait_event(self, name, timeout=10.0, match=None):
        """The first event called name (and matching match(data)) seen
        since the last wait for it; it is removed from self.events."""
        deadline = time.monotonic() + timeout
        while True:
            for i, ev in enumerate(self.events):
                if ev.get("event") == name and (
                        match is None or match(ev.get("data", {}))):
                    return self.events.pop(i)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("QMP: no %s event in %gs" % (name, timeout))
            self.sock.settimeout(left)
            try:
                r = self._read()
            except socket.timeout:
                continue
            finally:
                self.sock.settimeout(self.timeout)
            if "event" in r:
                self.events.append(r)

    # ---- the few commands the harness uses -----------------------------
    def set_link(self, name, up):
        """Link of a NIC (device id) or netdev up or down."""
        return self.execute("set_link", name=name, up=bool(up))

    def status(self):
        return self.execute("query-status")

    def system_reset(self):
        return self.execute("system_reset")

    def hmp(self, line):
        """A human monitor command line; returns its text output."""
        return self.execute("human-monitor-command", command_line=line)

    def qom_get(self, path, prop):
        return self.execute("qom-get", path=path, property=prop)

    def device_del(self, dev_id):
        return self.execute("device_del", id=dev_id)

    def device_add(self, driver, **props):
        return self.execute("device_add", driver=driver, **props)

    def replug(self, dev_id, driver, timeout=30.0, **props):
        """A device reset the hard way: hot-unplug the device (the guest
        must acknowledge it through ACPI), then plug an identical one.
        props are the device's properties (netdev, mac, ...)."""
        self.device_del(dev_id)
        self.wait_event("DEVICE_DELETED", timeout,
                        match=lambda d: d.get("device") == dev_id)
        return self.device_add(driver, id=dev_id, **props)

    def quit(self):
        try:
            self.execute("quit")
        except (ConnectionError, OSError):
            pass    # QEMU may close the socket before it answers

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
