"""The benchmark's history as a region holds it when a new quarter arrives: every earlier
quarter checked and released.

In use, each region checks a quarter and releases it (`riia release`, SHARING.md rule 4)
weeks after its deadline, so when a new quarter's returns come in, every quarter before it
has been released: DfE and D2I receive them, ADCS its aggregate, and each region's view
holds the LAs shared cross-regionally - six to seven times the rows of the region's own
LAs. The project's release seeds record releases of the files `riia sample` writes; the
benchmark's sample has other files (its simulation starts earlier, riia.bench.plan), so
without releases of its own no quarter of its history would reach anyone outside its
region, and every build it times would be lighter than a real one.

So each history size is built and checked by a copy of the project (`copy_project`: its
code, models, macros, tests and seeds) whose two release seeds hold the releases of that
size's quarters and nothing else: each region's accepted returns of each quarter, planned
by the project's own `riia release` (riia.release.plan_release) from one preparatory build
of the largest window, released RELEASE_AFTER_DAYS after the quarter ended. The new quarter
is not released: its region has not checked it yet. A size's builds run the copy's code
(`code_env`), so the seeds they load are the copy's.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb

from riia.paths import PROJECT_ROOT
from riia.periods import Period
from riia.release import RELEASE_FILES, RELEASES, Release, ReleaseError, plan_release, record

# what a build reads from the project: the dbt project (whose tests/ hold the singular data
# tests) and the great_expectations suites; with code, the `riia` package too
PROJECT_FILES = (
    "dbt_project.yml",
    "profiles.yml",
    "selectors.yml",
    "models",
    "macros",
    "seeds",
    "tests",
    "snapshots",
    "analyses",
    "gx",
)
CODE = Path("scripts") / "riia"
CHECKED_BY = "riia bench (every history quarter released)"
RELEASE_AFTER_DAYS = 50  # the sample's own releases come 47-55 days after the quarter's end


def copy_project(destination: Path, code: bool = False) -> Path:
    """A copy of the project's files (not the venv, data or builds) in `destination`; with
    `code`, the `riia` package as well, to run from it (`code_env`)."""
    destination.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("uncommitted", "__pycache__")
    for name in (*PROJECT_FILES, *([str(CODE)] if code else [])):
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def code_env(project: Path | None) -> dict[str, str]:
    """The environment that runs `riia` from a copied project's code (and so its seeds and
    models: riia.paths takes the project root from the package's place); none for the project."""
    return {} if project is None else {"PYTHONPATH": str(project / "scripts")}


def plan_releases(warehouse: Path, periods: list[Period], today: date) -> list[Release]:
    """Each region's release of each of `periods`, as `riia release` would record it from the
    build in `warehouse`: its accepted returns. A region with none that quarter releases nothing."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        regions = [row[0] for row in con.sql("select region_code from reference.ref_regions order by 1").fetchall()]
    releases = []
    for period in periods:
        released_on = min(period.end_date + timedelta(days=RELEASE_AFTER_DAYS), today)
        for region in regions:
            try:
                releases.append(plan_release(warehouse, region, period.label, CHECKED_BY, released_on))
            except ReleaseError:
                continue  # nothing accepted to release
    return releases


def write_releases(project: Path, releases: list[Release]) -> int:
    """Replace a copied project's release seeds with `releases`; the number of files they cover."""
    seeds = project / "seeds"
    for seed in (RELEASES, RELEASE_FILES):
        path = seeds / seed.relative_to(PROJECT_ROOT / "seeds")
        header = path.read_text(encoding="utf-8").splitlines()[0]
        path.write_text(header + "\n", encoding="utf-8")
    for release in releases:
        record(release, seeds)
    return sum(len(release.files) for release in releases)
