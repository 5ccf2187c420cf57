"""The built wheel carries the grammars, the kernel's headers and the fixtures."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", str(ROOT),
                        "-w", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    wheel = next(tmp_path.glob("kdebug-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for g in (ROOT / "grammar").glob("*.lark"):
        assert f"kdebug/grammar/{g.name}" in names
    for f in (ROOT / "fixtures").glob("*.kdump"):
        assert f"kdebug/fixtures/{f.name}" in names
    for h in (ROOT / "kdebug" / "kernel" / "headers").glob("*.h"):
        assert f"kdebug/kernel/headers/{h.name}" in names
    for d in (ROOT / "kdebug" / "dtrace" / "lib").glob("*.d"):
        assert f"kdebug/dtrace/lib/{d.name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
