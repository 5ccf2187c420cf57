"""vmadm(1M): manage the host's VMs (SmartOS smartos-live src/vm/sbin/vmadm.js, 2018).

Runs on the host (``@host_command("vmadm", "/usr/vm/sbin/vmadm")``); ``kdebug vmadm`` is a thin
client (:func:`main`).  Messages, streams and exit statuses are vmadm's:
results on stdout, "Successfully ..." and errors on stderr, 0 on success
or an already-in-state no-op, 1 on error, 2 for a usage error.

A VM is its configuration in the store plus what the running system says
(``state``, ``zone_state``, ``zoneid``, ``pid``).  ``start`` sets autoboot,
``stop`` clears it.  Commands take the time they take on the machine's
clock (``vmadm start`` returns once the zone runs and its init has had
time to start the guest).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
import time
import uuid as uuidlib

from ..host.client import run_on_host
from ..host.machine import CommandResult, host_command
from ..kernel import zone as kzone

__all__ = ["vmadm", "main", "LIST_FIELDS", "BRANDS"]

_MS = 1_000_000
START_NS = 1000 * _MS           # vmadm start: boot the zone, wait for it, return
STOP_NS = 500 * _MS
PROG = "/usr/vm/sbin/vmadm"

# brand -> its TYPE (props.js BRAND_OPTIONS features.type)
BRANDS = {"joyent": "OS", "joyent-minimal": "OS", "sngl": "OS", "lx": "LX", "kvm": "KVM", "bhyve": "BHYV"}

LIST_FIELDS = {
    "alias": ("ALIAS", 10), "autoboot": ("AUTOBOOT", 8), "billing_id": ("BILLING_ID", 36),
    "boot_timestamp": ("BOOT_TIMESTAMP", 24), "brand": ("BRAND", 14), "cpu_cap": ("CPU_CAP", 7),
    "cpu_shares": ("CPU_SHARE", 9), "cpu_type": ("CPU_TYPE", 8), "create_timestamp": ("CREATE_TIMESTAMP", 24),
    "dns_domain": ("DOMAIN", 32), "do_not_inventory": ("DNI", 5), "docker": ("DOCKER", 6),
    "firewall_enabled": ("FIREWALL_ENABLED", 16), "hostname": ("HOSTNAME", 32), "image_uuid": ("IMAGE_UUID", 36),
    "indestructible_delegated": ("INDESTR_DATA", 12), "indestructible_zoneroot": ("INDESTR_ROOT", 12),
    "ram": ("RAM", 7), "max_locked_memory": ("MAX_LOCKED", 10), "max_lwps": ("MAX_LWP", 7),
    "max_physical_memory": ("MAX_PHYS", 8), "max_swap": ("MAX_SWAP", 8), "owner_uuid": ("OWNER_UUID", 36),
    "package_name": ("PACKAGE_NAME", 32), "package_version": ("PACKAGE_VER", 11), "pid": ("PID", 6),
    "qemu_extra_opts": ("QEMU_EXTRA_OPTS", 15), "quota": ("QUOTA", 5), "zone_state": ("ZONE_STATE", 10),
    "state": ("STATE", 16), "tmpfs": ("TMPFS", 5), "type": ("TYPE", 4), "uuid": ("UUID", 36),
    "vcpus": ("VCPUS", 5), "zfs_io_priority": ("IO_PRIORITY", 11), "zpool": ("ZPOOL", 12),
    "zonename": ("ZONENAME", 12), "zonepath": ("ZONEPATH", 40), "zoneid": ("ZONEID", 6),
}
DEFAULT_SORT = "ram,uuid"
DEFAULT_ORDER = "uuid,type,ram,state,alias"
INFO_TYPES = ["all", "block", "blockstats", "chardev", "cpus", "kvm", "pci", "spice", "status", "version", "vnc"]
_FLAT_ARRAYS = ("disks", "nics", "filesystems")
_FLAT_HASHES = ("customer_metadata", "internal_metadata", "tags")
_IMMUTABLE = ("uuid", "brand", "zonename", "zonepath", "zone_did", "create_timestamp")

_USAGE = """Usage: {prog} <command> [options]

