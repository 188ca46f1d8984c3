#!/usr/bin/env python3
"""Write a deterministic sample of RIIA quarterly returns for every current English LA.

The sample stands in for the real returns (which are not public) so that the pipeline can
be built, tested and demonstrated end to end. It follows the return template in
``docs/RETURN_TEMPLATE.md`` (section 1: one CSV per LA per quarter, section 2: the item
register) and aims to look right to someone who knows the field:

* England levels near the published picture, per 10,000 children aged 0-17: children in
  need ~330, looked after ~70, on a child protection plan ~42, referrals ~130 a quarter.
* Each LA has persistent levels of its own (log-normal multipliers per topic, correlated
  through a shared "need" factor), seasonal flows (referrals from schools dip in the summer
  quarter), mild trends and quarter-to-quarter noise.
* Stocks roll forward: ``CPP_END`` and ``CLA_END`` move by starts minus ceased (within a
  child or two), with the ceased flows chosen so the stock reverts to the LA's own level.
* Every return that is not a deliberate defect passes every ``error`` rule of section 4 of
  the template; the deliberate defects are listed in :data:`DEFECT_PLAN`, written to
  ``SAMPLE_DEFECTS.md`` and ``sample_defects.json`` next to the returns.

Inputs are the project's seeds (never ``../shared``): ``seeds/register/ref_items.csv``,
``seeds/reference/ref_local_authorities.csv`` and ``seeds/reference/ref_population.csv``.

Layout written under ``--out`` (default ``$RIIA_RETURNS_DIR`` or ``data/returns``)::

    2022-23_Q1/301_2022-23_Q1.csv      one file per LA per quarter
    2023-24_Q3/886_2023-24_Q3_v2.csv   a resubmission (supersedes ..._Q3.csv)
    SAMPLE_DEFECTS.md                  the deliberate defects, for people
    sample_defects.json                the same, for tests

Usage::

    python scripts/make_sample_returns.py --out data/returns --only-if-empty
    python scripts/make_sample_returns.py --out /tmp/r --first-period "2013-14 Q1" --quarters 48
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import random
import re
import sys
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from riia.paths import PROJECT_ROOT

DEFAULT_SEED = 20250401
"""The fixed seed: the sample is byte-identical from run to run."""

FINANCIAL_YEARS: tuple[str, ...] = ("2022-23", "2023-24", "2024-25")
"""The financial years covered, each with quarters Q1 (Apr-Jun) .. Q4 (Jan-Mar)."""

CSV_HEADER: tuple[str, ...] = ("la_code", "period", "item_code", "value", "comment")

SOUTH_EAST = "E12000008"
EAST_MIDLANDS = "E12000004"
LONDON = "E12000007"

REGION_ORDER: tuple[str, ...] = (
    "E12000001",  # North East
    "E12000002",  # North West
    "E12000003",  # Yorkshire and The Humber
    "E12000004",  # East Midlands
    "E12000005",  # West Midlands
    "E12000006",  # East of England
    "E12000007",  # London
    "E12000008",  # South East
    "E12000009",  # South West
)

TINY_LA_POPULATION = 20_000
"""LAs with fewer children aged 0-17 than this never carry a deliberate defect."""

COUNT_DISPERSION = 0.6
"""Counting noise as a share of Poisson's standard deviation.

Pure Poisson noise makes small LAs' quarterly rates swing by more than 50% so often that
the P02 warning would fire on most returns; damping it keeps warnings rare while the
figures still move like real ones."""

POLL_SECONDS = 30
POLL_ATTEMPTS = 50

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

SCHOOLS_SEASON: tuple[float, float, float, float] = (1.02, 0.84, 1.07, 1.07)
"""Referrals from schools by quarter: few in Q2 (the August holiday), most in Q3."""

OTHER_SOURCES_SEASON: tuple[float, float, float, float] = (1.00, 1.02, 1.00, 0.98)

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


# --- Reference data --------------------------------------------------------------------


@dataclass(frozen=True)
class Quarter:
    """A financial-year quarter, e.g. ``2024-25 Q1`` (April to June 2024)."""

    fy: str
    q: int

    @property
    def period(self) -> str:
        """The period text used in the returns: ``2024-25 Q1``."""
        return f"{self.fy} Q{self.q}"

    @property
    def folder(self) -> str:
        """The sub-folder of the returns directory for this quarter: ``2024-25_Q1``."""
        return f"{self.fy}_Q{self.q}"

    @property
    def mid_year(self) -> int:
        """The ONS mid-year whose population the quarter uses (2024-25 -> mid-2024)."""
        return int(self.fy[:4])

    def file_name(self, la_code: str, version: int = 1) -> str:
        """The return's file name, with ``_v2``.. for resubmissions."""
        suffix = f"_v{version}" if version > 1 else ""
        return f"{la_code}_{self.fy}_Q{self.q}{suffix}.csv"

    def relative_path(self, la_code: str, version: int = 1) -> str:
        """The return's path relative to the returns directory (forward slashes)."""
        return f"{self.folder}/{self.file_name(la_code, version)}"


QUARTERS: tuple[Quarter, ...] = tuple(Quarter(fy, q) for fy in FINANCIAL_YEARS for q in (1, 2, 3, 4))
"""The quarters simulated: by default the 12 of FINANCIAL_YEARS. ``--first-period`` and
``--quarters`` replace them (see :func:`quarters_from`), e.g. for scripts/benchmark.py."""

DEFAULT_QUARTERS = QUARTERS
DEFAULT_FIRST_PERIOD = DEFAULT_QUARTERS[0].period
PERIOD_RE = re.compile(r"^(\d{4})-(\d{2}) Q([1-4])$")


def quarters_from(first_period: str, count: int) -> tuple[Quarter, ...]:
    """``count`` consecutive quarters starting at ``first_period`` (``YYYY-YY Qn``).

    ``quarters_from("2022-23 Q1", 12)`` is the default :data:`QUARTERS`.
    """
    match = PERIOD_RE.match(first_period)
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"not a financial-year quarter YYYY-YY Qn: {first_period!r}")
    if count < 3:
        raise ValueError("at least 3 quarters are needed (defects avoid the first and the last)")
    start = int(match[1]) * 4 + int(match[3]) - 1
    return tuple(
        Quarter(f"{i // 4}-{(i // 4 + 1) % 100:02d}", i % 4 + 1) for i in range(start, start + count)
    )


@dataclass(frozen=True)
class Item:
    """One row of the item register (``ref_items.csv``)."""

    code: str
    basis: str
    item_set: str
    value_type: str
    collecting_region_code: str

    @property
    def is_core(self) -> bool:
        """True for the nationally agreed ``riia_core`` items."""
        return self.item_set == "riia_core"


