"""The genunix debugger module: processes, threads, zones, CPUs, modules, the message buffer.

Walkers yield the kernel's objects in mdb's order (``proc``: the process
tree from ``p0``, children newest first; ``thread``: ``allthreads``;
``zone``: ``zone_active``; ``cpu``: ``cpu_list``; ``modctl``: the
``modules`` ring; ``list``: any ``list_t``).  Each table dcmd handles one
object; given no address it walks its walker and handles each (the header
printed once), as illumos' ``::ps`` re-invokes itself over ``proc``.
"""

from __future__ import annotations

from ...kernel import MemoryFault
from ...kernel.lists import list_walk
from ...kernel.thread import stack_frames
from ...kernel.zone import ZONE_STATUS_NAMES
from ..registry import ERR, LOOP, LOOPFIRST, OK, USAGE, Explain, dcmd, getopts, walker

__all__ = ["thread_state_name", "walk_dcmd"]

_PSTATES = {1: "S", 2: "R", 3: "Z", 4: "T", 5: "I", 6: "O", 7: "W"}
_TSTATES = {0x00: "TS_FREE", 0x01: "TS_SLEEP", 0x02: "TS_RUN", 0x04: "TS_ONPROC", 0x08: "TS_ZOMB",
            0x10: "TS_STOPPED", 0x20: "TS_WAIT"}


def walk_dcmd(c, walker_name: str, fn) -> int:
    """Run ``fn`` once per element of a walker, as if piped: LOOP, LOOPFIRST on the first."""
    status = OK
    flags = c.flags | LOOP | LOOPFIRST | 0x01
    for addr in c.m.walk(walker_name):
        sub = type(c)(c.m, addr, flags, c.args, c.dcmd)
        status = fn(sub)
        flags &= ~LOOPFIRST
    return status


def thread_state_name(m, t: int) -> str:
    state = m.k.obj(t, "kthread_t").t_state
    return _TSTATES.get(state, f"{state:#x}")


# -- walkers --------------------------------------------------------------------------------

@walker("proc", "list of active proc_t structures")
def walk_proc(m, addr):
    """The process tree from ``p0`` (or ``addr``), depth first, children newest first."""
    proc_t = m.k.types.lookup("proc_t")
    root = addr if addr is not None else m.k.sym_addr("p0")
    stack = [root]
    while stack:
        p = stack.pop()
        yield p
        o = m.k.obj(p, proc_t)
        kids = []
        child = o.p_child
        while child and len(kids) < 1_000_000:
            kids.append(child)
            child = m.k.obj(child, proc_t).p_sibling
        stack.extend(reversed(kids))


@walker("thread", "global or per-process kthread_t structures")
def walk_thread(m, addr):
    """Every thread on ``allthreads``, or (given a proc_t) the process's threads on ``p_tlist``."""
    mem = m.k.mem
    kt = m.k.types.lookup("kthread_t")
    if addr is None:
        head = m.k.var("allthreads").value()
        link = kt.member("t_next").offset
    else:
        head = m.k.obj(addr, "proc_t").p_tlist
        link = kt.member("t_forw").offset
    t = head
    while t:
        yield t
        t = mem.read_u64(t + link)
        if t == head:
            return


@walker("zone", "walk a list of kernel zones")
def walk_zone(m, addr):
    return list_walk(m.k, m.k.sym_addr("zone_active"))


@walker("cpu", "walk cpu structures", module="unix")
def walk_cpu(m, addr):
    cpu_t = m.k.types.lookup("cpu_t")
    head = addr if addr is not None else m.k.var("cpu_list").value()
    c = head
    while c:
        yield c
        c = m.k.obj(c, cpu_t).cpu_next
        if c == head:
            return


@walker("modctl", "list of modctl structures")
def walk_modctl(m, addr):
    modctl_t = m.k.types.lookup("struct modctl")
    head = addr if addr is not None else m.k.sym_addr("modules")
    a = head
    while a:
        yield a
        a = m.k.obj(a, modctl_t).mod_next
        if a == head:
            return


@walker("list", "walk a linked list", needs_addr=True)
def walk_list(m, addr):
    return list_walk(m.k, addr)


# -- ::ps, ::ptree ---------------------------------------------------------------------------

def _pid(m, pidp: int) -> int:
    return m.k.obj(pidp, "struct pid").pid_id if pidp else 0


