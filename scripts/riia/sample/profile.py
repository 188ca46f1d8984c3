"""An LA's persistent character: England-level targets and the LA's own multipliers.

England levels near the published picture, per 10,000 children aged 0-17: children in
need ~330, looked after ~70, on a child protection plan ~42, referrals ~130 a quarter.
Each LA has persistent levels of its own (log-normal multipliers per topic, correlated
through a shared "need" factor), drawn once from the LA's own random stream.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from riia.sample.randomness import clamp, lognormal_multiplier
from riia.sample.reference import LocalAuthority

LONDON = "E12000007"

# --- England-level targets (per 10,000 children aged 0-17 unless stated) -----------------

REFERRALS_PER_10K = 130.0  # a quarter
CONTACTS_PER_REFERRAL = 4.5
REREFERRAL_SHARE = 0.22
ASSESS_STARTED_PER_REFERRAL = 0.90
ASSESS_45D_SHARE = 0.80
CIN_PER_10K = 330.0
S47_PER_10K = 45.0  # a quarter
ICPC_15D_SHARE_OF_S47 = 0.28
CPP_PER_10K = 42.0
CPP_START_PER_10K = 16.0  # a quarter
CPP_REPEAT_EVER_SHARE = 0.23
CPP_REPEAT_2Y_SHARE = 0.05
CLA_PER_10K = 70.0
CLA_START_PER_10K = 6.0  # a quarter
CARE_LEAVERS_PER_10K = 38.0
CARE_LEAVERS_UASC_SHARE = 0.20  # of care leavers, England
UASC_SHARE_OF_CLA = 0.07  # of looked-after children, England
EHE_PER_10K_5_16 = 140.0
EHC_REQUESTS_PER_10K_0_25 = 20.0  # a quarter
EHC_ASSESSMENTS_PER_10K_0_25 = 17.0
EHCP_ISSUED_PER_10K_0_25 = 15.0
ADOPTED_SHARE_OF_CEASED = 0.10
A1_MEAN_DAYS = 450.0
A2_MEAN_DAYS = 180.0
FOURTEEN_MONTHS_DAYS = 426
EH_OPEN_PER_10K = 150.0
EH_ASSESS_NEW_PER_10K = 60.0
EH_STEP_UP_PER_10K = 10.0
EH_STEP_DOWN_PER_10K = 12.0
CLA_MISSING_SHARE = 0.10
SW_FTE_PER_10K = 27.0
SW_AGENCY_SHARE = 0.17  # agency / (agency + employed)
SW_VACANCY_SHARE = 0.20  # vacant / (vacant + employed)

REFERRAL_SOURCE_SHARES: dict[str, float] = {
    "REF_SRC_POLICE": 0.29,
    "REF_SRC_SCHOOLS": 0.21,
    "REF_SRC_HEALTH": 0.15,
    "REF_SRC_LA": 0.11,
    "REF_SRC_INDIVIDUAL": 0.08,
    "REF_SRC_OTHER": 0.12,
    "REF_SRC_UNKNOWN": 0.04,
}
"""England shares of referrals by source group; they sum to 1."""

UASC_PER_10K_DEFAULT = 4.2
UASC_PER_10K_LONDON = 7.0
UASC_PER_10K: dict[str, float] = {
    "886": 19.0,  # Kent: Dover and the short straits crossings
    "887": 7.0,  # Medway
    "306": 11.0,  # Croydon: the Home Office intake unit
    "312": 13.0,  # Hillingdon: Heathrow
    "851": 8.5,  # Portsmouth: ferry port
    "852": 7.0,  # Southampton: port
    "810": 5.5,  # Kingston upon Hull: port
    "879": 5.5,  # Plymouth: ferry port
}
"""Looked-after UASC per 10,000 children where it departs from the default.

UASC numbers follow geography, not an LA's care rate: Kent, London and the port LAs
receive more unaccompanied asylum-seeking children than the National Transfer Scheme's
share elsewhere. The defaults put England near 7% of looked-after children."""


@dataclass
class LaProfile:
    """An LA's persistent character: level multipliers and shares, drawn once."""

    need: float
    referrals: float
    contacts_ratio: float
    source_shares: dict[str, float]
    rereferral_share: float
    assess_ratio: float
    assess_45d_share: float
    cin: float
    s47: float
    icpc_share: float
    cpp: float
    cpp_duration: float
    repeat_ever_share: float
    repeat_2y_share: float
    cla: float
    cla_duration: float
    uasc_per_10k: float
    care_leavers: float
    care_leavers_uasc: float
    ehe: float
    send: float
    adopted_share: float
    adoption_days: float
    early_help: float
    missing_share: float
    social_workers: float
    agency_share: float
    vacancy_share: float


