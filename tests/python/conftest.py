"""Shared fixtures: real dbt builds on fixture returns, in temporary folders.

Every build runs `dbt` as its command line does (in the test's process: `invoke_dbt`), with
its own returns folder, DuckDB file and target path, from the warehouse's folder as `riia
build` runs it (riia.build.dbt).
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from riia.workers import cores_each

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
CORE_HEADER = ("la_code", "period", "item_code", "value", "comment")
# DuckDB's threads in a test's dbt build (RIIA_DUCKDB_THREADS, macro apply_duckdb_limits): the
# cores shared among pytest's workers (riia.workers.cores_each, which shares them among the
# report workers too). Each worker's builds run beside the other's; at DuckDB's one thread per
# core in each, the cores switched between twice as many busy threads as they have (the whole
# suite took 13% more CPU and time: README, Tests).
DUCKDB_THREADS = str(cores_each(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))


def physical_line_count(content: bytes) -> int:
    """Lines as a text editor counts them (\\n, \\r\\n or \\r), from a file's bytes alone:
    an independent count to check the loader's against."""
    # any byte decodes as latin-1; line breaks are ASCII in UTF-8 and cp1252
    text = content.decode("utf-16") if content.startswith((b"\xff\xfe", b"\xfe\xff")) else content.decode("latin-1")
    breaks = len(re.findall(r"\r\n|\r|\n", text))
    return breaks + (0 if not text or text.endswith(("\n", "\r")) else 1)


@dataclass
class Build:
    """A finished dbt build: where its inputs and outputs are, and what dbt printed."""

    returns_dir: Path
    db_path: Path
    returncode: int
    output: str

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(sql).fetchall()

    def scalar(self, sql: str):
        rows = self.query(sql)
        assert len(rows) == 1, rows
        return rows[0][0]


def dbt_env(returns_dir: Path, db_path: Path, project_dir: Path = PROJECT_ROOT) -> dict[str, str]:
    """dbt's environment for a build of `returns_dir` into `db_path`. dbt runs from the
    warehouse's folder and opens it by its bare name, as `riia build` does (riia.build.dbt):
    then every build of the run has the same profile, and can reuse one parse (PARSES)."""
    env = {"RIIA_DUCKDB_THREADS": DUCKDB_THREADS} | dict(os.environ)  # a test's own setting first
    env.update(
        RIIA_RETURNS_DIR=str(returns_dir),
        RIIA_DUCKDB_PATH=db_path.name,
        RIIA_DBT_PROJECT_DIR=str(project_dir),
        DBT_PROFILES_DIR=str(PROJECT_ROOT),  # the profile has no project paths in it
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        GX_ANALYTICS_ENABLED="false",
        # fixture files are complete the moment they are written
        RIIA_RETURNS_SETTLE_SECONDS="0",
    )
    return env


def load_returns(returns_dir: Path, db_path: Path) -> dict[str, int]:
    """What `riia build` does first: land the returns folder in the warehouse (riia.intake)."""
    from riia import intake

    with duckdb.connect(str(db_path)) as con:
        return intake.load(con, returns_dir, intake.FolderRules(settle_seconds=0))