@dataclass(frozen=True)
class LocalAuthority:
    """A current English LA with the populations the generator needs."""

    la_code: str
    la_name: str
    region_code: str
    region_name: str
    first_mid_year: int | None
    pop_0_17: dict[int, int]
    pop_5_16: int
    pop_0_25: int
    predecessor_codes: tuple[str, ...] = ()

    def children(self, mid_year: int) -> int:
        """Population aged 0-17 for ``mid_year``, or the nearest year held.

        The latest earlier year is preferred (the template's rule); an LA created after
        ``mid_year`` falls back to its first published year.
        """
        if mid_year in self.pop_0_17:
            return self.pop_0_17[mid_year]
        earlier = [y for y in self.pop_0_17 if y < mid_year]
        year = max(earlier) if earlier else min(self.pop_0_17)
        return self.pop_0_17[year]


@dataclass(frozen=True)
class Reference:
    """Everything read from the seeds."""

    items: tuple[Item, ...]
    las: tuple[LocalAuthority, ...]

    def items_for(self, la: LocalAuthority) -> list[Item]:
        """The items an LA submits, in register order: core plus its region's own."""
        return [item for item in self.items if item.is_core or item.collecting_region_code == la.region_code]


def _read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV (UTF-8, optional BOM) into dicts keyed by lower-case column names."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def wait_for_seeds(paths: Sequence[Path], attempts: int, seconds: float) -> None:
    """Poll until every path exists and is non-empty (another process may be writing them).

    Raises FileNotFoundError naming the missing files when ``attempts`` run out.
    """
    for attempt in range(attempts):
        missing = [p for p in paths if not p.is_file() or p.stat().st_size == 0]
        if not missing:
            return
        if attempt == attempts - 1:
            break
        names = ", ".join(str(p) for p in missing)
        print(f"waiting {seconds:.0f}s for seeds: {names}", file=sys.stderr)
        time.sleep(seconds)
    missing = [p for p in paths if not p.is_file() or p.stat().st_size == 0]
    raise FileNotFoundError("seed files not found: " + ", ".join(str(p) for p in missing))


def load_reference(repo_root: Path, wait_attempts: int = 1, wait_seconds: float = 0) -> Reference:
    """Read the item register, current LAs and their populations from the repo's seeds."""
    items_path = repo_root / "seeds" / "register" / "ref_items.csv"
    la_path = repo_root / "seeds" / "reference" / "ref_local_authorities.csv"
    pop_path = repo_root / "seeds" / "reference" / "ref_population.csv"
    wait_for_seeds([items_path, la_path, pop_path], max(1, wait_attempts), wait_seconds)

    items = tuple(
        Item(
            code=row["item_code"],
            basis=row["basis"],
            item_set=row["item_set"],
            value_type=row["value_type"],
            collecting_region_code=row.get("collecting_region_code", ""),
        )
        for row in _read_csv(items_path)
    )

    pop_0_17: dict[str, dict[int, int]] = {}
    pop_2023: dict[tuple[str, str], int] = {}
    for row in _read_csv(pop_path):
        if row["geography_level"].lower() != "la" or not row["population"].replace(".", "", 1).isdigit():
            continue  # other levels, and suppressed figures ('x')
        code = row["area_code"].zfill(3)
        band = row["age_band"]
        population = int(float(row["population"]))
        if band == "0-17":
            pop_0_17.setdefault(code, {})[int(row["mid_year"])] = population
        elif band in ("5-16", "0-25"):
            pop_2023[(code, band)] = population

    la_rows = _read_csv(la_path)
    predecessors: dict[str, list[str]] = {}
    for row in la_rows:
        for successor in re.findall(r"\d{3}", row.get("successor_la_codes", "")):
            predecessors.setdefault(successor, []).append(row["la_code"].zfill(3))

    las: list[LocalAuthority] = []
    for row in la_rows:
        if row["is_current"].lower() not in ("true", "t", "1", "yes"):
            continue
        code = row["la_code"].zfill(3)
        if code not in pop_0_17:
            raise ValueError(f"no 0-17 population for LA {code} in {pop_path}")
        latest = pop_0_17[code][max(pop_0_17[code])]
        first = row.get("first_mid_year", "")
        las.append(
            LocalAuthority(
                la_code=code,
                la_name=row["la_name"],
                region_code=row["region_code"],
                region_name=row.get("region_name", ""),
                first_mid_year=int(first) if first.isdigit() else None,
                pop_0_17=dict(sorted(pop_0_17[code].items())),
                # Fall back to typical England ratios if a band is missing for an LA.
                pop_5_16=pop_2023.get((code, "5-16"), round(latest * 0.69)),
                pop_0_25=pop_2023.get((code, "0-25"), round(latest * 1.46)),
                predecessor_codes=tuple(sorted(predecessors.get(code, []))),
            )
        )
    las.sort(key=lambda la: la.la_code)
    return Reference(items=items, las=tuple(las))


# --- Random helpers --------------------------------------------------------------------


def lognormal_multiplier(rng: random.Random, sd: float) -> float:
    """A log-normal multiplier with mean 1 and log-scale standard deviation ``sd``."""
    return math.exp(rng.gauss(0.0, sd) - sd * sd / 2.0)


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson-like count around ``lam``, damped to :data:`COUNT_DISPERSION` of its sd."""
    if lam <= 0:
        return 0
    return max(0, round(rng.gauss(lam, COUNT_DISPERSION * math.sqrt(lam))))


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial-like count of ``n`` trials, damped like :func:`poisson`, in 0..n."""
    if n <= 0 or p <= 0:
        return 0
    if p >= 1:
        return n
    mean, sd = n * p, COUNT_DISPERSION * math.sqrt(n * p * (1 - p))
    return min(n, max(0, round(rng.gauss(mean, sd))))


