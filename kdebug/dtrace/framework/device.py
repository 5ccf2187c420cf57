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
                      "stop", "close")

    def __init__(self, machine):
        self._machine = machine
        self._fw: Framework | None = None
        self._states: dict[int, State] = {}
        self._next = 0

    @property
    def fw(self) -> Framework:
        k = self._machine.kernel
        if self._fw is None or self._fw.k is not k:
            self._fw = Framework(k)
            self._states.clear()
        return self._fw

    def _state(self, handle) -> State:
        fw = self.fw
        st = self._states.get(handle) if type(handle) is int else None
        if st is None or st.fw is not fw:
            raise DeviceError("DTrace device not available on system")
        return st

    # -- the interface ------------------------------------------------------------------

    @_plain
    def open(self) -> int:
        fw = self.fw
        self._next += 1
        self._states[self._next] = State(fw)
        return self._next

    @_plain
    def conf(self, handle) -> dict:
        """The kernel as the consumer sees it at start: CPUs and the loaded modules' names."""
        st = self._state(handle)
        return {"ncpus": st.k.ncpus, "modules": [m.name for m in st.k.symtab.modules], "hrtime": st.k.hrtime}

    @_plain
    def probes(self, handle, desc=None, probe_id=None) -> list[dict]:
        """Probes matching ``desc`` ([provider, module, function, name] globs) or with ``probe_id``."""
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
        self._state(handle)
        p = self.fw.probes.lookup(probe_id) if type(probe_id) is int else None
        if p is None:
            raise DeviceError("Unknown probe identifier")
        return p.provider.args(self.fw, p)

    @_plain
    def enable(self, handle, ir, options=None) -> list:
        """Create the ECBs of ``ir``; returns [[epid, clause index, probe id], ...]."""
        st = self._state(handle)
        try:
            return st.enable(ir, options or {})
        except StateError as e:
            raise DeviceError(str(e)) from None

    @_plain
    def go(self, handle) -> dict:
        """Start tracing: BEGIN fires.  Refused for destructive actions without ``destructive``."""
        st = self._state(handle)
        if st.destructive and not st.options.get("destructive"):
            raise DeviceError("Destructive actions not allowed")
        st.started = True
        st.live = True
        self.fw.fire_for(st, self.fw.probes.lookup(1), 0, ())
        return {"hrtime": st.k.hrtime}

    @_plain
    def consume(self, handle) -> dict:
        return self._state(handle).consume()

    @_plain
    def snapshot_aggs(self, handle) -> dict:
        return self._state(handle).snapshot()

    @_plain
    def stop(self, handle) -> dict:
        """Stop tracing; END fires (once)."""
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
        st = self._states.pop(handle, None) if type(handle) is int else None
        if st is not None and st.fw is self._fw:
            st.live = False
            self._fw.remove_ecbs(st)
        return None


_DEVICES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def device_for(machine) -> Device:
    """The DTrace device of ``machine`` (one per machine)."""
    dev = _DEVICES.get(machine)
    if dev is None:
        dev = _DEVICES[machine] = Device(machine)
    return dev
