"""Probe descriptions: macros expanded, fields filled from the right, probes matched.

``hvm_excl_*:entry`` in ``-n`` context is ``:::`` + function + name; the
same text after ``-f`` would end at the function.  Matching asks the kernel
(the device's ``probes``), which also creates probes named on demand
(``tick-7s``).
"""

from __future__ import annotations

import re

from .base import Pass

_DEPTH = {"n": 3, "f": 2, "m": 1, "P": 0, "i": 3}
_MACRO = re.compile(r"\$\$?([0-9]+|[A-Za-z_]+)")


class ProbeDescriptions(Pass):
    def visit_Clause(self, node):
        for d in node.descs:
            self.describe(d)

    def describe(self, d):
        text = _MACRO.sub(lambda m: self.comp.macro_text(m.group(0), d), d.text)
        if text.isdigit():
            probes = self.comp.match_probes(None, int(text))
            if not probes:
                self.error("D_PDESC_INVAL", f"invalid probe identifier {text}: Unknown probe identifier", d)
            d.fields = [probes[0]["provider"], probes[0]["module"], probes[0]["function"], probes[0]["name"]]
            d.probes = probes
            return
        parts = _split(text)
        depth = _DEPTH[self.comp.pdesc_kind]
        if len(parts) > depth + 1:
            self.error("D_PDESC_INVAL", f'invalid probe description "{text}": Overspecified probe description', d)
        fields = [""] * 4
        start = depth - len(parts) + 1
        fields[start:start + len(parts)] = parts
        d.fields = fields
        d.probes = self.comp.match_probes(fields)
        if not d.probes and not self.comp.option("zdefs"):
            self.error("D_PDESC_ZERO", f"probe description {':'.join(fields)} does not match any probes", d,
                       self._near(fields))

    def _near(self, fields: list[str]) -> list[str]:
        """A probe whose description looks like the one that matched nothing (for a person)."""
        from ....suggest import closest
        names = {":".join(f if f else "" for f in (p["provider"], p["module"], p["function"], p["name"]))
                 for p in self.comp.match_probes(["", "", "", ""])}
        return closest(":".join(fields), names)


def _split(text: str) -> list[str]:
    """The ``:``-separated fields (a backslash escapes a colon)."""
    parts, cur, i = [], [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if c == ":":
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts
