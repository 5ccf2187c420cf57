"""Zones (genunix zone.c, brand.c).

``zone0`` is the global zone, static in genunix; other zones are allocated
when created.  Active zones are on ``zone_active`` (through
``zone_linkage``).  Each zone has a list of zone-specific data entries
(``zone_zsd``) for the keys registered on ``zsd_registered_keys``.

The bhyve and kvm brands have no kernel brand module, so their zones keep
the ``native_brand``, whose ``b_name`` is "native"
(reference/smartos-hypervisors.md section 5).

The ``zone`` system call drives a zone's life, as zoneadmd uses it:
``ZONE_CREATE`` (``zone_create``: the zone_t, its ZSD entries with the
create callbacks run, its ``zsched`` process; the zone is ready),
``ZONE_SETATTR`` (the init's name, the brand's init-exit behaviour),
``ZONE_BOOT`` (``zone_boot``: zsched starts the init), ``ZONE_SHUTDOWN``
(``zone_shutdown``: the processes are killed, the ZSD shutdown callbacks
run; the zone is down) and ``ZONE_DESTROY`` (``zone_destroy``: zsched exits,
``zone_zsd_callbacks(ZSD_DESTROY)`` runs the destroy callbacks, the zone is
freed).  A module registers per-zone data with ``zone_key_create``.  The
SDT probes ``zsd__create__needed``, ``zsd__shutdown__needed`` and
``zsd__destroy__needed`` fire where illumos has them.

C types: ``zone_t *``, ``struct zsd_entry *``.
"""

from __future__ import annotations

from .driver import copyinstr, funcptr
from .exit import kill_proc
from .lists import list_create, list_insert_tail, list_remove, list_walk
from .machdep import SyscallError, thread_start
from .proc import for_each_proc, proc_create
from .text import KSource
from .thread import thread_create

__all__ = ["zone_init", "for_each_zone", "zone_by_name", "zone_by_id", "ZONE_STATUS_NAMES",
           "GLOBAL_ZONE_NAME_ADDR", "zone", "zone_key_create", "zone_key_delete", "zone_getspecific",
           "zone_setspecific", "zone_hold", "zone_rele", "ZONE_CREATE", "ZONE_DESTROY", "ZONE_SHUTDOWN",
           "ZONE_BOOT", "ZONE_SETATTR", "ZONE_ATTR_INITNAME", "ZONE_ATTR_INITRESTART0", "ZONE_ATTR_INITREBOOT"]

# The draft post by the same author shows zone0's name at this address.
GLOBAL_ZONE_NAME_ADDR = 0xfffffffffbf3ff40

