"""A warm start for ``kdebug dtrace``: a pre-loaded process that forks a consumer per command.

Python spends most of a short ``kdebug dtrace -n ...`` importing Lark, the D
compiler and the host client and loading the grammar.  A running host keeps a
*zygote* beside it (``zygote.sock`` in the state directory) that has done all of
that once.  The command's thin client (``run_through_zygote``) connects, passes
its standard input, output and error (SCM_RIGHTS), its arguments, environment,
working directory and umask; the zygote forks a worker that takes them over
and runs the ordinary ``kdebug dtrace`` code.  The client forwards the signals
a terminal sends (Ctrl-C...) to the worker's process group and exits with the
worker's status, so a user and a script cannot tell the two paths apart.

Nothing else changes: a missing, stale, foreign or different-version zygote
makes the client fall back to the ordinary start (``KDEBUG_NO_ZYGOTE=1`` forces
it).  Only the owner of the state directory may connect (SO_PEERCRED), as for
the host itself.

The client side imports nothing heavier than ``socket``: that is the point.
"""

from __future__ import annotations

import os
import sys

# The client uses the C modules under socket and signal: their Python wrappers import enum (a
# third of a fresh interpreter's start-up).
import _signal
import _socket

SOCKET = "zygote.sock"
_FORWARDED = (_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP, _signal.SIGQUIT)
_MAX_REQUEST = 1 << 22


# In a worker: the (pid, ppid) of the client the user started, which is who the command is
# ($pid, and pid in BEGIN).  None in any other process.
CLIENT: tuple[int, int] | None = None


def process_ids() -> tuple[int, int]:
    """(pid, ppid) of the command as the user sees it: the client's when run in a worker."""
    return CLIENT or (os.getpid(), os.getppid())


def _fingerprint() -> str:
    """Which kdebug and which Python: a zygote serves only clients of its own."""
    from .. import __version__
    return f"{__version__} {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))} {sys.executable}"


def _home() -> str:
    # paths.state_home without pathlib (a client must start light); never creates anything.
    home = os.environ.get("KDEBUG_HOME")
    if home:
        return home
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return os.path.join(base, "kdebug")


def _read_line(sock) -> bytes:
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = sock.recv(1)
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def encode_request(argv: list[str], env: dict[str, str], cwd: str, umask: int) -> bytes:
    """The request: NUL-separated fields (no argument or environment string can hold a NUL):
    fingerprint, cwd, umask, "pid ppid", argc, the arguments, then the environment as KEY=VALUE."""
    fields = [_fingerprint(), cwd, "%o" % umask, f"{os.getpid()} {os.getppid()}", str(len(argv)), *argv,
              *(f"{k}={v}" for k, v in env.items())]
    body = b"\0".join(os.fsencode(f) for f in fields)
    return len(body).to_bytes(4, "big") + body


def decode_request(body: bytes) -> dict:
    """The inverse of encode_request (ValueError if it is not one)."""
    fields = [os.fsdecode(f) for f in body.split(b"\0")]
    if len(fields) < 5:
        raise ValueError("short request")
    pid, ppid = (int(x) for x in fields[3].split())
    argc = int(fields[4])
    if not 0 <= argc <= len(fields) - 5:
        raise ValueError("bad argument count")
    env = dict(e.partition("=")[::2] for e in fields[5 + argc:] if e)
    return {"fingerprint": fields[0], "cwd": fields[1], "umask": int(fields[2], 8), "client": (pid, ppid),
            "argv": fields[5:5 + argc], "env": env}


# -- the client ---------------------------------------------------------------

