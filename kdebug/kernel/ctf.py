"""C types, like illumos CTF: what gives the kernel's bytes their meaning.

Kinds: void, integers (with char and _Bool flavours), floats, pointers,
arrays, structs and unions (with bit-fields), enums, typedefs, the const /
volatile / restrict qualifiers and functions.  An incomplete struct, union or
enum (a forward declaration) is a :class:`Struct` or :class:`Enum` whose
``complete`` is False.

Layout follows the System V amd64 ABI, LP64: natural alignment, bit-fields
packed into units of their declared type and never straddling one, structs
padded to their alignment.  :func:`layout_struct` does it, as a C compiler
would.

Types are kept per kernel module in a :class:`TypeContainer`; module
containers have the base container (the one genunix's CTF shares) as their
parent, as illumos CTF children do.  :class:`TypeRegistry` is the kernel's set
of containers with look-up by name, ``struct``/``union``/``enum`` tags and
``mod`type`` scoping.
"""

from __future__ import annotations

__all__ = [
    "CType", "Void", "Integer", "Float", "Pointer", "Array", "Struct", "Member",
    "Enum", "Typedef", "Qualified", "Function", "TypeContainer", "TypeRegistry",
    "TypeLookupError", "layout_struct", "resolve", "base_types", "type_name",
    "is_integer", "is_pointer", "is_sou", "is_char_array",
]


class TypeLookupError(LookupError):
    """No type of that name; ``str()`` is libctf's text."""

    def __init__(self, name: str, reason: str = "No type information available for that name"):
        self.name = name
        self.reason = reason
        super().__init__(reason)


class CType:
    """Base of all types.  ``size`` and ``align`` are in bytes."""

    kind = "?"
    size = 0
    align = 1

    @property
    def name(self) -> str:
        return type_name(self)

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name}>"


class Void(CType):
    kind = "void"
    size = 0
    align = 1


class Integer(CType):
    """An integer base type; ``char`` marks the character types, ``boolean`` _Bool."""

    kind = "integer"

    def __init__(self, name: str, size: int, signed: bool, char: bool = False, boolean: bool = False):
        self.tname = name
        self.size = size
        self.align = size
        self.signed = signed
        self.char = char
        self.boolean = boolean
        self.bits = 8 * size

    def wrap(self, value: int) -> int:
        """``value`` truncated to this type, sign-extended if signed."""
        value &= (1 << self.bits) - 1
        if self.signed and value >> (self.bits - 1):
            value -= 1 << self.bits
        return value


class Float(CType):
    kind = "float"

    def __init__(self, name: str, size: int):
        self.tname = name
        self.size = size
        self.align = min(size, 16)


class Pointer(CType):
    kind = "pointer"
    size = 8
    align = 8

    def __init__(self, target: CType):
        self.target = target


class Array(CType):
    """``count`` is None for a flexible array member (``x[]``)."""

    kind = "array"

    def __init__(self, elem: CType, count: int | None):
        self.elem = elem
        self.count = count

    @property
    def size(self) -> int:  # type: ignore[override]
        return self.elem.size * (self.count or 0)

    @property
    def align(self) -> int:  # type: ignore[override]
        return self.elem.align


class Member:
    """A struct or union member.  ``bit_size`` is None unless it is a bit-field."""

    __slots__ = ("name", "type", "bit_offset", "bit_size")

    def __init__(self, name: str, type: CType, bit_offset: int, bit_size: int | None = None):
        self.name = name
        self.type = type
        self.bit_offset = bit_offset
        self.bit_size = bit_size

    def __repr__(self) -> str:
        return f"Member({self.name!r}, {self.type.name}, bit {self.bit_offset})"

    @property
    def offset(self) -> int:
        return self.bit_offset // 8


class Struct(CType):
    """A struct or union (``kind``), possibly still incomplete (forward declared)."""

    def __init__(self, kind: str, tag: str | None):
        assert kind in ("struct", "union")
        self.kind = kind
        self.tag = tag
        self.members: list[Member] = []
        self.complete = False
        self.size = 0
        self.align = 1
        self._by_name: dict[str, Member] = {}

    def define(self, members: list[Member], size: int, align: int) -> None:
        self.members = members
        self.size = size
        self.align = align
        self.complete = True
        self._by_name = {m.name: m for m in members if m.name}

    def member(self, name: str) -> Member | None:
        """The member called ``name``, looking through anonymous members too."""
        m = self._by_name.get(name)
        if m is not None:
            return m
        for anon in self.members:
            if anon.name:
                continue
            inner = resolve(anon.type)
            if isinstance(inner, Struct):
                found = inner.member(name)
                if found is not None:
                    return Member(found.name, found.type, anon.bit_offset + found.bit_offset, found.bit_size)
        return None


