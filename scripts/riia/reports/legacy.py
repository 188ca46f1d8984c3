"""Reports people read: validation reports, tartan rugs and the data register.

Rendered by the project itself from the warehouse (opened read-only), so every page works
offline: one HTML page skeleton with inline CSS and inline SVG, no script, nothing fetched
from anywhere. Written into a temporary folder beside `--out` and swapped in whole
(os.replace) at the end:

    reports/index.html                                    links to everything below
    reports/validation/<region_code>_<region>/<yyyy-yy>_<Qn>.html and .csv
        per region and quarter, for the regional data lead to send to each LA: each LA's
        return status (accepted, accepted with warnings, quarantined, not received), the
        file and version used, what passed, and every finding (file, line, item, value,
        rule, severity, message, what to fix); superseded versions in a collapsed section.
        The CSV has one row per LA (its status) and one per finding.
    reports/tartan_rug/<region_code>_<region>/<yyyy-yy>_<Qn>.html and .xlsx
        per region and quarter: one row per LA, one column per indicator (riia_core and
        the region's own items), coloured by quartile in England, with the statistical
        neighbours', region's and England's values and a trend over the last 8 quarters;
        provisional quarters and quarantined or missing returns shown as such.
    reports/data_register.html and .csv
        every item: what it is, who collects it, which audiences receive it under which
        agreement in force on the build's as-of date (EM MoU 6.4).

Run by `make build` after the exports (scripts/quarterly_build.py).
Environment: RIIA_DUCKDB_PATH (default build/riia.duckdb), RIIA_REPORTS_DIR (default reports).
Usage: reports.py [--db build/riia.duckdb] [--out reports]
"""

from __future__ import annotations

import argparse
import csv
import html
import os
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any, Callable, Iterable

import duckdb
from openpyxl import Workbook

from riia.safe_text import spreadsheet_safe
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
import re


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

Row = dict[str, Any]

# ColorBrewer "Blues", 4 classes: sequential, colour-blind safe, readable in grey.
# (background, text) per quartile in England: 1 = lowest quarter, 4 = highest.
QUARTILE_COLOURS: dict[int, tuple[str, str]] = {
    1: ("#eff3ff", "#000000"),
    2: ("#bdd7e7", "#000000"),
    3: ("#6baed6", "#000000"),
    4: ("#2171b5", "#ffffff"),
}
QUARTILE_LABELS = {1: "1 = lowest quarter of England", 2: "2", 3: "3", 4: "4 = highest quarter of England"}
NO_FIGURE_COLOUR = "#f3f2f1"
RETURN_STATUS = {
    "accepted": "Accepted",
    "accepted_with_warnings": "Accepted with warnings",
    "quarantined": "Quarantined",
    "not_received": "Not received",
    "not_shared": "Not shared with the region",
}
STATUS_ORDER = ("accepted", "accepted_with_warnings", "quarantined", "not_received")
VALUE_STATUS = {
    "not_collected": "not collected",
    "not_available": "x (not available)",
    "not_submitted": "not submitted",
    "zero_denominator": "no denominator",
}
MEASURE_PREFERENCE = ("rate_per_10k", "percent", "average_days", "count", "rate_per_10k_12m", "percent_12m")
TREND_QUARTERS = 8

CSS = (
    """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1b1b1b;margin:0}
main,header,footer{padding:0 24px}
h1{font-size:1.6em;margin:.4em 0 .2em}h2{font-size:1.25em;margin:1.4em 0 .4em}h3{font-size:1.05em;margin:1em 0 .3em}
a{color:#1d4f91}
.marking{background:#1b1b1b;color:#fff;font-weight:700;letter-spacing:.04em;text-align:center;padding:6px}
.provisional{background:#ffdd00;color:#000;font-weight:700;text-align:center;padding:8px;border-bottom:2px solid #000}
.crumbs{margin:.8em 0 0;font-size:.9em}.meta{color:#505a5f;margin:.2em 0 1em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #b1b4b6;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f2f1}
.status{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:700;font-size:.85em;border:1px solid #000}
.status-accepted{background:#cce2d8}.status-accepted_with_warnings{background:#fff7bf}
.status-quarantined{background:#f4cdc6}.status-not_received,.status-not_shared{background:#e5e5e5}
.chips span{display:inline-block;margin:1px;padding:0 5px;border:1px solid #b1b4b6;border-radius:3px;font-size:.85em}
.chips .failed{background:#f4cdc6;border-color:#942514;font-weight:700}
.chips .warning{background:#fff7bf;border-color:#594d00}
.chips .not-checked{color:#6f777b;text-decoration:line-through}
table.findings td:first-child,table.register a{white-space:nowrap}
details{margin:.4em 0 1em}summary{cursor:pointer;color:#1d4f91}
.la-section{border-top:2px solid #1b1b1b;margin-top:1.5em}
.legend{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:.5em 0}
.swatch{display:inline-block;width:28px;height:18px;border:1px solid #505a5f;vertical-align:middle;margin-right:4px}
.scroll{overflow:auto;max-height:85vh;border:1px solid #b1b4b6}
table.rug{margin:0;font-size:12px;border-collapse:separate;border-spacing:0}
table.rug th,table.rug td{border-width:0 1px 1px 0}
table.rug th{position:sticky;top:0;z-index:2;font-weight:600;min-width:86px;max-width:120px}
table.rug thead tr.topics th{height:28px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table.rug thead tr.names th{top:28px}
table.rug th.la,table.rug td.la{position:sticky;left:0;z-index:1;background:#fff;min-width:170px;text-align:left}
table.rug thead th.la{z-index:3;background:#f3f2f1}
table.rug td{min-width:86px;text-align:right;white-space:nowrap}
table.rug td.la{white-space:normal}
table.rug td .v{font-weight:700;font-size:13px}
table.rug td .sn,table.rug td .w{display:block;font-size:10.5px}
table.rug td.none{color:#505a5f;white-space:normal;font-style:italic;text-align:center}
table.rug td.out{background:repeating-linear-gradient(135deg,#f3f2f1 0 8px,#e1e1e1 8px 16px);text-align:left;font-weight:700}
table.rug td.out span{position:sticky;left:190px}
table.rug tr.agg td{background:#fff;border-top:2px solid #1b1b1b}
svg.spark{display:block;margin:2px 0 0 auto}
"""
    + "".join(f".q{q}{{background:{bg};color:{fg}}}\n" for q, (bg, fg) in QUARTILE_COLOURS.items())
    + f"table.rug td.none,.q0{{background:{NO_FIGURE_COLOUR}}}\n"
)

