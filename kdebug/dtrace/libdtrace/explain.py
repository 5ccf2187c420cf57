"""``dtrace --explain``: what a compiled D program will do, clause by clause, in plain words.

kdebug's teaching aid; dtrace's own output never changes.  The program is
compiled exactly as for tracing (:func:`compile_with_tree`), so every error
is dtrace's own, but nothing is enabled.  A small walk over the typed tree
says, for each clause, which probes it enables, what its predicate tests,
what each action records and how dtrace will print it, and the equivalent
mdb command where there is one.  The wording is table-driven: one entry per
provider, action, aggregating function, subroutine and built-in variable.

Output is plain text: prose wrapped to 80 columns, commands on lines of
their own so that they can be copied whole.
"""

from __future__ import annotations

import textwrap

from ...kernel import ctf
from . import ast, dtypes
from .errors import Source
from .functions import FUNCS
from .program import Program, compile_program

__all__ = ["compile_with_tree", "explain_programs", "PROVIDERS", "ACTIONS", "AGGREGATIONS", "SUBROUTINES",
           "BUILTINS"]

WIDTH = 80
INDENT = "  "
SHOWN_PROBES = 4          # probe names listed before "and N more"


# -- the tables ---------------------------------------------------------------------------------

PROVIDERS: dict[str, str] = {
    "dtrace": "the dtrace provider: BEGIN fires once as tracing starts, END once as it stops, ERROR when "
              "an action of another clause faults",
    "fbt": "function boundary tracing: an entry probe fires as a kernel function is called, a return probe "
           "as it returns",
    "syscall": "system calls: entry fires as a process makes the call, return as the call goes back to it",
    "profile": "timers: profile-N fires on every CPU N times a second (or every N units: profile-10ms), "
               "tick-N on one CPU only",
    "sdt": "statically defined tracing: probes that kernel code fires at named points",
    "proc": "process events: exec, exit, lwp and signal probes, fired by the kernel's process code",
    "sched": "scheduling events: on-cpu and off-cpu as a thread starts and stops running on a CPU",
}

# Data-recording actions: what each records, and how dtrace prints it.
ACTIONS: dict[str, str] = {
    "trace": "records the value of its argument; dtrace prints an integer in decimal (a pointer too, as a "
             "signed number) and a string as text",
    "printf": "formats its arguments with the format string; dtrace prints the text exactly as formatted, "
              "adding nothing (a \\n in the format ends the line)",
    "printa": "prints the aggregation now (with a format, each entry formatted by it) instead of at exit",
    "stack": "records the kernel stack where the probe fires; dtrace prints it one frame a line, innermost "
             "first, each as module`function+offset (a frame in a module loaded after dtrace started "
             "prints as a bare address); in an fbt entry probe the first frame is the probed function's "
             "caller, at its return address",
    "ustack": "records the user stack of the current thread; dtrace prints one frame a line, innermost first",
    "jstack": "records the user stack with Java frames named; dtrace prints one frame a line",
    "tracemem": "records the bytes of memory at an address; dtrace prints them as a hex dump",
    "exit": "ends tracing: dtrace stops, fires END, prints the aggregations and exits with this status",
    "setopt": "sets a dtrace option while tracing",
    "func": "records the kernel function containing an address; dtrace prints module`function",
    "sym": "records the kernel symbol containing an address; dtrace prints module`symbol",
    "mod": "records the kernel module containing an address; dtrace prints its name",
    "ufunc": "records the user function containing an address",
    "usym": "records the user symbol containing an address",
    "umod": "records the user module containing an address",
    "uaddr": "records a user address, printed as module`function+offset",
    "clear": "sets every value of the aggregation back to zero (keys stay)",
    "trunc": "removes the aggregation's entries (all of them, or all but the top N)",
    "normalize": "divides the aggregation's values by a number when they are printed",
    "denormalize": "undoes normalize()",
    "speculate": "makes the rest of the clause record into a speculative buffer",
    "commit": "copies a speculative buffer into the main buffer, to be printed",
    "discard": "throws a speculative buffer away",
    "stop": "stops the current process (destructive: needs -w)",
    "raise": "sends a signal to the current process (destructive: needs -w)",
    "system": "runs a shell command on the host (destructive: needs -w)",
    "breakpoint": "stops the kernel in its debugger (destructive: needs -w)",
    "panic": "panics the kernel (destructive: needs -w)",
    "chill": "makes the CPU spin for a time (destructive: needs -w)",
    "copyout": "writes to the current process's memory (destructive: needs -w)",
    "copyoutstr": "writes a string to the current process's memory (destructive: needs -w)",
}

