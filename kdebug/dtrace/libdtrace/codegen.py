"""Code generation: the typed tree becomes the IR, plain JSON-serialisable data.

The IR is all the kernel side ever sees of a program (reference section 4
of the style anchors: DTrace's DIF).  Expressions are lists whose first
element names the operation; names of variables and aggregations have
become small integer ids; types have become sizes and signedness.  The
consumer keeps, per clause, the descriptions of the records its actions
produce (``ClauseInfo.actions``), which it needs to format them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...kernel import ctf
from . import ast, dtypes
from .errors import CompileError
from .functions import FUNCS
from .printf import Conv

__all__ = ["generate", "ClauseInfo", "Action"]


@dataclass
class Action:
    """What the consumer needs to print one data-recording action's records."""

    kind: str                      # trace, printf, printa, stack, exit, ...
    spec: list | None = None       # (size, signed) per value, or "str"/"stack"/"sym"
    format: list | None = None     # parsed printf format
    aggs: list = field(default_factory=list)
    text: str = ""                 # the format string as written
    how: str = ""                  # sym/func/mod ...
    arg: object = None


@dataclass
class ClauseInfo:
    index: int
    descs: list
    actions: list[Action]


def _spec(t):
    if dtypes.is_string(t) or dtypes.is_char_array(t):
        return "str"
    if getattr(t, "kind", None) == "stack":
        return "ustack" if t.user else "stack"
    if isinstance(t, dtypes.SymAddr):
        return "sym:" + t.how
    if dtypes.is_scalar(t):
        return list(dtypes.int_type(t))
    return [8, False]


