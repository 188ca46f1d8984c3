"""Reliability of the quarterly build (`riia build`), as `make build` runs it: two builds
from the same inputs, whatever the file order on disk and the folder's name, give identical
marts, shared tables and export files - one from nothing, the other a full refresh (what a
change of the code runs) of the warehouse the first published, in the space it took.

Readers during a build, kills at every step and a second build at once are in
test_faults_kill.py; an incremental build against a full one in test_incremental.py.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

import faultkit as fk
from conftest import PROJECT_ROOT, empty_tables, run_dbt, write_valid_return
from riia.build.dbt import time_in_nodes_text

PERIODS = ("2024-25 Q1", "2024-25 Q2")
LAS = ("805", "806", "202", "203", "826", "831", "350", "800", "330", "370", "873", "886")


def make_returns(folder: Path) -> Path:
    for period in PERIODS:
        for index, la_code in enumerate(LAS):
            write_valid_return(folder, la_code, period, CLA_END=150 + index, CIN_END=700 + 3 * index)
    # versions, whose order is the returns' and not the files': a resubmission that revises a
    # figure, then a third version that is no CSV (a reject; the second stays in use)
    write_valid_return(folder, LAS[0], PERIODS[1], version=2, CLA_END=175, CIN_END=700)
    third = write_valid_return(folder, LAS[0], PERIODS[1], version=3)
    third.write_bytes(b"PK\x03\x04" + bytes(64))
    return folder


def run_build(returns: Path, build_dir: Path, *args: str, **extra: str) -> str:
    """`riia build` of `returns`, publishing into `build_dir` (its warehouse: build_dir/riia.duckdb);
    what it printed."""
    finished = fk.run(["build", *args], fk.riia_env(returns, build_dir, **extra), timeout=900)
    fk.assert_succeeded(finished)
    return finished.stdout


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
    """SHA-256 of every text file; a manifest without its `build_id`, which names the build
    that wrote it (its time and a random part) and so differs between any two builds."""

    def content(path: Path) -> bytes:
        if path.name != "manifest.json":
            return path.read_bytes()
        manifest = json.loads(path.read_text(encoding="utf-8"))
        assert manifest.pop("build_id")
        return json.dumps(manifest, sort_keys=True).encode()

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(content(p)).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix in (".csv", ".json", ".txt")
    }


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two `riia build`s of the same returns, in `first/` and `second/` of the folder returned:
    the first from nothing, the second a full refresh (what every change of the code runs)
    carrying on from a copy of the warehouse the first published (and of nothing else, so
    that it writes every export and report afresh)."""
    tmp_path = tmp_path_factory.mktemp("pair")
    first_returns = make_returns(tmp_path / "first" / "returns")
    # the same files (bytes and modification times) created in the reverse order (a full
    # refresh reads every file again)
    second_returns = tmp_path / "second" / "returns"
    for path in sorted(first_returns.rglob("*.csv"), reverse=True):
        target = second_returns / path.relative_to(first_returns)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    # different folder names must not matter either: paths are stored relative to the folder
    (tmp_path / "first" / "printed.txt").write_text(run_build(first_returns, tmp_path / "first"))
    published = (tmp_path / "first" / "current").resolve()
    carried = tmp_path / "second" / "publications" / published.name
    carried.mkdir(parents=True)
    shutil.copy2(published / "riia.duckdb", carried / "riia.duckdb")
    (tmp_path / "second" / "current").symlink_to(Path("publications") / published.name)
    # the second build starts from the first's parse (dbt's partial parse), made for a warehouse
    # in another folder: it holds because riia gives dbt the same connection for every build
    # (the warehouse by its bare name, riia.build.dbt)
    (tmp_path / "second" / "target").mkdir(parents=True)
    shutil.copyfile(
        tmp_path / "first" / "target" / "partial_parse.msgpack",
        tmp_path / "second" / "target" / "partial_parse.msgpack",
    )
    # ... and at another memory limit than the first (as a catch-up is, and the quarterly
    # build after it), and on one thread: DuckDB's settings, not the parse's (macro
    # apply_duckdb_limits); and with another size limit for files, which the loader reads,
    # not dbt (riia.config.LOADER_SETTINGS; every file here is far below both)
    printed = run_build(
        second_returns,
        tmp_path / "second",
        "--full-refresh",
        RIIA_DUCKDB_MEMORY_LIMIT="400MB",
        RIIA_DUCKDB_THREADS="1",
        RIIA_RETURNS_MAX_FILE_BYTES="2000000",
    )
    (tmp_path / "second" / "printed.txt").write_text(printed)
    return tmp_path


