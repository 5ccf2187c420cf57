"""Where kdebug keeps its state: ``$KDEBUG_HOME``, else ``$XDG_STATE_HOME/kdebug``.

CONVENTIONS.md "State and files": the directory is mode 0700 and holds
``host.sock``, ``host.pid``, ``host.log``, ``vmadm.sqlite``, ``history/``
and ``labs.json``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["state_home", "state_file", "history_file"]


def state_home(create: bool = True) -> Path:
    """The state directory (created with mode 0700 unless ``create`` is False)."""
    home = os.environ.get("KDEBUG_HOME")
    if home:
        path = Path(home)
    else:
        base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
        path = Path(base) / "kdebug"
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o700)
    return path


def state_file(name: str) -> Path:
    """A file in the state directory (``host.sock``, ``vmadm.sqlite``...)."""
    return state_home() / name


def history_file(tool: str) -> Path:
    """The history file of a REPL (``mdb``, ``shell``), in ``history/``."""
    d = state_home() / "history"
    d.mkdir(exist_ok=True, mode=0o700)
    return d / tool
