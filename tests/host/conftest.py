"""Daemons in temporary KDEBUG_HOMEs, always stopped afterwards."""

import os
import signal
import time

import pytest

from kdebug.host.client import running_pid


def _stop_daemon(home) -> None:
    pid = running_pid(home) if home.exists() else None
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running_pid(home) == pid:
        time.sleep(0.02)
    if running_pid(home) == pid:
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def home(tmp_path):
    """A fresh state directory; any daemon started in it is killed at the end."""
    h = tmp_path / "kdebug-home"
    yield h
    _stop_daemon(h)
