"""The sched provider: ``on-cpu`` and ``off-cpu`` as threads enter and leave the kernel's CPUs.

The simulated kernel runs a thread on a CPU while ``Kernel.enter`` runs
its code; the hooks in ``k.sched_hooks`` fire there (on-cpu with the new
thread as curthread, off-cpu as it leaves).  Other sched probes come from
``__sched_*`` SDT sites (DTRACE_SCHED), when kernel code declares them.
"""

from __future__ import annotations

from .sdt import SdtFamily

_SWITCH = ("on-cpu", "off-cpu")


class SchedProvider(SdtFamily):
    name = "sched"
    prefix = "__sched_"

    def provide(self, fw, desc) -> None:
        if desc is None:
            for n in _SWITCH:
                fw.probes.create(self, "unix", "swtch", n, None)
        super().provide(fw, desc)

    def enable(self, fw, probe) -> None:
        if probe.data is None:
            fire = fw.firer(probe)
            fw.k.sched_hooks[probe.name] = lambda k: fire(k.ctx.cpu, ())
            return
        super().enable(fw, probe)

    def disable(self, fw, probe) -> None:
        if probe.data is None:
            fw.k.sched_hooks.pop(probe.name, None)
            return
        super().disable(fw, probe)
