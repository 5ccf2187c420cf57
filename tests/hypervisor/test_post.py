"""The post, step by step (ACCEPTANCE.md): who holds the HVM exclusion lock, and how it is taken."""

from kdebug.kernel.modctl import for_each_modctl

from .util import KVM, TEST, frames, holder, probe, state, vmadm

HOLD = ["vmm`vmmdev_mod_incr+0x37", "vmm`vmmdev_do_vm_create+0x73", "vmm`vmm_ioctl+0x193",
        "genunix`cdev_ioctl+0x39", "specfs`spec_ioctl+0x60", "genunix`fop_ioctl+0x55", "genunix`ioctl+0x9b",
        "unix`sys_syscall+0x19f"]
RELE = ["vmm`vmmdev_mod_decr+0x31", "vmm`vmm_do_vm_destroy_locked+0xe6", "vmm`vmm_do_vm_destroy+0x3d",
        "vmm`vmm_zsd_destroy+0x3a", "genunix`zsd_apply_destroy+0x1d1", "genunix`zsd_apply_all_keys+0x5f",
        "genunix`zone_zsd_callbacks+0xe6", "genunix`zone_destroy+0x124", "genunix`zone+0x1e7",
        "unix`sys_syscall+0x19f"]
# The post's raw return addresses of the vmm frames.
HOLD_PCS = [0xfffffffff82aec97, 0xfffffffff82aee23, 0xfffffffff82afbd3]
RELE_PCS = [0xfffffffff82aed11, 0xfffffffff82af6b6, 0xfffffffff82af70d, 0xfffffffff82c9f9a]


def test_step1_the_two_vms_stopped(machine):
    r = vmadm(machine, "list")
    assert (r.rc, r.stderr) == (0, "")
    assert r.stdout == (
        "UUID                                  TYPE  RAM      STATE             ALIAS\n"
        f"{KVM}  KVM   1024     stopped           kvm-debian8\n"
        f"{TEST}  BHYV  2048     stopped           test\n")
    r = vmadm(machine, "lookup", "-1", "alias=test")
    assert (r.rc, r.stdout, r.stderr) == (0, TEST + "\n", "")


def test_step2_to_4_kvm_takes_the_lock_at_start_and_gives_it_back_at_stop(machine):
    assert holder(machine) == (0, None)
    r = vmadm(machine, "start", KVM)
    assert (r.rc, r.stdout, r.stderr) == (0, "", f"Successfully started VM {KVM}\n")
    assert holder(machine) == (0xfffffffff8224185, "SmartOS KVM")
    k = machine.kernel
    assert k.symtab.lookup_addr(0xfffffffff8224185) is None                  # a literal, in no symbol
    assert k.symtab.module_at(0xfffffffff8224185)[0].name == "kvm"
    assert k.symtab.module_at(0xfffffffff8224185)[1] == "data"
    assert k.var("kvm`kvm_usage_count").value() == 2                           # the VM fd and the vCPU clone
    r = vmadm(machine, "stop", KVM)
    assert (r.rc, r.stdout, r.stderr) == (0, "", f"Successfully completed stop for VM {KVM}\n")
    assert holder(machine) == (0, None)
    assert k.var("kvm`kvm_usage_count").value() == 0


def test_step5_the_posts_stacks_frame_by_frame(machine):
    k = machine.kernel
    seen = []
    probe(k, "hvm_excl_hold", seen)
    probe(k, "hvm_excl_rele", seen)
    assert k.symtab.module("vmm") is None
    assert vmadm(machine, "start", TEST).rc == 0
    assert k.symtab.module("vmm") is not None                                  # loaded on first use
    assert vmadm(machine, "stop", TEST).rc == 0
    assert [s[0] for s in seen] == ["hvm_excl_hold", "hvm_excl_rele"]
    (_, _, hold, hold_args), (_, _, rele, rele_args) = seen
    assert frames(k, hold) == HOLD
    assert frames(k, rele) == RELE
    assert hold[:3] == HOLD_PCS and rele[:4] == RELE_PCS
    # Both calls pass the literal "bhyve" itself.
    assert hold_args == rele_args == (0xfffffffff82caded,)
    assert k.mem.read_cstr(0xfffffffff82caded) == b"bhyve"
    assert k.symtab.lookup_addr(0xfffffffff82caded) is None
    assert holder(machine) == (0, None)