create [-f <filename>]
create-snapshot <uuid> <snapname>
console <uuid>
delete <uuid>
delete-snapshot <uuid> <snapname>
get <uuid>
info <uuid> [type,...]
install <uuid>
list [-p] [-H] [-o field,...] [-s field,...] [field=value ...]
lookup [-j|-1] [-o field,...] [field=value ...]
reboot <uuid> [-F]
receive [-f <filename>]
reprovision [-f <filename>]
rollback-snapshot <uuid> <snapname>
send <uuid> [target]
start <uuid> [option=value ...]
stop <uuid> [-F]
sysrq <uuid> <nmi|screenshot>
update <uuid> [-f <filename>]
 -or- update <uuid> property=value [property=value ...]
validate create [-f <filename>]
validate update <brand> [-f <filename>]

For more detailed information on the use of this command,type 'man vmadm'.
"""

_EXAMPLES = """
Examples (kdebug):
  vmadm list                              the host's VMs
  vmadm list state=running -o uuid,alias  running VMs, two columns
  vmadm lookup -1 alias=test              the UUID of the VM called test
  vmadm start 79062669-e229-e55d-960d-9b18d0fed8d0
  vmadm info 57409636-927a-cc7a-d744-e0f92b73f4e4 kvm
"""

_COMMANDS = ["start", "boot", "console", "create", "create-snapshot", "delete", "destroy", "delete-snapshot",
             "stop", "halt", "help", "info", "install", "get", "json", "list", "lookup", "reboot", "receive",
             "recv", "reprovision", "rollback-snapshot", "send", "sysrq", "update", "validate"]


class _Usage(Exception):
    """A usage error: message, then the usage text, on stderr; status 2."""


class _Fail(Exception):
    """An error: its message on stderr; status 1."""


def main(argv: list[str]) -> int:
    """``kdebug vmadm ARGS``: run vmadm on the host.

    ``-f FILE`` names a file on this workstation (where the user typed the
    command): it is read here and sent as the payload on stdin (``-f -``).
    A name that is not a local file is left for the host to look up.
    """
    argv = list(argv)
    stdin = None
    if argv and "-f" in _OPTS.get(argv[0], {}):
        for i in range(1, len(argv)):
            name = argv[i + 1] if argv[i] in ("-f", "--file") and i + 1 < len(argv) else \
                argv[i][len("--file="):] if argv[i].startswith("--file=") else None
            if name is None or name == "-" or not os.path.isfile(name):
                continue
            try:
                with open(name, encoding="utf-8") as f:
                    stdin = f.read()
            except (OSError, UnicodeDecodeError) as e:
                sys.stderr.write(f"File: {name} could not be read: {getattr(e, 'strerror', None) or e}\n")
                return 1
            argv[i:i + (2 if argv[i] in ("-f", "--file") else 1)] = ["-f", "-"]
            break
    return run_on_host(["vmadm", *argv], stdin)


@host_command("vmadm", "/usr/vm/sbin/vmadm")
def vmadm(machine, argv: list[str], stdin: str) -> CommandResult:
    out: list[str] = []
    try:
        message = _run(machine, argv, stdin, out)
    except _Usage as e:
        text = (str(e) + "\n" if str(e) else "") + _USAGE.format(prog=PROG)
        return CommandResult(2, "".join(out), text)
    except _Fail as e:
        return CommandResult(1, "".join(out), f"{e}\n")
    return CommandResult(0, "".join(out), f"{message}\n" if message else "")


# -- options -------------------------------------------------------------------------

_OPTS = {
    "list": {"-o": "order", "-s": "sortby", "-p": True, "-H": True, "-h": True},
    "lookup": {"-o": "output", "-j": True, "-1": True},
    "create": {"-f": "file"}, "update": {"-f": "file"}, "validate": {"-f": "file"},
    "receive": {"-f": "file"}, "recv": {"-f": "file"}, "reprovision": {"-f": "file"},
    "stop": {"-F": True}, "halt": {"-F": True}, "reboot": {"-F": True},
}
_LONG = {"--order": "-o", "--sortby": "-s", "--parsable": "-p", "--output": "-o", "--json": "-j", "--unique": "-1",
         "--file": "-f", "--force": "-F"}


def _parse(command: str, args: list[str]) -> tuple[dict, list[str]]:
    """nopt, as vmadm uses it: known options anywhere, the rest in order."""
    known = dict(_OPTS.get(command, {}))
    known.update({"-v": True, "-d": True})
    opts: dict[str, object] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        name, eq, value = a.partition("=")
        if a.startswith("--") and name in _LONG:
            a = _LONG[name]
            if eq:
                args = args[:i + 1] + [value] + args[i + 1:]
        if a in known:
            if known[a] is True:
                opts[a] = True
            else:
                if i + 1 >= len(args):
                    raise _Usage(f"Missing value for {a}")
                opts[a] = args[i + 1]
                i += 1
        elif a == "--help":
            opts["--help"] = True
        else:
            rest.append(a)
        i += 1
    return opts, rest


def _is_uuid(u: str) -> bool:
    return len(u) == 36 and u[8] == "-" and u[13] == "-" and u[18] == "-" and u[23] == "-"


def _uuid_arg(command: str, rest: list[str]) -> str:
    if rest:
        u = rest.pop(0)
        if _is_uuid(u):
            return u
    raise _Usage(f"Invalid or missing UUID for {command}")


def _key_values(args: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for a in args:
        key, eq, value = a.partition("=")
        if not eq:
            raise _Usage(f"Bad arguments: unable to split {a}")
        out[key] = value
    return out


# -- VM objects ------------------------------------------------------------------------


def _vmobj(machine, cfg: dict) -> dict:
    """The VM as vmadm shows it: configuration plus state from the running system."""
    vm = {k: v for k, v in cfg.items() if k != "zone_did"}
    zone = machine.userland.zones.get(cfg["uuid"])
    status = zone.status if zone is not None else None
    if status is None:
        vm["state"] = "stopped"
        vm["zone_state"] = "installed"
    else:
        zstate = {"initialized": "ready", "ready": "ready", "booting": "ready", "running": "running",
                  "shutting_down": "shutting_down", "empty": "shutting_down", "down": "down",
                  "dying": "down", "dead": "down"}[status]
        vm["zone_state"] = zstate
        vm["state"] = zstate if zstate != "down" else "shutting_down"
        vm["zoneid"] = zone.zoneid
        if zone.init is not None and zone.init.alive:
            vm["pid"] = zone.init.pid
        zo = machine.kernel.obj(kzone.zone_by_id(machine.kernel, zone.zoneid), "zone_t")
        boot_s = zo.zone_boot_time
        vm["boot_timestamp"] = _iso(boot_s)
    return vm


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(seconds))


def _add_fake_fields(vm: dict) -> dict:
    vm = dict(vm)
    vm["type"] = BRANDS.get(vm.get("brand"), "OS")
    if vm.get("brand") not in ("kvm", "bhyve"):
        vm["ram"] = vm.get("max_physical_memory")
    return vm


def _flatten(vm: dict, field: str):
    parts = field.split(".")
    v = vm
    for p in parts:
        if isinstance(v, list):
            if not p.isdigit() or int(p) >= len(v):
                return None
            v = v[int(p)]
        elif isinstance(v, dict):
            if p not in v:
                return None
            v = v[p]
        else:
            return None
    return v


def _js_string(v) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (list, dict)):
        return json.dumps(v)
    return str(v)


def _valid_filter_key(key: str) -> bool:
    if key in LIST_FIELDS:
        return True
    if re.match(r"^disks\.[*0-9]*\.(boot|image_name|image_size|image_uuid|size|media|model|zpool)$", key):
        return True
    if re.search(r"nics\.[*0-9]*\.(dhcp_server|gateway|interface|ip|mac|model|netmask|nic_tag|vlan_id)$", key):
        return True
    return bool(re.match(r"^(tags|customer_metadata|internal_metadata)\..*", key))


def _matches(vm: dict, filters: dict[str, str]) -> bool:
    for key, want in filters.items():
        if ".*." in key:
            head, _, tail = key.partition(".*.")
            values = [_flatten(item, tail) for item in (vm.get(head) or [])]
        else:
            values = [_flatten(vm, key)]
        values = [_js_string(v) for v in values if v is not None]
        if want.startswith("~"):
            try:
                rx = re.compile(want[1:])
            except re.error as e:
                raise _Fail(f"Invalid regular expression: /{want[1:]}/: {e}") from None
            if not any(rx.search(v) for v in values):
                return False
        elif want not in values:
            return False
    return True


def _lookup(machine, filters: dict[str, str]) -> list[dict]:
    vms = [_add_fake_fields(_vmobj(machine, cfg)) for cfg in machine.store.all()]
    return [vm for vm in vms if _matches(vm, filters)]


def _find(machine, uuid: str) -> dict:
    cfg = machine.store.get(uuid)
    if cfg is None:
        raise _Fail(f"VM {uuid} not found in zoneadm")
    return cfg


# -- list --------------------------------------------------------------------------------


def _list_props(field: str):
    if field in LIST_FIELDS:
        return LIST_FIELDS[field]
    parts = field.split(".")
    if (len(parts) == 3 and parts[0] in _FLAT_ARRAYS) or (len(parts) == 2 and parts[0] in _FLAT_HASHES):
        return (field.upper(), 20)
    return None


def _cmp_key(value):
    """vmadm's sortVM order: numbers, then strings; missing (falsy) values last."""
    if value is None or value is False or value == "" or value == 0:
        return (3, 0, "")
    if isinstance(value, bool):
        return (1, 1, "")
    if isinstance(value, (int, float)):
        return (1, value, "")
    return (2, 0, str(value))


