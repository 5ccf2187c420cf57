"""The consumer's handle (libdtrace's ``dtrace_hdl_t``): compile, enable, go, consume.

Everything the consumer asks of the kernel goes through the host's DTrace
device (``host.dtrace()``), whose methods take and return plain data.  The
kernel's types and symbols (for casts, members and stack frames) come from
``host.kernel()``, fetched only when a program or a record needs them.
Symbols resolve against the modules loaded when the handle opened, so a
frame in a module loaded later prints as a bare address (the post's vmm
frames).
"""

from __future__ import annotations


import re
import shlex
from pathlib import Path

from ...host.zygote import process_ids
from .aggregate import AggTotals
from .codegen import ClauseInfo
from .dtypes import TypeEnv
from .errors import CompileError, Source
from .options import Options
from .output import AggView
from .printf import format_conv, format_values, Conv
from .program import Program, compile_program
from .symbols import Symbols

__all__ = ["Handle", "DTraceError"]

LIBDIR = Path(__file__).resolve().parent.parent / "lib"
_INLINE_NAME = re.compile(r"^\s*inline\b[^=;]*?\b([A-Za-z_]\w*)\s*=", re.M)
_TYPEDEF_NAME = re.compile(r"^(?:typedef\b[^;{]*?|\}\s*)\b([A-Za-z_]\w*)\s*;", re.M)


class DTraceError(Exception):
    """A libdtrace failure; ``str()`` is its reason (e.g. "Destructive actions not allowed")."""


