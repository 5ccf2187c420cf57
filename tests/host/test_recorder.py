"""The flight recorder: a host's boot and inputs replayed on a replica give the same kernel, byte for byte."""

import pytest

from kdebug.host.machine import Machine
from kdebug.host.recorder import MAX_INPUTS, RecorderOverflow

KVM = "57409636-927a-cc7a-d744-e0f92b73f4e4"
TEST = "79062669-e229-e55d-960d-9b18d0fed8d0"
S = 1_000_000_000


def test_a_replica_replayed_is_the_same_host():
    m = Machine()
    m.advance(3 * S)
    m.run(["vmadm", "start", TEST])
    m.advance(2 * S)
    m.run(["vmadm", "start", KVM])
    for uuid in (TEST, KVM):
        m.run(["vmadm", "update", uuid, "autoboot=true"])
    m.reboot(seed=5)                                   # the race: both VMs start at boot
    m.advance(4 * S)
    pid = m.spawn(["vmadm", "stop", TEST])
    m.run(["vmadm", "stop", TEST], "", pid)
    m.write_kernel(m.kernel.sym_addr("hvm_excl_holder"), bytes(8))
    m.advance(S)
    assert [e[0] for e in m.recorder.inputs] == ["advance_to", "spawn", "run", "write", "advance_to"]
    r = m.recorder.replica()
    m.recorder.replay(r)
    assert (r.now, r.kernel.mem.digest()) == (m.now, m.kernel.mem.digest())


def test_commands_own_clock_moves_are_not_inputs():
    m = Machine()
    m.run(["vmadm", "start", KVM])               # vmadm advances the clock itself
    assert [e[0] for e in m.recorder.inputs] == ["run"]


def test_an_overflowed_recorder_refuses_to_replay(monkeypatch):
    m = Machine()
    monkeypatch.setattr("kdebug.host.recorder.MAX_INPUTS", 2)
    for _ in range(3):
        m.run(["uname"])
    with pytest.raises(RecorderOverflow):
        m.recorder.replica()
    assert MAX_INPUTS == 100_000