class CodeGen:
    def __init__(self, comp):
        self.comp = comp
        self.env = comp.env
        self.strsize = comp.strsize

    # -- program --------------------------------------------------------------

    def program(self, prog) -> tuple[dict, list[ClauseInfo]]:
        clauses, infos = [], []
        destructive = False
        for item in prog.items:
            if not isinstance(item, ast.Clause):
                continue
            self.actions: list[Action] = []
            self.destructive = False
            ir = {"index": item.index,
                  "descs": [d.fields for d in item.descs],
                  "ids": [[p["id"] for p in d.probes] for d in item.descs],
                  "pred": self.value(item.pred) if item.pred is not None else None,
                  "stmts": self.stmts(item.body)}
            ir["records"] = bool(self.actions) or not item.body
            clauses.append(ir)
            infos.append(ClauseInfo(item.index, [d.fields for d in item.descs], self.actions))
            destructive |= self.destructive
        return {"version": 1, "clauses": clauses, "vars": self.var_tables(), "aggs": self.agg_table(),
                "destructive": destructive}, infos

    def var_tables(self) -> dict:
        out = {}
        for scope in ("global", "self", "this"):
            out[scope] = [("" if v.type is not None and dtypes.is_string(v.type) else 0)
                          for v in self.comp.syms.in_scope(scope)]
        return out

    def agg_table(self) -> list:
        return [{"func": a.func, "params": a.params}
                for a in sorted(self.comp.syms.aggs.values(), key=lambda a: a.id)]

    # -- statements ---------------------------------------------------------------

    def stmts(self, stmts) -> list:
        out = []
        for s in stmts:
            out.append(self.stmt(s))
        return out

    def stmt(self, s):
        if isinstance(s, ast.If):
            return ["if", self.value(s.cond), self.stmts(s.then), self.stmts(s.els)]
        e = s.expr
        if isinstance(e, ast.Assign) and getattr(e, "aggregation", False):
            keys = [] if isinstance(e.target, ast.AggRef) else [self.key(k) for k in e.target.args]
            args = [self.value(a) for a in e.value.args]
            params = {"lquantize": 3, "llquantize": 4}.get(e.value.name, 0)
            args = args[:1] + args[1 + params:]       # the value and the increment, not the constants
            return ["agg", e.agg.id, keys, args]
        if isinstance(e, ast.Call) and FUNCS[e.name].kind in ("rec", "lib", "spec"):
            if FUNCS[e.name].destructive:
                self.destructive = True
            return _ACTIONS[e.name](self, e)
        return ["eval", self.value(e)]

    def key(self, k):
        if isinstance(k, ast.Call) and getattr(k, "agg_key", False):
            return self.action_value(k)
        return self.as_value_for(k.type, k)

    def action_value(self, k):
        if k.name in ("stack", "ustack", "jstack"):
            n = k.args[0].const if k.args else None
            return ["stack", n, k.name != "stack"]
        if k.name in _USER_SYMS:             # a user address goes with its process
            return ["uaddr", self.value(k.args[0])]
        return self.value(k.args[0])

    def record(self, kind: str, args: list, **info) -> list:
        self.actions.append(Action(kind, **info))
        return ["rec", len(self.actions) - 1, kind, args]

    def as_value_for(self, t, node):
        """``node``'s value as recorded: strings and char arrays as text, everything else as an integer."""
        if dtypes.is_string(t) or dtypes.is_char_array(t):
            return self.as_string(node)
        return self.value(node)

    # -- expressions -----------------------------------------------------------------

    def value(self, n):
        src = getattr(n, "translated", None)
        if src is not None:                  # a translator's member: its expression, as the member's type
            return self.convert(self.value(src), src.type, n.type)
        c = getattr(n, "const", None)
        if c is not None and not isinstance(n, ast.Ident) or (isinstance(n, ast.Ident) and n.kind == "inline"
                                                                and c is not None):
            return ["k", c]
        m = getattr(self, "v_" + type(n).__name__)
        return m(n)

    def v_StrConst(self, n):
        # A string is at most strsize bytes wherever it is loaded, copied or recorded.
        return ["s", n.value[:self.strsize]]

    def v_Macro(self, n):
        return ["s", n.value[:self.strsize]] if isinstance(n.value, str) else ["k", n.value]

    def v_Ident(self, n):
        if n.kind == "var":
            return ["gv", n.var.id]
        if n.kind == "inline":
            return self.convert(self.value(n.inline.expr), n.inline.expr.type, n.type)
        if n.kind == "builtin":
            if n.name.startswith("arg") and n.name[3:].isdigit():
                return ["arg", int(n.name[3:])]
            return ["bv", n.name]
        if n.kind == "ksym":
            return self.load(n)
        raise AssertionError(n.kind)

    def v_SelfVar(self, n):
        return ["tv", n.var.id]

    def v_ThisVar(self, n):
        return ["cv", n.var.id]

    def v_Index(self, n):
        if getattr(n, "arg_index", None) is not None:
            if getattr(n, "xlate_from", None) is not None:
                raise CompileError("D_XLATE_SOU", f"args[{n.arg_index}] is translated to "
                                   f"{ctf.type_name(n.type)}: it may only be used to access its members here "
                                   "(kdebug does not copy out whole translated structures)", n.span)
            if dtypes.is_string(n.type):
                return ["lds", ["arg", n.arg_index], self.strsize]
            return self.convert(["arg", n.arg_index], dtypes.INT64_T, n.type)
        if getattr(n, "var", None) is not None:
            return [("ta" if n.var.scope == "self" else "ga"), n.var.id, self.keys(n)]
        return self.load(n)

    def keys(self, n):
        return [self.as_value_for(kt, a) for kt, a in zip(n.var.keys, n.args)]

    def v_Member(self, n):
        return self.load(n)

    def v_Xlate(self, n):
        # illumos copies the whole translated structure into scratch space; kdebug translates
        # member by member only.
        raise CompileError("D_XLATE_SOU", f"xlate to {ctf.type_name(n.type)} may only be used to access its "
                           "members here (kdebug does not copy out whole translated structures)", n.span)

    def v_Unop(self, n):
        op = n.op
        if op == "*":
            return self.load(n)
        if op == "&":
            return self.addr(n.operand)
        a = self.value(n.operand)
        if op == "!":
            return ["not", a]
        if op == "+":
            return a
        return self.wrap(["neg" if op == "-" else "inv", a], n.type)

    def v_Binop(self, n):
        op = n.op
        if getattr(n, "strcmp", False):
            return ["scmp", op, self.as_string(n.left), self.as_string(n.right)]
        if op in ("==", "!=", "<", "<=", ">", ">="):
            t = n.optype
            return ["cmp", op, self.convert(self.value(n.left), n.left.type, t),
                    self.convert(self.value(n.right), n.right.type, t)]
        a, b = self.value(n.left), self.value(n.right)
        scale = getattr(n, "scale", None)
        if scale is not None:
            if dtypes.is_ptr(n.left.type) and dtypes.is_ptr(n.right.type):
                return ["div", ["op", "-", a, b], ["k", scale], True]
            if dtypes.is_ptr(n.left.type):
                b = ["op", "*", b, ["k", scale]]
            else:
                a = ["op", "*", a, ["k", scale]]
            return self.wrap(["op", op, a, b], n.type)
        t = n.type
        a, b = self.convert(a, n.left.type, t), self.convert(b, n.right.type, t) if op not in ("<<", ">>") else b
        size, signed = dtypes.int_type(t)
        if op in ("/", "%"):
            return self.wrap(["div" if op == "/" else "mod", a, b, signed], t)
        return self.wrap(["op", op, a, b], t)

    def v_Logical(self, n):
        return [{"&&": "land", "||": "lor", "^^": "lxor"}[n.op], self.value(n.left), self.value(n.right)]

    def v_Cond(self, n):
        if dtypes.is_string(n.type):
            return ["cond", self.value(n.test), self.as_string(n.then), self.as_string(n.els)]
        return ["cond", self.value(n.test), self.convert(self.value(n.then), n.then.type, n.type),
                self.convert(self.value(n.els), n.els.type, n.type)]

    def v_Cast(self, n):
        if dtypes.is_string(n.type):
            return self.as_string(n.operand)
        if isinstance(dtypes.r(n.type), ctf.Void):
            return self.value(n.operand)
        return self.convert(self.value(n.operand), n.operand.type, n.type)

    def v_Stringof(self, n):
        return self.as_string(n.operand)

    def v_Comma(self, n):
        return ["comma", self.value(n.left), self.value(n.right)]

    def v_Call(self, n):
        f = FUNCS[n.name]
        args = []
        for i, a in enumerate(n.args):
            cls = f.args[min(i, len(f.args) - 1)] if f.args else "any"
            if n.name == "strtok" and i == 0 and not dtypes.is_stringish(a.type):
                args.append(self.value(a))      # strtok(NULL, ...) continues; any other pointer is loaded
            else:
                args.append(self.as_string(a) if cls == "str" else self.value(a))
        return ["call", n.name, args]

    def lval(self, t):
        if isinstance(t, ast.Index):
            return [("ta" if t.var.scope == "self" else "ga"), t.var.id, self.keys(t)]
        if isinstance(t, ast.Ident):
            return ["gv", t.var.id]
        return ["tv" if isinstance(t, ast.SelfVar) else "cv", t.var.id]

    def v_Assign(self, n):
        target = n.target
        lv = self.lval(target)
        if dtypes.is_string(target.type):
            return ["assign", lv, self.as_string(n.value)]
        v = self.value(n.value)
        if n.op == "=":
            return ["assign", lv, self.convert(v, n.value.type, target.type)]
        op = n.op[:-1]
        cur = self.value(target)
        if dtypes.is_ptr(target.type):
            v = ["op", "*", v, ["k", n.scale]]
        size, signed = dtypes.int_type(target.type)
        if op in ("/", "%"):
            expr = ["div" if op == "/" else "mod", cur, v, signed]
        else:
            expr = ["op", op, cur, v]
        return ["assign", lv, self.wrap(expr, target.type)]

    def v_IncDec(self, n):
        lv = self.lval(n.operand)
        delta = n.scale if n.op == "++" else -n.scale
        new = self.wrap(["op", "+", self.value(n.operand), ["k", delta]], n.type)
        return ["assign", lv, new] if n.prefix else ["post", lv, new]

    # -- memory ------------------------------------------------------------------------

    def addr(self, n):
        n = getattr(n, "translated", None) or n
        if isinstance(n, ast.Ident) and n.kind == "ksym":
            return ["k", n.addr]
        if isinstance(n, ast.Member):
            base = self.value(n.base) if n.op == "->" else self.addr(n.base)
            return ["op", "+", base, ["k", n.member_offset]]
        if isinstance(n, ast.Unop) and n.op == "*":
            if dtypes.is_array(n.operand.type):
                return self.addr(n.operand)
            return self.value(n.operand)
        if isinstance(n, ast.Index):
            base = self.addr(n.base) if dtypes.is_array(n.base.type) else self.value(n.base)
            return ["op", "+", base, ["op", "*", self.value(n.args[0]), ["k", n.elem_size]]]
        raise AssertionError(type(n).__name__)

    def load(self, n):
        t = dtypes.r(n.type)
        if isinstance(t, (ctf.Struct, ctf.Array)):
            return self.addr(n)
        bits = getattr(n, "bitfield", None)
        if bits is not None:
            return ["ldbits", self.addr(n.base) if n.op == "." else self.value(n.base), bits[0], bits[1]]
        size, signed = dtypes.int_type(t)
        return ["ld", size, signed, self.addr(n)]

    def as_string(self, n):
        n = getattr(n, "translated", None) or n
        t = n.type
        if dtypes.is_string(t):
            return self.value(n)
        if dtypes.is_char_array(t):
            count = dtypes.r(t).count or self.strsize
            return ["lds", self.addr(n), min(count, self.strsize)]
        return ["lds", self.value(n), self.strsize]

    def wrap(self, e, t):
        size, signed = dtypes.int_type(t)
        return ["wrap", size, signed, e]

    def convert(self, e, src, dst):
        """``e`` (of type ``src``) as a value of type ``dst``."""
        if not dtypes.is_scalar(dst) or not dtypes.is_scalar(src):
            return e
        if dtypes.int_type(src) == dtypes.int_type(dst):
            return e
        if e[0] == "k":
            size, signed = dtypes.int_type(dst)
            from .consteval import wrap
            return ["k", wrap(e[1], dst)]
        return self.wrap(e, dst)