def _sort(vms: list[dict], fields: list[str]) -> list[dict]:
    def cmp(a, b):
        for f in fields:
            direction = -1 if f.startswith("-") else 1
            f = f.lstrip("+-")
            ka, kb = _cmp_key(_flatten(a, f)), _cmp_key(_flatten(b, f))
            if ka != kb:
                return direction * (1 if ka > kb else -1)
        return 0
    return sorted(vms, key=functools.cmp_to_key(cmp))


def _list_line(fields: list[str], vm: dict | None, parsable: bool) -> str:
    cells = []
    for f in fields:
        header, width = _list_props(f)
        if vm is None:
            value = header
        else:
            v = _flatten(vm, f)
            if v is None or v is False or v == "" or v == 0:
                value = "" if parsable else "-"
            else:
                value = _js_string(v)
        cells.append(value if parsable else value.ljust(width))
    return (":" if parsable else "  ").join(cells).rstrip()


def _cmd_list(machine, opts: dict, rest: list[str], out: list[str]) -> None:
    filters = _key_values(rest)
    for key in filters:
        if not _valid_filter_key(key):
            raise _Fail(f'Invalid filter key: "{key}"')
    order = str(opts.get("-o", DEFAULT_ORDER))
    sortby = str(opts.get("-s", DEFAULT_SORT))
    for f in sortby.split(","):
        if not _list_props(f.lstrip("+-")):
            raise _Fail(f"invalid sort field: {f}")
    for f in order.split(","):
        if not _list_props(f):
            raise _Fail(f"invalid order field: {f}")
    parsable = bool(opts.get("-p"))
    header = not parsable
    if opts.get("-H"):
        header = False
    if opts.get("-h"):
        header = True
    fields = order.split(",")
    vms = _sort(_lookup(machine, filters), sortby.split(","))
    if header:
        out.append(_list_line(fields, None, parsable) + "\n")
    for vm in vms:
        out.append(_list_line(fields, vm, parsable) + "\n")


