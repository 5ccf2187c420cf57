"""The DTrace device (illumos /dev/dtrace): the framework's interface to consumers.

Every method takes and returns plain data (ints, strings, lists, dicts), so
the host daemon can serve it over its socket unchanged (``REMOTE_METHODS``).
A consumer opens a handle, asks which probes match its descriptions,
enables its compiled IR, starts tracing, consumes records, snapshots
aggregations, stops (END fires) and closes.

``device_for(machine)`` gives the one device of a host; it follows reboots
(a reboot's new kernel gets a new framework; old handles are gone).
"""

from __future__ import annotations

import functools
import weakref

from .core import Framework
from .state import State, StateError

__all__ = ["Device", "DeviceError", "device_for"]


class DeviceError(Exception):
    """A request failed; ``str()`` is libdtrace's reason text."""


def _plain(method):
    """A failed request answers ``{"error": reason}`` rather than raising (it may cross a socket)."""
    @functools.wraps(method)
    def wrapper(self, *args):
        try:
            return method(self, *args)
        except (DeviceError, StateError) as e:
            return {"error": str(e)}
    return wrapper


class Device:
    """Methods answer plain data; a failure is ``{"error": reason}``."""

    REMOTE_METHODS = ("open", "conf", "probes", "probe_args", "enable", "go", "consume", "snapshot_aggs",
                      "stop", "close", "replay_step")

    def __init__(self, machine):
        self._machine = machine
        self._fw: Framework | None = None
        self._states: dict[int, State] = {}
        self._replays: dict[int, _Replay] = {}
        self._next = 0

    @property
    def fw(self) -> Framework:
        k = self._machine.kernel
        if self._fw is None or self._fw.k is not k:
            self._fw = Framework(k)
            self._states.clear()
        return self._fw

    def _route(self, handle):
        """(device, handle) that serve ``handle``: this device, or a replay's replica."""
        rp = self._replays.get(handle) if type(handle) is int else None
        return (rp.device, rp.handle) if rp is not None else (self, handle)

    def _state(self, handle) -> State:
        fw = self.fw
        st = self._states.get(handle) if type(handle) is int else None
        if st is None or st.fw is not fw:
            raise DeviceError("DTrace device not available on system")
        return st

    # -- the interface ------------------------------------------------------------------

    @_plain
    def open(self, replay_since: int | None = None, consumer: dict | None = None) -> int:
        """A new consumer.  With ``replay_since`` (ns since boot), a consumer of the past: its probes
        are enabled on a replica of this host booted as it was (see kdebug.host.recorder), and
        :meth:`replay_step` plays the host's inputs since boot into it, tracing from that time on.
        ``consumer`` names the consumer's process ({"pid", "ppid"}): BEGIN and END fire in it."""
        self._next += 1
        consumer = consumer if isinstance(consumer, dict) else {}
        who = {k: consumer[k] for k in ("pid", "ppid") if type(consumer.get(k)) is int}
        if replay_since is not None:
            from ...host.recorder import RecorderOverflow
            try:
                replica = self._machine.recorder.replica(defer_userland=True)
            except RecorderOverflow as e:
                raise DeviceError(str(e)) from None
            dev = device_for(replica)
            self._replays[self._next] = _Replay(replica, dev, dev.open(None, who), int(replay_since),
                                                self._machine.recorder)
        else:
            self._states[self._next] = State(self.fw, **who)
        return self._next

    @_plain
    def replay_step(self, handle, inputs: int = 50) -> dict:
        """Play up to ``inputs`` more of the host's inputs into a replay; the first step finishes
        the replica's boot.  Returns {"done": whether all are played, "hrtime": replica time}."""
        rp = self._replays.get(handle) if type(handle) is int else None
        if rp is None:
            raise DeviceError("not a replay")
        st = rp.device._state(rp.handle)
        m = rp.machine
        if not rp.tracing and m.now >= rp.since:
            rp.start_tracing(st)
        m.finish_boot()
        end = min(rp.cursor + max(1, int(inputs)), rp.count)
        for i in range(rp.cursor, end):
            entry = rp.source.inputs[i]
            if not rp.tracing and entry[0] == "advance_to" and entry[1] >= rp.since:
                m.advance_to(rp.since)            # tracing starts on the dot
                rp.start_tracing(st)
            rp.source.replay(m, i, i + 1)
            if not rp.tracing and m.now >= rp.since:
                rp.start_tracing(st)
        rp.cursor = end
        return {"done": end >= rp.count, "hrtime": m.now}

    @_plain
    def conf(self, handle) -> dict:
        """The kernel as the consumer sees it at start: CPUs and the loaded modules' names."""
        dev, h = self._route(handle)
        if dev is not self:
            return dev.conf(h)
        st = self._state(handle)
        return {"ncpus": st.k.ncpus, "modules": [m.name for m in st.k.symtab.modules], "hrtime": st.k.hrtime}

    @_plain
    def probes(self, handle, desc=None, probe_id=None) -> list[dict]:
        """Probes matching ``desc`` ([provider, module, function, name] globs) or with ``probe_id``."""
        dev, h = self._route(handle)
        if dev is not self:
            return dev.probes(h, desc, probe_id)
        self._state(handle)
        fw = self.fw
        if probe_id is not None:
            p = fw.probes.lookup(probe_id) if type(probe_id) is int else None
            return [p.describe()] if p is not None else []
        if desc is None:
            return [p.describe() for p in fw.probes.probes]
        if not isinstance(desc, list) or len(desc) != 4 or not all(isinstance(x, str) for x in desc):
            raise DeviceError("Invalid probe description")
        fw.provide(desc)
        return [p.describe() for p in fw.probes.match(desc)]

    @_plain
    def probe_args(self, handle, probe_id) -> list[str]:
        dev, h = self._route(handle)
        if dev is not self:
            return dev.probe_args(h, probe_id)
        self._state(handle)
        p = self.fw.probes.lookup(probe_id) if type(probe_id) is int else None
        if p is None:
            raise DeviceError("Unknown probe identifier")
        return p.provider.args(self.fw, p)

    @_plain
    def enable(self, handle, ir, options=None) -> list:
        """Create the ECBs of ``ir``; returns [[epid, clause index, probe id], ...]."""
        dev, h = self._route(handle)
        if dev is not self:
            return dev.enable(h, ir, options)
        st = self._state(handle)
        try:
            return st.enable(ir, options or {})
        except StateError as e:
            raise DeviceError(str(e)) from None

    @_plain
    def go(self, handle) -> dict:
        """Start tracing: BEGIN fires.  Refused for destructive actions without ``destructive``."""
        dev, h = self._route(handle)
        if dev is not self:
            r = dev.go(h)
            rp = self._replays[handle]
            if not rp.tracing and "error" not in r:     # a replay traces from its start time on
                dev._state(h).live = False
            return r
        st = self._state(handle)
        if st.destructive and not st.options.get("destructive"):
            raise DeviceError("Destructive actions not allowed")
        st.started = True
        st.live = True
        self.fw.fire_for(st, self.fw.probes.lookup(1), 0, ())
        return {"hrtime": st.k.hrtime}

    @_plain
    def consume(self, handle) -> dict:
        dev, h = self._route(handle)
        if dev is not self:
            return dev.consume(h)
        return self._state(handle).consume()

    @_plain
    def snapshot_aggs(self, handle) -> dict:
        dev, h = self._route(handle)
        if dev is not self:
            return dev.snapshot_aggs(h)
        return self._state(handle).snapshot()

    @_plain
    def stop(self, handle) -> dict:
        """Stop tracing; END fires (once)."""
        dev, h = self._route(handle)
        if dev is not self:
            return dev.stop(h)
        st = self._state(handle)
        st.live = False
        if st.started and not st.stopped:
            st.stopped = True
            self.fw.fire_for(st, self.fw.probes.lookup(2), 0, ())
        return {"hrtime": st.k.hrtime}

    def summary(self) -> dict:
        """Consumers open and probes enabled now (for ``kdebug host status``)."""
        if self._fw is None or self._fw.k is not self._machine.kernel:
            return {"consumers": 0, "enabled_probes": 0}
        return {"consumers": len(self._states),
                "enabled_probes": sum(1 for p in self._fw.probes.probes if p.enabled)}

    @_plain
    def close(self, handle) -> None:
        rp = self._replays.pop(handle, None) if type(handle) is int else None
        if rp is not None:
            rp.device.close(rp.handle)
            rp.machine.close()
            return None
        st = self._states.pop(handle, None) if type(handle) is int else None
        if st is not None and st.fw is self._fw:
            st.live = False
            self._fw.remove_ecbs(st)
        return None


class _Replay:
    """A consumer of the past: the replica machine, its device and handle, how far the inputs
    have been played, and the time tracing starts."""

    def __init__(self, machine, device, handle: int, since: int, source):
        self.machine, self.device, self.handle, self.since = machine, device, handle, since
        self.source = source                   # the live host's recorder ...
        self.count = len(source.inputs)        # ... and the inputs to play: those until now
        self.cursor = 0
        self.tracing = since <= 0

    def start_tracing(self, st) -> None:
        self.tracing = True
        st.live = st.started and not st.stopped


_DEVICES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def device_for(machine) -> Device:
    """The DTrace device of ``machine`` (one per machine)."""
    dev = _DEVICES.get(machine)
    if dev is None:
        dev = _DEVICES[machine] = Device(machine)
    return dev
