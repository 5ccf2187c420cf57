"""Shared fixtures: a booted default host (read-only use) and a fresh one (to change)."""

import os
import signal
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import settings

from kdebug.host.client import running_pid
from kdebug.kernel.boot import boot

# Fuzz budgets: small in CI, as large as wanted by hand (make fuzz COUNT=...).
settings.register_profile("kdebug", max_examples=int(os.environ.get("KDEBUG_FUZZ_EXAMPLES", "100")),
                          deadline=None)
settings.load_profile("kdebug")

# A test that forgets to name a state directory must not start a host in the user's own:
# the whole run gets a default one of its own, and its host is stopped at the end.
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="kdebug-tests-")) / "home"
os.environ["KDEBUG_HOME"] = str(_SESSION_HOME)


def pytest_sessionfinish(session, exitstatus):
    _stop_daemon(_SESSION_HOME)


@pytest.fixture(scope="session")
def emy17():
    """The default host, booted once; tests must not change it."""
    return boot()


@pytest.fixture
def fresh_kernel():
    """A newly booted default host that a test may change."""
    return boot()


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
