"""Statistical neighbours, long: one row per LA, neighbour and rank."""

from __future__ import annotations

from riia.reference.checks import check_neighbour_row, check_neighbours_cover
from riia.reference.facts import SN_MODEL
from riia.reference.records import LocalAuthority, NeighbourRow


def build_neighbours_2025(
    rows: list[NeighbourRow], las: dict[str, LocalAuthority], file_name: str
) -> tuple[list[list[str]], list[str]]:
    """Every current LA's 10 neighbours in the 2025 model, and notes on name differences
    (not errors). Every LA and every neighbour must be current."""
    current = {code for code, la in las.items() if la.is_current}
    out: list[list[str]] = []
    notes: list[str] = []
    for row in rows:
        check_neighbour_row(row, las, current)
        notes += name_notes(row, las[row.la_code], file_name)
        out += long_rows(row, SN_MODEL)
    check_neighbours_cover([row.la_code for row in rows], current, file_name)
    return sorted_neighbours(out), notes


def name_notes(row: NeighbourRow, la: LocalAuthority, file_name: str) -> list[str]:
    if row.la_name == la.la_name:
        return []
    return [f"{file_name}: {row.la_code} is named {row.la_name!r}, ONS file {la.la_name!r}"]


def long_rows(row: NeighbourRow, model: str) -> list[list[str]]:
    return [
        [row.la_code, neighbour, str(rank), closeness, model]
        for rank, (neighbour, closeness) in enumerate(zip(row.neighbours, row.closeness, strict=True), start=1)
    ]


def sorted_neighbours(rows: list[list[str]]) -> list[list[str]]:
    return sorted(rows, key=lambda row: (row[0], int(row[2])))
