"""dtrace -x json: records, aggregations, faults and drops as one JSON object a line (schema: docs/json.md)."""

import json

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine

from .conftest import run_dtrace

HOST = InProcessHost(Machine())
KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"


def objects(*argv):
    rc, out, err = run_dtrace(HOST, "-x", "json", *argv)
    return rc, [json.loads(line) for line in out.splitlines()], err


def test_records_keep_each_action_in_order():
    rc, objs, err = objects("-n", 'BEGIN { trace(1); trace("two"); printf("%d ", 3); printf("%s\\n", "four"); '
                                  'trace((char)-2); exit(0); }')
    assert rc == 0 and err == "dtrace: description 'BEGIN ' matched 1 probe\n"
    assert objs == [{"type": "record", "cpu": 0, "id": 1, "probe": "dtrace:::BEGIN",
                     "data": [{"action": "trace", "value": 1}, {"action": "trace", "value": "two"},
                              {"action": "printf", "text": "3 four\n"}, {"action": "trace", "value": 254}]}]


def test_the_posts_stack_as_frames():
    rc, objs, err = objects("-n", "hvm_excl_*:entry { stack(); }", "-c", f"vmadm start {KVM}")
    (rec,) = objs
    assert rec["probe"] == "fbt:unix:hvm_excl_hold:entry"
    assert rec["data"][0]["action"] == "stack"
    assert rec["data"][0]["frames"][0] == "kvm`kvm_hvm_init+0x2d"
    assert rec["data"][0]["frames"][-1] == "unix`sys_syscall+0x19f"
    run_dtrace(HOST, "-q", "-n", "BEGIN { exit(0); }", "-c", f"vmadm stop {KVM}")


def test_aggregations_with_keys_values_and_buckets():
    rc, objs, err = objects("-q", "-n", '''BEGIN { @c["b", 2] = count(); @c["a", 1] = count(); @c["a", 1] = count();
        @ = sum(-5); @q = quantize(3); @q = quantize(3); @q = quantize(100);
        @l = lquantize(-1, 0, 10, 5); @s[stack(1)] = count(); exit(0); }''')
    aggs = {o["name"]: o for o in objs if o["type"] == "aggregation"}
    assert aggs["@c"] == {"type": "aggregation", "name": "@c", "func": "count",
                          "entries": [{"keys": ["b", 2], "value": 1}, {"keys": ["a", 1], "value": 2}]}
    assert aggs["@"]["entries"] == [{"keys": [], "value": -5}]
    assert aggs["@q"]["entries"][0]["value"] == {"buckets": [[2, 2], [64, 1]]}
    assert aggs["@l"]["entries"][0]["value"] == {"buckets": [["< 0", 1]]}
    assert aggs["@s"]["entries"][0]["keys"] == [[]]           # BEGIN has no kernel frames
    assert [o["name"] for o in objs if o["type"] == "aggregation"] == ["@c", "@", "@q", "@l", "@s"]


def test_faults_and_drops_are_objects_too():
    rc, objs, err = objects("-q", "-n", "BEGIN { trace(*(int *)8); } BEGIN { exit(0); }")
    (fault,) = [o for o in objs if o["type"] == "fault"]
    assert fault == {"type": "fault", "epid": 1, "probe": "dtrace:::BEGIN", "fault": "invalid address", "addr": 8,
                     "where": "action #1", "message": "error on enabled probe ID 1 (ID 1: dtrace:::BEGIN): "
                                                     "invalid address (0x8) in action #1"}
    rc, objs, err = objects("-q", "-b", "1k", "-n", 'tick-1ms { printf("%s\\n", execname); } tick-1s { exit(0); }')
    drops = [o for o in objs if o["type"] == "drop"]
    assert drops and all(o["kind"] == "principal" and o["cpu"] == 0 and o["count"] > 0 for o in drops)
    assert err == ""


def test_json_goes_to_the_output_file(tmp_path):
    path = tmp_path / "out.ndjson"
    rc, out, err = run_dtrace(HOST, "-x", "json", "-q", "-o", str(path), "-n", "BEGIN { trace(7); exit(0); }")
    assert out == "" and [json.loads(x)["data"] for x in path.read_text().splitlines()] == \
        [[{"action": "trace", "value": 7}]]
