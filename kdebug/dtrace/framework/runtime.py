"""What clause code calls at run time: built-in variables and subroutines.

Each built-in variable is one function ``(rt, P, A, C, E) -> value`` and
each subroutine one function ``(rt, P, C, *args) -> value``; both tables
are indexed by position from the generated code (names never appear in it).
A fault raises :class:`Fault`, which ends the clause and fires ERROR.
"""

from __future__ import annotations

import posixpath

from ...kernel import MemoryFault
from ...kernel.cpu import vtime
from ...kernel.proc import in_user_memory

__all__ = ["Fault", "BUILTINS", "SUBRS"]

M64 = (1 << 64) - 1


class Fault(Exception):
    """A probe-context fault: ``kind`` as dtrace names it, and the bad address if any."""

    CODES = {"invalid address": 1, "invalid alignment": 2, "illegal operation": 3, "divide-by-zero": 4,
             "out of scratch space": 5, "invalid kernel access": 6, "invalid user access": 7,
             "tuple stack overflow": 8, "bad stack": 9, "library-level fault": 10}

    def __init__(self, kind: str, addr: int | None = None):
        self.kind = kind
        self.addr = addr
        super().__init__(kind)


def int64(v) -> int:
    if type(v) is not int:
        v = int(v) if isinstance(v, bool) else 0
    v &= M64
    return v - (1 << 64) if v >> 63 else v


# -- built-in variables --------------------------------------------------------------


def _proc(rt):
    t = rt.k.curthread
    return rt.k.obj(t, "kthread_t").t_procp if t else 0


def _pid_of(rt, p):
    if not p:
        return 0
    pidp = rt.k.obj(p, "proc_t").p_pidp
    return rt.k.obj(pidp, "struct pid").pid_id if pidp else 0


def bv_caller(rt, P, A, C, E):
    st = rt.k.ctx.stack(1) if rt.k.ctx is not None else []
    return st[0] if st else 0


def bv_curthread(rt, P, A, C, E):
    return rt.k.curthread


def bv_cpu(rt, P, A, C, E):
    return C


def bv_epid(rt, P, A, C, E):
    return E


def bv_errno(rt, P, A, C, E):
    t = rt.k.curthread
    lwp = rt.k.obj(t, "kthread_t").t_lwp if t else 0
    return rt.k.obj(lwp, "klwp_t").lwp_errno if lwp else 0


def bv_execname(rt, P, A, C, E):
    p = _proc(rt)
    return rt.k.obj(p, "proc_t").p_user.u_comm.string() if p else ("dtrace" if rt.k.ctx is None else "sched")


def bv_id(rt, P, A, C, E):
    return P.id


def bv_ipl(rt, P, A, C, E):
    return 0


def bv_pid(rt, P, A, C, E):
    p = _proc(rt)
    if not p and rt.k.ctx is None:      # BEGIN, END: the consumer's own process, as on illumos
        return rt.consumer_pid
    return _pid_of(rt, p)


def bv_ppid(rt, P, A, C, E):
    p = _proc(rt)
    if not p and rt.k.ctx is None:
        return rt.consumer_ppid
    return _pid_of(rt, rt.k.obj(p, "proc_t").p_parent) if p else 0


def bv_tid(rt, P, A, C, E):
    t = rt.k.curthread
    return rt.k.obj(t, "kthread_t").t_tid if t else 0


def _cred(rt):
    p = _proc(rt)
    return rt.k.obj(p, "proc_t").p_cred if p else 0


def bv_uid(rt, P, A, C, E):
    c = _cred(rt)
    return rt.k.obj(c, "cred_t").cr_uid if c else 0


def bv_gid(rt, P, A, C, E):
    c = _cred(rt)
    return rt.k.obj(c, "cred_t").cr_gid if c else 0


def bv_probeprov(rt, P, A, C, E):
    return P.provider.name


def bv_probemod(rt, P, A, C, E):
    return P.module


def bv_probefunc(rt, P, A, C, E):
    return P.function