def run_dbt(
    returns_dir: Path,
    db_path: Path,
    command: str = "build",
    extra_args: tuple[str, ...] = (),
    check: bool = True,
    project_dir: Path = PROJECT_ROOT,
    seed_tests: bool = False,
    artifacts: bool = False,
) -> Build:
    """Run `dbt <command>` (e.g. "build", "docs generate") on `returns_dir` into `db_path`; fail on error if check.
    A build of the project leaves out the seeds' own data tests (those defined under seeds/)
    and the unit tests unless `seed_tests`: its seeds are the same in every build of the test
    run, and a unit test reads only the rows it is given, so each would give the same answer
    in every build; the sample build runs them all (test_dbt_tests). A build or run writes
    dbt's JSON artifacts (manifest.json, run_results.json) only if `artifacts`, as `riia
    build` does (riia.build.dbt)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if command.split()[0] == "build":
        load_returns(returns_dir, db_path)
        if not seed_tests and project_dir == PROJECT_ROOT and "--selector" not in extra_args:
            extra_args = (*extra_args, "--exclude", "resource_type:test,path:seeds", "resource_type:unit_test")
    if command.split()[0] in ("build", "run") and not artifacts:
        extra_args = (*extra_args, "--no-write-json")
    target = db_path.parent / "dbt_target"
    # a copied project (riia.bench.releases.copy_project) keeps a parse of its own: its files are not the project's
    kind = "dbt" if project_dir == PROJECT_ROOT else f"dbt-{hashlib.sha256(str(project_dir).encode()).hexdigest()[:12]}"
    if "--vars" in extra_args:  # dbt parses the whole project when its variables change: a kind of its own
        kind += f"-vars-{hashlib.sha256(extra_args[extra_args.index('--vars') + 1].encode()).hexdigest()[:12]}"
    PARSES.lend(kind, target)
    returncode, output = invoke_dbt(
        [
            *command.split(),
            "--project-dir",
            str(project_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(target / "logs"),
            *extra_args,
        ],
        dbt_env(returns_dir, db_path, project_dir),
        db_path.parent,
    )
    if returncode == 0:
        PARSES.keep(kind, target)
    build = Build(returns_dir, db_path, returncode, output)
    if check and returncode != 0:
        pytest.fail(f"dbt {command} failed (exit {returncode}):\n{build.output[-6000:]}")
    return build


def invoke_dbt(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`dbt <args>` as the command line runs it, in this process through dbt's own entry point
    for programs (dbtRunner), from `cwd` with `env` as the environment, as riia runs dbt
    (riia.build.dbt.in_warehouse_folder: both restored after, the warehouse released). A dbt
    command line starts by importing dbt and setting it up, some 2.3 s of CPU a command; in
    this process only the first command pays it, of the two dozen of a test run. The
    validation suites run in this process too (riia.validation.child.in_this_process), which
    imports Great Expectations once instead of a child doing so for every build; the child
    itself is tested by test_validation_child and by every test that runs `riia build`.
    Returns the exit status the command line gives (0 success, 1 a model or test failed, 2
    dbt could not run) and what dbt printed."""
    from dbt.cli.main import dbtRunner

    from riia.build.dbt import in_warehouse_folder
    from riia.validation import child

    printed = io.StringIO()
    with (
        in_warehouse_folder(cwd, env),
        child.in_this_process(),
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(printed),
    ):
        result = dbtRunner().invoke(args)
    output = printed.getvalue()
    if result.exception is not None:
        output += f"\n{type(result.exception).__name__}: {result.exception}"
        return 2, output
    return (0 if result.success else 1), output


class Parses:
    """dbt parses the whole project (some 8 s of CPU) unless its target folder holds a parse
    made with the same profile, variables and files (partial parsing). The first dbt command
    of a kind ("dbt": the dbt command line, no variables; "dbt-...": the same on a copied
    project or with given `--vars`; "riia-...": `riia build` with given settings,
    faultkit.dbt_parse) to succeed keeps its parse for the whole test run, and every later
    command of that kind starts from a copy of it. dbt checks each file's hash and the
    variables itself, so a copy can only save work, never change a build: a command whose
    variables differ parses the whole project as before."""

    def __init__(self) -> None:
        self.root: Path | None = None  # the test run's folder, shared by the xdist workers

    def seed(self, kind: str) -> Path | None:
        return self.root / f"partial_parse.{kind}.msgpack" if self.root is not None else None

    def lend(self, kind: str, target: Path) -> list[Path]:
        """Copy the kept parse into `target`; the folders this made, innermost first (see
        `take_back`). A folder that cannot be made is left to the command to report."""
        seed, own = self.seed(kind), target / "partial_parse.msgpack"
        if seed is None or not seed.exists() or own.exists():
            return []
        made = [folder for folder in (target, *target.parents) if not folder.exists()]
        try:
            target.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(seed, own)
        except OSError:
            self.take_back(target, made)
            return []
        return made

    def take_back(self, target: Path, made: list[Path]) -> None:
        """Remove what `lend` made if the command left nothing beside it (it stopped before
        its build folder: a test may check that it made no folder)."""
        own = target / "partial_parse.msgpack"
        if not made or not target.is_dir() or any(p != own for p in target.iterdir()):
            return
        own.unlink(missing_ok=True)
        for folder in made:
            try:
                folder.rmdir()
            except OSError:  # something else is in it
                return

    def keep(self, kind: str, target: Path) -> None:
        seed, own = self.seed(kind), target / "partial_parse.msgpack"
        if seed is not None and not seed.exists() and own.exists():
            part = seed.with_name(f"{seed.name}.{os.getpid()}")
            shutil.copyfile(own, part)
            os.replace(part, seed)  # whole or not at all, whichever worker is first


