"""The dtrace command as a user runs it: the post's one-liner, the options, the messages.

The post's one-liner runs as the post ran it: dtrace in one process, vmadm
in another, both talking to the host daemon of one KDEBUG_HOME, and Ctrl-C
(SIGINT) to end dtrace.  The other cases run in-process through the same
``main()``.
"""

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine
from tests.helpers import kdebug

from .conftest import run_dtrace

TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"
ONE_LINER = "hvm_excl_*:entry { stack() }"
HEADER = "CPU     ID                    FUNCTION:NAME"

HOLD_TAIL = ["genunix`cdev_ioctl+0x39", "specfs`spec_ioctl+0x60", "genunix`fop_ioctl+0x55",
             "genunix`ioctl+0x9b", "unix`sys_syscall+0x19f"]
RELE_TAIL = ["genunix`zsd_apply_destroy+0x1d1", "genunix`zsd_apply_all_keys+0x5f",
             "genunix`zone_zsd_callbacks+0xe6", "genunix`zone_destroy+0x124", "genunix`zone+0x1e7",
             "unix`sys_syscall+0x19f"]
# vmm is loaded after dtrace started: its frames are the post's bare addresses.
HOLD_BARE = ["0xfffffffff82aec97", "0xfffffffff82aee23", "0xfffffffff82afbd3"] + HOLD_TAIL
RELE_BARE = ["0xfffffffff82aed11", "0xfffffffff82af6b6", "0xfffffffff82af70d", "0xfffffffff82c9f9a"] + RELE_TAIL
# ... and resolved by a dtrace started once vmm is loaded.
HOLD_NAMED = ["vmm`vmmdev_mod_incr+0x37", "vmm`vmmdev_do_vm_create+0x73", "vmm`vmm_ioctl+0x193"] + HOLD_TAIL
RELE_NAMED = ["vmm`vmmdev_mod_decr+0x31", "vmm`vmm_do_vm_destroy_locked+0xe6", "vmm`vmm_do_vm_destroy+0x3d",
              "vmm`vmm_zsd_destroy+0x3a"] + RELE_TAIL


def record(func: str, frames: list[str]) -> list[str]:
    """A default-mode stack() record, CPU and probe ID masked: prefix line, frames, blank line."""
    return ["CPU ID %32s " % func] + [" " * 14 + f for f in frames] + [""]


def masked(out: str) -> list[str]:
    """stdout lines with each record's CPU and probe ID columns replaced by "CPU ID"."""
    return [re.sub(r"^ *\d+ +\d+ (?=.*:)", "CPU ID ", line) if line != HEADER else line
            for line in out.split("\n")]


@pytest.fixture
def host():
    """A fresh in-process host: these tests start and stop VMs."""
    return InProcessHost(Machine())


def test_the_posts_one_liner_between_two_terminals(home):
    """Step 5 of the post: dtrace waits; vmadm starts and stops the bhyve VM elsewhere; Ctrl-C."""
    env = dict(os.environ, KDEBUG_HOME=str(home))
    assert kdebug("vmadm", "list", home=home).returncode == 0          # the host is up
    dt = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-n", ONE_LINER], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        notice = dt.stderr.readline()          # printed once the probes are enabled
        assert notice == "dtrace: description 'hvm_excl_*:entry ' matched 2 probes\n"
        assert kdebug("vmadm", "start", TEST, home=home).stderr == f"Successfully started VM {TEST}\n"
        assert kdebug("vmadm", "stop", TEST, home=home).stderr == f"Successfully completed stop for VM {TEST}\n"
        time.sleep(1.5)                        # one switchrate: the records reach dtrace
        dt.send_signal(signal.SIGINT)
        out, err = dt.communicate(timeout=max(1, deadline - time.monotonic()))
    finally:
        if dt.poll() is None:
            dt.kill()
    assert (dt.returncode, err) == (0, "")
    assert masked(out) == [HEADER] + record("hvm_excl_hold:entry", HOLD_BARE) + \
        record("hvm_excl_rele:entry", RELE_BARE) + ["", "", ""]
    # mdb names what dtrace could not.
    r = kdebug("mdb", "-k", input="0xfffffffff82aec97::whatis\n", home=home)
    assert r.stdout == "fffffffff82aec97 is vmm`vmmdev_mod_incr+0x37, in vmm's text segment\n"


