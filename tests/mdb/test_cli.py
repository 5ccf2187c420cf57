"""``kdebug mdb``'s command line: targets, -e and its status, options, usage errors, dumps that fail."""

import os

import pytest

from kdebug.host.client import running_pid
from kdebug.mdb.cli import USAGE
from tests.helpers import kdebug


def mdb(*args, input=None, **kw):
    return kdebug("mdb", *args, input=input, **kw)


def test_e_runs_the_command_and_exits_with_its_status():
    r = mdb("-e", "::echo hi; 0t10=D", "emy-17")
    assert (r.returncode, r.stdout, r.stderr) == (0, "hi \n" + " " * 16 + "10" + " " * 14 + "\n", "")
    r = mdb("-e", "::nosuch", "emy-17")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "mdb: invalid command '::nosuch': unknown dcmd name\n")
    r = mdb("-e", "::sizeof", "emy-17")
    assert (r.returncode, r.stderr) == (1, "Usage: sizeof type\n")


def test_e_reports_parse_errors_in_the_string():
    r = mdb("-e", "1+=D", "emy-17")
    assert (r.returncode, r.stderr) == (1, 'mdb: syntax error on line 1 of (string) near "="\n')


def test_e_sets_dot_with_a_bare_expression():
    r = mdb("-e", "p0;.=K", "emy-17")
    assert r.stdout == " " * 16 + "fffffffffbc00000 \n"


