"""What a build redoes (riia.build.state): from the checksums of the project's files that the
last build recorded in the warehouse, a full refresh, the seeds loaded again (all of them,
or the sharing seeds alone), or only the quarters whose returns changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT
from riia.build import state

BEFORE = state.Fingerprints(code="code", sharing_seeds="sharing", other_seeds="other")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    db = tmp_path / "riia.duckdb"
    state.record(db, BEFORE)
    return db


@pytest.mark.parametrize(
    ("now", "full_refresh", "selector", "reason"),
    [
        (BEFORE, False, "quarterly_build", state.RETURNS_CHANGED),
        (
            state.Fingerprints("code", "sharing, a release recorded", "other"),
            False,
            "quarterly_build_with_sharing_seeds",
            state.SHARING_SEEDS_CHANGED,
        ),
        (state.Fingerprints("code", "sharing", "other, a population updated"), False, "quarterly_build_with_seeds",
         state.SEEDS_CHANGED),
        (state.Fingerprints("code", "sharing, changed", "other, changed"), False, "quarterly_build_with_seeds",
         state.SEEDS_CHANGED),
        (state.Fingerprints("code, changed", "sharing, changed", "other"), True, "quarterly_build_with_seeds",
         "the project's code changed: rebuilt whole"),
    ],
    ids=["nothing", "sharing_seeds", "other_seeds", "both", "code"],
)  # fmt: skip
def test_a_build_redoes_what_changed_since_the_last(
    warehouse: Path, now: state.Fingerprints, full_refresh: bool, selector: str, reason: str
) -> None:
    planned = state.plan(warehouse, now)
    assert (planned.full_refresh, planned.reason) == (full_refresh, reason)
    assert planned.dbt_args() == ["build", "--selector", selector, *(["--full-refresh"] if full_refresh else [])]


def test_a_warehouse_recorded_by_an_earlier_version_loads_every_seed(tmp_path: Path) -> None:
    """Its record has one checksum of every seed: which of them changed cannot be told."""
    db = tmp_path / "riia.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            f"create table {state.STATE_TABLE} as select 'code' as code_fingerprint, 'seeds' as seeds_fingerprint"
        )
    planned = state.plan(db, BEFORE)
    assert (planned.full_refresh, planned.seeds, planned.reason) == (False, "all", state.SEEDS_CHANGED)


def test_a_new_warehouse_and_a_full_refresh_asked_for_load_every_seed(warehouse: Path, tmp_path: Path) -> None:
    new = state.plan(tmp_path / "none.duckdb", BEFORE)
    asked = state.plan(warehouse, BEFORE, asked=True)
    assert (new.full_refresh, new.seeds) == (False, "all") and (asked.full_refresh, asked.seeds) == (True, "all")


@pytest.mark.parametrize(
    ("changed", "fingerprint"),
    [
        ("seeds/sharing/quarter_releases.csv", "sharing_seeds"),
        ("seeds/sharing/_sharing__seeds.yml", "sharing_seeds"),
        ("seeds/reference/ref_population.csv", "other_seeds"),
        ("seeds/a_new_folder/ref_new.csv", "other_seeds"),
        ("models/marts/dim_period.sql", "code"),
    ],
)
def test_each_file_counts_in_one_checksum(tmp_path: Path, changed: str, fingerprint: str) -> None:
    """A seed outside seeds/sharing, in a folder of its own too, counts among the other seeds:
    a change to it loads every seed again."""
    root = tmp_path / "project"
    for name in ("seeds", "models"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    before = state.Fingerprints.of_project(root)
    path = root / changed
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n")
    after = state.Fingerprints.of_project(root)
    differing = [
        name for name in ("code", "sharing_seeds", "other_seeds") if getattr(before, name) != getattr(after, name)
    ]
    assert differing == [fingerprint]