def run_through_zygote(argv: list[str]) -> int | None:
    """Run ``kdebug ARGV`` in a worker of this home's zygote; None if there is none to use."""
    if os.environ.get("KDEBUG_NO_ZYGOTE"):
        return None
    fds = [0, 1, 2]
    try:
        for fd in fds:
            os.fstat(fd)                       # a closed standard descriptor: take the ordinary path
    except OSError:
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.connect(os.path.join(_home(), SOCKET))
        from array import array
        request = encode_request(argv, dict(os.environ), os.getcwd(), _umask())
        sent = sock.sendmsg([request], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array("i", fds))])
        if sent < len(request):
            sock.sendall(request[sent:])
        answer = _read_line(sock).split()
    except (OSError, EOFError, ValueError):
        sock.close()
        return None
    if answer[:1] != [b"pid"]:                 # refused (another version, say): the ordinary path
        sock.close()
        return None
    worker = int(answer[1])

    def forward(sig, _frame):
        try:
            os.killpg(worker, sig)
        except OSError:
            pass

    for sig in _FORWARDED:
        _signal.signal(sig, forward)
    try:
        status = int(_read_line(sock).split()[1])
    except (OSError, EOFError, ValueError, IndexError):
        return 1                                # the zygote died under us: the work is lost
    finally:
        sock.close()
    if os.WIFSIGNALED(status):                  # die as the worker died, so a shell sees the same
        sig = os.WTERMSIG(status)
        if sig not in (_signal.SIGKILL, _signal.SIGSTOP):
            _signal.signal(sig, _signal.SIG_DFL)
        os.kill(os.getpid(), sig)
        return 128 + sig
    return os.waitstatus_to_exitcode(status)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# -- the zygote ---------------------------------------------------------------

