"""The post's mdb commands, on hosts that go through the post's steps.

``hvm_excl_holder::print`` prints ``0`` while nobody holds the HVM lock and
the holder's pointer and string once a hypervisor does; ``::whatis`` names
the vmm frame dtrace could not resolve.  A module of the test's own checks
the same layouts on data the test sets directly.
"""

import pytest

from kdebug.kernel.modctl import ModuleDef, load_module
from kdebug.kernel.text import KSource

from .conftest import run_mdb

KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"


def vmadm(host, *args):
    res = host.run(["vmadm", *args])
    assert res.rc == 0, res.stderr
    return res


def test_holder_is_zero_while_no_vm_runs(host):
    assert run_mdb(host.kernel(), "hvm_excl_holder::print\n") == ("0\n", "")


def test_holder_is_kvms_string_once_kvm_runs_and_zero_after(host):
    vmadm(host, "start", KVM)
    assert run_mdb(host.kernel(), "hvm_excl_holder::print\n") == ('0xfffffffff8224185 "SmartOS KVM"\n', "")
    vmadm(host, "stop", KVM)
    assert run_mdb(host.kernel(), "hvm_excl_holder::print\n") == ("0\n", "")


def test_bhyve_holds_the_lock_and_whatis_names_the_posts_frame(host):
    vmadm(host, "start", TEST)
    out, err = run_mdb(host.kernel(), "hvm_excl_holder::print\n0xfffffffff82aec97::whatis\n"
                                      "fffffffff82caded::whatis\n")
    assert err == ""
    assert out == ('0xfffffffff82caded "bhyve"\n'
                   "fffffffff82aec97 is vmm`vmmdev_mod_incr+0x37, in vmm's text segment\n"
                   "fffffffff82caded is in vmm's data segment\n")


def test_vmm_lists_bhyve_vms_once_vmm_is_loaded(host):
    assert run_mdb(host.kernel(), "::vmm\n") == ("", "mdb: invalid command '::vmm': unknown dcmd name\n")
    vmadm(host, "start", TEST)
    out, err = run_mdb(host.kernel(), "::vmm\n::walk vmm | ::print vmm_softc_t vmm_name\n::kvm\n::hma\n")
    lines = out.splitlines()
    assert lines[0] == "            ADDR               VM ZONE FLAGS NAME"
    addr, vm, zone, flags, name = lines[1].split()
    assert name.startswith("SYSbhyve-") and int(zone) >= 1
    assert lines[2:] == [f'vmm_name = [ "{name}" ]']
    # No kvm VM runs; the earlier platform has the HVM exclusion lock, not the HMA.
    assert err == "mdb: failed to read hma_registrations: unknown symbol name\n"


def test_kvm_lists_kvm_vms(host):
    vmadm(host, "start", KVM)
    out, err = run_mdb(host.kernel(), "::kvm\n")
    lines = out.splitlines()
    assert err == "" and lines[0] == "            ADDR   ID    PID ZONE VCPUS USERS"
    addr, kvmid, pid, zone, vcpus, users = lines[1].split()
    assert int(pid) > 1 and int(zone) >= 1


# -- a module of our own ---------------------------------------------------------------

BASE = 0xfffffffff8500000
MDBTEST = KSource("mdbtest", "mdbtest.c", decls="""
    const char *mdbtest_holder;
    int mdbtest_count;
    int mdbtest_func(int a);
""", functions=[("mdbtest_other", 0x40), ("mdbtest_func", 0x80)],
    pinned={"mdbtest_func": BASE + 0x200}, literals={"Some Consumer": BASE + 0x10185})


@pytest.fixture
def k(fresh_kernel):
    load_module(fresh_kernel, ModuleDef("mdbtest", "/kernel/misc/amd64/mdbtest", "mdb's test module",
                                        BASE, BASE + 0x10000), 98)
    return fresh_kernel


def test_a_const_char_pointer_prints_zero_then_pointer_and_string(k):
    assert run_mdb(k, "mdbtest_holder::print\n") == ("0\n", "")
    k.var("mdbtest_holder").set(k.literal("mdbtest", "Some Consumer"))
    assert run_mdb(k, "mdbtest_holder::print\n") == ('0xfffffffff8510185 "Some Consumer"\n', "")
    assert run_mdb(k, "mdbtest_holder::print -t\n") == ('const char * 0xfffffffff8510185 "Some Consumer"\n', "")
    assert run_mdb(k, "mdbtest_holder/K\n") == ("mdbtest`mdbtest_holder:\n"
                                                "mdbtest`mdbtest_holder:         fffffffff8510185 \n", "")


def test_whatis_inside_a_function_names_symbol_offset_and_segment(k):
    out, err = run_mdb(k, "fffffffff8500237::whatis\nmdbtest_func::whatis\nfffffffff8510185::whatis\n")
    assert err == ""
    assert out == ("fffffffff8500237 is mdbtest`mdbtest_func+0x37, in mdbtest's text segment\n"
                   "fffffffff8500200 is mdbtest`mdbtest_func, in mdbtest's text segment\n"
                   "fffffffff8510185 is in mdbtest's data segment\n")


def test_dis_of_the_function_and_stack_style_symbols(k):
    out, _ = run_mdb(k, "mdbtest_func::dis ! head -3\nmdbtest_func+0x37=p\n")
    assert out.endswith(" " * 16 + "mdbtest`mdbtest_func+0x37\n")


def test_hma_lists_both_hypervisors_on_the_later_platform(host):
    host.reboot(platform="joyent_20180830T002644Z")
    vmadm(host, "start", TEST)
    vmadm(host, "start", KVM)
    out, err = run_mdb(host.kernel(), "::hma\nhvm_excl_holder::print\n"
                                      "hma_registrations::walk list | ::print struct hma_reg hr_name\n")
    assert err == "mdb: failed to dereference symbol: unknown symbol name\n"
    lines = out.splitlines()
    assert lines[:2] == ["VMX: ready (revision 0x4)", "            ADDR NAME"]
    assert sorted(line.split(None, 1)[1] for line in lines[2:4]) == ["SmartOS KVM", "bhyve"]
    assert sorted(line.split('"')[1] for line in lines[4:]) == ["SmartOS KVM", "bhyve"]
    assert all(line.startswith("hr_name = 0xfffffffff8") for line in lines[4:])