def bv_probename(rt, P, A, C, E):
    return P.name


def bv_stackdepth(rt, P, A, C, E):
    return len(rt.k.ctx.returns) if rt.k.ctx is not None else 0


def bv_timestamp(rt, P, A, C, E):
    return rt.k.hrtime


def bv_vtimestamp(rt, P, A, C, E):
    t = rt.k.curthread
    return vtime(rt.k, t, rt.k.curcpu) if t else 0


def bv_walltimestamp(rt, P, A, C, E):
    return rt.k.walltime_ns


def bv_zonename(rt, P, A, C, E):
    p = _proc(rt)
    if not p:
        return "global"
    z = rt.k.obj(p, "proc_t").p_zone
    return rt.k.obj(z, "zone_t").zone_name.string() if z else "global"


BUILTINS = {
    "caller": bv_caller, "curthread": bv_curthread, "cpu": bv_cpu, "epid": bv_epid, "errno": bv_errno,
    "execname": bv_execname, "id": bv_id, "ipl": bv_ipl, "pid": bv_pid, "ppid": bv_ppid, "tid": bv_tid,
    "uid": bv_uid, "gid": bv_gid, "probeprov": bv_probeprov, "probemod": bv_probemod,
    "probefunc": bv_probefunc, "probename": bv_probename, "stackdepth": bv_stackdepth,
    "timestamp": bv_timestamp, "vtimestamp": bv_vtimestamp, "walltimestamp": bv_walltimestamp,
    "zonename": bv_zonename,
}


# -- subroutines ------------------------------------------------------------------------


def _s(rt, text: str) -> str:
    """A string result, cut to strsize (a D string holds strsize - 1 characters)."""
    return text[:rt.strsize - 1]


def s_speculation(rt, P, C):
    return rt.speculation()


def s_strlen(rt, P, C, s):
    return len(s)


def s_strjoin(rt, P, C, a, b):
    return _s(rt, a + b)


def s_substr(rt, P, C, s, i, n=None):
    if i < 0:
        i = max(0, len(s) + i)
    if n is None:
        return s[i:]
    if n < 0:
        return s[i:len(s) + n] if len(s) + n > i else ""
    return s[i:i + n]


def s_index(rt, P, C, s, sub, start=0):
    if start < 0:
        start = 0
    return s.find(sub, start) if start <= len(s) else -1


def s_rindex(rt, P, C, s, sub, start=None):
    if start is None:
        return s.rfind(sub)
    if start < 0:
        return -1
    return s.rfind(sub, 0, start + len(sub))


def s_strstr(rt, P, C, s, sub):
    i = s.find(sub)
    return s[i:] if i >= 0 else ""


def s_strchr(rt, P, C, s, c):
    i = s.find(chr(c & 0xff))
    return s[i:] if i >= 0 else ""


def s_strrchr(rt, P, C, s, c):
    i = s.rfind(chr(c & 0xff))
    return s[i:] if i >= 0 else ""


def _str(rt, s):
    """A string argument given as a pointer (``void *``): the string at that address."""
    return s if type(s) is str else rt.load_str(s, rt.strsize)


def s_strtok(rt, P, C, s, delims):
    # dtrace.c: a NULL first argument continues the string saved by the last call.
    st = rt
    delims = _str(rt, delims)
    if type(s) is int and s == 0:
        s, pos = st.strtok
    else:
        s, pos = _str(rt, s), 0
    while pos < len(s) and s[pos] in delims:
        pos += 1
    end = pos
    while end < len(s) and s[end] not in delims:
        end += 1
    st.strtok = (s, end + 1 if end < len(s) else end)
    return s[pos:end]


def s_lltostr(rt, P, C, v, base=10):
    if base == 10:
        return str(v)
    if not 2 <= base <= 36:
        raise Fault("illegal operation")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    n, out = v & M64, ""
    while True:
        out = digits[n % base] + out
        n //= base
        if not n:
            break
    return {16: "0x", 8: "0"}.get(base, "") + out


