"""Kernel dump files (``*.kdump``): the whole kernel state, saved and read back.

A dump carries everything mdb needs and nothing it can recompute: every
memory segment, the C types of every module (CTF), the modules and their
symbols, and a few facts about the host.  The allocator's index, the kernel
functions' table and so on are rebuilt from those when a dump is opened.

File layout (all integers big-endian)::

    magic     8 bytes   89 4B 44 55 4D 50 0D 0A   ("\\x89KDUMP\\r\\n")
    version   2 + 2     major, minor
    length    8         length of the whole file
    hdrlen    8         length of the compressed header
    header    zlib(JSON): metadata, types, modules, symbols, segment table
    segments  zlib of each segment's bytes, in the order of the table
    sha256   32         of everything before it

The JSON is written with sorted keys and types are numbered in a fixed
traversal order, so saving a kernel read from a dump gives the same bytes.
Any problem opening a file is a :class:`DumpError` whose text names the file
and the reason, on one line.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib

from . import ctf
from .kernel import Kernel
from .kmem import Kmem
from .symbols import Module, Symbol
from .text import KFunction

__all__ = ["save", "load", "dumps", "loads", "describe", "kernel_from_description", "DumpError", "MAGIC",
           "FORMAT_VERSION"]

MAGIC = b"\x89KDUMP\r\n"
FORMAT_VERSION = (1, 0)
_PRE = struct.Struct(">8sHHQQ")   # magic, major, minor, length, header length
_SUM = 32


class DumpError(Exception):
    """A dump that cannot be read (or written); ``str()`` is ``"FILE: reason"``."""

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


# -- types -------------------------------------------------------------------


class _TypeTable:
    """Numbers every type reachable from the containers and symbols, in a fixed order."""

    def __init__(self) -> None:
        self.ids: dict[int, int] = {}
        self.records: list[dict] = []

    def id(self, t: ctf.CType) -> int:
        key = id(t)
        if key in self.ids:
            return self.ids[key]
        n = self.ids[key] = len(self.records)
        self.records.append({})       # reserve the slot before recursing (types refer to themselves)
        self.records[n] = self._record(t)
        return n

    def _record(self, t: ctf.CType) -> dict:
        if isinstance(t, ctf.Void):
            return {"k": "void"}
        if isinstance(t, ctf.Integer):
            return {"k": "int", "n": t.tname, "s": t.size, "sg": t.signed, "c": t.char, "b": t.boolean}
        if isinstance(t, ctf.Float):
            return {"k": "float", "n": t.tname, "s": t.size}
        if isinstance(t, ctf.Pointer):
            return {"k": "ptr", "t": self.id(t.target)}
        if isinstance(t, ctf.Array):
            return {"k": "array", "t": self.id(t.elem), "n": t.count}
        if isinstance(t, ctf.Struct):
            rec = {"k": t.kind, "tag": t.tag, "c": t.complete, "s": t.size, "a": t.align}
            rec["m"] = [[m.name, self.id(m.type), m.bit_offset, m.bit_size] for m in t.members]
            return rec
        if isinstance(t, ctf.Enum):
            return {"k": "enum", "tag": t.tag, "c": t.complete, "s": t.size, "v": [list(v) for v in t.values]}
        if isinstance(t, ctf.Typedef):
            return {"k": "typedef", "n": t.tname, "t": self.id(t.target)}
        if isinstance(t, ctf.Qualified):
            return {"k": t.kind, "t": self.id(t.target)}
        if isinstance(t, ctf.Function):
            return {"k": "func", "r": self.id(t.ret), "p": [[n, self.id(p)] for n, p in t.params], "va": t.varargs}
        raise TypeError(f"cannot save type {t!r}")


def _build_types(records: list[dict]) -> list[ctf.CType]:
    """Recreate types from their records (two passes: make, then connect)."""
    made: list[ctf.CType] = []
    for r in records:
        k = r["k"]
        if k == "void":
            made.append(ctf.Void())
        elif k == "int":
            made.append(ctf.Integer(r["n"], r["s"], r["sg"], char=r["c"], boolean=r["b"]))
        elif k == "float":
            made.append(ctf.Float(r["n"], r["s"]))
        elif k == "ptr":
            made.append(ctf.Pointer(None))        # type: ignore[arg-type]
        elif k == "array":
            made.append(ctf.Array(None, r["n"]))  # type: ignore[arg-type]
        elif k in ("struct", "union"):
            made.append(ctf.Struct(k, r["tag"]))
        elif k == "enum":
            made.append(ctf.Enum(r["tag"], None, r["s"]))
        elif k == "typedef":
            made.append(ctf.Typedef(r["n"], None))  # type: ignore[arg-type]
        elif k in ("const", "volatile", "restrict"):
            made.append(ctf.Qualified(k, None))   # type: ignore[arg-type]
        elif k == "func":
            made.append(ctf.Function(None, [], r["va"]))  # type: ignore[arg-type]
        else:
            raise ValueError(f"unknown type kind {k!r}")
    for t, r in zip(made, records):
        k = r["k"]
        if k in ("ptr", "typedef", "const", "volatile", "restrict"):
            t.target = made[r["t"]]  # type: ignore[attr-defined]
        elif k == "array":
            t.elem = made[r["t"]]  # type: ignore[attr-defined]
        elif k in ("struct", "union"):
            if r["c"]:
                members = [ctf.Member(n, made[tid], bit, bits) for n, tid, bit, bits in r["m"]]
                t.define(members, r["s"], r["a"])  # type: ignore[attr-defined]
        elif k == "enum":
            if r["c"]:
                t.define([(n, v) for n, v in r["v"]])  # type: ignore[attr-defined]
        elif k == "func":
            t.ret = made[r["r"]]  # type: ignore[attr-defined]
            t.params = [(n, made[tid]) for n, tid in r["p"]]  # type: ignore[attr-defined]
    return made


# -- saving ------------------------------------------------------------------


def describe(k: Kernel) -> dict:
    """Everything about ``k`` but its memory's bytes: facts, types, modules, symbols, segments.

    This is a dump's header; the host daemon also sends it to clients that
    read a live kernel remotely.
    """
    table = _TypeTable()
    containers = []
    for c in k.types.containers.values():
        containers.append({
            "name": c.name,
            "parent": c.parent.name if c.parent is not None else None,
            "order": [table.id(t) for t in c.order],
        })
    modules = []
    for mod in k.symtab.modules:
        syms = [[s.name, s.addr, s.size, s.kind, table.id(s.type) if s.type is not None else None, s.bind]
                for s in mod.symbols.values()]
        modules.append({
            "id": mod.id, "name": mod.name, "filename": mod.filename, "linkinfo": mod.linkinfo,
            "text": mod.text, "text_size": mod.text_size, "data": mod.data, "data_size": mod.data_size,
            "bss": mod.bss, "bss_size": mod.bss_size, "rev": mod.rev, "modctl": mod.modctl, "mp": mod.mp,
            "symbols": syms,
        })
    return {
        "format": "kdebug kernel dump",
        "host": {
            "hostname": k.hostname, "platform": k.platform, "ncpus": k.ncpus, "physmem": k.physmem,
            "seed": k.seed, "boot_time": k.boot_time, "hrtime": k.hrtime,
            "panic_message": k.panic_message,
        },
        "kmem_heap": [k.kmem.heap_base, k.kmem.heap_limit] if k.kmem is not None else None,
        "segkp_next": getattr(k, "segkp_next", 0),
        "cpu_addrs": k.cpu_addrs,
        "constants": k.constants,
        "literals": k.literals,
        "types": table.records,
        "containers": containers,
        "modules": modules,
        "segments": [{"base": s.base, "size": s.size, "name": s.name, "w": s.writable} for s in k.mem.segments()],
    }


def dumps(k: Kernel) -> bytes:
    """The dump of kernel ``k`` as bytes."""
    header = describe(k)
    blobs = []
    for seg, entry in zip(k.mem.segments(), header["segments"]):
        blob = zlib.compress(bytes(seg.data), 6)
        entry["z"] = len(blob)
        blobs.append(blob)
    hdr = zlib.compress(json.dumps(header, sort_keys=True, separators=(",", ":")).encode(), 6)
    body = hdr + b"".join(blobs)
    length = _PRE.size + len(body) + _SUM
    pre = _PRE.pack(MAGIC, FORMAT_VERSION[0], FORMAT_VERSION[1], length, len(hdr))
    data = pre + body
    return data + hashlib.sha256(data).digest()


def save(k: Kernel, path: str | os.PathLike) -> None:
    """Write the dump of ``k`` to ``path`` (atomically: a temporary file, then a rename)."""
    path = os.fspath(path)
    data = dumps(k)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise DumpError(path, e.strerror or str(e)) from None


# -- loading -----------------------------------------------------------------


def load(path: str | os.PathLike) -> Kernel:
    """The kernel saved in dump file ``path``; raises DumpError."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except IsADirectoryError:
        raise DumpError(path, "is a directory") from None
    except OSError as e:
        raise DumpError(path, e.strerror or str(e)) from None
    return loads(data, path)


