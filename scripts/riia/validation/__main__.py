"""`python -m riia.validation FOLDER`: run the suites on the validation inputs in FOLDER.
`python -m riia.validation --wait`: import Great Expectations first, then read FOLDER from
standard input (riia.validation.child starts it early; nothing read, nothing done).

The dbt model `int_validation_findings` writes one Parquet file per input (the data
assets, `item_lines`) and `parameters.json` into a temporary folder, then runs this in a
child process, so that Great Expectations' memory is handed back to the system when it
is done rather than held by the dbt process for the rest of the build. The findings are
written to `findings.parquet` in the same folder.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb

from riia import heap
from riia.validation.suites import ASSET_KEYS, ITEM_LINES, import_great_expectations, run_suites


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m riia.validation FOLDER | --wait", file=sys.stderr)
        return 2
    if argv[0] == "--wait":
        import_great_expectations()  # the slow part, done before the folder is ready
        heap.settle()  # its modules, kept to the end of this process
        argv = [sys.stdin.readline().strip()]
        if not argv[0]:
            return 0
    folder = Path(argv[0])
    settings = json.loads((folder / "parameters.json").read_text())
    # DuckDB reads and writes the Parquet files (pandas would need pyarrow)
    with duckdb.connect() as con:
        batches = frame_batches(con, folder, int(settings.get("batch_rows") or 0))
        findings = run_suites(Path(settings["gx_dir"]), batches, settings["parameters"])
        con.from_df(findings).write_parquet(str(folder / "findings.parquet"))
    return 0


def inputs(folder: Path) -> dict[str, str]:
    """Each input's Parquet file, by the asset (or lookup) it feeds, quoted for SQL."""
    return {name: "'" + str(folder / f"{name}.parquet").replace("'", "''") + "'" for name in (*ASSET_KEYS, ITEM_LINES)}


def file_rows(con: duckdb.DuckDBPyConnection, folder: Path) -> list[tuple[str, int]]:
    """Each file of the inputs, in order, with its rows over every input."""
    rows = " union all ".join(f"select file_path from read_parquet({path})" for path in inputs(folder).values())
    counted = con.sql(f"select file_path, count(*) from ({rows}) group by file_path order by file_path").fetchall()
    if any(file_path is None for file_path, _ in counted):
        raise ValueError(f"a validation input in {folder} has a row without a file_path")
    return counted


def file_batches(con: duckdb.DuckDBPyConnection, folder: Path, batch_rows: int) -> list[tuple[str, str]]:
    """The files of the inputs in order, in groups whose rows over every input number at
    most `batch_rows` (a file with more is a group of its own; 0 = one group), each group
    given by its first and last file."""
    groups: list[list[str]] = []
    size = 0
    for file_path, count in file_rows(con, folder):
        if not groups or (batch_rows and size + count > batch_rows):
            groups.append([])
            size = 0
        groups[-1].append(file_path)
        size += count
    return [(group[0], group[-1]) for group in groups]


def frame_batches(con: duckdb.DuckDBPyConnection, folder: Path, batch_rows: int) -> Iterator[dict[str, object]]:
    """Each group of files' rows of every input (file_batches), one DataFrame per input, in
    the order the inputs were written."""
    for first, last in file_batches(con, folder, batch_rows):
        yield {
            name: con.execute(f"select * from read_parquet({path}) where file_path between ? and ?", [first, last]).df()
            for name, path in inputs(folder).items()
        }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
