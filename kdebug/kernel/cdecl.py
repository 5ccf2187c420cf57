"""C declarations into CTF types, parsed by Lark from ``grammar/cdecl.lark``.

The simulated kernel's headers (``kdebug/kernel/headers/*.h``) are written in
C and go through here, as illumos headers go through ctfconvert: typedefs,
structs, unions, enums, ``#define`` constants, function prototypes and
global object declarations.  :func:`parse_type_name` turns a C type name
("struct proc *", "char [17]", "unsigned long") into a type, for mdb and
anything else that reads type names typed by a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import ctf
from ..grammars import lark_parser

__all__ = ["CDeclError", "Header", "parse_header", "parse_type_name", "eval_const"]


class CDeclError(Exception):
    """A declaration that cannot be parsed or built; ``str()`` says why and where."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None, source: str = "",
                 problem: tuple = ()):
        self.message = message
        self.problem = problem      # for callers with their own words: ("incomplete", member, type) ...
        self.line = line
        self.column = column
        self.source = source
        where = f"{source}:" if source else ""
        if line is not None:
            where += f"{line}:{column}: "
        elif where:
            where += " "
        super().__init__(where + message)


@dataclass
class Header:
    """What one header declares, besides the types it adds to its container."""

    functions: dict[str, ctf.Function] = field(default_factory=dict)
    objects: dict[str, ctf.CType] = field(default_factory=dict)
    defines: dict[str, int] = field(default_factory=dict)
    static: set[str] = field(default_factory=set)   # names declared static (file scope)


def _parser():
    return lark_parser("cdecl.lark", ("translation_unit", "type_name", "expr"))


def _parse(text: str, start: str, source: str):
    from lark.exceptions import UnexpectedInput, UnexpectedEOF

    try:
        return _parser().parse(text, start=start)
    except UnexpectedEOF:
        raise CDeclError("unexpected end of input", source=source) from None
    except UnexpectedInput as e:
        token = getattr(e, "token", None)
        near = f' near "{token}"' if token is not None else ""
        raise CDeclError(f"syntax error{near}", e.line, e.column, source) from None


def parse_header(text: str, container: ctf.TypeContainer, constants: dict[str, int] | None = None,
                 source: str = "") -> Header:
    """Add the types declared in ``text`` to ``container``; return its other declarations.

    ``constants`` holds the ``#define`` and enumerator values visible to
    array sizes and bit widths; it is updated in place, so several headers
    can be read in order as one program would include them.
    """
    tree = _parse(text, "translation_unit", source)
    b = _Builder(container, constants if constants is not None else {}, source)
    b.translation_unit(tree)
    return b.header


def parse_type_name(text: str, container: ctf.TypeContainer, constants: dict[str, int] | None = None) -> ctf.CType:
    """The type spelled ``text`` (no new types are created; unknown names raise)."""
    tree = _parse(text, "type_name", "")
    b = _Builder(container, constants or {}, "", define=False)
    return b.type_name(tree)


def eval_const(text: str, constants: dict[str, int]) -> int:
    """The value of a C integer constant expression such as ``MAXCOMLEN + 1``."""
    tree = _parse(text, "expr", "")
    return _Builder(ctf.TypeContainer("<expr>"), constants, "").expr(tree)


_BUILTIN_NAMES = {
    # (sorted words) -> canonical type name
    ("void",): "void", ("_Bool",): "_Bool", ("char",): "char",
    ("char", "signed"): "signed char", ("char", "unsigned"): "unsigned char",
    ("float",): "float", ("double",): "double", ("double", "long"): "long double",
}


def _builtin_name(words: list[str]) -> str | None:
    key = tuple(sorted(words))
    if key in _BUILTIN_NAMES:
        return _BUILTIN_NAMES[key]
    unsigned = words.count("unsigned")
    signed = words.count("signed")
    longs = words.count("long")
    shorts = words.count("short")
    ints = words.count("int")
    rest = len(words) - unsigned - signed - longs - shorts - ints
    if rest or unsigned + signed > 1 or ints > 1 or (shorts and longs) or shorts > 1 or longs > 2:
        return None
    base = "short" if shorts else "long long" if longs == 2 else "long" if longs else "int"
    return ("unsigned " if unsigned else "") + base


