"""Zone-specific data: a key's callbacks run for every zone, in order, with the flags illumos keeps."""

from kdebug.kernel import zone as kzone
from kdebug.kernel.driver import kfunc_addr
from kdebug.kernel.lists import list_walk
from kdebug.kernel.modctl import ModuleDef, load_module
from kdebug.kernel.text import KSource

BASE = 0xfffffffff8600000
ZSDTEST = KSource("zsdtest", "zsdtest.c", decls="""
    zone_key_t zsdtest_key;
""", functions=[("zsdtest_init", 0x40), ("zsdtest_fini", 0x40), ("zsdtest_create", 0x40),
                ("zsdtest_shutdown", 0x40), ("zsdtest_destroy", 0x40)])
calls = []


@ZSDTEST.impl
def zsdtest_init(k):
    k.call(kzone.zone_key_create, k.sym_addr("zsdtest_key"), kfunc_addr(k, zsdtest_create),
           kfunc_addr(k, zsdtest_shutdown), kfunc_addr(k, zsdtest_destroy), at=0x2a)


@ZSDTEST.impl
def zsdtest_fini(k):
    k.call(kzone.zone_key_delete, k.var("zsdtest_key").value(), at=0x1d)


@ZSDTEST.impl
def zsdtest_create(k, zid):
    calls.append(("create", zid))
    return 0x1000 + zid


@ZSDTEST.impl
def zsdtest_shutdown(k, zid, data):
    calls.append(("shutdown", zid, data))


@ZSDTEST.impl
def zsdtest_destroy(k, zid, data):
    calls.append(("destroy", zid, data))


def test_key_create_and_delete_run_the_callbacks(fresh_kernel):
    k = fresh_kernel
    load_module(k, ModuleDef("zsdtest", "/kernel/misc/amd64/zsdtest", "", BASE, BASE + 0x10000), 98)
    t0 = k.sym_addr("t0")
    calls.clear()
    k.enter(t0, 0, zsdtest_init)
    key = k.var("zsdtest_key").value()
    assert key >= 1 and calls == [("create", 0)]
    z0 = k.sym_addr("zone0")
    assert kzone.zone_getspecific(k, key, z0) == 0x1000
    (entry,) = [e for e in list_walk(k, k.obj(z0, "zone_t").member("zone_zsd").addr)
                if k.obj(e, "struct zsd_entry").zsd_key == key]
    assert k.obj(entry, "struct zsd_entry").zsd_flags == k.constants["ZSD_CREATE_COMPLETED"]
    k.enter(t0, 0, zsdtest_fini)
    assert calls == [("create", 0), ("shutdown", 0, 0x1000), ("destroy", 0, 0x1000)]
    assert kzone.zone_getspecific(k, key, z0) == 0
    assert all(k.obj(e, "struct zsd_entry").zsd_key != key
               for e in list_walk(k, k.sym_addr("zsd_registered_keys")))
