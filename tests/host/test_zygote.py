"""The warm start of ``kdebug dtrace`` (kdebug/host/zygote.py).

A running host keeps a zygote beside it that forks a worker per dtrace command.
What a user sees must not depend on it: the same output, errors and exit status
as the ordinary start, Ctrl-C reaching the consumer, and nothing left behind.
"""

import os
import signal
import subprocess
import sys
import time

import pytest

from kdebug.host.client import running_pid
from tests.helpers import kdebug


def _procs_with(needle: str) -> dict[int, int]:
    """pid -> ppid of the processes whose command line holds ``needle``."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if needle in cmdline:
            found[int(entry)] = ppid
    return found


def _zygote(home) -> tuple[int | None, list[int]]:
    """The zygote of ``home`` and its workers (forked, so they share its command line)."""
    procs = _procs_with(f"kdebug.host.zygote --home {home} ")
    daemon = running_pid(home)
    zygote = next((pid for pid, ppid in procs.items() if ppid == daemon), None)
    return zygote, [pid for pid, ppid in procs.items() if ppid == zygote]


def _wait(cond, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def warm_home(home):
    assert kdebug("host", "start", home=home).returncode == 0
    assert _wait(lambda: (home / "zygote.sock").exists()), "the zygote never listened"
    return home


CASES = [
    ["-q", "-n", "BEGIN { printf(\"%d %s\\n\", 42, \"x\"); exit(3); }"],
    ["-n", "BEGIN { x = }"],
    ["-x", "errtags", "-n", "BEGIN { trace(nosuchvar); }"],
    ["-Q"],
    ["-l", "-n", "hvm_excl_*:entry"],
    ["-n", "BEGIN { trace(1 / 0); exit(0); }"],
    ["-q", "-n", "BEGIN { @[\"a\"] = count(); @[\"b\"] = sum(5); exit(0); }"],
    ["-n", "nosuch:::entry"],
    ["-V"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: " ".join(a)[:40])
def test_warm_and_ordinary_starts_print_the_same(warm_home, args):
    warm = kdebug("dtrace", *args, home=warm_home)
    cold = kdebug("dtrace", *args, home=warm_home, env={"KDEBUG_NO_ZYGOTE": "1"})
    assert (warm.returncode, warm.stdout, warm.stderr) == (cold.returncode, cold.stdout, cold.stderr)


def test_the_worker_takes_the_callers_directory_input_and_umask(warm_home, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    script = 'BEGIN { printf("from stdin\\n"); exit(0); }\n'
    env = dict(os.environ, KDEBUG_HOME=str(warm_home))
    r = subprocess.run([sys.executable, "-c", "import os, sys; os.umask(0o077); sys.argv[0] = 'kdebug'; "
                        "from kdebug.cli import main; sys.argv[1:] = ['dtrace', '-q', '-o', 'out.txt', "
                        "'-s', '/dev/stdin']; sys.exit(main())"],
                       input=script, capture_output=True, text=True, cwd=work, env=env, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    assert (work / "out.txt").read_text() == "from stdin\n\n"     # and the blank line at exit
    assert (work / "out.txt").stat().st_mode & 0o777 == 0o600


def test_ctrl_c_reaches_the_consumer_in_its_worker(warm_home):
    env = dict(os.environ, KDEBUG_HOME=str(warm_home))
    p = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-q", "-n", "tick-10ms { @ticks = count(); }"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert _wait(lambda: len(_zygote(warm_home)[1]) == 1), "the command did not run in a worker"
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=30)
    assert p.returncode == 0 and err == ""
    lines = out.split("\n")
    assert lines[0] == "" and lines[1] == "" and int(lines[2]) > 0 and lines[3:] == [""]
    assert _wait(lambda: _zygote(warm_home)[1] == [])


def test_a_killed_client_takes_its_worker_with_it(warm_home):
    env = dict(os.environ, KDEBUG_HOME=str(warm_home))
    p = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-n", "tick-1s { trace(1); }"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    assert _wait(lambda: len(_zygote(warm_home)[1]) == 1)
    p.kill()
    p.wait()
    assert _wait(lambda: _zygote(warm_home)[1] == []), "the worker outlived its client"
    assert _wait(lambda: "dtrace    0 consumers, 0 probes enabled" in kdebug("host", "status", home=warm_home).stdout)
    r = kdebug("dtrace", "-q", "-n", "BEGIN { trace(7); exit(0); }", home=warm_home)
    assert (r.returncode, r.stdout) == (0, "7\n")


def test_a_worker_killed_by_a_signal_ends_its_client_the_same_way(warm_home):
    env = dict(os.environ, KDEBUG_HOME=str(warm_home))
    p = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-n", "tick-1s { trace(1); }"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    assert _wait(lambda: len(_zygote(warm_home)[1]) == 1)
    os.kill(_zygote(warm_home)[1][0], signal.SIGKILL)
    assert p.wait(timeout=30) == -signal.SIGKILL


def test_the_zygote_goes_with_its_host(warm_home):
    zygote, _ = _zygote(warm_home)
    assert zygote is not None
    assert kdebug("host", "stop", home=warm_home).returncode == 0
    assert _wait(lambda: not os.path.exists(f"/proc/{zygote}") or _zombie(zygote))
    assert not (warm_home / "zygote.sock").exists()


def test_the_zygote_goes_when_its_host_is_killed(warm_home):
    zygote, _ = _zygote(warm_home)
    os.kill(running_pid(warm_home), signal.SIGKILL)
    assert _wait(lambda: not os.path.exists(f"/proc/{zygote}") or _zombie(zygote))
    # The next command finds neither: it starts a host as ever.
    r = kdebug("dtrace", "-q", "-n", "BEGIN { trace(1); exit(0); }", home=warm_home)
    assert (r.returncode, r.stdout) == (0, "1\n")


def test_edited_sources_are_loaded_again(warm_home):
    import kdebug.dtrace.cli as cli_module
    zygote, _ = _zygote(warm_home)
    st = os.stat(cli_module.__file__)
    os.utime(cli_module.__file__, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    try:
        r = kdebug("dtrace", "-q", "-n", "BEGIN { trace(2); exit(0); }", home=warm_home)
        assert (r.returncode, r.stdout, r.stderr) == (0, "2\n", "")
        # The zygote has started again (the same process, exec'd) and serves once more.
        assert _wait(lambda: (warm_home / "zygote.sock").exists())
        assert _zygote(warm_home)[0] == zygote
        env = dict(os.environ, KDEBUG_HOME=str(warm_home))
        p = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-n", "tick-1s { trace(1); }"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            assert _wait(lambda: len(_zygote(warm_home)[1]) == 1)
        finally:
            p.send_signal(signal.SIGINT)
            p.wait(timeout=30)
    finally:
        os.utime(cli_module.__file__, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_no_zygote_when_asked(home):
    r = kdebug("host", "start", home=home, env={"KDEBUG_NO_ZYGOTE": "1"})
    assert r.returncode == 0
    time.sleep(0.5)
    assert _zygote(home) == (None, []) and not (home / "zygote.sock").exists()


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_begin_fires_in_the_command_the_user_started(warm_home):
    # pid in BEGIN is the consumer's own process ($pid), and that is the process the user
    # started, not the worker that runs it.
    env = dict(os.environ, KDEBUG_HOME=str(warm_home))
    for extra in ({}, {"KDEBUG_NO_ZYGOTE": "1"}):
        p = subprocess.Popen([sys.executable, "-m", "kdebug", "dtrace", "-q", "-n",
                              'BEGIN { printf("%d %d %d %d %s\\n", pid, $pid, ppid, $ppid, execname); exit(0); }'],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(env, **extra))
        out, err = p.communicate(timeout=60)
        assert (p.returncode, err) == (0, "")
        assert out.split() == [str(p.pid), str(p.pid), str(os.getpid()), str(os.getpid()), "dtrace"], extra
