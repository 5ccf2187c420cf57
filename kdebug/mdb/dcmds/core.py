"""The debugger's own dcmds (module "mdb"; illumos mdb_cmds.c and mdb_help.c).

Help, the dcmd and walker lists, kdebug's ``::explain``, variables, radix
and width, evaluation (``::eval``, ``::grep``, ``::map``), ``::echo``,
``::walk``, ``::head``, logging, macro files and quitting.
"""

from __future__ import annotations

import re

from ...kernel import MemoryFault
from ..errors import Quit
from ..registry import ABORT, ERR, OK, PIPE, USAGE, Char, Explain, dcmd, getopts

HELP_OVERVIEW = (
    "\nEach debugger command in mdb is structured as follows:\n\n"
    "      [ address [, count]] verb [ arguments ... ]\n"
    "             ^       ^      ^      ^\n"
    " the start --+       |      |      +-- arguments are strings which can be\n"
    " address can be an   |      |          quoted using \"\" or '' or\n"
    " expression          |      |          expressions enclosed in $[ ]\n"
    "                     |      |\n"
    " the repeat count  --+      +--------- the verb is a name which begins\n"
    " is also an expression                 with either $, :, or ::.  it can also\n"
    "                                       be a format specifier (/ \\ ? or =)\n\n"
    "For information on debugger commands (dcmds) and walkers, type:\n\n"
    "      ::help cmdname ... for more detailed information on a command\n"
    "      ::dcmds        ... for a list of dcmds and their descriptions\n"
    "      ::walkers      ... for a list of walkers and their descriptions\n"
    "      ::dmods -l     ... for a list of modules and their dcmds and walkers\n"
    "      ::formats      ... for a list of format characters for / \\ ? and =\n\n"
    "For information on command-line options, type:\n\n"
    "      $ mdb -?      ... in your shell for a complete list of options\n\n")

_FILTER_HELP = ("Options:\n"
                "    -n       Match only the name, not the description.\n"
                "    pattern  RE to match against name/description.\n")


# -- help and the tables ------------------------------------------------------------

def _list_table(c, entries) -> int:
    """::dcmds and ::walkers: ``%-24s - %s`` lines, sorted, optionally filtered by a regex."""
    if c.has_addr:
        return USAGE
    opts, rest = getopts(c.args, {"n": "flag"})
    if len(rest) > 1 or (rest and not isinstance(rest[0], str)):
        return USAGE
    pattern = None
    if rest:
        try:
            pattern = re.compile(rest[0])
        except re.error as e:
            c.warn("%s\n", str(e))
            return ERR
    for name, desc in sorted(entries):
        if not desc:
            continue
        if pattern is None or pattern.search(name) or (not opts.get("n") and pattern.search(desc)):
            c.printf("%-24s - %s\n", name, desc)
    return OK


@dcmd("dcmds", "[[-n] pattern]", "list available debugger commands",
      help="List all of the dcmds that are currently available. If a pattern\n"
           "is provided then list only the commands that\n"
           "match the provided regular expression.\n" + _FILTER_HELP)
def cmd_dcmds(c) -> int:
    m = c.m
    return _list_table(c, [(n, m.lookup_dcmd(n).desc) for n in m.dcmd_names()])


@dcmd("walkers", "[[-n] pattern]", "list available walkers",
      help="List all of the walkers that are currently available. If a\n"
           "pattern is provided then list only the walkers that\n"
           "match the provided regular expression.\n" + _FILTER_HELP)
def cmd_walkers(c) -> int:
    return _list_table(c, [(w.name, w.desc) for w in c.m.walkers().values()])


def _complete_dcmd(m, words):
    return m.dcmd_names() if len(words) <= 1 else []


