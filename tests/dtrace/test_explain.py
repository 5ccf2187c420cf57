"""``dtrace --explain``: what a D program will do, clause by clause, without tracing.

The post's one-liner, an aggregation, quiet mode, scripts and compile
errors; every mdb command an explanation gives as reading the same data is
run through mdb and must print what dtrace prints.
"""

import re

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine
from tests.helpers import kdebug
from tests.mdb.conftest import run_mdb

from .conftest import run_dtrace

KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
ONE_LINER = "hvm_excl_*:entry { stack() }"


def flat(text: str) -> str:
    """Explanations are wrapped to 80 columns; compare their words."""
    return " ".join(text.split())


def mdb_forms(text: str) -> list[str]:
    """The mdb commands of an explanation's "In mdb: CMD reads the same ..." lines."""
    return re.findall(r"In mdb: (\S+) reads the same", flat(text))


@pytest.fixture(scope="module")
def kvm_host():
    """The post's host after starting the kvm VM: hvm_excl_holder points at "SmartOS KVM"."""
    host = InProcessHost(Machine())
    assert host.run(["vmadm", "start", KVM]).rc == 0
    return host


def test_the_posts_one_liner_is_explained(dtrace):
    rc, out, err = dtrace("--explain", "-n", ONE_LINER)
    assert (rc, err) == (0, "")          # nothing enabled: no "matched" notice
    ids = [int(line.split()[0]) for line in dtrace("-l", "-n", "hvm_excl_*:entry")[1].splitlines()[1:]]
    assert out.startswith("-n 'hvm_excl_*:entry { stack() }'\n"
                          "  When tracing, dtrace first says on stderr: dtrace: description\n"
                          "  'hvm_excl_*:entry ' matched 2 probes.\n\nClause 1: hvm_excl_*:entry\n")
    text = flat(out)
    assert "Probes: hvm_excl_*:entry is the description ::hvm_excl_*:entry (provider:module:function:name, " \
           "filled from the right; an empty field matches anything; * and ? match as in shell patterns)." in text
    assert "fbt: function boundary tracing: an entry probe fires as a kernel function is called" in text
    assert (f"It matches 2 probes: fbt:unix:hvm_excl_hold:entry (ID {ids[0]}), fbt:unix:hvm_excl_rele:entry "
            f"(ID {ids[1]}).") in text
    assert "Predicate: none; the actions run every time one of the probes fires." in text
    assert "stack(): records the kernel stack where the probe fires; dtrace prints it one frame a line, " \
           "innermost first, each as module`function+offset (a frame in a module loaded after dtrace started " \
           "prints as a bare address); in an fbt entry probe the first frame is the probed function's caller, " \
           "at its return address." in text
    assert "Output: first the header CPU ID FUNCTION:NAME; then, for each firing, a line with the CPU it fired " \
           "on, the probe's ID and its function:name" in text
    assert "In mdb: a stack() of a probe firing has no static mdb equivalent; ::findstack of a sleeping thread " \
           "(ADDR::findstack, ADDR from ::threadlist) shows the same kind of frames, innermost first." in text
    assert out.endswith("dtrace traces until you press Ctrl-C (or -c's command ends); then it fires END\n"
                        "and prints a blank line.\n")


def test_explain_through_the_kdebug_command(home):
    r = kdebug("dtrace", "--explain", "-n", ONE_LINER, home=home)
    assert (r.returncode, r.stderr) == (0, "")
    assert "Clause 1: hvm_excl_*:entry" in r.stdout and "stack(): records the kernel stack" in r.stdout
    assert "--explain -n 'hvm_excl_*:entry { stack() }'" in kdebug("dtrace", "--help").stdout