ZONE = KSource("genunix", "zone.c", decls="""
    zone_t zone0;
    zone_t *global_zone;
    list_t zone_active;
    list_t zone_deathrow;
    kmutex_t zonehash_lock;
    kmutex_t zone_status_lock;
    kmutex_t zone_deathrow_lock;
    list_t zsd_registered_keys;
    kmutex_t zsd_key_lock;
    uint_t maxzones;
    zone_key_t zsd_keyval;
    uint_t zonecount;
    int zone(int cmd, void *arg1, void *arg2, void *arg3, void *arg4);
    zoneid_t zone_create(const char *zone_name, const char *zone_root, zoneid_t zone_did);
    int zone_destroy(zoneid_t zoneid);
    int zone_shutdown(zoneid_t zoneid);
    int zone_boot(zoneid_t zoneid);
    void zone_zsd_callbacks(zone_t *zone, int ct);
    void zsd_apply_all_keys(void *applyfn, zone_t *zone);
    boolean_t zsd_apply_destroy(kmutex_t *lockp, boolean_t zone_lock_held, zone_t *zone, zone_key_t key);
    boolean_t zsd_apply_shutdown(kmutex_t *lockp, boolean_t zone_lock_held, zone_t *zone, zone_key_t key);
    boolean_t zsd_apply_create(kmutex_t *lockp, boolean_t zone_lock_held, zone_t *zone, zone_key_t key);
    void zone_key_create(zone_key_t *keyp, void *create, void *shutdown, void *destroy);
    int zone_key_delete(zone_key_t key);
    void *zone_getspecific(zone_key_t key, zone_t *zone);
    int zone_setspecific(zone_key_t key, zone_t *zone, const void *data);
    void zone_hold(zone_t *z);
    void zone_rele(zone_t *z);
""", functions=[
    ("zone_zsd_init", 0x98), ("zone_key_create", 0x1f4), ("zone_key_delete", 0x1ec),
    ("zone_setspecific", 0x98), ("zone_getspecific", 0x6c), ("zone_zsd_configure", 0x168),
    ("zone_zsd_callbacks", 0x1a8), ("zone_free_zsd", 0xac), ("zsd_apply_all_zones", 0xd4),
    ("zsd_apply_all_keys", 0x74), ("zsd_apply_create", 0x218), ("zsd_apply_shutdown", 0x1c4),
    ("zsd_apply_destroy", 0x210), ("zsd_wait_for_creator", 0x7c), ("zsd_wait_for_inprogress", 0x8c),
    ("zone_init", 0x4a0), ("zone_free", 0x1e4), ("zone_status_set", 0x12c), ("zone_status_get", 0x14),
    ("zone_hold", 0x34), ("zone_rele", 0x78), ("zone_hold_ref", 0x60), ("zone_rele_ref", 0x8c),
    ("zone_find_by_id", 0x6c), ("zone_find_by_name", 0x9c), ("zone_find_by_path", 0xe0),
    ("zone_start_init", 0x1ec), ("zone_create", 0xa9c), ("zone_boot", 0x248),
    ("zone_empty", 0x1b0), ("zone_shutdown", 0x35c), ("zone_destroy", 0x2c8),
    ("zone_getattr", 0x640), ("zone_setattr", 0x2a4), ("zone_enter", 0x6a8),
    ("zone_list", 0x234), ("zone_lookup", 0x1c4), ("zone_version", 0x40), ("zone_kadmin", 0x334),
    ("zone", 0x2a8), ("zone_get_kcred", 0x30),
], literals={"global": GLOBAL_ZONE_NAME_ADDR, "native": None, "/": None, "/sbin/init": None},
    sdt=[(func, probe, ("zone_t *", "zone_key_t")) for func, probe in (   # DTRACE_PROBE2(..., zone_t *, zone_key_t)
        ("zone_zsd_callbacks", "zsd__shutdown__needed"), ("zone_zsd_callbacks", "zsd__destroy__needed"),
        ("zone_key_create", "zsd__create__needed"), ("zone_zsd_configure", "zsd__create__needed"))])

BRAND = KSource("genunix", "brand.c", decls="""
    brand_t native_brand;
""", functions=[
    ("brand_init", 0x40), ("brand_register", 0x1a8), ("brand_unregister", 0x110),
    ("brand_lookup", 0x8c), ("brand_setbrand", 0x110),
])

ZONE_STATUS_NAMES = ["uninitialized", "initialized", "ready", "booting", "running",
                     "shutting_down", "empty", "down", "dying", "dead"]


def zone_init(k) -> None:
    """Set up ``zone0``, the global zone, and the zone and ZSD lists."""
    zone_t = k.types.lookup("zone_t")
    zsd_t = k.types.lookup("struct zsd_entry")
    list_create(k, k.sym_addr("zone_active"), zone_t.size, zone_t.member("zone_linkage").offset)
    list_create(k, k.sym_addr("zone_deathrow"), zone_t.size, zone_t.member("zone_linkage").offset)
    list_create(k, k.sym_addr("zsd_registered_keys"), zsd_t.size, zsd_t.member("zsd_linkage").offset)
    brand = k.var("native_brand")
    brand.b_version = 1
    brand.b_name = k.literal("genunix", "native")
    z0 = k.sym_addr("zone0")
    z = k.obj(z0, zone_t)
    z.zone_name = k.literal("genunix", "global")
    z.zone_nodename = k.var("utsname").member("nodename").addr
    z.zone_id = 0
    z.zone_did = 0
    z.zone_ref = 1
    z.zone_rootpath = k.literal("genunix", "/")
    z.zone_rootpathlen = 2
    z.zone_status = k.constants["ZONE_IS_RUNNING"]
    z.zone_shares = 1
    z.zone_initname = k.literal("genunix", "/sbin/init")
    z.zone_proc_initpid = 1
    z.zone_brand = brand.addr
    z.zone_kcred = k.var("kcred").value()
    z.zone_boot_time = k.boot_time
    list_create(k, z.member("zone_zsd").addr, zsd_t.size, zsd_t.member("zsd_linkage").offset)
    list_insert_tail(k, k.sym_addr("zone_active"), z0)
    k.var("global_zone").set(z0)
    k.var("maxzones").set(8192)
    k.var("zonecount").set(1)


