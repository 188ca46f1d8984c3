"""Render a report only when its inputs changed; otherwise copy it from the previous publication
(riia.reuse, the mechanism the recipients' data files share).

Each report has a key (`tartan_rug/2024-25 Q4`) and a content hash of its inputs: the rows
it shows (hashed by DuckDB over the window it reads), the recipient's handling, the
reference facts it uses and the version of the code and templates that render it. The
hashes and the files of each report are kept in `<reports folder>/.manifest.json`; when the
previous publication's folder has the same report with the same hash, its files are linked
instead of rendered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from riia import reuse
from riia.reuse import PreviousOutputs

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
    root = Path(__file__).parent
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in SOURCE_SUFFIXES)
    return reuse.code_version(root, files, ("altair", "vl-convert-python", "XlsxWriter", "Jinja2", "duckdb"))


def content_hash(*parts: Any) -> str:
    """The hash of a report's inputs (any JSON-able values; dates and the like as text)."""
    text = json.dumps([code_version(), *parts], default=str, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class ReportCache(PreviousOutputs):
    """The content hashes of one reports folder being written, and the previous publication's
    (riia.reuse: the same mechanism as the recipients' data files)."""

    def __init__(self, out: Path, previous: Path | None) -> None:
        super().__init__(out, previous, MANIFEST, "reports", code_version())

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