def test_an_aggregation_is_explained(dtrace):
    rc, out, err = dtrace("--explain", "-n", "fbt::zone*:entry /execname == \"zoneadmd\"/ { @[probefunc] = count(); "
                                             "@lat = quantize(arg0); }")
    assert (rc, err) == (0, "")
    text = flat(out)
    assert "It matches 34 probes: fbt:genunix:zone_zsd_init:entry" in text and ", and 30 more." in text
    assert 'Predicate: /execname == "zoneadmd"/: the actions run only when this is true (not zero). execname: ' \
           "the name of the current process (its u_comm, as ::ps shows)." in text
    assert "@[probefunc] = count(): counts the firings, per probefunc, in the aggregation @. It records nothing " \
           "per firing; dtrace prints @ at exit: one line per key, smallest value first: the key left, the value " \
           "right. probefunc: the probe's function." in text
    assert "@lat = quantize(arg0): makes a power-of-two histogram of arg0 in the aggregation @lat." in text
    assert "dtrace prints @lat at exit: a histogram: value (each bucket's lower bound), Distribution (a bar of @ " \
           "for the bucket's share of the whole) and count (the values that fell in the bucket)" in text
    assert "arg0: the probe's argument 0, as a 64-bit integer (an entry probe's are the function's arguments;" \
           in text
    assert "Output: nothing per firing (the clause only aggregates or sets variables), so no probe line is " \
           "printed for it." in text
    assert text.endswith("then prints each aggregation: one line per key (smallest value first) with the keys, "
                         "then the value; a histogram per key for quantize(), lquantize() and llquantize().")


def test_quiet_mode_printf_and_exit_are_explained(dtrace):
    rc, out, err = dtrace("--explain", "-q", "-n", 'BEGIN { printf("%s %d\\n", execname, pid); exit(0); }')
    assert (rc, err) == (0, "")
    text = flat(out)
    assert 'printf("%s %d\\n", execname, pid): formats its arguments with the format string; dtrace prints ' \
           "the text exactly as formatted, adding nothing (a \\n in the format ends the line). execname: the " \
           "name of the current process (its u_comm, as ::ps shows). pid: the current process's ID." in text
    assert "exit(0): ends tracing: dtrace stops, fires END, prints the aggregations and exits with this status." \
        in text
    assert "Output: quiet mode (-q): no header and no probe line" in text
    assert "dtrace traces until a clause calls exit()" in text


def test_a_script_with_variables_and_if(dtrace, tmp_path):
    script = tmp_path / "lat.d"
    script.write_text("#pragma D option quiet\nint n;\nsyscall::ioctl:entry { self->ts = timestamp; n++; }\n"
                      "syscall::ioctl:return /self->ts/ {\n\tif (arg0 < 0) { trace(n); } else { trace(0); }\n"
                      "\tself->ts = 0;\n}\n")
    rc, out, err = dtrace("--explain", "-s", str(script))
    assert (rc, err) == (0, "")
    assert out.startswith(f"-s {script}\n")
    text = flat(out)
    assert "When tracing, dtrace says nothing on stderr about the probes it enables (-q)." in text
    assert "self->ts = timestamp: sets the thread-local variable self->ts (one per thread); it records nothing." \
        in text
    assert "n++: adds one to the global variable n; it records nothing." in text
    assert "if (arg0 < 0): only when this is true: arg0: the probe's argument 0" in text
    assert "return value). trace(n): records the value of its argument" in text
    assert "else: trace(0): records" in text
    assert "a return probe's arg0 is its return value" in text
    assert "Output: quiet mode (-q)" in text


def test_probe_ids_and_providers(dtrace):
    rc, out, err = dtrace("--explain", "-i", "1", "-P", "dtrace")
    assert (rc, err) == (0, "")
    text = flat(out)
    assert "-i 1 When tracing, dtrace first says on stderr: dtrace: description '1' matched 1 probe." in text
    assert "Probes: 1 is a probe ID (as dtrace -l lists them)." in text
    assert "-P dtrace When tracing, dtrace first says on stderr: dtrace: description 'dtrace' matched 3 probes." \
        in text
    assert "It matches 3 probes: dtrace:::BEGIN (ID 1), dtrace:::END (ID 2), dtrace:::ERROR (ID 3)." in text
    assert "Actions: none, so dtrace's default action: each firing prints just its probe line." in text


@pytest.mark.parametrize("argv", [
    ["-n", "BEGIN { x = y; }"],
    ["-x", "errtags", "-n", "BEGIN { x = y; }"],
    ["-n", "nosuch_probe:entry { stack() }"],
    ["-m", "vmm"],
    ["-n", "BEGIN { printf(\"%d\\n\"); }"],
])
def test_compile_errors_are_dtraces_own(dtrace, argv):
    plain = dtrace(*argv)
    rc, out, err = dtrace("--explain", *argv)
    assert (rc, out, err) == (1, "", plain[2])
    assert plain[0] == 1 and err.startswith("dtrace: invalid probe specifier ")


