"""``kdebug dtrace -x json``: every record, aggregation, fault and drop as one JSON object a line.

The same output interface as :class:`~.output.TextOutput` (the handle feeds
both alike), rendered as NDJSON on standard output (or the ``-o`` file).
The schema, one object per line, each with a ``type``:

``record``
    ``{"type": "record", "cpu": 0, "id": 1, "probe": "dtrace:::BEGIN", "epid": 1, "data": [...]}``:
    one probe firing of one clause; ``data`` holds its actions in order:
    ``{"action": "trace", "value": 1}`` (an integer, read as dtrace prints
    it, or a string), ``{"action": "printf", "text": "..."}`` (also printa
    with a format, system()), ``{"action": "stack", "frames": [...]}``
    (innermost first, ``module`function+0xoff`` or ``0x...``),
    ``{"action": "sym", "value": "..."}`` (sym/func/mod and the like),
    ``{"action": "tracemem", "bytes": "hex"}``.
``aggregation``
    ``{"type": "aggregation", "name": "@", "func": "count", "entries": [{"keys": [...], "value": 3}]}``:
    printed at exit (or by printa() without a format), entries in dtrace's
    order; a key is an integer, a string or a list of frames (a stack); the
    value of quantize/lquantize/llquantize is ``{"buckets": [[lower bound or
    "< N"/">= N", count], ...]}`` (non-zero buckets), of avg and stddev the
    number dtrace would print.
``fault``
    ``{"type": "fault", "epid": 1, "probe": "dtrace:::BEGIN", "fault": "invalid address",
    "addr": 0, "where": "action #1", "message": "error on enabled probe ID ..."}``.
``drop``
    ``{"type": "drop", "kind": "principal", "cpu": 0, "count": 3, "message": "3 drops on CPU 0"}``;
    kinds: principal, aggregation, dynamic, speculative, error, speculation-unavailable.
``error``
    ``{"type": "error", "message": "..."}``: any other consumer error.

Notices ("matched N probes") stay on standard error, as text.
"""

from __future__ import annotations

import json

from .output import TextOutput, _datum

__all__ = ["JSONOutput"]


class JSONOutput(TextOutput):
    def __init__(self, out, err, options, symbolize):
        super().__init__(out, err, options, symbolize)
        self.current: dict | None = None

    def emit(self, obj: dict) -> None:
        self.out.write(json.dumps(obj, sort_keys=False) + "\n")

    def write(self, text: str) -> None:
        """Layout text of the text renderer (blank lines, the end-of-run newline): not data."""

    # -- diagnostics ---------------------------------------------------------------------

    def error(self, text: str) -> None:
        self.emit({"type": "error", "message": text})

    def drop(self, kind: str, cpu: int | None, count: int, text: str) -> None:
        self.emit({"type": "drop", "kind": kind, "cpu": cpu, "count": count, "message": text})

    def fault(self, info: dict, text: str) -> None:
        self.emit({"type": "fault", **info, "message": text})

    # -- records -----------------------------------------------------------------------------

    def begin_record(self, cpu: int, probe: dict) -> None:
        name = ":".join(probe[f] for f in ("provider", "module", "function", "name"))
        self.current = {"type": "record", "cpu": cpu, "id": probe["id"], "probe": name, "data": []}

    def end_record(self) -> None:
        if self.current is not None:
            self.emit(self.current)
            self.current = None

    def _add(self, item: dict) -> None:
        if self.current is not None:
            self.current["data"].append(item)

    def trace_int(self, value: int, size: int, signed: bool) -> None:
        self._add({"action": "trace", "value": _datum(value, size)})

    def trace_str(self, s: str, strsize: int) -> None:
        self._add({"action": "trace", "value": s})

    def hexdump(self, data: bytes) -> None:
        self._add({"action": "tracemem", "bytes": data.hex()})

    def text(self, s: str) -> None:
        if self.current is None:        # printa() outside a record: part of no firing
            if s.strip():
                self.emit({"type": "printf", "text": s})
            return
        data = self.current["data"]
        if data and data[-1]["action"] == "printf":
            data[-1]["text"] += s
        else:
            data.append({"action": "printf", "text": s})

    def stack(self, frames: list[str]) -> None:
        self._add({"action": "stack", "frames": list(frames)})

    def sym(self, text: str) -> None:
        self._add({"action": "sym", "value": text})

    # -- aggregations -------------------------------------------------------------------------

    def aggregation(self, view) -> None:
        entries = []
        for keys, v in view.entries:
            entries.append({"keys": [self._key(s, k) for s, k in zip(view.keyspecs, keys)],
                            "value": self._value(view, v)})
        self.emit({"type": "aggregation", "name": "@" + (view.name or ""), "func": view.func,
                   "entries": entries})

    def _key(self, spec, k):
        if spec == "str":
            return k
        if spec in ("stack", "ustack"):
            return self.frames(spec, k)
        if isinstance(spec, str) and spec.startswith("sym:"):
            return self.symbolize_how(spec[4:], k)
        return _datum(k, spec[0])

    def _value(self, view, v):
        if isinstance(v, dict):
            return {"buckets": [[label, count] for label, count in self.buckets(view, v)]}
        return int(self.value_text(view, v))
