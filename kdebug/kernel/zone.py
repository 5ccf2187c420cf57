"""Zones (genunix zone.c, brand.c).

``zone0`` is the global zone, static in genunix; other zones are allocated
when created.  Active zones are on ``zone_active`` (through
``zone_linkage``).  Each zone has a list of zone-specific data entries
(``zone_zsd``) for the keys registered on ``zsd_registered_keys``.

The bhyve and kvm brands have no kernel brand module, so their zones keep
the ``native_brand``, whose ``b_name`` is "native"
(reference/smartos-hypervisors.md section 5).

C types: ``zone_t *``, ``struct zsd_entry *``.
"""

from __future__ import annotations

from .lists import list_create, list_insert_tail, list_walk
from .text import KSource

__all__ = ["zone_init", "for_each_zone", "zone_by_name", "zone_by_id", "ZONE_STATUS_NAMES",
           "GLOBAL_ZONE_NAME_ADDR"]

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
    zoneid_t zone_create(const char *zone_name, const char *zone_root);
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
], literals={"global": GLOBAL_ZONE_NAME_ADDR, "native": None, "/": None, "/sbin/init": None})

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
