"""Identifiers: what each name in a program refers to.

Walking the program in order, as D's parser does: a name is a built-in
variable, an inline, a variable already declared or assigned, a kernel
symbol (`` `sym `` or ``mod`sym``), or the target of its first assignment
(which declares it).  Anything else is ``failed to resolve x: Unknown
variable name``.  Macros (``$1``, ``$target``) become constants here; an
argument no program references is an error at the end.
"""

from __future__ import annotations

import difflib

from .. import ast
from ..builtins import BUILTIN_TYPES
from ..functions import FUNCS
from .base import Pass


class Names(Pass):
    def run(self, program) -> None:
        self.clause = None
        self.visit(program)
        self.comp.check_unused_macros()

    # -- declarations --------------------------------------------------------

    def visit_Decl(self, node):
        scope = node.scope or "global"
        for d in node.declarators:
            if (scope, d.name) in self.syms.vars or (scope == "global" and d.name in BUILTIN_TYPES):
                self.error("D_DECL_IDRED", f"identifier redeclared: {d.name}", d)
            if scope == "this" and d.dims:
                self.error("D_DECL_LOCASSC", f"associative arrays may not be declared as local variables: {d.name}", d)
            v = self.syms.declare(scope, d.name, assoc=d.dims is not None)
            v.declared = True
            d.var = v

    def visit_Inline(self, node):
        self.visit(node.expr)
        if node.name in self.syms.inlines or self.syms.var("global", node.name) is not None:
            self.error("D_DECL_IDRED", f"identifier redeclared: {node.name}", node)
        self.syms.inlines[node.name] = node

    def visit_Translator(self, node):
        pass        # its members are resolved where they are used, with the input put in (passes/types.py)

    def visit_Clause(self, node):
        self.clause = node
        if node.pred is not None:
            self.visit(node.pred)
        for s in node.body:
            self.visit(s)
        self.clause = None

    # -- expressions ---------------------------------------------------------

    def visit_Assign(self, node):
        self.visit(node.value)
        t = node.target
        if node.op == "=" and isinstance(t, ast.Ident) and self._unknown(t.name):
            t.kind, t.var = "var", self.syms.declare("global", t.name, assoc=False)
            return
        if node.op == "=" and isinstance(t, ast.Index) and isinstance(t.base, ast.Ident) \
                and self._unknown(t.base.name):
            for a in t.args:
                self.visit(a)
            t.base.kind, t.base.var = "var", self.syms.declare("global", t.base.name, assoc=True)
            return
        self._declare_dynamic(t, node.op == "=")
        self.visit(t)

    def _declare_dynamic(self, t, assigning: bool):
        """``self->x = ...`` and ``this->x = ...`` declare on first assignment."""
        base = t.base if isinstance(t, ast.Index) else t
        if isinstance(base, (ast.SelfVar, ast.ThisVar)) and assigning:
            scope = "self" if isinstance(base, ast.SelfVar) else "this"
            if self.syms.var(scope, base.name) is None:
                if scope == "this" and isinstance(t, ast.Index):
                    self.error("D_ARR_LOCAL", f"local variables may not be used as associative arrays: "
                               f"{base.name}", t)
                self.syms.declare(scope, base.name, assoc=isinstance(t, ast.Index))

    def _unknown(self, name: str) -> bool:
        self.comp.handle.need_library(name)
        return (name not in BUILTIN_TYPES and name != "args" and name not in self.syms.inlines
                and self.syms.var("global", name) is None and "`" not in name and name not in FUNCS)

    def visit_Ident(self, node):
        name = node.name
        self.comp.handle.need_library(name)
        v = self.syms.var("global", name)
        if v is not None:
            node.kind, node.var = "var", v
        elif name in self.syms.inlines:
            node.kind, node.inline = "inline", self.syms.inlines[name]
        elif name in BUILTIN_TYPES:
            node.kind = "builtin"
        elif name == "args":
            if self.clause is None:
                self.error("D_ARGS_NONE", "args[ ] may not be referenced outside of a probe clause", node)
            node.kind = "args"
        elif "`" in name:
            node.kind, node.sym = "ksym", self.comp.kernel_symbol(name, node)
        elif name in FUNCS:
            node.kind = "func"
        else:
            near = difflib.get_close_matches(name, [*BUILTIN_TYPES, *(v.name for v in self.syms.vars.values())], 1)
            self.error("D_IDENT_UNDEF", f"failed to resolve {name}: Unknown variable name", node, near)

    def visit_SelfVar(self, node):
        self._dynamic(node, "self")

    def visit_ThisVar(self, node):
        self._dynamic(node, "this")

    def _dynamic(self, node, scope):
        v = self.syms.var(scope, node.name)
        if v is None:
            self.error("D_VAR_UNDEF", f"{scope}->{node.name} has not yet been declared or assigned", node)
        node.var = v

    def visit_Macro(self, node):
        node.value = self.comp.macro_value(node.text, node)

    def visit_Call(self, node):
        if not isinstance(node.func, ast.Ident):
            self.visit(node.func)
            self.error("D_FUNC_IDENT", "function designator is not of function type", node.func)
        name = node.func.name
        if name not in FUNCS:
            v = self.syms.var("global", name)
            if v is not None or name in BUILTIN_TYPES:
                kind = "variable" if v is not None else "variable"
                self.error("D_FUNC_IDKIND", f"{kind} '{name}' may not be referenced as a function", node.func)
            near = difflib.get_close_matches(name, list(FUNCS), 1)
            self.error("D_FUNC_UNDEF", f"undefined function name: {name}", node.func, near)
        node.func.kind = "func"
        node.name = name
        for a in node.args:
            self.visit(a)

    def visit_Index(self, node):
        base = node.base
        if isinstance(base, ast.AggRef):
            for a in node.args:
                self.visit(a)
            return
        self.visit(base)
        for a in node.args:
            self.visit(a)