def for_each_zone(k):
    """Every active ``zone_t *`` (``zone_active``), global zone first."""
    return list_walk(k, k.sym_addr("zone_active"))


def zone_by_name(k, name: str) -> int | None:
    for z in for_each_zone(k):
        if k.obj(z, "zone_t").member("zone_name").string() == name:
            return z
    return None


def zone_by_id(k, zid: int) -> int | None:
    for z in for_each_zone(k):
        if k.obj(z, "zone_t").zone_id == zid:
            return z
    return None


# -- zone(2) and the zone life cycle --------------------------------------------

# zone(2) subcodes (sys/zone.h).
ZONE_CREATE, ZONE_DESTROY, ZONE_GETATTR, ZONE_ENTER, ZONE_LIST, ZONE_SHUTDOWN, ZONE_LOOKUP, ZONE_BOOT = range(8)
ZONE_VERSION, ZONE_SETATTR = 8, 9
# zone attributes set by zoneadmd (sys/zone.h, SmartOS).
ZONE_ATTR_INITNAME = 9
ZONE_ATTR_BOOTARGS = 10
ZONE_ATTR_INITNORESTART = 20
ZONE_ATTR_INITRESTART0 = 21
ZONE_ATTR_INITREBOOT = 22
# zone_zsd_callbacks(): which callbacks to run.
ZSD_CREATE, ZSD_SHUTDOWN, ZSD_DESTROY = 0, 1, 2

_ZSD_CREATE_ALL = 0x0007
_ZSD_SHUTDOWN_ALL = 0x0070
_ZSD_DESTROY_ALL = 0x0700

SIGKILL = 9


def _zone(k, z: int):
    return k.obj(z, "zone_t")


def _zsd(k, e: int):
    return k.obj(e, "struct zsd_entry")


def _zsd_find(k, lst: int, key: int) -> int:
    for e in list_walk(k, lst):
        if _zsd(k, e).zsd_key == key:
            return e
    return 0


def _zone_status_set(k, z: int, status: str) -> None:
    _zone(k, z).zone_status = k.constants[status]


def _fnptr(k, addr: int):
    return funcptr(k, addr)


def _fnaddr(k, impl) -> int:
    return k.kfuncs[impl].addr


def _curproc(k) -> int:
    return k.obj(k.curthread, "kthread_t").t_procp


def _new_zone_id(k) -> int:
    used = {_zone(k, z).zone_id for z in for_each_zone(k)}
    zid = 1
    while zid in used:
        zid += 1
    return zid


@ZONE.impl
def zone_hold(k, z):
    """void zone_hold(zone_t *z): take a reference."""
    _zone(k, z).zone_ref = _zone(k, z).zone_ref + 1


@ZONE.impl
def zone_rele(k, z):
    """void zone_rele(zone_t *z): drop a reference."""
    _zone(k, z).zone_ref = _zone(k, z).zone_ref - 1


@ZONE.impl
def zone_getspecific(k, key, z):
    """void *zone_getspecific(zone_key_t key, zone_t *zone): the key's data in this zone."""
    e = _zsd_find(k, _zone(k, z).member("zone_zsd").addr, key)
    return _zsd(k, e).zsd_data if e else 0


@ZONE.impl
def zone_setspecific(k, key, z, data):
    """int zone_setspecific(zone_key_t key, zone_t *zone, const void *data)."""
    e = _zsd_find(k, _zone(k, z).member("zone_zsd").addr, key)
    if not e:
        return 22   # EINVAL
    _zsd(k, e).zsd_data = data
    return 0


def _zsd_entry(k, key: int, create: int, shutdown: int, destroy: int) -> int:
    zsd_t = k.types.lookup("struct zsd_entry")
    e = k.kmem.kmem_alloc(zsd_t.size)
    t = _zsd(k, e)
    t.zsd_key = key
    t.zsd_create = create
    t.zsd_shutdown = shutdown
    t.zsd_destroy = destroy
    return e