@dcmd("help", "[cmd]", "list commands/command help", complete=_complete_dcmd)
def cmd_help(c) -> int:
    m = c.m
    if c.has_addr or len(c.args) > 1:
        return USAGE
    if not c.args:
        c.printf("%s", HELP_OVERVIEW)
        return OK
    name = c.args[0]
    if not isinstance(name, str):
        m.warn("expected string argument\n")
        return USAGE
    d = m.lookup_dcmd(name[2:] if name.startswith("::") else name)
    if d is None:
        m.warn("unknown command: %s\n", name)
        return ERR
    prefix = "" if d.name[0] in ":$=/\\?>" else "::"
    usage = d.usage or ""
    c.printf("\n%<b>NAME%</b>\n  %s - %s\n\n", d.name, d.desc)
    c.printf("%<b>SYNOPSIS%</b>\n  ")
    if usage[:1] == "?":
        c.printf("[ %<u>addr%</u> ] ")
        usage = usage[1:]
    elif usage[:1] == ":":
        c.printf("%<u>addr%</u> ")
        usage = usage[1:]
    c.printf("%s%s %s\n\n", prefix, d.name, usage)
    if d.help is not None:
        c.printf("%<b>DESCRIPTION%</b>\n")
        text = d.help(c) if callable(d.help) else d.help
        for line in text.splitlines():
            c.printf("  %s\n" if line else "%s\n", line)
        c.printf("\n")
    c.printf("%<b>ATTRIBUTES%</b>\n\n")
    c.printf("  Target: %s\n", "kvm")
    c.printf("  Module: %s\n", d.module)
    c.printf("  Interface Stability: %s\n\n", "Evolving" if d.module == "mdb" else "Unstable")
    return OK


_EXPLAIN_HELP = (
    "Explain, without running it, what an mdb command line will do: for each\n"
    "statement, what its dcmd or format verb shows, what each column of its\n"
    "output means, and the equivalent dtrace command where there is one.\n"
    "This is kdebug's teaching aid; real mdb has no ::explain.\n\n"
    "Quote a command line that holds a pipe, a ';' or a '$':\n\n"
    "  ::explain hvm_excl_holder::print\n"
    "  ::explain fffffffff82aec97::whatis\n"
    "  ::explain \"::walk proc | ::print proc_t p_user.u_comm\"\n"
    "  ::explain \"<thread$c\"\n\n"
    "The shell's kdebug mdb --explain -e 'CMD' TARGET does the same.\n")


@dcmd("explain", "command-line ...", "explain what a command line will do (kdebug)", help=_EXPLAIN_HELP,
      complete=_complete_dcmd,
      explain=Explain("::explain prints what the command line given as its arguments will do, one "
                      "statement at a time, without running it."))
def cmd_explain(c) -> int:
    from ..explain import explain_text

    if c.has_addr or not c.args:
        return USAGE
    if c.pipe_out:
        c.m.warn("explain: cannot be output into a pipe (quote the command line: ::explain \"A | B\")\n")
        return ERR
    text = " ".join(a if isinstance(a, str) else f"0x{a:x}" for a in c.args)
    return OK if explain_text(c.m, text) else ERR


@dcmd("which", "[-v] name ...", "show source of walk or dcmd")
@dcmd("whence", "[-v] name ...", "show source of walk or dcmd")
def cmd_which(c) -> int:
    m = c.m
    opts, rest = getopts(c.args, {"v": "flag"})
    for s in rest:
        if not isinstance(s, str):
            continue
        if s.startswith("$<"):
            s = s[2:]
        found = False
        d = m.lookup_dcmd(s)
        if d is not None:
            if d.module == "mdb":
                c.printf("%s is a built-in dcmd\n", s)
            else:
                c.printf("%s is a dcmd from module %s\n", s, d.module)
            if opts.get("v"):
                c.printf("   >  definition list:\n  [1] %s`%s\n", d.module, d.name)
            found = True
        w = m.lookup_walker(s)
        if w is not None:
            c.printf("%s is a walker from module %s\n", s, w.module)
            if opts.get("v"):
                c.printf("   >  definition list:\n  [1] %s`%s\n", w.module, w.name)
            found = True
        if not found:
            m.warn("%s not found\n", s)
    return OK


