"""How tools reach the host: one client API, two transports.

``connect()`` gives the host of this ``KDEBUG_HOME`` through its daemon
(started on first use); :class:`InProcessHost` gives a
:class:`~kdebug.host.machine.Machine` in the same process (tests, dumps).
Both offer the same methods, so tools are written once:

- ``run(argv, stdin) -> CommandResult``: a userland command on the host
- ``kernel()``: the kernel to read (mdb), live
- ``dtrace()``: the host's DTrace device (kernel side of dtrace)
- ``advance(ns)``: let time pass (in-process only; the daemon's clock is real)
- ``status()``, ``reboot(seed, platform)``, ``dump(path)``, ``close()``
"""

from __future__ import annotations

import sys

from .machine import CommandResult, Machine

__all__ = ["InProcessHost", "HostUnavailable", "connect", "run_on_host"]


class HostUnavailable(Exception):
    """The host cannot be reached or started; ``str()`` says why."""


class InProcessHost:
    """A host in this process: a Machine, used directly."""

    live_clock = False   # time passes only when advanced

    def __init__(self, machine: Machine | None = None):
        self.machine = machine if machine is not None else Machine()

    def run(self, argv: list[str], stdin: str = "") -> CommandResult:
        return self.machine.run(argv, stdin)

    def kernel(self):
        return self.machine.kernel

    def dtrace(self):
        from ..dtrace.framework.device import device_for   # provided by the dtrace framework
        return device_for(self.machine)

    def advance(self, ns: int) -> None:
        self.machine.advance(ns)

    def status(self) -> dict:
        k = self.machine.kernel
        return {"hostname": k.hostname, "platform": k.platform, "uptime_ns": k.hrtime,
                "boots": self.machine.boots}

    def reboot(self, seed: int | None = None, platform: str | None = None) -> None:
        self.machine.reboot(seed, platform)

    def dump(self, path) -> None:
        self.machine.dump(path)

    def close(self) -> None:
        pass


def connect(home=None, autostart: bool = True):
    """The host of ``home`` (default: the state directory), through its daemon."""
    raise HostUnavailable("the host daemon is not available yet")


def run_on_host(argv: list[str], stdin: str | None = None, host=None) -> int:
    """Run ``argv`` on the host (default: connect()), copy its output here; returns its status.

    ``stdin`` None means read this process's standard input if it is not a
    terminal.  Tools' ``main`` functions use this to be thin clients.
    """
    if stdin is None:
        stdin = "" if sys.stdin is None or sys.stdin.isatty() else sys.stdin.read()
    try:
        host = host if host is not None else connect()
    except HostUnavailable as e:
        sys.stderr.write(f"{argv[0]}: {e}\n")
        return 1
    res = host.run(argv, stdin)
    sys.stdout.write(res.stdout)
    sys.stdout.flush()
    sys.stderr.write(res.stderr)
    return res.rc
