"""``kdebug host``: start, stop, reboot, dump and look at the simulated host.

    kdebug host start [--platform NAME] [--ncpus N] [--seed N] [--foreground]
    kdebug host stop
    kdebug host status
    kdebug host reboot [--seed N] [--platform NAME]
    kdebug host dump FILE

The host of ``$KDEBUG_HOME`` (CONVENTIONS.md).  Other tools start it on
first use; ``start`` is for choosing its platform or watching it in the
foreground.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from ..kernel.boot import DEFAULT_HOST, PLATFORMS, HostConfig
from ..paths import state_home
from .client import HostError, HostUnavailable, connect, running_pid

__all__ = ["main"]

EXAMPLES = """examples:
  kdebug host status
  kdebug host start --platform joyent_20180830T002644Z
  kdebug host reboot --seed 3
  kdebug host dump /tmp/emy-17.kdump && kdebug mdb /tmp/emy-17.kdump
"""


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="kdebug host", description="Start, stop, reboot or dump the simulated host.",
                                 epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    start = sub.add_parser("start", help="start the host (other tools start it on first use)")
    start.add_argument("--platform", choices=sorted(PLATFORMS), default=DEFAULT_HOST.platform)
    start.add_argument("--ncpus", type=int, default=DEFAULT_HOST.ncpus)
    start.add_argument("--seed", type=int, default=DEFAULT_HOST.seed)
    start.add_argument("--foreground", action="store_true", help="run in this terminal, log to stderr")
    sub.add_parser("stop", help="stop the host")
    sub.add_parser("status", help="platform, uptime, VMs, clients, lock holder")
    reboot = sub.add_parser("reboot", help="reboot: kernel memory is rebuilt, VM configurations stay")
    reboot.add_argument("--seed", type=int, default=None)
    reboot.add_argument("--platform", choices=sorted(PLATFORMS), default=None)
    dump = sub.add_parser("dump", help="write a crash-dump-style snapshot that kdebug mdb FILE opens")
    dump.add_argument("file")
    return ap


def _uptime(ns: int) -> str:
    s = ns // 1_000_000_000
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    return (f"{d} day{'s' if d != 1 else ''}, " if d else "") + f"{h}:{m:02d}:{s:02d}"


def format_status(st: dict) -> str:
    running = [v for v in st.get("vms", []) if v.get("state") == "running"]
    lines = [
        f"hostname  {st['hostname']}",
        f"platform  {st['platform']}",
        f"pid       {st['pid']}",
        f"uptime    {_uptime(st['uptime_ns'])}",
        f"boots     {st['boots']}",
        f"clients   {st['clients']}",
        f"dtrace    {st.get('dtrace', {}).get('consumers', 0)} consumers, "
        f"{st.get('dtrace', {}).get('enabled_probes', 0)} probes enabled",
        f"vms       {len(st.get('vms', []))} ({len(running)} running)",
    ]
    for v in st.get("vms", []):
        lines.append(f"          {v['uuid']}  {v.get('state', '-'):<8}  {v.get('alias', '-')}")
    lock = st.get("lock", {})
    if "hvm_excl" in lock:
        holder = lock["hvm_excl"]
        lines.append(f"hvm_excl  {'held by ' + chr(34) + holder + chr(34) if holder else 'not held'}")
    elif "hma" in lock:
        lines.append(f"hma       {', '.join(repr(n) for n in lock['hma']) or 'no registrations'}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    ap = _parser()
    if not argv:
        ap.print_usage(sys.stderr)
        return 2
    args = ap.parse_args(argv)
    home = state_home()
    try:
        if args.command == "start":
            return _start(home, args)
        if args.command == "stop":
            return _stop(home)
        if args.command == "status":
            sys.stdout.write(format_status(connect(home, autostart=False).status()))
            return 0
        if args.command == "reboot":
            sys.stdout.write(format_status(connect(home).reboot(args.seed, args.platform)))
            return 0
        if args.command == "dump":
            connect(home).dump(os.path.abspath(args.file))
            return 0
    except (HostUnavailable, HostError) as e:
        sys.stderr.write(f"kdebug host: {e}\n")
        return 1
    ap.print_usage(sys.stderr)
    return 2


def _start(home, args) -> int:
    pid = running_pid(home)
    if pid is not None:
        sys.stderr.write(f"kdebug host: already running (pid {pid})\n")
        return 0
    if args.foreground:
        from .daemon import Daemon
        Daemon(home, HostConfig(platform=args.platform, ncpus=args.ncpus, seed=args.seed)).serve()
        return 0
    host = connect(home, extra_args=["--platform", args.platform, "--ncpus", str(args.ncpus),
                                     "--seed", str(args.seed)])
    st = host.status()
    sys.stdout.write(f"host {st['hostname']} started (pid {st['pid']}, {st['platform']})\n")
    return 0


def _stop(home) -> int:
    try:
        host = connect(home, autostart=False)
    except HostUnavailable:
        sys.stderr.write("kdebug host: not running\n")
        return 0
    pid = host.status()["pid"]
    host.stop()
    host.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running_pid(home) == pid:
        time.sleep(0.02)
    return 0
