"""A daemon killed with SIGKILL in the middle of a burst of vmadm changes loses none it acknowledged."""

import json
import os
import signal
import threading
import time

from kdebug.host.client import HostError, HostUnavailable, connect, running_pid


def test_sigkill_during_a_burst_of_changes_loses_nothing_acknowledged(home):
    host = connect(home)
    pid = running_pid(home)
    acknowledged: list[tuple[str, str]] = []      # (uuid, alias) of every create vmadm confirmed
    failed = []

    def burst():
        for i in range(400):
            alias = f"burst-{i}"
            try:
                r = host.run(["vmadm", "create"], json.dumps({"brand": "kvm", "alias": alias, "ram": 256,
                                                               "autoboot": False}))
            except (HostError, HostUnavailable, OSError) as e:   # the daemon died under us
                failed.append(e)
                return
            if r.rc == 0:
                acknowledged.append((r.stderr.split()[-1], alias))

    t = threading.Thread(target=burst)
    t.start()
    deadline = time.monotonic() + 60
    while len(acknowledged) < 25 and time.monotonic() < deadline and t.is_alive():
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)                  # mid-burst, between or inside requests
    t.join(60)
    host.close()
    while time.monotonic() < deadline:           # gone from the process table
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    assert len(acknowledged) >= 25 and failed, (len(acknowledged), failed)

    again = connect(home)                         # a new daemon starts and recovers the store
    try:
        assert running_pid(home) != pid
        listed = dict(line.split() for line in
                      again.run(["vmadm", "list", "-H", "-o", "uuid,alias"]).stdout.splitlines())
        for uuid, alias in acknowledged:
            assert listed.get(uuid) == alias, (uuid, alias)
        # Nothing half-made: every VM the store lists is whole.
        for uuid in listed:
            vm = json.loads(again.run(["vmadm", "get", uuid]).stdout)
            assert vm["uuid"] == uuid and vm["state"] in ("stopped", "running")
    finally:
        again.close()
