"""Labs: guided exercises on the simulated host, one TOML file each.

A lab file (``kdebug/labs/NAME.toml``)::

    name = "who-holds-the-lock"          # the file's stem
    title = "Who holds the HVM exclusion lock?"
    order = 10                           # its place in `kdebug lab list`
    summary = "Read a kernel global with mdb."

    [setup]                              # what `kdebug lab start` does to the host
    platform = "joyent_20180329T002644Z" # reboot onto this platform ...
    seed = 0                             # ... with this seed (omit both: no reboot)
    before_reboot = ["vmadm update ..."] # host commands to run first (what the reboot must see)
    commands = ["vmadm stop ..."]        # then run these host commands, in order

    [[steps]]
    goal = "Start the kvm VM, then find out which hypervisor holds the lock."
    hints = ["gentle", "closer", "nearly the answer"]
    explain = "shown once the step is solved"
    check = { answer = ["SmartOS KVM"] }                 # what the learner answers, or
    check = { host = "vmadm list -H -o state", expect = "running" }   # the host's state, or
    check = { mdb = "hvm_excl_holder::print", expect = "SmartOS KVM" } # the kernel's state

``expect`` is a regular expression searched in the output; ``answer``
entries are matched case-insensitively, ignoring blanks at the ends (an
entry starting with ``re:`` is a regular expression).  A file that breaks
these rules is refused with one line naming it and the problem.

A lab about a crash dump names it at the top level::

    dump = "emy-17-crash"                # a shipped fixture, fixtures/emy-17-crash.kdump

The fixture must exist (``kdebug mdb NAME`` opens it).  ``kdebug lab
start`` tells the learner how to open it; the dump never changes, so its
steps are ``answer`` checks (``host`` and ``mdb`` checks still read the
live host).  A dump lab without ``[setup]`` does not start the host.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Lab", "Step", "LabError", "load_lab", "load_labs", "labs_dir", "Progress", "answer_matches"]

_ALLOWED_TOP = {"name", "title", "order", "summary", "setup", "steps", "tools", "dump"}
_ALLOWED_SETUP = {"platform", "seed", "before_reboot", "commands"}
_ALLOWED_STEP = {"goal", "hints", "explain", "check"}


class LabError(Exception):
    """A lab file that cannot be used; ``str()`` is ``"FILE: reason"``."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass
class Step:
    goal: str
    hints: list[str]
    explain: str
    check: dict


@dataclass
class Lab:
    name: str
    title: str
    order: int
    summary: str
    steps: list[Step]
    setup: dict = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    path: str = ""
    dump: str = ""                      # a shipped crash dump the lab reads (fixture name), or ""


def labs_dir() -> Path:
    """Where the shipped labs are (``KDEBUG_LABS`` overrides it, for tests and authors)."""
    override = os.environ.get("KDEBUG_LABS")
    return Path(override) if override else Path(__file__).resolve().parent


def _need(cond: bool, path, reason: str) -> None:
    if not cond:
        raise LabError(path, reason)


def _text(value, path, what: str) -> str:
    _need(isinstance(value, str) and value.strip() != "", path, f"{what} must be non-empty text")
    return value.strip()


def load_lab(path: str | os.PathLike) -> Lab:
    """Read and check one lab file; raises LabError."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise LabError(path, e.strerror or str(e)) from None
    except UnicodeDecodeError:
        raise LabError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise LabError(path, f"not valid TOML ({e})") from None
    unknown = set(data) - _ALLOWED_TOP
    _need(not unknown, path, f"unknown field '{sorted(unknown)[0]}'" if unknown else "")
    for key in ("name", "title", "summary"):
        _need(key in data, path, f"missing field '{key}'")
    name = _text(data["name"], path, "name")
    _need(name == path.stem, path, f"name '{name}' does not match the file name '{path.stem}'")
    order = data.get("order", 1000)
    _need(isinstance(order, int) and not isinstance(order, bool), path, "order must be an integer")
    setup = data.get("setup", {})
    _need(isinstance(setup, dict), path, "setup must be a table")
    unknown = set(setup) - _ALLOWED_SETUP
    _need(not unknown, path, f"unknown setup field '{sorted(unknown)[0]}'" if unknown else "")
    if "seed" in setup:
        _need(isinstance(setup["seed"], int) and not isinstance(setup["seed"], bool), path,
              "setup.seed must be an integer")
    if "platform" in setup:
        from ..kernel.boot import PLATFORMS
        _need(setup["platform"] in PLATFORMS, path, f"unknown platform '{setup['platform']}'")
    for key in ("before_reboot", "commands"):
        cmds = setup.get(key, [])
        _need(isinstance(cmds, list) and all(isinstance(c, str) and c.strip() for c in cmds), path,
              f"setup.{key} must be a list of command lines")
    steps_data = data.get("steps")
    _need(isinstance(steps_data, list) and steps_data, path, "a lab needs at least one [[steps]]")
    steps = [_step(s, i + 1, path) for i, s in enumerate(steps_data)]
    tools = data.get("tools", [])
    _need(isinstance(tools, list) and all(isinstance(t, str) for t in tools), path, "tools must be a list of names")
    dump = _dump(data["dump"], path) if "dump" in data else ""
    return Lab(name, _text(data["title"], path, "title"), order, _text(data["summary"], path, "summary"),
               steps, dict(setup), list(tools), str(path), dump)


def _dump(value, path) -> str:
    """The fixture name of a lab's ``dump`` (without ``.kdump``); it must be shipped."""
    from ..resources import fixture_path

    name = _text(value, path, "dump")
    name = name[: -len(".kdump")] if name.endswith(".kdump") else name
    _need("/" not in name and fixture_path(f"{name}.kdump").is_file(), path, f"no shipped dump '{name}'")
    return name


