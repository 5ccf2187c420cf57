"""kdebug flamegraph: folded stacks from dtrace in, an interactive SVG out (checked as XML, and in Chromium)."""

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from kdebug.host.client import InProcessHost
from kdebug.host.machine import Machine
from tests.dtrace.conftest import run_dtrace
from tests.helpers import kdebug

SVG = "{http://www.w3.org/2000/svg}"
KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"


@pytest.fixture(scope="module")
def folded():
    """Folded stacks of one second of profile-97 on the idle host, plus kvm taking the HVM lock."""
    host = InProcessHost(Machine())
    rc, out, err = run_dtrace(host, "-q", "-x", "stackfmt=folded", "-n",
                              "profile-97 { @[stack()] = count(); } fbt::hvm_excl_hold:entry { @[stack()] = count(); } "
                              "tick-1s { exit(0); }", "-c", f"vmadm start {KVM}")
    assert rc == 0
    return out


def frames(svg: str) -> dict[str, tuple[float, str]]:
    """name -> (width, title) of every frame box."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") == "frame":
            out[g.get("data-name")] = (float(g.find(SVG + "rect").get("width")), g.find(SVG + "title").text)
    return out


IDLE = "unix`thread_start+0xb;unix`idle+0xa7;unix`cpu_idle_mwait+0x109;unix`i86_mwait+0xd"


def counts(folded: str) -> dict[str, int]:
    return {ln.rpartition(" ")[0]: int(ln.rpartition(" ")[2]) for ln in folded.splitlines() if ln}


def test_dtrace_folds_stack_aggregations(folded):
    c = counts(folded)
    # 80 CPUs x 97 samples: idle ones in i86_mwait, the kvm vCPU's in its guest.
    guest = next(s for s in c if s.endswith("kvm`vcpu_enter_guest+0x5cc"))
    assert guest.startswith("unix`sys_syscall+0x19f;genunix`ioctl+0x9b;")
    assert c[IDLE] + c[guest] == 80 * 97 and c[guest] > 0
    hold = next(s for s in c if "kvm_hvm_init" in s)
    assert hold.startswith("unix`sys_syscall+0x19f;genunix`open+") and hold.endswith("kvm`kvm_hvm_init+0x2d")
    assert c[hold] == 1


def test_the_svg_has_a_box_per_frame_as_wide_as_its_samples(folded, tmp_path):
    (tmp_path / "f.txt").write_text(folded)
    r = kdebug("flamegraph", "--title", "emy-17 CPU", str(tmp_path / "f.txt"))
    assert (r.returncode, r.stderr) == (0, "")
    boxes = frames(r.stdout)
    c = counts(folded)
    total, idle = sum(c.values()), c[IDLE]
    assert boxes["all"] == (1180.0, f"all ({total:,} samples, 100.00%)")
    idle_w, idle_title = boxes["unix`i86_mwait+0xd"]
    assert idle_title == f"unix`i86_mwait+0xd ({idle:,} samples, {100 * idle / total:.2f}%)"
    assert abs(idle_w - 1180 * idle / total) < 0.01
    assert boxes["kvm`kvm_hvm_init+0x2d"][1].startswith("kvm`kvm_hvm_init+0x2d (1 samples, ")
    assert len(boxes) == len({frame for stack in c for frame in stack.split(";")}) + 1
    assert "emy-17 CPU" in r.stdout and "function zoom(" in r.stdout


def test_stdin_errors_and_bad_lines():
    r = kdebug("flamegraph", input="a;b 3\nnot a stack\nb 2\n")
    assert r.returncode == 0 and r.stderr == "kdebug flamegraph: (standard input): ignored 1 line that are not " \
                                             "FRAMES COUNT\n"
    assert set(frames(r.stdout)) == {"all", "a", "b"}
    r = kdebug("flamegraph", input="")
    assert (r.returncode, r.stdout, r.stderr) == (1, "", "kdebug flamegraph: (standard input): no stack counts found\n")
    r = kdebug("flamegraph", "/no/such/file")
    assert (r.returncode, r.stderr) == (1, "kdebug flamegraph: /no/such/file: No such file or directory\n")


@pytest.mark.skipif(shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
                    reason="needs a headless Chromium (Debian package chromium)")
def test_chromium_opens_it_and_its_script_runs(folded, tmp_path):
    svg = tmp_path / "f.svg"
    svg.write_text(kdebug("flamegraph", input=folded).stdout)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", svg.as_uri()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    # init() ran: every frame's rect got its original geometry as data attributes.
    assert len(re.findall(r'data-x="', r.stdout)) == len(frames(svg.read_text())) > 10