# Aggregating functions: what each keeps per key, and how dtrace prints it at exit.
AGGREGATIONS: dict[str, str] = {
    "count": "counts the firings",
    "sum": "adds up {value}",
    "avg": "averages {value}",
    "min": "keeps the smallest {value}",
    "max": "keeps the largest {value}",
    "stddev": "keeps the standard deviation of {value}",
    "quantize": "makes a power-of-two histogram of {value}",
    "lquantize": "makes a linear histogram of {value} (between a low and a high bound, in steps)",
    "llquantize": "makes a log-linear histogram of {value}",
}

HISTOGRAM_COLUMNS = ("value (each bucket's lower bound), Distribution (a bar of @ for the bucket's share of "
                     "the whole) and count (the values that fell in the bucket); empty buckets show only "
                     "next to full ones")

SUBROUTINES: dict[str, str] = {
    "strlen": "the length of a string", "strjoin": "two strings joined", "substr": "part of a string",
    "index": "where a string first appears in another", "rindex": "where a string last appears in another",
    "strstr": "the rest of a string from where another appears", "strchr": "the rest of a string from a "
    "character", "strrchr": "the rest of a string from the last of a character", "strtok": "the next token "
    "of a string", "lltostr": "a number as a string", "strtoll": "a string as a number",
    "toupper": "a string in upper case", "tolower": "a string in lower case",
    "basename": "the last part of a path", "dirname": "a path without its last part",
    "cleanpath": "a path with . and .. resolved", "copyin": "bytes copied from the current process",
    "copyinstr": "a string copied from the current process", "rand": "a random number",
    "progenyof": "whether the current process descends from a process", "speculation": "a new speculative "
    "buffer's ID", "getmajor": "a device number's major part", "getminor": "a device number's minor part",
    "htons": "a 16-bit number in network byte order", "ntohs": "a 16-bit number in host byte order",
    "htonl": "a 32-bit number in network byte order", "ntohl": "a 32-bit number in host byte order",
    "htonll": "a 64-bit number in network byte order", "ntohll": "a 64-bit number in host byte order",
    "mutex_owned": "whether a kernel mutex is held", "mutex_owner": "the thread holding a kernel mutex",
}

# What a provider's probes pass as arg0, arg1 ...
PROBE_ARGUMENTS: dict[str, str] = {
    "fbt": "an entry probe's are the function's arguments; a return probe's arg0 is the offset of the return "
           "instruction and arg1 the return value",
    "syscall": "an entry probe's are the system call's arguments; a return probe's arg0 is its return value",
    "profile": "arg0 is the kernel PC the CPU was at (0 when in user code), arg1 the user PC",
    "dtrace": "BEGIN and END have none",
    "sdt": "the values the kernel code passes to the probe",
    "proc": "the values the kernel code passes to the probe (args[] types them)",
    "sched": "the values the kernel code passes to the probe (args[] types them)",
}

