"""Every shipped lab, solved from a clean state through the public commands, as a learner would."""

import re
from pathlib import Path

from kdebug.labs.engine import load_labs
from tests.helpers import kdebug

def run(home, *args, **kw):
    r = kdebug(*args, home=home, env={"KDEBUG_LEARNER": "test"}, **kw)
    return r


def check(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def uuid_of(home, alias):
    return run(home, "vmadm", "lookup", "-1", f"alias={alias}").stdout.strip()


def mdb(home, command):
    return run(home, "mdb", "-k", input=command + "\n").stdout


def test_who_holds_the_lock(home):
    r = run(home, "lab", "start", "who-holds-the-lock")
    assert r.returncode == 0, r.stderr
    holder = re.search(r'"(.*)"', mdb(home, "hvm_excl_holder::print")).group(1)
    assert check(home, holder).startswith("Correct.")
    run(home, "vmadm", "stop", uuid_of(home, "kvm-debian8"))
    assert "Lab complete: Who holds the HVM exclusion lock?" in check(home)


def test_every_lab_has_a_solver():
    """Each shipped lab is solved by a test named after it, here or in tests/labs/test_lab_NAME.py."""
    here = Path(__file__).parent
    sources = "\n".join(p.read_text() for p in here.glob("test_*.py"))
    for lab in load_labs()[0]:
        assert f"def test_{lab.name.replace('-', '_')}(" in sources, f"no solver test for lab {lab.name}"