class Enum(CType):
    kind = "enum"

    def __init__(self, tag: str | None, values: list[tuple[str, int]] | None = None, size: int = 4):
        self.tag = tag
        self.values: list[tuple[str, int]] = list(values or [])
        self.complete = values is not None
        self.size = size
        self.align = size

    def define(self, values: list[tuple[str, int]]) -> None:
        self.values = list(values)
        self.complete = True

    def name_of(self, value: int) -> str | None:
        for n, v in self.values:
            if v == value:
                return n
        return None

    def value_of(self, name: str) -> int | None:
        for n, v in self.values:
            if n == name:
                return v
        return None


class Typedef(CType):
    kind = "typedef"

    def __init__(self, tname: str, target: CType):
        self.tname = tname
        self.target = target

    def member(self, name: str) -> Member | None:
        """The member ``name`` of the struct or union this names."""
        return resolve(self).member(name)  # type: ignore[attr-defined]

    @property
    def size(self) -> int:  # type: ignore[override]
        return self.target.size

    @property
    def align(self) -> int:  # type: ignore[override]
        return self.target.align


class Qualified(CType):
    """``const``, ``volatile`` or ``restrict`` applied to ``target``."""

    def __init__(self, qual: str, target: CType):
        assert qual in ("const", "volatile", "restrict")
        self.kind = qual
        self.target = target

    def member(self, name: str) -> Member | None:
        return resolve(self).member(name)  # type: ignore[attr-defined]

    @property
    def size(self) -> int:  # type: ignore[override]
        return self.target.size

    @property
    def align(self) -> int:  # type: ignore[override]
        return self.target.align


class Function(CType):
    kind = "function"
    size = 0
    align = 1

    def __init__(self, ret: CType, params: list[tuple[str | None, CType]], varargs: bool = False):
        self.ret = ret
        self.params = params
        self.varargs = varargs


# -- helpers ---------------------------------------------------------------


def resolve(t: CType) -> CType:
    """``t`` with typedefs and qualifiers stripped."""
    while isinstance(t, (Typedef, Qualified)):
        t = t.target
    return t


def is_integer(t: CType) -> bool:
    t = resolve(t)
    return isinstance(t, (Integer, Enum))


def is_pointer(t: CType) -> bool:
    return isinstance(resolve(t), Pointer)


def is_sou(t: CType) -> bool:
    return isinstance(resolve(t), Struct)


def is_char_array(t: CType) -> bool:
    t = resolve(t)
    return isinstance(t, Array) and isinstance(resolve(t.elem), Integer) and resolve(t.elem).char


def _round_up(n: int, a: int) -> int:
    return (n + a - 1) // a * a


