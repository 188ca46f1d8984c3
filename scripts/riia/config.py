"""The pipeline's settings: the `vars:` of dbt_project.yml, overridable per run.

One place for every setting the SQL models and the Python steps share (the as-of date,
the returns folder's layout, settle time and size limit, the deadline for returns, the
comparator and disclosure minimums, ...). The defaults and what each means are written in
dbt_project.yml. A run overrides one with an environment variable named after it in upper
case with the prefix RIIA_ (``RIIA_RETURNS_SETTLE_SECONDS=0``) or, for `riia build`, an
option; `dbt_vars()` passes the result to dbt so that SQL and Python see the same values
(but for the returns folder's, which only the loader reads: `LOADER_SETTINGS`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import yaml

from riia.paths import PROJECT_ROOT


@cache
def dbt_project() -> dict[str, Any]:
    """dbt_project.yml, read once."""
    with (PROJECT_ROOT / "dbt_project.yml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def project_vars() -> dict[str, Any]:
    """The `vars:` block of dbt_project.yml (the documented defaults)."""
    return dict(dbt_project().get("vars") or {})


def _typed(name: str, text: str, default: Any) -> Any:
    if isinstance(default, bool):
        return text.strip().lower() in ("1", "true", "yes")
    if isinstance(default, int):
        try:
            return int(text)
        except ValueError as error:
            raise ValueError(f"RIIA_{name.upper()}={text!r} is not a whole number") from error
    if isinstance(default, float):
        return float(text)
    return text


def settings(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Every setting: dbt_project.yml's defaults, then RIIA_<NAME> from the environment,
    then `overrides` (from the command line)."""
    values = dict(project_vars())
    for name, default in project_vars().items():
        text = os.environ.get(f"RIIA_{name.upper()}")
        if text is not None:
            values[name] = _typed(name, text, default)
    for name, value in (overrides or {}).items():
        if name not in values:
            raise KeyError(f"unknown setting {name!r}: the settings are the vars of dbt_project.yml")
        if value is not None:
            values[name] = value
    return values


# The returns folder's settings: the loader (riia.intake) reads them before dbt runs and
# records them in the warehouse (raw.returns_folder), where the models read them. They are
# not given to dbt as variables: dbt parses the whole project again (some 8 s) whenever a
# variable changes, and would for a setting no model reads (test_project_shape proves none does).
LOADER_SETTINGS = frozenset({"returns_layout", "returns_settle_seconds", "returns_max_file_bytes"})


def dbt_settings() -> list[str]:
    """The settings dbt reads: dbt_project.yml's vars but the loader's."""
    return [name for name in project_vars() if name not in LOADER_SETTINGS]


def dbt_vars(values: Mapping[str, Any]) -> dict[str, Any]:
    """The settings dbt reads that differ from dbt_project.yml's defaults, for dbt's --vars."""
    return {
        name: value
        for name, value in values.items()
        if name not in LOADER_SETTINGS and project_vars().get(name) != value
    }


MEMORY_LIMIT_RE = re.compile(r"set default_limit = '([^']+)'")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit: RIIA_DUCKDB_MEMORY_LIMIT, else the default that dbt's
    on-run-start hook sets (macros/apply_duckdb_limits.sql: written there once, for dbt and
    for everything else that works like it)."""
    macro = (PROJECT_ROOT / "macros" / "apply_duckdb_limits.sql").read_text(encoding="utf-8")
    found = MEMORY_LIMIT_RE.search(macro)
    if found is None:
        raise RuntimeError("macros/apply_duckdb_limits.sql gives no default for RIIA_DUCKDB_MEMORY_LIMIT")
    return os.environ.get("RIIA_DUCKDB_MEMORY_LIMIT", "").strip() or found.group(1)
