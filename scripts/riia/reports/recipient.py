"""Every report one recipient may read, rendered from its own DuckDB file into its folder.

Which reports a recipient gets is data: each agreement it receives under names them in its
`reports` column (`tartan_rug la_profile validation` for a region's own agreement,
`la_profile` for the SE's agreement with DfE), for that agreement's region. A recipient whose
agreements name no report (D2I, ADCS) gets no reports folder.

Planning happens here, one recipient per worker process (riia.workers): per region and
quarter, one hash of the window's rows (computed by DuckDB), the returns' statuses and the
reference facts a report uses give each report its content hash; a report whose hash is the
previous publication's is copied (cache.py). The quarters with something left to render, of
every recipient, become jobs (render.py), run in the worker processes together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from riia import workers
from riia.periods import Period
from riia.reports import charts, pages, reference
from riia.reports.cache import ReportCache, Written, content_hash
from riia.reports.formatting import RETURN_STATUS, STATUS_ORDER
from riia.reports.names import ASSETS, Names, relative, report_key
from riia.reports.render import Job, frame_of, run_jobs
from riia.reports.source import Handling, RecipientData, by_period, quarter_window
from riia.reports.validation import build_validation, csv_rows, write_csv

KINDS = ("tartan_rug", "la_profile", "validation")


def report_kinds(agreements: list[dict]) -> dict[str, set[str]]:
    """Region code -> the reports its agreements with this recipient describe."""
    kinds: dict[str, set[str]] = {}
    for agreement in agreements:
        named = {k for k in (agreement.get("reports") or "").split() if k in KINDS}
        if named and agreement.get("region_code"):
            kinds.setdefault(agreement["region_code"], set()).update(named)
    return kinds


@dataclass
class Quarter:
    """What the folder's index lists for one region and quarter."""

    region_name: str
    period: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, page)
    profiles: list[tuple[str, str, str]] = field(default_factory=list)  # (LA name, LA code, page)
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0


@dataclass
class Pending:
    """Reports of a quarter left to render, with their hashes."""

    region_code: str
    period: str
    rug: bool = False
    workbook: bool = False
    profiles: list[tuple[str, str]] = field(default_factory=list)  # (la_code, page)
    reports: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # key -> (kind, digest, subject)

    def job(self, database: Path, out: Path) -> Job:
        return Job(database, out, self.region_code, self.period, self.rug, self.workbook, tuple(self.profiles))