PAGE = Template(
    """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="handling-marking" content="$marking">
<title>$title</title>
<style>$css</style>
</head>
<body>
$banners<header>
<p class="crumbs">$crumbs</p>
<h1>$title</h1>
<p class="meta">$meta</p>
</header>
<main>
$body
</main>
<footer>
<p class="meta">Generated by scripts/reports.py from the RIIA warehouse. Works offline: nothing on this page
is fetched from anywhere.</p>
</footer>
$marking_banner</body>
</html>
"""
)


class Html(str):
    """Markup that is already safe; any other text put on a page is escaped."""


def esc(value: object) -> str:
    if isinstance(value, Html):
        return value
    return html.escape("" if value is None else str(value), quote=True)


def page(title: str, body: str, *, meta: str, depth: int, marking: str = "", provisional: str = "") -> str:
    """The one page skeleton of every report; `depth` = folders below reports/."""
    marking_banner = f'<div class="marking">{esc(marking)}</div>\n' if marking else ""
    provisional_banner = f'<div class="provisional">{esc(provisional)}</div>\n' if provisional else ""
    return PAGE.substitute(
        title=esc(title),
        marking=esc(marking),
        css=CSS,
        banners=marking_banner + provisional_banner,
        crumbs=f'<a href="{"../" * depth}index.html">All reports</a>' if depth else "",
        meta=meta,
        body=body,
        marking_banner=marking_banner,
    )


def table(headers: Iterable[str], rows: Iterable[Iterable[object]], css_class: str = "") -> str:
    """An HTML table; cells are escaped unless they are `Html`."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'


def link(href: str, text: str) -> Html:
    return Html(f'<a href="{esc(href)}">{esc(text)}</a>')


def status_badge(status: str) -> Html:
    return Html(f'<span class="status status-{esc(status)}">{esc(RETURN_STATUS[status])}</span>')


def fmt(value: float | None, dp: int) -> str:
    return "" if value is None else f"{value:,.{dp}f}"


def period_file(period: str) -> str:
    """`2024-25 Q1` -> `2024-25_Q1`, the stem of a quarter's report files."""
    return period.replace(" ", "_")


def write_csv(path: Path, rows: list[Row]) -> None:
    """The rows as CSV for a person to open: every cell spreadsheet-safe (riia.safe_text),
    so a return's `=HYPERLINK(...)` stays text in the validation CSV an LA receives."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({name: spreadsheet_safe(value) for name, value in row.items()} for row in rows)


# --------------------------------------------------------------------------- the warehouse


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    agreement_id: str  # its regional agreement in force

    @property
    def folder(self) -> str:
        return f"{self.code}_{slug(self.name)}"


@dataclass(frozen=True)
class Column:
    """One tartan rug column: an indicator in its headline measure."""

    indicator_code: str
    measure: str
    name: str
    unit: str
    topic: str
    dp: int
    regional: bool  # a regional item: never shared beyond the region, so no England figure


@dataclass
class Warehouse:
    """Everything the reports need, read once."""

    as_of: str
    marking: str  # the regional audience's handling marking
    regions: list[Region]  # those whose regional agreement is in force
    region_las: dict[str, dict[str, str]]  # region -> la_code -> la_name, current LAs
    returns: dict[tuple[str, str], Row]  # (la_code, period) -> fct_returns
    files: dict[tuple[str, str], list[Row]]  # (la_code, period) -> fct_return_files, newest first
    findings: dict[tuple[str, str], list[Row]]  # (la_code, period) -> fct_validation_results
    rules: list[Row]
    columns: dict[str, list[Column]]  # region -> its rug's columns
    values: dict[tuple[str, str, str], Row]  # (la_code, period, indicator_code) -> shared row, headline measure
    provisional: set[tuple[str, str]]  # (region_code, period) not yet released
    period_index: dict[str, int]
    unassigned_returns: int  # returns whose LA code belongs to no region


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[Row]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def unit_of(indicator: Row) -> str:
    measure = indicator["measure"]
    if measure == "rate_per_10k":
        return f"per 10,000 aged {indicator['population_age_band']}"
    if measure == "percent":
        return f"% of {indicator['denominator_items']}"
    if measure == "average_days":
        return "average days"
    return "FTE" if indicator["value_type"] == "fte" else "count"


def headline_columns(catalogue: list[Row], region_code: str) -> list[Column]:
    """riia_core and the region's own indicators, each in its preferred measure, in register order."""
    chosen: dict[str, Row] = {}
    for row in catalogue:
        if row["item_set"] != "riia_core" and row["collecting_region_code"] != region_code:
            continue
        best = chosen.get(row["indicator_code"])
        if best is None or MEASURE_PREFERENCE.index(row["measure"]) < MEASURE_PREFERENCE.index(best["measure"]):
            chosen[row["indicator_code"]] = row
    return [
        Column(r["indicator_code"], r["measure"], r["indicator_name"], unit_of(r), r["topic"], int(r["rounding_dp"]),
               r["item_set"] == "regional")
        for r in chosen.values()
    ]


