"""Populations for every LA of any period, from ``ref_population.csv``.

The seed has 0-17 by mid-year for current LAs and for most predecessors, but 5-16 and
0-25 only for one mid-year (2023) of current LAs. Where a figure is missing it is
approximated, and the LA is marked as estimated:

* 5-16 and 0-25: in proportion to the LA's 0-17, at the ratio of its successors taken
  together (their area), or England's ratio when it has none;
* 0-17 of a predecessor with no rows (the seed's source suppresses Dorset 835, Poole 836
  and Bournemouth 837): its successors' first-year 0-17, a successor formed from several
  predecessors shared equally between them, moved back in time with England's 0-17.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from riia.sample.seeds import read_csv

BANDS = ("5-16", "0-25")


@dataclass
class Populations:
    """The seed's figures: LA 0-17 by mid-year, LA bands (one year each), England's."""

    la_0_17: dict[str, dict[int, int]] = field(default_factory=dict)
    la_bands: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    """(LA code, band) -> (mid-year, population)."""
    england_0_17: dict[int, int] = field(default_factory=dict)
    england_bands: dict[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class LaPopulations:
    """What one LA's simulation uses."""

    pop_0_17: dict[int, int]
    pop_5_16: int
    pop_0_25: int
    estimated: bool


def _number(text: str) -> int | None:
    """A population, or None for a suppressed figure (``x``)."""
    return int(float(text)) if text.replace(".", "", 1).isdigit() else None


def read_populations(path: Path) -> Populations:
    """Read the LA and England rows of ``ref_population.csv``."""
    found = Populations()
    for row in read_csv(path):
        level, band, population = row["geography_level"].lower(), row["age_band"], _number(row["population"])
        if population is None or level not in ("la", "england"):
            continue
        year = int(row["mid_year"])
        if level == "england":
            if band == "0-17":
                found.england_0_17[year] = population
            elif band in BANDS:
                found.england_bands[band] = (year, population)
        elif band == "0-17":
            found.la_0_17.setdefault(row["area_code"].zfill(3), {})[year] = population
        elif band in BANDS:
            found.la_bands[(row["area_code"].zfill(3), band)] = (year, population)
    return found


def nearest(series: Mapping[int, int], year: int) -> int:
    """The figure for ``year``, else the latest earlier year held, else the first year held."""
    if year in series:
        return series[year]
    earlier = [y for y in series if y < year]
    return series[max(earlier) if earlier else min(series)]


def _estimate_children(
    code: str,
    years: range,
    populations: Populations,
    successors: tuple[str, ...],
    predecessors: Mapping[str, tuple[str, ...]],
) -> dict[int, int]:
    """0-17 for a predecessor the seed has no rows for (see the module docstring)."""
    known = [s for s in successors if s in populations.la_0_17]
    if not known:
        raise ValueError(
            f"no 0-17 population for LA {code} in ref_population.csv, and no successor to estimate it from"
        )
    anchor = min(min(populations.la_0_17[s]) for s in known)
    base = sum(nearest(populations.la_0_17[s], anchor) / len(predecessors.get(s, (code,))) for s in known)
    england = populations.england_0_17
    return {year: round(base * nearest(england, year) / nearest(england, anchor)) for year in years}


def _band(
    code: str, band: str, children: Mapping[int, int], populations: Populations, successors: tuple[str, ...]
) -> tuple[int, bool]:
    """(population of ``band``, whether it was estimated)."""
    if (code, band) in populations.la_bands:
        return populations.la_bands[(code, band)][1], False
    if band not in populations.england_bands:
        raise ValueError(f"ref_population.csv has no England {band} population to estimate LA {code}'s from")
    year = populations.england_bands[band][0]
    areas = [s for s in successors if (s, band) in populations.la_bands and s in populations.la_0_17]
    if areas:
        ratio = sum(populations.la_bands[(s, band)][1] for s in areas) / sum(
            nearest(populations.la_0_17[s], year) for s in areas
        )
    else:
        ratio = populations.england_bands[band][1] / nearest(populations.england_0_17, year)
    return round(ratio * nearest(children, year)), True


def estimate_populations(
    populations: Populations,
    lifespans: Mapping[str, tuple[int, int | None, tuple[str, ...]]],
    predecessors: Mapping[str, tuple[str, ...]],
) -> dict[str, LaPopulations]:
    """Every LA's populations, given (first mid-year, last mid-year or None, successors) by code."""
    out: dict[str, LaPopulations] = {}
    for code, (first, last, successors) in lifespans.items():
        estimated = code not in populations.la_0_17
        if estimated:
            if last is None:
                raise ValueError(f"no 0-17 population for current LA {code} in ref_population.csv")
            children = _estimate_children(code, range(first, last + 1), populations, successors, predecessors)
        else:
            children = dict(sorted(populations.la_0_17[code].items()))
        pop_5_16, guessed_5_16 = _band(code, "5-16", children, populations, successors)
        pop_0_25, guessed_0_25 = _band(code, "0-25", children, populations, successors)
        out[code] = LaPopulations(children, pop_5_16, pop_0_25, estimated or guessed_5_16 or guessed_0_25)
    return out
