"""::typedef: synthetic types (illumos mdb_typedef.c).

Types made here live in the target's synthetic container, which type
look-ups consult first; ``-c`` adds the C base types of a data model,
``::typedef OLD NEW`` names an existing type, and
``::typedef "struct NAME { ... }" NEW`` defines a struct or union (laid
out with natural alignment and, as libctf does, no trailing padding).
"""

from __future__ import annotations

import re

from ...kernel import ctf
from ...kernel.cdecl import CDeclError, parse_header
from ..registry import ERR, OK, USAGE, dcmd

_MODELS = {"LP64": 8, "lp64": 8, "ILP32": 4, "ilp32": 4, "LP32": 4, "lp32": 4}
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*$")

_HELP = (
    "Create a synthetic type or list existing synthetic types.\n\n"
    "  -c model   create the intrinsic types for a data model (LP64, ILP32)\n"
    "  -d         delete all synthetic types\n"
    "  -l         list all synthetic types\n"
    "  -r file    read CTF types from a file (not supported here)\n"
    "  -w file    write synthetic types to a file (not supported here)\n\n"
    "  ::typedef type name              name an existing type\n"
    "  ::typedef \"struct tag { ... }\" name   define a struct or union\n")


def _container(m) -> ctf.TypeContainer:
    return m.target.synthetic()


def _intrinsics(m, model: str) -> int:
    c = _container(m)
    if c.names:
        m.printf("failed to create intrinsic types, maybe they already exist\n")
        return ERR
    ptr = _MODELS[model]
    long_size = 8 if ptr == 8 else 4
    ints = [("char", 1, True, True), ("signed char", 1, True, True), ("unsigned char", 1, False, True),
            ("short", 2, True, False), ("unsigned short", 2, False, False), ("int", 4, True, False),
            ("unsigned int", 4, False, False), ("long", long_size, True, False),
            ("unsigned long", long_size, False, False), ("long long", 8, True, False),
            ("unsigned long long", 8, False, False)]
    for name, size, signed, is_char in ints:
        c.add(ctf.Integer(name, size, signed, char=is_char))
    c.add(ctf.Integer("_Bool", 1, False, boolean=True))
    c.add(ctf.Float("float", 4))
    c.add(ctf.Float("double", 8))
    c.add(ctf.Float("long double", 16 if ptr == 8 else 12))
    c.add(ctf.Void())
    for bits in (8, 16, 32, 64):
        c.add(ctf.Typedef(f"int{bits}_t", c.lookup({8: "signed char", 16: "short", 32: "int",
                                                    64: "long long"}[bits])))
        c.add(ctf.Typedef(f"uint{bits}_t", c.lookup({8: "unsigned char", 16: "unsigned short",
                                                     32: "unsigned int", 64: "unsigned long long"}[bits])))
    for name, base in (("intptr_t", "long"), ("uintptr_t", "unsigned long"), ("ptrdiff_t", "long"),
                       ("size_t", "unsigned long"), ("ssize_t", "long")):
        c.add(ctf.Typedef(name, c.lookup(base)))
    return OK


def _define(m, text: str, name: str) -> int:
    """``struct tag { type member; ... }`` as a new type called ``name``."""
    body = text.strip()
    kw = body.split(None, 1)[0] if body else ""
    if kw not in ("struct", "union"):
        m.printf("Invalid start of definition. Expected 'struct' or 'union'. Found: '%s'\n", kw)
        return ERR
    if not _IDENT.match(name):
        m.printf("The name %s is not a valid C identifier.\n", name)
        return ERR
    if m.target.find_type(name) is not None:
        m.printf("typedef name %s already exists\n", name)
        return ERR
    tag = body[len(kw):].split("{", 1)[0].strip()
    if tag and m.target.find_type(f"{kw} {tag}") is not None:
        m.printf("type name %s %s already in use\n", kw, tag)
        return ERR
    if "{" in body and not body.rstrip().endswith("}"):
        m.printf("Cannot find semi-colon to delineate the end of a member.\n")
        return ERR
    c = _container(m)
    try:
        parse_header(f"typedef {body} {name};", c, m.k.constants)
    except CDeclError as e:
        m.printf("%s\n", _typedef_error(str(e)))
        return ERR
    _drop_tail_padding(c.lookup(name))
    return OK


def _typedef_error(text: str) -> str:
    """libctf's wording for what the C parser rejected."""
    unknown = re.search(r"unknown type (?:name )?'?([A-Za-z_][\w ]*)'?", text)
    if unknown:
        return f"failed to add member: type {unknown.group(1)} does not exist"
    return text


def _drop_tail_padding(t) -> None:
    """libctf sizes a struct to the end of its last member (ctf_add_member), without padding."""
    r = ctf.resolve(t)
    if isinstance(r, ctf.Struct) and r.kind == "struct" and r.members:
        last = r.members[-1]
        size = last.offset + last.type.size if last.bit_size is None else (last.bit_offset + last.bit_size + 7) // 8
        r.size = size


@dcmd("typedef", "[-c model | -d | -l | -r file | -w file ] [type] [name]", "create synthetic types",
      help=_HELP)
def cmd_typedef(c) -> int:
    m = c.m
    args = [a for a in c.args]
    if c.has_addr:
        return USAGE
    opts = [a for a in args if isinstance(a, str) and a in ("-c", "-d", "-l", "-r", "-w")]
    if len(opts) > 1:
        return USAGE
    if opts:
        opt = opts[0]
        rest = [a for a in args if a is not opt]
        if opt == "-c":
            if len(rest) != 1:
                return USAGE
            if rest[0] not in _MODELS:
                m.printf("invalid data model: %s\n", rest[0])
                return ERR
            return _intrinsics(m, rest[0])
        if opt == "-d":
            if rest:
                return USAGE
            m.target.drop_synthetic()
            return OK
        if opt == "-l":
            if rest:
                return USAGE
            for t in _container(m).order:
                if isinstance(t, ctf.Typedef) or getattr(t, "tag", None):
                    m.printf("%s\n", t.name)
            return OK
        m.warn("reading and writing CTF files is not supported\n")
        return ERR
    if len(args) < 2 or not all(isinstance(a, str) for a in args):
        return USAGE
    name = args[-1]
    src = " ".join(args[:-1])
    if "{" in src:
        return _define(m, src, name)
    if m.target.find_type(name) is not None:
        m.printf("%s already exists\n", name)
        return ERR
    base = m.target.find_type(src)
    if base is None:
        m.printf("%s does not exist\n", src)
        return ERR
    if not _IDENT.match(name):
        m.printf("The name %s is not a valid C identifier.\n", name)
        return ERR
    _container(m).add(ctf.Typedef(name, base))
    return OK
