"""Publish each audience its own physical files under exports/ (SHARING.md).

dbt `access:` is not a permission and DuckDB has no grants, so every audience gets
its own folder holding its own DuckDB file and CSV file, written from its sharing
model only, plus a manifest:

    exports/regional/<region_code>_<region>/   one folder per region (its rows only)
    exports/dfe/  exports/d2i/  exports/adcs/

File names carry the audience, scope, period range and handling marking, e.g.
`riia_dfe_2022-23-Q1_to_2024-25-Q4_OFFICIAL-SENSITIVE_DFE.csv`. The manifest lists
row counts, SHA-256 checksums, the as-of date and the agreements used. The whole
exports tree is written beside the old one and swapped in only when complete.

Run by `make build` after the dbt build; reads the published database read-only.
Usage: publish_exports.py [--db build/riia.duckdb] [--out exports]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import duckdb

from riia.paths import PROJECT_ROOT
T = TypeVar("T")


def project_path(path: Path) -> Path:
    """A path as given, or relative to the project root."""
    return path if path.is_absolute() else PROJECT_ROOT / path


def publish_tree(out: Path, write: Callable[[Path], T]) -> T:
    """Run `write(folder)` on a fresh folder beside `out`, then swap it in for `out` whole:
    a reader sees the old tree or the new one, never half of each, and a run that fails or
    is killed leaves the old tree in place (its leftovers are cleared by the next run)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for leftover in out.parent.glob(f".{out.name}.writing-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.writing-", dir=out.parent))
    old = out.with_name(f".{out.name}.previous")
    try:
        result = write(staging)
        shutil.rmtree(old, ignore_errors=True)
        if out.exists():
            os.replace(out, old)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)
    return result


@dataclass(frozen=True)
class Output:
    """One audience output: which model, which rows, where it goes."""

    audience: str
    model: str
    folder: Path
    scope: str  # 'england' or the region code
    region_code: str | None = None

    @property
    def where(self) -> str:
        return f"where region_code = '{self.region_code}'" if self.region_code else ""


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def plan_outputs(con: duckdb.DuckDBPyConnection, out: Path) -> list[Output]:
    """Every folder to write: one per LA-level or national audience, one per region."""
    outputs = [
        Output("dfe", "shr_dfe__riia_core", out / "dfe", "england"),
        Output("d2i", "shr_d2i__riia_core", out / "d2i", "england"),
        Output("adcs", "shr_adcs__national", out / "adcs", "england"),
    ]
    regions = con.sql(
        """
        select distinct r.region_code, r.region_short_name, r.region_name
        from sharing.shr_regional__indicators as s
        inner join reference.ref_regions as r on s.region_code = r.region_code
        order by r.region_code
        """
    ).fetchall()
    for code, short, name in regions:
        outputs.append(
            Output("regional", "shr_regional__indicators", out / "regional" / f"{code}_{slug(name)}", short, code)
        )
    return outputs


def period_range(con: duckdb.DuckDBPyConnection, output: Output) -> str:
    first, last = con.sql(
        f"""
        select min(p.period), max(p.period) from (
            select distinct s.period from sharing.{output.model} as s {output.where}
        ) as q
        inner join marts.dim_period as p on q.period = p.period
        """
    ).fetchone()
    if first is None:
        return "no-quarters"
    return f"{first.replace(' ', '-')}_to_{last.replace(' ', '-')}"


