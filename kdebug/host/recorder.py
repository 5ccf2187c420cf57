"""The host's flight recorder: what came into the machine since it booted, so the past can be replayed.

The simulated machine is deterministic: the same boot (configuration, seed,
VM store, files) and the same inputs in the same order (userland commands,
the clock moving on, processes made for ``dtrace -c``, ``mdb -kw`` writes)
give the same kernel events, byte for byte.  So instead of recording every
kernel event (which would cost every kernel call something), the recorder
keeps the boot and the inputs, and a replay runs them again on a copy of
the machine, with a D program enabled from the start: ``kdebug dtrace
--replay`` traces what already happened, the boot race included.

Bounded: at most :data:`MAX_INPUTS` inputs per boot (consecutive clock
moves count once); after that the recorder says it overflowed.
"""

from __future__ import annotations

import copy

__all__ = ["Recorder", "MAX_INPUTS", "RecorderOverflow"]

MAX_INPUTS = 100_000


class RecorderOverflow(Exception):
    """The recorder dropped inputs: the past cannot be replayed whole."""


class Recorder:
    """The boot of one machine's current kernel and the inputs since."""

    def __init__(self, config, vms: list[dict], files: dict[str, str]):
        self.config = config
        self.vms = copy.deepcopy(vms)
        self.files = dict(files)
        self.inputs: list[tuple] = []
        self.overflowed = False

    def add(self, entry: tuple) -> None:
        if self.inputs and entry[0] == "advance_to" and self.inputs[-1][0] == "advance_to":
            self.inputs[-1] = entry          # the clock moved on again: only where it got to matters
            return
        if len(self.inputs) >= MAX_INPUTS:
            self.overflowed = True
            return
        self.inputs.append(entry)

    def replica(self, defer_userland: bool = False):
        """A new machine booted as this one was (with ``defer_userland``, stopped once its kernel
        is up, so that a replay's probes can be enabled before the userland starts)."""
        if self.overflowed:
            raise RecorderOverflow(f"the flight recorder kept only the first {MAX_INPUTS} inputs since boot")
        from .machine import Machine
        return Machine(self.config, vms=self.vms, files=self.files, defer_userland=defer_userland)

    def replay(self, machine, start: int = 0, stop: int | None = None) -> int:
        """Feed inputs ``start``..``stop`` to ``machine`` (a replica); returns where it stopped."""
        from .machine import SpawnError

        end = len(self.inputs) if stop is None else min(stop, len(self.inputs))
        for op, *args in self.inputs[start:end]:
            if op == "run":
                machine.run(*args)
            elif op == "advance_to":
                machine.advance_to(*args)
            elif op == "spawn":
                try:
                    machine.spawn(*args)
                except SpawnError:          # it failed live too: the process came and went
                    pass
            elif op == "release":
                machine.release(*args)
            elif op == "write":
                machine.write_kernel(*args)
        return end
