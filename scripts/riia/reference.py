#!/usr/bin/env python3
"""Derive the reference seeds (`seeds/reference/*.csv`) from the public reference files.

The project never reads the reference folder at run time: this script copies what the
project needs into seeds, so the derivation can be rerun and reviewed. Output is
deterministic (sorted rows, `\\n` line endings, UTF-8 without BOM), and
`tests/python/test_reference_seeds.py` proves that a rerun reproduces the committed seeds
byte for byte.

Inputs (all Open Government Licence v3.0, see the reference folder's README.md):
* ons_mid-year_population_estimates_2012_to_2024.csv - ONS mid-year estimates, 0-17, as
  published in DfE's children's social care dashboard (revised mid-2022 and mid-2023).
* ons_mye2_mid2023_age_bands.csv - ONS MYE2 mid-2023 (original vintage), 5-16 and 0-25.
* sn_model_2025_wide.csv - DfE statistical neighbours, 2025 model.

Outputs: ref_regions, ref_local_authorities, ref_la_ons_codes, ref_population,
ref_statistical_neighbours. Every check that fails raises ReferenceDataError with a
message saying what was expected.

Usage:
    python scripts/build_reference_seeds.py [--reference-dir DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from riia.paths import PROJECT_ROOT as REPO_ROOT
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
DEFAULT_OUT_DIR = REPO_ROOT / "seeds" / "reference"

ONS_0_17_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
MYE2_FILE = "ons_mye2_mid2023_age_bands.csv"
SN_FILE = "sn_model_2025_wide.csv"

FIRST_YEAR = 2012
LATEST_YEAR = 2024
MYE2_YEAR = 2023
SN_MODEL = "2025"
SN_NEIGHBOURS = 10

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
LONDON_CODE = "E12000007"
LONDON_SUBREGIONS = {"E13000001": "Inner London", "E13000002": "Outer London"}

SOURCE_0_17 = "ONS MYE via DfE CSC dashboard (revised)"
SOURCE_MYE2 = "ONS MYE2 mid-2023"
SUPPRESSED = "x"  # the DfE file's marker for a figure it does not publish

# Region code -> (short name, `region_ind` of the statistical neighbour file). The short
# names are the project's own; `region_ind` is as documented with the SN 2025 model
# (1 EM, 2 East, 3 London, 4 NE, 5 NW, 6 SE, 7 SW, 8 WM, 9 Y&H) and is cross-checked
# against the SN file's own region names below.
REGION_META: dict[str, tuple[str, int]] = {
    "E12000001": ("NE", 4),
    "E12000002": ("NW", 5),
    "E12000003": ("YH", 9),
    "E12000004": ("EM", 1),
    "E12000005": ("WM", 8),
    "E12000006": ("EE", 2),
    "E12000007": ("LDN", 3),
    "E12000008": ("SE", 6),
    "E12000009": ("SW", 7),
}

# Current (mid-2024) LAs per region, from the reference README.
EXPECTED_CURRENT_LAS: dict[str, int] = {
    "E12000007": 33,  # London
    "E12000002": 24,  # North West
    "E12000008": 19,  # South East
    "E12000003": 15,  # Yorkshire and The Humber
    "E12000009": 15,  # South West
    "E12000005": 14,  # West Midlands
    "E12000001": 12,  # North East
    "E12000006": 11,  # East of England
    "E12000004": 10,  # East Midlands
}
EXPECTED_CURRENT_TOTAL = 153

# Reorganisations, from the reference README (the data shows only that codes stop and
# start; which new LA took over which old area is a fact from outside the data):
# * 2019: Bournemouth (837) and Poole (836) became Bournemouth, Christchurch and Poole
#   (839); Dorset county (835) became Dorset (838), except Christchurch, which went to
#   BCP (839) - hence both codes.
# * 2021: Northamptonshire (928) became North (940) and West (941) Northamptonshire.
# * 2023: Cumbria (909) became Cumberland (942) and Westmorland and Furness (943).
# The script checks these against the data: every LA that stops before mid-2024 must be
# listed here, and each successor must first appear the mid-year after its predecessor
# last appears, in the same region.
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "835": ("838", "839"),
    "836": ("839",),
    "837": ("839",),
    "909": ("942", "943"),
    "928": ("940", "941"),
}
# LAs that kept their 3-digit code but got a new ONS code (reference README).
EXPECTED_ONS_CODE_CHANGES = frozenset({"815", "825", "933"})

# Pinned published figure: Hartlepool (805), 0-17, mid-2024.
PINNED_LA, PINNED_YEAR, PINNED_POPULATION = "805", 2024, 21090

LA_CODE_RE = re.compile(r"[0-9]{3}")
ONS_CODE_RE = re.compile(r"E[0-9]{8}")
INTEGER_RE = re.compile(r"[0-9]+")


class ReferenceDataError(Exception):
    """A reference file is not what the seeds' derivation expects."""


