"""Statistical neighbours, long: one row per LA, neighbour and rank. Current LAs from the
2025 model; LAs that are no longer current from the April 2021 file."""

from __future__ import annotations

from riia.reference.checks import check_neighbour_row, check_neighbours_cover
from riia.reference.facts import CLOSENESS_LABELS, SN_2021_MID_YEAR, SN_2021_MODEL, SN_MODEL
from riia.reference.records import LocalAuthority, NeighbourRow, ReferenceDataError

CLOSENESS_BY_CASEFOLD = {label.casefold(): label for label in CLOSENESS_LABELS}


def build_neighbours_2025(
    rows: list[NeighbourRow], las: dict[str, LocalAuthority], file_name: str
) -> tuple[list[list[str]], list[str]]:
    """Every current LA's 10 neighbours in the 2025 model, and notes on name differences
    (not errors). Every LA and every neighbour must be current."""
    current = {code for code, la in las.items() if la.is_current}
    out: list[list[str]] = []
    notes: list[str] = []
    for row in rows:
        check_neighbour_row(row, las, current, same_name_2025)
        notes += name_notes(row, las[row.la_code], file_name)
        out += long_rows(row, SN_MODEL)
    check_neighbours_cover([row.la_code for row in rows], current, file_name)
    return out, notes


def build_neighbours_2021(
    sections: dict[str, list[NeighbourRow]], las: dict[str, LocalAuthority], file_name: str
) -> tuple[list[list[str]], list[str]]:
    """The 10 neighbours of every LA of the April 2021 file that is not current, and notes
    on their name differences. The whole file is checked: its main section holds exactly
    the LAs of mid-2021 and its "Old SNs" section the LAs abolished before; each LA's
    neighbours are LAs that existed in its last year of the model."""
    in_2021 = las_existing(las, SN_2021_MID_YEAR)
    earlier = {code for code, la in las.items() if la.last_mid_year < SN_2021_MID_YEAR}
    check_neighbours_cover(
        [row.la_code for row in sections["main"]],
        in_2021,
        f"{file_name} (2021 model)",
        f"LAs of mid-{SN_2021_MID_YEAR}",
    )
    check_neighbours_cover(
        [row.la_code for row in sections["old"]],
        earlier,
        f"{file_name} (Old SNs)",
        f"LAs ended before mid-{SN_2021_MID_YEAR}",
    )
    out: list[list[str]] = []
    notes: list[str] = []
    for row in sections["main"] + sections["old"]:
        year = min(las[row.la_code].last_mid_year, SN_2021_MID_YEAR)
        check_neighbour_row(row, las, las_existing(las, year), same_name_2021, f"LAs of mid-{year}")
        if not las[row.la_code].is_current:
            notes += name_notes(row, las[row.la_code], file_name)
            out += long_rows(row, SN_2021_MODEL)
    return out, notes


def las_existing(las: dict[str, LocalAuthority], mid_year: int) -> set[str]:
    return {code for code, la in las.items() if la.first_mid_year <= mid_year <= la.last_mid_year}


def same_name_2025(name: str, la: LocalAuthority) -> bool:
    """The 2025 file writes region names as ONS does."""
    return name == la.region_name


def same_name_2021(name: str, la: LocalAuthority) -> bool:
    """The 2021 file writes "London (Inner)"/"London (Outer)" for London boroughs and
    "Yorkshire and the Humber" in lower case."""
    expected = f"London ({la.london_subregion.split()[0]})" if la.london_subregion else la.region_name
    return name.casefold() == expected.casefold()


def name_notes(row: NeighbourRow, la: LocalAuthority, file_name: str) -> list[str]:
    if row.la_name == la.la_name:
        return []
    return [f"{file_name}: {row.la_code} is named {row.la_name!r}, ONS file {la.la_name!r}"]


def canonical_closeness(label: str, where: str) -> str:
    """DfE's label as the 2025 model writes it ("Very Close" -> "Very close")."""
    canonical = CLOSENESS_BY_CASEFOLD.get(label.casefold())
    if canonical is None:
        raise ReferenceDataError(f"{where}: unknown closeness label {label!r}; expected one of {CLOSENESS_LABELS}")
    return canonical


def long_rows(row: NeighbourRow, model: str) -> list[list[str]]:
    return [
        [row.la_code, neighbour, str(rank), canonical_closeness(closeness, row.where), model]
        for rank, (neighbour, closeness) in enumerate(zip(row.neighbours, row.closeness, strict=True), start=1)
    ]


def sorted_neighbours(rows: list[list[str]]) -> list[list[str]]:
    return sorted(rows, key=lambda row: (row[0], int(row[2])))
