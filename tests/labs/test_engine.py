"""The lab engine: lab files checked on load, progress kept per learner, the commands' texts."""

import json

import pytest

from kdebug.labs.engine import LabError, answer_matches, load_lab, load_labs
from tests.helpers import kdebug

GOOD = '''
name = "{name}"
title = "Who holds the lock?"
order = {order}
summary = "Read a kernel global."

[[steps]]
goal = "Which hypervisor holds the lock?"
hints = ["Use mdb.", "Print hvm_excl_holder."]
explain = "kvm's literal."
check = {{ answer = ["SmartOS KVM", "re:(smartos )?kvm"] }}

[[steps]]
goal = "Which function takes it?"
check = {{ answer = ["hvm_excl_hold"] }}
'''


def write_lab(d, name, order=10, text=None):
    p = d / f"{name}.toml"
    p.write_text(text if text is not None else GOOD.format(name=name, order=order))
    return p


@pytest.fixture
def env(tmp_path, monkeypatch):
    labs = tmp_path / "labs"
    labs.mkdir()
    home = tmp_path / "home"
    return {"KDEBUG_LABS": str(labs), "KDEBUG_LEARNER": "ada"}, labs, home


def lab(env, *args):
    e, _, home = env
    return kdebug("lab", *args, env=e, home=home)


def test_a_good_lab_loads(tmp_path):
    lab_ = load_lab(write_lab(tmp_path, "who"))
    assert lab_.title == "Who holds the lock?" and len(lab_.steps) == 2
    assert lab_.steps[0].hints == ["Use mdb.", "Print hvm_excl_holder."]


@pytest.mark.parametrize("text,reason", [
    ("name = 'x'\n", "missing field 'title'"),
    ("not toml [", "not valid TOML"),
    (GOOD.format(name="other", order=1), "name 'other' does not match the file name 'bad'"),
    (GOOD.format(name="bad", order=1).replace('order = 1', 'order = "one"'), "order must be an integer"),
    (GOOD.format(name="bad", order=1).replace("[[steps]]", "[[stepz]]"), "unknown field 'stepz'"),
    (GOOD.format(name="bad", order=1).replace('re:(smartos )?kvm', 're:(broken'), "bad regular expression"),
    (GOOD.format(name="bad", order=1).replace('answer = ["hvm_excl_hold"]', 'host = "x"'),
     "check.expect must be a regular expression"),
    ("name = 'bad'\ntitle = 't'\nsummary = 's'\n", "a lab needs at least one [[steps]]"),
    ("name = 'bad'\ntitle = 't'\nsummary = 's'\n[setup]\nplatform = 'nope'\n[[steps]]\ngoal='g'\n"
     "check = { answer = ['a'] }\n", "unknown platform 'nope'"),
])
def test_broken_labs_are_refused_with_the_file_and_reason(tmp_path, text, reason):
    p = write_lab(tmp_path, "bad", text=text)
    with pytest.raises(LabError) as e:
        load_lab(p)
    assert str(e.value).startswith(f"{p}: ") and reason in str(e.value)
    assert "\n" not in str(e.value)


def test_answers_match_loosely():
    assert answer_matches("  smartos   KVM ", ["SmartOS KVM"])
    assert answer_matches('"kvm"', ["re:(smartos )?kvm"])
    assert not answer_matches("bhyve", ["SmartOS KVM", "re:(smartos )?kvm"])


def test_list_is_sorted_and_reports_broken_files(env):
    _, labs, _ = env
    write_lab(labs, "second", order=20)
    write_lab(labs, "first", order=10)
    write_lab(labs, "broken", text="title = 'x'")
    r = lab(env, "list")
    assert r.returncode == 0
    assert [ln.split()[0] for ln in r.stdout.splitlines()] == ["first", "second"]
    assert r.stderr.startswith(f"kdebug lab: {labs / 'broken.toml'}: missing field")


def test_working_through_a_lab(env):
    _, labs, home = env
    write_lab(labs, "who")
    r = lab(env, "start", "who")
    assert r.returncode == 0 and "Step 1 of 2:" in r.stdout and "kdebug lab check ANSWER" in r.stdout
    r = lab(env, "hint")
    assert r.stdout == "Hint 1 of 2:\n  Use mdb.\n"
    lab(env, "hint")
    assert lab(env, "hint").stdout == "No more hints for this step.\n"
    r = lab(env, "check", "bhyve")          # hints all used: the goal is where to look again
    assert (r.returncode, r.stdout) == (1, "Not yet. (kdebug lab status shows the goal again.)\n")
    r = lab(env, "check", "SmartOS", "KVM")
    assert r.returncode == 0 and r.stdout.startswith("Correct.\n  kvm's literal.\n\nStep 2 of 2:")
    r = lab(env, "check", "hvm_excl_hold")
    assert "Lab complete: Who holds the lock?" in r.stdout
    assert lab(env, "list").stdout.rstrip().endswith("(done)")
    saved = json.loads((home / "labs.json").read_text())
    assert saved["ada"]["labs"]["who"]["done"] is True and saved["ada"]["current"] == "who"
    r = lab(env, "status")
    assert "Complete." in r.stdout and "Labs completed: 1 of 1 (who)" in r.stdout
    assert lab(env, "reset").stdout == "All lab progress forgotten.\n"
    assert "(done)" not in lab(env, "list").stdout


def test_progress_is_per_learner(env):
    e, labs, home = env
    write_lab(labs, "who")
    lab(env, "start", "who")
    other = kdebug("lab", "status", env={**e, "KDEBUG_LEARNER": "grace"}, home=home)
    assert other.stdout.startswith("No lab in progress.")


def test_errors(env):
    _, labs, home = env
    write_lab(labs, "who-holds-the-lock")
    r = lab(env, "start", "who-holds-the-lok")
    assert r.returncode == 1
    assert r.stderr == "kdebug lab: no lab called 'who-holds-the-lok' (did you mean 'who-holds-the-lock'?)\n"
    assert lab(env, "hint").stderr.startswith("kdebug lab: no lab started")
    assert lab(env, "frob").returncode == 2
    lab(env, "start", "who-holds-the-lock")
    r = lab(env, "check")
    assert r.returncode == 2 and "wants an answer" in r.stderr
    (home / "labs.json").write_text("{not json")
    r = lab(env, "status")
    assert r.returncode == 1 and "progress file is corrupt" in r.stderr


def test_shipped_labs_all_load():
    labs, errors = load_labs()
    assert errors == []
