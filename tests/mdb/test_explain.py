"""::explain and ``kdebug mdb --explain``: what mdb commands will do, in plain words.

The post's commands are explained on the shipped dump and on a host that
goes through the post's steps; every equivalent dtrace command the
explanations print is run through dtrace and must give the value mdb gives.
Tabular dcmds must describe every column their real output has.
"""

import shlex

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine
from tests.dtrace.conftest import run_dtrace
from tests.helpers import kdebug

from .conftest import run_mdb

KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"


def explain(cmd: str, target: str = "emy-17"):
    return kdebug("mdb", "--explain", "-e", cmd, target)


def flat(text: str) -> str:
    """Explanations are wrapped to 80 columns; compare their words."""
    return " ".join(text.split())


def d_commands(text: str) -> list[list[str]]:
    """The argv of each "Equivalent D:" command an explanation prints."""
    lines = text.splitlines()
    return [shlex.split(lines[i + 1]) for i, line in enumerate(lines) if line.strip() == "Equivalent D:"]


def run_d(host, argv: list[str]) -> str:
    """Run an equivalent D command through dtrace; its one line of output."""
    assert argv[0] == "dtrace"
    rc, out, err = run_dtrace(host, *argv[1:])
    assert (rc, err) == (0, ""), err
    assert out.endswith("\n\n")            # the value's line, then dtrace's blank line at exit
    return out[:-2]


def mdb(host, text: str) -> str:
    out, err = run_mdb(host.kernel(), text)
    assert err == ""
    return out


@pytest.fixture(scope="module")
def kvm_host():
    """The post's host after starting the kvm VM: kvm holds the HVM lock."""
    host = InProcessHost(Machine())
    assert host.run(["vmadm", "start", KVM]).rc == 0
    return host


@pytest.fixture(scope="module")
def bhyve_host():
    """A host where the bhyve VM started first: bhyve holds the lock and vmm is loaded."""
    host = InProcessHost(Machine())
    assert host.run(["vmadm", "start", TEST]).rc == 0
    return host


# -- the post's commands ---------------------------------------------------------------------

POST_PRINT = """\
hvm_excl_holder::print
  ::print shows the kernel variable hvm_excl_holder (at fffffffffbc008b0, in
  unix's data) as its C type, const char *. A char pointer prints as its address
  and then, in quotes, the string it points to; a NULL one prints as 0.
  Equivalent D:
    dtrace -qn 'BEGIN { printf("%s\\n", `hvm_excl_holder ? stringof(`hvm_excl_holder) : "0"); exit(0); }'
"""


def test_the_posts_print_is_explained_on_the_dump():
    r = explain("hvm_excl_holder::print")
    assert (r.returncode, r.stdout, r.stderr) == (0, POST_PRINT, "")
    r = kdebug("mdb", "-e", "::explain hvm_excl_holder::print", "emy-17")
    assert (r.returncode, r.stdout, r.stderr) == (0, POST_PRINT, "")


