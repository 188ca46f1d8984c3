"""The quarterly build, as `riia build` (and `make build`) runs it.

1. **Lock**: one build at a time (riia.build.lock); a second stops and names the first.
2. **Prepare**: a new publication folder (riia.build.publication) holding a copy of the
   published warehouse, so that snapshots and incremental models carry on from the last
   good build; folders of builds that never completed are cleared, and said so.
3. **Load**: the returns folder, walked as RETURN_TEMPLATE.md section 1b says, into the
   landing table (riia.intake).
4. **dbt build**: seeds, models, the Great Expectations suites, snapshot and tests.
5. **Exports**: each recipient's own folder (riia.publish).
6. **Reports**: the reports people read (riia.reports).
7. **Publish**: one atomic switch of `current` to the new folder: the warehouse, exports
   and reports of a build appear together or not at all.

A step that fails leaves the published build as it was and ends with one sentence saying
what happened and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from riia import config, intake, paths, workers
from riia.build import state as build_state
from riia.build.dbt import parse_beside, print_failures, run_dbt, time_in_nodes, time_in_nodes_text
from riia.build.lock import BuildLock, BuildLocked
from riia.build.publication import WAREHOUSE, Publications
from riia.paths import DEFAULT_RETURNS_DIR, PROJECT_ROOT
from riia.validation import child

DEFAULT_BUILD_DIR = PROJECT_ROOT / "build"
STEPS = ("prepare", "load", "dbt", "exports", "reports", "publish", "prune")
PAUSE_VARIABLE = "RIIA_TEST_PAUSE_AT"


class BuildError(Exception):
    """A build that cannot go on; the message is one sentence for the person running it."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Interrupted(KeyboardInterrupt):
    """SIGTERM or Ctrl-C (SIGINT) during the build. A KeyboardInterrupt, so that dbt stops on
    it as on Ctrl-C: it cancels the query running on its worker thread and waits for the
    thread (dbt's runner does that for KeyboardInterrupt only). Left running, the query could
    still be inside DuckDB while the connection closes and the process exits, which aborts it
    ("terminate called without an active exception") after the build has said its sentence."""

    def __init__(self, signal_number: int) -> None:
        super().__init__("Ctrl-C" if signal_number == signal.SIGINT else signal.Signals(signal_number).name)
        self.signal_number = signal_number


STOPPED_BY: list[int] = []  # the signals received, for a stop that dbt caught and turned into a failure


def _interrupt(signal_number: int, _frame: Any) -> None:
    STOPPED_BY.append(signal_number)
    raise Interrupted(signal_number)


def pause_for_tests(build_dir: Path, step: str) -> None:
    """TEST HOOK, inert unless RIIA_TEST_PAUSE_AT names `step` (a comma-separated list of
    STEPS): at that step boundary the build writes ``<build dir>/.paused-<step>`` (holding
    its process id) and waits until the file is removed, so that the fault-injection tests
    (tests/python/test_faults_kill.py) can kill it at exactly that boundary, or let it go on."""
    wanted = os.environ.get(PAUSE_VARIABLE, "")
    if step not in {name.strip() for name in wanted.split(",")}:
        return
    marker = build_dir / f".paused-{step}"
    marker.write_text(f"{os.getpid()}\n")
    while marker.exists():
        time.sleep(0.05)


@dataclass
class BuildPlan:
    returns_dir: Path
    build_dir: Path
    settings: dict[str, Any]
    wait_seconds: float = 0.0
    write_sample_if_empty: bool = True
    full_refresh: bool = False
    messages: list[str] = field(default_factory=list)

    @classmethod
    def from_environment(
        cls, overrides: dict[str, Any] | None = None, wait_seconds: float = 0.0, full_refresh: bool = False
    ) -> BuildPlan:
        for name in ("RIIA_RETURNS_DIR", "RIIA_BUILD_DIR"):
            if name in os.environ and not os.environ[name].strip():
                # `RIIA_RETURNS_DIR=$RETURNS make build` with RETURNS unset would otherwise read
                # (or build into) the whole project folder.
                raise BuildError(f"{name} is set but empty: give it a folder, or unset it to use the default.")
        try:
            settings = config.settings(overrides)
        except ValueError as error:
            raise BuildError(f"{error}: correct or unset it.") from None
        return cls(
            returns_dir=paths.returns_dir(),
            build_dir=paths.build_dir(),
            settings=settings,
            wait_seconds=wait_seconds,
            full_refresh=full_refresh,
        )

    @property
    def dbt_target_path(self) -> Path:
        return dbt_target_path(self.build_dir)

    @property
    def is_default_returns_dir(self) -> bool:
        return self.returns_dir.resolve() == (PROJECT_ROOT / DEFAULT_RETURNS_DIR).resolve()


