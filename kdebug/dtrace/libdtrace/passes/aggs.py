"""Aggregations: ``@name[keys] = func(args)`` and nothing else.

Checks the aggregating function, that a name keeps one function and one
key signature, and the constant parameters of lquantize/llquantize
(dt_parser.c / dt_cc.c texts).
"""

from __future__ import annotations

from .. import ast, dtypes
from ..functions import FUNCS, KEY_ACTIONS
from .base import Pass


class AggregationRules(Pass):
    def visit_Assign(self, node):
        if not getattr(node, "aggregation", False):
            self.generic_visit(node)
            return
        target = node.target
        ref = target if isinstance(target, ast.AggRef) else target.base
        keys = [] if isinstance(target, ast.AggRef) else target.args
        call = node.value
        if node.op != "=" or not isinstance(call, ast.Call) or FUNCS[call.name].kind != "agg":
            self.error("D_AGG_FUNC", f"@{ref.name} must be assigned the result of an aggregating function", node)
        call.in_agg = True
        agg = self.syms.agg(ref.name)
        if agg.func is not None and agg.func != call.name:
            self.error("D_AGG_REDEF", f"aggregation redefined: @{ref.name}\n\t current: @{ref.name} = {call.name}( )"
                       f"\n\tprevious: @{ref.name} = {agg.func}( ) : line {agg.line}", node)
        key_types = []
        for i, k in enumerate(keys, 1):
            if isinstance(k, ast.Call) and k.name in KEY_ACTIONS:
                k.agg_key = True
            if not _keyable(k.type):
                self.error("D_KEY_TYPE", f"{getattr(k.type, 'name', 'aggregation')} expression may not be used "
                           f"as aggregation index: key #{i}", k)
            key_types.append(self.env.string if dtypes.is_char_array(k.type) else k.type)
        if agg.keys is not None and len(agg.keys) != len(keys):
            self.error("D_PROTO_LEN", f"@{ref.name}[ ] prototype mismatch: {len(keys)} key"
                       f"{'s' if len(keys) != 1 else ''} passed, {len(agg.keys)} expected", node)
        for i, (proto, k, kt) in enumerate(zip(agg.keys or [], keys, key_types), 1):
            if not dtypes.arg_compat(proto, kt):
                self.error("D_PROTO_ARG", f"@{ref.name}[ ] argument #{i} is incompatible with prototype:\n"
                           f"\tprototype: {dtypes.tname(proto)}\n\t argument: {dtypes.tname(kt)}", k)
        params = _params(self, call)
        if agg.func is not None and agg.params and params != agg.params:
            self._param_mismatch(call, agg.params, params)
        agg.func, agg.keys, agg.params, agg.line = call.name, key_types, params, agg.line or node.span.line
        node.agg = agg
        for k in keys:
            self.visit(k)

    def _param_mismatch(self, call, old, new):
        names = (["base (argument #1)", "limit (argument #2)", "step (argument #3)"] if call.name == "lquantize"
                 else ["factor (argument #1)", "lower magnitude (argument #2)", "high magnitude (argument #3)",
                       "linear steps per magnitude (argument #4)"])
        for i, (a, b) in enumerate(zip(old, new)):
            if a != b:
                tag = ("D_LQUANT_MATCHBASE", "D_LQUANT_MATCHLIM", "D_LQUANT_MATCHSTEP")[i] if call.name == "lquantize" \
                    else ("D_LLQUANT_FACTORMATCH", "D_LLQUANT_LOWMATCH", "D_LLQUANT_HIGHMATCH",
                          "D_LLQUANT_NSTEPMATCH")[i]
                self.error(tag, f"{call.name}( ) {names[i]} doesn't match previous declaration: "
                           f"expected {a}, found {b}", call)


def _keyable(t) -> bool:
    return dtypes.is_scalar(t) or dtypes.is_stringish(t) or getattr(t, "kind", None) == "stack"


def _const(p, call, i, tag, what):
    c = getattr(call.args[i], "const", None) if i < len(call.args) else None
    if c is None:
        p.error(tag, f"{call.name}( ) argument #{i} {what}", call.args[i] if i < len(call.args) else call)
    return c


