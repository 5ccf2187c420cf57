"""The shape of a program: clauses of a script need actions; numbering; empty programs."""

from __future__ import annotations

from .. import ast
from ..errors import CompileError
from .base import Pass


class ClauseShape(Pass):
    def run(self, program) -> None:
        clauses = [i for i in program.items if isinstance(i, ast.Clause)]
        if not program.items:
            # From a file, the lexer's line at end of input is reported (1 for an empty file).
            text = self.comp.source.text
            end = ast.Span(len(text), len(text), text.count("\n") + 1, 1)
            raise CompileError("D_EMPTY", "empty D program translation unit", end if self.comp.source.path else None)
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
