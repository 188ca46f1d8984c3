"""Reliability of the quarterly build (`riia build`), as `make build` runs it.

* an analyst holding the published database open read-only does not block a build and
  keeps a consistent view;
* a build killed with SIGKILL mid-run leaves the last good database readable and correct;
* two builds from the same inputs, whatever the file order on disk, give identical marts
  and identical export files.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, dbt_env, write_valid_return

PERIODS = ("2024-25 Q1", "2024-25 Q2")
LAS = ("805", "806", "202", "203", "826", "831", "350", "800", "330", "370", "873", "886")


def make_returns(folder: Path) -> Path:
    for period in PERIODS:
        for index, la_code in enumerate(LAS):
            write_valid_return(folder, la_code, period, CLA_END=150 + index, CIN_END=700 + 3 * index)
    return folder


def quarterly_build(returns: Path, db: Path, out: Path) -> subprocess.Popen:
    """`riia build` publishing into the folder of `db` (db is its stable warehouse path)."""
    env = dbt_env(returns, db)
    env.update(
        RIIA_BUILD_DIR=str(db.parent),
        DBT_TARGET_PATH=str(out / "target"),
        DBT_LOG_PATH=str(out / "target" / "logs"),
    )
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "riia"), "build"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def run_build(returns: Path, db: Path, out: Path) -> str:
    proc = quarterly_build(returns, db, out)
    output, _ = proc.communicate(timeout=900)
    assert proc.returncode == 0, output[-5000:]
    return output


def table_digest(db: Path, schemas: tuple[str, ...] = ("marts", "sharing")) -> dict[str, str]:
    """SHA-256 of every table's rows, sorted, in the given schemas."""
    digests = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.sql(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {schemas} order by all"
        ).fetchall()
        for schema, table in tables:
            rows = con.sql(f"select * from {schema}.{table} order by all").fetchall()
            digests[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def file_digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json", ".txt")
    }


@pytest.mark.build
def test_a_reader_holding_the_database_open_neither_blocks_nor_sees_a_half_build(tmp_path: Path) -> None:
    returns = make_returns(tmp_path / "returns")
    db = tmp_path / "build" / "riia.duckdb"
    run_build(returns, db, tmp_path)
    reader = duckdb.connect(str(db), read_only=True)
    before = reader.sql("select count(*) from marts.fct_returns").fetchone()[0]
    assert before == len(LAS) * len(PERIODS)

    write_valid_return(returns, "807", "2024-25 Q2")
    run_build(returns, db, tmp_path)  # succeeds while the reader holds the old file open

    # the reader keeps the consistent snapshot it opened ...
    assert reader.sql("select count(*) from marts.fct_returns").fetchone()[0] == before
    reader.close()
    # ... and a new connection sees the new build
    with duckdb.connect(str(db), read_only=True) as fresh:
        assert fresh.sql("select count(*) from marts.fct_returns").fetchone()[0] == before + 1


@pytest.mark.build
def test_a_killed_build_leaves_the_last_good_database(tmp_path: Path) -> None:
    returns = make_returns(tmp_path / "returns")
    db = tmp_path / "build" / "riia.duckdb"
    run_build(returns, db, tmp_path)
    good_bytes = hashlib.sha256(db.read_bytes()).hexdigest()
    good_tables = table_digest(db)

    write_valid_return(returns, "807", "2024-25 Q2")
    proc = quarterly_build(returns, db, tmp_path)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(db.parent.glob("publications/*/BUILDING")):
        time.sleep(0.1)
    assert list(db.parent.glob("publications/*/BUILDING")), "the build writes to a folder of its own"
    time.sleep(4)  # well into dbt's run
    assert proc.poll() is None, "the build was still running when killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    assert hashlib.sha256(db.read_bytes()).hexdigest() == good_bytes
    assert table_digest(db) == good_tables
    # and the next build recovers from the leftover file
    run_build(returns, db, tmp_path)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("select count(*) from marts.fct_returns").fetchone()[0] == len(LAS) * len(PERIODS) + 1


@pytest.mark.build
def test_two_builds_from_the_same_inputs_are_identical_whatever_the_file_order(tmp_path: Path) -> None:
    first_returns = make_returns(tmp_path / "first" / "returns")
    # the same files (bytes and modification times) created in the reverse order
    second_returns = tmp_path / "second" / "returns"
    for path in sorted(first_returns.rglob("*.csv"), reverse=True):
        target = second_returns / path.relative_to(first_returns)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    # different folder names must not matter either: paths are stored relative to the folder
    run_build(first_returns, tmp_path / "first" / "riia.duckdb", tmp_path / "first")
    run_build(second_returns, tmp_path / "second" / "riia.duckdb", tmp_path / "second")

    first, second = table_digest(tmp_path / "first" / "riia.duckdb"), table_digest(tmp_path / "second" / "riia.duckdb")
    assert len(first) > 10
    assert first == second
    first_files = file_digests(tmp_path / "first" / "current" / "exports")
    assert first_files and first_files == file_digests(tmp_path / "second" / "current" / "exports")


@pytest.mark.build
def test_an_incremental_quarterly_build_equals_a_full_build(tmp_path: Path) -> None:
    """Staging and validation are incremental (only new or changed files are parsed and
    only their quarters re-validated); the result must be what a full build gives - also
    when a resubmission fixes an error in an earlier quarter."""
    returns = make_returns(tmp_path / "returns")
    write_valid_return(returns, "807", "2024-25 Q1", REREFERRALS=900)  # L01: quarantined
    db = tmp_path / "incremental" / "riia.duckdb"
    run_build(returns, db, tmp_path / "incremental")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql("select return_status from marts.fct_returns where la_code = '807'").fetchall() == [
            ("quarantined",)
        ]

    # next quarter arrives, with Redcar's corrected resubmission for the earlier one
    for index, la_code in enumerate(LAS):
        write_valid_return(returns, la_code, "2024-25 Q3", CLA_END=150 + index, CIN_END=700 + 3 * index)
    write_valid_return(returns, "807", "2024-25 Q1", version=2)
    output = run_build(returns, db, tmp_path / "incremental")
    assert "Return files received" in output

    full = tmp_path / "full" / "riia.duckdb"
    run_build(returns, full, tmp_path / "full")
    incremental_tables, full_tables = table_digest(db), table_digest(full)
    assert incremental_tables == full_tables
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.sql(
            "select file_version, return_status from marts.fct_returns where la_code = '807'"
        ).fetchall() == [(2, "accepted")]
        parsed_twice = con.sql(
            "select count(distinct loaded_at) from staging.stg_la_returns__lines where file_path like '2024-25_Q1/%'"
        ).fetchone()[0]
        assert parsed_twice == 2, "the first quarter's files were parsed once, the resubmission later"
