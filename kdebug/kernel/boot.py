"""Booting a simulated SmartOS host: from nothing to a running kernel in memory.

:func:`boot` builds the kernel the way illumos comes up: the base types
(CTF), the nucleus (unix, krtld, genunix) and the boot modules, the kernel
heap and its caches, CPUs, ``p0``/``t0`` and the kernel's daemons, the global
zone, the system processes, and the console messages of boot.  The result
depends only on the arguments, so two boots with the same arguments give the
same memory, byte for byte (the fixtures rely on it).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from importlib.resources import files

from . import cdecl, cpu, driver, fork, hma, msgbuf, proc, specfs, thread, zone
from .kernel import Kernel
from .kmem import Kmem
from .lists import list_create
from .modctl import MODULE_TABLE, link_modctl, load_module

__all__ = ["boot", "HostConfig", "DEFAULT_HOST", "PLATFORMS", "DEFAULT_PLATFORM", "KERNEL_CODE",
           "load_base_types", "BASE_HEADERS"]

DEFAULT_PLATFORM = "joyent_20180329T002644Z"
PLATFORMS = {
    "joyent_20180329T002644Z": "SmartOS 2018-03-29: the HVM exclusion lock (hvm_excl), as in the post",
    "joyent_20180830T002644Z": "SmartOS 2018-08-30: after OS-7080, the HMA; bhyve and kvm coexist",
}

# Kernel code, one Python module per subsystem; importing one registers its
# source files (text.KSource).  Link order does not depend on this order.
KERNEL_CODE = [
    "machdep", "kmem", "modctl", "thread", "cpu", "proc", "zone", "msgbuf",
    "driver", "vnode", "specfs", "exit", "pc_hvm", "hma", "vmm", "kvm", "panic",
]

# The C headers of the kernel's own types, read into genunix's CTF in order.
BASE_HEADERS = ["types.h", "proc.h", "thread.h", "zone.h", "modctl.h", "kmem.h", "stream.h", "procfs.h"]

# Address space layout (CONVENTIONS.md "Addresses and symbols").
KERNELBASE = 0xfffffd8000000000
SEGKP_BASE = 0xffffd00007800000
KMEM_HEAP = (0xffffd028c0000000, 0xffffd0ff00000000)


@dataclass(frozen=True)
class HostConfig:
    """What defines a host's boot: same config, same kernel."""

    hostname: str = "emy-17"
    platform: str = DEFAULT_PLATFORM
    ncpus: int = 80
    physmem: int = 256 << 30
    seed: int = 0
    boot_time: int = 1521560187        # 2018-03-20 15:36:27 UTC, the day of the post


DEFAULT_HOST = HostConfig()


def load_base_types(k: Kernel) -> None:
    """Parse the kernel's headers into genunix's type container."""
    headers = files("kdebug.kernel") / "headers"
    for name in BASE_HEADERS:
        cdecl.parse_header((headers / name).read_text(), k.types.base, k.constants, source=name)


def _import_kernel_code() -> None:
    for name in KERNEL_CODE:
        import_module(f"kdebug.kernel.{name}")