def layout_struct(kind: str, fields: list[tuple[str, CType, int | None]]) -> tuple[list[Member], int, int]:
    """Place ``fields`` (name, type, bit-field width or None) as the amd64 ABI does.

    Returns the members, the size and the alignment.  Rules (GCC, SysV):
    a member is aligned to its type; a bit-field goes at the next free bit
    unless it would cross a unit of its declared type, in which case it
    starts the next unit; a zero-width bit-field closes the current unit; the
    struct's size is rounded up to its alignment.
    """
    members: list[Member] = []
    bit = 0
    align = 1
    size = 0
    for name, t, width in fields:
        a = max(1, t.align)
        if kind == "union":
            members.append(Member(name, t, 0, width))
            if width != 0:
                align = max(align, a)
            size = max(size, t.size if width is None else _round_up((width + 7) // 8, a))
            continue
        if width is None:
            off = _round_up((bit + 7) // 8, a)
            members.append(Member(name, t, off * 8, None))
            bit = (off + t.size) * 8
            align = max(align, a)
        elif width == 0:
            bit = _round_up(bit, a * 8)
        else:
            unit = t.size * 8
            if bit // unit != (bit + width - 1) // unit:
                bit = _round_up(bit, unit)
            members.append(Member(name, t, bit, width))
            bit += width
            if name:
                align = max(align, a)
    if kind == "union":
        return members, _round_up(size, align), align
    return members, _round_up((bit + 7) // 8, align), align


def type_name(t: CType) -> str:
    """The C spelling of ``t`` as CTF prints it: ``char *``, ``char [17]``, ``void (*)(void *)``."""
    return _declare(t, "")


def _declare(t: CType, inner: str) -> str:
    if isinstance(t, Pointer):
        target = t.target
        if isinstance(target, (Array, Function)):
            return _declare(target, "(*" + inner + ")")
        if isinstance(target, Qualified) and not isinstance(resolve(target), (Pointer,)):
            return _base(target) + " *" + inner
        return _declare(target, "*" + inner)
    if isinstance(t, Array):
        n = "" if t.count is None else str(t.count)
        return _declare(t.elem, inner + f"[{n}]")
    if isinstance(t, Function):
        params = ", ".join(type_name(p) for _, p in t.params) or "void"
        if t.varargs:
            params += ", ..."
        return _declare(t.ret, inner + f"({params})")
    if isinstance(t, Qualified) and isinstance(t.target, Pointer):
        # "char *const": the qualifier binds to the pointer.
        return _declare(t.target, inner and (t.kind + " " + inner) or t.kind)
    base = _base(t)
    return base + " " + inner if inner else base


def _base(t: CType) -> str:
    if isinstance(t, Qualified):
        return t.kind + " " + _base(t.target)
    if isinstance(t, Void):
        return "void"
    if isinstance(t, (Integer, Float, Typedef)):
        return t.tname
    if isinstance(t, Struct):
        return f"{t.kind} {t.tag}" if t.tag else f"{t.kind} {{...}}"
    if isinstance(t, Enum):
        return f"enum {t.tag}" if t.tag else "enum {...}"
    return _declare(t, "")


# -- containers ------------------------------------------------------------


def base_types() -> list[CType]:
    """The C base types of an LP64 compiler, by their canonical names."""
    ints = [
        ("char", 1, True, True), ("signed char", 1, True, True), ("unsigned char", 1, False, True),
        ("short", 2, True, False), ("unsigned short", 2, False, False),
        ("int", 4, True, False), ("unsigned int", 4, False, False),
        ("long", 8, True, False), ("unsigned long", 8, False, False),
        ("long long", 8, True, False), ("unsigned long long", 8, False, False),
    ]
    out: list[CType] = [Integer(n, s, sg, char=c) for n, s, sg, c in ints]
    out.append(Integer("_Bool", 1, False, boolean=True))
    out += [Float("float", 4), Float("double", 8), Float("long double", 16)]
    out.append(Void())
    return out


class TypeContainer:
    """The types of one kernel module (one CTF container)."""

    def __init__(self, name: str, parent: "TypeContainer | None" = None):
        self.name = name
        self.parent = parent
        self.names: dict[str, CType] = {}       # base types and typedefs
        self.tags: dict[tuple[str, str], CType] = {}  # ("struct", "proc") -> Struct
        self.order: list[CType] = []             # every type added, in order

    def add(self, t: CType) -> CType:
        """Register ``t`` under its name or tag (anonymous types are kept, unnamed)."""
        if isinstance(t, (Integer, Float, Typedef)):
            self.names[t.tname] = t
        elif isinstance(t, Void):
            self.names["void"] = t
        elif isinstance(t, (Struct, Enum)) and t.tag:
            self.tags[(t.kind, t.tag)] = t
        self.order.append(t)
        return t

    def local(self, name: str) -> CType | None:
        """``name`` ("proc_t", "struct proc", "enum zone_status") in this container only."""
        kw, _, rest = name.partition(" ")
        if kw in ("struct", "union", "enum") and rest:
            return self.tags.get((kw, rest.strip()))
        return self.names.get(name)

    def lookup(self, name: str) -> CType | None:
        """``name`` here, else in the parent container."""
        t = self.local(name)
        if t is None and self.parent is not None:
            return self.parent.lookup(name)
        return t


class TypeRegistry:
    """All the kernel's type containers, with look-up as mdb and dtrace do it."""

    def __init__(self) -> None:
        self.base = TypeContainer("genunix")
        for t in base_types():
            self.base.add(t)
        self.containers: dict[str, TypeContainer] = {"genunix": self.base}

    def container(self, module: str) -> TypeContainer:
        """The container of ``module``, created (as a child of genunix) on first use."""
        c = self.containers.get(module)
        if c is None:
            c = self.containers[module] = TypeContainer(module, self.base)
        return c

    def lookup(self, name: str, module: str | None = None) -> CType:
        """The type called ``name``: ``"proc_t"``, ``"struct proc"``, ``"vmm`vmm_softc_t"``.

        Without a module, genunix is searched first and then the other
        modules in the order they were loaded.  Raises TypeLookupError.
        """
        name = " ".join(name.split())
        kw, _, rest = name.partition(" ")
        if "`" in name:
            if kw in ("struct", "union", "enum"):
                mod, _, tag = rest.partition("`")
                module, name = mod, f"{kw} {tag}"
            else:
                module, _, name = name.partition("`")
        if module is not None:
            c = self.containers.get(module)
            t = c.lookup(name) if c is not None else None
            if t is None:
                raise TypeLookupError(name)
            return t
        for c in self.containers.values():
            t = c.local(name)
            if t is not None:
                return t
        raise TypeLookupError(name)

    def find(self, name: str, module: str | None = None) -> CType | None:
        try:
            return self.lookup(name, module)
        except TypeLookupError:
            return None

    def module_of(self, t: CType) -> str | None:
        """The module whose container defines ``t``."""
        for c in self.containers.values():
            if isinstance(t, (Struct, Enum)) and t.tag and c.tags.get((t.kind, t.tag)) is t:
                return c.name
            if isinstance(t, (Integer, Float, Typedef)) and c.names.get(t.tname) is t:
                return c.name
        return None

    def all_names(self) -> list[str]:
        """Every named type ("proc_t", "struct proc"...), for completion and suggestions."""
        out: set[str] = set()
        for c in self.containers.values():
            out.update(c.names)
            out.update(f"{k} {tag}" for k, tag in c.tags)
        return sorted(out)