def write_output(con: duckdb.DuckDBPyConnection, output: Output, as_of_date: str) -> dict:
    """Write one audience folder; return its manifest."""
    marking, file_marking = con.sql(
        "select handling_marking, file_marking from reference.sharing_audiences where audience = ?",
        params=[output.audience],
    ).fetchone()
    output.folder.mkdir(parents=True)
    scope = "" if output.scope == "england" else f"_{output.scope.lower()}"
    stem = f"riia_{output.audience}{scope}_{period_range(con, output)}_{file_marking}"
    columns = [row[0] for row in con.sql(f"describe sharing.{output.model}").fetchall()]
    key_order = ", ".join(columns)
    select = f"select * from sharing.{output.model} {output.where} order by {key_order}"

    csv_path = output.folder / f"{stem}.csv"
    con.execute(f"copy ({select}) to '{csv_path}' (header, delimiter ',')")
    rows = con.sql(f"select count(*) from ({select})").fetchone()[0]

    agreements_sql = f"""
        select agreement_id, region_code, audience, item_set, signed_on, in_force_from, in_force_to, clause
        from intermediate.int_sharing_agreements_in_force
        where audience = '{output.audience}' {f"and region_code = '{output.region_code}'" if output.region_code else ""}
        order by agreement_id
    """
    agreements = [
        dict(zip(("agreement_id", "region_code", "audience", "item_set", "signed_on", "in_force_from", "in_force_to", "clause"), row))
        for row in con.sql(agreements_sql).fetchall()
    ]

    db_path = output.folder / f"{stem}.duckdb"
    con.execute(f"attach '{db_path}' as audience_db")
    try:
        con.execute(f"create table audience_db.indicators as {select}")
        con.execute(f"create table audience_db.sharing_agreements_used as {agreements_sql}")
        con.execute(
            "create table audience_db.handling as "
            "select ? as audience, ? as scope, ? as handling_marking, cast(? as date) as as_of_date",
            [output.audience, output.scope, marking, as_of_date],
        )
        db_rows = con.sql("select count(*) from audience_db.indicators").fetchone()[0]
    finally:
        con.execute("detach audience_db")
    if db_rows != rows:
        raise RuntimeError(f"{db_path}: {db_rows} rows written, {rows} expected")

    manifest = {
        "audience": output.audience,
        "scope": output.scope,
        "region_code": output.region_code,
        "handling_marking": marking,
        "as_of_date": as_of_date,
        "source_model": output.model,
        "periods": period_range(con, output).replace("_to_", " to ").replace("-Q", " Q"),
        "agreements_used": [{k: (str(v) if v is not None else None) for k, v in a.items()} for a in agreements],
        "files": [
            {"name": csv_path.name, "format": "csv", "rows": rows, "sha256": sha256(csv_path)},
            {
                "name": db_path.name,
                "format": "duckdb",
                "table": "indicators",
                "rows": db_rows,
                # DuckDB files differ byte for byte between identical writes, so the
                # checksum that proves the content is the CSV's, which the table mirrors.
                "content_sha256": sha256(csv_path),
            },
        ],
    }
    (output.folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest


def write_exports(db_path: Path, folder: Path) -> list[dict]:
    """Write every audience's folder into `folder`; return the manifests."""
    with duckdb.connect() as con:
        # the warehouse is attached read-only; each audience file is attached in turn
        con.execute(f"attach '{db_path}' as warehouse (read_only)")
        con.execute("use warehouse")
        as_of_date = str(con.sql("select max(as_of_date) from intermediate.int_sharing_agreements_in_force").fetchone()[0])
        manifests = [write_output(con, output, as_of_date) for output in plan_outputs(con, folder)]
    (folder / "README.txt").write_text(
        "Each folder holds one audience's data and nothing else, as decided by the sharing\n"
        "agreements in force on the as-of date in its manifest.json. Files are marked with\n"
        "their handling in their names. Do not merge folders or forward a folder to anyone\n"
        "but its audience.\n"
    )
    return manifests


def publish(db_path: Path, out: Path) -> list[dict]:
    """Write every audience's folder into a fresh tree, then swap it in for `out`."""
    return publish_tree(out, lambda folder: write_exports(db_path, folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("RIIA_DUCKDB_PATH", "build/riia.duckdb")))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("RIIA_EXPORTS_DIR", "exports")))
    args = parser.parse_args(argv)
    out = project_path(args.out)
    manifests = publish(project_path(args.db), out)
    print(f"Exports written to {out}:")
    for manifest in manifests:
        scope = manifest["region_code"] or "England"
        print(f"  {manifest['audience']:<9} {scope:<10} {manifest['files'][0]['rows']:>8} rows  {manifest['handling_marking']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
