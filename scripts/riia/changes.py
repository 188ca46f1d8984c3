"""The delivery note (`CHANGES.md`) in every recipient's folder: what differs from the
previous delivery (REPORTS.md "Delivery note"): quarters new or no longer included,
figures revised (which LA, quarter, indicator and measure, old and new value, and why: a
resubmission, a new population estimate, the quarter released again), what is withheld
and why, agreements ending soon. It compares the recipient's new DuckDB file with the
one in the previously published folder, both opened read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

MAX_LISTED = 200
KEYS_LA = ("la_code", "period", "indicator_code", "measure")
KEYS_NATIONAL = ("period", "indicator_code", "measure")


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.sql(f"describe {table}").fetchall()]


def revisions(
    con: duckdb.DuckDBPyConnection, quarters: Sequence[str] | None = None
) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    """(new quarters, quarters no longer included, revised figures) between old and new;
    `quarters`: the only quarters whose figures may differ (delivery_note), else every one."""
    columns = _columns(con, "new_delivery.indicators")
    old_columns = _columns(con, "old_delivery.indicators")
    keys = [k for k in (KEYS_LA if "la_code" in columns else KEYS_NATIONAL) if k in old_columns]
    new_periods = {row[0] for row in con.sql("select distinct period from new_delivery.indicators").fetchall()}
    old_periods = {row[0] for row in con.sql("select distinct period from old_delivery.indicators").fetchall()}
    why_columns = [
        c for c in ("source_file", "population_mid_year", "released_on") if c in columns and c in old_columns
    ]
    join = " and ".join(f"new.{k} = old.{k}" for k in keys)
    listed = ", ".join(f"new.{k}" for k in keys)
    why = ", ".join(f"old.{c}, new.{c}" for c in why_columns) or "null, null"
    within = "" if quarters is None else "and new.period in (select unnest(?))"
    revised = con.execute(
        f"""
        select {listed}, old.value, new.value, {why}
        from new_delivery.indicators as new
        inner join old_delivery.indicators as old on {join}
        where old.value is distinct from new.value {within}
        order by {listed}
        """,
        [] if quarters is None else [list(quarters)],
    ).fetchall()
    return (
        sorted(new_periods - old_periods),
        sorted(old_periods - new_periods),
        [(keys, why_columns, row) for row in revised],
    )


def reason(why_columns: list[str], values: tuple[Any, ...]) -> str:
    pairs = dict(zip(why_columns, zip(values[0::2], values[1::2], strict=False), strict=False))
    if "source_file" in pairs and pairs["source_file"][0] != pairs["source_file"][1]:
        return f"resubmission ({pairs['source_file'][1]} replaces {pairs['source_file'][0]})"
    if "released_on" in pairs and pairs["released_on"][0] != pairs["released_on"][1]:
        return f"the quarter was released again ({pairs['released_on'][1]})"
    if "population_mid_year" in pairs and pairs["population_mid_year"][0] != pairs["population_mid_year"][1]:
        return f"a new population estimate (mid-{pairs['population_mid_year'][1]})"
    return "recalculated (the LAs pooled, or the rules, changed)"


def delivery_note(
    database: Path, previous: Path | None, manifest: dict[str, Any], compared: Sequence[str] | None = None
) -> str:
    """The note. `compared`: the quarters whose indicators differ from the previous
    delivery's (riia.publish.changed_quarters: their hashes differ), the only ones whose
    figures are compared, and with none the two files are not opened; None compares every
    quarter. A quarterly build's indicators gain a quarter, and the history stays as it was."""
    title = f"# Delivery note: {manifest['audience_name']}" + (
        f" ({manifest['region_code']})" if manifest.get("region_code") else ""
    )
    lines = [
        title,
        "",
        f"Handling: {manifest['handling_marking']}. As-of date {manifest['as_of_date']}; build {manifest['build_id']}."
        + (" SAMPLE DATA: built from generated returns, not real figures." if manifest["sample_data"] else ""),
        "",
    ]
    if previous is None or not previous.is_file():
        lines += ["This is the first delivery to this recipient: there is no previous delivery to compare with.", ""]
    else:
        added, dropped, revised = [], [], []
        if compared is None or compared:
            with duckdb.connect() as con:
                con.execute(f"attach '{database}' as new_delivery (read_only)")
                con.execute(f"attach '{previous}' as old_delivery (read_only)")
                added, dropped, revised = revisions(con, compared)
        lines += ["## Quarters", ""]
        lines += [f"* New: {', '.join(added)}" if added else "* No new quarter."]
        if dropped:
            lines += [f"* No longer included: {', '.join(dropped)} (see what is withheld below)"]
        lines += ["", f"## Revised figures ({len(revised)})", ""]
        if not revised:
            lines += ["No figure changed."]
        else:
            keys = revised[0][0]
            lines += ["| " + " | ".join(keys) + " | old | new | why |", "|" + "---|" * (len(keys) + 3)]
            for key_names, why_columns, row in revised[:MAX_LISTED]:
                n = len(key_names)
                lines.append(
                    "| "
                    + " | ".join(str(v) for v in row[:n])
                    + f" | {row[n]} | {row[n + 1]} | {reason(why_columns, row[n + 2 :])} |"
                )
            if len(revised) > MAX_LISTED:
                lines.append(f"\n... and {len(revised) - MAX_LISTED} more: compare the two deliveries' CSV files.")
        lines.append("")
    lines += ["## Withheld from this delivery", ""]
    withheld = manifest.get("withheld", [])
    if not withheld:
        lines.append("Nothing.")
    for item in withheld[:MAX_LISTED]:
        where = " ".join(str(item[k]) for k in ("region_code", "la_code", "period", "indicator_code") if item.get(k))
        lines.append(f"* {where}: {item['reason']}")
    if len(withheld) > MAX_LISTED:
        lines.append(f"* ... and {len(withheld) - MAX_LISTED} more (manifest.json lists them all)")
    ending = [a for a in manifest.get("agreements_used", []) if a.get("is_ending_soon")]
    lines += ["", "## Agreements ending soon", ""]
    lines += [f"* {a['agreement_id']} ends on {a['in_force_to']} ({a['days_to_end']} days)." for a in ending] or [
        "None."
    ]
    return "\n".join(lines) + "\n"