def _cmd_lookup(machine, opts: dict, rest: list[str], out: list[str]) -> None:
    filters = _key_values(rest)
    if "-o" in opts and not opts.get("-j"):
        raise _Fail("Cannot specify -o without -j")
    for key in filters:
        if not _valid_filter_key(key):
            raise _Fail(f'Invalid lookup key: "{key}"')
    vms = _lookup(machine, filters)
    if opts.get("-1") and len(vms) != 1:
        raise _Fail(f"Requested unique lookup but found {len(vms)} results.")
    if opts.get("-j"):
        if "-o" in opts:
            fields = str(opts["-o"]).split(",")
            vms = [{f: vm[f] for f in fields if f in vm} for vm in vms]
        else:
            vms = [{k: v for k, v in vm.items() if k != "type"} for vm in vms]
        out.append(json.dumps(vms, indent=2, sort_keys=True) + "\n")
    else:
        for vm in vms:
            out.append(vm["uuid"] + "\n")


# -- start, stop, reboot ------------------------------------------------------------------


def _state(machine, uuid: str) -> str:
    return _vmobj(machine, _find(machine, uuid))["state"]


def _start(machine, cfg: dict) -> None:
    """VM.start: autoboot on, boot the zone, wait for it to be running."""
    uuid = cfg["uuid"]
    cfg = machine.store.update(uuid, autoboot=True)
    machine.userland.zone_boot(cfg)


def _cmd_start(machine, opts, rest, out) -> str:
    uuid = _uuid_arg("start", rest)
    for a in rest:
        key = a.partition("=")[0]
        if key not in ("order", "disk", "cdrom"):
            raise _Usage(f"Invalid argument to start: {key}")
    cfg = machine.store.get(uuid)
    if cfg is None:
        raise _Fail(f"Unable to start VM {uuid}: VM {uuid} not found in zoneadm")
    state = _vmobj(machine, cfg)["state"]
    if state == "running":
        return f"VM {uuid} is already 'running'"
    if state != "stopped":
        raise _Fail(f'Unable to start VM {uuid}: Cannot to start vm from state "{state}", must be "stopped".')
    _start(machine, cfg)
    machine.advance(START_NS)
    return f"Successfully started VM {uuid}"


