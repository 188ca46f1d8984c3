"""What a warehouse was last built with, and so what the next build must redo.

The warehouse a build carries on from (the published one) keeps its period-incremental
models: the models recompute only the quarters whose inputs changed (int_build_scope).
What the models cannot see themselves is decided here, from checksums of the project's
files recorded in the warehouse (`raw.build_state`) by the last successful build:

* the code (models, macros, tests, snapshots, the suites, the Python the models run, the
  project files) or the installed dbt and DuckDB changed: a full refresh, every model
  rebuilt whole;
* a seed file changed: the seeds are loaded again (and the quarters their rows touch are
  recomputed, since int_period_inputs fingerprints the reference data), each with its own
  data tests; when every changed file is a sharing seed (seeds/sharing: a release, an
  agreement, an exception, which the data team change every quarter), those seeds alone,
  with the tests that read one of them (a release naming a region, say) - some 50 of the
  seeds' 170 tests, where the reference seeds' 120 would only give the same answer again;
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
SHARING_SEEDS = "seeds/sharing"
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


def files_checksum(paths: tuple[str, ...], root: Path = PROJECT_ROOT, extra: str = "", but: str | None = None) -> str:
    """SHA-256 over every file under `paths` (relative name and bytes, in name order), but
    those under the folder `but`."""
    digest = hashlib.sha256(extra.encode())
    for name in paths:
        top = root / name
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if is_code(p, root))
        for path in files:
            if but is not None and path.is_relative_to(root / but):
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def tool_versions() -> str:
    return ",".join(f"{name}={metadata.version(name)}" for name in ("dbt-core", "dbt-duckdb", "duckdb"))


@dataclass(frozen=True)
class Fingerprints:
    """Checksums of the code, of the sharing seeds and of every other seed; None where the
    warehouse has no record of one (built by an earlier version: as if it changed)."""

    code: str | None
    sharing_seeds: str | None
    other_seeds: str | None

    @classmethod
    def of_project(cls, root: Path = PROJECT_ROOT) -> Fingerprints:
        return cls(
            code=files_checksum(CODE_PATHS, root, tool_versions()),
            sharing_seeds=files_checksum((SHARING_SEEDS,), root),
            other_seeds=files_checksum(SEED_PATHS, root, but=SHARING_SEEDS),
        )


# the selectors of selectors.yml a build runs, by the seeds it loads
SELECTORS = {
    "none": "quarterly_build",
    "sharing": "quarterly_build_with_sharing_seeds",
    "all": "quarterly_build_with_seeds",
}


@dataclass(frozen=True)
class Plan:
    full_refresh: bool
    seeds: str  # which seeds are loaded again (SELECTORS): "all", "sharing" or "none"
    reason: str

    def dbt_args(self) -> list[str]:
        return ["build", "--selector", SELECTORS[self.seeds], *(["--full-refresh"] if self.full_refresh else [])]


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
    """The fingerprints the warehouse was last built with (None: never built by this
    version; a fingerprint it did not record, None)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        found = con.sql(
            "select count(*) from duckdb_tables() where schema_name = 'raw' and table_name = 'build_state'"
        ).fetchone()[0]
        if not found:
            return None
        table = con.sql(f"select * from {STATE_TABLE}")
        row = table.fetchone()
        if row is None:
            return None
        values = dict(zip(table.columns, row, strict=True))
    return Fingerprints(
        **{name: values.get(f"{name}_fingerprint") for name in ("code", "sharing_seeds", "other_seeds")}
    )


SEEDS_CHANGED = "a seed changed: seeds reloaded, the quarters they touch recomputed"
SHARING_SEEDS_CHANGED = "a sharing seed changed: the sharing seeds reloaded, the quarters they touch recomputed"
RETURNS_CHANGED = "only the quarters whose returns changed are recomputed"


def plan(db_path: Path, now: Fingerprints, asked: bool = False) -> Plan:
    """What this build must redo, given the warehouse it starts from (`asked`: the person
    running the build asked for everything to be rebuilt, `riia build --full-refresh`)."""
    if not db_path.exists():
        return Plan(full_refresh=False, seeds="all", reason="a new warehouse: everything is built")
    if asked:
        return Plan(full_refresh=True, seeds="all", reason="--full-refresh: rebuilt whole, as asked")
    before = recorded(db_path)
    if before is None:
        return Plan(full_refresh=True, seeds="all", reason="no record of how the warehouse was built: rebuilt whole")
    if before.code != now.code:
        return Plan(full_refresh=True, seeds="all", reason="the project's code changed: rebuilt whole")
    if before.other_seeds != now.other_seeds:
        return Plan(full_refresh=False, seeds="all", reason=SEEDS_CHANGED)
    if before.sharing_seeds != now.sharing_seeds:
        return Plan(full_refresh=False, seeds="sharing", reason=SHARING_SEEDS_CHANGED)
    return Plan(full_refresh=False, seeds="none", reason=RETURNS_CHANGED)


def record(db_path: Path, now: Fingerprints) -> None:
    """After a successful dbt build: what the warehouse is now built with."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists raw")
        con.execute(
            f"create or replace table {STATE_TABLE} as select ? as code_fingerprint, "
            "? as sharing_seeds_fingerprint, ? as other_seeds_fingerprint, current_timestamp as recorded_at",
            [now.code, now.sharing_seeds, now.other_seeds],
        )
