"""The lab the-boot-race, solved from a clean state through the public commands, as a learner would."""

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


def holder(home):
    """The lock's holder as mdb prints it ("bhyve", "SmartOS KVM"), or None."""
    m = re.search(r'"(.*)"', run(home, "mdb", "-k", input="hvm_excl_holder::print\n").stdout)
    return m.group(1) if m else None


def reboot_until(home, wanted, seeds):
    """Reboot with the next seeds until ``wanted`` holds the lock; returns the seed."""
    for seed in seeds:
        r = run(home, "host", "reboot", "--seed", str(seed))
        assert r.returncode == 0, r.stderr
        if holder(home) == wanted:
            return seed
    raise AssertionError(f"no seed made {wanted} win")


def test_the_boot_race(home):
    r = run(home, "lab", "start", "the-boot-race")
    assert r.returncode == 0, r.stderr
    test, kvm = uuid_of(home, "test"), uuid_of(home, "kvm-debian8")
    assert run(home, "lab", "check").stdout.startswith("Not yet.")

    # 1. both VMs start with the host (vmadm start sets autoboot, as in the post)
    for uuid in (test, kvm):
        run(home, "vmadm", "start", uuid)
    assert check(home).startswith("Done.")

    # 2. and 3. the race, both ways
    seeds = iter(range(50))
    bhyve_seed = reboot_until(home, "bhyve", seeds)
    states = dict(ln.split() for ln in run(home, "vmadm", "list", "-H", "-o", "alias,state").stdout.splitlines())
    assert states == {"test": "running", "kvm-debian8": "running"}
    assert json.loads(run(home, "vmadm", "info", kvm, "kvm").stdout)["kvm"]["enabled"] is False
    assert check(home).startswith("Done.")
    kvm_seed = reboot_until(home, "SmartOS KVM", seeds)
    assert check(home).startswith("Done.")

    # the same seed gives the same winner
    run(home, "host", "reboot", "--seed", str(bhyve_seed))
    assert holder(home) == "bhyve"
    run(home, "host", "reboot", "--seed", str(kvm_seed))
    assert holder(home) == "SmartOS KVM"

    # 4. the loser: test stays stopped, and zhyve said why
    assert "stopped" in run(home, "vmadm", "list", "-H", "-o", "state", "alias=test").stdout
    log = run(home, "shell", "-c", f"cat /zones/{test}/logs/stdio.log").stdout
    said = json.loads(log.splitlines()[-1])["log"].strip()
    out = check(home, said)
    assert out.startswith("Correct.") and "Lab complete: The race at boot" in out
