"""The Pygments lexers for D and mdb, registered as plugins: pygmentize -l dtrace / -l mdb."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pygments.lexers import get_lexer_by_name
from pygments.token import Error, Token

ROOT = Path(__file__).resolve().parent
D_SCRIPTS = sorted((ROOT / "dtrace" / "tst").glob("tst.*.d"))
MDB_INPUTS = [p for p in sorted((ROOT / "mdb" / "tst").glob("*.mdb")) if p.name != "errors.mdb"]  # that one is malformed on purpose


def tokens(alias: str, text: str):
    return list(get_lexer_by_name(alias).get_tokens(text))


@pytest.mark.parametrize("alias", ["dtrace", "mdb"])
def test_pygmentize_finds_the_plugin(alias):
    pygmentize = shutil.which("pygmentize", path=str(Path(sys.executable).parent)) or "pygmentize"
    r = subprocess.run([pygmentize, "-l", alias, "-f", "raw"], input="hvm_excl_holder::print\n",
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("Token."), r.stderr


def test_the_posts_one_liner_in_d():
    toks = [(t, v) for t, v in tokens("dtrace", "hvm_excl_*:entry { stack() }") if v.strip()]
    assert toks == [(Token.Name.Label, "hvm_excl_*:entry"), (Token.Punctuation, "{"),
                    (Token.Name.Function, "stack"), (Token.Punctuation, "("), (Token.Punctuation, ")"),
                    (Token.Punctuation, "}")]


def test_d_predicates_strings_aggregations_and_symbols():
    text = '/execname == "a/b" && x / 2 > 1/ { @c[probefunc] = count(); trace(`hvm_excl_holder); }'
    toks = {(t, v) for t, v in tokens("dtrace", "BEGIN " + text)}
    assert {(Token.Literal.String.Double, '"a/b"'), (Token.Operator, "/"), (Token.Name.Variable.Global, "@c"),
            (Token.Name.Builtin, "probefunc"), (Token.Name.Constant, "`hvm_excl_holder")} <= toks


@pytest.mark.parametrize("path", D_SCRIPTS, ids=lambda p: p.name)
def test_every_tst_script_lexes_without_errors(path):
    assert not [v for t, v in tokens("dtrace", path.read_text()) if t in Error]


@pytest.mark.parametrize("path", MDB_INPUTS, ids=lambda p: p.name)
def test_every_mdb_tst_input_lexes_without_errors(path):
    assert not [v for t, v in tokens("mdb", path.read_text()) if t in Error]
