"""Fuzzing the D compiler and the probe-context runtime: no input ends in a Python traceback.

Three sources of programs:

- random text over D's alphabet (and any text at all), compiled only (``-e``);
- programs built from the language's pieces: expressions with every
  operator, casts, built-in variables, kernel members, subroutine calls,
  variables of every scope, aggregations, printf formats, if/else; these
  run on the host (a final clause of their own always exits);
- hostile names and strings: Python's own names as D identifiers, quotes,
  backslashes and format characters in strings, which must stay D data and
  never become code.

Every run must end with dtrace's status 0 or 1 and, on failure, dtrace's own
message; a D program must never change kernel memory.
"""

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine

from .conftest import run_dtrace

HOST = InProcessHost(Machine())


@pytest.fixture(autouse=True, scope="module")
def scratch_directory(tmp_path_factory):
    """Random input may name files (a '$>' log, an '-o' file...): they land here, not in the checkout."""
    old = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("fuzz-cwd"))
    yield
    os.chdir(old)


def dtrace(*argv):
    rc, out, err = run_dtrace(HOST, *argv)
    assert "Traceback" not in err and "Traceback" not in out
    assert rc in (0, 1), (rc, err)
    if rc == 1:
        assert err.startswith("dtrace: ") or "Usage" in err, err
    return rc, out, err


# -- random text ----------------------------------------------------------------------------

TOKENS = st.sampled_from(
    list("{}()[]/;,:+-*%&|^!~<>=?.@$#`'\"\\ \n\t0123456789") +
    ["BEGIN", "END", "tick-1s", "fbt::", ":entry", "syscall:::", "->", "++", "--", "<<", ">>", "&&", "||",
     "^^", "==", "!=", "<=", ">=", "+=", "self->", "this->", "@a", "x", "y", "arg0", "args[0]", "curthread",
     "trace(", "printf(", "count()", "sum(", "quantize(", "stack()", "exit(", "stringof", "sizeof", "offsetof",
     "(int)", "(char *)", "inline", "int", "string", "struct", "translator", "#pragma D option ", "quiet",
     '"s"', "'c'", "0x", "0777", "$1", "$$1", "$pid", "`hvm_excl_holder", "hvm_excl_*", "/x/", "if", "else"])


@given(st.lists(TOKENS, max_size=40).map("".join))
def test_fuzz_random_programs_compile_or_fail_cleanly(text):
    dtrace("-e", "-n", text)


@given(st.text(max_size=80))
def test_fuzz_any_text_as_a_script(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "x.d"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    dtrace("-e", "-s", str(path))


# -- programs from the language's pieces ------------------------------------------------------

HOSTILE = ["__import__", "exec", "eval", "open", "os", "sys", "globals", "self", "lambda", "None", "True",
           "R", "K", "G", "D", "S", "P", "A", "C", "E", "L", "BV", "SUBR", "AGG", "clause", "print", "import"]
STRINGS = st.lists(st.sampled_from(list("ab%sd\\\"'{}\n\t") + ["%s", "%d", "\\n", "\\\"", "\\\\",
                                                                 "\"); import os #", "{0}", "%n"]),
                   max_size=12).map("".join).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"')
                                   .replace("\n", "\\n").replace("\t", "\\t") + '"')
INTS = st.one_of(st.integers(-3, 300), st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**64 - 1]))
CASTS = st.sampled_from(["(int)", "(char)", "(short)", "(uint64_t)", "(unsigned char)", "(long)", "(uintptr_t)"])
BINOPS = st.sampled_from(["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^", "&&", "||", "^^", "==", "!=",
                          "<", "<=", ">", ">="])
UNOPS = st.sampled_from(["-", "~", "!", "+"])

# Variables of every scope, declared before the generated clause (DECLS).
DECLS = "int x, y; string s; self int t; self string u; this int l; int a[int]; "
INT_LEAVES = st.one_of(
    INTS.map(str),
    st.sampled_from(["x", "y", "self->t", "this->l", "a[0]", "a[x]", "arg0", "arg1", "timestamp", "vtimestamp",
                     "walltimestamp", "pid", "tid", "cpu", "errno", "epid", "id", "uid", "stackdepth", "caller",
                     "ipl", "curthread->t_tid", "curthread->t_cpu->cpu_id", "curthread->t_procp->p_pidp->pid_id",
                     "*(int *)arg0", "((kthread_t *)0)->t_tid", "(uintptr_t)curthread", "sizeof (kthread_t)",
                     "offsetof(kthread_t, t_tid)", "`kernelbase"]))
STR_LEAVES = st.one_of(STRINGS, st.sampled_from([
    "s", "self->u", "execname", "probefunc", "probename", "probeprov", "probemod", "zonename",
    "curthread->t_procp->p_user.u_comm", "stringof(`hvm_excl_holder)", "`utsname.nodename"]))


