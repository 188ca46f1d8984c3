"""The tartan rug's XLSX twin, fit for a board pack (XlsxWriter).

Sheets: `Tartan rug` (the grid, coloured and lettered by band or quartile, comments and
warnings as cell notes, region and England rows), `Ranks and coverage` (one row per LA and
indicator: ranks with how many were ranked, the neighbours' coverage), `Trend` (the last
eight quarters of every LA, the region and England) and `Charts` (a native Excel line
chart per indicator, drawn from the Trend sheet), and a `Legend`. Every sheet prints
landscape on A4 fitted to the page width with its header row repeated, and has an
autofilter and frozen panes.
"""

from __future__ import annotations

from pathlib import Path

from riia.reports import formatting as fmt
from riia.reports.pages import PageFrame
from riia.reports.quarter import QuarterData
from riia.reports.rug import Rug
from riia.reports.xlsx import Book

CHART_COLOURS = {"region": "#009E73", "england": "#555555"}


def notes_of(rug: Rug) -> list[str]:
    notes = [
        f"PROVISIONAL: {rug.period} has not yet been checked and released by {rug.region_name}; figures may change."
        if rug.provisional
        else (rug.release or f"{rug.period}.")
    ]
    notes.append(
        "Colour and letter: A-D band in England where the direction is agreed (A = best); Q1-Q4 quartile in "
        "England for context indicators (no direction implied). Cell notes hold LA comments and warnings."
    )
    return notes


def grid_sheet(book: Book, rug: Rug, q: QuarterData) -> None:
    ws, row = book.sheet("Tartan rug", f"Tartan rug: {rug.region_name}, {rug.period}", notes_of(rug))
    topic = book.format(bold=True, align="center", bg_color="#dfe7f0", border=1, border_color="#ffffff")
    col = 3
    for name, span in rug.topics:
        if span > 1:
            ws.merge_range(row, col, row, col + span - 1, name, topic)
        else:
            ws.write(row, col, name, topic)
        col += span
    header = row + 1
    book.table_header(
        ws,
        header,
        ["LA code", "Local authority", "Return status"] + [f"{m.name} ({m.unit_label})" for m in rug.columns],
        [9, 26, 20] + [15] * len(rug.columns),
    )
    row = header + 1
    for la in rug.rows:
        ws.write_row(row, 0, [la.la_code, la.la_name, la.status_label])
        for col, m in enumerate(rug.columns, 3):
            if la.out:
                ws.write(row, col, la.status_label.upper(), book.missing())
                continue
            found = q.row(la.la_code, m)
            if found is None or found["value"] is None:
                ws.write(row, col, fmt.missing_text(found) if found else "no figure", book.missing())
                continue
            grade_css = fmt.grade(found, m.is_polar)[0]
            ws.write_number(row, col, found["value"], book.number(m.dp, grade_css))
            note = "\n".join(
                x
                for x in (
                    f"LA comment: {found['la_comment']}" if found.get("la_comment") else "",
                    f"Validation warning: {found['warning_rule_ids']}" if found.get("warning_rule_ids") else "",
                    "Changed since release" if found.get("is_changed_since_release") else "",
                )
                if x
            )
            if note:
                ws.write_comment(row, col, note, {"x_scale": 2, "y_scale": 1.5})
        row += 1
    last_la_row = row - 1
    bold = book.format(bold=True, top=2)
    for comparator in rug.comparators:
        ws.write_row(row, 0, ["", comparator.label, ""], bold)
        for col, (m, cell) in enumerate(zip(rug.columns, comparator.cells, strict=True), 3):
            found = q.comparator(m)
            field = "region_value" if comparator is rug.comparators[0] else "england_value"
            if found is None or found[field] is None:
                ws.write(row, col, "no figure", book.missing())
            else:
                ws.write_number(row, col, found[field], book.number(m.dp, bold=True))
                ws.write_comment(row, col, cell.sn)
        row += 1
    book.finish_table(ws, header, last_la_row, len(rug.columns) + 2, 2)


RANK_HEADERS = [
    "LA code",
    "Local authority",
    "Indicator",
    "Unit",
    "Value",
    "Band or quartile",
    "Change on last quarter",
    "Moved from",
    "Rank in region",
    "LAs ranked in region",
    "Rank among neighbours",
    "Neighbours ranked",
    "Rank in England",
    "LAs ranked in England",
    "Statistical neighbours' value",
    "Neighbours with a figure",
    "Neighbours in the group",
    "Neighbours low coverage",
    "Region value",
    "England value",
    "England LAs",
    "England coverage %",
    "Warnings",
    "LA comment",
]


