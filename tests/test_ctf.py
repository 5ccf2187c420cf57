"""C type layout and naming, checked against what gcc gives on amd64.

Each case is a declaration and the sizes, alignments and member offsets gcc
12 (x86_64, LP64) computes for it, written out by hand (the values were
printed by a small C program with sizeof, _Alignof and offsetof).
"""

import pytest

from kdebug.kernel import cdecl, ctf


def build(text):
    reg = ctf.TypeRegistry()
    cdecl.parse_header(text, reg.base, {})
    return reg


# (declaration, type name, size, alignment, {member: (bit offset, bit width or None)})
LAYOUTS = [
    ("struct pid { unsigned int pid_prinactive:1, pid_pgorphaned:1, pid_padding:6, pid_prslot:24;"
     " int pid_id; struct pid *pid_pglink; };",
     "struct pid", 16, 8,
     {"pid_prinactive": (0, 1), "pid_pgorphaned": (1, 1), "pid_padding": (2, 6), "pid_prslot": (8, 24),
      "pid_id": (32, None), "pid_pglink": (64, None)}),
    ("struct s1 { char a; int b:4; };", "struct s1", 4, 4, {"a": (0, None), "b": (8, 4)}),
    ("struct s2 { char a; long b:60; char c:7; };", "struct s2", 24, 8,
     {"b": (64, 60), "c": (128, 7)}),
    ("struct s3 { char a; int :0; char b; };", "struct s3", 5, 1, {"b": (32, None)}),
    ("struct s4 { long b; char c[3]; };", "struct s4", 16, 8, {"c": (64, None)}),
    ("union u { int frodo; char sam; long gandalf; };", "union u", 8, 8,
     {"frodo": (0, None), "sam": (0, None), "gandalf": (0, None)}),
    ("struct s5 { short a; char b:3; char c:6; int d:20; int e:20; };", "struct s5", 12, 4,
     {"b": (16, 3), "c": (24, 6), "d": (32, 20), "e": (64, 20)}),
    ("struct s6 { char a; struct { int x; char y; } in; char z; double w; };", "struct s6", 24, 8,
     {"in": (32, None), "z": (96, None), "w": (128, None)}),
    ("struct s7 { int a; char flex[]; };", "struct s7", 4, 4, {"flex": (32, None)}),
    ("union u2 { char c:3; int i:17; };", "union u2", 4, 4, {"c": (0, 3), "i": (0, 17)}),
    ("struct s8 { char a; long double ld; };", "struct s8", 32, 16, {"ld": (128, None)}),
    ("struct s9 { unsigned long long a:1; char b; };", "struct s9", 8, 8, {"b": (8, None)}),
    ("struct list_node { struct list_node *list_next; struct list_node *list_prev; };"
     " struct list { unsigned long list_size; unsigned long list_offset; struct list_node list_head; };",
     "struct list", 32, 8, {"list_head": (128, None)}),
]


@pytest.mark.parametrize("decl,name,size,align,members", LAYOUTS, ids=[c[1] for c in LAYOUTS])
def test_layout_matches_gcc(decl, name, size, align, members):
    t = build(decl).lookup(name)
    assert (t.size, t.align) == (size, align)
    for mname, (bit, width) in members.items():
        m = t.member(mname)
        assert (m.bit_offset, m.bit_size) == (bit, width), mname


LP64_SIZES = [("char", 1), ("short", 2), ("int", 4), ("long", 8), ("long long", 8), ("float", 4),
              ("double", 8), ("long double", 16), ("_Bool", 1), ("void", 0), ("unsigned", 4),
              ("signed char", 1), ("unsigned long long", 8)]


@pytest.mark.parametrize("name,size", LP64_SIZES)
def test_base_type_sizes_lp64(name, size):
    reg = ctf.TypeRegistry()
    assert cdecl.parse_type_name(name, reg.base).size == size


TYPE_NAMES = [
    ("char *", "char *"), ("char [17]", "char [17]"), ("const char *", "const char *"),
    ("char *const", "char *const"), ("void (*)(int, char *)", "void (*)(int, char *)"),
    ("int (*)[4]", "int (*)[4]"), ("unsigned", "unsigned int"), ("long long unsigned", "unsigned long long"),
    ("short int", "short"), ("signed", "int"), ("char **", "char **"), ("int *[3]", "int *[3]"),
]


@pytest.mark.parametrize("text,expected", TYPE_NAMES)
def test_type_names_spelt_as_ctf(text, expected):
    reg = ctf.TypeRegistry()
    assert cdecl.parse_type_name(text, reg.base).name == expected