# -- actions: one small function each ---------------------------------------------------

_ACTIONS = {}


def _action(*names):
    def register(fn):
        for n in names:
            _ACTIONS[n] = fn
        return fn
    return register


@_action("trace")
def _trace(cg, e):
    a = e.args[0]
    return cg.record("trace", [cg.as_value_for(a.type, a)], spec=[_spec(a.type)])


@_action("printf", "system")
def _printf(cg, e):
    args, specs = [], []
    values = iter(e.args[1:])
    for conv in (c for c in e.format if isinstance(c, Conv)):
        for star in (conv.width, conv.prec):
            if star == "*":
                a = next(values)
                args.append(cg.value(a))
                specs.append(_spec(a.type))
        a = next(values)
        if conv.conv in "sS":
            args.append(cg.as_string(a))
            specs.append("str")
        elif getattr(a, "agg_key", False):
            args.append(cg.key(a))
            specs.append(_spec(a.type))
        else:
            args.append(cg.value(a))
            specs.append(_spec(a.type))
    return cg.record(e.name, args, spec=specs, format=e.format, text=e.args[0].value)


@_action("printa")
def _printa(cg, e):
    return cg.record("printa", [], format=e.format, aggs=[a.id for a in e.aggs],
                     text=e.args[0].value if e.format is not None else "")


