"""Every report one recipient may read, rendered from its own DuckDB file into its folder.

Which reports a recipient gets is data: each agreement it receives under names them in its
`reports` column (`tartan_rug la_profile validation` for a region's own agreement,
`la_profile` for the SE's agreement with DfE), for that agreement's region. A recipient whose
agreements name no report (D2I, ADCS) gets no reports folder.

Work is done per region and quarter: one hash of the window's rows (DuckDB), and only when
a report's hash differs from the previous publication's is the window read into Python and
the report rendered (cache.py).
"""

from __future__ import annotations

from pathlib import Path

from riia.periods import Period
from riia.reports import charts, pages, profile_xlsx, reference, rug_xlsx
from riia.reports.cache import ReportCache, Written, content_hash
from riia.reports.formatting import RETURN_STATUS, STATUS_ORDER
from riia.reports.names import ASSETS, Names, relative
from riia.reports.profile import build_profile
from riia.reports.quarter import QuarterData, load_quarter
from riia.reports.rug import build_rug
from riia.reports.source import Catalogue, Handling, RecipientData, by_period, quarter_window
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


def recipient_label(handling: Handling, region_name: str | None) -> str:
    if handling.audience == "regional" and region_name:
        return f"{region_name} (regional alliance)"
    return {"dfe": "Department for Education"}.get(handling.audience, handling.recipient_id)


