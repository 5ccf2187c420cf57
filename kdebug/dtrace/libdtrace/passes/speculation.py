"""Speculation ordering (dt_cc.c): what may follow speculate() and commit() in a clause."""

from __future__ import annotations

from .. import ast
from ..functions import FUNCS
from .base import Pass


class SpeculationOrder(Pass):
    def visit_Clause(self, node):
        seen_spec = seen_commit = seen_data = False
        for stmt in _flatten(node.body):
            kind, name = _kind(stmt)
            if name == "speculate":
                if seen_spec:
                    self.error("D_SPEC_SPEC", "speculate( ) may not follow speculate( )", stmt)
                if seen_commit:
                    self.error("D_SPEC_COMM", "speculate( ) may not follow commit( )", stmt)
                if seen_data:
                    self.error("D_SPEC_DREC", "speculate( ) may not follow data-recording action(s)", stmt)
                seen_spec = True
            elif name == "commit":
                if seen_commit:
                    self.error("D_COMM_COMM", "commit( ) may not follow commit( )", stmt)
                if seen_data:
                    self.error("D_COMM_DREC", "commit( ) may not follow data-recording action(s)", stmt)
                seen_commit = True
            elif kind == "agg":
                if seen_spec:
                    self.error("D_AGG_SPEC", "aggregating actions may not follow speculate( )", stmt)
                if seen_commit:
                    self.error("D_AGG_COMM", "aggregating actions may not follow commit( )", stmt)
            elif kind == "rec":
                if name == "exit" and seen_spec:
                    self.error("D_EXIT_SPEC", "exit( ) may not follow speculate( )", stmt)
                if FUNCS[name].destructive and seen_spec:
                    self.error("D_ACT_SPEC", "destructive actions may not follow speculate( )", stmt)
                if seen_commit:
                    self.error("D_DREC_COMM", "data-recording actions may not follow commit( )", stmt)
                seen_data = True


def _flatten(stmts):
    for s in stmts:
        if isinstance(s, ast.If):
            yield from _flatten(s.then)
            yield from _flatten(s.els)
        else:
            yield s


def _kind(stmt):
    e = stmt.expr
    if isinstance(e, ast.Assign) and getattr(e, "aggregation", False):
        return "agg", None
    if isinstance(e, ast.Call):
        f = FUNCS[e.name]
        return ("rec" if f.kind in ("rec", "lib") else f.kind), e.name
    return None, None
