"""The deliberate defects and legitimate gaps: what they are and where they go.

Error rules each get one return left broken; T07, L04 and P01 one warning each; three LAs
resubmit a quarter as ``_v2`` (v1 broke L01, v1 broke L02, v1 had a transposed-digit
typo); one file is an Excel workbook saved under a ``.csv`` name (T01). Each goes to its
own LA (never a tiny one) in one of the last quarters written, with regions taking turns.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from riia.periods import Period
from riia.sample.reference import LocalAuthority, Reference
from riia.sample.rules import ROLL_FORWARD_RULE_ID, RuleBook
from riia.sample.window import Window

TINY_LA_POPULATION = 20_000
"""LAs with fewer children aged 0-17 than this never carry a deliberate defect or gap."""

T01_PERIOD = Period.of(2023, 2)
"""The quarter of the unreadable workbook when it is among the defect quarters (2023-24 Q2)."""


@dataclass(frozen=True)
class Defect:
    """One deliberate defect (or superseded version) in the sample.

    ``rule_id`` is the guidance rule the file breaks (``S01`` for a resubmission that only
    supersedes), ``expected_outcome`` what the pipeline should do with the file:
    ``quarantined`` (an error), ``loaded_with_warning``, ``superseded`` (an earlier version
    that a later ``_vN`` replaces) or ``loaded`` (the corrected resubmission).
    """

    file: str
    la_code: str
    la_name: str
    region_code: str
    period: str
    version: int
    rule_id: str
    severity: str
    expected_outcome: str
    description: str
    item_code: str | None = None
    supersedes: str | None = None
    fixed_by: str | None = None


@dataclass(frozen=True)
class DefectSpec:
    """A defect to place: which rule, how to break the return and, for the template (T)
    rules, which item the break is about."""

    key: str
    rule_id: str
    severity: str
    kind: str = "mutate"  # mutate | successor_code | resubmission | typo | unreadable | stock_jump
    item_code: str | None = None


DEFECT_PLAN: tuple[DefectSpec, ...] = (
    DefectSpec("T02", "T02", "error", kind="successor_code"),
    DefectSpec("T04", "T04", "error", item_code="EH_STEP_UP"),
    DefectSpec("L08", "L08", "error"),
    DefectSpec("T01", "T01", "error", kind="unreadable"),
    DefectSpec("T03", "T03", "error"),
    DefectSpec("T05", "T05", "error", item_code="EHC_REQUESTS"),
    DefectSpec("T06", "T06", "error", item_code="CIN_END"),
    DefectSpec("L01", "L01", "error"),
    DefectSpec("L02", "L02", "error"),
    DefectSpec("L03", "L03", "error"),
    DefectSpec("L05", "L05", "error"),
    DefectSpec("L06", "L06", "error"),
    DefectSpec("L07", "L07", "error"),
    DefectSpec("T07", "T07", "warning", item_code="EHE_END"),
    DefectSpec("L04", "L04", "warning"),
    DefectSpec("P01", "P01", "warning", kind="stock_jump"),
    DefectSpec("RESUB_L01", "L01", "error", kind="resubmission"),
    DefectSpec("RESUB_L02", "L02", "error", kind="resubmission"),
    DefectSpec("RESUB_TYPO", "S01", "behaviour", kind="typo", item_code="CIN_END"),
)
"""The deliberate defects, one LA and quarter each (chosen by :func:`place_defects`). The
items an L or P defect changes come from the rule definitions (:mod:`riia.sample.rules`)."""


@dataclass(frozen=True)
class Placement:
    """Where a defect goes."""

    spec: DefectSpec
    la: LocalAuthority
    period: Period


@dataclass(frozen=True)
class GapSpec:
    """A legitimate gap: an item left blank or ``x``, with the LA's comment."""

    item_code: str
    value: str
    comment: str


@dataclass(frozen=True)
class Gap:
    """A legitimate blank or ``x`` in a return that is otherwise fine."""

    la_code: str
    period: Period
    item_code: str
    value: str
    comment: str


GAP_PLAN: tuple[GapSpec, ...] = (
    GapSpec(
        "CONTACTS",
        "x",
        "Not available: the new front door system went live in this quarter and contacts "
        "cannot yet be reported; will be provided next quarter",
    ),
    GapSpec(
        "EHE_END",
        "x",
        "Not available: the elective home education register is being migrated to the new "
        "education case management system",
    ),
    GapSpec(
        "EHC_ASSESSMENTS", "x", "Not available: SEND case management system outage at quarter end; figure to follow"
    ),
    GapSpec("EHCP_ISSUED", "", "Not collected this quarter (SEND team restructure)"),
    GapSpec("EH_ASSESS_NEW", "", ""),
)
"""Legitimate gaps. None of these items takes part in an L rule or a roll-forward
(checked against the rule definitions), so a gap never hides or causes an error."""


def needed_items(spec: DefectSpec, rules: RuleBook) -> tuple[str, ...]:
    """The items the defect changes or compares: they must be collected where it goes."""
    if spec.item_code:
        return (spec.item_code,)
    return rules.items_of(spec.rule_id)


def needs_previous_quarter(spec: DefectSpec) -> bool:
    """A stock jump is measured against the LA's own previous quarter."""
    return spec.rule_id == ROLL_FORWARD_RULE_ID


