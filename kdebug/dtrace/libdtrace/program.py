"""Compiling one D program (dt_cc.c): parse, the passes in order, then code generation.

A :class:`Compilation` is what the passes see: the source, the consumer's
shared symbols and options, and the questions only the kernel can answer
(which probes match, their argument types, kernel symbols), asked through
the consumer's handle.
"""

from __future__ import annotations

import os

from ...kernel import ctf
from . import dtypes
from .codegen import generate
from .errors import CompileError, Source
from .options import OptionError
from .parser import parse
from .passes import run_passes

__all__ = ["Compilation", "compile_program", "Program"]


class Program:
    """A compiled program: its IR (plain data), clause descriptions and matched-probe count."""

    def __init__(self, source: Source, ir: dict, clauses: list, matched: int):
        self.source = source
        self.ir = ir
        self.clauses = clauses
        self.matched = matched


class Compilation:
    def __init__(self, handle, source: Source, pdesc_kind: str):
        self.handle = handle
        self.source = source
        self.pdesc_kind = pdesc_kind
        self.syms = handle.syms
        self.env = handle.env
        self.options = handle.options
        self.program = None

    @property
    def strsize(self) -> int:
        return self.options["strsize"]

    # -- options ---------------------------------------------------------------

    def option(self, name: str):
        return self.options[name]

    def set_option(self, name: str, value, from_program: bool = False) -> str | None:
        try:
            self.options.set(name, value, from_program=from_program)
        except OptionError as e:
            return str(e)
        if name == "strsize":
            self.env.string.size = self.options["strsize"]
        return None

    def next_clause_index(self) -> int:
        self.handle.clause_count += 1
        return self.handle.clause_count - 1

    # -- macros ------------------------------------------------------------------

    def _macro(self, text: str, node):
        name = text.lstrip("$")
        args = self.handle.macro_args
        if name.isdigit():
            i = int(name)
            if i >= len(args):
                if self.options["defaultargs"]:
                    return "" if text.startswith("$$") else 0
                raise CompileError("D_MACRO_UNDEF", f"macro argument {text} is not defined", node.span)
            self.handle.macros_used.add(i)
            return args[i]
        from ...host.zygote import process_ids
        pid, ppid = process_ids()
        values = {"pid": pid, "ppid": ppid, "uid": os.getuid(), "gid": os.getgid(),
                  "euid": os.geteuid(), "egid": os.getegid(), "pgid": os.getpgid(0), "sid": os.getsid(0),
                  "projid": 0, "taskid": 0, "target": self.handle.target_pid or 0}
        if name not in values:
            raise CompileError("D_MACRO_UNDEF", f"macro variable {text} is not defined", node.span)
        return str(values[name])

    def macro_text(self, text: str, node) -> str:
        return str(self._macro(text, node))

    def macro_value(self, text: str, node):
        v = self._macro(text, node)
        if isinstance(v, int) or text.startswith("$$"):
            return v
        try:
            return int(v, 0)
        except ValueError:
            return v

    def check_unused_macros(self) -> None:
        """Checked by the consumer once every program is compiled."""

    # -- questions for the kernel ---------------------------------------------------

    def match_probes(self, fields, probe_id: int | None = None) -> list[dict]:
        return self.handle.match(fields, probe_id)

    def kernel_symbol(self, name: str, node):
        k = self.env.kernel
        sym = k.symtab.find(name.lstrip("`"))
        if sym is None:
            raise CompileError("D_IDENT_UNDEF", f"failed to resolve {name}: Unknown symbol name", node.span)
        return sym

    def clause_arg_types(self, clause, node) -> list:
        sigs = set()
        for d in clause.descs:
            for p in d.probes:
                sigs.add(tuple(self.handle.probe_args(p["id"])))
        if len(sigs) > 1:
            desc = ":".join(clause.descs[0].fields)
            raise CompileError("D_ARGS_MULTI", f"args[ ] may not be referenced because probe description {desc} "
                               "matches an unstable set of probes", node.span)
        sig = next(iter(sigs), ())
        return [self.arg_type(s) for s in sig]

    def arg_type(self, spelled: str):
        """The type of a probe argument as its provider spells it; a translated one
        (``"proc_t * => psinfo_t *"``) as the pair (translated type, native type)."""
        native, arrow, translated = spelled.partition("=>")
        if arrow:
            return self.arg_type(translated.strip()), self.arg_type(native.strip())
        words = [w for w in spelled.replace("*", " * ").split() if w not in ("const", "volatile")]
        stars = words.count("*")
        words = [w for w in words if w != "*"]
        base = " ".join(words)
        t = self.env.base_type(words) if all(w in ("unsigned", "signed", "char", "short", "int", "long", "void")
                                              for w in words) else self.env.find(base)
        if t is None:
            t = dtypes.INT64_T
        for _ in range(stars):
            t = ctf.Pointer(t)
        return t


def compile_program(handle, source: Source, pdesc_kind: str = "n") -> Program:
    """Compile ``source``; raises CompileError."""
    comp = Compilation(handle, source, pdesc_kind)
    if pdesc_kind != "lib":
        handle.need_library_types(source.text)
    try:
        prog = parse(source.text, handle.env.is_type_name)
        comp.program = prog
        run_passes(comp)
        ir, clauses = generate(comp, prog)
    except RecursionError:
        # The compiler walks the tree recursively; dt_grammar.y's parser stack has a limit too.
        raise CompileError("D_SYNTAX", "program nested too deeply") from None
    matched = sum(len(d) for c in ir["clauses"] for d in c["ids"])
    program = Program(source, ir, clauses, matched)
    program.tree = prog             # the typed AST, for --explain
    return program