@dataclass(frozen=True)
class LaYear:
    """One LA-level row of the DfE/ONS 0-17 file."""

    la_code: str
    ons_code: str
    la_name: str
    region_code: str  # E12 region or E13 Inner/Outer London, as in the file
    mid_year: int
    population: int | None  # None where the file suppresses the figure


@dataclass(frozen=True)
class LocalAuthority:
    la_code: str
    la_name: str
    ons_code: str
    region_code: str
    region_name: str
    london_subregion: str
    first_mid_year: int
    last_mid_year: int
    is_current: bool
    successor_la_codes: str


@dataclass(frozen=True)
class PopulationRow:
    geography_level: str
    area_code: str
    area_name: str
    mid_year: int
    age_band: str
    population: int
    source: str


# --------------------------------------------------------------------------- reading


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


def read_ons_0_17(
    path: Path,
) -> tuple[list[LaYear], dict[tuple[str, int], int], dict[str, str], dict[int, int]]:
    """Return LA rows, region populations by (region code, year), region names, England by year."""
    rows = read_csv_rows(
        path,
        [
            "time_period", "time_identifier", "geographic_level", "country_code",
            "region_code", "region_name", "old_la_code", "new_la_code", "la_name",
            "age_group", "population_estimate",
        ],
    )
    la_rows: list[LaYear] = []
    regions: dict[tuple[str, int], int] = {}
    region_names: dict[str, str] = {}
    england: dict[int, int] = {}
    for number, row in enumerate(rows, start=2):
        where = f"{path.name} line {number}"
        if row["time_identifier"] != "Reporting year" or row["country_code"] != ENGLAND_CODE:
            raise ReferenceDataError(f"{where}: unexpected time_identifier/country {row}")
        if row["age_group"] != "Children aged 0 to 17 years":
            raise ReferenceDataError(f"{where}: unexpected age_group {row['age_group']!r}")
        year = parse_int(row["time_period"], where)
        if not FIRST_YEAR <= year <= LATEST_YEAR:
            raise ReferenceDataError(f"{where}: mid-year {year} outside {FIRST_YEAR}-{LATEST_YEAR}")
        level = row["geographic_level"]
        raw_population = row["population_estimate"]
        if level == "Local authority":
            population = None if raw_population == SUPPRESSED else parse_int(raw_population, where)
            la_rows.append(
                LaYear(
                    la_code=check_code(LA_CODE_RE, row["old_la_code"], where),
                    ons_code=check_code(ONS_CODE_RE, row["new_la_code"], where),
                    la_name=row["la_name"],
                    region_code=check_code(ONS_CODE_RE, row["region_code"], where),
                    mid_year=year,
                    population=population,
                )
            )
        elif level == "Regional":
            code = check_code(ONS_CODE_RE, row["region_code"], where)
            if code in LONDON_SUBREGIONS:
                continue  # Inner/Outer London: not regions; London E12000007 has its own row
            if code not in REGION_META:
                raise ReferenceDataError(f"{where}: unknown region code {code}")
            if (code, year) in regions:
                raise ReferenceDataError(f"{where}: second row for region {code} in {year}")
            regions[(code, year)] = parse_int(raw_population, where)
            if region_names.setdefault(code, row["region_name"]) != row["region_name"]:
                raise ReferenceDataError(f"{where}: region {code} has two names")
        elif level == "National":
            if year in england:
                raise ReferenceDataError(f"{where}: second England row for {year}")
            england[year] = parse_int(raw_population, where)
        else:
            raise ReferenceDataError(f"{where}: unknown geographic_level {level!r}")

    seen = Counter((la.la_code, la.mid_year) for la in la_rows)
    duplicates = sorted(key for key, count in seen.items() if count > 1)
    if duplicates:
        raise ReferenceDataError(f"{path.name}: LA-years appear twice: {duplicates}")
    all_years = set(range(FIRST_YEAR, LATEST_YEAR + 1))
    if set(england) != all_years:
        missing_years = sorted(all_years - set(england))
        raise ReferenceDataError(f"{path.name}: England missing for {missing_years}")
    for code in REGION_META:
        missing = sorted(all_years - {year for (region, year) in regions if region == code})
        if missing:
            raise ReferenceDataError(f"{path.name}: region {code} missing for {missing}")
    return la_rows, regions, region_names, england