@pytest.mark.build
def test_two_builds_from_the_same_inputs_are_identical_whatever_the_file_order(pair: Path) -> None:
    tmp_path = pair
    first, second = table_digest(tmp_path / "first" / "riia.duckdb"), table_digest(tmp_path / "second" / "riia.duckdb")
    assert len(first) > 10
    assert first == second
    # what agrees only because it is empty in both: no quarter is released beyond the region
    assert sorted(set(first) & empty_tables(tmp_path / "first" / "riia.duckdb")) == [
        "sharing.shr_adcs__national",
        "sharing.shr_agreed__indicators",
        "sharing.shr_d2i__riia_core",
        "sharing.shr_dfe__riia_core",
        "sharing.shr_regional__cross_regional",
    ]
    first_files = file_digests(tmp_path / "first" / "current" / "exports")
    assert first_files and first_files == file_digests(tmp_path / "second" / "current" / "exports")
    # dbt kept its parse and its log, and wrote none of its JSON artifacts (riia.build.dbt)
    written = {p.name for p in (tmp_path / "second" / "target").iterdir()}
    assert "partial_parse.msgpack" in written and not written & {"manifest.json", "run_results.json"}, written
    # dbt did not parse the project again
    log = (tmp_path / "second" / "target" / "logs" / "dbt.log").read_text()
    assert "Finished running" in log, log[-3000:]  # dbt's log of the build, where a failure sends a reader
    assert "Unable to do partial parsing" not in log, log[-3000:]
    # each build ran at its own limits (DuckDB gives the memory in MiB)
    first_log = (tmp_path / "first" / "target" / "logs" / "dbt.log").read_text()
    assert "DuckDB memory limit: 286.1 MiB (300MB)" in first_log
    assert "DuckDB memory limit: 381.4 MiB (400MB)" in log
    assert "DuckDB threads: 1 (RIIA_DUCKDB_THREADS)" in log


@pytest.mark.build
def test_a_full_refresh_rebuilds_the_warehouse_in_the_space_the_old_one_took(pair: Path) -> None:
    first, second = pair / "first", pair / "second"
    assert "--full-refresh: rebuilt whole, as asked" in (second / "printed.txt").read_text()
    # DuckDB does not give a file's space back: the models' tables are dropped before they are
    # rebuilt (riia.build.state.clear_rebuilt), else the new ones are written beside them and
    # every later build copies the larger file (89 blocks of 256 KiB, and 165 without the drop)
    sizes = {build.name: (build / "riia.duckdb").stat().st_size for build in (first, second)}
    assert sizes["second"] <= 1.1 * sizes["first"], sizes


