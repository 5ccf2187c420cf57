"""Zones from userland: zoneadmd booting and halting a VM's zone, and the zone's logs.

Each running zone has a ``zoneadmd`` in the global zone.  To boot, zoneadmd
creates the zone (``zone(ZONE_CREATE)``), sets its init (``zhyve`` for
bhyve, ``/startvm`` for kvm) and boots it (``zone(ZONE_BOOT)``); the kernel
starts the init, and the brand's program runs in it.  To halt, zoneadmd
calls ``zone(ZONE_SHUTDOWN)`` then ``zone(ZONE_DESTROY)`` and exits.  When a
bhyve zone's init exits with a non-zero status, the zone halts (the
brand sets ZONE_ATTR_INITRESTART0 and ZONE_ATTR_INITREBOOT).

zoneadmd keeps the zone's console output (zfd) as JSON lines in
``/zones/UUID/logs/stdio.log``; kvm's qemu-exec writes ``/tmp/vm.log`` in the
zone (``/zones/UUID/root/tmp/vm.log``).
"""

from __future__ import annotations

import json
import time

from ..kernel import cyclic, zone as kzone
from ..kernel.fork import EXECUTABLES
from ..kernel.proc import proc_by_pid
from . import images
from .guests import QEMU, ZHYVE, Qemu, Zhyve
from .process import adopt, spawn

__all__ = ["Zone", "ZONEPATH", "zone_log_path", "vm_log_path", "ZONEADMD"]

ZONEADMD = "/usr/lib/zones/zoneadmd"
BHYVE_INIT = ZHYVE
KVM_INIT = "/startvm"
INIT_EXIT_HALT_NS = 100_000_000     # zoneadmd notices init's exit and halts the zone
EXECUTABLES.update({ZONEADMD, BHYVE_INIT, KVM_INIT})
ZONEADMD_IMAGE = images.register(ZONEADMD, images.UserImage("zoneadmd", 0x400000, [
    ("_start", 0x80), ("main", 0x900), ("zone_bootup", 0x2c0), ("zone_halt", 0x1e0), ("zone_ready", 0x260),
]))


def ZONEPATH(uuid: str) -> str:
    return f"/zones/{uuid}"


def zone_log_path(uuid: str) -> str:
    return f"/zones/{uuid}/logs/stdio.log"


def vm_log_path(uuid: str) -> str:
    return f"/zones/{uuid}/root/tmp/vm.log"


