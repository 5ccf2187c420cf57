"""Run the benchmark suite: ``python -m benchmarks [--quick] [--json FILE] [NAME...]``.

Each benchmark measures its subject and a baseline in the same run (the
machines are shared and noisy, so only ratios are compared with targets)
and returns a :class:`benchmarks.common.Result`.  The table goes to stdout,
the figures to ``benchmarks/results/latest.json`` (or ``--json FILE``).
"""

import argparse
import json
import sys
from pathlib import Path

from .common import REGISTRY, format_table
from . import host, startup  # noqa: F401  (they register their benchmarks)
from . import dtrace, mdb  # noqa: F401


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="few repetitions: only check that each runs")
    ap.add_argument("--json", help="where to write the figures (default benchmarks/results/latest.json)")
    ap.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    args = ap.parse_args(argv)
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        ap.error(f"unknown benchmark: {', '.join(unknown)} (known: {', '.join(REGISTRY)})")
    results = []
    for name, fn in REGISTRY.items():
        if args.names and name not in args.names:
            continue
        results.append(fn(args.quick))
    sys.stdout.write(format_table(results))
    out = Path(args.json) if args.json else Path(__file__).parent / "results" / "latest.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
