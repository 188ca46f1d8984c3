"""The random draws of the simulation: damped counts, log-normal multipliers, AR(1) drifts.

Every draw comes from a ``random.Random`` seeded by text (``"<seed>:<la_code>:..."``), so
the sample is byte-identical from run to run and machine to machine.
"""

from __future__ import annotations

import math
import random

COUNT_DISPERSION = 0.6
"""Counting noise as a share of Poisson's standard deviation.

Pure Poisson noise makes small LAs' quarterly rates swing by more than 50% so often that
the P02 warning would fire on most returns; damping it keeps warnings rare while the
figures still move like real ones."""


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


def ar_step(state: dict[str, float], key: str, rng: random.Random, sd: float, rho: float = 0.75) -> float:
    """Advance an AR(1) log-deviation called ``key`` and return the multiplier it gives.

    (The starting deviation is drawn on every call but used only on the first; the sample's
    figures depend on that order of draws.)
    """
    state[key] = rho * state.get(key, rng.gauss(0.0, sd * 1.5)) + rng.gauss(0.0, sd)
    return math.exp(state[key])