# ------------------------------------------------------------------------- deriving


def build_regions(region_names: dict[str, str]) -> list[list[str]]:
    return [
        [code, region_names[code], short, str(sn_ind)]
        for code, (short, sn_ind) in sorted(REGION_META.items())
    ]


def build_local_authorities(
    la_rows: list[LaYear], region_names: dict[str, str]
) -> dict[str, LocalAuthority]:
    by_la: dict[str, list[LaYear]] = defaultdict(list)
    for row in la_rows:
        by_la[row.la_code].append(row)

    las: dict[str, LocalAuthority] = {}
    for la_code, years in by_la.items():
        years.sort(key=lambda row: row.mid_year)
        latest = years[-1]
        file_regions = {row.region_code for row in years}
        if len(file_regions) != 1:
            raise ReferenceDataError(
                f"LA {la_code} changes region over time: {sorted(file_regions)}"
            )
        file_region = latest.region_code
        subregion = LONDON_SUBREGIONS.get(file_region, "")
        region_code = LONDON_CODE if subregion else file_region
        if region_code not in REGION_META:
            raise ReferenceDataError(f"LA {la_code}: unknown region {file_region}")
        present = [row.mid_year for row in years]
        if present != list(range(present[0], present[-1] + 1)):
            raise ReferenceDataError(f"LA {la_code}: gap in its mid-years {present}")
        is_current = latest.mid_year == LATEST_YEAR
        las[la_code] = LocalAuthority(
            la_code=la_code,
            la_name=latest.la_name,
            ons_code=latest.ons_code,
            region_code=region_code,
            region_name=region_names[region_code],
            london_subregion=subregion,
            first_mid_year=present[0],
            last_mid_year=present[-1],
            is_current=is_current,
            successor_la_codes=" ".join(SUCCESSORS.get(la_code, ())),
        )
    check_current_las(las)
    check_successors(las)
    return las


def check_current_las(las: dict[str, LocalAuthority]) -> None:
    current = [la for la in las.values() if la.is_current]
    if len(current) != EXPECTED_CURRENT_TOTAL:
        raise ReferenceDataError(
            f"expected {EXPECTED_CURRENT_TOTAL} current LAs in mid-{LATEST_YEAR}, "
            f"found {len(current)}"
        )
    counts = Counter(la.region_code for la in current)
    wrong = {
        f"{code} {las_region_name(las, code)}": (expected, counts.get(code, 0))
        for code, expected in EXPECTED_CURRENT_LAS.items()
        if counts.get(code, 0) != expected
    }
    if wrong:
        raise ReferenceDataError(f"current LAs per region (expected, found) differ: {wrong}")


