"""The live host: a daemon per KDEBUG_HOME that separate processes share."""

import os
import signal
import socket
import stat
import struct
import subprocess
import sys
import time

import pytest

from kdebug.host import protocol
from kdebug.host.client import HostUnavailable, connect, running_pid, spawn_daemon
from kdebug.kernel import MemoryFault, dump, proc
from tests.helpers import kdebug


def wait_gone(home, pid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and running_pid(home) == pid:
        time.sleep(0.02)
    return running_pid(home) != pid


def test_status_start_status_stop(home):
    r = kdebug("host", "status", home=home)
    assert r.returncode == 1 and r.stdout == "" and r.stderr == f"kdebug host: no host is running in {home}\n"
    r = kdebug("host", "start", home=home)
    assert r.returncode == 0 and r.stdout.startswith("host emy-17 started (pid ")
    r = kdebug("host", "status", home=home)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0] == "hostname  emy-17" and lines[1] == "platform  joyent_20180329T002644Z"
    pid = running_pid(home)
    assert kdebug("host", "start", home=home).stderr == f"kdebug host: already running (pid {pid})\n"
    r = kdebug("host", "stop", home=home)
    assert r.returncode == 0
    assert wait_gone(home, pid)
    assert not (home / "host.sock").exists() and not (home / "host.pid").exists()


def test_state_directory_and_socket_are_owner_only(home):
    host = connect(home)
    host.close()
    assert stat.S_IMODE(os.stat(home).st_mode) == 0o700
    for name in ("host.sock", "host.pid", "host.log", "host.lock"):
        assert stat.S_IMODE(os.stat(home / name).st_mode) == 0o600, name


def test_auto_start_is_silent_and_shared_by_processes(home):
    code = ("from kdebug.host.client import connect; h = connect(); "
            "print(h.status()['pid'])")
    env = dict(os.environ, KDEBUG_HOME=str(home))
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=env, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert all(err == "" for _, err in outs)
    pids = {out.strip() for out, _ in outs}
    assert len(pids) == 1 and pids == {str(running_pid(home))}


def test_remote_kernel_reads_like_the_local_one(home, emy17):
    k = connect(home).kernel()
    assert k.live
    assert k.var("zone0").member("zone_name").string() == "global"
    assert [proc.pid_of(k, p) for p in proc.for_each_proc(k)] == \
        [proc.pid_of(emy17, p) for p in proc.for_each_proc(emy17)]
    assert k.types.lookup("proc_t").size == emy17.types.lookup("proc_t").size
    addr = next(proc.for_each_proc(k))
    cache, buf, allocated = k.kmem.buffer_at(addr + 8)
    assert (cache.name, buf, allocated) == ("process_cache", addr, True)
    with pytest.raises(MemoryFault) as e:
        k.mem.read_u64(0x1000)
    assert e.value.addr == 0x1000 and e.value.reason == "no mapping for address"
    # A read running off the end of a mapping faults at its first unmapped byte.
    segs = k.mem.segments()
    end = next(a.base + a.size for a, b in zip(segs, segs[1:]) if a.base + a.size < b.base)
    with pytest.raises(MemoryFault) as e:
        k.mem.read(end - 4, 8)
    assert e.value.addr == end


def test_refresh_sees_a_reboot(home):
    host = connect(home)
    k = host.kernel()
    before = k.hrtime
    st = host.reboot(seed=7)
    assert st["boots"] == 2
    k.refresh()
    assert k.hrtime <= before + 10_000_000_000
    assert k.var("zone0").member("zone_name").string() == "global"


def test_dump_of_the_live_host_opens(home, tmp_path):
    path = tmp_path / "live.kdump"
    r = kdebug("host", "dump", str(path), home=home)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    k = dump.load(path)
    assert k.hostname == "emy-17" and not k.live


def test_foreign_user_is_refused(home):
    home.mkdir(mode=0o700)
    spawn_daemon(home, ["--allow-uid", str(os.getuid() + 4242)])
    deadline = time.monotonic() + 30
    while not (home / "host.sock").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(HostUnavailable) as e:
        connect(home, autostart=False)
    assert "permission denied" in str(e.value)
    assert "refused pid" in (home / "host.log").read_text()


def test_killed_daemon_leaves_stale_files_that_the_next_client_cleans(home):
    pid = connect(home).status()["pid"]
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(home, pid)
    assert (home / "host.sock").exists() and (home / "host.pid").exists()   # stale
    st = connect(home).status()
    assert st["pid"] != pid and st["boots"] == 1


