"""Helpers for the hypervisor scenarios: vmadm, the HVM lock's holder, probes and stacks."""

from kdebug.kernel.symbols import format_symbol

TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"
KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
LATER = "joyent_20180830T002644Z"
SECOND = 1_000_000_000


def vmadm(m, *args, stdin=""):
    return m.run(["vmadm", *args], stdin)


def holder(m):
    """(pointer, string) of hvm_excl_holder."""
    k = m.kernel
    p = k.var("hvm_excl_holder").value()
    return p, (k.mem.read_cstr(p).decode() if p else None)


def frames(k, pcs):
    return [format_symbol(*k.symtab.lookup_addr(pc)) for pc in pcs]


def probe(k, name, record):
    """Enable an fbt entry probe the way dtrace does: record (function, cpu, stack, args) at each call."""
    kf = k.function(name)
    kf.entry_hook = lambda k2, f, args: record.append((f.name, k2.curcpu, list(k2.ctx.stack()), args))
    kf.probed = True
    return kf


def state(m, uuid):
    return vmadm(m, "list", "-H", "-o", "state", f"uuid={uuid}").stdout.strip()
