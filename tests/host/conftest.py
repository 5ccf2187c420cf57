"""Daemons in temporary KDEBUG_HOMEs, always stopped afterwards."""

import os
import signal
import time

import pytest

from kdebug.host.client import running_pid


@pytest.fixture
def home(tmp_path):
    """A fresh state directory; any daemon started in it is killed at the end."""
    h = tmp_path / "kdebug-home"
    yield h
    pid = running_pid(h) if h.exists() else None
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and running_pid(h) == pid:
            time.sleep(0.02)
        if running_pid(h) == pid:
            os.kill(pid, signal.SIGKILL)
