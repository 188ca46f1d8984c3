"""The returns folder, read as RETURN_TEMPLATE.md section 1b says: the pipeline's loader.

`scan()` walks the returns folder and says, for every entry, what the build does with it:

* ``read``: a regular file named ``*.csv`` (any case), complete, within the size limit:
  its bytes are read once, here, and loaded with their SHA-256;
* ``too_large``, ``unreadable``, ``link_outside``, ``not_a_return``: a file the build
  cannot use; it becomes a finding (rule T01) for that file alone;
* ``waiting``: modified within the settle time (still being written?): read next build;
* ``ignored``: hidden files and folders (a leading ``.``) and editors' and office
  suites' lock and temporary files (``~$...``, ``.#...``, ``*.tmp``): not returns.

A link is followed only when its target lies inside the returns folder. No file is
opened unless it is a regular file; no more than the size limit (plus one byte) is ever
read from one file, so no single file can stop a build or exhaust its memory. Nothing in
the folder is ever modified, moved or deleted.

`load()` writes the result into the warehouse's landing table ``raw.la_return_files``,
the dbt source ``la_returns.files`` (plus ``raw.returns_folder``, one row about the scan).
A file the warehouse's last load read is not read again while it is the same file,
untouched since (`earlier_reads`): its bytes and SHA-256 are taken from that load's row.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from riia.sample import marker

TEMPORARY_NAME = re.compile(r"(^~\$)|(^\.#)|(\.tmp$)|(~$)|(^~)", re.IGNORECASE)
LA_FOLDER = re.compile(r"(?P<la_code>\d{3})(?:$|[ _\-].*)")
BATCH_BYTES = 32 * 1024 * 1024
# A modification time this far in the future is a clock's doing, not the file system's rounding.
CLOCK_TOLERANCE_SECONDS = 2
LINK_OUTSIDE = "it is a link to a file outside the returns folder, which the pipeline never follows"
# A file last changed this close to the start of the load that read it may have changed
# again within the file system's clock tick (a few milliseconds) without its times moving:
# it is read again by the next load, whatever its times say (earlier_reads).
STAT_TRUST_SECONDS = 2


class ReturnsFolderError(Exception):
    """The returns folder cannot be used at all (missing, not a folder, no return)."""


@dataclass(frozen=True)
class IntakeFile:
    """One entry of the returns folder and what the build does with it."""

    file_path: str
    source_file: str
    intake_status: str
    intake_problem: str | None = None
    file_bytes: int | None = None
    file_modified_at: datetime | None = None
    file_sha256: str | None = None
    content: bytes | None = None
    folder_la_code: str | None = None
    file_stat_key: str | None = None  # stat_key: the file as the file system saw it when it was looked at

    @property
    def content_landed(self) -> bool:
        """A file read whose bytes are the last load's (earlier_reads), not in `content`."""
        return self.intake_status == "read" and self.content is None

    @property
    def fingerprint(self) -> str:
        """What decides whether a file changed since it was last parsed: its contents when
        they were read, else what the build could tell without reading it."""
        if self.file_sha256 is not None:
            return self.file_sha256
        return f"{self.intake_status}:{self.file_bytes}:{self.intake_problem}"


@dataclass(frozen=True)
class FolderRules:
    """The settings of section 1b (dbt_project.yml vars)."""

    layout: str = "flat"
    settle_seconds: int = 60
    max_bytes: int = 1024 * 1024

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> FolderRules:
        layout = str(values.get("returns_layout", "flat"))
        if layout not in ("flat", "per_la"):
            raise ReturnsFolderError(f"returns_layout is {layout!r}: it must be flat or per_la")
        return cls(
            layout, int(values.get("returns_settle_seconds", 60)), int(values.get("returns_max_file_bytes", 1 << 20))
        )


def sample_manifest(root: Path) -> dict[str, str]:
    """{relative path: SHA-256} of the files the sample generator wrote, if it wrote this
    folder (riia.sample.marker): a file with those bytes is whole, however new."""
    try:
        files = marker.read_manifest(root).get("files", {})
    except (OSError, ValueError):
        return {}
    return {str(path): str(digest) for path, digest in files.items()} if isinstance(files, dict) else {}


def _inside(path: Path | str, root: Path) -> bool:
    """Whether an absolute, resolved path is `root` or lies under it (compared as text: a
    walk asks once per file, and pathlib's parents cost more than reading the file)."""
    text, top = os.fspath(path), os.fspath(root)
    return text == top or text.startswith(top.rstrip("/") + "/")


