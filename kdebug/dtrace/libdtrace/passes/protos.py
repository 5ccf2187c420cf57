"""Actions and subroutines: where they may appear, argument counts and types.

Actions are statements; a subroutine may appear anywhere.  Argument
checks follow dt_cc.c / dt_parser.c: generic prototype mismatches
(D_PROTO_LEN, D_PROTO_ARG) and each action's own rules (stack sizes, printf
formats, aggregation arguments).
"""

from __future__ import annotations

from .. import ast, dtypes
from ..functions import FUNCS
from ..printf import FormatError, check_format, parse_format
from .base import Pass

_CHECKS = {}


def _check(name):
    def register(fn):
        _CHECKS[name] = fn
        return fn
    return register


def describe(t) -> str:
    if t is None:
        return "void"
    if not hasattr(t, "name"):
        return "aggregation"
    return t.name


class Prototypes(Pass):
    def visit_ExprStmt(self, node):
        e = node.expr
        if isinstance(e, ast.Call):
            e.statement = True
        self.visit(e)

    def visit_Assign(self, node):
        if getattr(node, "aggregation", False):
            target = node.target
            if isinstance(target, ast.Index):
                for k in target.args:
                    self.visit(k)
            for a in node.value.args:
                self.visit(a)
            return
        self.generic_visit(node)

    def visit_AggRef(self, node):
        self.error("D_AGG_SCALAR" if False else "D_OP_INCOMPAT",
                   f"aggregation @{node.name} may not be used in an expression context", node)

    def visit_Call(self, node):
        f = FUNCS[node.name]
        if f.kind == "agg" and not getattr(node, "in_agg", False):
            self.error("D_AGG_FUNC", f"{node.name}( ) may only be used as the value of an aggregation", node)
        if f.kind in ("rec", "lib", "spec") and not getattr(node, "statement", False) \
                and not getattr(node, "agg_key", False):
            self.error("D_OP_ACT", "action cannot be used in a conditional context", node)
        check = _CHECKS.get(node.name)
        if check is not None:
            check(self, node)
        else:
            self.generic(node, f)
        for a in node.args:
            if not isinstance(a, ast.AggRef):
                self.visit(a)

    def generic(self, node, f):
        n, total = len(node.args), len(f.args)
        need = total - f.optional
        if n < need or (n > total and not f.varargs):
            if f.optional and n < need:
                bound = f"at least {need}"
            elif f.optional:
                bound = f"at most {total}"
            else:
                bound = str(total)
            self.error("D_PROTO_LEN", f"{node.name}( ) prototype mismatch: {n} arg{'s' if n != 1 else ''} passed, "
                       f"{bound} expected", node)
        for i, a in enumerate(node.args):
            cls = f.args[min(i, total - 1)]
            if not _fits(cls, a.type):
                self.error("D_PROTO_ARG", f"{node.name}( ) argument #{i + 1} is incompatible with prototype:\n"
                           f"\tprototype: {_CLASS_TEXT[cls]}\n\t argument: {describe(a.type)}", a)

    def agg_arg(self, node, i, argtag, badtag):
        a = node.args[i]
        if not isinstance(a, ast.AggRef):
            self.error(argtag, f"{node.name}( ) argument #{i + 1} is incompatible with prototype:\n"
                       f"\tprototype: aggregation\n\t argument: {describe(a.type)}", a)
        if a.name not in self.syms.aggs or self.syms.aggs[a.name].func is None:
            self.error(badtag, f"undefined aggregation: @{a.name}", a)
        return self.syms.aggs[a.name]


_CLASS_TEXT = {"any": "@", "int": "int", "scalar": "uintptr_t", "str": "string", "agg": "aggregation",
               "fmt": "string constant"}


def _fits(cls: str, t) -> bool:
    if not hasattr(t, "name"):
        return cls == "agg"
    if cls == "any":
        return not isinstance(dtypes.r(t), dtypes.ctf.Void)
    if cls == "int":
        return dtypes.is_int(t)
    if cls == "scalar":
        return dtypes.is_scalar(t)
    if cls == "str":
        # A string is an array type to dt_node_is_argcompat: void * (NULL) fits it too.
        return dtypes.is_stringish(t) or dtypes.is_ptr(t) and isinstance(dtypes.r(dtypes.r(t).target), dtypes.ctf.Void)
    return True


@_check("trace")
def _trace(p, node):
    t = node.args[0].type if len(node.args) == 1 else None
    if t is not None and hasattr(t, "name") and isinstance(dtypes.r(t), dtypes.ctf.Void):
        p.error("D_TRACE_VOID", "trace( ) may not be applied to a void expression", node)
    p.generic(node, FUNCS["trace"])
    if not hasattr(t, "name") or isinstance(dtypes.r(t), dtypes.ctf.Struct):
        p.error("D_TRACE_DYN", "trace( ) may not be applied to a dynamic expression", node)


@_check("stack")
def _stack(p, node):
    if len(node.args) > 1:
        p.error("D_STACK_PROTO", "stack( ) prototype mismatch: too many arguments", node)
    if node.args:
        c = getattr(node.args[0], "const", None)
        if c is None or c <= 0:
            p.error("D_STACK_SIZE", "stack( ) size must be a non-zero positive integral constant expression", node)