def dbt_target_path(build_dir: Path, environ: Mapping[str, str] = os.environ) -> Path:
    """dbt's target folder: inside the build folder (under its lock), so that builds into
    different build folders, and `riia check`, never write over each other's manifest;
    DBT_TARGET_PATH when it is set."""
    given = environ.get("DBT_TARGET_PATH")
    return Path(given) if given else build_dir / "target"


class StepClock:
    """How long each step of the build took (printed in the summary, kept in build.json)."""

    def __init__(self) -> None:
        self.times: list[tuple[str, float]] = []

    def enter(self, step: str) -> str:
        self.times.append((step, time.monotonic()))
        return step

    def seconds(self) -> dict[str, float]:
        ends = [at for _, at in self.times[1:]] + [time.monotonic()]
        return {step: round(end - at, 1) for (step, at), end in zip(self.times, ends, strict=True)}


def say(message: str) -> None:
    print(message, flush=True)


def check_returns_folder(plan: BuildPlan) -> None:
    """A missing or empty returns folder is an error, except the default one, which gets the
    sample returns (and everything built from them says SAMPLE DATA)."""
    found = intake.count_returns(plan.returns_dir)
    if found:
        return
    if plan.is_default_returns_dir and plan.write_sample_if_empty:
        from riia import sample

        say(f"No returns in {plan.returns_dir}: writing the generated sample returns there (SAMPLE DATA).")
        if sample.main(["--out", str(plan.returns_dir), "--only-if-empty"]) != 0:
            raise BuildError("The sample returns could not be written.")
        return
    if not plan.returns_dir.exists():
        raise BuildError(
            f"The returns folder {plan.returns_dir} does not exist: check RIIA_RETURNS_DIR "
            "(unset it to use data/returns). Nothing was built."
        )
    if not plan.returns_dir.is_dir():
        raise BuildError(
            f"The returns folder {plan.returns_dir} is a file, not a folder: check RIIA_RETURNS_DIR. Nothing was built."
        )
    raise BuildError(
        f"The returns folder {plan.returns_dir} holds no return (no *.csv file): check RIIA_RETURNS_DIR. "
        "Nothing was built."
    )


def starting_warehouse(plan: BuildPlan, publications: Publications) -> Path | None:
    """The warehouse this build carries on from (its snapshot history, incremental models):
    the published one; before the first publication, a warehouse left at <build dir>/riia.duckdb
    by an older version of the pipeline. A publication that should be there and is not stops
    the build: starting from empty would silently lose the history of accepted figures."""
    current = publications.current()
    if current is not None:
        return current / WAREHOUSE
    if publications.current_link.is_symlink() or publications.completed():
        raise BuildError(
            f"The link {publications.current_link} does not lead to a published warehouse although "
            f"{publications.folder} holds earlier builds: starting from empty would lose the history of accepted "
            f"figures, so nothing was built; point it at the latest complete build (ln -sfn publications/<id> "
            f"{publications.current_link}) and build again."
        )
    older = plan.build_dir / WAREHOUSE
    if older.is_file() and not older.is_symlink():
        say(f"Carrying on from {older} (built before publications): its history is kept.")
        return older
    return None


def prepare(plan: BuildPlan, publications: Publications) -> tuple[Path, Path | None]:
    """(this build's new folder, the warehouse to carry on from), leftovers cleared."""
    for described in publications.clear_leftovers():
        say(f"Cleared the files of {described}, which never completed.")
    start = starting_warehouse(plan, publications)
    return publications.new(), start