def possible_periods(
    reference: Reference, la: LocalAuthority, window: Window, items: Sequence[str], previous: bool = False
) -> list[Period]:
    """The defect quarters in which ``la`` exists and collects every one of ``items``."""
    collected = {item.code: item for item in reference.items_for(la)}
    return [
        period
        for period in window.defect_periods
        if la.exists_in(period)
        and (not previous or la.exists_in(period.shift(-1)))
        and all(code in collected and collected[code].collected_in(period) for code in items)
    ]


def collecting_region(reference: Reference, items: Sequence[str]) -> str | None:
    """The region whose own items are among ``items`` (None when all are core)."""
    regions = {reference.item(code).collecting_region_code for code in items if not reference.item(code).is_core}
    return min(regions) if regions else None


def eligible_las(reference: Reference, window: Window) -> list[LocalAuthority]:
    """The LAs of the last quarter written that are big enough to carry a defect."""
    year = window.last.population_mid_year
    return [la for la in reference.las_in(window.last) if la.children(year) >= TINY_LA_POPULATION]


class RegionTurns:
    """Regions take turns to carry the defects that need no particular region."""

    def __init__(self, regions: Sequence[str]) -> None:
        self.regions = list(regions)
        self.turn = 0

    def next_with(self, las: Sequence[LocalAuthority]) -> list[LocalAuthority]:
        """The ``las`` of the next region (in turn) that has any; empty if none has."""
        for _ in self.regions:
            region = self.regions[self.turn % len(self.regions)]
            self.turn += 1
            found = [la for la in las if la.region_code == region]
            if found:
                return found
        return []


def _candidates(
    spec: DefectSpec, free: list[LocalAuthority], region: str | None, turns: RegionTurns
) -> list[LocalAuthority]:
    """The LAs a defect may go to: a successor for T02, the region whose items it needs,
    else the next region in turn; any free LA if those have none."""
    if spec.kind == "successor_code":
        candidates = [la for la in free if la.predecessor_codes]
    elif region:
        candidates = [la for la in free if la.region_code == region]
    else:
        candidates = turns.next_with(free)
    return candidates or free


def _period_for(spec: DefectSpec, la: LocalAuthority, periods: list[Period], rng: random.Random) -> Period:
    """The unreadable workbook in its fixed quarter, T02 in a successor's first return,
    any other defect in a random quarter of those possible."""
    if spec.kind == "unreadable" and T01_PERIOD in periods:
        return T01_PERIOD
    if spec.kind == "successor_code" and la.first_period in periods:
        return la.first_period
    return periods[rng.randrange(len(periods))]


def place_defects(reference: Reference, window: Window, rules: RuleBook, seed: int) -> list[Placement]:
    """Choose an LA and quarter for each :data:`DEFECT_PLAN` entry, spread across regions.

    Deterministic for a given seed. A defect whose items are collected in none of the
    defect quarters (a history that ends before they were collected) is left out.
    """
    rng = random.Random(f"{seed}:defects")
    eligible = eligible_las(reference, window)
    turns = RegionTurns(sorted({la.region_code for la in eligible}))
    used: set[str] = set()
    placements: list[Placement] = []
    for spec in DEFECT_PLAN:
        items = needed_items(spec, rules)
        previous = needs_previous_quarter(spec)
        possible = {la.la_code: possible_periods(reference, la, window, items, previous) for la in eligible}
        free = [la for la in eligible if la.la_code not in used and possible[la.la_code]]
        candidates = _candidates(spec, free, collecting_region(reference, items), turns)
        if not candidates:
            continue
        if spec.kind == "successor_code":
            # Prefer successors formed inside the defect quarters (their first return).
            candidates = [la for la in candidates if la.first_period in window.defect_periods] or candidates
        la = rng.choice(candidates)
        used.add(la.la_code)
        placements.append(Placement(spec, la, _period_for(spec, la, possible[la.la_code], rng)))
    return placements


def check_gap_plan(rules: RuleBook) -> None:
    """Raise ValueError if a gap item takes part in an L rule or a stock roll-forward."""
    involved = rules.compared_items() | {code for r in rules.roll_forwards for code in r.items}
    clashes = sorted(spec.item_code for spec in GAP_PLAN if spec.item_code in involved)
    if clashes:
        raise ValueError(f"gap items take part in a rule, so a gap could hide an error: {', '.join(clashes)}")


def place_gaps(reference: Reference, window: Window, rules: RuleBook, used: set[str], seed: int) -> list[Gap]:
    """Choose an LA and quarter for each legitimate gap in :data:`GAP_PLAN` (never an LA
    with a defect); a gap whose item is not collected in the defect quarters is left out."""
    check_gap_plan(rules)
    rng = random.Random(f"{seed}:gaps")
    eligible = eligible_las(reference, window)
    used = set(used)
    gaps: list[Gap] = []
    for spec in GAP_PLAN:
        region = collecting_region(reference, (spec.item_code,))
        possible = {
            la.la_code: possible_periods(reference, la, window, (spec.item_code,))
            for la in eligible
            if la.la_code not in used and region in (None, la.region_code)
        }
        candidates = [la for la in eligible if possible.get(la.la_code)]
        if not candidates:
            continue
        la = rng.choice(candidates)
        used.add(la.la_code)
        periods = possible[la.la_code]
        gaps.append(Gap(la.la_code, periods[rng.randrange(len(periods))], spec.item_code, spec.value, spec.comment))
    return gaps