class _Builder:
    """Walks a cdecl parse tree, creating types in ``container``."""

    def __init__(self, container: ctf.TypeContainer, constants: dict[str, int], source: str, define: bool = True):
        self.container = container
        self.constants = constants
        self.source = source
        self.define = define
        self.header = Header()

    def error(self, msg: str, node=None, problem: tuple = ()):
        line = getattr(getattr(node, "meta", None), "line", None) if node is not None else None
        col = getattr(getattr(node, "meta", None), "column", None) if node is not None else None
        if line is None and hasattr(node, "line"):
            line, col = node.line, node.column
        return CDeclError(msg, line, col, self.source, problem)

    # -- top level --------------------------------------------------------

    def translation_unit(self, tree) -> None:
        for item in tree.children:
            if getattr(item, "type", None) == "DEFINE" or getattr(item, "data", None) == "define":
                tok = item.children[0] if hasattr(item, "children") else item
                self.define_const(tok)
            elif getattr(item, "data", None) == "declaration":
                self.declaration(item)

    def define_const(self, tok) -> None:
        body = str(tok)[len("#define"):].strip()
        name, _, value = body.partition(" ")
        if not value:
            name, _, value = body.partition("\t")
        try:
            self.constants[name] = self.header.defines[name] = eval_const(value.strip(), self.constants)
        except CDeclError as e:
            raise CDeclError(f"#define {name}: {e.message}", tok.line, tok.column, self.source) from None

    def declaration(self, node) -> None:
        spec_node = node.children[0]
        base, storage = self.specifiers(spec_node)
        if len(node.children) == 1:
            return  # "struct foo { ... };" or "struct foo;": the specifier did the work
        for d in node.children[1].children:
            name, t = self.declarator(d, base)
            if storage == "typedef":
                old = self.container.local(name)
                if old is not None and old is not t:
                    if isinstance(old, ctf.Typedef) and old.target is t:
                        continue
                    raise self.error(f"typedef name {name} already exists", d)
                self.container.add(ctf.Typedef(name, t))
            elif isinstance(t, ctf.Function):
                self.header.functions[name] = t
            else:
                self.header.objects[name] = t
            if storage == "static":
                self.header.static.add(name)

    # -- specifiers ---------------------------------------------------------

    def specifiers(self, node) -> tuple[ctf.CType, str | None]:
        quals: list[str] = []
        storage = None
        base = None
        for child in node.children:
            if child.data == "modifier":
                word = str(child.children[0])
                if word in ("const", "volatile", "restrict"):
                    quals.append(word)
                else:
                    storage = word
            else:
                base = self.type_spec(child)
        assert base is not None
        for q in dict.fromkeys(quals):
            base = ctf.Qualified(q, base)
        return base, storage

    def type_spec(self, node) -> ctf.CType:
        kind = node.data
        if kind == "builtin_type":
            words = [str(b.children[0]) for b in node.children]
            name = _builtin_name(words)
            t = self.container.lookup(name) if name else None
            if t is None:
                raise self.error(f"invalid type specifier '{' '.join(words)}'", node.children[0].children[0])
            return t
        if kind == "typedef_name":
            tok = node.children[0]
            t = self.container.lookup(str(tok))
            if t is None:
                raise self.error(f"unknown type name '{tok}'", tok, ("unknown", str(tok)))
            return t
        if kind in ("sou_ref", "sou_body"):
            sou = str(node.children[0].children[0])
            rest = node.children[1:]
            tag = None
            if rest and getattr(rest[0], "type", None) == "IDENT":
                tag = str(rest[0])
                rest = rest[1:]
            if kind == "sou_ref":
                return self.tagged(sou, tag, node)
            t = self.tagged(sou, tag, node, defining=True)
            fields: list[tuple[str, ctf.CType, int | None]] = []
            for m in rest:
                fields.extend(self.member(m))
            names = [f[0] for f in fields if f[0]]
            dup = {n for n in names if names.count(n) > 1}
            if dup:
                raise self.error(f"duplicate name detected: {sorted(dup)[0]}", node, ("duplicate", sorted(dup)[0]))
            for i, (fname, ftype, _) in enumerate(fields):
                r = ctf.resolve(ftype)
                if isinstance(r, ctf.Array) and r.count is None and (sou == "union" or i != len(fields) - 1):
                    raise self.error("Flexible array members are only valid in structs." if sou == "union"
                                     else f"flexible array member {fname} is not last", node)
                if isinstance(r, ctf.Struct) and not r.complete:
                    raise self.error(f"member {fname} has incomplete type {r.name}", node,
                                     ("incomplete", fname, ctf.type_name(ftype)))
            members, size, align = ctf.layout_struct(sou, fields)
            t.define(members, size, align)
            return t
        if kind in ("enum_ref", "enum_body"):
            tag = None
            rest = node.children
            if rest and getattr(rest[0], "type", None) == "IDENT":
                tag = str(rest[0])
                rest = rest[1:]
            if kind == "enum_ref":
                return self.tagged("enum", tag, node)
            t = self.tagged("enum", tag, node, defining=True)
            values = []
            nxt = 0
            for e in rest[0].children:
                ename = str(e.children[0])
                if len(e.children) > 1:
                    nxt = self.expr(e.children[1])
                values.append((ename, nxt))
                self.constants[ename] = nxt
                nxt += 1
            t.define(values)
            return t
        raise self.error(f"unexpected {kind}", node)

    def tagged(self, kind: str, tag: str | None, node, defining: bool = False) -> ctf.CType:
        if tag is None:
            t = ctf.Struct(kind, None) if kind != "enum" else ctf.Enum(None)
            if self.define:
                self.container.add(t)
            return t
        t = self.container.local(f"{kind} {tag}")
        if t is None and not defining:
            t = self.container.lookup(f"{kind} {tag}")
        if t is None:
            if not self.define:
                raise self.error(f"unknown type name '{kind} {tag}'", node)
            t = ctf.Struct(kind, tag) if kind != "enum" else ctf.Enum(tag)
            self.container.add(t)
        elif defining and t.complete:
            raise self.error(f"type name {kind} {tag} already in use", node)
        return t

    def member(self, node) -> list[tuple[str, ctf.CType, int | None]]:
        base, _ = self.specifiers(node.children[0])
        if len(node.children) == 1:
            return [("", base, None)]  # anonymous struct or union member
        out = []
        for md in node.children[1].children:
            if md.data == "anon_bitfield":
                out.append(("", base, self.width(md.children[0], base)))
                continue
            name, t = self.declarator(md.children[0], base)
            if isinstance(ctf.resolve(t), ctf.Void):
                raise self.error(f"member {name} has type void", md, ("void", name))
            width = self.width(md.children[1], t) if len(md.children) > 1 else None
            if width == 0 and name:
                raise self.error(f"zero-width bit-field {name}", md)
            out.append((name, t, width))
        return out

    def width(self, expr_node, t: ctf.CType) -> int:
        w = self.expr(expr_node)
        r = ctf.resolve(t)
        if not isinstance(r, (ctf.Integer, ctf.Enum)):
            raise self.error("bit-field has non-integral type", expr_node)
        if w < 0 or w > 8 * r.size:
            raise self.error(f"bit-field width {w} is invalid for {ctf.type_name(t)}", expr_node)
        return w

    # -- declarators ----------------------------------------------------

    def declarator(self, node, base: ctf.CType) -> tuple[str | None, ctf.CType]:
        """(name, type) of a declarator or abstract declarator applied to ``base``."""
        if node.data in ("declarator", "abstract_declarator"):
            t = base
            kids = list(node.children)
            if kids and getattr(kids[0], "data", None) == "pointer":
                t = self.pointer(kids.pop(0), t)
            if not kids:
                return None, t
            return self.direct(kids[0], t)
        return self.direct(node, base)

    def pointer(self, node, t: ctf.CType) -> ctf.CType:
        for star in node.children:
            t = ctf.Pointer(t)
            for q in star.children:
                t = ctf.Qualified(str(q.children[0]), t)
        return t

    def direct(self, node, t: ctf.CType) -> tuple[str | None, ctf.CType]:
        kind = node.data
        if kind == "name":
            return str(node.children[0]), t
        if kind == "paren":
            ptr = self.pointer(node.children[0], t)
            if len(node.children) == 1:
                return None, ptr
            return self.direct(node.children[1], ptr)
        if kind == "array":
            kids = list(node.children)
            inner = kids.pop(0) if kids and getattr(kids[0], "data", None) in ("name", "paren", "array", "function") else None
            count = None
            if kids:
                count = self.expr(kids[0])
                if count < 0:
                    raise self.error("Array lengths cannot be negative", node)
            if ctf.resolve(t).kind == "void":
                raise self.error("array of void", node)
            arr = ctf.Array(t, count)
            return self.direct(inner, arr) if inner is not None else (None, arr)
        if kind == "function":
            kids = list(node.children)
            inner = kids.pop(0) if kids and getattr(kids[0], "data", None) in ("name", "paren", "array", "function") else None
            params: list[tuple[str | None, ctf.CType]] = []
            varargs = False
            if kids:
                for p in kids[0].children:
                    if getattr(p, "type", None) == "ELLIPSIS":
                        varargs = True
                        continue
                    pbase, _ = self.specifiers(p.children[0])
                    pname, ptype = (self.declarator(p.children[1], pbase) if len(p.children) > 1 else (None, pbase))
                    params.append((pname, ptype))
                if len(params) == 1 and params[0][0] is None and isinstance(params[0][1], ctf.Void):
                    params = []
            fn = ctf.Function(t, params, varargs)
            return self.direct(inner, fn) if inner is not None else (None, fn)
        raise self.error(f"unexpected {kind}", node)

    def type_name(self, node) -> ctf.CType:
        base, _ = self.specifiers(node.children[0])
        if len(node.children) > 1:
            _, base = self.declarator(node.children[1], base)
        return base

    # -- constant expressions -------------------------------------------

    def expr(self, node) -> int:
        if not hasattr(node, "data"):  # a token
            if node.type == "INT":
                text = str(node).rstrip("uUlL")
                if text.startswith(("0x", "0X")):
                    return int(text, 16)
                if len(text) > 1 and text.startswith("0"):
                    try:
                        return int(text, 8)
                    except ValueError:
                        raise self.error(f"constant {node} contains invalid digit", node) from None
                return int(text)
            raise self.error(f"unexpected {node}", node)
        kind = node.data
        k = node.children
        if kind == "const_ref":
            name = str(k[0])
            if name not in self.constants:
                raise self.error(f"undefined constant {name}", k[0])
            return self.constants[name]
        if kind == "neg":
            return -self.expr(k[0])
        if kind == "inv":
            return ~self.expr(k[0])
        if kind == "sizeof":
            return self.type_name(k[0]).size
        if kind in ("or_", "xor_", "and_"):
            a, b = self.expr(k[0]), self.expr(k[1])
            return a | b if kind == "or_" else a ^ b if kind == "xor_" else a & b
        if kind == "binop":
            a, op, b = self.expr(k[0]), str(k[1]), self.expr(k[2])
            if op in ("/", "%") and b == 0:
                raise self.error("division by zero in constant expression", k[1])
            if op == "+":
                return a + b
            if op == "-":
                return a - b
            if op == "*":
                return a * b
            if op == "<<":
                return a << b
            if op == ">>":
                return a >> b
            quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)  # C truncates
            return quotient if op == "/" else a - b * quotient
        raise self.error(f"unexpected {kind}", node)