def load(con: duckdb.DuckDBPyConnection) -> Warehouse:
    as_of = con.sql("select max(as_of_date) from intermediate.int_sharing_agreements_in_force").fetchone()[0]
    marking = con.sql("select handling_marking from reference.sharing_audiences where audience = 'regional'").fetchone()[0]
    # a region sees its LAs' returns and figures only while its regional agreement is in force
    regions = [
        Region(r["region_code"], r["region_name"], r["agreement_id"])
        for r in fetch(
            con,
            """
            select r.region_code, r.region_name, a.agreement_id
            from reference.ref_regions as r
            inner join intermediate.int_sharing_agreements_in_force as a
                on r.region_code = a.region_code and a.audience = 'regional'
            order by r.region_code
            """,
        )
    ]
    region_las: dict[str, dict[str, str]] = defaultdict(dict)
    for r in fetch(con, "select region_code, la_code, la_name from marts.dim_local_authority where is_current"):
        region_las[r["region_code"]][r["la_code"]] = r["la_name"]
    returns = {
        (r["la_code"], r["period"]): r
        for r in fetch(con, r"select * from marts.fct_returns where regexp_full_match(period, '\d{4}-\d{2} Q[1-4]')")
    }
    files: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in fetch(con, "select * from marts.fct_return_files order by la_code, period, file_version desc, file_path"):
        files[(r["la_code"], r["period"])].append(r)
    findings: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for r in fetch(
        con,
        """
        select v.*, f.file_version
        from marts.fct_validation_results as v
        left join marts.fct_return_files as f on v.file_path = f.file_path
        order by v.is_latest_version desc, f.file_version desc, v.file_path,
            v.severity, v.line_number nulls first, v.rule_id, v.item_code
        """,
    ):
        findings[(r["la_code"], r["period"])].append(r)
    catalogue = fetch(
        con,
        """
        select i.*, t.topic, t.value_type, t.collecting_region_code
        from reference.ref_indicators as i
        inner join reference.ref_items as t on i.indicator_code = t.item_code
        order by t.rowid, i.rowid
        """,
    )
    columns = {region.code: headline_columns(catalogue, region.code) for region in regions}
    wanted = {(c.indicator_code, c.measure) for cols in columns.values() for c in cols}
    return Warehouse(
        as_of=str(as_of) if as_of else "not recorded (no agreement in force)",
        marking=marking,
        regions=regions,
        region_las=region_las,
        returns=returns,
        files=files,
        findings=findings,
        rules=fetch(con, "select * from reference.ref_validation_rules where severity is not null order by rowid"),
        columns=columns,
        values={
            (r["la_code"], r["period"], r["indicator_code"]): r
            for r in fetch(con, "select * from sharing.shr_regional__indicators")
            if (r["indicator_code"], r["measure"]) in wanted
        },
        provisional=set(
            con.sql("select distinct region_code, period from sharing.shr_regional__indicators where is_provisional").fetchall()
        ),
        period_index=dict(con.sql("select period, period_index from marts.dim_period").fetchall()),
        unassigned_returns=con.sql("select count(*) from marts.fct_returns where region_code is null").fetchone()[0],
    )


def las_in(wh: Warehouse, region: Region, period: str) -> list[tuple[str, str]]:
    """(la_code, la_name) of the region's current LAs and of any other LA of it that sent a return, by name."""
    las = dict(wh.region_las.get(region.code, {}))
    for (la_code, p), ret in wh.returns.items():
        if p == period and ret["region_code"] == region.code:
            las.setdefault(la_code, ret["la_name"] or la_code)
    return sorted(las.items(), key=lambda item: (item[1], item[0]))


def return_status(wh: Warehouse, la_code: str, period: str) -> str:
    ret = wh.returns.get((la_code, period))
    return ret["return_status"] if ret else "not_received"


def region_periods(wh: Warehouse, region: Region) -> list[str]:
    """Quarters for which the region received at least one return, oldest first."""
    return sorted({p for (_, p), ret in wh.returns.items() if ret["region_code"] == region.code})


# --------------------------------------------------------------------------- validation report

FINDING_COLUMNS = {
    "source_file": "File",
    "line_number": "Line",
    "item_code": "Item",
    "value": "Value",
    "rule_id": "Rule",
    "severity": "Severity",
    "message": "Message",
    "what_to_fix": "What to fix",
}
VALIDATION_CSV_FIELDS = (
    "record", "region_code", "region_name", "period", "la_code", "la_name", "return_status", "source_file",
    "file_version", "versions_received", "errors", "warnings", "is_version_in_use", "line_number", "item_code",
    "value", "rule_id", "severity", "message", "what_to_fix", "handling_marking",
)


def findings_table(findings: list[Row]) -> str:
    return table(FINDING_COLUMNS.values(), ([f[k] for k in FINDING_COLUMNS] for f in findings), "findings")


def rule_chips(wh: Warehouse, latest: list[Row]) -> str:
    """What passed and what failed, rule by rule, on the version in use."""
    severity = {f["rule_id"]: f["severity"] for f in sorted(latest, key=lambda f: f["severity"] == "error")}
    unreadable = severity.get("T01") == "error"  # nothing else could be checked
    chips = []
    for rule in wh.rules:
        state = {"error": "failed", "warning": "warning"}.get(severity.get(rule["rule_id"], ""))
        state = state or ("not-checked" if unreadable else "passed")
        chips.append(
            f'<span class="{state}" title="{esc(rule["rule_text"])}">{esc(rule["rule_id"])} {state.replace("-", " ")}</span>'
        )
    return f'<p class="chips">Checks on the version in use: {" ".join(chips)}</p>'


def la_section(wh: Warehouse, period: str, la_code: str, la_name: str, status: str) -> str:
    fy, quarter = period.split(" ")
    ret = wh.returns.get((la_code, period))
    found = wh.findings.get((la_code, period), [])
    latest = [f for f in found if f["is_latest_version"]]
    superseded = [f for f in found if not f["is_latest_version"]]
    parts = [f'<section class="la-section" id="la-{esc(slug(la_code))}"><h2>{esc(la_name)} ({esc(la_code)}) {status_badge(status)}</h2>']
    if ret is None:
        parts.append(
            f"<p>No return was received for {esc(period)}. Send it as <code>{esc(la_code)}_{esc(fy)}_{esc(quarter)}.csv</code>.</p>"
        )
    else:
        parts.append(
            f"<p>File in use: <strong>{esc(ret['source_file'])}</strong> (version {esc(ret['file_version'])}; "
            f"{esc(ret['versions_received'])} version(s) received; {esc(ret['data_line_count'])} data lines).</p>"
        )
        if status == "quarantined":
            parts.append(
                "<p><strong>This return is quarantined:</strong> none of its figures is used or shared until a corrected "
                "return is sent as a new version, "
                f"<code>{esc(la_code)}_{esc(fy)}_{esc(quarter)}_v{int(ret['file_version']) + 1}.csv</code>.</p>"
            )
        parts.append(rule_chips(wh, latest))
        if latest:
            parts.append(f"<h3>Findings on {esc(ret['source_file'])}</h3>{findings_table(latest)}")
        else:
            parts.append("<p>Every check passed: nothing to fix.</p>")
    older = [v["source_file"] for v in wh.files.get((la_code, period), []) if not v["is_latest_version"]]
    if older:
        parts.append(
            f"<details><summary>Superseded versions: {esc(', '.join(older))} ({len(superseded)} finding(s))</summary>"
            "<p>Kept for the record (rule S01); these findings no longer count.</p>"
            + (findings_table(superseded) if superseded else "")
            + "</details>"
        )
    return "\n".join(parts) + "</section>"


