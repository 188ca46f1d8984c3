"""`riia explain LA PERIOD INDICATOR`: where a figure came from (REPORTS.md "Explain this figure").

For an LA's figure: its value, what it was computed from (numerator, denominator or the
population and its mid-year), each item's file, line and value as written, the guidance
rules it passed or warned on, and the LA's comment. For a comparator (`--comparator
region|neighbours|england`): its value and every LA it pooled, with what each gave.
Everything is read from the published warehouse (opened read-only): its marts, the hub's
view, which holds every accepted return, and the items each indicator is computed from
(int_indicator_items).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import duckdb

from riia.paths import unreadable_warehouse
from riia.periods import Period

COMPARATOR_TYPES = {"region": "region", "neighbours": "statistical_neighbours", "england": "england"}


class ExplainError(Exception):
    """The figure cannot be explained; the message says why in one sentence."""


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> dict[str, Any] | None:
    relation = con.execute(sql, params)
    row = relation.fetchone()
    return dict(zip([d[0] for d in relation.description], row, strict=True)) if row else None


def _all(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    relation = con.execute(sql, params)
    columns = [d[0] for d in relation.description]
    return [dict(zip(columns, row, strict=True)) for row in relation.fetchall()]


def _number(value: Any, places: int = 1) -> str:
    if value is None:
        return "(none)"
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.{places}f}"


def _measure(con: duckdb.DuckDBPyConnection, indicator: str, measure: str | None) -> dict[str, Any]:
    rows = _all(
        con, "select * from reference.ref_indicators where indicator_code = ? order by is_headline desc", [indicator]
    )
    if not rows:
        raise ExplainError(f"{indicator!r} is not an indicator: use an indicator code such as CLA_END or REREFERRALS.")
    if measure is None:
        return rows[0]
    chosen = [row for row in rows if row["measure"] == measure]
    if not chosen:
        raise ExplainError(f"{indicator} has no measure {measure!r}: it has {', '.join(r['measure'] for r in rows)}.")
    return chosen[0]


def explain_figure(con: duckdb.DuckDBPyConnection, la_code: str, period: str, indicator: dict[str, Any]) -> str:
    out = io.StringIO()
    figure = _one(
        con,
        "select v.*, la.la_name from marts.fct_indicator_values as v inner join marts.dim_local_authority as la "
        "using (la_code) where v.la_code = ? and v.period = ? and v.indicator_code = ? and v.measure = ?",
        [la_code, period, indicator["indicator_code"], indicator["measure"]],
    )
    if figure is None:
        status = _one(
            con,
            "select tracker_status from marts.fct_returns_tracker where la_code = ? and period = ?",
            [la_code, period],
        )
        why = (
            status["tracker_status"].replace("_", " ")
            if status
            else "not an LA of that quarter, or the quarter is not in the warehouse"
        )
        raise ExplainError(
            f"No figure for LA {la_code}, {period}, {indicator['indicator_code']} {indicator['measure']}: "
            f"the return is {why}."
        )
    out.write(f"{figure['la_name']} ({la_code}), {period}: {indicator['indicator_name']}\n")
    out.write(
        f"  {indicator['measure']} = {_number(figure['value'], 3)} ({indicator['unit_label']}); status {figure['value_status']}\n"
    )
    out.write(f"  numerator: {figure['numerator_item']} = {_number(figure['numerator'])}\n")
    if figure["population_age_band"]:
        out.write(
            f"  population aged {figure['population_age_band']}: {_number(figure['population'])} "
            f"(ONS mid-{figure['population_mid_year']}{', a fallback year' if figure['is_fallback_population_year'] else ''})\n"
        )
    elif figure["denominator_items"]:
        out.write(f"  denominator: {figure['denominator_items']} = {_number(figure['denominator'])}\n")
    if indicator["window_quarters"] > 1:
        first = Period.require(period).shift(1 - indicator["window_quarters"])
        out.write(f"  over the {indicator['window_quarters']} quarters {first} to {period}\n")
    items = [
        item
        for (item,) in con.execute(
            "select item_code from intermediate.int_indicator_items where indicator_code = ? and measure = ?",
            [indicator["indicator_code"], indicator["measure"]],
        ).fetchall()
    ]
    quarters = [Period.require(period).shift(-k).label for k in range(indicator["window_quarters"] - 1, -1, -1)]
    lines = _all(
        con,
        "select period, item_code, value_text, comment, source_file, line_number, file_path from marts.fct_return_values "
        "where la_code = ? and period in (select unnest(?)) and item_code in (select unnest(?)) order by period, line_number",
        [la_code, quarters, items],
    )
    shown = None
    for line in lines:
        if line["source_file"] != shown:
            shown = line["source_file"]
            out.write(f"  from {shown} ({line['period']}):\n")
        out.write(f"    line {line['line_number']}: {line['item_code']} = {line['value_text']!r}\n")
        if line["comment"]:
            out.write(f"      LA comment: {line['comment']}\n")
    findings = _all(
        con,
        "select rule_id, severity, message from marts.fct_validation_results where file_path = ? "
        "and (item_code in (select unnest(?)) or item_code is null) order by rule_id",
        [figure["file_path"], items],
    )
    rules = [
        r
        for (r,) in con.execute(
            "select rule_id from reference.ref_validation_rules where severity is not null order by 1"
        ).fetchall()
    ]
    warned = {f["rule_id"] for f in findings}
    out.write(f"  rules passed: {', '.join(r for r in rules if r not in warned)}\n")
    for finding in findings:
        out.write(f"  {finding['severity']} {finding['rule_id']}: {finding['message']}\n")
    return out.getvalue()


def explain_comparator(
    con: duckdb.DuckDBPyConnection, la_code: str, period: str, indicator: dict[str, Any], comparator: str
) -> str:
    kind = COMPARATOR_TYPES[comparator]
    key = {"statistical_neighbours": la_code, "england": "E92000001"}.get(kind)
    if kind == "region":
        found = _one(con, "select region_code from marts.dim_local_authority where la_code = ?", [la_code])
        if found is None:
            raise ExplainError(f"{la_code!r} is not an LA code.")
        key = found["region_code"]
    value = _one(
        con,
        "select * from marts.fct_indicator_comparators where comparator_type = ? and comparator_key = ? and period = ? "
        "and indicator_code = ? and measure = ?",
        [kind, key, period, indicator["indicator_code"], indicator["measure"]],
    )
    if value is None:
        raise ExplainError(
            f"No {comparator} comparator for {la_code}, {period}, {indicator['indicator_code']} {indicator['measure']}."
        )
    members = _all(
        con,
        "select m.*, la.la_name from marts.fct_comparator_members as m inner join marts.dim_local_authority as la "
        "on m.member_la_code = la.la_code where comparator_type = ? and comparator_key = ? and period = ? "
        "and indicator_code = ? and measure = ? order by member_la_code",
        [kind, key, period, indicator["indicator_code"], indicator["measure"]],
    )
    out = io.StringIO()
    out.write(
        f"{comparator} comparator ({kind} {key}), {period}: {indicator['indicator_name']}, {indicator['measure']}\n"
    )
    out.write(f"  value = {_number(value['value'], 3)} = sum of numerators {_number(value['numerator_total'])}")
    out.write(
        f" / sum of bases {_number(value['denominator_total'])}" if value["denominator_total"] is not None else ""
    )
    out.write(f" (x {indicator['multiplier']})\n" if indicator["multiplier"] != 1 else "\n")
    out.write(
        f"  {value['contributing_las']} of {value['member_las']} LAs contributed, "
        f"{100 * (value['population_coverage'] or 0):.1f}% of the group's children aged 0-17"
        f"{'; LOW COVERAGE' if value['is_low_coverage'] else ''}\n"
    )
    for member in members:
        mark = "pooled" if member["is_contributing"] else "not pooled"
        out.write(
            f"    {member['member_la_code']} {member['la_name']}: {mark}, numerator {_number(member['numerator'])}, "
            f"base {_number(member['base'])}\n"
        )
    missing = value["member_las"] - len(members)
    if missing > 0:
        out.write(f"    and {missing} member LA(s) with no accepted return that quarter: not pooled\n")
    return out.getvalue()


def explain(
    warehouse: Path, la_code: str, period: str, indicator_code: str, measure: str | None, comparator: str | None
) -> str:
    if not warehouse.is_file():
        raise ExplainError(f"No published build at {warehouse}: run `riia build` first.")
    if Period.parse(period) is None:
        raise ExplainError(f"{period!r} is not a quarter: write it YYYY-YY Qn, for example 2024-25 Q4.")
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            indicator = _measure(con, indicator_code.upper(), measure)
            if comparator:
                return explain_comparator(con, la_code, period, indicator, comparator)
            return explain_figure(con, la_code, period, indicator)
    except duckdb.Error as error:
        raise ExplainError(unreadable_warehouse("The figure", warehouse, error)) from None
