"""One LA's figures over its quarters: the profile, then each quarter topic by topic.

Stocks roll forward (CPP_END and CLA_END move by starts minus ceased, within a child or
two, with ceased flows chosen so the stock reverts to the LA's own level); flows are
seasonal (referrals from schools dip in the summer quarter), with mild trends and
quarter-to-quarter noise. An LA is simulated from its first quarter in the sample, so a
successor starts afresh when it is formed.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

from riia.periods import Period
from riia.sample import profile as p
from riia.sample.profile import LaProfile, draw_profile
from riia.sample.randomness import lognormal_multiplier
from riia.sample.reference import Item, LocalAuthority
from riia.sample.regional import adoption, early_help, missing_from_care, workforce
from riia.sample.stocks import StockState
from riia.sample.topics import (
    LaState,
    QuarterContext,
    QuarterValues,
    assessments,
    care_leavers,
    child_protection,
    children_in_need,
    contacts_and_referrals,
    education,
    looked_after,
)

Adjustments = Mapping[tuple[Period, str], int]
"""(quarter, stock item) -> an unexplained change in the stock (the P01 defect)."""

ADJUSTABLE_STOCKS = ("CPP_END", "CLA_END")
"""The stocks the simulation rolls forward (and can plant a P01 jump in)."""


def cla_starts_per_10k(prof: LaProfile) -> float:
    """Children starting care a quarter per 10,000: the LA's own level plus its UASC."""
    cla_other = p.CLA_PER_10K * (1 - p.UASC_SHARE_OF_CLA) * prof.cla
    return (cla_other + prof.uasc_per_10k) * p.CLA_START_PER_10K / p.CLA_PER_10K


def start_state(prof: LaProfile, rng: random.Random, children: float) -> LaState:
    """The opening stocks and workforce, near the LA's own levels."""
    cpp_target = p.CPP_PER_10K * prof.cpp * prof.cpp_duration
    # Looked-after children: the LA's own (non-UASC) level plus its UASC, who stay shorter.
    cla_other = p.CLA_PER_10K * (1 - p.UASC_SHARE_OF_CLA) * prof.cla
    cla_target = cla_other * prof.cla_duration + prof.uasc_per_10k
    cpp = StockState(
        level=round(cpp_target * children * lognormal_multiplier(rng, 0.06)),
        target_per_child=cpp_target,
        hazard=p.CPP_START_PER_10K * prof.cpp / cpp_target,
        reversion=0.15,
    )
    cla = StockState(
        level=round(cla_target * children * lognormal_multiplier(rng, 0.03)),
        target_per_child=cla_target,
        hazard=cla_starts_per_10k(prof) / cla_target,
        reversion=0.08,
    )
    return LaState(cpp=cpp, cla=cla, sw_fte=p.SW_FTE_PER_10K * prof.social_workers * children)


def simulate_quarter(
    q: QuarterContext, state: LaState, codes: set[str], adjustments: Adjustments, cla_start_per_10k: float
) -> QuarterValues:
    """Every item the LA collects, for one quarter, topic by topic (the order of draws is fixed)."""
    values = contacts_and_referrals(q)
    values.update(assessments(q, state, int(values["REFERRALS"])))
    values.update(children_in_need(q, state))
    values.update(child_protection(q, state, adjustments.get((q.period, "CPP_END"), 0)))
    values.update(looked_after(q, state, cla_start_per_10k, adjustments.get((q.period, "CLA_END"), 0)))
    values.update(care_leavers(q, state))
    values.update(education(q, state))
    if "CLA_ADOPTED" in codes:
        values.update(adoption(q, int(values["CLA_CEASED"])))
    if "EH_OPEN_END" in codes:
        values.update(early_help(q, state))
    if "CLA_MISSING" in codes:
        values.update(missing_from_care(q, int(values["CLA_END"])))
    if "SW_FTE" in codes:
        values.update(workforce(q, state))
    return {code: value for code, value in values.items() if code in codes}


def simulate_la(
    la: LocalAuthority,
    items: Iterable[Item],
    periods: Sequence[Period],
    seed: int,
    adjustments: Adjustments | None = None,
) -> dict[Period, QuarterValues]:
    """The LA's values for each of ``periods`` (consecutive; the LA exists in all of them).

    ``items`` are every item the LA collects at some time (rows keep those of the day).
    ``adjustments`` plant unexplained stock changes (P01) inside the simulation, so later
    quarters roll forward from them.
    """
    if not periods:
        return {}
    prof = draw_profile(la, seed)
    rng = random.Random(f"{seed}:{la.la_code}:quarters")
    codes = {item.code for item in items}
    state = start_state(prof, rng, la.children(periods[0].population_mid_year) / 10_000)
    cla_start_per_10k = cla_starts_per_10k(prof)
    out: dict[Period, QuarterValues] = {}
    for period in periods:
        q = QuarterContext(
            period=period,
            profile=prof,
            rng=rng,
            children=la.children(period.population_mid_year) / 10_000,
            pop_5_16=la.pop_5_16,
            pop_0_25=la.pop_0_25,
        )
        out[period] = simulate_quarter(q, state, codes, adjustments or {}, cla_start_per_10k)
    return out