def carry_forward(start: Path | None, db_path: Path) -> None:
    """Copy the warehouse this build carries on from into its folder, on the disk when this
    returns (riia.paths.copy_to_disk). The copy grows with the years of history (1.2 GB at 48
    quarters), so dbt imports and parses the project meanwhile, in a thread
    (riia.build.dbt.parse_beside): the copy costs what it exceeds that by. A copy not yet on
    the disk was written out at the warehouse's first checkpoint, the load's, with nothing
    else to do meanwhile: that checkpoint took 1.7-2.2 s on the bench's 48-quarter history,
    0.5 s on its 12 quarters, and every later one 0.05 s."""
    if start is None:
        return
    paths.copy_to_disk(start, db_path)
    os.chmod(db_path, 0o644)


def load_returns(plan: BuildPlan, db_path: Path, rules: intake.FolderRules, reread: bool = False) -> dict[str, int]:
    """The returns folder into the warehouse's landing table (riia.intake); `reread`: every
    file read again, for a build that rebuilds everything. The sample's files are read the
    moment they are written, a newcomer's first `make build` included: the loader knows them
    by the sample's manifest (intake.sample_manifest)."""
    with duckdb.connect(str(db_path)) as con:
        counts = intake.load(con, plan.returns_dir, rules, reread=reread)
    return counts


