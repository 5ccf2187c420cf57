"""The global zone's small commands: zoneadm list, zonename, uname, sysinfo, cat.

Each reads the running system (the kernel's zones and ``utsname``) or the
machine's files, and prints what the SmartOS command prints.
"""

from __future__ import annotations

import json

from ..host.machine import CommandResult, host_command
from ..kernel import zone as kzone
from ..kernel.cpu import CPU_BRAND

__all__ = ["zoneadm", "zonename", "uname", "sysinfo", "cat"]

HOST_UUID = "44454c4c-4800-1037-8032-b4c04f4e4d32"


def _zones(machine) -> list[tuple[int, str, str, str, str, str]]:
    """(id, name, status, path, brand, ip type) of the global zone and every configured VM's zone."""
    k = machine.kernel
    rows = [(0, "global", "running", "/", "liveimg", "shared")]
    for cfg in machine.store.all():
        brand = cfg["brand"]
        z = kzone.zone_by_name(k, cfg["uuid"])
        if z is None:
            rows.append((-1, cfg["uuid"], "installed", cfg["zonepath"], brand, "excl"))
        else:
            zo = k.obj(z, "zone_t")
            rows.append((zo.zone_id, cfg["uuid"], kzone.ZONE_STATUS_NAMES[zo.zone_status], cfg["zonepath"], brand,
                         "excl"))
    running = sorted((r for r in rows if r[0] >= 0), key=lambda r: r[0])
    others = sorted((r for r in rows if r[0] < 0), key=lambda r: r[1])
    return running + others


@host_command("zoneadm", "/usr/sbin/zoneadm")
def zoneadm(machine, argv: list[str], stdin: str) -> CommandResult:
    """``zoneadm list [-cipv]``."""
    if not argv or argv[0] != "list":
        return CommandResult(253, "", "usage:\tzoneadm list [-cipv]\n")
    flags = "".join(a.lstrip("-") for a in argv[1:] if a.startswith("-"))
    if any(c not in "cipv" for c in flags) or any(not a.startswith("-") for a in argv[1:]):
        return CommandResult(253, "", "usage:\tzoneadm list [-cipv]\n")
    rows = _zones(machine)
    if "c" not in flags:
        rows = [r for r in rows if r[0] >= 0 or ("i" in flags and r[2] == "installed")]
    if "p" in flags:
        lines = [f"{r[0] if r[0] >= 0 else '-'}:{r[1]}:{r[2]}:{r[3]}::{r[4]}:{r[5]}:{r[0] if r[0] >= 0 else 0}"
                 for r in rows]
    elif "v" in flags:
        lines = [f"{'ID':>4} {'NAME':<16} {'STATUS':<10} {'PATH':<30} {'BRAND':<8} {'IP':<6}".rstrip()]
        for r in rows:
            zid = str(r[0]) if r[0] >= 0 else "-"
            lines.append(f"{zid:>4} {r[1]:<16} {r[2]:<10} {r[3]:<30} {r[4]:<8} {r[5]:<6}".rstrip())
    else:
        lines = [r[1] for r in rows]
    return CommandResult(0, "".join(line + "\n" for line in lines))


@host_command("zonename", "/usr/bin/zonename")
def zonename(machine, argv: list[str], stdin: str) -> CommandResult:
    return CommandResult(0, "global\n")


@host_command("uname", "/usr/bin/uname")
def uname(machine, argv: list[str], stdin: str) -> CommandResult:
    """``uname [-snrvmpia]``."""
    k = machine.kernel
    uts = k.var("utsname")
    fields = {"s": uts.member("sysname").string(), "n": uts.member("nodename").string(),
              "r": uts.member("release").string(), "v": uts.member("version").string(),
              "m": uts.member("machine").string(), "p": "i386", "i": "i86pc"}
    flags = "".join(a.lstrip("-") for a in argv)
    if any(not a.startswith("-") for a in argv) or any(c not in "snrvmpiaX" for c in flags):
        return CommandResult(1, "", "usage:  uname [-snrvmapiX]\n        uname [-S system_name]\n")
    if "a" in flags:
        flags = "snrvmpi"
    chosen = [fields[c] for c in "snrvmpi" if c in flags] or [fields["s"]]
    return CommandResult(0, " ".join(chosen) + "\n")


@host_command("sysinfo", "/usr/bin/sysinfo")
def sysinfo(machine, argv: list[str], stdin: str) -> CommandResult:
    """``sysinfo``: the host's facts as JSON (smartos-live src/sysinfo, 2018)."""
    k = machine.kernel
    mib = k.physmem // (1 << 20)
    info = {
        "Live Image": k.platform.rsplit("_", 1)[-1],
        "System Type": "SunOS",
        "Boot Time": str(k.boot_time),
        "Manufacturer": "Supermicro",
        "Product": "SYS-2028TP-HC1R",
        "Serial Number": "S15645X6A08117",
        "SKU Number": "To be filled by O.E.M.",
        "HW Version": "0123456789",
        "HW Family": "To be filled by O.E.M.",
        "Setup": "false",
        "VM Capable": True,
        "Bhyve Capable": True,
        "Bhyve Max Vcpus": 32,
        "CPU Type": CPU_BRAND,
        "CPU Virtualization": "vmx",
        "CPU Physical Cores": 2,
        "UUID": HOST_UUID,
        "Hostname": k.hostname,
        "CPU Total Cores": k.ncpus,
        "MiB of Memory": str(mib - 16),
        "Zpool": "zones",
        "Zpool Disks": "c1t0d0,c1t1d0",
        "Zpool Profile": "mirror",
        "Zpool Creation": 1503611245,
        "Zpool Size in GiB": 1781,
        "Disks": {"c1t0d0": {"Size in GB": 1920}, "c1t1d0": {"Size in GB": 1920}},
        "Boot Parameters": {"smartos": "true", "console": "ttyb", "boot_args": "", "bootargs": ""},
        "Network Interfaces": {"igb0": {"MAC Address": "0c:c4:7a:b3:94:3e", "ip4addr": "10.88.88.17",
                                        "Link Status": "up", "NIC Names": ["admin"]}},
        "Virtual Network Interfaces": {},
        "Link Aggregations": {},
    }
    return CommandResult(0, json.dumps(info, indent=2) + "\n")


@host_command("cat", "/usr/bin/cat")
def cat(machine, argv: list[str], stdin: str) -> CommandResult:
    """``cat FILE...`` (the host's files; no arguments: standard input)."""
    if not argv:
        return CommandResult(0, stdin)
    out, err, rc = [], [], 0
    for path in argv:
        text = machine.files.get(path)
        if text is None:
            err.append(f"cat: cannot open {path}: No such file or directory\n")
            rc = 2
        else:
            out.append(text)
    return CommandResult(rc, "".join(out), "".join(err))
