"""How tools reach the host: one client API, two transports.

``connect()`` gives the host of this ``KDEBUG_HOME`` through its daemon,
starting the daemon on first use (silently, CONVENTIONS.md);
:class:`InProcessHost` gives a :class:`~kdebug.host.machine.Machine` in the
same process (tests, dumps).  Both offer the same methods, so tools are
written once:

- ``run(argv, stdin) -> CommandResult``: a userland command on the host
- ``kernel()``: the kernel to read (mdb), live
- ``dtrace()``: the host's DTrace device (kernel side of dtrace)
- ``live_clock``: True if time passes by itself (the daemon); else ``advance(ns)``
- ``status()``, ``reboot(seed, platform)``, ``dump(path)``, ``close()``
"""

from __future__ import annotations

import fcntl
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from ..kernel import MemoryFault
from ..paths import state_home
from . import protocol
from .protocol import CommandResult

__all__ = ["InProcessHost", "RemoteHost", "HostUnavailable", "HostError", "connect", "run_on_host",
           "running_pid", "spawn_daemon"]

_START_TIMEOUT = 30.0


class HostUnavailable(Exception):
    """The host cannot be reached or started; ``str()`` says why."""


class _ConnectionLost(HostUnavailable):
    """The connection broke in the middle of a request."""


class HostError(Exception):
    """The host refused or failed a request; ``str()`` is its message."""


class InProcessHost:
    """A host in this process: a Machine, used directly."""

    live_clock = False   # time passes only when advanced

    def __init__(self, machine=None):
        if machine is None:
            from .machine import Machine
            machine = Machine()
        self.machine = machine

    def run(self, argv: list[str], stdin: str = "", pid: int | None = None) -> CommandResult:
        return self.machine.run(argv, stdin, pid)

    def spawn(self, argv: list[str]) -> int:
        return self.machine.spawn(argv)

    def release(self, pid: int) -> None:
        self.machine.release(pid)

    def commands(self) -> list[str]:
        """The userland commands the host has."""
        from .machine import HOST_COMMANDS
        return sorted(HOST_COMMANDS)

    def kernel(self):
        return self.machine.kernel

    def dtrace(self):
        from ..dtrace.framework.device import device_for   # the kernel side of dtrace
        return device_for(self.machine)

    def advance(self, ns: int) -> None:
        self.machine.advance(ns)

    def status(self) -> dict:
        from .status import host_summary

        k = self.machine.kernel
        return {"hostname": k.hostname, "platform": k.platform, "pid": os.getpid(), "uptime_ns": k.hrtime,
                "boots": self.machine.boots, "clients": 1, **host_summary(self.machine)}

    def reboot(self, seed: int | None = None, platform: str | None = None) -> dict:
        self.machine.reboot(seed, platform)
        return self.status()

    def dump(self, path) -> None:
        self.machine.dump(path)

    def close(self) -> None:
        pass


class _RemoteDevice:
    """The daemon's DTrace device: each method call is one request."""

    def __init__(self, host: "RemoteHost"):
        self._host = host

    def __getattr__(self, method: str):
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self._host.call("dtrace", method=method, args=list(args))


class RemoteHost:
    """The host daemon at ``sock_path``."""

    live_clock = True

    def __init__(self, sock_path: str | os.PathLike):
        self.sock_path = os.fspath(sock_path)
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.connect(self.sock_path)
        except OSError:
            self._sock.close()
            raise
        self._next = 0
        self._kernel = None
        try:
            self.info = self.call("hello", version=protocol.VERSION)
        except HostError as e:              # the daemon answered: refused
            self.close()
            raise HostUnavailable(str(e)) from None
        except _ConnectionLost:             # a daemon dying as we connected: as if there were none
            self.close()
            raise ConnectionResetError(self.sock_path) from None

    def call(self, op: str, **args):
        """One request; returns its result or raises HostError / MemoryFault / HostUnavailable."""
        self._next += 1
        try:
            protocol.send(self._sock, {"id": self._next, "op": op, "args": args})
        except OSError:
            pass    # a daemon that refused us answered and closed at once: its answer is still to read
        try:
            reply = protocol.recv(self._sock)
        except (OSError, protocol.ProtocolError) as e:
            raise _ConnectionLost(f"lost the connection to the host ({e})") from None
        if reply.get("ok"):
            return reply.get("result")
        err = reply.get("error") or {}
        if err.get("type") == "fault":
            raise MemoryFault(err.get("addr", 0), err.get("message", "no mapping for address"), err.get("write", False))
        if err.get("type") == "denied":
            raise HostUnavailable(err.get("message", "permission denied"))
        raise HostError(err.get("message", "request failed"))

    # -- the client API ------------------------------------------------------

    def run(self, argv: list[str], stdin: str = "", pid: int | None = None) -> CommandResult:
        extra = {"pid": pid} if pid is not None else {}     # an older daemon knows no pid
        r = self.call("run", argv=list(argv), stdin=stdin, **extra)
        return CommandResult(r["rc"], r["stdout"], r["stderr"])

    def spawn(self, argv: list[str]) -> int:
        return self.call("spawn", argv=list(argv))

    def release(self, pid: int) -> None:
        self.call("release", pid=pid)

    def commands(self) -> list[str]:
        return self.call("host.commands")

    def kernel(self):
        if self._kernel is None:
            from .remote import RemoteKernel
            self._kernel = RemoteKernel(self)
        return self._kernel

    def dtrace(self):
        return _RemoteDevice(self)

    def advance(self, ns: int) -> None:
        time.sleep(ns / 1e9)   # the daemon's clock is real time

    def status(self) -> dict:
        return self.call("host.status")

    def reboot(self, seed: int | None = None, platform: str | None = None) -> dict:
        return self.call("host.reboot", seed=seed, platform=platform)

    def dump(self, path) -> None:
        self.call("host.dump", path=os.path.abspath(os.fspath(path)))

    def stop(self) -> None:
        self.call("host.stop")

    def read_memory(self, addr: int, size: int) -> bytes:
        return protocol.decode_bytes(self.call("kernel.read", addr=addr, size=size))

    def write_memory(self, addr: int, data: bytes) -> None:
        self.call("kernel.write", addr=addr, data=protocol.encode_bytes(data))

    def close(self) -> None:
        try:
            self._sock.close()
        except OSError:
            pass