def checkpoint(db_path: Path) -> None:
    """Fold the write-ahead log into the database file, so the file alone is complete."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("checkpoint")
    if db_path.with_name(db_path.name + ".wal").exists():
        raise BuildError(f"{db_path}.wal is still there after a checkpoint: the warehouse was not published.")


def effective_dbt_vars(plan: BuildPlan) -> dict[str, Any]:
    values = dict(plan.settings)
    if not values.get("build_date"):
        values["build_date"] = date.today().isoformat()
    return config.dbt_vars(values) | {"build_date": values["build_date"]}


def run(plan: BuildPlan) -> int:
    """The whole build; 0 on success. A build that cannot finish raises BuildError (one
    sentence) after leaving the published build as it was."""
    started = time.monotonic()
    publications = Publications(plan.build_dir)
    check_returns_folder(plan)
    # the exports' and reports' workers, forked while this process is small (riia.workers)
    # and before it takes the lock, which a forked process would otherwise share; but after
    # pandas is imported, which this process needs for dbt's Python models in any case
    # (riia.build.dbt.import_dbt) and every worker for its reports: imported once before the
    # fork, the workers share it instead of each importing it again (some 0.3 s of CPU each)
    import pandas  # noqa: F401

    from riia import heap, publish, reports

    # what this process keeps to its end, put out of the collector's way before the workers
    # share it (riia.heap)
    heap.settle()
    workers.start()
    with BuildLock(plan.build_dir, plan.wait_seconds, say=say):
        folder, start = prepare(plan, publications)
        db_path = folder / WAREHOUSE
        clock = StepClock()
        step = clock.enter("prepare")
        dbt_vars = effective_dbt_vars(plan)
        try:
            pause_for_tests(plan.build_dir, step)
            # the suites' process imports Great Expectations meanwhile (riia.validation.child)
            child.start_early()
            manifest = parse_beside(
                lambda: carry_forward(start, db_path), db_path, plan.returns_dir, dbt_vars, plan.dbt_target_path
            )
            fingerprints = build_state.Fingerprints.of_project()
            redo = build_state.plan(db_path, fingerprints, asked=plan.full_refresh)
            if redo.full_refresh:
                build_state.clear_rebuilt(db_path)
            step = clock.enter("load")
            pause_for_tests(plan.build_dir, step)
            say(f"[1/5] Loading the returns folder {plan.returns_dir}")
            rules = intake.FolderRules.from_settings(plan.settings)
            counts = load_returns(plan, db_path, rules, reread=redo.full_refresh)
            say("  " + intake.counts_text(counts, rules))
            step = clock.enter("dbt")
            pause_for_tests(plan.build_dir, step)
            say(
                f"[2/5] dbt build: validation, indicators, sharing, the data tests that gate publication ({redo.reason})"
            )
            log_path = plan.dbt_target_path / "logs"
            outcome = run_dbt(
                redo.dbt_args(),
                db_path,
                plan.returns_dir,
                dbt_vars,
                say,
                plan.dbt_target_path,
                validates=True,
                manifest=manifest,
            )
            if STOPPED_BY:  # dbt catches the interruption and reports a failure
                raise Interrupted(STOPPED_BY[0])
            if not outcome.success:
                print_failures(outcome, log_path / "dbt.log", file=sys.stdout)
                raise dbt_failure(outcome, plan, folder)
            build_state.record(db_path, fingerprints)
            dbt_time = time_in_nodes(outcome.node_seconds, outcome.seconds, outcome.parsed)
            say(f"  dbt: {outcome.nodes} nodes in {outcome.seconds:.0f} s")
            say(f"  where dbt's time went: {time_in_nodes_text(dbt_time)}")
            checkpoint(db_path)
            step = clock.enter("exports")
            pause_for_tests(plan.build_dir, step)
            say("[3/5] Exports: one folder per recipient")
            current = publications.current()
            manifests = publish.write_exports(
                db_path,
                folder / "exports",
                delivery_context(db_path, folder.name),
                previous_exports=current / "exports" if current is not None else None,
            )
            step = clock.enter("reports")
            pause_for_tests(plan.build_dir, step)
            say("[4/5] Reports")
            started_reports = time.monotonic()
            folders = [
                (
                    delivery.database,
                    delivery.folder / "reports",
                    current / "exports" / delivery.recipient.folder / "reports" if current is not None else None,
                )
                for delivery in manifests
            ]
            written = [w for each in reports.write_recipient_reports(folders) for w in each]
            written += reports.write_hub_reports(
                db_path, folder / "exports", folder / "reports", current / "reports" if current is not None else None
            )
            rendered = sum(w.rendered for w in written)
            say(
                f"  {len(written)} reports: {rendered} rendered, {len(written) - rendered} unchanged (copied), "
                f"in {time.monotonic() - started_reports:.0f} s"
            )
            step = clock.enter("publish")
            pause_for_tests(plan.build_dir, step)
            summary = build_summary(db_path, counts, time.monotonic() - started)
            summary["step_seconds"] = clock.seconds()
            summary["dbt_time"] = dbt_time
            (folder / "build.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
            os.chmod(db_path, 0o444)
            # The stable paths point through `current` before it moves, so that they switch
            # with it: the warehouse, exports and reports people open are always one build's.
            publications.link_stable_paths(PROJECT_ROOT, DEFAULT_BUILD_DIR)
            publications.publish(folder)
            say(f"[5/5] Published: {plan.build_dir / 'current'} -> {folder.name}")
        except BaseException as error:
            child.discard()  # if dbt did not get as far as the suites
            sentence = failure_sentence(error, step, plan, folder)
            leave_failed(publications, folder, f"failed at step {step}: {sentence}", error)
            if isinstance(error, BuildError):
                raise
            if isinstance(error, Interrupted):
                raise BuildError(sentence, 128 + error.signal_number) from None
            raise BuildError(sentence, 130 if isinstance(error, KeyboardInterrupt) else 1) from None
        # Published: what follows only tidies up, and cannot undo the publication.
        pause_for_tests(plan.build_dir, "prune")
        try:
            publications.prune()
        except OSError as error:
            say(
                f"Older builds in {publications.folder} could not all be removed ({error.strerror}): remove them by hand."
            )
    print_summary(summary, manifests, written, plan)
    return 0


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
DISK_FULL_TEXT = ("no space left on device", "disk quota exceeded")
FILE_TOO_LARGE_TEXT = ("file too large",)


def _kind_of_write_failure(text: str, number: int | None = None) -> str | None:
    lowered = text.lower()
    if number in DISK_FULL or any(words in lowered for words in DISK_FULL_TEXT):
        return "full"
    if number == errno.EFBIG or any(words in lowered for words in FILE_TOO_LARGE_TEXT):
        return "too_large"
    return None


def _write_failure_sentence(kind: str, plan: BuildPlan, step: str, folder: Path) -> str:
    left = f"the published build was left as it was and this build's files in {folder} are cleared by the next build"
    if kind == "full":
        return f"The disk holding {plan.build_dir} is full (at step {step}): free some space and run the build again; {left}."
    return (
        f"A file of the build in {plan.build_dir} reached the largest size this process may write (at step {step}; "
        f"see `ulimit -f`): raise that limit or free the disk and run the build again; {left}."
    )


def dbt_failure(outcome: Any, plan: BuildPlan, folder: Path) -> BuildError:
    """The sentence for a dbt build that failed (its failures are listed on standard output)."""
    kind = _kind_of_write_failure(" ".join(outcome.failures))
    if kind is not None:
        return BuildError(_write_failure_sentence(kind, plan, "dbt", folder), 1)
    kept = (
        f"the published build was left as it was, and the failed build's files are kept in {folder} for inspection "
        "until the next build"
    )
    out_of_memory = [failure.split(":", 1)[0] for failure in outcome.failures if "Out of Memory Error" in failure]
    if out_of_memory:
        limit = config.duckdb_memory_limit()
        number = re.fullmatch(r"\s*(\d+)\s*([A-Za-z]*)\s*", limit)
        higher = (
            f"RIIA_DUCKDB_MEMORY_LIMIT={2 * int(number[1])}{number[2]}"
            if number
            else "a higher RIIA_DUCKDB_MEMORY_LIMIT"
        )
        return BuildError(
            f"DuckDB ran out of memory in dbt ({', '.join(out_of_memory)}) within its limit of {limit} "
            f"(RIIA_DUCKDB_MEMORY_LIMIT; README: Memory): build again with a higher limit, e.g. {higher}; {kept}.",
            1,
        )
    return BuildError(
        f"The build failed in dbt ({len(outcome.failures)} failure(s), listed above; dbt's log is "
        f"{plan.dbt_target_path / 'logs' / 'dbt.log'}): {kept}.",
        1,
    )


def failure_sentence(error: BaseException, step: str, plan: BuildPlan, folder: Path) -> str:
    """One sentence saying what happened at `step`, what was left behind and what to do."""
    if isinstance(error, BuildError):
        return str(error)
    left = f"the published build was left as it was and this build's files in {folder} are cleared by the next build"
    if isinstance(error, Interrupted | KeyboardInterrupt):
        name = error.args[0] if isinstance(error, Interrupted) else "Ctrl-C"
        return f"The build was stopped ({name}) at step {step}: {left}."
    number = error.errno if isinstance(error, OSError) else None
    kind = _kind_of_write_failure(str(error), number)
    if kind is not None:
        return _write_failure_sentence(kind, plan, step, folder)
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"The build could not go on at step {step}: {error.strerror or error}{where}; {left}."
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"The build failed at step {step} ({type(error).__name__}: {first_line}): {left}; "
        f"the details are in {folder / FAILED_DETAILS}."
    )


FAILED_DETAILS = "FAILED"


def leave_failed(publications: Publications, folder: Path, reason: str, error: BaseException) -> None:
    """Mark the build's folder FAILED with the reason and the traceback (never on the
    terminal): best effort, since the disk may be full."""
    if not folder.exists():
        return
    details = reason + "\n\n" + "".join(traceback.format_exception(error))
    with contextlib.suppress(OSError):
        publications.mark_failed(folder, details)


def delivery_context(db_path: Path, build_id: str) -> dict[str, Any]:
    """What every recipient's manifest says about the build itself."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        as_of = con.sql("select max(as_of_date) from sharing.shr_recipient_agreements").fetchone()[0]
        is_sample = bool(con.sql("select bool_or(is_sample) from raw.returns_folder").fetchone()[0])
    return {"as_of_date": str(as_of) if as_of else None, "is_sample": is_sample, "build_id": build_id}