BUILTINS: dict[str, str] = {
    **{f"arg{i}": f"the probe's argument {i}, as a 64-bit integer" for i in range(10)},
    "args": "the probe's arguments with their C types (args[0] is the first)",
    "caller": "the address the current function was called from",
    "curthread": "the current thread, a kthread_t * (what ::threadlist lists)",
    "cpu": "the ID of the CPU the probe fires on",
    "epid": "the ID of the enabled probe (this probe in this clause)",
    "errno": "the current thread's errno",
    "execname": "the name of the current process (its u_comm, as ::ps shows)",
    "id": "the probe's ID",
    "ipl": "the CPU's interrupt priority level",
    "pid": "the current process's ID",
    "ppid": "the current process's parent's ID",
    "tid": "the current thread's ID",
    "uid": "the current process's user ID",
    "gid": "the current process's group ID",
    "probeprov": "the probe's provider", "probemod": "the probe's module",
    "probefunc": "the probe's function", "probename": "the probe's name",
    "stackdepth": "how many frames the kernel stack has",
    "timestamp": "a nanosecond clock (from an arbitrary start)",
    "vtimestamp": "the nanoseconds the current thread has run on a CPU",
    "walltimestamp": "the time of day, in nanoseconds since 1970",
    "zonename": "the name of the current process's zone",
}

# An mdb format character that prints a value as D prints it: (D's conversion, the value's size).
MDB_FORMATS: dict[tuple[str, int], str] = {
    ("d", 8): "e", ("d", 4): "D", ("d", 2): "d",
    ("u", 8): "E", ("u", 4): "U", ("u", 2): "u", ("u", 1): "V",
    ("x", 8): "J", ("x", 4): "X", ("x", 2): "x", ("x", 1): "B",
}


# -- compiling, keeping the tree -----------------------------------------------------------------

def compile_with_tree(handle, source: Source, pdesc_kind: str = "n") -> Program:
    """The program compiled as for tracing, with its typed tree (``.tree``)."""
    return compile_program(handle, source, pdesc_kind)


# -- explaining ------------------------------------------------------------------------------------

def explain_programs(out, programs: list, options) -> None:
    """Write the explanation of each compiled program: ``programs`` is [(how given, notice, Program)]."""
    for given, notice, prog in programs:
        out.write(f"{given}\n")
        out.write(_para(_notice(notice, prog.matched, options), 1))
        for decl in (item for item in prog.tree.items if isinstance(item, ast.TypeDecl)):
            out.write(_para(_declared(decl), 1))
        clauses = [item for item in prog.tree.items if isinstance(item, ast.Clause)]
        for n, (clause, ir) in enumerate(zip(clauses, prog.ir["clauses"]), 1):
            out.write("\n" + ClauseExplainer(prog.source, options, clause, ir["records"]).explain(n))
        out.write("\n")
    out.write(_para(_ending(programs), 0))


def _declared(decl) -> str:
    """What a type declaration adds: D types that casts, sizeof and members can use from then on."""
    names = [f"{kind} {tag}" for kind, tag in decl.tags] + list(decl.typedefs)
    text = "Declares the D type" + ("s " if len(names) > 1 else " ") + ", ".join(names) if names else \
        "Declares an unnamed type"
    if decl.enumerators:
        text += "; its enumerators " + ", ".join(decl.enumerators) + " are integer constants"
    return text + ", for what follows (found before the kernel's types)."


def _notice(what: str, matched: int, options) -> str:
    if options["quiet"]:
        return "When tracing, dtrace says nothing on stderr about the probes it enables (-q)."
    return f"When tracing, dtrace first says on stderr: dtrace: {what} matched {matched} " \
        f"probe{'' if matched == 1 else 's'}."


def _ending(programs) -> str:
    """How tracing ends and what dtrace prints then."""
    calls = _CallNames()
    for _, _, prog in programs:
        calls.visit(prog.tree)
    until = "until a clause calls exit(), you press Ctrl-C or -c's command ends" if "exit" in calls.names else \
        "until you press Ctrl-C (or -c's command ends)"
    text = f"dtrace traces {until}; then it fires END and prints a blank line"
    if not any(prog.ir["aggs"] for _, _, prog in programs):
        return text + "."
    return text + (", then prints each aggregation: one line per key (smallest value first) with the keys, then "
                   "the value; a histogram per key for quantize(), lquantize() and llquantize().")


class _CallNames(ast.Visitor):
    """The names of the actions and subroutines a program calls."""

    def __init__(self):
        self.names: set[str] = set()

    def visit_Call(self, node):
        self.names.add(node.name)
        self.generic_visit(node)


