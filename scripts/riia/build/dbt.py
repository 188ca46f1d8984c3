"""Running dbt in-process against one warehouse file, with progress and a plain failure report."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riia import heap
from riia.paths import PROJECT_ROOT

# how many of the slowest models `time_in_nodes` names
SLOWEST_MODELS = 5


@dataclass
class DbtOutcome:
    success: bool
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # each node dbt finished: (resource type, name, seconds), its time as dbt measures it
    node_seconds: list[tuple[str, str, float]] = field(default_factory=list)
    parsed: bool = True  # the command parsed the project itself (was given no parse_beside's)

    @property
    def nodes(self) -> int:
        return len(self.node_seconds)


def time_in_nodes(
    node_seconds: Sequence[tuple[str, str, float]], seconds: float, parsed: bool = True
) -> dict[str, Any]:
    """Where a dbt command's `seconds` went: the seconds inside its nodes by resource type
    (a model's SQL or Python, a test's query, a seed's load, as dbt times each node), the
    rest (dbt's start, its parse unless it was `parsed` ahead, and its own work around each
    node: compiling, events, transactions), and the slowest models. What build.json keeps
    and the build prints."""
    by_type: dict[str, float] = {}
    for resource_type, _, taken in node_seconds:
        by_type[resource_type] = by_type.get(resource_type, 0.0) + taken
    models = sorted(((taken, name) for kind, name, taken in node_seconds if kind == "model"), reverse=True)
    return {
        "nodes": len(node_seconds),
        "in_nodes": {kind: round(taken, 1) for kind, taken in sorted(by_type.items(), key=lambda t: -t[1])},
        "outside_nodes": round(max(seconds - sum(by_type.values()), 0.0), 1),
        "slowest_models": {name: round(taken, 1) for taken, name in models[:SLOWEST_MODELS]},
        "parsed": parsed,
    }


def time_in_nodes_text(spent: Mapping[str, Any]) -> str:
    """`time_in_nodes` in a line: "models 29.4 s (int_view_benchmarks 6.9 s, ...), tests 2.5 s, ...;
    dbt's own start, parse and work around the nodes 11.2 s"."""
    parts = []
    for kind, taken in spent["in_nodes"].items():
        part = f"{kind}s {taken:.1f} s"
        if kind == "model" and spent["slowest_models"]:
            part += " (" + ", ".join(f"{name} {t:.1f} s" for name, t in spent["slowest_models"].items()) + ")"
        parts.append(part)
    if spent.get("parsed", True):
        return ", ".join(parts) + f"; dbt's own start, parse and work around the nodes {spent['outside_nodes']:.1f} s"
    return ", ".join(parts) + (
        f"; dbt's own start and work around the nodes {spent['outside_nodes']:.1f} s "
        "(the project was parsed beside the warehouse's copy)"
    )


class _Progress:
    """Prints how far dbt has got, about every tenth of the nodes (or every 15 s); every 15 s
    when dbt does not say how many there are (`dbt docs generate`)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.total = 0
        self.last_share = 0
        self.last_time = time.monotonic()
        self.node_seconds: list[tuple[str, str, float]] = []  # each node finished, in turn
        self.parsed = False  # dbt checked the state of its parse: it parsed the project

    @property
    def done(self) -> int:
        return len(self.node_seconds)

    def __call__(self, event: Any) -> None:
        name = event.info.name
        if name == "NodeFinished":
            node, result = event.data.node_info, event.data.run_result
            self.node_seconds.append((node.resource_type, node.node_name, result.execution_time))
            share = self.done * 10 // self.total if self.total else self.last_share
            if share > self.last_share or time.monotonic() - self.last_time > 15:
                self.last_share, self.last_time = share, time.monotonic()
                of = f" of {self.total}" if self.total else ""
                self.say(f"  dbt: {self.done}{of} models, tests and seeds done")
        elif name == "StateCheckVarsHash":  # every parse, whole or partial, and nothing else
            self.parsed = True
        elif name == "LogStartLine" and not self.total:
            self.total = getattr(event.data, "total", 0) or 0


def import_dbt() -> None:
    """Import what run_dbt and the models' Python (pandas) need, ahead of time: about 1.5 s
    of CPU. An import that fails here fails again, and is reported, in run_dbt."""
    import importlib

    for module in ("dbt.cli.main", "dbt.adapters.duckdb", "pandas"):
        try:
            importlib.import_module(module)
        except Exception:  # reported where it is used
            return


def parse_beside(
    work: Callable[[], object],
    db_path: Path,
    returns_dir: Path,
    dbt_vars: dict[str, Any] | None = None,
    target_path: Path | None = None,
) -> Any:
    """Run `work` (riia build's copy of the warehouse it carries on from) while a thread
    imports dbt and parses the project (`dbt parse`, partial parsing as ever), which does not
    read the warehouse; the parsed project (dbt's Manifest) for run_dbt's `manifest`, or None
    if the parse failed: the build's own command then parses again, and reports what failed
    as any dbt command does. The parse is given what the build's command is (dbt_settings),
    so it is the parse that command would make. The copy grows with the years of history
    (1.1 GB at 48 quarters) and mostly waits on the disk, so the import (about 1.5 s of CPU)
    and the parse (about 1 s) cost only what they exceed it by. The thread is done before
    this returns: beside the load, which is Python's work too, both took longer (Python runs
    one thread at a time).

    dbt reads its settings from the environment, for the whole process: they are set for
    the parse (environment_set) and put back as they were after it."""
    arguments, environment = dbt_settings(db_path, returns_dir, dbt_vars, target_path)
    parsed: list[Any] = []

    def parse() -> None:
        import_dbt()
        try:
            from dbt.cli.main import dbtRunner

            result = dbtRunner().invoke(["parse", *arguments])
        except Exception:  # the build's own command meets it again, and reports it
            return
        if result.success:
            parsed.append(result.result)

    thread = threading.Thread(target=parse, name="dbt-parse", daemon=True)
    with log_write_errors_dropped(), environment_set(environment):
        thread.start()
        work()
        thread.join()
    return parsed[0] if parsed else None


@contextlib.contextmanager
def log_write_errors_dropped() -> Iterator[None]:
    """Within it, a line dbt cannot write to its log file (the disk is full) is dropped, not
    reported with a traceback on standard error, line after line: the build's own failure
    says what happened, in one sentence (riia.build.dbt_failure)."""
    raise_exceptions, logging.raiseExceptions = logging.raiseExceptions, False
    try:
        yield
    finally:
        logging.raiseExceptions = raise_exceptions


@contextlib.contextmanager
def environment_set(environment: Mapping[str, str]) -> Iterator[None]:
    """`environment` in this process's environment, where dbt reads its settings; then those
    variables as they were."""
    before = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def in_warehouse_folder(folder: Path, environment: Mapping[str, str]) -> Iterator[None]:
    """For a dbt command run in this process (dbtRunner): the warehouse's folder as the working
    directory, against which dbt-duckdb resolves the warehouse's path, and `environment` set.
    After it, the warehouse released - dbt-duckdb keeps the file open for the whole process -
    before anything else touches the file and before leaving its folder (its write-ahead log
    and spill folder are named relative to it); then the working directory and those
    variables as they were. riia's commands and the tests' dbt commands (conftest) run dbt so."""
    from dbt.adapters.duckdb import DuckDBConnectionManager

    cwd = os.getcwd()
    with environment_set(environment):
        os.chdir(folder)
        try:
            yield
        finally:
            DuckDBConnectionManager.close_all_connections()
            os.chdir(cwd)


def dbt_settings(
    db_path: Path,
    returns_dir: Path,
    dbt_vars: dict[str, Any] | None = None,
    target_path: Path | None = None,
    artifacts: bool = False,
) -> tuple[list[str], dict[str, str]]:
    """What every dbt command of riia is given besides its own arguments: (the arguments
    after them, the environment of the command alone). The rest of dbt's settings go into
    this process's environment for good (the returns folder, dbt's defaults)."""
    import json

    # dbt opens the warehouse by its bare name, from the folder holding it: dbt parses the
    # whole project again (some 8 s) whenever the profile's connection changes, the path
    # included, and every build writes its warehouse into a new publication folder. With
    # the same name each time, a build reuses the previous build's parse (partial parsing).
    connection = {"RIIA_DUCKDB_PATH": db_path.name, "RIIA_DBT_PROJECT_DIR": str(PROJECT_ROOT)}
    # The day the build counts as today goes to dbt as RIIA_BUILD_DATE (macro build_date),
    # not as a variable: dbt parses the whole project again when a variable changes, and
    # this one changes every day.
    dbt_vars = dict(dbt_vars or {})
    if dbt_vars.get("build_date"):
        connection["RIIA_BUILD_DATE"] = str(dbt_vars.pop("build_date"))
    os.environ["RIIA_RETURNS_DIR"] = str(returns_dir)
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT_ROOT))
    if target_path is None:
        os.environ.setdefault("DBT_TARGET_PATH", str(PROJECT_ROOT / "build" / "target"))
        os.environ.setdefault("DBT_LOG_PATH", str(Path(os.environ["DBT_TARGET_PATH"]) / "logs"))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # Nothing of dbt's own on the terminal (its log file, logs/dbt.log in the target folder,
    # has it: each node, failure and why a parse was whole): progress and failures are
    # reported from its events and results, and an error never shows as a traceback.
    arguments = ["--log-level", "none", "--log-level-file", "info", "--project-dir", str(PROJECT_ROOT)]
    if not artifacts:
        arguments.append("--no-write-json")
    if target_path is not None:
        arguments += ["--target-path", str(target_path), "--log-path", str(target_path / "logs")]
    if dbt_vars:
        arguments += ["--vars", json.dumps(dbt_vars)]
    return arguments, connection


def run_dbt(
    args: Sequence[str],
    db_path: Path,
    returns_dir: Path,
    dbt_vars: dict[str, Any] | None = None,
    say: Callable[[str], None] = print,
    target_path: Path | None = None,
    validates: bool = False,
    artifacts: bool = False,
    manifest: Any = None,
) -> DbtOutcome:
    """`dbt <args>` in this process against `db_path`; the outcome with each failure in a line.
    `target_path` is dbt's target folder (manifest, compiled SQL, partial parse, logs in
    `logs/`); default $DBT_TARGET_PATH or build/target. `validates`: the command may build
    int_validation_findings, whose suites' process is then started beside dbt's own start
    (riia.validation.child). `artifacts`: dbt writes its JSON artifacts (manifest.json,
    run_results.json...), which only `riia docs` reads; without them dbt does not write its
    manifest (twice, some 1.3 s of CPU a command) and still keeps its parse
    (partial_parse.msgpack) and its log. `manifest`: the project parsed already for this
    command, with the same settings (parse_beside), which dbt then runs on."""
    from riia.validation import child

    if validates:  # before importing dbt (1.4 s), which then overlaps GE's import in the child
        child.start_early()
    from dbt.cli.main import dbtRunner

    arguments, connection = dbt_settings(db_path, returns_dir, dbt_vars, target_path, artifacts)
    full_args = [*args, *arguments]
    progress = _Progress(say)
    heap.settle()  # dbt's modules and the parse given, kept to the end (riia.heap)
    started = time.monotonic()
    try:
        with log_write_errors_dropped(), in_warehouse_folder(db_path.parent, connection):
            result = dbtRunner(manifest=manifest, callbacks=[progress]).invoke(full_args)
    finally:
        if validates:
            child.discard()
    outcome = DbtOutcome(
        bool(result.success),
        seconds=time.monotonic() - started,
        node_seconds=progress.node_seconds,
        parsed=progress.parsed,
    )
    if result.exception is not None:
        outcome.failures.append(f"dbt could not run: {result.exception}")
    for node in getattr(result.result, "results", None) or []:
        status = str(getattr(node, "status", ""))
        if status in ("error", "fail", "runtime error"):
            name = getattr(getattr(node, "node", None), "name", "?")
            outcome.failures.append(f"{name}: {failure_line(getattr(node, 'message', None)) or status}")
    return outcome


NODE_ERROR_HEADING = re.compile(r"^\s*(Runtime|Compilation|Database|Dependency) Error in \w+ ")


def failure_line(message: str | None) -> str:
    """The line of dbt's message for a failed node that says what went wrong: a test's one
    line, or an error's first line after its heading ("Runtime Error in model x (path)"),
    not the advice DuckDB ends some errors with ("See also https://...")."""
    lines = [line.strip() for line in (message or "").strip().splitlines() if line.strip()]
    if len(lines) > 1 and NODE_ERROR_HEADING.match(lines[0]):
        return lines[1]
    return lines[0] if lines else ""


def print_failures(outcome: DbtOutcome, log_path: Path, file: Any = None) -> None:
    """Each failure in a line (on standard error unless `file` says otherwise)."""
    file = file or sys.stderr
    for failure in outcome.failures[:20]:
        print(f"  - {failure}", file=file)
    if len(outcome.failures) > 20:
        print(f"  ... and {len(outcome.failures) - 20} more", file=file)
    print(f"  dbt's full log: {log_path}", file=file)
