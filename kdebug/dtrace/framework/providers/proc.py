"""The proc provider: process events, from ``__proc_*`` SDT sites in kernel code (DTRACE_PROC)."""

from __future__ import annotations

from .sdt import SdtFamily


class ProcProvider(SdtFamily):
    name = "proc"
    prefix = "__proc_"
