"""How a figure, a status, a change and a colour are written: one vocabulary for every report.

Every missing figure says why it is missing (quarantined, not received, not collected, not
available ...): never a zero, never an empty cell that looks like data. Colours come from
colour-blind-safe palettes and are never the only carrier of meaning: each coloured cell
also says its quartile or band in words.
"""

from __future__ import annotations

import re
from typing import Any

from riia.periods import Period

# Why an indicator row has no value (`value_status`), in words a director reads.
VALUE_STATUS = {
    "not_collected": "not collected",
    "not_available": "not available (x)",
    "not_submitted": "not submitted",
    "zero_denominator": "no denominator (0)",
    "incomplete_year": "not available: needs 4 quarters of figures",
}
# Why an LA has no row at all for a quarter.
RETURN_STATUS = {
    "accepted": "Accepted",
    "accepted_with_warnings": "Accepted with warnings",
    "quarantined": "Quarantined",
    "not_received": "Not received",
    "not_shared": "Not shared with this recipient",
}
STATUS_ORDER = ("accepted", "accepted_with_warnings", "quarantined", "not_received")

# ColorBrewer Blues (sequential, colour-blind safe): quartile in England, no direction implied.
QUARTILE_COLOURS = {
    1: ("#eff3ff", "#0b0c0c"),
    2: ("#bdd7e7", "#0b0c0c"),
    3: ("#6baed6", "#0b0c0c"),
    4: ("#2171b5", "#ffffff"),
}
QUARTILE_TEXT = {1: "Q1 lowest quarter", 2: "Q2", 3: "Q3", 4: "Q4 highest quarter"}
# ColorBrewer PuOr (diverging, colour-blind safe): A-D band where the polarity is agreed, A = best.
BAND_COLOURS = {
    "A": ("#5e3c99", "#ffffff"),
    "B": ("#b2abd2", "#0b0c0c"),
    "C": ("#fdb863", "#0b0c0c"),
    "D": ("#e66101", "#0b0c0c"),
}
BAND_TEXT = {"A": "A best quarter of England", "B": "B", "C": "C", "D": "D worst quarter of England"}
NO_FIGURE_COLOUR = ("#f3f2f1", "#0b0c0c")
# Okabe-Ito (colour-blind safe) for the four trend lines, each also with its own dash and point shape.
SERIES = (
    ("LA", "#0072B2", [1, 0], "circle"),
    ("Statistical neighbours", "#E69F00", [6, 3], "square"),
    ("Region", "#009E73", [2, 2], "triangle-up"),
    ("England", "#555555", [10, 3, 2, 3], "diamond"),
)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def marking_slug(marking: str) -> str:
    """`OFFICIAL-SENSITIVE: RIIA INTERNAL AND LIMITED USE` -> `OFFICIAL-SENSITIVE-RIIA-INTERNAL-AND-LIMITED-USE`."""
    return re.sub(r"[^A-Za-z0-9]+", "-", marking).strip("-").upper()


def period_slug(period: str) -> str:
    return Period.require(period).slug


def number(value: float | None, dp: int) -> str:
    return "" if value is None else f"{value:,.{dp}f}"


def signed(value: float | None, dp: int) -> str:
    """A change with its sign: +1.5, -0.3 (a true minus sign), 0.0."""
    if value is None:
        return ""
    text = f"{abs(value):,.{dp}f}"
    if round(value, dp) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def arrow(change: float | None, dp: int) -> str:
    """Up, down or level, from the rounded change (a direction, not a judgement)."""
    if change is None:
        return ""
    if round(change, dp) == 0:
        return "\u2192"
    return "\u2191" if change > 0 else "\u2193"


def arrow_words(change: float | None, dp: int) -> str:
    if change is None:
        return "no earlier figure"
    if round(change, dp) == 0:
        return "no change"
    return "up" if change > 0 else "down"


def missing_text(row: dict[str, Any] | None, la_status: str | None = None) -> str:
    """What stands in the place of a figure: the LA's return status or the row's value status."""
    if row is None:
        return RETURN_STATUS.get(la_status or "not_shared", "no figure").lower()
    return VALUE_STATUS.get(row["value_status"], (row["value_status"] or "no figure").replace("_", " "))


def ordinal(n: int | None) -> str:
    if n is None:
        return ""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_text(rank: int | None, ranked: int | None) -> str:
    """`3rd of 19`; empty when not ranked."""
    return f"{ordinal(rank)} of {ranked}" if rank is not None and ranked else ""


def coverage(contributing: int | None, members: int | None) -> str:
    """`(9/10)`: LAs with a figure of the LAs in the group."""
    if contributing is None:
        return ""
    return f"({contributing}/{members})" if members else f"({contributing})"


def grade(row: dict[str, Any], polar: bool) -> tuple[str, str, str, tuple[str, str]]:
    """(css class, short label, words, colours) of a cell: its band (polar) or quartile (context)."""
    if polar and row.get("band_in_england"):
        band = row["band_in_england"]
        return f"band-{band}", band, f"band {BAND_TEXT[band]}", BAND_COLOURS[band]
    quartile = row.get("quartile_in_england")
    if quartile:
        return (
            f"q{quartile}",
            f"Q{quartile}",
            f"quartile {QUARTILE_TEXT[quartile]} (no direction implied)",
            QUARTILE_COLOURS[quartile],
        )
    return "none", "", "no England quartile", NO_FIGURE_COLOUR


def moved_from(row: dict[str, Any], polar: bool) -> str:
    """`from Q2` / `from B` when the quartile or band changed since last quarter, else ''."""
    if polar and row.get("band_in_england"):
        before, now = row.get("previous_band_in_england"), row["band_in_england"]
        return f"from {before}" if before and before != now else ""
    before, now = row.get("previous_quartile_in_england"), row.get("quartile_in_england")
    return f"from Q{before}" if before and now and before != now else ""
