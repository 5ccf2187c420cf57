"""The kernel clock: cyclics (periodic) and timeouts (one-shot), and time passing.

illumos fires periodic work through the cyclic subsystem (the clock, the
profile provider's probes) and delayed work through ``timeout()``.  Here both
are entries in one queue ordered by due time; :func:`advance` moves the
kernel's clock (``k.hrtime``) forward to a given time, firing everything due
on the way, in order.  The same queue serves a live host (the daemon
advances it in real time) and tests (which advance it as they please), so a
run is deterministic for a given sequence of advances.

A handler is called as ``handler(k, cpu)``: a cyclic bound to several CPUs
(an omnipresent cyclic, as profile-N uses) fires once per CPU, CPU order,
at the same instant.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

__all__ = ["cyclic_add", "cyclic_remove", "timeout", "untimeout", "advance", "next_due", "CY_ALL"]

CY_ALL = "all"   # ``cpus`` value meaning every CPU (an omnipresent cyclic)


class _Entry:
    __slots__ = ("id", "handler", "interval", "cpus", "cancelled")

    def __init__(self, id: int, handler: Callable, interval: int | None, cpus):
        self.id = id
        self.handler = handler
        self.interval = interval
        self.cpus = cpus
        self.cancelled = False


def _add(k, handler: Callable, when: int, interval: int | None, cpus) -> int:
    k.cyclic_seq += 1
    entry = _Entry(k.cyclic_seq, handler, interval, cpus)
    heapq.heappush(k.cyclics, (when, entry.id, entry))
    k.cyclic_ids[entry.id] = entry
    return entry.id


def cyclic_add(k, handler: Callable, interval: int, cpus: list[int] | None = None,
               first: int | None = None) -> int:
    """Call ``handler(k, cpu)`` every ``interval`` ns on ``cpus`` (default: CPU 0; CY_ALL: all).

    The first firing is at ``first`` (absolute hrtime) or one interval from
    now.  Returns an id for :func:`cyclic_remove`.
    """
    if interval <= 0:
        raise ValueError("cyclic interval must be positive")
    when = k.hrtime + interval if first is None else first
    return _add(k, handler, when, interval, [0] if cpus is None else cpus)


def cyclic_remove(k, cid: int) -> None:
    """Stop cyclic (or timeout) ``cid``; removing twice is harmless."""
    entry = k.cyclic_ids.pop(cid, None)
    if entry is not None:
        entry.cancelled = True


def timeout(k, handler: Callable, delay: int, cpu: int = 0) -> int:
    """Call ``handler(k, cpu)`` once, ``delay`` ns from now."""
    return _add(k, handler, k.hrtime + max(0, delay), None, [cpu])


untimeout = cyclic_remove


def next_due(k) -> int | None:
    """The hrtime at which the next live entry fires, or None."""
    while k.cyclics and k.cyclics[0][2].cancelled:
        heapq.heappop(k.cyclics)
    return k.cyclics[0][0] if k.cyclics else None


def advance(k, until: int) -> int:
    """Move the clock to ``until`` (ns since boot), firing what falls due; returns firings."""
    fired = 0
    q = k.cyclics
    while q and q[0][0] <= until:
        when, _, entry = heapq.heappop(q)
        if entry.cancelled:
            continue
        k.hrtime = max(k.hrtime, when)
        cpus = range(k.ncpus) if entry.cpus == CY_ALL else entry.cpus
        if entry.interval is not None:
            heapq.heappush(q, (when + entry.interval, entry.id, entry))
        else:
            k.cyclic_ids.pop(entry.id, None)
        for cpu in cpus:
            entry.handler(k, cpu)
            fired += 1
    k.hrtime = max(k.hrtime, until)
    return fired