def loads(data: bytes, path: str = "<dump>") -> Kernel:
    """The kernel in dump bytes ``data`` (``path`` names it in errors)."""
    if not data:
        raise DumpError(path, "empty file")
    if len(data) < len(MAGIC):
        raise DumpError(path, "truncated" if MAGIC.startswith(data) else "not a kdebug dump")
    if data[:len(MAGIC)] != MAGIC:
        if data[:4] == MAGIC[:4] or data[1:6] == MAGIC[1:6]:
            raise DumpError(path, "not a kdebug dump (damaged magic number; was it copied as text?)")
        raise DumpError(path, "not a kdebug dump")
    if len(data) < _PRE.size + _SUM:
        raise DumpError(path, f"truncated ({len(data)} bytes)")
    _, major, minor, length, hdrlen = _PRE.unpack_from(data)
    if major != FORMAT_VERSION[0]:
        if major > FORMAT_VERSION[0]:
            raise DumpError(path, f"dump format version {major}.{minor} is newer than this kdebug reads "
                                  f"({FORMAT_VERSION[0]}.x); upgrade kdebug")
        raise DumpError(path, f"unsupported dump format version {major}.{minor}")
    if len(data) < length:
        raise DumpError(path, f"truncated ({len(data)} of {length} bytes)")
    if len(data) > length:
        raise DumpError(path, f"corrupt ({len(data) - length} unexpected bytes after the end)")
    if hashlib.sha256(data[:-_SUM]).digest() != data[-_SUM:]:
        raise DumpError(path, "corrupt (checksum mismatch)")
    try:
        header = json.loads(zlib.decompress(data[_PRE.size:_PRE.size + hdrlen]))
        return _rebuild(header, data, _PRE.size + hdrlen, path)
    except DumpError:
        raise
    except (zlib.error, ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError) as e:
        raise DumpError(path, f"corrupt ({type(e).__name__}: {e})") from None


