"""Render a report only when its inputs changed; otherwise copy it from the previous publication.

Each report has a key (`tartan_rug/2024-25 Q4`) and a content hash of its inputs: the rows
it shows (hashed by DuckDB over the window it reads), the recipient's handling, the
reference facts it uses and the version of the code and templates that render it. The
hashes and the files of each report are kept in `<reports folder>/.manifest.json`; when the
previous publication's folder has the same report with the same hash, its files are copied
instead of rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

MANIFEST = ".manifest.json"
SOURCE_SUFFIXES = {".py", ".j2", ".css", ".js"}


@dataclass(frozen=True)
class Written:
    """One report written into a reports folder."""

    kind: str  # tartan_rug, la_profile, la_profile_workbook, validation, index, data_register, assets
    key: str
    files: tuple[Path, ...]
    rendered: bool  # False when copied unchanged from the previous publication
    period: str | None = None
    subject: str = ""  # the region or LA it is about

    @property
    def path(self) -> Path:
        return self.files[0]


@cache
def code_version() -> str:
    """A hash of everything that shapes a report besides its data: this package's code,
    templates and static files, and the versions of the libraries that render them."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in ("altair", "vl-convert-python", "XlsxWriter", "Jinja2", "duckdb"):
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def content_hash(*parts: Any) -> str:
    """The hash of a report's inputs (any JSON-able values; dates and the like as text)."""
    text = json.dumps([code_version(), *parts], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link to the previous publication's file (published files are never changed in
    place: a re-rendered report is a new file), or a copy where links are not possible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class ReportCache:
    """The manifest of one reports folder being written, and the previous publication's."""

    def __init__(self, out: Path, previous: Path | None) -> None:
        self.out = out
        self.previous = previous if previous is not None and previous.is_dir() else None
        self.before = self._read(self.previous / MANIFEST) if self.previous else {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.folders: set[Path] = set()  # made already

    @staticmethod
    def _read(path: Path) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(path.read_text(encoding="utf-8")).get("reports", {})
        except (OSError, ValueError, AttributeError):
            return {}

    def reuse(self, key: str, digest: str) -> list[Path] | None:
        """Copy the report's files from the previous publication if its hash is the same."""
        entry = self.before.get(key)
        if self.previous is None or entry is None or entry.get("hash") != digest:
            return None
        sources = [self.previous / name for name in entry["files"]]
        if not all(source.is_file() for source in sources):
            return None
        copied = []
        for name, source in zip(entry["files"], sources, strict=True):
            target = self.out / name
            if target.parent not in self.folders:  # thousands of reports share a few folders
                target.parent.mkdir(parents=True, exist_ok=True)
                self.folders.add(target.parent)
            link_or_copy(source, target)
            copied.append(target)
        self.entries[key] = entry
        return copied

    def record(self, key: str, digest: str, files: list[Path]) -> None:
        self.entries[key] = {"hash": digest, "files": [f.relative_to(self.out).as_posix() for f in files]}

    def produce(
        self,
        kind: str,
        key: str,
        digest: str,
        render: Callable[[], list[Path]],
        period: str | None = None,
        subject: str = "",
    ) -> Written:
        """The report's files: copied when unchanged, else rendered by `render`."""
        files = self.reuse(key, digest)
        rendered = files is None
        if files is None:
            files = render()
            self.record(key, digest, files)
        return Written(kind, key, tuple(files), rendered, period, subject)

    def save(self) -> Path:
        path = self.out / MANIFEST
        path.write_text(
            json.dumps({"code_version": code_version(), "reports": self.entries}, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return path