class RecipientReports:
    """The reports folder of one recipient being written."""

    def __init__(self, data: RecipientData, database: Path, out: Path, previous: Path | None) -> None:
        self.data: RecipientData | None = data  # while planning; None once planned
        self.database = database
        self.out = out
        self.handling: Handling = data.handling()
        self.names = Names(self.handling.marking, self.handling.is_sample)
        self.frame = frame_of(data, self.handling)
        self.cache = ReportCache(out, previous)
        self.written: list[Written] = []
        self.pending: list[Pending] = []
        self.index: list[Quarter] = []

    def base_hash(self, *parts: object) -> str:
        """A hash of a report's inputs. The build and the as-of date are not in it: a page copied
        unchanged says which build rendered it."""
        h = self.handling
        return content_hash(h.recipient_id, h.marking, h.is_sample, *parts)

    def reused(self, kind: str, key: str, digest: str, pending: Pending, subject: str) -> bool:
        """Copy the report if its hash is unchanged (True); else leave it to the quarter's job."""
        files = self.cache.reuse(key, digest)
        if files is not None:
            self.written.append(Written(kind, key, tuple(files), False, pending.period, subject))
            return True
        pending.reports[key] = (kind, digest, subject)
        return False

    def region(self, region_code: str, kinds: set[str]) -> None:
        region_name = self.data.region_name(region_code)
        figure_periods = self.data.indicator_periods(region_code) if kinds & {"tartan_rug", "la_profile"} else []
        return_periods = self.data.return_periods() if "validation" in kinds else []
        for period in by_period(figure_periods + return_periods):
            entry = Quarter(region_name, period)
            if period in figure_periods:
                self.quarter(region_code, period, kinds, entry)
            if period in return_periods:
                self.validation(
                    region_code, region_name, period, entry, "tartan_rug" in kinds and period in figure_periods
                )
            self.index.append(entry)

    def quarter(self, region_code: str, period: str, kinds: set[str], entry: Quarter) -> None:
        window = quarter_window(period)
        statuses = [self.data.returns_digest(p, region_code) for p in window]
        withheld = self.data.withheld_quarters(region_code, window)
        base = self.base_hash(self.data.window_digest(period, region_code), statuses, sorted(withheld.items()))
        pending = Pending(region_code, period)
        if "tartan_rug" in kinds:
            presets = reference.presets(region_code)
            digest = content_hash(base, "rug", [(p.item_set, sorted(p.indicator_codes)) for p in presets])
            pending.rug = not self.reused("tartan_rug", report_key("tartan_rug", period), digest, pending, region_code)
            entry.links.append(("Tartan rug", self.names.rug(period)))
            entry.links += [(f"Tartan rug: {p.label}", self.names.rug(period, p.slug)) for p in presets]
            entry.links.append(("Tartan rug (XLSX)", self.names.rug(period, ext="xlsx")))
        if "la_profile" in kinds:
            for la_code, la_name in self.profile_las(region_code, period).items():
                name = self.names.profile(period, la_code, la_name)
                digest = content_hash(base, "profile", la_code, reference.reorganisations().get(la_code))
                if not self.reused("la_profile", report_key("la_profile", period, la_code), digest, pending, la_code):
                    pending.profiles.append((la_code, name))
                entry.profiles.append((la_name, la_code, name))
            key, digest = report_key("la_profile_workbook", period), content_hash(base, "workbook")
            pending.workbook = not self.reused("la_profile_workbook", key, digest, pending, region_code)
            entry.links.append(("LA profiles (XLSX, a sheet per LA)", self.names.profile_workbook(period)))
        if pending.reports:
            self.pending.append(pending)

    def profile_las(self, region_code: str, period: str) -> dict[str, str | None]:
        """The LAs of the region in the quarter: the returns tracker's, else those with figures in the
        window, less any replaced by a reorganisation before the quarter."""
        returned = {r["la_code"]: r["la_name"] for r in self.data.returns(period) if r["region_code"] == region_code}
        if returned:
            return dict(sorted(returned.items(), key=lambda item: (item[1], item[0])))
        current, ended = Period.require(period), reference.abolished()
        return {
            la: name
            for la, name in self.data.window_las(period, region_code).items()
            if la not in ended or Period.require(ended[la]) >= current
        }

    def validation(self, region_code: str, region_name: str, period: str, entry: Quarter, has_rug: bool) -> None:
        returns = [r for r in self.data.returns(period) if r["region_code"] == region_code]
        findings = self.data.findings(period)
        entry.counts = {s: sum(r["return_status"] == s for r in returns) for s in STATUS_ORDER}
        entry.overdue = sum(bool(r["is_overdue"]) for r in returns)
        html, csv = self.names.validation(period), self.names.validation(period, "csv")

        def render() -> list[Path]:
            report = build_validation(region_code, region_name, period, returns, findings)
            page = pages.write_text(
                self.out / html,
                pages.render(
                    "validation.html.j2",
                    self.frame,
                    1,
                    title=f"Validation report: {region_name}, {period}",
                    report=report,
                    statuses=[(s, RETURN_STATUS[s]) for s in STATUS_ORDER],
                    csv_href=relative(html, csv),
                    rug_href=relative(html, self.names.rug(period)) if has_rug else "",
                ),
            )
            return [page, write_csv(self.out / csv, csv_rows(report, self.handling.marking, self.handling.is_sample))]

        digest = self.base_hash("validation", returns, findings, has_rug)
        key = report_key("validation", period)
        self.written.append(self.cache.produce("validation", key, digest, render, period, region_code))
        entry.links += [("Validation report", html), ("Validation report (CSV)", csv)]

    def record_rendered(self, pending: Pending, result: list[tuple[str, list[str]]]) -> None:
        """What a job rendered for one of this folder's quarters, into its manifest."""
        for key, names in result:
            kind, digest, subject = pending.reports[key]
            files = [self.out / name for name in names]
            self.cache.record(key, digest, files)
            self.written.append(Written(kind, key, tuple(files), True, pending.period, subject))

    def assets(self) -> None:
        if any(w.kind == "la_profile" for w in self.written):
            digest = content_hash("assets", charts.asset_version())
            self.written.append(
                self.cache.produce("assets", "assets", digest, lambda: charts.write_assets(self.out / ASSETS))
            )

    def index_page(self) -> None:
        order = {p: i for i, p in enumerate(by_period(q.period for q in self.index))}
        quarters = sorted(self.index, key=lambda q: (-order[q.period], q.region_name))
        html = pages.render(
            "recipient_index.html.j2",
            self.frame,
            0,
            title=f"Reports for the {self.frame.recipient}",
            quarters=quarters,
            statuses=[(s, RETURN_STATUS[s]) for s in STATUS_ORDER],
            has_counts=any(q.counts for q in quarters),
        )
        self.written.append(Written("index", "index", (pages.write_text(self.out / "index.html", html),), True))


def plan_reports(database: Path, out: Path, previous: Path | None) -> RecipientReports | None:
    """The reports folder of the recipient of `database`, its unchanged reports copied from
    `previous` and the rest pending; None if its agreements name no report."""
    with RecipientData(database) as data:
        kinds = report_kinds(data.agreements()) if data.is_la_grain else {}
        if not kinds:
            return None
        out.mkdir(parents=True, exist_ok=True)
        reports = RecipientReports(data, database, out, previous)
        for region_code in sorted(kinds):
            reports.region(region_code, kinds[region_code])
    return reports


def _plan(folder: tuple[Path, Path, Path | None]) -> RecipientReports | None:
    """plan_reports for one recipient's folder (a worker's job). The plan crosses back to the
    build's process without its data source, whose connection is closed by then."""
    reports = plan_reports(*folder)
    if reports is not None:
        reports.data = None
    return reports


def write_recipient_reports(folders: Sequence[tuple[Path, Path, Path | None]]) -> list[list[Written]]:
    """Every report each recipient may read: for each (its DuckDB file, its reports folder,
    the same folder of the previous publication or None), what was written there. Each
    recipient's plan (the hashes of every quarter's reports, the unchanged ones copied, the
    validation reports) is a job for the worker processes: it grows with the quarters held,
    but little (the whole reports step of a quarterly build takes some 3.6 s holding 12
    quarters and 4.4 s holding 48, `riia bench`). The quarters left to render, of every
    recipient at once, are shared among the workers next (a quarterly build renders one
    quarter per recipient)."""
    planned = workers.run_each(_plan, folders)
    pending = [(reports, quarter) for reports in planned if reports is not None for quarter in reports.pending]
    results = run_jobs([quarter.job(reports.database, reports.out) for reports, quarter in pending])
    for (reports, quarter), result in zip(pending, results, strict=True):
        reports.record_rendered(quarter, result)
    for reports in planned:
        if reports is not None:
            reports.assets()
            reports.index_page()
            reports.cache.save()
    return [reports.written if reports is not None else [] for reports in planned]
