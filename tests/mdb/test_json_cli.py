"""``kdebug mdb --json``: each statement's result as one line of JSON (docs/json.md).

The rows must say what the plain output says: each test reads the same
dcmd's text output beside its JSON and checks one against the other.
"""

import json

from tests.helpers import kdebug

TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"


def mdb_json(*args, input=None, home=None):
    r = kdebug("mdb", "--json", *args, input=input, home=home)
    return r.returncode, [json.loads(line) for line in r.stdout.splitlines()], r.stderr


def plain(*args, home=None):
    r = kdebug("mdb", *args, home=home)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_ps_rows_are_the_plain_table_typed():
    rc, objs, err = mdb_json("-e", "::ps", "emy-17")
    assert (rc, err, len(objs)) == (0, "", 1)
    obj = objs[0]
    assert obj["command"] == "::ps" and obj["status"] == 0
    assert obj["columns"] == ["S", "PID", "PPID", "PGID", "SID", "UID", "FLAGS", "ADDR", "NAME"]
    lines = plain("-e", "::ps", "emy-17").splitlines()
    assert len(obj["rows"]) == len(lines) - 1
    for line, row in zip(lines[1:], obj["rows"]):
        s, pid, ppid, pgid, sid, uid, flags, addr, name = line.split(None, 8)
        assert row == {"S": s, "PID": int(pid), "PPID": int(ppid), "PGID": int(pgid), "SID": int(sid),
                       "UID": int(uid), "FLAGS": f"0x{int(flags, 16):x}", "ADDR": f"0x{addr}", "NAME": name}


def test_a_pipeline_gives_one_table():
    rc, objs, _ = mdb_json("-e", "::walk proc | ::ps", "emy-17")
    _, direct, _ = mdb_json("-e", "::ps", "emy-17")
    assert rc == 0 and objs[0]["rows"] == direct[0]["rows"]
    assert objs[0]["command"] == "::walk proc | ::ps"


def test_statements_from_standard_input_one_object_each_errors_inside():
    rc, objs, err = mdb_json("emy-17", input="::zone\n::nosuchdcmd\nzone0::json zone_t zone_id zone_name\n"
                                             "::status\n!echo from the shell\n")
    assert rc == 0 and err == ""
    zone, bad, js, status, shell = objs
    assert zone == {"command": "::zone", "status": 0, "columns": ["ADDR", "ID", "STATUS", "NAME", "PATH"],
                    "rows": [{"ADDR": "0xfffffffffbd011c8", "ID": 0, "STATUS": "running", "NAME": "global",
                              "PATH": "/"}]}
    assert bad == {"command": "::nosuchdcmd", "status": 1,
                   "error": "mdb: invalid command '::nosuchdcmd': unknown dcmd name"}
    assert js["values"] == [{"zone_id": 0, "zone_name": {"addr": "0xfffffffffbf3ff40", "string": "global"}}]
    assert status["text"] == plain("-e", "::status", "emy-17") and "columns" not in status
    assert shell == {"command": "!echo from the shell", "status": 0, "text": "from the shell\n"}


def test_e_keeps_mdbs_exit_status():
    rc, objs, err = mdb_json("-e", "1+", "emy-17")
    assert rc == 1 and err == ""
    assert objs == [{"command": "1+", "status": 1, "error": 'mdb: syntax error on line 2 of (string) near "\\n"'}]
    rc, objs, _ = mdb_json("-e", "::nm -h ! head -1", "emy-17")
    assert rc == 0 and objs[0]["text"].count("\n") == 1


def test_nm_addresses_are_strings_that_json_keeps_whole():
    rc, objs, _ = mdb_json("-e", "hvm_excl_hold::nm", "emy-17")
    row = objs[0]["rows"][0]
    assert rc == 0 and row["Name"] == "hvm_excl_hold" and row["Type"] == "FUNC"
    value = plain("-e", "hvm_excl_hold=K", "emy-17").split()[0]
    assert int(row["Value"], 16) == int(value, 16)


def test_the_live_host_vmm_table(home):
    assert kdebug("vmadm", "start", TEST, home=home).returncode == 0
    rc, objs, err = mdb_json("-k", "-e", "::vmm", home=home)
    assert (rc, err) == (0, "")
    (row,) = objs[0]["rows"]
    assert objs[0]["columns"] == ["ADDR", "VM", "ZONE", "FLAGS", "NAME"]
    text = plain("-k", "-e", "::vmm", home=home).splitlines()[1].split()
    assert row == {"ADDR": f"0x{text[0]}", "VM": f"0x{text[1]}", "ZONE": int(text[2]),
                   "FLAGS": f"0x{int(text[3], 16):x}", "NAME": text[4]}
    assert row["NAME"].startswith("SYSbhyve-")
