"""The LA profile of one LA and quarter (SE MoU 14: "a shortened 'tartan rug' summary").

For every indicator of the recipient's output, one card: the value (or why there is none),
its change on last quarter and on the same quarter last year, the 12-month figure, its rank
in the region, among its statistical neighbours and in England with how many were ranked,
its quartile or band, an eight-quarter chart with four lines (the LA, its statistical
neighbours, its region and England, all from the recipient's own rows, on one zero-based
scale), and the warnings and the LA's comment beside the figure they explain. A quarter the
LA has no figure for is named under the chart with the reason; an LA formed by a
reorganisation inside the window says so instead of showing a drop to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from riia.periods import Period
from riia.reports import formatting as fmt
from riia.reports.charts import SERIES_NAMES, TrendChart, page_base
from riia.reports.quarter import QuarterData
from riia.reports.reference import Reorganisation
from riia.reports.source import Measure, Row


@dataclass
class Card:
    measure: Measure
    value: str
    has_value: bool
    css: str = "none"
    grade: str = ""
    grade_words: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)  # (label, text) rows of the small table
    notes: list[tuple[str, str]] = field(default_factory=list)  # (kind: warning|comment|changed|note, text)
    chart: TrendChart | None = None
    patch: dict[str, Any] | None = None  # the chart's specification over the page's base (charts.py)
    gaps: list[str] = field(default_factory=list)  # "2023-24 Q1: quarantined"


@dataclass
class Profile:
    la_code: str
    la_name: str
    region_name: str
    period: str
    status: str
    status_label: str
    source_file: str
    release: str
    provisional: bool
    reorganisation: str
    topics: list[tuple[str, list[Card]]]
    chart_base: dict[str, Any] = field(default_factory=dict)  # the specification every chart of the page shares
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, href)


def change_text(change: float | None, before: float | None, label: str, dp: int, formed: str | None = None) -> str:
    if change is None and formed and Period.require(label) < Period.require(formed):
        return f"none: formed in {formed}"
    if change is None:
        return f"no figure for {label}"
    return f"{fmt.arrow(change, dp)} {fmt.signed(change, dp)} ({fmt.arrow_words(change, dp)}; {label}: {fmt.number(before, dp)})"


def comparator_facts(row: Row, m: Measure) -> list[tuple[str, str]]:
    sn = row["neighbours_value"]
    low = " LOW COVERAGE" if row["is_neighbours_low_coverage"] else ""
    england_cov = (
        f"{row['england_contributing_las']} LAs: this region only"
        if m.is_regional_item
        else f"{row['england_contributing_las']} LAs, {fmt.number(row['england_coverage_percent'], 0)}% of children"
    )
    return [
        (
            "Statistical neighbours",
            f"{fmt.number(sn, m.dp)} {fmt.coverage(row['neighbours_contributing_las'], row['neighbours_member_las'])}{low}"
            if sn is not None
            else "no figure",
        ),
        (
            "Region",
            f"{fmt.number(row['region_value'], m.dp)} {fmt.coverage(row['region_contributing_las'], row['region_member_las'])}"
            if row["region_value"] is not None
            else "no figure",
        ),
        (
            "England",
            f"{fmt.number(row['england_value'], m.dp)} ({england_cov})"
            if row["england_value"] is not None
            else "no figure",
        ),
    ]


def rank_facts(row: Row) -> list[tuple[str, str]]:
    return [
        ("Rank in region", fmt.rank_text(row["rank_in_region"], row["las_ranked_in_region"]) or "not ranked"),
        (
            "Rank among neighbours",
            fmt.rank_text(row["rank_among_neighbours"], row["las_ranked_among_neighbours"]) or "not ranked",
        ),
        ("Rank in England", fmt.rank_text(row["rank_in_england"], row["las_ranked_in_england"]) or "not ranked"),
    ]


def trend(q: QuarterData, la_code: str, la_name: str, m: Measure, formed: str | None) -> tuple[TrendChart, list[str]]:
    """The four lines over the window, and the quarters the LA has no figure for (with why);
    quarters before the LA was formed (`formed`) are said once, in the page's note."""
    first = Period.require(formed).index if formed else -1
    series: dict[str, list[float | None]] = {name: [] for name in SERIES_NAMES}
    gaps = []
    for period in q.window:
        own = q.row(la_code, m, period)
        any_row = q.comparator(m, period)
        series[SERIES_NAMES[0]].append(own["value"] if own else None)
        series[SERIES_NAMES[1]].append(own["neighbours_value"] if own else None)
        series[SERIES_NAMES[2]].append(any_row["region_value"] if any_row else None)
        series[SERIES_NAMES[3]].append(any_row["england_value"] if any_row else None)
        if (own is None or own["value"] is None) and Period.require(period).index >= first:
            gaps.append(f"{period}: {fmt.missing_text(own) if own else q.absence(la_code, period)}")
    names = dict(zip(SERIES_NAMES, [la_name, "Statistical neighbours", q.region_name, "England"], strict=True))
    description = (
        f"Line chart of {m.name} ({m.unit_label}) over {len(q.window)} quarters, {q.window[0]} to {q.window[-1]}: "
        f"{names['LA']}, its statistical neighbours, {q.region_name} and England."
    )
    chart = TrendChart(m.name, m.unit_label, q.window, series, m.dp, description, list(names.values()))
    return chart, gaps


