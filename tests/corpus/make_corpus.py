#!/usr/bin/env python3
"""Write the bad-input corpus: real spreadsheet-export malformations of an LA return.

Each case is one folder under `tests/corpus/files/` named after its malformation, holding
the return file(s) exactly as a spreadsheet or export tool would have written the bytes.
Almost every case starts from the valid return of the test fixtures
(`tests/python/conftest.py: valid_return_rows`, 31 riia_core items, header on line 1,
CONTACTS on line 2 ... EHCP_ISSUED on line 32) and breaks one thing. Every case has its
own LA (none in the East Midlands or South East, whose regional items the base return
does not carry), so cases cannot interact: the file name decides the LA and quarter a
return is filed under. The quarters are those whose item register is the base return's:
the 31 riia_core items include the six collected from 2022-23 Q1 (RETURN_TEMPLATE.md
section 1a), so a case's quarter is one from 2022-23 Q1 that has ended, or the base
return would also break T04.

`tests/corpus/expected.csv` is written from the same table: per file, the malformation in
words and the finding(s) the pipeline must report - rule_id, severity, line_number and
item_code where there is one, and a few words the message must contain - or `accepted`
(no finding at all). The files and expected.csv are committed so a reviewer can open
them; `tests/python/test_bad_input_corpus.py` checks that this script still writes
exactly the committed bytes, builds them all in one dbt build and checks every file.

The very large file (200,000 lines) is not committed: the test writes it into its own
temporary folder with `very_large_file_bytes()`.

Usage: .venv/bin/python tests/corpus/make_corpus.py [--out tests/corpus]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(CORPUS_DIR.parent / "python"))
from conftest import CORE_HEADER, VALID_CORE_VALUES, valid_return_rows  # noqa: E402

EXPECTED_COLUMNS = (
    "file",
    "malformation",
    "outcome",
    "rule_id",
    "severity",
    "line_number",
    "item_code",
    "message_contains",
)
ITEMS = list(VALID_CORE_VALUES)
LAST_LINE = len(ITEMS) + 1  # the base return: header on line 1, 31 items on lines 2-32
VERY_LARGE_FILE = "26_very_large_file"
VERY_LARGE_BLANK_LINES = 200_000


def line_of(item_code: str) -> int:
    """The line of `item_code` in the base return."""
    return 2 + ITEMS.index(item_code)


def all_lines(rule_id: str, words: str = "") -> list[tuple[str, str, int, str, str]]:
    """One error of `rule_id` on every data line of the base return."""
    return [(rule_id, "error", line_of(item), item, words) for item in ITEMS]


# --- bytes as the tools write them -------------------------------------------------------


def csv_text(
    rows: list[tuple[str, ...]], header: tuple[str, ...] = CORE_HEADER, delimiter: str = ",", eol: str = "\n"
) -> str:
    """Rows as a spreadsheet writes them: quoted only where needed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=eol)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def with_value(
    rows: list[tuple[str, ...]], item_code: str, value: str, comment: str | None = None
) -> list[tuple[str, ...]]:
    out = []
    for row in rows:
        if row[2] == item_code:
            row = (row[0], row[1], row[2], value, row[4] if comment is None else comment)
        out.append(row)
    return out


def xlsx_bytes(rows: list[tuple[str, ...]]) -> bytes:
    """A real Excel workbook of the return (openpyxl), with fixed timestamps so the bytes
    are the same every run."""
    from datetime import datetime

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Return"
    sheet.append(list(CORE_HEADER))
    for row in rows:
        sheet.append([int(v) if v.isdigit() else v for v in row])
    fixed = datetime(2024, 7, 15, 9, 0, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    raw = io.BytesIO()
    workbook.save(raw)
    stable = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" with now
                import re

                data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"", data)
            target.writestr(
                zipfile.ZipInfo(info.filename, date_time=(2024, 7, 15, 9, 0, 0)), data, zipfile.ZIP_DEFLATED
            )
    return stable.getvalue()


def very_large_file_bytes(la_code: str, period: str, blank_lines: int = VERY_LARGE_BLANK_LINES) -> bytes:
    """A valid return followed by `blank_lines` lines of empty cells (',,,,'): what Excel
    exports when formatting was dragged down a whole column. Written at test time only."""
    return (csv_text(valid_return_rows(la_code, period)) + ",,,,\n" * blank_lines).encode("utf-8")


# --- the cases -----------------------------------------------------------------------------


