"""Checks across rows and files. Each raises ReferenceDataError saying what was expected."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable

from riia.reference.facts import (
    EXPECTED_CURRENT_LAS,
    EXPECTED_CURRENT_TOTAL,
    EXPECTED_ONS_CODE_CHANGES,
    FIRST_YEAR,
    LATEST_YEAR,
    MYE2_YEAR,
    PINNED_LA,
    PINNED_POPULATION,
    PINNED_YEAR,
    REGION_META,
    SN_NEIGHBOURS,
    SUCCESSORS,
)
from riia.reference.records import (
    DfePublishedFigure,
    LocalAuthority,
    NeighbourRow,
    Ons0To17,
    PopulationRow,
    ReferenceDataError,
)


def check_ons_0_17(ons: Ons0To17, file_name: str) -> None:
    """Each LA once a year; England and every region in every year."""
    seen = Counter((la.la_code, la.mid_year) for la in ons.la_rows)
    duplicates = sorted(key for key, count in seen.items() if count > 1)
    if duplicates:
        raise ReferenceDataError(f"{file_name}: LA-years appear twice: {duplicates}")
    all_years = set(range(FIRST_YEAR, LATEST_YEAR + 1))
    if set(ons.england) != all_years:
        raise ReferenceDataError(f"{file_name}: England missing for {sorted(all_years - set(ons.england))}")
    for code in REGION_META:
        missing = sorted(all_years - {year for (region, year) in ons.regions if region == code})
        if missing:
            raise ReferenceDataError(f"{file_name}: region {code} missing for {missing}")


def check_current_las(las: dict[str, LocalAuthority]) -> None:
    """The published 153 current LAs, region by region."""
    current = [la for la in las.values() if la.is_current]
    if len(current) != EXPECTED_CURRENT_TOTAL:
        raise ReferenceDataError(
            f"expected {EXPECTED_CURRENT_TOTAL} current LAs in mid-{LATEST_YEAR}, found {len(current)}"
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
    """Every LA that stops is a listed reorganisation, and its successors follow it."""
    ended = {code for code, la in las.items() if not la.is_current}
    if ended != set(SUCCESSORS):
        raise ReferenceDataError(
            f"LAs that stop before mid-{LATEST_YEAR} {sorted(ended)} differ from the reorganisations "
            f"listed in SUCCESSORS {sorted(SUCCESSORS)}"
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


def check_reorganisation_notes(las: dict[str, LocalAuthority]) -> None:
    """Every reorganised LA has a note naming each LA on the other side of it; no other LA
    has one."""
    for code, la in sorted(las.items()):
        others = la.successor_la_codes + la.predecessor_la_codes
        unnamed = [other for other in others if f"({other})" not in la.reorganisation_note]
        if unnamed or bool(others) != bool(la.reorganisation_note):
            raise ReferenceDataError(
                f"LA {code}: reorganisation note {la.reorganisation_note!r} does not name {unnamed or others}"
            )


def check_la_ons_codes(ons_codes: list[list[str]]) -> None:
    """Only the expected LAs changed ONS code, and no ONS code has two LA codes."""
    codes_per_la = Counter(row[0] for row in ons_codes)
    changed = {code for code, count in codes_per_la.items() if count > 1}
    if changed != EXPECTED_ONS_CODE_CHANGES:
        raise ReferenceDataError(
            f"LAs with more than one ONS code {sorted(changed)} differ from the expected "
            f"{sorted(EXPECTED_ONS_CODE_CHANGES)}"
        )
    ons_owners = Counter(row[1] for row in ons_codes)
    shared = sorted(code for code, count in ons_owners.items() if count > 1)
    if shared:
        raise ReferenceDataError(f"ONS codes used by more than one LA code: {shared}")


def check_population(rows: list[PopulationRow], las: dict[str, LocalAuthority]) -> None:
    """No duplicates; the pinned figure; every current LA has the populations rates need."""
    keys = Counter((row.geography_level, row.area_code, row.mid_year, row.age_band) for row in rows)
    duplicates = sorted(key for key, count in keys.items() if count > 1)
    if duplicates:
        raise ReferenceDataError(f"population rows appear twice: {duplicates[:10]}")
    pinned_key = ("la", PINNED_LA, PINNED_YEAR, "0-17")
    pinned = [
        row.population for row in rows if (row.geography_level, row.area_code, row.mid_year, row.age_band) == pinned_key
    ]
    if pinned != [PINNED_POPULATION]:
        raise ReferenceDataError(f"LA {PINNED_LA} 0-17 mid-{PINNED_YEAR}: expected {PINNED_POPULATION}, found {pinned}")
    required = [(LATEST_YEAR, "0-17"), (MYE2_YEAR, "5-16"), (MYE2_YEAR, "0-25")]
    gaps = [
        f"{la.la_code} {band} mid-{year}"
        for la in las.values()
        if la.is_current
        for year, band in required
        if ("la", la.la_code, year, band) not in keys
    ]
    if gaps:
        raise ReferenceDataError(f"current LAs without a population: {gaps}")


def check_neighbour_row(
    row: NeighbourRow,
    las: dict[str, LocalAuthority],
    allowed: set[str],
    same_region_name: Callable[[str, LocalAuthority], bool],
    what: str = "current LAs",
) -> None:
    """One LA of a neighbour file: one of the `allowed` LAs (`what` names them), in its
    own region, with 10 distinct allowed neighbours other than itself, each with a
    closeness label."""
    if row.la_code not in allowed or row.la_code not in las:
        raise ReferenceDataError(f"{row.where}: {row.la_code} is not one of the {what}")
    la = las[row.la_code]
    sn_ind_to_region = {sn_ind: code for code, (_, sn_ind) in REGION_META.items()}
    if sn_ind_to_region.get(row.region_ind) != la.region_code or not same_region_name(row.region_name, la):
        raise ReferenceDataError(
            f"{row.where}: region_ind {row.region_ind} / {row.region_name!r} does not match "
            f"{row.la_code}'s region {la.region_code} {la.region_name!r}"
        )
    strangers = [code for code in row.neighbours if code not in allowed]
    if strangers or len(set(row.neighbours)) != SN_NEIGHBOURS or row.la_code in row.neighbours:
        raise ReferenceDataError(
            f"{row.where}: {row.la_code} needs {SN_NEIGHBOURS} distinct neighbours other than itself, "
            f"all {what}; found {list(row.neighbours)} (not {what}: {strangers})"
        )
    for rank, closeness in enumerate(row.closeness, start=1):
        if not closeness:
            raise ReferenceDataError(f"{row.where}: no closeness label for SN_{rank}")


def check_neighbours_cover(la_codes: Iterable[str], expected: set[str], where: str, what: str = "current LAs") -> None:
    """Each expected LA exactly once, and no other."""
    counts = Counter(la_codes)
    twice = sorted(code for code, count in counts.items() if count > 1)
    if twice:
        raise ReferenceDataError(f"{where}: LAs appear twice: {twice}")
    if set(counts) != expected:
        raise ReferenceDataError(
            f"{where}: {what} without neighbours: {sorted(expected - set(counts))}; "
            f"LAs that are not {what}: {sorted(set(counts) - expected)}"
        )


def check_dfe_extract(
    figures: list[DfePublishedFigure], las: dict[str, LocalAuthority], population: list[PopulationRow]
) -> None:
    """Each figure is for an LA code that existed in its year (year ending 31 March N =
    financial year (N-1)-N, mid-(N-1)), and a 0-17 population it was divided by is the
    seed's figure for mid-(N-1) (the DfE rule the rates follow)."""
    if not figures:
        raise ReferenceDataError("the DfE published LA extract has no rows")
    populations = {
        (row.area_code, row.mid_year): row.population
        for row in population
        if row.geography_level == "la" and row.age_band == "0-17"
    }
    for figure in figures:
        mid_year = figure.year_ending_march - 1
        la = las.get(figure.la_code)
        if la is None or not la.first_mid_year <= mid_year <= la.last_mid_year:
            raise ReferenceDataError(
                f"{figure.where}: LA {figure.la_code} {figure.la_name} did not exist in the year ending March "
                f"{figure.year_ending_march}"
            )
        seeded = populations.get((figure.la_code, mid_year))
        if figure.denominator == "population 0-17" and seeded != figure.denominator_value:
            raise ReferenceDataError(
                f"{figure.where}: population 0-17 {figure.denominator_value} differs from the seed's "
                f"mid-{mid_year} figure {seeded} for LA {figure.la_code}"
            )
