"""Writing the seeds: one header and row layout per seed, deterministic CSV."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

from riia.reference.records import LocalAuthority, PopulationRow

LA_COLUMNS = [
    "la_code",
    "la_name",
    "ons_code",
    "region_code",
    "region_name",
    "london_subregion",
    "first_mid_year",
    "last_mid_year",
    "is_current",
    "successor_la_codes",
    "first_period",
    "last_period",
    "predecessor_la_codes",
    "reorganisation_note",
]
POPULATION_COLUMNS = ["geography_level", "area_code", "area_name", "mid_year", "age_band", "population", "source"]
REGION_COLUMNS = ["region_code", "region_name", "region_short_name", "sn_region_ind"]
ONS_CODE_COLUMNS = ["la_code", "ons_code", "la_name", "first_mid_year", "last_mid_year"]
NEIGHBOUR_COLUMNS = ["la_code", "neighbour_la_code", "neighbour_rank", "closeness", "sn_model"]


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


def la_row(la: LocalAuthority) -> list[str]:
    return [
        la.la_code,
        la.la_name,
        la.ons_code,
        la.region_code,
        la.region_name,
        la.london_subregion,
        str(la.first_mid_year),
        str(la.last_mid_year),
        flag(la.is_current),
        " ".join(la.successor_la_codes),
        la.first_period.label,
        la.last_period.label if la.last_period else "",
        " ".join(la.predecessor_la_codes),
        la.reorganisation_note,
    ]


def population_row(row: PopulationRow) -> list[str]:
    return [
        row.geography_level,
        row.area_code,
        row.area_name,
        str(row.mid_year),
        row.age_band,
        str(row.population),
        row.source,
    ]


def write_seeds(
    out_dir: Path,
    regions: list[list[str]],
    las: dict[str, LocalAuthority],
    ons_codes: list[list[str]],
    population: list[PopulationRow],
    neighbours: list[list[str]],
) -> dict[Path, int]:
    """Write every seed into `out_dir`; return rows written per file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    seeds: dict[str, tuple[list[str], Iterable[Sequence[str]]]] = {
        "ref_regions": (REGION_COLUMNS, regions),
        "ref_local_authorities": (LA_COLUMNS, (la_row(la) for _, la in sorted(las.items()))),
        "ref_la_ons_codes": (ONS_CODE_COLUMNS, ons_codes),
        "ref_population": (POPULATION_COLUMNS, (population_row(row) for row in population)),
        "ref_statistical_neighbours": (NEIGHBOUR_COLUMNS, neighbours),
    }
    return {
        out_dir / f"{name}.csv": write_csv(out_dir / f"{name}.csv", header, rows)
        for name, (header, rows) in seeds.items()
    }


def copy_fixture(source: Path, fixtures_dir: Path, rows: int) -> dict[Path, int]:
    """Copy a reference file byte for byte (line endings included) into `fixtures_dir`."""
    fixtures_dir.mkdir(parents=True, exist_ok=True)
    target = fixtures_dir / source.name
    shutil.copyfile(source, target)
    return {target: rows}