@pytest.mark.build
def test_a_build_says_where_its_dbt_steps_time_went(pair: Path) -> None:
    """build.json's dbt_time (riia.build.dbt.time_in_nodes): dbt's own timings of the nodes it ran,
    by kind, and the slowest models, which are the project's; together within the dbt step."""
    summary = json.loads((pair / "first" / "current" / "build.json").read_text())
    spent = summary["dbt_time"]
    assert spent["nodes"] > 100 and {"model", "test"} <= set(spent["in_nodes"]), spent
    models = {p.stem for p in (PROJECT_ROOT / "models").rglob("*") if p.suffix in (".sql", ".py")}
    assert spent["slowest_models"] and set(spent["slowest_models"]) <= models, spent
    assert list(spent["slowest_models"].values()) == sorted(spent["slowest_models"].values(), reverse=True)
    # within the dbt step, which also starts the validation child: each figure is rounded to 0.1 s
    rounding = 0.05 * (len(spent["in_nodes"]) + 2)
    assert 0 < sum(spent["in_nodes"].values()) + spent["outside_nodes"] <= summary["step_seconds"]["dbt"] + rounding
    # dbt ran on the parse made beside the build's copy of the warehouse
    # (riia.build.dbt.parse_beside): it did not parse the project again
    assert spent["parsed"] is False, spent
    # ... and what the build printed after dbt
    printed = (pair / "first" / "printed.txt").read_text()
    assert f"  where dbt's time went: {time_in_nodes_text(spent)}\n" in printed
    # the kinds by their time, the longest first: on a build this small the tests' can pass the models'
    slowest, seconds = next(iter(spent["slowest_models"].items()))
    assert f" models {spent['in_nodes']['model']:.1f} s ({slowest} {seconds:.1f} s, " in printed
    assert "(the project was parsed beside the warehouse's copy)" in printed


@pytest.mark.build
def test_a_table_or_view_that_fails_to_build_leaves_the_one_before_it_whole(pair: Path, tmp_path: Path) -> None:
    """The table and view materializations (macros/materializations/replace_in_place.sql), and
    the incremental one on a full refresh, drop the existing relation and create the new one
    in one transaction: when the new one cannot be made, the old one is as it was, and
    nothing else is left behind."""
    db = tmp_path / "riia.duckdb"
    shutil.copyfile(pair / "first" / "riia.duckdb", db)
    relations = {
        "marts.dim_period": "BASE TABLE",
        "intermediate.int_validation_comparable_returns": "VIEW",
        "intermediate.int_view_indicator_values": "BASE TABLE",
    }

    def state() -> tuple[dict, dict, list]:
        with duckdb.connect(str(db), read_only=True) as con:
            kinds = dict(
                con.sql(
                    "select table_schema || '.' || table_name, table_type from information_schema.tables"
                ).fetchall()
            )
            rows = {name: con.sql(f"select * from {name} order by all").fetchall() for name in relations}
        return {name: kinds.get(name) for name in relations}, rows, sorted(n for n in kinds if "__dbt_" in n)

    before = state()
    assert before[0] == relations and all(before[1].values()) and before[2] == []
    # each cannot be made without a table its query reads (the incremental model run by
    # itself: it is downstream of the view, and dbt would skip it)
    for selected, missing, failed in (
        (("--select", "dim_period int_validation_comparable_returns"), "int_periods", 2),
        (("--select", "int_view_indicator_values", "--full-refresh"), "int_indicator_values_computed", 1),
    ):
        with duckdb.connect(str(db)) as con:
            con.execute(f"alter table intermediate.{missing} rename to gone")
        run = run_dbt(pair / "first" / "returns", db, "run", selected, check=False)
        assert run.returncode == 1 and run.output.count(f"{missing} does not exist") == failed, run.output[-3000:]
        assert f"ERROR={failed}" in run.output, run.output[-3000:]
        with duckdb.connect(str(db)) as con:  # back, for the next run and for the view to be read
            con.execute(f"alter table intermediate.gone rename to {missing}")
    assert state() == before


@pytest.mark.build
def test_a_full_refresh_by_hand_replaces_an_incremental_table_under_its_own_name(pair: Path, tmp_path: Path) -> None:
    """`dbt run --full-refresh` on a warehouse that holds the incremental models' tables (riia
    build --full-refresh drops them first, riia.build.state) makes each again in place, a SQL
    and a Python model alike (macros/materializations/incremental.sql): the same rows, no
    relation left under another name."""
    db = tmp_path / "riia.duckdb"
    shutil.copyfile(pair / "first" / "riia.duckdb", db)
    tables = ("intermediate.int_view_indicator_values", "intermediate.int_validation_findings")

    def state() -> tuple[dict, list]:
        with duckdb.connect(str(db), read_only=True) as con:
            rows = {name: con.sql(f"select * from {name} order by all").fetchall() for name in tables}
            names = con.sql("select table_schema || '.' || table_name from information_schema.tables").fetchall()
        return rows, sorted(name for (name,) in names)

    before = state()
    assert all(before[0].values()) and not [name for name in before[1] if "__dbt_" in name], before[1]
    run = run_dbt(
        pair / "first" / "returns",
        db,
        "run",
        ("--select", " ".join(name.split(".")[1] for name in tables), "--full-refresh"),
    )
    assert "Finished running 2 incremental models" in run.output, run.output[-3000:]
    assert state() == before


