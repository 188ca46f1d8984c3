"""riia.paths.copy_to_disk, the copy of the warehouse a build carries on from: the copy is
the file, byte for byte, whatever its size, and it is written straight to the disk where
the file system allows it, through the page cache where it does not."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

import pytest

from riia import paths

DIRECT = getattr(os, "O_DIRECT", 0)


def write_random(path: Path, size: int) -> bytes:
    content = os.urandom(size)
    path.write_bytes(content)
    return content


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of 64 KiB, so that the files below take several."""
    monkeypatch.setattr(paths, "COPY_CHUNK_BYTES", 64 << 10)


@pytest.mark.parametrize(
    "size",
    [0, 100, 4096, 3 * (64 << 10), 3 * (64 << 10) + 4096 + 7],
    ids=["empty", "a part of a block", "one block", "whole chunks", "chunks and a partial block"],
)
def test_the_copy_is_the_file(tmp_path: Path, size: int) -> None:
    source, target = tmp_path / "warehouse.duckdb", tmp_path / "copy.duckdb"
    content = write_random(source, size)
    target.write_bytes(b"x" * (size + 10_000))  # a longer file in its place is emptied first
    paths.copy_to_disk(source, target)
    assert target.read_bytes() == content
    assert source.read_bytes() == content


@pytest.mark.skipif(not DIRECT, reason="this system has no O_DIRECT")
def test_the_copy_asks_to_go_straight_to_the_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[int] = []
    real_open = os.open

    def spy(path, flags, *args):
        if str(path).endswith("copy.duckdb"):
            opened.append(flags)
        return real_open(path, flags, *args)

    monkeypatch.setattr(paths.os, "open", spy)
    source = tmp_path / "warehouse.duckdb"
    content = write_random(source, 2 * (64 << 10))
    paths.copy_to_disk(source, tmp_path / "copy.duckdb")
    assert (tmp_path / "copy.duckdb").read_bytes() == content
    assert opened and opened[0] & DIRECT


@pytest.mark.skipif(not DIRECT, reason="this system has no O_DIRECT")
@pytest.mark.parametrize("refuses", ["open", "write"])
def test_a_file_system_that_refuses_direct_writes_gets_an_ordinary_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refuses: str
) -> None:
    """EINVAL, as a file system without O_DIRECT gives at open, or a disk whose block is
    larger than the writes at write."""
    real_open, real_write = os.open, os.write
    refused: list[str] = []

    def open_refusing(path, flags, *args):
        if refuses == "open" and flags & DIRECT:
            refused.append("open")
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)

    def write_refusing(fd, data):
        if refuses == "write" and fcntl.fcntl(fd, fcntl.F_GETFL) & DIRECT:
            refused.append("write")
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(paths.os, "open", open_refusing)
    monkeypatch.setattr(paths.os, "write", write_refusing)
    source, target = tmp_path / "warehouse.duckdb", tmp_path / "copy.duckdb"
    content = write_random(source, 3 * (64 << 10) + 11)
    paths.copy_to_disk(source, target)
    assert refused == [refuses], "refused once, then written through the page cache"
    assert target.read_bytes() == content


def test_a_copy_that_cannot_be_written_raises(tmp_path: Path) -> None:
    """The build turns the error into its one sentence (a full disk, a missing folder)."""
    source = tmp_path / "warehouse.duckdb"
    write_random(source, 100)
    with pytest.raises(FileNotFoundError):
        paths.copy_to_disk(source, tmp_path / "no such folder" / "copy.duckdb")