@ZONE.impl
def zone_key_create(k, keyp, create, shutdown, destroy):
    """void zone_key_create(zone_key_t *keyp, create, shutdown, destroy): register a ZSD key.

    Every existing zone gets an entry for the key and, if there is a create
    callback, the callback runs for each of them.
    """
    key = k.var("zsd_keyval").value() + 1
    k.var("zsd_keyval").set(key)
    k.mem.write_u32(keyp, key)
    list_insert_tail(k, k.sym_addr("zsd_registered_keys"), _zsd_entry(k, key, create, shutdown, destroy))
    for z in list(for_each_zone(k)):
        zo = _zone(k, z)
        if zo.zone_status >= k.constants["ZONE_IS_DOWN"]:
            continue
        e = _zsd_entry(k, key, create, shutdown, destroy)
        if create:
            _zsd(k, e).zsd_flags = k.constants["ZSD_CREATE_NEEDED"]
            k.sdt("zsd__create__needed", z, key)
        list_insert_tail(k, zo.member("zone_zsd").addr, e)
    k.call(zsd_apply_all_zones, _fnaddr(k, zsd_apply_create), key, at=0x1c5)


@ZONE.impl
def zone_key_delete(k, key):
    """int zone_key_delete(zone_key_t key): run the key's shutdown and destroy callbacks, forget it."""
    reg = k.sym_addr("zsd_registered_keys")
    tmpl = _zsd_find(k, reg, key)
    if not tmpl:
        return -1
    for z in list(for_each_zone(k)):
        e = _zsd_find(k, _zone(k, z).member("zone_zsd").addr, key)
        if not e:
            continue
        t = _zsd(k, e)
        if t.zsd_shutdown and not t.zsd_flags & _ZSD_SHUTDOWN_ALL:
            t.zsd_flags = t.zsd_flags | k.constants["ZSD_SHUTDOWN_NEEDED"]
        if t.zsd_destroy and not t.zsd_flags & _ZSD_DESTROY_ALL:
            t.zsd_flags = t.zsd_flags | k.constants["ZSD_DESTROY_NEEDED"]
    k.call(zsd_apply_all_zones, _fnaddr(k, zsd_apply_shutdown), key, at=0x14b)
    k.call(zsd_apply_all_zones, _fnaddr(k, zsd_apply_destroy), key, at=0x15c)
    for z in list(for_each_zone(k)):
        lst = _zone(k, z).member("zone_zsd").addr
        e = _zsd_find(k, lst, key)
        if e:
            list_remove(k, lst, e)
            k.kmem.kmem_free(e)
    list_remove(k, reg, tmpl)
    k.kmem.kmem_free(tmpl)
    return 0


@ZONE.impl
def zone_zsd_configure(k, z):
    """static void zone_zsd_configure(zone_t *zone): entries for every registered key, create needed."""
    lst = _zone(k, z).member("zone_zsd").addr
    for tmpl in list_walk(k, k.sym_addr("zsd_registered_keys")):
        t = _zsd(k, tmpl)
        e = _zsd_entry(k, t.zsd_key, t.zsd_create, t.zsd_shutdown, t.zsd_destroy)
        if t.zsd_create:
            _zsd(k, e).zsd_flags = k.constants["ZSD_CREATE_NEEDED"]
            k.sdt("zsd__create__needed", z, t.zsd_key)
        list_insert_tail(k, lst, e)


@ZONE.impl
def zone_zsd_callbacks(k, z, ct):
    """static void zone_zsd_callbacks(zone_t *zone, enum zsd_callback_type ct).

    Marks the shutdown (or destroy) callback of each of the zone's keys as
    needed, then runs the shutdown and the destroy passes over all keys.
    """
    for e in list_walk(k, _zone(k, z).member("zone_zsd").addr):
        t = _zsd(k, e)
        if ct == ZSD_SHUTDOWN:
            if t.zsd_shutdown and not t.zsd_flags & _ZSD_SHUTDOWN_ALL:
                t.zsd_flags = t.zsd_flags | k.constants["ZSD_SHUTDOWN_NEEDED"]
                k.sdt("zsd__shutdown__needed", z, t.zsd_key)
        elif t.zsd_destroy and not t.zsd_flags & _ZSD_DESTROY_ALL:
            t.zsd_flags = t.zsd_flags | k.constants["ZSD_DESTROY_NEEDED"]
            k.sdt("zsd__destroy__needed", z, t.zsd_key)
    k.call(zsd_apply_all_keys, _fnaddr(k, zsd_apply_shutdown), z, at=0xd6)
    k.call(zsd_apply_all_keys, _fnaddr(k, zsd_apply_destroy), z, at=0xe6)