def test_vmm_addresses_and_stays_loaded(machine):
    vmadm(machine, "start", TEST)
    vmadm(machine, "stop", TEST)
    k = machine.kernel
    want = {"vmmdev_mod_incr": 0xfffffffff82aec60, "vmmdev_mod_decr": 0xfffffffff82aece0,
            "vmmdev_do_vm_create": 0xfffffffff82aedb0, "vmm_do_vm_destroy_locked": 0xfffffffff82af5d0,
            "vmm_do_vm_destroy": 0xfffffffff82af6d0, "vmm_ioctl": 0xfffffffff82afa40,
            "vmm_zsd_destroy": 0xfffffffff82c9f60}
    for name, addr in want.items():
        assert k.sym_addr(f"vmm`{name}") == addr
    names = [k.obj(c, "struct modctl").member("mod_modname").string() for c in for_each_modctl(k)]
    assert names.count("vmm") == 1 and names[-1] == "vmm"
    assert k.var("vmm`vmmdev_inst_count").value() == 0


def test_the_lock_is_not_taken_at_module_load(machine):
    k = machine.kernel
    assert k.symtab.module("kvm") is not None and holder(machine) == (0, None)   # kvm attached at boot
    assert k.var("kvm`kvm_usage_count").value() == 0


def test_step6_bhyve_first_then_kvm_both_run_kvm_in_software(machine):
    r1, r2 = vmadm(machine, "start", TEST), vmadm(machine, "start", KVM)
    assert (r1.rc, r1.stderr) == (0, f"Successfully started VM {TEST}\n")
    assert (r2.rc, r2.stderr) == (0, f"Successfully started VM {KVM}\n")
    r = vmadm(machine, "list", "state=running")
    assert r.stdout.splitlines() == [
        "UUID                                  TYPE  RAM      STATE             ALIAS",
        "57409636-927a-cc7a-d744-e0f92b73f4e4  KVM   1024     running           kvm-debian8",
        "79062669-e229-e55d-960d-9b18d0fed8d0  BHYV  2048     running           test",
    ]
    assert holder(machine) == (0xfffffffff82caded, "bhyve")
    r = vmadm(machine, "info", KVM, "kvm")
    assert (r.rc, r.stderr) == (0, "")
    assert r.stdout == '{\n  "kvm": {\n    "enabled": false,\n    "present": true\n  }\n}\n'
    log = machine.run(["cat", f"/zones/{KVM}/root/tmp/vm.log"]).stdout.splitlines()
    assert log[0].startswith("=== OUTPUT (") and log[0].endswith(") ===")
    assert log[1:] == ["Could not access KVM kernel module: No such device or address",
                       "Could not initialize KVM, will disable KVM support"]
    # kvm has no VM in the kernel: QEMU never got /dev/kvm.
    k = machine.kernel
    from kdebug.kernel.kvm import for_each_kvm
    assert list(for_each_kvm(k)) == [] and k.var("kvm`kvm_usage_count").value() == 0
    # Both stay running.
    machine.advance(5 * 10**9)
    assert "running" == vmadm(machine, "list", "-H", "-o", "state", f"uuid={KVM}").stdout.strip()
    assert "running" == vmadm(machine, "list", "-H", "-o", "state", f"uuid={TEST}").stdout.strip()


