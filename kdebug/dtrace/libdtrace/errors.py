"""Compile diagnostics as data, rendered once (dt_error.c's wording and tags).

A pass that finds a problem raises :class:`CompileError` holding one
:class:`Diagnostic`: the ``dt_errtag_t`` name (``D_SYNTAX``), the message and
the source span.  :func:`render` turns it into dtrace's line:

    dtrace: failed to compile script x.d: [D_TAG] line 3: message
    dtrace: invalid probe specifier BEGIN { x }: [D_TAG] message

with the tag only under ``-x errtags`` and, only when stderr is a terminal,
the offending source line with a caret under the span (and a "did you mean"
hint when the pass offers one).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .ast import Span

__all__ = ["Diagnostic", "CompileError", "render", "Source"]


@dataclass
class Diagnostic:
    tag: str
    message: str
    span: Span | None = None
    hints: list[str] = field(default_factory=list)


class CompileError(Exception):
    """A D program failed to compile; ``diag`` says why."""

    def __init__(self, tag: str, message: str, span: Span | None = None, hints: list[str] | None = None):
        self.diag = Diagnostic(tag, message, span, list(hints or []))
        super().__init__(message)


@dataclass
class Source:
    """A program's text and how it was given: ``-s file`` (``path``) or ``-n``-style (``arg``)."""

    text: str
    path: str | None = None      # -s FILE
    arg: str | None = None       # the full -n/-P/-m/-f/-i argument


def render(diag: Diagnostic, src: Source, errtags: bool, terminal: bool) -> str:
    """dtrace's message for ``diag`` (several lines on a terminal)."""
    tag = f"[{diag.tag}] " if errtags else ""
    if src.path is not None:
        line = f"line {diag.span.line}: " if diag.span is not None else ""
        head = f"dtrace: failed to compile script {src.path}: {tag}{line}{diag.message}"
    else:
        head = f"dtrace: invalid probe specifier {src.arg}: {tag}{diag.message}"
    out = [head]
    if terminal and diag.span is not None and src.text:
        lines = src.text.split("\n")
        if 0 < diag.span.line <= len(lines):
            text = lines[diag.span.line - 1]
            width = max(1, min(diag.span.end - diag.span.start, len(text) - diag.span.column + 1))
            out.append("    " + text)
            out.append("    " + " " * (diag.span.column - 1) + "^" * width)
        out += [f"    did you mean {h}?" for h in diag.hints]
    return "\n".join(out) + "\n"
