"""The lab the-post-step-by-step, solved from a clean state through the public commands, as a learner would."""

import json
import re

from tests.helpers import kdebug

TITLE = "The post, step by step: bhyve, kvm and one lock"
ONE_LINER = "hvm_excl_*:entry { stack() }"


def run(home, *args, **kw):
    return kdebug(*args, home=home, env={"KDEBUG_LEARNER": "test"}, **kw)


def check(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def not_yet(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert (r.returncode, r.stdout.split("\n")[0]) == (1, "Not yet. (kdebug lab hint gives a hint.)"), r.stdout + r.stderr


def uuid_of(home, alias):
    return run(home, "vmadm", "lookup", "-1", f"alias={alias}").stdout.strip()


def mdb(home, command):
    return run(home, "mdb", "-k", input=command + "\n").stdout


def vmadm(home, *args):
    r = run(home, "vmadm", *args)
    assert r.returncode == 0, r.stderr
    return r


def holder(home):
    """What mdb prints for hvm_excl_holder: 0, or the string it points to."""
    out = mdb(home, "hvm_excl_holder::print").strip()
    m = re.search(r'"(.*)"', out)
    return m.group(1) if m else out


def traced_functions(home, command):
    """The FUNCTION of each record the post's one-liner prints while ``command`` runs on the host."""
    r = run(home, "dtrace", "-n", ONE_LINER, "-c", command)
    assert r.returncode == 0, r.stderr
    return re.findall(r"^ *\d+ +\d+ +(\w+):entry", r.stdout, re.M)


def test_the_post_step_by_step(home):
    r = run(home, "lab", "start", "the-post-step-by-step")
    assert r.returncode == 0, r.stderr
    assert "Step 1 of 10:" in r.stdout

    # 1. vmadm list: the bhyve VM's alias.
    rows = [line.split() for line in vmadm(home, "list").stdout.splitlines()[1:]]
    assert {row[3] for row in rows} == {"stopped"}
    bhyve = next(row[-1] for row in rows if row[1] == "BHYV")
    assert check(home, bhyve).startswith("Correct.")
    test, kvm = uuid_of(home, bhyve), uuid_of(home, "kvm-debian8")

    # 2. Nobody holds the lock.
    assert holder(home) == "0"
    not_yet(home, "bhyve")
    assert check(home, holder(home)).startswith("Correct.")

    # 3. kvm-debian8 takes it (the kernel's state is checked).
    not_yet(home)
    assert vmadm(home, "start", kvm).stderr == f"Successfully started VM {kvm}\n"
    assert holder(home) == "SmartOS KVM"
    assert check(home).startswith("Done.")

    # 4. ... and gives it back.
    not_yet(home)
    vmadm(home, "stop", kvm)
    assert holder(home) == "0"
    assert check(home).startswith("Done.")

    # 5. dtrace while test starts, then while it stops.
    assert traced_functions(home, f"vmadm start {test}") == ["hvm_excl_hold"]
    released = traced_functions(home, f"vmadm stop {test}")
    assert released == ["hvm_excl_rele"]
    not_yet(home, "hvm_excl_hold")
    assert check(home, released[0]).startswith("Correct.")

    # 6. Both VMs run when bhyve starts first.
    not_yet(home)
    vmadm(home, "start", test)
    vmadm(home, "start", kvm)
    running = vmadm(home, "list", "-H", "-o", "alias", "state=running").stdout.split()
    assert sorted(running) == ["kvm-debian8", "test"]
    assert check(home).startswith("Done.")

    # 7. bhyve holds the lock.
    assert check(home, holder(home)).startswith("Correct.")

    # 8. kvm runs without hardware virtualisation.
    info = json.loads(vmadm(home, "info", kvm, "kvm").stdout)
    assert info == {"kvm": {"enabled": False, "present": True}}
    assert check(home, "yes" if info["kvm"]["enabled"] else "no").startswith("Correct.")

    # 9. kvm first: bhyve's VM does not stay up.
    vmadm(home, "stop", test)
    vmadm(home, "stop", kvm)
    not_yet(home)
    vmadm(home, "start", kvm)
    assert vmadm(home, "start", test).stderr == f"Successfully started VM {test}\n"
    states = dict(line.split() for line in vmadm(home, "list", "-H", "-o", "alias,state").stdout.splitlines())
    assert states == {"kvm-debian8": "running", "test": "stopped"}
    assert holder(home) == "SmartOS KVM"
    assert check(home).startswith("Done.")

    # 10. zhyve's complaint, from the zone's log.
    log = run(home, "shell", "-c", f"cat /zones/{test}/logs/stdio.log").stdout
    message = json.loads(log.splitlines()[-1])["log"].strip()
    assert message == "vm_create: No such device or address"
    assert f"Lab complete: {TITLE}" in check(home, message)
