"""``dtrace -C``: scripts go through the C preprocessor, as dt_pcb/dt_cc's cpp(1) step does.

The machine's ``cpp`` runs with no standard include directories and no
predefined macros of its own (``-undef -nostdinc``), but with the ones an
illumos amd64 dtrace defines, plus ``-D``/``-U``/``-I`` from the command
line in order.  Its line markers are turned back into the script's own
line numbers, so a compile error names the line the user wrote.

Without a ``cpp`` on the machine, only ``#define NAME value`` (and ``-D``,
``-U``) are honoured; every other directive is dropped.
"""

from __future__ import annotations

import re
import shutil
import subprocess

__all__ = ["preprocess", "CppError", "PREDEFINED"]

PREDEFINED = ["__sun", "__unix", "__SVR4", "__SunOS_5_11", "__amd64", "__x86_64", "_LP64", "__LP64",
              "__SUNW_D=1", "__SUNW_D_64", "__SUNW_D_VERSION=0x0100000d"]

_MARKER = re.compile(r'#\s*(?:line\s+)?(\d+)\s+"((?:[^"\\]|\\.)*)"')


class CppError(Exception):
    """The preprocessor failed; its own messages are in ``stderr``."""

    def __init__(self, stderr: str):
        self.stderr = stderr
        super().__init__("Preprocessor failed to process input program")


def preprocess(text: str, options: list[tuple[str, str]]) -> str:
    """``text`` after cpp; ``options`` are ("D", "X=1"), ("U", "X"), ("I", "dir") in command-line order."""
    if text.startswith("#!"):       # dt_preproc: the interpreter line is not for cpp
        text = "\n" + text.partition("\n")[2]
    cpp = shutil.which("cpp")
    if cpp is None:
        return _defines_only(text, options)
    argv = [cpp, "-E", "-undef", "-nostdinc", "-w"] + [f"-D{d}" for d in PREDEFINED]
    argv += [f"-{c}{v}" for c, v in options if c in "DUI"] + ["-"]
    try:
        r = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise CppError(str(e)) from None
    if r.returncode != 0:
        raise CppError(r.stderr)
    return _renumber(r.stdout)


def _renumber(output: str) -> str:
    """cpp's output with line markers removed and the input's lines back at their numbers."""
    lines: list[str] = []
    main = True
    want = 1
    for line in output.split("\n"):
        m = _MARKER.match(line)
        if m:
            main = m.group(2) == "<stdin>"
            want = int(m.group(1))
            continue
        if main:
            lines.extend([""] * (want - 1 - len(lines)))
            want += 1
        lines.append(line)
    return "\n".join(lines)


def _defines_only(text: str, options: list[tuple[str, str]]) -> str:
    defines: dict[str, str] = {}
    for c, v in options:
        if c == "D":
            name, _, val = v.partition("=")
            defines[name] = val or "1"
        elif c == "U":
            defines.pop(v, None)
    out = []
    for line in text.split("\n"):
        m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)\s*(.*)$", line)
        if m:
            defines.setdefault(m.group(1), m.group(2))
            out.append("")
            continue
        if re.match(r"\s*#\s*(include|undef|if|ifdef|ifndef|elif|endif|else)\b", line):
            out.append("")
            continue
        for name, val in defines.items():
            line = re.sub(rf"\b{re.escape(name)}\b", val, line)
        out.append(line)
    return "\n".join(out)
