"""docs/tutorial.md and docs/reference.md are what their generators write now.

The tutorial's outputs come from running kdebug (scripts/make-tutorial.py on
a fresh host) and the reference from the registration tables
(scripts/make-reference.py).  When a test here fails, kdebug's output or
tables changed: read the diff, then run `make docs` and commit the result.
"""

import difflib
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LABS = ROOT / "kdebug" / "labs"


def _regenerate(script: str, out: Path) -> None:
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / script), "--output", str(out)],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, f"scripts/{script} failed:\n{r.stdout}{r.stderr}"


def _assert_current(name: str, script: str, tmp_path: Path) -> None:
    fresh = tmp_path / name
    _regenerate(script, fresh)
    committed = (DOCS / name).read_text()
    generated = fresh.read_text()
    if committed != generated:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True),
                                            f"docs/{name}", "regenerated", n=2))
        pytest.fail(f"docs/{name} is stale; run `make docs` (or .venv/bin/python scripts/{script}):\n{diff}")


def test_tutorial_is_current(tmp_path):
    _assert_current("tutorial.md", "make-tutorial.py", tmp_path)


def test_reference_is_current(tmp_path):
    _assert_current("reference.md", "make-reference.py", tmp_path)


def test_tutorial_points_to_every_lab():
    text = (DOCS / "tutorial.md.in").read_text()
    named = set(re.findall(r"kdebug lab start ([a-z0-9][a-z0-9-]*)", text))
    assert named == {p.stem for p in LABS.glob("*.toml")}


def test_readme_leads_to_the_first_lab_and_the_docs():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1]
    assert "kdebug lab start who-holds-the-lock" in quick
    assert "docs/tutorial.md" in readme and "docs/reference.md" in readme