def _cmd_stop(machine, opts, rest, out, command="stop") -> str:
    uuid = _uuid_arg(command, rest)
    cfg = _find(machine, uuid)
    state = _vmobj(machine, cfg)["state"]
    if command == "stop":
        machine.store.update(uuid, autoboot=False)
    if state != "running":
        return f"VM {uuid} is already not 'running' (currently: {state})"
    machine.userland.zone_halt(uuid)
    machine.advance(STOP_NS)
    if command == "reboot":
        _start(machine, machine.store.get(uuid))
        machine.advance(START_NS)
    return f"Successfully completed {command} for VM {uuid}"


# -- create, delete, update, get, info --------------------------------------------------------


def _read_payload(machine, opts: dict, stdin: str) -> dict:
    name = opts.get("-f")
    if name is not None and name != "-":
        if name not in machine.files:
            raise _Fail(f"File: {name} does not exist.")
        text = machine.files[name]
    else:
        text = stdin
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Fail(f"Invalid JSON payload: {_js_parse_error(text, e)}") from None
    return payload


def _js_parse_error(text: str, e: json.JSONDecodeError) -> str:
    """V8's JSON.parse message for the same input."""
    if e.pos >= len(text.rstrip()) or not text.strip():
        return "Unexpected end of input"
    return f"Unexpected token {text[e.pos]}"


def _validate(payload, existing: dict | None = None) -> dict:
    if not isinstance(payload, dict):
        raise _Fail("Invalid value(s) for: payload")
    brand = payload.get("brand", existing.get("brand") if existing else "joyent")
    if brand not in BRANDS:
        raise _Fail(f"Invalid brand while validating payload: {json.dumps(brand)}")
    bad = []
    for key in ("ram", "vcpus", "max_physical_memory", "quota", "cpu_shares"):
        if key in payload and (isinstance(payload[key], bool) or not isinstance(payload[key], int)
                               or payload[key] <= 0):
            bad.append(key)
    if "uuid" in payload and not (isinstance(payload["uuid"], str) and _is_uuid(payload["uuid"])):
        bad.append("uuid")
    if "alias" in payload and not isinstance(payload["alias"], str):
        bad.append("alias")
    if "autoboot" in payload and not isinstance(payload["autoboot"], bool):
        bad.append("autoboot")
    for key in ("disks", "nics"):
        if key in payload and not isinstance(payload[key], list):
            bad.append(key)
    if bad:
        raise _Fail("Invalid value(s) for: " + ",".join(bad))
    return payload


