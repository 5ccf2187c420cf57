"""The kernel message log (genunix log.c, strlog.c, printf.c).

Console messages (``cmn_err``) are kept, as on illumos, as STREAMS messages
on the ``log_recentq`` queue: each is an ``mblk_t`` whose ``b_rptr`` points
at a ``log_ctl_t`` and whose ``b_cont`` holds the text.  mdb's ``::msgbuf``
walks that queue.  The queue keeps the most recent :data:`LOG_RECENT_MAX`
messages.

C types: ``queue_t *``, ``mblk_t *``, ``log_ctl_t *``.
"""

from __future__ import annotations

from .text import KSource

__all__ = ["log_init", "log_message", "for_each_message", "message_text", "LOG_RECENT_MAX",
           "CE_CONT", "CE_NOTE", "CE_WARN", "CE_PANIC"]

LOG_RECENT_MAX = 512

CE_CONT, CE_NOTE, CE_WARN, CE_PANIC = 0, 1, 2, 3
_PREFIX = {CE_CONT: "", CE_NOTE: "NOTICE: ", CE_WARN: "WARNING: ", CE_PANIC: "panic: "}

LOG = KSource("genunix", "log.c", decls="""
    queue_t *log_recentq;
    queue_t *log_backlog;
    int log_seq_no[4];
""", functions=[
    ("log_init", 0x2d4), ("log_makemsg", 0x1e8), ("log_sendmsg", 0x2c4), ("log_enqueue", 0x88),
    ("log_update", 0xd0), ("log_printq", 0x140), ("strlog", 0x64), ("vstrlog", 0x1f4),
])


def log_init(k) -> None:
    """Create the ``log_recentq`` queue."""
    q = k.kmem.kmem_alloc(k.types.lookup("queue_t").size)
    k.var("log_recentq").set(q)
    k.var("log_backlog").set(q)


def log_message(k, text: str, level: int = CE_CONT) -> int:
    """Log ``text`` as ``cmn_err(level, ...)`` would; returns its ``mblk_t *``.

    A leading ``!`` (log only) or ``^`` (console only) is dropped, as
    cmn_err does; every message ends with a newline in the log.
    """
    if text[:1] in ("!", "^", "?"):
        text = text[1:]
    line = _PREFIX.get(level, "") + text
    if not line.endswith("\n"):
        line += "\n"
    mblk_t = k.types.lookup("mblk_t")
    lc_t = k.types.lookup("log_ctl_t")
    raw = line.encode()
    ctl = k.kmem.kmem_alloc(lc_t.size)
    buf = k.kmem.kmem_alloc(len(raw) + 1)
    k.mem.write(buf, raw + b"\0")
    head = k.kmem.kmem_alloc(mblk_t.size)
    cont = k.kmem.kmem_alloc(mblk_t.size)
    seq = k.var("log_seq_no")
    n = seq[0] + 1
    k.mem.write_u32(seq.addr, n)
    lc = k.obj(ctl, lc_t)
    lc.level = level
    lc.flags = k.constants["SL_CONSOLE"] | (k.constants["SL_WARN"] if level == CE_WARN else 0)
    lc.ltime = k.lbolt
    lc.ttime = k.boot_time + k.hrtime // 1_000_000_000
    lc.seq_no = n
    c = k.obj(cont, mblk_t)
    c.b_rptr = buf
    c.b_wptr = buf + len(raw)
    m = k.obj(head, mblk_t)
    m.b_rptr = ctl
    m.b_wptr = ctl + lc_t.size
    m.b_cont = cont
    q = k.obj(k.var("log_recentq").value(), "queue_t")
    last = q.q_last
    if last:
        k.obj(last, mblk_t).b_next = head
        m.b_prev = last
    else:
        q.q_first = head
    q.q_last = head
    q.q_count = q.q_count + 1
    while q.q_count > LOG_RECENT_MAX:
        first = q.q_first
        old = k.obj(first, mblk_t)
        nxt = old.b_next
        q.q_first = nxt
        k.obj(nxt, mblk_t).b_prev = 0
        q.q_count = q.q_count - 1
        oc = k.obj(old.b_cont, mblk_t)
        for buf in (oc.b_rptr, old.b_cont, old.b_rptr, first):
            k.kmem.kmem_free(buf)
    return head


def for_each_message(k):
    """Every ``mblk_t *`` on ``log_recentq``, oldest first."""
    q = k.obj(k.var("log_recentq").value(), "queue_t")
    m = q.q_first
    mblk_t = k.types.lookup("mblk_t")
    while m:
        yield m
        m = k.obj(m, mblk_t).b_next


def message_text(k, mblk: int) -> str:
    """The text of a logged message (with its newline)."""
    cont = k.obj(mblk, "mblk_t").b_cont
    return k.mem.read_cstr(k.obj(cont, "mblk_t").b_rptr, 1024).decode("latin-1")
