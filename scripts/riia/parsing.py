"""The line parser of LA return files: every physical line kept, with where it came from.

One row per physical line of a readable file (header, data, blank and malformed lines
alike), or one for a file that cannot be read at all. Nothing is dropped: a line that
cannot be parsed is kept with `line_kind = 'malformed'` and the reason.

Why Python and not DuckDB's read_csv: the returns are spreadsheet exports from 153
LAs. DuckDB's CSV reader needs one fixed column list for a multi-file read, cannot
combine `store_rejects` with `union_by_name`, can drop rows when auto-detecting, and
cannot be told "this file is cp1252" per file. Python's csv module reads each file on
its own terms (any header order or case, BOM, encoding fallback) and reports the exact
physical line of each record.

Used by the staging model `stg_la_returns__lines` and by the tests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from riia.periods import parse_file_name

REQUIRED_COLUMNS: tuple[str, ...] = ("la_code", "period", "item_code", "value")
OPTIONAL_COLUMNS: tuple[str, ...] = ("comment",)
KNOWN_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

OTHER_DELIMITERS: tuple[tuple[str, str], ...] = (
    (";", "semicolons"),
    ("\t", "tabs"),
    ("|", "vertical bars"),
)
LINE_BREAK = re.compile(r"\r\n|\r|\n")
BLANK = "blank line"

LINE_FIELDS: tuple[str, ...] = (
    "line_number",
    "line_kind",
    "line_problem",
    "raw_line",
    *KNOWN_COLUMNS,
    "extra_fields",
)
"""One line of a file, as `read_lines` gives it (a tuple in this order)."""

OUTPUT_COLUMNS: tuple[str, ...] = (
    "file_path",
    "file_fingerprint",
    "folder_la_code",
    "intake_status",
    "loaded_at",
    "source_file",
    "file_bytes",
    "file_sha256",
    "file_modified_at",
    "file_name_la_code",
    "file_name_period",
    "file_version",
    "file_encoding",
    "file_has_bom",
    "file_status",
    "file_problem",
    "header_columns",
    "line_number",
    "line_kind",
    "line_problem",
    "raw_line",
    "la_code",
    "period",
    "item_code",
    "value",
    "comment",
    "extra_fields",
)
"""The rows of the staging model stg_la_returns__lines: the file's columns, then its line's."""
FILE_COLUMNS: tuple[str, ...] = OUTPUT_COLUMNS[: -len(LINE_FIELDS)]
assert OUTPUT_COLUMNS[len(FILE_COLUMNS) :] == LINE_FIELDS
OUTPUT_TYPES: dict[str, str] = {
    name: {
        "loaded_at": "timestamptz",
        "file_modified_at": "timestamptz",
        "file_bytes": "bigint",
        "file_version": "bigint",
        "line_number": "bigint",
        "file_has_bom": "boolean",
    }.get(name, "varchar")
    for name in OUTPUT_COLUMNS
}
BATCH_ROWS = 50_000
"""Rows parsed before they are written to DuckDB (stage_lines)."""


def file_name_facts(source_file: str) -> dict[str, Any]:
    """LA code, period and version declared by a file name like 301_2024-25_Q1_v2.csv
    (riia.periods holds the grammar); empty, version 1, when the name is not the template's."""
    declared = parse_file_name(source_file)
    if declared is None:
        return {"file_name_la_code": None, "file_name_period": None, "file_version": 1}
    return {
        "file_name_la_code": declared.la_code,
        "file_name_period": declared.period.label,
        "file_version": declared.version,
    }


