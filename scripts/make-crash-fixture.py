#!/usr/bin/env python3
"""Regenerate the shipped crash dump ``fixtures/emy-17-crash.kdump`` (the lab reading-a-crash-dump).

    .venv/bin/python scripts/make-crash-fixture.py

What happened on the host, in the order the dump remembers it (the lab's
learner works this out with mdb; do not tell them):

1. On emy-17 (joyent_20180329T002644Z, seed 0) the bhyve VM ``test`` starts
   first and takes the HVM exclusion lock as "bhyve"; ``kvm-debian8`` starts
   next and QEMU falls back to software emulation.
2. 20 seconds later somebody "hands the lock to kvm" by writing kvm's
   "SmartOS KVM" literal into ``hvm_excl_holder``, as
   ``echo 'hvm_excl_holder/Z 0xfffffffff8224185' | mdb -kw`` would.
3. 7 seconds after that ``vmadm stop test``: zoneadmd destroys the zone,
   vmm's ZSD destroy callback destroys the VM, ``vmmdev_mod_decr`` calls
   ``hvm_excl_rele("bhyve")``, the VERIFY fails and the kernel panics.

The machine runs in this process without a state directory, so the
panicked kernel is kept in ``Machine.crashes`` and saved here.  The result
is the same bytes on every run of the same code; it is not compared with
the code by a test (a crash dump from an older kernel is still a crash
dump), so rerun this when kernel changes matter to the lab, and check with
``tests/labs/test_lab_reading_a_crash_dump.py``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kdebug.host.machine import Machine  # noqa: E402
from kdebug.kernel import dump  # noqa: E402
from kdebug.kernel.boot import DEFAULT_HOST  # noqa: E402

NAME = "emy-17-crash.kdump"
TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"          # bhyve
KVM_DEBIAN8 = "57409636-927a-cc7a-d744-e0f92b73f4e4"   # kvm
_S = 1_000_000_000


def crashed_kernel():
    """Run the story above on a fresh default host; returns the kernel that panicked."""
    m = Machine(DEFAULT_HOST)
    for uuid in (TEST, KVM_DEBIAN8):
        r = m.run(["vmadm", "start", uuid])
        if r.rc != 0:
            raise SystemExit(f"vmadm start {uuid} failed: {r.stderr.strip()}")
    m.advance(20 * _S)
    k = m.kernel
    k.mem.write_u64(k.sym_addr("hvm_excl_holder"), k.literal("kvm", "SmartOS KVM"))   # mdb -kw
    m.advance(7 * _S)
    r = m.run(["vmadm", "stop", TEST])
    if not m.crashes:
        raise SystemExit(f"the host did not panic (vmadm stop said: {r.stderr.strip()})")
    return m.crashes[-1]


def main() -> int:
    path = ROOT / "fixtures" / NAME
    dump.save(crashed_kernel(), path)
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
