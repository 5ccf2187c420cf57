"""The tst/ suite, illumos style: each ``tst/*.d`` runs through the real dtrace command.

- ``tst.NAME.d``: ``dtrace -s tst/tst.NAME.d [ARGS]`` (ARGS from ``tst.NAME.d.args``);
  stdout must equal ``tst.NAME.d.out``, stderr ``tst.NAME.d.err`` (empty if
  absent) and the status ``tst.NAME.d.status`` (0 if absent).
- ``err.D_TAG.NAME.d``: run with ``-x errtags``; the status must be 1 and
  stderr must equal ``err.D_TAG.NAME.d.out``, which names the tag.

The pid of a ``-c`` command depends on what ran before it on the shared
host, so "pid N" in stderr is compared as written in the expected file
only up to the number.

Scripts run in-process against one host with the dtktest module; a few
run through a separate process too (test_cli.py).
"""

import os
import re
import shlex
from pathlib import Path

import pytest

from .conftest import run_dtrace

HERE = Path(__file__).parent
TST = HERE / "tst"
SCRIPTS = sorted(p.name for p in TST.glob("*.d"))


def _read(path: Path, default: str = "") -> str:
    return path.read_text() if path.exists() else default


def run_script(host, name: str):
    args = shlex.split(_read(TST / f"{name}.args"))
    extra = ["-x", "errtags"] if name.startswith("err.") else []
    old = os.getcwd()
    os.chdir(HERE)
    try:
        return run_dtrace(host, *extra, "-s", f"tst/{name}", *args)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("name", SCRIPTS)
def test_script(dthost, name):
    rc, out, err = run_script(dthost, name)
    if name.startswith("err."):
        tag = name.split(".")[1]
        assert rc == 1, (out, err)
        assert f"[{tag}]" in err
        assert err == _read(TST / f"{name}.out")
        return
    assert out == _read(TST / f"{name}.out")
    assert re.sub(r"pid \d+", "pid N", err) == _read(TST / f"{name}.err")
    assert rc == int(_read(TST / f"{name}.status", "0"))