def test_piped_commands_keep_going_after_errors_and_exit_0():
    r = mdb("emy-17", input="::nosuch\n::echo after\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, "after \n", "mdb: invalid command '::nosuch': unknown dcmd name\n")


def test_quit_stops_reading():
    r = mdb("emy-17", input="::echo one\n$q\n::echo two\n")
    assert (r.returncode, r.stdout) == (0, "one \n")


def test_a_dump_path_and_the_fixture_name(tmp_path):
    from kdebug.resources import fixture_path
    r = mdb("-e", "::status", str(fixture_path("emy-17.kdump")))
    assert r.stdout.splitlines()[0] == f"debugging crash dump {fixture_path('emy-17.kdump')} (64-bit) from emy-17"
    r = mdb("-e", "::status", "emy-17")
    assert r.stdout.splitlines()[:2] == ["debugging crash dump emy-17.kdump (64-bit) from emy-17",
                                         "operating system: 5.11 joyent_20180329T002644Z (i86pc)"]


@pytest.mark.parametrize("make,reason", [
    (lambda p: None, "No such file or directory"),
    (lambda p: p.write_text("hello\n"), "not a kdebug dump"),
    (lambda p: p.mkdir(), "is a directory"),
    (lambda p: p.write_bytes(b"\x89KDUMP\r\n\x00\x01"), "truncated (10 bytes)"),
])
def test_dumps_that_cannot_be_opened_give_one_line_and_status_1(tmp_path, make, reason):
    path = tmp_path / "bad.kdump"
    make(path)
    r = mdb(str(path), input="::status\n")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", f"mdb: failed to open {path}: {reason}\n")


def test_usage_errors_exit_2_with_mdbs_usage():
    r = mdb("-x", "emy-17")
    assert (r.returncode, r.stderr) == (2, "mdb: illegal option -- x\n" + USAGE)
    r = mdb("emy-17", "-e")
    assert (r.returncode, r.stderr) == (2, "mdb: option requires an argument -- e\n" + USAGE)
    r = mdb()
    assert (r.returncode, r.stderr) == (2, USAGE)
    assert USAGE.startswith("Usage: mdb [-fkmuwyAFKMSUW] [+/-o option] [-p pid] [-s dist] [-I path] [-L path]\n"
                            "\t[-P prompt] [-R root] [-V dis-version] [-e expr] [object [core] | core | suffix]\n\n")


def test_question_mark_prints_usage_and_exits_0():
    r = mdb("-?")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", USAGE)


def test_help_is_kdebugs_own_on_stdout():
    r = mdb("--help")
    assert r.returncode == 0 and "kdebug mdb -k" in r.stdout and r.stderr == ""


def test_option_errors():
    r = mdb("-e", "::echo", "-e", "::echo", "emy-17")
    assert (r.returncode, r.stderr) == (2, "mdb: -e already specified\n")
    r = mdb("-o", "nosuch", "emy-17")
    assert (r.returncode, r.stderr) == (2, "mdb: invalid debugger option -- nosuch\n")
    r = mdb("-o", "array_mem_limit", "emy-17")
    assert (r.returncode, r.stderr) == (2, "mdb: option requires an argument -- array_mem_limit\n")
    r = mdb("-s", "x", "emy-17")
    assert (r.returncode, r.stderr) == (2, "mdb: expected integer following -s\n")


def test_debugger_options_change_behaviour():
    # repeatlast: a blank line runs the previous command again at dot + increment.
    r = mdb("-o", "repeatlast", "emy-17", input="p0/X\n\n")
    assert r.stdout == "p0:\np0:             0               \n" + "p0+4:           0               \n"
    r = mdb("emy-17", input="p0/X\n\n")
    assert r.stdout == "p0:\np0:             0               \n"
    # array_mem_limit: how many array elements ::print shows.
    r = mdb("-o", "array_mem_limit=2", "-e", "t0::print kthread_t t_pcb.val", "emy-17")
    assert r.stdout == "t_pcb.val = [ 0xfffffffffb802d24, 0xffffd00007805d40, ... ]\n"
    r = mdb("-o", "repeatlast", "+o", "repeatlast", "emy-17", input="p0/X\n\n")
    assert r.stdout == "p0:\np0:             0               \n"


def test_writes_need_w():
    r = mdb("-e", "hz/W 0t200", "emy-17")
    assert r.returncode == 1
    assert r.stderr == f"mdb: failed to write c8 at address 0x{_hz():x}: target is not open for writing\n"
    r = mdb("-w", "-e", "hz/W 0t200; hz/D; hz/v 1; hz/B", "emy-17")
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout == ("hz:             0x64            =       0xc8\n"
                        "hz:\nhz:             200             \n"
                        "hz:             0xc8    =       0x1\n"
                        "hz:\nhz:             1       \n")


def _hz():
    from kdebug.kernel import dump
    from kdebug.resources import fixture_path
    return dump.load(fixture_path("emy-17.kdump")).sym_addr("hz")


def test_mdbrc_runs_first_unless_S(tmp_path):
    (tmp_path / ".mdbrc").write_text("::echo from mdbrc\n0t10$d\n")
    r = mdb("-e", "10=D", "emy-17", env={"HOME": str(tmp_path)})
    assert r.stdout == "from mdbrc \nradix = 10 base ten\n" + " " * 16 + "10" + " " * 14 + "\n"
    r = mdb("-S", "-e", "10=D", "emy-17", env={"HOME": str(tmp_path)})
    assert r.stdout == " " * 16 + "16" + " " * 14 + "\n"


def test_shell_escape_runs_shell_c():
    r = mdb("emy-17", input="!echo $((1+2))\n::echo 4 ! tr 4 5\n", env={"SHELL": "/bin/sh"})
    assert (r.stdout, r.stderr) == ("3\n5 \n", "")


def test_no_prompt_toolkit_on_non_interactive_paths():
    r = kdebug("mdb", "-e", "::status", "emy-17", env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert "prompt_toolkit" not in r.stderr and "import time:" in r.stderr


# -- the live host -----------------------------------------------------------------------

@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    yield h
    pid = running_pid(h) if h.exists() else None
    if pid is not None:
        kdebug("host", "stop", home=h)
        if running_pid(h) is not None:
            os.kill(pid, 9)


def test_k_reads_the_live_host(home):
    r = kdebug("mdb", "-k", input="hvm_excl_holder::print\n::status\n", home=home)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:2] == ["0", "debugging live kernel (64-bit) on emy-17"]


def test_k_without_a_host_is_one_line_and_status_1(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    r = kdebug("mdb", "-k", input="::status\n", home=blocker / "home")
    assert r.returncode == 1
    assert r.stderr.startswith("mdb: failed to open live kernel: ") and r.stderr.count("\n") == 1


def test_a_crash_dumps_current_thread_is_the_one_that_panicked():
    """$c, $C and $r with no address read the panic thread, from vpanic down."""
    r = mdb("-e", "$c", "emy-17-crash")
    lines = r.stdout.splitlines()
    assert lines[:3] == ["vpanic()", "assfail+0x7e()", "hvm_excl_rele+0x3c()"]
    assert lines[-1] == "sys_syscall+0x19f()"
    assert mdb("-e", "*panic_thread$c", "emy-17-crash").stdout.splitlines() == lines[1:]
    assert "%rip = 0x" in mdb("-e", "$r", "emy-17-crash").stdout
    r = mdb("-e", "$c", "emy-17")                 # no panic: no current thread
    assert (r.returncode, r.stderr) == (1, "mdb: command is not supported by current target\n")


def test_dtrace_dcmd_runs_a_one_liner_on_the_same_live_host(tmp_path):
    home = tmp_path / "home"
    kvm = "57409636-927a-cc7a-d744-e0f92b73f4e4"
    lines = ("::dtrace -qn 'BEGIN { printf(\"%d\\n\", `hvm_excl_holder != 0); exit(0); }'\n"
             f"::dtrace -qn 'hvm_excl_hold:entry {{ printf(\"%s\\n\", stringof(arg0)); }}' -c 'vmadm start {kvm}'\n"
             "hvm_excl_holder::print\n")
    try:
        r = mdb("-k", input=lines, home=home)
        assert r.stdout.splitlines() == ["0", "", "SmartOS KVM", "", '0xfffffffff8224185 "SmartOS KVM"']
        assert r.stderr == f"Successfully started VM {kvm}\n"
        r = mdb("-e", "::dtrace -n BEGIN", "emy-17")
        assert (r.returncode, r.stderr) == (1, "mdb: ::dtrace needs the live host (kdebug mdb -k)\n")
    finally:
        kdebug("host", "stop", home=home)
