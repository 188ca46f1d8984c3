"""The quarterly build: `dbt build` into a fresh copy of the warehouse, swapped in only on success.

Run by `make build` from the project root. Steps:

1. copy the published DuckDB file (if any) to `<file>.building` next to it, so that
   snapshots and incremental models continue from the last good build;
2. run `dbt build` (seeds, models, validation, tests) against the copy;
3. only if everything passed, atomically rename the copy over the published file
   (`os.replace`): an analyst holding the old file open keeps a consistent view, and a
   build that fails or is killed leaves the last good file in place;
4. print what was received, accepted and rejected;
5. publish each audience its own files under exports/ (scripts/publish_exports.py);
6. write the reports under reports/ (scripts/reports.py) and say where they are.

Environment: RIIA_RETURNS_DIR (default data/returns), RIIA_DUCKDB_PATH (default
build/riia.duckdb). Extra arguments are passed to `dbt build` (e.g. `--vars ...`).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from riia import publish
from riia.paths import PROJECT_ROOT
from riia.reports import legacy as reports


def settings() -> tuple[Path, Path]:
    """(returns folder, published database file), both absolute."""
    returns_dir = Path(os.environ.get("RIIA_RETURNS_DIR", "data/returns"))
    db_path = Path(os.environ.get("RIIA_DUCKDB_PATH", "build/riia.duckdb"))
    return (PROJECT_ROOT / returns_dir).resolve(), (PROJECT_ROOT / db_path).resolve()


def run_dbt(args: list[str], db_path: Path, returns_dir: Path) -> bool:
    """Invoke dbt in-process against `db_path`; True when every node succeeded."""
    from dbt.adapters.duckdb import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    os.environ["RIIA_DUCKDB_PATH"] = str(db_path)
    os.environ["RIIA_RETURNS_DIR"] = str(returns_dir)
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT))
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    try:
        result = dbtRunner().invoke(args)
    finally:
        # dbt-duckdb keeps the file open for the whole process; release it before
        # anything else (the swap, the summary) touches the file.
        DuckDBConnectionManager.close_all_connections()
    if result.exception is not None:
        print(f"dbt failed: {result.exception}", file=sys.stderr)
    return bool(result.success)


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the database file, so the file alone is complete.

    The swap renames one file; anything still in `<file>.wal` would be left behind.
    """
    import duckdb

    with duckdb.connect(str(db_path)) as con:
        con.execute("checkpoint")
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.exists():
        raise RuntimeError(f"{wal} still exists after a checkpoint: refusing to publish a partial database")


def summarise(db_path: Path) -> str:
    """A few lines on what this build received and loaded."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as con:
        files, latest, unreadable = con.sql(
            """
            select
                count(*),
                count(*) filter (where is_latest_version),
                count(*) filter (where file_status <> 'readable')
            from marts.fct_return_files
            """
        ).fetchone()
        rejects = con.sql("select count(*) from marts.fct_return_rejects where reject_kind <> 'blank'").fetchone()[0]
    return (
        f"Return files received: {files} ({latest} latest versions of an LA and quarter; "
        f"{unreadable} could not be read)\n"
        f"Lines not loaded (malformed or unreadable): {rejects} - see marts.fct_return_rejects"
    )


def main(argv: list[str]) -> int:
    os.chdir(PROJECT_ROOT)
    returns_dir, db_path = settings()
    if not returns_dir.is_dir():
        print(f"The returns folder {returns_dir} does not exist (set RIIA_RETURNS_DIR).", file=sys.stderr)
        return 2
    db_path.parent.mkdir(parents=True, exist_ok=True)
    building = db_path.with_name(db_path.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    if db_path.exists():
        shutil.copy2(db_path, building)

    ok = run_dbt(["build", *argv], building, returns_dir)
    if not ok:
        print(
            f"\nBuild FAILED: the published database {db_path} was left as it was.\n"
            f"The failed build's database is kept for inspection at {building}.",
            file=sys.stderr,
        )
        return 1
    checkpoint(building)
    os.replace(building, db_path)
    print(f"\nBuild succeeded. Database: {db_path}")
    print(summarise(db_path))
    publish.main(["--db", str(db_path)])
    # validation reports, tartan rugs, data register; ends with the accepted / with warnings /
    # quarantined counts and where the reports are
    return reports.main(["--db", str(db_path)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