def noisy_count(rng: random.Random, mean: float, rel_sd: float = 0.05) -> int:
    """A count around ``mean``: Poisson noise on top of a small relative shock."""
    return poisson(rng, mean * lognormal_multiplier(rng, rel_sd))


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to ``[low, high]``."""
    return min(high, max(low, value))


# --- The simulation --------------------------------------------------------------------

Number = int | float
QuarterValues = dict[str, Number]


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


def draw_profile(la: LocalAuthority, seed: int) -> LaProfile:
    """Draw an LA's persistent levels (sd ~0.25, correlated through a 'need' factor).

    Without deprivation data the 'need' factor is random; UASC levels follow geography
    (:data:`UASC_PER_10K`) rather than the LA's care rate.
    """
    rng = random.Random(f"{seed}:{la.la_code}:profile")
    need = rng.gauss(0.0, 1.0)

    def topic(sd: float = 0.25, loading: float = 0.7) -> float:
        z = loading * need + math.sqrt(1 - loading * loading) * rng.gauss(0.0, 1.0)
        return clamp(math.exp(sd * z - sd * sd / 2), 0.45, 2.2)

    shares = {
        code: share * lognormal_multiplier(rng, 0.6 if code == "REF_SRC_UNKNOWN" else 0.18)
        for code, share in REFERRAL_SOURCE_SHARES.items()
    }
    total = sum(shares.values())
    shares = {code: share / total for code, share in shares.items()}

    if la.la_code in UASC_PER_10K:
        uasc = UASC_PER_10K[la.la_code] * lognormal_multiplier(rng, 0.08)
    else:
        base = UASC_PER_10K_LONDON if la.region_code == LONDON else UASC_PER_10K_DEFAULT
        uasc = base * lognormal_multiplier(rng, 0.3)
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


@dataclass
class StockState:
    """A stock rolled forward quarter by quarter (CPP_END, CLA_END)."""

    level: int
    target_per_child: float
    hazard: float
    reversion: float


def _ar_step(state: dict[str, float], key: str, rng: random.Random, sd: float, rho: float = 0.75) -> float:
    """Advance an AR(1) log-deviation called ``key`` and return the multiplier it gives."""
    state[key] = rho * state.get(key, rng.gauss(0.0, sd * 1.5)) + rng.gauss(0.0, sd)
    return math.exp(state[key])


def _roll_forward(
    rng: random.Random,
    stock: StockState,
    starts: int,
    target: float,
    adjustment: int = 0,
) -> tuple[int, int]:
    """Choose the ceased flow for one quarter and return ``(ceased, new_level)``.

    Ceased = the LA's usual exit rate times the opening stock, plus a pull towards the
    target level (mean reversion), with damped Poisson noise. The closing stock is the opening
    stock plus starts minus ceased; occasionally off by a child or two, as real returns
    are (late recording, a child starting and ceasing in the quarter), and ``adjustment``
    adds a deliberate unexplained jump (defect P01).
    """
    opening = stock.level
    expected = stock.hazard * opening + stock.reversion * (opening - target)
    ceased = min(opening + starts, poisson(rng, max(0.0, expected)))
    closing = opening + starts - ceased
    if closing > 20 and rng.random() < 0.2:
        closing += rng.choice((-2, -1, 1, 2))
    closing = max(0, closing + adjustment)
    stock.level = closing
    return ceased, closing


def simulate_la(
    la: LocalAuthority,
    items: Sequence[Item],
    seed: int,
    cla_adjustments: dict[int, int] | None = None,
) -> list[QuarterValues]:
    """Simulate one LA's values for every quarter in :data:`QUARTERS`.

    ``cla_adjustments`` maps a quarter index to an unexplained change in CLA_END (the P01
    defect), applied inside the simulation so later quarters roll forward from it.
    Returns one dict of item code -> value per quarter (ints, floats for FTE items).
    """
    profile = draw_profile(la, seed)
    rng = random.Random(f"{seed}:{la.la_code}:quarters")
    codes = {item.code for item in items}
    ar: dict[str, float] = {}
    adjustments = cla_adjustments or {}

    first_children = la.children(QUARTERS[0].mid_year) / 10_000
    cpp_target0 = CPP_PER_10K * profile.cpp * profile.cpp_duration
    # Looked-after children: the LA's own (non-UASC) level plus its UASC, who stay shorter.
    cla_other = CLA_PER_10K * (1 - UASC_SHARE_OF_CLA) * profile.cla
    cla_target0 = cla_other * profile.cla_duration + profile.uasc_per_10k
    cla_start_per_10k = (cla_other + profile.uasc_per_10k) * CLA_START_PER_10K / CLA_PER_10K
    cpp = StockState(
        level=round(cpp_target0 * first_children * lognormal_multiplier(rng, 0.06)),
        target_per_child=cpp_target0,
        hazard=CPP_START_PER_10K * profile.cpp / cpp_target0,
        reversion=0.15,
    )
    cla = StockState(
        level=round(cla_target0 * first_children * lognormal_multiplier(rng, 0.03)),
        target_per_child=cla_target0,
        hazard=cla_start_per_10k / cla_target0,
        reversion=0.08,
    )
    previous_started = -1
    sw_fte = SW_FTE_PER_10K * profile.social_workers * first_children

    out: list[QuarterValues] = []
    for index, quarter in enumerate(QUARTERS):
        years = index / 4.0  # years since 2022-23 Q1
        season = quarter.q - 1
        children = la.children(quarter.mid_year) / 10_000
        values: QuarterValues = {}

        # Contacts and referrals: sources drawn with a shared quarter shock, summed exactly.
        shock = lognormal_multiplier(rng, 0.06)
        trend = 1 + 0.01 * years
        for code, share in profile.source_shares.items():
            seasonal = (SCHOOLS_SEASON if code == "REF_SRC_SCHOOLS" else OTHER_SOURCES_SEASON)[season]
            mean = REFERRALS_PER_10K * profile.referrals * children * share * seasonal * trend * shock
            values[code] = noisy_count(rng, mean, 0.04)
        referrals = sum(int(values[code]) for code in REFERRAL_SOURCE_SHARES)
        values["REFERRALS"] = referrals
        values["CONTACTS"] = noisy_count(rng, referrals * profile.contacts_ratio, 0.04)
        values["REREFERRALS"] = binomial(
            rng, referrals, clamp(profile.rereferral_share * lognormal_multiplier(rng, 0.06), 0, 0.9)
        )

        # Assessments: completions lag starts by about half a quarter.
        started = noisy_count(rng, referrals * profile.assess_ratio, 0.03)
        lagged = started if previous_started < 0 else previous_started
        completed = noisy_count(rng, 0.55 * started + 0.45 * lagged, 0.03)
        previous_started = started
        values["ASSESS_STARTED"] = started
        values["ASSESS_COMPLETED"] = completed
        p45 = clamp(profile.assess_45d_share * lognormal_multiplier(rng, 0.03), 0.2, 0.995)
        values["ASSESS_45D"] = binomial(rng, completed, p45)

        values["CIN_END"] = round(
            CIN_PER_10K * profile.cin * children * (1 + 0.005 * years) * _ar_step(ar, "cin", rng, 0.015, 0.85)
        )

        # Child protection.
        s47_season = (1.0, 0.95, 1.05, 1.0)[season]
        s47 = noisy_count(rng, S47_PER_10K * profile.s47 * children * s47_season * (1 + 0.02 * years), 0.05)
        values["S47"] = s47
        values["ICPC_15D"] = binomial(rng, s47, profile.icpc_share * lognormal_multiplier(rng, 0.05))
        cpp_season = (1.0, 0.96, 1.04, 1.0)[season]
        cpp_start = noisy_count(rng, CPP_START_PER_10K * profile.cpp * children * cpp_season, 0.05)
        cpp_ceased, cpp_end = _roll_forward(rng, cpp, cpp_start, cpp.target_per_child * children)
        values["CPP_START"] = cpp_start
        values["CPP_CEASED"] = cpp_ceased
        values["CPP_END"] = cpp_end
        repeat_ever = binomial(rng, cpp_start, profile.repeat_ever_share)
        values["CPP_REPEAT_EVER"] = repeat_ever
        values["CPP_REPEAT_2Y"] = binomial(
            rng, repeat_ever, clamp(profile.repeat_2y_share / profile.repeat_ever_share, 0, 0.9)
        )

        # Children looked after (UASC arrivals peak in the summer quarter).
        cla_season = (1.0, 1.06, 0.99, 0.95)[season]
        cla_trend = 1 + 0.01 * years
        cla_start = noisy_count(rng, cla_start_per_10k * children * cla_season * cla_trend, 0.05)
        cla_ceased, cla_end = _roll_forward(
            rng, cla, cla_start, cla.target_per_child * children * cla_trend, adjustments.get(index, 0)
        )
        values["CLA_START"] = cla_start
        values["CLA_CEASED"] = cla_ceased
        values["CLA_END"] = cla_end
        uasc = profile.uasc_per_10k * children * (1 + 0.03 * years) * _ar_step(ar, "uasc", rng, 0.05)
        values["CLA_UASC_END"] = min(cla_end // 2, round(uasc))

        # Care leavers: former UASC follow the LA's UASC level, the rest its care rate.
        leavers_uasc = round(
            CARE_LEAVERS_PER_10K
            * CARE_LEAVERS_UASC_SHARE
            * profile.care_leavers_uasc
            * children
            * (1 + 0.04 * years)
            * _ar_step(ar, "leaver_uasc", rng, 0.025, 0.85)
        )
        leavers_other = round(
            CARE_LEAVERS_PER_10K
            * (1 - CARE_LEAVERS_UASC_SHARE)
            * profile.care_leavers
            * children
            * (1 + 0.015 * years)
            * _ar_step(ar, "leavers", rng, 0.015, 0.85)
        )
        values["CARE_LEAVERS_END"] = leavers_other + leavers_uasc
        values["CARE_LEAVERS_UASC_END"] = leavers_uasc

        # Education: EHE grows ~6% a year and falls each September; EHC work grows faster.
        ehe_season = (1.03, 0.94, 0.99, 1.04)[season]
        values["EHE_END"] = round(
            EHE_PER_10K_5_16
            * profile.ehe
            * la.pop_5_16
            / 10_000
            * (1 + 0.06 * (years - 1.25))
            * ehe_season
            * _ar_step(ar, "ehe", rng, 0.03)
        )
        send_base = profile.send * la.pop_0_25 / 10_000 * (1 + 0.08 * (years - 1.25))
        values["EHC_REQUESTS"] = noisy_count(
            rng, EHC_REQUESTS_PER_10K_0_25 * send_base * (1.06, 0.86, 1.03, 1.05)[season], 0.05
        )
        values["EHC_ASSESSMENTS"] = noisy_count(
            rng, EHC_ASSESSMENTS_PER_10K_0_25 * send_base * (1.0, 0.97, 0.99, 1.04)[season], 0.06
        )
        values["EHCP_ISSUED"] = noisy_count(
            rng, EHCP_ISSUED_PER_10K_0_25 * send_base * (1.0, 1.08, 0.95, 0.97)[season], 0.06
        )

        if "CLA_ADOPTED" in codes:
            values.update(_adoption_values(rng, profile, cla_ceased))
        if "EH_OPEN_END" in codes:
            eh = profile.early_help * children
            values["EH_OPEN_END"] = round(EH_OPEN_PER_10K * eh * _ar_step(ar, "eh", rng, 0.03))
            values["EH_ASSESS_NEW"] = noisy_count(rng, EH_ASSESS_NEW_PER_10K * eh * (1.0, 0.9, 1.08, 1.02)[season])
            values["EH_STEP_UP"] = noisy_count(rng, EH_STEP_UP_PER_10K * eh)
            values["EH_STEP_DOWN"] = noisy_count(rng, EH_STEP_DOWN_PER_10K * eh)
        if "CLA_MISSING" in codes:
            values["CLA_MISSING"] = binomial(rng, cla_end, profile.missing_share * lognormal_multiplier(rng, 0.08))
        if "SW_FTE" in codes:
            target = SW_FTE_PER_10K * profile.social_workers * children
            sw_fte = max(1.0, sw_fte + 0.3 * (target - sw_fte) + rng.gauss(0.0, 0.015 * target))
            agency = profile.agency_share * lognormal_multiplier(rng, 0.06)
            vacancy = profile.vacancy_share * lognormal_multiplier(rng, 0.06)
            values["SW_FTE"] = round(sw_fte, 2)
            values["SW_AGENCY_FTE"] = round(sw_fte * agency / (1 - agency), 2)
            values["SW_VACANCY_FTE"] = round(sw_fte * vacancy / (1 - vacancy), 2)
        out.append({code: values[code] for code in values if code in codes})
    return out


def _adoption_values(rng: random.Random, profile: LaProfile, cla_ceased: int) -> QuarterValues:
    """South East Annex A adoption items for one quarter.

    Each adopted child gets a wait (entering care to moving in) from a skewed log-normal
    with mean ~450 days; A3 counts those under 14 months, so A3 <= A1 by construction.
    """
    adopted = binomial(rng, cla_ceased, profile.adopted_share)
    a1_sigma = 0.65
    a1_mu = math.log(A1_MEAN_DAYS * profile.adoption_days) - a1_sigma**2 / 2
    waits = [max(90, round(math.exp(rng.gauss(a1_mu, a1_sigma)))) for _ in range(adopted)]
    matched = poisson(rng, max(0.0, cla_ceased * profile.adopted_share * lognormal_multiplier(rng, 0.15)))
    a2_sigma = 0.6
    a2_mu = math.log(A2_MEAN_DAYS * profile.adoption_days) - a2_sigma**2 / 2
    a2_days = sum(max(7, round(math.exp(rng.gauss(a2_mu, a2_sigma)))) for _ in range(matched))
    return {
        "CLA_ADOPTED": adopted,
        "A1_DAYS": sum(waits),
        "A1_CHILDREN": adopted,
        "A2_DAYS": a2_days,
        "A2_CHILDREN": matched,
        "A3_UNDER_14M": sum(1 for wait in waits if wait < FOURTEEN_MONTHS_DAYS),
    }


# --- Returns as rows --------------------------------------------------------------------


@dataclass
class Row:
    """One row of a return file."""

    la_code: str
    period: str
    item_code: str
    value: str
    comment: str = ""

    def as_list(self) -> list[str]:
        """The row in :data:`CSV_HEADER` order."""
        return [self.la_code, self.period, self.item_code, self.value, self.comment]


def format_value(item: Item, value: Number) -> str:
    """Counts as whole numbers, FTE items with two decimals (``123.45``)."""
    if item.value_type == "fte":
        return f"{float(value):.2f}"
    return str(int(value))


def build_rows(la: LocalAuthority, quarter: Quarter, items: Sequence[Item], values: QuarterValues) -> list[Row]:
    """The rows of one return, one per item in register order."""
    return [Row(la.la_code, quarter.period, item.code, format_value(item, values[item.code])) for item in items]


def find_row(rows: list[Row], item_code: str) -> Row:
    """The row for ``item_code`` (raises KeyError if absent)."""
    for row in rows:
        if row.item_code == item_code:
            return row
    raise KeyError(item_code)


def value_of(rows: list[Row], item_code: str) -> int:
    """The integer value of a count row."""
    return int(find_row(rows, item_code).value)


NOTABLE_COMMENTS: dict[str, tuple[str, ...]] = {
    "REFERRALS": (
        "Rise follows a multi-agency awareness campaign on neglect",
        "Increase reflects referrals from schools after a local safeguarding review",
        "More police notifications of domestic abuse incidents this quarter",
    ),
    "CONTACTS": (
        "Front door now logs every police notification as a contact",
        "Increase in contacts after changes to the MASH threshold document",
    ),
    "S47": (
        "Large sibling groups in two families account for part of the rise",
        "Increase linked to an organised abuse investigation with the police",
    ),
    "CLA_START": (
        "Includes a sibling group of five and several UASC arrivals via the National Transfer Scheme",
        "Increase in remands to local authority accommodation this quarter",
        "Rise reflects UASC arrivals transferred under the National Transfer Scheme",
    ),
    "EHC_REQUESTS": (
        "Seasonal rise in requests ahead of phase transfer",
        "Backlog of requests from the previous quarter logged this quarter",
    ),
}
"""Comments an LA might add beside a figure that rose sharply on the previous quarter."""


def add_notable_comments(
    rng: random.Random, rows: list[Row], previous: QuarterValues | None, values: QuarterValues
) -> None:
    """Comment on a sharp rise now and then, as LA data officers do."""
    if previous is None:
        return
    for code, pool in NOTABLE_COMMENTS.items():
        before, now = previous.get(code), values.get(code)
        if before is None or now is None or before < 30:
            continue
        if now > 1.4 * before and rng.random() < 0.25:
            find_row(rows, code).comment = rng.choice(pool)


# --- Deliberate defects and legitimate gaps -------------------------------------------


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
    """A defect to place: which rule, where it may go, and how to break the return."""

    key: str
    rule_id: str
    severity: str
    region_code: str | None = None
    kind: str = "mutate"  # mutate | successor_code | resubmission | typo | unreadable | cla_jump


DEFECT_PLAN: tuple[DefectSpec, ...] = (
    DefectSpec("T02", "T02", "error", kind="successor_code"),
    DefectSpec("T04", "T04", "error", region_code=EAST_MIDLANDS),
    DefectSpec("L08", "L08", "error", region_code=SOUTH_EAST),
    DefectSpec("T01", "T01", "error", kind="unreadable"),
    DefectSpec("T03", "T03", "error"),
    DefectSpec("T05", "T05", "error"),
    DefectSpec("T06", "T06", "error"),
    DefectSpec("L01", "L01", "error"),
    DefectSpec("L02", "L02", "error"),
    DefectSpec("L03", "L03", "error"),
    DefectSpec("L05", "L05", "error"),
    DefectSpec("L06", "L06", "error"),
    DefectSpec("L07", "L07", "error"),
    DefectSpec("T07", "T07", "warning"),
    DefectSpec("L04", "L04", "warning"),
    DefectSpec("P01", "P01", "warning", kind="cla_jump"),
    DefectSpec("RESUB_L01", "L01", "error", kind="resubmission"),
    DefectSpec("RESUB_L02", "L02", "error", kind="resubmission"),
    DefectSpec("RESUB_TYPO", "S01", "behaviour", kind="typo"),
)
"""The deliberate defects, one LA and quarter each (chosen by :func:`place_defects`).

