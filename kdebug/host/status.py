"""What ``kdebug host status`` reports about a machine: VMs and the lock holder.

Read from the machine the way an operator would: the VMs from ``vmadm
list``, the hypervisor lock from kernel memory (``hvm_excl_holder`` on the
2018 platform, ``hma_registrations`` after OS-7080).
"""

from __future__ import annotations

from ..kernel import MemoryFault
from ..kernel.lists import list_walk
from ..kernel.symbols import SymbolLookupError
from .machine import HOST_COMMANDS

__all__ = ["host_summary", "lock_holder"]


def lock_holder(k) -> dict:
    """{"hvm_excl": holder or None} on the 2018 platform, {"hma": [names]} after OS-7080."""
    try:
        holder = k.var("hvm_excl_holder").value()
        return {"hvm_excl": k.mem.read_cstr(holder, 64).decode("latin-1") if holder else None}
    except (SymbolLookupError, TypeError, MemoryFault):
        pass
    try:
        regs = k.sym_addr("hma_registrations")
        hma_reg = k.types.lookup("struct hma_reg")
        names = [k.obj(r, hma_reg).member("hr_name").string() for r in list_walk(k, regs)]
        return {"hma": names}
    except (SymbolLookupError, LookupError, MemoryFault):
        return {}


def host_summary(machine) -> dict:
    """VMs (uuid, alias, state) and the lock, for status displays."""
    vms = []
    if "vmadm" in HOST_COMMANDS:
        res = machine.run(["vmadm", "list", "-p", "-o", "uuid,alias,state"])
        if res.rc == 0:
            vms = [dict(zip(("uuid", "alias", "state"), line.split(":", 2)))
                   for line in res.stdout.splitlines() if line]
    return {"vms": vms, "lock": lock_holder(machine.kernel)}
