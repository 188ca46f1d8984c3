"""The returns tracker: which returns are in, accepted, quarantined, or not received past
the deadline (the chase list, with days overdue), per region and quarter.

Read from the published warehouse's `marts.fct_returns_tracker` (one row per LA of a quarter,
from the first quarter received to the latest that has ended, deadline and days overdue
computed there) and `reference.ref_regions`; shared by the hub index page and `riia status`.
Quarters after the last return received are in the tracker, so they are listed, not skipped.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from riia.periods import Period
from riia.safe_text import spreadsheet_safe

STATUSES = ("accepted", "accepted_with_warnings", "quarantined", "not_received")


@dataclass
class RegionQuarter:
    """One region's returns for one quarter."""

    region_code: str
    region_name: str
    period: str
    deadline: date | None
    las: int = 0
    accepted: int = 0
    accepted_with_warnings: int = 0
    quarantined: int = 0
    not_received: int = 0
    overdue: int = 0  # not received and past the deadline

    @property
    def received(self) -> int:
        return self.accepted + self.accepted_with_warnings + self.quarantined

    @property
    def not_yet_due(self) -> int:
        return self.not_received - self.overdue


@dataclass(frozen=True)
class Chase:
    """A return not received by its deadline."""

    region_code: str
    region_name: str
    la_code: str
    la_name: str
    period: str
    deadline: date
    days_overdue: int


@dataclass
class Tracker:
    latest_period: str | None  # "this quarter": the latest quarter that has ended
    periods: list[str]  # newest first
    quarters: list[RegionQuarter] = field(default_factory=list)
    chase: list[Chase] = field(default_factory=list)

    def of(self, period: str) -> list[RegionQuarter]:
        return [q for q in self.quarters if q.period == period]

    def chase_of(self, period: str) -> list[Chase]:
        return [c for c in self.chase if c.period == period]

    def total(self, period: str) -> RegionQuarter:
        total = RegionQuarter("", "All regions", period, None)
        for q in self.of(period):
            for name in ("las", *STATUSES, "overdue"):
                setattr(total, name, getattr(total, name) + getattr(q, name))
            total.deadline = total.deadline or q.deadline
        return total


def read(con: duckdb.DuckDBPyConnection, period: str | None = None, region: str | None = None) -> Tracker:
    """The tracker from an open warehouse; `region` is a region code or name (any case)."""
    rows = con.execute(
        """
        select t.region_code, coalesce(r.region_name, t.region_code, 'No region') as region_name, t.la_code, t.la_name,
            t.period, t.deadline_date, t.tracker_status, t.is_overdue, t.days_overdue
        from marts.fct_returns_tracker as t
        left join reference.ref_regions as r on t.region_code = r.region_code
        where (? is null or t.period = ?)
            and (? is null or lower(t.region_code) = lower(?) or lower(r.region_name) = lower(?))
        """,
        [period, period, region, region, region],
    ).fetchall()
    quarters: dict[tuple[str, str], RegionQuarter] = {}
    chase = []
    for region_code, region_name, la_code, la_name, row_period, deadline, status, is_overdue, days in rows:
        key = (row_period, region_code or "")
        q = quarters.setdefault(key, RegionQuarter(region_code or "", region_name, row_period, deadline))
        q.las += 1
        setattr(q, status, getattr(q, status) + 1)
        if status == "not_received" and is_overdue:
            q.overdue += 1
            chase.append(
                Chase(region_code or "", region_name, la_code, la_name or la_code, row_period, deadline, int(days))
            )
    periods = sorted({q.period for q in quarters.values()}, key=lambda p: Period.require(p).index, reverse=True)
    order = {p: i for i, p in enumerate(periods)}
    return Tracker(
        latest_period=periods[0] if periods else None,
        periods=periods,
        quarters=sorted(quarters.values(), key=lambda q: (order[q.period], q.region_name)),
        chase=sorted(chase, key=lambda c: (order[c.period], -c.days_overdue, c.region_name, c.la_name)),
    )


def read_warehouse(warehouse: Path, period: str | None = None, region: str | None = None) -> Tracker:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return read(con, period, region)


def summary_row(q: RegionQuarter) -> dict[str, Any]:
    return {
        "period": q.period,
        "region_code": q.region_code,
        "region_name": q.region_name,
        "deadline": q.deadline.isoformat() if q.deadline else "",
        "las": q.las,
        "received": q.received,
        "accepted": q.accepted,
        "accepted_with_warnings": q.accepted_with_warnings,
        "quarantined": q.quarantined,
        "not_received_past_deadline": q.overdue,
        "not_received_not_yet_due": q.not_yet_due,
    }


def render_text(tracker: Tracker, all_periods: bool = False) -> str:
    """The tracker for a terminal: this quarter's table and chase list, then earlier quarters' totals."""
    if tracker.latest_period is None:
        return "No quarter in the returns tracker (no return received yet).\n"
    out = io.StringIO()
    shown = tracker.periods if all_periods else tracker.periods[:1]
    for period in shown:
        total = tracker.total(period)
        deadline = f", deadline {total.deadline:%d %b %Y}" if total.deadline else ""
        out.write(f"Returns for {period}{deadline}\n")
        out.write(
            f"  {'Region':<26}{'LAs':>5}{'Received':>10}{'Accepted':>10}{'Warnings':>10}{'Quarantined':>13}{'Overdue':>9}\n"
        )
        for q in [*tracker.of(period), total]:
            out.write(
                f"  {q.region_name[:25]:<26}{q.las:>5}{q.received:>10}{q.accepted:>10}{q.accepted_with_warnings:>10}"
                f"{q.quarantined:>13}{q.overdue:>9}\n"
            )
        chase = tracker.chase_of(period)
        out.write(
            f"  Chase list ({len(chase)} not received past the deadline):\n"
            if chase
            else "  Chase list: nothing past the deadline.\n"
        )
        for c in chase:
            out.write(f"    {c.la_code} {c.la_name[:30]:<31}{c.region_name[:25]:<26}{c.days_overdue:>5} days overdue\n")
        out.write("\n")
    earlier = [p for p in tracker.periods if p not in shown]
    if earlier:
        out.write("Earlier quarters (all regions): received / LAs, quarantined, overdue\n")
        for period in earlier:
            t = tracker.total(period)
            out.write(
                f"  {period}  {t.received:>4} / {t.las:<4} {t.quarantined:>3} quarantined {t.overdue:>4} overdue\n"
            )
    return out.getvalue()


def render_csv(tracker: Tracker) -> str:
    """One row per region and quarter (record=summary), then one per LA to chase (record=chase)."""
    out = io.StringIO()
    fields = ["record", *summary_row(RegionQuarter("", "", "2000-01 Q1", None)), "la_code", "la_name", "days_overdue"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", restval="")
    writer.writeheader()
    rows = [{"record": "summary", **summary_row(q)} for q in tracker.quarters] + [
        {
            "record": "chase",
            "period": c.period,
            "region_code": c.region_code,
            "region_name": c.region_name,
            "deadline": c.deadline.isoformat(),
            "la_code": c.la_code,
            "la_name": c.la_name,
            "days_overdue": c.days_overdue,
        }
        for c in tracker.chase
    ]
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


def render_json(tracker: Tracker) -> str:
    return (
        json.dumps(
            {
                "latest_period": tracker.latest_period,
                "periods": tracker.periods,
                "summary": [summary_row(q) for q in tracker.quarters],
                "chase": [asdict(c) | {"deadline": c.deadline.isoformat()} for c in tracker.chase],
            },
            indent=2,
        )
        + "\n"
    )
