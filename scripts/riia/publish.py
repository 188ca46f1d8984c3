"""Each recipient's own folder: its data, manifest and delivery note (SHARING.md).

dbt `access:` is not a permission and DuckDB has no grants, so every recipient gets its
own physical files, written from its own rows of the public sharing models and nothing
else. The recipients, their folders, outputs and markings come from `sharing.shr_recipients`
(the audiences seed): a new audience needs seed rows, not code.

    exports/<folder>/              e.g. exports/dfe/, exports/regional/E12000008_south-east/
        riia_<recipient>_<table>_<periods>_<MARKING>.csv    one per table, spreadsheet-safe
        riia_<recipient>_<periods>_<MARKING>.duckdb         every table, plus `handling`,
                                                            `agreements_used` and `withheld`
        manifest.json       rows and checksums, as-of date, agreements and releases used,
                            what was withheld and why, agreements ending soon
        CHANGES.md          what differs from the previous delivery (riia.changes)

Every table is one of the recipient's sharing models filtered to its `recipient_id`.
The reports a recipient may read are rendered into its folder afterwards, from its own
DuckDB file only (riia.reports).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from riia import changes, reuse, safe_text, workers
from riia.reuse import PreviousOutputs

EXPORTS_MANIFEST = ".exports.json"  # the tables' hashes (riia.reuse)

EXPORT_README = (
    "Each folder holds one recipient's data and nothing else, as decided by the sharing\n"
    "agreements in force on the as-of date in its manifest.json. Files are marked with\n"
    "their handling in their names and metadata. Do not merge folders or forward a folder\n"
    "to anyone but its recipient.\n"
)


@dataclass(frozen=True)
class Recipient:
    recipient_id: str
    audience: str
    region_code: str | None
    audience_name: str
    organisation: str
    grain: str
    tables: tuple[tuple[str, str], ...]  # (table name in the folder, sharing model)
    handling_marking: str
    file_marking: str
    folder: str

    @property
    def label(self) -> str:
        return self.recipient_id.replace(":", "_").lower()


@dataclass(frozen=True)
class Delivery:
    """What publishing one recipient wrote: where, its DuckDB file and its manifest."""

    recipient: Recipient
    folder: Path
    database: Path
    manifest: dict[str, Any]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def table_name(model: str) -> str:
    """The table a sharing model becomes in a recipient's folder: `shr_regional__returns` -> `returns`."""
    return model.split("__")[-1] if "__" in model else model.removeprefix("shr_")


def recipients(con: duckdb.DuckDBPyConnection) -> list[Recipient]:
    """Every recipient of this build (sharing.shr_recipients), with the tables it receives."""
    rows = con.sql(
        """
        select recipient_id, audience, region_code, audience_name, organisation, grain, output_model,
            extra_outputs, handling_marking, file_marking, folder
        from sharing.shr_recipients
        order by recipient_id
        """
    ).fetchall()
    found = []
    for rid, audience, region, name, organisation, grain, output, extra, marking, file_marking, folder in rows:
        tables = [("indicators", output)] + [(table_name(model), model) for model in (extra or "").split()]
        found.append(
            Recipient(
                rid,
                audience,
                region,
                name,
                organisation,
                grain,
                tuple(tables),
                marking,
                file_marking,
                folder,
            )
        )
    return found


def recipient_columns(con: duckdb.DuckDBPyConnection, model: str) -> list[tuple[str, str]]:
    """(name, type) of the columns a recipient receives of a sharing model: all but recipient_id."""
    return [row[:2] for row in con.sql(f"describe sharing.{model}").fetchall() if row[0] != "recipient_id"]


def quoted_list(columns: list[tuple[str, str]]) -> str:
    return ", ".join(f'"{name}"' for name, _ in columns)


def recipient_rows(con: duckdb.DuckDBPyConnection, model: str, recipient: Recipient) -> str:
    """SQL selecting the recipient's rows of a sharing model."""
    quoted = recipient.recipient_id.replace("'", "''")
    return f"select {quoted_list(recipient_columns(con, model))} from sharing.{model} where recipient_id = '{quoted}'"


def period_range(con: duckdb.DuckDBPyConnection, query: str) -> str:
    columns = [row[0] for row in con.sql(f"describe ({query})").fetchall()]
    if "period" not in columns:
        return "all-quarters"
    first, last = con.sql(f"select min(period), max(period) from ({query})").fetchone()
    if first is None:
        return "no-quarters"
    return f"{first.replace(' ', '-')}_to_{last.replace(' ', '-')}"