class ClauseExplainer:
    """The explanation of one clause: probes, predicate, actions, output, and mdb's equivalent."""

    def __init__(self, source: Source, options, clause, records: bool):
        self.text = source.text
        self.options = options
        self.clause = clause
        self.records = records          # whether a firing puts a record (and so a probe line) in the buffer
        self.providers = {p["provider"] for d in clause.descs for p in d.probes}
        self.mdb: list[str] = []         # equivalent mdb commands or notes, as the actions find them

    def src(self, node) -> str:
        return " ".join(self.text[node.span.start:node.span.end].split())

    def explain(self, n: int) -> str:
        clause = self.clause
        descs = ", ".join(d.text for d in clause.descs)
        parts = [f"Clause {n}: {descs}\n"]
        for d in clause.descs:
            parts += self.probes(d)
        parts += self.predicate(clause.pred)
        body = clause.body or []
        parts.append(f"{INDENT}Actions:\n" if body else _para("Actions: none, so dtrace's default action: each "
                                                              "firing prints just its probe line.", 1))
        for stmt in body:
            parts += self.statement(stmt, 2)
        parts.append(_para(self.output(), 1))
        for line in self.mdb:
            parts.append(_para(line, 1))
        return "".join(parts)

    # -- probes ---------------------------------------------------------------------------

    def probes(self, d) -> list[str]:
        fields = ":".join(d.fields)
        if d.text.strip().isdigit():
            lines = [_para(f"Probes: {d.text.strip()} is a probe ID (as dtrace -l lists them).", 1)]
        else:
            lines = [_para(f"Probes: {d.text} is the description {fields} (provider:module:function:name, filled "
                           f"from the right; an empty field matches anything{_patterns(d.fields)}).", 1)]
        providers = list(dict.fromkeys(p["provider"] for p in d.probes))
        for name in providers:
            lines.append(_para(f"{name}: {PROVIDERS.get(name, 'a provider of this kernel')}.", 2))
        if not d.probes:
            return lines + [_para("It matches no probes now (-Z allows that).", 2)]
        shown = ", ".join(f"{_probe_name(p)} (ID {p['id']})" for p in d.probes[:SHOWN_PROBES])
        more = f", and {len(d.probes) - SHOWN_PROBES} more" if len(d.probes) > SHOWN_PROBES else ""
        count = f"{len(d.probes)} probe{'' if len(d.probes) == 1 else 's'}"
        return lines + [_para(f"It matches {count}: {shown}{more}.", 2)]

    # -- predicate ------------------------------------------------------------------------------

    def predicate(self, pred) -> list[str]:
        if pred is None:
            return [_para("Predicate: none; the actions run every time one of the probes fires.", 1)]
        lines = [_para(f"Predicate: /{self.src(pred)}/: the actions run only when this is true (not zero).", 1)]
        return lines + [_para(text, 2) for text in self.names(pred)]

    def names(self, node) -> list[str]:
        """``name: what it is`` for each built-in variable, kernel symbol and variable the node uses."""
        found: dict[str, str] = {}
        _NameFinder(found).visit(node)
        return [f"{name}: {what}{self.arguments(name)}." for name, what in found.items()]

    def arguments(self, name: str) -> str:
        """For arg0..arg9 and args[]: what this clause's provider passes in them."""
        if not (name.startswith("arg") or name == "args[]") or len(self.providers) != 1:
            return ""
        passed = PROBE_ARGUMENTS.get(next(iter(self.providers)))
        return f" ({passed})" if passed else ""

    # -- statements --------------------------------------------------------------------------------

    def statement(self, stmt, depth: int) -> list[str]:
        if isinstance(stmt, ast.If):
            lines = [_para(f"if ({self.src(stmt.cond)}): only when this is true:", depth)]
            lines += [_para(t, depth + 2) for t in self.names(stmt.cond)]
            for s in stmt.then:
                lines += self.statement(s, depth + 1)
            if stmt.els:
                lines.append(_para("else:", depth))
                for s in stmt.els:
                    lines += self.statement(s, depth + 1)
            return lines
        e = stmt.expr
        if isinstance(e, ast.Assign) and getattr(e, "aggregation", False):
            return self.aggregation(e, depth)
        if isinstance(e, ast.Call) and FUNCS[e.name].kind != "subr":
            return self.action(e, depth)
        if isinstance(e, ast.Assign):
            return [_para(f"{self.src(e)}: sets {_variable(e.target)}; it records nothing.", depth)] + \
                [_para(t, depth + 1) for t in self.names(e.value)]
        if isinstance(e, ast.IncDec):
            change = "adds one to" if e.op == "++" else "takes one from"
            return [_para(f"{self.src(e)}: {change} {_variable(e.operand)}; it records nothing.", depth)]
        return [_para(f"{self.src(e)}: computes a value and throws it away; it records nothing.", depth)]

    def action(self, call, depth: int) -> list[str]:
        lines = [_para(f"{self.src(call)}: {ACTIONS.get(call.name, 'the action ' + call.name + '()')}.", depth)]
        for arg in call.args:
            lines += [_para(t, depth + 1) for t in self.names(arg)]
        self.mdb += _mdb_forms(call)
        return lines

    def aggregation(self, e, depth: int) -> list[str]:
        func = e.value.name
        agg = "@" + ("" if e.agg.name == "_" else e.agg.name)
        keys = e.target.args if isinstance(e.target, ast.Index) else []
        per = f", per {', '.join(self.src(k) for k in keys)}," if keys else ""
        if func.endswith("quantize"):
            shown = f"{'a histogram per key' if keys else 'a histogram'}: {HISTOGRAM_COLUMNS}"
        elif keys:
            shown = f"one line per key, smallest value first: the key{'s' if len(keys) > 1 else ''} left, the " \
                "value right"
        else:
            shown = "the value alone"
        what = AGGREGATIONS[func].format(value=self.src(e.value.args[0]) if e.value.args else "")
        lines = [_para(f"{self.src(e)}: {what}{per} in the aggregation {agg}. It records nothing per firing; "
                       f"dtrace prints {agg} at exit: {shown}.", depth)]
        for node in keys + list(e.value.args):
            lines += [_para(t, depth + 1) for t in self.names(node)]
        return lines

    # -- output ---------------------------------------------------------------------------------

    def output(self) -> str:
        if not self.records:
            return ("Output: nothing per firing (the clause only aggregates or sets variables), so no probe "
                    "line is printed for it.")
        if self.options["quiet"]:
            return ("Output: quiet mode (-q): no header and no probe line; only what the actions print (printf "
                    "text, traced values), with no newline added.")
        if self.options["flowindent"]:
            return ("Output: with -F, each firing prints CPU and FUNCTION, the function indented by call depth "
                    "(-> entry, <- return), then what the actions recorded.")
        return ("Output: first the header CPU ID FUNCTION:NAME; then, for each firing, a line with the CPU it "
                "fired on, the probe's ID and its function:name, followed by what the actions recorded "
                "(-q leaves out the header and these columns).")


