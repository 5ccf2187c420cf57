"""The host daemon: one Machine per ``KDEBUG_HOME``, served over ``host.sock``.

Every terminal (``kdebug vmadm``, ``kdebug mdb -k``, ``kdebug dtrace``, the
shell) is a client of the same machine, as every terminal on a SmartOS box
shares one kernel.  The daemon is single-threaded: it waits on its clients'
sockets with a short timeout, answers whole requests one at a time, and
between requests moves the machine's clock to real time, so cyclics
(``profile-97``, ``tick-1s``) fire at their rates.

Only the owner is served: the socket is mode 0600 in a 0700 directory, and
each connection's peer credentials are checked (``SO_PEERCRED``).

Run it as ``python -m kdebug.host.daemon --home DIR [--foreground]``;
clients start it themselves on first use (``kdebug.host.client.connect``).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback
from pathlib import Path

from ..kernel import MemoryFault, dump
from ..kernel.boot import DEFAULT_HOST, PLATFORMS, HostConfig
from . import protocol
from .machine import HOST_COMMANDS, Machine, SpawnError
from .status import host_summary

__all__ = ["Daemon", "main", "SOCKET", "PIDFILE", "LOGFILE"]

SOCKET, PIDFILE, LOGFILE = "host.sock", "host.pid", "host.log"
_PEERCRED = struct.Struct("3i")           # struct ucred: pid, uid, gid
_TICK = 0.01                              # seconds between clock updates when idle
_MAX_CATCH_UP = 5_000_000_000             # never replay more than 5 s of missed time at once


class RequestError(Exception):
    """A request whose arguments the daemon cannot act on; the client gets the text."""


class _Client:
    __slots__ = ("sock", "buf", "pid", "handles")

    def __init__(self, sock: socket.socket, pid: int):
        self.sock = sock
        self.buf = bytearray()
        self.pid = pid
        self.handles: set = set()     # dtrace handles to close when the client goes


class Daemon:
    """Serves one machine on ``home/host.sock``."""

    def __init__(self, home: str | os.PathLike, config: HostConfig = DEFAULT_HOST, allowed_uid: int | None = None):
        self.home = Path(home)
        self.config = config
        self.allowed_uid = os.getuid() if allowed_uid is None else allowed_uid
        self.sock_path = self.home / SOCKET
        self.pid_path = self.home / PIDFILE
        self.machine: Machine | None = None
        self.clients: dict[socket.socket, _Client] = {}
        self.selector = selectors.DefaultSelector()
        self.stopping = False
        self.started = time.time()
        self._t0 = 0.0
        self._hr0 = 0
        self.zygote: subprocess.Popen | None = None
        self._zygote_pipe: int | None = None

    # -- life ----------------------------------------------------------------

    def serve(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.home, 0o700)
        self.machine = Machine(self.config, state_dir=self.home)
        self._sync_clock()
        listener = self._listen()
        fd = os.open(self.pid_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(f"{os.getpid()}\n")
        self.log(f"serving {self.machine.kernel.hostname} ({self.machine.kernel.platform}) on {self.sock_path}")
        signal.signal(signal.SIGTERM, lambda *_: self._request_stop())
        signal.signal(signal.SIGINT, lambda *_: self._request_stop())
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        self._start_zygote()
        try:
            while not self.stopping:
                for key, _ in self.selector.select(timeout=self._timeout()):
                    if key.fileobj is listener:
                        self._accept(listener)
                    else:
                        self._readable(key.fileobj)
                self._tick()
        finally:
            for c in list(self.clients.values()):
                self._drop(c)
            listener.close()
            self._stop_zygote()
            for p in (self.sock_path, self.pid_path):
                try:
                    p.unlink()
                except FileNotFoundError:
                    pass
            self.log("stopped")

    def _listen(self) -> socket.socket:
        try:
            self.sock_path.unlink()
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            s.bind(str(self.sock_path))
        finally:
            os.umask(old)
        os.chmod(self.sock_path, 0o600)
        s.listen(64)
        s.setblocking(False)
        self.selector.register(s, selectors.EVENT_READ)
        return s

    def _start_zygote(self) -> None:
        """Keep a warm dtrace beside the host (zygote.py); it goes when we go, even by kill -9."""
        if os.environ.get("KDEBUG_NO_ZYGOTE"):
            return
        read_end, self._zygote_pipe = os.pipe()     # its EOF tells the zygote we are gone
        try:
            self.zygote = subprocess.Popen(
                [sys.executable, "-m", "kdebug.host.zygote", "--home", str(self.home), "--parent-fd", str(read_end)],
                pass_fds=(read_end,), stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as e:
            self.log(f"no zygote: {e}")
        finally:
            os.close(read_end)

    def _stop_zygote(self) -> None:
        if self._zygote_pipe is not None:
            os.close(self._zygote_pipe)
            self._zygote_pipe = None
        if self.zygote is not None:
            try:
                self.zygote.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.zygote.kill()
                self.zygote.wait()
            self.zygote = None

    def _request_stop(self) -> None:
        self.stopping = True

    def log(self, text: str) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S")
        sys.stderr.write(f"{stamp} [{os.getpid()}] {text}\n")
        sys.stderr.flush()

    # -- the clock ---------------------------------------------------------

    def _sync_clock(self) -> None:
        self._t0 = time.monotonic()
        self._hr0 = self.machine.now
        self._boots = self.machine.boots

    def _timeout(self) -> float:
        return _TICK

    def _tick(self) -> None:
        if self.machine.boots != self._boots:   # rebooted (a panic, say): the clock starts again
            self._sync_clock()
        target = self._hr0 + int((time.monotonic() - self._t0) * 1e9)
        now = self.machine.now
        if target <= now:
            return
        if target - now > _MAX_CATCH_UP:        # we were stopped: skip ahead, do not replay it all
            self._hr0 -= target - now - _MAX_CATCH_UP
            target = now + _MAX_CATCH_UP
        self.machine.advance_to(target)

    # -- clients -----------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        try:
            sock, _ = listener.accept()
        except BlockingIOError:
            return
        pid, uid, _gid = _PEERCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, _PEERCRED.size))
        if uid != self.allowed_uid:
            self.log(f"refused pid {pid}: uid {uid} is not the owner ({self.allowed_uid})")
            try:
                sock.setblocking(True)
                protocol.send(sock, {"id": 0, "ok": False, "error": {
                    "type": "denied", "message": f"permission denied: this host belongs to uid {self.allowed_uid}"}})
            except OSError:
                pass
            sock.close()
            return
        sock.setblocking(False)
        client = _Client(sock, pid)
        self.clients[sock] = client
        self.selector.register(sock, selectors.EVENT_READ)

    def _readable(self, sock: socket.socket) -> None:
        client = self.clients.get(sock)
        if client is None:
            return
        try:
            data = sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(client)
            return
        client.buf += data
        while len(client.buf) >= 4:
            (n,) = struct.unpack(">I", client.buf[:4])
            if n > protocol.MAX_MESSAGE:
                self._drop(client)
                return
            if len(client.buf) < 4 + n:
                break
            raw = bytes(client.buf[4:4 + n])
            del client.buf[:4 + n]
            self._answer(client, raw)
            if client.sock not in self.clients:
                return

    def _drop(self, client: _Client) -> None:
        if self.clients.pop(client.sock, None) is None:
            return
        try:
            self.selector.unregister(client.sock)
        except (KeyError, ValueError):
            pass
        client.sock.close()
        for handle in list(client.handles):
            try:
                self._dtrace_device().close(handle)
            except Exception:   # a consumer's state must never take the daemon down
                self.log(f"closing dtrace handle {handle}: {traceback.format_exc()}")

    def _answer(self, client: _Client, raw: bytes) -> None:
        reply = self._reply(client, raw)
        try:
            client.sock.setblocking(True)
            protocol.send(client.sock, reply)
            client.sock.setblocking(False)
        except (OSError, protocol.ProtocolError):
            self._drop(client)

    def _reply(self, client: _Client, raw: bytes) -> dict:
        def error(kind: str, message: str, **extra) -> dict:
            return {"id": rid, "ok": False, "error": {"type": kind, "message": message, **extra}}

        rid = 0
        try:
            req = json.loads(raw)
            rid = req.get("id", 0)
            op, args = req["op"], req.get("args") or {}
            if not isinstance(op, str) or not isinstance(args, dict):
                raise TypeError("op must be a string and args an object")
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            return error("protocol", f"bad request: {e}")
        handler = getattr(self, "op_" + op.replace(".", "_"), None)
        if handler is None:
            return error("protocol", f"unknown operation {op}")
        try:
            inspect.signature(handler).bind(client, **args)
        except TypeError as e:
            return error("protocol", f"bad arguments to {op}: {e}")
        try:
            return {"id": rid, "ok": True, "result": handler(client, **args)}
        except RequestError as e:
            return error("request", str(e))
        except MemoryFault as e:
            return error("fault", e.reason, addr=e.addr, write=e.write)
        except Exception:
            self.log(f"internal error serving {op} for pid {client.pid}:\n{traceback.format_exc()}")
            return error("internal", "internal error (see host.log)")

    # -- operations ----------------------------------------------------------

    def op_hello(self, client, version: int = protocol.VERSION):
        if version != protocol.VERSION:
            raise ValueError(f"protocol version {version} not supported (daemon speaks {protocol.VERSION})")
        k = self.machine.kernel
        return {"pid": os.getpid(), "version": protocol.VERSION, "hostname": k.hostname, "platform": k.platform}

    def op_run(self, client, argv: list, stdin: str = "", pid: int | None = None):
        res = self.machine.run([str(a) for a in argv], str(stdin), pid if type(pid) is int else None)
        return {"rc": res.rc, "stdout": res.stdout, "stderr": res.stderr}

    def op_spawn(self, client, argv: list):
        try:
            return self.machine.spawn([str(a) for a in argv])
        except SpawnError as e:
            raise RequestError(str(e)) from None

    def op_release(self, client, pid: int):
        if type(pid) is int:
            self.machine.release(pid)

    def op_host_commands(self, client):
        return sorted(HOST_COMMANDS)

    def op_kernel_describe(self, client):
        k = self.machine.kernel
        return {"describe": dump.describe(k), **self._kernel_state()}

    def _kernel_state(self) -> dict:
        k = self.machine.kernel
        return {"boots": self.machine.boots, "mem_generation": k.mem.generation,
                "modules_generation": k.modules_generation, "hrtime": k.hrtime}

    def op_kernel_refresh(self, client, boots: int = -1, mem_generation: int = -1, modules_generation: int = -1):
        k = self.machine.kernel
        state = self._kernel_state()
        if boots != self.machine.boots or modules_generation != k.modules_generation:
            state["describe"] = dump.describe(k)
        elif mem_generation != k.mem.generation:
            state["segments"] = [{"base": s.base, "size": s.size, "name": s.name, "w": s.writable}
                                 for s in k.mem.segments()]
        return state

    def op_kernel_read(self, client, addr, size):
        if not isinstance(addr, int) or not isinstance(size, int) or size < 0 or size > 64 << 20:
            raise RequestError("bad read")
        return protocol.encode_bytes(self.machine.kernel.mem.read(addr, size))

    def op_kernel_write(self, client, addr: int, data: str):
        self.machine.write_kernel(addr, protocol.decode_bytes(data))
        return None

    def op_kernel_kmem(self, client, method: str, addr: int = 0, cache: str = "", allocated: bool = True):
        km = self.machine.kernel.kmem
        if method == "buffer_at":
            found = km.buffer_at(addr)
            return None if found is None else [found[0].name, found[1], found[2]]
        if method == "caches":
            return [[c.addr, c.name, c.bufsize, c.chunksize, c.slabsize, c.chunks] for c in km.caches.values()]
        if method == "buffers":
            if cache not in km.caches:
                raise RequestError(f"no kmem cache {cache}")
            return list(km.buffers(km.caches[cache], allocated))
        raise ValueError(f"unknown kmem method {method}")

    def _dtrace_device(self):
        from ..dtrace.framework.device import device_for
        return device_for(self.machine)

    def op_dtrace(self, client, method: str, args: list):
        device = self._dtrace_device()
        if method.startswith("_") or method not in getattr(device, "REMOTE_METHODS", ()):
            raise RequestError(f"unknown dtrace method {method}")
        result = getattr(device, method)(*args)
        if method == "open":
            client.handles.add(result)
        elif method == "close" and args:
            client.handles.discard(args[0])
        return result

    def op_host_status(self, client):
        k = self.machine.kernel
        return {"hostname": k.hostname, "platform": k.platform, "pid": os.getpid(), "uptime_ns": k.hrtime,
                "boots": self.machine.boots, "clients": len(self.clients), "started": self.started,
                "home": str(self.home), "dtrace": self._dtrace_device().summary(), **host_summary(self.machine)}

    def op_host_reboot(self, client, seed: int | None = None, platform: str | None = None):
        if platform is not None and platform not in PLATFORMS:
            raise RequestError(f"unknown platform {platform}")
        self.machine.reboot(seed, platform)
        self._sync_clock()
        return self.op_host_status(client)

    def op_host_dump(self, client, path: str):
        self.machine.dump(path)
        return None

    def op_host_stop(self, client):
        self._request_stop()
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kdebug.host.daemon")
    ap.add_argument("--home", required=True)
    ap.add_argument("--platform", default=DEFAULT_HOST.platform, choices=sorted(PLATFORMS))
    ap.add_argument("--ncpus", type=int, default=DEFAULT_HOST.ncpus)
    ap.add_argument("--seed", type=int, default=DEFAULT_HOST.seed)
    ap.add_argument("--allow-uid", type=int, default=None, help=argparse.SUPPRESS)  # tests: a foreign owner
    ap.add_argument("--detach", action="store_true", help="fork: the daemon is not the starter's child")
    args = ap.parse_args(argv)
    if args.detach and os.fork() > 0:
        os._exit(0)
    config = HostConfig(platform=args.platform, ncpus=args.ncpus, seed=args.seed)
    from ..userland.vmstore import StoreError
    try:
        Daemon(args.home, config, args.allow_uid).serve()
    except OSError as e:
        sys.stderr.write(f"kdebug host: {os.strerror(e.errno) if e.errno else e}\n")
        return 1
    except StoreError as e:             # a damaged vmadm.sqlite: say which file and why, and stop
        sys.stderr.write(f"kdebug host: {e}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
