"""Every breach of the guidance rules (RETURN_TEMPLATE.md section 4) in every return file.

Runs the three Great Expectations suites of `gx/expectations/`, one per tier:
`riia_template_conformance` (T01-T07), `riia_logical_consistency` (L01-L08) and
`riia_plausibility` (P01-P03), over pandas DataFrames built here from the warehouse, and
turns each failing row into a finding an LA data officer can act on.

Why pandas: GE 1.24's SQL datasource returns empty results on DuckDB, so the suites run
on DataFrames through GE's pandas datasource `riia_frames` (declared in
`gx/great_expectations.yml`, one DataFrame asset per shape of data; `gx/README.md`
describes them). Each expectation names its asset in `meta.data_asset`; a suite is run
asset by asset. The sets that depend on reference data (current LA codes, the item
register, the quarters up to the day of the build) are suite parameters filled in here
from the seeds and `dim_period`.

Every version of every file is validated, so an earlier version's findings stay
reportable; `int_return_status` decides which findings count (the latest version's).
Each finding comes from GE's COMPLETE result format with `unexpected_index_column_names`
(the asset's key), joined back to the DataFrame for the file, line, item, value and the
figures quoted in the message. Messages are the templates in each expectation's
`meta.message`, filled in with the failing row's columns.

Grain: one row per file, rule, line and item. A line that breaks two checks of the same
rule (a period both malformed and not the file name's) is reported once, by the first
check in suite order.
"""

from __future__ import annotations

import difflib
import math
import os
import re
import string
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import pandas as pd  # noqa: E402 - GE (imported in run_suites) must see the switch above

SUITE_NAMES: tuple[str, ...] = (
    "riia_template_conformance",
    "riia_logical_consistency",
    "riia_plausibility",
)
DATASOURCE = "riia_frames"
BATCH_DEFINITION = "whole_frame"

OUTPUT_COLUMNS: tuple[str, ...] = (
    "file_path",
    "source_file",
    "la_code",
    "period",
    "line_number",
    "item_code",
    "value",
    "rule_id",
    "severity",
    "message",
    "suite_name",
    "expectation_type",
)

# The key of each asset: what GE returns for every failing row (unexpected_index_column_names).
ASSET_KEYS: dict[str, list[str]] = {
    "return_files": ["file_path"],
    "return_lines": ["file_path", "line_number"],
    "item_presence": ["file_path", "item_code"],
    "return_figures": ["file_path"],
    "stock_roll_forward": ["file_path", "item_code"],
    "rate_checks": ["file_path", "item_code"],
}

PERIOD_PATTERN = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")
REF_SRC_ITEMS: tuple[str, ...] = (
    "REF_SRC_POLICE",
    "REF_SRC_SCHOOLS",
    "REF_SRC_HEALTH",
    "REF_SRC_LA",
    "REF_SRC_INDIVIDUAL",
    "REF_SRC_OTHER",
    "REF_SRC_UNKNOWN",
)
# P01: each stock item and the flows that move it; the tolerance is 10% of last
# quarter's stock or 5 children, whichever is more.
ROLL_FORWARD: dict[str, tuple[str, str]] = {
    "CPP_END": ("CPP_START", "CPP_CEASED"),
    "CLA_END": ("CLA_START", "CLA_CEASED"),
}
ROLL_FORWARD_PERCENT = 10
ROLL_FORWARD_MINIMUM = 5.0
# P03: England's range is a range only when enough LAs make it. Early in a quarter, when a
# handful of returns are in, the quartiles of five rates would flag ordinary figures.
P03_MINIMUM_LAS = 10
# Derived figures are rounded to this many decimal places before they are checked, so
# that a value exactly on a limit (a rise of exactly 50%) is not lost to binary floating
# point (900 / 600 computed through two rates can come out as 1.5000000000000002).
DERIVED_DECIMALS = 9


# --- small helpers ---------------------------------------------------------------------