class _NameFinder(ast.Visitor):
    """Collects ``name -> what it is`` for the named things an expression uses, in order."""

    def __init__(self, found: dict):
        self.found = found

    def visit_Ident(self, node):
        kind = getattr(node, "kind", None)
        if kind == "builtin":
            self.found.setdefault(node.name, BUILTINS.get(node.name, "a built-in variable"))
        elif kind == "ksym":
            self.found.setdefault(node.name, f"the kernel variable {node.name.lstrip('`')} "
                                             f"({_type_text(node.type)}), read as the probe fires")
        elif kind == "var":
            self.found.setdefault(node.name, "a global variable of this program")
        elif kind == "args":
            self.found.setdefault("args[]", BUILTINS["args"])

    def visit_SelfVar(self, node):
        self.found.setdefault(f"self->{node.name}", "a thread-local variable (one per thread)")

    def visit_ThisVar(self, node):
        self.found.setdefault(f"this->{node.name}", "a clause-local variable")

    def visit_Call(self, node):
        if node.name in SUBROUTINES:
            self.found.setdefault(f"{node.name}()", SUBROUTINES[node.name])
        for a in node.args:
            self.visit(a)

    def visit_Stringof(self, node):
        self.found.setdefault("stringof", "the string at that address, read from kernel memory")
        self.visit(node.operand)