def _ps_one(c, opts: dict) -> int:
    m = c.m
    try:
        p = m.k.obj(c.addr, "proc_t")
        u = p.member("p_user")
        sess = p.p_sessp
        sid = _pid(m, m.k.obj(sess, "sess_t").s_sidp) if sess else 0
        uid = m.k.obj(p.p_cred, "cred_t").cr_uid if p.p_cred else 0
        zoneid = m.k.obj(p.p_zone, "zone_t").zone_id if p.p_zone else 0
        name = u.member("u_psargs" if opts.get("f") else "u_comm").string()
        row = (_PSTATES.get(p.p_stat, "?"), _pid(m, p.p_pidp), p.p_ppid, _pid(m, p.p_pgidp), sid, uid)
        flag = p.p_flag
    except MemoryFault as e:
        m.warn("failed to read proc at %p", c.addr, reason=e.reason)
        return ERR
    if c.hdr:
        if opts.get("z"):
            c.printf("%<u>%1s %6s %6s %6s %6s %6s %5s %10s %?s %s%</u>\n",
                     "S", "PID", "PPID", "PGID", "SID", "UID", "ZONE", "FLAGS", "ADDR", "NAME")
        else:
            c.printf("%<u>%1s %6s %6s %6s %6s %6s %10s %?s %s%</u>\n",
                     "S", "PID", "PPID", "PGID", "SID", "UID", "FLAGS", "ADDR", "NAME")
    if opts.get("z"):
        c.printf("%c %6d %6d %6d %6d %6d %5d 0x%08x %0?p %s\n", *row, zoneid, flag, c.addr, name)
    else:
        c.printf("%c %6d %6d %6d %6d %6d 0x%08x %0?p %s\n", *row, flag, c.addr, name)
    if opts.get("t") or opts.get("l"):
        for t in m.walk("thread", c.addr):
            if opts.get("l"):
                lwp = m.k.obj(t, "kthread_t").t_lwp
                c.printf("\tL  %?a ID: %u\n", lwp, m.k.obj(t, "kthread_t").t_tid)
            if opts.get("t"):
                c.printf("\tT  %?a <%s>\n", t, thread_state_name(m, t))
    return OK


_PS_EXPLAIN = Explain(
    "::ps lists the processes, one line each, in the order of the process tree from p0 (sched), each "
    "parent before its children. With an address it shows just the proc_t there; -t and -l add a line "
    "for each of its threads and lwps.",
    columns=(("S", "the process state: R runnable, O on a CPU, S sleeping, T stopped, Z zombie, I being "
                   "created, W waiting"),
             ("PID", "the process ID"),
             ("PPID", "the parent's process ID"),
             ("PGID", "the process group ID"),
             ("SID", "the session ID"),
             ("UID", "the user ID of its credentials (0 is root)"),
             ("ZONE", "with -z: the ID of its zone (0 is the global zone)"),
             ("FLAGS", "p_flag in hex: 0x1 (SSYS) marks a system process"),
             ("ADDR", "its proc_t: ADDR::print proc_t, ADDR::walk thread"),
             ("NAME", "the command's name, u_comm (-f: u_psargs, with its arguments)")),
    see="In D, execname and pid name the process a probe fires in.")


@dcmd("ps", "[-fltzTP]", "list processes (and associated thr,lwp)", module="genunix", explain=_PS_EXPLAIN,
      help="Display process information.\n\n"
           "\t-f\tprint full pathname and arguments (u_psargs)\n"
           "\t-l\tprint information about each lwp\n"
           "\t-t\tprint information about each thread\n"
           "\t-T\tprint task ID\n"
           "\t-P\tprint project ID\n"
           "\t-z\tprint zone ID\n")
def cmd_ps(c) -> int:
    opts, rest = getopts(c.args, {f: "flag" for f in "fltzTP"})
    if rest:
        return USAGE
    if not c.has_addr:
        return walk_dcmd(c, "proc", lambda sub: _ps_one(sub, opts))
    return _ps_one(c, opts)


# regerror(3C)'s words for what Python's re module reports (regcomp's REG_E* errors).
_REGERRORS = (("unterminated character set", "brackets ([ ]) not balanced"),
              ("parenthesis", "parentheses not balanced"), ("subpattern", "parentheses not balanced"),
              ("nothing to repeat", "repetition-operator operand invalid"),
              ("multiple repeat", "repetition-operator operand invalid"),
              ("bad escape (end of pattern)", "trailing backslash (\\)"),
              ("bad character range", "invalid character range"))