Error rules each get one return left broken; T07, L04 and P01 one warning each; three LAs
resubmit a quarter as ``_v2`` (v1 broke L01, v1 broke L02, v1 had a transposed-digit typo);
one file is an Excel workbook saved under a ``.csv`` name (T01)."""

T01_QUARTER = Quarter("2023-24", 2)
"""The quarter whose return is the unreadable workbook (fixed by the brief)."""


@dataclass(frozen=True)
class Placement:
    """Where a defect goes."""

    spec: DefectSpec
    la: LocalAuthority
    quarter_index: int


@dataclass(frozen=True)
class Gap:
    """A legitimate blank or ``x`` in a return that is otherwise fine."""

    la_code: str
    quarter_index: int
    item_code: str
    value: str
    comment: str


GAP_PLAN: tuple[tuple[str, str, str | None, str], ...] = (
    (
        "CONTACTS",
        "x",
        None,
        "Not available: the new front door system went live in this quarter and contacts "
        "cannot yet be reported; will be provided next quarter",
    ),
    (
        "EHE_END",
        "x",
        None,
        "Not available: the elective home education register is being migrated to the new "
        "education case management system",
    ),
    (
        "EHC_ASSESSMENTS",
        "x",
        None,
        "Not available: SEND case management system outage at quarter end; figure to follow",
    ),
    ("EHCP_ISSUED", "", None, "Not collected this quarter (SEND team restructure)"),
    ("EH_ASSESS_NEW", "", EAST_MIDLANDS, ""),
)
"""Legitimate gaps: (item, value, region the LA must be in, comment). None of these items
takes part in an L rule, so a gap never hides or causes an error."""


def place_defects(las: Sequence[LocalAuthority], seed: int) -> list[Placement]:
    """Choose an LA and quarter for each :data:`DEFECT_PLAN` entry, spread across regions.

    Deterministic for a given seed. Each defect gets its own LA (never a tiny one); regions
    rotate so every region carries some; quarters avoid the first (no previous quarter to
    roll forward from) and the last (kept clean for the England-level picture).
    """
    rng = random.Random(f"{seed}:defects")
    eligible = [la for la in las if la.children(2024) >= TINY_LA_POPULATION]
    used: set[str] = set()
    regions = [code for code in REGION_ORDER if any(la.region_code == code for la in eligible)]
    rotation = 0
    placements: list[Placement] = []
    for spec in DEFECT_PLAN:
        candidates: list[LocalAuthority]
        if spec.kind == "successor_code":
            candidates = [la for la in eligible if la.predecessor_codes and la.la_code not in used]
        elif spec.region_code:
            candidates = [la for la in eligible if la.region_code == spec.region_code and la.la_code not in used]
        else:
            candidates = []
            while not candidates:
                region = regions[rotation % len(regions)]
                rotation += 1
                candidates = [la for la in eligible if la.region_code == region and la.la_code not in used]
        if not candidates:
            candidates = [la for la in eligible if la.la_code not in used]
        # Prefer successors whose first year is inside the sample (their first return).
        if spec.kind == "successor_code":
            recent = [la for la in candidates if (la.first_mid_year or 0) >= QUARTERS[0].mid_year]
            candidates = recent or candidates
        la = rng.choice(candidates)
        used.add(la.la_code)
        # (with --first-period/--quarters the fixed quarters may be outside the range:
        # then the defect goes where any other would)
        first_quarter = next(
            (i for i, q in enumerate(QUARTERS) if q.mid_year == la.first_mid_year and q.q == 1), None
        )
        if spec.kind == "unreadable" and T01_QUARTER in QUARTERS:
            index = QUARTERS.index(T01_QUARTER)
        elif (
            spec.kind == "successor_code"
            and la.first_mid_year
            and la.first_mid_year > QUARTERS[0].mid_year
            and first_quarter is not None
        ):
            index = first_quarter
        else:
            index = rng.randrange(1, len(QUARTERS) - 1)
        placements.append(Placement(spec, la, index))
    return placements


def place_gaps(las: Sequence[LocalAuthority], used: set[str], seed: int) -> list[Gap]:
    """Choose an LA and quarter for each legitimate gap in :data:`GAP_PLAN`."""
    rng = random.Random(f"{seed}:gaps")
    gaps: list[Gap] = []
    for item_code, value, region, comment in GAP_PLAN:
        candidates = [
            la
            for la in las
            if la.la_code not in used
            and la.children(2024) >= TINY_LA_POPULATION
            and (region is None or la.region_code == region)
        ]
        la = rng.choice(candidates)
        used.add(la.la_code)
        gaps.append(Gap(la.la_code, rng.randrange(1, len(QUARTERS) - 1), item_code, value, comment))
    return gaps


def _bump(count: int, share: float, minimum: int) -> int:
    """A margin of ``share`` of ``count``, at least ``minimum``."""
    return max(minimum, round(count * share))


def mutate_for_rule(rule_id: str, rows: list[Row], la: LocalAuthority, quarter_index: int) -> tuple[str, str]:
    """Break exactly one rule in ``rows`` (in place). Returns (item_code, description)."""
    quarter = QUARTERS[quarter_index]
    if rule_id == "T02":
        old = la.predecessor_codes[0] if la.predecessor_codes else f"{(int(la.la_code) + 1) % 1000:03d}"
        for row in rows:
            row.la_code = old
        return "", (
            f"Every row carries la_code {old} (the predecessor authority's code) while the file name says {la.la_code}"
        )
    if rule_id == "T03":
        stale = QUARTERS[quarter_index - 1].period
        for row in rows:
            row.period = stale
        return "", (
            f"Every row carries period '{stale}' (last quarter's template not updated) while "
            f"the file name says {quarter.period}; the values are this quarter's"
        )
    if rule_id == "T04":
        row = find_row(rows, "EH_STEP_UP")
        row.item_code = "EH_STEPUP"
        return "EH_STEPUP", "Item code EH_STEP_UP misspelt as EH_STEPUP (not in the register)"
    if rule_id == "T05":
        row = find_row(rows, "EHC_REQUESTS")
        original = row.value
        row.value = original[:-1] + "O" if original.endswith("0") else original + "a"
        return "EHC_REQUESTS", f"EHC_REQUESTS value '{row.value}' is not a number (typed for {original})"
    if rule_id == "T06":
        row = find_row(rows, "CIN_END")
        rows.append(Row(row.la_code, row.period, row.item_code, row.value, ""))
        return "CIN_END", f"CIN_END appears twice (row pasted again at the end, value {row.value})"
    if rule_id == "T07":
        row = find_row(rows, "EHE_END")
        rows.remove(row)
        return "EHE_END", "Core item EHE_END row missing (not submitted)"
    if rule_id == "L01":
        referrals = value_of(rows, "REFERRALS")
        row = find_row(rows, "REREFERRALS")
        row.value = str(referrals + _bump(referrals, 0.12, 3))
        return "REREFERRALS", (
            f"REREFERRALS {row.value} > REFERRALS {referrals} (re-referrals counted over the "
            f"whole year instead of the quarter)"
        )
    if rule_id == "L02":
        referrals = value_of(rows, "REFERRALS")
        row = find_row(rows, "REF_SRC_OTHER")
        extra = _bump(referrals, 0.05, 5)
        row.value = str(int(row.value) + extra)
        return "REF_SRC_OTHER", (
            f"REF_SRC_* sum to {referrals + extra}, not REFERRALS {referrals} "
            f"(REF_SRC_OTHER {row.value} double-counts {extra} referrals)"
        )
    if rule_id == "L03":
        completed = value_of(rows, "ASSESS_COMPLETED")
        row = find_row(rows, "ASSESS_45D")
        row.value = str(completed + _bump(completed, 0.05, 3))
        return "ASSESS_45D", f"ASSESS_45D {row.value} > ASSESS_COMPLETED {completed}"
    if rule_id == "L04":
        s47 = value_of(rows, "S47")
        row = find_row(rows, "ICPC_15D")
        row.value = str(s47 + _bump(s47, 0.05, 2))
        return "ICPC_15D", (
            f"ICPC_15D {row.value} > S47 {s47} (ICPCs held this quarter include enquiries started last quarter)"
        )
    if rule_id == "L05":
        ever, two = find_row(rows, "CPP_REPEAT_EVER"), find_row(rows, "CPP_REPEAT_2Y")
        if int(ever.value) > int(two.value):
            ever.value, two.value = two.value, ever.value
        else:
            two.value = str(int(ever.value) + 2)
        return "CPP_REPEAT_2Y", (f"CPP_REPEAT_2Y {two.value} > CPP_REPEAT_EVER {ever.value} (the two columns swapped)")
    if rule_id == "L06":
        cla_end = value_of(rows, "CLA_END")
        row = find_row(rows, "CLA_UASC_END")
        original = row.value
        row.value = str(cla_end + _bump(cla_end, 0.05, 3))
        return "CLA_UASC_END", (
            f"CLA_UASC_END {row.value} > CLA_END {cla_end} (a wrong figure keyed in; the "
            f"quarter-end count was {original}); only this value changed"
        )
    if rule_id == "L07":
        leavers = value_of(rows, "CARE_LEAVERS_END")
        row = find_row(rows, "CARE_LEAVERS_UASC_END")
        row.value = str(leavers + _bump(leavers, 0.1, 3))
        return "CARE_LEAVERS_UASC_END", f"CARE_LEAVERS_UASC_END {row.value} > CARE_LEAVERS_END {leavers}"
    if rule_id == "L08":
        ceased = value_of(rows, "CLA_CEASED")
        row = find_row(rows, "CLA_ADOPTED")
        row.value = str(ceased + _bump(ceased, 0.2, 2))
        return "CLA_ADOPTED", (f"CLA_ADOPTED {row.value} > CLA_CEASED {ceased} (adoptions reported year to date)")
    raise ValueError(f"no mutation for rule {rule_id}")


def transpose_digits(value: str) -> str:
    """Swap the first pair of adjacent, different digits after the leading one (a typo)."""
    digits = list(value)
    for i in range(1, len(digits) - 1):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return "".join(digits)
    return value + value[-1]


def xlsx_bytes() -> bytes:
    """A tiny, valid zip laid out like an .xlsx workbook, byte-identical every run."""
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheets><sheet name="Return" sheetId="1"/></sheets></workbook>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=(2023, 10, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()


# --- Assembling and writing the sample ---------------------------------------------------


@dataclass
class ReturnFile:
    """A file to write: CSV rows, or raw bytes for the unreadable one."""

    relative_path: str
    rows: list[Row] = field(default_factory=list)
    raw: bytes | None = None


@dataclass
class Sample:
    """The whole sample: files, defects and legitimate gaps."""

    seed: int
    files: list[ReturnFile]
    defects: list[Defect]
    gaps: list[Gap]


def build_sample(reference: Reference, seed: int = DEFAULT_SEED) -> Sample:
    """Simulate every LA and quarter, apply the defect and gap plans, return the files."""
    placements = place_defects(reference.las, seed)
    by_la = {p.la.la_code: p for p in placements}
    gaps = place_gaps(reference.las, set(by_la), seed)
    gaps_by_key = {(g.la_code, g.quarter_index): g for g in gaps}
    comment_rng = random.Random(f"{seed}:comments")

    files: list[ReturnFile] = []
    defects: list[Defect] = []
    for la in reference.las:
        items = reference.items_for(la)
        placement = by_la.get(la.la_code)
        adjustments: dict[int, int] = {}
        if placement and placement.spec.kind == "cla_jump":
            # Simulate once to learn the opening stock, then add a jump well past tolerance.
            base = simulate_la(la, items, seed)
            opening = int(base[placement.quarter_index - 1]["CLA_END"])
            adjustments[placement.quarter_index] = max(15, round(0.22 * opening))
        series = simulate_la(la, items, seed, adjustments)
        for index, quarter in enumerate(QUARTERS):
            values = series[index]
            rows = build_rows(la, quarter, items, values)
            add_notable_comments(comment_rng, rows, series[index - 1] if index else None, values)
            gap = gaps_by_key.get((la.la_code, index))
            if gap:
                row = find_row(rows, gap.item_code)
                row.value, row.comment = gap.value, gap.comment
            if placement and placement.quarter_index == index:
                new_files, new_defects = _apply_defect(placement, la, index, rows, adjustments)
                files.extend(new_files)
                defects.extend(new_defects)
            else:
                files.append(ReturnFile(quarter.relative_path(la.la_code), rows))
    defects.sort(key=lambda d: d.file)
    return Sample(seed=seed, files=files, defects=defects, gaps=gaps)


def _copy_rows(rows: Iterable[Row]) -> list[Row]:
    return [Row(r.la_code, r.period, r.item_code, r.value, r.comment) for r in rows]


def _apply_defect(
    placement: Placement, la: LocalAuthority, index: int, rows: list[Row], adjustments: dict[int, int]
) -> tuple[list[ReturnFile], list[Defect]]:
    """Turn the good rows of a placed defect into the file(s) and defect record(s)."""
    spec, quarter = placement.spec, QUARTERS[index]
    path_v1, path_v2 = quarter.relative_path(la.la_code), quarter.relative_path(la.la_code, 2)
    common = {"la_code": la.la_code, "la_name": la.la_name, "region_code": la.region_code, "period": quarter.period}

    if spec.kind == "unreadable":
        description = "An Excel workbook (.xlsx, a zip archive) saved under a .csv name; no usable return"
        return [ReturnFile(path_v1, raw=xlsx_bytes())], [
            Defect(
                path_v1,
                version=1,
                rule_id="T01",
                severity="error",
                expected_outcome="quarantined",
                description=description,
                **common,
            )
        ]
    if spec.kind == "cla_jump":
        jump = adjustments[index]
        cla_end = value_of(rows, "CLA_END")
        description = (
            f"CLA_END {cla_end} is {jump} higher than last quarter's closing stock plus starts "
            f"minus ceased (unexplained; later quarters roll forward from the new level)"
        )
        return [ReturnFile(path_v1, rows)], [
            Defect(
                path_v1,
                version=1,
                rule_id="P01",
                severity="warning",
                expected_outcome="loaded_with_warning",
                description=description,
                item_code="CLA_END",
                **common,
            )
        ]
    if spec.kind in ("resubmission", "typo"):
        broken = _copy_rows(rows)
        if spec.kind == "typo":
            row = find_row(broken, "CIN_END")
            row.value = transpose_digits(row.value)
            item_code, description = (
                "CIN_END",
                (
                    f"CIN_END typed as {row.value} instead of {find_row(rows, 'CIN_END').value} "
                    f"(digits transposed); not an error, corrected by the resubmission"
                ),
            )
            rule_id, severity, outcome = "S01", "behaviour", "superseded"
        else:
            item_code, description = mutate_for_rule(spec.rule_id, broken, la, index)
            rule_id, severity, outcome = spec.rule_id, "error", "superseded"
        fix = "corrects " + item_code + (f" ({spec.rule_id} now passes)" if spec.rule_id != "S01" else "")
        return [ReturnFile(path_v1, broken), ReturnFile(path_v2, rows)], [
            Defect(
                path_v1,
                version=1,
                rule_id=rule_id,
                severity=severity,
                expected_outcome=outcome,
                description=description,
                item_code=item_code,
                fixed_by=path_v2,
                **common,
            ),
            Defect(
                path_v2,
                version=2,
                rule_id="S01",
                severity="behaviour",
                expected_outcome="loaded",
                description=f"Resubmission that supersedes version 1; {fix}",
                item_code=item_code,
                supersedes=path_v1,
                **common,
            ),
        ]
    item_code, description = mutate_for_rule(spec.rule_id, rows, la, index)
    outcome = "quarantined" if spec.severity == "error" else "loaded_with_warning"
    return [ReturnFile(path_v1, rows)], [
        Defect(
            path_v1,
            version=1,
            rule_id=spec.rule_id,
            severity=spec.severity,
            expected_outcome=outcome,
            description=description,
            item_code=item_code or None,
            **common,
        )
    ]


def render_csv(rows: Sequence[Row]) -> str:
    """A return as CSV text: header, then one line per row, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(row.as_list() for row in rows)
    return buffer.getvalue()