def _step(s, n: int, path) -> Step:
    _need(isinstance(s, dict), path, f"step {n} must be a table")
    unknown = set(s) - _ALLOWED_STEP
    _need(not unknown, path, f"step {n}: unknown field '{sorted(unknown)[0]}'" if unknown else "")
    _need("goal" in s and "check" in s, path, f"step {n} needs a goal and a check")
    hints = s.get("hints", [])
    _need(isinstance(hints, list) and all(isinstance(h, str) and h.strip() for h in hints), path,
          f"step {n}: hints must be a list of text")
    check = s["check"]
    _need(isinstance(check, dict), path, f"step {n}: check must be a table")
    kinds = [k for k in ("answer", "host", "mdb") if k in check]
    _need(len(kinds) == 1, path, f"step {n}: check needs exactly one of answer, host, mdb")
    if kinds[0] == "answer":
        answers = check["answer"]
        _need(isinstance(answers, list) and answers and all(isinstance(a, str) and a.strip() for a in answers),
              path, f"step {n}: check.answer must be a list of accepted answers")
        for a in answers:
            if a.startswith("re:"):
                _regex(a[3:], path, n)
        _need(set(check) == {"answer"}, path, f"step {n}: an answer check takes nothing else")
    else:
        _need(isinstance(check[kinds[0]], str) and check[kinds[0]].strip(), path,
              f"step {n}: check.{kinds[0]} must be a command line")
        _need(isinstance(check.get("expect"), str), path, f"step {n}: check.expect must be a regular expression")
        _regex(check["expect"], path, n)
        _need(set(check) <= {kinds[0], "expect"}, path, f"step {n}: unknown check field")
    return Step(_text(s["goal"], path, f"step {n} goal"), [h.strip() for h in hints],
                s.get("explain", "").strip(), dict(check))


def _regex(text: str, path, n: int) -> None:
    try:
        re.compile(text)
    except re.error as e:
        raise LabError(path, f"step {n}: bad regular expression ({e})") from None


def load_labs(directory: Path | None = None) -> tuple[list[Lab], list[LabError]]:
    """Every lab in ``directory`` (sorted by order, then name) and the errors of broken files."""
    directory = directory or labs_dir()
    labs, errors = [], []
    for path in sorted(directory.glob("*.toml")):
        try:
            labs.append(load_lab(path))
        except LabError as e:
            errors.append(e)
    labs.sort(key=lambda lab: (lab.order, lab.name))
    return labs, errors


def answer_matches(answer: str, accepted: list[str]) -> bool:
    """Does the learner's ``answer`` match one of the ``accepted`` forms?"""
    given = " ".join(answer.split()).strip("\"'").lower()
    for acc in accepted:
        if acc.startswith("re:"):
            if re.fullmatch(acc[3:], given, re.IGNORECASE):
                return True
        elif given == " ".join(acc.split()).lower():
            return True
    return False


class Progress:
    """One learner's progress, in ``labs.json`` in the state directory."""

    def __init__(self, path: Path, learner: str):
        self.path = path
        self.learner = learner
        self._all = self._read()
        self.data = self._all.setdefault(learner, {"current": None, "labs": {}})

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            raise LabError(self.path, "progress file is corrupt; move it away to start afresh") from None
        if not isinstance(data, dict):
            raise LabError(self.path, "progress file is corrupt; move it away to start afresh")
        return data

    def save(self) -> None:
        tmp = self.path.with_suffix(".json.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(self._all, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    @property
    def current(self) -> str | None:
        return self.data.get("current")

    def lab(self, name: str) -> dict:
        return self.data["labs"].setdefault(name, {"step": 0, "hints": 0, "done": False})

    def start(self, name: str) -> dict:
        self.data["current"] = name
        self.data["labs"][name] = {"step": 0, "hints": 0, "done": False}
        return self.data["labs"][name]

    def reset(self, name: str | None = None) -> None:
        if name is None:
            self.data["labs"].clear()
            self.data["current"] = None
        else:
            self.data["labs"].pop(name, None)
            if self.data.get("current") == name:
                self.data["current"] = None
