"""What every pass shares: the compilation it works on and how it reports."""

from __future__ import annotations

from ..ast import Visitor
from ..errors import CompileError

__all__ = ["Pass"]


class Pass(Visitor):
    def __init__(self, comp):
        self.comp = comp
        self.syms = comp.syms
        self.env = comp.env

    def run(self, program) -> None:
        self.visit(program)

    def error(self, tag: str, message: str, node=None, hints=None):
        raise CompileError(tag, message, getattr(node, "span", None), hints)
