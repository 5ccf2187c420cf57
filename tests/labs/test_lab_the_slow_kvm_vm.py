"""The lab the-slow-kvm-vm, solved from a clean state through the public commands, as a learner would."""

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


def mdb(home, command):
    return run(home, "mdb", "-k", input=command + "\n").stdout


def dtrace_one_second(home, program):
    r = run(home, "dtrace", "-q", "-n", program + " tick-1s { exit(0) }")
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_the_slow_kvm_vm(home):
    r = run(home, "lab", "start", "the-slow-kvm-vm")
    assert r.returncode == 0, r.stderr
    kvm = uuid_of(home, "kvm-debian8")

    # 1. QEMU says kvm is not enabled
    info = json.loads(run(home, "vmadm", "info", kvm, "kvm").stdout)
    assert check(home, json.dumps(info["kvm"]["enabled"])).startswith("Correct.")

    # 2. ... because opening /dev/kvm failed
    log = run(home, "shell", "-c", f"cat /zones/{kvm}/root/tmp/vm.log").stdout
    error = re.search(r"Could not access KVM kernel module: (.*)", log).group(1)
    assert check(home, error).startswith("Correct.")

    # 3. only bhyve's zhyve asks the kernel to run its guest
    counts = {ln.split()[0]: int(ln.split()[-1]) for ln in
              dtrace_one_second(home, "syscall::ioctl:entry { @[execname] = count() }").splitlines() if ln.strip()}
    assert "qemu-system-x86_" not in counts
    assert check(home, max(counts, key=counts.get)).startswith("Correct.")

    # 4. QEMU's CPU time is all user time
    out = mdb(home, "::walk proc | ::print proc_t p_user.u_comm p_utime p_stime")
    m = re.search(r'"qemu-system-x86_" \]\np_utime = (\S+)\np_stime = (\S+)', out)
    utime, stime = (int(v, 0) for v in m.groups())
    assert utime > 0 and stime == 0
    assert check(home, "user" if utime > stime else "kernel").startswith("Correct.")

    # 5. QEMU's user time is TCG: translated guest code under cpu_x86_exec
    out = dtrace_one_second(home, 'profile-997 /execname == "qemu-system-x86_"/ { @[ustack()] = count() }')
    named = [ln.strip() for ln in out.splitlines() if "`" in ln]
    assert check(home, named[0].split("`")[1].split("+")[0]).startswith("Correct.")

    # 6. give kvm the hardware back
    run(home, "vmadm", "stop", uuid_of(home, "test"))
    run(home, "vmadm", "stop", kvm)
    run(home, "vmadm", "start", kvm)
    assert json.loads(run(home, "vmadm", "info", kvm, "kvm").stdout)["kvm"]["enabled"] is True
    assert check(home).startswith("Done.")

    # 7. the kernel runs the kvm guest inside QEMU's ioctl
    frames = [ln.strip() for ln in
              dtrace_one_second(home, "fbt:kvm:vmx_handle_exit:entry { @[stack()] = count() }").splitlines()
              if "`" in ln]
    caller = frames[[f.split("+")[0] for f in frames].index("kvm`kvm_ioctl") - 1]
    out = check(home, caller.split("`")[1].split("+")[0])
    assert "Lab complete: Why is the kvm VM so slow?" in out
