"""One region's figures for one quarter and the seven before it, as a recipient holds them.

A tartan rug and the LA profiles of a region and quarter are all drawn from one
`QuarterData`, read once from the recipient's file (`RecipientData.window`). Comparators
are taken from the recipient's own rows: the region's and England's values are the same on
every LA row of a quarter, the statistical neighbours' value is on the LA's own row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from riia.periods import Period
from riia.reports import reference
from riia.reports.source import Catalogue, Measure, RecipientData, Row, quarter_window

Key = tuple[str, str, str, str]  # la_code, indicator_code, measure, period


@dataclass
class QuarterData:
    region_code: str
    region_name: str
    period: str
    window: list[str]
    catalogue: Catalogue
    rows: dict[Key, Row]
    comparators: dict[tuple[str, str, str], Row]  # (indicator_code, measure, period) -> a row carrying them
    las: dict[str, str]  # la_code -> la_name, by name
    returns: dict[tuple[str, str], Row]  # (la_code, period) -> returns row (regions only)
    withheld_periods: dict[str, str] = field(default_factory=dict)  # period -> why the recipient has no figures
    headlines: list[Measure] = field(default_factory=list)
    la_periods: set[tuple[str, str]] = field(default_factory=set)  # (la_code, period) with any row

    def row(self, la_code: str, measure: Measure, period: str | None = None) -> Row | None:
        return self.rows.get((la_code, measure.indicator_code, measure.measure, period or self.period))

    def comparator(self, measure: Measure, period: str | None = None) -> Row | None:
        return self.comparators.get((measure.indicator_code, measure.measure, period or self.period))

    def la_status(self, la_code: str, period: str | None = None) -> str:
        """accepted / accepted_with_warnings / quarantined / not_received, or not_shared when the
        recipient holds no return status (DfE) or holds the status but no figure (an LA exception)."""
        period = period or self.period
        returned = self.returns.get((la_code, period))
        has_rows = (la_code, period) in self.la_periods
        if returned is None:
            return "accepted" if has_rows else "not_shared"
        status = returned["return_status"]
        if status in ("accepted", "accepted_with_warnings") and not has_rows:
            return "not_shared"
        return status

    def absence(self, la_code: str, period: str) -> str:
        """Why the LA has no figure in `period`, in words."""
        formed = reference.reorganisations().get(la_code)
        if formed and Period.require(period) < Period.require(formed.first_period):
            return f"before the authority was formed ({formed.first_period})"
        status = self.la_status(la_code, period)
        if status == "not_shared" and period in self.withheld_periods:
            return self.withheld_periods[period]
        if status == "not_shared":
            return "not in this recipient's data"
        return {"quarantined": "quarantined", "not_received": "not received"}.get(status, "no figure")

    @cached_property
    def is_provisional(self) -> bool:
        return any(r["is_provisional"] for k, r in self.rows.items() if k[3] == self.period)

    @cached_property
    def release(self) -> Row | None:
        return next((r for k, r in self.rows.items() if k[3] == self.period and r.get("release_id")), None)

    def la_inputs(self, la_code: str) -> list[Any]:
        """Everything of the window that a profile of `la_code` shows, for its content hash."""
        own = [r for k, r in sorted(self.rows.items()) if k[0] == la_code]
        comparators = [
            (k, r["region_value"], r["region_contributing_las"], r["england_value"], r["england_contributing_las"])
            for k, r in sorted(self.comparators.items())
        ]
        statuses = [r for k, r in sorted(self.returns.items()) if k[0] == la_code]
        return [own, comparators, statuses, self.withheld_periods]

    def inputs(self) -> list[Any]:
        """Everything of the window a rug shows, for its content hash."""
        return [sorted(self.rows.items()), sorted(self.returns.items()), self.withheld_periods]


def load_quarter(
    data: RecipientData,
    catalogue: Catalogue,
    region_code: str,
    period: str,
    ended: dict[str, str] | None = None,
) -> QuarterData:
    """Read the window of one region and quarter from the recipient's file. The LAs of the
    quarter: those with a return status or a figure in the window, less those that no longer
    existed (`ended`: LA code -> its last quarter, from a reorganisation)."""
    window = quarter_window(period)
    current = Period.require(period)
    rows: dict[Key, Row] = {}
    comparators: dict[tuple[str, str, str], Row] = {}
    las: dict[str, str] = {}
    region_name = region_code
    for r in data.window(period, region_code):
        rows[(r["la_code"], r["indicator_code"], r["measure"], r["period"])] = r
        comparators.setdefault((r["indicator_code"], r["measure"], r["period"]), r)
        las.setdefault(r["la_code"], r["la_name"])
        region_name = r["region_name"] or region_name
    returns: dict[tuple[str, str], Row] = {}
    for r in data.returns():
        if r["region_code"] == region_code and r["period"] in window:
            returns[(r["la_code"], r["period"])] = r
            if r["period"] == period:
                las.setdefault(r["la_code"], r["la_name"])
    withheld = data.withheld_quarters(region_code, window)
    ended = ended or {}
    las = {la: name for la, name in las.items() if la not in ended or Period.require(ended[la]) >= current}
    present = {(k[1], k[2]) for k in rows}
    held = {k[3] for k in rows}
    window = window[min((window.index(p) for p in held), default=len(window) - 1) :]  # from the first quarter held
    headlines = [m for m in catalogue.headlines() if (m.indicator_code, m.measure) in present]
    return QuarterData(
        region_code=region_code,
        region_name=region_name,
        period=period,
        window=window,
        catalogue=catalogue,
        rows=rows,
        comparators=comparators,
        las=dict(sorted(las.items(), key=lambda item: (item[1], item[0]))),
        returns=returns,
        withheld_periods=dict(withheld),
        headlines=headlines,
        la_periods={(k[0], k[3]) for k in rows},
    )
