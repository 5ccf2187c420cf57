"""D's types: the kernel's C types (``k.types``) plus D's own ``string``.

The consumer types every expression at compile time; at run time only
sizes and signedness travel (in the IR).  D's intrinsic types (``int``,
``uint64_t``, ``string`` ...) need no kernel; other names are looked up in
the kernel's CTF, fetched only when a program names a kernel type.
"""

from __future__ import annotations

from ...kernel import ctf

__all__ = ["DString", "TypeEnv", "is_int", "is_ptr", "is_string", "is_scalar", "is_sou", "is_array",
           "is_char_ptr", "is_char_array", "int_type", "arith_type", "tname", "INT", "UINT", "LONG", "ULONG",
           "LLONG", "ULLONG", "CHAR", "VOID", "SIZE_T", "UINTPTR_T"]


class DString(ctf.CType):
    """D's ``string``: a ``strsize``-byte NUL-padded buffer."""

    kind = "string"

    def __init__(self, size: int = 256):
        self.size = size
        self.align = 1

    @property
    def name(self) -> str:
        return "string"


class StackType(ctf.CType):
    """The value of ``stack()``/``ustack()`` (an aggregation key or ``%k`` argument)."""

    kind = "stack"
    size = 8

    def __init__(self, user: bool = False):
        self.user = user

    @property
    def name(self) -> str:
        return "stack"


class SymAddr(ctf.Typedef):
    """``sym()``/``func()``/``mod()`` and their user twins: an address printed symbolically."""

    def __init__(self, how: str):
        super().__init__("uintptr_t", ctf.Integer("unsigned long", 8, False))
        self.how = how


_BASE = {t.tname if hasattr(t, "tname") else "void": t for t in ctf.base_types()}
INT, UINT = _BASE["int"], _BASE["unsigned int"]
LONG, ULONG = _BASE["long"], _BASE["unsigned long"]
LLONG, ULLONG = _BASE["long long"], _BASE["unsigned long long"]
CHAR, VOID = _BASE["char"], _BASE["void"]
SHORT, USHORT = _BASE["short"], _BASE["unsigned short"]
UCHAR = _BASE["unsigned char"]


def _td(name: str, target: ctf.CType) -> ctf.Typedef:
    return ctf.Typedef(name, target)


# D's intrinsic typedefs (dt_open.c), so that common programs never need the kernel.
_INTRINSIC = {t.tname: t for t in [
    _td("int8_t", _BASE["signed char"]), _td("int16_t", SHORT), _td("int32_t", INT), _td("int64_t", LONG),
    _td("uint8_t", UCHAR), _td("uint16_t", USHORT), _td("uint32_t", UINT), _td("uint64_t", ULONG),
    _td("intptr_t", LONG), _td("uintptr_t", ULONG), _td("size_t", ULONG), _td("ssize_t", LONG),
    _td("pid_t", INT), _td("id_t", INT), _td("uid_t", UINT), _td("gid_t", UINT), _td("zoneid_t", INT),
    _td("processorid_t", INT), _td("hrtime_t", LLONG), _td("time_t", LONG), _td("uint_t", UINT),
    _td("ulong_t", ULONG), _td("uchar_t", UCHAR), _td("ushort_t", USHORT), _td("major_t", UINT),
    _td("minor_t", UINT), _td("dev_t", ULONG), _td("off_t", LONG), _td("caddr_t", ctf.Pointer(CHAR)),
]}
SIZE_T = _INTRINSIC["size_t"]
UINTPTR_T = _INTRINSIC["uintptr_t"]
INT64_T, UINT64_T = _INTRINSIC["int64_t"], _INTRINSIC["uint64_t"]


def tname(t) -> str:
    """The C spelling of a type, as D's messages print it."""
    return t.name


def r(t):
    return ctf.resolve(t)


def is_int(t) -> bool:
    return isinstance(r(t), (ctf.Integer, ctf.Enum))


def is_ptr(t) -> bool:
    return isinstance(r(t), ctf.Pointer)


def is_string(t) -> bool:
    return isinstance(r(t), DString)


def is_array(t) -> bool:
    return isinstance(r(t), ctf.Array)


def is_sou(t) -> bool:
    return isinstance(r(t), ctf.Struct)


def is_scalar(t) -> bool:
    return is_int(t) or is_ptr(t)


def is_char_ptr(t) -> bool:
    rt = r(t)
    return isinstance(rt, ctf.Pointer) and isinstance(r(rt.target), ctf.Integer) and r(rt.target).char


def is_char_array(t) -> bool:
    rt = r(t)
    return isinstance(rt, ctf.Array) and isinstance(r(rt.elem), ctf.Integer) and r(rt.elem).char