def _regerror(message: str) -> str:
    return next((text for words, text in _REGERRORS if words in message), "invalid regular expression")


@dcmd("pgrep", "[-x] [-n | -o] pattern", "pattern match against all processes", module="genunix",
      explain=Explain("::pgrep finds processes by name: the pattern (a regular expression) is matched "
                      "against each process's u_comm and every match is printed as ::ps prints it (into "
                      "a pipe: its proc_t address). -x asks the whole name to match, -n and -o keep only "
                      "the newest or oldest match.", see="In D, a predicate such as /execname == \"zhyve\"/ "
                      "picks a process by the same name."),
      help="Display all processes whose name matches the given regular expression (as ::ps does).\n\n"
           "\t-n\tmatch only the newest process\n"
           "\t-o\tmatch only the oldest process\n"
           "\t-x\tmatch the whole name only\n")
def cmd_pgrep(c) -> int:
    import re

    opts, rest = getopts(c.args, {"x": "flag", "n": "flag", "o": "flag"})
    if len(rest) != 1 or not isinstance(rest[0], str) or (opts.get("n") and opts.get("o")):
        return USAGE
    try:
        rx = re.compile(rest[0])
    except re.error as e:
        c.warn("%s\n", _regerror(str(e)))
        return ERR
    m = c.m
    matches = []
    for p in m.walk("proc"):
        u = m.k.obj(p, "proc_t").member("p_user")
        comm = u.member("u_comm").string()
        found = rx.search(comm)
        if found is None or opts.get("x") and (found.start() != 0 or found.end() != len(comm)):
            continue
        start = u.member("u_start")
        matches.append((p, start.tv_sec * 1_000_000_000 + start.tv_nsec))
    if matches and opts.get("n"):
        matches = [max(matches, key=lambda pm: pm[1])]          # the first of equals, as mdb keeps it
    elif matches and opts.get("o"):
        matches = [min(matches, key=lambda pm: pm[1])]
    flags = c.flags | LOOP | (LOOPFIRST if c.hdr else 0) | 0x01
    for p, _ in matches:
        if c.pipe_out:
            c.printf("%p\n", p)
            continue
        _ps_one(type(c)(m, p, flags, [], c.dcmd), {})
        flags &= ~LOOPFIRST
    return OK


@dcmd("ptree", "?[-p]", "print process tree", module="genunix",
      explain=Explain("::ptree prints the process tree from p0 (sched), or from the proc_t at the address: "
                      "each process's proc_t address and command name (u_comm), children indented 5 columns "
                      "under their parent, newest child first."))
def cmd_ptree(c) -> int:
    """Each process ``%0?p  comm``, children indented 5 columns under their parent."""
    m = c.m
    if c.args:
        return USAGE
    proc_t = m.k.types.lookup("proc_t")
    root = c.addr if c.has_addr else m.k.sym_addr("p0")
    stack = [(root, 0)]
    while stack:
        p, depth = stack.pop()
        o = m.k.obj(p, proc_t)
        c.printf("%*s%0?p  %s\n", depth * 5, "", p, o.member("p_user").member("u_comm").string())
        kids = []
        child = o.p_child
        while child:
            kids.append((child, depth + 1))
            child = m.k.obj(child, proc_t).p_sibling
        stack.extend(reversed(kids))
    return OK


# -- ::threadlist ---------------------------------------------------------------------------

def _thread_name(m, t: int) -> str:
    """``comm/lwpid`` for an lwp, ``tq:NAME`` for a taskq thread, ``start()`` for other kernel threads."""
    k = m.k
    o = k.obj(t, "kthread_t")
    if o.t_lwp:
        comm = k.obj(o.t_procp, "proc_t").member("p_user").member("u_comm").string()
        return f"{comm}/{o.t_tid}"
    start = m.symbolize(o.t_startpc) or f"{o.t_startpc:#x}"
    if o.t_name and start.startswith("taskq_"):
        return "tq:" + k.mem.read_cstr(o.t_name, 64).decode("latin-1")
    return f"{start}()"