def kernel_from_description(header: dict) -> Kernel:
    """A kernel with the facts, types, modules and symbols of ``header`` and no memory yet."""
    host = header["host"]
    k = Kernel(host["platform"], host["hostname"], host["ncpus"], host["physmem"], host["seed"],
               host["boot_time"])
    k.live = False
    k.hrtime = host["hrtime"]
    k.panic_message = host["panic_message"]
    k.constants = dict(header["constants"])
    k.literals = {m: dict(v) for m, v in header["literals"].items()}
    k.cpu_addrs = list(header["cpu_addrs"])
    k.segkp_next = header["segkp_next"]

    types = _build_types(header["types"])
    k.types.containers.clear()
    for c in header["containers"]:
        parent = k.types.containers[c["parent"]] if c["parent"] is not None else None
        cont = ctf.TypeContainer(c["name"], parent)
        for tid in c["order"]:
            cont.add(types[tid])
        k.types.containers[c["name"]] = cont
    k.types.base = k.types.containers["genunix"]

    for m in header["modules"]:
        mod = Module(m["id"], m["name"], m["filename"], m["linkinfo"], m["text"], m["text_size"],
                     m["data"], m["data_size"], m["bss"], m["bss_size"], m["rev"], modctl=m["modctl"], mp=m["mp"])
        k.symtab.add_module(mod)
        for name, addr, size, kind, tid, bind in m["symbols"]:
            t = types[tid] if tid is not None else None
            k.symtab.add_symbol(Symbol(name, addr, size, kind, mod, t, bind))
            if kind == "FUNC":
                k.functions[(mod.name, name)] = KFunction(name, mod.name, addr, size, None, t)
    return k


def _rebuild(header: dict, data: bytes, pos: int, path: str) -> Kernel:
    if header.get("format") != "kdebug kernel dump":
        raise DumpError(path, "corrupt (not a kernel dump header)")
    k = kernel_from_description(header)
    for seg in header["segments"]:
        blob = data[pos:pos + seg["z"]]
        pos += seg["z"]
        raw = zlib.decompress(blob)
        if len(raw) != seg["size"]:
            raise DumpError(path, f"corrupt (segment {seg['name']} at {seg['base']:x} has the wrong size)")
        k.mem.map(seg["base"], seg["size"], seg["name"], writable=seg["w"], data=raw)
    if pos != len(data) - _SUM:
        raise DumpError(path, "corrupt (segment table does not match the file)")

    if header["kmem_heap"] is not None:
        k.kmem = Kmem(k, tuple(header["kmem_heap"]))
        k.kmem.rebuild()
    return k
