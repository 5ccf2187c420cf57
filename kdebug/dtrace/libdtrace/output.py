"""Output as an interface fed typed data (bpftrace's output.h), with dtrace's text renderer.

The consumer calls one method per thing to show: the start and end of a
probe record, a traced integer or string, printf text, a stack as resolved
frames, an aggregation as typed entries, diagnostics.  :class:`TextOutput`
writes dtrace(1M)'s exact layouts (reference sections 2-5); another
renderer (JSON) can implement the same methods.
"""

from __future__ import annotations

from .. import buckets

__all__ = ["TextOutput", "AggView"]


class AggView:
    """One aggregation to print: its function, parameters, key specs and sorted entries."""

    def __init__(self, func: str, params: list, keyspecs: list, entries: list, normal: int = 1, name: str = ""):
        self.name = name            # without the @ ("" for the anonymous @)
        self.func = func
        self.params = params
        self.keyspecs = keyspecs
        self.entries = entries
        self.normal = normal


def _printable(s: str) -> bool:
    return all(c.isprintable() or c in "\n\t\r" for c in s)


class TextOutput:
    def __init__(self, out, err, options, symbolize):
        self.out = out
        self.err = err
        self.options = options
        self.symbolize = symbolize      # (pc, with_offset[, pid of a user address]) -> text
        self.header_done = False
        self.flow_depth = 0

    def write(self, text: str) -> None:
        self.out.write(text)

    def flush(self) -> None:
        self.out.flush()

    # -- diagnostics --------------------------------------------------------------------

    def notice(self, text: str) -> None:
        if not self.options["quiet"]:
            self.err.write(f"dtrace: {text}\n")

    def error(self, text: str) -> None:
        self.err.write(f"dtrace: {text}\n")

    def drop(self, kind: str, cpu: int | None, count: int, text: str) -> None:
        """Records lost (``kind``: principal, aggregation, dynamic, ...): dtrace's line."""
        self.error(text)

    def fault(self, info: dict, text: str) -> None:
        """A runtime fault in a clause: dtrace's "error on enabled probe" line."""
        self.error(text)

    # -- records --------------------------------------------------------------------------

    def begin_record(self, cpu: int, probe: dict) -> None:
        func, name = probe["function"], probe["name"]
        if self.options["flowindent"]:
            if not self.header_done:
                self.write("%3s %-41s\n" % ("CPU", "FUNCTION"))
                self.header_done = True
            entry = name == "entry" or name.endswith("-entry")
            ret = name == "return" or name.endswith("-return")
            if ret and self.flow_depth >= 2:
                self.flow_depth -= 2
            syscall = probe["provider"] == "syscall"
            if entry:
                text = " " * self.flow_depth + (" => " if syscall else " -> ") + func
                self.flow_depth += 2
            elif ret:
                text = " " * self.flow_depth + (" <= " if syscall else " <- ") + func
            else:
                text = " " * self.flow_depth + " | " + f"{func}:{name}"
            self.write("%3d %-41s " % (cpu, text))
            return
        if self.options["quiet"]:
            return
        if not self.header_done:
            self.write("%3s %6s %32s\n" % ("CPU", "ID", "FUNCTION:NAME"))
            self.header_done = True
        self.write("%3d %6d %32s " % (cpu, probe["id"], f"{func}:{name}"))

    def end_record(self) -> None:
        if not self.options["quiet"]:
            self.write("\n")

    def trace_int(self, value: int, size: int, signed: bool) -> None:
        value = _datum(value, size)
        if self.options["quiet"]:
            self.write("%d" % value)
        else:
            self.write({8: " %16d", 4: " %8d", 2: " %5d", 1: " %3d"}.get(size, " %16d") % value)

    def trace_str(self, s: str, strsize: int) -> None:
        if s and _printable(s) and not self.options["rawbytes"]:
            self.write(s if self.options["quiet"] else "  %-33s" % s)
            return
        raw = s.encode("latin-1", "replace")
        self.hexdump(raw + b"\0" * (strsize - len(raw)))

    def hexdump(self, data: bytes) -> None:
        out = ["\n", " " * 11, "".join("  %x" % i for i in range(16)), "  0123456789abcdef\n"]
        for off in range(0, len(data), 16):
            chunk = data[off:off + 16]
            out.append("     %5x:" % off)
            out.append("".join(" %02x" % b for b in chunk) + "   " * (16 - len(chunk)))
            out.append("  " + "".join(chr(b) if 32 <= b < 127 else "." for b in chunk) + "\n")
        self.write("".join(out))

    def text(self, s: str) -> None:
        self.write(s)

    def stack_text(self, frames: list[str], indent: int | None = None) -> str:
        ind = " " * (self.options["stackindent"] if indent is None else indent)
        return "\n" + "".join(f"{ind}{f}\n" for f in frames)

    def frames(self, spec: str, v) -> list[str]:
        """A recorded stack's frames as text: kernel pcs, or a user stack (pid, pcs...) named
        from that process."""
        if spec == "ustack":
            return [self.symbolize(pc, True, v[0]) for pc in v[1:]]
        return [self.symbolize(pc, True) for pc in v]

    def stack(self, frames: list[str]) -> None:
        self.write(self.stack_text(frames))

    def sym(self, text: str) -> None:
        self.write("  %-50s" % text)

    # -- aggregations ------------------------------------------------------------------------

    def key_text(self, spec, v) -> str:
        if spec == "str":
            return "  %-50s" % v
        if spec in ("stack", "ustack"):
            return self.stack_text(self.frames(spec, v))
        if isinstance(spec, str) and spec.startswith("sym:"):
            return "  %-50s" % self.symbolize_how(spec[4:], v)
        size, signed = spec
        fmt = {8: " %16d", 4: " %8d", 2: " %5d", 1: " %3d"}.get(size, " %16d")
        return fmt % _datum(v, size)

    def symbolize_how(self, how: str, v) -> str:
        """func(), sym(), mod() of a kernel address; ufunc() ... of a user one, recorded as (pid, addr)."""
        pid, pc = v if how.startswith("u") else (None, v)
        if how in ("mod", "umod"):
            text = self.symbolize(pc, False, pid)
            return text.split("`")[0] if "`" in text else text
        return self.symbolize(pc, how == "uaddr", pid)

    def aggregation(self, view: AggView) -> None:
        stacks = any(s in ("stack", "ustack") for s in view.keyspecs)
        if self.options["stackfmt"] == "folded" and stacks and not view.func.endswith("quantize"):
            self.folded(view)
            return
        for keys, v in view.entries:
            self.write("".join(self.key_text(s, k) for s, k in zip(view.keyspecs, keys)))
            self.write(self.value_text(view, v) + "\n")

    def folded(self, view: AggView) -> None:
        """kdebug's ``-x stackfmt=folded``: one line per entry, the flame-graph tools' input:
        the keys joined by ';' (a stack's frames outermost first), a space, the value."""
        for keys, v in view.entries:
            parts = []
            for spec, k in zip(view.keyspecs, keys):
                if spec in ("stack", "ustack"):
                    parts += self.frames(spec, k)[::-1]
                else:
                    parts.append(self.key_text(spec, k).strip())
            self.write(";".join(p.replace(";", ":") for p in parts) + " " + self.value_text(view, v).strip() + "\n")

    def value_text(self, view: AggView, v) -> str:
        func = view.func
        if isinstance(v, dict):
            return self.histogram(view, v)
        from .aggregate import scalar_value
        n = scalar_value(func, v)
        if view.normal != 1:
            n = _tdiv(n, view.normal)
        return " %16d" % (n & ((1 << 64) - 1) if func == "stddev" else n)

    def _hist_rows(self, view: AggView, h: dict):
        """(rows to print, label(i) -> int or "< N"/">= N" text, counts by bucket) of a histogram."""
        func, params = view.func, view.params
        if func == "quantize":
            lo_idx, hi_idx = 0, buckets.QUANTIZE_BUCKETS - 1
            label = buckets.quantize_value
            empty = [buckets.QUANTIZE_ZERO - 1, buckets.QUANTIZE_ZERO, buckets.QUANTIZE_ZERO + 1]
        elif func == "lquantize":
            base, limit, step = params
            levels = (limit - base) // step
            lo_idx, hi_idx = 0, levels + 1

            def label(i):
                if i == 0:
                    return f"< {base}"
                if i == levels + 1:
                    return f">= {base + levels * step}"
                return base + (i - 1) * step
            empty = [0, 1, 2]
        else:
            bounds = buckets.llquantize_bounds(*params)
            lo_idx, hi_idx = 0, len(bounds)

            def label(i):
                if i == 0:
                    return f"< {bounds[0]}"
                if i == len(bounds):
                    return f">= {bounds[-1]}"
                return bounds[i - 1]
            empty = [0, 1]
        counts = {b: c for b, c in h.items() if c}
        if view.normal != 1:
            counts = {b: _tdiv(c, view.normal) for b, c in counts.items()}
        if counts:
            first, last = min(counts), max(counts)
            rows = list(range(max(first - 1, lo_idx), min(last + 1, hi_idx) + 1))
        else:
            rows = empty
        return rows, label, counts

    def buckets(self, view: AggView, h: dict) -> list:
        """The non-zero buckets of a histogram: (lower bound or its "< N"/">= N" label, count)."""
        rows, label, counts = self._hist_rows(view, h)
        return [(label(i), counts[i]) for i in rows if counts.get(i)]

    def histogram(self, view: AggView, h: dict) -> str:
        rows, label, counts = self._hist_rows(view, h)
        total = sum(abs(counts.get(i, 0)) for i in rows)
        negative = any(counts.get(i, 0) < 0 for i in rows)
        positive = any(counts.get(i, 0) > 0 for i in rows)
        zoom = max((abs(counts.get(i, 0)) for i in rows), default=0) if self.options["aggzoom"] else total
        out = ["\n%16s %41s %-9s\n" % ("value", "------------- Distribution -------------", "count")]
        for i in rows:
            c = counts.get(i, 0)
            text = label(i)
            out.append(("%16s " % text if isinstance(text, str) else "%16d " % text)
                       + _bar(c, zoom, negative, positive) + " %-9d\n" % c)
        return "".join(out)


def _datum(v: int, size: int) -> int:
    """An integer record as dt_print_datum prints it: read unsigned of its size, then
    passed to ``%d``/``%lld``, so 1- and 2-byte values come out unsigned and 4- and
    8-byte values signed, whatever the type's sign."""
    v &= (1 << (8 * size)) - 1
    if size >= 4 and v >> (8 * size - 1):
        v -= 1 << (8 * size)
    return v


def _tdiv(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _depth(c: int, total: int, width: int) -> int:
    if total == 0:
        return 0
    return (2 * abs(c) * width + total) // (2 * total)


def _bar(c: int, total: int, negative: bool, positive: bool) -> str:
    if negative and positive:
        d = _depth(c, total, 20)
        if c <= 0:
            return " " * (20 - d) + "@" * d + "|" + " " * 20
        return " " * 20 + "|" + "@" * d + " " * (20 - d)
    d = _depth(c, total, 40)
    if negative:
        return " " * (40 - d) + "@" * d + "|"
    return "|" + "@" * d + " " * (40 - d)
