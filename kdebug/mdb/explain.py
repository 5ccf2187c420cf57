"""``::explain`` and ``kdebug mdb --explain``: what an mdb command line will do, in plain words.

kdebug's teaching aid; it never changes what mdb itself prints.  The text is
parsed with mdb's own parser (:func:`kdebug.mdb.parser.next_statement`),
statement by statement, and nothing in it runs: each dcmd and format verb is
looked up in the dcmd table and its explanation printed.  A dcmd's
explanation is its registration's ``explain``: an
:class:`~kdebug.mdb.registry.Explain`, or a function of the :class:`Subject`
(the command, its arguments, its address) that returns one, for dcmds whose
meaning depends on them (``hvm_excl_holder::print`` depends on the symbol's
C type).  A dcmd without one falls back to its one-line description.

Output is plain text: prose wrapped to 80 columns, and the equivalent
dtrace command on a line of its own so that it can be copied whole.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ..kernel import MemoryFault, ctf
from .errors import CommandError, ParseError
from .expr import evaluate
from .parser import Command, Statement, next_statement
from .registry import DCMDS, Char, Explain

__all__ = ["Subject", "explain_text", "d_symbol", "d_expression", "d_oneliner"]

WIDTH = 80
INDENT = "  "


@dataclass
class Subject:
    """One command of the statement being explained, as its dcmd's explanation function sees it."""

    m: object                  # the session: its target answers questions about symbols and types
    command: Command           # the verb as typed and its arguments as parsed
    addr_text: str | None      # the statement's address as typed; None: dot
    addr: int | None           # its value, when it could be worked out without running anything
    addr_expr: tuple | None = None   # the parsed address expression (kdebug.mdb.parser)

    @property
    def verb(self) -> str:
        return self.command.text

    @property
    def words(self) -> list[str]:
        """The string arguments: options, type, member and walker names."""
        return [a for a in self.command.args if isinstance(a, str) and not isinstance(a, Char)]

    @property
    def where(self) -> str:
        return self.addr_text if self.addr_text is not None else "dot (the current address)"

    @property
    def symbol(self):
        """The symbol the address is the start of (``hvm_excl_holder``), or None."""
        return None if self.addr is None else self.m.target.exact_symbol(self.addr)

    def d_address(self) -> str | None:
        """The address as D writes it (``&`sym``, ``0x...``), computed when D runs; None if D cannot."""
        if self.addr is None or self.addr_expr is None:
            return None
        if self.symbol is not None and self.addr_expr[0] == "word":
            return "&" + d_symbol(self.symbol)
        return d_expression(self.m, self.addr_expr)


# -- helpers for the explanations -------------------------------------------------------

def d_symbol(sym) -> str:
    """A kernel symbol in D: ```hvm_excl_holder`` for unix and genunix, ``vmm`vmmdev_list`` otherwise."""
    module = sym.module.name if sym.module is not None else ""
    return f"`{sym.name}" if module in ("", "unix", "genunix") else f"{module}`{sym.name}"


# mdb's binary operators that D writes the same way.
_D_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "bit_and": "&", "bit_or": "|", "bit_xor": "^",
                "shl": "<<", "shr": ">>"}


def d_expression(m, node: tuple) -> str | None:
    """An mdb address expression in D, read when D runs (``*sym`` stays a read of sym); None if D has no
    such expression (variables, dot)."""
    op = node[0]
    if op == "word":
        sym = _word_symbol(m, node)
        if sym is not None:
            return f"(uintptr_t)&{d_symbol(sym)}"
        try:
            return f"0x{evaluate(m, node):x}"
        except (CommandError, ParseError):
            return None
    if op == "deref":
        sym = _word_symbol(m, node[1])
        if sym is not None and sym.type is not None and ctf.resolve(sym.type).size == 8:
            return f"(uintptr_t){d_symbol(sym)}"
        inner = d_expression(m, node[1])
        return None if inner is None else f"*(uintptr_t *)({inner})"
    if op in _D_OPERATORS:
        left, right = d_expression(m, node[1]), d_expression(m, node[2])
        return None if left is None or right is None else f"({left} {_D_OPERATORS[op]} {right})"
    return None


