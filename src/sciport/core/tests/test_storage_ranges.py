"""Ranged reads and moves of stored objects, the same on local disk and S3."""

import pytest

from sciport.core import storage

DATA = bytes(range(256)) * 1000  # 256,000 bytes


def read(name, **kwargs):
    return b"".join(storage.open_chunks(name, chunk_size=4096, **kwargs))


def test_a_range_reads_only_those_bytes(any_storage):
    storage.write("ranges/data.bin", [DATA])
    assert read("ranges/data.bin", start=1000, length=5000) == DATA[1000:6000]
    assert read("ranges/data.bin", start=250_000) == DATA[250_000:]
    assert read("ranges/data.bin", length=10) == DATA[:10]
    assert read("ranges/data.bin", start=255_990, length=100) == DATA[255_990:]


def test_a_range_past_the_end_is_empty_and_a_missing_object_is_an_error(any_storage):
    storage.write("ranges/small.bin", [b"abc"])
    assert read("ranges/small.bin", start=3) == b""
    assert read("ranges/small.bin", start=10, length=5) == b""
    assert read("ranges/small.bin", start=1, length=0) == b""
    with pytest.raises(FileNotFoundError):
        storage.open_chunks("ranges/none.bin", start=5)
    with pytest.raises(ValueError, match="negative"):
        storage.open_chunks("ranges/small.bin", start=-1)


def test_move_renames_and_replaces(any_storage):
    storage.write("moves/source.bin", [DATA])
    storage.write("moves/target.bin", [b"old"])
    storage.move("moves/source.bin", "moves/deeper/target.bin")
    storage.move("moves/deeper/target.bin", "moves/target.bin")
    assert not storage.exists("moves/source.bin")
    assert read("moves/target.bin") == DATA