def test_bad_requests_get_errors_and_the_daemon_lives_on(home):
    connect(home).close()
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(home / "host.sock"))
    for junk in [b"not json", b"[]", b'{"op": 5}', b'{"op": "nosuch"}',
                 b'{"op": "kernel.read", "args": {"addr": "x", "size": 8}}',
                 b'{"op": "run", "args": {"bogus": 1}}']:
        s.sendall(struct.pack(">I", len(junk)) + junk)
        reply = protocol.recv(s)
        assert reply["ok"] is False and reply["error"]["type"] in ("protocol", "request")
    s.sendall(struct.pack(">I", 1 << 30))     # an absurd length: the daemon hangs up
    assert s.recv(10) == b""
    s.close()
    assert connect(home, autostart=False).status()["hostname"] == "emy-17"


def test_unknown_host_command_runs_like_a_shell_would(home):
    r = connect(home).run(["frobnicate", "x"])
    assert (r.rc, r.stdout, r.stderr) == (127, "", "frobnicate: command not found\n")


def test_vmadm_create_reads_a_payload_file_on_this_workstation(home, tmp_path):
    payload = tmp_path / "web.json"
    payload.write_text('{"brand": "bhyve", "alias": "web", "ram": 512, "vcpus": 1}')
    r = kdebug("vmadm", "create", "-f", str(payload), home=home)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("Successfully created VM ")
    r = kdebug("vmadm", "list", "-H", "-o", "alias", "alias=web", home=home)
    assert r.stdout == "web\n"
    r = kdebug("vmadm", "create", "-f", "/no/such/payload.json", home=home)
    assert (r.returncode, r.stderr) == (1, "File: /no/such/payload.json does not exist.\n")


def test_the_daemons_clock_catches_up_at_most_5s_and_restarts_after_a_reboot(tmp_path):
    """A daemon that was stopped (or whose host rebooted) does not replay, or race through, the time it missed."""
    from kdebug.host.daemon import Daemon
    from kdebug.host.machine import Machine

    d = Daemon(tmp_path / "home")
    d.machine = Machine()
    d._sync_clock()
    start = d.machine.now
    d._t0 -= 60                                   # a minute went by without ticks
    d._tick()
    assert d.machine.now - start == 5_000_000_000
    d._tick()                                     # and then it goes on in real time
    assert d.machine.now - start < 5_500_000_000
    d.machine.reboot()
    d._tick()
    assert d.machine.now < start + 1_000_000_000


def test_a_killed_consumers_enablings_are_removed(home):
    """dtrace killed with SIGKILL: the daemon sees the connection drop and disables its probes."""
    host = connect(home)
    env = dict(os.environ, KDEBUG_HOME=str(home))
    dt = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-n", "fbt::hvm_excl_*:entry { trace(1); }"],
                          env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert "matched 2 probes" in dt.stderr.readline()
        st = host.call("host_status")["dtrace"]
        assert st == {"consumers": 1, "enabled_probes": 2}
        assert "dtrace    1 consumers, 2 probes enabled" in kdebug("host", "status", home=home).stdout
        dt.kill()
        dt.wait(30)
        deadline = time.monotonic() + 30
        while host.call("host_status")["dtrace"]["consumers"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert host.call("host_status")["dtrace"] == {"consumers": 0, "enabled_probes": 0}
    finally:
        if dt.poll() is None:
            dt.kill()
        host.close()


@pytest.mark.parametrize("damage", ["garbage", "row"])
def test_a_damaged_vmadm_store_is_named_with_its_reason(home, damage):
    import sqlite3

    home.mkdir(mode=0o700)
    store = home / "vmadm.sqlite"
    if damage == "garbage":
        store.write_bytes(b"not a database, not at all" * 100)
        reason = "file is not a database"
    else:
        db = sqlite3.connect(store)
        db.execute("CREATE TABLE vms (uuid TEXT PRIMARY KEY, config TEXT NOT NULL)")
        db.execute("INSERT INTO vms VALUES ('x', '{\"uuid\": ')")
        db.commit()
        db.close()
        reason = "a VM's configuration is damaged"
    before = store.read_bytes()
    r = kdebug("vmadm", "list", home=home)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == f"vmadm: the host did not start: {store}: {reason}\n"
    assert store.read_bytes() == before                    # nothing written over it
