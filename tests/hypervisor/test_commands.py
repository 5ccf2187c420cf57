"""The global zone's other commands: zoneadm, zonename, uname, sysinfo, cat."""

import json

from .util import KVM, TEST, vmadm


def test_uname_and_zonename(machine):
    assert machine.run(["uname"]).stdout == "SunOS\n"
    assert machine.run(["uname", "-a"]).stdout == "SunOS emy-17 5.11 joyent_20180329T002644Z i86pc i386 i86pc\n"
    assert machine.run(["uname", "-v"]).stdout == "joyent_20180329T002644Z\n"
    assert machine.run(["uname", "-n"]).stdout == "emy-17\n"
    assert machine.run(["uname", "-q"]).rc == 1
    assert machine.run(["zonename"]).stdout == "global\n"


def test_sysinfo(machine):
    r = machine.run(["sysinfo"])
    info = json.loads(r.stdout)
    keys = list(info)
    assert keys[:3] == ["Live Image", "System Type", "Boot Time"]
    assert keys.index("VM Capable") < keys.index("CPU Type") < keys.index("UUID") < keys.index("Hostname")
    assert (info["Live Image"], info["Hostname"], info["CPU Total Cores"]) == ("20180329T002644Z", "emy-17", 80)
    assert info["CPU Virtualization"] == "vmx" and info["MiB of Memory"] == str(256 * 1024 - 16)


def test_zoneadm_list(machine):
    assert machine.run(["zoneadm", "list"]).stdout == "global\n"
    vmadm(machine, "start", KVM)
    assert machine.run(["zoneadm", "list"]).stdout == f"global\n{KVM}\n"
    lines = machine.run(["zoneadm", "list", "-cv"]).stdout.splitlines()
    assert lines[0] == "  ID NAME             STATUS     PATH                           BRAND    IP"
    assert lines[1] == "   0 global           running    /                              liveimg  shared"
    assert lines[2].split() == ["1", KVM, "running", f"/zones/{KVM}", "kvm", "excl"]
    assert lines[3].split() == ["-", TEST, "installed", f"/zones/{TEST}", "bhyve", "excl"]
    assert machine.run(["zoneadm", "boot"]).rc == 253


def test_cat(machine):
    r = machine.run(["cat", "/etc/nope"])
    assert (r.rc, r.stdout, r.stderr) == (2, "", "cat: cannot open /etc/nope: No such file or directory\n")
