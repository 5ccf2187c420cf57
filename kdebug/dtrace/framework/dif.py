"""From IR to Python: each clause of an enabling becomes one compiled function.

The IR (plain data from the consumer) is validated while Python source is
written from it: operations come from fixed tables, numbers must be ints,
and every string constant goes into a constants tuple ``K`` referenced by
index.  So the generated source is built only from the framework's own
text and validated integers, never from user text (DESIGN decision 3).
``compile()`` runs once per clause per enabling.

A clause function is ``clause(P, A, C, E, L)``: probe, raw arguments, CPU,
EPID, this->-variables of the firing.  Names it uses (``R`` the runtime,
``G`` globals, ``K`` constants, helpers) are bound in its namespace.
"""

from __future__ import annotations

from .runtime import BUILTINS, SUBRS

__all__ = ["compile_clause", "IRError", "MAX_DEPTH"]

MAX_DEPTH = 150

_BINOPS = {"+": "+", "-": "-", "*": "*", "&": "&", "|": "|", "^": "^"}
_CMPS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_RECORD_KINDS = {"trace", "printf", "system", "printa", "stack", "ustack", "jstack", "exit", "setopt", "sym",
                 "tracemem", "clear", "denormalize", "trunc", "normalize", "stop", "raise", "breakpoint",
                 "panic", "chill", "copyout", "copyoutstr"}
_BUILTIN_INDEX = {name: i for i, name in enumerate(BUILTINS)}
_SUBR_INDEX = {name: i for i, name in enumerate(SUBRS)}


class IRError(Exception):
    """The IR is not a program this framework can run."""


def _int(x, lo=None, hi=None) -> int:
    if type(x) is not int or (lo is not None and x < lo) or (hi is not None and x > hi):
        raise IRError(f"bad integer in IR: {x!r}")
    return x


def _mask(size: int, signed: bool, e: str) -> str:
    bits = 8 * _int(size, 1, 8)
    m = (1 << bits) - 1
    if signed:
        h = 1 << (bits - 1)
        return f"((({e}) + {h}) & {m}) - {h}"
    return f"(({e}) & {m})"


