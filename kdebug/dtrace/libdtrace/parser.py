"""Parsing D: the Lark grammar ``grammar/d.lark`` and the tree it gives, as :mod:`.ast` nodes.

C's old ambiguity, ``(x) - 1`` against ``(size_t) - 1``, is settled the way
C compilers do: the lexer asks whether an identifier names a type, and such
an identifier arrives as ``TYPE_NAME`` (a lexer callback, :class:`_TypeNames`).
"""

from __future__ import annotations

import lark
from lark import Transformer, v_args

from ...grammars import lark_parser
from . import ast
from .errors import CompileError

__all__ = ["parse"]


class _TypeNames:
    """The lexer callback: re-types identifiers that name types while a parse runs.

    A ``typedef`` earlier in the same program names a type too (C's lexer
    hack, as dt_lex.l does it): the callback also sees ``typedef``, braces,
    commas and semicolons, and takes the last identifier of each declarator
    of a typedef, outside braces, as a new type name.
    """

    def __init__(self):
        self.reset(lambda name: False)

    def reset(self, is_type) -> None:
        self.is_type = is_type
        self.declared: set[str] = set()
        self.in_typedef, self.depth, self.last = False, 0, None

    def __call__(self, tok):
        kind = tok.type
        if kind == "IDENT":
            if tok.value in self.declared or self.is_type(tok.value):
                tok.type = "TYPE_NAME"
            elif self.in_typedef and self.depth == 0:
                self.last = tok.value
        elif kind == "TYPEDEF":
            self.in_typedef, self.depth, self.last = True, 0, None
        elif not self.in_typedef:
            pass
        elif kind == "LBRACE":
            self.depth += 1
        elif kind == "RBRACE":
            self.depth -= 1
        elif kind in ("COMMA", "SEMICOLON") and self.depth == 0:
            if self.last is not None:
                self.declared.add(self.last)
                self.last = None
            self.in_typedef = kind == "COMMA"
        return tok


    def __repr__(self) -> str:   # part of the grammar cache's key: stable across processes
        return "TypeNames"


class _Callbacks(dict):
    """Lark's ``lexer_callbacks`` mapping, hashable so that the parser can be cached."""

    def __hash__(self):
        return hash(tuple(self))


_TYPENAMES = _TypeNames()
# IDENT must come last: Lark (1.3) chains a callback after its keyword check with a lambda that
# reads the loop variable of its callback loop, so only the last key's chain sees its own type.
_CALLBACKS = _Callbacks(TYPEDEF=_TYPENAMES, LBRACE=_TYPENAMES, RBRACE=_TYPENAMES, COMMA=_TYPENAMES,
                        SEMICOLON=_TYPENAMES, IDENT=_TYPENAMES)


def _parser():
    return lark_parser("d.lark", ("start",), lexer_callbacks=_CALLBACKS)


def _span(meta) -> ast.Span:
    if getattr(meta, "empty", False) or not hasattr(meta, "start_pos"):
        return ast.NOSPAN
    return ast.Span(meta.start_pos, meta.end_pos, meta.line, meta.column)


def _tspan(tok) -> ast.Span:
    return ast.Span(tok.start_pos, tok.end_pos, tok.line, tok.column)


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v", "\\": "\\",
            "'": "'", '"': '"', "?": "?"}


