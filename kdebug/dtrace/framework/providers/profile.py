"""The profile provider: ``profile-N[unit]`` (every CPU) and ``tick-N[unit]`` (one CPU).

Probes are cyclics on the kernel clock (``kdebug.kernel.cyclic``): an
omnipresent cyclic (``CY_ALL``) for profile-N, a CPU-0 one for tick-N.
Intervals under 200 us are refused (the probe does not exist).  A probe
fires in the context of what the CPU was doing: kernel code in progress on
it, the thread that keeps it busy (``cpu.occupy``: a vCPU in its guest, in
the kernel, or QEMU emulating, in user mode), or else its current thread
where it stopped (an idle CPU's idle thread in ``i86_mwait``, whose process
is ``sched``).  arg0 is the kernel PC (0 in user mode), arg1 the user PC (0
in the kernel), as in illumos.
"""

from __future__ import annotations

import re

from ....kernel import cpu as cpu_mod, cyclic, thread
from ....kernel.text import ExecContext

_UNITS = {"": None, "hz": None, "ns": 1, "nsec": 1, "us": 1000, "usec": 1000, "ms": 10**6, "msec": 10**6,
          "s": 10**9, "sec": 10**9, "m": 60 * 10**9, "min": 60 * 10**9, "h": 3600 * 10**9,
          "hour": 3600 * 10**9, "d": 86400 * 10**9, "day": 86400 * 10**9}
_NAME = re.compile(r"^(profile|tick)-([0-9]+)([a-zA-Z]*)$")
_MIN_INTERVAL = 200_000
_PRELISTED = ["profile-97", "profile-199", "profile-499", "profile-997", "profile-1999", "profile-4001",
              "profile-4999", "tick-1", "tick-10", "tick-100", "tick-500", "tick-1000", "tick-5000"]


def interval_of(name: str) -> tuple[str, int] | None:
    """("profile"|"tick", interval ns) for a valid probe name, else None."""
    m = _NAME.match(name)
    if m is None:
        return None
    kind, n, unit = m.group(1), int(m.group(2)), m.group(3).lower()
    if unit not in _UNITS or n == 0:
        return None
    mult = _UNITS[unit]
    ns = 10**9 // n if mult is None else n * mult
    if ns < _MIN_INTERVAL:
        return None
    return kind, ns


class ProfileProvider:
    name = "profile"

    def provide(self, fw, desc) -> None:
        if desc is None:
            for n in _PRELISTED:
                fw.probes.create(self, "", "", n, interval_of(n))
            return
        prov, mod, func, name = desc
        if prov not in ("", "profile", "*") or mod or func:
            return
        info = interval_of(name)
        if info is not None:
            fw.probes.create(self, "", "", name, info)

    def enable(self, fw, probe) -> None:
        kind, ns = probe.data
        fire = fw.firer(probe)

        def handler(k, cpu):
            ctx = k.ctx
            if ctx is not None and ctx.cpu == cpu:        # kernel code running on this CPU
                fire(cpu, (ctx.frames[-1].addr if ctx.frames else 0, 0, 0))
                return
            busy = cpu_mod.occupant(k, cpu)
            if busy is not None:                          # a thread doing work that takes time
                t, _, user, pcs = busy
                k.ctx = ExecContext(t, cpu, [], list(pcs)[::-1])
                upc = (k.user_stacks.get(t) or (cpu_mod.USER_PC,))[0]    # where its user stack is
                args = (0, upc, 0) if user else (pcs[0] if pcs else 0, 0, 0)
            else:
                k.ctx = thread.interrupted(k, cpu)
                args = (k.ctx.pc if k.ctx is not None else 0, 0, 0)
            try:
                fire(cpu, args)
            finally:
                k.ctx = ctx

        cpus = cyclic.CY_ALL if kind == "profile" else [0]
        probe.data = (kind, ns, cyclic.cyclic_add(fw.k, handler, ns, cpus=cpus))

    def disable(self, fw, probe) -> None:
        kind, ns, cid = probe.data
        cyclic.cyclic_remove(fw.k, cid)
        probe.data = (kind, ns)

    def args(self, fw, probe) -> list[str]:
        return []
