"""Populations by area, mid-year and age band: 0-17 from the DfE/ONS file, 5-16 and 0-25
from ONS MYE2 mid-2023."""

from __future__ import annotations

from riia.reference.facts import ENGLAND_CODE, ENGLAND_NAME, MYE2_YEAR, REGION_META, SOURCE_0_17, SOURCE_MYE2
from riia.reference.local_authorities import is_exact_union
from riia.reference.records import LocalAuthority, Ons0To17, PopulationRow, ReferenceDataError

LEVEL_ORDER = {"england": 0, "region": 1, "la": 2}


def build_population_0_17(ons: Ons0To17, las: dict[str, LocalAuthority]) -> list[PopulationRow]:
    """Every published 0-17 figure; suppressed figures ('x') get no row."""
    rows = [
        PopulationRow("la", la.la_code, las[la.la_code].la_name, la.mid_year, "0-17", la.population, SOURCE_0_17)
        for la in ons.la_rows
        if la.population is not None
    ]
    rows += [
        PopulationRow("region", code, ons.region_names[code], year, "0-17", population, SOURCE_0_17)
        for (code, year), population in ons.regions.items()
    ]
    rows += [
        PopulationRow("england", ENGLAND_CODE, ENGLAND_NAME, year, "0-17", population, SOURCE_0_17)
        for year, population in ons.england.items()
    ]
    return rows


def build_population_mye2(
    mye2: dict[str, dict[str, int]],
    las: dict[str, LocalAuthority],
    region_names: dict[str, str],
    mye2_name: str,
) -> list[PopulationRow]:
    """5-16 and 0-25 for mid-2023: current LAs (on their latest ONS code), regions, England."""
    areas: list[tuple[str, str, str, str]] = [
        ("la", la.la_code, la.la_name, la.ons_code)
        for la in sorted(las.values(), key=lambda la: la.la_code)
        if la.is_current
    ]
    areas += [("region", code, region_names[code], code) for code in sorted(REGION_META)]
    areas.append(("england", ENGLAND_CODE, ENGLAND_NAME, ENGLAND_CODE))
    missing = [f"{code} {name} ({ons})" for _, code, name, ons in areas if ons not in mye2]
    if missing:
        raise ReferenceDataError(f"{mye2_name}: no row for {len(missing)} areas: {missing}")
    return [
        PopulationRow(level, code, name, MYE2_YEAR, band, population, SOURCE_MYE2)
        for level, code, name, ons in areas
        for band, population in mye2[ons].items()
    ]


def build_population_predecessors(
    mye2: dict[str, dict[str, int]], las: dict[str, LocalAuthority]
) -> list[PopulationRow]:
    """5-16 and 0-25 for mid-2023 for LAs that are no longer current (Cumbria's 2022-23
    returns need them): the MYE2 file's own row for the LA's ONS code where it has one,
    else, where the LA's area is exactly the union of its successors' (909 = 942 + 943,
    928 = 940 + 941), the sum of theirs. Others (835, 836, 837: Christchurch moved from
    Dorset to BCP) get none."""
    rows: list[PopulationRow] = []
    for code, la in sorted(las.items()):
        if la.is_current:
            continue
        if la.ons_code in mye2:
            bands, source = mye2[la.ons_code], SOURCE_MYE2
        elif is_exact_union(la, las):
            bands = sum_bands([mye2[las[new].ons_code] for new in la.successor_la_codes])
            source = f"{SOURCE_MYE2}, sum of {' and '.join(la.successor_la_codes)} (the {la.la_name} area)"
        else:
            continue
        rows += [PopulationRow("la", code, la.la_name, MYE2_YEAR, band, n, source) for band, n in bands.items()]
    return rows


def sum_bands(areas: list[dict[str, int]]) -> dict[str, int]:
    return {band: sum(area[band] for area in areas) for band in areas[0]}


def sort_population(rows: list[PopulationRow]) -> list[PopulationRow]:
    return sorted(rows, key=lambda row: (LEVEL_ORDER[row.geography_level], row.area_code, row.mid_year, row.age_band))
