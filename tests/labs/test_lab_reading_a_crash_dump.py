"""The lab reading-a-crash-dump, solved from a clean state through the public commands, as a learner would."""

import re

from tests.helpers import kdebug

DUMP = "emy-17-crash"


def run(home, *args, **kw):
    return kdebug(*args, home=home, env={"KDEBUG_LEARNER": "test"}, **kw)


def check(home, *answer):
    r = run(home, "lab", "check", *answer)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def mdb(home, command):
    r = run(home, "mdb", DUMP, input=command + "\n")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout


def test_reading_a_crash_dump(home):
    r = run(home, "lab", "start", "reading-a-crash-dump")
    assert r.returncode == 0, r.stderr
    assert f"kdebug mdb {DUMP}" in r.stdout
    assert not (home / "host.sock").exists()          # a dump lab needs no live host

    # 1. the panic message
    status = mdb(home, "::status")
    assert f"debugging crash dump {DUMP}.kdump (64-bit) from emy-17" in status
    condition = re.search(r"panic message: assertion failed: (.*), file: ", status).group(1)
    assert check(home, condition).startswith("Correct.")

    # 2. and 3. the panic thread's stack: who failed the check, and who called it
    frames = [ln.split("+")[0] for ln in mdb(home, "*panic_thread$c").splitlines()]
    assert frames[0] == "assfail" and frames[-1] == "sys_syscall"
    failed = frames[1]
    assert check(home, failed).startswith("Correct.")
    module = frames[2].split("`")[0]
    assert module == "vmm" and "zone_destroy" in frames
    assert check(home, module).startswith("Correct.")

    # 4. the program that made the system call
    comm = re.search(r'u_comm = \[ "(.*)" \]', mdb(home, "*panic_thread::print kthread_t t_procp->p_user.u_comm"))
    assert check(home, comm.group(1)).startswith("Correct.")

    # 5. the console's last words
    msgbuf = mdb(home, "::msgbuf")
    cpu = re.search(r"panic\[cpu(\d+)\]/thread=[0-9a-f]+: assertion failed", msgbuf).group(1)
    assert msgbuf.rstrip().endswith("dumping to /dev/zvol/dsk/zones/dump, offset 65536, content: kernel")
    assert check(home, cpu).startswith("Correct.")

    # 6. who the kernel thought held the lock, and who released it
    held = re.search(r'"(.*)"', mdb(home, "hvm_excl_holder::print")).group(1)
    assert '"bhyve"' in mdb(home, "vmm`vmmdev_hvm_name::print")
    assert check(home, held).startswith("Correct.")

    # 7. kvm had no users: it never held the lock
    users = mdb(home, "kvm`kvm_usage_count::print").strip()
    assert mdb(home, "::kvm").strip() == "" and "qemu-system-x86_" in mdb(home, "::ps")
    out = check(home, users)
    assert out.startswith("Correct.") and "Lab complete: Reading a crash dump" in out