@_action("stack", "ustack", "jstack")
def _stack(cg, e):
    return cg.record(e.name, [cg.action_value(e)])


@_action("exit")
def _exit(cg, e):
    return cg.record("exit", [cg.value(e.args[0])], spec=[_spec(e.args[0].type)])


@_action("setopt")
def _setopt(cg, e):
    return cg.record("setopt", [], arg=[a.value for a in e.args])


_USER_SYMS = ("ufunc", "usym", "umod", "uaddr")


@_action("func", "sym", "mod", *_USER_SYMS)
def _sym(cg, e):
    return cg.record("sym", [cg.action_value(e)], how=e.name)


@_action("tracemem")
def _tracemem(cg, e):
    return cg.record("tracemem", [cg.value(e.args[0]), ["k", e.args[1].const]])


@_action("clear", "denormalize", "trunc", "normalize")
def _aggact(cg, e):
    return cg.record(e.name, [cg.value(a) for a in e.args[1:]], aggs=[e.aggs[0].id])


@_action("speculate", "commit", "discard")
def _spec_action(cg, e):
    return [e.name, cg.value(e.args[0])]


@_action("stop", "raise", "breakpoint", "panic", "chill", "copyout", "copyoutstr")
def _destructive(cg, e):
    f = FUNCS[e.name]
    args = [cg.as_string(a) if f.args[i] == "str" else cg.value(a) for i, a in enumerate(e.args)]
    return cg.record(e.name, args)


def generate(comp, prog):
    return CodeGen(comp).program(prog)
