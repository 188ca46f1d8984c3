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

import errno
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from riia import config, intake
from riia.build.dbt import print_failures, run_dbt
from riia.build.lock import BuildLock, BuildLocked
from riia.build.publication import WAREHOUSE, Publications
from riia.paths import DEFAULT_RETURNS_DIR, PROJECT_ROOT, project_path

DEFAULT_BUILD_DIR = PROJECT_ROOT / "build"


class BuildError(Exception):
    """A build that cannot go on; the message is one sentence for the person running it."""


@dataclass
class BuildPlan:
    returns_dir: Path
    build_dir: Path
    settings: dict[str, Any]
    wait_seconds: float = 0.0
    write_sample_if_empty: bool = True
    messages: list[str] = field(default_factory=list)

    @classmethod
    def from_environment(cls, overrides: dict[str, Any] | None = None, wait_seconds: float = 0.0) -> BuildPlan:
        return cls(
            returns_dir=project_path(os.environ.get("RIIA_RETURNS_DIR", str(DEFAULT_RETURNS_DIR))),
            build_dir=project_path(os.environ.get("RIIA_BUILD_DIR", "build")),
            settings=config.settings(overrides),
            wait_seconds=wait_seconds,
        )

    @property
    def is_default_returns_dir(self) -> bool:
        return self.returns_dir.resolve() == (PROJECT_ROOT / DEFAULT_RETURNS_DIR).resolve()


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
    raise BuildError(
        f"The returns folder {plan.returns_dir} holds no return (no *.csv file): check RIIA_RETURNS_DIR. "
        "Nothing was built."
    )


def prepare(plan: BuildPlan, publications: Publications) -> Path:
    for described in publications.clear_leftovers():
        say(f"Cleared the files of {described}, which never completed.")
    folder = publications.new()
    current = publications.current()
    if current is not None:
        shutil.copyfile(current / WAREHOUSE, folder / WAREHOUSE)
    return folder


def load_returns(plan: BuildPlan, db_path: Path) -> dict[str, int]:
    rules = intake.FolderRules.from_settings(plan.settings)
    with duckdb.connect(str(db_path)) as con:
        counts = intake.load(con, plan.returns_dir, rules)
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
    """The whole build; 0 on success, 1 when it failed (the published build untouched)."""
    started = time.monotonic()
    publications = Publications(plan.build_dir)
    check_returns_folder(plan)
    with BuildLock(plan.build_dir, plan.wait_seconds):
        folder = prepare(plan, publications)
        db_path = folder / WAREHOUSE
        step = "load"
        try:
            say(f"[1/5] Loading the returns folder {plan.returns_dir}")
            counts = load_returns(plan, db_path)
            say("  " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
            step = "dbt"
            say("[2/5] dbt build: validation, indicators, sharing, tests")
            outcome = run_dbt(["build"], db_path, plan.returns_dir, effective_dbt_vars(plan), say)
            if not outcome.success:
                publications.mark_failed(folder, "dbt build failed")
                print("\nBuild FAILED in dbt: the published build was left as it was.", file=sys.stderr)
                print_failures(outcome, Path(os.environ.get("DBT_LOG_PATH", "build/target/logs")) / "dbt.log")
                print(f"The failed build's files are kept for inspection in {folder} until the next build.", file=sys.stderr)
                return 1
            checkpoint(db_path)
            step = "exports"
            say("[3/5] Exports: one folder per recipient")
            from riia import publish

            current = publications.current()
            manifests = publish.write_exports(
                db_path,
                folder / "exports",
                delivery_context(db_path, folder.name),
                previous_exports=current / "exports" if current is not None else None,
            )
            step = "reports"
            say("[4/5] Reports")
            from riia.reports import legacy as reports

            (folder / "reports").mkdir()
            written = reports.write_reports(db_path, folder / "reports")
            step = "publish"
            summary = build_summary(db_path, counts, time.monotonic() - started)
            (folder / "build.json").write_text(json.dumps(summary, indent=2, default=str) + "\n")
            os.chmod(db_path, 0o444)
            publications.publish(folder)
            publications.link_stable_paths(PROJECT_ROOT, DEFAULT_BUILD_DIR)
            publications.prune()
            say(f"[5/5] Published: {plan.build_dir / 'current'} -> {folder.name}")
        except BaseException as error:
            if (folder / "BUILDING").exists():
                publications.mark_failed(folder, f"failed at step {step}: {error!r}")
            if isinstance(error, OSError) and error.errno == errno.ENOSPC:
                raise BuildError(
                    f"The disk holding {plan.build_dir} is full (at step {step}): free some space and run the build "
                    "again; the published build was left as it was."
                ) from None
            raise
    print_summary(summary, manifests, written, plan)
    return 0


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


def print_summary(summary: dict[str, Any], manifests: list[dict], written: Any, plan: BuildPlan) -> None:
    say(f"\nBuild succeeded in {summary['seconds']:.0f} s. Warehouse: {plan.build_dir / WAREHOUSE}")
    say(
        f"Return files received: {summary['files_received']} ({summary['latest_versions']} latest versions of an LA "
        f"and quarter; {summary['unreadable_files']} could not be read)"
    )
    statuses = summary["return_status"]
    say(
        "Returns, all quarters: "
        + ", ".join(f"{statuses.get(key, 0)} {label}" for key, label in (
            ("accepted", "accepted"),
            ("accepted_with_warnings", "accepted with warnings"),
            ("quarantined", "quarantined"),
        ))
        + "."
    )
    say(f"Exports: {len(manifests)} recipient folders in {plan.build_dir / 'current' / 'exports'}")
    say(f"Reports: {plan.build_dir / 'current' / 'reports' / 'index.html'}")


def main(overrides: dict[str, Any] | None = None, wait_seconds: float = 0.0) -> int:
    try:
        return run(BuildPlan.from_environment(overrides, wait_seconds))
    except (BuildError, BuildLocked, intake.ReturnsFolderError) as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("The build was interrupted: the published build was left as it was.", file=sys.stderr)
        return 130
