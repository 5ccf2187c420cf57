"""vmadm's commands, messages, streams and statuses; bad input changes nothing."""

import json

import pytest

from .util import KVM, TEST, state, vmadm

MISSING = "00000000-1111-2222-3333-444444444444"


def _snapshot(machine):
    return machine.store.all()


def test_get_prints_the_vm_as_indented_json(machine):
    r = vmadm(machine, "get", TEST)
    assert r.rc == 0 and r.stderr == ""
    vm = json.loads(r.stdout)
    assert (vm["uuid"], vm["alias"], vm["brand"], vm["ram"], vm["state"], vm["autoboot"]) == \
        (TEST, "test", "bhyve", 2048, "stopped", False)
    assert r.stdout.startswith('{\n  "alias": "test",\n')
    assert "zone_did" not in vm


def test_list_options(machine):
    assert vmadm(machine, "list", "-H").stdout.splitlines()[0].startswith(KVM)
    assert vmadm(machine, "list", "-p", "-o", "alias,ram,type").stdout == "kvm-debian8:1024:KVM\ntest:2048:BHYV\n"
    assert vmadm(machine, "list", "-H", "-s", "-ram", "-o", "alias").stdout == "test\nkvm-debian8\n"
    assert vmadm(machine, "list", "-H", "-o", "alias", "alias=~^kvm").stdout == "kvm-debian8\n"
    assert vmadm(machine, "list", "-H", "-o", "alias", "brand=bhyve", "ram=2048").stdout == "test\n"
    assert vmadm(machine, "list", "-H", "brand=lx").stdout == ""
    r = vmadm(machine, "list", "-o", "uuid,brand,vcpus,autoboot,zoneid,zonepath")
    assert r.stdout.splitlines()[0] == ("UUID                                  BRAND           VCPUS  AUTOBOOT  ZONEID  "
                                        "ZONEPATH")
    assert r.stdout.splitlines()[2] == f"{TEST}  bhyve           1      -         -       /zones/{TEST}"
    r = vmadm(machine, "list", "-o", "nics.0.ip", "-H", "alias=test")
    assert r.stdout == "10.88.88.50\n"
    r = vmadm(machine, "list", "bogus=1")
    assert (r.rc, r.stdout, r.stderr) == (1, "", 'Invalid filter key: "bogus"\n')
    r = vmadm(machine, "list", "-o", "nope")
    assert (r.rc, r.stderr) == (1, "invalid order field: nope\n")


def test_lookup(machine):
    assert vmadm(machine, "lookup", "brand=kvm").stdout == KVM + "\n"
    r = vmadm(machine, "lookup", "-1")
    assert (r.rc, r.stdout, r.stderr) == (1, "", "Requested unique lookup but found 2 results.\n")
    r = vmadm(machine, "lookup", "-j", "-o", "uuid,alias", "alias=test")
    assert json.loads(r.stdout) == [{"alias": "test", "uuid": TEST}]
    r = vmadm(machine, "lookup", "-o", "uuid")
    assert (r.rc, r.stderr) == (1, "Cannot specify -o without -j\n")


def test_starting_a_running_vm_and_stopping_a_stopped_one_are_no_ops(machine):
    vmadm(machine, "start", KVM)
    r = vmadm(machine, "start", KVM)
    assert (r.rc, r.stdout, r.stderr) == (0, "", f"VM {KVM} is already 'running'\n")
    r = vmadm(machine, "stop", TEST)
    assert (r.rc, r.stdout, r.stderr) == (0, "", f"VM {TEST} is already not 'running' (currently: stopped)\n")
    r = vmadm(machine, "halt", KVM)
    assert r.stderr == f"Successfully completed stop for VM {KVM}\n"


@pytest.mark.parametrize("argv, rc, stderr", [
    (["start", MISSING], 1, f"Unable to start VM {MISSING}: VM {MISSING} not found in zoneadm\n"),
    (["get", MISSING], 1, f"VM {MISSING} not found in zoneadm\n"),
    (["stop", MISSING], 1, f"VM {MISSING} not found in zoneadm\n"),
    (["delete", MISSING], 1, f"Failed to delete VM {MISSING}: VM {MISSING} not found in zoneadm\n"),
    (["info", TEST], 1, f"Unable to get VM info for VM {TEST}: the info command is only supported for KVM VMs\n"),
    (["info", KVM, "kvm"], 1, f"Unable to get VM info for VM {KVM}: Unable to get info for vm from state "
                              '"stopped", must be "running".\n'),
    (["create"], 1, "Invalid JSON payload: Unexpected end of input\n"),
    (["update", TEST, "brand=kvm"], 1, "Invalid value(s) for: brand\n"),
    (["update", TEST, "ram=lots"], 1, "Invalid value(s) for: ram\n"),
])
def test_errors(machine, argv, rc, stderr):
    before = _snapshot(machine)
    r = vmadm(machine, *argv)
    assert (r.rc, r.stdout, r.stderr) == (rc, "", stderr)
    assert _snapshot(machine) == before