def las_region_name(las: dict[str, LocalAuthority], code: str) -> str:
    return next((la.region_name for la in las.values() if la.region_code == code), "?")


def check_successors(las: dict[str, LocalAuthority]) -> None:
    ended = {code for code, la in las.items() if not la.is_current}
    if ended != set(SUCCESSORS):
        raise ReferenceDataError(
            "LAs that stop before mid-{0} {1} differ from the reorganisations listed in "
            "SUCCESSORS {2}".format(LATEST_YEAR, sorted(ended), sorted(SUCCESSORS))
        )
    for old_code, new_codes in SUCCESSORS.items():
        old = las[old_code]
        for new_code in new_codes:
            new = las.get(new_code)
            if new is None or not new.is_current:
                raise ReferenceDataError(f"successor {new_code} of {old_code} is not a current LA")
            if new.first_mid_year != old.last_mid_year + 1 or new.region_code != old.region_code:
                raise ReferenceDataError(
                    f"successor {new_code} (from mid-{new.first_mid_year}, {new.region_code}) does "
                    f"not follow {old_code} (to mid-{old.last_mid_year}, {old.region_code})"
                )


def build_la_ons_codes(la_rows: list[LaYear]) -> list[list[str]]:
    spans: dict[tuple[str, str], list[LaYear]] = defaultdict(list)
    for row in la_rows:
        spans[(row.la_code, row.ons_code)].append(row)
    out: list[list[str]] = []
    for (la_code, ons_code), rows in spans.items():
        rows.sort(key=lambda row: row.mid_year)
        out.append(
            [la_code, ons_code, rows[-1].la_name, str(rows[0].mid_year), str(rows[-1].mid_year)]
        )
    out.sort(key=lambda row: (row[0], int(row[3]), row[1]))  # la_code, then oldest code first
    codes_per_la = Counter(row[0] for row in out)
    changed = {code for code, count in codes_per_la.items() if count > 1}
    if changed != EXPECTED_ONS_CODE_CHANGES:
        raise ReferenceDataError(
            f"LAs with more than one ONS code {sorted(changed)} differ from the expected "
            f"{sorted(EXPECTED_ONS_CODE_CHANGES)}"
        )
    ons_owners = Counter(row[1] for row in out)
    shared = sorted(code for code, count in ons_owners.items() if count > 1)
    if shared:
        raise ReferenceDataError(f"ONS codes used by more than one LA code: {shared}")
    return out


def build_population(
    la_rows: list[LaYear],
    regions: dict[tuple[str, int], int],
    region_names: dict[str, str],
    england: dict[int, int],
    las: dict[str, LocalAuthority],
    mye2_path: Path,
) -> list[PopulationRow]:
    rows: list[PopulationRow] = []
    for la in la_rows:
        if la.population is not None:  # suppressed figures ('x') get no row
            rows.append(
                PopulationRow("la", la.la_code, las[la.la_code].la_name, la.mid_year, "0-17",
                              la.population, SOURCE_0_17)
            )
    for (code, year), population in regions.items():
        rows.append(
            PopulationRow("region", code, region_names[code], year, "0-17", population, SOURCE_0_17)
        )
    for year, population in england.items():
        rows.append(
            PopulationRow(
                "england", ENGLAND_CODE, ENGLAND_NAME, year, "0-17", population, SOURCE_0_17
            )
        )

    mye2 = read_mye2(mye2_path)
    areas: list[tuple[str, str, str, str]] = [
        ("la", la.la_code, la.la_name, la.ons_code)
        for la in sorted(las.values(), key=lambda la: la.la_code)
        if la.is_current
    ]
    areas += [("region", code, region_names[code], code) for code in sorted(REGION_META)]
    areas.append(("england", ENGLAND_CODE, ENGLAND_NAME, ENGLAND_CODE))
    missing = [f"{code} {name} ({ons})" for _, code, name, ons in areas if ons not in mye2]
    if missing:
        raise ReferenceDataError(f"{mye2_path.name}: no row for {len(missing)} areas: {missing}")
    for level, code, name, ons in areas:
        for band, population in mye2[ons].items():
            rows.append(PopulationRow(level, code, name, MYE2_YEAR, band, population, SOURCE_MYE2))
    return rows


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