def _word_symbol(m, node: tuple):
    """The symbol a word names (``hvm_excl_holder``), not a number (``fffffffff82aec97``)."""
    if node[0] != "word":
        return None
    sym = m.target.k.symtab.find(node[1])
    try:
        return sym if sym is not None and evaluate(m, node) == sym.addr else None
    except (CommandError, ParseError):
        return None


def d_oneliner(fmt: str, expr: str) -> str:
    """A dtrace command that prints ``expr`` once with printf format ``fmt`` (and a newline), then exits."""
    return f"dtrace -qn 'BEGIN {{ printf(\"{fmt}\\n\", {expr}); exit(0); }}'"


# -- explaining statements ------------------------------------------------------------------

def explain_text(m, text: str) -> bool:
    """Print the explanation of every statement of ``text``; False (after mdb's message) if it fails.

    A syntax error is reported as mdb reports one at the prompt; a verb that
    is not a dcmd of this target as mdb would report it when run.
    """
    from .session import Source

    src = Source("(explain)", "tty")
    for line in text.splitlines(keepends=True) or ["\n"]:
        if not line.endswith("\n"):
            line += "\n"
        pos = 0
        while pos < len(line):
            try:
                st, used = next_statement(line[pos:])
            except ParseError as e:
                m.report(e, src, line[pos:], e.column)
                return False
            pos += used
            try:
                paragraphs = statement(m, st)
            except CommandError as e:
                m.report(e, src, st.text, getattr(e, "column", None))
                return False
            m.out.puts("".join(paragraphs))
    return True


def statement(m, st: Statement) -> list[str]:
    """The lines explaining one statement: the statement as typed, then what each part does."""
    if st.kind == "blank":
        return []
    out = [st.text.strip().rstrip(";").strip() + "\n"]
    addr_text, count_text = _address_texts(st)
    if st.kind == "shell_escape":
        return out + _prose(f"! runs {st.shell.command!r} with the shell ($SHELL -c) and shows what it "
                            "prints; mdb reads nothing back.")
    if st.kind.startswith("bare"):
        return out + _prose(_bare(addr_text, count_text))
    addr, problem = _evaluate(m, st)
    if problem:
        out += _prose(f"(mdb cannot work out the address {addr_text} on this target: {problem}; "
                      "the statement would fail there.)")
    if count_text is not None:
        out += _prose(f"The count {count_text} runs it {count_text} times, dot moving on each time by what "
                      "the previous run read.")
    stages = st.pipeline
    for i, command in enumerate(stages):
        if i == 0:
            subject = Subject(m, command, addr_text, addr, st.addr)
        else:
            subject = Subject(m, command, "each address from the pipe", None)
        out += _stage(subject, stages[i - 1] if i else None, len(stages) > 1)
    if st.shell is not None:
        out += _prose(f"The output then goes to the shell command {st.shell.command!r} (! after a dcmd "
                      "pipes mdb's output into the shell).")
    return out


def _stage(subject: Subject, previous: Command | None, piped: bool) -> list[str]:
    """One dcmd or verb of a pipeline: a heading when there are several, then its explanation."""
    command = subject.command
    d, loaded = _dcmd(subject.m, command)
    depth = 2 if piped else 1
    out = [f"{INDENT}{'| ' if previous else ''}{_typed(command)}\n"] if piped else []
    if previous is not None:
        out += _prose(f"It runs once for each address {_typed(previous)} writes into the pipe, with dot set "
                      "to that address.", depth)
    if not loaded:
        out += _prose(f"This target has no {command.text} yet: it comes with the {d.module} module, and until "
                      f"{d.module} is loaded mdb says it is an unknown dcmd. Once it is:", depth)
    out += render(explanation(d, subject), subject, depth)
    if previous is None and subject.addr_text is None and (d.usage or "")[:1] == ":":
        out += _prose(f"It needs an address (ADDR{command.text}); without one mdb prints its usage.", depth)
    return out