def test_a_script_compile_error_under_explain(dtrace, tmp_path):
    script = tmp_path / "bad.d"
    script.write_text("BEGIN\n{\n\ttrace(nosuch);\n}\n")
    rc, out, err = dtrace("--explain", "-s", str(script))
    assert (rc, out, err) == (1, "", f"dtrace: failed to compile script {script}: line 3: failed to resolve "
                                     "nosuch: Unknown variable name\n")


# -- the equivalent mdb commands give the same values ----------------------------------------------

def d_value(host, program: str) -> str:
    rc, out, err = run_dtrace(host, "-q", "-n", program)
    assert (rc, err) == (0, "")
    return out.rstrip("\n")          # printf's newline (trace adds none in quiet mode), dtrace's at exit


def mdb_value(host, cmd: str) -> str:
    """The value an mdb format command prints (after the ``sym:`` address column)."""
    out, err = run_mdb(host.kernel(), cmd + "\n")
    assert err == ""
    return out.splitlines()[-1].split(":", 1)[1].strip()


def test_trace_of_the_holder_reads_as_mdbs_format(kvm_host):
    rc, out, err = run_dtrace(kvm_host, "--explain", "-n", "BEGIN { trace(`hvm_excl_holder); exit(0) }")
    assert (rc, err) == (0, "")
    assert "In mdb: hvm_excl_holder/e reads the same 8 bytes and prints them the same way; hvm_excl_holder/K " \
           "shows the same 8 bytes in hex." in flat(out)
    assert mdb_forms(out) == ["hvm_excl_holder/e"]
    traced = d_value(kvm_host, "BEGIN { trace(`hvm_excl_holder); exit(0) }")
    assert traced == mdb_value(kvm_host, "hvm_excl_holder/e") == "-131972731"
    assert int(mdb_value(kvm_host, "hvm_excl_holder/K"), 16) == int(traced) & (1 << 64) - 1


@pytest.mark.parametrize("program,form", [
    ('BEGIN { printf("%s\\n", stringof(`hvm_excl_holder)); exit(0); }', "*hvm_excl_holder/s"),
    ('BEGIN { trace(stringof(`hvm_excl_holder)); exit(0); }', "*hvm_excl_holder/s"),
    ('BEGIN { printf("%s\\n", `hvm_excl_holder); exit(0); }', "*hvm_excl_holder/s"),
    ("BEGIN { trace(`ncpus); exit(0); }", "ncpus/D"),
    ('BEGIN { printf("%d\\n", `ncpus); exit(0); }', "ncpus/D"),
    ('BEGIN { printf("%x\\n", `hvm_excl_holder); exit(0); }', "hvm_excl_holder/J"),
    ('BEGIN { printf("%s\\n", `p0.p_user.u_comm); exit(0); }', None),
])
def test_mdb_forms_print_what_dtrace_prints(kvm_host, program, form):
    rc, out, err = run_dtrace(kvm_host, "--explain", "-n", program)
    assert (rc, err) == (0, "")
    assert mdb_forms(out) == ([form] if form else [])
    if form:
        assert d_value(kvm_host, program) == mdb_value(kvm_host, form)


def test_explain_enables_nothing(kvm_host):
    rc, out, err = run_dtrace(kvm_host, "--explain", "-n", ONE_LINER)
    assert rc == 0 and "Clause 1" in out
    assert not any(f.probed for f in kvm_host.machine.kernel.functions.values())


def test_type_declarations_are_explained(dtrace, tmp_path):
    script = tmp_path / "types.d"
    script.write_text("typedef struct pt { int x; } pt_t;\nenum e { A, B };\nBEGIN { trace(sizeof (pt_t) + B); }\n")
    rc, out, err = dtrace("--explain", "-s", str(script))
    assert (rc, err) == (0, "")
    text = flat(out)
    assert "Declares the D types struct pt, pt_t, for what follows (found before the kernel's types)." in text
    assert "Declares the D type enum e; its enumerators A, B are integer constants, for what follows" in text