@pytest.mark.build
@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("add column extra integer", "extra INTEGER (only the table)"),
        ("alter value type varchar", "value DOUBLE (only the query), value VARCHAR (only the table)"),
    ],
    ids=["a_column_more", "a_type_changed"],
)
def test_a_quarterly_build_stops_when_a_tables_columns_are_not_its_querys(
    pair: Path, tmp_path: Path, change: str, said: str
) -> None:
    """A period-incremental model's rows are appended to its table by name
    (macros/materializations/incremental.sql), which would fill a column the query lacks
    with NULLs and cast a figure to another type: the build stops instead, naming the
    columns (fail_unless_same_columns, as dbt's on_schema_change='fail')."""
    db = tmp_path / "riia.duckdb"
    shutil.copyfile(pair / "first" / "riia.duckdb", db)
    with duckdb.connect(str(db)) as con:
        con.execute(f"alter table marts.fct_indicator_values {change}")
        rows = con.sql("select count(*) from marts.fct_indicator_values").fetchone()
    run = run_dbt(pair / "first" / "returns", db, "run", ("--select", "fct_indicator_values"), check=False)
    assert run.returncode == 1, run.output[-3000:]
    assert "The columns of fct_indicator_values's query are not those of its table" in run.output, run.output[-3000:]
    assert said in run.output, run.output[-3000:]
    with duckdb.connect(str(db), read_only=True) as con:  # its rows as they were
        assert con.sql("select count(*) from marts.fct_indicator_values").fetchone() == rows


def test_duckdbs_limits_are_set_by_the_hook_that_runs_first_and_by_nothing_after_it() -> None:
    # dbt-duckdb sets the profile's settings again on every cursor it opens (a model's): a
    # memory_limit or threads there would undo the hook's at the first model, whatever the
    # build asked for
    import yaml

    profiles = yaml.safe_load((PROJECT_ROOT / "profiles.yml").read_text(encoding="utf-8"))
    for name, output in profiles["riia"]["outputs"].items():
        assert not {"memory_limit", "threads"} & set(output.get("settings") or {}), name
    hooks = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["on-run-start"]
    assert "apply_duckdb_limits()" in hooks[0]


def test_without_a_thread_setting_duckdb_uses_one_thread_per_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RIIA_DUCKDB_THREADS", "")  # an empty setting is no setting
    # the hook runs before the model, which has nothing to read here
    run = run_dbt(tmp_path / "returns", tmp_path / "riia.duckdb", "run", ("--select", "int_periods"), check=False)
    assert re.search(r"DuckDB threads: [1-9][0-9]* \(one per core\)", run.output), run.output[-3000:]


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("RIIA_DUCKDB_MEMORY_LIMIT", "lots", "RIIA_DUCKDB_MEMORY_LIMIT is 'lots', not a size"),
        ("RIIA_DUCKDB_THREADS", "0", "RIIA_DUCKDB_THREADS is '0', not a whole number of threads"),
        ("RIIA_DUCKDB_THREADS", "2; drop table x", "RIIA_DUCKDB_THREADS is '2; drop table x', not a whole number"),
    ],
)
def test_a_duckdb_limit_that_is_not_one_stops_the_run_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, value: str, said: str
) -> None:
    monkeypatch.setenv(setting, value)
    run = run_dbt(tmp_path / "returns", tmp_path / "riia.duckdb", "run", ("--select", "int_periods"), check=False)
    assert run.returncode != 0
    assert said in run.output, run.output[-3000:]
    assert "1 of 1 START sql" not in run.output  # no model ran
