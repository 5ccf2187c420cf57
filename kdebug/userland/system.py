"""The userland of one boot of the host: its processes, its zones, and the services that start VMs.

A :class:`Userland` is made each time the machine boots.  It follows the
processes it started (the kernel tells it when one is reaped), runs
``zoneadm boot``/``halt`` through each zone's zoneadmd, and at boot starts
the VMs marked to autoboot the way SmartOS does, concurrently:

- bhyve zones: the ``svc:/system/zones:default`` method boots every zone
  with autoboot set, in parallel (``zoneadm -z Z boot &``);
- kvm VMs: vmadmd, on its first start after a boot (no
  ``/tmp/.autoboot_vmadmd``), starts each VM with autoboot set.

When each service starts is drawn from the boot's seed, so whichever
hypervisor's guest opens its device first depends on the seed: the post's
race, reproducible.
"""

from __future__ import annotations

import random

from ..kernel import cyclic
from .zones import Zone

__all__ = ["Userland", "SERVICES_SETTLE_NS"]

_S = 1_000_000_000
SERVICES_START_NS = 6 * _S          # svc.startd reaches the services, at the earliest
SERVICES_JITTER_NS = 3 * _S
SERVICES_SETTLE_NS = 15 * _S        # by then every autoboot VM has started (or failed)
AUTOBOOT_FLAG = "/tmp/.autoboot_vmadmd"


class Userland:
    """The processes and zones of the machine's current boot."""

    def __init__(self, machine):
        self.machine = machine
        self.k = machine.kernel
        self.zones: dict[str, Zone] = {}
        self.processes: dict[int, object] = {}
        self.k.proc_exit_hooks.append(self._reaped)

    def track(self, process) -> None:
        self.processes[process.proc] = process

    def _reaped(self, k, proc: int) -> None:
        p = self.processes.pop(proc, None)
        if p is not None:
            p.reaped()

    # -- zoneadm -------------------------------------------------------------

    def zone_boot(self, cfg: dict) -> Zone:
        zone = Zone(self, cfg)
        self.zones[cfg["uuid"]] = zone
        zone.boot()
        return zone

    def zone_halt(self, uuid: str) -> None:
        zone = self.zones.get(uuid)
        if zone is not None and not zone.halting:
            zone.halt()

    def zone_gone(self, zone: Zone) -> None:
        if self.zones.get(zone.uuid) is zone:
            del self.zones[zone.uuid]

    def zone_status(self, uuid: str) -> str | None:
        """The kernel status of the VM's zone ("running", ...), or None if it does not exist."""
        zone = self.zones.get(uuid)
        return zone.status if zone is not None else None

    def guest(self, uuid: str):
        """The hypervisor process object (Zhyve or Qemu) of a VM whose zone exists, else None."""
        zone = self.zones.get(uuid)
        return zone.guest if zone is not None else None

    # -- boot-time services ---------------------------------------------------------

    def start_services(self, seed: int, configs: list[dict]) -> bool:
        """Schedule the zones service and vmadmd; returns whether any VM will autoboot."""
        rng = random.Random(seed)
        k = self.k
        zones_at = SERVICES_START_NS + rng.randrange(SERVICES_JITTER_NS)
        vmadmd_at = SERVICES_START_NS + rng.randrange(SERVICES_JITTER_NS)
        bhyve = [c for c in configs if c.get("autoboot") and c["brand"] == "bhyve"]
        kvm = [c for c in configs if c.get("autoboot") and c["brand"] == "kvm"]
        for cfg in bhyve:
            when = zones_at + rng.randrange(_S // 2)
            cyclic.timeout(k, lambda k2, cpu, cfg=cfg: self._autoboot(cfg), when)
        cyclic.timeout(k, lambda k2, cpu: self._vmadmd(kvm), vmadmd_at)
        return bool(bhyve or kvm)

    def _autoboot(self, cfg: dict) -> None:
        if cfg["uuid"] not in self.zones:
            self.zone_boot(cfg)

    def _vmadmd(self, configs: list[dict]) -> None:
        """vmadmd's first start after boot: start the kvm VMs set to autoboot, one after another."""
        files = self.machine.files
        if AUTOBOOT_FLAG in files:
            return
        files[AUTOBOOT_FLAG] = ""
        for i, cfg in enumerate(configs):
            cyclic.timeout(self.k, lambda k2, cpu, cfg=cfg: self._autoboot(cfg), i * _S)