@ZONE.impl
def zsd_apply_all_zones(k, applyfn, key):
    """static void zsd_apply_all_zones(zsd_applyfn_t *applyfn, zone_key_t key): one key, every zone."""
    fn = _fnptr(k, applyfn)
    for z in list(for_each_zone(k)):
        k.call(fn, k.sym_addr("zonehash_lock"), 0, z, key, at=0x9d)


@ZONE.impl
def zsd_apply_all_keys(k, applyfn, z):
    """static void zsd_apply_all_keys(zsd_applyfn_t *applyfn, zone_t *zone): every key of one zone."""
    fn = _fnptr(k, applyfn)
    keys = [_zsd(k, e).zsd_key for e in list_walk(k, _zone(k, z).member("zone_zsd").addr)]
    for key in keys:
        k.call(fn, 0, 0, z, key, at=0x5f)


def _zsd_apply(k, z: int, key: int, needed: str, inprogress: str, completed: str):
    """The entry of ``key`` in ``z`` if its callback is needed, marked in progress; else 0."""
    e = _zsd_find(k, _zone(k, z).member("zone_zsd").addr, key)
    if not e:
        return 0
    t = _zsd(k, e)
    if not t.zsd_flags & k.constants[needed]:
        return 0
    t.zsd_flags = (t.zsd_flags & ~k.constants[needed]) | k.constants[inprogress]
    return e


def _zsd_done(k, e: int, inprogress: str, completed: str) -> None:
    t = _zsd(k, e)
    t.zsd_flags = (t.zsd_flags & ~k.constants[inprogress]) | k.constants[completed]


@ZONE.impl
def zsd_apply_create(k, lockp, zone_lock_held, z, key):
    """static boolean_t zsd_apply_create(kmutex_t *, boolean_t, zone_t *, zone_key_t)."""
    e = _zsd_apply(k, z, key, "ZSD_CREATE_NEEDED", "ZSD_CREATE_INPROGRESS", "ZSD_CREATE_COMPLETED")
    if not e:
        return 0
    data = k.call(_fnptr(k, _zsd(k, e).zsd_create), _zone(k, z).zone_id, at=0x149)
    _zsd(k, e).zsd_data = data
    _zsd_done(k, e, "ZSD_CREATE_INPROGRESS", "ZSD_CREATE_COMPLETED")
    return 1


@ZONE.impl
def zsd_apply_shutdown(k, lockp, zone_lock_held, z, key):
    """static boolean_t zsd_apply_shutdown(kmutex_t *, boolean_t, zone_t *, zone_key_t)."""
    e = _zsd_apply(k, z, key, "ZSD_SHUTDOWN_NEEDED", "ZSD_SHUTDOWN_INPROGRESS", "ZSD_SHUTDOWN_COMPLETED")
    if not e:
        return 0
    t = _zsd(k, e)
    k.call(_fnptr(k, t.zsd_shutdown), _zone(k, z).zone_id, t.zsd_data, at=0x199)
    _zsd_done(k, e, "ZSD_SHUTDOWN_INPROGRESS", "ZSD_SHUTDOWN_COMPLETED")
    return 1


@ZONE.impl
def zsd_apply_destroy(k, lockp, zone_lock_held, z, key):
    """static boolean_t zsd_apply_destroy(kmutex_t *, boolean_t, zone_t *, zone_key_t)."""
    e = _zsd_apply(k, z, key, "ZSD_DESTROY_NEEDED", "ZSD_DESTROY_INPROGRESS", "ZSD_DESTROY_COMPLETED")
    if not e:
        return 0
    t = _zsd(k, e)
    k.call(_fnptr(k, t.zsd_destroy), _zone(k, z).zone_id, t.zsd_data, at=0x1d1)
    t.zsd_data = 0
    _zsd_done(k, e, "ZSD_DESTROY_INPROGRESS", "ZSD_DESTROY_COMPLETED")
    return 1


@ZONE.impl
def zone_status_set(k, z, status):
    """void zone_status_set(zone_t *zone, zone_status_t status)."""
    _zone(k, z).zone_status = status