def render_defects_markdown(sample: Sample) -> str:
    """``SAMPLE_DEFECTS.md``: the deliberate defects and legitimate gaps, as tables."""
    lines = [
        "# Deliberate defects in the sample returns",
        "",
        f"Written by `scripts/make_sample_returns.py` (seed {sample.seed}). Every other return",
        "passes every `error` rule of the return template. `expected_outcome`: `quarantined`",
        "(an error), `loaded_with_warning`, `superseded` (a later `_v2` replaces it) or",
        "`loaded`. The same list, machine readable: `sample_defects.json`.",
        "",
        "| file | LA | period | rule | severity | expected outcome | what was done | supersedes | fixed by |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in sample.defects:
        lines.append(
            f"| `{d.file}` | {d.la_code} {d.la_name} | {d.period} | {d.rule_id} | {d.severity} | "
            f"{d.expected_outcome} | {d.description} | {_code(d.supersedes)} | {_code(d.fixed_by)} |"
        )
    lines += [
        "",
        "## Legitimate gaps (not defects)",
        "",
        "`x` = not available (on purpose, with a comment); blank = not collected.",
        "",
        "| LA | period | item | value | comment |",
        "|---|---|---|---|---|",
    ]
    for g in sample.gaps:
        shown = "(blank)" if g.value == "" else f"`{g.value}`"
        lines.append(f"| {g.la_code} | {QUARTERS[g.quarter_index].period} | {g.item_code} | {shown} | {g.comment} |")
    return "\n".join(lines) + "\n"


def _code(text: str | None) -> str:
    return f"`{text}`" if text else ""


def render_defects_json(sample: Sample) -> str:
    """``sample_defects.json``: seed, defects and gaps, sorted, stable."""
    payload = {
        "seed": sample.seed,
        "periods": [q.period for q in QUARTERS],
        "defects": [asdict(d) for d in sample.defects],
        "gaps": [
            {
                **asdict(g),
                "period": QUARTERS[g.quarter_index].period,
                "file": QUARTERS[g.quarter_index].relative_path(g.la_code),
            }
            for g in sample.gaps
        ],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"


def write_sample(sample: Sample, out_dir: Path) -> int:
    """Write every file of ``sample`` under ``out_dir``; returns the number of returns."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for return_file in sample.files:
        path = out_dir / return_file.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if return_file.raw is not None:
            path.write_bytes(return_file.raw)
        else:
            path.write_bytes(render_csv(return_file.rows).encode("utf-8"))
    (out_dir / "SAMPLE_DEFECTS.md").write_bytes(render_defects_markdown(sample).encode("utf-8"))
    (out_dir / "sample_defects.json").write_bytes(render_defects_json(sample).encode("utf-8"))
    return len(sample.files)


def existing_csvs(out_dir: Path) -> list[Path]:
    """Every ``*.csv`` under ``out_dir`` at any depth (none if it does not exist)."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")


# --- Command line --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    default_root = PROJECT_ROOT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="returns folder (default: $RIIA_RETURNS_DIR or data/returns under the repo root)",
    )
    parser.add_argument(
        "--only-if-empty",
        action="store_true",
        help="do nothing if the folder already holds any *.csv (at any depth)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--first-period",
        default=DEFAULT_FIRST_PERIOD,
        help=f"the first quarter simulated, YYYY-YY Qn (default {DEFAULT_FIRST_PERIOD})",
    )
    parser.add_argument(
        "--quarters",
        type=int,
        default=len(DEFAULT_QUARTERS),
        help=f"how many consecutive quarters to simulate (default {len(DEFAULT_QUARTERS)})",
    )
    parser.add_argument("--repo-root", type=Path, default=default_root, help="repo root holding seeds/")
    parser.add_argument(
        "--wait-for-seeds",
        type=int,
        default=0,
        metavar="SECONDS",
        help="poll this long for the seed files to appear (default: fail at once)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: write the sample (or explain why not). Returns the exit code."""
    args = parse_args(argv)
    global QUARTERS  # noqa: PLW0603 - every function of the simulation reads the module's quarters
    try:
        QUARTERS = quarters_from(args.first_period, args.quarters)
    except ValueError as exc:
        print(f"make_sample_returns: {exc}", file=sys.stderr)
        return 2
    repo_root: Path = args.repo_root.resolve()
    if args.out is not None:
        out_dir = args.out
    elif os.environ.get("RIIA_RETURNS_DIR"):
        out_dir = Path(os.environ["RIIA_RETURNS_DIR"])
    else:
        out_dir = repo_root / "data" / "returns"

    present = existing_csvs(out_dir)
    if args.only_if_empty and present:
        print(
            f"make_sample_returns: {out_dir} already holds {len(present)} CSV file(s) "
            f"(e.g. {present[0].relative_to(out_dir)}); not writing the sample."
        )
        return 0

    attempts = max(1, math.ceil(args.wait_for_seeds / POLL_SECONDS) + 1)
    try:
        reference = load_reference(repo_root, attempts, POLL_SECONDS)
    except FileNotFoundError as exc:
        print(f"make_sample_returns: {exc}", file=sys.stderr)
        return 1
    sample = build_sample(reference, args.seed)
    count = write_sample(sample, out_dir)
    print(
        f"make_sample_returns: wrote {count} return files for {len(reference.las)} LAs x "
        f"{len(QUARTERS)} quarters to {out_dir} (seed {args.seed}, {len(sample.defects)} defect records)"
    )
    ours = {out_dir / f.relative_path for f in sample.files}
    stray = [p for p in present if p not in ours]
    if stray:
        print(
            f"make_sample_returns: note: {len(stray)} CSV file(s) already in {out_dir} were left "
            f"in place and will be loaded with the sample (e.g. {stray[0].relative_to(out_dir)})",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
