"""Running the commands the benchmark times, each in its own process, as a data engineer or
an LA officer runs them.

* `riia build`, end to end (load, dbt, exports, reports, publish), into a build folder of
  the benchmark's own (RIIA_BUILD_DIR) from a returns folder of its own (RIIA_RETURNS_DIR):
  nothing of the project's data/returns, build/, exports/ or reports/ is read or written.
* `riia check FILE...` against a benchmark warehouse, its cache (the seeded warehouse, dbt's
  parse) in the work folder (RIIA_CHECK_CACHE_DIR).
* the reference computation (`python -m riia.bench.reference`).

Each child is waited for with os.wait4, whose `ru_maxrss` is the peak resident memory of
the child - and, on Linux, of the largest of its own children that it waited for (the
report renderer's forked workers), each process on its own. dbt runs inside `riia build`
(dbtRunner), so its memory is the child's. Because forked workers run at the same time as
the build process and share its pages, the process tree is also sampled every half second
for the sum of its proportional set sizes (PSS, /proc/PID/smaps_rollup): the memory the
build holds at once, shared pages counted once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from riia.bench.releases import code_env
from riia.build import state
from riia.paths import PROJECT_ROOT

BIN = Path(sys.executable).parent
REASON_RE = re.compile(r"^\[2/5\] dbt build: .*\((?P<reason>[^()]*)\)\s*$", re.MULTILINE)
INCREMENTAL_REASON = state.RETURNS_CHANGED  # what `riia build` says of a quarterly build
RELEASE_REASON = state.SHARING_SEEDS_CHANGED  # ... and of the build after a release (a sharing seed changed)


@dataclass
class ChildRun:
    """One finished child process."""

    command: list[str]
    returncode: int
    seconds: float
    cpu_seconds: float  # os.wait4: user + system time of the child and its waited-for children
    peak_rss_mb: float  # os.wait4: the child, or the largest of its waited-for children
    peak_tree_pss_mb: float  # sampled: the sum over the child and its descendants at once
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class BuildRun:
    """One `riia build`, with what it said about itself."""

    child: ChildRun
    step_seconds: dict[str, float] = field(default_factory=dict)
    dbt_time: dict = field(default_factory=dict)  # build.json's dbt_time (riia.build.dbt.time_in_nodes)
    dbt_reason: str = ""
    return_files: int = 0
    return_bytes: int = 0
    problem: str = ""  # why the run does not count (it failed, or was not the build asked for)


def _children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob(f"{pid}/task/*/children"):
        try:
            found += [int(x) for x in path.read_text().split()]
        except (OSError, ValueError):
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(match[1]) if match else 0


def tree_pss_mb(pid: int) -> float:
    """The summed PSS (MB) of `pid` and every descendant, now."""
    total, todo, seen = 0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        total += _pss_kb(current)
        todo += _children(current)
    return total / 1024


class _Sampler(threading.Thread):
    def __init__(self, pid: int, every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, tree_pss_mb(self.pid))
            self.done.wait(self.every)


def run_child(
    command: list[str], env: dict[str, str], log: Path, timeout: float = 3600, project: Path | None = None
) -> ChildRun:
    """Run `command` from the project root (or a copied `project`'s, with its code:
    riia.bench.releases) with `env`, its output into `log`; time it and measure its memory."""
    log.parent.mkdir(parents=True, exist_ok=True)
    env = env | code_env(project)
    with log.open("wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=project or PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = _Sampler(process.pid)
        sampler.start()
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(command, process.returncode, seconds, cpu, usage.ru_maxrss / 1024, sampler.peak, log)


def base_env(build_date: str, **extra: str) -> dict[str, str]:
    """This process's environment without any RIIA_ or DBT_ setting of the person running the
    bench, plus: files are complete when copied (settle time 0), a fixed build date."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RIIA_", "DBT_"))}
    env.update(
        RIIA_RETURNS_SETTLE_SECONDS="0",
        RIIA_BUILD_DATE=build_date,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
    )
    env.update(extra)
    return env


# DuckDB's limit for a build that adds many older quarters at once (README: Memory): at the
# default, the comparator and rank engine's groups of quarters do not all fit
CATCH_UP_MEMORY_LIMIT = "400MB"


def build_env(returns: Path, build_dir: Path, build_date: str, memory_limit: str | None = None) -> dict[str, str]:
    """`memory_limit`: RIIA_DUCKDB_MEMORY_LIMIT, else the project's default."""
    limit = {"RIIA_DUCKDB_MEMORY_LIMIT": memory_limit} if memory_limit else {}
    return base_env(
        build_date,
        **limit,
        RIIA_RETURNS_DIR=str(returns),
        RIIA_BUILD_DIR=str(build_dir),
        RIIA_DUCKDB_PATH=str(build_dir / "riia.duckdb"),
        RIIA_EXPORTS_DIR=str(build_dir / "exports"),
        RIIA_REPORTS_DIR=str(build_dir / "reports"),
        RIIA_CHECK_CACHE_DIR=str(build_dir / "check"),
    )


def recomputed_quarters(warehouse: Path) -> int:
    """How many quarters the last build of `warehouse` recomputed (int_build_scope)."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.sql("select count(*) from intermediate.int_build_scope").fetchone()[0]


def published_summary(build_dir: Path) -> dict:
    """build.json of the build published in `build_dir` (step_seconds and dbt_time among it)."""
    path = build_dir / "current" / "build.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def riia_build(
    returns: Path,
    build_dir: Path,
    build_date: str,
    log: Path,
    project: Path | None = None,
    memory_limit: str | None = None,
) -> BuildRun:
    """`riia build` from `returns` into `build_dir` (carrying on from what is published there),
    with DuckDB's `memory_limit` if given."""
    from riia.bench.plan import folder_size

    env = build_env(returns, build_dir, build_date, memory_limit)
    child = run_child([str(BIN / "riia"), "build"], env, log, project=project)
    text = log.read_text(errors="replace")
    reason = REASON_RE.search(text)
    files, size = folder_size(returns)
    run = BuildRun(child, dbt_reason=reason["reason"] if reason else "", return_files=files, return_bytes=size)
    if child.ok:
        summary = published_summary(build_dir)
        run.step_seconds = dict(summary.get("step_seconds", {}))
        run.dbt_time = dict(summary.get("dbt_time", {}))
    return run


def riia_check(
    files: list[Path], warehouse: Path, cache: Path, build_date: str, log: Path, project: Path | None = None
) -> ChildRun:
    """`riia check FILE... --warehouse W` (exit 1 = an error found in a file: still a run)."""
    env = base_env(build_date, RIIA_CHECK_CACHE_DIR=str(cache))
    command = [str(BIN / "riia"), "check", "--warehouse", str(warehouse), *map(str, files)]
    return run_child(command, env, log, project=project)


def reference(
    returns: Path, warehouse: Path, build_date: str, log: Path, project: Path | None = None, views: bool = False
) -> tuple[ChildRun, dict]:
    """The reference computation in its own process (`views`: every recipient's view): (the
    run, its JSON outcome or {})."""
    child = run_child(
        [sys.executable, "-m", "riia.bench.reference", *(["--views"] if views else []), str(returns), str(warehouse)],
        base_env(build_date),
        log,
        timeout=900,
        project=project,
    )
    lines = log.read_text(errors="replace").strip().splitlines()
    try:
        outcome = json.loads(lines[-1]) if child.ok and lines else {}
    except json.JSONDecodeError:
        outcome = {}
    return child, outcome