@ZONE.impl
def zone_create(k, zone_name, zone_root, zone_did):
    """zoneid_t zone_create(const char *zone_name, const char *zone_root, zoneid_t zone_did).

    (The zone_def of illumos, cut down to what the simulation's zoneadmd
    passes.)  Makes the zone_t, its ZSD entries (running the create
    callbacks) and its zsched process; the zone is then ready.
    """
    name = copyinstr(k, zone_name, k.constants["ZONENAME_MAX"])
    root = copyinstr(k, zone_root, k.constants["MAXPATHLEN"])
    if name is None or root is None:
        return -78   # ENAMETOOLONG
    if zone_by_name(k, name) is not None:
        return -17   # EEXIST
    zone_t = k.types.lookup("zone_t")
    zsd_t = k.types.lookup("struct zsd_entry")
    z = k.kmem.kmem_alloc(zone_t.size)
    zo = _zone(k, z)
    zo.zone_name = k.strdup(name)
    zo.zone_nodename = k.strdup(name)
    zo.zone_id = _new_zone_id(k)
    zo.zone_did = zone_did
    zo.zone_ref = 1
    rootpath = root.rstrip("/") + "/"
    zo.zone_rootpath = k.strdup(rootpath)
    zo.zone_rootpathlen = len(rootpath) + 1
    zo.zone_shares = 1
    zo.zone_brand = k.sym_addr("native_brand")
    zo.zone_kcred = k.var("kcred").value()
    zo.zone_initname = k.strdup("/sbin/init")
    zo.zone_uniqid = zo.zone_id + 1000 * (k.var("zonecount").value() + 1)
    zo.zone_status = k.constants["ZONE_IS_INITIALIZED"]
    list_create(k, zo.member("zone_zsd").addr, zsd_t.size, zsd_t.member("zsd_linkage").offset)
    list_insert_tail(k, k.sym_addr("zone_active"), z)
    k.var("zonecount").set(k.var("zonecount").value() + 1)
    k.call(zone_zsd_configure, z, at=0x6f8)
    k.call(zsd_apply_all_keys, _fnaddr(k, zsd_apply_create), z, at=0x72a)
    # zsched: the zone's kernel process (a session leader), parent of its init.
    pid = _next_pid(k)
    zsched = proc_create(k, pid, k.sym_addr("p0"), "zsched", zone=z, flag=0x00020001, nlwps=0, pgid=pid, sid=pid)
    thread_create(k, "zsched", zsched, k.constants["TS_SLEEP"], pri=60, stack="zsched")
    zo.zone_zsched = zsched
    zo.zone_status = k.constants["ZONE_IS_READY"]
    return zo.zone_id


def _next_pid(k) -> int:
    return k.var("mpid").value() + 1


@ZONE.impl
def zone_start_init(k):
    """void zone_start_init(void): exec the zone's init (``zone_initname``) as a child of zsched."""
    z = k.obj(_curproc(k), "proc_t").p_zone
    zo = _zone(k, z)
    initname = zo.member("zone_initname").string()
    args = zo.member("zone_bootargs").string() if zo.zone_bootargs else ""
    psargs = initname + (" " + args if args else "")
    pid = _next_pid(k)
    proc_create(k, pid, zo.zone_zsched, initname.rsplit("/", 1)[-1], psargs, zone=z,
                start_ticks=k.lbolt)
    zo.zone_proc_initpid = pid
    zo.zone_boot_time = k.boot_time + k.hrtime // 1_000_000_000


@ZONE.impl
def zone_boot(k, zoneid):
    """int zone_boot(zoneid_t zoneid): start the zone's init; the zone is running."""
    z = zone_by_id(k, zoneid)
    if z is None:
        return 22   # EINVAL
    zo = _zone(k, z)
    if zo.zone_status != k.constants["ZONE_IS_READY"]:
        return 22
    zo.zone_status = k.constants["ZONE_IS_BOOTING"]
    zsched_thread = k.obj(zo.zone_zsched, "proc_t").p_tlist
    k.enter(zsched_thread, k.curcpu, thread_start, zone_start_init)
    zo.zone_status = k.constants["ZONE_IS_RUNNING"]
    return 0


def _killall(k, z: int) -> None:
    """SIGKILL to every process of the zone but zsched; each exits (``psig`` -> ``exit``)."""
    zsched = _zone(k, z).zone_zsched
    for p in [p for p in for_each_proc(k) if k.obj(p, "proc_t").p_zone == z and p != zsched]:
        kill_proc(k, p, SIGKILL)


