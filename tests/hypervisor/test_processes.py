"""Zones and their processes live in kernel memory, and go away when the VM stops."""

from kdebug.kernel import zone as kzone
from kdebug.kernel.proc import for_each_proc, pid_of
from kdebug.kernel.specfs import for_each_snode
from kdebug.kernel.thread import for_each_thread

from .util import KVM, SECOND, TEST, vmadm


def _procs(k):
    out = {}
    for p in for_each_proc(k):
        o = k.obj(p, "proc_t")
        u = o.member("p_user")
        z = k.obj(o.p_zone, "zone_t").member("zone_name").string()
        out[pid_of(k, p)] = (u.member("u_comm").string(), u.member("u_psargs").string(), o.p_ppid, z)
    return out


def _counts(k):
    return (len(list(for_each_proc(k))), k.var("nproc").value(), len(list(for_each_thread(k))),
            k.var("nthread").value(), len(list(kzone.for_each_zone(k))), len(list(for_each_snode(k))))


def test_a_running_vm_has_its_zone_zoneadmd_zsched_and_init(machine):
    k = machine.kernel
    vmadm(machine, "start", TEST)
    vmadm(machine, "start", KVM)
    z = kzone.zone_by_name(k, TEST)
    zo = k.obj(z, "zone_t")
    assert kzone.ZONE_STATUS_NAMES[zo.zone_status] == "running"
    assert zo.zone_did == 49 and zo.zone_id >= 1
    assert zo.member("zone_rootpath").string() == f"/zones/{TEST}/root/"
    assert k.obj(zo.zone_brand, "brand_t").member("b_name").string() == "native"
    procs = _procs(k)
    by_zone = {}
    for pid, (comm, psargs, ppid, zname) in procs.items():
        by_zone.setdefault(zname, []).append((pid, comm, psargs, ppid))
    admds = sorted(psargs for pid, comm, psargs, ppid in by_zone["global"] if comm == "zoneadmd")
    assert admds == sorted([f"/usr/lib/zones/zoneadmd -z {TEST}", f"/usr/lib/zones/zoneadmd -z {KVM}"])
    bhyve = {comm: (pid, psargs, ppid) for pid, comm, psargs, ppid in by_zone[TEST]}
    assert set(bhyve) == {"zsched", "zhyve"}
    assert bhyve["zhyve"][2] == bhyve["zsched"][0] and bhyve["zhyve"][0] == zo.zone_proc_initpid
    assert bhyve["zhyve"][1] == "/usr/lib/brand/bhyve/zhyve"
    kvm = {comm: (pid, psargs, ppid) for pid, comm, psargs, ppid in by_zone[KVM]}
    assert set(kvm) == {"zsched", "qemu-system-x86_"}
    psargs = kvm["qemu-system-x86_"][1]
    full = f"/smartdc/bin/qemu-system-x86_64 -m 1024 -name {KVM} -uuid {KVM}"
    assert len(psargs) == 79 and psargs == full[:79]


def test_stopping_removes_everything_it_made(machine):
    k = machine.kernel
    before = _counts(k)
    for _ in range(2):
        vmadm(machine, "start", TEST)
        vmadm(machine, "start", KVM)
        machine.advance(SECOND)
        assert _counts(k) != before
        vmadm(machine, "stop", TEST)
        vmadm(machine, "stop", KVM)
        assert _counts(k) == before
    k.kmem.check()
    # The ZSD key vmm registered is on every remaining zone, and vmm_zsd records only for them.
    from kdebug.kernel.lists import list_walk
    key = k.var("vmm`vmm_zsd_key").value()
    for z in kzone.for_each_zone(k):
        assert kzone.zone_getspecific(k, key, z) != 0
    assert len(list(list_walk(k, k.sym_addr("vmm`vmm_zsd_list")))) == len(list(kzone.for_each_zone(k)))


def test_the_zsd_destroy_probe_fires_in_zone_zsd_callbacks(machine):
    k = machine.kernel
    vmadm(machine, "start", TEST)
    seen = []
    k.sdt_hooks[("genunix", "zone_zsd_callbacks", "zsd__destroy__needed")] = \
        lambda k2, kf, name, args: seen.append((kf.name, args))
    z = kzone.zone_by_name(k, TEST)
    key = k.var("vmm`vmm_zsd_key").value()
    vmadm(machine, "stop", TEST)
    assert ("zone_zsd_callbacks", (z, key)) in seen


def test_zone_ids_are_reused_and_did_is_kept(machine):
    k = machine.kernel
    vmadm(machine, "start", KVM)
    zid = vmadm(machine, "get", KVM).stdout
    import json
    first = json.loads(zid)["zoneid"]
    vmadm(machine, "stop", KVM)
    vmadm(machine, "start", KVM)
    assert json.loads(vmadm(machine, "get", KVM).stdout)["zoneid"] == first
    assert k.obj(kzone.zone_by_name(k, KVM), "zone_t").zone_did == 48