def _params(p, call) -> list[int]:
    name, n = call.name, len(call.args)
    f = FUNCS[name]
    need = len(f.args) - f.optional
    if n < need or n > len(f.args):
        bound = f"at least {need}" if n < need and f.optional else \
            f"at most {len(f.args)}" if n > len(f.args) and f.optional else str(need)
        p.error("D_PROTO_LEN", f"{name}( ) prototype mismatch: {n} arg{'s' if n != 1 else ''} passed, "
                f"{bound} expected", call)
    if n and name != "count" and not dtypes.is_scalar(call.args[0].type):
        p.error("D_AGG_SCALAR", f"{name}( ) argument #1 must be of scalar type", call.args[0])
    incr_index = {"quantize": 1, "lquantize": 4, "llquantize": 5}.get(name)
    if incr_index is not None and n > incr_index and not dtypes.is_scalar(call.args[incr_index].type):
        p.error("D_PROTO_ARG", f"{name}( ) increment value (argument #{incr_index + 1}) must be of scalar type",
                call.args[incr_index])
    if name == "lquantize":
        return _lquantize(p, call)
    if name == "llquantize":
        return _llquantize(p, call)
    return []


def _lquantize(p, call) -> list[int]:
    base = _const(p, call, 1, "D_LQUANT_BASETYPE", "must be an integer constant")
    if not -2**31 <= base < 2**31:
        p.error("D_LQUANT_BASEVAL", "lquantize( ) argument #1 must be a 32-bit quantity", call)
    limit = _const(p, call, 2, "D_LQUANT_LIMTYPE", "must be an integer constant")
    if not -2**31 <= limit < 2**31:
        p.error("D_LQUANT_LIMVAL", "lquantize( ) argument #2 must be a 32-bit quantity", call)
    step = 1
    if len(call.args) > 3:
        step = getattr(call.args[3], "const", None)
        if step is None or step <= 0:
            p.error("D_LQUANT_STEPTYPE", "lquantize( ) argument #3 must be a non-zero positive integer constant",
                    call.args[3])
        if step >= 1 << 16:
            p.error("D_LQUANT_STEPVAL", "lquantize( ) argument #3 must be a 16-bit quantity", call)
    if base >= limit:
        p.error("D_LQUANT_MISMATCH", "lquantize( ) base (argument #1) must be less than limit (argument #2)", call)
    levels = (limit - base) // step
    if levels == 0:
        p.error("D_LQUANT_STEPLARGE", "lquantize( ) step (argument #3) too large: must have at least one "
                "quantization level", call)
    if levels >= 1 << 16:
        p.error("D_LQUANT_STEPSMALL", "lquantize( ) step (argument #3) too small: number of quantization levels "
                "must be a 16-bit quantity", call)
    return [base, limit, step]


def _llquantize(p, call) -> list[int]:
    names = ["factor", "low magnitude", "high magnitude", "linear steps per magnitude"]
    tags = ["FACTOR", "LOW", "HIGH", "NSTEP"]
    vals = []
    for i in range(4):
        c = getattr(call.args[i + 1], "const", None)
        if c is None:
            p.error(f"D_LLQUANT_{tags[i]}TYPE", f"llquantize( ) argument #{i + 1} ({names[i]}) must be an integer "
                    "constant", call.args[i + 1])
        if not 0 <= c < 1 << 16:
            p.error(f"D_LLQUANT_{tags[i]}VAL", f"llquantize( ) argument #{i + 1} ({names[i]}) must be an unsigned "
                    "16-bit quantity", call.args[i + 1])
        vals.append(c)
    factor, low, high, nsteps = vals
    if factor < 2:
        p.error("D_LLQUANT_FACTORSMALL", "llquantize( ) factor (argument #1) must be two or more", call)
    if low >= high:
        p.error("D_LLQUANT_MAGRANGE", "llquantize( ) high magnitude (argument #3) must be greater than low "
                "magnitude (argument #2)", call)
    if factor > nsteps:
        p.error("D_LLQUANT_FACTORNSTEPS", "llquantize( ) factor (argument #1) must be less than or equal to the "
                "number of linear steps per magnitude (argument #4)", call)
    v = factor
    while v < nsteps:
        v *= factor
    if nsteps % factor or v % nsteps:
        p.error("D_LLQUANT_FACTOREVEN", "llquantize( ) factor (argument #1) must evenly divide the number of steps "
                "per magnitude (argument #4), and the number of steps per magnitude must evenly divide a power "
                "of the factor", call)
    if factor ** (high + 1) >= 1 << 64:
        p.error("D_LLQUANT_MAGTOOBIG", f"llquantize( ) factor ({factor}) raised to power of high magnitude "
                f"({high}) plus 1 overflows 64-bits", call)
    return vals
