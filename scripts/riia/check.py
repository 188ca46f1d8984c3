"""`riia check FILE...`: an LA data officer's check of a return before sending it.

The check runs the build's own validation on the given files - the same loader, staging
model, SQL validation inputs and Great Expectations suites, so the same rule ids and the
same messages - in a scratch warehouse in a temporary folder: nothing is written beside
the files, and the published warehouse is only ever opened read-only.

Without a warehouse, the template and logical rules (T01-T07, L01-L09) apply. With one
(`--warehouse`, by default the published build if there is one), the checked files sit
beside the returns the warehouse already holds for their LA's previous quarter and for
every LA in their quarter, so that the plausibility rules (P01-P03) compare them with last
quarter and with England's range, exactly as the build will.

The scratch warehouse starts from a cached copy holding the seeds (rebuilt when a seed
changes), and dbt from the parse of the project the last check kept beside it (dbt parses
again what changed since, or all of it for other settings), so a check takes seconds, not
a build's minute.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from riia import config, intake
from riia.build.dbt import run_dbt
from riia.build.state import SEED_PATHS, files_checksum
from riia.paths import check_cache_dir, replace_whole
from riia.periods import parse_file_name

PARSE = "partial_parse.msgpack"  # dbt's parse of the project, in its target folder
FINDING_FIELDS = ("file", "line", "item", "value", "rule", "severity", "message", "what_to_fix")


class CheckError(Exception):
    """The check could not run; the message says why in one sentence."""


@dataclass(frozen=True)
class Finding:
    file: str
    line: int | None
    item: str | None
    value: str | None
    rule: str
    severity: str
    message: str
    what_to_fix: str | None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FINDING_FIELDS}


@dataclass
class CheckResult:
    files: list[str]
    findings: list[Finding]
    plausibility_checked: bool
    warehouse: Path | None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


def seeded_warehouse(dbt_vars: dict[str, Any], target_path: Path | None = None) -> Path:
    """A warehouse holding only the seeds, built once per version of the seeds.

    Several checks may run at once (LA officers, a build): each builds the cache under a name
    of its own and renames it into place, so none removes a file another is still writing."""
    cache = check_cache_dir()
    # the seeds' checksum that tells `riia build` to load them again (riia.build.state)
    cached = cache / f"seeds-{files_checksum(SEED_PATHS)[:16]}.duckdb"
    if cached.is_file():
        return cached
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob("seeds-*.duckdb"):
        if stale != cached:
            stale.unlink(missing_ok=True)
    building = cached.with_name(f".{cached.name}.{os.getpid()}-{secrets.token_hex(3)}.building")
    try:
        outcome = run_dbt(["seed"], building, cache, dbt_vars, say=lambda _: None, target_path=target_path)
        if not outcome.success:
            raise CheckError("The reference data could not be loaded: " + "; ".join(outcome.failures))
        os.replace(building, cached)
    finally:
        building.unlink(missing_ok=True)
        building.with_name(building.name + ".wal").unlink(missing_ok=True)
    return cached


def scratch_target(scratch: Path) -> Path:
    """dbt's target folder for one check, in its scratch folder: never the build's, so a
    check run during a build (or beside another check) writes over nobody's manifest. It
    starts with the parse the last check kept (`keep_parse`): without one, dbt parses the
    whole project, some 4 s of a check's 10; with it, only what changed since. dbt itself
    decides whether a parse still holds (the project's files, the variables, the profile),
    as it does in a build's target folder."""
    target = scratch / "target"
    target.mkdir()
    with contextlib.suppress(OSError):  # none kept yet, or unreadable: dbt parses the project
        shutil.copyfile(check_cache_dir() / PARSE, target / PARSE)
    return target


def keep_parse(target: Path) -> None:
    """Keep dbt's parse from a check's target folder for the next check, renamed into place
    so that a check starting meanwhile copies either the last parse or this one, whole."""
    made = target / PARSE
    if made.is_file():  # if it cannot be kept, the next check parses the project itself
        replace_whole(check_cache_dir() / PARSE, lambda part: shutil.copyfile(made, part))


def land_files(con: duckdb.DuckDBPyConnection, files: list[Path], rules: intake.FolderRules) -> list[str]:
    """The given files into the landing table, each under a name of its own."""
    con.execute("create schema if not exists raw")
    con.execute(f"create or replace table raw.la_return_files ({', '.join(intake.LANDING_COLUMNS)})")
    names: list[str] = []
    now = datetime.now(UTC)
    for path in files:
        name = path.name if path.name not in names else f"{path.parent.name}/{path.name}"
        entry = intake.file_entry(name, path, path.resolve(), rules, now, {})
        names.append(name)
        con.execute(
            f"insert into raw.la_return_files values ({', '.join('?' * len(intake.LANDING_COLUMNS))})",
            intake.landing_row(entry, now),
        )
    con.execute(
        "create or replace table raw.returns_folder as select 'flat' as returns_layout, 0 as settle_seconds, "
        "? as max_file_bytes, false as is_sample, cast(? as timestamptz) as scanned_at",
        [rules.max_bytes, now],
    )
    return names


def add_context(con: duckdb.DuckDBPyConnection, warehouse: Path, names: list[str]) -> int:
    """The warehouse's latest returns of the checked LAs' previous quarters and of every LA
    in the checked quarters, beside the checked files (read-only; the bytes as received)."""
    declared = [parsed for parsed in map(parse_file_name, (Path(name).name for name in names)) if parsed]
    quarters = sorted({parsed.period.label for parsed in declared})
    previous = sorted({(parsed.la_code, parsed.period.shift(-1).label) for parsed in declared})
    if not declared:
        return 0
    quoted = str(warehouse).replace("'", "''")
    try:
        con.execute(f"attach '{quoted}' as published (read_only)")
    except duckdb.Error as error:
        raise CheckError(
            f"The warehouse {warehouse} cannot be opened ({str(error).splitlines()[0]}): close the program holding it "
            "open for writing, or check without it (--no-warehouse)."
        ) from None
    try:
        landed = con.sql(
            "select count(*) from duckdb_tables() where database_name = 'published' and schema_name = 'raw'"
        ).fetchone()[0]
        if not landed:
            raise CheckError(f"{warehouse} was built by an older version of the pipeline: run `riia build` first.")
        before = con.sql("select count(*) from raw.la_return_files").fetchone()[0]
        con.execute(
            """
            insert into raw.la_return_files by name
            select landed.*
            from published.raw.la_return_files as landed
            inner join published.marts.fct_return_files as received on landed.file_path = received.file_path
            where landed.intake_status = 'read'
                and received.is_latest_version
                and (
                    received.period in (select unnest(?))
                    or received.la_code || '|' || received.period in (select unnest(?))
                )
                and landed.file_path not in (select file_path from raw.la_return_files)
            """,
            [quarters, [f"{la}|{period}" for la, period in previous]],
        )
        after = con.sql("select count(*) from raw.la_return_files").fetchone()[0]
    finally:
        con.execute("detach published")
    return after - before


def check(files: list[Path], warehouse: Path | None) -> CheckResult:
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise CheckError(f"No such file: {', '.join(missing)}.")
    not_files = [str(path) for path in files if not path.is_file()]
    if not_files:
        raise CheckError(f"Not a file: {', '.join(not_files)} (give the return files themselves).")
    settings = config.settings()
    rules = intake.FolderRules.from_settings(settings)
    rules = intake.FolderRules("flat", 0, rules.max_bytes)
    dbt_vars = config.dbt_vars(settings) | {"build_date": settings.get("build_date") or date.today().isoformat()}
    with tempfile.TemporaryDirectory(prefix="riia-check-") as scratch:
        db_path = Path(scratch) / "check.duckdb"
        target = scratch_target(Path(scratch))
        shutil.copyfile(seeded_warehouse(dbt_vars, target), db_path)
        with duckdb.connect(str(db_path)) as con:
            names = land_files(con, files, rules)
            if warehouse is not None:
                add_context(con, warehouse, names)
        outcome = run_dbt(
            ["run", "--select", "+int_validation_findings", "--exclude", "resource_type:seed"],
            db_path,
            Path(scratch),
            dbt_vars,
            say=lambda _: None,
            target_path=target,
            validates=True,
        )
        if not outcome.success:
            raise CheckError("The check could not run: " + "; ".join(outcome.failures))
        keep_parse(target)
        with duckdb.connect(str(db_path), read_only=True) as con:
            rows = con.execute(
                """
                select findings.file_path, findings.line_number, findings.item_code, findings.value,
                    findings.rule_id, findings.severity, findings.message, rules.what_to_fix
                from intermediate.int_validation_findings as findings
                left join reference.ref_validation_rules as rules on findings.rule_id = rules.rule_id
                where findings.file_path in (select unnest(?))
                order by findings.file_path, findings.line_number nulls first, findings.rule_id, findings.item_code
                """,
                [names],
            ).fetchall()
    return CheckResult(names, [Finding(*row) for row in rows], warehouse is not None, warehouse)


def render_text(result: CheckResult) -> str:
    out = io.StringIO()
    for name in result.files:
        found = [f for f in result.findings if f.file == name]
        errors = sum(1 for f in found if f.severity == "error")
        verdict = "would be quarantined" if errors else "would be accepted" + (" with warnings" if found else "")
        out.write(f"{name}: {errors} error(s), {len(found) - errors} warning(s) - {verdict}\n")
        for f in found:
            where = f"line {f.line}" if f.line is not None else "file"
            item = f" {f.item}" if f.item else ""
            out.write(f"  {f.severity.upper():7} {f.rule} {where}{item}: {f.message}\n")
            if f.what_to_fix:
                out.write(f"          To fix: {f.what_to_fix}\n")
    if not result.plausibility_checked:
        out.write("Plausibility rules P01-P03 not checked: no warehouse (give --warehouse PATH after a build).\n")
    return out.getvalue()


def render_csv(result: CheckResult) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(FINDING_FIELDS), lineterminator="\n")
    writer.writeheader()
    from riia.safe_text import spreadsheet_safe

    for finding in result.findings:
        writer.writerow({k: spreadsheet_safe(v) for k, v in finding.as_dict().items()})
    return out.getvalue()


def render_json(result: CheckResult) -> str:
    return json.dumps(
        {
            "files": result.files,
            "errors": result.errors,
            "warnings": result.warnings,
            "plausibility_checked": result.plausibility_checked,
            "findings": [f.as_dict() for f in result.findings],
        },
        indent=2,
    )
