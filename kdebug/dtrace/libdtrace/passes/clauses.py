"""The shape of a program: clauses of a script need actions; numbering; empty programs."""

from __future__ import annotations

from .. import ast
from .base import Pass


class ClauseShape(Pass):
    def run(self, program) -> None:
        clauses = [i for i in program.items if isinstance(i, ast.Clause)]
        if not program.items:
            self.error("D_EMPTY", "empty D program translation unit")
        for c in clauses:
            if c.body is None and self.comp.source.path is not None:
                if c.pred is not None:
                    self.error("D_SYNTAX", "expected actions { } following probe description and predicate", c)
                self.error("D_SYNTAX", "expected predicate and/or actions following probe description", c)
            if c.body is None and c.pred is not None:
                self.error("D_SYNTAX", "expected actions { } following probe description and predicate", c)
            c.index = self.comp.next_clause_index()
            if c.body is None:
                c.body = []
