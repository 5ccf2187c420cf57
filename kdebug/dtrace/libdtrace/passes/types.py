"""Types: every expression gets its C (or D) type, and operators are checked.

Values follow C's rules in 64-bit registers: integer promotion and the usual
arithmetic conversions, pointer arithmetic scaled by the target's size,
string comparison by content.  A variable's type is fixed by its first
assignment.  Expressions that denote kernel memory (members through ``->``,
``*p``, kernel symbols) are marked ``node.lvalue = "mem"``; D variables are
``"dvar"``.  Integer constant expressions get ``node.const``.
"""

from __future__ import annotations

from ....kernel import ctf
from .. import ast, dtypes
from ..builtins import builtin_type
from ..dtypes import INT, LONG, ULONG, LLONG, ULLONG, UINT, SIZE_T, is_int, is_ptr, is_string, is_scalar
from ..functions import FUNCS
from .base import Pass

_AGG = object()      # the type of an @aggregation reference


def _q(t) -> str:
    return "aggregation" if t is _AGG else t.name


class Types(Pass):
    def run(self, program) -> None:
        self.clause = None
        self.xlating: set = set()        # (translator, member) being expanded: a cycle ends there
        self.visit(program)

    # -- program structure -----------------------------------------------------

    def visit_Decl(self, node):
        t = self.type_of(node.tname)
        for d in node.declarators:
            vt = t
            for _ in range(d.stars):
                vt = ctf.Pointer(vt)
            if isinstance(dtypes.r(vt), ctf.Void):
                self.error("D_DECL_VOIDOBJ", f"cannot have void object: {d.name}", d)
            d.var.type = vt
            if d.dims is not None:
                d.var.keys = [self.type_of(k) for k in d.dims]

    def visit_Inline(self, node):
        t = self.type_of(node.tname)
        self.visit(node.expr)
        self._check_assignable(t, node.expr, "=", node)
        node.type = t

    # -- translators ---------------------------------------------------------------

    def visit_Translator(self, node):
        out = self.type_of(node.out_t)
        st = dtypes.r(out)
        if node.out_t.stars or not isinstance(st, ctf.Struct):
            self.error("D_XLATE_SOU", "translator output type must be a struct or union", node.out_t)
        in_type = self.type_of(node.in_t)
        members = {}
        for m in node.members:
            if st.member(m.name) is None:
                self.error("D_XLATE_MEMB", f"translator member {m.name} is not a member of {_q(out)}", m)
            if m.name in members:
                self.error("D_XLATE_REDECL", f"translator member {m.name} is already defined", m)
            members[m.name] = m.expr
        from ..symbols import Translator
        self.syms.translators = [x for x in self.syms.translators
                                 if not (x.out is st and _same_type(x.in_type, in_type))]
        self.syms.translators.append(Translator(st, in_type, node.param, members))

    def visit_Xlate(self, node):
        self.visit(node.operand)
        out = self.type_of(node.tname)
        node.type, node.translator, node.lvalue = out, self._translator(node.operand.type, out, node), None

    def _translator(self, in_type, out, node):
        """The newest translator from ``in_type`` to ``out`` (a struct or a pointer to one)."""
        rt = dtypes.r(out)
        st = dtypes.r(rt.target) if isinstance(rt, ctf.Pointer) else rt
        found = next((x for x in reversed(self.syms.translators)
                      if x.out is st and _same_type(x.in_type, in_type)), None)
        if found is None:
            self.error("D_XLATE_NONE", f'cannot translate from "{_q(in_type)}" to "{_q(out)}"', node)
        return found

    def _translated_member(self, node, xl):
        """``xlate<T *>(e)->m`` (or through an inline such as curpsinfo): the translator's
        expression for ``m`` with ``e`` in place of its parameter, typed as T's member."""
        rt = dtypes.r(xl.type)
        if node.op == "->" and not isinstance(rt, ctf.Pointer):
            self.error("D_OP_PTR", "operator -> must be applied to a pointer", node)
        if node.op == "." and isinstance(rt, ctf.Pointer):
            self.error("D_OP_SOU", f'operator . cannot be applied to type "{_q(xl.type)}"; '
                       f"must be applied to a struct or union", node)
        expr = xl.translator.members.get(node.name)
        if expr is None:
            self.error("D_XLATE_NOCONV", f"translator does not define conversion for member: {node.name}", node)
        # A member defined through its own translator (directly or by way of others) never ends:
        # within its own definition a translator is not yet there to use.
        key = (id(xl.translator), node.name)
        if key in self.xlating:
            self.error("D_XLATE_NONE", f'cannot translate from "{_q(xl.operand.type)}" to "{_q(xl.type)}"', node)
        from .names import Names
        expr = ast.substitute(ast.clone(expr), xl.translator.param, xl.operand)
        names = Names(self.comp)
        names.clause = self.clause
        names.visit(expr)
        self.xlating.add(key)
        try:
            self.visit(expr)
        finally:
            self.xlating.discard(key)
        node.translated = expr
        node.type, node.lvalue = xl.translator.out.member(node.name).type, None

    def visit_Clause(self, node):
        self.clause = node
        if node.pred is not None:
            self.visit(node.pred)
            if isinstance(node.pred, ast.Call) and FUNCS[node.pred.name].kind != "subr":
                pass   # an action in a predicate: the prototypes pass reports D_OP_ACT
            elif not (is_scalar(node.pred.type) or is_string(node.pred.type)) or node.pred.type is _AGG:
                self.error("D_PRED_SCALAR", "predicate result must be of scalar type", node.pred)
        for s in node.body:
            self.visit(s)
        self.clause = None

    def visit_If(self, node):
        self.visit(node.cond)
        if not is_scalar(node.cond.type) and not is_string(node.cond.type):
            self.error("D_SYNTAX", "if condition must be of scalar type", node.cond)
        for s in node.then + node.els:
            self.visit(s)

    def visit_ExprStmt(self, node):
        self.visit(node.expr)

    # -- types named in programs -------------------------------------------------

    def type_of(self, tn: ast.TypeName):
        if tn.kind == "base":
            t = self.env.base_type(tn.words)
            if t is None:
                self.error("D_DECL_COMBO", "invalid type combination", tn)
        elif tn.kind == "named":
            t = self.env.find(tn.name)
        else:
            t = self.env.find(f"{tn.kind} {tn.name}")
        if t is None:
            name = tn.name if tn.kind == "named" else f"{tn.kind} {tn.name}"
            self.error("D_TYPE_ERR", f"failed to resolve type {name}: No type information available for that name",
                       tn)
        for _ in range(tn.stars):
            t = ctf.Pointer(t)
        return t

    # -- leaves ------------------------------------------------------------------

    def visit_IntConst(self, node):
        node.const, node.type = _int_constant(self, node)

    def visit_CharConst(self, node):
        from ..parser import unescape
        chars = unescape(node.text[1:-1])
        if not chars:
            self.error("D_CHR_NULL", "empty character constant", node)
        if len(chars) > 8:
            self.error("D_CHR_OFLOW", "character constant is too long", node)
        v = 0
        for c in chars:
            v = (v << 8) | (ord(c) & 0xff)
        node.const, node.type = (ctf.Integer.wrap(INT, v) if len(chars) <= 4 else v), INT

    def visit_FloatConst(self, node):
        self.error("D_SYNTAX", "floating-point constants are not permitted", node)

    def visit_StrConst(self, node):
        node.type = self.env.string

    def visit_Macro(self, node):
        v = node.value
        if isinstance(v, str):
            node.type = self.env.string
        else:
            node.const, node.type = v, (INT if -2**31 <= v < 2**31 else LONG)

    def visit_AggRef(self, node):
        node.type = _AGG

    def visit_Ident(self, node):
        kind = node.kind
        if kind == "var":
            v = node.var
            if v.assoc:
                self.error("D_IDENT_BADREF", f"associative array '{v.name}' may not be referenced as scalar", node)
            if v.type is None:
                self.error("D_VAR_UNDEF", f"{v.name} has not yet been declared or assigned", node)
            node.type, node.lvalue = v.type, "dvar"
        elif kind == "inline":
            node.type = node.inline.type
            node.const = getattr(node.inline.expr, "const", None)
        elif kind == "builtin":
            node.type = builtin_type(self.env, node.name)
            if node.type is None:
                self.error("D_IDENT_UNDEF", f"failed to resolve {node.name}: Unknown variable name", node)
        elif kind == "ksym":
            sym = node.sym
            if sym.kind == "FUNC":
                node.type, node.const = ctf.Pointer(sym.type or dtypes.VOID), sym.addr
                node.lvalue = None
            else:
                node.type, node.lvalue, node.addr = sym.type or LONG, "mem", sym.addr
        elif kind == "args":
            node.type = "args"
        else:
            self.error("D_FUNC_IDKIND", f"function '{node.name}' may not be referenced as a variable", node)

    def visit_SelfVar(self, node):
        self._dvar(node)

    def visit_ThisVar(self, node):
        self._dvar(node)

    def _dvar(self, node):
        v = node.var
        if v.assoc:
            self.error("D_IDENT_BADREF", f"associative array '{v.label}' may not be referenced as scalar", node)
        if v.type is None:
            self.error("D_VAR_UNDEF", f"{v.label} has not yet been declared or assigned", node)
        node.type, node.lvalue = v.type, "dvar"

    # -- operators -----------------------------------------------------------------

    def visit_Binop(self, node):
        self.visit(node.left)
        self.visit(node.right)
        op, lt, rt = node.op, node.left.type, node.right.type
        if lt is _AGG or rt is _AGG or lt == "args" or rt == "args":
            self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(lt) if lt != "args" else "args"}" '
                       f'{op} "{_q(rt) if rt != "args" else "args"}"', node)
        if op in ("==", "!=", "<", "<=", ">", ">="):
            if dtypes.is_stringish(lt) and dtypes.is_stringish(rt) and (is_string(lt) or is_string(rt)):
                node.type, node.strcmp = INT, True
                return
            if not (is_scalar(lt) and is_scalar(rt)):
                self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(lt)}" {op} "{_q(rt)}"', node)
            node.type, node.strcmp = INT, False
            node.optype = dtypes.arith_type(lt, rt) if is_int(lt) and is_int(rt) else ULONG
            self._fold(node)
            return
        if op in ("+", "-") and (is_ptr(lt) or is_ptr(rt)):
            if op == "-" and is_ptr(lt) and is_ptr(rt):
                node.type, node.scale = LONG, _pointee_size(lt) or 1
            elif is_ptr(lt) and is_int(rt):
                node.type, node.scale = lt, _pointee_size(lt) or 1
            elif op == "+" and is_int(lt) and is_ptr(rt):
                node.type, node.scale = rt, _pointee_size(rt) or 1
            else:
                self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(lt)}" {op} "{_q(rt)}"', node)
            return
        if op in ("&", "|", "^", "<<", ">>", "%"):
            if not (is_int(lt) and is_int(rt)):
                self.error("D_OP_INT", f"operator {op} requires operands of integral type", node)
        elif not (is_int(lt) and is_int(rt)):
            if op in ("+", "-") and not (is_scalar(lt) and is_scalar(rt)):
                self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(lt)}" {op} "{_q(rt)}"', node)
            self.error("D_OP_ARITH", f"operator {op} requires operands of arithmetic type", node)
        node.type = dtypes.promote(lt) if op in ("<<", ">>") else dtypes.arith_type(lt, rt)
        if op in ("/", "%") and getattr(node.right, "const", None) == 0:
            self.error("D_DIV_ZERO", "expression contains division by zero", node)
        self._fold(node)

    def _fold(self, node):
        a, b = getattr(node.left, "const", None), getattr(node.right, "const", None)
        if a is None or b is None:
            return
        from ..consteval import fold_binop
        node.const = fold_binop(node, a, b)

    def visit_Logical(self, node):
        self.visit(node.left)
        self.visit(node.right)
        for side in (node.left, node.right):
            if not is_scalar(side.type) or side.type is _AGG:
                self.error("D_OP_SCALAR", f"operator {node.op} requires operands of scalar type", node)
        node.type = INT

    def visit_Unop(self, node):
        self.visit(node.operand)
        op, t = node.op, node.operand.type
        if t is _AGG or t == "args":
            self.error("D_OP_SCALAR" if op == "!" else "D_OP_INT", f"operator {op} requires an operand of "
                       f"{'scalar' if op == '!' else 'integral'} type", node)
        if op == "!":
            if not is_scalar(t):
                self.error("D_OP_SCALAR", "operator ! requires an operand of scalar type", node)
            node.type = INT
        elif op == "~":
            if not is_int(t):
                self.error("D_OP_INT", "operator ~ requires an operand of integral type", node)
            node.type = dtypes.promote(t)
        elif op in ("-", "+"):
            if not is_int(t):
                self.error("D_OP_ARITH", f"operator {op} requires an operand of arithmetic type", node)
            node.type = dtypes.promote(t)
        elif op == "*":
            rt = dtypes.r(t)
            if isinstance(rt, ctf.Array):
                node.type = rt.elem
            elif not isinstance(rt, ctf.Pointer):
                self.error("D_DEREF_NONPTR", "cannot dereference non-pointer type", node)
            elif isinstance(dtypes.r(rt.target), ctf.Void):
                self.error("D_DEREF_VOID", "cannot dereference pointer to void", node)
            else:
                node.type = rt.target
            node.lvalue = "mem"
            return
        elif op == "&":
            lv = getattr(node.operand, "lvalue", None)
            if lv == "dvar":
                self.error("D_ADDROF_VAR", "cannot take address of dynamic variable", node)
            if lv != "mem":
                self.error("D_ADDROF_LVAL", "unacceptable operand for unary & operator", node)
            node.type = ctf.Pointer(t)
        c = getattr(node.operand, "const", None)
        if c is not None and op in ("-", "~", "!", "+"):
            from ..consteval import fold_unop
            node.const = fold_unop(node, c)

    def visit_IncDec(self, node):
        self.visit(node.operand)
        t = node.operand.type
        if getattr(node.operand, "lvalue", None) != "dvar":
            self.error("D_OP_LVAL" if getattr(node.operand, "lvalue", None) is None else "D_OP_WRITE",
                       f"operator {node.op} requires modifiable lvalue as an operand"
                       if getattr(node.operand, "lvalue", None) is None
                       else f"operator {node.op} can only be applied to a writable variable", node)
        if not is_scalar(t):
            self.error("D_OP_SCALAR", f"operator {node.op} requires an operand of scalar type", node)
        node.type = t
        node.scale = (_pointee_size(t) or 1) if is_ptr(t) else 1

    def visit_Assign(self, node):
        target = node.target
        if isinstance(target, ast.AggRef) or (isinstance(target, ast.Index) and isinstance(target.base, ast.AggRef)):
            if isinstance(target, ast.Index):
                for k in target.args:
                    self.visit(k)
            self.visit(node.value)
            node.type = None
            node.aggregation = True
            return
        self.visit(node.value)
        vt = node.value.type
        if vt is _AGG:
            self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(self._target_type(target))}" '
                       f'{node.op} "aggregation"', node)
        if node.op == "=" and self._first_assignment(target, node.value):
            pass
        self.visit(target)
        lv = getattr(target, "lvalue", None)
        if lv != "dvar":
            if lv == "mem" or (isinstance(target, ast.Ident) and target.kind == "builtin"):
                self.error("D_OP_WRITE", f"operator {node.op} can only be applied to a writable variable", node)
            self.error("D_OP_LVAL", f"operator {node.op} requires modifiable lvalue as an operand", node)
        self._check_assignable(target.type, node.value, node.op, node)
        node.type = target.type
        node.scale = (_pointee_size(target.type) or 1) if is_ptr(target.type) else 1

    def _target_type(self, target):
        return getattr(target, "type", None) or INT

    def _first_assignment(self, target, value) -> bool:
        """Give a variable its type at its first assignment."""
        var = None
        base = target.base if isinstance(target, ast.Index) else target
        if isinstance(base, ast.Ident) and getattr(base, "kind", None) == "var":
            var = base.var
        elif isinstance(base, (ast.SelfVar, ast.ThisVar)):
            var = base.var
        if var is None:
            return False
        if isinstance(target, ast.Index) and var.keys is None and var.assoc:
            for a in target.args:
                self.visit(a)
            var.keys = [self._key_type(a) for a in target.args]
        if var.type is None:
            vt = value.type
            if dtypes.is_char_array(vt) or (dtypes.is_string(vt)):
                vt = self.env.string
            elif isinstance(dtypes.r(vt), (ctf.Struct, ctf.Array)):
                self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{vt.name}" = "{vt.name}"', value)
            elif isinstance(dtypes.r(vt), ctf.Void):
                self.error("D_OP_VFPTR", "operator = requires an operand of known size", value)
            var.type = vt
            return True
        return False

    def _key_type(self, a):
        t = a.type
        if dtypes.is_char_array(t):
            return self.env.string
        if t is _AGG or isinstance(dtypes.r(t), (ctf.Struct, ctf.Void)):
            self.error("D_KEY_TYPE", f"{_q(t)} expression may not be used as associative array index: key #1", a)
        return t

    def _check_assignable(self, tt, value, op, node):
        vt = value.type
        if op != "=":
            if not (is_int(tt) and is_int(vt)) and not (is_ptr(tt) and is_int(vt) and op in ("+=", "-=")):
                self.error("D_OP_INT" if op not in ("+=", "-=", "*=", "/=") else "D_OP_ARITH",
                           f"operator {op} requires operands of "
                           f"{'integral' if op not in ('+=', '-=', '*=', '/=') else 'arithmetic'} type", node)
            return
        if is_string(tt):
            if dtypes.is_stringish(vt):
                return
        elif is_int(tt) and is_int(vt):
            return
        elif is_ptr(tt) and (is_ptr(vt) or (is_int(vt) and getattr(value, "const", None) == 0)):
            return
        elif is_ptr(tt) and is_int(vt):
            return
        elif is_int(tt) and is_ptr(vt):
            return
        self.error("D_OP_INCOMPAT", f'operands have incompatible types: "{_q(tt)}" {op} "{_q(vt)}"', node)

    def visit_Cond(self, node):
        self.visit(node.test)
        self.visit(node.then)
        self.visit(node.els)
        a, b = node.then.type, node.els.type
        if not is_scalar(node.test.type):
            self.error("D_OP_SCALAR", "operator ?: requires a scalar first operand", node)
        if is_int(a) and is_int(b):
            node.type = dtypes.arith_type(a, b)
        elif dtypes.is_stringish(a) and dtypes.is_stringish(b):
            node.type = self.env.string
        elif is_scalar(a) and is_scalar(b):
            node.type = a if is_ptr(a) else b
        else:
            self.error("D_OP_INCOMPAT", f'operator ?: operands must have compatible types', node)

    def visit_Cast(self, node):
        self.visit(node.operand)
        t = self.type_of(node.tname)
        vt = node.operand.type
        if is_string(t):
            if not (dtypes.is_stringish(vt) or is_scalar(vt)):
                self.error("D_CAST_INVAL", f'invalid cast expression: "{_q(vt)}" to "{t.name}"', node)
        elif not (is_scalar(t) and is_scalar(vt)) and not isinstance(dtypes.r(t), ctf.Void):
            self.error("D_CAST_INVAL", f'invalid cast expression: "{_q(vt)}" to "{t.name}"', node)
        node.type = t
        c = getattr(node.operand, "const", None)
        if c is not None and is_int(t):
            size, signed = dtypes.int_type(t)
            node.const = _wrap(c, size, signed)

    def visit_SizeofExpr(self, node):
        self.visit(node.operand)
        t = node.operand.type
        if t is _AGG or t == "args" or isinstance(dtypes.r(t), (ctf.Void, ctf.Function)):
            self.error("D_SIZEOF_TYPE", "cannot apply sizeof to an operand of unknown size", node)
        node.type, node.const = SIZE_T, t.size

    def visit_SizeofType(self, node):
        t = self.type_of(node.tname)
        if isinstance(dtypes.r(t), (ctf.Void, ctf.Function)):
            self.error("D_SIZEOF_TYPE", "cannot apply sizeof to an operand of unknown size", node)
        node.type, node.const = SIZE_T, t.size

    def visit_Stringof(self, node):
        self.visit(node.operand)
        t = node.operand.type
        if not (is_scalar(t) or dtypes.is_stringish(t)) or t is _AGG:
            self.error("D_STRINGOF_TYPE", f"cannot apply stringof to a value of type {_q(t)}", node)
        node.type = self.env.string

    def visit_Offsetof(self, node):
        t = dtypes.r(self.type_of(node.tname))
        if not isinstance(t, ctf.Struct):
            self.error("D_OFFSETOF_TYPE", "offsetof operand must be a struct or union type", node)
        m = t.member(node.member)
        if m is None:
            self.error("D_UNKNOWN", f"{node.member} is not a member of {t.name}", node)
        node.type, node.const = SIZE_T, m.offset

    def visit_Comma(self, node):
        self.visit(node.left)
        self.visit(node.right)
        node.type = node.right.type

    # -- postfix -------------------------------------------------------------------

    def visit_Member(self, node):
        self.visit(node.base)
        xl = node.base
        while isinstance(xl, ast.Ident) and getattr(xl, "kind", None) == "inline":
            xl = xl.inline.expr
        if getattr(xl, "xlate_from", None) is not None:
            xl = self._translated_arg(xl)
        if isinstance(xl, ast.Xlate):
            return self._translated_member(node, xl)
        t = node.base.type
        if t is _AGG or t == "args":
            self.error("D_OP_SOU", f"operator {node.op} cannot be applied to a non-struct", node)
        rt = dtypes.r(t)
        if node.op == "->":
            if not isinstance(rt, ctf.Pointer):
                self.error("D_OP_PTR", "operator -> must be applied to a pointer", node)
            st = dtypes.r(rt.target)
            if not isinstance(st, ctf.Struct):
                self.error("D_OP_SOU", f'operator -> cannot be applied to pointer to type "{rt.target.name}"; '
                           f"must be applied to a struct or union pointer", node)
        else:
            st = rt
            if not isinstance(st, ctf.Struct) or getattr(node.base, "lvalue", None) != "mem":
                self.error("D_OP_SOU", f'operator . cannot be applied to type "{_q(t)}"; '
                           f"must be applied to a struct or union", node)
        m = st.member(node.name)
        if m is None:
            from ....suggest import closest
            self.error("D_TYPE_MEMBER", f"{node.name} is not a member of {st.name}", node,
                       closest(node.name, [x.name for x in st.members if x.name]))
        if m.bit_size is not None:
            node.bitfield = (m.bit_offset, m.bit_size)
        node.member_offset = m.offset
        node.type, node.lvalue = m.type, "mem"

    def visit_Index(self, node):
        base = node.base
        if isinstance(base, ast.AggRef):
            self.visit(base)
            for a in node.args:
                self.visit(a)
            self.error("D_AGG_FUNC", f"@{base.name} must be assigned the result of an aggregating function"
                       if False else "aggregation may not be used in an expression context", node)
        if isinstance(base, ast.Ident) and getattr(base, "kind", None) == "args":
            return self._args(node)
        if isinstance(base, (ast.Ident, ast.SelfVar)) and getattr(base, "var", None) is not None and \
                (base.var.assoc or getattr(base, "kind", "var") == "var" and base.var.assoc):
            return self._assoc(node, base.var)
        if isinstance(base, ast.Ident) and getattr(base, "kind", None) == "var" and not base.var.assoc:
            self.error("D_IDENT_BADREF", f"scalar '{base.var.name}' may not be referenced as array", node)
        if isinstance(base, ast.ThisVar):
            self.error("D_ARR_LOCAL", f"local variables may not be used as associative arrays: {base.name}", node)
        if isinstance(base, ast.SelfVar) and not base.var.assoc:
            self.error("D_IDENT_BADREF", f"scalar 'self->{base.name}' may not be referenced as array", node)
        self.visit(base)
        for a in node.args:
            self.visit(a)
        rt = dtypes.r(base.type) if base.type not in (_AGG, "args") else None
        if not isinstance(rt, (ctf.Pointer, ctf.Array)):
            self.error("D_ARR_BADREF", "cannot access a non-array as an associative array" if rt is None else
                       f"operator [ ] may not be applied to operand of type \"{_q(base.type)}\"", node)
        if len(node.args) != 1 or not is_int(node.args[0].type):
            self.error("D_ARR_BADREF", "operator [ ] requires an integer index", node)
        elem = rt.target if isinstance(rt, ctf.Pointer) else rt.elem
        node.type, node.lvalue, node.elem_size = elem, "mem", elem.size

    def _args(self, node):
        for a in node.args:
            self.visit(a)
        i = getattr(node.args[0], "const", None) if len(node.args) == 1 else None
        if i is None:
            self.error("D_ARGS_IDX", "args[ ] index must be an integer constant", node)
        types = self.comp.clause_arg_types(self.clause, node)
        if not 0 <= i < len(types):
            desc = self.clause.descs[0].fields if self.clause.descs else ["", "", "", ""]
            self.error("D_ARGS_IDX", f"index {i} is out of range for {':'.join(desc)} args[ ]", node)
        node.arg_index = i
        t = types[i]
        if isinstance(t, tuple):             # a translated argument: psinfo_t * from the native proc_t *
            t, native = t
            if getattr(node, "native_arg", False):
                t = native
            else:
                node.xlate_from = native
        node.type = t
        node.lvalue = None

    def _translated_arg(self, arg):
        """``args[i]`` of a translated type as ``xlate <T>(native args[i])``."""
        native = ast.clone(arg)
        native.native_arg, native.xlate_from, native.type = True, None, arg.xlate_from
        self.comp.handle.load_library()
        xl = ast.Xlate(arg.span, operand=native, tname=None)
        xl.type, xl.translator, xl.lvalue = arg.type, self._translator(native.type, arg.type, arg), None
        return xl

    def _assoc(self, node, var):
        for a in node.args:
            self.visit(a)
        if var.keys is not None and len(var.keys) != len(node.args):
            self.error("D_ARR_BADREF" if False else "D_PROTO_LEN",
                       f"{var.name}[ ] prototype mismatch: {len(node.args)} key{'s' if len(node.args) != 1 else ''} "
                       f"passed, {len(var.keys)} expected", node)
        if var.keys is None:
            var.keys = [self._key_type(a) for a in node.args]
        for i, (proto, a) in enumerate(zip(var.keys, node.args), 1):
            if not dtypes.arg_compat(proto, self._key_type(a)):
                self.error("D_PROTO_ARG", f"{var.name}[ ] argument #{i} is incompatible with prototype:\n"
                           f"\tprototype: {dtypes.tname(proto)}\n\t argument: {dtypes.tname(a.type)}", a)
        if var.type is None:
            self.error("D_VAR_UNDEF", f"{var.label} has not yet been declared or assigned", node)
        node.type, node.lvalue, node.var = var.type, "dvar", var

    def visit_Call(self, node):
        for a in node.args:
            self.visit(a)
        f = FUNCS[node.name]
        if node.name in ("stack", "ustack", "jstack"):
            node.type = dtypes.StackType(user=node.name != "stack")
            return
        if node.name in ("func", "sym", "mod", "ufunc", "usym", "umod", "uaddr"):
            node.type = dtypes.SymAddr(node.name)
            return
        if f.ret is None:
            node.type = dtypes.VOID
            return
        base, _, stars = f.ret.partition(" ")
        t = self.env.find(base)
        if t is None:
            self.error("D_IDENT_UNDEF", f"failed to resolve {f.ret}: No type information available for that name",
                       node)
        for _ in stars.strip():
            t = ctf.Pointer(t)
        node.type = t


