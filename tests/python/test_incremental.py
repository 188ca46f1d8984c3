"""The period-incremental warehouse (macro `period_incremental`): a build that recomputes only
the quarters whose inputs changed gives exactly the tables a full build gives.

One small returns folder (six LAs of each of two regions, nine quarters) is built three ways:
the first eight quarters in full; then, on a copy of that warehouse, a quarterly build after
a new quarter arrives, an LA resubmits the second quarter with a changed figure and another
LA's file is withdrawn (and returns of no quarter of the calendar come and go: a quarter
before 2012-13, a name that gives none); and the final folder built in full from nothing.
Every table of the warehouse must be identical, row for row, between the last two. Nine
quarters, so that the resubmission reaches a quarter seven on: the 12-month measures of the
fifth quarter read the second, and the change on last year of the eighth reads those.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import (
    PROJECT_ROOT,
    Build,
    differing_tables,
    empty_tables,
    run_dbt,
    valid_return_rows,
    write_return,
    write_valid_return,
)

pytestmark = pytest.mark.build

QUARTERS = (
    "2022-23 Q1",
    "2022-23 Q2",
    "2022-23 Q3",
    "2022-23 Q4",
    "2023-24 Q1",
    "2023-24 Q2",
    "2023-24 Q3",
    "2023-24 Q4",
    "2024-25 Q1",
)
REGIONS = ("E12000008", "E12000009")  # South East, South West


def las_of(regions: tuple[str, ...], per_region: int = 6) -> list[str]:
    """The first LAs (by code) of each region: enough for ranks, regional and neighbour
    comparators to mean something, few enough for five builds."""
    with (PROJECT_ROOT / "seeds" / "reference" / "ref_local_authorities.csv").open(newline="") as handle:
        current = sorted(
            (row["region_code"], row["la_code"])
            for row in csv.DictReader(handle)
            if row["region_code"] in regions
            and row["is_current"] == "true"
            # the Isles of Scilly has fewer children than the fixture's counts (rule L09 rejects them)
            and row["la_code"] != "420"
        )
    return sorted(la for region in regions for la in [la for r, la in current if r == region][:per_region])


def quarter_figures(index: int, period: str) -> dict[str, int]:
    """The figures of the `index`-th LA's return of `period`: they differ between LAs and
    quarters, so that ranks and comparators mean something."""
    return {"CONTACTS": 900 + 7 * index + 13 * QUARTERS.index(period), "CLA_END": 120 + index}


def write_quarter(folder: Path, period: str, las: list[str]) -> None:
    for index, la in enumerate(las):
        write_valid_return(folder, la, period, **quarter_figures(index, period))


def quarterly_build(returns: Path, db_path: Path, with_seeds: bool = False, chunk: int | None = None) -> Build:
    """`chunk`: the quarters the comparator and rank engine computes at once (the var
    scope_chunk_quarters; 0 = all at once), else the project's default."""
    selector = "quarterly_build_with_seeds" if with_seeds else "quarterly_build"
    return run_dbt(returns, db_path, command="build", extra_args=("--selector", selector, *chunk_vars(chunk)))


def chunk_vars(chunk: int | None) -> tuple[str, ...]:
    return ("--vars", f"{{scope_chunk_quarters: {chunk}}}") if chunk is not None else ()


CHUNKED_MODELS = (
    "int_view_indicator_values",
    "int_view_comparator_groups",
    "int_view_comparators",
    "int_view_benchmarks",
)


def chunk_inserts(build: Build) -> dict[str, int]:
    """How many groups of quarters each chunked model inserted into its table, by name, in
    the last dbt command on the warehouse (its part of dbt's log, which each command appends
    to): a build from nothing creates the table from the first group, so inserts the others;
    an incremental build inserts every group (none is staged in a temporary table first)."""
    log = (build.db_path.parent / "dbt_target" / "logs" / "dbt.log").read_text(encoding="utf-8")
    log = log[log.rindex("Running with dbt=") :]
    return {model: log.count(f'insert into "riia"."intermediate"."{model}" by name') for model in CHUNKED_MODELS}


def scope(build: Build) -> set[str]:
    return {row[0] for row in build.query("select period from intermediate.int_build_scope")}