def _folder_la_code(relative: str, rules: FolderRules) -> str | None:
    if rules.layout != "per_la" or "/" not in relative:
        return None
    match = LA_FOLDER.fullmatch(relative.split("/", 1)[0])
    return match["la_code"] if match else None


class OutsideReturnsFolder(OSError):
    """The file opened is not inside the returns folder (a folder on its path was swapped for a link)."""


def _read(real: Path, max_bytes: int, root: Path | None = None) -> bytes:
    """At most max_bytes + 1 bytes of a regular file, never following a link; with `root`,
    only a file that is, once open, still inside the returns folder (a folder on its path
    swapped for a link between the walk and the open is caught here)."""
    descriptor = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise IsADirectoryError("not a regular file")
        if root is not None:
            try:
                opened: Path | str = os.readlink(f"/proc/self/fd/{handle.fileno()}")
            except OSError:  # no /proc: the walk's own check stands
                opened = real
            if not _inside(opened, root):
                raise OutsideReturnsFolder(0, "it is not inside the returns folder")
        return handle.read(max_bytes + 1)


def stat_key(info: os.stat_result) -> str:
    """The file as the file system sees it: device, inode, size, modification and change
    times in nanoseconds. Writing to a file, renaming another into its place or changing
    its times moves its change time, which no program can set back (only the clock can)."""
    return f"{info.st_dev}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"


def file_entry(
    relative: str,
    path: Path,
    real: Path,
    rules: FolderRules,
    now: datetime,
    sample: dict[str, str],
    root: Path | None = None,
    earlier: dict[str, tuple[str, str]] | None = None,
) -> IntakeFile:
    """What the build does with one file. `earlier` ({file path: (stat key, SHA-256)},
    earlier_reads) names the files the last load read: one whose stat key is the same is
    not read again (`content_landed`); every other rule applies to it as to a file read."""
    name = path.name
    common: dict[str, Any] = {
        "file_path": relative,
        "source_file": name,
        "folder_la_code": _folder_la_code(relative, rules),
    }
    try:
        info = real.stat()
    except OSError as error:
        return IntakeFile(
            **common, intake_status="unreadable", intake_problem=f"the file cannot be opened ({error.strerror})"
        )
    modified = datetime.fromtimestamp(info.st_mtime, UTC)
    common.update(file_bytes=info.st_size, file_modified_at=modified)
    if not stat.S_ISREG(info.st_mode):
        return IntakeFile(**common, intake_status="not_a_return", intake_problem="it is not a regular file")
    if not name.lower().endswith(".csv"):
        return IntakeFile(
            **common,
            intake_status="not_a_return",
            intake_problem=(
                "it is not a .csv file: a return is saved as 'CSV UTF-8 (comma delimited)' and named "
                "<la_code>_<yyyy-yy>_<Qn>.csv"
            ),
        )
    if info.st_size > rules.max_bytes:
        return IntakeFile(**common, intake_status="too_large", intake_problem=_too_large(info.st_size, rules))
    common["file_stat_key"] = key = stat_key(info)
    landed = (earlier or {}).get(relative)
    content: bytes | None = None
    if landed is not None and landed[0] == key:
        digest = landed[1]
    else:
        try:
            content = _read(real, rules.max_bytes, root)
        except OutsideReturnsFolder:
            return IntakeFile(**common, intake_status="link_outside", intake_problem=LINK_OUTSIDE)
        except OSError as error:
            return IntakeFile(
                **common,
                intake_status="unreadable",
                intake_problem=f"the file cannot be read ({error.strerror or error})",
            )
        if len(content) > rules.max_bytes:  # grew while being read
            return IntakeFile(**common, intake_status="too_large", intake_problem=_too_large(len(content), rules))
        digest = hashlib.sha256(content).hexdigest()
    age = (now - modified).total_seconds()
    if rules.settle_seconds > 0 and age < -CLOCK_TOLERANCE_SECONDS:
        # A time in the future says nothing about whether the file is complete.
        return IntakeFile(
            **common,
            intake_status="waiting",
            intake_problem=(
                f"its modification time ({modified:%Y-%m-%d %H:%M} UTC) is in the future, so the build cannot tell "
                "whether it is still being written: it is read once that time has passed (check the clock of the "
                "computer that saved it)"
            ),
        )
    if 0 <= age < rules.settle_seconds and sample.get(relative) != digest:
        return IntakeFile(
            **common,
            intake_status="waiting",
            intake_problem=f"modified {age:.0f} seconds before the build (still being written?): it is read by the next build",
        )
    return IntakeFile(**common, intake_status="read", file_sha256=digest, content=content)


