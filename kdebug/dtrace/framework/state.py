"""One consumer's tracing state in the kernel (illumos ``dtrace_state_t``).

It owns the consumer's enabled control blocks (ECBs: a clause on a probe),
its per-CPU principal buffers (``bufsize``, drops when full, switched out by
``consume``), per-CPU aggregation buffers (``aggsize``, snapshotted and
emptied at ``aggrate``: the consumer keeps the totals), dynamic variable
space (``dynvarsize``), speculation buffers (``nspec``, ``specsize``), and
the errors and drops to report.  A D program never writes kernel memory.
"""

from __future__ import annotations

import functools

from ...kernel import MemoryFault
from .. import buckets
from . import dif
from ...kernel.proc import in_user_memory
from .runtime import BUILTINS, SUBRS, Fault, _pid_of, _proc, int64

__all__ = ["State", "ECB", "StateError"]

M64 = (1 << 64) - 1
# Scratch memory (copyin()'s copies): addresses in DTrace's own range, which the kernel never
# maps, served from the state.  A ring: a copy is good for the clause that made it.  Loads try
# the kernel's memory first, so a clause that never copies in pays nothing for it.
SCRATCH_BASE = 0xfffffffff6000000
SCRATCH_SIZE = 64 << 10


def _in_scratch(addr: int) -> bool:
    return SCRATCH_BASE <= addr < SCRATCH_BASE + SCRATCH_SIZE


class StateError(Exception):
    """A request the state refuses; ``str()`` is libdtrace's reason."""


class ECB:
    __slots__ = ("epid", "state", "probe", "clause", "fn", "lines")

    def __init__(self, epid, state, probe, clause, fn, lines):
        self.epid, self.state, self.probe, self.clause, self.fn, self.lines = epid, state, probe, clause, fn, lines


def _record_size(data, strsize: int) -> int:
    n = 16
    for _, v in data:
        if isinstance(v, str):
            n += strsize
        elif isinstance(v, list):
            n += 8 * max(len(v), 1)
        else:
            n += 8
    return n