def _dcmd(m, command: Command):
    """(the dcmd, whether this target has it now): a dmod's dcmds come with its kernel module.

    Raises mdb's CommandError for a name that is no dcmd at all.
    """
    d = m.lookup_dcmd(command.name)
    if d is not None:
        return d, True
    d = DCMDS.get(command.name.rpartition("`")[2])
    if d is not None:
        return d, False
    prefix = "::" if command.text.startswith("::") else ""
    raise CommandError(f"invalid command '{command.text}'", "unknown dcmd name", column=command.column,
                       hint=m.suggest(command.text, [prefix + n for n in m.dcmd_names()]))


def explanation(d, subject: Subject) -> Explain:
    """The dcmd's own explanation, or its one-line description."""
    if callable(d.explain):
        return d.explain(subject)
    if d.explain is not None:
        return d.explain
    more = f"; ::help {d.name} says more" if d.help is not None else ""
    return Explain(f"{subject.verb}: {d.desc} (its one-line description{more}).")


def render(e: Explain, subject: Subject, depth: int = 1) -> list[str]:
    out = _prose(_fill_in(e.says, subject), depth)
    if e.columns:
        out += _columns(e.columns, depth)
    if e.d is not None:
        out.append(f"{INDENT * depth}Equivalent D:\n{INDENT * (depth + 1)}{e.d}\n")
    if e.see is not None:
        out += _prose(_fill_in(e.see, subject), depth)
    return out


def _fill_in(text: str, subject: Subject) -> str:
    """An explanation's ``{addr}`` and ``{verb}``: the statement's address and the verb as typed."""
    return text.replace("{addr}", subject.where).replace("{verb}", subject.verb)


def _columns(columns, depth: int) -> list[str]:
    """``Columns:`` and what each holds beside its heading, or ``Output:`` and each line's form above
    what it means, when the headings are whole lines of output."""
    lines = any(len(name) > _SHORT for name, _ in columns)
    out = [f"{INDENT * depth}{'Output' if lines else 'Columns'}:\n"]
    width = max(len(name) for name, _ in columns) + 2
    pad = INDENT * (depth + 1)
    for name, meaning in columns:
        if lines:
            out.append(f"{pad}{name}\n")
            out += _prose(meaning, depth + 2)
            continue
        out.append(textwrap.fill(meaning, WIDTH, initial_indent=f"{pad}{name:<{width}}",
                                 subsequent_indent=" " * (len(pad) + width), break_on_hyphens=False,
                                 break_long_words=False) + "\n")
    return out


_SHORT = 14     # longer headings (whole output lines) go on a line of their own


def _prose(text: str, depth: int = 1) -> list[str]:
    pad = INDENT * depth
    return [textwrap.fill(text, WIDTH, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False,
                          break_long_words=False) + "\n"]


def _typed(command: Command) -> str:
    """A pipeline stage as the user typed it (the verb and its words)."""
    words = [str(a) if not isinstance(a, tuple) else "$[...]" for a in command.args]
    if command.kind in ("format", "write"):
        return command.text + "".join(words[1:] if command.kind == "write" else words)
    return " ".join([command.text] + words)


def _address_texts(st: Statement) -> tuple[str | None, str | None]:
    """The address and count expressions as typed (mdb's AST keeps values, not text)."""
    text = st.text.rstrip("\n;")
    end = st.pipeline[0].column if st.pipeline else len(text)
    head = text[:end].strip()
    addr, comma, count = head.partition(",")
    if st.kind in ("at_dot_count", "bare_count"):
        return None, count.strip()
    return (addr.strip() or None), (count.strip() if comma else None)


def _evaluate(m, st: Statement) -> tuple[int | None, str]:
    """The address's value, or why it cannot be known (reading nothing but symbols and memory)."""
    if st.addr is None:
        return None, ""
    try:
        return evaluate(m, st.addr, st.text), ""
    except CommandError as e:
        return None, e.text()
    except ParseError as e:
        return None, e.message
    except MemoryFault as e:
        return None, f"failed to read data from target: {e.reason}"


def _bare(addr_text: str | None, count_text: str | None) -> str:
    if count_text is None:
        return (f"A bare expression sets dot to its value, {addr_text}. At the prompt it also runs the "
                "last command again at that address; in -e and ::eval strings it only sets dot.")
    where = addr_text if addr_text is not None else "dot plus the increment"
    return (f"Runs the last command again at {where}, {count_text} times (address,count with no verb "
            "repeats the previous one).")
