"""A return as rows: one per item collected that quarter, in register order.

Counts are whole numbers, FTE items have two decimals. Now and then an LA comments on a
figure that rose sharply since last quarter, as data officers do ahead of rule P02.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from riia.periods import Period
from riia.sample.reference import Item
from riia.sample.topics import Number, QuarterValues

CSV_HEADER: tuple[str, ...] = ("la_code", "period", "item_code", "value", "comment")


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


def build_rows(la_code: str, period: Period, items: Sequence[Item], values: QuarterValues) -> list[Row]:
    """The rows of one return, one per item in register order."""
    return [Row(la_code, period.label, item.code, format_value(item, values[item.code])) for item in items]


def copy_rows(rows: Iterable[Row]) -> list[Row]:
    return [Row(r.la_code, r.period, r.item_code, r.value, r.comment) for r in rows]


def find_row(rows: list[Row], item_code: str) -> Row:
    """The row for ``item_code`` (raises KeyError if absent)."""
    for row in rows:
        if row.item_code == item_code:
            return row
    raise KeyError(item_code)


def value_of(rows: list[Row], item_code: str) -> int:
    """The integer value of a count row."""
    return int(find_row(rows, item_code).value)


def figures(rows: Iterable[Row]) -> dict[str, float | None]:
    """Item code -> number (None for blank, ``x`` or anything else), first row of each item."""
    out: dict[str, float | None] = {}
    for row in rows:
        if row.item_code not in out:
            try:
                out[row.item_code] = float(row.value)
            except ValueError:
                out[row.item_code] = None
    return out


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

NOTABLE_SHARE_OF_P02 = 0.8
"""A rise is commented on when it is more than this share of the change P02 allows."""
NOTABLE_MINIMUM = 30
"""Rises from fewer than this many are not commented on."""


def add_notable_comments(
    rng: random.Random,
    rows: list[Row],
    previous: Mapping[str, Number] | None,
    values: Mapping[str, Number],
    p02_max_change_percent: float,
) -> None:
    """Comment on a sharp rise now and then (a quarter in four)."""
    if previous is None:
        return
    threshold = 1 + NOTABLE_SHARE_OF_P02 * p02_max_change_percent / 100
    present = {row.item_code for row in rows}
    for code, pool in NOTABLE_COMMENTS.items():
        before, now = previous.get(code), values.get(code)
        if before is None or now is None or before < NOTABLE_MINIMUM or code not in present:
            continue
        if now > threshold * before and rng.random() < 0.25:
            find_row(rows, code).comment = rng.choice(pool)
