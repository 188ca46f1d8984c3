"""Reading the reference files: each function turns one file into records, failing on
anything it cannot parse. Checks across rows and files are in `checks`."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from riia.reference.facts import (
    ENGLAND_CODE,
    FIRST_YEAR,
    INTEGER_RE,
    LA_CODE_RE,
    LATEST_YEAR,
    LONDON_SUBREGIONS,
    ONS_CODE_RE,
    REGION_META,
    SN_2021_OLD_SECTION,
    SN_NEIGHBOURS,
    SUPPRESSED,
)
from riia.reference.records import DfePublishedFigure, LaYear, NeighbourRow, Ons0To17, ReferenceDataError

ONS_0_17_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
]
SN_RANKS = range(1, SN_NEIGHBOURS + 1)
DFE_EXTRACT_COLUMNS = [
    "time_period",
    "old_la_code",
    "la_name",
    "indicator_code",
    "measure",
    "numerator_item",
    "numerator",
    "denominator",
    "denominator_value",
    "published_value",
    "dfe_file",
]
SN_2021_COLUMNS = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
SN_2021_COLUMNS += [name for rank in SN_RANKS for name in (f"SN{rank}", "SNP")]


def read_csv_rows(path: Path, required: Sequence[str]) -> list[dict[str, str]]:
    """Read a CSV (BOM tolerated) as text, failing if a required column is missing."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in required if name not in header]
        if missing:
            raise ReferenceDataError(f"{path.name}: missing columns {missing}; header is {header}")
        reader.fieldnames = header
        return [{key: (value or "").strip() for key, value in row.items()} for row in reader]


def parse_int(text: str, context: str) -> int:
    if not INTEGER_RE.fullmatch(text):
        raise ReferenceDataError(f"{context}: expected a whole number, found {text!r}")
    return int(text)


def check_code(pattern: re.Pattern[str], text: str, context: str) -> str:
    if not pattern.fullmatch(text):
        raise ReferenceDataError(f"{context}: malformed code {text!r}")
    return text


def read_ons_0_17(path: Path) -> Ons0To17:
    """LA rows, region populations by (region code, year), region names, England by year."""
    data = Ons0To17(la_rows=[], regions={}, region_names={}, england={})
    for number, row in enumerate(read_csv_rows(path, ONS_0_17_COLUMNS), start=2):
        where = f"{path.name} line {number}"
        if row["time_identifier"] != "Reporting year" or row["country_code"] != ENGLAND_CODE:
            raise ReferenceDataError(f"{where}: unexpected time_identifier/country {row}")
        if row["age_group"] != "Children aged 0 to 17 years":
            raise ReferenceDataError(f"{where}: unexpected age_group {row['age_group']!r}")
        year = parse_int(row["time_period"], where)
        if not FIRST_YEAR <= year <= LATEST_YEAR:
            raise ReferenceDataError(f"{where}: mid-year {year} outside {FIRST_YEAR}-{LATEST_YEAR}")
        level = row["geographic_level"]
        if level == "Local authority":
            data.la_rows.append(parse_la_year(row, year, where))
        elif level == "Regional":
            add_region_year(data, row, year, where)
        elif level == "National":
            if year in data.england:
                raise ReferenceDataError(f"{where}: second England row for {year}")
            data.england[year] = parse_int(row["population_estimate"], where)
        else:
            raise ReferenceDataError(f"{where}: unknown geographic_level {level!r}")
    return data


def parse_la_year(row: dict[str, str], year: int, where: str) -> LaYear:
    raw = row["population_estimate"]
    return LaYear(
        la_code=check_code(LA_CODE_RE, row["old_la_code"], where),
        ons_code=check_code(ONS_CODE_RE, row["new_la_code"], where),
        la_name=row["la_name"],
        region_code=check_code(ONS_CODE_RE, row["region_code"], where),
        mid_year=year,
        population=None if raw == SUPPRESSED else parse_int(raw, where),
    )


def add_region_year(data: Ons0To17, row: dict[str, str], year: int, where: str) -> None:
    code = check_code(ONS_CODE_RE, row["region_code"], where)
    if code in LONDON_SUBREGIONS:
        return  # Inner/Outer London: not regions; London E12000007 has its own row
    if code not in REGION_META:
        raise ReferenceDataError(f"{where}: unknown region code {code}")
    if (code, year) in data.regions:
        raise ReferenceDataError(f"{where}: second row for region {code} in {year}")
    data.regions[(code, year)] = parse_int(row["population_estimate"], where)
    if data.region_names.setdefault(code, row["region_name"]) != row["region_name"]:
        raise ReferenceDataError(f"{where}: region {code} has two names")


