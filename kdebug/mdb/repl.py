"""mdb at a terminal: the banner, the ``> `` prompt, history and completion (prompt_toolkit).

This is the only module that imports prompt_toolkit; ``kdebug mdb`` loads
it only when standard input is a terminal.  Completion asks the grammar
where the cursor is (Lark's interactive parser over the text before it):
after ``::`` it offers dcmds, in a dcmd's arguments what that dcmd's
completer offers (walkers for ``::walk``, types then members for
``::print``), elsewhere symbols, and ``<`` variables.
"""

from __future__ import annotations

import re
import sys

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.lexers import PygmentsLexer

from ..paths import history_file
from .errors import Quit
from .lexer import MdbLexer
from .printf import Iob
from .session import Mdb, Source

__all__ = ["repl", "MdbCompleter", "banner"]

_PARTIAL = re.compile(r"[^\s|;!]*$")


class MdbCompleter(Completer):
    """Completion from the grammar's view of the text before the cursor."""

    def __init__(self, m: Mdb):
        self.m = m

    def get_completions(self, document: Document, complete_event: CompleteEvent):
        text = document.text_before_cursor
        partial = _PARTIAL.search(text).group()
        for cand in self.candidates(text, partial):
            if cand.startswith(partial) and cand != partial:
                yield Completion(cand, start_position=-len(partial))

    def candidates(self, text: str, partial: str) -> list[str]:
        m = self.m
        if partial.startswith("::"):
            return ["::" + n for n in m.dcmd_names() if n[0].isalpha() or n[0] in "_."]
        if partial.startswith("$") and len(partial) <= 2:
            return [n for n in m.dcmd_names() if n.startswith("$")]
        if partial.startswith("<"):
            return ["<" + name for name, _ in m.vars.items()]
        command, words = _current_command(text[:len(text) - len(partial)])
        if command is not None:
            d = m.lookup_dcmd(command)
            if d is None or d.complete is None:
                return []
            return d.complete(m, words + [partial])
        if partial[:1].isdigit():
            return []
        return m.k.symtab.names()


def _current_command(text: str) -> tuple[str | None, list[str]]:
    """The dcmd whose arguments the cursor is in (if any) and the arguments before it."""
    from lark.exceptions import UnexpectedInput

    from .parser import parser
    from .values import unquote_arg

    ip = parser().parse_interactive(text, start="statement")
    command = None
    words: list[str] = []
    try:
        for tok in ip.iter_parse():
            if tok.type in ("DCMD", "OLD_DCMD"):
                command = str(tok)[2:] if str(tok).startswith("::") else str(tok)
                words = []
            elif tok.type == "ARG":
                words.append(unquote_arg(str(tok)))
            elif tok.type in ("SEMICOLON", "NEWLINE", "VBAR", "FMT_VERB", "WRITE_VERB", "ASSIGN"):
                command, words = None, []
    except UnexpectedInput:
        pass
    return command, words


def banner(m: Mdb) -> str:
    """``Loading modules: [ unix genunix ... ]``, wrapped at 80 columns."""
    lines: list[str] = []
    iob = Iob(lines.append, autowrap=True)
    iob.puts("Loading modules: [")
    for name in m.loaded_dmods():
        iob.printf(" %s", name)
    iob.printf(" ]")
    iob.nl()
    return "".join(lines)


def repl(m: Mdb, input=None, output=None) -> int:
    """Read, run, repeat at the prompt until $q or Ctrl-D; returns the exit status."""
    session = PromptSession(history=FileHistory(str(history_file("mdb"))), completer=MdbCompleter(m),
                            lexer=PygmentsLexer(MdbLexer), complete_while_typing=False,
                            input=input, output=output)
    sys.stdout.write(banner(m))
    sys.stdout.flush()
    src = Source("(stdin)", "tty")
    while True:
        try:
            line = session.prompt(m.prompt)
        except KeyboardInterrupt:
            continue
        except EOFError:
            if m.options["ignoreeof"]:
                continue
            return 0
        try:
            m.run_line(line, src)
        except Quit:
            return 0
        except KeyboardInterrupt:
            m.out.discard()
            sys.stdout.write("\n")
            sys.stdout.flush()