# -- finding or starting the daemon ------------------------------------------


def running_pid(home: Path) -> int | None:
    """The pid of the daemon of ``home`` if its pid file names a live process."""
    try:
        pid = int((home / "host.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    try:   # a zombie is not running (Linux: state after the command name in /proc/PID/stat)
        if open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "Z":
            return None
    except (OSError, IndexError):
        pass
    return pid


def _cleanup_stale(home: Path) -> None:
    if running_pid(home) is None:
        for name in ("host.sock", "host.pid"):
            try:
                (home / name).unlink()
            except FileNotFoundError:
                pass


def spawn_daemon(home: Path, extra: list[str] | None = None) -> None:
    """Start the daemon of ``home`` in the background, its output going to host.log."""
    log = os.fdopen(os.open(home / "host.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
    try:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "kdebug.host.daemon", "--detach", "--home", str(home), *(extra or [])],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True, close_fds=True)
        launcher.wait()   # it forks the daemon and exits at once
    finally:
        log.close()


def _try_connect(home: Path) -> RemoteHost | None:
    try:
        return RemoteHost(home / "host.sock")
    except (FileNotFoundError, ConnectionRefusedError, ConnectionResetError):   # no daemon, or a dying one
        return None


def connect(home: str | os.PathLike | None = None, autostart: bool = True,
            extra_args: list[str] | None = None) -> RemoteHost:
    """The host of ``home`` (default: the state directory), started if need be."""
    home = Path(home) if home is not None else state_home()
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    host = _try_connect(home)
    if host is not None:
        return host
    if not autostart:
        raise HostUnavailable(f"no host is running in {home}")
    with os.fdopen(os.open(home / "host.lock", os.O_WRONLY | os.O_CREAT, 0o600), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)        # one starter at a time
        host = _try_connect(home)
        if host is not None:
            return host
        _cleanup_stale(home)
        if running_pid(home) is None:
            spawn_daemon(home, extra_args)
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline:
            host = _try_connect(home)
            if host is not None:
                return host
            time.sleep(0.02)
    raise HostUnavailable(_start_failure(home))


def _start_failure(home: Path) -> str:
    """Why the daemon did not start: its last word in host.log, if it said one."""
    try:
        lines = (home / "host.log").read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    last = next((ln for ln in reversed(lines) if ln.strip()), "")
    if last.startswith("kdebug host: "):
        return "the host did not start: " + last[len("kdebug host: "):]
    return f"the host did not start (see {home / 'host.log'})"


def run_on_host(argv: list[str], stdin: str | None = None, host=None) -> int:
    """Run ``argv`` on the host (default: connect()), copy its output here; returns its status.

    ``stdin`` None means read this process's standard input if it is not a
    terminal.  Tools' ``main`` functions use this to be thin clients.
    """
    if stdin is None:
        stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    try:
        host = host if host is not None else connect()
        res = host.run(argv, stdin)
    except (HostUnavailable, HostError) as e:
        sys.stderr.write(f"{argv[0]}: {e}\n")
        return 1
    sys.stdout.write(res.stdout)
    sys.stdout.flush()
    sys.stderr.write(res.stderr)
    return res.rc