def _mdb_forms(call) -> list[str]:
    """The mdb commands that read what an action records, when it reads only kernel variables."""
    if call.name == "stack":
        return ["In mdb: a stack() of a probe firing has no static mdb equivalent; ::findstack of a sleeping "
                "thread (ADDR::findstack, ADDR from ::threadlist) shows the same kind of frames, innermost "
                "first."]
    if call.name == "trace" and call.args:
        return _mdb_read(call.args[0], "trace")
    if call.name == "printf" and len(call.args) == 2 and isinstance(call.args[0], ast.StrConst):
        convs = [c for c in getattr(call, "format", []) if not isinstance(c, str)]
        if len(convs) == 1:
            return _mdb_read(call.args[1], convs[0].conv)
    return []


def _mdb_read(value, how: str) -> list[str]:
    """``NAME/FMT`` (or ``*NAME/s``) for a kernel variable a D action prints, ``how``: trace or a conversion."""
    sym, string = _kernel_read(value, how)
    if sym is None:
        return []
    name = sym.name
    if string:
        return [f"In mdb: {string.format(name)} reads the same string."] if how in ("trace", "s") else []
    size = ctf.resolve(value.type).size
    if how == "trace":          # dtrace prints 1- and 2-byte values unsigned, 4- and 8-byte signed
        how = "d" if size >= 4 else "u"
    ch = MDB_FORMATS.get(({"i": "d", "X": "x", "p": "x"}.get(how, how), size))
    if ch is None:
        return []
    hex_form = f"; {name}/K shows the same 8 bytes in hex" if size == 8 and ch != "J" else ""
    return [f"In mdb: {name}/{ch} reads the same {size} byte{'' if size == 1 else 's'} and prints them the "
            f"same way{hex_form}."]


def _kernel_read(value, how: str):
    """(symbol, mdb string form) when ``value`` is a kernel variable, or a string read through one."""
    if isinstance(value, ast.Stringof) and _is_ksym(value.operand) and _char_pointer(value.operand.type):
        return value.operand.sym, "*{}/s"
    if _is_ksym(value) and _char_pointer(value.type) and how == "s":
        return value.sym, "*{}/s"
    if _is_ksym(value):
        r = ctf.resolve(value.type)
        if isinstance(r, ctf.Array) and dtypes.is_char_array(value.type):
            return value.sym, "{}/s"
        if r.kind in ("integer", "pointer", "enum"):
            return value.sym, None
    return None, None


def _is_ksym(node) -> bool:
    return isinstance(node, ast.Ident) and getattr(node, "kind", None) == "ksym" and node.sym.kind != "FUNC"


def _char_pointer(t) -> bool:
    r = ctf.resolve(t)
    return isinstance(r, ctf.Pointer) and isinstance(ctf.resolve(r.target), ctf.Integer) and \
        ctf.resolve(r.target).size == 1


def _variable(target) -> str:
    base = target.base if isinstance(target, ast.Index) else target
    if isinstance(base, ast.SelfVar):
        return f"the thread-local variable self->{base.name} (one per thread)"
    if isinstance(base, ast.ThisVar):
        return f"the clause-local variable this->{base.name}"
    name = getattr(base, "name", "?")
    return f"the global {'associative array' if isinstance(target, ast.Index) else 'variable'} {name}"


def _type_text(t) -> str:
    return getattr(t, "name", None) or str(t)


def _probe_name(p: dict) -> str:
    return f"{p['provider']}:{p['module']}:{p['function']}:{p['name']}"


def _patterns(fields) -> str:
    return "; * and ? match as in shell patterns" if any(c in f for f in fields for c in "*?[") else ""


def _para(text: str, depth: int) -> str:
    pad = INDENT * depth
    return textwrap.fill(text, WIDTH, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False,
                         break_long_words=False) + "\n"
