"""What every benchmark shares: the registry, timing helpers, results and the table."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable

REGISTRY: dict[str, Callable[[bool], "Result"]] = {}


def benchmark(name: str):
    """Register ``fn(quick) -> Result`` under ``name``."""
    def register(fn):
        REGISTRY[name] = fn
        return fn
    return register


@dataclass
class Result:
    name: str
    subject: float          # seconds (or the unit named) for the thing measured
    baseline: float         # the same, for the baseline measured beside it
    baseline_name: str
    target: float | None    # ratio subject/baseline to stay at or under, if any
    unit: str = "s"
    note: str = ""

    @property
    def ratio(self) -> float:
        return self.subject / self.baseline if self.baseline else float("inf")

    @property
    def met(self) -> bool | None:
        return None if self.target is None else self.ratio <= self.target

    def as_dict(self) -> dict:
        d = asdict(self)
        d["ratio"] = self.ratio
        d["met"] = self.met
        return d


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` timed calls of ``fn`` (seconds)."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _env() -> dict:
    # Measure what users see: bytecode cached (some sandboxes set PYTHONDONTWRITEBYTECODE).
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_python(code: str) -> None:
    """Run ``python -c code`` in a fresh interpreter, bytecode caching on."""
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=_env())


def warm(code: str) -> None:
    """One untimed run, so that bytecode caches exist before timing."""
    run_python(code)


def _amount(value: float, unit: str) -> str:
    if unit != "s":
        return f"{value:.3g} {unit}"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} us"


def format_table(results: list[Result]) -> str:
    rows = [("benchmark", "subject", "baseline", "ratio", "target", "met")]
    for r in results:
        rows.append((r.name, _amount(r.subject, r.unit), f"{_amount(r.baseline, r.unit)} ({r.baseline_name})",
                     f"{r.ratio:.2f}", "-" if r.target is None else f"<= {r.target:g}",
                     "-" if r.met is None else ("yes" if r.met else "NO")))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.name}: {r.note}" for r in results if r.note]
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"
