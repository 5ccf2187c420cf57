"""D's actions and subroutines (reference section 9): one table entry each.

``kind`` says what the call is: ``rec`` records data (a probe line appears),
``agg`` is an aggregating function (only as ``@a[...] = f(...)``), ``lib``
an aggregation library action (clear, trunc...), ``spec`` a speculation
action, ``subr`` a subroutine returning a value.  ``destructive`` ones need
``-w``.  ``args`` are the prototype's argument classes:

- ``any``     any value                      - ``int``    an integer
- ``scalar``  integer or pointer             - ``str``    string, char array or char *
- ``agg``     an aggregation                 - ``fmt``    a string constant (printf-style)

``ret`` is the C spelling of a subroutine's result type.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Func", "FUNCS"]


@dataclass(frozen=True)
class Func:
    kind: str
    args: tuple[str, ...] = ()
    optional: int = 0              # how many of the last ``args`` may be left out
    varargs: bool = False          # more arguments of the last class allowed
    ret: str | None = None
    destructive: bool = False
    proto: str = ""                # prototype text for messages


def _f(kind, args="", optional=0, varargs=False, ret=None, destructive=False):
    return Func(kind, tuple(args.split()), optional, varargs, ret, destructive)


FUNCS: dict[str, Func] = {
    # data-recording actions
    "trace": _f("rec", "any"),
    "tracemem": _f("rec", "scalar int int", optional=1),
    "printf": _f("rec", "fmt any", optional=1, varargs=True),
    "printa": _f("rec", "any agg", optional=1, varargs=True),
    "stack": _f("rec", "int", optional=1),
    "ustack": _f("rec", "int int", optional=2),
    "jstack": _f("rec", "int int", optional=2),
    "exit": _f("rec", "int"),
    "setopt": _f("rec", "str str", optional=1),
    "func": _f("rec", "scalar"),
    "sym": _f("rec", "scalar"),
    "mod": _f("rec", "scalar"),
    "ufunc": _f("rec", "scalar"),
    "usym": _f("rec", "scalar"),
    "umod": _f("rec", "scalar"),
    "uaddr": _f("rec", "scalar"),
    # aggregating functions
    "count": _f("agg", ""),
    "sum": _f("agg", "scalar"),
    "avg": _f("agg", "scalar"),
    "min": _f("agg", "scalar"),
    "max": _f("agg", "scalar"),
    "stddev": _f("agg", "scalar"),
    "quantize": _f("agg", "scalar scalar", optional=1),
    "lquantize": _f("agg", "scalar int int int scalar", optional=2),
    "llquantize": _f("agg", "scalar int int int int scalar", optional=1),
    # aggregation library actions
    "clear": _f("lib", "agg"),
    "denormalize": _f("lib", "agg"),
    "normalize": _f("lib", "agg scalar"),
    "trunc": _f("lib", "agg int", optional=1),
    # speculation
    "speculate": _f("spec", "int"),
    "commit": _f("spec", "int"),
    "discard": _f("spec", "int"),
    # destructive actions
    "stop": _f("rec", "", destructive=True),
    "raise": _f("rec", "int", destructive=True),
    "system": _f("rec", "fmt any", optional=1, varargs=True, destructive=True),
    "breakpoint": _f("rec", "", destructive=True),
    "panic": _f("rec", "", destructive=True),
    "chill": _f("rec", "int", destructive=True),
    "copyout": _f("rec", "scalar scalar int", destructive=True),
    "copyoutstr": _f("rec", "str scalar int", destructive=True),
    # subroutines
    "speculation": _f("subr", "", ret="int"),
    "strlen": _f("subr", "str", ret="size_t"),
    "strjoin": _f("subr", "str str", ret="string"),
    "substr": _f("subr", "str int int", optional=1, ret="string"),
    "index": _f("subr", "str str int", optional=1, ret="int"),
    "rindex": _f("subr", "str str int", optional=1, ret="int"),
    "strstr": _f("subr", "str str", ret="string"),
    "strchr": _f("subr", "str int", ret="string"),
    "strrchr": _f("subr", "str int", ret="string"),
    "strtok": _f("subr", "str str", ret="string"),
    "lltostr": _f("subr", "int int", optional=1, ret="string"),
    "strtoll": _f("subr", "str int", optional=1, ret="int64_t"),
    "toupper": _f("subr", "str", ret="string"),
    "tolower": _f("subr", "str", ret="string"),
    "basename": _f("subr", "str", ret="string"),
    "dirname": _f("subr", "str", ret="string"),
    "cleanpath": _f("subr", "str", ret="string"),
    "copyin": _f("subr", "scalar int", ret="void *"),
    "copyinstr": _f("subr", "scalar int", optional=1, ret="string"),
    "rand": _f("subr", "", ret="int"),
    "progenyof": _f("subr", "int", ret="int"),
    "getmajor": _f("subr", "int", ret="major_t"),
    "getminor": _f("subr", "int", ret="minor_t"),
    "htons": _f("subr", "int", ret="uint16_t"),
    "ntohs": _f("subr", "int", ret="uint16_t"),
    "htonl": _f("subr", "int", ret="uint32_t"),
    "ntohl": _f("subr", "int", ret="uint32_t"),
    "htonll": _f("subr", "int", ret="uint64_t"),
    "ntohll": _f("subr", "int", ret="uint64_t"),
    "mutex_owned": _f("subr", "scalar", ret="int"),
    "mutex_owner": _f("subr", "scalar", ret="kthread_t *"),
}

DATA_RECORDING = {n for n, f in FUNCS.items() if f.kind == "rec" or f.kind == "lib"}

# Actions that may also be aggregation keys (their value is a stack or a symbol address).
KEY_ACTIONS = {"stack", "ustack", "jstack", "func", "sym", "mod", "ufunc", "usym", "umod", "uaddr"}
