"""Suggestions for misspelt names: "did you mean ...?".

CONVENTIONS.md: the real tools' messages stay as they are; a suggestion is
an extra for a person, added only when stderr is a terminal (callers decide
with :func:`for_person`).  kdebug's own commands (``lab``) always suggest.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean", "for_person"]


def closest(name: str, candidates: Iterable[str], n: int = 1) -> list[str]:
    """Up to ``n`` candidates that look like ``name`` (best first)."""
    return difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.6)


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'X'?)`` or an empty string."""
    best = closest(name, candidates)
    return f" (did you mean '{best[0]}'?)" if best else ""


def for_person(stream=None) -> bool:
    """True when ``stream`` (default stderr) is a terminal, so extras may be added."""
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