def test_typedef_enum_and_defines():
    reg = build("""
        #define MAXCOMLEN 16
        #define PSARGSZ (MAXCOMLEN * 5)
        typedef enum { B_FALSE, B_TRUE } boolean_t;
        typedef struct user { char u_comm[MAXCOMLEN + 1]; char u_psargs[PSARGSZ]; boolean_t u_b; } user_t;
        enum zs { A = 2, B, C = A + 5 };
    """)
    u = reg.lookup("user_t")
    assert isinstance(u, ctf.Typedef) and u.target is reg.lookup("struct user")
    assert u.member("u_comm").type.name == "char [17]"
    assert u.member("u_psargs").type.name == "char [80]"
    assert u.member("u_b").offset == 100 and u.size == 104
    assert reg.lookup("enum zs").values == [("A", 2), ("B", 3), ("C", 7)]
    assert reg.lookup("boolean_t").size == 4


def test_forward_declaration_completed_later_is_the_same_type():
    reg = build("struct a; struct b { struct a *p; }; struct a { int x; };")
    assert reg.lookup("struct b").member("p").type.target is reg.lookup("struct a")
    assert reg.lookup("struct a").complete


def test_forward_declaration_never_completed_stays_incomplete():
    reg = build("struct vfs; struct v { struct vfs *v_vfsp; };")
    assert not reg.lookup("struct vfs").complete


def test_module_scoping_and_parent_lookup():
    reg = ctf.TypeRegistry()
    cdecl.parse_header("typedef unsigned int uint_t;", reg.base, {})
    vmm = reg.container("vmm")
    cdecl.parse_header("typedef struct vmm_softc { uint_t vmm_flags; } vmm_softc_t;", vmm, {})
    assert reg.lookup("vmm_softc_t") is reg.lookup("vmm`vmm_softc_t")
    assert reg.lookup("struct vmm`vmm_softc") is reg.lookup("struct vmm_softc")
    assert vmm.lookup("uint_t") is reg.lookup("uint_t")   # through the parent
    with pytest.raises(ctf.TypeLookupError):
        reg.lookup("genunix`vmm_softc_t")


def test_unknown_type_name_is_a_lookup_error_with_libctf_text():
    with pytest.raises(ctf.TypeLookupError) as e:
        ctf.TypeRegistry().lookup("struct nosuch")
    assert str(e.value) == "No type information available for that name"


@pytest.mark.parametrize("text,message", [
    ("struct a { int x; int x; };", "duplicate name detected: x"),
    ("struct a { nosuch_t x; };", "unknown type name 'nosuch_t'"),
    ("struct a { int x[-1]; };", "Array lengths cannot be negative"),
    ("union a { int n; char f[]; };", "Flexible array members are only valid in structs."),
    ("struct a { int x; }; struct a { int y; };", "type name struct a already in use"),
    ("struct a { int x:33; };", "bit-field width 33 is invalid for int"),
    ("struct a { int x }", "syntax error"),
    ("int x[1/0];", "division by zero in constant expression"),
])
def test_bad_declarations_raise_cdecl_errors(text, message):
    with pytest.raises(cdecl.CDeclError) as e:
        build(text)
    assert message in str(e.value)


def test_syntax_error_carries_line_and_column():
    with pytest.raises(cdecl.CDeclError) as e:
        build("struct a {\n  int x;\n  int y z;\n};")
    assert (e.value.line, e.value.column) == (3, 9)


def test_function_prototypes_and_objects():
    reg = ctf.TypeRegistry()
    h = cdecl.parse_header("""
        typedef enum { B_FALSE, B_TRUE } boolean_t;
        boolean_t hvm_excl_hold(const char *consumer);
        void f(void);
        static const char *hvm_excl_holder;
        int printf(const char *fmt, ...);
    """, reg.base, {})
    hold = h.functions["hvm_excl_hold"]
    assert hold.ret is reg.lookup("boolean_t")
    assert [(n, t.name) for n, t in hold.params] == [("consumer", "const char *")]
    assert h.functions["f"].params == []
    assert h.functions["printf"].varargs
    assert h.objects["hvm_excl_holder"].name == "const char *"
    assert h.static == {"hvm_excl_holder"}


def test_integer_wrap():
    i8 = ctf.Integer("signed char", 1, True)
    u16 = ctf.Integer("unsigned short", 2, False)
    assert i8.wrap(0xfe) == -2 and i8.wrap(127) == 127
    assert u16.wrap(-2) == 65534