def build_summary(db_path: Path, counts: dict[str, int], seconds: float) -> dict[str, Any]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        files, latest, unreadable = con.sql(
            """
            select count(*), count(*) filter (where is_latest_version), count(*) filter (where file_status <> 'readable')
            from marts.fct_return_files
            """
        ).fetchone()
        statuses = dict(con.sql("select return_status, count(*) from marts.fct_returns group by all").fetchall())
    return {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "returns_folder": counts,
        "files_received": files,
        "latest_versions": latest,
        "unreadable_files": unreadable,
        "return_status": statuses,
    }


def print_summary(summary: dict[str, Any], manifests: list[Any], written: Any, plan: BuildPlan) -> None:
    say(f"\nBuild succeeded in {summary['seconds']:.0f} s. Warehouse: {plan.build_dir / WAREHOUSE}")
    steps = summary.get("step_seconds", {})
    say("Steps: " + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in steps.items()))
    say(
        f"Return files received: {summary['files_received']} ({summary['latest_versions']} latest versions of an LA "
        f"and quarter; {summary['unreadable_files']} could not be read)"
    )
    statuses = summary["return_status"]
    say(
        "Returns, all quarters: "
        + ", ".join(
            f"{statuses.get(key, 0)} {label}"
            for key, label in (
                ("accepted", "accepted"),
                ("accepted_with_warnings", "accepted with warnings"),
                ("quarantined", "quarantined"),
            )
        )
        + "."
    )
    say_this_quarter(plan.build_dir / WAREHOUSE)
    say(f"Exports: {len(manifests)} recipient folders in {plan.build_dir / 'current' / 'exports'}")
    say(f"Reports: {plan.build_dir / 'current' / 'reports' / 'index.html'}")
    for warning in agreements_ending_soon([delivery.manifest for delivery in manifests]):
        say(warning)