def ranks_sheet(book: Book, rug: Rug, q: QuarterData) -> None:
    ws, header = book.sheet(
        "Ranks and coverage",
        f"Ranks and coverage: {rug.region_name}, {rug.period}",
        ["Ranks: 1 = highest figure. Coverage: neighbours (or LAs) with a figure of those in the group."],
    )
    book.table_header(ws, header, RANK_HEADERS, [9, 24, 30, 30, 11, 9] + [11] * (len(RANK_HEADERS) - 6))
    row = header + 1
    for la in rug.rows:
        for m in rug.columns:
            found = q.row(la.la_code, m)
            if found is None or found["value"] is None:
                reason = fmt.missing_text(found) if found else la.status_label.lower()
                ws.write_row(row, 0, [la.la_code, la.la_name, m.name, m.unit_label, reason])
                ws.write(row, 4, reason, book.missing())
                row += 1
                continue
            css, grade, *_ = fmt.grade(found, m.is_polar)
            ws.write_row(
                row,
                0,
                [
                    la.la_code,
                    la.la_name,
                    m.name,
                    m.unit_label,
                    found["value"],
                    grade,
                    found["change_on_previous_quarter"],
                    fmt.moved_from(found, m.is_polar),
                    found["rank_in_region"],
                    found["las_ranked_in_region"],
                    found["rank_among_neighbours"],
                    found["las_ranked_among_neighbours"],
                    found["rank_in_england"],
                    found["las_ranked_in_england"],
                    found["neighbours_value"],
                    found["neighbours_contributing_las"],
                    found["neighbours_member_las"],
                    "LOW" if found["is_neighbours_low_coverage"] else "",
                    found["region_value"],
                    found["england_value"],
                    found["england_contributing_las"],
                    found["england_coverage_percent"],
                    found.get("warning_rule_ids") or "",
                    found.get("la_comment") or "",
                ],
            )
            ws.write_number(row, 4, found["value"], book.number(m.dp, css))
            row += 1
    book.finish_table(ws, header, row - 1, len(RANK_HEADERS) - 1, 2)


def trend_and_charts(book: Book, rug: Rug, q: QuarterData) -> None:
    """The Trend sheet (a block per indicator) and a native line chart per indicator drawn from it."""
    ws, header = book.sheet(
        "Trend",
        f"Last {len(q.window)} quarters: {rug.region_name}, up to {rug.period}",
        ["Hatched blank cell = no figure that quarter (its cell note says why); never zero."],
    )
    book.table_header(ws, header, ["Indicator", "Unit", "Series", *q.window], [30, 30, 26] + [11] * len(q.window))
    charts_ws, chart_row = book.sheet(
        "Charts",
        f"Charts: {rug.region_name}, last {len(q.window)} quarters",
        ["One chart per indicator: the region and England; each LA's own trend is in the Trend sheet and its profile."],
    )
    row = header + 1
    for index, m in enumerate(rug.columns):
        chart = book.workbook.add_chart({"type": "line"})
        series_rows = []  # the region and England: each LA's own line is in its profile
        for la in rug.rows:
            ws.write_row(row, 0, [m.name, m.unit_label, la.la_name])
            for i, period in enumerate(q.window):
                found = q.row(la.la_code, m, period)
                if found is not None and found["value"] is not None:
                    ws.write_number(row, 3 + i, found["value"], book.number(m.dp))
                else:
                    ws.write_blank(row, 3 + i, None, book.missing())
                    ws.write_comment(row, 3 + i, fmt.missing_text(found) if found else q.absence(la.la_code, period))
            row += 1
        for label, field, key in (
            (f"{rug.region_name} (region)", "region_value", "region"),
            ("England", "england_value", "england"),
        ):
            ws.write_row(row, 0, [m.name, m.unit_label, label])
            for i, period in enumerate(q.window):
                found = q.comparator(m, period)
                if found is not None and found[field] is not None:
                    ws.write_number(row, 3 + i, found[field], book.number(m.dp))
                else:
                    ws.write_blank(row, 3 + i, None, book.missing())
            series_rows.append((row, label, key))
            row += 1
        for r, label, key in series_rows:
            chart.add_series(
                {
                    "name": label,
                    "categories": ["Trend", header, 3, header, 2 + len(q.window)],
                    "values": ["Trend", r, 3, r, 2 + len(q.window)],
                    "line": {
                        "color": CHART_COLOURS[key],
                        "width": 2.5,
                        "dash_type": "dash" if key == "england" else "solid",
                    },
                    "marker": {"type": "circle" if key == "region" else "diamond", "size": 5},
                }
            )
        chart.set_title({"name": m.name, "name_font": {"size": 11}})
        chart.set_y_axis({"name": m.unit_label, "min": 0, "name_font": {"size": 8}})
        chart.set_x_axis({"name": "Quarter", "num_font": {"rotation": -45, "size": 8}})
        chart.set_legend({"position": "bottom"})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 560, "height": 300})
        charts_ws.insert_chart(chart_row + (index // 2) * 16, (index % 2) * 9, chart)
    book.finish_table(ws, header, row - 1, 2 + len(q.window), 3)


def legend_sheet(book: Book) -> None:
    ws, row = book.sheet("Legend", "How to read the tartan rug", [])
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 90)
    for band, text in fmt.BAND_TEXT.items():
        ws.write(row, 0, band, book.number(0, f"band-{band}"))
        ws.write(row, 1, f"Band {text} (indicators whose direction is agreed)")
        row += 1
    for quartile, text in fmt.QUARTILE_TEXT.items():
        ws.write(row, 0, f"Q{quartile}", book.number(0, f"q{quartile}"))
        ws.write(row, 1, f"Quartile {text} in England (context indicators: no direction implied)")
        row += 1
    for text in (
        "QUARANTINED / NOT RECEIVED / not collected / not available: the cell says so in words, never zero.",
        "Comparators and ranks use only the LA figures this recipient may see (SHARING.md rule 5).",
        "For items only this region collects, 'England' is the region's own LAs.",
    ):
        ws.write(row, 1, text)
        row += 1


def write_workbook(path: Path, rug: Rug, q: QuarterData, frame: PageFrame) -> Path:
    book = Book(path, frame, f"Tartan rug: {rug.region_name}, {rug.period}")
    grid_sheet(book, rug, q)
    ranks_sheet(book, rug, q)
    trend_and_charts(book, rug, q)
    legend_sheet(book)
    return book.close()
