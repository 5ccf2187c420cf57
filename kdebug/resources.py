"""Finding the files shipped beside the code: grammars and fixtures.

In a wheel they sit inside the package (``kdebug/grammar``,
``kdebug/fixtures``); in a source checkout or an editable install they sit at
the top of the repository.  Everything that opens one goes through here.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["resource_dir", "grammar_path", "fixture_path", "fixture_names"]

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(kind: str) -> Path:
    """The directory holding resources of ``kind`` ("grammar" or "fixtures")."""
    inside = _PACKAGE / kind
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / kind


def grammar_path(name: str) -> Path:
    """Path of the Lark grammar ``name`` (for example ``"mdb.lark"``)."""
    return resource_dir("grammar") / name


def fixture_path(name: str) -> Path:
    """Path of the shipped fixture ``name`` (for example ``"emy-17.kdump"``)."""
    return resource_dir("fixtures") / name


def fixture_names(suffix: str = ".kdump") -> list[str]:
    """Names (without suffix) of the shipped fixtures ending in ``suffix``."""
    d = resource_dir("fixtures")
    if not d.is_dir():
        return []
    return sorted(p.name[: -len(suffix)] for p in d.iterdir() if p.name.endswith(suffix))
