"""The host daemon: request round trips, against a bare Unix-socket echo in the same run."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

from .common import Result, _env, benchmark, best_of


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


def _kdebug(args: list[str], env: dict, input: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kdebug", *args], input=input, capture_output=True, text=True,
                          env=env, check=True)


@benchmark("mdb-k-status")
def mdb_k_status(quick: bool) -> Result:
    """``echo ::status | kdebug mdb -k`` against a running daemon, against ``kdebug mdb emy-17`` (the dump)."""
    n = 2 if quick else 9
    with tempfile.TemporaryDirectory() as d:
        env = dict(_env(), KDEBUG_HOME=os.path.join(d, "home"))
        try:
            _kdebug(["mdb", "-k"], env, "::status\n")          # the daemon starts; caches fill
            _kdebug(["mdb", "emy-17"], env, "::status\n")
            live = best_of(lambda: _kdebug(["mdb", "-k"], env, "::status\n"), n)
            dump = best_of(lambda: _kdebug(["mdb", "emy-17"], env, "::status\n"), n)
        finally:
            subprocess.run([sys.executable, "-m", "kdebug", "host", "stop"], capture_output=True, env=env)
    return Result("mdb-k-status", live, dump, "kdebug mdb emy-17", target=None)


_FLOOD = 'profile-1001 { printf("%d\\n", cpu); } tick-{T} { exit(0); }'


@benchmark("dtrace-socket-records")
def dtrace_socket_records(quick: bool) -> Result:
    """Records per second a consumer receives over the daemon's socket (80 CPUs firing profile-1001,
    more than can be kept up with), per record against the same program in-process."""
    from kdebug.host.client import InProcessHost
    from kdebug.host.machine import Machine

    seconds = 1
    program = _FLOOD.replace("{T}", f"{seconds}s")
    argv = ["dtrace", "-q", "-b", "64m", "-n", program]
    with tempfile.TemporaryDirectory() as d:
        env = dict(_env(), KDEBUG_HOME=os.path.join(d, "home"))
        try:
            _kdebug(["host", "start"], env)
            start = time.perf_counter()
            r = _kdebug(argv, env)
            socket_time = time.perf_counter() - start
        finally:
            subprocess.run([sys.executable, "-m", "kdebug", "host", "stop"], capture_output=True, env=env)
    socket_records = r.stdout.count("\n") - 1
    from kdebug.dtrace.cli import main as dtrace_main
    host = InProcessHost(Machine())
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        dtrace_main(argv[1:], host=host)
    local_time = time.perf_counter() - start
    local_records = out.getvalue().count("\n") - 1
    return Result("dtrace-socket-records", socket_time / socket_records, local_time / local_records,
                  "in-process consumer, per record", target=None,
                  note=f"{socket_records / socket_time:,.0f} records/s over the socket "
                       f"({socket_records} in {socket_time:.1f} s); drops: {'drop' in r.stderr}")


_BOOT_WITH_VMS = """
import json, resource, sys, time
from kdebug.host.machine import Machine
m = Machine(state_dir=sys.argv[1])
for i in range(int(sys.argv[2])):
    r = m.run(["vmadm", "create"], json.dumps({"brand": "kvm", "alias": "vm%d" % i, "ram": 256, "autoboot": False}))
    assert r.rc == 0, r.stderr
start = time.perf_counter()
m.reboot()
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _boot_with(vms: int) -> tuple[float, int]:
    """(reboot seconds, maximum RSS in KiB) of a host whose store holds ``vms`` more VMs."""
    with tempfile.TemporaryDirectory() as d:
        r = subprocess.run([sys.executable, "-c", _BOOT_WITH_VMS, d, str(vms)], capture_output=True, text=True,
                           check=True, env=_env())
    seconds, rss = r.stdout.split()
    return float(seconds), int(rss)


@benchmark("host-boot-1000-vms")
def host_boot_1000_vms(quick: bool) -> Result:
    """Rebooting a host whose vmadm store holds 1,000 VMs, against one holding 10 (RSS in the note)."""
    many = 100 if quick else 1000
    t_few, rss_few = min(_boot_with(10) for _ in range(1 if quick else 3))
    t_many, rss_many = min(_boot_with(many) for _ in range(1 if quick else 3))
    return Result("host-boot-1000-vms", t_many, t_few, "10 VMs", target=None,
                  note=f"{many} VMs: max RSS {rss_many / 1024:.0f} MiB; 10 VMs: {rss_few / 1024:.0f} MiB")