def _ustack(p, node):
    if len(node.args) > 2:
        p.error("D_USTACK_PROTO", f"{node.name}( ) prototype mismatch: too many arguments", node)
    if node.args:
        c = getattr(node.args[0], "const", None)
        if c is None or c <= 0:
            p.error("D_USTACK_FRAMES", f"{node.name}( ) argument #1 must be a non-zero positive integer constant",
                    node)
    if len(node.args) > 1:
        c = getattr(node.args[1], "const", None)
        if c is None or c < 0:
            p.error("D_USTACK_STRSIZE", f"{node.name}( ) argument #2 must be a positive integer constant", node)


_check("ustack")(_ustack)
_check("jstack")(_ustack)


@_check("tracemem")
def _tracemem(p, node):
    p.generic(node, FUNCS["tracemem"])
    if not dtypes.is_scalar(node.args[0].type):
        p.error("D_TRACEMEM_ADDR", "tracemem( ) argument #1 is incompatible with prototype:\n\tprototype: pointer or "
                f"integer\n\t argument: {describe(node.args[0].type)}", node)
    c = getattr(node.args[1], "const", None)
    if c is None or c <= 0:
        p.error("D_TRACEMEM_SIZE", "tracemem( ) argument #2 must be a non-zero positive integral constant expression",
                node)


def _printf(p, node):
    if not node.args:
        p.error("D_PROTO_LEN", f"{node.name}( ) prototype mismatch: 0 args passed, at least 1 expected", node)
    fmt = node.args[0]
    if not isinstance(fmt, ast.StrConst):
        p.error("D_PRINTF_ARG_FMT", f"{node.name}( ) argument #1 is incompatible with prototype:\n\tprototype: string "
                f"constant\n\t argument: {describe(fmt.type)}", fmt)
    if fmt.value == "":
        p.error("D_PRINTF_FMT_EMPTY", f"{node.name}( ) format string is empty", fmt)
    try:
        node.format = parse_format(fmt.value)
        check_format(node.format, node.args[1:], node.name, describe)
    except FormatError as e:
        p.error(e.tag, str(e), node)


_check("printf")(_printf)
_check("system")(_printf)


@_check("printa")
def _printa(p, node):
    args = node.args
    if not args:
        p.error("D_PRINTA_PROTO", "printa( ) prototype mismatch: 0 args passed, 1 expected", node)
    aggs_at = 0
    node.format = None
    if isinstance(args[0], ast.StrConst):
        aggs_at = 1
        if len(args) < 2:
            p.error("D_PRINTA_PROTO", "printa( ) prototype mismatch: 1 arg passed, 2 expected", node)
        try:
            node.format = parse_format(args[0].value)
        except FormatError as e:
            p.error(e.tag, str(e), node)
    elif not isinstance(args[0], ast.AggRef):
        p.error("D_PRINTA_AGGARG", f"printa( ) argument #1 is incompatible with prototype:\n\tprototype: aggregation"
                f"\n\t argument: {describe(args[0].type)}", args[0])
    aggs = [p.agg_arg(node, i, "D_PRINTA_AGGARG", "D_PRINTA_AGGBAD") for i in range(aggs_at, len(args))]
    first = aggs[0]
    for a in aggs[1:]:
        if len(a.keys) != len(first.keys):
            p.error("D_PRINTA_AGGKEY", f"printa( ): @{first.name} and @{a.name} do not have matching key signatures: "
                    f"@{first.name} has {len(first.keys)} key{'s' if len(first.keys) != 1 else ''}, @{a.name} has "
                    f"{len(a.keys)} key{'s' if len(a.keys) != 1 else ''}", node)
    node.aggs = aggs


def _aggfunc(argtag, badtag):
    def check(p, node):
        p.generic(node, FUNCS[node.name])
        node.aggs = [p.agg_arg(node, 0, argtag, badtag)]
        if node.name == "normalize" and not dtypes.is_scalar(node.args[1].type):
            p.error("D_NORMALIZE_SCALAR", "normalize( ) argument #2 must be of scalar type", node.args[1])
        if node.name == "trunc" and len(node.args) > 1 and not dtypes.is_int(node.args[1].type):
            p.error("D_TRUNC_SCALAR", "trunc( ) argument #2 must be of scalar type", node.args[1])
    return check


_check("clear")(_aggfunc("D_CLEAR_AGGARG", "D_CLEAR_AGGBAD"))
_check("denormalize")(_aggfunc("D_NORMALIZE_AGGARG", "D_NORMALIZE_AGGBAD"))
_check("normalize")(_aggfunc("D_NORMALIZE_AGGARG", "D_NORMALIZE_AGGBAD"))
_check("trunc")(_aggfunc("D_TRUNC_AGGARG", "D_TRUNC_AGGBAD"))


@_check("setopt")
def _setopt(p, node):
    p.generic(node, FUNCS["setopt"])
    for a in node.args:
        if not isinstance(a, ast.StrConst):
            p.error("D_PROTO_ARG", "setopt( ) argument #1 is incompatible with prototype:\n\tprototype: string "
                    f"constant\n\t argument: {describe(a.type)}", a)
