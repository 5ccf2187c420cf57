"""The proc provider: process events, from ``__proc_*`` SDT sites in kernel code (DTRACE_PROC).

Its arguments are stable: a ``proc_t *`` or ``kthread_t *`` in the kernel is
given to D as the ``psinfo_t *`` or ``lwpsinfo_t *`` it translates to (the
translators are in the D library's procfs.d), as illumos's sdt_args table
declares them.  A translated argument is spelled ``"native => translated"``.
"""

from __future__ import annotations

from .sdt import SdtFamily

PSINFO = "proc_t * => psinfo_t *"
LWPSINFO = "kthread_t * => lwpsinfo_t *"

ARGS = {
    "create": [PSINFO],
    "exec": ["string"],
    "exec-failure": ["int"],
    "exit": ["int"],
    "lwp-create": [LWPSINFO, PSINFO],
    "signal-send": [LWPSINFO, PSINFO, "int"],
}


class ProcProvider(SdtFamily):
    name = "proc"
    prefix = "__proc_"

    def args(self, fw, probe) -> list[str]:
        return list(ARGS.get(probe.name, ()))