def _read_exactly(sock, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return buf


def _warm() -> None:
    """Import and load what a dtrace command needs, so that no worker pays for it."""
    import kdebug.cli  # noqa: F401
    import kdebug.dtrace.cli  # noqa: F401
    from kdebug.dtrace.libdtrace import errors, handle, options, output  # noqa: F401
    from kdebug.dtrace.libdtrace.parser import parse
    from kdebug.host import client  # noqa: F401
    parse('BEGIN /1/ { printf("%d", 1 + 2); @[probefunc] = count(); exit(0); }')


def _sources() -> dict[str, int]:
    """The kdebug source files this process has loaded, with their modification times."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = {}
    for mod in list(sys.modules.values()):
        path = getattr(mod, "__file__", None)
        if path and path.startswith(top):
            try:
                files[path] = os.stat(path).st_mtime_ns
            except OSError:
                files[path] = -1
    return files


def _stale(files: dict[str, int]) -> bool:
    """Has any of them changed since (a developer edited kdebug under a running host)?"""
    for path, mtime in files.items():
        try:
            if os.stat(path).st_mtime_ns != mtime:
                return True
        except OSError:
            return True
    return False


def serve(home: str, parent_fd: int | None = None) -> None:
    """Listen on ``home/zygote.sock`` until the host goes (EOF on ``parent_fd``) or SIGTERM."""
    import selectors
    import signal
    import socket
    import struct

    peercred = struct.Struct("3i")
    _warm()
    sources = _sources()
    path = os.path.join(home, SOCKET)
    fingerprint = _fingerprint()
    uid = os.getuid()
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(old)
    listener.listen(64)

    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    if parent_fd is not None:
        sel.register(parent_fd, selectors.EVENT_READ, "parent")
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    stopping = []
    restart = []                                  # our code changed: load it again (exec ourselves)
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    sel.register(wake_r, selectors.EVENT_READ, "signal")
    workers: dict[int, socket.socket] = {}       # worker pid -> its client's connection

    def reap() -> None:
        while workers:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = workers.pop(pid, None)
            if conn is not None:
                sel.unregister(conn)
                try:
                    conn.sendall(b"status %d\n" % status)
                except OSError:
                    pass
                conn.close()

    def accept() -> None:
        conn, _ = listener.accept()
        _pid, peer_uid, _gid = peercred.unpack(conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, peercred.size))
        if peer_uid != uid:
            conn.close()
            return
        conn.settimeout(2.0)
        fds: list[int] = []
        try:
            data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 16, 3)
            if len(data) < 4:
                data += _read_exactly(conn, 4 - len(data))
            n = int.from_bytes(data[:4], "big")
            if n > _MAX_REQUEST or len(fds) != 3:
                raise ValueError("bad request")
            body = data[4:]
            if len(body) < n:
                body += _read_exactly(conn, n - len(body))
            request = decode_request(body[:n])
            if request.get("fingerprint") != fingerprint:
                conn.sendall(b"refused another-version\n")
                raise ValueError("another version")
            if _stale(sources):
                conn.sendall(b"refused stale\n")
                restart.append(1)
                raise ValueError("stale")
        except (OSError, EOFError, ValueError):
            for fd in fds:
                os.close(fd)
            conn.close()
            return
        pid = os.fork()
        if pid == 0:
            try:
                sel.close()
                listener.close()
                conn.close()
                os.close(wake_r)
                os.close(wake_w)
                if parent_fd is not None:
                    os.close(parent_fd)
                _worker(request, fds)
            finally:
                os._exit(70)                 # not reached: _worker always exits
        try:
            os.setpgid(pid, pid)            # as the worker does itself: no race with a forwarded signal
        except OSError:
            pass
        for fd in fds:
            os.close(fd)
        conn.settimeout(None)
        workers[pid] = conn
        sel.register(conn, selectors.EVENT_READ, "client")
        try:
            conn.sendall(b"pid %d\n" % pid)
        except OSError:
            pass

    try:
        while not stopping and not restart:
            for key, _ in sel.select():
                if key.data == "accept":
                    accept()
                elif key.data == "parent":
                    if not os.read(parent_fd, 64):      # the host is gone
                        stopping.append(1)
                elif key.data == "signal":
                    try:
                        os.read(wake_r, 512)
                    except BlockingIOError:
                        pass
                    reap()
                else:                                   # a client went away before its worker
                    conn = key.fileobj
                    if not conn.recv(64):
                        sel.unregister(conn)
                        for pid, c in list(workers.items()):
                            if c is conn:
                                try:
                                    os.killpg(pid, signal.SIGHUP)
                                except OSError:
                                    pass
    finally:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        listener.close()
    if restart and not stopping:
        argv = [sys.executable, "-m", "kdebug.host.zygote", "--home", home]
        if parent_fd is not None:
            os.set_inheritable(parent_fd, True)
            argv += ["--parent-fd", str(parent_fd)]
        os.execv(sys.executable, argv)


def _worker(request: dict, fds: list[int]) -> None:
    """In the forked worker: become the client's process and run its command."""
    import atexit
    import io
    import signal

    global CLIENT
    CLIENT = request["client"]
    os.setpgid(0, 0)                         # Ctrl-C reaches us and the commands we start (-c)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)   # as any Python starts: EPIPE becomes BrokenPipeError
    signal.set_wakeup_fd(-1)
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(request["umask"])
    status = 1
    try:
        os.chdir(request["cwd"])
        # Standard streams as a fresh interpreter would open them on these descriptors.
        enc = sys.stdout.encoding
        sys.stdin = io.TextIOWrapper(io.open(0, "rb", closefd=False), encoding=enc, errors="strict")
        sys.stdout = io.TextIOWrapper(io.open(1, "wb", closefd=False), encoding=enc, errors="strict",
                                      line_buffering=os.isatty(1), write_through=False)
        sys.stderr = io.TextIOWrapper(io.open(2, "wb", closefd=False), encoding=enc,
                                      errors="backslashreplace", line_buffering=True)
        sys.argv = [sys.argv[0], *request["argv"]]
        from kdebug.cli import main
        try:
            status = main(request["argv"])
        except SystemExit as e:
            status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        atexit._run_exitfuncs()
    except KeyboardInterrupt:
        status = 130
    except BaseException:               # noqa: BLE001  (as an uncaught exception: a traceback, 1)
        import traceback
        traceback.print_exc()
        status = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(status & 0xFF)


def main(argv: list[str] | None = None) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m kdebug.host.zygote")
    ap.add_argument("--home", required=True)
    ap.add_argument("--parent-fd", type=int, default=None)
    args = ap.parse_args(argv)
    serve(args.home, args.parent_fd)
    return 0


if __name__ == "__main__":
    # Run as kdebug.host.zygote, not __main__: the worker's CLIENT must be the one others import.
    from kdebug.host.zygote import main as _main
    sys.exit(_main())