_THREADLIST_EXPLAIN = Explain(
    "::threadlist lists every kernel thread (the allthreads list), one line each; with an address, the "
    "kthread_t there. -v adds a line with the thread's saved PC and its stack, innermost frame first.",
    columns=(("ADDR", "the kthread_t: ADDR::findstack shows its stack"),
             ("PROC", "the proc_t of its process (p0 for kernel threads)"),
             ("LWP", "its klwp_t; 0 for a kernel-only thread"),
             ("CMD/LWPID", "for a process's thread, the command and its lwp ID; tq:NAME for a taskq thread; "
                           "start_function() for other kernel threads"),
             ("CLS", "with -v: the scheduling class ID"),
             ("PRI", "with -v: the thread's priority"),
             ("WCHAN", "with -v: the wait channel, what a sleeping thread waits on (0 if none)")),
    see="In D, curthread is the kthread_t a probe fires in, and stack() its frames at that moment.")


@dcmd("threadlist", "?[-t] [-v [count]]", "display threads and associated C stack traces", module="genunix",
      explain=_THREADLIST_EXPLAIN,
      help="Display a list of threads.  With -v, also the stack of each thread.\n")
def cmd_threadlist(c) -> int:
    m = c.m
    opts, rest = getopts(c.args, {"t": "flag", "v": "flag"})
    if len(rest) > 1:
        return USAGE
    threads = [c.addr] if c.has_addr else m.walk("thread")
    verbose = bool(opts.get("v"))
    if c.hdr:
        if verbose:
            c.printf("%<u>%?s %?s %?s %3s %3s %?s%</u>\n", "ADDR", "PROC", "LWP", "CLS", "PRI", "WCHAN")
        else:
            c.printf("%<u>%?s %?s %?s %s%</u>\n", "ADDR", "PROC", "LWP", "CMD/LWPID")
    for t in threads:
        try:
            o = m.k.obj(t, "kthread_t")
            if verbose:
                c.printf("%0?p %?p %?p %3d %3d %?p\n", t, o.t_procp, o.t_lwp, o.t_cid, o.t_pri, o.t_wchan)
                c.printf("  PC: %a    %s: %s\n", m.target.read_ptr(o.member("t_pcb").addr),
                         "CMD" if o.t_lwp else "THREAD", _thread_name(m, t))
                frames = stack_frames(m.k, t)
                if frames:
                    c.printf("  stack pointer for thread %p: %p\n", t, frames[0][0])
                    c.printf("  [ %0?lr %a() ]\n", frames[0][0], frames[0][1])
                    for fp, pc in frames[1:]:
                        c.printf("    %a()\n", pc)
                c.printf("\n")
            else:
                c.printf("%0?p %?p %?p %s\n", t, o.t_procp, o.t_lwp, _thread_name(m, t))
        except MemoryFault as e:
            m.warn("failed to read thread at %p", t, reason=e.reason)
            return ERR
    return OK


# -- ::zone -------------------------------------------------------------------------------

def _zone_one(c, refs: bool) -> int:
    m = c.m
    try:
        z = m.k.obj(c.addr, "zone_t")
        name = m.k.mem.read_cstr(z.zone_name, 64).decode("latin-1") if z.zone_name else ""
        path = m.k.mem.read_cstr(z.zone_rootpath, 1024).decode("latin-1") if z.zone_rootpath else ""
        status = z.zone_status
    except MemoryFault as e:
        m.warn("failed to read zone_t structure at %p", c.addr, reason=e.reason)
        return ERR
    status_name = ZONE_STATUS_NAMES[status] if 0 <= status < len(ZONE_STATUS_NAMES) else "???"
    if refs:
        if c.hdr:
            c.printf("%<u>%?s %4s %5s %5s %s%</u>\n", "ADDR", "ID", "REFS", "CREFS", "NAME")
        c.printf("%0?p %4d %5u %5u %s\n", c.addr, z.zone_id, z.zone_ref, z.zone_cred_ref, name)
        return OK
    if c.hdr:
        c.printf("%<u>%?s %4s %-13s %-19s %s%</u>\n", "ADDR", "ID", "STATUS", "NAME", "PATH")
    c.printf("%0?p %4d %-13s %-19s %s\n", c.addr, z.zone_id, status_name, _cut(name, 20, 16),
             _cut(path, 25, 21))
    return OK


def _cut(text: str, limit: int, keep: int) -> str:
    """Long zone names and paths are shortened to fit their columns, as ::zone does."""
    return text[:keep] + "..." if len(text) >= limit else text


