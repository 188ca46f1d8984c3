"""Where each report of a recipient's folder is written, relative to `<recipient folder>/reports/`.

Every file name carries the recipient's handling marking, and SAMPLE-DATA when the reports
were built from generated returns (SHARING.md rule 9):

    index.html                                          the recipient's reports, by quarter
    tartan_rug/<yyyy-yy>_<Qn>[_<preset>]_<MARKING>.html and .xlsx (the XLSX for the full rug)
    la_profile/<yyyy-yy>_<Qn>/<la_code>_<la-name>_<MARKING>.html
    la_profile/<yyyy-yy>_<Qn>_<MARKING>.xlsx            one workbook per quarter, a sheet per LA
    validation/<yyyy-yy>_<Qn>_<MARKING>.html and .csv
    assets/vega-bundle.js, assets/charts.js             the charts' JavaScript, once per folder
    .manifest.json                                      content hashes of every report (cache.py)
"""

from __future__ import annotations

from dataclasses import dataclass

from riia.reports.formatting import marking_slug, period_slug, slug

ASSETS = "assets"


@dataclass(frozen=True)
class Names:
    marking: str
    is_sample: bool

    @property
    def suffix(self) -> str:
        return f"_{marking_slug(self.marking)}" + ("_SAMPLE-DATA" if self.is_sample else "")

    def rug(self, period: str, preset_slug: str = "", ext: str = "html") -> str:
        view = f"_{preset_slug}" if preset_slug else ""
        return f"tartan_rug/{period_slug(period)}{view}{self.suffix}.{ext}"

    def profile(self, period: str, la_code: str, la_name: str) -> str:
        return f"la_profile/{period_slug(period)}/{la_code}_{slug(la_name)}{self.suffix}.html"

    def profile_workbook(self, period: str) -> str:
        return f"la_profile/{period_slug(period)}{self.suffix}.xlsx"

    def validation(self, period: str, ext: str = "html") -> str:
        return f"validation/{period_slug(period)}{self.suffix}.{ext}"


def report_key(kind: str, period: str, la_code: str = "") -> str:
    """A report's key in the manifest: `tartan_rug/2024-25 Q4`, `la_profile/2024-25 Q4/850`."""
    return "/".join(x for x in (kind, period, la_code) if x)


def relative(from_page: str, to_page: str) -> str:
    """The link from one report to another, both given relative to the reports folder."""
    depth = from_page.count("/")
    return "../" * depth + to_page


def depth(page: str) -> int:
    return page.count("/")
