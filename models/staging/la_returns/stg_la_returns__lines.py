"""Every physical line of every LA return file, as text, with where it came from.

One row per line of every readable file (header, data, blank and malformed lines alike)
and one row per file that cannot be read at all. The parser is `riia.parsing` (the
package under scripts/); this model only chooses which files to read and types the rows.
The raw bytes come from the dbt source `la_returns.files`, so the returns are read once
per build and never modified.
"""

from riia.parsing import OUTPUT_COLUMNS, parse_files


def files_to_read(dbt, session) -> list[str]:  # noqa: ANN001 - dbt's objects
    """The files this run must parse: all of them on a full build; on an incremental build
    only those that are new or changed (another size or modification time) since they were
    parsed. Listing the folder reads no file's content."""
    listing = dbt.source("la_returns", "files").project("filename, size, last_modified")
    if not dbt.is_incremental:
        return sorted(row[0] for row in listing.fetchall())
    listing.create_view("riia_returns_listing", replace=True)
    changed = session.sql(
        f"""
        select listing.filename
        from riia_returns_listing as listing
        left join (
            select distinct file_location, file_bytes, file_modified_at from {dbt.this}
        ) as parsed
            on listing.filename = parsed.file_location
            and listing.size = parsed.file_bytes
            and listing.last_modified = parsed.file_modified_at
        where parsed.file_location is null
        order by listing.filename
        """
    ).fetchall()
    return [row[0] for row in changed]


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    """Incremental: each build parses only the files that are new or changed (a quarter's
    returns), replacing every line of a re-parsed file (delete+insert on file_path); the
    post-hook in the YAML drops the lines of files no longer in the folder."""
    from datetime import datetime, timezone

    import pandas as pd

    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="file_path")
    returns_dir = dbt.config.get("returns_dir")
    wanted = files_to_read(dbt, session)
    contents = (
        session.execute("select filename, content, last_modified from read_blob(?)", [wanted]).fetchall()
        if wanted
        else []
    )
    frame = pd.DataFrame(parse_files(contents, returns_dir), columns=list(OUTPUT_COLUMNS))
    frame["loaded_at"] = pd.Timestamp(datetime.now(timezone.utc))
    frame["loaded_at"] = frame["loaded_at"].astype("datetime64[us, UTC]")
    frame["file_modified_at"] = pd.to_datetime(frame["file_modified_at"], utc=True).astype("datetime64[us, UTC]")
    for column in ("line_number", "file_bytes", "file_version"):
        frame[column] = frame[column].astype("Int64")
    frame["file_has_bom"] = frame["file_has_bom"].astype("boolean")
    text_columns = [c for c in OUTPUT_COLUMNS if frame[c].dtype == object or str(frame[c].dtype).startswith("str")]
    frame[text_columns] = frame[text_columns].astype("string")
    # A relation on dbt's own connection, not a DataFrame: dbt-duckdb writes a DataFrame
    # through a second cursor, whose temporary table the incremental insert cannot see.
    return session.from_df(frame)
