"""Regional items, drawn only for the LAs of the collecting region.

South East Annex A adoption measures; East Midlands Dataset 2 (early help, missing
looked-after children) and Dataset 3 (social worker FTE).
"""

from __future__ import annotations

import math

from riia.sample import profile as p
from riia.sample.randomness import ar_step, binomial, lognormal_multiplier, noisy_count, poisson
from riia.sample.topics import LaState, QuarterContext, QuarterValues

EH_ASSESS_SEASON = (1.0, 0.9, 1.08, 1.02)


def adoption(q: QuarterContext, cla_ceased: int) -> QuarterValues:
    """Adoptions and the A1-A3 timeliness measures.

    Each adopted child gets a wait (entering care to moving in) from a skewed log-normal
    with mean ~450 days; A3 counts those under 14 months, so A3 <= A1 by construction.
    """
    rng, prof = q.rng, q.profile
    adopted = binomial(rng, cla_ceased, prof.adopted_share)
    a1_sigma = 0.65
    a1_mu = math.log(p.A1_MEAN_DAYS * prof.adoption_days) - a1_sigma**2 / 2
    waits = [max(90, round(math.exp(rng.gauss(a1_mu, a1_sigma)))) for _ in range(adopted)]
    matched = poisson(rng, max(0.0, cla_ceased * prof.adopted_share * lognormal_multiplier(rng, 0.15)))
    a2_sigma = 0.6
    a2_mu = math.log(p.A2_MEAN_DAYS * prof.adoption_days) - a2_sigma**2 / 2
    a2_days = sum(max(7, round(math.exp(rng.gauss(a2_mu, a2_sigma)))) for _ in range(matched))
    return {
        "CLA_ADOPTED": adopted,
        "A1_DAYS": sum(waits),
        "A1_CHILDREN": adopted,
        "A2_DAYS": a2_days,
        "A2_CHILDREN": matched,
        "A3_UNDER_14M": sum(1 for wait in waits if wait < p.FOURTEEN_MONTHS_DAYS),
    }


def early_help(q: QuarterContext, state: LaState) -> QuarterValues:
    """Open early help cases, new assessments, steps up and down."""
    rng = q.rng
    eh = q.profile.early_help * q.children
    return {
        "EH_OPEN_END": round(p.EH_OPEN_PER_10K * eh * ar_step(state.ar, "eh", rng, 0.03)),
        "EH_ASSESS_NEW": noisy_count(rng, p.EH_ASSESS_NEW_PER_10K * eh * EH_ASSESS_SEASON[q.season]),
        "EH_STEP_UP": noisy_count(rng, p.EH_STEP_UP_PER_10K * eh),
        "EH_STEP_DOWN": noisy_count(rng, p.EH_STEP_DOWN_PER_10K * eh),
    }


def missing_from_care(q: QuarterContext, cla_end: int) -> QuarterValues:
    """Looked-after children with a missing incident."""
    share = q.profile.missing_share * lognormal_multiplier(q.rng, 0.08)
    return {"CLA_MISSING": binomial(q.rng, cla_end, share)}


def workforce(q: QuarterContext, state: LaState) -> QuarterValues:
    """Social worker FTE employed (drifting to the LA's level), agency and vacant posts."""
    rng, prof = q.rng, q.profile
    target = p.SW_FTE_PER_10K * prof.social_workers * q.children
    state.sw_fte = max(1.0, state.sw_fte + 0.3 * (target - state.sw_fte) + rng.gauss(0.0, 0.015 * target))
    agency = prof.agency_share * lognormal_multiplier(rng, 0.06)
    vacancy = prof.vacancy_share * lognormal_multiplier(rng, 0.06)
    return {
        "SW_FTE": round(state.sw_fte, 2),
        "SW_AGENCY_FTE": round(state.sw_fte * agency / (1 - agency), 2),
        "SW_VACANCY_FTE": round(state.sw_fte * vacancy / (1 - vacancy), 2),
    }
