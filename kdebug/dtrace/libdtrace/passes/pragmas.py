"""Control lines: ``#pragma D option name[=value]``, ``#error``, ``#line``; others are ignored."""

from __future__ import annotations

from .base import Pass


class Pragmas(Pass):
    def visit_Control(self, node):
        words = node.text[1:].split()
        if not words or node.text.startswith("#!"):
            return
        if words[0] == "error":
            self.error("D_PRAGERR", "#error: " + node.text.split("error", 1)[1].strip(), node)
        if words[0] != "pragma" or len(words) < 2 or words[1] != "D":
            return
        if len(words) < 3:
            self.error("D_PRAGMA_MALFORM", "malformed #pragma D", node)
        if words[2] != "option":
            return
        if len(words) != 4:
            self.error("D_PRAGMA_MALFORM", "malformed #pragma D option", node)
        name, eq, value = words[3].partition("=")
        err = self.comp.set_option(name, value if eq else None, from_program=True)
        if err is not None:
            if eq:
                self.error("D_PRAGMA_OPTSET", f"failed to set option '{name}' to '{value}': {err}", node)
            self.error("D_PRAGMA_OPTSET", f"failed to set option '{name}': {err}", node)

    def visit_Clause(self, node):
        return None