_ZONE_EXPLAIN = Explain(
    "::zone lists the active zones (zone_active), one line each; with an address, the zone_t there. -r "
    "prints reference counts instead of status and path.",
    columns=(("ADDR", "the zone_t: ADDR::print zone_t"),
             ("ID", "the zone ID (0 is the global zone)"),
             ("STATUS", "zone_status: uninitialized, initialized, ready, booting, running, shutting_down, "
                        "empty, down, dying or dead"),
             ("NAME", "the zone's name (a VM's zone is named by its UUID; long names are cut to ...)"),
             ("PATH", "the zone's root path"),
             ("REFS", "with -r: zone_ref, holds on the zone"),
             ("CREFS", "with -r: zone_cred_ref, credentials that refer to it")),
    see="In D, zonename is the name of the zone a probe fires in.")


@dcmd("zone", "?[-r]", "display kernel zone(s)", module="genunix", explain=_ZONE_EXPLAIN,
      help="Display a list of zones.  -r prints each zone's reference counts.\n")
def cmd_zone(c) -> int:
    opts, rest = getopts(c.args, {"r": "flag", "v": "flag"})
    if rest:
        return USAGE
    refs = bool(opts.get("r"))
    if not c.has_addr:
        return walk_dcmd(c, "zone", lambda sub: _zone_one(sub, refs))
    return _zone_one(c, refs)


# -- ::cpuinfo -----------------------------------------------------------------------------

def _cpu_one(c) -> int:
    m = c.m
    k = m.k
    try:
        cp = k.obj(c.addr, "cpu_t")
        nrun = k.obj(cp.cpu_disp, "disp_t").disp_nrunnable if cp.cpu_disp else 0
        t = cp.cpu_thread
        pri = k.obj(t, "kthread_t").t_pri if t else -1
        if t == cp.cpu_idle_thread:
            pname = "(idle)"
        else:
            proc = k.obj(t, "kthread_t").t_procp
            pname = k.obj(proc, "proc_t").member("p_user").member("u_comm").string()
        switch = k.lbolt - cp.cpu_last_swtch
    except MemoryFault as e:
        m.warn("failed to read cpu_t at %p", c.addr, reason=e.reason)
        return ERR
    if c.hdr:
        c.printf("%<u>%3s %-?s %3s %4s %4s %3s %4s %5s %-6s %-?s %s%</u>\n", "ID", "ADDR", "FLG", "NRUN",
                 "BSPL", "PRI", "RNRN", "KRNRN", "SWITCH", "THREAD", "PROC")
    c.printf("%3d %0?p %3x %4d %4d %3d %4s %5s t-%-4d %0?p %s\n", cp.cpu_id, c.addr, cp.cpu_flags, nrun,
             cp.cpu_base_spl, pri, "yes" if cp.cpu_runrun else "no", "yes" if cp.cpu_kprunrun else "no",
             switch, t, pname)
    return OK


_CPUINFO_EXPLAIN = Explain(
    "::cpuinfo lists the CPUs (cpu_list), one line each: what each is running and whether it should "
    "switch; with an address, the cpu_t there.",
    columns=(("ID", "the CPU's ID (dtrace's CPU column)"),
             ("ADDR", "its cpu_t: ADDR::print cpu_t"),
             ("FLG", "cpu_flags in hex: 0x1b is running, ready, exists and enabled"),
             ("NRUN", "threads waiting in the CPU's run queue"),
             ("BSPL", "its base interrupt priority level (SPL)"),
             ("PRI", "the priority of the thread it runs (-1: none)"),
             ("RNRN", "cpu_runrun: yes when the running user thread should give way"),
             ("KRNRN", "cpu_kprunrun: yes when even a kernel thread should give way"),
             ("SWITCH", "t-N: clock ticks (lbolt) since it last switched threads"),
             ("THREAD", "the kthread_t it runs (its idle thread when idle)"),
             ("PROC", "that thread's process name, or (idle)")),
    see="In D, cpu is the ID of the CPU a probe fires on.")


@dcmd("cpuinfo", "?[-v]", "print CPU information", module="unix", explain=_CPUINFO_EXPLAIN)
def cmd_cpuinfo(c) -> int:
    opts, rest = getopts(c.args, {"v": "flag"})
    if rest:
        return USAGE
    if not c.has_addr:
        return walk_dcmd(c, "cpu", _cpu_one)
    return _cpu_one(c)