class Handle:
    def __init__(self, host, macro_args: list[str] | None = None, target_pid: int | None = None,
                 replay_since: int | None = None):
        self.host = host
        self.device = host.dtrace()
        # --replay: a consumer of the host's past (its flight recorder), tracing from replay_since on.
        pid, ppid = process_ids()
        self.dev = self._call("open", replay_since, {"pid": pid, "ppid": ppid})
        conf = self._call("conf", self.dev)
        self.ncpus = conf["ncpus"]
        self.modules = frozenset(conf["modules"])
        self.options = Options()
        self.syms = Symbols()
        self.env = TypeEnv(host.kernel, self.options["strsize"])
        self.clause_count = 0
        self.macro_args = list(macro_args or ["dtrace"])
        self.macros_used: set[int] = {0}
        self.target_pid = target_pid
        self.clauses: dict[int, ClauseInfo] = {}
        self.epids: dict[int, tuple[int, int]] = {}
        self.probe_info: dict[int, dict] = {}
        self.args_cache: dict[int, list[str]] = {}
        self.aggs = AggTotals()
        self.exit_status: int | None = None
        self.done = False
        self.out = None
        self._library: dict[Path, str] | None = None      # file -> text, until compiled
        self._comms: dict[int, str] = {}                   # pid -> u_comm, for user frames

    def need_library(self, name: str) -> None:
        """Compile the D library if it defines ``name``.

        The library (``kdebug/dtrace/lib/*.d``: errno and signal numbers,
        fault codes, NULL) is every program's, as ``/usr/lib/dtrace`` is in
        libdtrace; it is compiled the first time a program names one of its
        identifiers, so that programs that do not pay nothing for it.
        """
        self._read_library()
        if self._library and name in self._library_names:
            self.load_library()

    def _read_library(self) -> None:
        if self._library is None:
            self._library = {p: p.read_text() for p in sorted(LIBDIR.glob("*.d"))}
            text = "\n".join(self._library.values())
            self._library_names = set(_INLINE_NAME.findall(text))
            names = sorted(set(_TYPEDEF_NAME.findall(text)))
            self._library_types = re.compile(r"\b(?:%s)\b" % "|".join(names)) if names else None

    def need_library_types(self, text: str) -> None:
        """Compile the D library before a program that names one of its types is parsed
        (the lexer must know them as type names)."""
        self._read_library()
        if self._library and self._library_types is not None and self._library_types.search(text):
            self.load_library()

    def load_library(self) -> None:
        """Compile the D library now, if it is not yet (a translated probe argument needs its translators)."""
        self._read_library()
        files, self._library = self._library, {}
        for path, text in files.items():
            try:
                compile_program(self, Source(text, path=str(path)), "lib")
            except CompileError as e:
                raise DTraceError(f"failed to compile D library {path}: {e.diag.message}") from None

    def _call(self, method: str, *args):
        r = getattr(self.device, method)(*args)
        if isinstance(r, dict) and "error" in r:
            raise DTraceError(r["error"])
        return r

    # -- compiling ---------------------------------------------------------------------------

    def match(self, fields, probe_id=None) -> list[dict]:
        probes = self._call("probes", self.dev, None, probe_id) if probe_id is not None else \
            self._call("probes", self.dev, list(fields))
        for p in probes:
            self.probe_info[p["id"]] = p
        return probes

    def probe_args(self, probe_id: int) -> list[str]:
        if probe_id not in self.args_cache:
            self.args_cache[probe_id] = self._call("probe_args", self.dev, probe_id)
        return self.args_cache[probe_id]

    def compile(self, source: Source, kind: str = "n") -> Program:
        return compile_program(self, source, kind)

    def unused_macro(self) -> tuple[int, str] | None:
        for i in range(1, len(self.macro_args)):
            if i not in self.macros_used:
                return i, self.macro_args[i]
        return None

    # -- running -------------------------------------------------------------------------------

    def enable(self, prog: Program) -> int:
        for info in prog.clauses:
            self.clauses[info.index] = info
        for a in sorted(self.syms.aggs.values(), key=lambda a: a.id):
            self.aggs.define(a.id, a.func, a.params)
        for epid, clause, pid in self._call("enable", self.dev, prog.ir, self.options.runtime()):
            self.epids[epid] = (clause, pid)
        return prog.matched

    def go(self) -> None:
        self._call("go", self.dev)

    def stop(self) -> None:
        self._call("stop", self.dev)

    def replay_step(self, inputs: int = 50) -> bool:
        """Play more of the past into a replay; True once all of it has been played."""
        return self._call("replay_step", self.dev, inputs)["done"]

    def close(self) -> None:
        try:
            self.device.close(self.dev)
        except Exception:   # the host may be gone already; nothing more to release here
            pass

    def snapshot(self) -> None:
        snap = self._call("snapshot_aggs", self.dev)
        self.aggs.merge(snap)
        for cpu, n in snap.get("drops", {}).items():
            self.out.drop("aggregation", int(cpu), n, f"{n} aggregation drop{'s' if n > 1 else ''} on CPU {cpu}")

    # -- consuming -------------------------------------------------------------------------------

    def consume(self, out) -> None:
        """Switch the buffers and print what they held (records, errors, drops)."""
        self.out = out
        r = self._call("consume", self.dev)
        for cpu, pid, epid, data in r["records"]:
            self.record(out, cpu, pid, epid, data)
        for e in r["errors"]:
            self.runtime_error(out, e)
        tag = self.options["droptags"]
        for cpu, n in r["drops"].items():
            out.drop("principal", int(cpu), n,
                     ("[DTRACEDROP_PRINCIPAL] " if tag else "") + f"{n} drop{'s' if n > 1 else ''} on CPU {cpu}")
        for key, kind, label, dtag in (("dyndrops", "dynamic", "dynamic variable drop", "DYNAMIC"),
                                       ("specdrops", "speculative", "speculative drop", "SPEC"),
                                       ("errdrops", "error", "error in ERROR probe enabling", "DBLERROR")):
            n = r.get(key, 0)
            if n:
                out.drop(kind, None, n, ("[DTRACEDROP_%s] " % dtag if tag else "") + f"{n} {label}{'s' if n > 1 else ''}")
        n = r.get("specunavail", 0)
        if n:
            out.drop("speculation-unavailable", None, n, ("[DTRACEDROP_SPECUNAVAIL] " if tag else "") +
                     f"{n} failed speculation{'s' if n > 1 else ''} (no speculative buffer available)")
        if r["exit"] is not None and self.exit_status is None:
            self.exit_status = r["exit"]
        if not r["active"] and r["exit"] is not None:
            self.done = True

    def probe(self, pid: int) -> dict:
        p = self.probe_info.get(pid)
        if p is None:
            found = self._call("probes", self.dev, None, pid)
            p = found[0] if found else {"id": pid, "provider": "?", "module": "?", "function": "?", "name": "?"}
            self.probe_info[pid] = p
        return p

    def runtime_error(self, out, e: dict) -> None:
        p = self.probe(e["probe"])
        where = "predicate" if e["action"] == 0 else f"action #{e['action']}"
        detail = f" (0x{e['addr']:x})" if e["fault"] in ("invalid address", "invalid alignment", "bad stack") \
            and e["addr"] is not None else ""
        probe = f"{p['provider']}:{p['module']}:{p['function']}:{p['name']}"
        out.fault({"epid": e["epid"], "probe": probe, "fault": e["fault"], "addr": e["addr"], "where": where},
                  f"error on enabled probe ID {e['epid']} (ID {p['id']}: {probe}): {e['fault']}{detail} in {where}")

    def record(self, out, cpu: int, pid: int, epid: int, data: list) -> None:
        clause_index, _ = self.epids.get(epid, (None, None))
        info = self.clauses.get(clause_index)
        if info is None:
            return
        out.begin_record(cpu, self.probe(pid))
        for actid, value in data:
            act = info.actions[actid]
            _RECORD[act.kind](self, out, act, value)
        out.end_record()

    # -- symbols -------------------------------------------------------------------------------

    def symbolize(self, pc: int, offset: bool = True, pid: int | None = None) -> str:
        """``module`func+0xoff`` from the modules known at start, else the bare address.

        With ``pid``, ``pc`` is a user address of that process, named from the program and
        libraries it runs (while it lives: a process gone leaves bare addresses, as libproc does).
        """
        pc &= (1 << 64) - 1
        if pid is not None:
            return self._usymbolize(pid, pc, offset)
        try:
            k = self.host.kernel()
            found = k.symtab.lookup_addr(pc, modules=self.modules)
        except Exception:   # no kernel to read symbols from: addresses stay numeric
            found = None
        if found is None:
            return f"0x{pc:x}"
        sym, off = found
        name = f"{sym.module.name}`{sym.name}"
        return f"{name}+0x{off:x}" if off and offset else name

    def _usymbolize(self, pid: int, pc: int, offset: bool) -> str:
        from ...userland import images
        comm = self._comms.get(pid)
        if comm is None:
            try:
                from ...kernel.proc import proc_by_pid
                k = self.host.kernel()
                p = proc_by_pid(k, pid)
                comm = k.obj(p, "proc_t").member("p_user").member("u_comm").string() if p else ""
            except Exception:   # no kernel to read: addresses stay numeric
                comm = ""
            self._comms[pid] = comm
        text = images.lookup(comm, pc) if comm else None
        if text is None:
            return f"0x{pc:x}"
        return text if offset else text.split("+")[0]

    # -- aggregations --------------------------------------------------------------------------------

    def agg_view(self, aid: int) -> AggView:
        agg = next(a for a in self.syms.aggs.values() if a.id == aid)
        from .codegen import _spec
        return AggView(agg.func, agg.params, [_key_spec(t) for t in agg.keys or []],
                       self.aggs.sorted(aid, self.options), self.aggs.normal.get(aid, 1),
                       "" if agg.name == "_" else agg.name)

    def print_all_aggs(self, out) -> None:
        for agg in sorted(self.syms.aggs.values(), key=lambda a: a.id):
            if agg.id in self.aggs.printed or not self.aggs.data.get(agg.id):
                continue
            out.aggregation(self.agg_view(agg.id))


