"""kdebug shell: the SmartOS root shell, run through the real command (bash's behaviour)."""

import os

import pytest

from kdebug.userland.shell import ShellSyntaxError, _dtrace_script, parse
from tests.helpers import kdebug


def sh(home, script, **kw):
    return kdebug("shell", "-c", script, home=home, **kw)


def test_expansion_quotes_and_substitution(home):
    r = sh(home, 'x=5; echo "a  b" c\'d e\'f $x "$x" \'$x\' $(echo nested $(echo deep)) "$(echo "two  spaces")"')
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "a  b cd ef 5 5 $x nested deep two  spaces\n"


def test_lists_and_exit_statuses(home):
    r = sh(home, "false && echo no || echo yes; true; echo $?; false; echo $?; ! false; echo $?")
    assert r.stdout == "yes\n0\n1\n0\n"


def test_pipelines_between_builtins(home):
    r = sh(home, "help | grep -c mdb; echo a b | wc -l; printf_missing | head -1; echo ok")
    lines = r.stdout.splitlines()
    assert lines[0] == "2" and lines[1].strip() == "1" and lines[-1] == "ok"
    assert "-bash: printf_missing: command not found\n" in r.stderr


def test_command_not_found(home):
    r = sh(home, "frobnicate --now")
    assert (r.returncode, r.stdout, r.stderr) == (127, "", "-bash: frobnicate: command not found\n")


@pytest.mark.parametrize("line,message", [
    ("echo a |", "syntax error: unexpected end of file"),
    ("| echo", "syntax error near unexpected token `|'"),
    ("echo 'open", "unexpected EOF while looking for matching `''"),
    ("echo a && ; b", "syntax error near unexpected token `;'"),
])
def test_syntax_errors_are_bash_messages(home, line, message):
    r = sh(home, line)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == f"-bash: {message}\n"


def test_redirection_to_local_files(home, tmp_path):
    out = tmp_path / "out.txt"
    r = sh(home, f"echo one > {out}; echo two >> {out}; nosuch 2>/dev/null; echo $?")
    assert r.stdout == "127\n" and r.stderr == ""
    assert out.read_text() == "one\ntwo\n"


def test_local_tools_run_as_processes_and_in_the_background(home):
    r = sh(home, "kdebug --version; kdebug --version > /dev/null & wait")
    lines = r.stdout.splitlines()
    assert lines[0].startswith("kdebug ")
    assert lines[1].startswith("[1] ")
    assert lines[2].startswith("[1]+  Done") and lines[2].endswith("kdebug --version > /dev/null")


def test_exit_status(home):
    assert sh(home, "exit 3").returncode == 3
    assert sh(home, "false").returncode == 1


def test_script_from_stdin(home):
    r = kdebug("shell", home=home, input="echo one\nif_missing\necho 'two\nlines'\n")
    assert r.stdout == "one\ntwo\nlines\n"
    assert r.stderr == "-bash: if_missing: command not found\n"


def test_dtrace_scripts_are_recognised_by_their_first_line(tmp_path):
    d = tmp_path / "hold.d"
    d.write_text("#!/usr/sbin/dtrace -qs\nBEGIN { exit(0); }\n")
    other = tmp_path / "x.sh"
    other.write_text("#!/bin/bash\necho hi\n")
    assert _dtrace_script(str(d)) == ["-qs"]
    assert _dtrace_script(str(other)) is None
    assert _dtrace_script("hold.d") is None          # not a path: a command name


def test_parse_marks_incomplete_input():
    with pytest.raises(ShellSyntaxError) as e:
        parse("echo 'abc")
    assert e.value.incomplete
    with pytest.raises(ShellSyntaxError) as e:
        parse("echo ;;")
    assert not e.value.incomplete


def test_help_mentions_the_post_example(home):
    r = sh(home, "help")
    assert "echo hvm_excl_holder::print | mdb -k" in r.stdout
    assert os.path.basename("mdb") in r.stdout
