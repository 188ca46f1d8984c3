"""What every report workbook shares (XlsxWriter): the marking and SAMPLE DATA on every
sheet and printed page, print setup for a board pack, and one set of cell formats.

Each sheet starts with the handling marking (and SAMPLE DATA) in its first rows and carries
them in the printed header and footer; prints landscape on A4, fitted to the page width,
with its header rows repeated; and has an autofilter and frozen panes over its table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from riia.reports import formatting as fmt
from riia.reports.pages import SAMPLE_TEXT, PageFrame, fresh

GRADE_COLOURS = (
    {f"q{q}": colours for q, colours in fmt.QUARTILE_COLOURS.items()}
    | {f"band-{b}": colours for b, colours in fmt.BAND_COLOURS.items()}
    | {"none": fmt.NO_FIGURE_COLOUR}
)


def header_text(text: str) -> str:
    """Text for an Excel page header or footer (an ampersand is written `&&`)."""
    return text.replace("&", "&&")


class Book:
    """A workbook with the recipient's marking, and formats made once and shared by every cell."""

    def __init__(self, path: Path, frame: PageFrame, title: str) -> None:
        self.path = fresh(path)
        self.frame = frame
        self.workbook: Workbook = xlsxwriter.Workbook(
            str(path),
            {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": True},
        )
        self.workbook.set_properties(
            {
                "title": title,
                "subject": frame.marking,
                "category": frame.marking,
                "keywords": "SAMPLE DATA" if frame.is_sample else "",
                "comments": (SAMPLE_TEXT + ". " if frame.is_sample else "")
                + f"For {frame.recipient}. Build {frame.build_id}.",
            }
        )
        self.workbook.set_custom_property("handling_marking", frame.marking)
        self.workbook.set_custom_property("sample_data", bool(frame.is_sample))
        self._formats: dict[tuple, Any] = {}  # by their properties, and by number()'s and missing()'s arguments

    def format(self, **properties: Any) -> Any:
        key = tuple(sorted(properties.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(properties)
        return self._formats[key]

    def number(self, dp: int, grade: str | None = None, bold: bool = False) -> Any:
        """A number's format (asked for per cell: found by its arguments, made once)."""
        key = ("number", dp, grade, bold)
        if key not in self._formats:
            props: dict[str, Any] = {"num_format": "#,##0" + ("." + "0" * dp if dp else "")}
            if grade:
                bg, fg = GRADE_COLOURS[grade]
                props |= {"bg_color": bg, "font_color": fg}
            if bold:
                props["bold"] = True
            self._formats[key] = self.format(**props)
        return self._formats[key]

    def missing(self) -> Any:
        """A cell with no figure: text on a hatched grey, never a zero."""
        key = ("missing",)
        if key not in self._formats:
            self._formats[key] = self.format(
                italic=True, pattern=8, fg_color="#d9d9d9", bg_color="#f3f2f1", text_wrap=True
            )
        return self._formats[key]

    def sheet(self, name: str, title: str, notes: list[str]) -> tuple[Worksheet, int]:
        """A sheet with the marking, SAMPLE DATA, a title and notes on top; returns it and its next free row."""
        ws = self.workbook.add_worksheet(name[:31])
        marking = self.format(bold=True, font_color="#ffffff", bg_color="#0b0c0c")
        ws.write(0, 0, self.frame.marking, marking)
        row = 1
        if self.frame.is_sample:
            ws.write(row, 0, SAMPLE_TEXT, self.format(bold=True, font_color="#ffffff", bg_color="#d4351c"))
            row += 1
        ws.write(row, 0, title, self.format(bold=True, font_size=14))
        row += 1
        for note in notes:
            ws.write(
                row,
                0,
                note,
                self.format(
                    bold=note.startswith("PROVISIONAL"),
                    bg_color="#ffdd00" if note.startswith("PROVISIONAL") else "#ffffff",
                ),
            )
            row += 1
        top = header_text(self.frame.marking + (f" - {SAMPLE_TEXT}" if self.frame.is_sample else ""))
        ws.set_header(f"&C&B{top}")
        ws.set_footer(f"&L{header_text(title)}&C&B{top}&RPage &P of &N")
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # fit to the page width, as many pages down as it takes
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.7)
        return ws, row + 1

    def table_header(self, ws: Worksheet, row: int, headers: list[str], widths: list[float] | None = None) -> None:
        """The table's header row: bold, wrapped, repeated on every printed page."""
        head = self.format(
            bold=True, text_wrap=True, valign="top", bg_color="#f3f2f1", border=1, border_color="#b1b4b6"
        )
        ws.write_row(row, 0, headers, head)
        ws.set_row(row, 60)
        ws.repeat_rows(row)
        for col, width in enumerate(widths or []):
            ws.set_column(col, col, width)

    def finish_table(self, ws: Worksheet, header_row: int, last_row: int, last_col: int, freeze_cols: int) -> None:
        ws.autofilter(header_row, 0, max(last_row, header_row), last_col)
        ws.freeze_panes(header_row + 1, freeze_cols)
        ws.print_area(0, 0, max(last_row, header_row), last_col)

    def close(self) -> Path:
        self.workbook.close()
        return self.path