def validation_csv_rows(wh: Warehouse, region: Region, period: str, la_code: str, la_name: str, status: str) -> list[Row]:
    """One row for the LA's status, then one per finding (every version)."""
    ret = wh.returns.get((la_code, period)) or {}
    base = dict.fromkeys(VALIDATION_CSV_FIELDS, "") | {
        "region_code": region.code,
        "region_name": region.name,
        "period": period,
        "la_code": la_code,
        "la_name": la_name,
        "return_status": status,
        "versions_received": ret.get("versions_received", 0),
        "handling_marking": wh.marking,
    }
    rows = [
        base
        | {
            "record": "la_status",
            "source_file": ret.get("source_file", ""),
            "file_version": ret.get("file_version", ""),
            "errors": ret.get("error_count", ""),
            "warnings": ret.get("warning_count", ""),
        }
    ]
    for f in wh.findings.get((la_code, period), []):
        rows.append(
            base
            | {k: "" if f[k] is None else f[k] for k in FINDING_COLUMNS}
            | {
                "record": "finding",
                "file_version": f["file_version"] or "",
                "is_version_in_use": "true" if f["is_latest_version"] else "false",
            }
        )
    return rows


def validation_report(wh: Warehouse, region: Region, period: str) -> tuple[str, list[Row], Counter[str]]:
    """(HTML, CSV rows, LAs by status) for one region and quarter."""
    counts: Counter[str] = Counter()
    summary, sections, csv_rows = [], [], []
    for la_code, la_name in las_in(wh, region, period):
        status = return_status(wh, la_code, period)
        counts[status] += 1
        ret = wh.returns.get((la_code, period)) or {}
        summary.append(
            [
                Html(f'<a href="#la-{esc(slug(la_code))}">{esc(la_name)}</a> ({esc(la_code)})'),
                status_badge(status),
                ret.get("source_file"),
                f"{ret['file_version']} of {ret['versions_received']}" if ret else "",
                ret.get("error_count"),
                ret.get("warning_count"),
            ]
        )
        sections.append(la_section(wh, period, la_code, la_name, status))
        csv_rows += validation_csv_rows(wh, region, period, la_code, la_name, status)

    rules = table(
        ("Rule", "What it checks", "Severity", "What to fix"),
        ([r["rule_id"], r["rule_text"], r["severity"], r["what_to_fix"]] for r in wh.rules),
    )
    body = (
        "<p>" + " &middot; ".join(f"{status_badge(s)} {counts[s]}" for s in STATUS_ORDER) + "</p>"
        "<p>An <em>error</em> quarantines the return: none of its figures is used until a corrected version "
        "arrives. A <em>warning</em> is reported here and shown beside the figure; the data is used.</p>"
        + table(("Local authority", "Status", "File in use", "Version", "Errors", "Warnings"), summary, "summary")
        + "\n".join(sections)
        + f"<h2>The guidance rules</h2>{rules}"
    )
    name = period_file(period)
    meta = (
        f"{esc(region.name)} ({esc(region.code)}), returns for {esc(period)}, as of {esc(wh.as_of)}. "
        f"CSV of this report: {link(f'{name}.csv', f'{name}.csv')}. "
        f"{link(f'../../tartan_rug/{region.folder}/{name}.html', 'Tartan rug for this quarter')}."
    )
    return page(f"Validation report: {region.name}, {period}", body, meta=meta, depth=2, marking=wh.marking), csv_rows, counts


# --------------------------------------------------------------------------- tartan rug


@dataclass
class RugRow:
    la_code: str
    la_name: str
    status: str  # a RETURN_STATUS key
    shown: bool  # the region holds the LA's figures for the quarter


@dataclass
class Rug:
    """One region and quarter's tartan rug, rendered as HTML and as XLSX."""

    region: Region
    period: str
    columns: list[Column]
    rows: list[RugRow]
    provisional: str  # the banner, empty once the region has released the quarter
    marking: str
    trend: list[str]  # the last quarters up to this one

    def value(self, wh: Warehouse, la_code: str, column: Column, period: str | None = None) -> Row | None:
        return wh.values.get((la_code, period or self.period, column.indicator_code))

    def aggregate(self, wh: Warehouse, column: Column, field: str, period: str | None = None) -> Row | None:
        """A row holding the region's or England's `field` (the same on every LA's row)."""
        for r in self.rows:
            row = self.value(wh, r.la_code, column, period)
            if row is not None and row[field] is not None:
                return row
        return None


def make_rug(wh: Warehouse, region: Region, period: str) -> Rug:
    columns = wh.columns[region.code]
    rows = []
    for la_code, la_name in las_in(wh, region, period):
        shown = any((la_code, period, c.indicator_code) in wh.values for c in columns)
        status = return_status(wh, la_code, period)
        if not shown and status in ("accepted", "accepted_with_warnings"):
            status = "not_shared"  # e.g. an LA exception for the regional audience
        rows.append(RugRow(la_code, la_name, status, shown))
    provisional = (
        f"PROVISIONAL: {period} has not yet been checked and released by {region.name}. Figures may change; do not forward."
        if (region.code, period) in wh.provisional
        else ""
    )
    last = wh.period_index[period]
    by_index = {i: p for p, i in wh.period_index.items()}
    trend = [by_index[i] for i in range(last - TREND_QUARTERS + 1, last + 1) if i in by_index]
    return Rug(region, period, columns, rows, provisional, wh.marking, trend)


