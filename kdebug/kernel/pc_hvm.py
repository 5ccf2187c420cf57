"""The HVM exclusion interface (i86pc os/pc_hvm.c, unix), before OS-7080.

An advisory lock so that only one hypervisor (kvm or bhyve) uses VMX at a
time.  ``hvm_excl_holder`` holds the pointer its holder passed in (a string
literal in the holder's module), not a copy.  There is no count: each
consumer takes the lock when its own count goes from 0 to 1 and releases it
when the count drops back to 0 (reference/smartos-hypervisors.md section 1).

This platform (joyent_20180329T002644Z) predates OS-6799: a failed hold is
silent.

C types: ``const char *consumer``.
"""

from __future__ import annotations

from .text import KSource

__all__ = ["PC_HVM", "hvm_excl_hold", "hvm_excl_rele", "HVM_EXCL_PLATFORMS"]

HVM_EXCL_PLATFORMS = {"joyent_20180329T002644Z"}

PC_HVM = KSource("unix", "pc_hvm.c", order=7, platforms=HVM_EXCL_PLATFORMS, decls="""
    static kmutex_t hvm_excl_lock;
    static const char *hvm_excl_holder;
    boolean_t hvm_excl_hold(const char *consumer);
    void hvm_excl_rele(const char *consumer);
""", functions=[("hvm_excl_hold", 0x5c), ("hvm_excl_rele", 0x50)])

_VERIFY_LINE = 54
_VERIFY_RETURN = 0x3c      # hvm_excl_rele's call of assfail returns here


@PC_HVM.impl
def hvm_excl_hold(k, consumer):
    """boolean_t hvm_excl_hold(const char *consumer): B_TRUE if ``consumer`` now holds the lock."""
    holder = k.var("hvm_excl_holder")
    if holder.value() != 0:
        return 0
    holder.set(consumer)
    return 1


@PC_HVM.impl
def hvm_excl_rele(k, consumer):
    """void hvm_excl_rele(const char *consumer): release; VERIFY that ``consumer`` is the holder."""
    holder = k.var("hvm_excl_holder")
    if consumer != holder.value():
        k.panic(f"assertion failed: consumer == hvm_excl_holder, file: ../../i86pc/os/pc_hvm.c, "
                f"line: {_VERIFY_LINE}", at=_VERIFY_RETURN)
    holder.set(0)