class RecipientReports:
    """The reports folder of one recipient being written."""

    def __init__(self, data: RecipientData, out: Path, previous: Path | None) -> None:
        self.data = data
        self.out = out
        self.handling = data.handling()
        self.catalogue: Catalogue = data.catalogue()
        self.names = Names(self.handling.marking, self.handling.is_sample)
        self.cache = ReportCache(out, previous)
        region = self.handling.region_code
        self.frame = pages.PageFrame(
            self.handling.marking,
            self.handling.is_sample,
            self.handling.as_of,
            recipient_label(self.handling, data.region_name(region) if region else None),
            self.handling.build_id,
        )
        self.written: list[Written] = []
        self.index: list[dict] = []  # what the folder's index lists, per region and quarter

    def base_hash(self, *parts: object) -> str:
        h = self.handling
        return content_hash(h.recipient_id, h.marking, h.is_sample, str(h.as_of), h.build_id, *parts)

    def page(self, name: str, template: str, **context: object) -> Path:
        html = pages.render(template, self.frame, name.count("/"), **context)
        return pages.write_text(self.out / name, html)

    def region(self, region_code: str, kinds: set[str]) -> None:
        region_name = self.data.region_name(region_code)
        figure_periods = self.data.indicator_periods(region_code)
        return_periods = [p for p in self.data.return_periods()] if "validation" in kinds else []
        for period in by_period(figure_periods + return_periods):
            entry = {"region_name": region_name, "period": period, "links": [], "profiles": [], "counts": {}}
            if period in figure_periods and kinds & {"tartan_rug", "la_profile"}:
                self.quarter(region_code, period, kinds, entry)
            if period in return_periods:
                self.validation(
                    region_code, region_name, period, entry, has_rug=period in figure_periods and "tartan_rug" in kinds
                )
            self.index.append(entry)

    def quarter(self, region_code: str, period: str, kinds: set[str], entry: dict) -> None:
        window_hash = self.data.window_digest(period, region_code)
        statuses = [
            r for r in self.data.returns() if r["region_code"] == region_code and r["period"] in quarter_window(period)
        ]
        base = self.base_hash(window_hash, statuses, self.data.withheld())
        loaded: list[QuarterData] = []

        def q() -> QuarterData:
            if not loaded:
                loaded.append(load_quarter(self.data, self.catalogue, region_code, period, reference.abolished()))
            return loaded[0]

        if "tartan_rug" in kinds:
            presets = reference.presets(region_code)
            digest = content_hash(base, "rug", [(p.item_set, sorted(p.indicator_codes)) for p in presets])
            self.written.append(
                self.cache.produce(
                    "tartan_rug",
                    f"tartan_rug/{period}",
                    digest,
                    lambda: self.render_rug(q(), presets),
                    period,
                    region_code,
                )
            )
            entry["links"].append(("Tartan rug", self.names.rug(period)))
            entry["links"] += [(f"Tartan rug: {p.label}", self.names.rug(period, p.slug)) for p in presets]
            entry["links"].append(("Tartan rug (XLSX)", self.names.rug(period, ext="xlsx")))
        if "la_profile" in kinds:
            self.profiles(region_code, period, base, q, entry)

    def render_rug(self, q: QuarterData, presets: tuple) -> list[Path]:
        files = []
        for preset in (None, *presets):
            rug = build_rug(q, self.names, presets, preset)
            title = f"Tartan rug: {q.region_name}, {q.period}" + (f" ({preset.label})" if preset else "")
            files.append(
                self.page(self.names.rug(q.period, preset.slug if preset else ""), "rug.html.j2", title=title, rug=rug)
            )
            if preset is None:
                files.append(
                    rug_xlsx.write_workbook(self.out / self.names.rug(q.period, ext="xlsx"), rug, q, self.frame)
                )
        return files

    def profiles(self, region_code: str, period: str, base: str, q, entry: dict) -> None:
        las = self.profile_las(region_code, period, q)
        workbook = self.names.profile_workbook(period)
        for la_code, la_name in las.items():
            organised = reference.reorganisations().get(la_code)
            digest = content_hash(base, "profile", la_code, organised)
            name = self.names.profile(period, la_code, la_name)
            self.written.append(
                self.cache.produce(
                    "la_profile",
                    f"la_profile/{period}/{la_code}",
                    digest,
                    lambda la_code=la_code, name=name, organised=organised: [
                        self.render_profile(q(), la_code, name, organised)
                    ],
                    period,
                    la_code,
                )
            )
            entry["profiles"].append((la_name, la_code, name))
        self.written.append(
            self.cache.produce(
                "la_profile_workbook",
                f"la_profile_workbook/{period}",
                content_hash(base, "profile workbook"),
                lambda: [profile_xlsx.write_workbook(self.out / workbook, q(), self.frame, self.status_label)],
                period,
                region_code,
            )
        )
        entry["links"].append(("LA profiles (XLSX, a sheet per LA)", workbook))

    def profile_las(self, region_code: str, period: str, q) -> dict[str, str]:
        """The LAs of the region in the quarter, without reading the window when the returns say."""
        returned = {r["la_code"]: r["la_name"] for r in self.data.returns(period) if r["region_code"] == region_code}
        if returned:
            return dict(sorted(returned.items(), key=lambda item: (item[1], item[0])))
        current = Period.require(period)
        ended = reference.abolished()
        return {
            la: name
            for la, name in self.data.window_las(period, region_code).items()
            if la not in ended or Period.require(ended[la]) >= current
        }

    def status_label(self, q: QuarterData, la_code: str) -> str:
        status = q.la_status(la_code)
        if not self.data.returns():
            return "Figures shared with this recipient" if status != "not_shared" else "Not in this recipient's data"
        return RETURN_STATUS[status]

    def render_profile(self, q: QuarterData, la_code: str, name: str, organised: object) -> Path:
        made = build_profile(q, la_code, self.status_label(q, la_code), organised)
        made.links = [("All reports", relative(name, "index.html"))]
        if "returns" in self.data.tables:
            made.links += [
                ("Tartan rug", relative(name, self.names.rug(q.period))),
                ("Validation report", relative(name, self.names.validation(q.period))),
            ]
        made.links.append(
            ("All LA profiles of the quarter (XLSX)", relative(name, self.names.profile_workbook(q.period)))
        )
        return self.page(
            name, "profile.html.j2", title=f"LA profile: {made.la_name}, {q.period}", profile=made, window=q.window
        )

    def validation(self, region_code: str, region_name: str, period: str, entry: dict, has_rug: bool) -> None:
        returns = [r for r in self.data.returns(period) if r["region_code"] == region_code]
        findings = self.data.findings(period)
        entry["counts"] = {s: sum(r["return_status"] == s for r in returns) for s in STATUS_ORDER}
        entry["overdue"] = sum(bool(r["is_overdue"]) for r in returns)
        html, csv = self.names.validation(period), self.names.validation(period, "csv")

        def render() -> list[Path]:
            report = build_validation(region_code, region_name, period, returns, findings)
            page = self.page(
                html,
                "validation.html.j2",
                title=f"Validation report: {region_name}, {period}",
                report=report,
                statuses=[(s, RETURN_STATUS[s]) for s in STATUS_ORDER],
                csv_href=relative(html, csv),
                rug_href=relative(html, self.names.rug(period)) if has_rug else "",
            )
            return [page, write_csv(self.out / csv, csv_rows(report, self.handling.marking, self.handling.is_sample))]

        digest = self.base_hash("validation", returns, findings, has_rug)
        self.written.append(
            self.cache.produce("validation", f"validation/{period}", digest, render, period, region_code)
        )
        entry["links"] += [("Validation report", html), ("Validation report (CSV)", csv)]

    def assets(self) -> None:
        if not any(w.kind == "la_profile" for w in self.written):
            return
        digest = content_hash("assets", charts.asset_version())
        self.written.append(
            self.cache.produce("assets", "assets", digest, lambda: charts.write_assets(self.out / ASSETS))
        )

    def index_page(self) -> None:
        order = {p: i for i, p in enumerate(by_period(e["period"] for e in self.index))}
        quarters = sorted(self.index, key=lambda e: (-order[e["period"]], e["region_name"]))
        path = self.page(
            "index.html",
            "recipient_index.html.j2",
            title=f"Reports for {self.frame.recipient}",
            quarters=quarters,
            statuses=[(s, RETURN_STATUS[s]) for s in STATUS_ORDER],
        )
        self.written.append(Written("index", "index", (path,), True))


def write_recipient_reports(database: Path, out: Path, previous: Path | None) -> list[Written]:
    """Render every report the recipient of `database` may read into `out`; copy unchanged ones
    from `previous` (the same folder of the previous publication). Returns what was written."""
    with RecipientData(database) as data:
        kinds = report_kinds(data.agreements()) if data.is_la_grain else {}
        if not kinds:
            return []
        out.mkdir(parents=True, exist_ok=True)
        reports = RecipientReports(data, out, previous)
        for region_code in sorted(kinds):
            reports.region(region_code, kinds[region_code])
        reports.assets()
        reports.index_page()
        reports.cache.save()
        return reports.written