PARSES = Parses()


@pytest.fixture(scope="session", autouse=True)
def _parses_root(tmp_path_factory: pytest.TempPathFactory) -> None:
    base = tmp_path_factory.getbasetemp()
    PARSES.root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def write_return(
    folder: Path,
    name: str,
    rows: list[dict[str, str]] | list[tuple[str, ...]],
    header: tuple[str, ...] = CORE_HEADER,
) -> Path:
    """Write a return CSV (UTF-8, comma separated) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(h, "") for h in header] if isinstance(row, dict) else row)
    return path


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test run by `make(folder)` and shared by every pytest-xdist
    worker: the first worker to ask makes it while holding a lock, the others wait for it and
    read it. A failure is kept and raised again in every worker that asks, not retried."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # the run's folder
    folder, done, failed = root / name, root / f"{name}.done", root / f"{name}.failed"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(f"{name} could not be made (in another worker):\n{failed.read_text()}")
        if not done.exists():
            try:
                folder.mkdir()
                make(folder)
            except BaseException as error:
                failed.write_text(f"{type(error).__name__}: {error}"[-6000:])
                raise
            done.touch()
    return folder


def _make_sample(folder: Path) -> None:
    import riia.sample

    assert riia.sample.main(["--out", str(folder / "returns")]) == 0


@pytest.fixture(scope="session")
def sample_returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated sample returns (the LAs of each of 12 quarters, with the documented defects),
    written once per test run. Read only: a test that changes returns copies them."""
    return shared_folder(tmp_path_factory, "sample", _make_sample) / "returns"


@pytest.fixture(scope="session")
def sample_build(sample_returns: Path, tmp_path_factory: pytest.TempPathFactory) -> Build:
    """One full `dbt build` of the sample returns (every model, data test and unit test), made
    once per test run and shared by every worker. Read only: open it with read_only=True (a
    writer would lock the other workers out) or work on a copy (`copy_warehouse`)."""

    def make(folder: Path) -> None:
        run_dbt(sample_returns, folder / "riia.duckdb", seed_tests=True, artifacts=True)
        # kept aside: later dbt commands on copies of this build write their own run results
        target = folder / "dbt_target"
        shutil.copyfile(target / "run_results.json", target / "sample_build_run_results.json")

    db_path = shared_folder(tmp_path_factory, "sample_build", make) / "riia.duckdb"
    return Build(sample_returns, db_path, 0, "")


def copy_warehouse(build: Build, folder: Path) -> Build:
    """A writable copy of a build's warehouse in `folder` (named riia.duckdb: the catalog name
    the compiled SQL uses), for dbt commands and tests that write to it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build.db_path, folder / "riia.duckdb")
    return Build(build.returns_dir, folder / "riia.duckdb", build.returncode, build.output)


# what a build records about itself rather than computes from its inputs
NOT_COMPARED_TABLES = {"int_period_inputs", "int_period_inputs_committed", "int_build_scope", "int_validation_scope"}
NOT_COMPARED_COLUMNS = {"loaded_at", "recorded_at"}
# the computed layers, whose tables two builds of the same inputs must agree on
COMPARED_SCHEMAS = ("staging", "intermediate", "marts", "sharing")


def empty_tables(db_path: Path) -> set[str]:
    """The tables of the computed layers (those `differing_tables` compares) that hold no row:
    two builds agree on such a table whatever their code does with rows."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            f"{schema}.{table}"
            for schema, table in con.sql(
                f"select schema_name, table_name from duckdb_tables() where schema_name in {COMPARED_SCHEMAS}"
            ).fetchall()
            if table not in NOT_COMPARED_TABLES
            and not con.sql(f'select 1 from "{schema}"."{table}" limit 1').fetchall()
        }