def is_stringish(t) -> bool:
    """A string, a char array or a char pointer: what ``%s`` and string subroutines take."""
    return is_string(t) or is_char_array(t) or is_char_ptr(t)


def arg_compat(proto, arg) -> bool:
    """dt_node_is_argcompat: may a value of type ``arg`` stand where ``proto`` was first used
    (an associative array's or aggregation's key)?  Integers with integers, strings with
    strings and char arrays, stacks with stacks, pointers with compatible pointers."""
    if is_int(proto) and is_int(arg):
        return True
    if is_stringish(proto) and is_stringish(arg):
        return True
    if not hasattr(proto, "name") or not hasattr(arg, "name"):       # stacks, symbols: by kind
        return type(proto) is type(arg) and getattr(proto, "kind", None) == getattr(arg, "kind", None)
    if is_ptr(proto) and is_ptr(arg):
        a, b = r(r(proto).target), r(r(arg).target)
        return isinstance(a, ctf.Void) or isinstance(b, ctf.Void) or tname(a) == tname(b)
    return tname(proto) == tname(arg)


def int_type(t) -> tuple[int, bool]:
    """(size, signed) of an integer, enum or pointer type."""
    rt = r(t)
    if isinstance(rt, ctf.Integer):
        return rt.size, rt.signed
    if isinstance(rt, ctf.Enum):
        return 4, True
    return 8, False


def _rank(t) -> int:
    size, _ = int_type(t)
    return {1: 1, 2: 2, 4: 3, 8: 4}[size] if size in (1, 2, 4, 8) else 4


def promote(t):
    """C's integer promotion: anything smaller than int becomes int."""
    size, signed = int_type(t)
    if size < 4:
        return INT
    if isinstance(r(t), ctf.Enum):
        return INT
    return t


def arith_type(a, b):
    """C's usual arithmetic conversions of two integer types."""
    a, b = promote(a), promote(b)
    sa, ga = int_type(a)
    sb, gb = int_type(b)
    if (sa, ga) == (sb, gb):
        return a
    if ga == gb:
        return a if sa > sb else b
    signed, unsigned = (a, b) if ga else (b, a)
    ss, _ = int_type(signed)
    su, _ = int_type(unsigned)
    if su >= ss:
        return unsigned
    return signed


class TypeEnv:
    """Type look-up for one consumer: D's intrinsics, the types its programs declare (the "D"
    container), then the kernel's CTF (fetched lazily)."""

    def __init__(self, kernel_getter, strsize: int = 256):
        self._kernel_getter = kernel_getter
        self._kernel = None
        self.string = DString(strsize)
        self.ddefs = ctf.TypeContainer("D", parent=_KernelTypes(self))
        self.dconstants: dict[str, int] = {}          # enumerators declared in D, for array sizes

    @property
    def kernel(self):
        if self._kernel is None:
            self._kernel = self._kernel_getter()
        return self._kernel

    def intrinsic(self, name: str):
        if name == "string":
            return self.string
        return _BASE.get(name) or _INTRINSIC.get(name)

    def find(self, name: str):
        """The type called ``name`` or None."""
        t = self.intrinsic(name) or self.ddefs.local(" ".join(name.split()))
        if t is not None:
            return t
        return self.kernel_type(name)

    def kernel_type(self, name: str):
        try:
            k = self.kernel
        except Exception:   # no kernel to ask (host unreachable): only intrinsic types
            return None
        return k.types.find(name) if k is not None else None

    def is_type_name(self, name: str) -> bool:
        """The lexer's question (identifiers only): does ``name`` name a type?"""
        if name in _INTRINSIC or self.ddefs.local(name) is not None:
            return True
        if not name.endswith("_t") and "`" not in name:
            return False
        return self.find(name) is not None

    def base_type(self, words: list[str]):
        """The type of a keyword list such as ``unsigned long long``; None if invalid."""
        ws = [w for w in words if w != "signed"]
        unsigned = "unsigned" in ws
        ws = [w for w in ws if w != "unsigned"]
        key = " ".join(ws) or "int"
        if key == "long int":
            key = "long"
        if key in ("void", "string"):
            return None if unsigned or "signed" in words else self.intrinsic(key)
        if key not in ("char", "short", "int", "long", "long long", "short int", "long long int"):
            return None
        key = key.replace(" int", "")
        if unsigned:
            return _BASE["unsigned " + key]
        if "signed" in words and key == "char":
            return _BASE["signed char"]
        return _BASE[key]


class _KernelTypes:
    """The D container's parent: D declarations refer to the kernel's types (and D's intrinsics)."""

    def __init__(self, env: TypeEnv):
        self.env = env

    def lookup(self, name: str):
        return self.env.intrinsic(name) or self.env.kernel_type(name)