def _pointee_size(t) -> int:
    rt = dtypes.r(t)
    return dtypes.r(rt.target).size if isinstance(rt, ctf.Pointer) else 0


def _wrap(v: int, size: int, signed: bool) -> int:
    bits = 8 * size
    v &= (1 << bits) - 1
    if signed and v >> (bits - 1):
        v -= 1 << bits
    return v


def _int_constant(p, node):
    text = node.text
    body = text.rstrip("uUlL")
    suffix = text[len(body):].lower()
    if body[:2].lower() == "0x":
        digits, base = body[2:], 16
        valid = "0123456789abcdefABCDEF"
    elif len(body) > 1 and body[0] == "0":
        digits, base, valid = body[1:], 8, "01234567"
    else:
        digits, base, valid = body, 10, "0123456789"
    for ch in digits:
        if ch not in valid:
            p.error("D_INT_DIGIT", f"constant {text} contains invalid digit {ch}", node)
    if suffix not in ("", "u", "l", "ul", "lu", "ll", "ull", "llu"):
        p.error("D_INT_DIGIT", f"constant {text} contains invalid digit {suffix[0]}", node)
    v = int(digits or "0", base)
    if v >= 1 << 64:
        p.error("D_INT_OFLOW", f"constant {text} results in integer overflow", node)
    unsigned = "u" in suffix
    longs = suffix.count("l")
    candidates = []
    if longs == 0:
        candidates += [INT, UINT] if (unsigned or base != 10) else [INT]
    if longs <= 1:
        candidates += [LONG, ULONG] if (unsigned or base != 10) else [LONG]
    candidates += [LLONG, ULLONG]
    for t in candidates:
        if unsigned and t.signed:
            continue
        if v < (1 << (8 * t.size - (1 if t.signed else 0))):
            return v, t
    return v, ULLONG


def _same_type(a, b) -> bool:
    """Do two types name the same thing (a translator's input and an expression's type)?"""
    ra, rb = dtypes.r(a), dtypes.r(b)
    if isinstance(ra, ctf.Pointer) and isinstance(rb, ctf.Pointer):
        return _same_type(ra.target, rb.target)
    if isinstance(ra, ctf.Pointer) or isinstance(rb, ctf.Pointer):
        return False
    return ra is rb or ctf.type_name(ra) == ctf.type_name(rb)