def test_a_dtrace_started_after_vmm_loaded_resolves_its_frames(host):
    rc, out, err = run_dtrace(host, "-n", ONE_LINER, "-c", f"vmadm start {TEST}")
    assert rc == 0 and masked(out) == [HEADER] + record("hvm_excl_hold:entry", HOLD_BARE) + ["", ""]
    assert re.fullmatch(f"dtrace: description 'hvm_excl_\\*:entry ' matched 2 probes\nSuccessfully started VM {TEST}\n"
                        r"dtrace: pid \d+ has exited\n", err), err
    rc, out, err = run_dtrace(host, "-n", ONE_LINER, "-c", f"vmadm stop {TEST}")
    assert masked(out) == [HEADER] + record("hvm_excl_rele:entry", RELE_NAMED) + ["", ""]
    rc, out, err = run_dtrace(host, "-n", ONE_LINER, "-c", f"vmadm start {TEST}")
    assert masked(out) == [HEADER] + record("hvm_excl_hold:entry", HOLD_NAMED) + ["", ""]


def test_probe_ids_are_stable_and_listed(dtrace):
    rc, out, err = dtrace("-l", "-P", "dtrace")
    assert (rc, err) == (0, "")
    assert out == ("   ID   PROVIDER            MODULE                          FUNCTION NAME\n"
                   "    1     dtrace                                                     BEGIN\n"
                   "    2     dtrace                                                     END\n"
                   "    3     dtrace                                                     ERROR\n")
    rc, out, err = dtrace("-l", "-n", "hvm_excl_*:entry")
    rows = out.splitlines()[1:]
    assert [r.split()[1:] for r in rows] == [["fbt", "unix", "hvm_excl_hold", "entry"],
                                              ["fbt", "unix", "hvm_excl_rele", "entry"]]
    ident = rows[0].split()[0]
    assert dtrace("-l", "-i", ident)[1].splitlines()[1] == rows[0]
    assert dtrace("-l", "-f", "hvm_excl_hold")[1].splitlines()[1:] == \
        [rows[0], rows[0].replace(ident.rjust(5), str(int(ident) + 1).rjust(5)).replace("entry", "return")]


def test_verbose_listing_gives_argument_types(dtrace):
    rc, out, err = dtrace("-lv", "-n", "fbt::hvm_excl_hold:entry")
    assert rc == 0
    assert out.splitlines()[2:] == ["", "\tProbe Description Attributes", "\t\tIdentifier Names: Private",
                                    "\t\tData Semantics:   Private", "\t\tDependency Class: Unknown", "",
                                    "\tArgument Attributes", "\t\tIdentifier Names: Private",
                                    "\t\tData Semantics:   Private", "\t\tDependency Class: ISA", "",
                                    "\tArgument Types", "\t\targs[0]: const char *", ""]


def test_listing_what_matches_nothing_is_not_fatal(dtrace):
    rc, out, err = dtrace("-l", "-n", "nosuch:::")
    assert (rc, out) == (0, "   ID   PROVIDER            MODULE                          FUNCTION NAME\n")
    assert err == "dtrace: failed to match nosuch:::: No probe matches description\n"


@pytest.mark.parametrize("argv, notice", [
    (["-n", "BEGIN { exit(0); }"], "dtrace: description 'BEGIN ' matched 1 probe\n"),
    (["-n", "BEGIN,END { exit(0); }"], "dtrace: description 'BEGIN,END ' matched 2 probes\n"),
    (["-n", "END", "-n", "BEGIN { exit(0); }"], "dtrace: description 'END' matched 1 probe\n"
                                                "dtrace: description 'BEGIN ' matched 1 probe\n"),
    (["-Z", "-n", "nosuch:::,BEGIN { exit(0); }"], "dtrace: description 'nosuch:::,BEGIN ' matched 1 probe\n"),
])
def test_matched_notices(dtrace, argv, notice):
    assert dtrace("-q", *argv)[::2] == (0, "")        # -q: no notices
    rc, out, err = dtrace(*argv)
    assert (rc, err) == (0, notice)


def test_e_compiles_and_stops_before_enabling(dtrace):
    assert dtrace("-e", "-n", "BEGIN { exit(0); }") == (0, "", "")
    assert dtrace("-e", "-n", "BEGIN { x = y; }")[0] == 1


