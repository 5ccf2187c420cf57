"""Running kdebug as a user does: a separate process, its output and exit status."""

import os
import subprocess
import sys


def kdebug(*args, input=None, env=None, home=None, timeout=60):
    """Run ``kdebug ARGS...``; returns the CompletedProcess (text mode)."""
    e = dict(os.environ)
    if home is not None:
        e["KDEBUG_HOME"] = str(home)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kdebug", *args], input=input, capture_output=True,
                          text=True, env=e, timeout=timeout)
