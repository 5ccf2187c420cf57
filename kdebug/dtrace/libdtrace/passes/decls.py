"""Type declarations: ``struct``, ``union`` and ``enum`` definitions and ``typedef``s.

As in dt_decl.c, the types a program declares go into the consumer's "D"
container, where later declarations and expressions find them (before the
kernel's).  The declaration's C text is built the way the kernel's headers
are (:mod:`kdebug.kernel.cdecl`); an enumerator also becomes a D identifier,
an integer constant of its enum's type.
"""

from __future__ import annotations

from ....kernel import ctf
from ....kernel.cdecl import CDeclError, parse_header
from .. import ast
from ..builtins import BUILTIN_TYPES
from ..functions import FUNCS
from .base import Pass


class TypeDeclarations(Pass):
    def run(self, program) -> None:
        for item in program.items:
            if isinstance(item, ast.TypeDecl):
                self.declare(item)

    def declare(self, node) -> None:
        ddefs = self.env.ddefs
        for kind, tag in node.tags:
            old = ddefs.local(f"{kind} {tag}")
            if old is not None and (kind == "enum" or old.complete):
                self.error("D_DECL_TYPERED", f"type redeclared: {kind} {tag}", node)
        for name in node.typedefs:
            if self._global(name):
                self.error("D_DECL_IDRED", f"global variable identifier redeclared: {name}", node)
            if ddefs.local(name) is not None or self.env.intrinsic(name) is not None:
                self.error("D_DECL_IDRED", f"typedef redeclared: {name}", node)
        for name in node.enumerators:
            if self._global(name):
                self.error("D_DECL_IDRED", f"identifier redeclared: {name}", node)
        constants = dict(self._kernel_constants(), **self.env.dconstants)
        before = set(constants)
        try:
            parse_header(node.text, ddefs, constants, source="D")
        except CDeclError as e:
            self.error(*_tagged(e), node)
        for name in node.enumerators:
            self._enumerator(name, constants[name], node)
        self.env.dconstants.update({k: v for k, v in constants.items() if k not in before})

    def _global(self, name: str) -> bool:
        return (name in self.syms.inlines or self.syms.var("global", name) is not None
                or name in BUILTIN_TYPES or name in FUNCS)

    def _kernel_constants(self) -> dict:
        k = self.env.kernel
        return dict(getattr(k, "constants", {}) or {}) if k is not None else {}

    def _enumerator(self, name: str, value: int, node) -> None:
        """``name`` as an inline: the constant ``value`` of its enum's type."""
        enum = next(t for t in reversed(self.env.ddefs.order)
                    if isinstance(t, ctf.Enum) and t.value_of(name) is not None)
        const = ast.IntConst(node.span, text=str(value))
        const.type, const.const = enum, value
        inline = ast.Inline(node.span, tname=None, name=name, expr=const)
        inline.type = enum
        self.syms.inlines[name] = inline


def _tagged(e: CDeclError) -> tuple[str, str]:
    """DTrace's tag and words for what the C declaration builder found wrong."""
    what = e.problem[:1]
    if what == ("incomplete",):
        return "D_DECL_INCOMPLETE", f"incomplete struct/union/enum {e.problem[2]}: {e.problem[1]}"
    if what == ("void",):
        return "D_DECL_VOIDOBJ", f"cannot have void member: {e.problem[1]}"
    if what == ("unknown",):
        return "D_TYPE_ERR", f"failed to resolve type {e.problem[1]}: No type information available for that name"
    if what == ("duplicate",):
        return "D_UNKNOWN", f"failed to define member '{e.problem[1]}': Duplicate member name"
    return "D_DECL_COMBO", e.message
