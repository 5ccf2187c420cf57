"""The probe table: every probe has a stable ID, a four-part name and its provider.

IDs are handed out in creation order and never reused while the kernel
runs: the dtrace provider registers first (BEGIN=1, END=2, ERROR=3), then
the others; probes created later (profile-N on demand, fbt probes of a
module loaded after boot) get the next IDs.
"""

from __future__ import annotations

import fnmatch

__all__ = ["Probe", "ProbeTable", "glob_match"]


class Probe:
    __slots__ = ("id", "provider", "module", "function", "name", "data", "ecbs", "enabled")

    def __init__(self, id: int, provider, module: str, function: str, name: str, data=None):
        self.id = id
        self.provider = provider
        self.module = module
        self.function = function
        self.name = name
        self.data = data          # the provider's own (KFunction, cyclic interval, ...)
        self.ecbs: list = []      # enabled control blocks, every consumer's
        self.enabled = False

    @property
    def fields(self) -> tuple[str, str, str, str]:
        return (self.provider.name, self.module, self.function, self.name)

    def describe(self) -> dict:
        p, m, f, n = self.fields
        return {"id": self.id, "provider": p, "module": m, "function": f, "name": n}

    def __repr__(self) -> str:
        return f"Probe({self.id}, {':'.join(self.fields)})"


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[\\")


def glob_match(pattern: str, text: str) -> bool:
    """One field of a probe description: empty matches all; shell globs; else exact."""
    if pattern == "" or pattern == "*":
        return True
    if not _is_glob(pattern):
        return pattern == text
    return fnmatch.fnmatchcase(text, pattern.replace("\\", ""))


class ProbeTable:
    def __init__(self):
        self.probes: list[Probe] = []
        self.by_name: dict[tuple[str, str, str, str], Probe] = {}

    def create(self, provider, module: str, function: str, name: str, data=None) -> Probe:
        key = (provider.name, module, function, name)
        p = self.by_name.get(key)
        if p is not None:
            return p
        p = Probe(len(self.probes) + 1, provider, module, function, name, data)
        self.probes.append(p)
        self.by_name[key] = p
        return p

    def lookup(self, pid: int) -> Probe | None:
        return self.probes[pid - 1] if 0 < pid <= len(self.probes) else None

    def match(self, fields) -> list[Probe]:
        p, m, f, n = fields
        return [pr for pr in self.probes
                if glob_match(p, pr.provider.name) and glob_match(m, pr.module)
                and glob_match(f, pr.function) and glob_match(n, pr.name)]