def sparkline(points: list[tuple[str, float | None, bool]], dp: int) -> str:
    """Inline SVG trend of (period, value, provisional): gaps where there is no figure, hollow = provisional."""
    known = [v for _, v, _ in points if v is not None]
    if not known:
        return ""
    width, height, pad = 64, 18, 2
    low, high = min(known), max(known)
    step = (width - 2 * pad) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> str:
        y = height / 2 if high == low else pad + (high - v) / (high - low) * (height - 2 * pad)
        return f"{pad + i * step:.1f},{y:.1f}"

    segments: list[list[str]] = [[]]
    dots = []
    for i, (_, v, provisional) in enumerate(points):
        if v is None:
            segments.append([])
            continue
        segments[-1].append(xy(i, v))
        alone = (i == 0 or points[i - 1][1] is None) and (i == len(points) - 1 or points[i + 1][1] is None)
        if provisional or alone or i == len(points) - 1:
            x, y = xy(i, v).split(",")
            fill = "none" if provisional else "currentColor"
            dots.append(f'<circle cx="{x}" cy="{y}" r="1.8" fill="{fill}" stroke="currentColor"/>')
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="currentColor" stroke-width="1.2"/>' for s in segments if len(s) > 1
    )
    label = "Trend: " + "; ".join(
        f"{p} {fmt(v, dp) if v is not None else 'no figure'}{' (provisional)' if prov else ''}" for p, v, prov in points
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
        f"<title>{esc(label)}</title>{lines}{''.join(dots)}</svg>"
    )


def cell_text(row: Row | None, dp: int) -> str:
    """The figure as text, or what stands in its place (never a zero for a missing figure)."""
    if row is None:
        return "no figure"
    if row["value"] is None:
        return VALUE_STATUS.get(row["value_status"], row["value_status"])
    return fmt(row["value"], dp)


def la_cell(rug: Rug, la_name: str, column: Column, row: Row | None, trend: str) -> str:
    if row is None or row["value"] is None:
        return f'<td class="none">{esc(cell_text(row, column.dp))}{trend}</td>'
    quartile = row["quartile_in_england"]
    sn = fmt(row["neighbours_value"], column.dp)
    title = " ".join(
        [
            f"{la_name}: {column.name} ({column.unit}) {fmt(row['value'], column.dp)}.",
            f"Quartile {quartile} of England (rank {row['rank_in_england']} of {row['las_ranked_in_england']})."
            if quartile
            else "No England quartile.",
            f"Rank {row['rank_in_region']} of {row['las_ranked_in_region']} in {rug.region.name}.",
            f"Statistical neighbours {sn} ({row['neighbours_contributing_las']} LAs)." if sn else "No statistical-neighbour value.",
            f"Validation warnings: {row['warning_rule_ids']}." if row["warning_rule_ids"] else "",
        ]
    )
    warning = f'<span class="w">&#9888; {esc(row["warning_rule_ids"])}</span>' if row["warning_rule_ids"] else ""
    return (
        f'<td class="q{quartile or 0}" title="{esc(title.strip())}"><span class="v">{esc(fmt(row["value"], column.dp))}</span>'
        f'{warning}<span class="sn">SN {esc(sn or "-")}</span>{trend}</td>'
    )


def tartan_html(wh: Warehouse, rug: Rug) -> str:
    def trend_of(get: Callable[[str], Row | None], field: str, dp: int) -> str:
        return sparkline([(p, (get(p) or {}).get(field), (rug.region.code, p) in wh.provisional) for p in rug.trend], dp)

    topics: list[list[Any]] = []  # [topic, columns] of consecutive columns
    for c in rug.columns:
        if topics and topics[-1][0] == c.topic:
            topics[-1][1] += 1
        else:
            topics.append([c.topic, 1])
    head = (
        '<tr class="topics"><th class="la" rowspan="2">Local authority</th>'
        + "".join(f'<th colspan="{n}" title="{esc(t)}">{esc(t)}</th>' for t, n in topics)
        + '</tr><tr class="names">'
        + "".join(
            f'<th title="{esc(c.indicator_code)} {esc(c.measure)}">{esc(c.name)}<br><small>{esc(c.unit)}</small></th>'
            for c in rug.columns
        )
        + "</tr>"
    )
    name = period_file(rug.period)
    validation = f"../../validation/{rug.region.folder}/{name}.html"
    body_rows = []
    for r in rug.rows:
        label = f'<td class="la"><strong>{esc(r.la_name)}</strong> ({esc(r.la_code)})<br>{status_badge(r.status)}</td>'
        if not r.shown:
            ret = wh.returns.get((r.la_code, rug.period)) or {}
            why = {
                "quarantined": f"Return quarantined (failed {ret.get('error_rule_ids')}): "
                "no figures are used until a corrected version is accepted.",
                "not_received": f"No return received for {rug.period}.",
                "not_shared": "The LA's figures are not shared with the region for this quarter.",
            }[r.status]
            body_rows.append(
                f'<tr>{label}<td class="out" colspan="{len(rug.columns)}"><span>{esc(r.status.replace("_", " ").upper())}: '
                f"{esc(why)} {link(f'{validation}#la-{slug(r.la_code)}', 'Validation report')}</span></td></tr>"
            )
            continue
        cells = [
            la_cell(
                rug, r.la_name, c, rug.value(wh, r.la_code, c),
                trend_of(lambda p, c=c, la=r.la_code: rug.value(wh, la, c, p), "value", c.dp),
            )
            for c in rug.columns
        ]
        body_rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    for field, count, label in (
        ("region_value", "region_contributing_las", f"{rug.region.name} (region)"),
        ("england_value", "england_contributing_las", "England"),
    ):
        cells = []
        for c in rug.columns:
            row = rug.aggregate(wh, c, field)
            trend = trend_of(lambda p, c=c: rug.aggregate(wh, c, field, p), field, c.dp)
            if row is None:
                missing = "regional item: not shared beyond the region" if c.regional and field == "england_value" else "no figure"
                cells.append(f'<td class="none">{missing}{trend}</td>')
                continue
            coverage = f", {row['england_coverage_percent']}% of England's children" if field == "england_value" else ""
            title = f"{label}: {c.name} {fmt(row[field], c.dp)} from {row[count]} LAs{coverage}"
            cells.append(
                f'<td title="{esc(title)}"><span class="v">{esc(fmt(row[field], c.dp))}</span>'
                f'<span class="sn">{esc(row[count])} LAs</span>{trend}</td>'
            )
        body_rows.append(f'<tr class="agg"><td class="la"><strong>{esc(label)}</strong></td>{"".join(cells)}</tr>')

    legend = (
        '<div class="legend"><strong>Quartile in England:</strong>'
        + "".join(f'<span><span class="swatch q{q}"></span>{esc(text)}</span>' for q, text in QUARTILE_LABELS.items())
        + '<span><span class="swatch q0"></span>no figure or no England quartile</span></div>'
        "<p>The colour says only where a figure sits among England's LAs (1 = lowest quarter, 4 = highest); "
        "it is not a judgement of good or bad. <strong>SN</strong> = the LA's statistical neighbours as one group. "
        "&#9888; = a validation warning on the figure. The line under each figure is its trend over the last "
        f"{TREND_QUARTERS} quarters (hollow point = provisional quarter); hover a cell for ranks and details. "
        "Statistical-neighbour and England values use only LAs shared cross-regionally. Quarantined or missing "
        "returns are shown as such, never as zero.</p>"
    )
    body = f'{legend}<div class="scroll"><table class="rug"><thead>{head}</thead><tbody>\n{chr(10).join(body_rows)}\n</tbody></table></div>'
    meta = (
        f"{esc(rug.region.name)} ({esc(rug.region.code)}), {esc(rug.period)}, as of {esc(wh.as_of)}, shared under "
        f"{esc(rug.region.agreement_id)}. Spreadsheet: {link(f'{name}.xlsx', f'{name}.xlsx')}. "
        f"{link(validation, 'Validation report for this quarter')}."
    )
    title = f"Tartan rug: {rug.region.name}, {rug.period}" + (" (PROVISIONAL)" if rug.provisional else "")
    return page(title, body, meta=meta, depth=2, marking=rug.marking, provisional=rug.provisional)