def write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path, header: bool = True) -> int:
    """A table's rows as CSV, in the order it stores them, every text cell spreadsheet-safe
    (riia.safe_text). A recipient's tables are stored sorted (write_recipient), so the same
    rows always give the same file; the COPY keeps the scan's order (PRESERVE_ORDER: with
    more than one DuckDB thread, a table of more than one row group, 122,880 rows, was written
    out of order although preserve_insertion_order was on), where an ORDER BY would sort again."""
    described = con.sql(f"describe {table}").fetchall()
    expressions = ", ".join(
        f'{safe_text.sql_spreadsheet_safe(chr(34) + name + chr(34))} as "{name}"' if kind == "VARCHAR" else f'"{name}"'
        for name, kind, *_ in described
    )
    target = str(path).replace("'", "''")
    options = f"header {str(header).lower()}, delimiter ',', preserve_order true"
    con.execute(f"copy (select {expressions} from {table}) to '{target}' ({options})")
    return con.fetchone()[0]  # COPY returns the number of rows written


def manifest_tables(con: duckdb.DuckDBPyConnection, recipient: Recipient) -> dict[str, list[dict[str, Any]]]:
    """The agreements, releases and withholdings the manifest lists (from public models)."""
    quoted = recipient.recipient_id.replace("'", "''")

    def rows(sql: str) -> list[dict[str, Any]]:
        relation = con.sql(sql)
        return [
            {
                column: (str(value) if value is not None and not isinstance(value, int | float | bool) else value)
                for column, value in zip(relation.columns, row, strict=True)
            }
            for row in relation.fetchall()
        ]

    return {
        "agreements_used": rows(
            "select agreement_id, region_code, item_set, signed_on, in_force_from, in_force_to, clause, authorised_by, "
            f"authorised_on, days_to_end, is_ending_soon from sharing.shr_recipient_agreements where recipient_id = '{quoted}' "
            "order by agreement_id"
        ),
        "withheld": rows(
            "select scope, region_code, la_code, period, indicator_code, reason from sharing.shr_recipient_withheld "
            f"where recipient_id = '{quoted}' order by all"
        ),
    }


@cache
def code_version() -> str:
    """A hash of what shapes a recipient's files besides its rows: this module and the
    spreadsheet-safe rule (riia.safe_text), and DuckDB, which writes them."""
    here = Path(__file__).parent
    return reuse.code_version(here, [Path(__file__), Path(safe_text.__file__)], ("duckdb",))


Digests = tuple[str, dict[str, str]]  # a table's hash, and each quarter's (table_digests)
NO_ROWS = ""  # table_digests' entry for a recipient with no row in the model


def table_digests(con: duckdb.DuckDBPyConnection, model: str) -> dict[str, Digests]:
    """Hashes of every recipient's table from one sharing model, before it is written, in one
    scan of the model (not one per recipient: a region's cross-regional comparators are the
    same rows many times over): of the whole table, and of each quarter's rows where it has
    a `period` column (added_quarters). Each takes the columns and types, the rows (their
    number and DuckDB's row hashes summed, so the rows need no sorting) and the code that
    writes them (riia.reuse). Not the file's name, which names the quarters of the
    recipient's indicators: a table the new quarter leaves as it was (a region's
    cross-regional comparators, until the quarter is released) keeps its file under the new
    name. No quarter hashes for a table with rows of no quarter (a findings table's
    unreadable files), which could not be added after the others. {recipient id: digests},
    and under NO_ROWS those of a recipient with no row in the model."""
    columns = recipient_columns(con, model)  # what recipient_rows selects
    by_quarter = any(name == "period" for name, _ in columns)
    found = con.sql(
        f"select recipient_id, {'period' if by_quarter else 'null'}, count(*), "
        f"sum(hash(row({quoted_list(columns)}))::hugeint) from sharing.{model} group by all"
    ).fetchall()

    def digest(count: int, total: int | None) -> str:
        return hashlib.sha256(json.dumps([code_version(), columns, count, str(total)]).encode()).hexdigest()

    per_recipient: dict[str, list[tuple[str | None, int, int]]] = {}
    for recipient_id, period, count, total in found:
        per_recipient.setdefault(recipient_id, []).append((period, count, total))
    digests = {}
    for recipient_id, rows in per_recipient.items():
        totals = [total for _, _, total in rows]
        whole = digest(sum(count for _, count, _ in rows), sum(totals))
        quartered = by_quarter and all(period is not None for period, _, _ in rows)
        digests[recipient_id] = (
            whole,
            {period: digest(count, total)[:32] for period, count, total in rows} if quartered else {},
        )
    digests[NO_ROWS] = (digest(0, None), {})
    return digests


