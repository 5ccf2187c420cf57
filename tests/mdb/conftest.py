"""mdb sessions run in this process, on kernels and hosts a test sets up."""

import io

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine


def run_mdb(k, text: str, *, writable: bool = False, name: str | None = "test.kdump", kind: str = "stream"):
    """Run ``text`` in an mdb session on kernel ``k``; returns (stdout, stderr)."""
    from kdebug.mdb import dcmds  # noqa: F401  (registers the dcmds)
    from kdebug.mdb.errors import Quit
    from kdebug.mdb.session import Mdb, Source
    from kdebug.mdb.target import KernelTarget

    out, err = io.StringIO(), io.StringIO()
    m = Mdb(KernelTarget(k, name, writable), stdout=out, stderr=err)
    try:
        m.run_text(text, Source("(stdin)" if kind == "stream" else "(string)", kind))
    except Quit:
        pass
    return out.getvalue(), err.getvalue()


@pytest.fixture
def machine(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    monkeypatch.setenv("KDEBUG_HOME", str(home))
    m = Machine(state_dir=home)
    yield m
    m.close()


@pytest.fixture
def host(machine):
    return InProcessHost(machine)
