#!/usr/bin/env python3
"""Regenerate the shipped dump fixtures from a fresh boot.

    .venv/bin/python scripts/make-fixtures.py

tests/test_fixtures.py fails when a fixture no longer matches what the code
boots, naming this script.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kdebug.kernel import dump  # noqa: E402
from kdebug.kernel.boot import DEFAULT_HOST, boot  # noqa: E402

FIXTURES = {
    "emy-17.kdump": DEFAULT_HOST,   # the post's machine, booted and idle
}


def main() -> int:
    for name, config in FIXTURES.items():
        path = ROOT / "fixtures" / name
        dump.save(boot(config), path)
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
