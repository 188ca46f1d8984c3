"""One publication: a build's warehouse, exports and reports appear together or not at all.

Each build writes everything into its own folder, ``<build dir>/publications/<id>/``
(``riia.duckdb``, ``exports/``, ``reports/``, ``build.json``), which carries a
``BUILDING`` marker until it is complete. Publishing is one atomic switch of the symbolic
link ``<build dir>/current`` to the new folder (``os.replace`` of a link), so a reader or
a kill at any instant sees one whole build: the previous one or the new one. The stable
paths people use point through ``current``: ``<build dir>/riia.duckdb`` and, for the
default build folder, ``exports/`` and ``reports/`` in the project root.

A failed or killed build leaves the published folder untouched; its own folder keeps the
``BUILDING`` (or ``FAILED``) marker and is cleared by the next build, which says so.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BUILDING = "BUILDING"
FAILED = "FAILED"
WAREHOUSE = "riia.duckdb"


@dataclass(frozen=True)
class Leftover:
    folder: Path
    state: str  # BUILDING (killed or running when it stopped) or FAILED

    def describe(self) -> str:
        what = "a build that failed" if self.state == FAILED else "a build that was interrupted"
        return f"{self.folder.name} ({what})"


class Publications:
    """The publications under a build folder and the `current` pointer."""

    def __init__(self, build_dir: Path) -> None:
        self.root = build_dir
        self.folder = build_dir / "publications"
        self.current_link = build_dir / "current"

    def current(self) -> Path | None:
        """The published folder, or None before the first build."""
        if not self.current_link.is_symlink():
            return None
        target = self.current_link.resolve()
        return target if (target / WAREHOUSE).is_file() else None

    def new(self) -> Path:
        """A fresh folder for this build, marked BUILDING."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)
        folder = self.folder / name
        folder.mkdir()
        (folder / BUILDING).write_text(f"started {datetime.now(UTC).isoformat(timespec='seconds')}\n")
        return folder

    def completed(self) -> list[Path]:
        """Folders of builds that completed (published now or earlier), oldest first."""
        if not self.folder.is_dir():
            return []
        return [
            folder
            for folder in sorted(self.folder.iterdir())
            if folder.is_dir()
            and (folder / WAREHOUSE).is_file()
            and not (folder / BUILDING).exists()
            and not (folder / FAILED).exists()
        ]

    def leftovers(self) -> list[Leftover]:
        """Folders of builds that never completed (killed, failed)."""
        if not self.folder.is_dir():
            return []
        found = []
        for folder in sorted(self.folder.iterdir()):
            for state in (FAILED, BUILDING):
                if (folder / state).exists():
                    found.append(Leftover(folder, state))
                    break
        return found

    def clear_leftovers(self) -> list[str]:
        """Remove the folders of builds that never completed; say which."""
        described = []
        current = self.current()
        for leftover in self.leftovers():
            if current is not None and leftover.folder.resolve() == current:
                continue
            shutil.rmtree(leftover.folder, ignore_errors=True)
            described.append(leftover.describe())
        return described

    def mark_failed(self, folder: Path, reason: str) -> None:
        (folder / FAILED).write_text(reason + "\n")
        (folder / BUILDING).unlink(missing_ok=True)

    def publish(self, folder: Path) -> None:
        """Make `folder` the current publication in one atomic step."""
        (folder / BUILDING).unlink()
        _fsync_dir(folder)
        temporary = self.root / f".current-{secrets.token_hex(4)}"
        temporary.symlink_to(Path("publications") / folder.name)
        os.replace(temporary, self.current_link)
        _fsync_dir(self.root)

    def prune(self, keep: int = 2) -> None:
        """Remove completed publications older than the `keep` newest (the current one is
        always kept): a reader holding an old file open keeps it until it closes it."""
        current = self.current()
        complete = self.completed()
        for folder in complete[:-keep] if keep else complete:
            if current is None or folder.resolve() != current:
                shutil.rmtree(folder, ignore_errors=True)

    def link_stable_paths(self, project_root: Path, default_build_dir: Path) -> None:
        """The paths people use, pointing through `current`: <build dir>/riia.duckdb, and for
        the default build folder, exports/ and reports/ in the project root."""
        _link(self.root / WAREHOUSE, Path("current") / WAREHOUSE)
        if self.root.resolve() == default_build_dir.resolve():
            relative = os.path.relpath(self.root, project_root)
            for name in ("exports", "reports"):
                _link(project_root / name, Path(relative) / "current" / name)


def _link(path: Path, target: Path) -> None:
    """Make `path` a symbolic link to `target` without a moment where `path` is missing."""
    if path.is_symlink() and Path(os.readlink(path)) == target:
        return
    temporary = path.with_name(f".{path.name}-{secrets.token_hex(4)}")
    temporary.symlink_to(target)
    if path.is_dir() and not path.is_symlink():
        # A folder left by an older version of the pipeline (generated output, never
        # returns): swapped with the link in one step, then removed.
        if _exchange(temporary, path):
            shutil.rmtree(temporary)
            return
        aside = path.with_name(f".{path.name}-replaced-{secrets.token_hex(4)}")
        os.rename(path, aside)
        os.replace(temporary, path)
        shutil.rmtree(aside)
        return
    if path.exists() and not path.is_symlink():
        # A file left by an older version (build/riia.duckdb before publications): the
        # build carried its history forward; the file itself is kept beside the link.
        kept = path.with_name(f"{path.name}.before-publications")
        if not kept.exists():
            os.link(path, kept)
    os.replace(temporary, path)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange)
    return done == 0


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
