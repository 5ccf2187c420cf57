"""Load: 16 dtrace consumers and 4 mdb sessions on one host for 30 s while a VM starts and stops.

Every consumer must receive every record (each hold and release of the HVM
lock) or say on stderr that it dropped some; no client may fail.  Loopback
only, bounded in time.
"""

import os
import select
import signal
import subprocess
import sys
import threading
import time

from kdebug.host.client import connect

TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"
SECONDS = float(os.environ.get("KDEBUG_LOAD_SECONDS", "30"))
PROGRAM = ("BEGIN { printf(\"ready\\n\"); } "
           "hvm_excl_hold:entry, hvm_excl_rele:entry { printf(\"%s\\n\", probefunc); } "
           "profile-97 { @samples = count(); }")


def _line(stream, timeout: float) -> str:
    """The next line of ``stream``, or "" if none comes within ``timeout`` seconds."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def test_16_consumers_and_4_mdb_sessions_while_a_vm_starts_and_stops(home):
    env = dict(os.environ, KDEBUG_HOME=str(home))
    host = connect(home)
    consumers = [subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-q", "-n", PROGRAM], env=env,
                                  text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(16)]
    errors: list[str] = []
    stop = threading.Event()

    def mdb_session():
        mdb = subprocess.Popen([sys.executable, "-m", "kdebug", "mdb", "-k"], env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        lines = 0
        while not stop.is_set():
            mdb.stdin.write("hvm_excl_holder::print\n::status\n")
            lines += 1
            time.sleep(0.2)
        out, err = mdb.communicate("", timeout=60)
        if mdb.returncode != 0 or err or out.count("debugging live kernel") != lines:
            errors.append(f"mdb: status {mdb.returncode}, {err!r}")

    try:
        for c in consumers:                      # each says it is tracing before the load starts
            assert _line(c.stdout, 120) == "ready\n"
        sessions = [threading.Thread(target=mdb_session) for _ in range(4)]
        for s in sessions:
            s.start()
        cycles = 0
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            for verb in ("start", "stop"):
                r = host.run(["vmadm", verb, TEST])
                assert r.rc == 0, r.stderr
            cycles += 1
        time.sleep(1.5)                          # one switchrate: the last records reach every consumer
        stop.set()
        for s in sessions:
            s.join(120)
        for c in consumers:
            c.send_signal(signal.SIGINT)
        results = [c.communicate(timeout=120) for c in consumers]
    finally:
        stop.set()
        for c in consumers:
            if c.poll() is None:
                c.kill()
        host.close()
    assert not errors, errors
    assert cycles >= 3
    for c, (out, err) in zip(consumers, results):
        assert c.returncode == 0, err
        lines = ["ready"] + out.split("\n")
        holds, releases = lines.count("hvm_excl_hold"), lines.count("hvm_excl_rele")
        if "drop" in err:
            assert holds <= cycles and releases <= cycles
        else:
            assert (holds, releases, err) == (cycles, cycles, ""), (holds, releases, cycles, err)
        assert int(lines[-2].strip()) > 0        # the profile aggregation, printed at the end
