"""Test-only helpers for the fault-injection suite (tests/python/test_faults_*.py).

The four outcomes every fault test asserts:

* nothing lost: every physical line of every file read is accounted for in staging, and
  every file not read is listed (landing table, staging) with its reason (`lines_accounted`);
* nothing wrong published: the bad figure is in no mart, export or report (`published_text`);
* nothing leaked: foreign text (e.g. /etc/passwd) is in no table, export or report;
* the build either succeeded, or ended with an exit status other than 0 and exactly one
  clear sentence on standard error, no traceback (`assert_one_sentence`).

`memory_with_large_file` (riia.bench.memory, re-exported here) measures peak memory of the
loader and parser with a file of the maximum allowed size and a far larger one in the returns
folder: `riia bench` reports the same figures.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from conftest import DUCKDB_THREADS, PARSES, PROJECT_ROOT, physical_line_count
from riia import config
from riia.bench.memory import make_sparse as make_sparse
from riia.bench.memory import memory_with_large_file as memory_with_large_file
from riia.bench.runs import base_env
from riia.build import dbt_target_path

RIIA = str(Path(sys.executable).parent / "riia")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BUILD_DATE = "2025-06-15"  # 2024-25 Q4 has ended; 2025-26 Q1 has not (rule T03)


@dataclass
class Finished:
    """A `riia` command that has ended."""

    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float = 0.0


def riia_env(returns: Path, build_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a `riia` command on these folders: settle time 0 (fixture files are
    complete when written), a fixed build date, dbt's target inside the build folder, DuckDB's
    threads shared with the other pytest workers (conftest.DUCKDB_THREADS)."""
    folders = {
        "RIIA_RETURNS_DIR": str(returns),
        "RIIA_BUILD_DIR": str(build_dir),
        "RIIA_DUCKDB_THREADS": DUCKDB_THREADS,
    }
    return base_env(BUILD_DATE, **(folders | extra))  # a test's `extra` may override these


def dbt_parse(args: list[str], env: dict[str, str]) -> tuple[Path, str] | None:
    """dbt's target folder of a `riia build` (riia.build.dbt_target_path), and the kind of
    parse it can share (conftest.Parses): builds given the same settings that dbt reads
    (riia.config: the vars of dbt_project.yml, as RIIA_<NAME>, but the loader's) share one;
    their folders do not matter."""
    if not args or args[0] != "build" or "RIIA_BUILD_DIR" not in env:
        return None
    names = [f"RIIA_{name.upper()}" for name in config.dbt_settings()]
    settings = sorted((name, env[name]) for name in names if name in env)
    kind = "riia-" + hashlib.sha256(repr(settings).encode()).hexdigest()[:12]
    return dbt_target_path(Path(env["RIIA_BUILD_DIR"]), env), kind


