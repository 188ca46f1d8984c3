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


def recipient_rows(con: duckdb.DuckDBPyConnection, model: str, recipient: Recipient) -> str:
    """SQL selecting the recipient's rows of a sharing model."""
    columns = [row[0] for row in con.sql(f"describe sharing.{model}").fetchall() if row[0] != "recipient_id"]
    listed = ", ".join(f'"{c}"' for c in columns)
    quoted = recipient.recipient_id.replace("'", "''")
    return f"select {listed} from sharing.{model} where recipient_id = '{quoted}'"


def period_range(con: duckdb.DuckDBPyConnection, query: str) -> str:
    columns = [row[0] for row in con.sql(f"describe ({query})").fetchall()]
    if "period" not in columns:
        return "all-quarters"
    first, last = con.sql(f"select min(period), max(period) from ({query})").fetchone()
    if first is None:
        return "no-quarters"
    return f"{first.replace(' ', '-')}_to_{last.replace(' ', '-')}"


def write_csv(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> int:
    """A table's rows as CSV, in the order it stores them, every text cell spreadsheet-safe
    (riia.safe_text). A recipient's tables are stored sorted (write_recipient), so the same
    rows always give the same file; the table scan keeps its order in the COPY (DuckDB's
    preserve_insertion_order, set on by _warehouse), where an ORDER BY here would sort again."""
    described = con.sql(f"describe {table}").fetchall()
    expressions = ", ".join(
        f'{safe_text.sql_spreadsheet_safe(chr(34) + name + chr(34))} as "{name}"' if kind == "VARCHAR" else f'"{name}"'
        for name, kind, *_ in described
    )
    target = str(path).replace("'", "''")
    con.execute(f"copy (select {expressions} from {table}) to '{target}' (header, delimiter ',')")
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


def table_digest(con: duckdb.DuckDBPyConnection, query: str) -> str:
    """A hash of one of a recipient's tables before it is written: its columns and types and
    its rows (their number and DuckDB's row hashes summed, so the rows need no sorting), with
    the code that writes it (riia.reuse). Not its file's name, which names the quarters of the
    recipient's indicators: a table the new quarter leaves as it was (a region's
    cross-regional comparators, until the quarter is released) keeps its file under the new name."""
    columns = con.sql(f"describe ({query})").fetchall()
    count, total = con.sql(f"select count(*), sum(hash(q)::hugeint) from ({query}) as q").fetchone()
    text = json.dumps([code_version(), [c[:2] for c in columns], count, str(total)])
    return hashlib.sha256(text.encode()).hexdigest()


def tables_of(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    return {
        name
        for (name,) in con.sql(
            f"select table_name from information_schema.tables where table_catalog = '{catalog}'"
        ).fetchall()
    }


def write_recipient(
    con: duckdb.DuckDBPyConnection, recipient: Recipient, folder: Path, context: dict[str, Any], previous: Path | None
) -> Delivery:
    """Write one recipient's folder; return what was written. Each of its tables is selected
    once, sorted on every column, into its DuckDB file; the CSVs are written from there, in
    that order. A table whose rows are the previous delivery's (the same hash, table_digest)
    is not written again (riia.reuse): its CSV is linked, and the DuckDB file starts as a
    copy of the previous delivery's (`previous`), in which only the tables that changed are
    replaced. A quarterly build writes again only what changed."""
    folder.mkdir(parents=True)
    queries = {name: recipient_rows(con, model, recipient) for name, model in recipient.tables}
    stem = f"riia_{recipient.label}" + ("_SAMPLE-DATA" if context["is_sample"] else "")
    building = folder / f".{stem}.duckdb.part"
    outputs = PreviousOutputs(folder, previous.parent if previous else None, EXPORTS_MANIFEST, "tables", code_version())
    periods = period_range(con, queries["indicators"])
    paths = {name: folder / f"{stem}_{name}_{periods}_{recipient.file_marking}.csv" for name in queries}
    digests = {name: table_digest(con, query) for name, query in queries.items()}
    if (
        previous is not None
        and previous.is_file()
        and any(outputs.unchanged(f"table/{n}", d) for n, d in digests.items())
    ):
        shutil.copyfile(previous, building)  # the same code wrote it (the hashes include its version)
    con.execute(f"attach '{building}' as recipient_db")
    files, carried = [], set()
    try:
        held = tables_of(con, "recipient_db")
        carried = {
            name
            for name in queries
            if name in held and outputs.reuse(f"table/{name}", digests[name], [paths[name].name]) is not None
        }
        for name in sorted(held - carried):
            con.execute(f"drop table recipient_db.{name}")
        if held - carried:
            con.execute("checkpoint recipient_db")  # the dropped tables' blocks are reused below
        for name, query in queries.items():
            key, path = f"table/{name}", paths[name]
            if name not in carried:
                con.execute(f"create table recipient_db.{name} as {query} order by all")
                rows = write_csv(con, f"recipient_db.{name}", path)
                outputs.record(key, digests[name], [path], rows=rows, sha256=sha256(path))
            files.append({"name": path.name, "format": "csv", "table": name, **outputs.details(key)})
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
    note = changes.delivery_note(database, previous, manifest, unchanged="indicators" in carried)
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


def _warehouse(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A connection with the warehouse attached read-only and in use; scans keep the order
    a table was written in (the CSVs rely on it, write_csv)."""
    con = duckdb.connect(config={"threads": workers.duckdb_threads(), "preserve_insertion_order": True})
    quoted = str(db_path).replace("'", "''")
    con.execute(f"attach '{quoted}' as warehouse (read_only)")
    con.execute("use warehouse")
    return con


def _write_one(job: tuple[Path, Recipient, Path, dict[str, Any], Path | None]) -> Delivery:
    """One recipient's folder, on a connection of its own (a worker's job)."""
    db_path, recipient, folder, context, previous = job
    with _warehouse(db_path) as con:
        return write_recipient(con, recipient, folder, context, previous)


def write_exports(
    db_path: Path, out: Path, context: dict[str, Any], previous_exports: Path | None = None
) -> list[Delivery]:
    """Write every recipient's folder under `out` (an empty folder), each in a worker
    process (riia.workers) with its own read-only connection."""
    out.mkdir(parents=True, exist_ok=True)
    with _warehouse(db_path) as con:
        found = recipients(con)
    # closed before the workers fork: a process with an open DuckDB must not fork
    jobs = [
        (db_path, recipient, out / recipient.folder, context, previous_database(previous_exports, recipient))
        for recipient in found
    ]
    deliveries = workers.run_each(_write_one, jobs)
    (out / "README.txt").write_text(EXPORT_README)
    return deliveries
