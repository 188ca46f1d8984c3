"""`riia checksums`: a developer's proof that a change of code moved no figure, on a small
warehouse made here (the command reads any DuckDB file's `marts` and `sharing` tables).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from riia.cli import app


def make_warehouse(path: Path, rows: list[tuple[str, int]]) -> Path:
    """A warehouse with a mart and a shared table holding `rows` in the order given, and a
    table of another schema, which no checksum covers."""
    with duckdb.connect(str(path)) as con:
        for schema in ("marts", "sharing", "staging"):
            con.execute(f"create schema {schema}")
        con.execute("create table marts.fct_values (la_code varchar, value integer)")
        con.executemany("insert into marts.fct_values values (?, ?)", rows)
        con.execute("create table sharing.shr_values as select la_code, value * 2 as value from marts.fct_values")
        con.execute("create table staging.stg_lines as select random() as noise")
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["checksums", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


ROWS = [("805", 10), ("806", 20), ("202", 30)]


def test_the_same_contents_in_another_order_give_the_same_checksums(tmp_path: Path) -> None:
    first = make_warehouse(tmp_path / "first.duckdb", ROWS)
    second = make_warehouse(tmp_path / "second.duckdb", list(reversed(ROWS)))
    code, printed, _ = run(first)
    assert code == 0
    values = json.loads(printed)  # without --out or --compare, the checksums themselves
    assert sorted(values) == ["marts.fct_values", "sharing.shr_values"]
    assert values["marts.fct_values"]["rows"] == 3 and values["marts.fct_values"]["columns"] == ["la_code", "value"]
    code, printed, _ = run(second, "--out", tmp_path / "second.json")
    assert code == 0 and printed == f"2 checksums written to {tmp_path / 'second.json'}\n"
    assert json.loads((tmp_path / "second.json").read_text()) == values
    code, printed, _ = run(first, "--compare", tmp_path / "second.json")
    assert code == 0 and printed.endswith("2 of 2 tables and files identical\n"), printed


def test_a_changed_figure_table_or_export_is_named_and_fails_the_comparison(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    (exports / "dfe").mkdir(parents=True)
    (exports / "dfe" / "indicators.csv").write_text("la_code,value\n805,10\n")
    (exports / "dfe" / ".exports.json").write_text("{}")  # the build's bookkeeping: not a figure
    before = make_warehouse(tmp_path / "before.duckdb", ROWS)
    code, _, _ = run(before, "--exports", exports, "--out", tmp_path / "before.json")
    assert code == 0 and sorted(json.loads((tmp_path / "before.json").read_text())) == [
        "exports/dfe/indicators.csv",
        "marts.fct_values",
        "sharing.shr_values",
    ]
    after = make_warehouse(tmp_path / "after.duckdb", [("805", 10), ("806", 21), ("202", 30)])
    with duckdb.connect(str(after)) as con:
        con.execute("drop table sharing.shr_values")
        con.execute("create table marts.fct_more as select 1 as one")
    (exports / "dfe" / "indicators.csv").write_text("la_code,value\n805,11\n")
    (exports / "dfe" / ".exports.json").write_text('{"changed": true}')
    code, printed, _ = run(after, "--exports", exports, "--compare", tmp_path / "before.json")
    assert code == 1
    assert printed.splitlines() == [
        "exports/dfe/indicators.csv: contents differ",
        "marts.fct_more: new",
        "marts.fct_values: contents differ",
        "sharing.shr_values: missing after",
        "0 of 4 tables and files identical; 4 differ",
    ]


@pytest.mark.parametrize("case", ["missing", "no_build_made_it"])
def test_a_warehouse_it_cannot_read_is_one_sentence(tmp_path: Path, case: str) -> None:
    """(One held open for writing by another program: test_faults_folder, with the other
    commands that read the published warehouse.)"""
    path = tmp_path / "riia.duckdb"
    if case == "no_build_made_it":
        duckdb.connect(str(path)).close()
    code, printed, said = run(path)
    assert code == 2 and printed == "" and len(said.splitlines()) == 1, (printed, said)
    assert {
        "missing": f"No warehouse at {path}: ",
        "no_build_made_it": f"The warehouse {path} holds no mart or shared table: ",
    }[case] in said, said