def period_index(period: Any) -> int | None:
    """Quarters since year 0 for a well-formed, real `YYYY-YY Qn`; None otherwise."""
    match = PERIOD_PATTERN.match(period) if isinstance(period, str) else None
    if match is None:
        return None
    start, end, quarter = int(match[1]), int(match[2]), int(match[3])
    if (start + 1) % 100 != end:
        return None
    return start * 4 + quarter - 1


def period_problem(period: str, first_period: str, last_period: str) -> str:
    """Why `period` is not an acceptable quarter, as the end of a sentence."""
    if PERIOD_PATTERN.match(period) is None:
        return "is not written YYYY-YY Qn (for example 2024-25 Q1)"
    index = period_index(period)
    if index is None:
        return "is not a real financial year: YYYY-YY names two consecutive years (for example 2024-25)"
    if index > (period_index(last_period) or 0):
        return f"is in the future: the latest quarter that can be returned is {last_period}"
    if index < (period_index(first_period) or 0):
        return f"is before {first_period}, the first quarter the RIIA collects"
    return "is not a quarter the RIIA collects"


def display(value: Any) -> str:
    """A figure as a data officer would write it: 812, 12.5, (blank)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "(blank)"
    if isinstance(value, str) or isinstance(value, bool) or not hasattr(value, "__float__"):
        return str(value)
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


class _MessageValues(dict):
    """Values for a message template: every column displayed; an unknown name stays visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, row: dict[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _MessageValues({k: display(v) for k, v in row.items()}))