class ClauseWriter:
    def __init__(self, nvars: dict, naggs: int, aggfuncs: list):
        self.lines: list[str] = []
        self.consts: list = []
        self.nvars = nvars
        self.naggs = naggs
        self.aggfuncs = aggfuncs
        self.line_actions: list[int] = []     # per generated line: 0 predicate, k action #k
        self.action = 0
        self.depth = 0

    def const(self, v) -> str:
        self.consts.append(v)
        return f"K[{len(self.consts) - 1}]"

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)
        self.line_actions.append(self.action)

    def _var(self, scope: str, vid) -> int:
        return _int(vid, 0, self.nvars[scope] - 1) if self.nvars[scope] else _int(vid, 0, -1)

    # -- expressions ---------------------------------------------------------------

    def expr(self, e) -> str:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise IRError("expression too deep")
        try:
            return self._expr(e)
        finally:
            self.depth -= 1

    def _keys(self, keys) -> str:
        if not isinstance(keys, list):
            raise IRError("bad keys")
        return "(" + "".join(self.expr(k) + ", " for k in keys) + ")"

    def _expr(self, e) -> str:
        if not isinstance(e, list) or not e or not isinstance(e[0], str):
            raise IRError(f"bad IR expression {e!r}"[:80])
        op, a = e[0], e[1:]
        if op == "k":
            return repr(_int(a[0], -(1 << 64), (1 << 64) - 1))
        if op == "s":
            if not isinstance(a[0], str):
                raise IRError("bad string constant")
            return self.const(a[0])
        if op == "bv":
            if a[0] in _INLINE_BUILTINS:      # what the probe or the firing says of itself: no call
                return _INLINE_BUILTINS[a[0]]
            return f"BV[{_BUILTIN_INDEX[a[0]]}](P, A, C, E)" if a[0] in _BUILTIN_INDEX else self._bad(a[0])
        if op == "arg":
            return f"ARG(A, {_int(a[0], 0, 9)})"
        if op == "gv":
            return f"G[{self._var('global', a[0])}]"
        if op == "tv":
            v = self._var("self", a[0])
            return f"TLS.get((THR(), {v}), DT[{v}])"
        if op == "cv":
            v = self._var("this", a[0])
            return f"L.get({v}, DC[{v}])"
        if op == "ga":
            v = self._var("global", a[0])
            return f"GA[{v}].get({self._keys(a[1])}, DG[{v}])"
        if op == "ta":
            v = self._var("self", a[0])
            return f"TA.get((THR(), {v}) + {self._keys(a[1])}, DT[{v}])"
        if op == "op":
            if a[0] in _BINOPS:
                return f"({self.expr(a[1])} {_BINOPS[a[0]]} {self.expr(a[2])})"
            if a[0] in ("<<", ">>"):
                return f"({self.expr(a[1])} {a[0] if a[0] == '<<' else '>>'} ({self.expr(a[2])} & 63))"
            return self._bad(a[0])
        if op in ("div", "mod"):
            fn = "DIV" if op == "div" else "MOD"
            _ = bool(a[2])
            return f"{fn}({self.expr(a[0])}, {self.expr(a[1])})"
        if op in ("cmp", "scmp"):
            if a[0] not in _CMPS:
                return self._bad(a[0])
            return f"int({self.expr(a[1])} {_CMPS[a[0]]} {self.expr(a[2])})"
        if op == "not":
            return f"int(not {self.expr(a[0])})"
        if op == "neg":
            return f"(-{self.expr(a[0])})"
        if op == "inv":
            return f"(~{self.expr(a[0])})"
        if op == "land":
            return f"int(bool({self.expr(a[0])}) and bool({self.expr(a[1])}))"
        if op == "lor":
            return f"int(bool({self.expr(a[0])}) or bool({self.expr(a[1])}))"
        if op == "lxor":
            return f"int(bool({self.expr(a[0])}) != bool({self.expr(a[1])}))"
        if op == "cond":
            return f"({self.expr(a[1])} if {self.expr(a[0])} else {self.expr(a[2])})"
        if op == "wrap":
            return _mask(a[0], bool(a[1]), self.expr(a[2]))
        if op == "ld":
            return f"LD({self.expr(a[2])}, {_int(a[0], 1, 8)}, {bool(a[1])})"
        if op == "ldbits":
            return f"LDB({self.expr(a[0])}, {_int(a[1], 0, 1 << 20)}, {_int(a[2], 1, 64)})"
        if op == "lds":
            return f"LDS({self.expr(a[0])}, {_int(a[1], 1, 1 << 20)})"
        if op == "call":
            if a[0] not in _SUBR_INDEX or not isinstance(a[1], list):
                return self._bad(a[0])
            args = "".join(", " + self.expr(x) for x in a[1])
            return f"SUBR[{_SUBR_INDEX[a[0]]}](R, P, C{args})"
        if op == "stack":
            n = "None" if a[0] is None else str(_int(a[0], 1, 1 << 24))     # frames, as many as asked
            return f"USTACK({n})" if a[1] else f"STACK({n})"
        if op == "uaddr":
            return f"UADDR({self.expr(a[0])})"
        if op == "comma":
            return f"({self.expr(a[0])}, {self.expr(a[1])})[1]"
        if op == "assign":
            return f"SET({self.lval(a[0])}, {self.expr(a[1])})"
        if op == "post":
            return f"POST({self.lval(a[0])}, {self.expr(a[1])})"
        return self._bad(op)

    def _bad(self, what) -> str:
        raise IRError(f"unknown IR operation {str(what)[:40]!r}")

    def lval(self, lv) -> str:
        """An lvalue as (kind, id, keys) Python tuple text for the SET/POST helpers."""
        if not isinstance(lv, list) or not lv:
            raise IRError("bad lvalue")
        kind = lv[0]
        scope = {"gv": "global", "ga": "global", "tv": "self", "ta": "self", "cv": "this"}.get(kind)
        if scope is None:
            return self._bad(kind)
        vid = self._var(scope, lv[1])
        keys = self._keys(lv[2]) if kind in ("ga", "ta") else "()"
        return f"({['gv', 'ga', 'tv', 'ta', 'cv'].index(kind)}, {vid}, {keys}, L)"

    # -- statements ------------------------------------------------------------------

    def stmts(self, stmts, indent: int, top: bool = False) -> None:
        if not isinstance(stmts, list):
            raise IRError("bad statement list")
        if not stmts:
            self.emit(indent, "pass")
        for s in stmts:
            if top:
                self.action += 1
            self.stmt(s, indent)

    def stmt(self, s, indent: int) -> None:
        if not isinstance(s, list) or not s:
            raise IRError("bad statement")
        op = s[0]
        if op == "eval":
            e = s[1]
            if isinstance(e, list) and e and e[0] == "assign":
                self.emit(indent, f"SET({self.lval(e[1])}, {self.expr(e[2])})")
            else:
                self.emit(indent, self.expr(e))
        elif op == "if":
            self.emit(indent, f"if {self.expr(s[1])}:")
            self.stmts(s[2], indent + 1)
            if s[3]:
                self.emit(indent, "else:")
                self.stmts(s[3], indent + 1)
        elif op == "agg":
            aid = _int(s[1], 0, self.naggs - 1)
            args = "".join(", " + self.expr(x) for x in s[3])
            self.emit(indent, f"AGG[{aid}](C, {self._keys(s[2])}{args})")
        elif op == "rec":
            actid, kind = _int(s[1], 0, 1 << 16), s[2]
            if kind not in _RECORD_KINDS or not isinstance(s[3], list):
                self._bad(kind)
            vals = [self.expr(x) for x in s[3]]
            if kind in ("trace", "exit", "sym"):
                value = vals[0]
            elif kind in ("stack", "ustack", "jstack"):
                value = vals[0]
            elif kind == "tracemem":
                value = f"MEM({vals[0]}, {vals[1]})"
            else:
                value = "[" + ", ".join(vals) + "]"
            if kind == "exit":
                self.emit(indent, f"EXIT({value})")
            elif kind in ("stop", "raise", "breakpoint", "panic", "chill", "copyout", "copyoutstr"):
                self.emit(indent, f"DESTRUCTIVE({self.const(kind)}, {value})")
            self.emit(indent, f"D.append(({actid}, {value}))")
        elif op == "speculate":
            self.emit(indent, f"S = SPECULATE({self.expr(s[1])})")
        elif op in ("commit", "discard"):
            self.emit(indent, f"{'COMMIT' if op == 'commit' else 'DISCARD'}({self.expr(s[1])})")
        else:
            self._bad(op)