# The system processes of a SmartOS global zone: pid, parent pid, u_comm,
# u_psargs, lwps, sleep stacks, flags.
_SYSTEM_PROCS = [
    (5, 0, "zpool-zones", "zpool-zones", 3, ["taskq"], "sys"),
    (9, 1, "svc.startd", "/lib/svc/bin/svc.startd", 9, ["lwp_park", "portfs", "door_return"], "user"),
    (11, 1, "svc.configd", "/lib/svc/bin/svc.configd", 12, ["door_return", "lwp_park"], "user"),
    (56, 1, "dlmgmtd", "/sbin/dlmgmtd", 6, ["door_return"], "user"),
    (67, 1, "ipmgmtd", "/lib/inet/ipmgmtd", 4, ["door_return"], "user"),
    (83, 1, "syseventd", "/usr/lib/sysevent/syseventd", 17, ["lwp_park", "door_return"], "user"),
    (88, 1, "devfsadm", "/usr/lib/devfsadm/devfsadmd", 6, ["lwp_park", "door_return"], "user"),
    (311, 1, "nscd", "/usr/sbin/nscd", 25, ["lwp_park", "door_return", "nanosleep"], "user"),
    (356, 1, "utmpd", "/usr/lib/utmpd", 1, ["pollsys"], "user"),
    (401, 1, "cron", "/usr/sbin/cron", 1, ["sigtimedwait"], "user"),
    (428, 1, "inetd", "/usr/lib/inet/inetd start", 4, ["portfs", "lwp_park"], "user"),
    (438, 9, "sac", "/usr/lib/saf/sac -t 300", 1, ["pollsys"], "user"),
    (446, 9, "ttymon", "/usr/lib/saf/ttymon -g -d /dev/console -l console -m ldterm,ttcompat -h -p emy-17 co",
     1, ["pollsys"], "user"),
    (487, 1, "fmd", "/usr/lib/fm/fmd/fmd", 29, ["lwp_park", "door_return", "nanosleep"], "user"),
    (530, 1, "rsyslogd", "/usr/sbin/rsyslogd -c5 -n", 6, ["lwp_park", "pollsys"], "user"),
    (592, 1, "sshd", "/usr/lib/ssh/sshd", 1, ["pollsys"], "user"),
    (636, 1, "node", "/usr/node/bin/node /usr/vm/sbin/vmadmd", 5, ["portfs", "lwp_park"], "user"),
    (641, 1, "node", "/usr/node/bin/node /usr/vm/sbin/metadata", 5, ["portfs", "lwp_park"], "user"),
    (655, 1, "zonestatd", "/usr/lib/zones/zonestatd", 5, ["door_return", "lwp_park"], "user"),
    (4180, 592, "sshd", "/usr/lib/ssh/sshd", 1, ["pollsys"], "user"),
    (4183, 4180, "bash", "-bash", 1, ["waitid"], "user"),
]

_BOOT_MESSAGES = [
    "\rSunOS Release 5.11 Version {platform} 64-bit",
    "Copyright (c) 2010-2018, Joyent Inc. All rights reserved.",
    "x86_feature: lgpg",
    "x86_feature: tsc",
    "x86_feature: msr",
    "x86_feature: mtrr",
    "x86_feature: pge",
    "x86_feature: de",
    "x86_feature: cmov",
    "x86_feature: mmx",
    "x86_feature: mca",
    "x86_feature: pae",
    "x86_feature: cv8",
    "x86_feature: pat",
    "x86_feature: sse",
    "x86_feature: sse2",
    "x86_feature: htt",
    "x86_feature: asysc",
    "x86_feature: nx",
    "x86_feature: sse3",
    "x86_feature: cx16",
    "x86_feature: cmp",
    "x86_feature: tscp",
    "x86_feature: mwait",
    "x86_feature: cpuid",
    "x86_feature: ssse3",
    "x86_feature: sse4_1",
    "x86_feature: sse4_2",
    "x86_feature: clfsh",
    "x86_feature: 64",
    "x86_feature: aes",
    "x86_feature: pclmulqdq",
    "x86_feature: xsave",
    "x86_feature: avx",
    "x86_feature: vmx",
    "x86_feature: efs",
    "x86_feature: f16c",
    "x86_feature: rdrand",
    "x86_feature: bmi1",
    "x86_feature: bmi2",
    "x86_feature: avx2",
    "x86_feature: fma",
    "x86_feature: smep",
    "x86_feature: smap",
    "x86_feature: adx",
    "x86_feature: rdseed",
    "mem = {mem_k}K ({mem_hex:#x})",
    "Using default device instance data",
    "SMBIOS v2.8 loaded (5118 bytes)",
    "root nexus = i86pc",
    "pseudo0 at root",
    "pseudo0 is /pseudo",
    "scsi_vhci0 at root",
    "scsi_vhci0 is /scsi_vhci",
    "cpu0: x86 (chipid 0x0 GenuineIntel 406F1 family 6 model 79 step 1 clock 2200 MHz)",
    "cpu0: Intel(r) Xeon(r) CPU E5-2698 v4 @ 2.20GHz",
    "NOTICE: cpu_acpi: _PSS package evaluation failed for with status 5 for CPU 0.",
    "NOTICE: cpu_acpi: error parsing _PSS for CPU 0",
    "pci0 at root: space 0 offset 0",
    "pci0 is /pci@0,0",
    "PCI Express-device: pci8086,6f02@1, pcieb0",
    "pcieb0 is /pci@0,0/pci8086,6f02@1",
    "{ncpus} cpus available",
    "NOTICE: igb0 registered",
    "NOTICE: igb0: link up, 1000 Mbps, full duplex",
    "zfs0 at root",
    "zfs0 is /pseudo/zfs@0",
    "dtrace0 at root",
    "dtrace0 is /pseudo/dtrace@0",
    "kvm0 at root",
    "kvm0 is /pseudo/kvm@0",
]


