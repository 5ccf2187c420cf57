"""The fbt provider: ``fbt:<module>:<function>:entry`` and ``:return`` for every kernel function.

Enabling sets ``KFunction.probed`` and the function's hooks; disabling
clears them, so a disabled probe costs what it always cost (one attribute
test per call).  ``args[]`` are typed from the function's prototype; the
return probe's arg0 is the return instruction's offset, arg1 the value.
"""

from __future__ import annotations

from ....kernel import ctf


class FbtProvider:
    name = "fbt"

    def provide(self, fw, desc) -> None:
        if desc is None:
            for (module, name), kf in fw.k.functions.items():
                self._add(fw, kf)

    def module_loaded(self, fw, module) -> None:
        for (mod, name), kf in fw.k.functions.items():
            if mod == module.name:
                self._add(fw, kf)

    def _add(self, fw, kf) -> None:
        fw.probes.create(self, kf.module, kf.name, "entry", kf)
        fw.probes.create(self, kf.module, kf.name, "return", kf)

    def enable(self, fw, probe) -> None:
        kf = probe.data
        if probe.name == "entry":
            kf.entry_hook = fw.firer(probe, kernel_hook=True)
        else:
            fire, offset = fw.firer(probe), kf.return_offset
            kf.return_hook = lambda k, f, rv: fire(k.ctx.cpu, (offset, rv))
        kf.probed = True

    def disable(self, fw, probe) -> None:
        kf = probe.data
        if probe.name == "entry":
            kf.entry_hook = None
        else:
            kf.return_hook = None
        kf.probed = kf.entry_hook is not None or kf.return_hook is not None

    def args(self, fw, probe) -> list[str]:
        proto = probe.data.proto
        if not isinstance(proto, ctf.Function):
            return []
        if probe.name == "entry":
            return [ctf.type_name(t) for _, t in proto.params]
        if isinstance(ctf.resolve(proto.ret), ctf.Void):
            return ["int"]
        return ["int", ctf.type_name(proto.ret)]