def _key_spec(t):
    """How an aggregation key prints: as its record's spec, but an int key's record is 8 bytes, as
    the illumos suite shows (aggs/tst.signedkeys, aggs/tst.clear: int keys in 16 columns); char
    and short keys keep their 1 and 2 bytes."""
    from .codegen import _spec
    spec = _spec(t)
    return [8, spec[1]] if isinstance(spec, list) and spec[0] == 4 else spec


# -- printing each kind of record: one small function each -------------------------------------------

_RECORD = {}


def _rec(*kinds):
    def register(fn):
        for k in kinds:
            _RECORD[k] = fn
        return fn
    return register


@_rec("trace")
def _trace(h, out, act, v):
    spec = act.spec[0]
    if spec == "str":
        out.trace_str(v, h.options["strsize"])
    else:
        out.trace_int(v, spec[0], spec[1])


def _specs(act):
    return [tuple(s) if isinstance(s, list) else (8, False) for s in act.spec]


def _printf_text(h, out, act, values) -> str:
    return format_values(act.format, values, _specs(act), h.symbolize,
                         lambda v, ind, spec: out.stack_text(out.frames(spec, v), ind))


@_rec("printf")
def _printf(h, out, act, v):
    out.text(_printf_text(h, out, act, v))


@_rec("system")
def _system(h, out, act, v):
    out.flush()
    cmd = _printf_text(h, out, act, v)
    try:
        argv = shlex.split(cmd)
    except ValueError:
        argv = cmd.split()
    res = h.host.run(argv)
    out.text(res.stdout)
    if res.stderr:
        out.err.write(res.stderr)


