"""The rows the derivation works with, and its one error."""

from __future__ import annotations

from dataclasses import dataclass

from riia.periods import Period


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
    predecessor_la_codes: tuple[str, ...] = ()
    reorganisation_note: str = ""

    @property
    def first_period(self) -> Period:
        """Q1 of the first financial year the LA appears in (financial year YYYY-YY uses
        mid-YYYY), or of 2012-13 for LAs older than the data."""
        return Period.of(self.first_mid_year, 1)

    @property
    def last_period(self) -> Period | None:
        """Q4 of the last financial year of a retired LA; None for a current LA."""
        return None if self.is_current else Period.of(self.last_mid_year, 4)

    @property
    def display_name(self) -> str:
        """``North Northamptonshire (940)``, as a sentence names an LA."""
        return f"{self.la_name} ({self.la_code})"


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


@dataclass(frozen=True)
class DfePublishedFigure:
    """One row of DfE's published LA extract (the test fixture)."""

    where: str
    year_ending_march: int  # `time_period` N: the year ending 31 March N
    la_code: str
    la_name: str
    indicator_code: str
    denominator: str  # an item code, or "population 0-17"
    denominator_value: int
