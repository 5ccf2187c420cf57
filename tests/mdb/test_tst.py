"""The tst/err suite: each ``tst/NAME.mdb`` is piped into ``kdebug mdb emy-17``.

``NAME.mdb.out`` is the expected standard output; ``NAME.mdb.err`` the
expected standard error (absent: nothing on stderr); the exit status is 0
(mdb reading commands from a pipe keeps going after errors).  The input is
read against the committed fixture ``fixtures/emy-17.kdump``, the post's
host, booted and idle.
"""

from pathlib import Path

import pytest

from tests.helpers import kdebug

TST = Path(__file__).parent / "tst"
CASES = sorted(p.name for p in TST.glob("*.mdb"))


@pytest.mark.parametrize("name", CASES)
def test_tst(name):
    src = TST / name
    res = kdebug("mdb", "emy-17", input=src.read_text(), env={"TZ": "UTC", "HOME": "/nonexistent"})
    err = src.with_name(name + ".err")
    assert res.stdout == (src.with_name(name + ".out")).read_text()
    assert res.stderr == (err.read_text() if err.exists() else "")
    assert res.returncode == 0


def test_every_case_has_expected_output():
    for name in CASES:
        assert (TST / (name + ".out")).exists(), name
