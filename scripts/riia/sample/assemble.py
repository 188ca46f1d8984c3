"""The whole sample: every LA of each quarter simulated, gaps and defects planted."""

from __future__ import annotations

import random
from dataclasses import dataclass

from riia.periods import Period
from riia.sample.defects import Defect, Gap, Placement, place_defects, place_gaps
from riia.sample.mutations import p01_jump
from riia.sample.planting import ReturnFile, plant
from riia.sample.reference import LocalAuthority, Reference
from riia.sample.rows import add_notable_comments, build_rows, find_row
from riia.sample.rules import RuleBook
from riia.sample.simulation import simulate_la
from riia.sample.topics import QuarterValues
from riia.sample.window import Window, relative_path

DEFAULT_SEED = 20250401
"""The fixed seed: the sample is byte-identical from run to run."""


@dataclass
class Sample:
    """The whole sample: files, defects and legitimate gaps."""

    seed: int
    window: Window
    files: list[ReturnFile]
    defects: list[Defect]
    gaps: list[Gap]


def _jumps(
    placement: Placement | None,
    la: LocalAuthority,
    reference: Reference,
    rules: RuleBook,
    periods: list[Period],
    seed: int,
) -> dict[str, int]:
    """Stock -> the P01 jump to plant for this LA (empty unless it carries the P01 defect).

    The LA is simulated once to learn the opening stock; the jump is then planted inside
    the simulation so later quarters roll forward from it.
    """
    if placement is None or placement.spec.kind != "stock_jump":
        return {}
    stock = rules.jump_stock.stock
    base = simulate_la(la, reference.items_for(la), periods, seed)
    opening = int(base[placement.period.shift(-1)][stock])
    return {stock: p01_jump(opening, rules.limits)}


def check_p03(sample_rates: dict[str, float], la_code: str, rules: RuleBook) -> None:
    """Raise RuntimeError if the P01 defect's stock rate also falls outside P03's range."""
    others = [rate for code, rate in sample_rates.items() if code != la_code]
    if la_code in sample_rates and len(others) >= 4 and not rules.limits.p03_allows(sample_rates[la_code], others):
        raise RuntimeError(f"the planted P01 jump for LA {la_code} would also break P03")


def la_returns(
    la: LocalAuthority,
    periods: list[Period],
    series: dict[Period, QuarterValues],
    reference: Reference,
    rules: RuleBook,
    placement: Placement | None,
    gaps: dict[tuple[str, Period], Gap],
    jumps: dict[str, int],
    comment_rng: random.Random,
) -> tuple[list[ReturnFile], list[Defect]]:
    """One LA's returns, quarter by quarter, with its gaps and its defect planted."""
    files: list[ReturnFile] = []
    defects: list[Defect] = []
    previous: QuarterValues | None = None
    for period in periods:
        values = series[period]
        rows = build_rows(la.la_code, period, reference.items_for(la), values)
        add_notable_comments(comment_rng, rows, previous, values, rules.limits.p02_max_change_percent)
        previous = values
        gap = gaps.get((la.la_code, period))
        if gap:
            row = find_row(rows, gap.item_code)
            row.value, row.comment = gap.value, gap.comment
        if placement and placement.period == period:
            new_files, new_defects = plant(placement, rows, rules, jumps)
            files.extend(new_files)
            defects.extend(new_defects)
        else:
            files.append(ReturnFile(relative_path(la.la_code, period), rows))
    return files, defects


def build_sample(reference: Reference, rules: RuleBook, window: Window, seed: int = DEFAULT_SEED) -> Sample:
    """Simulate every LA and quarter, apply the defect and gap plans, return the files."""
    placements = place_defects(reference, window, rules, seed)
    by_la = {p.la.la_code: p for p in placements}
    gaps = place_gaps(reference, window, rules, set(by_la), seed)
    gaps_by_key = {(g.la_code, g.period): g for g in gaps}
    comment_rng = random.Random(f"{seed}:comments")
    jump_placement = next((p for p in placements if p.spec.kind == "stock_jump"), None)
    jump_rates: dict[str, float] = {}

    files: list[ReturnFile] = []
    defects: list[Defect] = []
    for la in reference.current_las:
        periods = list(window.periods)
        placement = by_la.get(la.la_code)
        jumps = _jumps(placement, la, reference, rules, periods, seed)
        series = simulate_la(
            la,
            reference.items_for(la),
            periods,
            seed,
            {(placement.period, s): j for s, j in jumps.items()} if placement else None,
        )
        if jump_placement and jump_placement.period in series:
            value = series[jump_placement.period].get(rules.jump_stock.stock)
            if value is not None:
                jump_rates[la.la_code] = float(value) / la.children(jump_placement.period.population_mid_year)
        new_files, new_defects = la_returns(
            la, periods, series, reference, rules, placement, gaps_by_key, jumps, comment_rng
        )
        files.extend(new_files)
        defects.extend(new_defects)
    if jump_placement:
        check_p03(jump_rates, jump_placement.la.la_code, rules)
    defects.sort(key=lambda d: d.file)
    return Sample(seed=seed, window=window, files=files, defects=defects, gaps=gaps)