def card(q: QuarterData, la_code: str, la_name: str, m: Measure, formed: str | None = None) -> Card:
    row = q.row(la_code, m)
    chart, gaps = trend(q, la_code, la_name, m, formed)
    if row is None or row["value"] is None:
        text = fmt.missing_text(row) if row is not None else q.absence(la_code, q.period)
        made = Card(m, text, False, chart=chart, gaps=gaps)
        if row is not None:
            made.facts = comparator_facts(row, m)
    else:
        css, grade, words, _ = fmt.grade(row, m.is_polar)
        made = Card(m, fmt.number(row["value"], m.dp), True, css, grade, words, chart=chart, gaps=gaps)
        period = Period.require(q.period)
        made.facts = [
            (
                "On last quarter",
                change_text(
                    row["change_on_previous_quarter"],
                    row["previous_quarter_value"],
                    period.shift(-1).label,
                    m.dp,
                    formed,
                ),
            ),
            (
                "On a year ago",
                change_text(
                    row["change_on_same_quarter_last_year"],
                    row["same_quarter_last_year_value"],
                    period.shift(-4).label,
                    m.dp,
                    formed,
                ),
            ),
        ]
        moved = fmt.moved_from(row, m.is_polar)
        if moved:
            made.facts.append(("Band" if m.is_polar else "Quartile", f"{grade} ({moved})"))
        if m.is_polar and row["quartile_in_england"]:
            made.facts.append(("Quartile in England", f"Q{row['quartile_in_england']} (1 = lowest figures)"))
        made.facts += rank_facts(row) + comparator_facts(row, m)
    twelve = q.catalogue.twelve_month(m)
    if twelve is not None:
        row12 = q.row(la_code, twelve)
        made.facts.insert(
            2 if made.has_value else 0,
            (
                "12 months",
                (
                    f"{fmt.number(row12['value'], twelve.dp)} {twelve.unit_label}"
                    if row12["value"] is not None
                    else fmt.missing_text(row12)
                )
                if row12
                else "no figure",
            ),
        )
    if row is not None:
        if row.get("warning_rule_ids"):
            made.notes.append(
                (
                    "warning",
                    f"Validation warning {row['warning_rule_ids']}: check the figure (see the validation report).",
                )
            )
        if row.get("la_comment"):
            made.notes.append(("comment", row["la_comment"]))
        if row.get("is_changed_since_release"):
            made.notes.append(
                ("changed", "Changed since the quarter was released: other audiences still hold the released figure.")
            )
    if m.is_regional_item:
        made.notes.append(
            ("note", "Collected by this region only: 'England' and the England rank are the region's own LAs.")
        )
    made.patch = chart.patch()
    return made


def reorganisation_note(q: QuarterData, la_name: str, reorganisation: Reorganisation | None) -> str:
    """'Cumberland was formed in April 2023 ...' when the LA was formed inside the window."""
    if reorganisation is None or reorganisation.first_period not in q.window[1:]:
        return ""
    note = reorganisation.note[:1].lower() + reorganisation.note[1:]
    return (
        f"{la_name} was {note} Its figures, and its statistical neighbours' line, start in "
        f"{reorganisation.first_period}: earlier quarters belonged to the authority it replaced (a new start, not a drop to nothing)."
    )


def build_profile(
    q: QuarterData, la_code: str, status_label: str, reorganisation: Reorganisation | None = None
) -> Profile:
    la_name = q.las[la_code]
    note = reorganisation_note(q, la_name, reorganisation)
    formed = reorganisation.first_period if reorganisation else None
    cards = [card(q, la_code, la_name, m, formed) for m in q.headlines]
    returned = q.returns.get((la_code, q.period)) or {}
    release = q.release
    return Profile(
        la_code=la_code,
        la_name=la_name,
        region_name=q.region_name,
        period=q.period,
        status=q.la_status(la_code),
        status_label=status_label,
        source_file=returned.get("source_file") or "",
        release=(
            f"released on {release['released_on']:%d %B %Y} ({release['release_id']})" if release else "not released"
        ),
        provisional=q.is_provisional,
        reorganisation=note,
        chart_base=page_base(tuple(q.window), (la_name, "Statistical neighbours", q.region_name, "England")),
        topics=[(topic, list(group)) for topic, group in groupby(cards, key=lambda c: c.measure.topic)],
    )