@dataclass
class Case:
    folder: str
    malformation: str
    la_code: str
    period: str
    files: dict[str, bytes] = field(default_factory=dict)  # file name (may include a sub-folder) -> bytes
    # (rule_id, severity, line_number or None, item_code or None, words the message contains);
    # empty = accepted. `per_file` gives different expectations per file of the case.
    findings: list[tuple[str, str, int | None, str | None, str]] = field(default_factory=list)
    per_file: dict[str, list[tuple[str, str, int | None, str | None, str]]] | None = None

    @property
    def file_name(self) -> str:
        fy, quarter = self.period.split(" ")
        return f"{self.la_code}_{fy}_{quarter}.csv"


# The quarters the cases use, in turn: 2022-23 Q1 (the first quarter of the register the
# base return follows) .. 2025-26 Q4, all ended; at most four cases share a quarter, so no
# quarter has the 10 returns that would make an England range for rule P03.
FIRST_QUARTER_YEAR, LAST_QUARTER_YEAR = 2022, 2025
QUARTERS = [
    f"{y}-{(y + 1) % 100:02d} Q{q}" for y in range(FIRST_QUARTER_YEAR, LAST_QUARTER_YEAR + 1) for q in (1, 2, 3, 4)
]
# Current LAs outside the East Midlands and South East with >= 30,000 children, in the
# order the cases take them.
LAS = [
    "202",
    "203",
    "204",
    "205",
    "206",
    "208",
    "209",
    "210",
    "211",
    "212",
    "213",
    "301",
    "302",
    "303",
    "304",
    "305",
    "306",
    "307",
    "308",
    "309",
    "310",
    "311",
    "312",
    "313",
    "314",
    "315",
    "316",
    "317",
    "318",
    "319",
    "320",
    "330",
    "331",
    "332",
    "333",
    "334",
    "335",
    "336",
    "340",
    "341",
    "342",
    "343",
    "344",
    "350",
    "351",
    "352",
    "353",
    "354",
    "355",
    "356",
    "357",
    "358",
    "359",
    "370",
    "371",
    "372",
    "373",
    "380",
    "381",
    "382",
    "383",
    "384",
    "390",
    "391",
    "392",
    "394",
]
FUTURE_PERIOD = "2098-99 Q1"  # far enough ahead never to have ended
CUMBRIA = "909"  # abolished 1 April 2023 (succeeded by 942 Cumberland and 943 Westmorland and Furness)


def previous_quarter(period: str) -> str:
    """The quarter before `period` ('2022-23 Q1' -> '2021-22 Q4')."""
    fy, quarter = period.split(" ")
    year, number = int(fy[:4]), int(quarter[1])
    if number == 1:
        year, number = year - 1, 5
    return f"{year}-{(year + 1) % 100:02d} Q{number - 1}"


