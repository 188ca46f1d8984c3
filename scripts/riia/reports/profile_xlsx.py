"""The LA profiles of one region and quarter as one workbook: a `Contents` sheet and a sheet
per LA (the HTML page says so). Each LA's sheet has one row per indicator: the value (or why
there is none), its band or quartile, the changes, the 12-month figure, the ranks with how
many were ranked, the comparators with their coverage, warnings, and the LA's comment as a
cell note; then the LA's last eight quarters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from riia.reports import formatting as fmt
from riia.reports.pages import PageFrame
from riia.reports.quarter import QuarterData
from riia.reports.xlsx import Book

HEADERS = [
    "Topic",
    "Indicator",
    "Unit",
    "Value",
    "Band or quartile",
    "Change on last quarter",
    "Change on a year ago",
    "12-month figure",
    "12-month unit",
    "Rank in region",
    "of",
    "Rank among neighbours",
    "of",
    "Rank in England",
    "of",
    "Statistical neighbours",
    "Neighbours with a figure / in group",
    "Region",
    "England",
    "Warnings",
]


def sheet_name(la_code: str, la_name: str, used: set[str]) -> str:
    """`850 Hampshire`: at most 31 characters, none Excel forbids, unique in the workbook."""
    name = re.sub(r"[\[\]:*?/\\']", "", f"{la_code} {la_name}")[:31].strip()
    while name.lower() in used:
        name = name[:28] + f"~{len(used)}"
    used.add(name.lower())
    return name


def la_sheet(book: Book, q: QuarterData, la_code: str, name: str, status: str) -> None:
    la_name = q.las[la_code]
    ws, header = book.sheet(
        name,
        f"LA profile: {la_name} ({la_code}), {q.period}",
        [
            f"PROVISIONAL: {q.period} has not yet been released; figures may change."
            if q.is_provisional
            else f"Return: {status}.",
            "Ranks: 1 = highest figure. Band A-D where the direction is agreed (A = best); Q1-Q4 = quartile in England.",
        ],
    )
    headers = HEADERS + q.window
    book.table_header(
        ws,
        header,
        headers,
        [18, 30, 28, 11, 8, 11, 11, 11, 28, 8, 5, 8, 5, 8, 5, 12, 12, 11, 11, 10] + [10] * len(q.window),
    )
    ws.write(header - 1, len(HEADERS), f"{la_name}, last {len(q.window)} quarters:", book.format(bold=True))
    row = header + 1
    for m in q.headlines:
        found = q.row(la_code, m)
        twelve = q.catalogue.twelve_month(m)
        row12 = q.row(la_code, twelve) if twelve else None
        ws.write_row(row, 0, [m.topic, m.name, m.unit_label])
        if found is None or found["value"] is None:
            ws.write(row, 3, fmt.missing_text(found) if found else q.absence(la_code, q.period), book.missing())
        else:
            css, grade, *_ = fmt.grade(found, m.is_polar)
            ws.write_number(row, 3, found["value"], book.number(m.dp, css))
            ws.write_row(
                row,
                4,
                [
                    grade,
                    found["change_on_previous_quarter"],
                    found["change_on_same_quarter_last_year"],
                ],
            )
            ws.write_row(
                row,
                9,
                [
                    found["rank_in_region"],
                    found["las_ranked_in_region"],
                    found["rank_among_neighbours"],
                    found["las_ranked_among_neighbours"],
                    found["rank_in_england"],
                    found["las_ranked_in_england"],
                    found["neighbours_value"],
                    f"{found['neighbours_contributing_las']}/{found['neighbours_member_las']}"
                    + (" LOW" if found["is_neighbours_low_coverage"] else ""),
                    found["region_value"],
                    found["england_value"],
                    found.get("warning_rule_ids") or "",
                ],
            )
            if found.get("la_comment"):
                ws.write_comment(row, 3, f"LA comment: {found['la_comment']}", {"x_scale": 2})
        if twelve is not None:
            if row12 is not None and row12["value"] is not None:
                ws.write_number(row, 7, row12["value"], book.number(twelve.dp))
            else:
                ws.write(row, 7, fmt.missing_text(row12) if row12 else "no figure", book.missing())
            ws.write(row, 8, twelve.unit_label)
        for i, period in enumerate(q.window):
            past = q.row(la_code, m, period)
            col = len(HEADERS) + i
            if past is not None and past["value"] is not None:
                ws.write_number(row, col, past["value"], book.number(m.dp))
            else:
                ws.write(row, col, fmt.missing_text(past) if past else q.absence(la_code, period), book.missing())
        row += 1
    book.finish_table(ws, header, row - 1, len(headers) - 1, 2)


def write_workbook(path: Path, q: QuarterData, frame: PageFrame, status_of: Callable[[QuarterData, str], str]) -> Path:
    """One workbook for the quarter: Contents, then a sheet per LA."""
    book = Book(path, frame, f"LA profiles: {q.region_name}, {q.period}")
    contents, row = book.sheet(
        "Contents",
        f"LA profiles: {q.region_name}, {q.period}",
        ["One sheet per LA. The HTML profiles beside this workbook add an eight-quarter chart per indicator."],
    )
    book.table_header(contents, row, ["LA code", "Local authority", "Return", "Sheet"], [9, 32, 28, 32])
    used: set[str] = {"contents"}
    names = {la: sheet_name(la, la_name, used) for la, la_name in q.las.items()}
    for i, (la, la_name) in enumerate(q.las.items(), 1):
        contents.write_row(row + i, 0, [la, la_name, status_of(q, la)])
        contents.write_url(row + i, 3, f"internal:'{names[la]}'!A1", string=names[la])
    book.finish_table(contents, row, row + len(q.las), 3, 2)
    for la in q.las:
        la_sheet(book, q, la, names[la], status_of(q, la))
    return book.close()