@_rec("stack", "ustack", "jstack")
def _stack(h, out, act, v):
    out.stack(out.frames("stack" if act.kind == "stack" else "ustack", v))


@_rec("exit", "stop", "raise", "breakpoint", "panic", "chill", "copyout", "copyoutstr")
def _nothing(h, out, act, v):
    return None


@_rec("sym")
def _sym(h, out, act, v):
    out.sym(out.symbolize_how(act.how, v))


@_rec("tracemem")
def _tracemem(h, out, act, v):
    out.hexdump(bytes.fromhex(v))


@_rec("setopt")
def _setopt(h, out, act, v):
    name = act.arg[0]
    value = act.arg[1] if len(act.arg) > 1 else "1"
    try:
        h.options.set(name, value, active=True)
    except Exception as e:   # OptionError: reported as dtrace does, tracing goes on
        out.error(f'couldn\'t set option "{name}" to "{value}": {e}')


@_rec("clear", "trunc", "normalize", "denormalize")
def _aggact(h, out, act, v):
    h.snapshot()
    aid = act.aggs[0]
    if act.kind == "clear":
        h.aggs.clear(aid)
    elif act.kind == "trunc":
        h.aggs.trunc(aid, v[0] if v else None, h.options)
    elif act.kind == "normalize":
        h.aggs.normalize(aid, v[0])
    else:
        h.aggs.denormalize(aid)


@_rec("printa")
def _printa(h, out, act, v):
    h.snapshot()
    for aid in act.aggs:
        h.aggs.printed.add(aid)
    if act.format is None:
        out.text("\n")
        out.aggregation(h.agg_view(act.aggs[0]))
        return
    views = [h.agg_view(aid) for aid in act.aggs]
    first = views[0]
    order = [k for k, _ in first.entries]
    keys = list(order)
    for view in views[1:]:
        for k, _ in view.entries:
            if k not in keys:
                keys.append(k)
    values = [dict(view.entries) for view in views]
    for key in keys:
        out.text(_printa_entry(h, out, act.format, first.keyspecs, key, views, values))


def _printa_entry(h, out, fmt, keyspecs, key, views, values) -> str:
    parts = []
    ki = ai = 0
    for it in fmt:
        if isinstance(it, str):
            parts.append(it)
            continue
        if it.agg:
            view = views[min(ai, len(views) - 1)]
            v = values[min(ai, len(views) - 1)].get(key)
            ai += 1
            parts.append(_agg_value(out, it, view, v))
            continue
        if ki >= len(key):
            continue
        spec = keyspecs[ki]
        k = key[ki]
        ki += 1
        if spec in ("stack", "ustack"):
            parts.append(out.stack_text(out.frames(spec, k), int(it.width) if it.width not in (None, "*") else None))
        elif isinstance(spec, str) and spec.startswith("sym:"):
            parts.append(format_conv(Conv(it.text, it.flags, it.width, it.prec, it.size, "s", it.index),
                                     out.symbolize_how(spec[4:], k), (8, False)))
        else:
            parts.append(format_conv(it, k, (8, True) if spec == "str" else tuple(spec), symbolize=h.symbolize))
    return "".join(parts)


def _agg_value(out, it, view, v) -> str:
    from .aggregate import scalar_value
    if view.func in ("quantize", "lquantize", "llquantize"):
        return out.histogram(view, v or {})
    n = 0 if v is None else scalar_value(view.func, v)
    if view.normal != 1:
        n = int(n / view.normal)
    signed = view.func not in ("count",)
    return format_conv(it, n, (8, signed))
