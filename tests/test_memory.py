"""The sparse 64-bit address space: mappings, reads, writes and faults."""

import pytest
from hypothesis import given, strategies as st

from kdebug.kernel.memory import ADDR_MAX, AddressSpace, MemoryFault

BASE = 0xffffd028c0000000


def space():
    a = AddressSpace()
    a.map(BASE, 0x1000, "one")
    a.map(BASE + 0x1000, 0x1000, "two")           # adjacent
    a.map(BASE + 0x3000, 0x1000, "ro", writable=False, data=b"\xcc" * 0x1000)
    return a


def test_little_endian_integers_round_trip():
    a = space()
    a.write_u64(BASE + 8, 0x1122334455667788)
    assert a.read(BASE + 8, 8) == bytes.fromhex("8877665544332211")
    assert a.read_u32(BASE + 8) == 0x55667788
    assert a.read_u16(BASE + 14) == 0x1122
    a.write_uint(BASE, 4, -1)
    assert a.read_int(BASE, 4) == -1 and a.read_u32(BASE) == 0xffffffff


def test_reads_and_writes_cross_adjacent_segments():
    a = space()
    a.write_u64(BASE + 0xffc, 0xaabbccdd11223344)
    assert a.read_u64(BASE + 0xffc) == 0xaabbccdd11223344
    assert a.segment_at(BASE + 0x1000).name == "two"


@pytest.mark.parametrize("addr", [0, BASE - 1, BASE + 0x2000, BASE + 0x2fff, ADDR_MAX])
def test_unmapped_read_faults_with_the_address(addr):
    with pytest.raises(MemoryFault) as e:
        space().read_u8(addr)
    assert e.value.addr == addr
    assert e.value.reason == "no mapping for address"


def test_read_running_off_the_end_faults_at_the_first_unmapped_byte():
    with pytest.raises(MemoryFault) as e:
        space().read(BASE + 0x1ff8, 16)
    assert e.value.addr == BASE + 0x2000


def test_write_to_read_only_segment_faults_and_changes_nothing():
    a = space()
    before = a.digest()
    with pytest.raises(MemoryFault) as e:
        a.write_u32(BASE + 0x3010, 7)
    assert e.value.addr == BASE + 0x3010 and e.value.write
    assert a.digest() == before
    a.write_u32(BASE + 0x3010, 7, force=True)   # the loader may
    assert a.read_u32(BASE + 0x3010) == 7


def test_partly_unmapped_write_changes_nothing():
    a = space()
    before = a.digest()
    with pytest.raises(MemoryFault):
        a.write(BASE + 0x1ffc, b"12345678")
    assert a.digest() == before


def test_overlapping_mappings_are_refused():
    a = space()
    with pytest.raises(ValueError):
        a.map(BASE + 0x800, 0x1000, "overlap")
    with pytest.raises(ValueError):
        a.map(BASE - 0x800, 0x1000, "overlap")


def test_cstrings():
    a = space()
    a.write_cstr(BASE + 0x100, "SmartOS KVM")
    assert a.read_cstr(BASE + 0x100) == b"SmartOS KVM"
    assert a.read_cstr(BASE + 0x100, 7) == b"SmartOS"
    a.write(BASE + 0xffb, b"abcde")            # runs into "two": no NUL until later
    assert a.read_cstr(BASE + 0xffb, 5) == b"abcde"


def test_unmap():
    a = space()
    a.unmap(BASE + 0x1000)
    with pytest.raises(MemoryFault):
        a.read_u8(BASE + 0x1000)
    assert not a.is_mapped(BASE + 0x1000)


@given(st.integers(min_value=0, max_value=ADDR_MAX), st.integers(min_value=0, max_value=64))
def test_any_read_is_data_or_a_fault(addr, size):
    a = space()
    try:
        out = a.read(addr, size)
    except MemoryFault as e:
        assert 0 <= e.addr <= ADDR_MAX
    else:
        assert len(out) == size
