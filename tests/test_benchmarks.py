"""The benchmark suite runs (quick mode) and writes its figures as JSON."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quick_benchmarks_run_and_report(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split()[:4] == ["benchmark", "subject", "baseline", "ratio"]
    figures = json.loads(out.read_text())
    names = {f["name"] for f in figures}
    assert {"import-kernel", "boot-default-host", "dtrace-disabled-probes", "dtrace-fbt-firing",
            "dtrace-startup"} <= names
    for f in figures:
        assert f["subject"] > 0 and f["baseline"] > 0 and f["ratio"] > 0


def test_unknown_benchmark_is_a_usage_error():
    r = subprocess.run([sys.executable, "-m", "benchmarks", "nosuch"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "unknown benchmark: nosuch" in r.stderr