@ZONE.impl
def zone_shutdown(k, zoneid):
    """int zone_shutdown(zoneid_t zoneid): kill the zone's processes, run the ZSD shutdown callbacks.

    The zone ends down: empty of user processes, zsched still there.
    """
    z = zone_by_id(k, zoneid)
    if z is None or zoneid == 0:
        return 22
    zo = _zone(k, z)
    if zo.zone_status < k.constants["ZONE_IS_READY"]:
        return 22
    if zo.zone_status >= k.constants["ZONE_IS_DOWN"]:
        return 0
    zo.zone_status = k.constants["ZONE_IS_SHUTTING_DOWN"]
    _killall(k, z)
    zo.zone_status = k.constants["ZONE_IS_EMPTY"]
    k.call(zone_zsd_callbacks, z, ZSD_SHUTDOWN, at=0x2b1)
    zo.zone_status = k.constants["ZONE_IS_DOWN"]
    return 0


@ZONE.impl
def zone_destroy(k, zoneid):
    """int zone_destroy(zoneid_t zoneid): zsched exits, the ZSD destroy callbacks run, the zone is freed."""
    z = zone_by_id(k, zoneid)
    if z is None or zoneid == 0:
        return 22
    zo = _zone(k, z)
    if zo.zone_status < k.constants["ZONE_IS_DOWN"] and zo.zone_status != k.constants["ZONE_IS_READY"]:
        return 16   # EBUSY: shut it down first
    if zo.zone_status == k.constants["ZONE_IS_READY"]:
        zo.zone_status = k.constants["ZONE_IS_DOWN"]
    zo.zone_status = k.constants["ZONE_IS_DYING"]
    kill_proc(k, zo.zone_zsched, SIGKILL)
    zo.zone_zsched = 0
    zo.zone_status = k.constants["ZONE_IS_DEAD"]
    k.call(zone_zsd_callbacks, z, ZSD_DESTROY, at=0x124)
    list_remove(k, k.sym_addr("zone_active"), z)
    k.var("zonecount").set(k.var("zonecount").value() - 1)
    k.call(zone_free, z, at=0x2a9)
    return 0


@ZONE.impl
def zone_free(k, z):
    """static void zone_free(zone_t *zone): free the zone's ZSD entries, strings and zone_t."""
    zo = _zone(k, z)
    lst = zo.member("zone_zsd").addr
    for e in list(list_walk(k, lst)):
        list_remove(k, lst, e)
        k.kmem.kmem_free(e)
    for field in ("zone_name", "zone_nodename", "zone_rootpath", "zone_initname", "zone_bootargs"):
        p = getattr(zo, field)
        if p:
            k.kmem.kmem_free(p)
    k.kmem.kmem_free(z)


@ZONE.impl
def zone_setattr(k, zoneid, attr, buf, bufsize):
    """static int zone_setattr(zoneid_t zoneid, int attr, void *buf, size_t bufsize)."""
    z = zone_by_id(k, zoneid)
    if z is None:
        return 22
    zo = _zone(k, z)
    if attr in (ZONE_ATTR_INITNAME, ZONE_ATTR_BOOTARGS):
        text = copyinstr(k, buf, bufsize)
        if text is None:
            return 78
        field = "zone_initname" if attr == ZONE_ATTR_INITNAME else "zone_bootargs"
        old = getattr(zo, field)
        if old:
            k.kmem.kmem_free(old)
        setattr(zo, field, k.strdup(text))
    elif attr == ZONE_ATTR_INITNORESTART:
        zo.zone_restart_init = 0
    elif attr == ZONE_ATTR_INITRESTART0:
        zo.zone_restart_init_0 = 1
    elif attr == ZONE_ATTR_INITREBOOT:
        zo.zone_reboot_on_init_exit = 1
    else:
        return 22
    return 0


@ZONE.impl
def zone(k, cmd, arg1, arg2, arg3, arg4):
    """int zone(int cmd, void *arg1, void *arg2, void *arg3, void *arg4): the zone system call."""
    if cmd == ZONE_CREATE:
        rv = k.call(zone_create, arg1, arg2, arg3, at=0x1ab)
        if rv < 0:
            raise SyscallError(-rv)
        return rv
    if cmd == ZONE_DESTROY:
        error = k.call(zone_destroy, arg1, at=0x1e7)
    elif cmd == ZONE_SHUTDOWN:
        error = k.call(zone_shutdown, arg1, at=0x1f7)
    elif cmd == ZONE_BOOT:
        error = k.call(zone_boot, arg1, at=0x20b)
    elif cmd == ZONE_SETATTR:
        error = k.call(zone_setattr, arg1, arg2, arg3, arg4, at=0x21b)
    else:
        error = 22
    if error:
        raise SyscallError(error)
    return 0
