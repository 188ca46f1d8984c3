"""Write an output only when its inputs changed; otherwise link it from the previous publication.

One mechanism for the reports (riia.reports.cache) and the recipients' data files
(riia.publish). Each output of a folder has a key (`tartan_rug/2024-25 Q4`,
`table/indicators`) and a content hash of its inputs, which the caller computes and which
includes the version of the code that writes it. A hidden JSON file in the folder keeps each
output's hash, files and whatever the caller recorded with them (a CSV's rows and SHA-256);
when the previous publication's folder has the same output with the same hash, its files are
hard-linked (or copied) instead of written again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any


def code_version(root: Path, files: Iterable[Path], packages: Iterable[str]) -> str:
    """A hash of the code that writes an output besides its data: the source `files` (named
    relative to `root`, in the order given), the installed versions of `packages`, and Python's."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in packages:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(package.encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link to the previous publication's file (published files are never changed in
    place: an output written again is a new file), or a copy where links are not possible."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class PreviousOutputs:
    """The hashes of one folder's outputs being written, and the previous publication's.

    `manifest` is the hidden file's name, `section` the key its entries are kept under and
    `version` the version of the code writing them (kept in the file, for whoever reads it).
    """

    def __init__(self, out: Path, previous: Path | None, manifest: str, section: str, version: str) -> None:
        self.out = out
        self.previous = previous if previous is not None and previous.is_dir() else None
        self.manifest, self.section, self.version = manifest, section, version
        self.before = self._read(self.previous / manifest) if self.previous else {}
        self.entries: dict[str, dict[str, Any]] = {}
        self.folders: set[Path] = set()  # made already

    def _read(self, path: Path) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(path.read_text(encoding="utf-8")).get(self.section, {})
        except (OSError, ValueError, AttributeError):
            return {}

    def previous_entry(self, key: str) -> dict[str, Any] | None:
        """The previous publication's entry for the output, if its files are all there."""
        entry = self.before.get(key)
        if self.previous is None or entry is None:
            return None
        if not all((self.previous / name).is_file() for name in entry["files"]):
            return None
        return entry

    def unchanged(self, key: str, digest: str) -> dict[str, Any] | None:
        """The previous publication's entry for the output, if it has the same hash and its
        files are all there; nothing is linked yet."""
        entry = self.previous_entry(key)
        return entry if entry is not None and entry.get("hash") == digest else None

    def reuse(self, key: str, digest: str, names: list[str] | None = None) -> list[Path] | None:
        """Link the output's files from the previous publication if its hash is the same and
        they are all there, under `names` (relative to the folder, one per file) where the names
        may differ from the previous ones (a recipient's CSV is named by the quarters of all its
        tables). The links themselves find a file gone, not a look at each first: a quarterly
        build links some 10,000 reports at 48 quarters of history."""
        entry = self.before.get(key)
        if self.previous is None or entry is None or entry.get("hash") != digest:
            return None
        names = names if names is not None else entry["files"]
        if len(names) != len(entry["files"]):
            return None
        copied = []
        try:
            for previous, name in zip(entry["files"], names, strict=True):
                target = self.out / name
                if target.parent not in self.folders:  # thousands of reports share a few folders
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self.folders.add(target.parent)
                link_or_copy(self.previous / previous, target)
                copied.append(target)
        except FileNotFoundError:  # a file of the previous output is gone: it is written again
            for target in copied:
                target.unlink()
            return None
        self.entries[key] = {**entry, "files": list(names)}
        return copied

    def record(self, key: str, digest: str, files: list[Path], **details: Any) -> None:
        """An output written: its hash, its files and what else the next build should know."""
        self.entries[key] = {"hash": digest, "files": [f.relative_to(self.out).as_posix() for f in files], **details}

    def details(self, key: str) -> dict[str, Any]:
        """What was recorded with an output (reused or written), beyond its hash and files."""
        return {k: v for k, v in self.entries[key].items() if k not in ("hash", "files")}

    def save(self) -> Path:
        path = self.out / self.manifest
        path.write_text(
            json.dumps({"code_version": self.version, self.section: self.entries}, indent=1, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        return path