def _source_shares(rng: random.Random) -> dict[str, float]:
    """The LA's shares of referrals by source, around England's, summing to 1."""
    shares = {
        code: share * lognormal_multiplier(rng, 0.6 if code == "REF_SRC_UNKNOWN" else 0.18)
        for code, share in REFERRAL_SOURCE_SHARES.items()
    }
    total = sum(shares.values())
    return {code: share / total for code, share in shares.items()}


def _uasc_per_10k(rng: random.Random, la: LocalAuthority) -> float:
    """Looked-after UASC per 10,000 children: by geography (:data:`UASC_PER_10K`)."""
    if la.la_code in UASC_PER_10K:
        return UASC_PER_10K[la.la_code] * lognormal_multiplier(rng, 0.08)
    base = UASC_PER_10K_LONDON if la.region_code == LONDON else UASC_PER_10K_DEFAULT
    return base * lognormal_multiplier(rng, 0.3)


def draw_profile(la: LocalAuthority, seed: int) -> LaProfile:
    """Draw an LA's persistent levels (sd ~0.25, correlated through a 'need' factor).

    Without deprivation data the 'need' factor is random; UASC levels follow geography
    rather than the LA's care rate.
    """
    rng = random.Random(f"{seed}:{la.la_code}:profile")
    need = rng.gauss(0.0, 1.0)

    def topic(sd: float = 0.25, loading: float = 0.7) -> float:
        z = loading * need + math.sqrt(1 - loading * loading) * rng.gauss(0.0, 1.0)
        return clamp(math.exp(sd * z - sd * sd / 2), 0.45, 2.2)

    shares = _source_shares(rng)
    uasc = _uasc_per_10k(rng, la)
    national_uasc = UASC_SHARE_OF_CLA * CLA_PER_10K
    cla = topic()
    logit_45d = math.log(ASSESS_45D_SHARE / (1 - ASSESS_45D_SHARE)) + 0.1 + rng.gauss(0.0, 0.5)
    return LaProfile(
        need=need,
        referrals=topic(),
        contacts_ratio=CONTACTS_PER_REFERRAL * lognormal_multiplier(rng, 0.25),
        source_shares=shares,
        rereferral_share=clamp(REREFERRAL_SHARE * lognormal_multiplier(rng, 0.2), 0.08, 0.45),
        assess_ratio=clamp(ASSESS_STARTED_PER_REFERRAL * lognormal_multiplier(rng, 0.08), 0.6, 1.0),
        assess_45d_share=1 / (1 + math.exp(-logit_45d)),
        cin=topic(),
        s47=topic(),
        icpc_share=clamp(ICPC_15D_SHARE_OF_S47 * lognormal_multiplier(rng, 0.2), 0.1, 0.55),
        cpp=topic(),
        cpp_duration=lognormal_multiplier(rng, 0.12),
        repeat_ever_share=clamp(CPP_REPEAT_EVER_SHARE * lognormal_multiplier(rng, 0.2), 0.08, 0.45),
        repeat_2y_share=clamp(CPP_REPEAT_2Y_SHARE * lognormal_multiplier(rng, 0.3), 0.01, 0.15),
        cla=cla,
        cla_duration=lognormal_multiplier(rng, 0.12),
        uasc_per_10k=uasc,
        care_leavers=cla**0.8 * lognormal_multiplier(rng, 0.12),
        care_leavers_uasc=uasc / national_uasc * lognormal_multiplier(rng, 0.2),
        ehe=topic(0.25, 0.0),
        send=topic(0.2, 0.3),
        adopted_share=clamp(ADOPTED_SHARE_OF_CEASED * lognormal_multiplier(rng, 0.2), 0.03, 0.2),
        adoption_days=lognormal_multiplier(rng, 0.15),
        early_help=topic(0.25, 0.3),
        missing_share=clamp(CLA_MISSING_SHARE * lognormal_multiplier(rng, 0.25), 0.03, 0.25),
        social_workers=topic(0.15, 0.5),
        agency_share=clamp(SW_AGENCY_SHARE * lognormal_multiplier(rng, 0.3), 0.03, 0.4),
        vacancy_share=clamp(SW_VACANCY_SHARE * lognormal_multiplier(rng, 0.3), 0.05, 0.4),
    )
