"""``kdebug lab``: list, start and work through the labs.

    kdebug lab list              every lab, one a line, its name first
    kdebug lab start NAME        prepare the host and show the first goal
    kdebug lab status            where you are
    kdebug lab hint              the next hint for this step (gentle first)
    kdebug lab check [ANSWER]    check your answer, or the state you reached
    kdebug lab reset [NAME]      forget progress (of one lab, or all)
"""

from __future__ import annotations

import getpass
import os
import shlex
import sys
import textwrap

from ..paths import state_file
from .engine import Lab, LabError, Progress, answer_matches, load_labs

__all__ = ["main"]

USAGE = "usage: kdebug lab list | start NAME | status | hint | check [ANSWER...] | reset [NAME]"
EXAMPLES = """examples:
  kdebug lab list
  kdebug lab start who-holds-the-lock
  kdebug lab hint
  kdebug lab check                 (when the step is something to do)
  kdebug lab check 'YOUR ANSWER'   (when the step asks a question)
"""


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def _wrap(text: str, indent: str = "  ") -> str:
    paras = [p.strip() for p in text.strip().split("\n\n")]
    out = []
    for p in paras:
        if p.startswith(("$ ", "#", ">", "kdebug ")) or "\n  " in p:
            out.append(textwrap.indent(p, indent))      # commands and examples as written
        else:
            out.append(textwrap.fill(" ".join(p.split()), 76, initial_indent=indent, subsequent_indent=indent,
                                     break_on_hyphens=False, break_long_words=False))   # kvm-debian8, UUIDs
    return "\n\n".join(out)


def _learner() -> str:
    return os.environ.get("KDEBUG_LEARNER") or getpass.getuser()


def _show_step(lab: Lab, n: int) -> None:
    step = lab.steps[n]
    _out(f"Step {n + 1} of {len(lab.steps)}:")
    _out(_wrap(step.goal))
    _out()
    if "answer" in step.check:
        _out("When you know the answer:  kdebug lab check ANSWER")
    else:
        _out("When you have done it:     kdebug lab check")
    _out("Stuck?                     kdebug lab hint")


def main(argv: list[str]) -> int:
    if argv[:1] in (["--help"], ["-h"]):
        sys.stdout.write(f"{USAGE}\n\nGuided labs: learn kernel debugging on the bhyve/kvm story.\n\n{EXAMPLES}")
        return 0
    if not argv:
        sys.stderr.write(f"{USAGE}\n")
        return 2
    cmd, args = argv[0], argv[1:]
    try:
        labs, errors = load_labs()
        for e in errors:
            sys.stderr.write(f"kdebug lab: {e}\n")
        by_name = {lab.name: lab for lab in labs}
        progress = Progress(state_file("labs.json"), _learner())
        handler = {"list": _list, "start": _start, "status": _status, "hint": _hint, "check": _check,
                   "reset": _reset}.get(cmd)
        if handler is None:
            sys.stderr.write(f"kdebug lab: unknown command '{cmd}'\n{USAGE}\n")
            return 2
        return handler(args, labs, by_name, progress)
    except LabError as e:
        sys.stderr.write(f"kdebug lab: {e}\n")
        return 1


def _list(args, labs, by_name, progress) -> int:
    width = max((len(lab.name) for lab in labs), default=0) + 2
    for lab in labs:
        state = progress.data["labs"].get(lab.name)
        mark = "" if state is None else "  (done)" if state.get("done") else "  (in progress)"
        _out(f"{lab.name:<{width}}{lab.title}{mark}")
    return 0


def _current(by_name, progress) -> Lab | None:
    name = progress.current
    if name is None or name not in by_name:
        sys.stderr.write("kdebug lab: no lab started (kdebug lab list, then kdebug lab start NAME)\n")
        return None
    return by_name[name]


def _start(args, labs, by_name, progress) -> int:
    if len(args) != 1:
        sys.stderr.write(f"{USAGE}\n")
        return 2
    lab = by_name.get(args[0])
    if lab is None:
        from ..suggest import did_you_mean
        sys.stderr.write(f"kdebug lab: no lab called '{args[0]}'{did_you_mean(args[0], by_name)}\n")
        return 1
    _out(f"Lab: {lab.title}")
    _out(_wrap(lab.summary))
    _out()
    if lab.dump:
        _show_dump(lab)
        _out()
    if lab.setup and _setup(lab) != 0:
        return 1
    progress.start(lab.name)
    progress.save()
    _show_step(lab, 0)
    return 0


def _show_dump(lab: Lab) -> None:
    """A dump lab: which crash dump, and how to open it."""
    if lab.dump:
        _out(f"Crash dump: {lab.dump} (open it with: kdebug mdb {lab.dump})")


