"""What a warehouse was last built with, and so what the next build must redo.

The warehouse a build carries on from (the published one) keeps its period-incremental
models: the models recompute only the quarters whose inputs changed (int_build_scope).
What the models cannot see themselves is decided here, from checksums of the project's
files recorded in the warehouse (`raw.build_state`) by the last successful build:

* the code (models, macros, tests, snapshots, the suites, the Python the models run, the
  project files) or the installed dbt and DuckDB changed: a full refresh, every model
  rebuilt whole;
* a seed file changed: the seeds are loaded again (and the quarters their rows touch are
  recomputed, since int_period_inputs fingerprints the reference data);
* neither: the seeds are left as loaded, and only the changed quarters are recomputed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from riia import config
from riia.paths import PROJECT_ROOT

CODE_PATHS = (
    "models",
    "macros",
    "tests",
    "snapshots",
    "gx/expectations",
    # the Python the models run: the line parser (staging) and the suites' runner and
    # messages (validation), with the period grammar both use
    "scripts/riia/parsing.py",
    "scripts/riia/periods.py",
    "scripts/riia/validation",
    "dbt_project.yml",
    "selectors.yml",
    "profiles.yml",
)
SEED_PATHS = ("seeds",)
STATE_TABLE = "raw.build_state"


def is_code(path: Path, root: Path) -> bool:
    """A file dbt reads: not a cache, not a hidden file (Great Expectations writes
    gx/expectations/.ge_store_backend_id on its first run: counting it made the build after
    a fresh checkout a full refresh), and under tests/ only the data tests (not pytest's files)."""
    if not path.is_file() or "__pycache__" in path.parts:
        return False
    parts = path.relative_to(root).parts
    if any(part.startswith(".") for part in parts):
        return False
    return parts[0] != "tests" or path.suffix in (".sql", ".yml")


def files_checksum(paths: tuple[str, ...], root: Path = PROJECT_ROOT, extra: str = "") -> str:
    """SHA-256 over every file under `paths` (relative name and bytes, in name order)."""
    digest = hashlib.sha256(extra.encode())
    for name in paths:
        top = root / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if is_code(p, root))
        for path in files:
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def tool_versions() -> str:
    return ",".join(f"{name}={metadata.version(name)}" for name in ("dbt-core", "dbt-duckdb", "duckdb"))


@dataclass(frozen=True)
class Fingerprints:
    code: str
    seeds: str

    @classmethod
    def of_project(cls, root: Path = PROJECT_ROOT) -> Fingerprints:
        return cls(code=files_checksum(CODE_PATHS, root, tool_versions()), seeds=files_checksum(SEED_PATHS, root))


@dataclass(frozen=True)
class Plan:
    full_refresh: bool
    load_seeds: bool
    reason: str

    def dbt_args(self) -> list[str]:
        selector = "quarterly_build_with_seeds" if self.load_seeds else "quarterly_build"
        return ["build", "--selector", selector, *(["--full-refresh"] if self.full_refresh else [])]


def rebuilt_schemas() -> list[str]:
    """The schemas of what a full refresh rebuilds whole, the models and the seeds: every
    `+schema` under dbt_project.yml's `models:` and `seeds:` (not the snapshot's, whose
    history is kept, nor the loader's `raw`)."""
    found: list[str] = []

    def walk(block: dict) -> None:
        for key, value in block.items():
            if key == "+schema" and value not in found:
                found.append(value)
            elif isinstance(value, dict):
                walk(value)

    project = config.dbt_project()
    walk({"models": project["models"], "seeds": project["seeds"]})
    return found


def clear_rebuilt(db_path: Path) -> None:
    """Before a full refresh, which rebuilds every model and seed whole: drop their schemas
    from this build's copy of the warehouse and checkpoint, so that the rebuild writes into the
    space they held. DuckDB does not give a file's space back: rebuilt beside the old tables,
    the bench's 48-quarter warehouse went from 1.19 to 1.67 GB (2,193 of its 6,352 blocks
    free), and every later build copies the whole file (riia.build.carry_forward). The
    loader's tables and this record (`raw`) and the snapshot's history are kept;
    the published warehouse is not touched (a failed build leaves its copy behind)."""
    with duckdb.connect(str(db_path)) as con:
        for schema in rebuilt_schemas():
            con.execute(f'drop schema if exists "{schema}" cascade')
        con.execute("checkpoint")


def recorded(db_path: Path) -> Fingerprints | None:
    """The fingerprints the warehouse was last built with (None: never built by this version)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.sql(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'build_state'"
        ).fetchone()[0]
        if not found:
            return None
        row = con.sql(f"select code_fingerprint, seeds_fingerprint from {STATE_TABLE}").fetchone()
    return Fingerprints(code=row[0], seeds=row[1]) if row else None


SEEDS_CHANGED = "a seed changed: seeds reloaded, the quarters they touch recomputed"
RETURNS_CHANGED = "only the quarters whose returns changed are recomputed"


def plan(db_path: Path, now: Fingerprints, asked: bool = False) -> Plan:
    """What this build must redo, given the warehouse it starts from (`asked`: the person
    running the build asked for everything to be rebuilt, `riia build --full-refresh`)."""
    if not db_path.exists():
        return Plan(full_refresh=False, load_seeds=True, reason="a new warehouse: everything is built")
    if asked:
        return Plan(full_refresh=True, load_seeds=True, reason="--full-refresh: rebuilt whole, as asked")
    before = recorded(db_path)
    if before is None:
        return Plan(
            full_refresh=True, load_seeds=True, reason="no record of how the warehouse was built: rebuilt whole"
        )
    if before.code != now.code:
        return Plan(full_refresh=True, load_seeds=True, reason="the project's code changed: rebuilt whole")
    if before.seeds != now.seeds:
        return Plan(full_refresh=False, load_seeds=True, reason=SEEDS_CHANGED)
    return Plan(full_refresh=False, load_seeds=False, reason=RETURNS_CHANGED)


def record(db_path: Path, now: Fingerprints) -> None:
    """After a successful dbt build: what the warehouse is now built with."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists raw")
        con.execute(
            f"create or replace table {STATE_TABLE} as select ? as code_fingerprint, ? as seeds_fingerprint, "
            "current_timestamp as recorded_at",
            [now.code, now.seeds],
        )