def test_the_explained_print_runs_nothing():
    r = kdebug("mdb", "emy-17", input="::explain hvm_excl_holder::print\nhvm_excl_holder::print\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, POST_PRINT + "0\n", "")


def holder(print_output: str) -> str:
    """The string of ``hvm_excl_holder::print``'s line, or 0 for NULL."""
    line = print_output.strip()
    return line if line == "0" else line.split(" ", 1)[1].strip('"')


@pytest.mark.parametrize("vm,expected", [(None, "0"), (KVM, "SmartOS KVM"), (TEST, "bhyve")])
def test_the_d_equivalent_of_print_gives_the_same_holder(vm, expected):
    host = InProcessHost(Machine())
    if vm is not None:
        assert host.run(["vmadm", "start", vm]).rc == 0
    [argv] = d_commands(mdb(host, "::explain hvm_excl_holder::print\n"))
    assert holder(mdb(host, "hvm_excl_holder::print\n")) == expected
    assert run_d(host, argv) == expected


def test_the_posts_holder_between_processes(home):
    """The post's story through the commands themselves: kvm takes the lock; mdb and dtrace agree."""
    assert kdebug("vmadm", "start", KVM, home=home).returncode == 0
    r = kdebug("mdb", "-k", "--explain", "-e", "hvm_excl_holder::print", home=home)
    assert r.returncode == 0 and r.stdout == POST_PRINT
    [argv] = d_commands(r.stdout)
    d = kdebug("dtrace", *argv[1:], home=home)
    assert (d.returncode, d.stdout, d.stderr) == (0, "SmartOS KVM\n\n", "")
    m = kdebug("mdb", "-k", input="hvm_excl_holder::print\n", home=home)
    assert m.stdout == '0xfffffffff8224185 "SmartOS KVM"\n'


def test_whatis_is_explained_with_its_output_lines():
    r = explain("fffffffff82aec97::whatis")
    text = flat(r.stdout)
    assert r.returncode == 0 and r.stdout.startswith("fffffffff82aec97::whatis\n")
    assert "::whatis says what the address fffffffff82aec97 is." in text
    for line in ("ADDR is SYMBOL+OFFSET, in MODULE's SEGMENT segment", "ADDR is BUFFER+OFFSET, allocated from CACHE",
                 "ADDR is in thread THREAD's stack", "ADDR is unknown"):
        assert f"    {line}\n" in r.stdout
    # vmm is not loaded on the dump: the address is in no symbol, and D has nothing to name.
    assert d_commands(r.stdout) == []


def test_whatis_d_equivalent_names_the_posts_frame(bhyve_host):
    out = mdb(bhyve_host, "::explain 0xfffffffff82aec97::whatis\n")
    [argv] = d_commands(out)
    assert argv == ["dtrace", "-qn", 'BEGIN { printf("%a\\n", 0xfffffffff82aec97); exit(0); }']
    assert "always with its module" in flat(out)
    whatis = mdb(bhyve_host, "0xfffffffff82aec97::whatis\n")
    assert whatis == "fffffffff82aec97 is vmm`vmmdev_mod_incr+0x37, in vmm's text segment\n"
    assert run_d(bhyve_host, argv) == "vmm`vmmdev_mod_incr+0x37"


# -- tabular dcmds ---------------------------------------------------------------------------

def described_columns(text: str) -> set[str]:
    """The words of the headings in an explanation's Columns: list (headings are indented 4, what they
    mean follows two spaces on)."""
    lines = text.splitlines()
    words = set()
    for line in lines[lines.index("  Columns:") + 1:]:
        if not line.startswith("    "):
            break
        if line[4] != " ":
            words |= set(line[4:].split("  ")[0].split())
    return words


@pytest.mark.parametrize("cmd,header_lines", [
    ("::ps", 1), ("::ps -z", 1), ("::cpuinfo", 1), ("::zone", 1), ("::zone -r", 1), ("::modinfo", 1),
    ("::threadlist", 1), ("::threadlist -v", 1), ("::kmastat", 2), ("::nm", 1), ("::msgbuf -v", 1),
])
def test_tabular_dcmds_describe_every_column(cmd, header_lines):
    real = kdebug("mdb", "-e", cmd, "emy-17").stdout.splitlines()[:header_lines]
    r = explain(cmd)
    assert r.returncode == 0 and r.stdout.startswith(cmd + "\n")
    described = described_columns(r.stdout)
    assert {w for line in real for w in line.split()} <= described, r.stdout


def test_hypervisor_dcmds_describe_their_columns(kvm_host, bhyve_host):
    for host, cmd in ((kvm_host, "::kvm"), (bhyve_host, "::vmm")):
        header = mdb(host, cmd + "\n").splitlines()[0] if cmd == "::kvm" else "ADDR VM ZONE FLAGS NAME"
        out = mdb(host, f"::explain {cmd}\n")
        assert set(header.split()) <= described_columns(out), out
    assert "the qemu-system-x86_64 process that runs it" in flat(mdb(kvm_host, "::explain ::kvm\n"))


def test_a_dcmd_of_a_module_not_yet_loaded_is_explained_with_a_note():
    r = explain("::vmm")
    assert r.returncode == 0
    assert flat(r.stdout).startswith("::vmm This target has no ::vmm yet: it comes with the vmm module")
    assert "NAME   the VM's name" in r.stdout


def test_stacks_walks_and_the_rest_are_explained():
    r = explain('<thread$c; ::findstack; ::walk proc; ::hma; ::status; ::ptree; ::sizeof proc_t; ::dis; ::msgbuf')
    text = flat(r.stdout)
    assert r.returncode == 0
    assert "$c prints the stack of the thread at <thread (a kthread_t" in text
    assert "innermost (most recent call) first" in text
    assert "In D, stack() records the same kind of frames for the thread a probe fires in" in text
    assert "::findstack prints the stack of the stopped (sleeping or preempted) thread" in text
    assert "It needs an address (ADDR::findstack); without one mdb prints its usage." in text
    assert "::walk proc prints the address of each object the proc walker visits (list of active proc_t " \
           "structures)" in text
    assert "::hma prints the state of the hypervisor multiplexor" in text
    assert "::status says what mdb is debugging" in text
    assert "::ptree prints the process tree from p0 (sched)" in text
    assert "::dis disassembles the machine code at dot" in text
    assert "::msgbuf prints the kernel's recent console messages" in text


def test_a_dcmd_without_its_own_text_falls_back_to_its_description():
    r = explain("::kmem_cache")
    assert r.stdout == "::kmem_cache\n  ::kmem_cache: print kernel memory caches (its one-line description).\n"
    r = explain("::typedef")
    assert flat(r.stdout) == ("::typedef ::typedef: create synthetic types (its one-line description; ::help "
                              "typedef says more).")


# -- format verbs and types --------------------------------------------------------------------

def test_format_verbs_say_what_each_character_reads():
    r = explain('hvm_excl_holder/K; hvm_excl_holder/4X; 0t10=X; p0/W 5; hvm_excl_holder/L 0')
    text = flat(r.stdout)
    assert "/ reads virtual memory (the kernel's address space) at hvm_excl_holder" in text
    assert "K (8 bytes): hexadecimal uintptr_t" in text
    assert "mdb first prints the line hvm_excl_holder: (the address starts that symbol)" in text
    assert "4 times X (4 bytes): hexadecimal int" in text
    assert "= formats the value 0t10 itself, not the memory there" in text
    assert "/W writes each value, as a 4-byte default radix unsigned int, at p0" in text
    assert "Writing needs mdb -w" in text
    assert "/L searches memory from hvm_excl_holder" in text


@pytest.mark.parametrize("cmd,value_of", [
    ("hvm_excl_holder/K", lambda out: out.splitlines()[-1].split(":", 1)[1].strip()),
    ("hvm_excl_holder/e", lambda out: out.splitlines()[-1].split(":", 1)[1].strip()),
    ("ncpus/D", lambda out: out.splitlines()[-1].split(":", 1)[1].strip()),
    ("hvm_excl_holder=K", lambda out: out.strip()),
    ("0t10=X", lambda out: out.strip()),
    ("*hvm_excl_holder/s", lambda out: out.splitlines()[-1].split(":", 1)[1].strip()),
])
def test_format_verbs_d_equivalents_print_what_mdb_prints(kvm_host, cmd, value_of):
    [argv] = d_commands(mdb(kvm_host, f'::explain "{cmd}"\n'))
    assert run_d(kvm_host, argv) == value_of(mdb(kvm_host, cmd + "\n"))


@pytest.mark.parametrize("cmd,value_of", [
    ("::sizeof proc_t", lambda out: out.split(" = ")[1].strip()),
    ("::offsetof proc_t p_user", lambda out: out.split(" = ")[1].split(",")[0]),
    ("p0::print proc_t p_user.u_comm", lambda out: out.split('"')[1]),
    ("zone0::print zone_t zone_name", lambda out: out.split('"')[1]),
    ("ncpus::print", lambda out: out.strip()),
])
def test_type_dcmds_d_equivalents_give_the_same_value(kvm_host, cmd, value_of):
    out = mdb(kvm_host, f"::explain {cmd}\n")
    [argv] = d_commands(out)
    d_value, mdb_value = run_d(kvm_host, argv), value_of(mdb(kvm_host, cmd + "\n"))
    if mdb_value.startswith("0x"):
        assert int(d_value, 16) == int(mdb_value, 16)
    else:
        assert d_value == mdb_value


def test_print_of_a_struct_says_d_reads_members():
    text = flat(explain("zone0::print").stdout)
    assert "as its C type, zone_t. A struct prints as { member = value ... }" in text
    assert "it reads one member at a time (`var.member)" in text


# -- statements, pipelines, errors ---------------------------------------------------------------

def test_pipelines_counts_and_bare_expressions():
    r = explain("::walk proc | ::print proc_t p_user.u_comm; 10; ,5::print; !ls")
    assert r.returncode == 0
    assert r.stdout.startswith("::walk proc | ::print proc_t p_user.u_comm\n  ::walk proc\n")
    assert "\n  | ::print proc_t p_user.u_comm\n    It runs once for each address ::walk proc writes into the " \
           "pipe" in r.stdout
    text = flat(r.stdout)
    assert "A bare expression sets dot to its value, 10." in text
    assert "The count 5 runs it 5 times" in text
    assert "! runs 'ls' with the shell" in text


def test_explain_at_the_prompt_needs_quotes_for_pipes():
    r = kdebug("mdb", "emy-17", input='::explain "::walk zone | ::zone"\n::explain ::walk zone | ::zone\n')
    assert r.stdout.startswith("::walk zone | ::zone\n  ::walk zone\n")
    assert r.stderr == ('mdb: explain: cannot be output into a pipe (quote the command line: ::explain "A | B")\n')


def test_errors_are_mdbs_own():
    r = explain("1+=D")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", 'mdb: syntax error near "="\n')
    r = explain("::nosuch")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "mdb: invalid command '::nosuch': unknown dcmd name\n")
    r = kdebug("mdb", "-e", "::explain", "emy-17")
    assert (r.returncode, r.stderr) == (1, "Usage: explain command-line ...\nmdb: try '::help explain' for more "
                                           "information\n")
    r = explain("nosuch::print")
    assert r.returncode == 0
    assert "mdb cannot work out the address nosuch on this target: failed to dereference symbol: unknown " \
           "symbol name" in flat(r.stdout)


def test_help_documents_explain():
    r = kdebug("mdb", "-e", "::help explain", "emy-17")
    assert r.returncode == 0
    assert r.stdout.startswith("\nNAME\n  explain - explain what a command line will do (kdebug)\n\nSYNOPSIS\n"
                               "  ::explain command-line ...\n\nDESCRIPTION\n")
    assert '    ::explain "::walk proc | ::print proc_t p_user.u_comm"\n' in r.stdout
    assert "kdebug mdb --explain -e '::ps' emy-17" in kdebug("mdb", "--help").stdout


def test_explain_reads_lines_from_standard_input():
    r = kdebug("mdb", "--explain", "emy-17", input="hvm_excl_holder::print\n::nosuch\n")
    assert (r.returncode, r.stdout, r.stderr) == (0, POST_PRINT, "mdb: invalid command '::nosuch': unknown dcmd "
                                                                 "name\n")
