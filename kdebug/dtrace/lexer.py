"""A Pygments lexer for D, the language of dtrace(1M) scripts and one-liners.

Registered as the Pygments plugin ``dtrace`` (``pygmentize -l dtrace``).
It follows dt_lex.l's states: at the top level a clause starts with probe
descriptions (``provider:module:function:name``, globs allowed), then an
optional predicate between slashes and a body in braces; inside the body
and the predicate, C-like expressions with D's additions (``self->``,
``this->``, ``@aggregations``, ``$macros``, backquoted kernel symbols).
"""

from __future__ import annotations

from pygments.lexer import RegexLexer, bygroups, include, words
from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String, Whitespace

__all__ = ["DTraceLexer"]

_KEYWORDS = ("if", "else", "sizeof", "stringof", "offsetof", "inline", "translator", "xlate", "provider",
             "probe", "self", "this", "typedef", "struct", "union", "enum", "const", "volatile", "extern",
             "static", "register", "return")
_TYPES = ("char", "short", "int", "long", "signed", "unsigned", "void", "string", "float", "double",
          "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
          "intptr_t", "uintptr_t", "size_t", "ssize_t")
_BUILTINS = ("arg0", "arg1", "arg2", "arg3", "arg4", "arg5", "arg6", "arg7", "arg8", "arg9", "args", "caller",
             "cpu", "curcpu", "curthread", "curpsinfo", "curlwpsinfo", "cwd", "epid", "errno", "execname",
             "gid", "id", "ipl", "pid", "ppid", "probefunc", "probemod", "probename", "probeprov", "projid",
             "root", "stackdepth", "taskid", "tid", "timestamp", "uid", "uregs", "vtimestamp",
             "walltimestamp", "zonename", "ucaller", "ustackdepth")


class DTraceLexer(RegexLexer):
    name = "DTrace"
    aliases = ["dtrace"]
    filenames = ["*.d"]
    mimetypes = ["text/x-dtrace"]
    priority = 0.1               # *.d is also D (the other language): choose by alias

    tokens = {
        "root": [
            (r"\A#!.*$", Comment.Hashbang),
            (r"^[ \t]*#[ \t]*pragma\b.*$", Comment.Preproc),
            (r"^[ \t]*#.*$", Comment.Preproc),
            include("blanks"),
            (r"(inline)\b", Keyword, "statement"),
            (r"(translator|provider|typedef|struct|union|enum)\b", Keyword, "statement"),
            (r"(self|this)(\s+)", bygroups(Keyword, Whitespace), "statement"),
            (r"\{", Punctuation, "body"),
            (r"/", Punctuation, "predicate"),
            (r",", Punctuation),
            (r"[-$:a-zA-Z_.?*\\\[\]!][-$:0-9a-zA-Z_.`?*\\\[\]!]*", Name.Label),   # a probe description
        ],
        "blanks": [
            (r"[ \t\n]+", Whitespace),
            (r"/\*", Comment.Multiline, "comment"),
            (r"//.*$", Comment.Single),
        ],
        "comment": [
            (r"[^*]+", Comment.Multiline),
            (r"\*/", Comment.Multiline, "#pop"),
            (r"\*", Comment.Multiline),
        ],
        "predicate": [
            (r"/(?=\s*(\{|$|/))", Punctuation, "#pop"),
            include("expression"),
        ],
        "body": [
            (r"\}", Punctuation, "#pop"),
            (r"\{", Punctuation, "#push"),
            (r";", Punctuation),
            include("expression"),
        ],
        "statement": [
            (r";", Punctuation, "#pop"),
            (r"\{", Punctuation, "body"),
            include("expression"),
        ],
        "expression": [
            include("blanks"),
            (r'"(\\.|[^"\\\n])*"', String.Double),
            (r"'(\\.|[^'\\\n])+'", String.Char),
            (r"0[xX][0-9a-fA-F]+[uUlL]*", Number.Hex),
            (r"0[0-7]+[uUlL]*", Number.Oct),
            (r"[0-9]+[uUlL]*", Number.Integer),
            (r"@[a-zA-Z_][0-9a-zA-Z_]*|@", Name.Variable.Global),
            (r"\$\$?([0-9]+|[a-zA-Z_]+)", Name.Variable.Magic),
            (r"`[a-zA-Z_][0-9a-zA-Z_]*(`[a-zA-Z_][0-9a-zA-Z_]*)?", Name.Constant),
            (r"[a-zA-Z_][0-9a-zA-Z_]*`[a-zA-Z_][0-9a-zA-Z_]*", Name.Constant),
            (words(_KEYWORDS, suffix=r"\b"), Keyword),
            (words(_TYPES, suffix=r"\b"), Keyword.Type),
            (words(_BUILTINS, suffix=r"\b"), Name.Builtin),
            (r"[a-zA-Z_][0-9a-zA-Z_]*(?=\s*\()", Name.Function),
            (r"[a-zA-Z_][0-9a-zA-Z_]*", Name),
            (r"->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\^\^|[-+*/%&|^!~<>=?:]=?", Operator),
            (r"[()\[\],.]", Punctuation),
        ],
    }