def solid(colour: str) -> PatternFill:
    return PatternFill("solid", fgColor=colour.lstrip("#").upper())


# openpyxl styles, made once and shared by every cell (far faster than one per cell)
XL_BOLD = Font(bold=True)
XL_WRAP = Alignment(wrap_text=True, vertical="top")
XL_MARKING = (Font(bold=True, color="FFFFFF"), solid("#1b1b1b"))
XL_PROVISIONAL = solid("#ffdd00")
XL_NO_FIGURE = solid(NO_FIGURE_COLOUR)
XL_QUARTILE = {q: (solid(bg), Font(color=fg.lstrip("#").upper())) for q, (bg, fg) in QUARTILE_COLOURS.items()}


def sheet_top(ws: Worksheet, rug: Rug, title: str, note: str) -> None:
    """Rows 1-5: handling marking (also the printed header and footer), title, release status, a note, blank."""
    ws["A1"] = rug.marking
    ws["A1"].font, ws["A1"].fill = XL_MARKING
    ws["A2"] = title
    ws["A2"].font = Font(bold=True, size=14)
    ws["A3"] = rug.provisional or f"{rug.period}: checked and released by {rug.region.name}."
    if rug.provisional:
        ws["A3"].font, ws["A3"].fill = XL_BOLD, XL_PROVISIONAL
    ws["A4"] = note
    ws.append([])
    ws.oddHeader.center.text = rug.marking
    ws.oddFooter.center.text = rug.marking


def header_row(ws: Worksheet, headers: list[str]) -> None:
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font, cell.alignment = XL_BOLD, XL_WRAP


def tartan_xlsx(wh: Warehouse, rug: Rug, path: Path) -> None:
    """The rug as a workbook: the rug, the neighbours' values, the trends and a legend, a sheet each."""
    book = Workbook()
    grids = (
        ("Tartan rug", "value", "Colour = quartile in England (1 = lowest quarter, 4 = highest); not a judgement of good or bad."),
        ("Statistical neighbours", "neighbours_value", "Each LA's statistical neighbours as one group (LAs shared cross-regionally)."),
    )
    for index, (sheet_name, field, note) in enumerate(grids):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = sheet_name
        sheet_top(ws, rug, f"{sheet_name}: {rug.region.name}, {rug.period}", note)
        header_row(ws, ["LA code", "Local authority", "Return status"] + [f"{c.name} ({c.unit})" for c in rug.columns])
        ws.row_dimensions[ws.max_row].height = 75
        for r in rug.rows:
            ws.append([r.la_code, r.la_name, RETURN_STATUS[r.status]])
            for col, c in enumerate(rug.columns, 4):
                row = rug.value(wh, r.la_code, c)
                if not r.shown:  # quarantined, not received: text, never a zero
                    cell = ws.cell(ws.max_row, col, r.status.replace("_", " ").upper())
                elif row is None or row[field] is None:
                    cell = ws.cell(ws.max_row, col, cell_text(row, c.dp) if field == "value" else "no figure")
                else:
                    cell = ws.cell(ws.max_row, col, row[field])
                    cell.number_format = "#,##0" + ("." + "0" * c.dp if c.dp else "")
                    if field == "value" and row["quartile_in_england"]:
                        cell.fill, cell.font = XL_QUARTILE[row["quartile_in_england"]]
                    continue
                cell.fill = XL_NO_FIGURE
        if field == "value":
            for agg, code, name in (("region_value", "REGION", rug.region.name), ("england_value", "ENGLAND", "England")):
                ws.append([code, name, ""] + [(rug.aggregate(wh, c, agg) or {}).get(agg, "no figure") for c in rug.columns])
                for cell in ws[ws.max_row]:
                    cell.font = XL_BOLD
        ws.freeze_panes = "D7"
        ws.column_dimensions["B"].width = 28
        ws.column_dimensions["C"].width = 22
        for col in range(4, len(rug.columns) + 4):
            ws.column_dimensions[get_column_letter(col)].width = 14

    ws = book.create_sheet("Trend")
    sheet_top(ws, rug, f"Trend over the last {TREND_QUARTERS} quarters: {rug.region.name}, {rug.period}",
              "Blank = no figure (quarantined, not received or not available), never zero.")
    header_row(ws, ["LA code", "Local authority", "Indicator", "Unit"]
               + [p + (" PROVISIONAL" if (rug.region.code, p) in wh.provisional else "") for p in rug.trend])
    for r in rug.rows:
        for c in rug.columns:
            ws.append([r.la_code, r.la_name, c.name, c.unit] + [(rug.value(wh, r.la_code, c, p) or {}).get("value") for p in rug.trend])
    for agg, code, name in (("region_value", "REGION", rug.region.name), ("england_value", "ENGLAND", "England")):
        for c in rug.columns:
            ws.append([code, name, c.name, c.unit] + [(rug.aggregate(wh, c, agg, p) or {}).get(agg) for p in rug.trend])
    ws.freeze_panes = "E7"

    ws = book.create_sheet("Legend")
    sheet_top(ws, rug, "Legend", "How to read the tartan rug.")
    for q, text in QUARTILE_LABELS.items():
        ws.append([q, text])
        ws.cell(ws.max_row, 1).fill, ws.cell(ws.max_row, 1).font = XL_QUARTILE[q]
    for text in (
        "The colour says only where a figure sits among England's LAs; it is not a judgement of good or bad.",
        "QUARANTINED / NOT RECEIVED: the LA has no accepted return for the quarter; its cells are text, never zero.",
        "Statistical-neighbour and England values use only LAs shared cross-regionally (SHARING.md rule 5).",
    ):
        ws.append([text])
    book.save(path)


