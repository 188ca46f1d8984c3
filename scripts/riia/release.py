"""`riia release REGION PERIOD --checked-by NAME`: record that a region has checked a quarter.

SHARING.md rule 4 (SE MoU 14: summaries "first be released to the DBG for checking, and
only then released to the DfE"): before release a quarter is visible to its own region
only, marked provisional; a release records who checked it, when, and exactly which
return files (path and SHA-256) it covers, and audiences outside the region receive those
versions - whatever is resubmitted later - until the quarter is released again.

The release is read from the published warehouse (opened read-only): the returns in use
for the region's LAs that quarter, accepted ones only. It is written to the seeds
`seeds/sharing/quarter_releases.csv` and `quarter_release_files.csv` (configuration,
reviewable, in version control like every sharing decision) while holding the build lock,
and takes effect at the next `riia build`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from riia.build.lock import BuildLock
from riia.paths import PROJECT_ROOT, SEEDS_DIR, unreadable_warehouse
from riia.periods import Period

RELEASES = SEEDS_DIR / "sharing" / "quarter_releases.csv"
RELEASE_FILES = SEEDS_DIR / "sharing" / "quarter_release_files.csv"


class ReleaseError(Exception):
    """The release cannot be recorded; the message says why in one sentence."""


@dataclass(frozen=True)
class Release:
    release_id: str
    region_code: str
    region_name: str
    period: str
    checked_by: str
    released_on: date
    files: tuple[tuple[str, str, str], ...]  # (la_code, file_path, sha256)
    not_released: tuple[tuple[str, str, str], ...]  # (la_code, la_name, why)


def find_region(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, str, str]:
    """(code, short name, name) of a region given by code, short name or name."""
    row = con.execute(
        """
        select region_code, region_short_name, region_name from reference.ref_regions
        where lower(region_code) = lower(?) or lower(region_short_name) = lower(?) or lower(region_name) = lower(?)
        """,
        [text, text, text],
    ).fetchone()
    if row is None:
        names = ", ".join(
            r[0] for r in con.sql("select region_short_name from reference.ref_regions order by 1").fetchall()
        )
        raise ReleaseError(f"{text!r} is not a region: give its code (E12000008), short name ({names}) or name.")
    return row


def plan_release(warehouse: Path, region: str, period_text: str, checked_by: str, released_on: date) -> Release:
    period = Period.parse(period_text)
    if period is None:
        raise ReleaseError(f"{period_text!r} is not a quarter: write it YYYY-YY Qn, for example 2024-25 Q4.")
    if period.end_date >= released_on:
        raise ReleaseError(f"{period} has not ended on {released_on}: a quarter is released after it ends.")
    if not checked_by.strip():
        raise ReleaseError("--checked-by must name who checked the quarter (a person or the region's data group).")
    if not warehouse.is_file():
        raise ReleaseError(f"No published build at {warehouse}: run `riia build` first, then check the quarter.")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            code, short, name = find_region(con, region)
            rows = con.execute(
                """
                select las.la_code, las.la_name, returns.return_status, returns.file_path, files.file_sha256
                from marts.dim_local_authority as las
                left join marts.fct_returns as returns on las.la_code = returns.la_code and returns.period = ?
                left join marts.fct_return_files as files on returns.file_path = files.file_path
                where las.region_code = ?
                    and las.first_mid_year <= ? and (las.is_current or ? <= las.last_mid_year)
                order by las.la_code
                """,
                [period.label, code, period.fy_start, period.fy_start],
            ).fetchall()
            previous = con.execute(
                "select count(*) from reference.quarter_releases where region_code = ? and period = ?",
                [code, period.label],
            ).fetchone()[0]
    except duckdb.Error as error:
        raise ReleaseError(unreadable_warehouse("The quarter's returns", warehouse, error)) from None
    files = tuple(
        (la, path, sha) for la, _, status, path, sha in rows if status in ("accepted", "accepted_with_warnings")
    )
    not_released = tuple(
        (la, la_name, "quarantined" if status else "not received")
        for la, la_name, status, _, _ in rows
        if status not in ("accepted", "accepted_with_warnings")
    )
    if not files:
        raise ReleaseError(f"No accepted return of {name} for {period} in {warehouse}: there is nothing to release.")
    release_id = f"{short}-{period.label.replace(' ', '-')}-{previous + 1}"
    return Release(release_id, code, name, period.label, checked_by.strip(), released_on, files, not_released)


def record(release: Release, seeds_dir: Path = SEEDS_DIR) -> None:
    """Append the release to the seeds (the caller holds the build lock)."""
    releases, files = seeds_dir / "sharing" / RELEASES.name, seeds_dir / "sharing" / RELEASE_FILES.name
    with releases.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            [
                release.release_id,
                release.region_code,
                release.period,
                release.checked_by,
                release.released_on.isoformat(),
            ]
        )
    with files.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for la_code, path, sha in release.files:
            writer.writerow([release.release_id, la_code, path, sha])


def release(warehouse: Path, region: str, period: str, checked_by: str, released_on: date, build_dir: Path) -> Release:
    planned = plan_release(warehouse, region, period, checked_by, released_on)
    with BuildLock(build_dir):
        record(planned)
    return planned


def describe(release: Release) -> str:
    lines = [
        f"Released {release.region_name} {release.period} as {release.release_id}, checked by {release.checked_by} "
        f"on {release.released_on}: {len(release.files)} returns (file and SHA-256 recorded in "
        f"{RELEASE_FILES.relative_to(PROJECT_ROOT)}).",
    ]
    if release.not_released:
        lines.append(
            f"Not released ({len(release.not_released)}): "
            + "; ".join(f"{la} {name} ({why})" for la, name, why in release.not_released)
            + ". Release the quarter again when they are in."
        )
    lines.append("Outside audiences receive these versions from the next `riia build`.")
    return "\n".join(lines)
