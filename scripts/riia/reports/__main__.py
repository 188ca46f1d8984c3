"""Render every report of a publication again, into another folder, and say how long it took.

    python -m riia.reports build/current /tmp/reports                 everything rendered
    python -m riia.reports build/current /tmp/again --previous /tmp/reports   unchanged ones copied

`OUT` mirrors a publication: `OUT/exports/<recipient folder>/reports/` and `OUT/reports/`.
The recipients' DuckDB files and the warehouse are read where they are, read-only; nothing
is written into the publication. For timing the reports step and trying template changes
without a build.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from riia.reports import write_hub_reports, write_recipient_reports
from riia.workers import shutdown_workers


def cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m riia.reports", description=__doc__.split("\n\n")[0])
    parser.add_argument("publication", type=Path, help="a publication folder: riia.duckdb, exports/")
    parser.add_argument("out", type=Path, help="where to write (mirrors the publication's exports/ and reports/)")
    parser.add_argument("--previous", type=Path, help="an earlier OUT whose unchanged reports are copied")
    args = parser.parse_args(argv)
    exports = args.publication / "exports"
    started, cpu = time.monotonic(), cpu_seconds()
    folders = []
    for database in sorted(exports.glob("**/*.duckdb")):
        folder = database.parent.relative_to(exports)
        before = args.previous / "exports" / folder / "reports" if args.previous else None
        folders.append((database, args.out / "exports" / folder / "reports", before))
    written = [w for each in write_recipient_reports(folders) for w in each]
    written += write_hub_reports(
        args.publication / "riia.duckdb",
        exports,
        args.out / "reports",
        args.previous / "reports" if args.previous else None,
    )
    shutdown_workers()  # so that their CPU time is counted
    rendered = sum(w.rendered for w in written)
    print(
        f"{len(written)} reports: {rendered} rendered, {len(written) - rendered} unchanged (copied), "
        f"in {time.monotonic() - started:.1f} s ({cpu_seconds() - cpu:.1f} s of CPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
