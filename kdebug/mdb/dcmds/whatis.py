"""::whatis: what an address is (illumos mdb_whatis.c, with genunix's kmem and thread callbacks).

Sources are asked in order, the first match wins (``-a``: every match):
kernel modules (a symbol, or else the segment), kmem buffers (allocated or
freed, from which cache), and threads (their kthread_t or their stack).
"""

from __future__ import annotations

from ...kernel import MemoryFault
from ..explain import d_oneliner
from ..registry import ERR, OK, USAGE, Explain, dcmd, getopts

__all__ = ["cmd_whatis"]

_HELP = (
    "Given a virtual address (with -i, an identifier), report where it came\n"
    "from.\n\n"
    "When called from a pipeline, the output of ::whatis is in the same\n"
    "order as its input.\n\n"
    "  -a    Report all information about each address/identifier.  The\n"
    "        default behavior is to report only the first (most specific)\n"
    "        source for each address/identifier.\n"
    "  -i    addr is an identifier, not a virtual address.\n"
    "  -k    Do not consider known allocators.\n"
    "  -q    Quiet; don't print multi-line reports.\n"
    "  -v    Verbose output; display information about the progress\n"
    "        of the search\n")


def _modules(m, addr: int) -> list[str]:
    found = m.target.module_at(addr)
    if found is None:
        return []
    mod, seg = found
    sym = m.target.lookup_by_addr(addr)
    if sym is None:
        return [f"in {mod.name}'s {seg} segment"]
    return [f"{m.symbolize(addr)}, in {mod.name}'s {seg} segment"]


def _kmem(m, addr: int) -> list[str]:
    if m.k.kmem is None:
        return []
    found = m.k.kmem.buffer_at(addr)
    if found is None:
        return []
    cache, buf, allocated = found
    how = "allocated" if allocated else "freed"
    if buf == addr:
        return [f"{how} from {cache.name}"]
    return [f"{buf:x}+{addr - buf:x}, {how} from {cache.name}"]


def _threads(m, addr: int) -> list[str]:
    seg = m.k.mem.segment_at(addr)
    if seg is None or not seg.name.startswith("segkp"):
        return []
    kt = m.k.types.lookup("kthread_t")
    for t in m.walk("thread"):
        o = m.k.obj(t, kt)
        if t <= addr < t + kt.size:
            where = "" if addr == t else f"{t:x}+{addr - t:x}, "
            return [f"{where}allocated as a thread structure"]
        if o.t_stkbase <= addr < o.t_stk:
            return [f"in thread {t:x}'s stack"]
    return []


_SOURCES = [("modules", _modules), ("kmem caches", _kmem), ("threads", _threads)]


_WHATIS_LINES = (
    ("ADDR is SYMBOL+OFFSET, in MODULE's SEGMENT segment",
     "the address lies inside a symbol (a function or variable) of a loaded module"),
    ("ADDR is in MODULE's SEGMENT segment", "inside a module's text, data or bss, but in no symbol"),
    ("ADDR is BUFFER+OFFSET, allocated from CACHE",
     "inside a kmem buffer from that cache, in use (\"freed from\" when it is free)"),
    ("ADDR is allocated as a thread structure", "inside a kthread_t"),
    ("ADDR is in thread THREAD's stack", "on a kernel thread's stack"),
    ("ADDR is unknown", "no source knows the address"),
)


def _explain_whatis(s) -> Explain:
    """What ``ADDR::whatis`` asks, and D's %a for an address inside a symbol."""
    says = ("::whatis says what the address {addr} is. It asks the kernel's modules (their symbols and "
            "segments), then the kmem caches (buffers), then the threads (thread structures and stacks); "
            "the first that knows it answers, in one line (-a: every one that knows).")
    inside = s.addr is not None and s.m.target.lookup_by_addr(s.addr) is not None
    if not inside:
        return Explain(says, columns=_WHATIS_LINES)
    return Explain(says, columns=_WHATIS_LINES, d=d_oneliner("%a", s.d_address() or f"0x{s.addr:x}"),
                   see="D's %a names the same symbol+offset, always with its module (mdb leaves unix and "
                       "genunix out), and only for modules loaded when dtrace started.")


@dcmd("whatis", ":[-aikqv]", "given an address, return information", help=_HELP, explain=_explain_whatis)
def cmd_whatis(c) -> int:
    m = c.m
    opts, rest = getopts(c.args, {f: "flag" for f in "aikqv"})
    if rest or not c.has_addr:
        return USAGE
    if c.pipe_out:
        m.warn("whatis: cannot be output into a pipe\n")
        return ERR
    addr = c.addr
    found = False
    try:
        for label, source in _SOURCES:
            if opts.get("k") and label == "kmem caches":
                continue
            if opts.get("v"):
                c.printf("Searching %s...\n", label)
            for text in source(m, addr):
                c.printf("%p is %s\n", addr, text)
                found = True
                if not opts.get("a"):
                    return OK
    except MemoryFault as e:
        m.warn("failed to read data from target", reason=e.reason)
        return ERR
    if not found:
        c.printf("%p is unknown\n", addr)
    return OK

