"""Shared fixtures: real dbt builds on fixture returns, in temporary folders.

Every build runs `dbt` in a subprocess from the project root, with its own returns
folder, DuckDB file and target path, exactly as a data engineer would run it.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CORE_HEADER = ("la_code", "period", "item_code", "value", "comment")


def physical_line_count(content: bytes) -> int:
    """Lines as a text editor counts them (\\n, \\r\\n or \\r), from a file's bytes alone:
    an independent count to check the loader's against."""
    # any byte decodes as latin-1; line breaks are ASCII in UTF-8 and cp1252
    text = content.decode("utf-16") if content.startswith((b"\xff\xfe", b"\xfe\xff")) else content.decode("latin-1")
    breaks = len(re.findall(r"\r\n|\r|\n", text))
    return breaks + (0 if not text or text.endswith(("\n", "\r")) else 1)


@dataclass
class Build:
    """A finished dbt build: where its inputs and outputs are, and what dbt printed."""

    returns_dir: Path
    db_path: Path
    returncode: int
    output: str

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).fetchall()

    def scalar(self, sql: str):
        rows = self.query(sql)
        assert len(rows) == 1, rows
        return rows[0][0]


def dbt_env(returns_dir: Path, db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        RIIA_RETURNS_DIR=str(returns_dir),
        RIIA_DUCKDB_PATH=str(db_path),
        DBT_PROFILES_DIR=str(PROJECT_ROOT),  # the profile has no project paths in it
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        # fixture files are complete the moment they are written
        RIIA_RETURNS_SETTLE_SECONDS="0",
    )
    return env


def load_returns(returns_dir: Path, db_path: Path) -> dict[str, int]:
    """What `riia build` does first: land the returns folder in the warehouse (riia.intake)."""
    from riia import intake

    with duckdb.connect(str(db_path)) as con:
        return intake.load(con, returns_dir, intake.FolderRules(settle_seconds=0))


def run_dbt(
    returns_dir: Path,
    db_path: Path,
    command: str = "build",
    extra_args: tuple[str, ...] = (),
    check: bool = True,
    project_dir: Path = PROJECT_ROOT,
) -> Build:
    """Run `dbt <command>` (e.g. "build", "docs generate") on `returns_dir` into `db_path`; fail on error if check."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if command.split()[0] == "build":
        load_returns(returns_dir, db_path)
    target = db_path.parent / "dbt_target"
    proc = subprocess.run(
        [
            str(VENV_BIN / "dbt"),
            *command.split(),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            *extra_args,
        ],
        cwd=project_dir,
        env=dbt_env(returns_dir, db_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    build = Build(returns_dir, db_path, proc.returncode, proc.stdout + proc.stderr)
    if check and proc.returncode != 0:
        pytest.fail(f"dbt {command} failed (exit {proc.returncode}):\n{build.output[-6000:]}")
    return build


def write_return(
    folder: Path,
    name: str,
    rows: list[dict[str, str]] | list[tuple[str, ...]],
    header: tuple[str, ...] = CORE_HEADER,
) -> Path:
    """Write a return CSV (UTF-8, comma separated) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return path


@pytest.fixture(scope="session")
def sample_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample returns (the LAs of each of 12 quarters, with the documented defects)."""
    import riia.sample

    out = tmp_path_factory.mktemp("sample") / "returns"
    assert riia.sample.main(["--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def sample_build(sample_returns: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """One full `dbt build` of the sample returns, shared by the tests that only read it."""
    db_path = tmp_path_factory.mktemp("sample_build") / "riia.duckdb"
    build = run_dbt(sample_returns, db_path)
    # kept aside: later dbt commands on this build (docs, freshness) write their own run results
    target = db_path.parent / "dbt_target"
    shutil.copyfile(target / "run_results.json", target / "sample_build_run_results.json")
    yield build


# A complete, internally consistent return (every riia_core item; every L-rule holds).
VALID_CORE_VALUES: dict[str, int] = {
    "CONTACTS": 1000,
    "REFERRALS": 300,
    "REF_SRC_POLICE": 90,
    "REF_SRC_SCHOOLS": 60,
    "REF_SRC_HEALTH": 45,
    "REF_SRC_LA": 30,
    "REF_SRC_INDIVIDUAL": 24,
    "REF_SRC_OTHER": 36,
    "REF_SRC_UNKNOWN": 15,
    "REREFERRALS": 66,
    "ASSESS_STARTED": 280,
    "ASSESS_COMPLETED": 270,
    "ASSESS_45D": 216,
    "CIN_END": 700,
    "S47": 100,
    "ICPC_15D": 28,
    "CPP_START": 35,
    "CPP_END": 90,
    "CPP_CEASED": 33,
    "CPP_REPEAT_EVER": 8,
    "CPP_REPEAT_2Y": 2,
    "CLA_END": 150,
    "CLA_START": 12,
    "CLA_CEASED": 11,
    "CLA_UASC_END": 10,
    "CARE_LEAVERS_END": 80,
    "CARE_LEAVERS_UASC_END": 16,
    "EHE_END": 200,
    "EHC_REQUESTS": 50,
    "EHC_ASSESSMENTS": 40,
    "EHCP_ISSUED": 35,
}


def valid_return_rows(la_code: str, period: str, **overrides: int | str) -> list[tuple[str, ...]]:
    """Rows of a valid return; keyword overrides replace (or add) an item's value."""
    values: dict[str, int | str] = {**VALID_CORE_VALUES, **overrides}
    return [(la_code, period, item, str(value), "") for item, value in values.items()]


def write_valid_return(folder: Path, la_code: str, period: str, version: int = 1, **overrides: int | str) -> Path:
    """Write a valid return under `folder/<fy>_<Qn>/` with the template's file name."""
    fy, quarter = period.split(" ")
    suffix = f"_v{version}" if version > 1 else ""
    name = f"{fy}_{quarter}/{la_code}_{fy}_{quarter}{suffix}.csv"
    return write_return(folder, name, valid_return_rows(la_code, period, **overrides))


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


def copy_project(destination: Path) -> Path:
    """A copy of the dbt project (not the venv, data or builds), for tests that change seeds."""
    import shutil

    destination.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("uncommitted", "__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def append_seed_rows(project_dir: Path, seed: str, rows: list[tuple[str, ...]]) -> None:
    """Append rows to a seed CSV of a copied project."""
    path = next(project_dir.joinpath("seeds").rglob(f"{seed}.csv"))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
