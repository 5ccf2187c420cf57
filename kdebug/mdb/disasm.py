"""A disassembler for the simulated kernel's text (AT&T syntax, as illumos dis prints it).

Kernel functions are laid out as ``push %rbp; mov %rsp,%rbp; nop...;
leave; ret`` (kdebug.kernel.modctl) with ``int3`` padding between them, so
these few instructions are all the text holds.  Anything else decodes as
``(bad)``, one byte at a time.
"""

from __future__ import annotations

from ..kernel import MemoryFault

__all__ = ["decode", "previous"]

# (bytes, instruction text)
_INSTRUCTIONS = [
    (b"\x48\x89\xe5", "movq   %rsp,%rbp"),
    (b"\x55", "pushq  %rbp"),
    (b"\x90", "nop"),
    (b"\xc9", "leave"),
    (b"\xc3", "ret"),
    (b"\xcc", "int    $0x3"),
]


def decode(read, addr: int) -> tuple[str, int]:
    """(instruction text, length) of the instruction at ``addr``; ``read(addr, n)`` reads memory."""
    head = read(addr, 1)
    for raw, text in _INSTRUCTIONS:
        if raw[:1] == head:
            if len(raw) == 1:
                return text, 1
            try:
                if read(addr, len(raw)) == raw:
                    return text, len(raw)
            except MemoryFault:
                pass
    return "(bad)", 1


def previous(read, addr: int, n: int, start: int) -> int:
    """The address ``n`` instructions before ``addr``, decoding forward from ``start``."""
    addrs = []
    a = start
    while a < addr:
        addrs.append(a)
        try:
            a += decode(read, a)[1]
        except MemoryFault:
            a += 1
    return addrs[-n] if len(addrs) >= n else (addrs[0] if addrs else addr)
