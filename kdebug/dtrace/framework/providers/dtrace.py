"""The dtrace provider: BEGIN (1), END (2) and ERROR (3), fired by the framework itself."""

from __future__ import annotations


class DTraceProvider:
    name = "dtrace"

    def provide(self, fw, desc) -> None:
        if desc is None:
            for n in ("BEGIN", "END", "ERROR"):
                fw.probes.create(self, "", "", n)

    def enable(self, fw, probe) -> None:
        pass

    def disable(self, fw, probe) -> None:
        pass

    def args(self, fw, probe) -> list[str]:
        if probe.name == "ERROR":
            return ["uint64_t", "uint64_t", "uint64_t", "int", "int", "uint64_t"]
        return []
