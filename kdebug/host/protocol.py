"""The host daemon's wire protocol: JSON messages over a Unix stream socket.

Each message is a 4-byte big-endian length and that many bytes of UTF-8
JSON.  A request is ``{"id": N, "op": NAME, "args": {...}}``; the reply
carries the same id and either ``{"ok": true, "result": ...}`` or
``{"ok": false, "error": {"type": ..., "message": ..., ...}}``.  Bytes travel
as base64 strings.  Messages larger than :data:`MAX_MESSAGE` are refused, so
a bad peer cannot make either side allocate without bound.
"""

from __future__ import annotations

import base64
import json
import socket
import struct

__all__ = ["send", "recv", "ProtocolError", "encode_bytes", "decode_bytes", "MAX_MESSAGE", "VERSION", "CommandResult"]

VERSION = 1
MAX_MESSAGE = 256 << 20
_LEN = struct.Struct(">I")


class ProtocolError(Exception):
    """The peer sent something that is not a message, or went away mid-message."""


def send(sock: socket.socket, obj) -> None:
    data = json.dumps(obj, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE:
        raise ProtocolError("message too large")
    sock.sendall(_LEN.pack(len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ProtocolError("connection closed")
        buf += chunk
    return bytes(buf)


def recv(sock: socket.socket):
    """The next message from ``sock`` (blocking); ProtocolError on EOF or garbage."""
    head = _recv_exact(sock, _LEN.size)
    (n,) = _LEN.unpack(head)
    if n > MAX_MESSAGE:
        raise ProtocolError(f"message of {n} bytes refused")
    try:
        return json.loads(_recv_exact(sock, n))
    except (UnicodeDecodeError, ValueError) as e:
        raise ProtocolError(f"bad message: {e}") from None


def encode_bytes(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def decode_bytes(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


class CommandResult:
    """What a userland command on the host gives back: exit status, stdout, stderr."""

    __slots__ = ("rc", "stdout", "stderr")

    def __init__(self, rc: int, stdout: str = "", stderr: str = ""):
        self.rc, self.stdout, self.stderr = rc, stdout, stderr

    def __eq__(self, other) -> bool:
        return isinstance(other, CommandResult) and (self.rc, self.stdout, self.stderr) == \
            (other.rc, other.stdout, other.stderr)

    def __repr__(self) -> str:
        return f"CommandResult(rc={self.rc!r}, stdout={self.stdout!r}, stderr={self.stderr!r})"
