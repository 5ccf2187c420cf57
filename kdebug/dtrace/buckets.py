"""Histogram buckets of quantize, lquantize and llquantize: shared arithmetic.

The kernel side counts values into bucket indices; the consumer prints each
index with its label.  Both use these functions, so they always agree.
"""

from __future__ import annotations

import bisect

__all__ = ["QUANTIZE_ZERO", "quantize_index", "quantize_value", "lquantize_index", "llquantize_bounds",
           "llquantize_index"]

QUANTIZE_ZERO = 63           # index of the zero bucket; 127 buckets in all
QUANTIZE_BUCKETS = 127


def quantize_index(x: int) -> int:
    if x == 0:
        return QUANTIZE_ZERO
    if x > 0:
        return QUANTIZE_ZERO + min(x.bit_length(), 63)
    return QUANTIZE_ZERO - min((-x).bit_length(), 63)


def quantize_value(i: int) -> int:
    if i == QUANTIZE_ZERO:
        return 0
    if i > QUANTIZE_ZERO:
        return 1 << (i - QUANTIZE_ZERO - 1)
    return -(1 << (QUANTIZE_ZERO - i - 1))


def lquantize_index(x: int, base: int, limit: int, step: int) -> int:
    levels = (limit - base) // step
    if x < base:
        return 0
    if x >= base + levels * step:
        return levels + 1
    return 1 + (x - base) // step


def llquantize_bounds(factor: int, low: int, high: int, nsteps: int) -> list[int]:
    """Lower bounds of the buckets between factor^low and factor^(high+1), and that last bound."""
    bounds = []
    for m in range(low, high + 1):
        start, end = factor ** m, factor ** (m + 1)
        step = max(end // nsteps, 1)
        v = start
        while v < end:
            bounds.append(v)
            v += step
    bounds.append(factor ** (high + 1))
    return bounds


def llquantize_index(x: int, bounds: list[int]) -> int:
    """0 for ``< bounds[0]``, i for bucket bounds[i-1], len(bounds) for ``>= bounds[-1]``."""
    return bisect.bisect_right(bounds, x)