def _too_large(size: int, rules: FolderRules) -> str:
    return (
        f"the file is {size:,} bytes, more than the {rules.max_bytes:,} a return may be (a return is about "
        "2 KB): it was not read. Send the return on its own, as CSV"
    )


def scan(
    root: Path, rules: FolderRules, now: datetime | None = None, earlier: dict[str, tuple[str, str]] | None = None
) -> Iterator[IntakeFile]:
    """Every entry of the returns folder, in a fixed order, with what the build does with it
    (`earlier`: the files the last load read, file_entry)."""
    now = now or datetime.now(UTC)
    root_real = root.resolve()
    sample = sample_manifest(root)
    visited = {root_real}
    pending: list[tuple[Path, str]] = [(root, "")]
    while pending:
        folder, prefix = pending.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as error:
            yield IntakeFile(
                prefix.rstrip("/") or ".", folder.name, "unreadable", f"the folder cannot be listed ({error.strerror})"
            )
            continue
        for entry in entries:
            relative = prefix + entry.name
            path = Path(entry.path)
            if entry.name.startswith(".") or TEMPORARY_NAME.search(entry.name):
                yield IntakeFile(relative, entry.name, "ignored", "a hidden or temporary file, not a return")
                continue
            real = path
            if entry.is_symlink():
                try:
                    real = path.resolve(strict=True)
                except (OSError, RuntimeError) as error:  # a loop of links, or a link to nothing
                    problem = getattr(error, "strerror", None) or "a loop of links"
                    yield IntakeFile(
                        relative,
                        entry.name,
                        "unreadable",
                        f"it is a link that cannot be followed ({problem})",
                        folder_la_code=_folder_la_code(relative, rules),
                    )
                    continue
                if not _inside(real, root_real):
                    la_code = _folder_la_code(relative, rules)
                    yield IntakeFile(relative, entry.name, "link_outside", LINK_OUTSIDE, folder_la_code=la_code)
                    continue
            # a link's target is asked; an entry's own type comes with the listing (no system call)
            if real.is_dir() if entry.is_symlink() else entry.is_dir():
                if real.resolve() not in visited:
                    visited.add(real.resolve())
                    pending.append((real, relative + "/"))
                continue
            yield file_entry(relative, path, real, rules, now, sample, root_real, earlier)


LANDING_COLUMNS = (
    "file_path varchar not null",
    "source_file varchar not null",
    "intake_status varchar not null",
    "intake_problem varchar",
    "file_bytes bigint",
    "file_modified_at timestamptz",
    "file_sha256 varchar",
    "file_fingerprint varchar not null",
    "folder_la_code varchar",
    "content blob",
    "scanned_at timestamptz not null",
    "file_stat_key varchar",
)
LANDING_TABLE = "raw.la_return_files"
EARLIER_TABLE = "la_return_files__last_load"  # the last load's rows, in raw, while a load runs


def landing_row(found: IntakeFile, scanned_at: datetime) -> tuple[Any, ...]:
    """One row of raw.la_return_files (LANDING_COLUMNS)."""
    return (
        found.file_path,
        found.source_file,
        found.intake_status,
        found.intake_problem,
        found.file_bytes,
        found.file_modified_at,
        found.file_sha256,
        found.fingerprint,
        found.folder_la_code,
        found.content,
        scanned_at,
        found.file_stat_key,
    )


def earlier_reads(con: Any) -> dict[str, tuple[str, str]]:
    """{file path: (stat key, SHA-256)} of the files the warehouse's last load read, where
    its landing table says so: those it looked at STAT_TRUST_SECONDS or more after they
    last changed (a file changed within the same tick of the file system's clock keeps its
    times). Empty for a warehouse never loaded, or loaded by a version of the pipeline
    without stat keys."""
    schema, table = LANDING_TABLE.split(".")
    has_keys = con.execute(
        "select count(*) from duckdb_columns() where database_name = current_database() and schema_name = ? "
        "and table_name = ? and column_name = 'file_stat_key'",
        [schema, table],
    ).fetchone()[0]
    if not has_keys:
        return {}
    found = con.execute(
        f"select file_path, file_stat_key, file_sha256, epoch_ns(scanned_at) from {LANDING_TABLE} "
        "where intake_status = 'read' and file_stat_key is not null and file_sha256 is not null "
        "and content is not null"
    ).fetchall()
    trusted = STAT_TRUST_SECONDS * 1_000_000_000
    return {
        path: (key, sha256)
        for path, key, sha256, scanned_ns in found
        if scanned_ns - int(key.rsplit(":", 1)[1]) >= trusted
    }


