"""How mdb fails: parse errors (yyerror), lex-time errors (yyperror), aborts and quitting.

``ParseError`` is mdb's ``yyerror``: ``mdb: MESSAGE on line N of (stdin) near
"TOKEN"`` (or ``mdb: MESSAGE near "TOKEN"`` at a terminal); a message that
mdb writes with its own newline has no location.  ``CommandError`` is
``yyperror``/``mdb_warn``: ``mdb: MESSAGE: REASON``.  Both abandon the
statement.  ``Abort`` ends the whole pipeline or loop (DCMD_ABORT, Ctrl-C),
``Quit`` ends the session (``$q``).
"""

from __future__ import annotations

__all__ = ["ParseError", "CommandError", "Abort", "Quit"]


class ParseError(Exception):
    """A syntax (or lex-time) error at ``column`` of the statement; ``near`` is the offending token."""

    def __init__(self, message: str, near: str | None = None, column: int | None = None,
                 located: bool = True, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.near = near
        self.column = column
        self.located = located     # False: mdb's text ends in a newline, no "on line N ... near"
        self.hint = hint           # "did you mean" extra, shown to a person only


class CommandError(Exception):
    """An error reported as ``mdb: MESSAGE[: REASON]`` that abandons the statement."""

    def __init__(self, message: str, reason: str | None = None, hint: str = "", column: int | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.hint = hint
        self.column = column

    def text(self) -> str:
        return f"{self.message}: {self.reason}" if self.reason else self.message


class Abort(Exception):
    """Stop the current pipeline or loop (DCMD_ABORT)."""


class Quit(Exception):
    """Leave the debugger (``$q``, ``::quit``)."""
