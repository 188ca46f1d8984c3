"""Every example query in analyses/ runs against a real build and answers something."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, Build

ANALYSES = sorted((PROJECT_ROOT / "analyses").glob("*.sql"))


def test_there_are_example_queries() -> None:
    assert len(ANALYSES) >= 5


@pytest.mark.build
@pytest.mark.parametrize("path", ANALYSES, ids=lambda p: p.stem)
def test_analysis_runs_on_the_sample_and_returns_rows(sample_build: Build, path: Path) -> None:
    rows = sample_build.query(path.read_text())
    assert rows, f"{path.name} returned nothing on the sample"


@pytest.mark.build
def test_quarantined_returns_are_listed_for_the_data_engineer(sample_build: Build) -> None:
    """The sample's last quarter has no quarantined return and none missing: the query runs on
    a copy of the tables it reads in which one LA's return is quarantined and one LA's is gone."""
    with duckdb.connect() as con:
        con.execute(f"attach '{sample_build.db_path}' as sample (read_only)")
        con.execute("create schema marts")
        for table in ("fct_returns", "dim_period", "dim_local_authority"):
            con.execute(f"create table marts.{table} as select * from sample.marts.{table}")
        con.execute("detach sample")
        (period,) = con.execute(
            "select max_by(period, period_index) from marts.dim_period where period in (select period from marts.fct_returns)"
        ).fetchone()
        accepted = [
            la_code
            for (la_code,) in con.execute(
                "select la_code from marts.fct_returns where period = ? and return_status = 'accepted' order by 1",
                [period],
            ).fetchall()
        ]
        quarantined, missing = accepted[0], accepted[1]
        con.execute(
            "update marts.fct_returns set return_status = 'quarantined', error_rule_ids = 'L01' "
            "where la_code = ? and period = ?",
            [quarantined, period],
        )
        con.execute("delete from marts.fct_returns where la_code = ? and period = ?", [missing, period])
        sql = (PROJECT_ROOT / "analyses" / "returns_received_this_quarter.sql").read_text()
        listed = {row[1]: (row[3], row[4], row[5]) for row in con.execute(sql).fetchall()}
    assert listed[quarantined] == (period, "quarantined", "L01")
    assert listed[missing] == (period, "not received", None)
    assert not set(accepted[2:]) & set(listed), "an accepted return is not listed"
    assert {status for _, status, _ in listed.values()} == {"quarantined", "not received", "accepted_with_warnings"}
