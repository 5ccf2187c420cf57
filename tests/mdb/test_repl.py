"""mdb at a terminal: the real prompt_toolkit application, driven through a pipe.

Covers the banner, running commands, the history file, completion (dcmds,
walkers, symbols, types and members), Ctrl-C at the prompt and during a
dcmd, Ctrl-D and $q, and the extras a person gets on a terminal (caret and
"did you mean").
"""

import io

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from kdebug.kernel import dump
from kdebug.mdb import dcmds  # noqa: F401
from kdebug.mdb.registry import DCMDS, Dcmd
from kdebug.mdb.repl import MdbCompleter, banner, repl
from kdebug.mdb.session import Mdb, Source
from kdebug.mdb.target import KernelTarget
from kdebug.resources import fixture_path


@pytest.fixture(scope="module")
def kernel():
    return dump.load(fixture_path("emy-17.kdump"))


@pytest.fixture
def session(kernel, monkeypatch, tmp_path):
    monkeypatch.setenv("KDEBUG_HOME", str(tmp_path / "home"))
    return Mdb(KernelTarget(kernel, "emy-17.kdump"))


def drive(m, keys, capsys):
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        rc = repl(m, input=pipe, output=DummyOutput())
    return rc, capsys.readouterr()


def test_banner_commands_history_and_quit(session, capsys, tmp_path):
    rc, out = drive(session, "::echo one\r0t10=D\r$q\r::echo never\r", capsys)
    assert rc == 0
    assert out.out == (banner(session) + "one \n" + " " * 16 + "10" + " " * 14 + "\n")
    assert banner(session).startswith("Loading modules: [ unix genunix specfs dtrace mac ")
    assert banner(session).endswith(" kvm ]\n") and all(len(line) <= 80 for line in banner(session).splitlines())
    history = (tmp_path / "home" / "history" / "mdb").read_text()
    assert "+::echo one" in history and "+0t10=D" in history


def test_ctrl_c_clears_the_line_and_ctrl_d_quits(session, capsys):
    rc, out = drive(session, "::echo never\x03::echo after\r\x04", capsys)
    assert rc == 0 and out.out == banner(session) + "after \n"


def test_ctrl_c_aborts_a_running_dcmd(session, capsys, monkeypatch):
    def interrupted(c):
        c.printf("partial")
        raise KeyboardInterrupt
    monkeypatch.setitem(DCMDS, "slow", Dcmd("slow", None, "a dcmd that gets interrupted", interrupted))
    rc, out = drive(session, "::slow\r::echo after\r$q\r", capsys)
    assert out.out == banner(session) + "\nafter \n"


def test_errors_at_the_terminal_have_no_location(session, capsys):
    rc, out = drive(session, "1+=D\r$q\r", capsys)
    assert out.err == 'mdb: syntax error near "="\n'


def test_prompt_comes_from_P(kernel, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KDEBUG_HOME", str(tmp_path))
    m = Mdb(KernelTarget(kernel, "emy-17.kdump"))
    m.prompt = "kdb> "
    rc, out = drive(m, "$P '[mdb] '\r$q\r", capsys)
    assert m.prompt == "[mdb] "


def complete(m, text):
    c = MdbCompleter(m)
    return [x.text for x in c.get_completions(Document(text), CompleteEvent(completion_requested=True))]


def test_completion_knows_where_the_cursor_is(session):
    assert complete(session, "::pri") == ["::print"]
    assert "::walkers" in complete(session, "::walk") and "::walk" not in complete(session, "::walk")
    assert complete(session, "::walk pro") == ["proc", "process_cache"]
    assert complete(session, "::walk zone | ::walk thr") == ["thread", "thread_cache"]
    assert complete(session, "hvm_excl_ho") == ["hvm_excl_hold", "hvm_excl_holder"]
    assert complete(session, "p0::print proc_") == ["proc_t"]
    assert complete(session, "p0::print -t proc_t p_pi") == ["p_pidflag", "p_pidp"]
    assert complete(session, "p0::print proc_t p_user.u_co") == ["p_user.u_comm", "p_user.u_commpagep"]
    assert complete(session, "p0::print proc_t p_pidp->pid_i") == ["p_pidp->pid_id"]
    assert "kthread_t" in complete(session, "::sizeof kthread")
    assert complete(session, "::offsetof zone_t zone_na") == ["zone_name"]
    assert complete(session, "::help wal") == ["walk", "walkers"]
    assert "$c" in complete(session, "$") and all(c.startswith("$") for c in complete(session, "$"))
    assert complete(session, "::echo x") == []


def test_a_person_sees_the_caret_and_did_you_mean(kernel):
    err = io.StringIO()
    m = Mdb(KernelTarget(kernel, "emy-17.kdump"), stdout=io.StringIO(), stderr=err, err_is_tty=True)
    src = Source("(stdin)", "tty")
    m.run_line("p0::prnt\n", src)
    m.run_line("hvm_excl_holdr::print\n", src)
    m.run_line("1+=D\n", src)
    m.run_line("::walk proces\n", src)
    m.run_line("p0+8::print proc_tt\n", src)
    m.run_line("p0::print proc_t p_pidpp\n", src)
    assert err.getvalue() == (
        "mdb: invalid command '::prnt': unknown dcmd name\n"
        "  p0::prnt\n"
        "    ^ (did you mean '::print'?)\n"
        "mdb: failed to dereference symbol: unknown symbol name\n"
        "  hvm_excl_holdr::print\n"
        "  ^ (did you mean 'hvm_excl_holder'?)\n"
        'mdb: syntax error near "="\n'
        "  1+=D\n"
        "    ^\n"
        "mdb: failed to perform walk: unknown walk name\n"
        "  (did you mean 'proc'?)\n"
        "mdb: failed to look up type proc_tt: No type information available for that name\n"
        "  (did you mean 'proc_t'?)\n"
        "mdb: failed to find member p_pidpp of proc_t: no such member of structure or union\n"
        "  (did you mean 'p_pidp'?)\n")
