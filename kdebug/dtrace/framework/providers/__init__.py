"""Providers, one file each, registered in :data:`PROVIDERS` in probe-ID order.

A provider is an object with the ops table of illumos' ``dtrace_pops_t``:

- ``name``, and ``provide(fw, desc)``: create the probes it has (``desc`` is
  a description being matched, so that probes can be made on demand; None
  at registration)
- ``enable(fw, probe)`` / ``disable(fw, probe)``: patch the probe in / out
- ``args(fw, probe) -> [C type spelling]``: the types of ``args[]``
- ``module_loaded(fw, module)``: a module was loaded after boot (optional)
"""

from __future__ import annotations

from .dtrace import DTraceProvider
from .fbt import FbtProvider
from .proc import ProcProvider
from .profile import ProfileProvider
from .sched import SchedProvider
from .sdt import SdtProvider
from .syscall import SyscallProvider

__all__ = ["PROVIDERS"]

PROVIDERS = [DTraceProvider, ProfileProvider, FbtProvider, SyscallProvider, SdtProvider, ProcProvider,
             SchedProvider]