def read_mye2(path: Path) -> dict[str, dict[str, int]]:
    """ONS code -> {'5-16': n, '0-25': n}. The file's 0-17 column is deliberately not used."""
    rows = read_csv_rows(path, ["ons_code", "name", "geography", "pop_5_16", "pop_0_25"])
    out: dict[str, dict[str, int]] = {}
    for number, row in enumerate(rows, start=2):
        where = f"{path.name} line {number}"
        code = row["ons_code"]
        if code in out:
            raise ReferenceDataError(f"{where}: ONS code {code} appears twice")
        out[code] = {
            "5-16": parse_int(row["pop_5_16"], where),
            "0-25": parse_int(row["pop_0_25"], where),
        }
    return out


def read_sn_2025(path: Path) -> list[NeighbourRow]:
    """The 2025 model, wide: SN_1..SN_10 and their closeness labels SN_1P..SN_10P."""
    columns = ["old_la_code", "la_name", "region_ind", "region_name"]
    columns += [f"SN_{rank}" for rank in SN_RANKS] + [f"SN_{rank}P" for rank in SN_RANKS]
    out: list[NeighbourRow] = []
    for number, row in enumerate(read_csv_rows(path, columns), start=2):
        where = f"{path.name} line {number}"
        out.append(
            NeighbourRow(
                where=where,
                la_code=check_code(LA_CODE_RE, row["old_la_code"], where),
                la_name=row["la_name"],
                region_ind=parse_int(row["region_ind"], where),
                region_name=row["region_name"],
                neighbours=tuple(check_code(LA_CODE_RE, row[f"SN_{rank}"], where) for rank in SN_RANKS),
                closeness=tuple(row[f"SN_{rank}P"] for rank in SN_RANKS),
            )
        )
    return out


def read_sn_2021(path: Path) -> dict[str, list[NeighbourRow]]:
    """The April 2021 file, by section: "main" (the 2021 model) and "old" (the rows after
    the "Old SNs:" marker). Columns by position: the header repeats `SNP` after each
    `SNn` and ends with an empty column. Blank rows are skipped."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [[cell.strip() for cell in row] for row in csv.reader(handle)]
    header = rows[0] if rows else []
    if header[: len(SN_2021_COLUMNS)] != SN_2021_COLUMNS or any(header[len(SN_2021_COLUMNS) :]):
        raise ReferenceDataError(f"{path.name}: header {header} is not {SN_2021_COLUMNS}")
    sections: dict[str, list[NeighbourRow]] = {"main": [], "old": []}
    section = "main"
    for number, row in enumerate(rows[1:], start=2):
        where = f"{path.name} line {number}"
        if not any(row):
            continue
        if row[1] == SN_2021_OLD_SECTION and not any(row[:1] + row[2:]):
            section = "old"
            continue
        sections[section].append(parse_sn_2021_row(row, where))
    return sections


def parse_sn_2021_row(row: list[str], where: str) -> NeighbourRow:
    width = len(SN_2021_COLUMNS)
    if len(row) < width or any(row[width:]):
        raise ReferenceDataError(f"{where}: expected {width} cells, found {row}")
    la_code = check_code(LA_CODE_RE, row[0], where)
    if row[2] != la_code:
        raise ReferenceDataError(f"{where}: LA num {la_code} and LA number {row[2]!r} differ")
    return NeighbourRow(
        where=where,
        la_code=la_code,
        la_name=row[1],
        region_ind=parse_int(row[3], where),
        region_name=row[4],
        neighbours=tuple(check_code(LA_CODE_RE, row[3 + 2 * rank], where) for rank in SN_RANKS),
        closeness=tuple(row[4 + 2 * rank] for rank in SN_RANKS),
    )


def read_dfe_extract(path: Path) -> list[DfePublishedFigure]:
    """DfE's published LA figures: the columns the fixture's tests rely on, parsed."""
    out: list[DfePublishedFigure] = []
    for number, row in enumerate(read_csv_rows(path, DFE_EXTRACT_COLUMNS), start=2):
        where = f"{path.name} line {number}"
        parse_int(row["numerator"], where)
        if not re.fullmatch(r"[0-9]+(\.[0-9]+)?", row["published_value"]):
            raise ReferenceDataError(f"{where}: published_value {row['published_value']!r} is not a number")
        out.append(
            DfePublishedFigure(
                where=where,
                year_ending_march=parse_int(row["time_period"], where),
                la_code=check_code(LA_CODE_RE, row["old_la_code"], where),
                la_name=row["la_name"],
                indicator_code=row["indicator_code"],
                denominator=row["denominator"],
                denominator_value=parse_int(row["denominator_value"], where),
            )
        )
    return out
