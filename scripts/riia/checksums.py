"""Checksums of a build's contents, to prove that a change of code changed no figure.

`riia checksums DB [--exports DIR] [--out FILE] [--compare FILE]` prints, writes or compares
with one SHA-256 per table of the warehouse's `marts` and `sharing` schemas - over its
rows in a fixed order, so that the same contents give the same checksum whatever the
physical layout - and one per exported CSV, JSON and text file. A refactoring that moves
code without changing behaviour must leave every checksum as it was; `--compare` names
every table or file that differs and exits 1 if any does.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import duckdb

SCHEMAS = ("marts", "sharing")
EXPORTED_SUFFIXES = (".csv", ".json", ".txt")


def warehouse_checksums(db_path: Path, schemas: tuple[str, ...] = SCHEMAS) -> dict[str, dict[str, Any]]:
    """Per table: row count, column names and the SHA-256 of its rows sorted."""
    found: dict[str, dict[str, Any]] = {}
    with duckdb.connect(str(db_path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in (select unnest(?)) order by all",
            [list(schemas)],
        ).fetchall()
        for schema, table in tables:
            columns = [row[0] for row in con.sql(f'describe "{schema}"."{table}"').fetchall()]
            rows = con.sql(f'select * from "{schema}"."{table}" order by all').fetchall()
            found[f"{schema}.{table}"] = {
                "rows": len(rows),
                "columns": columns,
                "sha256": hashlib.sha256(repr(rows).encode()).hexdigest(),
            }
    return found


def file_checksums(folder: Path, prefix: str = "exports/") -> dict[str, str]:
    """Per exported text file (CSV, manifest, notes): the SHA-256 of its bytes. Hidden files
    are left out: they are the build's bookkeeping (riia.reuse), holding the version of the
    code that wrote each file, which a refactoring changes by design."""
    return {
        prefix + path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.suffix in EXPORTED_SUFFIXES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    }


def checksums(db_path: Path, exports: Path | None = None) -> dict[str, Any]:
    result: dict[str, Any] = dict(warehouse_checksums(db_path))
    if exports is not None:
        result.update(file_checksums(exports))
    return result


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """One sentence per table or file that is not the same in both."""
    found = []
    for key in sorted(set(before) | set(after)):
        if key not in after:
            found.append(f"{key}: missing after")
        elif key not in before:
            found.append(f"{key}: new")
        elif before[key] != after[key]:
            found.append(f"{key}: contents differ")
    return found


def as_json(values: dict[str, Any]) -> str:
    return json.dumps(values, indent=1, sort_keys=True) + "\n"


def write(path: Path, values: dict[str, Any]) -> None:
    path.write_text(as_json(values))


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())