@dcmd("dmods", "[-l] [mod]", "list loaded debugger modules")
def cmd_dmods(c) -> int:
    m = c.m
    if c.has_addr:
        return USAGE
    opts, rest = getopts(c.args, {"l": "flag"})
    names = sorted(["mdb"] + m.loaded_dmods())
    if rest:
        if len(rest) != 1 or not isinstance(rest[0], str):
            return USAGE
        if rest[0] not in names:
            m.warn("%s module not loaded\n", rest[0])
            return OK
        names = [rest[0]]
    for name in names:
        if not opts.get("l"):
            c.printf("%s\n", name)
            continue
        c.printf("\n%<u>%-70s%</u>\n", name)
        for n in m.dcmd_names():
            d = m.lookup_dcmd(n)
            if d.module == name:
                c.printf("  dcmd %-20s - %s\n", d.name, d.desc)
        for w in sorted(m.walkers().values(), key=lambda w: w.name):
            if w.module == name:
                c.printf("  walk %-20s - %s\n", w.name, w.desc)
    return OK


# -- small built-ins -------------------------------------------------------------------

@dcmd("echo", "args ...", "echo arguments")
def cmd_echo(c) -> int:
    if c.has_addr:
        return USAGE
    for a in c.args:
        if isinstance(a, int):
            c.printf("%llr ", a)
        else:
            c.printf("%s ", a)
    c.printf("\n")
    return OK


@dcmd("eval", "command", "evaluate the specified command")
def cmd_eval(c) -> int:
    if len(c.args) != 1 or not isinstance(c.args[0], str):
        return USAGE
    return OK if c.m.eval(c.args[0]) else ABORT


@dcmd("grep", "?expr", "print dot if expression is true")
def cmd_grep(c) -> int:
    if len(c.args) != 1 or not isinstance(c.args[0], str):
        return USAGE
    if not c.m.eval(c.args[0]):
        return ABORT
    if c.m.dot != 0:
        c.printf("%lr\n", c.addr)
    return OK


@dcmd("map", "?expr", "print dot after evaluating expression")
def cmd_map(c) -> int:
    if len(c.args) != 1 or not isinstance(c.args[0], str):
        return USAGE
    if not c.m.eval(c.args[0]):
        return ABORT
    c.printf("%llr\n", c.m.dot)
    return OK


@dcmd("quit", None, "quit debugger")
@dcmd("$q", None, "quit debugger")
@dcmd("$Q", None, "quit debugger")
def cmd_quit(c) -> int:
    raise Quit()


@dcmd("$d", None, "get/set default output radix")
def cmd_radix(c) -> int:
    if c.args:
        return USAGE
    if c.has_addr:
        if not 2 <= c.addr <= 16:
            c.m.warn("expected radix from 2 to 16\n")
            return ERR
        c.m.radix = c.addr
    c.printf("radix = %d base ten\n", c.m.radix)
    return OK


@dcmd("$w", None, "get/set output page width")
def cmd_pgwidth(c) -> int:
    if c.args:
        return USAGE
    if c.has_addr:
        c.m.out.cols = c.addr if c.addr else 80
    c.printf("output page width = %lu\n", c.m.out.cols)
    return OK


@dcmd("$s", None, "get/set symbol matching distance")
def cmd_symdist(c) -> int:
    if c.args:
        return USAGE
    if c.has_addr:
        c.m.symdist = c.addr
    c.printf("symbol matching distance = %lr (%s)\n", c.m.symdist,
             "absolute mode" if c.m.symdist else "smart mode")
    return OK


@dcmd("$P", "[prompt]", "set debugger prompt string")
def cmd_prompt(c) -> int:
    if len(c.args) > 1 or (c.args and not isinstance(c.args[0], str)):
        return USAGE
    c.m.prompt = c.args[0] if c.args else ""
    return OK