class State:
    def __init__(self, fw, pid: int = 0, ppid: int = 0):
        self.fw = fw
        self.consumer_pid = pid        # the consumer's process: BEGIN and END fire in its context
        self.consumer_ppid = ppid
        self.k = fw.k
        self.ncpus = fw.k.ncpus
        self.options: dict = {}
        self.live = False              # probes fire (ACTIVE)
        self.started = False
        self.stopped = False
        self.ecbs: list[ECB] = []
        self.destructive = False
        # variables
        self.G: list = []
        self.GA: list[dict] = []
        self.DG: list = []
        self.DT: list = []
        self.DC: list = []
        self.TLS: dict = {}
        self.TA: dict = {}
        self.dynused = 0
        # aggregations
        self.aggdefs: list[dict] = []
        self.AGG: list = []
        self.aggcpu: list[dict] = [{} for _ in range(self.ncpus)]   # per CPU: aggregation id -> {key: value}
        self.aggcount = [0] * self.ncpus
        # buffers
        self.buffers: dict[int, list] = {}
        self.bufused: dict[int, int] = {}
        self.drops: dict[int, int] = {}
        self.aggdrops: dict[int, int] = {}
        self.dyndrops = 0
        self.specdrops = 0
        self.specbusy = 0
        self.specunavail = 0
        self.errors: list[dict] = []
        self.error_drops = 0
        self.specs: list[dict] = []
        self.exit_status: int | None = None
        self.seq = 0
        self.seed = 1
        self.scratch = bytearray(SCRATCH_SIZE)
        self.scratch_off = 0
        self.strtok = ("", 0)
        self.in_error = False

    # -- options ---------------------------------------------------------------------

    def opt(self, name: str, default):
        v = self.options.get(name, default)
        return v if type(v) is int else default

    @property
    def strsize(self) -> int:
        return self.opt("strsize", 256)

    # -- enabling ---------------------------------------------------------------------

    def enable(self, ir: dict, options: dict) -> list:
        if not isinstance(ir, dict) or ir.get("version") != 1:
            raise StateError("Invalid DIF program")
        if not self.started and isinstance(options, dict):
            self.options = {k: v for k, v in options.items() if isinstance(k, str) and type(v) in (int, bool, str)}
        self._grow_vars(ir.get("vars") or {})
        self._grow_aggs(ir.get("aggs") or [])
        if ir.get("destructive"):
            self.destructive = True
        nvars = {"global": len(self.G), "self": len(self.DT), "this": len(self.DC)}
        out = []
        clauses = ir.get("clauses")
        if not isinstance(clauses, list):
            raise StateError("Invalid DIF program")
        compiled = []
        for ci, clause in enumerate(clauses):
            try:
                code, consts, lines, _src = dif.compile_clause(clause, nvars, len(self.aggdefs), self.aggdefs,
                                                               f"<dtrace clause {ci}>")
            except (dif.IRError, RecursionError, SyntaxError, TypeError, KeyError, IndexError) as e:
                raise StateError(f"Invalid DIF program ({e})") from None
            ns = self._namespace(consts)
            exec(code, ns)
            compiled.append((clause, ns["clause"], lines))
        for clause, fn, lines in compiled:
            for ids in clause.get("ids") or []:
                for pid in ids:
                    probe = self.fw.probes.lookup(pid) if type(pid) is int else None
                    if probe is None:
                        raise StateError("Unknown probe identifier")
                    ecb = ECB(len(self.ecbs) + 1, self, probe, clause.get("index"), fn, lines)
                    self.ecbs.append(ecb)
                    self.fw.add_ecb(probe, ecb)
                    out.append([ecb.epid, clause.get("index"), probe.id])
        return out

    def _grow_vars(self, tables: dict) -> None:
        def defaults(name):
            vals = tables.get(name) or []
            return [v if (type(v) is int or isinstance(v, str)) else 0 for v in vals]
        g = defaults("global")
        for i in range(len(self.G), len(g)):
            self.G.append(g[i])
            self.GA.append({})
            self.DG.append(g[i])
        t = defaults("self")
        self.DT.extend(t[len(self.DT):])
        c = defaults("this")
        self.DC.extend(c[len(self.DC):])

    def _grow_aggs(self, aggs: list) -> None:
        for i in range(len(self.aggdefs), len(aggs)):
            a = aggs[i]
            func = a.get("func") if isinstance(a, dict) else None
            params = a.get("params") if isinstance(a, dict) else []
            if func not in _AGGFUNCS or not isinstance(params, list) or any(type(p) is not int for p in params):
                raise StateError("Invalid aggregation")
            self.aggdefs.append({"func": func, "params": params})
            self.AGG.append(_AGGFUNCS[func](self, i, params))

    def _namespace(self, consts) -> dict:
        rt = self
        return {
            "__builtins__": {"int": int, "bool": bool},
            "R": rt, "K": consts, "G": self.G, "GA": self.GA, "DG": self.DG, "DT": self.DT, "DC": self.DC,
            "TLS": self.TLS, "TA": self.TA, "AGG": self.AGG,
            "BV": tuple(functools.partial(f, rt) for f in BUILTINS.values()),
            "SUBR": tuple(SUBRS.values()),
            "ARG": _arg, "LD": self.load, "LDB": self.load_bits, "LDS": self.load_str, "DIV": _div, "MOD": _mod,
            "SET": self.set_var, "POST": self.post_var, "THR": self._thread, "EMIT": self.emit, "EXIT": self.exit,
            "STACK": self.stack, "USTACK": self.ustack, "UADDR": self.uaddr, "MEM": self.memory,
            "SPECULATE": self.speculate,
            "COMMIT": self.commit, "DISCARD": self.discard, "DESTRUCTIVE": self.destructive_action,
        }

    # -- run-time helpers (called from clause code) ---------------------------------------------

    def _thread(self):
        return self.k.curthread

    def load(self, addr, size, signed):
        # An address is 64 bits whatever the sign of the value (arg0 is int64_t).
        if type(addr) is not int:
            raise Fault("invalid address", 0)
        addr &= M64
        try:
            return self.k.mem.read_int(addr, size) if signed else self.k.mem.read_uint(addr, size)
        except MemoryFault as e:
            if _in_scratch(addr):
                return int.from_bytes(self.read_scratch(addr, size), "little", signed=signed)
            raise Fault("invalid address", e.addr) from None

    def load_bits(self, addr, bitoff, nbits):
        word = self.load(addr + bitoff // 8, 8, False)
        return (word >> (bitoff % 8)) & ((1 << nbits) - 1)

    def load_str(self, addr, maxlen):
        if type(addr) is not int:
            raise Fault("invalid address", 0)
        addr &= M64
        try:
            raw = self.k.mem.read_cstr(addr, min(maxlen, self.strsize))
        except MemoryFault as e:
            if not _in_scratch(addr):
                raise Fault("invalid address", e.addr) from None
            raw = self.read_scratch(addr, min(maxlen, self.strsize, SCRATCH_BASE + SCRATCH_SIZE - addr))
            raw = raw.split(b"\0", 1)[0]
        return raw.decode("latin-1")[:self.strsize - 1]

    def memory(self, addr, n):
        return self.read(addr, n).hex()

    def read(self, addr, n) -> bytes:
        """``n`` bytes at ``addr``: kernel memory or scratch."""
        addr &= M64
        try:
            return self.k.mem.read(addr, n)
        except MemoryFault as e:
            if _in_scratch(addr):
                return self.read_scratch(addr, n)
            raise Fault("invalid address", e.addr) from None

    def read_scratch(self, addr, n) -> bytes:
        off = addr - SCRATCH_BASE
        if off + n > SCRATCH_SIZE:
            raise Fault("invalid address", addr)
        return bytes(self.scratch[off:off + n])

    def scratch_copy(self, data: bytes) -> int:
        """``data`` into scratch memory (8-byte aligned); its address."""
        n = len(data)
        if n > SCRATCH_SIZE:
            raise Fault("out of scratch space", 0)
        if self.scratch_off + n > SCRATCH_SIZE:
            self.scratch_off = 0
        off = self.scratch_off
        self.scratch[off:off + n] = data
        self.scratch_off = (off + n + 7) & ~7
        return SCRATCH_BASE + off

    def _dyn_cost(self, keys, value) -> int:
        n = 16
        for x in keys:
            n += self.strsize if isinstance(x, str) else 8 * (len(x) if isinstance(x, tuple) else 1)
        return n + (self.strsize if isinstance(value, str) else 8)

    def set_var(self, lv, value):
        kind, vid, keys, L = lv
        if kind == 0:
            self.G[vid] = value
            return value
        if kind == 4:
            L[vid] = value
            return value
        if kind == 1:
            table, key = self.GA[vid], keys
        elif kind == 2:
            table, key = self.TLS, (self.k.curthread, vid)
        else:
            table, key = self.TA, (self.k.curthread, vid) + keys
        if value == 0 or value == "":
            if key in table:
                del table[key]
                self.dynused -= self._dyn_cost(key, value)
            return value
        if key not in table:
            cost = self._dyn_cost(key, value)
            if self.dynused + cost > self.opt("dynvarsize", 1 << 20):
                self.dyndrops += 1
                return value
            self.dynused += cost
        table[key] = value
        return value

    def post_var(self, lv, value):
        kind, vid, keys, L = lv
        if kind == 0:
            old = self.G[vid]
        elif kind == 4:
            old = L.get(vid, self.DC[vid])
        elif kind == 1:
            old = self.GA[vid].get(keys, self.DG[vid])
        elif kind == 2:
            old = self.TLS.get((self.k.curthread, vid), self.DT[vid])
        else:
            old = self.TA.get((self.k.curthread, vid) + keys, self.DT[vid])
        self.set_var(lv, value)
        return old

    def stack(self, n):
        ctx = self.k.ctx
        if ctx is None:
            return ()
        return tuple(ctx.stack(n if n is not None else self.opt("stackframes", 20)))

    def ustack(self, n):
        """(pid, user pcs...): the current thread's user stack where it left user code, innermost
        first; the consumer names the frames from the process (ustack() prints a pid's frames)."""
        pcs = self.k.user_stacks.get(self.k.curthread, ())
        return (_pid_of(self, _proc(self)), *pcs[:n if n is not None else self.opt("ustackframes", 20)])

    def uaddr(self, addr):
        """(pid, addr): a user address recorded with the process it belongs to (ufunc() ...)."""
        return (_pid_of(self, _proc(self)), addr)

    def emit(self, C, P, E, D, S):
        self.seq += 1
        rec = [self.k.hrtime, self.seq, C, P.id, E, [[a, v] for a, v in D]]
        size = _record_size(D, self.strsize)
        if S:
            spec = self.specs[S - 1] if 0 < S <= len(self.specs) else None
            if spec is None or spec["state"] != "active":
                return
            if spec["used"] + size > self.opt("specsize", 32 << 10):
                self.specdrops += 1
                return
            spec["used"] += size
            spec["records"].append(rec)
            return
        self._put(C, rec, size)

    def _put(self, C, rec, size) -> None:
        used = self.bufused.get(C, 0)
        if used + size > self.opt("bufsize", 4 << 20):
            self.drops[C] = self.drops.get(C, 0) + 1
            return
        self.bufused[C] = used + size
        self.buffers.setdefault(C, []).append(rec)

    def exit(self, status):
        if self.exit_status is None:
            self.exit_status = status
        self.live = False

    # -- speculations --------------------------------------------------------------------

    def speculation(self) -> int:
        nspec = self.opt("nspec", 1)
        while len(self.specs) < nspec:
            self.specs.append({"state": "free", "records": [], "used": 0})
        for i, s in enumerate(self.specs):
            if s["state"] == "free":
                s["state"] = "active"
                return i + 1
        self.specunavail += 1
        return 0

    def speculate(self, sid):
        if not 0 < sid <= len(self.specs) or self.specs[sid - 1]["state"] != "active":
            return 0
        return sid

    def commit(self, sid):
        if 0 < sid <= len(self.specs) and self.specs[sid - 1]["state"] == "active":
            s = self.specs[sid - 1]
            for rec in s["records"]:
                self._put(rec[2], rec, 16)
            self.specs[sid - 1] = {"state": "free", "records": [], "used": 0}

    def discard(self, sid):
        if 0 < sid <= len(self.specs):
            self.specs[sid - 1] = {"state": "free", "records": [], "used": 0}

    def destructive_action(self, kind, args):
        """stop, raise, breakpoint, panic, chill: the simulation has no debugger to enter and stops
        no process; they are recorded (and so printed) but change nothing.  copyout and copyoutstr
        write the current process's user memory (-w)."""
        if kind == "copyout":
            self.copyout(self.read(args[0], max(0, args[2])), args[1])
        elif kind == "copyoutstr":
            raw = args[0].encode("latin-1", "replace")[:max(0, args[2] - 1)] + b"\0"
            self.copyout(raw, args[1])

    def copyout(self, data: bytes, uaddr) -> None:
        uaddr &= M64
        if not in_user_memory(self.k, _proc(self), uaddr, max(1, len(data))):
            raise Fault("invalid address", uaddr)
        self.k.mem.write(uaddr, data)

    # -- faults -------------------------------------------------------------------------------

    def fault(self, ecb: ECB, f: Fault, tb) -> None:
        while tb.tb_next is not None:
            if tb.tb_frame.f_code.co_name == "clause":
                break
            tb = tb.tb_next
        line = tb.tb_lineno if tb.tb_frame.f_code.co_name == "clause" else 0
        action = ecb.lines[line] if 0 <= line < len(ecb.lines) else 0
        if self.in_error:
            self.error_drops += 1
            return
        self.errors.append({"epid": ecb.epid, "probe": ecb.probe.id, "fault": f.kind, "addr": f.addr,
                            "action": action})
        self.in_error = True
        try:
            self.fw.fire_error(self, ecb.epid, action, Fault.CODES.get(f.kind, 0), f.addr or 0)
        finally:
            self.in_error = False

    # -- the consumer's requests ------------------------------------------------------------------

    def consume(self) -> dict:
        records = [r for buf in self.buffers.values() for r in buf]
        records.sort(key=lambda r: (r[0], r[1]))
        drops = {str(c): n for c, n in self.drops.items() if n}
        self.buffers.clear()
        self.bufused.clear()
        self.drops.clear()
        errors, self.errors = self.errors, []
        out = {"records": [[r[2], r[3], r[4], r[5]] for r in records], "drops": drops, "errors": errors,
               "dyndrops": self.dyndrops, "specdrops": self.specdrops, "specbusy": self.specbusy,
               "specunavail": self.specunavail, "errdrops": self.error_drops,
               "exit": self.exit_status, "active": self.live}
        self.dyndrops = self.specdrops = self.specbusy = self.specunavail = self.error_drops = 0
        return out

    def snapshot(self) -> dict:
        out = []
        for cpu, per in enumerate(self.aggcpu):
            for aid, d in per.items():
                if d:
                    out.append([aid, cpu, [[list(k), _plain(v)] for k, v in d.items()]])
            per.clear()
            self.aggcount[cpu] = 0
        drops = {str(c): n for c, n in self.aggdrops.items() if n}
        self.aggdrops.clear()
        return {"aggs": out, "drops": drops}

    def agg_room(self, C) -> bool:
        cap = max(self.opt("aggsize", 4 << 20) // 64, 1)
        if self.aggcount[C] >= cap:
            self.aggdrops[C] = self.aggdrops.get(C, 0) + 1
            return False
        self.aggcount[C] += 1
        return True

    def agg_dict(self, C, aid) -> dict:
        per = self.aggcpu[C]
        return per.get(aid) or per.setdefault(aid, {})


def _plain(v):
    if isinstance(v, dict):
        return sorted(v.items())
    return v


def _arg(A, i):
    if i >= len(A):
        return 0
    v = A[i]
    if type(v) is int:
        return v - (1 << 64) if v > 0x7fffffffffffffff else v
    return int64(v)


def _div(a, b):
    if b == 0:
        raise Fault("divide-by-zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _mod(a, b):
    if b == 0:
        raise Fault("divide-by-zero")
    return a - _div(a, b) * b


# -- aggregating functions: one updater each -----------------------------------------------------


def _count(st, aid, params):
    aggcpu = st.aggcpu

    def update(C, key):
        per = aggcpu[C]
        d = per.get(aid) or per.setdefault(aid, {})
        v = d.get(key)
        if v is not None:
            d[key] = v + 1
        elif st.agg_room(C):
            d[key] = 1
    return update


def _sum(st, aid, params):
    aggcpu = st.aggcpu

    def update(C, key, x):
        per = aggcpu[C]
        d = per.get(aid) or per.setdefault(aid, {})
        v = d.get(key)
        if v is not None:
            d[key] = int64(v + x)
        elif st.agg_room(C):
            d[key] = int64(x)
    return update


def _minmax(better):
    def make(st, aid, params):
        aggcpu = st.aggcpu

        def update(C, key, x):
            per = aggcpu[C]
            d = per.get(aid) or per.setdefault(aid, {})
            v = d.get(key)
            if v is not None:
                if better(x, v):
                    d[key] = x
            elif st.agg_room(C):
                d[key] = x
        return update
    return make


def _avg(st, aid, params):
    aggcpu = st.aggcpu

    def update(C, key, x):
        per = aggcpu[C]
        d = per.get(aid) or per.setdefault(aid, {})
        v = d.get(key)
        if v is not None:
            v[0] += 1
            v[1] += x
        elif st.agg_room(C):
            d[key] = [1, x]
    return update


def _stddev(st, aid, params):
    aggcpu = st.aggcpu

    def update(C, key, x):
        per = aggcpu[C]
        d = per.get(aid) or per.setdefault(aid, {})
        v = d.get(key)
        if v is not None:
            v[0] += 1
            v[1] += x
            v[2] += x * x
        elif st.agg_room(C):
            d[key] = [1, x, x * x]
    return update


def _histogram(index):
    def make(st, aid, params):
        aggcpu = st.aggcpu

        def update(C, key, x, incr=1):
            per = aggcpu[C]
            d = per.get(aid) or per.setdefault(aid, {})
            h = d.get(key)
            if h is None:
                if not st.agg_room(C):
                    return
                h = d[key] = {}
            b = index(x, params)
            h[b] = h.get(b, 0) + incr
        return update
    return make


def _llq_index(x, params, _cache={}):
    key = tuple(params)
    bounds = _cache.get(key)
    if bounds is None:
        bounds = _cache[key] = buckets.llquantize_bounds(*params)
    return buckets.llquantize_index(x, bounds)


_AGGFUNCS = {
    "count": _count, "sum": _sum, "avg": _avg, "stddev": _stddev,
    "min": _minmax(lambda x, v: x < v), "max": _minmax(lambda x, v: x > v),
    "quantize": _histogram(lambda x, p: buckets.quantize_index(x)),
    "lquantize": _histogram(lambda x, p: buckets.lquantize_index(x, *p)),
    "llquantize": _histogram(_llq_index),
}