def boot(config: HostConfig = DEFAULT_HOST, extra_code: list[str] | None = None) -> Kernel:
    """Boot a host as ``config`` describes; returns the running kernel."""
    if config.platform not in PLATFORMS:
        raise ValueError(f"unknown platform {config.platform}")
    _import_kernel_code()
    for name in extra_code or ():
        import_module(name)
    k = Kernel(config.platform, config.hostname, config.ncpus, config.physmem, config.seed, config.boot_time)
    load_base_types(k)

    # krtld: the nucleus and the boot modules.
    boot_mods = [m for m in MODULE_TABLE if m.boot]
    modules = [load_module(k, mdef, i) for i, mdef in enumerate(boot_mods)]
    k.var("kernelbase").set(KERNELBASE)
    k.var("kernelheap").set(KMEM_HEAP[0])
    k.var("ekernelheap").set(KMEM_HEAP[1])
    k.var("segkp_base").set(SEGKP_BASE)
    k.var("physmem").set(config.physmem // 0x1000)
    k.var("physinstalled").set(config.physmem // 0x1000)
    k.var("freemem").set(config.physmem // 0x1000 * 9 // 10)
    k.var("hz").set(k.HZ)
    k.var("boot_time").set(config.boot_time)
    k.var("last_module_id").set(len(modules) - 1)
    k.segkp_next = SEGKP_BASE
    uts = k.var("utsname")
    uts.sysname = "SunOS"
    uts.nodename = config.hostname
    uts.release = "5.11"
    uts.version = config.platform
    uts.machine = "i86pc"

    # kmem: the caches the rest of the kernel allocates from.
    _kmem_init(k)
    for mod in modules:
        link_modctl(k, mod)

    # The first process and thread, CPUs, zones, daemons.
    msgbuf.log_init(k)
    proc.proc_init(k)
    cpu.cpu_init(k, config.ncpus)
    zone.zone_init(k)
    driver.driver_init(k)
    specfs.specinit(k)
    _kernel_daemons(k)
    t0 = k.sym_addr("t0")
    if k.platform in hma.HMA_PLATFORMS:
        k.enter(t0, 0, hma.hma_init)         # mp_startup, once every CPU is up
    k.enter(t0, 0, driver.ddi_hold_installed_driver, driver.ddi_name_to_major(k, "kvm"))   # kvm0 at root
    for pid, ppid, comm, psargs, nlwps, stacks, kind in _SYSTEM_PROCS:
        parent = proc.proc_by_pid(k, ppid)
        flag = proc.FLAG_SYS_NOWAIT if kind == "sys" else proc.FLAG_USER
        proc.proc_create(k, pid, parent, comm, psargs, flag=flag, nlwps=nlwps, stacks=stacks,
                         sid=pid if ppid == 1 else None, pgid=pid if ppid == 1 else None,
                         start_ticks=100 * 20 + pid)
    mem_k = config.physmem // 1024
    for text in _BOOT_MESSAGES:
        msgbuf.log_message(k, text.format(platform=config.platform, mem_k=mem_k, mem_hex=config.physmem,
                                       ncpus=config.ncpus))
    k.hrtime = 60 * 1_000_000_000   # a minute after boot, the host is up and idle
    return k


_CACHES = [
    # name, buffer size, alignment
    ("kmem_magazine_1", 16, 64), ("kmem_magazine_3", 32, 64), ("kmem_magazine_7", 64, 64),
    ("kmem_magazine_15", 128, 64), ("kmem_magazine_31", 256, 64), ("kmem_magazine_47", 384, 64),
    ("kmem_magazine_63", 512, 64), ("kmem_magazine_95", 768, 64), ("kmem_magazine_143", 1152, 64),
    ("kmem_slab_cache", 72, 8), ("kmem_bufctl_cache", 24, 8), ("kmem_bufctl_audit_cache", 192, 8),
    ("kmem_va_4096", 4096, 4096), ("kmem_va_8192", 8192, 4096),
]


def _kmem_init(k: Kernel) -> None:
    cache_t = k.types.lookup("kmem_cache_t")
    list_create(k, k.sym_addr("kmem_caches"), cache_t.size, cache_t.member("cache_link").offset)
    k.kmem = Kmem(k, KMEM_HEAP)
    k.kmem.create_cache("kmem_cache", cache_t.size, 64)
    for name, size, align in _CACHES:
        k.kmem.create_cache(name, size, align)
    k.kmem.create_alloc_caches()
    sizes = {
        "thread_cache": (k.types.lookup("kthread_t").size, 64),
        "lwp_cache": (k.types.lookup("klwp_t").size, 64),
        "process_cache": (k.types.lookup("proc_t").size, 64),
        "cred_cache": (k.types.lookup("cred_t").size, 8),
        "pid_cache": (k.types.lookup("struct pid").size, 8),
        "vn_cache": (k.types.lookup("vnode_t").size, 64),
        "streams_mblk": (k.types.lookup("mblk_t").size, 64),
        "file_cache": (56, 8),
        "anon_cache": (48, 8),
        "seg_cache": (96, 8),
        "as_cache": (224, 64),
        "zio_cache": (960, 64),
        "dnode_t": (752, 64),
        "dmu_buf_impl_t": (192, 8),
        "arc_buf_hdr_t_full": (232, 8),
    }
    for name, (size, align) in sizes.items():
        k.kmem.create_cache(name, size, align)


def _kernel_daemons(k: Kernel) -> None:
    """The kernel's own threads and its system processes pageout and fsflush."""
    p0 = k.sym_addr("p0")
    sleep = k.constants["TS_SLEEP"]
    init = proc.proc_create(k, 1, p0, "init", "/sbin/init", flag=proc.FLAG_INIT, nlwps=1,
                            stacks=["sigsuspend"], start_ticks=1200)
    k.var("proc_init").set(init)
    pageout = proc.proc_create(k, 2, p0, "pageout", flag=proc.FLAG_SYS_NOWAIT, nlwps=0)
    thread.thread_create(k, "pageout", pageout, sleep, pri=98, stack="pageout")
    thread.thread_create(k, "pageout_scanner", pageout, sleep, pri=98, stack="pageout_scanner")
    k.var("proc_pageout").set(pageout)
    fsflush = proc.proc_create(k, 3, p0, "fsflush", flag=proc.FLAG_SYS_NOWAIT, nlwps=0)
    thread.thread_create(k, "fsflush", fsflush, sleep, pri=60, stack="fsflush")
    k.var("proc_fsflush").set(fsflush)
    thread.thread_create(k, "thread_reaper", p0, sleep, pri=60, stack="thread_reaper")
    taskqs = ["system_taskq", "callout_taskq", "kmem_taskq", "kmem_move_taskq", "ddi_periodic_taskq",
              "console_taskq", "zone_sched_taskq", "ipnet", "mac_notify_taskq", "dld_taskq",
              "vmm_zsd_taskq", "zil_clean", "zfs_vn_rele_taskq", "spa_zio_issue", "arc_prune",
              "dbu_evict", "zvol_taskq", "sdev_taskq", "timeout_taskq", "pm_taskq"]
    for i, name in enumerate(taskqs):
        n = 2 if name in ("system_taskq", "zil_clean", "spa_zio_issue") else 1
        for _ in range(n):
            thread.thread_create(k, "taskq_thread", p0, sleep, pri=60 + i % 40, name=name, stack="taskq")
    for _ in range(4):
        thread.thread_create(k, "taskq_d_thread", p0, sleep, pri=60, name="system_taskq", stack="taskq_d")
