"""dtrace --replay: tracing what already happened, from the host's flight recorder.

A replay runs the host's boot and inputs again on a replica with the D
program enabled from the start, so it gives what the same program gave, or
would have given, live.
"""

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine

from .conftest import run_dtrace

KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"
S = 1_000_000_000
PROGRAM = ('hvm_excl_*:entry { printf("%d %s %d ", timestamp, probefunc, pid); stack(); } '
           "profile-97 /cpu == 7/ { @[stack()] = count(); }")


def test_a_replay_prints_what_the_program_printed_live():
    host = InProcessHost(Machine())
    host.machine.advance(5 * S)
    start = host.machine.now
    rc, live, err = run_dtrace(host, "-n", PROGRAM, "-c", f"vmadm start {TEST}")
    assert rc == 0 and "hvm_excl_hold" in live and "i86_mwait" in live
    rc, past, err = run_dtrace(host, "--replay", "--since", f"{start}ns", "-n", PROGRAM)
    assert (rc, past, err) == (0, live, "dtrace: description 'hvm_excl_*:entry ' matched 3 probes\n")


@pytest.mark.parametrize("seed, winner", [(0, "bhyve"), (5, "SmartOS KVM")])
def test_the_boot_race_traced_after_the_reboot(seed, winner):
    host = InProcessHost(Machine())
    for uuid in (TEST, KVM):
        host.run(["vmadm", "update", uuid, "autoboot=true"])
    host.machine.reboot(seed=seed)
    rc, out, err = run_dtrace(host, "--replay", "-qn",
                              'fbt::hvm_excl_hold:entry { printf("%s tries\\n", stringof(arg0)); } '
                              'fbt::hvm_excl_hold:return { printf("%s\\n", arg1 ? "and wins" : "and loses"); }')
    assert rc == 0
    lines = out.splitlines()
    assert lines[:4] == [f"{winner} tries", "and wins", f"{({'bhyve', 'SmartOS KVM'} - {winner}).pop()} tries",
                         "and loses"]


def test_replay_refuses_c_and_p_and_bad_times():
    host = InProcessHost(Machine())
    rc, out, err = run_dtrace(host, "--replay", "-n", "BEGIN", "-c", "uname")
    assert (rc, err) == (2, "dtrace: --replay traces what already happened: -c and -p cannot be used with it\n")
    rc, out, err = run_dtrace(host, "--replay", "--since", "soon", "-n", "BEGIN")
    assert (rc, err) == (2, "dtrace: invalid time for --since: soon\n")
    rc, out, err = run_dtrace(host, "--since", "5s", "-n", "BEGIN")
    assert rc == 2 and err == "dtrace: --since needs --replay and a time (10s, 500ms, 2m)\n"
