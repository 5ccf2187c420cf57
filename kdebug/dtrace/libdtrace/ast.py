"""The D syntax tree: one class per construct, each node with its source span.

Passes (``passes/``) walk the tree with :class:`Visitor` and annotate nodes
(``node.type``, ``node.kind`` ...); code generation reads the annotations.
"""

from __future__ import annotations

class Span:
    """Where a node is in its source text: offsets, 1-based line and column."""

    __slots__ = ("start", "end", "line", "column")

    def __init__(self, start: int, end: int, line: int, column: int):
        self.start, self.end, self.line, self.column = start, end, line, column

    def __repr__(self) -> str:
        return f"Span({self.line}:{self.column})"


NOSPAN = Span(0, 0, 1, 1)


class Node:
    """A tree node; ``child_fields`` names the attributes holding children."""

    child_fields: tuple[str, ...] = ()

    def __init__(self, span: Span = NOSPAN, **kw):
        self.span = span
        self.type = None
        for k, v in kw.items():
            setattr(self, k, v)

    def children(self):
        for f in self.child_fields:
            v = getattr(self, f)
            if isinstance(v, Node):
                yield v
            elif isinstance(v, list):
                for c in v:
                    if isinstance(c, Node):
                        yield c

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if k not in ("span", "type"))
        return f"{type(self).__name__}({parts})"


def _node(name: str, fields: str = "", attrs: str = ""):
    cls = type(name, (Node,), {"child_fields": tuple(fields.split()), "attrs": tuple(attrs.split()),
                               "__doc__": f"{name}: children {fields or '-'}; {attrs or 'no other attributes'}."})
    return cls


# -- program structure ---------------------------------------------------------
Program = _node("Program", "items")
Clause = _node("Clause", "descs pred body", "index")           # body None: no { }
PDesc = _node("PDesc", "", "text fields probes")                # fields: [p, m, f, n] after the probes pass
Control = _node("Control", "", "text")                          # a '#' line
Decl = _node("Decl", "", "scope tname declarators")
Declarator = _node("Declarator", "", "name stars dims")
Inline = _node("Inline", "expr", "tname name")
# struct/union/enum definitions and typedefs: the C text, and the names it declares
TypeDecl = _node("TypeDecl", "", "text tags typedefs enumerators")   # tags: [(kind, tag)]
TypeName = _node("TypeName", "", "kind words name stars")       # kind: base|named|struct|union|enum
Translator = _node("Translator", "", "out_t in_t param members")  # members: [XlateMember]
XlateMember = _node("XlateMember", "expr", "name")

# -- statements -----------------------------------------------------------------
ExprStmt = _node("ExprStmt", "expr")
If = _node("If", "cond then els")

# -- expressions ------------------------------------------------------------------
Ident = _node("Ident", "", "name")
IntConst = _node("IntConst", "", "text")
FloatConst = _node("FloatConst", "", "text")
StrConst = _node("StrConst", "", "value")
CharConst = _node("CharConst", "", "text")
Macro = _node("Macro", "", "text")
AggRef = _node("AggRef", "", "name")
SelfVar = _node("SelfVar", "", "name")
ThisVar = _node("ThisVar", "", "name")
Binop = _node("Binop", "left right", "op")
Logical = _node("Logical", "left right", "op")
Unop = _node("Unop", "operand", "op")
IncDec = _node("IncDec", "operand", "op prefix")
Assign = _node("Assign", "target value", "op")
Cond = _node("Cond", "test then els")
Cast = _node("Cast", "operand", "tname")
SizeofExpr = _node("SizeofExpr", "operand")
SizeofType = _node("SizeofType", "", "tname")
Stringof = _node("Stringof", "operand")
Offsetof = _node("Offsetof", "", "tname member")
Xlate = _node("Xlate", "operand", "tname")                      # xlate <tname> (operand)
Index = _node("Index", "base args")
Call = _node("Call", "func args")
Member = _node("Member", "base", "op name")
Comma = _node("Comma", "left right")


def clone(node):
    """A copy of ``node``'s subtree: new nodes, the same leaves and annotations (types are shared)."""
    import copy
    new = copy.copy(node)
    for f in node.child_fields:
        v = getattr(node, f)
        if isinstance(v, Node):
            setattr(new, f, clone(v))
        elif isinstance(v, list):
            setattr(new, f, [clone(c) if isinstance(c, Node) else c for c in v])
    return new


def substitute(node, name: str, replacement):
    """``node`` with every identifier ``name`` replaced by a clone of ``replacement`` (in place)."""
    if isinstance(node, Ident) and node.name == name:
        return clone(replacement)
    for f in node.child_fields:
        v = getattr(node, f)
        if isinstance(v, Node):
            setattr(node, f, substitute(v, name, replacement))
        elif isinstance(v, list):
            setattr(node, f, [substitute(c, name, replacement) if isinstance(c, Node) else c for c in v])
    return node


class Visitor:
    """Walks the tree: ``visit(node)`` calls ``visit_<Class>`` if defined, else visits the children."""

    def visit(self, node):
        m = getattr(self, "visit_" + type(node).__name__, None)
        if m is not None:
            return m(node)
        return self.generic_visit(node)

    def generic_visit(self, node):
        for c in node.children():
            self.visit(c)
        return None
