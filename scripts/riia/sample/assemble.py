"""The whole sample: every LA of each quarter simulated, gaps and defects planted."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from riia.periods import Period
from riia.sample.defects import Defect, Gap, Placement, place_defects, place_gaps
from riia.sample.mutations import p01_jump
from riia.sample.planting import ReturnFile, plant
from riia.sample.reference import LocalAuthority, Reference
from riia.sample.rows import add_notable_comments, build_rows, find_row
from riia.sample.rules import RuleBook
from riia.sample.simulation import ADJUSTABLE_STOCKS, simulate_la
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
    estimated: list[LocalAuthority] = field(default_factory=list)
    """LAs written whose populations the seeds lack, so were estimated (see populations.py)."""


@dataclass(frozen=True)
class Plan:
    """Where the deliberate defects and legitimate gaps go."""

    placements: dict[str, Placement]
    """LA code -> its defect (an LA carries at most one)."""
    gaps: dict[tuple[str, Period], Gap]

    @property
    def jump(self) -> Placement | None:
        """The P01 defect, planted inside the simulation."""
        return next((p for p in self.placements.values() if p.spec.kind == "stock_jump"), None)


def plan_sample(reference: Reference, rules: RuleBook, window: Window, seed: int) -> Plan:
    placements = {p.la.la_code: p for p in place_defects(reference, window, rules, seed)}
    gaps = place_gaps(reference, window, rules, set(placements), seed)
    return Plan(placements, {(g.la_code, g.period): g for g in gaps})


def stock_jumps(
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
    if stock not in ADJUSTABLE_STOCKS:
        raise ValueError(
            f"the register rolls {stock} forward, but the sample can plant a P01 jump only in {ADJUSTABLE_STOCKS}"
        )
    base = simulate_la(la, reference.items_for(la), periods, seed)
    opening = int(base[placement.period.shift(-1)][stock])
    return {stock: p01_jump(opening, rules.limits)}


def check_p03(rates: dict[str, float], la_code: str, rules: RuleBook) -> None:
    """Raise RuntimeError if the P01 defect's stock rate (``rates``: LA -> stock per child
    that quarter) also falls outside P03's range around England's."""
    others = [rate for code, rate in rates.items() if code != la_code]
    if la_code in rates and len(others) >= 4 and not rules.limits.p03_allows(rates[la_code], others):
        raise RuntimeError(f"the planted P01 jump for LA {la_code} would also break P03")


def la_returns(
    la: LocalAuthority,
    series: dict[Period, QuarterValues],
    reference: Reference,
    rules: RuleBook,
    plan: Plan,
    jumps: dict[str, int],
    seed: int,
) -> tuple[list[ReturnFile], list[Defect]]:
    """One LA's returns, quarter by quarter (the items of each quarter), with its gaps and
    its defect planted."""
    comment_rng = random.Random(f"{seed}:{la.la_code}:comments")
    placement = plan.placements.get(la.la_code)
    files: list[ReturnFile] = []
    defects: list[Defect] = []
    previous: QuarterValues | None = None
    for period, values in series.items():
        rows = build_rows(la.la_code, period, reference.items_for(la, period), values)
        add_notable_comments(comment_rng, rows, previous, values, rules.limits.p02_max_change_percent)
        previous = values
        gap = plan.gaps.get((la.la_code, period))
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
    """Simulate every LA of each quarter, apply the defect and gap plans, return the files."""
    plan = plan_sample(reference, rules, window, seed)
    jump = plan.jump
    jump_rates: dict[str, float] = {}
    files: list[ReturnFile] = []
    defects: list[Defect] = []
    written: list[LocalAuthority] = []
    for la in reference.las:
        periods = [period for period in window.periods if la.exists_in(period)]
        if not periods:
            continue
        written.append(la)
        placement = plan.placements.get(la.la_code)
        jumps = stock_jumps(placement, la, reference, rules, periods, seed)
        planted = {(placement.period, stock): size for stock, size in jumps.items()} if placement else {}
        series = simulate_la(la, reference.items_for(la), periods, seed, planted)
        if jump and jump.period in series:
            stock = series[jump.period][rules.jump_stock.stock]
            jump_rates[la.la_code] = float(stock) / la.children(jump.period.population_mid_year)
        new_files, new_defects = la_returns(la, series, reference, rules, plan, jumps, seed)
        files.extend(new_files)
        defects.extend(new_defects)
    if jump:
        check_p03(jump_rates, jump.la.la_code, rules)
    defects.sort(key=lambda d: d.file)
    estimated = [la for la in written if la.population_estimated]
    return Sample(seed, window, files, defects, list(plan.gaps.values()), estimated)