def as_text(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` with `columns` holding str or None (object dtype), as GE's pandas checks expect."""
    frame = frame.copy()
    for column in columns:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def percent_change(ratio: float) -> str | None:
    """+62% for a ratio of 1.62; one decimal where a whole percent would hide a breach (-50.4%)."""
    if math.isnan(ratio):
        return None
    change = (ratio - 1) * 100
    shown = f"{change:+.0f}%"
    return f"{change:+.1f}%" if shown in ("+50%", "-50%") else shown


def one_decimal(values: pd.Series) -> list[str | None]:
    return [None if math.isnan(v) else f"{v:.1f}" for v in values]


def join_lines(numbers: list[int]) -> str:
    """'12', '12 and 30', '4, 12 and 30'."""
    numbers = sorted(numbers)
    if len(numbers) == 1:
        return str(numbers[0])
    return ", ".join(str(n) for n in numbers[:-1]) + " and " + str(numbers[-1])


# --- the DataFrames the suites check (one per asset of gx/great_expectations.yml) ----------


def suite_parameters(local_authorities: pd.DataFrame, periods: pd.DataFrame, items: pd.DataFrame) -> dict[str, list[str]]:
    """The reference sets the suites name as {"$PARAMETER": ...}."""
    return {
        "current_la_codes": sorted(local_authorities.loc[local_authorities["is_current"].astype(bool), "la_code"]),
        "valid_periods": list(periods.sort_values("period_index")["period"]),
        "register_item_codes": sorted(items["item_code"]),
    }


def period_problems(values: pd.Series, valid_periods: list[str]) -> pd.Series:
    """For each period text not among `valid_periods`, why not (else None)."""
    valid = set(valid_periods)
    first, last = (valid_periods[0], valid_periods[-1]) if valid_periods else ("", "")
    return values.map(lambda p: None if not isinstance(p, str) or p in valid else period_problem(p, first, last))


def files_frame(files: pd.DataFrame, typed: pd.DataFrame, valid_periods: list[str]) -> pd.DataFrame:
    """return_files: one row per file, with the LA and quarter its findings are filed under
    (the file name's, else the first data line's)."""
    first_rows = (
        typed.sort_values(["file_path", "line_number"])
        .groupby("file_path", as_index=False)
        .first()[["file_path", "la_code", "period"]]
    )
    frame = files.merge(first_rows, on="file_path", how="left")
    frame["report_la_code"] = frame["file_name_la_code"].fillna(frame["la_code"])
    frame["report_period"] = frame["file_name_period"].fillna(frame["period"])
    frame["period_problem"] = period_problems(frame["file_name_period"], valid_periods)
    frame = frame.join(same_version_conflicts(frame), on="file_path")
    frame = frame[
        [
            "file_path", "source_file", "file_status", "file_problem", "file_name_la_code", "file_name_period",
            "period_problem", "has_valid_file_name", "is_latest_version", "report_la_code", "report_period",
            "same_version_elsewhere", "next_version_name",
        ]
    ]
    text = [
        "file_status", "file_problem", "file_name_la_code", "file_name_period", "period_problem",
        "same_version_elsewhere", "next_version_name",
    ]
    return as_text(frame.sort_values("file_path").reset_index(drop=True), text)


def same_version_conflicts(files: pd.DataFrame) -> pd.DataFrame:
    """For each file whose LA, quarter and version another file with DIFFERENT bytes also
    claims (the same name in two folders), the other file(s) and the name the correction
    should have; indexed by file_path.

    Which of the two is "the latest version" would otherwise be decided by the folder
    names alone (int_return_files_versioned breaks the tie by path), silently. Byte-identical
    copies (the same e-mail saved twice) are harmless and not reported.
    """
    named = files.loc[files["has_valid_file_name"].astype(bool)]
    columns = ["same_version_elsewhere", "next_version_name"]
    conflicts: dict[str, tuple[str, str]] = {}
    for (la_code, period), same_return in named.groupby(["file_name_la_code", "file_name_period"]):
        next_version = int(same_return["file_version"].max()) + 1
        fy, quarter = period.split(" ")
        for _, same_version in same_return.groupby("file_version"):
            if same_version["file_sha256"].nunique() < 2:
                continue
            for path, sha in zip(same_version["file_path"], same_version["file_sha256"]):
                others = sorted(same_version.loc[same_version["file_sha256"] != sha, "file_path"])
                conflicts[path] = (" and ".join(others), f"{la_code}_{fy}_{quarter}_v{next_version}.csv")
    frame = pd.DataFrame.from_dict(conflicts, orient="index", columns=columns)
    frame.index.name = "file_path"
    return frame


def lines_frame(
    lines: pd.DataFrame, typed: pd.DataFrame, return_files: pd.DataFrame, register: list[str], valid_periods: list[str]
) -> pd.DataFrame:
    """return_lines: every line of every readable file as written, data lines also tidied and typed."""
    readable = return_files.loc[return_files["file_status"] == "readable"]
    written = lines.loc[lines["file_path"].isin(readable["file_path"])].rename(
        columns={
            "la_code": "la_code_as_written",
            "period": "period_as_written",
            "item_code": "item_code_as_written",
            "value": "value_as_written",
        }
    )[
        [
            "file_path", "source_file", "line_number", "line_kind", "line_problem", "raw_line",
            "la_code_as_written", "period_as_written", "item_code_as_written", "value_as_written",
        ]
    ]
    tidied = typed[
        ["file_path", "line_number", "la_code", "period", "item_code", "value_type", "value_text", "value_status", "value_number"]
    ]
    frame = written.merge(tidied, on=["file_path", "line_number"], how="left").merge(
        readable[["file_path", "file_name_la_code", "file_name_period", "has_valid_file_name"]], on="file_path"
    )
    frame["line_number"] = frame["line_number"].astype("int64")
    frame["has_valid_file_name"] = frame["has_valid_file_name"].astype(bool)
    frame["period_problem"] = period_problems(frame["period"], valid_periods)

    def suggestion(code: Any) -> str:
        if not isinstance(code, str) or code in register:
            return ""
        close = difflib.get_close_matches(code, register, n=1, cutoff=0.6)
        return f" (did you mean {close[0]}?)" if close else ""

    frame["item_code_suggestion"] = frame["item_code"].map(suggestion)
    with_item = frame.loc[frame["item_code"].notna() & (frame["item_code"] != "")]
    duplicate_lines = with_item.groupby(["file_path", "item_code"])["line_number"].agg(lambda s: join_lines(list(s)))
    frame = frame.merge(duplicate_lines.rename("duplicate_lines").reset_index(), on=["file_path", "item_code"], how="left")
    text = ["line_kind", "la_code", "period", "item_code", "value_type", "value_text", "file_name_la_code", "file_name_period"]
    return as_text(frame.sort_values(["file_path", "line_number"]).reset_index(drop=True), text)


def first_item_lines(return_lines: pd.DataFrame) -> pd.DataFrame:
    """The first line of each item in each file, with its value as a number where it is one.

    What the figures, messages and reports use: a duplicated item (T06) counts once, by
    its first line, as in int_indicator_values_computed.
    """
    with_item = return_lines.loc[return_lines["item_code"].notna() & (return_lines["item_code"] != "")]
    frame = with_item.drop_duplicates(["file_path", "item_code"])[
        ["file_path", "item_code", "line_number", "value_as_written", "value_status", "value_number"]
    ].reset_index(drop=True)
    number = frame["value_number"].where(frame["value_status"] == "number")
    frame["number"] = pd.to_numeric(number, errors="coerce").astype("float64")
    return frame


def presence_frame(
    return_files: pd.DataFrame, first_lines: pd.DataFrame, items: pd.DataFrame, local_authorities: pd.DataFrame
) -> pd.DataFrame:
    """item_presence: per readable file, every item it should hold - the riia_core items and
    the regional items its LA's region collects - and the line it is on (empty if missing)."""
    readable = return_files.loc[return_files["file_status"] == "readable", ["file_path", "report_la_code"]]
    readable = readable.merge(
        local_authorities[["la_code", "region_code"]], left_on="report_la_code", right_on="la_code", how="left"
    )
    expected = readable[["file_path", "region_code"]].merge(
        items[["item_code", "item_name", "item_set", "collecting_region_code"]], how="cross"
    )
    expected = expected.loc[
        (expected["item_set"] == "riia_core") | (expected["collecting_region_code"] == expected["region_code"])
    ]
    region_names = local_authorities.drop_duplicates("region_code").set_index("region_code")["region_name"]
    expected["expected_because"] = [
        "it is a riia_core item, expected in every return"
        if item_set == "riia_core"
        else f"your region ({region_names.get(region, region)}) collects it from its local authorities"
        for item_set, region in zip(expected["item_set"], expected["collecting_region_code"])
    ]
    frame = expected.merge(
        first_lines[["file_path", "item_code", "line_number"]].rename(columns={"line_number": "submitted_on_line"}),
        on=["file_path", "item_code"],
        how="left",
    )[["file_path", "item_code", "item_name", "item_set", "expected_because", "submitted_on_line"]]
    frame["submitted_on_line"] = frame["submitted_on_line"].astype("float64")
    return frame.sort_values(["file_path", "item_code"]).reset_index(drop=True)


def figures_frame(return_files: pd.DataFrame, first_lines: pd.DataFrame, register: list[str]) -> pd.DataFrame:
    """return_figures: one row per readable file, one numeric column per item code, plus the
    REF_SRC_* total (when all seven are numbers) and its breakdown for the L02 message."""
    readable = sorted(return_files.loc[return_files["file_status"] == "readable", "file_path"])
    wide = (
        first_lines.loc[first_lines["item_code"].isin(register)]
        .pivot(index="file_path", columns="item_code", values="number")
        .reindex(index=pd.Index(readable, name="file_path"), columns=register)
        .astype("float64")
    )
    sources = wide[list(REF_SRC_ITEMS)]
    wide["REF_SRC_TOTAL"] = sources.sum(axis=1).where(sources.notna().all(axis=1))
    wide["REF_SRC_BREAKDOWN"] = [
        " + ".join(f"{code.removeprefix('REF_SRC_').lower()} {display(v)}" for code, v in zip(REF_SRC_ITEMS, row))
        for row in sources.itertuples(index=False)
    ]
    return wide.reset_index()


def comparable_returns(return_files: pd.DataFrame, periods: pd.DataFrame, local_authorities: pd.DataFrame) -> pd.DataFrame:
    """Readable files whose name gives a real quarter, with the previous quarter, the LA's
    region and the latest readable version of the same LA's previous quarter (if any)."""
    frame = return_files.loc[(return_files["file_status"] == "readable") & return_files["has_valid_file_name"].astype(bool)]
    frame = frame.merge(periods[["period", "previous_period"]], left_on="file_name_period", right_on="period")
    frame = frame.merge(
        local_authorities[["la_code", "region_code"]], left_on="file_name_la_code", right_on="la_code", how="left"
    )
    latest = frame.loc[frame["is_latest_version"].astype(bool)].set_index(["file_name_la_code", "file_name_period"])[
        "file_path"
    ]
    frame["previous_file_path"] = [
        latest.get((la, previous)) if isinstance(previous, str) else None
        for la, previous in zip(frame["file_name_la_code"], frame["previous_period"])
    ]
    return frame[
        ["file_path", "file_name_la_code", "file_name_period", "previous_period", "region_code", "is_latest_version", "previous_file_path"]
    ].reset_index(drop=True)


def roll_forward_frame(returns: pd.DataFrame, first_lines: pd.DataFrame) -> pd.DataFrame:
    """stock_roll_forward: per file with a previous quarter and stock item, how far the closing
    stock is from last quarter's plus starts minus ceased, beyond the tolerance."""
    figures = first_lines.set_index(["file_path", "item_code"])["number"]
    rows = []
    for file_path, previous_file_path in zip(returns["file_path"], returns["previous_file_path"]):
        if not isinstance(previous_file_path, str):
            continue
        for stock, (start_item, ceased_item) in ROLL_FORWARD.items():
            closing, starts, ceased = (float(figures.get((file_path, c), math.nan)) for c in (stock, start_item, ceased_item))
            previous = float(figures.get((previous_file_path, stock), math.nan))
            expected = previous + starts - ceased
            tolerance = max(previous * ROLL_FORWARD_PERCENT / 100, ROLL_FORWARD_MINIMUM)
            difference = closing - expected
            rows.append(
                {
                    "file_path": file_path,
                    "item_code": stock,
                    "start_item": start_item,
                    "ceased_item": ceased_item,
                    "closing_stock": closing,
                    "previous_closing_stock": previous,
                    "starts": starts,
                    "ceased": ceased,
                    "expected_closing_stock": expected,
                    "difference": None if math.isnan(difference) else f"{difference:+.0f}",
                    "tolerance": tolerance,
                    "roll_forward_excess": round(abs(difference) - tolerance, DERIVED_DECIMALS),
                    "previous_file_path": previous_file_path,
                }
            )
    columns = [
        "file_path", "item_code", "start_item", "ceased_item", "closing_stock", "previous_closing_stock", "starts",
        "ceased", "expected_closing_stock", "difference", "tolerance", "roll_forward_excess", "previous_file_path",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["roll_forward_excess"] = frame["roll_forward_excess"].astype("float64")
    return frame.sort_values(["file_path", "item_code"]).reset_index(drop=True)


def rates_frame(
    returns: pd.DataFrame,
    first_lines: pd.DataFrame,
    items: pd.DataFrame,
    indicators: pd.DataFrame,
    population: pd.DataFrame,
) -> pd.DataFrame:
    """rate_checks: per file and rate_per_10k indicator that applies to the LA, the rate, its
    ratio to last quarter's and its distance, in IQRs, outside England's quartiles.

    Rates are computed for every version as int_indicator_values_computed computes them for
    the latest (numerator x 10,000 / ONS population of the age band; regional indicators
    only in the region that collects the item). "Last quarter" is the rate of the latest
    version of the LA's previous quarter; England is the latest version of every LA's return
    for the quarter (linear-interpolated quartiles, as DuckDB's quantile_cont).
    """
    rates = indicators.loc[indicators["measure"] == "rate_per_10k"].merge(
        items[["item_code", "collecting_region_code"]], left_on="numerator_item", right_on="item_code"
    )[["item_code", "indicator_name", "population_age_band", "multiplier", "collecting_region_code"]]
    frame = returns.merge(rates, how="cross")
    frame = frame.loc[frame["collecting_region_code"].isna() | (frame["collecting_region_code"] == frame["region_code"])]
    la_population = population.loc[population["geography_level"] == "la", ["area_code", "period", "age_band", "population"]]
    frame = frame.merge(
        la_population,
        left_on=["file_name_la_code", "file_name_period", "population_age_band"],
        right_on=["area_code", "period", "age_band"],
        how="left",
    ).merge(first_lines[["file_path", "item_code", "number", "value_as_written"]], on=["file_path", "item_code"], how="left")
    people = pd.to_numeric(frame["population"], errors="coerce").astype("float64")
    frame["rate"] = frame["number"] * frame["multiplier"].astype("float64") / people.where(people > 0)
    frame = frame.loc[frame["rate"].notna()]

    latest = frame.loc[frame["is_latest_version"].astype(bool)]
    previous = latest[["file_name_la_code", "file_name_period", "item_code", "rate"]].rename(
        columns={"file_name_period": "previous_period", "rate": "previous_rate"}
    )
    england = (
        latest.groupby(["file_name_period", "item_code"])["rate"]
        .agg(england_q1=lambda s: s.quantile(0.25), england_q3=lambda s: s.quantile(0.75), england_la_count="count")
        .reset_index()
    )
    frame = frame.merge(previous, on=["file_name_la_code", "previous_period", "item_code"], how="left").merge(
        england, on=["file_name_period", "item_code"], how="left"
    )

    earlier = frame["previous_rate"]
    frame["ratio_to_previous_quarter"] = (frame["rate"] / earlier.where(earlier > 0)).astype("float64").round(DERIVED_DECIMALS)
    frame["change"] = [percent_change(r) for r in frame["ratio_to_previous_quarter"]]

    iqr = frame["england_q3"] - frame["england_q1"]
    below = (frame["england_q1"] - frame["rate"]).clip(lower=0)
    above = (frame["rate"] - frame["england_q3"]).clip(lower=0)
    usable = (iqr > 0) & (frame["england_la_count"] >= P03_MINIMUM_LAS)
    frame["iqr_distance"] = ((below + above) / iqr.where(usable)).astype("float64").round(DERIVED_DECIMALS)
    frame["direction"] = ["below" if b > 0 else "above" for b in below]
    for column in ("rate", "previous_rate", "england_q1", "england_q3", "iqr_distance"):
        frame[f"{column}_shown"] = one_decimal(frame[column])
    frame = frame.rename(columns={"population_age_band": "age_band"})[
        [
            "file_path", "item_code", "indicator_name", "age_band", "value_as_written", "rate", "rate_shown",
            "previous_period", "previous_rate", "previous_rate_shown", "ratio_to_previous_quarter", "change",
            "england_q1", "england_q3", "england_q1_shown", "england_q3_shown", "england_la_count",
            "iqr_distance", "iqr_distance_shown", "direction",
        ]
    ]
    return frame.sort_values(["file_path", "item_code"]).reset_index(drop=True)


def build_frames(
    lines: pd.DataFrame,
    files: pd.DataFrame,
    typed: pd.DataFrame,
    items: pd.DataFrame,
    local_authorities: pd.DataFrame,
    periods: pd.DataFrame,
    population: pd.DataFrame,
    indicators: pd.DataFrame,
) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """(one DataFrame per GE asset, the suite parameters)."""
    parameters = suite_parameters(local_authorities, periods, items)
    register, valid_periods = parameters["register_item_codes"], parameters["valid_periods"]
    return_files = files_frame(files, typed, valid_periods)
    return_lines = lines_frame(lines, typed, return_files, register, valid_periods)
    first_lines = first_item_lines(return_lines)
    returns = comparable_returns(return_files, periods, local_authorities)
    frames = {
        "return_files": return_files,
        "return_lines": return_lines,
        "item_presence": presence_frame(return_files, first_lines, items, local_authorities),
        "return_figures": figures_frame(return_files, first_lines, register),
        "stock_roll_forward": roll_forward_frame(returns, first_lines),
        "rate_checks": rates_frame(returns, first_lines, items, indicators, population),
        # not an asset: where the item of a logical or plausibility finding is written
        "first_item_lines": first_lines,
    }
    return frames, parameters


# --- running the suites and collecting the findings -------------------------------------


def run_suites(gx_dir: Path, frames: dict[str, pd.DataFrame], parameters: dict[str, list[str]]) -> pd.DataFrame:
    """Validate each asset's DataFrame with its expectations of each suite; one finding per
    failing row."""
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(gx_dir.parent))
    datasource = context.data_sources.get(DATASOURCE)
    files = frames["return_files"].set_index("file_path")
    item_lines = frames["first_item_lines"].set_index(["file_path", "item_code"])
    findings: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for suite_number, suite_name in enumerate(SUITE_NAMES):
        by_asset: dict[str, list[dict[str, Any]]] = {}
        for position, expectation in enumerate(context.suites.get(suite_name).expectations):
            config = expectation.configuration.to_json_dict()
            # GE does not promise results in suite order: remember each expectation's place.
            config["meta"] = {**config["meta"], "suite_position": position}
            by_asset.setdefault(expectation.meta["data_asset"], []).append(config)
        for asset_name, expectations in by_asset.items():
            frame = frames[asset_name]
            if frame.empty:
                continue
            key = ASSET_KEYS[asset_name]
            batch = datasource.get_asset(asset_name).get_batch_definition(BATCH_DEFINITION).get_batch(
                batch_parameters={"dataframe": frame}
            )
            result = batch.validate(
                gx.ExpectationSuite(name=f"{suite_name}.{asset_name}", expectations=expectations),
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": key},
                expectation_parameters=parameters,
            )
            rows = frame.set_index(key, drop=False)
            for outcome in result.results:
                config = outcome.expectation_config
                if (outcome.exception_info or {}).get("raised_exception"):
                    raise RuntimeError(
                        f"{suite_name}: {config.type} on {asset_name} could not run: "
                        f"{outcome.exception_info.get('exception_message')}"
                    )
                if outcome.success:
                    continue
                for failing in outcome.result.get("unexpected_index_list") or []:
                    index = tuple(failing[k] for k in key)
                    row = rows.loc[index if len(key) > 1 else index[0]]
                    row = (row.iloc[0] if isinstance(row, pd.DataFrame) else row).to_dict()
                    order = (suite_number, config.meta["suite_position"])
                    findings.append((order, finding(suite_name, asset_name, config, row, files, item_lines)))
    findings.sort(key=lambda pair: pair[0])
    return findings_frame([f for _, f in findings])


def finding(
    suite_name: str,
    asset_name: str,
    config: Any,
    row: dict[str, Any],
    files: pd.DataFrame,
    item_lines: pd.DataFrame,
) -> dict[str, Any]:
    """One output row for one failing row of an asset."""
    meta = config.meta
    file = files.loc[row["file_path"]]
    la_code, period = file["report_la_code"], file["report_period"]
    line_number = item_code = value = None
    if asset_name == "return_lines":
        line_number, value = row["line_number"], row["value_as_written"]
        item_code = row["item_code"] or None
        if not file["has_valid_file_name"]:  # filed under what the line says
            la_code, period = row["la_code"] or la_code, row["period"] or period
    elif asset_name == "item_presence":
        item_code = row["item_code"]
    elif asset_name != "return_files":  # a figure: report the line of the item concerned
        item_code = meta.get("report_item") or row["item_code"]
        if (row["file_path"], item_code) in item_lines.index:
            line_number, value = item_lines.loc[(row["file_path"], item_code), ["line_number", "value_as_written"]]
        row = {**row, "value_as_written": value}
    return {
        "file_path": row["file_path"],
        "source_file": file["source_file"],
        "la_code": la_code,
        "period": period,
        "line_number": line_number,
        "item_code": item_code,
        "value": value,
        "rule_id": meta["rule_id"],
        "severity": meta["severity"],
        "message": render_message(meta["message"], row),
        "suite_name": suite_name,
        "expectation_type": config.type,
    }


def findings_frame(findings: list[dict[str, Any]]) -> pd.DataFrame:
    """Typed (text as string, line_number as Int32), one row per grain (the first check in
    suite order wins), sorted by file, rule, line and item."""
    frame = pd.DataFrame(findings, columns=list(OUTPUT_COLUMNS))
    frame["line_number"] = pd.array(
        [None if pd.isna(v) else int(v) for v in frame["line_number"]], dtype="Int32"
    )
    for column in OUTPUT_COLUMNS:
        if column != "line_number":
            frame[column] = frame[column].astype("string")
    frame = frame.drop_duplicates(["file_path", "rule_id", "line_number", "item_code"], keep="first")
    frame = frame.sort_values(["file_path", "rule_id", "line_number", "item_code"], na_position="first", kind="stable")
    return frame.reset_index(drop=True)


def ruleset_fingerprint(gx_dir: Path, reference: list[pd.DataFrame]) -> str:
    """A checksum of what the findings depend on besides the returns: the suites and the
    reference data they are filled in from. When it changes every file is re-validated."""
    import hashlib

    digest = hashlib.sha256()
    for suite in sorted((gx_dir / "expectations").glob("*.json")):
        digest.update(suite.read_bytes())
    for frame in reference:
        digest.update(frame.to_csv(index=False).encode())
    return digest.hexdigest()[:16]


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    """Incremental: a build validates only the files `int_validation_scope` marks
    `validate` (the quarters that received new or changed files, and the quarter after),
    reading their previous quarter as context. The pre-hook in the YAML first deletes the
    findings of those files and of files no longer received. If the suites or the
    reference data changed since the stored findings were made, every file is validated
    again and the old findings are replaced."""
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="file_path")
    gx_dir = Path(dbt.config.get("gx_dir") or "gx")
    if not gx_dir.is_absolute():
        gx_dir = Path.cwd() / gx_dir  # dbt runs from the project root
    if not (gx_dir / "great_expectations.yml").is_file():
        raise FileNotFoundError(f"no Great Expectations project at {gx_dir}: run dbt from the project root")
    # dbt reads the refs from the code itself: each must be a literal dbt.ref("name")
    items = dbt.ref("ref_items").df()
    local_authorities = dbt.ref("ref_local_authorities").df()
    periods = dbt.ref("dim_period").df()
    fingerprint = ruleset_fingerprint(gx_dir, [items, local_authorities, periods])

    scoped = dbt.is_incremental
    if scoped:
        stored = {row[0] for row in session.sql(f"select distinct ruleset_fingerprint from {dbt.this}").fetchall()}
        if stored - {fingerprint}:
            session.execute(f"delete from {dbt.this}")
            scoped = False
    if scoped:
        dbt.ref("int_validation_scope").create_view("riia_validation_scope", replace=True)
        in_scope = "file_path in (select file_path from riia_validation_scope)"

    def returns_data(relation):  # noqa: ANN001, ANN202 - a DuckDB relation -> DataFrame
        return (relation.filter(in_scope) if scoped else relation).df()

    frames, parameters = build_frames(
        lines=returns_data(dbt.ref("stg_la_returns__lines")),
        files=returns_data(dbt.ref("int_return_files_versioned")),
        typed=returns_data(dbt.ref("int_return_values_typed")),
        items=items,
        local_authorities=local_authorities,
        periods=periods,
        population=dbt.ref("int_population_by_period").df(),
        indicators=dbt.ref("ref_indicators").df(),
    )
    findings = run_suites(gx_dir, frames, parameters)
    if scoped:
        validated = {
            row[0] for row in session.sql("select file_path from riia_validation_scope where scope_role = 'validate'").fetchall()
        }
        findings = findings.loc[findings["file_path"].isin(validated)].reset_index(drop=True)
    findings["ruleset_fingerprint"] = pd.Series([fingerprint] * len(findings), dtype="string")
    # A relation on dbt's own connection, not a DataFrame: dbt-duckdb writes a DataFrame
    # through a second cursor, whose temporary table the incremental insert cannot see.
    return session.from_df(findings)