@dcmd("vars", "[-npt]", "print listing of variables")
def cmd_vars(c) -> int:
    opts, rest = getopts(c.args, {"n": "flag", "p": "flag", "t": "flag"})
    if rest:
        return USAGE
    if opts.get("t"):
        return OK
    for name, value in c.m.vars.items():
        if opts.get("n") and value == 0:
            continue
        if opts.get("p"):
            c.printf("%#llr>%s\n", value, name)
        else:
            c.printf("%s = %llr\n", name, value)
    return OK


@dcmd("$v", None, "print non-zero variables")
def cmd_nzvars(c) -> int:
    if c.args:
        return USAGE
    for name, value in c.m.vars.items():
        if value:
            c.printf("%s = %llr\n", name, value)
    return OK


@dcmd("unset", "[name ...]", "unset variables")
def cmd_unset(c) -> int:
    for i, a in enumerate(c.args):
        if not isinstance(a, str):
            c.m.warn("bad option: arg %lu is not a string\n", i + 1)
            return USAGE
    for a in c.args:
        if c.m.vars.user.pop(a, None) is None:
            c.m.warn("variable '%s' not defined\n", a)
    return OK


_BAD_ID = re.compile(r"[^a-zA-Z0-9_.`]")


@dcmd(">", "variable-name", "assign variable")
def cmd_assign_variable(c) -> int:
    m = c.m
    args = c.args
    dot = m.dot
    if len(args) == 2:
        if not isinstance(args[0], Char):
            m.warn("improper arguments following '>' operator\n")
            return ERR
        bits = {"c": 8, "s": 16, "i": 32, "l": 64}.get(args[0])
        if bits is None:
            m.warn("%c is not a valid // modifier\n", args[0])
            return ERR
        dot = c.addr & ((1 << bits) - 1)
        args = args[1:]
    if len(args) != 1 or not isinstance(args[0], str) or isinstance(args[0], Char):
        m.warn("expected single variable name following '>'\n")
        return ERR
    name = args[0]
    if len(name) >= 32:
        m.warn("variable names may not exceed %d characters\n", 31)
        return ERR
    bad = _BAD_ID.search(name)
    if bad:
        m.warn("'%c' may not be used in a variable name\n", bad.group())
        return ERR
    m.vars.set(name, dot)
    m.incr = 0
    return OK


@dcmd("version", None, "print debugger version string")
def cmd_version(c) -> int:
    from ... import __version__
    c.printf("mdb 1.1 (kdebug %s)\n", __version__)
    return OK


# -- walking ---------------------------------------------------------------------------

def _complete_walker(m, words):
    return sorted(m.walkers()) if len(words) <= 1 else []


def _explain_walk(s) -> Explain:
    """What ``::walk NAME`` visits, from the walker's own description."""
    name = s.words[0] if s.words else None
    w = s.m.lookup_walker(name) if name else None
    if name is None:
        return Explain("::walk NAME prints the address of each object the walker NAME visits; ::walkers lists "
                       "them.")
    if w is None:
        return Explain(f"::walk {name} would walk with the walker {name}, but this target has no walker of "
                       "that name (::walkers lists them), so mdb will say so.")
    start = "starting from the address {addr}" if s.addr_text is not None else "over the whole kernel"
    return Explain(f"::walk {name} prints the address of each object the {name} walker visits ({w.desc}), "
                   f"{start}, one a line. Piped into a dcmd (::walk {name} | ::print ...) it runs that dcmd "
                   "once per address instead.",
                   columns=(("ADDR", "an object the walk visits"),))


@dcmd("walk", "?name [variable]", "walk data structure", complete=_complete_walker, explain=_explain_walk)
def cmd_walk(c) -> int:
    """Print each address the walker yields (``%lr``), or feed them to the next dcmd."""
    m = c.m
    args = c.args
    if not 1 <= len(args) <= 2 or not all(isinstance(a, str) for a in args):
        return USAGE
    var = args[1] if len(args) > 1 else None
    if var is not None:
        if var in m.vars.builtins():
            m.warn("variable %s is read-only\n", var)
            return ABORT
        bad = _BAD_ID.search(var)
        if bad:
            m.warn("'%c' may not be used in a variable name\n", bad.group())
            return ABORT
        m.pipe_vars.add(var)
    try:
        for addr in m.walk(args[0], c.addr if c.has_addr else None):
            if var is not None:
                m.vars.set(var, addr)
            c.printf("%lr\n", addr)
    except MemoryFault as e:
        m.warn("failed to perform walk", reason=e.reason)
        return ERR
    return OK


