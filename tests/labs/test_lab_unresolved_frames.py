"""The lab unresolved-frames, solved from a clean state through the public commands, as a learner would."""

import re

from tests.helpers import kdebug

TITLE = "Frames without names: dtrace, mdb and a late module"
ONE_LINER = "hvm_excl_*:entry { stack() }"


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


def mdb(home, command):
    return run(home, "mdb", "-k", input=command + "\n").stdout


def modules(home):
    return [line.split()[4] for line in mdb(home, "::modinfo").splitlines()[1:]]


def stacks(home, command):
    """The post's one-liner while ``command`` runs on the host: {function: frames}."""
    r = run(home, "dtrace", "-n", ONE_LINER, "-c", command)
    assert r.returncode == 0, r.stderr
    found, frames = {}, None
    for line in r.stdout.split("\n"):
        m = re.match(r" *\d+ +\d+ +(\w+):entry ", line)
        if m:
            frames = found[m.group(1)] = []
        elif line.startswith(" " * 14) and frames is not None:
            frames.append(line.strip())
    return found


def test_unresolved_frames(home):
    r = run(home, "lab", "start", "unresolved-frames")
    assert r.returncode == 0, r.stderr
    test = uuid_of(home, "test")

    # 1. vmm is not loaded yet.
    assert "kvm" in modules(home) and "vmm" not in modules(home)
    assert check(home).startswith("Done.")

    # 2. The post's trace: dtrace starts before vmm is loaded, test's start loads it.
    hold = stacks(home, f"vmadm start {test}")["hvm_excl_hold"]
    assert all(re.fullmatch(r"0x[0-9a-f]+", f) for f in hold[:3])
    assert hold[3:] and all("`" in f for f in hold[3:])
    not_yet(home, "hvm_excl_hold")
    assert check(home, hold[0]).startswith("Correct.")

    # 3. mdb names it.
    whatis = mdb(home, f"{hold[0]}::whatis")
    assert whatis == "fffffffff82aec97 is vmm`vmmdev_mod_incr+0x37, in vmm's text segment\n"
    name = re.match(r"\S+ is (\S+), in", whatis).group(1)
    not_yet(home, "vmmdev_do_vm_create")
    assert check(home, name).startswith("Correct.")

    # 4. Why: vmm was loaded by test's start, after dtrace began.
    assert "vmm" in modules(home)
    not_yet(home, "b")
    assert check(home, "a").startswith("Correct.")

    # 5. A dtrace started now names the frames: the release's, then the hold's.
    rele = stacks(home, f"vmadm stop {test}")["hvm_excl_rele"]
    assert rele[:4] == ["vmm`vmmdev_mod_decr+0x31", "vmm`vmm_do_vm_destroy_locked+0xe6",
                        "vmm`vmm_do_vm_destroy+0x3d", "vmm`vmm_zsd_destroy+0x3a"]
    named = stacks(home, f"vmadm start {test}")["hvm_excl_hold"]
    assert not any(f.startswith("0x") for f in named)
    assert hold[2] == "0xfffffffff82afbd3" and named[3:] == hold[3:]
    assert f"Lab complete: {TITLE}" in check(home, named[2])


def test_unresolved_frames_after_a_vm_started_at_boot(home):
    """A VM left on autoboot does not load vmm during the lab's reboot: setup takes it off first."""
    test = uuid_of(home, "test")
    assert run(home, "vmadm", "update", test, "autoboot=true").returncode == 0
    assert run(home, "lab", "start", "unresolved-frames").returncode == 0
    assert "vmm" not in modules(home)
    assert check(home).startswith("Done.")
