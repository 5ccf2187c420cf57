"""The shell's interactive prompt: the real prompt_toolkit application, driven through a pipe."""

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from kdebug.host.client import InProcessHost
from kdebug.userland.shell import Shell


def run_repl(keys, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("KDEBUG_HOME", str(tmp_path / "home"))
    sh = Shell(InProcessHost())
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        rc = sh.repl(input=pipe, output=DummyOutput())
    return rc, capsys.readouterr(), tmp_path / "home" / "history" / "shell"


def test_commands_history_and_exit(capsys, monkeypatch, tmp_path):
    rc, out, hist = run_repl("echo one\rx=2; echo $x\rexit 4\r", capsys, monkeypatch, tmp_path)
    assert rc == 4
    assert out.out == "one\n2\n"
    text = hist.read_text()
    assert "+echo one" in text and "+exit 4" in text


def test_ctrl_c_abandons_the_line_and_ctrl_d_logs_out(capsys, monkeypatch, tmp_path):
    rc, out, _ = run_repl("echo never\x03echo after\r\x04", capsys, monkeypatch, tmp_path)
    assert out.out == "after\nlogout\n"
    assert rc == 0


def test_unfinished_quote_continues_on_the_next_line(capsys, monkeypatch, tmp_path):
    rc, out, _ = run_repl("echo 'a\rb'\rexit\r", capsys, monkeypatch, tmp_path)
    assert out.out == "a\nb\n"


def test_completion_offers_builtins_tools_and_host_commands(monkeypatch, tmp_path):
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    monkeypatch.setenv("KDEBUG_HOME", str(tmp_path / "home"))
    comp = Shell(InProcessHost()).completer()

    def words(text):
        return [c.text for c in comp.get_completions(Document(text), CompleteEvent(completion_requested=True))]

    assert words("ech") == ["echo"]
    assert "mdb" in words("m") and "dtrace" in words("d")
