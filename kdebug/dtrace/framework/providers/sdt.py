"""The sdt provider: statically defined probes at the sites kernel code declares.

A site ``(module, function, "zsd__destroy__needed")`` is the probe
``sdt:module:function:zsd-destroy-needed`` (``__`` becomes ``-``).  Sites
named ``__proc_*`` and ``__sched_*`` belong to the proc and sched providers
instead (as DTRACE_PROC/DTRACE_SCHED probes do in illumos), which use the
same machinery through :class:`SdtFamily`.
"""

from __future__ import annotations


def probe_name(site: str, prefix: str) -> str:
    return site[len(prefix):].replace("__", "-")


class SdtFamily:
    """Providers whose probes are SDT sites with a name prefix."""

    name = ""
    prefix = ""

    def provide(self, fw, desc) -> None:
        if desc is None:
            self._add(fw)

    def module_loaded(self, fw, module) -> None:
        self._add(fw)

    def _mine(self, site: str) -> bool:
        return site.startswith(self.prefix)

    def _add(self, fw) -> None:
        for mod, func, site in fw.k.sdt_sites:
            if self._mine(site):
                fw.probes.create(self, mod, func, probe_name(site, self.prefix), (mod, func, site))

    def enable(self, fw, probe) -> None:
        fire = fw.firer(probe)
        fw.k.sdt_hooks[probe.data] = lambda k, kf, name, args: fire(k.ctx.cpu, args)

    def disable(self, fw, probe) -> None:
        fw.k.sdt_hooks.pop(probe.data, None)

    def args(self, fw, probe) -> list[str]:
        """The C types the site declares (DTRACE_PROBEn's types), typing args[]."""
        return list(fw.k.sdt_args.get(probe.data, ()))


class SdtProvider(SdtFamily):
    name = "sdt"
    prefix = ""

    def _mine(self, site: str) -> bool:
        return not site.startswith(("__proc_", "__sched_"))