def changed_quarters(before: dict[str, Any] | None, now: dict[str, str]) -> list[str] | None:
    """The quarters whose rows differ between a table's last delivery (`before`, its entry in
    the last .exports.json) and now (`now`, its quarters' hashes, table_digests), quarters
    gained or no longer included among them; [] when none does. None when either has no
    quarter hashes: any quarter may differ."""
    had = (before or {}).get("quarters")
    if not had or not now:
        return None
    return sorted(period for period in had.keys() | now.keys() if had.get(period) != now.get(period))


def added_quarters(before: dict[str, Any] | None, now: dict[str, str]) -> list[str] | None:
    """The quarters a table gained since its last delivery (`before`), when that is all that
    changed: every quarter it had is the same, and each new one comes after them all. None
    otherwise."""
    changed = changed_quarters(before, now)
    if not changed or any(period in before["quarters"] for period in changed):
        return None
    return changed if changed[0] > max(before["quarters"]) else None


def sort_order(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """The order a recipient's table is stored and listed in: by quarter where it has one, then
    on every column, so the same rows always give the same file, and a new quarter's rows come
    after all the rows of the quarters before it."""
    columns = [f'"{row[0]}"' for row in con.sql(f"describe ({query})").fetchall()]
    return ", ".join((['"period"'] if '"period"' in columns else []) + columns)


def delivered_tables(previous: Path | None, con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the last delivery's DuckDB file, attached as `previous_delivery`
    (read-only); none without one."""
    if previous is None or not previous.is_file():
        return set()
    quoted = str(previous).replace("'", "''")
    con.execute(f"attach '{quoted}' as previous_delivery (read_only)")
    return {
        name
        for (name,) in con.sql(
            "select table_name from information_schema.tables where table_catalog = 'previous_delivery'"
        ).fetchall()
    }


def append_quarters(
    con: duckdb.DuckDBPyConnection, name: str, query: str, added: list[str], outputs: PreviousOutputs, path: Path
) -> int:
    """Add the quarters a table gained to the copy of the last delivery: their rows after the
    rows its DuckDB table holds, and the same lines after a copy of its last CSV; the number
    of rows it now has. The file is the one a fresh export writes (sort_order)."""
    listed = ", ".join("'" + period.replace("'", "''") + "'" for period in added)
    con.execute(
        f"insert into recipient_db.{name} select * from ({query}) where period in ({listed}) "
        f"order by {sort_order(con, query)}"
    )
    before = outputs.previous_entry(f"table/{name}")
    shutil.copyfile(outputs.previous / before["files"][0], path)
    lines = path.with_name(f".{path.name}.added")
    try:
        added_rows = write_csv(
            con, f"(select * from recipient_db.{name} where period in ({listed}))", lines, header=False
        )
        with path.open("ab") as out, lines.open("rb") as new:
            shutil.copyfileobj(new, out, 1 << 20)
    finally:
        lines.unlink(missing_ok=True)
    return before["rows"] + added_rows


# the storage format of a recipient's DuckDB file, pinned where the file is attached: one
# that DuckDB 0.10.2 and every later version opens, whichever version writes it (DuckDB 2.0
# writes a format of its own by default, which no DuckDB 1.x opens: README, DuckDB's version)
RECIPIENT_STORAGE_VERSION = "v0.10.2"
# the tables of a recipient's DuckDB file that describe the delivery, written at every build
DELIVERY_TABLES = ("agreements_used", "withheld", "handling")
# the sharing models whose tables hold no figure: a region's returns tracker (each return's
# state, deadline and days overdue, which grow with the build date). A copy of the last file
# may replace their tables (write_recipient): what lingers in its free space is the
# recipient's own last tracker, never a figure since revised or withdrawn.
FIGURE_FREE_MODELS = ("shr_regional__returns",)


def write_recipient(
    con: duckdb.DuckDBPyConnection,
    recipient: Recipient,
    folder: Path,
    context: dict[str, Any],
    previous: Path | None,
    model_digests: dict[str, dict[str, Digests]],
) -> Delivery:
    """Write one recipient's folder; return what was written. Each of its tables is selected
    once, sorted (sort_order), into its DuckDB file; the CSVs are written from there, in that
    order. A quarterly build writes again only what changed (riia.reuse): a table whose rows
    are the last delivery's (the same hash, table_digests) keeps its CSV, linked. When every
    table either is unchanged, only gained quarters after the last delivery's (a region's
    indicators at a new quarter) or holds no figure (FIGURE_FREE_MODELS: a region's returns
    tracker, whose days overdue change every day), the DuckDB file starts as a copy of the
    last delivery's (`previous`), the new quarters' rows are added to its tables and to
    copies of their CSVs, and only the delivery's own tables and the changed figure-free
    ones are replaced: no figure the recipient was sent before is dropped from the file, so
    none lingers in its free space. Otherwise the file is written afresh, the rows of a
    table unchanged or only added to copied from the last file as it stored them."""
    folder.mkdir(parents=True)
    queries = {name: recipient_rows(con, model, recipient) for name, model in recipient.tables}
    stem = f"riia_{recipient.label}" + ("_SAMPLE-DATA" if context["is_sample"] else "")
    building = folder / f".{stem}.duckdb.part"
    outputs = PreviousOutputs(folder, previous.parent if previous else None, EXPORTS_MANIFEST, "tables", code_version())
    periods = period_range(con, queries["indicators"])
    paths = {name: folder / f"{stem}_{name}_{periods}_{recipient.file_marking}.csv" for name in queries}
    digests, quarters = {}, {}
    for name, model in recipient.tables:
        hashed = model_digests[model]
        digests[name], quarters[name] = hashed.get(recipient.recipient_id, hashed[NO_ROWS])
    delivered = delivered_tables(previous, con)

    def since_last_delivery(name: str) -> list[str] | None:
        """[] if the table is unchanged, the quarters it gained if that is all, else None."""
        if name not in delivered:
            return None
        if outputs.unchanged(f"table/{name}", digests[name]):
            return []
        return added_quarters(outputs.previous_entry(f"table/{name}"), quarters[name])

    plan = {name: since_last_delivery(name) for name in queries}
    # the last file is copied only when no table of figures in it is replaced: a replaced
    # table's rows (figures since revised, or withdrawn) would linger in the new file's free space
    models = dict(recipient.tables)
    replaced = {name for name, added in plan.items() if added is None and models[name] in FIGURE_FREE_MODELS}
    kept = all(added is not None or name in replaced for name, added in plan.items())
    from_previous = kept and delivered <= {*queries, *DELIVERY_TABLES}
    if from_previous:
        shutil.copyfile(previous, building)
    con.execute(f"attach '{building}' as recipient_db (storage_version '{RECIPIENT_STORAGE_VERSION}')")
    files = []
    try:
        for name in (*DELIVERY_TABLES, *replaced) if from_previous else ():
            con.execute(f"drop table if exists recipient_db.{name}")
        for name, query in queries.items():
            key, path, added = f"table/{name}", paths[name], plan[name]
            # each table of a file written afresh, and a replaced one: made here (a table
            # unchanged or only added to as the last file stored it)
            if not from_previous or name in replaced:
                rows_from = (
                    f"select * from previous_delivery.{name}"
                    if added is not None
                    else f"{query} order by {sort_order(con, query)}"
                )
                con.execute(f"create table recipient_db.{name} as {rows_from}")
            # a table that is the last delivery's keeps its CSV, linked
            if added != [] or outputs.reuse(key, digests[name], [path.name]) is None:
                if added:
                    rows = append_quarters(con, name, query, added, outputs, path)
                else:
                    rows = write_csv(con, f"recipient_db.{name}", path)
                outputs.record(key, digests[name], [path], rows=rows, sha256=sha256(path), quarters=quarters[name])
            details = outputs.details(key)  # the quarters' hashes are for the next build only
            files.append({"name": path.name, "format": "csv", "table": name, "rows": details["rows"],
                          "sha256": details["sha256"]})  # fmt: skip
        quoted = recipient.recipient_id.replace("'", "''")
        con.execute(
            "create table recipient_db.agreements_used as select * exclude (recipient_id) "
            f"from sharing.shr_recipient_agreements where recipient_id = '{quoted}' order by agreement_id"
        )
        con.execute(
            "create table recipient_db.withheld as select * exclude (recipient_id) "
            f"from sharing.shr_recipient_withheld where recipient_id = '{quoted}' order by all"
        )
        con.execute(
            "create table recipient_db.handling as select ? as recipient_id, ? as audience, ? as region_code, "
            "? as handling_marking, cast(? as date) as as_of_date, ? as is_sample_data, ? as build_id",
            [
                recipient.recipient_id,
                recipient.audience,
                recipient.region_code,
                recipient.handling_marking,
                context["as_of_date"],
                context["is_sample"],
                context["build_id"],
            ],
        )
        listed = manifest_tables(con, recipient)
        used = releases_used(con, "select * from recipient_db.indicators")
    finally:
        con.execute("detach recipient_db")
        con.execute("detach database if exists previous_delivery")
    outputs.save()
    database = folder / f"{stem}_{periods}_{recipient.file_marking}.duckdb"
    building.rename(database)
    files.append(
        {
            "name": database.name,
            "format": "duckdb",
            "tables": [*queries, "agreements_used", "withheld", "handling"],
            # DuckDB files differ byte for byte between identical writes: the CSVs, which
            # hold the same rows, carry the content checksums.
            "content_sha256": {f["table"]: f["sha256"] for f in files},
        }
    )
    manifest = {
        "recipient_id": recipient.recipient_id,
        "audience": recipient.audience,
        "audience_name": recipient.audience_name,
        "organisation": recipient.organisation,
        "region_code": recipient.region_code,
        "handling_marking": recipient.handling_marking,
        "sample_data": context["is_sample"],
        "as_of_date": context["as_of_date"],
        "build_id": context["build_id"],
        "periods": periods.replace("_to_", " to ").replace("-Q", " Q"),
        "files": files,
        **listed,
        "agreements_ending_soon": [a["agreement_id"] for a in listed["agreements_used"] if a["is_ending_soon"]],
        "releases_used": used,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    # only the quarters whose indicators differ from the last delivery's are compared (none
    # when the table was carried)
    compared = changed_quarters(outputs.previous_entry("table/indicators"), quarters["indicators"])
    note = changes.delivery_note(database, previous, manifest, compared)
    (folder / "CHANGES.md").write_text(note)
    return Delivery(recipient, folder, database, manifest)


def releases_used(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, Any]]:
    columns = [row[0] for row in con.sql(f"describe ({query})").fetchall()]
    if "release_id" not in columns:
        return []
    return [
        {"region_code": region, "period": period, "release_id": release, "released_on": str(released_on)}
        for region, period, release, released_on in con.sql(
            f"select distinct region_code, period, release_id, released_on from ({query}) "
            "where release_id is not null order by all"
        ).fetchall()
    ]


def previous_database(previous_exports: Path | None, recipient: Recipient) -> Path | None:
    if previous_exports is None:
        return None
    found = sorted((previous_exports / recipient.folder).glob("*.duckdb"))
    return found[0] if found else None


def _warehouse(db_path: Path, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A connection with the warehouse attached read-only and in use; scans keep the order
    a table was written in (the CSVs rely on it, write_csv). `threads`: DuckDB's, a worker's
    share of the cores (riia.workers.duckdb_threads) unless given."""
    threads = threads if threads is not None else workers.duckdb_threads()
    con = duckdb.connect(config={"threads": threads, "preserve_insertion_order": True})
    quoted = str(db_path).replace("'", "''")
    con.execute(f"attach '{quoted}' as warehouse (read_only)")
    con.execute("use warehouse")
    return con


def _write_one(
    job: tuple[Path, Recipient, Path, dict[str, Any], Path | None, dict[str, dict[str, Digests]]],
) -> Delivery:
    """One recipient's folder, on a connection of its own (a worker's job)."""
    db_path, recipient, folder, context, previous, model_digests = job
    with _warehouse(db_path) as con:
        return write_recipient(con, recipient, folder, context, previous, model_digests)


def write_exports(
    db_path: Path, out: Path, context: dict[str, Any], previous_exports: Path | None = None
) -> list[Delivery]:
    """Write every recipient's folder under `out` (an empty folder), each in a worker
    process (riia.workers) with its own read-only connection; the hashes of every
    recipient's tables first, here (table_digests), one scan of each sharing model, on every
    core: the workers wait meanwhile (at 48 quarters of history, 0.33 s instead of 0.55 s)."""
    out.mkdir(parents=True, exist_ok=True)
    with _warehouse(db_path, threads=workers.cores_each(1)) as con:
        found = recipients(con)
        digests = {model: table_digests(con, model) for model in sorted({m for r in found for _, m in r.tables})}
    # closed before the workers fork: a process with an open DuckDB must not fork
    jobs = [
        (
            db_path,
            recipient,
            out / recipient.folder,
            context,
            previous_database(previous_exports, recipient),
            {  # its own tables' hashes only
                model: {key: hashed[key] for key in (recipient.recipient_id, NO_ROWS) if key in hashed}
                for model, hashed in digests.items()
                if model in dict(recipient.tables).values()
            },
        )
        for recipient in found
    ]
    deliveries = workers.run_each(_write_one, jobs)
    (out / "README.txt").write_text(EXPORT_README)
    return deliveries
