#!/usr/bin/env python3
"""Time the full build and the quarterly build on synthetic returns of growing size.

For each size the benchmark writes synthetic returns with `riia.sample` (`riia sample`),
then times two steps, each a real `dbt build` (seeds, every model, snapshot, data and unit
tests) run from the project root in its own process:

1. `full`: every quarter of the size into a fresh, empty DuckDB file;
2. `quarterly`: the same DuckDB file, after one new quarter of returns has been added to
   the returns folder - what `make build` does every quarter. The two heavy Python
   models are incremental: staging parses only the new or changed files and validation
   re-checks only their quarters (and the next); the SQL models after them are tables
   rebuilt from every quarter, which DuckDB does in seconds but which still grow with
   the history. The benchmark measures whatever the models do.

It prints and writes, per step, the wall-clock seconds and the peak memory (maximum
resident set size) of the dbt process, from `os.wait4` on that child process (dbt runs
its Python models - the parser and the Great Expectations suites - in the same process,
so this is the whole build's peak). Results: `build/benchmark/results.csv` and the
markdown table `build/benchmark/results.md`.

Sizes are written `<quarters>x<copies>`:

* quarters: 12 is the sample (2022-23 Q1 .. 2024-25 Q4); 48 is 4 times the history
  (2013-14 Q1 .. 2024-25 Q4). The quarterly step adds 2025-26 Q1. 16 times the history
  (192 quarters, 48 years) CANNOT be built meaningfully: rule T03 accepts only quarters
  from 2012-13 Q1 (where dim_period and the ONS populations start) to the current
  quarter, so at most 52 quarters fit before 2025-26 Q1. 144 of 192 quarters would be
  quarantined before they reach validation's logical and plausibility checks, the
  indicators and the benchmarks, and their timing would be meaningless. Such sizes are
  refused with that explanation.
* copies: 10 means ten times the files and lines per quarter, as ten times as many LAs
  would send. There cannot be ten times the LAs: an LA code is 3 digits and must be a
  current English LA with an ONS population (rule T02), so synthetic LAs would be
  quarantined and skip most of the pipeline. Instead every return is copied 9 more
  times as resubmissions (`_v<n+1>` .. `_v<n+9>` after its highest version `_v<n>`),
  each with CONTACTS (where it is a number) changed by a few contacts, so that versions
  differ as real resubmissions do. That per-file work is real: every version of every file is read, parsed line
  by line, typed and validated by every Great Expectations suite (earlier versions'
  findings stay reportable), and the revisions mart compares each version with the
  one before. What does NOT grow 10 times is the per-LA work after validation (the
  latest version's indicators, comparators and benchmarks are still 153 LAs a
  quarter); the results say so in the `copies` column.

The default sizes, 12x1, 48x1, 12x10 and 48x10 (up to 40 times the sample's lines), fit
in the 10 minutes this must take on a 2-core machine: measured 285 s in all, the largest
full build 120 s and 9.4 GB peak memory, its quarterly build 24 s and 2.2 GB. `--sizes` takes any list, e.g. `--sizes 12x1,24x1`.

Usage: .venv/bin/python scripts/benchmark.py [--sizes 12x1,48x1,12x10] [--out build/benchmark]
(`make bench`). Never touches data/returns, build/riia.duckdb or exports/.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import riia.sample
from riia.paths import PROJECT_ROOT
from riia.sample.window import DEFAULT_QUARTERS

SAMPLE_QUARTERS = DEFAULT_QUARTERS  # 12
NEW_QUARTER = "2025-26 Q1"  # the quarter the quarterly step adds (the one after the sample's last)
FIRST_VALID_PERIOD = "2012-13 Q1"  # where dim_period (rule T03) starts
DEFAULT_SIZES = "12x1,48x1,12x10,48x10"
BUDGET_SECONDS = 600
VERSION_RE = re.compile(r"^(?P<stem>\d{3}_\d{4}-\d{2}_Q[1-4])(?:_v(?P<version>\d+))?\.csv$")
CONTACTS_RE = re.compile(rb"^([^,\r\n]*,[^,\r\n]*,CONTACTS,)(\d+)", re.MULTILINE)


@dataclass
class Result:
    size: str
    quarters: int
    copies: int
    step: str
    return_files: int
    lines: int
    megabytes: float
    seconds: float
    peak_memory_mb: float
    dbt_ok: bool


def quarter_index(period: str) -> int:
    fy, quarter = period.split(" ")
    return int(fy[:4]) * 4 + int(quarter[1]) - 1


def period_of(index: int) -> str:
    year = index // 4
    return f"{year}-{(year + 1) % 100:02d} Q{index % 4 + 1}"


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.split(","):
        quarters, _, copies = part.strip().lower().partition("x")
        sizes.append((int(quarters), int(copies or 1)))
    return sizes


def size_problem(quarters: int) -> str | None:
    """Why a history of `quarters` quarters before NEW_QUARTER cannot be timed meaningfully."""
    fits = quarter_index(NEW_QUARTER) - quarter_index(FIRST_VALID_PERIOD)
    if quarters > fits:
        return (
            f"{quarters} quarters before {NEW_QUARTER} would start in {period_of(quarter_index(NEW_QUARTER) - quarters)}: "
            f"rule T03 quarantines every quarter before {FIRST_VALID_PERIOD}, so at most {fits} quarters can be "
            f"timed meaningfully ({quarters // SAMPLE_QUARTERS}x the sample's {SAMPLE_QUARTERS} is not possible)"
        )
    if quarters < 3:
        return "at least 3 quarters are needed"
    return None


def write_returns(work: Path, quarters: int, copies: int) -> tuple[Path, Path]:
    """(returns folder with `quarters` quarters, folder holding only the new quarter), each
    return replicated to `copies` versions."""
    generated = work / "generated"
    first = period_of(quarter_index(NEW_QUARTER) - quarters)
    code = riia.sample.main(["--out", str(generated), "--first-period", first, "--quarters", str(quarters + 1)])
    if code != 0:
        raise SystemExit(f"riia sample failed ({code})")
    returns, new = work / "returns", work / "new_quarter"
    new_folder = NEW_QUARTER.replace(" ", "_")
    # quarter folders only: the sample's marker (.riia-sample/) describes the whole folder
    for folder in sorted(p for p in generated.iterdir() if p.is_dir() and not p.name.startswith(".")):
        target = (new if folder.name == new_folder else returns) / folder.name
        shutil.copytree(folder, target)
        if copies > 1:
            replicate(target, copies)
    shutil.rmtree(generated)
    return returns, new


def replicate(folder: Path, copies: int) -> None:
    """Add copies-1 resubmissions of every return in `folder` after its highest version."""
    latest: dict[str, tuple[int, Path]] = {}
    for path in folder.glob("*.csv"):
        match = VERSION_RE.match(path.name)
        if match is None:
            continue
        version = int(match["version"] or 1)
        if version > latest.get(match["stem"], (0, path))[0]:
            latest[match["stem"]] = (version, path)
    for stem, (version, path) in sorted(latest.items()):
        content = path.read_bytes()
        for extra in range(1, copies):
            changed = CONTACTS_RE.sub(lambda m, e=extra: m[1] + str(int(m[2]) + e).encode(), content, count=1)
            (folder / f"{stem}_v{version + extra}.csv").write_bytes(changed)


def measure(folder: Path) -> tuple[int, int, float]:
    """(files, physical lines, megabytes) of every *.csv under `folder`."""
    files = lines = size = 0
    for path in folder.rglob("*.csv"):
        content = path.read_bytes()
        files += 1
        lines += content.count(b"\n")
        size += len(content)
    return files, lines, size / 1e6


def run_dbt_build(returns: Path, db_path: Path, work: Path, log_name: str) -> tuple[float, float, bool]:
    """(seconds, peak memory MB, success) of `dbt build` in its own process."""
    env = dict(os.environ)
    env.update(
        RIIA_RETURNS_DIR=str(returns),
        RIIA_DUCKDB_PATH=str(db_path),
        DBT_PROFILES_DIR=str(PROJECT_ROOT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
    )
    dbt = Path(sys.executable).parent / "dbt"
    command = [str(dbt), "build", "--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    with (work / f"{log_name}.log").open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024, process.returncode == 0  # ru_maxrss is in KiB on Linux


def bench_size(out: Path, quarters: int, copies: int, keep: bool = False) -> list[Result]:
    label = f"{quarters}x{copies}"
    work = out / "work" / label
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    returns, new = write_returns(work, quarters, copies)
    db_path = work / "riia.duckdb"
    results = []

    files, lines, megabytes = measure(returns)
    print(f"[{label}] full build: {files} files, {lines} lines, {megabytes:.1f} MB ...", flush=True)
    seconds, peak, ok = run_dbt_build(returns, db_path, work, "full")
    results.append(
        Result(label, quarters, copies, "full", files, lines, round(megabytes, 1), round(seconds, 1), round(peak), ok)
    )
    print(
        f"[{label}] full build: {seconds:.1f} s, peak {peak:.0f} MB{'' if ok else ' - dbt FAILED, see ' + str(work / 'full.log')}",
        flush=True,
    )

    for folder in new.iterdir():
        shutil.copytree(folder, returns / folder.name)
    files, lines, megabytes = measure(returns)
    print(f"[{label}] quarterly build (+{NEW_QUARTER}): {files} files, {lines} lines ...", flush=True)
    seconds, peak, ok = run_dbt_build(returns, db_path, work, "quarterly")
    results.append(
        Result(
            label, quarters, copies, "quarterly", files, lines, round(megabytes, 1), round(seconds, 1), round(peak), ok
        )
    )
    print(
        f"[{label}] quarterly build: {seconds:.1f} s, peak {peak:.0f} MB{'' if ok else ' - dbt FAILED, see ' + str(work / 'quarterly.log')}",
        flush=True,
    )
    if not keep:  # the next size needs the disk space
        shutil.rmtree(work)
    return results


def markdown(results: list[Result], notes: list[str]) -> str:
    lines = [
        "# Build benchmark",
        "",
        f"`scripts/benchmark.py` on {os.cpu_count()} cores; size = quarters of history x copies of every return "
        "(see the script's docstring). `full` = every quarter into a fresh database; `quarterly` = the same "
        f"database after adding {NEW_QUARTER}. Peak memory = maximum resident set size of the dbt process.",
        "",
        "| size | quarters | copies | step | return files | lines | MB | seconds | peak memory MB | dbt ok |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.size} | {r.quarters} | {r.copies} | {r.step} | {r.return_files} | {r.lines} | {r.megabytes} | "
            f"{r.seconds} | {r.peak_memory_mb:.0f} | {'yes' if r.dbt_ok else 'NO'} |"
        )
    lines += [""] + [f"* {note}" for note in notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"quarters x copies, comma separated (default {DEFAULT_SIZES})"
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build" / "benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the work folders (returns, databases, dbt logs)")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    notes: list[str] = []
    results: list[Result] = []
    started = time.perf_counter()
    for quarters, copies in parse_sizes(args.sizes):
        problem = size_problem(quarters)
        if problem:
            notes.append(f"{quarters}x{copies} skipped: {problem}.")
            print(f"[{quarters}x{copies}] skipped: {problem}", flush=True)
            continue
        results.extend(bench_size(out, quarters, copies, args.keep))
    total = time.perf_counter() - started
    if not args.keep:
        shutil.rmtree(out / "work", ignore_errors=True)

    for size in dict.fromkeys(r.size for r in results):
        full, quarterly = (
            next(r for r in results if r.size == size and r.step == step) for step in ("full", "quarterly")
        )
        notes.append(
            f"{size}: the quarterly build took {quarterly.seconds / full.seconds:.0%} of the full build's time "
            f"({quarterly.seconds} s against {full.seconds} s)."
        )
    notes.append(
        f"16x the sample's history ({16 * SAMPLE_QUARTERS} quarters) is not timed: rule T03 accepts only "
        f"quarters from {FIRST_VALID_PERIOD}, so a longer history would be mostly quarantined and its timing meaningless."
    )
    notes.append(
        "copies = c: every return is also sent as c-1 resubmissions, c times the files and lines to read, parse, type "
        "and validate, as c times the LAs would send; indicators and benchmarks stay at 153 LAs (the only LA codes there are)."
    )
    notes.append(f"Total benchmark time {total:.0f} s (budget {BUDGET_SECONDS} s).")
    if total > BUDGET_SECONDS:
        notes.append("Over budget: run fewer or smaller sizes with --sizes.")
    with (out / "results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(asdict(results[0]) if results else Result.__annotations__))
        writer.writeheader()
        writer.writerows(asdict(r) for r in results)
    table = markdown(results, notes)
    (out / "results.md").write_text(table, encoding="utf-8")
    print()
    print(table)
    print(f"Written: {out / 'results.csv'} and {out / 'results.md'}")
    return 0 if all(r.dbt_ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