def differing_tables(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Every table of the computed layers whose rows differ: {table: (rows only left, only right)}."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        tables = con.sql(
            "select schema_name, table_name from duckdb_tables() where database_name = 'l' "
            f"and schema_name in {COMPARED_SCHEMAS} order by all"
        ).fetchall()
        assert len(tables) > 30, tables
        differing = {}
        for schema, table in tables:
            if table in NOT_COMPARED_TABLES:
                continue
            columns = [
                name
                for (name,) in con.sql(
                    f"select column_name from duckdb_columns() where database_name = 'l' and schema_name = '{schema}' "
                    f"and table_name = '{table}' order by column_index"
                ).fetchall()
                if name not in NOT_COMPARED_COLUMNS
            ]
            listed = ", ".join(f'"{name}"' for name in columns)
            only_left, only_right = (
                con.sql(
                    f"select count(*) from (select {listed} from {a}.{schema}.{table} "
                    f"except all select {listed} from {b}.{schema}.{table})"
                ).fetchone()[0]
                for a, b in (("l", "r"), ("r", "l"))
            )
            if only_left or only_right:
                differing[f"{schema}.{table}"] = (only_left, only_right)
        return differing


# A complete, internally consistent return (every riia_core item; every L-rule holds).
VALID_CORE_VALUES: dict[str, int] = {
    "CONTACTS": 1000,
    "REFERRALS": 300,
    "REF_SRC_POLICE": 90,
    "REF_SRC_SCHOOLS": 60,
    "REF_SRC_HEALTH": 45,
    "REF_SRC_LA": 30,
    "REF_SRC_INDIVIDUAL": 24,
    "REF_SRC_OTHER": 36,
    "REF_SRC_UNKNOWN": 15,
    "REREFERRALS": 66,
    "ASSESS_STARTED": 280,
    "ASSESS_COMPLETED": 270,
    "ASSESS_45D": 216,
    "CIN_END": 700,
    "S47": 100,
    "ICPC_15D": 28,
    "CPP_START": 35,
    "CPP_END": 90,
    "CPP_CEASED": 33,
    "CPP_REPEAT_EVER": 8,
    "CPP_REPEAT_2Y": 2,
    "CLA_END": 150,
    "CLA_START": 12,
    "CLA_CEASED": 11,
    "CLA_UASC_END": 10,
    "CARE_LEAVERS_END": 80,
    "CARE_LEAVERS_UASC_END": 16,
    "EHE_END": 200,
    "EHC_REQUESTS": 50,
    "EHC_ASSESSMENTS": 40,
    "EHCP_ISSUED": 35,
}


def valid_return_rows(la_code: str, period: str, **overrides: int | str) -> list[tuple[str, ...]]:
    """Rows of a valid return; keyword overrides replace (or add) an item's value."""
    values: dict[str, int | str] = {**VALID_CORE_VALUES, **overrides}
    return [(la_code, period, item, str(value), "") for item, value in values.items()]


def write_valid_return(folder: Path, la_code: str, period: str, version: int = 1, **overrides: int | str) -> Path:
    """Write a valid return under `folder/<fy>_<Qn>/` with the template's file name."""
    fy, quarter = period.split(" ")
    suffix = f"_v{version}" if version > 1 else ""
    name = f"{fy}_{quarter}/{la_code}_{fy}_{quarter}{suffix}.csv"
    return write_return(folder, name, valid_return_rows(la_code, period, **overrides))


def append_seed_rows(project_dir: Path, seed: str, rows: list[tuple[str, ...]]) -> None:
    """Append rows to a seed CSV of a copied project."""
    path = next(project_dir.joinpath("seeds").rglob(f"{seed}.csv"))
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


SAMPLE_GROUP = "sample"
# what makes a test file slow: a real build (dbt's command line, `riia build`), the suites
# in a process of their own, a linter, the sample generator
SLOW_CALLS = re.compile(r"\b(run_dbt|fk\.(run|start|validate_files)|subprocess\.run|riia\.sample\.main)\(")


def reads_the_sample(test_file: Path) -> bool:
    """Whether a test file asks for the shared sample (its returns or its build) as a fixture."""
    return re.search(r"\bsample_(build|returns)\s*:", test_file.read_text(encoding="utf-8")) is not None


SECONDS_KEY = "riia/seconds_per_file"  # pytest's cache (.pytest_cache): the last run's time per file
# the same, kept in the repository from a run on a 2-core machine (`make test-seconds`): the
# order of a fresh clone's run, such as CI's, which has no cache
KEPT_SECONDS = Path(__file__).with_name("seconds_per_file.json")