def test_bad_create_payloads(machine):
    before = _snapshot(machine)
    r = vmadm(machine, "create", stdin='{"brand": "kvm", "ram": 512,}')
    assert (r.rc, r.stderr) == (1, "Invalid JSON payload: Unexpected token }\n")
    r = vmadm(machine, "create", stdin='{"brand": "xen"}')
    assert (r.rc, r.stderr) == (1, 'Invalid brand while validating payload: "xen"\n')
    r = vmadm(machine, "create", stdin='[1, 2]')
    assert r.rc == 1
    r = vmadm(machine, "create", "-f", "/no/such.json")
    assert (r.rc, r.stderr) == (1, "File: /no/such.json does not exist.\n")
    assert _snapshot(machine) == before


def test_usage_errors(machine):
    r = vmadm(machine, "start")
    assert r.rc == 2 and r.stdout == ""
    assert r.stderr.startswith("Invalid or missing UUID for start\nUsage: /usr/vm/sbin/vmadm <command> [options]\n")
    r = vmadm(machine, "frobnicate")
    assert r.rc == 2 and r.stderr.startswith('Invalid command: "frobnicate".\nUsage:')
    r = vmadm(machine)
    assert r.rc == 2 and r.stderr.startswith("Usage:")
    r = vmadm(machine, "info", KVM, "bogus")
    assert r.rc == 2 and r.stderr.startswith("Invalid info type: bogus\n")
    r = vmadm(machine, "--help")
    assert r.rc == 0 and r.stderr == "" and "lookup -1 alias=test" in r.stdout


def test_create_update_delete(machine):
    payload = {"brand": "kvm", "alias": "scratch", "ram": 512, "autoboot": False}
    r = vmadm(machine, "create", stdin=json.dumps(payload))
    assert r.rc == 0 and r.stderr.startswith("Successfully created VM ")
    new = r.stderr.split()[-1]
    assert vmadm(machine, "lookup", "-1", "alias=scratch").stdout == new + "\n"
    assert state(machine, new) == "stopped"
    r = vmadm(machine, "update", new, "ram=768", "autoboot=true")
    assert (r.rc, r.stderr) == (0, f"Successfully updated VM {new}\n")
    vm = json.loads(vmadm(machine, "get", new).stdout)
    assert (vm["ram"], vm["autoboot"]) == (768, True)
    r = vmadm(machine, "update", new, stdin='{"alias": "renamed"}')
    assert r.rc == 0 and json.loads(vmadm(machine, "get", new).stdout)["alias"] == "renamed"
    r = vmadm(machine, "delete", new)
    assert (r.rc, r.stderr) == (0, f"Successfully deleted VM {new}\n")
    assert vmadm(machine, "list", "-H", "-o", "alias").stdout == "kvm-debian8\ntest\n"


def test_created_vm_boots_when_autoboot(machine):
    r = vmadm(machine, "create", stdin=json.dumps({"brand": "bhyve", "alias": "b2", "ram": 1024}))
    new = r.stderr.split()[-1]
    assert state(machine, new) == "running"
    assert vmadm(machine, "start", TEST).rc == 0
    machine.advance(10**9)
    # A second bhyve VM shares the lock: the count is bhyve's own.
    assert state(machine, TEST) == "running"
    assert machine.kernel.var("vmm`vmmdev_inst_count").value() == 2
    vmadm(machine, "delete", new)
    assert machine.kernel.var("vmm`vmmdev_inst_count").value() == 1


def test_reboot_command(machine):
    vmadm(machine, "start", TEST)
    pid = json.loads(vmadm(machine, "get", TEST).stdout)["pid"]
    r = vmadm(machine, "reboot", TEST)
    assert (r.rc, r.stderr) == (0, f"Successfully completed reboot for VM {TEST}\n")
    assert state(machine, TEST) == "running"
    assert json.loads(vmadm(machine, "get", TEST).stdout)["pid"] != pid


def test_main_is_a_thin_client(host, capsys, monkeypatch):
    from kdebug.host import client
    from kdebug.userland import vmadm as tool
    monkeypatch.setattr(client, "connect", lambda *a, **kw: host)
    monkeypatch.setattr(tool, "run_on_host",
                        lambda argv, stdin=None: client.run_on_host(argv, stdin=stdin or "", host=host))
    assert tool.main(["lookup", "-1", "alias=kvm-debian8"]) == 0
    assert capsys.readouterr().out == KVM + "\n"


def test_sorting_puts_missing_values_last(machine):
    vmadm(machine, "start", TEST)
    assert vmadm(machine, "list", "-H", "-s", "zoneid", "-o", "alias").stdout == "test\nkvm-debian8\n"
    assert vmadm(machine, "list", "-H", "-s", "-zoneid", "-o", "alias").stdout == "kvm-debian8\ntest\n"
