"""Regions and local authorities over time, from the LA-level rows of the 0-17 file."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from riia.reference.facts import LATEST_YEAR, LONDON_CODE, LONDON_SUBREGIONS, REGION_META, SUCCESSORS
from riia.reference.records import LaYear, LocalAuthority, ReferenceDataError


def build_regions(region_names: dict[str, str]) -> list[list[str]]:
    return [[code, region_names[code], short, str(sn_ind)] for code, (short, sn_ind) in sorted(REGION_META.items())]


def build_local_authorities(la_rows: list[LaYear], region_names: dict[str, str]) -> dict[str, LocalAuthority]:
    """One LA per 3-digit code: its latest name, ONS code and region, and its mid-years."""
    by_la: dict[str, list[LaYear]] = defaultdict(list)
    for row in la_rows:
        by_la[row.la_code].append(row)
    return {la_code: local_authority(la_code, years, region_names) for la_code, years in by_la.items()}


def local_authority(la_code: str, years: list[LaYear], region_names: dict[str, str]) -> LocalAuthority:
    years = sorted(years, key=lambda row: row.mid_year)
    latest = years[-1]
    file_regions = {row.region_code for row in years}
    if len(file_regions) != 1:
        raise ReferenceDataError(f"LA {la_code} changes region over time: {sorted(file_regions)}")
    subregion = LONDON_SUBREGIONS.get(latest.region_code, "")
    region_code = LONDON_CODE if subregion else latest.region_code
    if region_code not in REGION_META:
        raise ReferenceDataError(f"LA {la_code}: unknown region {latest.region_code}")
    present = [row.mid_year for row in years]
    if present != list(range(present[0], present[-1] + 1)):
        raise ReferenceDataError(f"LA {la_code}: gap in its mid-years {present}")
    return LocalAuthority(
        la_code=la_code,
        la_name=latest.la_name,
        ons_code=latest.ons_code,
        region_code=region_code,
        region_name=region_names[region_code],
        london_subregion=subregion,
        first_mid_year=present[0],
        last_mid_year=present[-1],
        is_current=latest.mid_year == LATEST_YEAR,
        successor_la_codes=SUCCESSORS.get(la_code, ()),
    )


def predecessors_of(las: dict[str, LocalAuthority]) -> dict[str, tuple[str, ...]]:
    """The inverse of the successors: new LA code -> the codes whose area it took over."""
    out: dict[str, list[str]] = defaultdict(list)
    for old_code, la in sorted(las.items()):
        for new_code in la.successor_la_codes:
            out[new_code].append(old_code)
    return {code: tuple(olds) for code, olds in out.items()}


def with_reorganisations(las: dict[str, LocalAuthority]) -> dict[str, LocalAuthority]:
    """Each LA with its predecessors and the sentence a report shows beside its trend.
    Run after check_successors, which makes a successor start the quarter after its
    predecessors end."""
    predecessors = predecessors_of(las)
    out: dict[str, LocalAuthority] = {}
    for code, la in las.items():
        la = replace(la, predecessor_la_codes=predecessors.get(code, ()))
        out[code] = replace(la, reorganisation_note=reorganisation_note(la, las))
    return out


def reorganisation_note(la: LocalAuthority, las: dict[str, LocalAuthority]) -> str:
    """``Formed in April 2021 from Northamptonshire (928).`` for a successor, ``Replaced in
    April 2021 by North Northamptonshire (940) and West Northamptonshire (941).`` for a
    predecessor, empty for an LA never reorganised."""
    sentences = []
    if la.predecessor_la_codes:
        formed = la.first_period.start_date
        names = [las[code].display_name for code in la.predecessor_la_codes]
        sentences.append(f"Formed in {formed:%B %Y} from {join_names(names)}.")
    if la.successor_la_codes and la.last_period is not None:
        replaced = la.last_period.shift(1).start_date
        names = [las[code].display_name for code in la.successor_la_codes]
        sentences.append(f"Replaced in {replaced:%B %Y} by {join_names(names)}.")
    return " ".join(sentences)


def join_names(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def is_exact_union(la: LocalAuthority, las: dict[str, LocalAuthority]) -> bool:
    """True when a retired LA's area is exactly the union of its successors' areas: every
    successor was formed from this LA alone (928 -> 940 + 941, 909 -> 942 + 943). Dorset
    835 is not (Christchurch went to 839, which also took Bournemouth and Poole)."""
    return bool(la.successor_la_codes) and all(
        las[code].predecessor_la_codes == (la.la_code,) for code in la.successor_la_codes
    )


def build_la_ons_codes(la_rows: list[LaYear]) -> list[list[str]]:
    """One row per LA code and ONS code it has carried, with the mid-years it carried it."""
    spans: dict[tuple[str, str], list[LaYear]] = defaultdict(list)
    for row in la_rows:
        spans[(row.la_code, row.ons_code)].append(row)
    out: list[list[str]] = []
    for (la_code, ons_code), rows in spans.items():
        rows.sort(key=lambda row: row.mid_year)
        out.append([la_code, ons_code, rows[-1].la_name, str(rows[0].mid_year), str(rows[-1].mid_year)])
    out.sort(key=lambda row: (row[0], int(row[3]), row[1]))  # la_code, then oldest code first
    return out