def unescape(body: str) -> str:
    """The characters of a D string or character literal's body (C escapes)."""
    out, i = [], 0
    while i < len(body):
        c = body[i]
        if c != "\\" or i + 1 == len(body):
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in _ESCAPES:
            out.append(_ESCAPES[n])
            i += 2
        elif n in "01234567":
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1:j], 8) & 0xff))
            i = j
        elif n == "x":
            j = i + 2
            while j < len(body) and body[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(chr(int(body[i + 2:j] or "0", 16) & 0xff))
            i = j
        else:
            out.append(n)
            i += 2
    return "".join(out)


class _SouDef:
    """A struct, union or enum definition inside a type declaration: what it names."""

    def __init__(self, kind: str, tag: str | None, nested: list, enumerators: list[str]):
        self.kind, self.tag, self.nested, self.enumerators = kind, tag, nested, enumerators

    def walk(self):
        yield self
        for n in self.nested:
            yield from n.walk()


@v_args(meta=True)
class _ToAst(Transformer):
    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def start(self, meta, items):
        return ast.Program(_span(meta), items=[i for i in items if isinstance(i, ast.Node)])

    def control(self, meta, c):
        return ast.Control(_span(meta), text=str(c[0]))

    def clause(self, meta, c):
        descs = [x for x in c if isinstance(x, ast.PDesc)]
        pred = next((x.children[0] for x in c if isinstance(x, lark.Tree) and x.data == "predicate"), None)
        body = next((x.children[0] for x in c if isinstance(x, lark.Tree) and x.data == "body"), None)
        return ast.Clause(_span(meta), descs=descs, pred=pred, body=body, index=0)

    def pdesc(self, meta, c):
        return ast.PDesc(_span(meta), text=str(c[0]), fields=None, probes=None)

    def predicate(self, meta, c):
        return lark.Tree("predicate", [c[0]])

    def body(self, meta, c):
        return lark.Tree("body", [[s for s in c if isinstance(s, ast.Node)]])

    def stmt(self, meta, c):
        return ast.ExprStmt(_span(meta), expr=c[0])

    def block_stmts(self, meta, c):
        return [s for s in c if isinstance(s, ast.Node)]

    def single_stmt(self, meta, c):
        return [c[0]]

    def if_stmt(self, meta, c):
        parts = [x if isinstance(x, list) else [x] for x in c[1:]]
        return ast.If(_span(meta), cond=c[0], then=parts[0], els=parts[1] if len(parts) > 1 else [])

    # -- declarations --------------------------------------------------------

    def decl(self, meta, c):
        scope = None
        if isinstance(c[0], str):
            scope, c = c[0], c[1:]
        return ast.Decl(_span(meta), scope=scope, tname=c[0], declarators=list(c[1:]))

    def decl_scope(self, meta, c):
        return str(c[0])

    def decl_type(self, meta, c):
        if isinstance(c[0], ast.TypeName):
            return c[0]
        return ast.TypeName(_span(meta), kind="named", words=[], name=str(c[0]), stars=0)

    def declarator(self, meta, c):
        stars = sum(1 for x in c if isinstance(x, lark.Token) and x.value == "*")
        name = next(str(x) for x in c if isinstance(x, lark.Token) and x.type == "IDENT")
        dims = next((x for x in c if isinstance(x, list)), None)
        return ast.Declarator(_span(meta), name=name, stars=stars, dims=dims)

    def array_dims(self, meta, c):
        return list(c)

    def inline_decl(self, meta, c):
        tname = next(x for x in c if isinstance(x, ast.TypeName))
        tname.stars += sum(1 for x in c if isinstance(x, lark.Token) and x.value == "*")
        name = next(str(x) for x in c if isinstance(x, lark.Token) and x.type == "IDENT")
        expr = [x for x in c if isinstance(x, ast.Node) and not isinstance(x, ast.TypeName)][-1]
        return ast.Inline(_span(meta), tname=tname, name=name, expr=expr)

    def translator_decl(self, meta, c):
        out_t, in_t = (x for x in c if isinstance(x, ast.TypeName))
        param = next(str(x) for x in c if isinstance(x, lark.Token) and x.type == "IDENT")
        members = [x for x in c if isinstance(x, ast.XlateMember)]
        return ast.Translator(_span(meta), out_t=out_t, in_t=in_t, param=param, members=members)

    def xlate_type(self, meta, c):
        t = c[0]
        t.stars += sum(1 for x in c[1:] if str(x) == "*")
        return t

    def xlate_member(self, meta, c):
        return ast.XlateMember(_span(meta), name=c[0], expr=c[1])

    def xlate(self, meta, c):
        return ast.Xlate(_span(meta), tname=c[0], operand=c[1])

    # -- types ---------------------------------------------------------------

    def type_name(self, meta, c):
        t = c[0]
        t.stars = sum(1 for x in c[1:] if str(x) == "*")
        t.span = _span(meta)
        return t

    # -- type declarations ------------------------------------------------------

    def type_decl(self, meta, c, typedefs=()):
        defs = [d for x in c if isinstance(x, _SouDef) for d in x.walk()]
        return ast.TypeDecl(_span(meta), text=self.text[meta.start_pos:meta.end_pos],
                            tags=[(d.kind, d.tag) for d in defs if d.tag], typedefs=list(typedefs),
                            enumerators=[e for d in defs for e in d.enumerators])

    def typedef_decl(self, meta, c):
        return self.type_decl(meta, c, [x for x in c if isinstance(x, str) and not isinstance(x, lark.Token)])

    def sou_def(self, meta, c):
        tag = next((str(x) for x in c[1:] if isinstance(x, lark.Token)), None)
        nested = [d for x in c if isinstance(x, list) for d in x if isinstance(d, _SouDef)]
        enums = next((x for x in c if isinstance(x, tuple)), ())
        return _SouDef(c[0], tag, nested, list(enums))

    def sou_member(self, meta, c):
        return [x for x in c if isinstance(x, _SouDef)]

    def enumerators(self, meta, c):
        return tuple(c)

    def enumerator(self, meta, c):
        return str(c[0])

    def tdeclarator(self, meta, c):
        return next(str(x) for x in c if isinstance(x, lark.Token) and x.type in ("IDENT", "TYPE_NAME"))

    def mdeclarator(self, meta, c):
        return None

    def base_type(self, meta, c):
        return ast.TypeName(_span(meta), kind="base", words=[str(x) for x in c], name=None, stars=0)

    def base_kw(self, meta, c):
        return str(c[0])

    def sou_kw(self, meta, c):
        return str(c[0])

    def named_type(self, meta, c):
        return ast.TypeName(_span(meta), kind="named", words=[], name=str(c[0]), stars=0)

    def named_type_ident(self, meta, c):         # not known as a type: the declaration will say so
        return self.named_type(meta, c)

    def sou_type(self, meta, c):
        return ast.TypeName(_span(meta), kind=c[0], words=[], name=str(c[1]), stars=0)

    # -- expressions -----------------------------------------------------------

    def comma(self, meta, c):
        return ast.Comma(_span(meta), left=c[0], right=c[1])

    def assign(self, meta, c):
        return ast.Assign(_span(meta), op=c[1], target=c[0], value=c[2])

    def assign_op(self, meta, c):
        return str(c[0])

    def cond(self, meta, c):
        return ast.Cond(_span(meta), test=c[0], then=c[1], els=c[2])

    def logical(self, meta, c):
        return ast.Logical(_span(meta), op=str(c[1]), left=c[0], right=c[2])

    def binop(self, meta, c):
        return ast.Binop(_span(meta), op=str(c[1]), left=c[0], right=c[2])

    def cast(self, meta, c):
        return ast.Cast(_span(meta), tname=c[0], operand=c[1])

    def preincdec(self, meta, c):
        return ast.IncDec(_span(meta), op=str(c[0]), operand=c[1], prefix=True)

    def postincdec(self, meta, c):
        return ast.IncDec(_span(meta), op=str(c[1]), operand=c[0], prefix=False)

    def unop(self, meta, c):
        return ast.Unop(_span(meta), op=str(c[0]), operand=c[1])

    def sizeof_expr(self, meta, c):
        return ast.SizeofExpr(_span(meta), operand=c[-1])

    def sizeof_type(self, meta, c):
        return ast.SizeofType(_span(meta), tname=next(x for x in c if isinstance(x, ast.TypeName)))

    def stringof(self, meta, c):
        return ast.Stringof(_span(meta), operand=c[-1])

    def index(self, meta, c):
        return ast.Index(_span(meta), base=c[0], args=next(x for x in c[1:] if isinstance(x, list)))

    def call(self, meta, c):
        args = next((x for x in c[1:] if isinstance(x, list)), [])
        return ast.Call(_span(meta), func=c[0], args=args)

    def member(self, meta, c):
        return ast.Member(_span(meta), base=c[0], op=str(c[1]), name=c[2])

    def member_name(self, meta, c):
        return str(c[0])

    def arg_list(self, meta, c):
        return list(c)

    def ident(self, meta, c):
        return ast.Ident(_span(meta), name=str(c[0]))

    def int_const(self, meta, c):
        return ast.IntConst(_span(meta), text=str(c[0]))

    def float_const(self, meta, c):
        return ast.FloatConst(_span(meta), text=str(c[0]))

    def str_const(self, meta, c):
        return ast.StrConst(_span(meta), value="".join(unescape(str(t)[1:-1]) for t in c))

    def char_const(self, meta, c):
        return ast.CharConst(_span(meta), text=str(c[0]))

    def macro(self, meta, c):
        return ast.Macro(_span(meta), text=str(c[0]))

    def agg_ref(self, meta, c):
        name = str(c[0])[1:]
        return ast.AggRef(_span(meta), name=name or "_")

    def self_var(self, meta, c):
        return ast.SelfVar(_span(meta), name=c[-1])

    def this_var(self, meta, c):
        return ast.ThisVar(_span(meta), name=c[-1])

    def offsetof(self, meta, c):
        # The lexer names a typedef TYPE_NAME only where an identifier may stand,
        # so the grammar lets one in here; one that names no type is dtrace's syntax error.
        tname = next((x for x in c if isinstance(x, ast.TypeName)), None)
        if tname is None:
            tok = next(x for x in c if isinstance(x, lark.Token) and x.type == "IDENT")
            raise CompileError("D_SYNTAX", f'syntax error near "{tok}"',
                               ast.Span(tok.start_pos, tok.end_pos, tok.line, tok.column))
        return ast.Offsetof(_span(meta), tname=tname, member=c[-2] if isinstance(c[-1], lark.Token) else c[-1])


def _near(text: str, pos: int, tok) -> str:
    value = str(tok.value) if tok is not None else ""
    if tok is None or tok.type == "$END" or not value:
        return "syntax error near end of input"
    return f'syntax error near "{value.split(chr(10))[0]}"'


def parse(text: str, is_type=None) -> ast.Program:
    """Parse a D program; raises CompileError (D_SYNTAX) with dtrace's message."""
    _TYPENAMES.reset(is_type or (lambda name: False))
    try:
        tree = _parser().parse(text)
    except lark.exceptions.UnexpectedToken as e:
        tok = e.token
        span = ast.Span(tok.start_pos or 0, tok.end_pos or 0, tok.line or 1, tok.column or 1) \
            if tok.type != "$END" else _end_span(text)
        raise CompileError("D_SYNTAX", _near(text, 0, tok), span) from None
    except lark.exceptions.UnexpectedCharacters as e:
        ch = text[e.pos_in_stream]
        msg = "newline encountered in string literal" if ch == '"' else \
              "newline encountered in character constant" if ch == "'" else f'syntax error near "{ch}"'
        tag = "D_STR_NL" if ch == '"' else "D_CHR_NL" if ch == "'" else "D_SYNTAX"
        raise CompileError(tag, msg, ast.Span(e.pos_in_stream, e.pos_in_stream + 1, e.line, e.column)) from None
    except lark.exceptions.UnexpectedEOF:
        raise CompileError("D_SYNTAX", "syntax error near end of input", _end_span(text)) from None
    finally:
        _TYPENAMES.reset(lambda name: False)
    try:
        return _ToAst(text).transform(tree)
    except lark.exceptions.VisitError as e:
        if isinstance(e.orig_exc, CompileError):
            raise e.orig_exc from None
        raise


def _end_span(text: str) -> ast.Span:
    line = text.count("\n") + 1
    col = len(text) - (text.rfind("\n") + 1) + 1
    return ast.Span(len(text), len(text), line, col)