def _cmd_create(machine, opts, rest, out, stdin) -> str:
    payload = _validate(_read_payload(machine, opts, stdin))
    uuid = payload.get("uuid")
    if uuid is not None and machine.store.get(uuid) is not None:
        raise _Fail(f"VM with UUID {uuid} already exists")
    if uuid is None:
        seed = f"{machine.config.seed}:{len(machine.store.all())}:{json.dumps(payload, sort_keys=True)}"
        uuid = str(uuidlib.UUID(bytes=hashlib.sha1(seed.encode()).digest()[:16], version=4))
    brand = payload.get("brand", "joyent")
    ram = payload.get("ram", payload.get("max_physical_memory", 256))
    overhead = {"bhyve": 1280, "kvm": 1024}.get(brand, 0)
    created = _iso(machine.kernel.boot_time + machine.kernel.hrtime // 1_000_000_000)
    cfg = {
        "uuid": uuid, "brand": brand, "ram": ram, "vcpus": 1, "autoboot": True,
        "max_physical_memory": ram + overhead, "max_locked_memory": ram + overhead, "max_swap": ram + overhead,
        "max_lwps": 2000, "cpu_shares": 100, "zfs_io_priority": 100, "quota": 10,
        "owner_uuid": "00000000-0000-0000-0000-000000000000", "create_timestamp": created,
        "zonename": uuid, "zonepath": f"/zones/{uuid}", "zpool": "zones", "nics": [], "disks": [],
        "zone_did": max([c["zone_did"] for c in machine.store.all()] + [0]) + 1,
    }
    cfg.update({k: v for k, v in payload.items() if k not in ("uuid", "brand")})
    machine.store.put(cfg)
    if cfg["autoboot"] and brand in ("bhyve", "kvm"):
        _start(machine, cfg)
        machine.advance(START_NS)
    return f"Successfully created VM {uuid}"


def _cmd_delete(machine, opts, rest, out, command) -> str:
    uuid = _uuid_arg(command, rest)
    if machine.store.get(uuid) is None:
        raise _Fail(f"Failed to delete VM {uuid}: VM {uuid} not found in zoneadm")
    if uuid in machine.userland.zones:
        machine.userland.zone_halt(uuid)
        machine.advance(STOP_NS)
    machine.store.delete(uuid)
    prefix = f"/zones/{uuid}/"
    for path in [p for p in machine.files if p.startswith(prefix)]:
        del machine.files[path]
    return f"Successfully deleted VM {uuid}"


def _update_value(text: str):
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


def _cmd_update(machine, opts, rest, out, stdin) -> str:
    uuid = _uuid_arg("update", rest)
    cfg = _find(machine, uuid)
    changes = _key_values(rest)
    if changes:
        payload = {k: _update_value(v) for k, v in changes.items()}
    else:
        payload = _read_payload(machine, opts, stdin)
    _validate(payload, cfg)
    bad = [k for k in payload if k in _IMMUTABLE]
    if bad:
        raise _Fail("Invalid value(s) for: " + ",".join(bad))
    machine.store.update(uuid, **payload)
    return f"Successfully updated VM {uuid}"


def _cmd_get(machine, opts, rest, out, command) -> None:
    uuid = _uuid_arg(command, rest)
    vm = _vmobj(machine, _find(machine, uuid))
    out.append(json.dumps(vm, indent=2, sort_keys=True) + "\n")


def _cmd_info(machine, opts, rest, out) -> None:
    uuid = _uuid_arg("info", rest)
    types: list[str] = []
    for a in rest:
        types.extend(a.split(","))
    for t in types:
        if t not in INFO_TYPES:
            raise _Usage(f"Invalid info type: {t}")
    types = types or ["all"]
    cfg = machine.store.get(uuid)
    if cfg is None:
        raise _Fail(f"Unable to get VM info for VM {uuid}: VM {uuid} not found in zoneadm")
    if cfg["brand"] != "kvm":
        raise _Fail(f"Unable to get VM info for VM {uuid}: the info command is only supported for KVM VMs")
    vm = _vmobj(machine, cfg)
    guest = machine.userland.guest(uuid)
    if vm["state"] != "running" or guest is None or not hasattr(guest, "query_kvm"):
        raise _Fail(f"Unable to get VM info for VM {uuid}: Unable to get info for vm from state "
                    f"\"{vm['state']}\", must be \"running\".")
    info = {}
    if "all" in types or "kvm" in types:
        info["kvm"] = guest.query_kvm()
    if "all" in types or "status" in types:
        info["status"] = {"running": True, "singlestep": False, "status": "running"}
    if "all" in types or "version" in types:
        info["version"] = {"qemu": {"major": 0, "minor": 14, "micro": 1}, "package": ""}
    out.append(json.dumps(info, indent=2) + "\n")


def _run(machine, argv: list[str], stdin: str, out: list[str]) -> str | None:
    if not argv:
        raise _Usage("")
    command = argv[0]
    if command in ("--help", "-h", "-?", "help"):
        out.append(_USAGE.format(prog=PROG) + (_EXAMPLES if command == "--help" else ""))
        return None
    if command not in _COMMANDS:
        raise _Usage(f'Invalid command: "{command}".')
    opts, rest = _parse(command, argv[1:])
    if opts.get("--help"):
        out.append(_USAGE.format(prog=PROG) + _EXAMPLES)
        return None
    if command in ("start", "boot"):
        return _cmd_start(machine, opts, rest, out)
    if command in ("stop", "halt"):
        return _cmd_stop(machine, opts, rest, out, "stop")
    if command == "reboot":
        return _cmd_stop(machine, opts, rest, out, "reboot")
    if command == "list":
        return _cmd_list(machine, opts, rest, out)
    if command == "lookup":
        return _cmd_lookup(machine, opts, rest, out)
    if command in ("get", "json"):
        return _cmd_get(machine, opts, rest, out, command)
    if command == "info":
        return _cmd_info(machine, opts, rest, out)
    if command == "create":
        return _cmd_create(machine, opts, rest, out, stdin)
    if command in ("delete", "destroy"):
        return _cmd_delete(machine, opts, rest, out, command)
    if command == "update":
        return _cmd_update(machine, opts, rest, out, stdin)
    raise _Fail(f"vmadm {command} is not available on this host")
