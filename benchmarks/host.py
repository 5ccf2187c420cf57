"""The host daemon: request round trips, against a bare Unix-socket echo in the same run."""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time

from .common import Result, benchmark


def _echo_roundtrips(n: int) -> float:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)

    def echo():
        while True:
            data = b.recv(4096)
            if not data:
                return
            b.sendall(data)

    t = threading.Thread(target=echo, daemon=True)
    t.start()
    payload = b'{"id":1,"op":"hello","args":{}}'
    start = time.perf_counter()
    for _ in range(n):
        a.sendall(payload)
        a.recv(4096)
    elapsed = time.perf_counter() - start
    a.close()
    return elapsed / n


@benchmark("daemon-roundtrip")
def daemon_roundtrip(quick: bool) -> Result:
    """One `hello` request to the daemon, against an echo over a socketpair (per request)."""
    from kdebug.host.client import connect
    from kdebug.host.daemon import Daemon  # noqa: F401  (imported so the daemon's start is not timed)

    n = 200 if quick else 5000
    with tempfile.TemporaryDirectory() as d:
        home = os.path.join(d, "home")
        host = connect(home)
        try:
            host.call("hello")
            start = time.perf_counter()
            for _ in range(n):
                host.call("hello")
            subject = (time.perf_counter() - start) / n
        finally:
            host.stop()
            host.close()
    baseline = _echo_roundtrips(n)
    return Result("daemon-roundtrip", subject, baseline, "socketpair echo", target=None,
                  note=f"{1 / subject:,.0f} requests/s")
