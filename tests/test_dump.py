"""Dump files: byte-for-byte round trips, and a clear one-line error for every bad file."""

import hashlib
import struct

import pytest
from hypothesis import given, strategies as st

from kdebug.kernel import dump, proc
from kdebug.resources import fixture_path

FIXTURE = fixture_path("emy-17.kdump")


def test_round_trip_is_byte_for_byte(emy17):
    data = dump.dumps(emy17)
    k2 = dump.loads(data)
    assert dump.dumps(k2) == data
    assert k2.mem.digest() == emy17.mem.digest()
    assert not k2.live and emy17.live


def test_loaded_kernel_reads_like_the_original(emy17):
    k2 = dump.load(FIXTURE)
    assert [proc.pid_of(k2, p) for p in proc.for_each_proc(k2)] == \
        [proc.pid_of(emy17, p) for p in proc.for_each_proc(emy17)]
    assert k2.types.lookup("proc_t").size == emy17.types.lookup("proc_t").size
    assert k2.symtab.lookup("hz").addr == emy17.symtab.lookup("hz").addr
    assert k2.var("zone0").member("zone_name").string() == "global"
    assert k2.function("sys_syscall").addr == emy17.sym_addr("sys_syscall")


def test_save_and_load_files(tmp_path, emy17):
    path = tmp_path / "x.kdump"
    dump.save(emy17, path)
    assert path.read_bytes() == dump.dumps(emy17)
    assert list(tmp_path.iterdir()) == [path]      # no temporary file left behind


def _reseal(data: bytes) -> bytes:
    """Fix the checksum after an edit, to reach the checks behind it."""
    body = data[:-32]
    return body + hashlib.sha256(body).digest()


def _bad_files():
    good = FIXTURE.read_bytes()
    pre = struct.Struct(">8sHHQQ")
    _, major, minor, length, hdrlen = pre.unpack_from(good)
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0x40
    future = _reseal(pre.pack(dump.MAGIC, 2, 0, length, hdrlen) + good[pre.size:])
    garbage_header = _reseal(good[:pre.size] + b"\x00" * hdrlen + good[pre.size + hdrlen:])
    texty = good.replace(b"\r\n", b"\n", 1)
    return [
        ("empty", b"", "empty file"),
        ("half magic", good[:4], "truncated"),
        ("truncated", good[:len(good) // 3], f"truncated ({len(good) // 3} of {len(good)} bytes)"),
        ("foreign", b"\x7fELF\x02\x01\x01" + b"\0" * 100, "not a kdebug dump"),
        ("text", b"hello world, this is not a dump at all\n", "not a kdebug dump"),
        ("mangled newline", texty, "damaged magic number"),
        ("future", future, "dump format version 2.0 is newer than this kdebug reads (1.x)"),
        ("flipped bit", bytes(flipped), "corrupt (checksum mismatch)"),
        ("trailing", good + b"extra", "corrupt (5 unexpected bytes after the end)"),
        ("bad header", garbage_header, "corrupt ("),
    ]


@pytest.mark.parametrize("name,data,reason", _bad_files(), ids=[b[0] for b in _bad_files()])
def test_bad_files_give_one_line_errors_naming_the_file(tmp_path, name, data, reason):
    path = tmp_path / "bad.kdump"
    path.write_bytes(data)
    with pytest.raises(dump.DumpError) as e:
        dump.load(path)
    text = str(e.value)
    assert text.startswith(f"{path}: ") and reason in text
    assert "\n" not in text


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(dump.DumpError, match="No such file or directory"):
        dump.load(tmp_path / "nope.kdump")
    with pytest.raises(dump.DumpError, match="is a directory"):
        dump.load(tmp_path)


@given(st.binary(max_size=200))
def test_random_bytes_never_escape_as_anything_but_dump_error(data):
    with pytest.raises(dump.DumpError):
        dump.loads(data, "fuzz.kdump")


@given(st.data())
def test_damaged_fixture_is_refused_cleanly(data):
    good = bytearray(FIXTURE.read_bytes())
    pos = data.draw(st.integers(0, len(good) - 1))
    good[pos] ^= data.draw(st.integers(1, 255))
    reseal = data.draw(st.booleans())
    blob = _reseal(bytes(good)) if reseal else bytes(good)
    try:
        dump.loads(blob, "fuzz.kdump")
    except dump.DumpError as e:
        assert str(e).startswith("fuzz.kdump: ")
