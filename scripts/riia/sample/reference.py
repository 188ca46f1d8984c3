"""The item register, the LAs over time and their populations, read from the seeds.

An LA exists in financial year Y when ``first_mid_year <= Y <= last_mid_year`` (open-ended
when it is current), so history is written under the codes of the day (Dorset, Poole and
Bournemouth until 2018-19, Northamptonshire until 2020-21, Cumbria until 2022-23). An item
is collected from its ``first_period`` to its ``last_period`` (blank: still collected);
a regional item only by the LAs of its ``collecting_region_code``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from riia.periods import Period
from riia.sample.populations import Populations, estimate_populations, read_populations
from riia.sample.seeds import ITEMS_CSV, LOCAL_AUTHORITIES_CSV, POPULATION_CSV, read_csv

TRUE_TEXT = ("true", "t", "1", "yes")


@dataclass(frozen=True)
class Item:
    """One row of the item register (``ref_items.csv``)."""

    code: str
    basis: str
    item_set: str
    value_type: str
    collecting_region_code: str
    first_period: Period
    last_period: Period | None = None

    @property
    def is_core(self) -> bool:
        """True for the nationally agreed ``riia_core`` items."""
        return self.item_set == "riia_core"

    def collected_in(self, period: Period) -> bool:
        """True when the register collects the item in ``period``."""
        return self.first_period <= period and (self.last_period is None or period <= self.last_period)

    def collected_by(self, region_code: str) -> bool:
        """True for core items and for the region's own regional items."""
        return self.is_core or self.collecting_region_code == region_code


@dataclass(frozen=True)
class LocalAuthority:
    """An English LA of some period, with the populations the generator needs."""

    la_code: str
    la_name: str
    region_code: str
    region_name: str
    first_mid_year: int
    last_mid_year: int | None
    """None for a current LA (open-ended)."""
    pop_0_17: Mapping[int, int]
    pop_5_16: int
    pop_0_25: int
    predecessor_codes: tuple[str, ...] = ()
    successor_codes: tuple[str, ...] = ()
    population_estimated: bool = False
    """True when the seeds hold no 0-17 population for the LA and it was estimated."""

    @property
    def is_current(self) -> bool:
        return self.last_mid_year is None

    @property
    def first_period(self) -> Period:
        """The LA's first quarter: Q1 of its first financial year."""
        return Period.of(self.first_mid_year, 1)

    @property
    def last_period(self) -> Period | None:
        """The LA's last quarter (Q4 of its last financial year), None while current."""
        return None if self.last_mid_year is None else Period.of(self.last_mid_year, 4)

    def exists_in(self, period: Period) -> bool:
        """True when the LA's code is valid for ``period``."""
        last = self.last_period
        return self.first_period <= period and (last is None or period <= last)

    def children(self, mid_year: int) -> int:
        """Population aged 0-17 for ``mid_year``, or the nearest year held.

        The latest earlier year is preferred (the template's rule); before the first year
        held, the first year.
        """
        if mid_year in self.pop_0_17:
            return self.pop_0_17[mid_year]
        earlier = [y for y in self.pop_0_17 if y < mid_year]
        year = max(earlier) if earlier else min(self.pop_0_17)
        return self.pop_0_17[year]


@dataclass(frozen=True)
class Reference:
    """Everything read from the reference and register seeds."""

    items: tuple[Item, ...]
    las: tuple[LocalAuthority, ...]
    """Every LA of any period (current and predecessors), by code."""
    by_code: dict[str, LocalAuthority] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_code", {la.la_code: la for la in self.las})

    @property
    def current_las(self) -> tuple[LocalAuthority, ...]:
        return tuple(la for la in self.las if la.is_current)

    def las_in(self, period: Period) -> list[LocalAuthority]:
        """The LAs whose codes are valid in ``period``, by code."""
        return [la for la in self.las if la.exists_in(period)]

    def items_for(self, la: LocalAuthority, period: Period | None = None) -> list[Item]:
        """The items an LA submits, in register order: core plus its region's own;
        with ``period``, only those collected then."""
        return [
            item
            for item in self.items
            if item.collected_by(la.region_code) and (period is None or item.collected_in(period))
        ]

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{code} is not in the item register")


def read_items(path: Path) -> tuple[Item, ...]:
    """The register in its file order."""
    items = []
    for row in read_csv(path):
        last = row.get("last_period", "")
        items.append(
            Item(
                code=row["item_code"],
                basis=row["basis"],
                item_set=row["item_set"],
                value_type=row["value_type"],
                collecting_region_code=row.get("collecting_region_code", ""),
                first_period=Period.require(row["first_period"]),
                last_period=Period.require(last) if last else None,
            )
        )
    return tuple(items)


def _codes(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\d{3}", text or ""))


def predecessors_of(la_rows: Iterable[Mapping[str, str]]) -> dict[str, tuple[str, ...]]:
    """Successor code -> its predecessors' codes (the inverse of ``successor_la_codes``)."""
    found: dict[str, list[str]] = {}
    for row in la_rows:
        for successor in _codes(row.get("successor_la_codes", "")):
            found.setdefault(successor, []).append(row["la_code"].zfill(3))
    return {code: tuple(sorted(codes)) for code, codes in found.items()}


def read_local_authorities(path: Path, populations: Populations) -> tuple[LocalAuthority, ...]:
    """Every LA of the seed (current and retired), with populations, sorted by code."""
    rows = read_csv(path)
    predecessors = predecessors_of(rows)
    lifespans = {
        row["la_code"].zfill(3): (
            int(row["first_mid_year"]),
            None if row["is_current"].lower() in TRUE_TEXT else int(row["last_mid_year"]),
            _codes(row.get("successor_la_codes", "")),
        )
        for row in rows
    }
    estimates = estimate_populations(populations, lifespans, predecessors)
    las = []
    for row in rows:
        code = row["la_code"].zfill(3)
        first, last, successors = lifespans[code]
        pops = estimates[code]
        las.append(
            LocalAuthority(
                la_code=code,
                la_name=row["la_name"],
                region_code=row["region_code"],
                region_name=row.get("region_name", ""),
                first_mid_year=first,
                last_mid_year=last,
                pop_0_17=pops.pop_0_17,
                pop_5_16=pops.pop_5_16,
                pop_0_25=pops.pop_0_25,
                predecessor_codes=predecessors.get(code, ()),
                successor_codes=successors,
                population_estimated=pops.estimated,
            )
        )
    return tuple(sorted(las, key=lambda la: la.la_code))


def load_reference(repo_root: Path) -> Reference:
    """Read the item register, every LA and their populations from the repo's seeds."""
    populations = read_populations(repo_root / POPULATION_CSV)
    return Reference(
        items=read_items(repo_root / ITEMS_CSV),
        las=read_local_authorities(repo_root / LOCAL_AUTHORITIES_CSV, populations),
    )
