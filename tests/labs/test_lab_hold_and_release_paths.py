"""The lab hold-and-release-paths, solved from a clean state through the public commands, as a learner would."""

import re

from tests.helpers import kdebug

TITLE = "How bhyve takes and releases the lock"


def run(home, *args, **kw):
    return kdebug(*args, home=home, env={"KDEBUG_LEARNER": "test"}, **kw)


def check(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def not_yet(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert (r.returncode, r.stdout) == (1, "Not yet. (kdebug lab hint gives a hint.)\n"), r.stdout + r.stderr


def uuid_of(home, alias):
    return run(home, "vmadm", "lookup", "-1", f"alias={alias}").stdout.strip()


def trace(home, program, command):
    """dtrace -n PROGRAM while ``command`` runs on the host: [(function, traced data, frames), ...]."""
    r = run(home, "dtrace", "-n", program, "-c", command)
    assert r.returncode == 0, r.stderr
    records = []
    for line in r.stdout.split("\n"):
        m = re.match(r" *\d+ +\d+ +(\w+):entry (.*)$", line)
        if m:
            records.append((m.group(1), m.group(2).strip(), []))
        elif line.startswith(" " * 14) and records:
            records[-1][2].append(line.strip())
    return records


def test_hold_and_release_paths(home):
    r = run(home, "lab", "start", "hold-and-release-paths")
    assert r.returncode == 0, r.stderr
    test = uuid_of(home, "test")

    # 1. Who calls hvm_excl_hold: the first frame of its stack (vmm is loaded, so it has a name).
    [(func, _, hold)] = trace(home, "hvm_excl_*:entry { stack() }", f"vmadm start {test}")
    assert func == "hvm_excl_hold"
    assert hold[0] == "vmm`vmmdev_mod_incr+0x37"
    not_yet(home, "hvm_excl_hold")
    assert check(home, hold[0]).startswith("Correct.")

    # 2. The system call: the frame above the system call handler.
    assert hold[-1] == "unix`sys_syscall+0x19f"
    assert check(home, hold[-2]).startswith("Correct.")          # genunix`ioctl+0x9b

    # 3. The release: what the zone system call called.
    [(func, _, rele)] = trace(home, "hvm_excl_*:entry { stack() }", f"vmadm stop {test}")
    assert func == "hvm_excl_rele"
    called_by_zone = rele[rele.index("genunix`zone+0x1e7") - 1]
    assert called_by_zone == "genunix`zone_destroy+0x124"
    not_yet(home, "zone")
    assert check(home, called_by_zone).startswith("Correct.")

    # 4. vmm's callback: the outermost vmm frame.
    callback = [f for f in rele if f.startswith("vmm`")][-1]
    assert callback == "vmm`vmm_zsd_destroy+0x3a"
    assert rele[rele.index(callback) + 1] == "genunix`zsd_apply_destroy+0x1d1"
    assert check(home, callback).startswith("Correct.")

    # 5. Which process released it.
    assert run(home, "vmadm", "start", test).returncode == 0
    [(func, execname, _)] = trace(home, "hvm_excl_rele:entry { trace(execname); stack() }", f"vmadm stop {test}")
    assert (func, execname) == ("hvm_excl_rele", "zoneadmd")
    not_yet(home, "zhyve")
    assert check(home, execname).startswith("Correct.")

    # 6. Why a ZSD destroy callback (zhyve was gone before the release).
    assert run(home, "vmadm", "start", test).returncode == 0
    events = trace(home, "fbt::proc_exit:entry, hvm_excl_rele:entry { trace(execname) }", f"vmadm stop {test}")
    order = [(f, who) for f, who, _ in events]
    assert order.index(("proc_exit", "zhyve")) < order.index(("hvm_excl_rele", "zoneadmd"))
    not_yet(home, "c")
    assert f"Lab complete: {TITLE}" in check(home, "a")