def decode(content: bytes) -> tuple[str | None, str | None, bool, str | None]:
    """(text, encoding, has_bom, problem). text is None when the bytes are not text."""
    if len(content) == 0:
        return None, None, False, "the file is empty (0 bytes)"
    if content.startswith(b"PK\x03\x04"):
        return (
            None,
            None,
            False,
            (
                "the file is a zip archive (an Excel .xlsx workbook renamed to .csv?), "
                "not a CSV text file: save it as 'CSV UTF-8 (comma delimited)'"
            ),
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16", True, None
        except UnicodeDecodeError:
            pass
    if b"\x00" in content:
        return None, None, False, "the file holds binary data (NUL bytes), not CSV text"
    has_bom = content.startswith(b"\xef\xbb\xbf")
    body = content[3:] if has_bom else content
    try:
        return body.decode("utf-8"), "utf-8", has_bom, None
    except UnicodeDecodeError:
        # Windows-1252 (Excel's "CSV (comma delimited)" on a UK PC) decodes any byte
        # but five; keep the text and let validation report the encoding.
        try:
            return body.decode("cp1252"), "cp1252", has_bom, None
        except UnicodeDecodeError:
            return body.decode("latin-1"), "latin-1", has_bom, None


def normalise_header(name: str) -> str:
    """Header names match case-insensitively with surrounding spaces and quotes ignored."""
    return name.replace("\ufeff", "").strip().strip('"').strip().lower()


def physical_lines(text: str) -> list[str]:
    """The file's lines as a person counts them (\\n, \\r\\n or \\r endings)."""
    lines = LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def header_problem(header: list[str]) -> str | None:
    """Why a header row is unusable, in words an LA data officer understands."""
    names = [normalise_header(h) for h in header]
    if len(header) == 1:
        for delimiter, word in OTHER_DELIMITERS:
            if delimiter in header[0]:
                return (
                    f"the columns are separated by {word}, not commas: save the file as 'CSV UTF-8 (comma delimited)'"
                )
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        return (
            f"required column(s) missing from the header: {', '.join(missing)} (the header reads: {','.join(header)})"
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        return f"column(s) named more than once in the header: {', '.join(repeated)}"
    return None


def read_lines(source_file: str, content: bytes) -> tuple[dict[str, Any], Iterable[tuple[Any, ...]]]:
    """File-level facts and one tuple (LINE_FIELDS) per physical line, or one for an
    unreadable file. The lines come one at a time, read from the file's text when asked
    for (`_lines`): a file at the size limit can hold a million lines, which held at once
    took some 190 MB (every byte of a 1 MiB file a line break) on top of a build's own
    memory. The facts are complete before the first line: each line's row carries them."""
    text, encoding, has_bom, problem = decode(content)
    facts: dict[str, Any] = {
        **file_name_facts(source_file),
        "file_bytes": len(content),
        "file_sha256": hashlib.sha256(content).hexdigest(),
        "file_encoding": encoding,
        "file_has_bom": has_bom,
        "file_status": "readable",
        "file_problem": None,
        "header_columns": None,
    }
    if text is None:
        facts["file_status"] = "unreadable"
        facts["file_problem"] = problem
        return facts, [_line(None, "file_unreadable", problem, None)]

    lines = physical_lines(text)
    if not lines or all(not line.strip() for line in lines):
        facts["file_status"] = "unreadable"
        facts["file_problem"] = "the file has no header row and no data (only blank lines)"
        return facts, [_line(i + 1, "blank", BLANK, line) for i, line in enumerate(lines)] or [
            _line(None, "file_unreadable", facts["file_problem"], None)
        ]

    try:
        usual_width = _usual_width(csv_records(text, lines))
    except csv.Error as exc:  # e.g. a field larger than the csv module's limit
        facts["file_status"] = "unreadable"
        facts["file_problem"] = f"the file is not valid CSV: {exc}"
        return facts, [_line(None, "file_unreadable", facts["file_problem"], None)]
    facts.update(_file_status(text, lines, usual_width))
    return facts, _lines(text, lines, usual_width)


def _records(text: str, lines: list[str]) -> Iterator[tuple[int, str, list[str] | None]]:
    """(line number, raw text, fields) of every CSV record (csv_records); one line's record
    is that line itself (no new string per line)."""
    for first, last, fields in csv_records(text, lines):
        yield first, lines[first - 1] if first == last else "\n".join(lines[first - 1 : last]), fields


def _is_blank(fields: list[str]) -> bool:
    return not any(f.strip() for f in fields)


def _file_status(text: str, lines: list[str], usual_width: int | None) -> dict[str, Any]:
    """The facts a file's lines decide: its header's columns, and whether it is readable.
    Reads its lines (`_lines`) as far as its first data line (the second record of most
    files). A file with no header (only lines of empty cells, e.g. ",,,,") or with a header
    but no data row holds no return at all: unreadable (rule T01), not a return whose every
    item is "missing" (31 T07 warnings and the status accepted_with_warnings)."""
    found: dict[str, Any] = {}
    for _, kind, problem, *_ in _lines(text, lines, usual_width, found):
        if kind == "header" and problem:
            return found | {"file_status": "bad_header", "file_problem": problem}
        if kind == "data":
            return found
    if not found:
        return {
            "file_status": "unreadable",
            "file_problem": "the file has no header row and no data (only blank lines)",
        }
    return found | {"file_status": "unreadable", "file_problem": "the file has a header row but no data rows"}


def _lines(
    text: str, lines: list[str], usual_width: int | None, header: dict[str, Any] | None = None
) -> Iterator[tuple[Any, ...]]:
    """One tuple (LINE_FIELDS) per physical line of a file that decodes as CSV; `header`,
    when given, gets the header's columns (`header_columns`) as its row is read."""
    columns: list[str] | None = None
    bad_header: str | None = None
    for first, raw, fields in _records(text, lines):
        if fields is None:  # a line whose double quote is never closed (see csv_records)
            yield _line(first, "malformed", UNCLOSED_QUOTE, raw)
        elif _is_blank(fields):
            yield _line(first, "blank", BLANK, raw)
        elif columns is None:
            columns = [normalise_header(h) for h in fields]
            if header is not None:
                header["header_columns"] = ",".join(columns)
            bad_header = header_problem(fields)
            yield _line(first, "header", bad_header, raw)
        elif bad_header:
            yield _line(first, "malformed", "not read: the file's header row is unusable", raw)
        else:
            yield _data_line(first, raw, fields, columns, usual_width)


def parse_content(source_file: str, content: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """`read_lines` with each line as a dict keyed by LINE_FIELDS (easier to read)."""
    facts, lines = read_lines(source_file, content)
    return facts, [dict(zip(LINE_FIELDS, line, strict=True)) for line in lines]


UNCLOSED_QUOTE = (
    "a double quote opened on this line is never closed, so the lines after it would run "
    "into this one: close the quote at the end of the text, or remove it"
)


def csv_records(text: str, lines: list[str]) -> Iterator[tuple[int, int, list[str] | None]]:
    """(first line, last line, fields) of every CSV record; fields None for a line whose
    double quote is never closed.

    A quoted field may legitimately run over several lines (a comment typed with
    Alt+Enter). But a stray opening quote (`"includes 3 children` with no closing quote)
    makes the csv module read every following line into that one field, so the items
    on those lines would silently vanish into a comment. A record spanning lines is
    taken for such a stray quote when its quotes do not balance or when one of the lines
    it swallowed would on its own be a line of a return (at least as many commas as the
    required columns need); that line is then reported on its own and reading starts
    again on the next line.

    A generator: a file at the size limit is read twice (widths, then lines) rather than
    held as a list of records.
    """
    start = 0  # index in `lines` where this pass starts
    chunk = text
    while True:
        reader = csv.reader(io.StringIO(chunk, newline=""), delimiter=",", quotechar='"', strict=False)
        previous_line, restart = 0, None
        for fields in reader:
            first, last = start + previous_line + 1, start + reader.line_num
            previous_line = reader.line_num
            if last > first and _swallows_lines(lines[first - 1 : last]):
                yield first, first, None
                restart = first
                break
            yield first, last, fields
        if restart is None:
            return
        start = restart
        chunk = "\n".join(lines[start:])


def _swallows_lines(record_lines: list[str]) -> bool:
    if sum(line.count('"') for line in record_lines) % 2 == 1:
        return True
    return any(line.count(",") >= len(REQUIRED_COLUMNS) - 1 for line in record_lines[1:])


def _usual_width(records: Iterable[tuple[int, int, list[str] | None]]) -> int | None:
    """The number of fields most lines of the file have (None for a file without lines);
    of two widths equally common, the smaller."""
    widths = Counter(len(fields) for _, _, fields in records if fields and any(f.strip() for f in fields))
    return min(widths, key=lambda width: (-widths[width], width)) if widths else None


def _data_line(
    line_number: int, raw: str, fields: list[str], columns: list[str], usual_width: int | None = None
) -> tuple[Any, ...]:
    n_header = len(columns)
    problem = None
    kind = "data"
    if len(fields) > n_header:
        surplus = fields[n_header:]
        # Empty extra fields are normally trailing commas. But when the other lines do not
        # have them and this line's last column is filled, a value held an unquoted comma:
        # `CONTACTS,1,000,` would otherwise load as value 1 with the comment 000.
        shifted = len(fields) != usual_width and fields[n_header - 1].strip() != ""
        if any(f.strip() for f in surplus) or shifted:
            kind = "malformed"
            problem = (
                f"the line has {len(fields)} fields but the header has {n_header} "
                "(an unquoted comma inside a value, such as 1,000?)"
            )
        else:
            problem = "trailing empty fields ignored"
        fields = fields[:n_header]
    elif len(fields) < n_header:
        missing = [c for c in columns[len(fields) :] if c in REQUIRED_COLUMNS]
        if missing:
            kind = "malformed"
            problem = f"the line has {len(fields)} fields but the header has {n_header}: no {', '.join(missing)}"
        fields = fields + [""] * (n_header - len(fields))
    known: dict[str, str] = {}
    extras: list[str] = []
    for name, value in zip(columns, fields, strict=False):
        if name in KNOWN_COLUMNS and name not in known:
            known[name] = value
        elif value.strip():
            extras.append(f"{name or '(unnamed)'}={value}")
    if kind == "malformed":
        known = {}
    return (line_number, kind, problem, raw, *(known.get(name) for name in KNOWN_COLUMNS), "; ".join(extras) or None)


def _line(line_number: int | None, kind: str, problem: str | None, raw: str | None) -> tuple[Any, ...]:
    """A line with no fields read (LINE_FIELDS)."""
    return (line_number, kind, problem, raw, None, None, None, None, None, None)


LANDING_FIELDS: tuple[str, ...] = (
    "file_path",
    "source_file",
    "intake_status",
    "intake_problem",
    "file_bytes",
    "file_modified_at",
    "file_sha256",
    "file_fingerprint",
    "folder_la_code",
    "content",
)
"""The columns of the landing table raw.la_return_files (riia.intake) the parser reads."""


def parsed_files(
    files: Iterable[tuple[Any, ...]], loaded_at: datetime | None = None
) -> Iterator[tuple[tuple[Any, ...], Iterable[tuple[Any, ...]]]]:
    """For every landed file (a tuple of LANDING_FIELDS), in a deterministic order: its
    columns (FILE_COLUMNS) and its lines (LINE_FIELDS, read_lines): every line of a file
    that was read, or one line for a file the loader could not use (too large, unreadable, a
    link outside the returns folder, not a CSV file) with the reason."""
    for record in sorted(files, key=lambda f: f[0]):
        landed = dict(zip(LANDING_FIELDS, record, strict=True))
        if landed["intake_status"] == "read":
            facts, lines = read_lines(landed["source_file"], bytes(landed["content"]))
        else:
            facts = {
                **file_name_facts(landed["source_file"]),
                "file_bytes": landed["file_bytes"],
                "file_sha256": None,
                "file_encoding": None,
                "file_has_bom": None,
                "file_status": "unreadable",
                "file_problem": landed["intake_problem"],
                "header_columns": None,
            }
            lines = [_line(None, "file_unreadable", landed["intake_problem"], None)]
        known = {**landed, **facts, "loaded_at": loaded_at}
        yield tuple(known[name] for name in FILE_COLUMNS), lines


def parse_landed(files: Iterable[tuple[Any, ...]], loaded_at: datetime | None = None) -> Iterator[tuple[Any, ...]]:
    """Rows (OUTPUT_COLUMNS) of every landed file (parsed_files): its columns, then a line's."""
    for file_part, lines in parsed_files(files, loaded_at):
        for line in lines:
            yield file_part + line


def staging_tables(table: str) -> tuple[str, str]:
    """The tables `stage_lines` writes the rows of `table` into (a name, qualified and quoted
    or not): its files' columns, and its lines' with each line's file number."""

    def suffixed(suffix: str) -> str:
        return f'{table[:-1]}{suffix}"' if table.endswith('"') else f"{table}{suffix}"

    return suffixed("__files"), suffixed("__lines")


def stage_lines(con: Any, files: Iterable[tuple[Any, ...]], table: str, loaded_at: datetime) -> int:
    """Parse the landed files into `table` (created or replaced: a view with the columns of
    OUTPUT_TYPES, the rows of parse_landed), BATCH_ROWS lines at a time: memory holds one
    batch, never every line of a file or of a build (a file at the size limit can hold a
    million lines). The view joins two tables (staging_tables): each file's columns once,
    and its lines with its number. Written whole on every line, a file's columns made most
    of what Python built and DuckDB scanned (15 s for a file at the size limit, every byte a
    line break), and most of what DuckDB held of the rows until the model's transaction
    committed (a file at the limit: 560 MB, 320 MB as two tables). Returns the number of rows."""
    files_table, lines_table = staging_tables(table)
    for name, columns in ((files_table, FILE_COLUMNS), (lines_table, LINE_FIELDS)):
        typed = ", ".join(f"{c} {OUTPUT_TYPES[c]}" for c in columns)
        con.execute(f"create or replace table {name} (file_number bigint, {typed})")
    con.execute(
        f"create or replace view {table} as select "
        + ", ".join([*(f"files.{c}" for c in FILE_COLUMNS), *(f"lines.{c}" for c in LINE_FIELDS)])
        + f" from {lines_table} as lines inner join {files_table} as files using (file_number)"
    )
    total = 0
    batch_files: list[tuple[Any, ...]] = []
    batch_lines: list[tuple[Any, ...]] = []
    for number, (file_part, lines) in enumerate(parsed_files(files, loaded_at)):
        batch_files.append((number, *file_part))
        for line in lines:
            batch_lines.append((number, *line))
            if len(batch_lines) == BATCH_ROWS:
                _insert_batch(con, files_table, lines_table, batch_files, batch_lines)
                total, batch_files, batch_lines = total + len(batch_lines), [], []
    _insert_batch(con, files_table, lines_table, batch_files, batch_lines)
    return total + len(batch_lines)


def _insert_batch(
    con: Any, files_table: str, lines_table: str, files: list[tuple[Any, ...]], lines: list[tuple[Any, ...]]
) -> None:
    """A batch's new files into `files_table` and its lines into `lines_table`."""
    import pandas as pd

    if files:
        file_frame = pd.DataFrame(files, columns=["file_number", *FILE_COLUMNS])
        for column in ("loaded_at", "file_modified_at"):
            file_frame[column] = pd.to_datetime(file_frame[column], utc=True).astype("datetime64[us, UTC]")
        for column in ("file_bytes", "file_version"):
            file_frame[column] = file_frame[column].astype("Int64")
        file_frame["file_has_bom"] = file_frame["file_has_bom"].astype("boolean")
        _insert_frame(con, files_table, file_frame)
    if lines:
        line_frame = pd.DataFrame(lines, columns=["file_number", *LINE_FIELDS])
        line_frame["line_number"] = line_frame["line_number"].astype("Int64")
        _insert_frame(con, lines_table, line_frame)


def _insert_frame(con: Any, table: str, frame: Any) -> None:
    """Every row of a DataFrame into `table`, whose columns it has in order."""
    con.register("riia_parsed_batch", frame)
    try:
        con.execute(f"insert into {table} select * from riia_parsed_batch")
    finally:
        con.unregister("riia_parsed_batch")
