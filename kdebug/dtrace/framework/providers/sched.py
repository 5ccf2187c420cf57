"""The sched provider: ``on-cpu`` and ``off-cpu`` as threads enter and leave the kernel's CPUs.

The simulated kernel runs a thread on a CPU while ``Kernel.enter`` runs
its code; the hooks in ``k.sched_hooks`` fire there (on-cpu with the new
thread as curthread, off-cpu as it leaves, its arguments the lwpsinfo_t and
psinfo_t of the thread that runs next).  Other sched probes come from
``__sched_*`` SDT sites (DTRACE_SCHED), when kernel code declares them.
"""

from __future__ import annotations

from .proc import LWPSINFO, PSINFO
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
            if probe.name == "on-cpu":
                fw.k.sched_hooks[probe.name] = lambda k: fire(k.ctx.cpu, ())
            else:
                fw.k.sched_hooks[probe.name] = lambda k, nxt: fire(k.ctx.cpu, (nxt, _proc_of(k, nxt)))
            return
        super().enable(fw, probe)

    def disable(self, fw, probe) -> None:
        if probe.data is None:
            fw.k.sched_hooks.pop(probe.name, None)
            return
        super().disable(fw, probe)

    def args(self, fw, probe) -> list[str]:
        if probe.data is None:
            return [LWPSINFO, PSINFO] if probe.name == "off-cpu" else []
        return super().args(fw, probe)


def _proc_of(k, t: int) -> int:
    return k.obj(t, "kthread_t").t_procp if t else 0
