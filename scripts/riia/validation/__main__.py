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
from pathlib import Path

import duckdb

from riia.validation.suites import ASSET_KEYS, ITEM_LINES, run_suites


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m riia.validation FOLDER | --wait", file=sys.stderr)
        return 2
    if argv[0] == "--wait":
        import great_expectations  # noqa: F401 - the slow part, done before the folder is ready

        argv = [sys.stdin.readline().strip()]
        if not argv[0]:
            return 0
    folder = Path(argv[0])
    settings = json.loads((folder / "parameters.json").read_text())
    # DuckDB reads and writes the Parquet files (pandas would need pyarrow)
    with duckdb.connect() as con:
        frames = {name: con.read_parquet(str(folder / f"{name}.parquet")).df() for name in (*ASSET_KEYS, ITEM_LINES)}
        findings = run_suites(Path(settings["gx_dir"]), frames, settings["parameters"])
        con.from_df(findings).write_parquet(str(folder / "findings.parquet"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
