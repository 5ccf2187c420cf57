"""The dtrace tests' host: an in-process default host with the dtktest module, and a runner."""

import contextlib
import io

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine

from . import dtktest


@pytest.fixture(scope="session")
def dthost():
    """One host for the dtrace tests (each dtrace run closes its handle, so runs do not interfere)."""
    host = InProcessHost(Machine())
    dtktest.install(host.machine)
    return host


def run_dtrace(host, *argv):
    """``dtrace ARGV`` in-process: (status, stdout, stderr)."""
    from kdebug.dtrace.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv), host=host)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def dtrace(dthost):
    return lambda *argv: run_dtrace(dthost, *argv)
