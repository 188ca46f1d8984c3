"""Where the project and its inputs and outputs are.

The package is installed editable from the project (``make`` does it), so the project
root is two folders above this file. Every path the command line and the build use is
decided here, from the environment where a data engineer may override it:

* ``RIIA_RETURNS_DIR`` - the returns folder (default ``data/returns``);
* ``RIIA_BUILD_DIR`` - where the publications, ``current`` and the warehouse live (default
  ``build``);
* ``RIIA_DUCKDB_PATH`` - the published warehouse that the commands reading it open (default
  ``riia.duckdb`` in the build folder);
* ``RIIA_EXPORTS_DIR`` / ``RIIA_REPORTS_DIR`` - the recipients' folders and the reports
  (default ``exports`` and ``reports``);
* ``RIIA_CHECK_CACHE_DIR`` - where `riia check` caches its seeded warehouse and dbt's parse
  (default ``build/check``; `riia bench` points it into its own work folder).

Relative paths are taken from the project root, whatever the current directory.

`replace_whole(path, write)` is how a file that other processes may read at any moment
(a cache shared by builds and checks) is written: whole or not at all. `copy_to_disk(source,
target)` is how a build copies the warehouse it carries on from.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import mmap
import os
import secrets
from collections.abc import Callable
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RETURNS_DIR = Path("data/returns")
GX_DIR = PROJECT_ROOT / "gx"
SEEDS_DIR = PROJECT_ROOT / "seeds"


def project_path(path: str | Path) -> Path:
    """A path as given if absolute, else relative to the project root."""
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def returns_dir() -> Path:
    return project_path(os.environ.get("RIIA_RETURNS_DIR", str(DEFAULT_RETURNS_DIR)))


def build_dir() -> Path:
    return project_path(os.environ.get("RIIA_BUILD_DIR", "build"))


def warehouse_path() -> Path:
    """The published warehouse, where `riia build` publishes it unless told otherwise: with
    RIIA_BUILD_DIR set, `riia status`, `release`, `explain` and `docs` read that build's."""
    given = os.environ.get("RIIA_DUCKDB_PATH")
    return project_path(given) if given else build_dir() / "riia.duckdb"


def unreadable_warehouse(what: str, warehouse: Path, error: Exception) -> str:
    """The one sentence of `riia status`, `release`, `explain` and `checksums` when the
    warehouse they read gives DuckDB's error (`what` could not be read): a file no build
    made, one a build of an earlier version made (it lacks a table this version reads), or
    one a program holds open for writing."""
    return (
        f"{what} could not be read from {warehouse} ({type(error).__name__}: {str(error).splitlines()[0]}): "
        "close any program holding it open for writing; otherwise `riia build` publishes a warehouse "
        "this version of riia reads."
    )


def exports_dir() -> Path:
    return project_path(os.environ.get("RIIA_EXPORTS_DIR", "exports"))


def reports_dir() -> Path:
    return project_path(os.environ.get("RIIA_REPORTS_DIR", "reports"))


def check_cache_dir() -> Path:
    return project_path(os.environ.get("RIIA_CHECK_CACHE_DIR", "build/check"))


def replace_whole(path: Path, write: Callable[[Path], object]) -> None:
    """Write `path` through `write(part)` into a file of this call's own beside it, then rename
    that into place: whatever reads or writes `path` meanwhile finds the old file or the new
    one, whole. If it cannot be written, nothing is left behind and `path` is as it was (a
    cache is then made again by whoever needs it next: slower, never wrong)."""
    part = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(3)}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(part)
        os.replace(part, path)
    except OSError:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)


# copy_to_disk's unit: what it reads and writes at once, and what a write straight to the
# disk must be a multiple of (the disk's block, 512 or 4096 bytes; DuckDB's files are
# multiples of 4096)
COPY_CHUNK_BYTES = 32 << 20
DIRECT_ALIGNMENT = 4096


def copy_to_disk(source: Path, target: Path) -> None:
    """Copy `source` into `target` (made, or emptied, first) and return once the copy is on
    the disk (fsync). Where the system allows it the copy is written straight to the disk
    (O_DIRECT), not through the page cache: a build reads back only the parts of the copy
    it needs, and DuckDB keeps what it reads in its own memory, so caching the whole copy
    (1.2 GB at 48 quarters of history) only cost the memory for it, and more or less time
    depending on how recently that memory had been used (the figures: README, "dbt's parse
    and the warehouse's copy"). A file system that refuses such writes gets an ordinary copy.

    Not for a file that is then read back whole: the exports copy each recipient's last
    delivery and add the new quarter to it (riia.publish), then read it again (each CSV
    whole, for its SHA-256); copied this way, the exports of the 48-quarter increment took
    14 to 19 s instead of 2."""
    direct = getattr(os, "O_DIRECT", 0)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    with open(source, "rb", buffering=0) as reading:
        try:
            fd = os.open(target, flags | direct, 0o644)
        except OSError as error:
            if not direct or error.errno != errno.EINVAL:
                raise
            fd, direct = os.open(target, flags, 0o644), 0
        try:
            # page-aligned memory, as a write straight to the disk needs
            with mmap.mmap(-1, COPY_CHUNK_BYTES) as chunk, memoryview(chunk) as whole:
                while length := reading.readinto(chunk):
                    done = 0
                    while done < length:
                        if direct and (length - done) % DIRECT_ALIGNMENT:
                            direct = _not_direct(fd)  # the file's last, partial block
                        try:
                            done += os.write(fd, whole[done:length])
                        except OSError as error:
                            if not direct or error.errno != errno.EINVAL:
                                raise
                            direct = _not_direct(fd)  # a block size the disk does not take
            os.fsync(fd)
        finally:
            os.close(fd)


def _not_direct(fd: int) -> int:
    """Write through the page cache from here on; 0 (copy_to_disk's `direct`)."""
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_DIRECT)
    return 0
