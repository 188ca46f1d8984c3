"""The rows the derivation works with, and its one error."""

from __future__ import annotations

from dataclasses import dataclass


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
class Ons0To17:
    """What the DfE/ONS 0-17 file holds, by geography level."""

    la_rows: list[LaYear]
    regions: dict[tuple[str, int], int]  # (region code, mid-year) -> population
    region_names: dict[str, str]
    england: dict[int, int]  # mid-year -> population


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
    successor_la_codes: tuple[str, ...]


@dataclass(frozen=True)
class PopulationRow:
    geography_level: str
    area_code: str
    area_name: str
    mid_year: int
    age_band: str
    population: int
    source: str


@dataclass(frozen=True)
class NeighbourRow:
    """One LA of a statistical neighbour file, as written there."""

    where: str  # file name and line, for messages
    la_code: str
    la_name: str
    region_ind: int
    region_name: str
    neighbours: tuple[str, ...]  # nearest first
    closeness: tuple[str, ...]  # one label per neighbour, trimmed