@pytest.mark.parametrize("argv, message", [
    (["-n", "nosuch:::"], "dtrace: invalid probe specifier nosuch:::: probe description nosuch::: "
                          "does not match any probes\n"),
    (["-n", "BEGIN { x = y; }"], "dtrace: invalid probe specifier BEGIN { x = y; }: failed to resolve y: "
                                 "Unknown variable name\n"),
    (["-n", "BEGIN { trace(1) "], "dtrace: invalid probe specifier BEGIN { trace(1) : syntax error near "
                                  "end of input\n"),
    (["-x", "nosuch", "-n", "BEGIN"], "dtrace: failed to set -x nosuch: Invalid option name\n"),
    (["-x", "bufsize=abc", "-n", "BEGIN"], "dtrace: failed to set -x bufsize=abc: Invalid value for "
                                           "specified option\n"),
    (["-s", "/nonexistent/x.d"], "dtrace: failed to open /nonexistent/x.d: No such file or directory\n"),
])
def test_failures_exit_1_with_dtraces_message(dtrace, argv, message):
    rc, out, err = dtrace(*argv)
    assert (rc, out, err) == (1, "", message)


def test_usage_errors_exit_2(dtrace):
    rc, out, err = dtrace()
    assert (rc, out) == (2, "") and err.startswith("Usage: dtrace [-32|-64] [-aACeFGhHlqSvVwZ]")
    rc, out, err = dtrace("-K")
    assert rc == 2 and "illegal option -- K" in err.splitlines()[0]


def test_version(dtrace):
    assert dtrace("-V") == (0, "dtrace: Sun D 1.13\n", "")


def test_destructive_actions_need_w(dtrace):
    prog = 'BEGIN { system("uname -v"); exit(0); }'
    rc, out, err = dtrace("-q", "-n", prog)
    assert (rc, out) == (1, "")
    assert err == "dtrace: could not enable tracing: Destructive actions not allowed\n"
    rc, out, err = dtrace("-w", "-q", "-n", prog)
    assert (rc, out, err) == (0, "joyent_20180329T002644Z\n\n", "")
    rc, out, err = dtrace("-w", "-n", prog)
    assert err.splitlines()[-1] == "dtrace: allowing destructive actions"


def test_output_file_is_appended_to(dtrace, tmp_path):
    out_file = tmp_path / "out.txt"
    for word in ("one", "two"):
        rc, out, err = dtrace("-q", "-o", str(out_file), "-n", f'BEGIN {{ printf("{word}\\n"); exit(0); }}')
        assert (rc, out, err) == (0, "", "")
    assert out_file.read_text() == "one\n\ntwo\n\n"


def test_cpp_defines_conditionals_and_line_numbers(dtrace, tmp_path):
    script = tmp_path / "c.d"
    script.write_text("#!/usr/sbin/dtrace -Cs\n#ifndef WHO\n#define WHO 5\n#endif\n"
                      "#ifdef __sun\nBEGIN { trace(WHO); exit(0); }\n#endif\n")
    assert dtrace("-q", "-C", "-s", str(script)) == (0, "5\n", "")
    assert dtrace("-q", "-C", "-D", "WHO=7", "-s", str(script))[1] == "7\n"
    rc, out, err = dtrace("-q", "-C", "-U", "__sun", "-s", str(script))
    assert rc == 1 and err.endswith(": empty D program translation unit\n")
    script.write_text("#define A 1\n\n\n\n\n\n\n\n\n\n\n\nBEGIN { x = A +; }\n")
    assert dtrace("-C", "-s", str(script))[2] == f"dtrace: failed to compile script {script}: line 13: " \
                                                 'syntax error near ";"\n'
    script.write_text("#if\nBEGIN {}\n")
    rc, out, err = dtrace("-C", "-s", str(script))
    assert rc == 1 and err.endswith(f"dtrace: failed to compile script {script}: "
                                    "Preprocessor failed to process input program\n")


def test_exit_status_is_exits_argument(dtrace):
    assert dtrace("-q", "-n", "BEGIN { exit(4); }")[0] == 4
    assert dtrace("-q", "-n", "BEGIN { exit(0); }")[0] == 0


def test_quiet_by_option_or_pragma_and_its_absence(dtrace):
    prog = 'BEGIN { printf("x"); exit(0); }'
    assert dtrace("-q", "-n", prog)[1] == "x\n"
    assert dtrace("-x", "quiet", "-n", prog)[1] == "x\n"
    rc, out, err = dtrace("-n", prog)
    assert out == HEADER + "\n  0      1                           :BEGIN x\n\n"