# Built-ins read straight off the probe (P), the CPU (C) and the EPID (E).
_INLINE_BUILTINS = {"probeprov": "P.provider.name", "probemod": "P.module", "probefunc": "P.function",
                    "probename": "P.name", "id": "P.id", "cpu": "C", "epid": "E"}


def _speculates(stmts) -> bool:
    """Whether a statement list records anything or speculates (it then needs D and S)."""
    for st in stmts if isinstance(stmts, list) else []:
        if isinstance(st, list) and st and (st[0] in ("rec", "speculate")
                                            or st[0] == "if" and len(st) > 3 and (_speculates(st[2]) or _speculates(st[3]))):
            return True
    return False


def compile_clause(clause: dict, nvars: dict, naggs: int, aggfuncs: list, name: str):
    """Python code object and constants for one IR clause; also the line -> action map."""
    if not isinstance(clause, dict):
        raise IRError("bad clause")
    w = ClauseWriter(nvars, naggs, aggfuncs)
    w.emit(0, "def clause(P, A, C, E, L):")
    if clause.get("pred") is not None:
        w.emit(1, f"if not {w.expr(clause['pred'])}:")
        w.emit(2, "return")
    if clause.get("records") or _speculates(clause.get("stmts", [])):
        w.emit(1, "D = []")
        w.emit(1, "S = 0")
    w.stmts(clause.get("stmts", []), 1, top=True)
    if clause.get("records"):
        w.emit(1, "EMIT(C, P, E, D, S)")
    source = "\n".join(w.lines) + "\n"
    return compile(source, name, "exec"), tuple(w.consts), [0] + w.line_actions, source
