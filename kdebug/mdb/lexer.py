"""A Pygments lexer for mdb command lines (the REPL colours input with it; docs can too).

It follows the states of mdb's own lexer: expressions, then after a verb
either a format list (``/ \\ ? @ =``) or an argument list (``::dcmd``,
``$X``, ``>``), ``$[ ... ]`` expressions inside either, and the shell
command after ``!``.
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Whitespace

__all__ = ["MdbLexer"]


class MdbLexer(RegexLexer):
    name = "mdb"
    aliases = ["mdb"]
    filenames = ["*.mdb"]

    tokens = {
        "root": [
            (r"//.*$", Comment.Single),
            (r"[ \t]+", Whitespace),
            (r"[;\n]", Punctuation),
            (r"!", Keyword, "shell"),
            (r"::[a-zA-Z_.][0-9a-zA-Z_.`]*", Name.Function, "args"),
            (r"[$:](<<|[<>?%@A-Z\\^_`a-z])", Name.Builtin, "args"),
            (r">(/[a-zA-Z0-9]/)?", Keyword, "args"),
            (r"[/\\?][ \t]*[vwzWZlLM]", Keyword, "args"),
            (r"[/\\@?=]", Keyword, "fmt"),
            (r"\|", Punctuation),
            include("expr"),
        ],
        "expr": [
            (r"0[xX][0-9a-fA-F][0-9a-fA-F_]*", Number.Hex),
            (r"0[tT][0-9][0-9_]*(\.[0-9][0-9_]*)?", Number.Integer),
            (r"0[oO][0-7][0-7_]*", Number.Oct),
            (r"0[iI][01][01_]*", Number.Bin),
            (r"[0-9][0-9a-fA-F_]*", Number),
            (r"<([a-zA-Z_.][0-9a-zA-Z_.`]*|[0-9])", Name.Variable),
            (r"'(\\'|\\[^'\n]|[^'\n])*'", String.Char),
            (r"[a-zA-Z_.`][0-9a-zA-Z_.`]*", Name),
            (r"\*/[a-zA-Z0-9]/|%/[a-zA-Z0-9]/|==|!=|<<|>>|%%|[-+*%#~&^|()]|,", Operator),
        ],
        "fmt": [
            (r"[ \t]+", Whitespace),
            (r"//.*$", Comment.Single, "#pop"),
            (r"[;\n]", Punctuation, "#pop"),
            (r"\|", Punctuation, "#pop"),
            (r"!", Keyword, ("#pop", "shell")),
            (r"\$\[", Punctuation, "subexpr"),
            (r'"(\\"|\\[^"\n]|[^"\\\n])*"', String),
            (r"[0-9]+", Number),
            (r"[^ \t\n;!|\"'$]", String.Other),
        ],
        "args": [
            (r"[ \t]+", Whitespace),
            (r"//.*$", Comment.Single, "#pop"),
            (r"[;\n]", Punctuation, "#pop"),
            (r"\|", Punctuation, "#pop"),
            (r"!", Keyword, ("#pop", "shell")),
            (r"\$\[", Punctuation, "subexpr"),
            (r"(-[a-zA-Z]+)(?=[ \t\n;|!]|$)", bygroups(Name.Attribute)),
            (r"""([^ \t\n;!|"'$]|'[^'\n]*'|"(\\"|\\[^"\n]|[^"\\\n])*")+""", String),
        ],
        "subexpr": [
            (r"\]", Punctuation, "#pop"),
            (r"[ \t]+", Whitespace),
            include("expr"),
        ],
        "shell": [
            (r"[^;\n]+", String.Backtick),
            (r"[;\n]", Punctuation, "#pop"),
        ],
    }

