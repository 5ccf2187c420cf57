"""D safety: a D program cannot hurt the (simulated) system.

Each hazard ends in DTrace's own error or drop message, the consumer goes on
to its next clause and to the end, and kernel memory is byte for byte what
it was before.
"""

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine

from .conftest import run_dtrace

HOST = InProcessHost(Machine())
ERR = "dtrace: error on enabled probe ID 1 (ID 1: dtrace:::BEGIN): "


def safely(*argv):
    """Run dtrace; kernel memory must not change."""
    before = HOST.machine.kernel.mem.digest()
    rc, out, err = run_dtrace(HOST, *argv)
    assert HOST.machine.kernel.mem.digest() == before
    assert "Traceback" not in err
    return rc, out, err


@pytest.mark.parametrize("clause, message", [
    ("trace(*(int *)0);", "invalid address (0x0) in action #1"),
    ("trace(*(long *)0xfffffd8000000000);", "invalid address (0xfffffd8000000000) in action #1"),
    ("trace(stringof(`kernelbase));", "invalid address (0xfffffd8000000000) in action #1"),
    ("x = 0; trace(1 / x);", "divide-by-zero in action #2"),          # each statement is an action
    ("x = 0; trace(5 % x);", "divide-by-zero in action #2"),
    ("trace(((kthread_t *)0)->t_procp->p_pidp->pid_id);", "invalid address (0x130) in action #1"),
    ("trace(copyinstr(0));", "invalid address (0x0) in action #1"),
    ("tracemem(0, 64);", "invalid address (0x0) in action #1"),
])
def test_a_fault_reports_and_the_consumer_goes_on(clause, message):
    rc, out, err = safely("-q", "-n", f"BEGIN {{ {clause} }} BEGIN {{ printf(\"next\\n\"); exit(0); }}")
    assert rc == 0 and out == "next\n\n"
    assert err.splitlines()[0].startswith(ERR)
    assert err.splitlines()[0][len(ERR):] == message


def test_huge_stack_sizes_print_the_stack_there_is():
    rc, out, err = safely("-q", "-n", "BEGIN { stack(100000); ustack(100000); exit(0); }")
    assert (rc, err) == (0, "")


def test_strings_past_strsize_are_cut():
    long = "x" * 1000
    rc, out, err = safely("-q", "-x", "strsize=16", "-n",
                          f'BEGIN {{ s = "{long}"; printf("%d %s\\n", strlen(s), strjoin(s, s)); exit(0); }}')
    assert (rc, out) == (0, "16 " + "x" * 15 + "\n\n")


def test_principal_buffer_exhausted_drops():
    rc, out, err = safely("-q", "-b", "1k", "-n", 'tick-1ms { printf("%s\\n", execname); } tick-1s { exit(0); }')
    assert rc == 0 and "drops on CPU 0" in err


def test_dynamic_variable_space_exhausted_drops():
    rc, out, err = safely("-q", "-x", "dynvarsize=512", "-n",
                          "tick-1ms { a[timestamp] = 1; self->x[timestamp] = 2; } tick-100ms { exit(0); }")
    assert rc == 0 and "dynamic variable drops" in err


def test_aggregation_space_exhausted_drops():
    rc, out, err = safely("-q", "-x", "aggsize=1k", "-n", "tick-1ms { @[timestamp] = count(); } tick-1s { exit(0); }")
    assert rc == 0 and "aggregation drops on CPU 0" in err


def test_destructive_actions_need_w_and_stay_off_the_kernel():
    for action in ('system("uname")', "panic()", "breakpoint()", "chill(100)", "raise(9)", "stop()"):
        rc, out, err = safely("-q", "-n", f"BEGIN {{ {action}; exit(0); }}")
        assert (rc, err) == (1, "dtrace: could not enable tracing: Destructive actions not allowed\n"), action
