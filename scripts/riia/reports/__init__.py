"""The reports people read (REPORTS.md), rendered by the project itself: Jinja2 templates with
autoescaping, altair (Vega-Lite) charts drawn offline, XLSX through XlsxWriter.

* `write_recipient_reports(folders)`: each recipient's tartan rugs, LA profiles and
  validation reports, from its own DuckDB file only (recipient.py); `folders` lists
  (its DuckDB file, its reports folder, the previous publication's or None);
* `write_hub_reports(warehouse, exports, out, previous)`: the RIIA data team's index (returns
  tracker and chase list, links to every recipient's reports) and the data register, from the
  hub warehouse's public models (hub.py);
* `screenshots(folder, out)`: headless Chromium pictures of a profile, a rug, the index and a
  validation report (screenshots.py);
* `tracker`: the returns tracker shared by the index page and `riia status`.

A report is rendered only when its inputs changed; otherwise it is copied from the previous
publication (cache.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from riia.reports.cache import Written

# Imported here, not in a function: the submodule of the same name, once imported anywhere,
# would otherwise replace the function as this package's attribute `screenshots`.
from riia.reports.screenshots import screenshots

__all__ = ["Written", "screenshots", "write_hub_reports", "write_recipient_reports"]


def write_recipient_reports(folders: Sequence[tuple[Path, Path, Path | None]]) -> list[list[Written]]:
    """Every report each recipient may read, into its folder's `reports/`: what each was written."""
    from riia.reports.recipient import write_recipient_reports as write

    return write(folders)


def write_hub_reports(warehouse: Path, exports: Path, out: Path, previous: Path | None) -> list[Written]:
    """The RIIA data team's index and data register, from the hub warehouse (read-only)."""
    from riia.reports.hub import write_hub_reports as write

    return write(warehouse, exports, out, previous)