def _setup(lab: Lab) -> int:
    """Prepare the host as the lab says: reboot onto its platform and seed, run its commands."""
    from ..host.client import HostError, HostUnavailable, connect
    from ..userland.shell import Shell, _Io

    def run(sh, lines) -> bool:
        for line in lines:
            io_ = _Io(capture_out=True, capture_err=True)
            res = sh.run_line(line, io_)
            if res.rc != 0:
                sys.stderr.write(f"kdebug lab: setting up failed at '{line}': "
                                 f"{io_.err_buf.decode(errors='replace').strip() or 'exit status ' + str(res.rc)}\n")
                return False
        return True

    try:
        host = connect()
        if not run(Shell(host, os.environ.get("KDEBUG_HOME")), lab.setup.get("before_reboot", [])):
            return 1
        if "platform" in lab.setup or "seed" in lab.setup:
            _out(f"(rebooting the host on {lab.setup.get('platform', 'its platform')}"
                 f"{', seed ' + str(lab.setup['seed']) if 'seed' in lab.setup else ''})")
            host.reboot(lab.setup.get("seed"), lab.setup.get("platform"))
        if not run(Shell(host, os.environ.get("KDEBUG_HOME")), lab.setup.get("commands", [])):
            return 1
    except (HostUnavailable, HostError) as e:
        sys.stderr.write(f"kdebug lab: {e}\n")
        return 1
    return 0


def _status(args, labs, by_name, progress) -> int:
    done = [lab.name for lab in labs if progress.data["labs"].get(lab.name, {}).get("done")]
    lab = by_name.get(progress.current) if progress.current else None
    if lab is None:
        _out("No lab in progress.")
    else:
        st = progress.lab(lab.name)
        _out(f"Lab: {lab.title} ({lab.name})")
        _show_dump(lab)
        if st.get("done"):
            _out("Complete.")
        else:
            _out(f"Hints used on this step: {st['hints']} of {len(lab.steps[st['step']].hints)}")
            _show_step(lab, st["step"])
    _out(f"Labs completed: {len(done)} of {len(labs)}" + (f" ({', '.join(done)})" if done else ""))
    return 0


def _hint(args, labs, by_name, progress) -> int:
    lab = _current(by_name, progress)
    if lab is None:
        return 1
    st = progress.lab(lab.name)
    if st.get("done"):
        _out("This lab is complete. kdebug lab list shows the others.")
        return 0
    step = lab.steps[st["step"]]
    if st["hints"] >= len(step.hints):
        _out("No more hints for this step." if step.hints else "This step has no hints.")
        return 0
    st["hints"] += 1
    progress.save()
    _out(f"Hint {st['hints']} of {len(step.hints)}:")
    _out(_wrap(step.hints[st["hints"] - 1]))
    return 0


def _check(args, labs, by_name, progress) -> int:
    lab = _current(by_name, progress)
    if lab is None:
        return 1
    st = progress.lab(lab.name)
    if st.get("done"):
        _out("This lab is complete. kdebug lab list shows the others.")
        return 0
    step = lab.steps[st["step"]]
    ok, detail = _passes(step.check, " ".join(args))
    if ok is None:
        sys.stderr.write(f"kdebug lab: {detail}\n")
        return 2
    if not ok:
        _out("Not yet." + (f" {detail}" if detail else "") +
             f" ({'kdebug lab hint gives a hint' if st.get('hints', 0) < len(step.hints) else 'kdebug lab status shows the goal again'}.)")
        return 1
    _out("Correct." if "answer" in step.check else "Done.")
    if step.explain:
        _out(_wrap(step.explain))
    st["step"] += 1
    st["hints"] = 0
    _out()
    if st["step"] >= len(lab.steps):
        st["done"] = True
        progress.save()
        _out(f"Lab complete: {lab.title}")
        following = [x for x in labs if not progress.data["labs"].get(x.name, {}).get("done")]
        if following:
            _out(f"Next: kdebug lab start {following[0].name}")
        return 0
    progress.save()
    _show_step(lab, st["step"])
    return 0


def _passes(check: dict, answer: str) -> tuple[bool | None, str]:
    """(passed, detail) for one step's check; passed None means the learner must give an answer."""
    import re

    if "answer" in check:
        if not answer.strip():
            return None, "this step wants an answer: kdebug lab check ANSWER"
        return answer_matches(answer, check["answer"]), ""
    out = _run_check(check)
    if out is None:
        return False, "(the host could not be reached)"
    return bool(re.search(check["expect"], out)), ""


def _run_check(check: dict) -> str | None:
    from ..host.client import HostError, HostUnavailable, connect
    from ..userland.shell import Shell, _Io

    line = check["host"] if "host" in check else f"echo {shlex.quote(check['mdb'])} | mdb -k"
    try:
        sh = Shell(connect(), os.environ.get("KDEBUG_HOME"))
    except (HostUnavailable, HostError):
        return None
    io_ = _Io(capture_out=True, capture_err=True)
    res = sh.run_line(line, io_)
    return res.out.decode("utf-8", "replace") + io_.err_buf.decode("utf-8", "replace")


def _reset(args, labs, by_name, progress) -> int:
    if len(args) > 1:
        sys.stderr.write(f"{USAGE}\n")
        return 2
    if args and args[0] not in by_name:
        sys.stderr.write(f"kdebug lab: no lab called '{args[0]}'\n")
        return 1
    progress.reset(args[0] if args else None)
    progress.save()
    _out(f"Progress of {args[0]} forgotten." if args else "All lab progress forgotten.")
    return 0