def s_strtoll(rt, P, C, s, base=10):
    s = s.strip()
    try:
        return int64(int(s, base if base else 0))
    except ValueError:
        return 0


def s_toupper(rt, P, C, s):
    return s.upper()


def s_tolower(rt, P, C, s):
    return s.lower()


def s_basename(rt, P, C, s):
    b = s.rstrip("/")
    return posixpath.basename(b) or ("/" if s.startswith("/") else ".")


def s_dirname(rt, P, C, s):
    d = s.rstrip("/")
    if "/" not in d:
        return "/" if s.startswith("/") else "."
    return posixpath.dirname(d).rstrip("/") or "/"


def s_cleanpath(rt, P, C, s):
    return posixpath.normpath(s) if s else s


def s_copyin(rt, P, C, addr, n):
    """``n`` bytes of the current process's user memory at ``addr``, copied to scratch: their address."""
    addr &= M64
    if n < 0 or not in_user_memory(rt.k, _proc(rt), addr, max(1, n)):
        raise Fault("invalid address", addr)
    return rt.scratch_copy(rt.k.mem.read(addr, n))


def s_copyinstr(rt, P, C, addr, n=None):
    """The string at ``addr`` in the current process's user memory (at most ``n`` bytes, and strsize)."""
    addr &= M64
    size = rt.strsize if n is None else max(1, min(n, rt.strsize))
    if not in_user_memory(rt.k, _proc(rt), addr):
        raise Fault("invalid address", addr)
    end = rt.k.mem.segment_at(addr).end                  # not on into another process's memory
    return rt.k.mem.read_cstr(addr, min(size - 1, end - addr)).decode("latin-1")


def s_rand(rt, P, C):
    # dtrace.c: (dtrace_gethrtime() * 2416 + 374441) % 1771875; the clock is
    # nudged per call so two calls in one virtual nanosecond still differ.
    rt.seed += 1
    return ((rt.k.hrtime + rt.seed) * 2416 + 374441) % 1771875


def s_progenyof(rt, P, C, pid):
    k = rt.k
    p = _proc(rt)
    seen = 0
    while p and seen < 1000:
        if _pid_of(rt, p) == pid:
            return 1
        p = k.obj(p, "proc_t").p_parent
        seen += 1
    return 0


def s_getmajor(rt, P, C, dev):
    return (dev >> 32) & 0xffffffff


def s_getminor(rt, P, C, dev):
    return dev & 0xffffffff


def _swap(v, n):
    return int.from_bytes((v & ((1 << (8 * n)) - 1)).to_bytes(n, "little"), "big")


def s_htons(rt, P, C, v):
    return _swap(v, 2)


def s_htonl(rt, P, C, v):
    return _swap(v, 4)


def s_htonll(rt, P, C, v):
    return _swap(v, 8)


def s_mutex_owner(rt, P, C, m):
    return rt.load(m, 8, False) & ~0x7 & M64


def s_mutex_owned(rt, P, C, m):
    return int(s_mutex_owner(rt, P, C, m) != 0)


SUBRS = {
    "speculation": s_speculation, "strlen": s_strlen, "strjoin": s_strjoin, "substr": s_substr,
    "index": s_index, "rindex": s_rindex, "strstr": s_strstr, "strchr": s_strchr, "strrchr": s_strrchr,
    "strtok": s_strtok, "lltostr": s_lltostr, "strtoll": s_strtoll, "toupper": s_toupper,
    "tolower": s_tolower, "basename": s_basename, "dirname": s_dirname, "cleanpath": s_cleanpath,
    "copyin": s_copyin, "copyinstr": s_copyinstr, "rand": s_rand, "progenyof": s_progenyof,
    "getmajor": s_getmajor, "getminor": s_getminor, "htons": s_htons, "ntohs": s_htons, "htonl": s_htonl,
    "ntohl": s_htonl, "htonll": s_htonll, "ntohll": s_htonll, "mutex_owner": s_mutex_owner,
    "mutex_owned": s_mutex_owned,
}