def _insert(con: Any, batch: list[tuple[Any, ...]], reuse: bool) -> None:
    """Append rows to raw.la_return_files in one statement (a DataFrame scanned by DuckDB;
    a prepared insert per row cost about 5 ms a file), in the order given. A file whose bytes
    the last load read (`content_landed`) takes them from that load's row (`reuse`: its
    table is there, as raw.EARLIER_TABLE)."""
    import pandas as pd

    names = [column.split()[0] for column in LANDING_COLUMNS]
    frame = pd.DataFrame(batch, columns=[*names, "content_landed"]).astype({"file_bytes": "Int64"})
    frame.insert(0, "ordinal", range(len(frame)))
    selected = ", ".join(
        "coalesce(batch.content, last_load.content)" if reuse and name == "content" else f"batch.{name}"
        for name in names
    )
    joined = (
        f" left join raw.{EARLIER_TABLE} as last_load on batch.content_landed and last_load.file_path = batch.file_path"
        if reuse
        else ""
    )
    con.register("riia_landing_batch", frame)
    try:
        con.execute(
            f"insert into {LANDING_TABLE} select {selected} from riia_landing_batch as batch{joined} order by batch.ordinal"
        )
    finally:
        con.unregister("riia_landing_batch")


def load(con: Any, root: Path, rules: FolderRules, now: datetime | None = None, reread: bool = False) -> dict[str, int]:
    """Replace the landing tables with this scan of `root`; return the count per status.
    `reread`: read every file, even one the last load read and that is unchanged since
    (earlier_reads), as a build that rebuilds everything does."""
    now = now or datetime.now(UTC)
    if not root.is_dir():
        raise ReturnsFolderError(
            f"The returns folder {root} does not exist" if not root.exists() else f"{root} is not a folder"
        )
    con.execute("create schema if not exists raw")
    earlier = {} if reread else earlier_reads(con)
    con.execute(f"drop table if exists raw.{EARLIER_TABLE}")
    if earlier:
        con.execute(f"alter table {LANDING_TABLE} rename to {EARLIER_TABLE}")
    con.execute(f"create or replace table {LANDING_TABLE} ({', '.join(LANDING_COLUMNS)})")
    counts: dict[str, int] = {}
    batch: list[tuple[Any, ...]] = []
    size = 0
    for found in scan(root, rules, now, earlier):
        counts[found.intake_status] = counts.get(found.intake_status, 0) + 1
        batch.append((*landing_row(found, now), found.content_landed))
        size += len(found.content or b"")
        if size >= BATCH_BYTES:
            _insert(con, batch, bool(earlier))
            batch, size = [], 0
    if batch:
        _insert(con, batch, bool(earlier))
    con.execute(f"drop table if exists raw.{EARLIER_TABLE}")
    con.execute(
        "create or replace table raw.returns_folder as select ? as returns_layout, ? as settle_seconds, "
        "? as max_file_bytes, ? as is_sample, cast(? as timestamptz) as scanned_at",
        [rules.layout, rules.settle_seconds, rules.max_bytes, marker.is_sample(root), now],
    )
    return counts


def counts_text(counts: dict[str, int], rules: FolderRules) -> str:
    """What a load found, as `riia build` and `riia load` print it: the count per status,
    and why any file waits (its landed row, `intake_problem`, says which and why)."""
    text = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    if counts.get("waiting"):
        text += (
            f" (a file waits when it was modified less than {rules.settle_seconds} s before the load, or its time is"
            " in the future: it may still be being written, and the next load reads it; returns_settle_seconds sets"
            " the wait)"
        )
    return text


def count_returns(root: Path) -> int:
    """How many *.csv files (not hidden) the folder holds, at any depth; 0 if it is missing."""
    if not root.is_dir():
        return 0
    total = 0
    for _, folders, files in os.walk(root):
        folders[:] = [name for name in folders if not name.startswith(".")]
        total += sum(1 for name in files if name.lower().endswith(".csv") and not name.startswith("."))
    return total
