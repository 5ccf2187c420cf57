"""The lab the-fix, solved from a clean state through the public commands, as a learner would."""

import json
import re

from tests.helpers import kdebug


def run(home, *args, **kw):
    return kdebug(*args, home=home, env={"KDEBUG_LEARNER": "test"}, **kw)


def check(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def uuid_of(home, alias):
    return run(home, "vmadm", "lookup", "-1", f"alias={alias}").stdout.strip()


def registered(home):
    """The hypervisors ::hma lists."""
    out = run(home, "mdb", "-k", input="::hma\n").stdout
    assert out.startswith("VMX: ready")
    return [ln.split(None, 1)[1] for ln in out.splitlines() if re.match(r"[0-9a-f]{16} ", ln)]


def test_the_fix(home):
    r = run(home, "lab", "start", "the-fix")
    assert r.returncode == 0, r.stderr
    assert run(home, "shell", "-c", "uname -v").stdout.strip() == "joyent_20180830T002644Z"
    test, kvm = uuid_of(home, "test"), uuid_of(home, "kvm-debian8")

    # 1. kvm gets the hardware although bhyve started first
    info = json.loads(run(home, "vmadm", "info", kvm, "kvm").stdout)
    assert check(home, json.dumps(info["kvm"]["enabled"])).startswith("Correct.")

    # 2. the lock is gone
    r = run(home, "mdb", "-k", input="hvm_excl_holder::print\n")
    assert r.stdout == ""
    said = r.stderr.strip().rsplit(": ", 1)[1]
    assert check(home, said).startswith("Correct.")

    # 3. HMA: both hypervisors registered
    names = registered(home)
    assert names == ["bhyve", "SmartOS KVM"]
    assert check(home, " and ".join(names)).startswith("Correct.")

    # 4. kvm registers in kvm_hvm_init, on the open of /dev/kvm
    run(home, "vmadm", "stop", kvm)
    assert registered(home) == ["bhyve"]
    r = run(home, "dtrace", "-n", "fbt::hma_register:entry { stack() }", "-c", f"vmadm start {kvm}")
    assert r.returncode == 0, r.stderr
    frames = [ln.strip() for ln in r.stdout.splitlines() if "`" in ln]
    caller = frames[0].split("`")[1].split("+")[0]
    assert check(home, caller).startswith("Correct.")

    # 5. bhyve stays registered after its last VM stops
    run(home, "vmadm", "stop", test)
    still = "bhyve" in registered(home)
    out = check(home, "yes" if still else "no")
    assert out.startswith("Correct.") and "Lab complete: The fix: bhyve and kvm coexist in peace" in out