@dcmd("head", "-num|-n num", "limit number of elements in pipe",
      help="-n num\n or\n-num   pass only the first `num' elements in the pipe.\n\n"
           "%<b>Note:%</b> `num' is a decimal number.\n")
def cmd_head(c) -> int:
    """Pass on only the first N piped addresses (it takes the whole pipe at once)."""
    count = 10
    args = c.args
    if len(args) == 1 and isinstance(args[0], str) and args[0].startswith("-") and args[0][1:].isdigit():
        count = int(args[0][1:])
    elif len(args) == 2 and args[0] == "-n" and isinstance(args[1], str) and args[1].isdigit():
        count = int(args[1])
    elif args:
        return USAGE
    if not c.flags & PIPE:
        return OK
    for addr in c.m.take_pipe(c.addr)[:count]:
        c.printf("%lr\n" if c.pipe_out else "%lx\n", addr)
    return OK


# -- files: logging, macros, ::cat -------------------------------------------------------

@dcmd("cat", "[file ...]", "concatenate and display files")
def cmd_cat(c) -> int:
    if c.has_addr:
        return USAGE
    status = OK
    for a in c.args:
        if not isinstance(a, str):
            c.m.warn("expected string argument\n")
            status = ERR
            continue
        try:
            with open(a, encoding="utf-8", errors="replace") as f:
                c.m.out.flush()
                c.m._write_out(f.read())
        except OSError as e:
            c.m.warn("failed to open %s", a, reason=e.strerror)
            status = ERR
    return status


def _log(c, args: list) -> int:
    m = c.m
    opts, rest = getopts(args, {"d": "flag", "e": "flag"})
    if len(rest) > 1 or (opts.get("d") and (opts.get("e") or rest)) or c.has_addr:
        return USAGE
    if not args:
        if m.log is not None:
            c.printf("mdb: logging to \"%s\" is currently %s\n", m.log.name, "enabled")
        else:
            c.printf("mdb: no log is active\n")
        return OK
    if opts.get("d"):
        if m.log is None:
            m.warn("logging is already disabled\n")
        else:
            m.log.close()
            m.log = None
        return OK
    if not rest:
        m.warn("no log file has been selected\n")
        return ERR
    try:
        log = open(rest[0], "a", encoding="utf-8")
    except OSError as e:
        m.warn("failed to open %s", rest[0], reason=e.strerror)
        return ERR
    if m.log is not None:
        m.log.close()
    m.log = log
    c.printf("mdb: logging to \"%s\"\n", rest[0])
    return OK


@dcmd("log", "[-d | [-e] file]", "log session to a file")
def cmd_log(c) -> int:
    return _log(c, c.args)


@dcmd("$>", "[file]", "log session to a file")
def cmd_old_log(c) -> int:
    return _log(c, c.args or ["-d"])


def _macro(c) -> int:
    """``$<name``: no macro files here, so a type of that name is printed, as mdb falls back to."""
    from .print import print_type_fallback

    if len(c.args) != 1 or not isinstance(c.args[0], str):
        return USAGE
    if c.pipe_out:
        c.m.warn("macro files cannot be used as input to a pipeline\n")
        return ABORT
    status = print_type_fallback(c, c.args[0])
    if status is None:
        c.m.warn("failed to open %s (see ::help '$<')\n", c.args[0])
        return ABORT
    return status


@dcmd("$<", "macro-name", "replace input with macro")
def cmd_exec_file(c) -> int:
    return _macro(c)


@dcmd("$<<", "macro-name", "source macro")
def cmd_src_file(c) -> int:
    return _macro(c)

