"""The DTrace framework of one kernel: the probe table, the providers and probe firing.

Providers register their probes at start (and when a module loads later:
``k.modload_hooks``).  A probe is enabled in its provider when its first
ECB arrives and disabled when its last goes; firing runs the ECBs of every
consumer state that is live.
"""

from __future__ import annotations

from .probes import ProbeTable
from .providers import PROVIDERS
from .runtime import Fault

__all__ = ["Framework"]


class Framework:
    def __init__(self, k):
        self.k = k
        self.probes = ProbeTable()
        self.providers = [cls() for cls in PROVIDERS]
        for p in self.providers:
            p.provide(self, None)
        k.modload_hooks.append(self._module_loaded)

    def _module_loaded(self, k, module) -> None:
        for p in self.providers:
            hook = getattr(p, "module_loaded", None)
            if hook is not None:
                hook(self, module)

    def provide(self, desc) -> None:
        """Let providers create probes a description names (profile-N on demand)."""
        for p in self.providers:
            p.provide(self, desc)

    # -- ECBs --------------------------------------------------------------------------

    def add_ecb(self, probe, ecb) -> None:
        probe.ecbs.append(ecb)
        if not probe.enabled:
            probe.enabled = True
            probe.provider.enable(self, probe)

    def remove_ecbs(self, state) -> None:
        for probe in {e.probe for e in state.ecbs}:
            probe.ecbs[:] = [e for e in probe.ecbs if e.state is not state]
            if not probe.ecbs and probe.enabled:
                probe.enabled = False
                probe.provider.disable(self, probe)

    def firer(self, probe, kernel_hook: bool = False):
        """The function a provider calls when ``probe`` fires: ``fire(cpu, args)``.

        With ``kernel_hook``, it is a kernel function hook instead,
        ``fire(k, kf, args)`` on the CPU running kernel code (fbt's entry
        hook): one call from the kernel to the clauses, on fbt's hot path.
        """
        ecbs = probe.ecbs

        def fire(cpu, args, kernel_args=None):
            if kernel_hook:         # called as fire(k, kf, args)
                cpu, args = cpu.ctx.cpu, kernel_args
            L = {}
            for ecb in ecbs:
                if ecb.state.live:
                    try:
                        ecb.fn(probe, args, cpu, ecb.epid, L)
                    except Fault as f:
                        ecb.state.fault(ecb, f, f.__traceback__)
        return fire

    def fire_for(self, state, probe, cpu: int, args) -> None:
        """Fire ``probe`` for one state only (BEGIN, END, ERROR)."""
        L = {}
        for ecb in list(probe.ecbs):
            if ecb.state is state:
                try:
                    ecb.fn(probe, args, cpu, ecb.epid, L)
                except Fault as f:
                    state.fault(ecb, f, f.__traceback__)

    def fire_error(self, state, epid: int, action: int, fault: int, addr: int) -> None:
        self.fire_for(state, self.probes.lookup(3), self.k.curcpu, (0, epid, action, -1, fault, addr))
