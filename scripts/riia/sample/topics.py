"""One quarter of one LA, topic by topic: each function draws its own items' values.

The functions run in a fixed order (:func:`riia.sample.simulation.simulate_quarter`),
each drawing from the LA's random stream; they return item code -> value.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from riia.periods import Period
from riia.sample import profile as p
from riia.sample.profile import LaProfile
from riia.sample.randomness import ar_step, binomial, clamp, lognormal_multiplier, noisy_count
from riia.sample.stocks import StockState, roll_forward

Number = int | float
QuarterValues = dict[str, Number]

TREND_ANCHOR = Period.of(2022, 1)
"""Trends are measured in years from 2022-23 Q1 (negative before it)."""
TREND_FLOOR = 0.2
"""A linear trend never scales a figure below this share (long histories)."""

SCHOOLS_SEASON: tuple[float, float, float, float] = (1.02, 0.84, 1.07, 1.07)
"""Referrals from schools by quarter: few in Q2 (the August holiday), most in Q3."""
OTHER_SOURCES_SEASON: tuple[float, float, float, float] = (1.00, 1.02, 1.00, 0.98)
S47_SEASON = (1.0, 0.95, 1.05, 1.0)
CPP_SEASON = (1.0, 0.96, 1.04, 1.0)
CLA_SEASON = (1.0, 1.06, 0.99, 0.95)  # UASC arrivals peak in the summer quarter
EHE_SEASON = (1.03, 0.94, 0.99, 1.04)  # falls each September
EHC_REQUESTS_SEASON = (1.06, 0.86, 1.03, 1.05)
EHC_ASSESSMENTS_SEASON = (1.0, 0.97, 0.99, 1.04)
EHCP_ISSUED_SEASON = (1.0, 1.08, 0.95, 0.97)


def trend(per_year: float, years: float) -> float:
    """A linear trend of ``per_year`` over ``years``, floored at :data:`TREND_FLOOR`."""
    return max(TREND_FLOOR, 1 + per_year * years)


@dataclass
class LaState:
    """What carries over from one quarter to the next."""

    cpp: StockState
    cla: StockState
    sw_fte: float
    previous_started: int = -1
    ar: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class QuarterContext:
    """The quarter being drawn, for one LA."""

    period: Period
    profile: LaProfile
    rng: random.Random
    children: float
    """Children aged 0-17, in tens of thousands (rates are per 10,000)."""
    pop_5_16: int
    pop_0_25: int

    @property
    def years(self) -> float:
        return (self.period.index - TREND_ANCHOR.index) / 4.0

    @property
    def season(self) -> int:
        return self.period.quarter - 1


def contacts_and_referrals(q: QuarterContext) -> QuarterValues:
    """Referrals by source (a shared quarter shock, summed exactly), contacts, re-referrals."""
    rng, prof = q.rng, q.profile
    values: QuarterValues = {}
    shock = lognormal_multiplier(rng, 0.06)
    growth = trend(0.01, q.years)
    for code, share in prof.source_shares.items():
        seasonal = (SCHOOLS_SEASON if code == "REF_SRC_SCHOOLS" else OTHER_SOURCES_SEASON)[q.season]
        mean = p.REFERRALS_PER_10K * prof.referrals * q.children * share * seasonal * growth * shock
        values[code] = noisy_count(rng, mean, 0.04)
    referrals = sum(int(values[code]) for code in p.REFERRAL_SOURCE_SHARES)
    values["REFERRALS"] = referrals
    values["CONTACTS"] = noisy_count(rng, referrals * prof.contacts_ratio, 0.04)
    values["REREFERRALS"] = binomial(
        rng, referrals, clamp(prof.rereferral_share * lognormal_multiplier(rng, 0.06), 0, 0.9)
    )
    return values


def assessments(q: QuarterContext, state: LaState, referrals: int) -> QuarterValues:
    """Assessments started and completed (completions lag starts by about half a quarter)."""
    rng = q.rng
    started = noisy_count(rng, referrals * q.profile.assess_ratio, 0.03)
    lagged = started if state.previous_started < 0 else state.previous_started
    completed = noisy_count(rng, 0.55 * started + 0.45 * lagged, 0.03)
    state.previous_started = started
    p45 = clamp(q.profile.assess_45d_share * lognormal_multiplier(rng, 0.03), 0.2, 0.995)
    return {"ASSESS_STARTED": started, "ASSESS_COMPLETED": completed, "ASSESS_45D": binomial(rng, completed, p45)}


def children_in_need(q: QuarterContext, state: LaState) -> QuarterValues:
    drift = ar_step(state.ar, "cin", q.rng, 0.015, 0.85)
    return {"CIN_END": round(p.CIN_PER_10K * q.profile.cin * q.children * trend(0.005, q.years) * drift)}


def child_protection(q: QuarterContext, state: LaState, adjustment: int = 0) -> QuarterValues:
    """Section 47 enquiries, conferences, plans (a rolled-forward stock) and repeat plans."""
    rng, prof = q.rng, q.profile
    s47 = noisy_count(rng, p.S47_PER_10K * prof.s47 * q.children * S47_SEASON[q.season] * trend(0.02, q.years), 0.05)
    icpc = binomial(rng, s47, prof.icpc_share * lognormal_multiplier(rng, 0.05))
    cpp_start = noisy_count(rng, p.CPP_START_PER_10K * prof.cpp * q.children * CPP_SEASON[q.season], 0.05)
    cpp_ceased, cpp_end = roll_forward(rng, state.cpp, cpp_start, state.cpp.target_per_child * q.children, adjustment)
    repeat_ever = binomial(rng, cpp_start, prof.repeat_ever_share)
    repeat_2y = binomial(rng, repeat_ever, clamp(prof.repeat_2y_share / prof.repeat_ever_share, 0, 0.9))
    return {
        "S47": s47,
        "ICPC_15D": icpc,
        "CPP_START": cpp_start,
        "CPP_CEASED": cpp_ceased,
        "CPP_END": cpp_end,
        "CPP_REPEAT_EVER": repeat_ever,
        "CPP_REPEAT_2Y": repeat_2y,
    }


def looked_after(q: QuarterContext, state: LaState, start_per_10k: float, adjustment: int = 0) -> QuarterValues:
    """Children starting, ceasing and looked after (a rolled-forward stock), and UASC."""
    rng, prof = q.rng, q.profile
    growth = trend(0.01, q.years)
    cla_start = noisy_count(rng, start_per_10k * q.children * CLA_SEASON[q.season] * growth, 0.05)
    cla_ceased, cla_end = roll_forward(
        rng, state.cla, cla_start, state.cla.target_per_child * q.children * growth, adjustment
    )
    uasc = prof.uasc_per_10k * q.children * trend(0.03, q.years) * ar_step(state.ar, "uasc", rng, 0.05)
    return {
        "CLA_START": cla_start,
        "CLA_CEASED": cla_ceased,
        "CLA_END": cla_end,
        "CLA_UASC_END": min(cla_end // 2, round(uasc)),
    }


def care_leavers(q: QuarterContext, state: LaState) -> QuarterValues:
    """Care leavers: former UASC follow the LA's UASC level, the rest its care rate."""
    rng, prof = q.rng, q.profile
    leavers_uasc = round(
        p.CARE_LEAVERS_PER_10K
        * p.CARE_LEAVERS_UASC_SHARE
        * prof.care_leavers_uasc
        * q.children
        * trend(0.04, q.years)
        * ar_step(state.ar, "leaver_uasc", rng, 0.025, 0.85)
    )
    leavers_other = round(
        p.CARE_LEAVERS_PER_10K
        * (1 - p.CARE_LEAVERS_UASC_SHARE)
        * prof.care_leavers
        * q.children
        * trend(0.015, q.years)
        * ar_step(state.ar, "leavers", rng, 0.015, 0.85)
    )
    return {"CARE_LEAVERS_END": leavers_other + leavers_uasc, "CARE_LEAVERS_UASC_END": leavers_uasc}


def education(q: QuarterContext, state: LaState) -> QuarterValues:
    """Elective home education (grows ~6% a year) and EHC needs work (grows faster)."""
    rng, prof, season = q.rng, q.profile, q.season
    ehe = round(
        p.EHE_PER_10K_5_16
        * prof.ehe
        * q.pop_5_16
        / 10_000
        * trend(0.06, q.years - 1.25)
        * EHE_SEASON[season]
        * ar_step(state.ar, "ehe", rng, 0.03)
    )
    send = prof.send * q.pop_0_25 / 10_000 * trend(0.08, q.years - 1.25)
    return {
        "EHE_END": ehe,
        "EHC_REQUESTS": noisy_count(rng, p.EHC_REQUESTS_PER_10K_0_25 * send * EHC_REQUESTS_SEASON[season], 0.05),
        "EHC_ASSESSMENTS": noisy_count(
            rng, p.EHC_ASSESSMENTS_PER_10K_0_25 * send * EHC_ASSESSMENTS_SEASON[season], 0.06
        ),
        "EHCP_ISSUED": noisy_count(rng, p.EHCP_ISSUED_PER_10K_0_25 * send * EHCP_ISSUED_SEASON[season], 0.06),
    }