def last_run_seconds(cache: pytest.Cache | None) -> dict[str, float]:
    """The time each test file took in the last run that ran it: on this machine (pytest's
    cache) or else as kept in the repository (KEPT_SECONDS)."""
    kept = json.loads(KEPT_SECONDS.read_text(encoding="utf-8")) if KEPT_SECONDS.exists() else {}
    return kept | (cache.get(SECONDS_KEY, {}) if cache is not None else {})


def keep_seconds(cache_dir: Path, kept: Path = KEPT_SECONDS) -> dict[str, int]:
    """Keep the last run's time per test file (pytest's cache in `cache_dir`, beside the
    tests), in whole seconds, in the repository (`make test-seconds`); what was kept. A file
    no longer there is dropped: the cache keeps every file any run has timed."""
    path = cache_dir / "v" / SECONDS_KEY
    if not path.exists():
        raise SystemExit(f"{path} holds no times: run `make test` first")
    seconds = {
        name: round(value)
        for name, value in sorted(json.loads(path.read_text(encoding="utf-8")).items())
        if (cache_dir.parent / name).is_file()
    }
    kept.write_text(json.dumps(seconds, indent=2) + "\n", encoding="utf-8")
    return seconds


def builds(test_file: Path) -> bool:
    """Whether a test file makes one of the SLOW_CALLS (a real build, a linter, ...)."""
    return SLOW_CALLS.search(test_file.read_text(encoding="utf-8")) is not None


def expected_seconds(test_file: str, root: Path, last_run: dict[str, float]) -> float:
    """How long a test file (its path from the root, as pytest names it) is expected to
    take: as long as in the last run that ran it (`last_run_seconds`), or, for a file never
    timed, a guess from what it calls: a minute for a file that makes one of the SLOW_CALLS,
    a second for the rest (unit tests)."""
    if test_file in last_run:
        return last_run[test_file]
    return 60.0 if builds(root / test_file) else 1.0


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent under -p no:xdist (`make lint`)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """Which worker runs what under `--dist loadfile` (`make test`): each test file on one
    worker (its module fixtures, real builds, are made once), and every file that reads the
    shared sample on the same worker, so that the other never sits waiting for the sample's
    build. (`--dist loadgroup` would do it with marks, but pytest 9.2 broke it:
    pytest-dev/pytest-xdist#1386.) The longest go first (`expected_seconds`), the sample's
    group before all: xdist's own order (the most tests first) left a file of one long build
    test to the end, with the other worker idle."""
    if config.getvalue("dist") != "loadfile":
        return None
    from math import inf

    from xdist.scheduler import LoadScopeScheduling

    last_run = last_run_seconds(getattr(config, "cache", None))  # no cache under -p no:cacheprovider

    class ByFileSampleTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            test_file = nodeid.split("::", 1)[0]
            return SAMPLE_GROUP if reads_the_sample(config.rootpath / test_file) else test_file

        def _assign_work_unit(self, node: object) -> None:
            # before the first: the queue (one unit per scope), longest first; the collection
            # itself is left alone (a worker finds its tests by their index in it)
            if not getattr(self, "ordered", False):
                self.ordered = True

                def longest_first(scope: str) -> tuple[float, int]:
                    # the sample's build, then all that reads it, before all; of files
                    # guessed alike, those with fewer tests (each a longer one) first
                    guess = expected_seconds(scope, config.rootpath, last_run) if scope != SAMPLE_GROUP else inf
                    return guess, -len(self.workqueue[scope])

                for scope in sorted(self.workqueue, key=longest_first, reverse=True):
                    self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return ByFileSampleTogether(config, log)


class FileSeconds:
    """The time each test file took (every phase of every test), summed in the process that
    runs the session (under xdist, the controller, which gets every worker's reports), and
    kept in pytest's cache for the next run's order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        test_file = report.nodeid.split("::", 1)[0]
        self.seconds[test_file] = self.seconds.get(test_file, 0.0) + report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        cache = getattr(session.config, "cache", None)  # none under -p no:cacheprovider
        if self.seconds and cache is not None:
            kept = cache.get(SECONDS_KEY, {})
            cache.set(SECONDS_KEY, kept | {k: round(v, 1) for k, v in self.seconds.items()})


def pytest_configure(config: pytest.Config) -> None:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        config.pluginmanager.register(FileSeconds(), "riia-file-seconds")
