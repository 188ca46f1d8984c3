"""Every physical line of every LA return file, as text, with where it came from.

One row per line of every readable file (header, data, blank and malformed lines alike)
and one row per file that cannot be used at all (unreadable, too large, a link outside
the returns folder, not a CSV file), with the reason. The parser is `riia.parsing` (the
package under scripts/); this model only chooses which files to parse and types the rows.
The bytes come from the dbt source `la_returns.files`, the landing table the loader
(`riia.intake`, run by `riia build` or `riia load`) fills from the returns folder, so each
file is read once per build and never modified.
"""

from riia.parsing import LANDING_FIELDS, stage_lines

# The loader's statuses of files this model stages: read, or unusable (a T01 finding).
# Waiting and ignored entries are not returns yet.
STAGED_STATUSES = ("read", "too_large", "unreadable", "link_outside", "not_a_return")


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    """Incremental on the file: a build parses only the files whose contents (SHA-256) or
    loader status changed since they were parsed, replacing all of their lines; the
    post-hook in the YAML drops the lines of files no longer in the folder."""
    from datetime import UTC, datetime

    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="file_path")
    landed = dbt.source("la_returns", "files").filter(f"intake_status in {STAGED_STATUSES}")
    if dbt.is_incremental:
        landed.create_view("riia_landed_files", replace=True)
        wanted = session.sql(
            f"""
            select {", ".join(f"landed.{name}" for name in LANDING_FIELDS)}
            from riia_landed_files as landed
            where not exists (
                select 1 from {dbt.this} as staged
                where staged.file_path = landed.file_path and staged.file_fingerprint = landed.file_fingerprint
            )
            """
        )
    else:
        wanted = landed.project(", ".join(LANDING_FIELDS))
    # Parsed into two tables of the warehouse a batch at a time, with a view joining them
    # (riia.parsing.stage_lines), so that memory never holds every line of a build; the
    # post-hook in the YAML drops them.
    # A relation on dbt's own connection, not a DataFrame: dbt-duckdb writes a DataFrame
    # through a second cursor, whose temporary table the incremental insert cannot see.
    parsed = f'"{dbt.this.database}"."{dbt.this.schema}"."{dbt.this.identifier}__parsed"'
    stage_lines(session, wanted.fetchall(), parsed, datetime.now(UTC))
    return session.sql(f"select * from {parsed}")