def test_aggregations_print_when_dtrace_is_interrupted(home):
    """Ctrl-C: the newline for the echoed ^C, then the aggregations."""
    env = dict(os.environ, KDEBUG_HOME=str(home))
    dt = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-q", "-n",
                           "tick-10ms { @ticks = count(); } BEGIN { printf(\"ready\\n\"); }"],
                          env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert dt.stdout.readline() == "ready\n"
        time.sleep(0.5)
        dt.send_signal(signal.SIGINT)
        out, err = dt.communicate(timeout=60)
    finally:
        if dt.poll() is None:
            dt.kill()
    assert (dt.returncode, err) == (0, "")
    lines = out.split("\n")
    assert lines[:2] == ["", ""] and lines[3:] == [""]
    assert re.fullmatch(r" {1,16}\d+", lines[2]) and len(lines[2]) == 17 and int(lines[2]) > 0


def test_proc_exit_fires_for_each_process_of_a_stopping_zone(host):
    kvm = "57409636-927a-cc7a-d744-e0f92b73f4e4"
    rows = [line.split()[1:] for line in run_dtrace(host, "-l", "-P", "proc")[1].splitlines()[1:]]
    assert ["proc", "genunix", "proc_exit", "exit"] in rows
    run_dtrace(host, "-q", "-n", "BEGIN { exit(0); }", "-c", f"vmadm start {kvm}")
    rc, out, err = run_dtrace(host, "-q", "-n", 'proc:::exit { printf("%s %d\\n", execname, arg0); }',
                              "-c", f"vmadm stop {kvm}")
    assert out.splitlines()[:3] == ["qemu-system-x86_ 2", "zsched 2", "zoneadmd 1"]   # CLD_KILLED, CLD_EXITED


def test_c_runs_the_command_as_a_process_of_the_host(host):
    """-c: the process exists before compiling ($target), exits when done, and dtrace says so."""
    rc, out, err = run_dtrace(host, "-q", "-n", 'proc:::exit /pid == $target/ { printf("%s %d\\n", execname, pid); }',
                              "-c", "vmadm list -H -o alias")
    pid = int(re.search(r"^vmadm (\d+)$", out, re.M).group(1))
    assert out.startswith("kvm-debian8\ntest\n") and err == ""
    rc, out, err = run_dtrace(host, "-n", "BEGIN { trace($target); }", "-c", "vmadm nosuchverb")
    assert int(out.split()[-1]) > pid
    assert err.splitlines()[-1] == f"dtrace: pid {int(out.split()[-1])} exited with status 2"
    rc, out, err = run_dtrace(host, "-n", "BEGIN { x = y; }", "-c", "vmadm list")
    assert rc == 1 and not host.machine.spawned          # the process made for -c went away unrun
    rc, out, err = run_dtrace(host, "-n", "BEGIN { exit(0); }", "-c", "nosuch -x")
    assert (rc, out, err) == (1, "", "dtrace: failed to execute nosuch: cannot find executable file\n")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("program, hint", [
    ("fbt::hvm_excl_hodl:entry { trace(1); }", "did you mean fbt:unix:hvm_excl_hold:entry?"),
    ("BEGIN { trace(curthread->t_procc); }", "did you mean t_procp?"),
    ('BEGIN { prinft("x"); }', "did you mean printf?"),
    ("BEGIN { trace(exectime); }", "did you mean execname?"),
])
def test_a_person_at_a_terminal_gets_the_line_a_caret_and_a_suggestion(dthost, program, hint):
    from kdebug.dtrace.cli import main
    err = _Terminal()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["-n", program], host=dthost) == 1
    lines = err.getvalue().splitlines()
    assert lines[1] == "    " + program and set(lines[2].strip()) == {"^"} and lines[3] == "    " + hint
    assert run_dtrace(dthost, "-n", program)[2] == lines[0] + "\n"        # not a terminal: dtrace's line only


