"""Peak memory of the steps of a build that hold file contents, with a return of the
maximum allowed size in the returns folder (target 3 of issue 15).

The loader (riia.intake) reads at most `returns_max_file_bytes` (dbt_project.yml) of a
file and lists a larger one with its reason, unread; the line parser (riia.parsing) then
makes one row per physical line, written to DuckDB a batch at a time (`stage_lines`, as
the staging model does, under the build's memory limit). The worst case for a file at the
limit is every byte a line break. `memory_with_large_file` runs the loader and parser in a
fresh Python process (MEMORY_PROBE) over three returns folders and reports each one's peak
resident memory. DuckDB runs one thread there, which keeps the figure steady: with two,
it moves by some 30 MB from run to run.

* `empty`: one tiny return;
* `at_limit`: plus a file of exactly the limit, every byte after the header a line break;
* `at_limit_and_large`: plus a far larger file (sparse: no disk space), which must be
  refused unread, so it must add nothing.

One mechanism for the tests (tests/python/faultkit.py imports it from here) and for
`riia bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from riia import config

MEMORY_PROBE = """
import json, resource, sys
from datetime import UTC, datetime
from pathlib import Path
import duckdb
from riia import intake, parsing
root, limit = Path(sys.argv[1]), int(sys.argv[2])
with duckdb.connect(sys.argv[3], config={"memory_limit": sys.argv[4], "preserve_insertion_order": False, "threads": 1}) as con:
    intake.load(con, root, intake.FolderRules(settle_seconds=0, max_bytes=limit))
    landed = con.sql("select " + ", ".join(parsing.LANDING_FIELDS) + " from raw.la_return_files").fetchall()
    rows = parsing.stage_lines(con, landed, "parsed_lines", datetime.now(UTC))
print(json.dumps({"rows": rows, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

CASES = ("empty", "at_limit", "at_limit_and_large")
LARGE_BYTES = 200 * 1024 * 1024


def make_sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space (a 200 MB file in an instant)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def write_at_limit(path: Path, limit_bytes: int) -> Path:
    """A return of exactly `limit_bytes`, every byte after its header a line break: the most
    lines a file the loader reads can hold."""
    header = b"la_code,period,item_code,value\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(header + b"\n" * (limit_bytes - len(header)))
    return path


def write_case(root: Path, case: str, limit_bytes: int, large_bytes: int) -> None:
    """The returns folder of one case (see the module's docstring)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "801_2024-25_Q1.csv").write_text("la_code,period,item_code,value\n801,2024-25 Q1,CONTACTS,1\n")
    if case != "empty":
        write_at_limit(root / "802_2024-25_Q1.csv", limit_bytes)
    if case == "at_limit_and_large":
        make_sparse(root / "803_2024-25_Q1.csv", large_bytes)


def memory_with_large_file(workdir: Path, limit_bytes: int, large_bytes: int = LARGE_BYTES) -> dict[str, float]:
    """Peak resident memory (MB) of the loader and line parser - the steps of a build that
    hold file contents - over a returns folder holding one file of exactly `limit_bytes`
    (the worst case: every byte a line break) and, beside it, a `large_bytes` file.

    Returns {"empty": ..., "at_limit": ..., "at_limit_and_large": ..., and "<case>_rows"}:
    the large file must add nothing (it is never read); the file at the limit adds an
    amount bounded by the limit."""
    figures: dict[str, float] = {}
    for case in CASES:
        root = workdir / case / "returns"
        write_case(root, case, limit_bytes, large_bytes)
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                MEMORY_PROBE,
                str(root),
                str(limit_bytes),
                str(workdir / case / "probe.duckdb"),
                config.duckdb_memory_limit(),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        measured = json.loads(proc.stdout)
        figures[case] = measured["peak_mb"]
        figures[f"{case}_rows"] = measured["rows"]
    return figures