def check_population(rows: list[PopulationRow], las: dict[str, LocalAuthority]) -> None:
    keys = Counter((row.geography_level, row.area_code, row.mid_year, row.age_band) for row in rows)
    duplicates = sorted(key for key, count in keys.items() if count > 1)
    if duplicates:
        raise ReferenceDataError(f"population rows appear twice: {duplicates[:10]}")
    pinned = [
        row.population for row in rows
        if (row.geography_level, row.area_code, row.mid_year, row.age_band)
        == ("la", PINNED_LA, PINNED_YEAR, "0-17")
    ]
    if pinned != [PINNED_POPULATION]:
        raise ReferenceDataError(
            f"LA {PINNED_LA} 0-17 mid-{PINNED_YEAR}: expected {PINNED_POPULATION}, found {pinned}"
        )
    required = [(LATEST_YEAR, "0-17"), (MYE2_YEAR, "5-16"), (MYE2_YEAR, "0-25")]
    gaps = [
        f"{la.la_code} {band} mid-{year}"
        for la in las.values() if la.is_current
        for year, band in required
        if ("la", la.la_code, year, band) not in keys
    ]
    if gaps:
        raise ReferenceDataError(f"current LAs without a population: {gaps}")


def build_neighbours(
    path: Path, las: dict[str, LocalAuthority]
) -> tuple[list[list[str]], list[str]]:
    """Return the long neighbour rows and notes on name differences (not errors)."""
    ranks = range(1, SN_NEIGHBOURS + 1)
    rows = read_csv_rows(
        path,
        ["old_la_code", "la_name", "region_ind", "region_name"]
        + [f"SN_{rank}" for rank in ranks] + [f"SN_{rank}P" for rank in ranks],
    )
    current = {code for code, la in las.items() if la.is_current}
    sn_ind_to_region = {sn_ind: code for code, (_, sn_ind) in REGION_META.items()}
    out: list[list[str]] = []
    notes: list[str] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        where = f"{path.name} line {number}"
        la_code = check_code(LA_CODE_RE, row["old_la_code"], where)
        if la_code not in current:
            raise ReferenceDataError(f"{where}: {la_code} is not a current LA")
        if la_code in seen:
            raise ReferenceDataError(f"{where}: {la_code} appears twice")
        seen.add(la_code)
        la = las[la_code]
        region_code = sn_ind_to_region.get(parse_int(row["region_ind"], where))
        if region_code != la.region_code or row["region_name"] != la.region_name:
            raise ReferenceDataError(
                f"{where}: region_ind {row['region_ind']} / {row['region_name']!r} does not match "
                f"{la_code}'s region {la.region_code} {la.region_name!r}"
            )
        if row["la_name"] != la.la_name:
            notes.append(
                f"{path.name}: {la_code} is named {row['la_name']!r}, ONS file {la.la_name!r}"
            )
        neighbours = [check_code(LA_CODE_RE, row[f"SN_{rank}"], where) for rank in ranks]
        strangers = [code for code in neighbours if code not in current]
        if strangers or len(set(neighbours)) != SN_NEIGHBOURS or la_code in neighbours:
            raise ReferenceDataError(
                f"{where}: {la_code} needs {SN_NEIGHBOURS} distinct current LAs other than itself "
                f"as neighbours, found {neighbours} (not current: {strangers})"
            )
        for rank, neighbour in zip(ranks, neighbours):
            closeness = row[f"SN_{rank}P"]
            if not closeness:
                raise ReferenceDataError(f"{where}: no closeness label for SN_{rank}")
            out.append([la_code, neighbour, str(rank), closeness, SN_MODEL])
    if seen != current:
        raise ReferenceDataError(
            f"{path.name}: current LAs without neighbours: {sorted(current - seen)}"
        )
    out.sort(key=lambda row: (row[0], int(row[2])))
    return out, notes