def _stamp(k, fmt: str) -> str:
    ns = k.walltime_ns
    return time.strftime(fmt, time.gmtime(ns // 1_000_000_000))


class Zone:
    """A VM's zone while it exists in the kernel; ``cfg`` is its vmadm configuration."""

    def __init__(self, ul, cfg: dict):
        self.ul = ul
        self.k = ul.k
        self.cfg = cfg
        self.uuid = cfg["uuid"]
        self.brand = cfg["brand"]
        self.did = cfg["zone_did"]
        self.zoneid = -1
        self.zoneadmd = None
        self.init = None
        self.guest = None
        self.halting = False

    # -- zoneadmd ----------------------------------------------------------

    def boot(self) -> None:
        """``zoneadm -z UUID boot``: zoneadmd makes and boots the zone."""
        k = self.k
        self.zoneadmd = spawn(k, k.var("proc_init").value(), ZONEADMD, [ZONEADMD, "-z", self.uuid], nlwps=4,
                              stacks=["door_return", "lwp_park", "door_return", "pollsys"], setsid=True)
        self.ul.track(self.zoneadmd)
        z = self.zoneadmd
        self.zoneid = z.syscall(kzone.zone, kzone.ZONE_CREATE, z.ustr(self.uuid), z.ustr(ZONEPATH(self.uuid) + "/root"),
                                self.did, 0)
        init = BHYVE_INIT if self.brand == "bhyve" else KVM_INIT
        z.syscall(kzone.zone, kzone.ZONE_SETATTR, self.zoneid, kzone.ZONE_ATTR_INITNAME, z.ustr(init), len(init) + 1)
        if self.brand == "bhyve":
            for attr in (kzone.ZONE_ATTR_INITRESTART0, kzone.ZONE_ATTR_INITREBOOT):
                z.syscall(kzone.zone, kzone.ZONE_SETATTR, self.zoneid, attr, 0, 0)
        z.syscall(kzone.zone, kzone.ZONE_BOOT, self.zoneid, 0, 0, 0)
        zo = k.obj(kzone.zone_by_id(k, self.zoneid), "zone_t")
        self.init = adopt(k, proc_by_pid(k, zo.zone_proc_initpid))
        self.ul.track(self.init)
        self.init.on_exit.append(self._init_exited)
        if self.brand == "bhyve":
            self.guest = Zhyve(self, self.init)
        else:
            self.guest = Qemu(self, self.init, self._qemu_argv())
        self.guest.start()

    def halt(self) -> None:
        """``zoneadm -z UUID halt``: shutdown (processes die), destroy (ZSD callbacks), zoneadmd exits."""
        self.halting = True
        z = self.zoneadmd
        z.syscall(kzone.zone, kzone.ZONE_SHUTDOWN, self.zoneid, 0, 0, 0)
        z.syscall(kzone.zone, kzone.ZONE_DESTROY, self.zoneid, 0, 0, 0)
        self.ul.zone_gone(self)
        z.exit(0)

    def _init_exited(self, proc) -> None:
        if self.halting:
            return
        cyclic.timeout(self.k, lambda k, cpu: self.halt() if not self.halting else None, INIT_EXIT_HALT_NS)

    @property
    def status(self) -> str | None:
        """The kernel's zone status name, or None once the zone is gone."""
        z = kzone.zone_by_id(self.k, self.zoneid)
        if z is None:
            return None
        return kzone.ZONE_STATUS_NAMES[self.k.obj(z, "zone_t").zone_status]

    # -- logs ------------------------------------------------------------------

    def log(self, stream: str, text: str) -> None:
        """zfd: a line the zone's init wrote on ``stream``, logged by zoneadmd."""
        ns = self.k.walltime_ns
        stamp = _stamp(self.k, "%Y-%m-%dT%H:%M:%S") + f".{ns % 1_000_000_000 // 1000:06d}000Z"
        line = json.dumps({"log": text, "stream": stream, "time": stamp}, separators=(",", ":"))
        self.ul.machine.append_file(zone_log_path(self.uuid), line + "\n")

    def vm_log_start(self) -> None:
        """qemu-exec: rotate /tmp/vm.log to vm.log.0 ... vm.log.9 and write the header."""
        files = self.ul.machine.files
        path = vm_log_path(self.uuid)
        for i in range(8, -1, -1):
            if f"{path}.{i}" in files:
                files[f"{path}.{i + 1}"] = files.pop(f"{path}.{i}")
        if path in files:
            files[f"{path}.0"] = files.pop(path)
        files[path] = f"=== OUTPUT ({_stamp(self.k, '%Y-%m-%dT%H:%M:%SZ')}) ===\n"

    def vm_log(self, text: str) -> None:
        self.ul.machine.append_file(vm_log_path(self.uuid), text)

    def _qemu_argv(self) -> list[str]:
        cfg = self.cfg
        return [QEMU, "-m", str(cfg["ram"]), "-name", self.uuid, "-uuid", self.uuid,
                "-cpu", cfg.get("cpu_type", "qemu64"), "-vga", "std", "-chardev",
                "socket,id=qmp,path=/tmp/vm.qmp,server,nowait", "-mon", "chardev=qmp,mode=control",
                "-smp", f"cpus={cfg.get('vcpus', 1)}", "-vnc", "unix:/tmp/vm.vnc", "-parallel", "none",
                "-usb", "-usbdevice", "tablet", "-k", "en-us"]