def say_this_quarter(db_path: Path) -> None:
    """One line of the returns tracker (`riia status`): the latest quarter that has ended."""
    from riia.reports import tracker

    found = tracker.read_warehouse(db_path)
    if found.latest_period is None:
        return
    total = found.total(found.latest_period)
    deadline = f", due {total.deadline:%d %b %Y}" if total.deadline else ""
    say(
        f"This quarter ({found.latest_period}{deadline}): {total.received} of {total.las} LAs' returns received, "
        f"{total.accepted + total.accepted_with_warnings} accepted, {total.quarantined} quarantined, "
        f"{total.overdue} overdue (`riia status` lists whom to chase)."
    )


def agreements_ending_soon(manifests: list[dict]) -> list[str]:
    """A warning per agreement in use that ends within `agreement_warning_days` (SHARING.md rule 2)."""
    ending: dict[str, tuple[dict, set[str]]] = {}
    for manifest in manifests:
        for agreement in manifest.get("agreements_used", []):
            if agreement.get("is_ending_soon"):
                ending.setdefault(agreement["agreement_id"], (agreement, set()))[1].add(manifest["recipient_id"])
    return [
        f"Warning: agreement {agreement_id} ({agreement['region_code']}, {agreement['clause']}) ends on "
        f"{agreement['in_force_to']}, in {agreement['days_to_end']} days: renew it in "
        f"seeds/sharing/sharing_agreements.csv or {', '.join(sorted(recipients))} will stop receiving its data."
        for agreement_id, (agreement, recipients) in sorted(ending.items())
    ]


def main(overrides: dict[str, Any] | None = None, wait_seconds: float = 0.0, full_refresh: bool = False) -> int:
    """`riia build`: 0 on success; otherwise one sentence on standard error, never a traceback."""
    previous = {number: signal.signal(number, _interrupt) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        return run(BuildPlan.from_environment(overrides, wait_seconds, full_refresh))
    except BuildError as error:
        print(str(error), file=sys.stderr)
        return error.exit_code
    except (BuildLocked, intake.ReturnsFolderError) as error:
        print(str(error), file=sys.stderr)
        return 2
    except (Interrupted, KeyboardInterrupt) as error:  # before or while waiting for the lock
        print("The build was stopped before it started: nothing was changed.", file=sys.stderr)
        return 128 + error.signal_number if isinstance(error, Interrupted) else 130
    except OSError as error:  # before the build's own folder exists: the lock, the build folder
        where = f" {error.filename}" if error.filename else ""
        kind = _kind_of_write_failure(str(error), error.errno)
        reason = {"full": "the disk is full", "too_large": "a file reached its size limit"}.get(
            kind or "", error.strerror or str(error)
        )
        print(
            f"The build could not start: {reason}{':' if where else ''}{where}; check RIIA_BUILD_DIR "
            "(the build folder must be a folder you can write to). Nothing was changed.",
            file=sys.stderr,
        )
        return 2
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