# -------------------------------------------------------------------------- writing


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write UTF-8 (no BOM), `\\n` line endings, minimal quoting; return the data row count."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def flag(value: bool) -> str:
    return "true" if value else "false"


def build(reference_dir: Path, out_dir: Path) -> dict[str, int]:
    """Derive every seed from `reference_dir` into `out_dir`; return rows written per seed."""
    la_rows, regions, region_names, england = read_ons_0_17(reference_dir / ONS_0_17_FILE)
    las = build_local_authorities(la_rows, region_names)
    ons_codes = build_la_ons_codes(la_rows)
    population = build_population(
        la_rows, regions, region_names, england, las, reference_dir / MYE2_FILE
    )
    check_population(population, las)
    neighbours, notes = build_neighbours(reference_dir / SN_FILE, las)

    level_order = {"england": 0, "region": 1, "la": 2}
    population.sort(
        key=lambda row: (
            level_order[row.geography_level], row.area_code, row.mid_year, row.age_band
        )
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    written = {
        "ref_regions": write_csv(
            out_dir / "ref_regions.csv",
            ["region_code", "region_name", "region_short_name", "sn_region_ind"],
            build_regions(region_names),
        ),
        "ref_local_authorities": write_csv(
            out_dir / "ref_local_authorities.csv",
            [
                "la_code", "la_name", "ons_code", "region_code", "region_name", "london_subregion",
                "first_mid_year", "last_mid_year", "is_current", "successor_la_codes",
            ],
            (
                [
                    la.la_code, la.la_name, la.ons_code, la.region_code, la.region_name,
                    la.london_subregion, str(la.first_mid_year), str(la.last_mid_year),
                    flag(la.is_current), la.successor_la_codes,
                ]
                for la in sorted(las.values(), key=lambda la: la.la_code)
            ),
        ),
        "ref_la_ons_codes": write_csv(
            out_dir / "ref_la_ons_codes.csv",
            ["la_code", "ons_code", "la_name", "first_mid_year", "last_mid_year"],
            ons_codes,
        ),
        "ref_population": write_csv(
            out_dir / "ref_population.csv",
            [
                "geography_level", "area_code", "area_name", "mid_year", "age_band",
                "population", "source",
            ],
            (
                [row.geography_level, row.area_code, row.area_name, str(row.mid_year),
                 row.age_band, str(row.population), row.source]
                for row in population
            ),
        ),
        "ref_statistical_neighbours": write_csv(
            out_dir / "ref_statistical_neighbours.csv",
            ["la_code", "neighbour_la_code", "neighbour_rank", "closeness", "sn_model"],
            neighbours,
        ),
    }
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--reference-dir", type=Path, default=DEFAULT_REFERENCE_DIR,
        help=f"folder holding the public reference files (default {DEFAULT_REFERENCE_DIR})",
    )
    parser.add_argument(
        "--out-dir", type=Path, default=DEFAULT_OUT_DIR,
        help=f"folder the seed CSVs are written to (default {DEFAULT_OUT_DIR})",
    )
    args = parser.parse_args(argv)
    try:
        written = build(args.reference_dir, args.out_dir)
    except ReferenceDataError as error:
        print(f"build_reference_seeds: {error}", file=sys.stderr)
        return 1
    for seed, count in written.items():
        print(f"{seed}: {count} rows -> {args.out_dir / (seed + '.csv')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