def start(args: list[str], env: dict[str, str], preexec_fn=None, lend_parse: bool = True) -> subprocess.Popen:
    """Start `riia <args>`; a build is lent the parse of an earlier build of the run unless
    not `lend_parse` (then dbt parses the project itself, as in a new build folder)."""
    parse = dbt_parse(args, env) if lend_parse else None
    # a parse of an earlier build of the run: see conftest.Parses
    lent = (parse[0], PARSES.lend(parse[1], parse[0])) if parse is not None else None
    proc = subprocess.Popen(
        [RIIA, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    proc.lent = lent  # taken back by finish
    proc.parse = parse  # kept by finish if the build succeeds
    # its output read as it comes, line by line: a child that writes more than a pipe holds
    # (64 KiB) while nobody reads would wait for a reader for ever; and a test can see what
    # a running process has said so far (`printed`)
    proc.drained = {"out": [], "err": []}
    proc.drains = [
        threading.Thread(target=lambda lines, pipe: lines.extend(pipe), args=(proc.drained[name], pipe))
        for name, pipe in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for drain in proc.drains:
        drain.start()
    return proc


def finish(proc: subprocess.Popen, timeout: float = 600) -> Finished:
    """Wait for `proc`, with its peak resident memory (os.wait4 on the child). A build that
    succeeded keeps its dbt parse for the run's later builds (conftest.Parses)."""
    deadline = time.monotonic() + timeout
    usage = None
    while usage is None:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            usage = rusage
        elif time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            time.sleep(0.1)
    out, err = output(proc)
    lent = getattr(proc, "lent", None)
    if lent is not None:
        PARSES.take_back(*lent)
    parse = getattr(proc, "parse", None)
    if parse is not None and proc.returncode == 0:
        PARSES.keep(parse[1], parse[0])
    return Finished(proc.returncode, out, err, usage.ru_maxrss / 1024)


def output(proc: subprocess.Popen) -> tuple[str, str]:
    """What a process that ended wrote on its standard output and error (see `start`)."""
    for drain in proc.drains:
        drain.join()
    proc.stdout.close()
    proc.stderr.close()
    return "".join(proc.drained["out"]), "".join(proc.drained["err"])


def printed(proc: subprocess.Popen) -> str:
    """What a process started by `start` has written on its standard output so far."""
    return "".join(list(proc.drained["out"]))


def run(
    args: list[str], env: dict[str, str], timeout: float = 600, preexec_fn=None, lend_parse: bool = True
) -> Finished:
    return finish(start(args, env, preexec_fn, lend_parse), timeout)


def assert_one_sentence(result: Finished) -> str:
    """A failure said in one clear sentence: exit status != 0, one line on standard error,
    no traceback; returns the sentence."""
    assert result.returncode != 0, result.stdout[-3000:]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    sentence = lines[0]
    assert sentence[0].isupper() and sentence.rstrip().endswith("."), sentence
    return sentence


def assert_succeeded(result: Finished) -> None:
    assert result.returncode == 0, (result.stdout[-4000:], result.stderr[-4000:])
    assert "Build succeeded" in result.stdout
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout


def wait_until(ready: Callable[[], bool], what: str, proc: subprocess.Popen, timeout: float) -> None:
    """Wait until `ready()`, or fail if the process ended first or `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            out, err = output(proc)
            raise AssertionError(f"the process ended before {what}: {out[-2000:]} {err[-2000:]}")
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.05)


def wait_for_file(path: Path, proc: subprocess.Popen, timeout: float = 300) -> None:
    """Wait until `path` exists (the build paused there) or fail if the process ended first."""
    wait_until(path.exists, f"{path} appeared", proc, timeout)


def wait_for_text(path: Path, text: str, proc: subprocess.Popen, after: int = 0, timeout: float = 300) -> None:
    """Wait until `text` is written to `path` beyond its first `after` bytes (a log the
    process appends to), or fail if the process ended first."""

    def written() -> bool:
        return path.exists() and text.encode() in path.read_bytes()[after:]

    wait_until(written, f"{text!r} was written to {path}", proc, timeout)


# --------------------------------------------------------------------------- what was published


def current(build_dir: Path) -> Path:
    return (build_dir / "current").resolve()


def warehouse_text(db: Path, schemas: tuple[str, ...] | None = None) -> str:
    """Every text cell of every table in the warehouse (or the given schemas), one per line."""
    parts = []
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.sql(
            "select table_catalog, table_schema, table_name from information_schema.tables order by all"
        ).fetchall()
        for catalog, schema, table in tables:
            if schemas and schema not in schemas:
                continue
            columns = con.sql(
                "select column_name from information_schema.columns where table_catalog = ? and table_schema = ? "
                "and table_name = ? and data_type in ('VARCHAR', 'BLOB')",
                params=[catalog, schema, table],
            ).fetchall()
            for (column,) in columns:
                cast = f'cast("{column}" as varchar)'
                for (value,) in con.sql(f'select distinct {cast} from "{catalog}"."{schema}"."{table}"').fetchall():
                    if value is not None:
                        parts.append(f"{schema}.{table}.{column}: {value}")
    return "\n".join(parts)


def files_text(folder: Path) -> str:
    """The text of every file under `folder`: CSV, HTML, JSON, Markdown, text; every cell of
    DuckDB files and workbooks."""
    return "\n".join(file_text(path) for path in sorted(p for p in folder.rglob("*") if p.is_file()))


@cache
def file_text(path: Path) -> str:
    """The text of one published file (read once per test run: a publication's files are
    never changed in place, and every build publishes into a new folder)."""
    if path.suffix == ".duckdb":
        return warehouse_text(path)
    if path.suffix == ".xlsx":
        return "\n".join(str(value) for value, _ in workbook_cells(path))
    return path.read_bytes().decode("utf-8", "replace")


@cache
def workbook_cells(path: Path) -> tuple[tuple[object, str], ...]:
    """Every cell of a published workbook that holds something: its value and openpyxl's
    data type ("f" for a formula), read once per test run (see file_text)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    return tuple(
        (c.value, c.data_type) for sheet in book.worksheets for row in sheet.iter_rows() for c in row
        if c.value is not None
    )  # fmt: skip


def published_text(build_dir: Path) -> str:
    """Everything a person or recipient can read of the published build."""
    folder = current(build_dir)
    return "\n".join(
        (warehouse_text(folder / "riia.duckdb"), files_text(folder / "exports"), files_text(folder / "reports"))
    )


def csv_cells(path: Path) -> Iterator[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.reader(handle):
            yield from row


def unsafe_cells(folder: Path) -> list[tuple[str, str]]:
    """(file, cell) of every CSV cell under `folder` a spreadsheet would evaluate."""
    found = []
    for path in sorted(folder.rglob("*.csv")):
        found += [(path.name, cell) for cell in csv_cells(path) if cell.startswith(FORMULA_STARTS)]
    return found


def formula_cells(folder: Path) -> list[tuple[str, str]]:
    """(file, cell) of every workbook cell stored as a formula."""
    return [
        (path.name, str(value))
        for path in sorted(folder.rglob("*.xlsx"))
        for value, data_type in workbook_cells(path)
        if data_type == "f"
    ]


# --------------------------------------------------------------------------- nothing lost


def lines_accounted(db: Path) -> dict[str, str]:
    """Per landed entry, what is wrong with its accounting ('' when every line or the reason
    is there): a file read has every physical line in staging (a quoted field over two lines
    is one row covering two); any other entry is listed with its reason."""
    problems = {}
    with duckdb.connect(str(db), read_only=True) as con:
        landed = con.sql("select file_path, intake_status, intake_problem, content from raw.la_return_files").fetchall()
        staged: dict[str, list[tuple]] = {}
        for row in con.sql(
            "select file_path, line_number, line_kind, raw_line, line_problem from staging.stg_la_returns__lines"
        ).fetchall():
            staged.setdefault(row[0], []).append(row[1:])
    for path, status, problem, content in landed:
        rows = staged.get(path, [])
        if status == "read":
            covered = sum(1 + (raw or "").count("\n") for _, kind, raw, _ in rows if kind != "file_unreadable")
            unreadable = [r for r in rows if r[1] == "file_unreadable"]
            expected = physical_line_count(bytes(content))
            if unreadable:
                problems[path] = "" if len(rows) == 1 and unreadable[0][3] else f"unreadable but {len(rows)} rows"
            else:
                problems[path] = "" if covered == expected else f"{covered} of {expected} lines in staging"
        elif status in ("waiting", "ignored"):
            problems[path] = "" if problem else "listed without a reason"
        else:
            ok = len(rows) == 1 and rows[0][1] == "file_unreadable" and rows[0][3]
            problems[path] = "" if ok and problem else f"{status} file not listed with its reason in staging"
    return problems


# --------------------------------------------------------------------------- files a build cannot read


def make_fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def make_socket(path: Path) -> Path:
    import socket

    path.parent.mkdir(parents=True, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


def set_age(root: Path, seconds: float) -> None:
    """Make every file under `root` look modified `seconds` ago (past any settle time)."""
    then = time.time() - seconds
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (then, then))


def as_nobody() -> None:
    """preexec_fn: run the child as the unprivileged user `nobody` (root reads any file)."""
    os.setgid(65534)
    os.setuid(65534)


def limit_file_size(max_bytes: int):
    """preexec_fn: no file the child writes may grow past `max_bytes` (RLIMIT_FSIZE): writes
    fail with EFBIG, the nearest thing to a full disk without root's loop devices."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_bytes, max_bytes))

    return apply


# --------------------------------------------------------------------------- memory
# make_sparse and memory_with_large_file are riia.bench.memory's (imported above): one
# mechanism for these tests and `riia bench`.


# --------------------------------------------------------------------------- text helpers


def findings(db: Path, path_like: str) -> list[tuple[str, str, str | None]]:
    """(rule, severity, message) of every finding on files whose path matches `path_like`."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.sql(
            "select rule_id, severity, message from intermediate.int_validation_findings "
            "where file_path like ? order by all",
            params=[path_like],
        ).fetchall()


def scalar(db: Path, sql: str, *params: object):
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.sql(sql, params=list(params) or None).fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


def csv_text(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


PASSWD_MARKERS = re.compile(r"root:x:0:0|/usr/sbin/nologin|/bin/bash")


# --------------------------------------------------------------------------- validation without a build

VALIDATE = """
import json, shutil, sys, tempfile
from datetime import date
from pathlib import Path
import duckdb
from riia import check, config, intake
from riia.build.dbt import run_dbt
files = [Path(p) for p in json.loads(sys.argv[1])]
settings = config.settings()
dbt_vars = config.dbt_vars(settings) | {"build_date": sys.argv[2]}
with tempfile.TemporaryDirectory(prefix="riia-faults-") as scratch:
    db = Path(scratch) / "v.duckdb"
    target = check.scratch_target(Path(scratch))
    shutil.copyfile(check.seeded_warehouse(dbt_vars, target), db)
    with duckdb.connect(str(db)) as con:
        names = check.land_files(con, files, intake.FolderRules("flat", 0, 1 << 20))
    selected = ["+int_validation_findings", "+int_accepted_return_values"]
    outcome = run_dbt(["run", "--select", *selected, "--exclude", "resource_type:seed"], db, Path(scratch),
                      dbt_vars, say=lambda _: None, target_path=target)
    assert outcome.success, outcome.failures
    with duckdb.connect(str(db), read_only=True) as con:
        out = {name: con.sql(sql).fetchall() for name, sql in {
            "typed": "select file_path, line_number, item_code, value_text, value_status, cast(value_number as varchar) "
                     "from intermediate.int_return_values_typed",
            "findings": "select file_path, line_number, item_code, rule_id, severity from intermediate.int_validation_findings",
            "status": "select la_code, period, file_path, return_status from intermediate.int_return_status",
            "accepted": "select file_path, item_code, value_status, cast(value_number as varchar) "
                        "from intermediate.int_accepted_return_values",
        }.items()}
print(json.dumps(out, default=str))
"""


def validate_files(files: list[Path], build_date: str = BUILD_DATE) -> dict[str, list[list]]:
    """Staging, typing and the Great Expectations suites over `files` (as `riia check` runs
    them, in a scratch warehouse from the cached seeds), in a child process: the rows of
    int_return_values_typed, int_validation_findings, int_return_status and
    int_accepted_return_values."""
    proc = subprocess.run(
        [sys.executable, "-c", VALIDATE, json.dumps([str(p) for p in files]), build_date],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=PROJECT_ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.splitlines()[-1])
