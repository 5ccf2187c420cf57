"""Fuzzing the daemon protocol: any request gets a well-formed reply; the daemon lives on."""

import json
import socket
import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kdebug.host import protocol
from kdebug.host.client import connect

READ_ONLY_OPS = ["hello", "kernel.read", "kernel.describe", "kernel.refresh", "kernel.kmem", "host.commands",
                 "host.status", "nosuch", "", "kernel.", "op_hello", "_reply", "dtrace"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@pytest.fixture(scope="module")
def daemon_socket(tmp_path_factory):
    from tests.conftest import _stop_daemon

    home = tmp_path_factory.mktemp("fuzz") / "home"
    connect(home).close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(home / "host.sock"))
    s.settimeout(30)
    yield s, home
    s.close()
    _stop_daemon(home)


def roundtrip(s, payload: bytes):
    s.sendall(struct.pack(">I", len(payload)) + payload)
    return protocol.recv(s)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(READ_ONLY_OPS), args=json_values, rid=json_values)
def test_any_request_gets_a_reply(daemon_socket, op, args, rid):
    s, _ = daemon_socket
    reply = roundtrip(s, json.dumps({"id": rid, "op": op, "args": args}).encode())
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool)
    if not reply["ok"]:
        assert reply["error"]["type"] in ("protocol", "request", "fault")
        assert isinstance(reply["error"]["message"], str)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_garbage_frames_get_protocol_errors(daemon_socket, data):
    s, _ = daemon_socket
    reply = roundtrip(s, data)
    assert isinstance(reply, dict) and isinstance(reply.get("ok"), bool)


def test_daemon_still_serves_after_fuzzing(daemon_socket):
    _, home = daemon_socket
    assert connect(home, autostart=False).status()["hostname"] == "emy-17"