def test_step7_kvm_first_then_bhyve_fails_to_boot(machine):
    assert vmadm(machine, "start", KVM).rc == 0
    r = vmadm(machine, "start", TEST)
    assert (r.rc, r.stdout, r.stderr) == (0, "", f"Successfully started VM {TEST}\n")
    machine.advance(10**9)
    assert state(machine, TEST) == "stopped"
    assert state(machine, KVM) == "running"
    assert holder(machine) == (0xfffffffff8224185, "SmartOS KVM")
    log = machine.run(["cat", f"/zones/{TEST}/logs/stdio.log"])
    assert log.rc == 0
    import json
    lines = [json.loads(line) for line in log.stdout.splitlines()]
    assert [(e["log"], e["stream"]) for e in lines] == [("vm_create: No such device or address\n", "stderr")]
    assert lines[0]["time"].startswith("2018-03-20T") and lines[0]["time"].endswith("Z")
    # vmm was loaded by the attempt, has no VM, and the failed hold changed nothing.
    k = machine.kernel
    assert k.symtab.module("vmm") is not None
    assert k.var("vmm`vmmdev_inst_count").value() == 0
    assert k.var("vmm`vmmdev_load_failure").value() == 0
    # Nothing on the console (before OS-6799).
    from kdebug.kernel.msgbuf import for_each_message, message_text
    assert not any("HVM" in message_text(k, m) for m in for_each_message(k))
    # start set autoboot even so.
    assert vmadm(machine, "list", "-H", "-o", "autoboot", f"uuid={TEST}").stdout.strip() == "true"


def test_the_bhyve_vm_starts_once_kvm_is_gone(machine):
    vmadm(machine, "start", KVM)
    vmadm(machine, "start", TEST)
    machine.advance(10**9)
    vmadm(machine, "stop", KVM)
    assert holder(machine) == (0, None)
    assert vmadm(machine, "start", TEST).stderr == f"Successfully started VM {TEST}\n"
    assert state(machine, TEST) == "running" and holder(machine)[1] == "bhyve"


def test_kvm_takes_the_lock_on_open_and_gives_it_back_on_the_last_close(machine):
    k = machine.kernel
    seen = []
    probe(k, "hvm_excl_hold", seen)
    probe(k, "hvm_excl_rele", seen)
    vmadm(machine, "start", KVM)
    vmadm(machine, "stop", KVM)
    (_, _, hold, hold_args), (_, _, rele, rele_args) = seen
    assert hold_args == rele_args == (0xfffffffff8224185,)
    names = [f.split("+")[0] for f in frames(k, hold)]
    assert names == ["kvm`kvm_hvm_init", "kvm`kvm_hvm_incr", "kvm`kvm_open", "genunix`dev_open",
                     "specfs`spec_open", "genunix`fop_open", "genunix`vn_openat", "genunix`copen",
                     "genunix`openat", "genunix`open", "unix`sys_syscall"]
    names = [f.split("+")[0] for f in frames(k, rele)]
    assert names == ["kvm`kvm_hvm_fini", "kvm`kvm_hvm_decr", "kvm`kvm_close", "genunix`dev_close",
                     "specfs`device_close", "specfs`spec_close", "genunix`fop_close", "genunix`closef",
                     "genunix`closeall", "genunix`proc_exit", "genunix`exit", "genunix`psig", "unix`sys_syscall"]


def test_a_dump_taken_while_both_run_shows_the_same_state(machine, tmp_path):
    from kdebug.kernel import dump, vmm
    vmadm(machine, "start", TEST)
    vmadm(machine, "start", KVM)
    path = tmp_path / "both.kdump"
    machine.dump(path)
    d = dump.load(path)
    p = d.var("hvm_excl_holder").value()
    assert (p, d.mem.read_cstr(p)) == (0xfffffffff82caded, b"bhyve")
    assert d.sym_addr("vmm`vmmdev_mod_incr") == 0xfffffffff82aec60
    (sc,) = list(vmm.for_each_vmm_softc(d))
    assert d.obj(sc, "vmm`vmm_softc_t").member("vmm_name").string() == "SYSbhyve-49"
