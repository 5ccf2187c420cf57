"""A lab about a shipped crash dump: ``dump = "NAME"`` is checked on load and shown to the learner."""

import pytest

from kdebug.labs.engine import LabError, load_lab
from tests.helpers import kdebug

LAB = '''
name = "{name}"
title = "Read a dump"
summary = "Open a crash dump."
{dump}

[[steps]]
goal = "What is the panic message?"
check = {{ answer = ["re:.*"] }}
'''


def write(d, dump_line, name="dumplab"):
    p = d / f"{name}.toml"
    p.write_text(LAB.format(name=name, dump=dump_line))
    return p


@pytest.mark.parametrize("line,expected", [
    ('dump = "emy-17"', "emy-17"),
    ('dump = "emy-17.kdump"', "emy-17"),
    ("", ""),
])
def test_a_shipped_dump_is_accepted(tmp_path, line, expected):
    assert load_lab(write(tmp_path, line)).dump == expected


@pytest.mark.parametrize("line,reason", [
    ('dump = "no-such-dump"', "no shipped dump 'no-such-dump'"),
    ('dump = "../fixtures/emy-17"', "no shipped dump '../fixtures/emy-17'"),
    ("dump = 3", "dump must be non-empty text"),
    ('dump = " "', "dump must be non-empty text"),
])
def test_a_bad_dump_is_refused(tmp_path, line, reason):
    p = write(tmp_path, line)
    with pytest.raises(LabError) as e:
        load_lab(p)
    assert str(e.value) == f"{p}: {reason}"


def test_start_and_status_name_the_dump_without_starting_the_host(tmp_path):
    labs = tmp_path / "labs"
    labs.mkdir()
    home = tmp_path / "home"
    write(labs, 'dump = "emy-17"')
    env = {"KDEBUG_LABS": str(labs), "KDEBUG_LEARNER": "ada"}
    r = kdebug("lab", "start", "dumplab", env=env, home=home)
    assert r.returncode == 0, r.stderr
    assert "Crash dump: emy-17 (open it with: kdebug mdb emy-17)\n\nStep 1 of 1:" in r.stdout
    assert not (home / "host.sock").exists() and not (home / "host.pid").exists()
    r = kdebug("lab", "status", env=env, home=home)
    assert r.stdout.startswith("Lab: Read a dump (dumplab)\nCrash dump: emy-17 (open it with: kdebug mdb emy-17)\n")
    r = kdebug("lab", "check", "assertion failed", env=env, home=home)
    assert "Lab complete: Read a dump" in r.stdout
