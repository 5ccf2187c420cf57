"""Loading the project's Lark grammars once, with their LALR tables cached.

Building an LALR parser from a grammar costs tens of milliseconds; Lark can
save the analysed tables to a file and load them next time.  Every parser in
kdebug comes from :func:`lark_parser`, which keeps one instance per process
and caches the tables under ``$XDG_CACHE_HOME/kdebug`` (or the temporary
directory when that cannot be written).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from .resources import grammar_path

__all__ = ["lark_parser"]


def _cache_dir() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    for d in (Path(base) / "kdebug", Path(tempfile.gettempdir()) / f"kdebug-{os.getuid()}"):
        try:
            d.mkdir(parents=True, exist_ok=True, mode=0o700)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            continue
    return None


@lru_cache(maxsize=None)
def lark_parser(name: str, start: tuple[str, ...], **options):
    """The LALR parser of ``grammar/<name>`` for the ``start`` rules (cached)."""
    import lark

    text = grammar_path(name).read_text()
    opts = dict(parser="lalr", lexer="contextual", start=list(start), propagate_positions=True,
                maybe_placeholders=False)
    opts.update(options)
    key = hashlib.sha256((lark.__version__ + repr(sorted(opts.items())) + text).encode()).hexdigest()[:16]
    cache = _cache_dir()
    if cache is not None:
        try:
            return lark.Lark(text, cache=str(cache / f"{Path(name).stem}-{key}.lark-cache"), **opts)
        except OSError:
            pass
    return lark.Lark(text, **opts)