def test_profile_finds_the_vcpus_at_work(host):
    """bhyve first, then kvm: zhyve's vCPU is in the kernel running its guest (vmx_run), QEMU's
    in user mode all the time (software emulation): what profile-997 shows of the slow kvm VM."""
    for uuid in (TEST, "57409636-927a-cc7a-d744-e0f92b73f4e4"):
        assert host.run(["vmadm", "start", uuid]).rc == 0
    rc, out, err = run_dtrace(host, "-q", "-n", 'profile-997 /execname != "sched"/ '
                              '{ @[execname, arg0 ? "kernel" : "user"] = count(); @s[stack(1)] = count(); } '
                              "tick-2s { exit(0); }")
    samples = {tuple(line.split()[:2]): int(line.split()[2]) for line in out.splitlines() if len(line.split()) == 3}
    assert set(samples) == {("zhyve", "kernel"), ("qemu-system-x86_", "user")}
    assert samples[("qemu-system-x86_", "user")] > 9 * samples[("zhyve", "kernel")] > 0   # a CPU against a tenth
    assert "vmm`vmx_run+0x34b" in out


def test_vtimestamp_is_the_threads_time_on_a_cpu(host):
    """vtimestamp counts what a thread has run: QEMU's emulating vCPU runs all the time (a second
    a second); zhyve's vCPU, in hardware, a millisecond of each 10 ms slice."""
    for uuid in (TEST, "57409636-927a-cc7a-d744-e0f92b73f4e4"):
        assert host.run(["vmadm", "start", uuid]).rc == 0
    rc, out, err = run_dtrace(host, "-q", "-n", 'profile-997 /execname != "sched"/ '
                              "{ @lo[execname] = min(vtimestamp); @hi[execname] = max(vtimestamp); "
                              "@up[execname] = max(timestamp - vtimestamp); } tick-1s { exit(0); } "
                              'END { printa("%s %@d %@d %@d\\n", @lo, @hi, @up); }')
    ran = {w[0]: (int(w[2]) - int(w[1]), int(w[3])) for w in map(str.split, out.split("\n")) if len(w) == 4}
    assert set(ran) == {"zhyve", "qemu-system-x86_"} and rc == 0
    assert 0.95e9 < ran["qemu-system-x86_"][0] <= 1e9
    assert 0.05e9 < ran["zhyve"][0] < 0.15e9
    assert min(up for _, up in ran.values()) > 0          # never more than the time since boot


def test_signal_send_names_sender_and_target(host):
    """proc:::signal-send fires in the sender: zoneadmd's zone_shutdown kills the zone's processes."""
    kvm = "57409636-927a-cc7a-d744-e0f92b73f4e4"
    assert host.run(["vmadm", "start", kvm]).rc == 0
    rc, out, err = run_dtrace(host, "-q", "-n", 'proc:::signal-send { printf("%s %d %s\\n", execname, args[2], '
                              "args[1]->pr_fname); }", "-c", f"vmadm stop {kvm}")
    assert [line for line in out.splitlines() if line][-2:] == ["zoneadmd 9 qemu-system-x86_", "zoneadmd 9 zsched"]


def test_ustack_names_the_hypervisors_user_frames(host):
    """ustack(): QEMU emulating is in its translated code under cpu_x86_exec (TCG; the code has
    no symbol); zhyve's vCPU thread sits in the kernel under libvmmapi's vm_run.  ufunc() of a
    profile probe's user pc names the same place."""
    for uuid in (TEST, "57409636-927a-cc7a-d744-e0f92b73f4e4"):
        assert host.run(["vmadm", "start", uuid]).rc == 0
    rc, out, err = run_dtrace(host, "-q", "-n", 'profile-997 /execname != "sched"/ { @[execname, ustack(3)] = count(); } '
                              'profile-997 /arg1/ { @u[ufunc(arg1), umod(arg1)] = count(); } tick-1s { exit(0); }')
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    qemu = lines.index("qemu-system-x86_")
    assert lines[qemu + 1].startswith("0xfffffd7fe5") and lines[qemu + 2:qemu + 4] == [
        "qemu-system-x86_64`cpu_x86_exec+0x53e", "qemu-system-x86_64`tcg_cpu_exec+0x4e"]
    zhyve = lines.index("zhyve")
    assert lines[zhyve + 1:zhyve + 4] == ["libc.so.1`ioctl+0xa", "libvmmapi.so.1`vm_run+0x2b", "zhyve`vm_loop+0x6f"]
    assert lines[-1].split()[0] == lines[-1].split()[1] == lines[qemu + 1]     # JIT code: no module either
    rc, out, err = run_dtrace(host, "-q", "-x", "stackfmt=folded", "-n",
                              "profile-997 /arg1/ { @[ustack()] = count(); } tick-100ms { exit(0); }")
    assert out.strip().startswith("qemu-system-x86_64`_start+0x6c;qemu-system-x86_64`main+0x1e2c;")
