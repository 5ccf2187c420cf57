"""Fuzzing the line parser and evaluator: no input ends in a Python traceback.

Two sources of lines: random text over mdb's alphabet, and lines built from
the grammar's pieces (expressions with every operator, numbers in every
radix, symbols, format lists, dcmds with arguments, pipelines).  Each line
runs in a session on the committed fixture; the session may report errors
(as mdb does) but nothing may escape it.  Counts and loops are kept small so
that an example cannot run for long; the shell is /bin/true.
"""

import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kdebug.kernel import dump
from kdebug.mdb import dcmds  # noqa: F401
from kdebug.mdb.errors import Quit
from kdebug.mdb.session import Mdb, Source
from kdebug.mdb.target import KernelTarget
from kdebug.resources import fixture_path

KERNEL = dump.load(fixture_path("emy-17.kdump"))

# dcmds that touch files, or can run for a long time on arbitrary arguments.
UNSAFE = {"log", "$>", "cat", "$<", "$<<", "dis", "nm", "$e", "walkers", "dcmds", "help", "kmastat",
          "threadlist", "cpuinfo", "findstack", "whatis"}


@pytest.fixture(autouse=True, scope="module")
def scratch_directory(tmp_path_factory):
    """Random input may name files (a '$>' log, an '-o' file...): they land here, not in the checkout."""
    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("fuzz-cwd"))
    yield
    os.chdir(old)


@pytest.fixture(autouse=True)
def harmless_shell(monkeypatch):
    monkeypatch.setenv("SHELL", "/bin/true")


def run(line: str, kind: str = "stream") -> str:
    out, err = io.StringIO(), io.StringIO()
    m = Mdb(KernelTarget(KERNEL, "emy-17.kdump"), stdout=out, stderr=err)
    try:
        m.run_line(line, Source("(stdin)", kind))
    except Quit:
        pass
    return err.getvalue()


ALPHABET = st.sampled_from(list("0123456789abcdefxtio_.`:$<>/\\?@=+-*%#~&^|()'\"[] \tDXJKpSsaijn;") +
                           ["::", "$[", "0t", "0x", "p0", "t0", "::print", "::walk", "proc_t", "'", "\""])


@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_fuzz_random_text_never_escapes(line):
    assert "Traceback" not in run(line)


@given(st.text(max_size=60))
def test_fuzz_any_unicode_never_escapes(line):
    if "," in line or "!" in line:
        line = line.replace(",", " ").replace("!", " ")
    run(line, "tty")


def numbers():
    return st.one_of(
        st.integers(0, 2**64 - 1).map(lambda n: f"0x{n:x}"),
        st.integers(0, 2**64).map(lambda n: f"0t{n}"),
        st.integers(0, 4096).map(lambda n: f"0o{n:o}"),
        st.integers(0, 255).map(lambda n: f"0i{n:b}"),
        st.integers(0, 2**70).map(lambda n: f"{n:x}"),
        st.sampled_from(["p0", "t0", "cpus", "hz", "unix`p0", "genunix`pid0", "nosuch", ".", "+", "^", "&",
                         "<.", "<nosuchvar", "'A'", "'ABCDEFGHI'", "0t1.5", "bad", "12g", "0x_1"]))


def expressions():
    unary = st.sampled_from(["", "-", "~", "#", "*", "*/c/", "*/s/", "*/i/", "*/x/", "%", "%/l/"])
    binary = st.sampled_from(["+", "-", "*", "%", "%%", "#", "&", "|", "^", "==", "!=", "<<", ">>"])
    return st.recursive(
        st.tuples(unary, numbers()).map("".join),
        lambda inner: st.one_of(st.tuples(inner, binary, inner).map("".join),
                                inner.map(lambda e: f"({e})")),
        max_leaves=6)


FORMATS = st.lists(st.sampled_from(list("BCDEFGHIJKNOPQRSTUVXYZabcdefghijnopqrstuvwxyz+-^") +
                                   ["2", "0t3", '"text"', "$[2]"]), min_size=0, max_size=5).map("".join)
SAFE_DCMDS = sorted(n for n in ("print", "sizeof", "offsetof", "walk", "echo", "eval", "grep", "map", "ps",
                                "ptree", "zone", "msgbuf", "modinfo", "status", "list", "head", "enum",
                                "typedef", "vars", "formats", "which", "stack", "array", "kmem_cache",
                                "$c", "$C", "$d", "$v", "$w", "$m", "$r", "$?", "hma") if n not in UNSAFE)
ARGS = st.lists(st.sampled_from(["proc_t", "struct", "proc", "p_pidp", "p_user.u_comm", "p_pidp->pid_id",
                                 "zone_t", "kthread_t", "t_pcb.val[1]", "-t", "-a", "-x", "-d", "-v", "-n",
                                 "thread", "zone", "'.==p0'", '"x y"', "$[0t8]", "$[p0]", "nosuch", "[0]",
                                 "-l", "2", "uint64_t", "'struct q { int a; }'"]), max_size=4).map(" ".join)


def commands():
    dcmd = st.tuples(st.sampled_from(SAFE_DCMDS), ARGS).map(
        lambda t: (t[0] if t[0].startswith("$") else "::" + t[0]) + " " + t[1])
    verb = st.tuples(st.sampled_from(["/", "=", "?", "\\", "/W ", "/L "]), FORMATS).map("".join)
    return st.one_of(dcmd, verb)


@given(st.tuples(st.one_of(st.just(""), expressions()),
                 st.one_of(st.just(""), st.integers(0, 3).map(lambda n: f",{n}")),
                 st.lists(commands(), min_size=0, max_size=3).map(" | ".join)).map("".join))
def test_fuzz_grammar_lines_never_escape(line):
    assert "Traceback" not in run(line)


def test_the_pipe_fast_path_agrees_with_the_grammar():
    # A line of bare digits in a pipe skips the parser; it must mean what the parser would say.
    from kdebug.mdb.expr import evaluate
    from kdebug.mdb.parser import next_statement

    m = Mdb(KernelTarget(KERNEL, "emy-17.kdump"), stdout=io.StringIO(), stderr=io.StringIO())
    for word in ["fffffffffbc00000", "0xfffffffffbc00000", "0t10", "bad", "p0", "10"]:
        st_, _ = next_statement(word + "\n")
        assert st_.kind == "bare_addr"
        assert evaluate(m, st_.addr, word) == evaluate(m, ("word", word, 0), word)