def cases() -> list[Case]:
    out: list[Case] = []

    def case(folder: str, malformation: str, period: str | None = None, la_code: str | None = None) -> Case:
        index = len(out)
        c = Case(folder, malformation, la_code or LAS[index], period or QUARTERS[index % len(QUARTERS)])
        out.append(c)
        return c

    def base(c: Case) -> list[tuple[str, ...]]:
        return valid_return_rows(c.la_code, c.period)

    c = case("01_semicolon_delimiter", "Columns separated by semicolons (Excel 'CSV' in a European locale)")
    c.files[c.file_name] = csv_text(base(c), delimiter=";").encode("utf-8")
    c.findings = [("T01", "error", None, None, "separated by semicolons")]

    c = case("02_tab_delimiter", "Columns separated by tabs (Excel 'Text (Tab delimited)' saved as .csv)")
    c.files[c.file_name] = csv_text(base(c), delimiter="\t").encode("utf-8")
    c.findings = [("T01", "error", None, None, "separated by tabs")]

    c = case(
        "03_utf16_unicode_text",
        "Excel 'Unicode Text': UTF-16 little-endian with a byte-order mark, tab separated, CRLF",
    )
    c.files[c.file_name] = b"\xff\xfe" + csv_text(base(c), delimiter="\t", eol="\r\n").encode("utf-16-le")
    c.findings = [("T01", "error", None, None, "separated by tabs")]

    c = case("04_utf16_comma", "UTF-16 with a byte-order mark but comma separated (a database export): accepted")
    c.files[c.file_name] = csv_text(base(c)).encode("utf-16")

    c = case("05_thousands_separator_quoted", 'Excel thousands separator: "1,234" (quoted, so one field)')
    c.files[c.file_name] = csv_text(with_value(base(c), "CONTACTS", "1,234")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CONTACTS"), "CONTACTS", "no commas")]

    c = case(
        "06_thousands_separator_unquoted", "Thousands separator written without quotes: 1,234 splits into two fields"
    )
    text = csv_text(base(c)).replace(",CONTACTS,1000,", ",CONTACTS,1,000,")
    c.files[c.file_name] = text.encode("utf-8")
    c.findings = [
        ("T01", "error", line_of("CONTACTS"), None, "6 fields but the header has 5"),
        ("T07", "warning", None, "CONTACTS", "missing"),
    ]

    c = case("07_percent_sign", "A percentage typed into a count: 80%")
    c.files[c.file_name] = csv_text(with_value(base(c), "ASSESS_45D", "80%")).encode("utf-8")
    c.findings = [("T05", "error", line_of("ASSESS_45D"), "ASSESS_45D", "'80%'")]

    c = case("08_negative_number", "A negative count: -3")
    c.files[c.file_name] = csv_text(with_value(base(c), "CIN_END", "-3")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CIN_END"), "CIN_END", "minus signs")]

    c = case("09_decimal_in_count", "A decimal in a count: 12.5")
    c.files[c.file_name] = csv_text(with_value(base(c), "EHE_END", "12.5")).encode("utf-8")
    c.findings = [("T05", "error", line_of("EHE_END"), "EHE_END", "whole number")]

    c = case("10_text_in_numbers", "Text in numbers: 'n/a' and '12a'")
    c.files[c.file_name] = csv_text(
        with_value(with_value(base(c), "EHC_REQUESTS", "n/a"), "EHCP_ISSUED", "12a")
    ).encode("utf-8")
    c.findings = [
        ("T05", "error", line_of("EHC_REQUESTS"), "EHC_REQUESTS", "'n/a'"),
        ("T05", "error", line_of("EHCP_ISSUED"), "EHCP_ISSUED", "'12a'"),
    ]

    c = case(
        "11_blank_lines",
        "Blank lines: an empty line, a line of empty cells and a line of spaces in the data, two at the end",
    )
    lines = csv_text(base(c)).splitlines(keepends=True)
    lines[10:10] = ["\n", ",,,,\n", "   \n"]
    c.files[c.file_name] = ("".join(lines) + "\n,,,,\n").encode("utf-8")

    c = case("12_trailing_commas", "A trailing comma on every line (an empty column after comment)")
    c.files[c.file_name] = csv_text(base(c), eol=",\n").encode("utf-8")

    c = case(
        "13_cp1252_comment",
        "Excel 'CSV (Comma delimited)' on a UK PC: Windows-1252 bytes for £, curly quotes and a dash in a comment",
    )
    rows = with_value(
        base(c), "EHE_END", "200", "\u201cElective\u201d home education rose \u2013 \u00a3 funding for outreach"
    )
    c.files[c.file_name] = csv_text(rows).encode("cp1252")

    c = case("14_utf8_bom", "UTF-8 with a byte-order mark (Excel 'CSV UTF-8'): accepted")
    c.files[c.file_name] = b"\xef\xbb\xbf" + csv_text(base(c)).encode("utf-8")

    c = case("15_duplicated_item", "An item given twice with different figures (a row pasted again and edited)")
    rows = base(c)
    rows.append(with_value([r for r in rows if r[2] == "CIN_END"], "CIN_END", "712")[0])
    c.files[c.file_name] = csv_text(rows).encode("utf-8")
    c.findings = [
        ("T06", "error", line_of("CIN_END"), "CIN_END", f"lines {line_of('CIN_END')} and {LAST_LINE + 1}"),
        ("T06", "error", LAST_LINE + 1, "CIN_END", "appears more than once"),
    ]

    c = case("16_mixed_la_codes", "One line carries another LA's code (copied from a neighbour's sheet)")
    other = LAS[-1]
    rows = [(other, *r[1:]) if r[2] == "S47" else r for r in base(c)]
    c.files[c.file_name] = csv_text(rows).encode("utf-8")
    c.findings = [
        ("T02", "error", line_of("S47"), "S47", f"gives la_code '{other}' but the file name says {c.la_code}")
    ]

    c = case("17_wrong_period", "Last quarter's template reused: every line gives the previous quarter")
    previous = previous_quarter(c.period)
    c.files[c.file_name] = csv_text(valid_return_rows(c.la_code, previous)).encode("utf-8")
    c.findings = all_lines("T03", f"gives the period '{previous}' but the file name says {c.period}")

    c = case("18_period_quarter_first", "Period written quarter first, 'Qn YYYY-YY' (e.g. 'Q1 2022-23')")
    fy, quarter = c.period.split(" ")
    c.files[c.file_name] = csv_text(valid_return_rows(c.la_code, f"{quarter} {fy}")).encode("utf-8")
    c.findings = all_lines("T03", "not written YYYY-YY Qn")

    c = case("19_period_slash", "Period written 'YYYY/YY Qn' (e.g. '2022/23 Q2': slash for the financial year)")
    fy, quarter = c.period.split(" ")
    c.files[c.file_name] = csv_text(valid_return_rows(c.la_code, f"{fy[:4]}/{fy[5:]} {quarter}")).encode("utf-8")
    c.findings = all_lines("T03", "not written YYYY-YY Qn")

    c = case("20_header_typo_space", "Header typo: 'item code' (a space for the underscore)")
    header = ("la_code", "period", "item code", "value", "comment")
    c.files[c.file_name] = csv_text(base(c), header=header).encode("utf-8")
    c.findings = [("T01", "error", None, None, "required column(s) missing from the header: item_code")]

    c = case("21_header_typo_joined", "Header typo: 'itemcode' (no underscore)")
    header = ("la_code", "period", "itemcode", "value", "comment")
    c.files[c.file_name] = csv_text(base(c), header=header).encode("utf-8")
    c.findings = [("T01", "error", None, None, "required column(s) missing from the header: item_code")]

    c = case(
        "22_extra_columns",
        "Extra columns (la_name, checked_by) the template does not have: accepted, extra fields kept",
    )
    header = ("la_code", "la_name", "period", "item_code", "value", "comment", "checked_by")
    rows = [(r[0], "Some Council", r[1], r[2], r[3], r[4], "J. Smith") for r in base(c)]
    c.files[c.file_name] = csv_text(rows, header=header).encode("utf-8")

    c = case("23_missing_column", "Required column missing: no value column")
    rows = [(r[0], r[1], r[2], r[4]) for r in base(c)]
    c.files[c.file_name] = csv_text(rows, header=("la_code", "period", "item_code", "comment")).encode("utf-8")
    c.findings = [("T01", "error", None, None, "required column(s) missing from the header: value")]

    c = case("24_empty_file", "Empty file (0 bytes)")
    c.files[c.file_name] = b""
    c.findings = [("T01", "error", None, None, "empty")]

    c = case("25_header_only", "Header row only, no data rows")
    c.files[c.file_name] = csv_text([]).encode("utf-8")
    c.findings = [("T01", "error", None, None, "header row but no data rows")]

    c = case(
        VERY_LARGE_FILE,
        "Very large file: a valid return followed by 200,000 lines of empty cells (formatting dragged down the sheet); written by the test, not committed: accepted",
    )
    # no committed file: the test writes very_large_file_bytes(la_code, period) here

    c = case("27_binary_junk", "Binary junk (every byte value, NUL bytes included)")
    c.files[c.file_name] = bytes(range(256)) * 4
    c.findings = [("T01", "error", None, None, "binary data")]

    c = case("28_xlsx_renamed", "An Excel workbook (.xlsx) renamed to .csv")
    c.files[c.file_name] = xlsx_bytes(base(c))
    c.findings = [("T01", "error", None, None, ".xlsx workbook")]

    c = case(
        "29_spaces_around_codes",
        "Leading and trailing spaces around the LA code, period, item codes and values: accepted",
    )
    rows = [(f" {r[0]} ", f"{r[1]}  ", f"  {r[2]} ", f" {r[3]}", r[4]) for r in base(c)]
    c.files[c.file_name] = csv_text(rows).encode("utf-8")

    c = case("30_lower_case_codes", "Item codes and the quarter in lower case: accepted")
    rows = [(r[0], r[1].lower(), r[2].lower(), r[3], r[4]) for r in base(c)]
    c.files[c.file_name] = csv_text(rows).encode("utf-8")

    c = case(
        "31_embedded_newline",
        "A comment with a line break inside the cell (Alt+Enter), quoted over two lines: accepted",
    )
    rows = with_value(
        base(c), "CLA_END", "150", "Two large sibling groups came into care.\nFigure checked with the service manager."
    )
    c.files[c.file_name] = csv_text(rows).encode("utf-8")

    c = case("32_crlf_line_endings", "Windows CRLF line endings: accepted")
    c.files[c.file_name] = csv_text(base(c), eol="\r\n").encode("utf-8")

    c = case("33_cr_line_endings", "Old Mac CR-only line endings (Excel 'CSV (Macintosh)'): accepted")
    c.files[c.file_name] = csv_text(base(c), eol="\r").encode("utf-8")

    c = case(
        "34_future_period",
        "A quarter in the future (file name and lines): it has not ended, so it cannot be returned",
        period=FUTURE_PERIOD,
    )
    c.files[c.file_name] = csv_text(base(c)).encode("utf-8")
    c.findings = [("T03", "error", None, None, f"says the return is for {FUTURE_PERIOD}, which has not ended yet")]

    c = case(
        "35_non_current_la",
        "An LA code that did not exist in the return's quarter: Cumbria (909), abolished in April 2023, in 2023-24 Q2",
        la_code=CUMBRIA,
        period="2023-24 Q2",
    )
    c.files[c.file_name] = csv_text(base(c)).encode("utf-8")
    c.findings = [("T02", "error", None, None, "909, which is the code of Cumbria, which did not exist in 2023-24 Q2")]

    c = case("36_file_name_not_template", "File name not following the template: a browser's ' (1)' copy suffix")
    fy, quarter = c.period.split(" ")
    c.files[f"{c.la_code}_{fy}_{quarter} (1).csv"] = csv_text(base(c)).encode("utf-8")
    c.findings = [
        ("T02", "error", None, None, "does not follow the template"),
        ("T03", "error", None, None, "does not follow the template"),
    ]

    c = case(
        "37_same_version_twice_identical",
        "The same return saved twice, byte for byte, in two folders (same LA, quarter and version): accepted, counted once",
    )
    body = csv_text(base(c)).encode("utf-8")
    c.files[f"inbox/{c.file_name}"] = body
    c.files[f"filed/{c.file_name}"] = body

    c = case(
        "38_same_version_twice_different",
        "Two different files with the same name (same LA, quarter and version) in two folders",
    )
    c.files[f"inbox/{c.file_name}"] = csv_text(base(c)).encode("utf-8")
    c.files[f"filed/{c.file_name}"] = csv_text(with_value(base(c), "CONTACTS", "1010")).encode("utf-8")
    c.findings = [("T02", "error", None, None, "different contents")]

    c = case("39_leading_apostrophe", "A value with Excel's text-marking apostrophe: '150")
    c.files[c.file_name] = csv_text(with_value(base(c), "CLA_END", "'150")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CLA_END"), "CLA_END", "'150")]

    c = case("40_leading_equals", "A formula instead of a value: =SUM(C2:C8) (and the same risk as CSV injection)")
    c.files[c.file_name] = csv_text(with_value(base(c), "CONTACTS", "=SUM(C2:C8)")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CONTACTS"), "CONTACTS", "=SUM(C2:C8)")]

    c = case("41_scientific_notation", "Scientific notation: 1E+03")
    c.files[c.file_name] = csv_text(with_value(base(c), "CONTACTS", "1E+03")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CONTACTS"), "CONTACTS", "1E+03")]

    c = case("42_nbsp_thousands", "A non-breaking space as thousands separator: 1\u00a0000")
    c.files[c.file_name] = csv_text(with_value(base(c), "CONTACTS", "1\u00a0000")).encode("utf-8")
    c.findings = [("T05", "error", line_of("CONTACTS"), "CONTACTS", "not allowed")]

    c = case(
        "43_nbsp_around_value",
        "A non-breaking space after a value (pasted from a web page): 150\u00a0; accepted like any surrounding space",
    )
    c.files[c.file_name] = csv_text(with_value(base(c), "CLA_END", "150\u00a0")).encode("utf-8")

    c = case("44_title_rows_above_header", "A title row and a blank row above the header")
    c.files[c.file_name] = ("Quarterly return - children's services,,,,\n,,,,\n" + csv_text(base(c))).encode("utf-8")
    c.findings = [("T01", "error", None, None, "required column(s) missing from the header")]

    c = case("45_totals_row", "A totals row added under the data (no LA code or period, item 'Total')")
    c.files[c.file_name] = (csv_text(base(c)) + ",,Total,5000,\n").encode("utf-8")
    total = LAST_LINE + 1
    c.findings = [
        ("T02", "error", total, "TOTAL", "gives la_code ''"),
        ("T03", "error", total, "TOTAL", "gives the period '', which is not written YYYY-YY Qn"),
        ("T04", "error", total, "TOTAL", "'Total' is not in the RIIA item register"),
    ]

    c = case("46_unquoted_comma_in_comment", "A comment with a comma, not quoted: the line splits into six fields")
    text = csv_text(base(c)).replace(",CIN_END,700,\n", ",CIN_END,700,new system, figures provisional\n")
    c.files[c.file_name] = text.encode("utf-8")
    c.findings = [
        ("T01", "error", line_of("CIN_END"), None, "an unquoted comma inside a value"),
        ("T07", "warning", None, "CIN_END", "missing"),
    ]

    c = case("47_ons_code_for_la_code", "The ONS area code (E09000025) given instead of the DfE LA code on every line")
    c.files[c.file_name] = csv_text(valid_return_rows("E09000025", c.period)).encode("utf-8")
    c.findings = all_lines("T02", f"gives la_code 'E09000025' but the file name says {c.la_code}")

    c = case("48_period_en_dash", "Period with an en dash (Word's autocorrect): 2025\u201326 style")
    fy, quarter = c.period.split(" ")
    c.files[c.file_name] = csv_text(valid_return_rows(c.la_code, f"{fy[:4]}\u2013{fy[5:]} {quarter}")).encode("utf-8")
    c.findings = all_lines("T03", "not written YYYY-YY Qn")

    c = case("49_every_field_quoted", "Every field in double quotes (some export tools): accepted")
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(CORE_HEADER)
    writer.writerows(base(c))
    c.files[c.file_name] = buffer.getvalue().encode("utf-8")

    c = case("50_header_capitals_reordered", "Header in capitals with the columns in another order: accepted")
    header = ("ITEM_CODE", "Value", "LA_CODE", "Period", "Comment")
    rows = [(r[2], r[3], r[0], r[1], r[4]) for r in base(c)]
    c.files[c.file_name] = csv_text(rows, header=header).encode("utf-8")

    c = case("51_blank_lines_only", "Only lines of empty cells (an empty sheet exported)")
    c.files[c.file_name] = b",,,,\n" * 5
    c.findings = [("T01", "error", None, None, "no header row and no data")]

    c = case("52_unclosed_quote", "A comment that opens a double quote and never closes it")
    text = csv_text(base(c)).replace(",CPP_END,90,\n", ',CPP_END,90,"includes 3 children transferred in\n')
    c.files[c.file_name] = text.encode("utf-8")
    c.findings = [
        ("T01", "error", line_of("CPP_END"), None, "double quote opened on this line is never closed"),
        ("T07", "warning", None, "CPP_END", "missing"),
    ]

    c = case("53_upper_case_extension", "The file extension in capitals: .CSV (Windows): read like .csv, accepted")
    c.files[c.file_name.replace(".csv", ".CSV")] = csv_text(base(c)).encode("utf-8")

    return out


# --- writing -------------------------------------------------------------------------------


def expected_rows(all_cases: list[Case]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for c in all_cases:
        names = list(c.files) or [c.file_name]
        for name in names:
            findings = c.per_file[name] if c.per_file and name in c.per_file else c.findings
            common = {"file": f"{c.folder}/{name}", "malformation": c.malformation}
            if not findings:
                rows.append({**common, "outcome": "accepted"})
            for rule_id, severity, line, item, words in findings:
                rows.append(
                    {
                        **common,
                        "outcome": "finding",
                        "rule_id": rule_id,
                        "severity": severity,
                        "line_number": "" if line is None else str(line),
                        "item_code": item or "",
                        "message_contains": words,
                    }
                )
    return [{column: row.get(column, "") for column in EXPECTED_COLUMNS} for row in rows]


def write_corpus(out: Path) -> list[Path]:
    """Write every committed corpus file and expected.csv under `out`; the paths written."""
    written: list[Path] = []
    all_cases = cases()
    for c in all_cases:
        for name, content in c.files.items():
            path = out / "files" / c.folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
            written.append(path)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(EXPECTED_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(expected_rows(all_cases))
    (out / "expected.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    written.append(out / "expected.csv")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CORPUS_DIR)
    args = parser.parse_args(argv)
    written = write_corpus(args.out)
    print(f"make_corpus: wrote {len(written) - 1} corpus files and expected.csv under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