@st.composite
def int_expr(draw, depth=2):
    """An integer expression: leaves, operators, casts, and subroutines of strings (composite, so that
    Hypothesis never builds the repr of a huge nested strategy)."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(INT_LEAVES)
    i, s_ = int_expr(depth - 1), str_expr(depth - 1)
    form = draw(st.integers(0, 9))
    if form == 0:
        return f"({draw(i)} {draw(BINOPS)} {draw(i)})"
    if form == 1:
        return f"{draw(UNOPS)}({draw(i)})"
    if form == 2:
        return f"{draw(CASTS)}({draw(i)})"
    if form == 3:
        return f"({draw(i)} ? {draw(i)} : {draw(i)})"
    if form == 4:
        return f"{draw(st.sampled_from(['strlen', 'strtoll']))}({draw(s_)})"
    if form == 5:
        return f"index({draw(s_)}, {draw(s_)})"
    if form == 6:
        return f"({draw(s_)} {draw(st.sampled_from(['==', '!=', '<', '>=']))} {draw(s_)})"
    if form == 7:
        return f"progenyof({draw(i)})"
    return draw(st.sampled_from(["rand()", "(x += 1)", "y++"]))


@st.composite
def str_expr(draw, depth=2):
    """A string expression: leaves, and subroutines that make strings."""
    if depth == 0 or draw(st.integers(0, 2)) == 0:
        return draw(STR_LEAVES)
    i, s_ = int_expr(depth - 1), str_expr(depth - 1)
    form = draw(st.integers(0, 8))
    if form == 0:
        return f"strjoin({draw(s_)}, {draw(s_)})"
    if form == 1:
        return f"substr({draw(s_)}, {draw(i)})"
    if form == 2:
        return f"substr({draw(s_)}, {draw(i)}, {draw(i)})"
    if form == 3:
        return f"{draw(st.sampled_from(['lltostr', 'copyinstr', 'stringof']))}({draw(i)})"
    if form == 4:
        return f"{draw(st.sampled_from(['toupper', 'tolower', 'basename', 'dirname', 'cleanpath']))}({draw(s_)})"
    if form == 5:
        return f"strstr({draw(s_)}, {draw(s_)})"
    if form == 6:
        return f"({draw(i)} ? {draw(s_)} : {draw(s_)})"
    return draw(STR_LEAVES)


INT_EXPR, STR_EXPR = int_expr(), str_expr()
EXPR = st.one_of(INT_EXPR, STR_EXPR)
AGGS = st.sampled_from(["count()", "sum({e})", "min({e})", "max({e})", "avg({e})", "stddev({e})",
                        "quantize({e})", "lquantize({e}, 0, 100, 10)", "llquantize({e}, 10, 0, 3, 10)"])
PRINTF = st.lists(st.one_of(st.tuples(st.sampled_from(["%d", "%u", "%x", "%5d", "%-3x", "%c", "%a", "%p"]),
                                      INT_EXPR),
                            st.tuples(st.sampled_from(["%s", "%10s", "%-4.2s", "%S"]), STR_EXPR)),
                  max_size=3).map(lambda convs: 'printf("' + " ".join(c for c, _ in convs) + '\\n"' +
                                  "".join(", " + e for _, e in convs) + ");")


def statements():
    simple = st.one_of(
        st.tuples(st.sampled_from(["x", "y", "self->t", "this->l", "a[1]", "a[y]", "z", "self->v"]),
                  st.sampled_from(["=", "+=", "-=", "*=", "/=", "%=", "<<=", "|="]), INT_EXPR).map(
            lambda t: f"{t[0]} {t[1]} {t[2]};"),
        st.tuples(st.sampled_from(["s", "self->u", "w", "this->m"]), STR_EXPR).map(lambda t: f"{t[0]} = {t[1]};"),
        st.sampled_from(["x++;", "--y;", "self->t++;", "a[x]--;"]),
        EXPR.map(lambda e: f"trace({e});"),
        PRINTF,
        st.tuples(st.sampled_from(["a", "b", "x"]), st.lists(EXPR, max_size=2), AGGS, INT_EXPR).map(
            lambda t: f"@{t[0]}[{', '.join(t[1]) or '0'}] = {t[2].format(e=t[3])};"),
        st.sampled_from(["stack();", "stack(2);", "ustack();", "printa(@x);", "clear(@x);", "trunc(@x, 1);",
                         "normalize(@x, 2);", "tracemem(arg0, 16);", "self->t = 0;", "a[0] = 0;"]),
    )
    return st.recursive(simple, lambda inner: st.tuples(INT_EXPR, st.lists(inner, max_size=2),
                                                        st.lists(inner, max_size=2)).map(
        lambda t: f"if ({t[0]}) {{ {' '.join(t[1])} }} else {{ {' '.join(t[2])} }}"), max_leaves=4)


PROBES = st.sampled_from(["BEGIN", "dtrace:::BEGIN", "BEGIN, END"])


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(PROBES, st.one_of(st.none(), EXPR), st.lists(statements(), min_size=1, max_size=4))
def test_fuzz_generated_programs_run_or_fail_cleanly(probe, pred, body):
    program = DECLS + f"{probe} {'/' + pred + '/' if pred else ''} {{ {' '.join(body)} }} BEGIN {{ exit(0); }}"
    before = HOST.machine.kernel.mem.digest()
    rc, out, err = dtrace("-q", "-x", "strsize=32", "-x", "stackframes=4", "-n", program)
    assert HOST.machine.kernel.mem.digest() == before, program


@given(st.sampled_from(HOSTILE), STRINGS)
def test_hostile_names_and_strings_stay_d_data(name, text):
    rc, out, err = dtrace("-q", "-n", f'BEGIN {{ {name} = {text}; printf("%s|", {name}); '
                                      f'@{name}[{text}] = count(); printa("%s %@d", @{name}); exit(0); }}')
    if rc == 0:
        value = eval(text)          # the literal as Python reads the same escapes
        assert out.startswith(value + "|"), (out, value)