def committed(build: Build) -> dict[str, str]:
    return dict(build.query("select period, inputs_fingerprint from intermediate.int_period_inputs_committed"))


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The builds, and what each left behind at the moment it finished."""
    root = tmp_path_factory.mktemp("incremental")
    las = las_of(REGIONS)
    returns = root / "returns"
    for period in QUARTERS[:8]:
        write_quarter(returns, period, las)
    # a return with an error (L01: more re-referrals than referrals), corrected below
    write_valid_return(returns, las[2], QUARTERS[2], REREFERRALS=900)
    # returns of no quarter of the calendar, which every build types and validates again
    # (period_incremental(off_calendar=true)): a quarter before 2012-13 (rule T03) and a
    # name that gives no quarter; one of each is withdrawn below and one of each added
    write_valid_return(returns, las[3], "2011-12 Q4")
    write_return(
        returns, f"{QUARTERS[0].replace(' ', '_')}/contacts_{las[4]}.csv", valid_return_rows(las[4], QUARTERS[0])
    )
    # the comparator and rank engine at the project's default, eight quarters at a time: the
    # first eight at once (builds at the default share one parse with the rest of the test
    # run's, conftest.Parses)
    first = quarterly_build(returns, root / "first" / "riia.duckdb", with_seeds=True)
    facts: dict = {"las": las, "first_scope": scope(first), "first_committed": committed(first)}
    facts["first_chunk_inserts"] = chunk_inserts(first)
    facts["first_status"] = first.query(
        f"select file_version, return_status from marts.fct_returns where la_code = '{las[2]}' "
        f"and period = '{QUARTERS[2]}'"
    )

    # the next quarter: a new quarter, a resubmission of an old one, a withdrawn file
    write_quarter(returns, QUARTERS[8], las)
    write_valid_return(returns, las[0], QUARTERS[1], version=2, CONTACTS=2500, CLA_END=300)
    write_valid_return(returns, las[2], QUARTERS[2], version=2)  # the correction
    folder = QUARTERS[2].replace(" ", "_")
    (returns / folder / f"{las[1]}_{folder}.csv").unlink()
    (returns / "2011-12_Q4" / f"{las[3]}_2011-12_Q4.csv").unlink()
    (returns / QUARTERS[0].replace(" ", "_") / f"contacts_{las[4]}.csv").unlink()
    write_valid_return(returns, las[5], "2011-12 Q3")
    write_return(returns, f"{folder}/cin_{las[5]}.csv", valid_return_rows(las[5], QUARTERS[2]))
    # in the new quarter, the last LA's resubmission with a comment on a figure, then a third
    # version that is no CSV at all (a reject, quarantined: the second stays in use), so that
    # the comments and rejects are compared with the full build's, not empty in both
    new_folder, index = QUARTERS[8].replace(" ", "_"), len(las) - 1
    rows = [
        (*row[:4], "Two sibling groups came into care in the last week" if row[2] == "CLA_END" else "")
        for row in valid_return_rows(las[index], QUARTERS[8], **quarter_figures(index, QUARTERS[8]))
    ]
    write_return(returns, f"{new_folder}/{las[index]}_{new_folder}_v2.csv", rows)
    (returns / new_folder / f"{las[index]}_{new_folder}_v3.csv").write_bytes(b"PK\x03\x04" + bytes(64))

    next_db = root / "next" / "riia.duckdb"
    next_db.parent.mkdir()
    shutil.copyfile(first.db_path, next_db)
    # what an incremental build of a Python model left in the warehouse before it was dropped
    with duckdb.connect(str(next_db)) as con:
        con.execute("create table main.stg_la_returns__lines__dbt_tmp20250101000000000000 as select 1 as line")
    # a run that stops part-way through the chain (here: only its first models) commits nothing
    # (every later build of this warehouse three quarters at a time: the quarters it
    # recomputes in three groups or more; they share one parse, made by the first of them)
    partial = run_dbt(returns, next_db, command="build", extra_args=("--select", "int_build_scope+1", *chunk_vars(3)))
    facts["partial_scope"], facts["partial_committed"] = scope(partial), committed(partial)
    incremental = quarterly_build(returns, next_db, chunk=3)
    facts["incremental_chunk_inserts"] = chunk_inserts(incremental)
    facts["incremental_scope"] = scope(incremental)
    facts["incremental_committed"] = committed(incremental)
    facts["resubmitted"] = incremental.scalar(
        f"select value from marts.fct_indicator_values where la_code = '{las[0]}' "
        f"and period = '{QUARTERS[1]}' and indicator_code = 'CONTACTS' and measure = 'count'"
    )
    facts["corrected_status"] = incremental.query(
        f"select file_version, return_status from marts.fct_returns where la_code = '{las[2]}' "
        f"and period = '{QUARTERS[2]}'"
    )
    # staging parses a file once: the first quarter's files were not parsed again
    facts["first_quarter_parsed_at"] = incremental.scalar(
        f"select count(distinct loaded_at) from staging.stg_la_returns__lines where file_path like '{QUARTERS[0].replace(' ', '_')}/%'"
    )
    facts["off_calendar_typed"] = {
        row[0]
        for row in incremental.query(
            "select distinct source_file from intermediate.int_return_values_typed "
            "where file_name_period is null or file_name_period not in (select period from intermediate.int_periods)"
        )
    }
    unchanged = quarterly_build(returns, next_db, chunk=3)
    facts["unchanged_scope"] = scope(unchanged)
    facts["unchanged_validated"] = {
        Path(row[0]).name
        for row in unchanged.query(
            "select file_path from intermediate.int_validation_scope where scope_role = 'validate'"
        )
    }
    # ... against which every quarter computed from nothing, at the default: eight and one
    full = quarterly_build(returns, root / "full" / "riia.duckdb", with_seeds=True)
    facts["full_chunk_inserts"] = chunk_inserts(full)
    facts["incremental_db"], facts["full_db"] = unchanged.db_path, full.db_path
    facts["tables"] = {
        name: set(build.query("select schema_name || '.' || table_name from duckdb_tables()"))
        for name, build in (("incremental", unchanged), ("full", full))
    }
    return facts


def test_the_first_build_computes_every_quarter(builds: dict) -> None:
    assert set(QUARTERS[:8]) <= builds["first_scope"]
    # and fingerprints every quarter a file's name gives, one off the calendar too
    assert set(builds["first_committed"]) == {*QUARTERS[:8], "2011-12 Q4"}


def test_a_run_that_stops_part_way_commits_nothing(builds: dict) -> None:
    assert builds["partial_scope"] >= set(QUARTERS[1:])
    assert builds["partial_committed"] == builds["first_committed"]


def test_the_quarterly_build_recomputes_the_changed_quarters_and_the_seven_after(builds: dict) -> None:
    # the 2nd quarter resubmitted, the 3rd lost a file, the 9th is new: the 2nd and every
    # quarter after (the 9th is seven on from the 2nd); never the 1st
    assert builds["incremental_scope"] >= set(QUARTERS[1:])
    assert QUARTERS[0] not in builds["incremental_scope"]
    assert builds["incremental_committed"][QUARTERS[0]] == builds["first_committed"][QUARTERS[0]]
    assert builds["resubmitted"] == 2500


def test_the_lines_of_returns_of_no_quarter_are_typed_again_on_every_build(builds: dict) -> None:
    # the two added, not the two withdrawn (their quarters are in no build's scope)
    las = builds["las"]
    assert builds["off_calendar_typed"] == {f"{las[5]}_2011-12_Q3.csv", f"cin_{las[5]}.csv"}


def test_a_build_with_nothing_changed_recomputes_nothing_and_revalidates_only_returns_of_no_quarter(
    builds: dict,
) -> None:
    assert builds["unchanged_scope"] == set()
    # but the returns of no quarter of the calendar, which are in no quarter's scope
    las = builds["las"]
    assert builds["unchanged_validated"] == {f"{las[5]}_2011-12_Q3.csv", f"cin_{las[5]}.csv"}


def test_an_incremental_build_equals_a_full_build(builds: dict) -> None:
    assert differing_tables(builds["incremental_db"], builds["full_db"]) == {}
    # what the fixture's quarters leave empty: nothing is released to an audience outside the
    # region (test_sharing compares an incremental build with a full one where it is)
    assert sorted(empty_tables(builds["full_db"])) == [
        "intermediate.int_sharing_disclosure",
        "intermediate.int_sharing_outputs_national",
        "sharing.shr_adcs__national",
        "sharing.shr_agreed__indicators",
        "sharing.shr_d2i__riia_core",
        "sharing.shr_dfe__riia_core",
        "sharing.shr_regional__cross_regional",
    ]


def test_incremental_builds_leave_no_table_a_full_build_has_not(builds: dict) -> None:
    # the tables Python models' incremental builds wrote their new rows to, one per model
    # and build, were left in the main schema (and one left by an older build is dropped)
    assert builds["tables"]["incremental"] == builds["tables"]["full"]
    assert len(builds["tables"]["full"]) > 30


def test_the_rank_engine_a_few_quarters_at_a_time_equals_it_all_at_once(builds: dict) -> None:
    # the first build ran the engine on its eight quarters at once (one statement, no
    # insert), the incremental one three quarters at a time (the quarters it recomputes), the
    # full one eight and one; the tables are equal (test above), the first build's first
    # quarter among them
    assert builds["first_chunk_inserts"] == dict.fromkeys(CHUNKED_MODELS, 0)
    groups = -(-len(builds["incremental_scope"]) // 3)
    assert groups >= 3
    assert builds["incremental_chunk_inserts"] == dict.fromkeys(CHUNKED_MODELS, groups)
    assert builds["full_chunk_inserts"] == dict.fromkeys(CHUNKED_MODELS, 1)


PLANTED = ("sharing.shr_regional__indicators", "marts.fct_indicator_values")


def test_a_quarterly_build_tests_the_grain_of_the_quarters_it_wrote_and_a_full_refresh_every_quarter(
    builds: dict, tmp_path: Path
) -> None:
    """The gating key test of a recipient's figures and of a mart rebuilt by quarter
    (unique_combination with quarter_column) reads, on an incremental build, the quarters the
    build recomputed (int_build_scope), whose rows it wrote; the other quarters' rows it left
    as the last build had them, when the test passed on them. Here, on a copy of the
    incremental warehouse, a row repeated in a recomputed quarter and one repeated in a
    quarter the build left alone (planted by hand: no build writes there), in a sharing output
    and in a mart, which no primary key stops (test_project_shape.py says why): the quarterly
    test finds the first, a full refresh both."""
    db_path = tmp_path / "riia.duckdb"
    shutil.copyfile(builds["incremental_db"], db_path)
    recomputed, left = QUARTERS[8], QUARTERS[3]
    with duckdb.connect(str(db_path)) as con:
        con.execute("delete from intermediate.int_build_scope")
        con.execute("insert into intermediate.int_build_scope values (?)", [recomputed])
        for table in PLANTED:
            for period in (recomputed, left):
                con.execute(f"insert into {table} select * from {table} where period = ? limit 1", [period])
    (tmp_path / "returns").mkdir()
    selected = ("--select", *(f"{table.split('.')[1]},test_name:unique_combination" for table in PLANTED))
    quarterly = run_dbt(tmp_path / "returns", db_path, "test", selected, check=False)
    refreshed = run_dbt(tmp_path / "returns", db_path, "build", (*selected, "--full-refresh"), check=False)
    assert quarterly.returncode != 0 and refreshed.returncode != 0
    for table in PLANTED:
        test = f"unique_combination_{table.split('.')[1]}"
        assert re.search(rf"Failure in test {test}\S*.*\n.*Got 1 result", quarterly.output), table
        assert re.search(rf"Failure in test {test}\S*.*\n.*Got 2 results", refreshed.output), table


def test_the_key_and_not_null_tests_find_a_column_left_empty_and_let_one_that_may_be(
    builds: dict, tmp_path: Path
) -> None:
    """unique_combination with `not_null` finds nulls in the key columns in the query that
    finds repeats (tests/generic/unique_combination.sql), and not_null_columns those of the
    other columns that must have a value (tests/generic/not_null_columns.sql), instead of a
    not_null test of each column. On a copy of the incremental warehouse, a rank row with no
    LA (`not_null: true`) and a finding with no rule (`not_null: [file_path, rule_id]`) each
    fail their model's key test with one row, while the findings about a whole file, which
    have no line and no item, pass; two findings without a message and one without a
    severity, and an indicator of the register without a polarity, fail not_null_columns
    with one row per column left empty."""
    db_path = tmp_path / "riia.duckdb"
    shutil.copyfile(builds["incremental_db"], db_path)
    with duckdb.connect(str(db_path)) as con:
        whole_file = con.sql(
            "select count(*) from intermediate.int_validation_findings where line_number is null and item_code is null"
        ).fetchone()[0]
        for table, column in (
            ("intermediate.int_view_benchmarks", "la_code"),
            ("intermediate.int_validation_findings", "rule_id"),
        ):
            con.execute(f"insert into {table} select * replace (null as {column}) from {table} limit 1")
        for table, column, rows in (
            ("intermediate.int_validation_findings", "message", 2),
            ("intermediate.int_validation_findings", "severity", 1),
            ("reference.ref_indicators", "polarity", 1),
        ):
            con.execute(
                f"update {table} set {column} = null where rowid in "
                f"(select rowid from {table} where {column} is not null order by rowid limit {rows})"
            )
    assert whole_file > 0
    (tmp_path / "returns").mkdir()
    models = ("int_view_benchmarks", "int_validation_findings")
    selected = (
        "--select",
        *(f"{model},test_name:unique_combination" for model in models),
        *(f"{model},test_name:not_null_columns" for model in ("int_validation_findings", "ref_indicators")),
    )
    tested = run_dbt(tmp_path / "returns", db_path, "test", selected, check=False)
    assert tested.returncode != 0
    for model in models:
        assert re.search(rf"Failure in test unique_combination_{model}\S*.*\n.*Got 1 result", tested.output), model
    for model, columns in (("int_validation_findings", 2), ("ref_indicators", 1)):
        failed = rf"Failure in test not_null_columns_{model}\S*.*\n.*Got {columns} result"
        assert re.search(failed, tested.output), (model, tested.output[-3000:])


def test_a_resubmission_correcting_an_error_replaces_the_quarantined_return(builds: dict) -> None:
    assert builds["first_status"] == [(1, "quarantined")]
    # accepted (its figures differ from last quarter's enough to warn, as real ones may)
    assert [(version, status.startswith("accepted")) for version, status in builds["corrected_status"]] == [(2, True)]


def test_a_file_already_parsed_is_not_parsed_again(builds: dict) -> None:
    assert builds["first_quarter_parsed_at"] == 1


def test_a_quarters_ranks_do_not_depend_on_the_quarters_computed_beside_it(sample_build: Build) -> None:
    """The rank engine computes the quarters of a group in one statement (scope_chunks): a
    quarter's rows are the same whichever quarters share its statement, the calendar's first
    quarter included, which has no quarter before it (a NULL there once emptied the
    year-before values of every quarter beside it)."""
    import re

    compiled = sample_build.db_path.parent / "dbt_target/compiled/riia/models/intermediate/indicators"
    sql = (compiled / "int_view_benchmarks.sql").read_text(encoding="utf-8")
    assert "riia-scope:" in sql

    def scoped(periods: list[str]) -> str:
        listed = ", ".join(f"'{period}'" for period in periods)
        return re.sub(
            r"\(/\*riia-scope:([^*]+)\*/ [^()]*(\([^()]*\))?\)", lambda m: f"({m.group(1)} in ({listed}))", sql
        )

    with duckdb.connect(str(sample_build.db_path), read_only=True) as con:
        first = con.sql("select period from intermediate.int_periods order by period_index limit 1").fetchone()[0]
        last = con.sql(
            "select period from intermediate.int_periods "
            "where period in (select period from intermediate.int_view_benchmarks) order by period_index desc limit 1"
        ).fetchone()[0]
        stored = con.sql(
            f"select * from intermediate.int_view_benchmarks where period = '{last}' order by all"
        ).fetchall()
        alone = con.sql(f"select * from ({scoped([last])}) where period = '{last}' order by all").fetchall()
        beside = con.sql(f"select * from ({scoped([first, last])}) where period = '{last}' order by all").fetchall()
        columns = [row[0] for row in con.sql("describe intermediate.int_view_benchmarks").fetchall()]
    year_before = columns.index("same_quarter_last_year_value")
    assert sum(row[year_before] is not None for row in stored) > 1000
    assert alone == stored
    assert beside == stored