# --------------------------------------------------------------------------- data register


def data_register(con: duckdb.DuckDBPyConnection, wh: Warehouse) -> tuple[str, list[Row]]:
    """(HTML, CSV rows: one per item and agreement that shares it) from the seeds and the agreements in force."""
    items = fetch(con, "select * from reference.ref_items order by rowid")
    measures: dict[str, list[str]] = defaultdict(list)
    for code, measure in con.sql("select indicator_code, measure from reference.ref_indicators order by rowid").fetchall():
        measures[code].append(measure)
    region_names = dict(con.sql("select region_code, region_name from reference.ref_regions").fetchall())
    audiences = fetch(con, "select * from reference.sharing_audiences order by rowid")
    in_force = fetch(
        con,
        """
        select a.*, s.audience_name, s.handling_marking
        from intermediate.int_sharing_agreements_in_force as a
        inner join reference.sharing_audiences as s on a.audience = s.audience
        order by s.rowid, a.region_code
        """,
    )
    others = fetch(
        con,
        """
        select * from reference.sharing_agreements
        where agreement_id not in (select agreement_id from intermediate.int_sharing_agreements_in_force)
        order by agreement_id
        """,
    )
    exceptions = fetch(con, "select * from reference.la_sharing_exceptions order by la_code, audience")

    def recipients(item: Row) -> list[Row]:
        if item["item_set"] == "regional":  # SHARING.md rule 4: regional items never leave their region
            return [a for a in in_force if a["audience"] == "regional" and a["region_code"] == item["collecting_region_code"]]
        return [a for a in in_force if a["item_set"] in ("all", "riia_core")]

    csv_rows: list[Row] = []
    html_rows: list[list[object]] = []
    for item in items:
        regional = item["item_set"] == "regional"
        collected_by = region_names.get(item["collecting_region_code"], "") if regional else "All regions"
        note = (
            f"Regional item collected by {collected_by} for its own use: goes to that region's alliance only, "
            "never leaves the region."
            if regional
            else "RIIA core item: shared beyond the region only as the agreements in force allow."
        )
        given = recipients(item)
        base = {
            "item_code": item["item_code"],
            "item_name": item["item_name"],
            "topic": item["topic"],
            "basis": item["basis"],
            "value_type": item["value_type"],
            "item_set": item["item_set"],
            "collected_by": collected_by,
            "indicators": " ".join(measures[item["item_code"]]),
        }
        for a in given or [{}]:
            csv_rows.append(
                base
                | {k: a.get(k, "") for k in ("audience", "audience_name", "grain", "region_code")}
                | {"region_name": region_names.get(a.get("region_code"), "")}
                | {k: a.get(k, "") for k in ("agreement_id", "clause", "handling_marking")}
                | {"as_of_date": wh.as_of, "note": note if a else f"{note} No agreement in force shares it on the as-of date."}
            )
        by_audience: dict[str, list[Row]] = defaultdict(list)
        for a in given:
            by_audience[a["audience_name"]].append(a)
        received = "<br>".join(
            f"<strong>{esc(audience)}</strong>: "
            + ", ".join(f'<a href="#agr-{esc(a["agreement_id"])}" title="{esc(a["clause"])}">{esc(a["agreement_id"])}</a>' for a in agreements)
            for audience, agreements in by_audience.items()
        ) or "No audience on the as-of date."
        if regional:
            received += "<br><em>Never leaves the region.</em>"
        html_rows.append(
            [
                Html(f"<code>{esc(item['item_code'])}</code>"),
                item["item_name"],
                item["topic"],
                item["basis"],
                item["value_type"],
                item["item_set"],
                collected_by,
                ", ".join(measures[item["item_code"]]) or "-",
                Html(received),
            ]
        )

    body = (
        "<p>What the alliances <strong>record</strong> (counts per LA and quarter, never child-level data), "
        "<strong>link</strong> (each item becomes indicators with ONS populations and is compared with the region, "
        "statistical neighbours and England) and <strong>share</strong> (which audience receives it, under which "
        f"agreement in force on {esc(wh.as_of)}). Generated from the seeds <code>ref_items</code>, "
        "<code>ref_indicators</code>, <code>sharing_agreements</code> and <code>sharing_audiences</code>; "
        f"also as {link('data_register.csv', 'data_register.csv')} (one row per item and agreement).</p>"
        "<p><strong>Regional items never leave the region</strong> (SHARING.md rule 4): they go to the collecting "
        "region's own alliance only, never to DfE, cross-regional or national audiences. Each regional alliance "
        "receives its own LAs' figures only.</p>"
        f"<h2>Items ({len(items)})</h2>"
        + table(
            ("Code", "Name", "Topic", "Basis", "Value", "Set", "Collected by", "Indicators", "Received by (agreement in force)"),
            html_rows,
            "register",
        )
        + "<h2>Audiences</h2>"
        + table(
            ("Audience", "Grain", "What it receives", "Handling marking"),
            ([a["audience_name"], a["grain"], a["description"], a["handling_marking"]] for a in audiences),
        )
        + f"<h2>Agreements in force on {esc(wh.as_of)}</h2>"
        + table(
            ("Agreement", "Region", "Audience", "Grain", "Items", "In force from", "In force to", "Clause"),
            (
                [Html(f'<span id="agr-{esc(a["agreement_id"])}">{esc(a["agreement_id"])}</span>'),
                 region_names.get(a["region_code"], a["region_code"]), a["audience_name"], a["grain"], a["item_set"],
                 a["in_force_from"], a["in_force_to"] or "until revoked", a["clause"]]
                for a in in_force
            ),
        )
        + "<h2>Agreements not in force on the as-of date (nothing is shared under them)</h2>"
        + table(
            ("Agreement", "Region", "Audience", "In force from", "In force to", "Terminated on", "Clause"),
            (
                [a["agreement_id"], region_names.get(a["region_code"], ""), a["audience"], a["in_force_from"],
                 a["in_force_to"], a["terminated_on"], a["clause"]]
                for a in others
            ),
        )
        + "<h2>LA exceptions (participation is voluntary)</h2>"
        + (
            table(
                ("LA", "Audience", "Excluded from", "Excluded to", "Reason"),
                ([e["la_code"], e["audience"], e["excluded_from"], e["excluded_to"], e["reason"]] for e in exceptions),
            )
            if exceptions
            else "<p>None recorded: every LA shares as its region agreed.</p>"
        )
    )
    meta = f"As of {esc(wh.as_of)}. EM MoU 6.4: a register of the data items that explains what is recorded, linked and shared."
    return page("Data register", body, meta=meta, depth=0), csv_rows