# -- ::msgbuf --------------------------------------------------------------------------------

@dcmd("msgbuf", "?[-v]", "print most recent console messages", module="genunix",
      explain=Explain("::msgbuf prints the kernel's recent console messages (log_recentq), oldest first, "
                      "as they were logged; it is what dmesg shows.",
                      columns=(("TIMESTAMP", "with -v: when the message was logged"),
                               ("LOGCTL", "with -v: its log_ctl_t"),
                               ("MESSAGE", "the message text"))))
def cmd_msgbuf(c) -> int:
    """The messages on ``log_recentq``, oldest first, as logged (each ends with a newline)."""
    m = c.m
    k = m.k
    opts, rest = getopts(c.args, {"v": "flag"})
    if rest:
        return USAGE
    mblk_t = k.types.lookup("mblk_t")
    try:
        q = k.obj(k.var("log_recentq").value(), "queue_t")
        mp = q.q_first
        if c.hdr:
            if opts.get("v"):
                c.printf("%<u>%20s %?s %-40s%</u>\n", "TIMESTAMP", "LOGCTL", "MESSAGE")
            else:
                c.printf("%<u>%-70s%</u>\n", "MESSAGE")
        while mp:
            head = k.obj(mp, mblk_t)
            cont = k.obj(head.b_cont, mblk_t)
            text = k.mem.read_cstr(cont.b_rptr, 1024).decode("latin-1")
            if opts.get("v"):
                lc = k.obj(head.b_rptr, "log_ctl_t")
                c.printf("%Y %0?p ", lc.ttime, head.b_rptr)
            c.printf("%s", text)
            mp = head.b_next
    except MemoryFault as e:
        m.warn("failed to read message buffer", reason=e.reason)
        return ERR
    return OK


# -- ::modinfo ------------------------------------------------------------------------------

def _linkinfo(m, ctl) -> str:
    if not ctl.mod_linkage:
        return "?"
    ml = m.k.obj(ctl.mod_linkage, "struct modlinkage")
    first = m.k.mem.read_u64(ml.member("ml_linkage").addr)
    if not first:
        return "?"
    info = m.k.obj(first, "struct modldrv").drv_linkinfo
    return m.k.mem.read_cstr(info, 256).decode("latin-1") if info else "?"


_MODINFO_EXPLAIN = Explain(
    "::modinfo lists the loaded kernel modules (the modules list of modctl structures), one line each "
    "(-a: also those not loaded).",
    columns=(("ID", "the module ID"),
             ("LOADADDR", "where its text starts"),
             ("SIZE", "its text and data size, in hex"),
             ("REV", "the revision of its module linkage"),
             ("MODULE NAME", "its name and, in parentheses, its description")),
    see="dtrace's fbt probes are named by these modules: fbt:vmm:: exists only once vmm is loaded.")


@dcmd("modinfo", "[-aw]", "list information about loaded modules", module="genunix", explain=_MODINFO_EXPLAIN)
def cmd_modinfo(c) -> int:
    """One row per loaded module: id, text address, size, revision, ``name (description)``."""
    m = c.m
    k = m.k
    opts, rest = getopts(c.args, {"a": "flag", "w": "flag"})
    if rest or c.has_addr:
        return USAGE
    c.printf("%<u>%3s %-?s %8s %3s %s%</u>\n", "ID", "LOADADDR", "SIZE", "REV", "MODULE NAME")
    for addr in m.walk("modctl"):
        try:
            ctl = k.obj(addr, "struct modctl")
            if not ctl.mod_loaded and not opts.get("a"):
                continue
            name = k.mem.read_cstr(ctl.mod_modname, 64).decode("latin-1")
            rev = k.obj(ctl.mod_linkage, "struct modlinkage").ml_rev if ctl.mod_linkage else 1
            size = ctl.mod_text_size
            if ctl.mod_mp:
                mp = k.obj(ctl.mod_mp, "struct module")
                size = mp.text_size + mp.data_size
            c.printf("%3d %0?p %8x %3d %s (%s)\n", ctl.mod_id, ctl.mod_text, size, rev, name, _linkinfo(m, ctl))
        except MemoryFault as e:
            m.warn("failed to read modctl at %p", addr, reason=e.reason)
            return ERR
    return OK
