"""DTrace options (dt_options.c, reference section 10): names, kinds, defaults, value syntax.

``compile`` options affect the compiler and refuse values when they are
flags; ``runtime`` ones are fixed once tracing starts; ``dynamic`` ones may
change at any time (``setopt()``).  The dtrace command's own defaults
(bufsize=4m, aggsize=4m, temporal) are applied by the command.
"""

from __future__ import annotations

__all__ = ["OPTIONS", "parse_value", "OptionError", "Options"]


class OptionError(Exception):
    pass


_SIZE, _TIME, _BOOL, _INT, _STR, _FLAG = "size", "time", "bool", "int", "str", "flag"

# name -> (class, value kind, default)
OPTIONS: dict[str, tuple[str, str, object]] = {
    # run-time
    "bufsize": ("runtime", _SIZE, 4 << 20),
    "bufpolicy": ("runtime", _STR, "switch"),
    "bufresize": ("runtime", _STR, "auto"),
    "aggsize": ("runtime", _SIZE, 4 << 20),
    "dynvarsize": ("runtime", _SIZE, 1 << 20),
    "specsize": ("runtime", _SIZE, 32 << 10),
    "nspec": ("runtime", _INT, 1),
    "strsize": ("runtime", _SIZE, 256),
    "stackframes": ("runtime", _INT, 20),
    "ustackframes": ("runtime", _INT, 20),
    "jstackframes": ("runtime", _INT, 50),
    "jstackstrsize": ("runtime", _SIZE, 512),
    "cleanrate": ("runtime", _TIME, 1_000_000_000 // 101),
    "statusrate": ("runtime", _TIME, 1_000_000_000),
    "cpu": ("runtime", _INT, -1),
    "destructive": ("runtime", _BOOL, False),
    "grabanon": ("runtime", _BOOL, False),
    "temporal": ("runtime", _BOOL, True),
    "zone": ("runtime", _STR, ""),
    # dynamic
    "quiet": ("dynamic", _BOOL, False),
    "flowindent": ("dynamic", _BOOL, False),
    "switchrate": ("dynamic", _TIME, 1_000_000_000),
    "aggrate": ("dynamic", _TIME, 1_000_000_000),
    "aggsortkey": ("dynamic", _BOOL, False),
    "aggsortkeypos": ("dynamic", _INT, 0),
    "aggsortpos": ("dynamic", _INT, 0),
    "aggsortrev": ("dynamic", _BOOL, False),
    "aggpack": ("dynamic", _BOOL, False),
    "agghist": ("dynamic", _BOOL, False),
    "aggzoom": ("dynamic", _BOOL, False),
    "rawbytes": ("dynamic", _BOOL, False),
    "stackindent": ("dynamic", _INT, 14),
    "stackfmt": ("dynamic", _STR, "text"),          # kdebug's: "folded" for flame graphs
    "json": ("runtime", _BOOL, False),               # kdebug's: NDJSON output (libdtrace/jsonout.py)
    # compile-time
    "defaultargs": ("compile", _FLAG, False),
    "zdefs": ("compile", _FLAG, False),
    "errtags": ("compile", _FLAG, False),
    "droptags": ("compile", _FLAG, False),
    "cpp": ("compile", _FLAG, False),
    "cpppath": ("compile", _STR, "/usr/lib/cpp"),
    "cpphdrs": ("compile", _FLAG, False),
    "define": ("compile", _STR, ""),
    "undef": ("compile", _STR, ""),
    "incdir": ("compile", _STR, ""),
    "libdir": ("compile", _STR, ""),
    "stdc": ("compile", _STR, "a"),
    "verbose": ("compile", _FLAG, False),
    "version": ("compile", _STR, ""),
    "amin": ("compile", _STR, ""),
    "empty": ("compile", _FLAG, False),
    "encoding": ("compile", _STR, "ascii"),
    "knodefs": ("compile", _FLAG, False),
    "kdefs": ("compile", _FLAG, False),
    "unodefs": ("compile", _FLAG, False),
    "udefs": ("compile", _FLAG, False),
    "nolibs": ("compile", _FLAG, False),
    "pspec": ("compile", _FLAG, False),
    "linkmode": ("compile", _STR, "kernel"),
    "linktype": ("compile", _STR, "elf"),
    "lazyload": ("compile", _FLAG, False),
    "evaltime": ("compile", _STR, "exec"),
    "aggpercpu": ("compile", _FLAG, False),
    "debug": ("compile", _FLAG, False),
    "tree": ("compile", _INT, 0),
    "iregs": ("compile", _INT, 8),
    "tregs": ("compile", _INT, 8),
    "core": ("compile", _STR, ""),
    "setenv": ("compile", _STR, ""),
    "unsetenv": ("compile", _STR, ""),
}

_TRUE = {"", "yes", "on", "true", "enable", "enabled", "set"}
_FALSE = {"no", "off", "false", "disable", "disabled", "unset"}
_SIZES = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_TIMES = {"ns": 1, "nsec": 1, "us": 1000, "usec": 1000, "ms": 10**6, "msec": 10**6, "s": 10**9, "sec": 10**9,
          "m": 60 * 10**9, "min": 60 * 10**9, "h": 3600 * 10**9, "hour": 3600 * 10**9, "d": 86400 * 10**9,
          "day": 86400 * 10**9}


def _number(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise OptionError("Invalid value for specified option") from None


def parse_value(name: str, value: str | None):
    """The option's value from its text; raises OptionError with libdtrace's reason."""
    if name not in OPTIONS:
        raise OptionError("Invalid option name")
    _, kind, _ = OPTIONS[name]
    if kind == _FLAG:
        if value is not None:
            raise OptionError("Invalid value for specified option")
        return True
    if kind == _BOOL:
        v = (value or "").lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
        return _number(v) != 0
    if value is None or value == "":
        if kind == _STR:
            return ""
        raise OptionError("Invalid value for specified option")
    if kind == _SIZE:
        v = value.strip().lower()
        mult = _SIZES.get(v[-1:], 1)
        n = _number(v[:-1] if v[-1:] in _SIZES else v)
        if n < 0:
            raise OptionError("Invalid value for specified option")
        return n * mult
    if kind == _TIME:
        v = value.strip().lower()
        if v.endswith("hz"):
            n = _number(v[:-2])
            if n <= 0:
                raise OptionError("Invalid value for specified option")
            return 10**9 // n
        digits = len(v) - len(v.lstrip("0123456789"))
        n, unit = v[:digits], v[digits:]
        if not n or (unit and unit not in _TIMES):
            raise OptionError("Invalid value for specified option")
        return int(n) * _TIMES.get(unit, 1) if unit else int(n)
    if kind == _INT:
        return _number(value)
    if name in _CHOICES and value not in _CHOICES[name]:
        raise OptionError("Invalid value for specified option")
    return value


# String options that take one of a few words.
_CHOICES = {"stackfmt": ("text", "folded")}


class Options:
    """The option values of one consumer."""

    def __init__(self):
        self.values = {name: default for name, (_, _, default) in OPTIONS.items()}
        self.explicit: set[str] = set()

    def __getitem__(self, name):
        return self.values[name]

    def set(self, name: str, value: str | None, from_program: bool = False, active: bool = False) -> None:
        cls = OPTIONS.get(name, (None,))[0]
        if cls is None:
            raise OptionError("Invalid option name")
        if from_program and cls == "compile":
            raise OptionError("Option cannot be used from within a D program")
        if active and cls != "dynamic":
            raise OptionError("Operation illegal when tracing is active")
        self.values[name] = parse_value(name, value)
        self.explicit.add(name)

    def runtime(self) -> dict:
        """The options the kernel needs, as plain data."""
        return {n: v for n, v in self.values.items() if OPTIONS[n][0] != "compile"}