# --------------------------------------------------------------------------- index, writing, main


@dataclass
class Written:
    region: Region
    period: str
    counts: Counter[str]  # LAs by return status
    rug: bool
    provisional: bool
    real_period: bool  # a quarter of the calendar so far (a file may name a future one: rule T03)


def describe(written: list[Written], period: str | None = None) -> str:
    """'N accepted, N accepted with warnings, N quarantined, N not received', over every quarter or one."""
    counts: Counter[str] = Counter()
    for w in written:
        if period is None or w.period == period:
            counts.update(w.counts)
    return ", ".join(f"{counts[s]} {RETURN_STATUS[s].lower()}" for s in STATUS_ORDER)


def index_page(wh: Warehouse, written: list[Written]) -> str:
    parts = [
        f"<p>Returns, all quarters: {esc(describe(written))}.</p>",
        f"<p>{link('data_register.html', 'Data register')} ({link('data_register.csv', 'CSV')}): every item, "
        "who collects it and who receives it under which agreement.</p>",
    ]
    if wh.unassigned_returns:
        parts.append(
            f"<p>{wh.unassigned_returns} return(s) could not be matched to an LA of any region and are in no regional "
            "report: see <code>marts.fct_returns</code> where <code>region_code</code> is empty.</p>"
        )
    for region in wh.regions:
        rows = []
        for w in sorted((w for w in written if w.region == region), key=lambda w: w.period, reverse=True):
            stem = f"{region.folder}/{period_file(w.period)}"
            rows.append(
                [
                    Html(esc(w.period) + (" <strong>PROVISIONAL</strong>" if w.provisional else "")),
                    Html(f"{link(f'validation/{stem}.html', 'HTML')} &middot; {link(f'validation/{stem}.csv', 'CSV')}"),
                    Html(f"{link(f'tartan_rug/{stem}.html', 'HTML')} &middot; {link(f'tartan_rug/{stem}.xlsx', 'XLSX')}")
                    if w.rug
                    else "no figures shared",
                ]
                + [w.counts[s] for s in STATUS_ORDER]
            )
        parts.append(f"<h2>{esc(region.name)} ({esc(region.code)})</h2>")
        parts.append(
            table(("Quarter", "Validation report", "Tartan rug", "Accepted", "With warnings", "Quarantined", "Not received"), rows)
            if rows
            else "<p>No returns received.</p>"
        )
    meta = f"As of {esc(wh.as_of)}. Regional reports are marked {esc(wh.marking)}."
    return page("RIIA reports", "\n".join(parts), meta=meta, depth=0)


def write_reports(db_path: Path, out: Path) -> list[Written]:
    """Write every report into the empty folder `out`; return what was written."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        wh = load(con)
        register_html, register_rows = data_register(con, wh)
    (out / "data_register.html").write_text(register_html, encoding="utf-8")
    write_csv(out / "data_register.csv", register_rows)
    written = []
    for region in wh.regions:
        for period in region_periods(wh, region):
            name = period_file(period)
            folder = out / "validation" / region.folder
            folder.mkdir(parents=True, exist_ok=True)
            validation_html, validation_rows, counts = validation_report(wh, region, period)
            (folder / f"{name}.html").write_text(validation_html, encoding="utf-8")
            write_csv(folder / f"{name}.csv", validation_rows)
            rug = make_rug(wh, region, period) if period in wh.period_index else None
            has_figures = rug is not None and any(r.shown for r in rug.rows)
            if rug is not None and has_figures:
                folder = out / "tartan_rug" / region.folder
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{name}.html").write_text(tartan_html(wh, rug), encoding="utf-8")
                tartan_xlsx(wh, rug, folder / f"{name}.xlsx")
            written.append(Written(region, period, counts, has_figures, bool(rug and rug.provisional), rug is not None))
    (out / "index.html").write_text(index_page(wh, written), encoding="utf-8")
    return written


def publish(db_path: Path, out: Path) -> list[Written]:
    """Write the reports into a temporary folder beside `out`, then swap it in whole."""
    return publish_exports.publish_tree(out, lambda folder: write_reports(db_path, folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(os.environ.get("RIIA_DUCKDB_PATH", "build/riia.duckdb")))
    parser.add_argument("--out", type=Path, default=Path(os.environ.get("RIIA_REPORTS_DIR", "reports")))
    args = parser.parse_args(argv)
    out = publish_exports.project_path(args.out)
    written = publish(publish_exports.project_path(args.db), out)
    latest = max((w.period for w in written if w.real_period), default=None)
    print(f"\nReports written to {out}:")
    print(f"  index:              {out / 'index.html'}")
    print(f"  validation reports: {out / 'validation'}/<region>/<quarter>.html and .csv (to send to each LA)")
    print(f"  tartan rugs:        {out / 'tartan_rug'}/<region>/<quarter>.html and .xlsx")
    print(f"  data register:      {out / 'data_register.html'} and .csv")
    print(f"Returns, all quarters: {describe(written)}.")
    if latest:
        print(f"Returns, {latest}: {describe(written, latest)}. Validation reports: {out / 'validation'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
