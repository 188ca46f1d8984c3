"""The tartan rug of one region and quarter: one row per LA, one column per indicator.

Each column is an indicator's headline measure, grouped by topic under its plain unit label.
A cell is coloured by its A-D band in England where the indicator's polarity is agreed
(A = best) and by its quartile in England otherwise (a neutral scale: no direction implied),
and says so in letters too. It shows the change since last quarter (an arrow and the
quartile or band it moved from), the statistical neighbours' value with their coverage
(`SN 630.0 (9/10)`, low coverage flagged), the LA's comment as a marker (its text on hover)
and validation warnings. An LA whose return is quarantined or not received is one row that
says so, never numbers or a blank gap; a figure that is not collected or not available says
that in its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from riia.periods import return_file_name
from riia.reports import formatting as fmt
from riia.reports.names import Names, relative
from riia.reports.quarter import QuarterData
from riia.reports.reference import Preset
from riia.reports.source import Measure, Row


@dataclass
class Cell:
    text: str
    has_value: bool = False
    css: str = "missing"
    grade: str = ""
    arrow: str = ""
    change: str = ""
    moved: str = ""
    sn: str = ""
    sn_low: bool = False
    comment: str = ""
    warnings: str = ""
    changed_since_release: bool = False
    title: str = ""


@dataclass
class LaRow:
    la_code: str
    la_name: str
    status: str
    status_label: str
    profile_href: str
    cells: list[Cell] = field(default_factory=list)
    out: str = ""  # the sentence that replaces the row's cells (quarantined, not received, not shared)


@dataclass
class ComparatorRow:
    label: str
    cells: list[Cell]


@dataclass
class Rug:
    region_code: str
    region_name: str
    period: str
    columns: list[Measure]
    topics: list[tuple[str, int]]
    rows: list[LaRow]
    comparators: list[ComparatorRow]
    provisional: bool
    release: str
    changed: list[str]  # "<LA>: <indicator>" changed since release
    views: list[tuple[str, str, bool]]  # (label, href, is this page)
    preset: Preset | None
    xlsx_href: str
    validation_href: str


def topics_of(columns: list[Measure]) -> list[tuple[str, int]]:
    return [(topic, len(list(group))) for topic, group in groupby(columns, key=lambda m: m.topic)]


def la_cell(la_name: str, row: Row | None, m: Measure) -> Cell:
    if row is None:
        return Cell(text="no figure", title=f"{la_name}: {m.name}: no figure in this recipient's data.")
    if row["value"] is None:
        text = fmt.missing_text(row)
        return Cell(text=text, title=f"{la_name}: {m.name}: {text}.")
    css, grade, grade_words, _ = fmt.grade(row, m.is_polar)
    change = row["change_on_previous_quarter"]
    sn_value = row["neighbours_value"]
    sn = (
        f"SN {fmt.number(sn_value, m.dp)} {fmt.coverage(row['neighbours_contributing_las'], row['neighbours_member_las'])}"
        if sn_value is not None
        else "SN no figure"
    )
    value = fmt.number(row["value"], m.dp)
    moved = fmt.moved_from(row, m.is_polar)
    parts = [
        f"{la_name}: {m.name} {value} ({m.unit_label}).",
        f"England: {grade_words}, {fmt.rank_text(row['rank_in_england'], row['las_ranked_in_england'])} (1st = highest)."
        if row["rank_in_england"]
        else "Not ranked in England.",
        f"{fmt.rank_text(row['rank_in_region'], row['las_ranked_in_region'])} in the region; "
        f"{fmt.rank_text(row['rank_among_neighbours'], row['las_ranked_among_neighbours']) or 'not ranked'} among its "
        "statistical neighbours.",
        f"Last quarter {fmt.number(row['previous_quarter_value'], m.dp)}: {fmt.arrow_words(change, m.dp)}"
        f" {fmt.signed(change, m.dp)}{'; ' + moved if moved else ''}."
        if change is not None
        else "No figure last quarter.",
        f"Statistical neighbours {fmt.number(sn_value, m.dp)} from {row['neighbours_contributing_las']} of "
        f"{row['neighbours_member_las']} neighbours"
        + (" (LOW COVERAGE)." if row["is_neighbours_low_coverage"] else ".")
        if sn_value is not None
        else "No statistical-neighbour figure.",
    ]
    if row.get("warning_rule_ids"):
        parts.append(f"Validation warnings: {row['warning_rule_ids']}.")
    if row.get("la_comment"):
        parts.append(f"LA comment: {row['la_comment']}")
    if row.get("is_changed_since_release"):
        parts.append("Changed since the quarter was released.")
    return Cell(
        text=value,
        has_value=True,
        css=css,
        grade=grade,
        arrow=fmt.arrow(change, m.dp),
        change=fmt.signed(change, m.dp),
        moved=moved,
        sn=sn,
        sn_low=bool(row["is_neighbours_low_coverage"]),
        comment=row.get("la_comment") or "",
        warnings=row.get("warning_rule_ids") or "",
        changed_since_release=bool(row.get("is_changed_since_release")),
        title=" ".join(parts),
    )


def out_sentence(q: QuarterData, la_code: str, status: str) -> str:
    returned = q.returns.get((la_code, q.period)) or {}
    if status == "quarantined":
        resend = return_file_name(la_code, q.period, int(returned.get("file_version") or 1) + 1)
        return (
            f"QUARANTINED: the return failed {returned.get('error_rule_ids') or 'a check'}; none of its figures is "
            f"used until a corrected version ({resend}) is accepted."
        )
    if status == "not_received":
        overdue = returned.get("days_overdue")
        late = f", {overdue} days past the deadline" if returned.get("is_overdue") else ""
        return f"NOT RECEIVED: no return for {q.period}{late}."
    return f"NOT SHARED: {q.absence(la_code, q.period)}."


def comparator_rows(q: QuarterData, columns: list[Measure]) -> list[ComparatorRow]:
    region, england = [], []
    for m in columns:
        row = q.comparator(m)
        if row is None or row["region_value"] is None:
            region.append(Cell(text="no figure"))
        else:
            low = bool(row["is_region_low_coverage"])
            cov = fmt.coverage(row["region_contributing_las"], row["region_member_las"])
            region.append(
                Cell(
                    text=fmt.number(row["region_value"], m.dp),
                    has_value=True,
                    css="",
                    sn=f"{cov} LAs",
                    sn_low=low,
                    title=f"{q.region_name}: {m.name} {fmt.number(row['region_value'], m.dp)} from {cov} LAs"
                    + (" (LOW COVERAGE)" if low else ""),
                )
            )
        if row is None or row["england_value"] is None:
            england.append(Cell(text="no figure"))
        else:
            only_region = m.is_regional_item
            cov = (
                f"({row['england_contributing_las']} LAs: this region only)"
                if only_region
                else f"({row['england_contributing_las']} LAs, {fmt.number(row['england_coverage_percent'], 0)}% of children)"
            )
            england.append(
                Cell(
                    text=fmt.number(row["england_value"], m.dp),
                    has_value=True,
                    css="",
                    sn=cov,
                    title=f"England: {m.name} {fmt.number(row['england_value'], m.dp)} {cov}",
                )
            )
    return [ComparatorRow(f"{q.region_name} (region)", region), ComparatorRow("England", england)]


def build_rug(q: QuarterData, names: Names, presets: tuple[Preset, ...], preset: Preset | None = None) -> Rug:
    columns = [m for m in q.headlines if preset is None or m.indicator_code in preset.indicator_codes]
    page = names.rug(q.period, preset.slug if preset else "")
    rows, changed = [], []
    for la_code, la_name in q.las.items():
        status = q.la_status(la_code)
        row = LaRow(
            la_code,
            la_name,
            status,
            fmt.RETURN_STATUS[status],
            relative(page, names.profile(q.period, la_code, la_name)),
        )
        if (la_code, q.period) not in q.la_periods:
            row.out = out_sentence(q, la_code, status)
        else:
            for m in columns:
                cell = la_cell(la_name, q.row(la_code, m), m)
                row.cells.append(cell)
                if cell.changed_since_release:
                    changed.append(f"{la_name}: {m.name}")
        rows.append(row)
    release = q.release
    views = [("All indicators", relative(page, names.rug(q.period)), preset is None)] + [
        (
            f"{p.label} ({sum(m.indicator_code in p.indicator_codes for m in q.headlines)} indicators)",
            relative(page, names.rug(q.period, p.slug)),
            preset == p,
        )
        for p in presets
    ]
    return Rug(
        region_code=q.region_code,
        region_name=q.region_name,
        period=q.period,
        columns=columns,
        topics=topics_of(columns),
        rows=rows,
        comparators=comparator_rows(q, columns),
        provisional=q.is_provisional,
        release=(f"Released on {release['released_on']:%d %B %Y} ({release['release_id']})." if release else ""),
        changed=changed,
        views=views,
        preset=preset,
        xlsx_href=relative(page, names.rug(q.period, ext="xlsx")),
        validation_href=relative(page, names.validation(q.period)),
    )
