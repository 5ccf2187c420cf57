"""Aggregations on the consumer side (dt_aggregate.c): totals, sorting, library actions.

The kernel hands over per-CPU deltas at each snapshot; here they are added
into the totals the consumer prints.  ``clear``, ``trunc``, ``normalize``
and ``denormalize`` act on these totals, as in libdtrace.
"""

from __future__ import annotations

import math

from .. import buckets

__all__ = ["AggTotals", "sort_value"]

_C = (1 << 64)


def _add(func: str, old, new):
    if old is None:
        return new
    if func in ("count", "sum"):
        return old + new
    if func == "min":
        return min(old, new)
    if func == "max":
        return max(old, new)
    if func in ("avg", "stddev"):
        return [a + b for a, b in zip(old, new)]
    out = dict(old)
    for b, c in new.items():
        out[b] = out.get(b, 0) + c
    return out


def _zero(func: str, v):
    if func in ("count", "sum", "min", "max"):
        return 0
    if func in ("avg", "stddev"):
        return [0] * len(v)
    return {}


def _tdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def stddev(v) -> int:
    n, s, sq = v
    if n == 0:
        return 0
    avg = _tdiv(s, n)
    var = _tdiv(sq, n) - avg * avg
    return math.isqrt(var) if var > 0 else 0


def scalar_value(func: str, v) -> int:
    if func == "avg":
        return _tdiv(v[1], v[0]) if v[0] else 0
    if func == "stddev":
        return stddev(v)
    return v


def hist_value(func: str, params, h: dict) -> tuple:
    """Sort value of a histogram: sum of label value x count (ties: the zero bucket's count)."""
    total = 0
    if func == "quantize":
        for b, c in h.items():
            total += buckets.quantize_value(b) * c
        return total, h.get(buckets.QUANTIZE_ZERO, 0)
    if func == "lquantize":
        base, limit, step = params
        for b, c in h.items():
            total += (base + (b - 1) * step) * c
        return total, 0
    bounds = buckets.llquantize_bounds(*params)
    for b, c in h.items():
        total += (bounds[b - 1] if b > 0 else 0) * c
    return total, 0


def sort_value(func: str, params, v):
    if isinstance(v, dict):
        return hist_value(func, params, v)
    return (scalar_value(func, v), 0)


def _key_order(k):
    out = []
    for x in k:
        if isinstance(x, str):
            out.append((1, x.encode("latin-1", "replace")))
        elif isinstance(x, tuple):
            out.append((2, x))
        else:
            out.append((0, x & (_C - 1)))
    return out


class AggTotals:
    def __init__(self):
        self.data: dict[int, dict] = {}
        self.funcs: dict[int, tuple[str, list]] = {}
        self.normal: dict[int, int] = {}
        self.printed: set[int] = set()

    def define(self, aid: int, func: str, params: list) -> None:
        self.funcs[aid] = (func, params)

    def merge(self, snapshot: dict) -> None:
        for aid, cpu, entries in snapshot.get("aggs", []):
            func, _ = self.funcs[aid]
            d = self.data.setdefault(aid, {})
            for key, v in entries:
                key = tuple(tuple(x) if isinstance(x, list) else x for x in key)
                if func in ("quantize", "lquantize", "llquantize"):
                    v = {b: c for b, c in v}
                d[key] = _add(func, d.get(key), v)

    def clear(self, aid: int) -> None:
        func, _ = self.funcs[aid]
        d = self.data.get(aid, {})
        for key in d:
            d[key] = _zero(func, d[key])

    def trunc(self, aid: int, n: int | None, options) -> None:
        d = self.data.get(aid, {})
        if n is None or n == 0:
            d.clear()
            return
        entries = self.sorted(aid, options, reverse_override=n > 0)
        keep = {k for k, _ in entries[:abs(n)]}
        for k in list(d):
            if k not in keep:
                del d[k]

    def normalize(self, aid: int, n: int) -> None:
        self.normal[aid] = n if n else 1

    def denormalize(self, aid: int) -> None:
        self.normal[aid] = 1

    def sorted(self, aid: int, options, reverse_override: bool | None = None) -> list:
        func, params = self.funcs[aid]
        items = list(self.data.get(aid, {}).items())
        pos = options["aggsortkeypos"]

        def keyorder(k):
            ko = _key_order(k)
            if ko:
                p = pos if 0 <= pos < len(ko) else 0
                ko = ko[p:] + ko[:p]
            return (len(k), ko)

        if options["aggsortkey"]:
            items.sort(key=lambda kv: (keyorder(kv[0]), sort_value(func, params, kv[1])))
        else:
            items.sort(key=lambda kv: (sort_value(func, params, kv[1]), keyorder(kv[0])))
        rev = options["aggsortrev"]
        if reverse_override is not None:
            rev = reverse_override
        if rev:
            items.reverse()
        return items
