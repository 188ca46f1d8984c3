"""Rendering the reports of one region and quarter: a job a worker process can run on its own.

A job names the recipient's DuckDB file, its reports folder, the region and quarter, and which
of that quarter's reports to render (those whose content hash changed: recipient.py decides).
A worker runs a batch of jobs: consecutive quarters of one region, a batch per worker. It opens
the file read-only once, reads the rows of all the batch's windows in one query (a quarter's
window shares seven of its eight quarters with the next one's) and writes the reports; it
returns the files each report wrote, relative to the reports folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from riia.reports import pages, profile_xlsx, reference, rug_xlsx
from riia.reports.formatting import RETURN_STATUS
from riia.reports.names import Names, relative, report_key
from riia.reports.profile import build_profile
from riia.reports.quarter import QuarterData, load_quarter
from riia.reports.reference import Preset
from riia.reports.rug import build_rug
from riia.reports.source import Handling, RecipientData, quarter_window
from riia.workers import run_each, worker_count

Result = list[tuple[str, list[str]]]  # (report key, files relative to the reports folder)


@dataclass(frozen=True)
class Job:
    database: Path
    out: Path
    region_code: str
    period: str
    rug: bool = False
    workbook: bool = False
    profiles: tuple[tuple[str, str], ...] = ()  # (la_code, page name) to render


def recipient_label(handling: Handling, region_name: str | None) -> str:
    """Who the folder is for, as its pages say it (the handling table names no organisation)."""
    if handling.audience == "regional" and region_name:
        return f"{region_name} regional alliance"
    return f"recipient {handling.recipient_id.upper()}"


def frame_of(data: RecipientData, handling: Handling) -> pages.PageFrame:
    region = handling.region_code
    label = recipient_label(handling, data.region_name(region) if region else None)
    return pages.PageFrame(handling.marking, handling.is_sample, handling.as_of, label, handling.build_id)


class Renderer:
    """Writes one recipient's reports of a quarter into its reports folder."""

    def __init__(self, data: RecipientData, out: Path) -> None:
        self.data = data
        self.out = out
        self.handling = data.handling()
        self.catalogue = data.catalogue()
        self.names = Names(self.handling.marking, self.handling.is_sample)
        self.frame = frame_of(data, self.handling)
        self.has_returns = "returns" in data.tables

    def page(self, name: str, template: str, **context: object) -> Path:
        return pages.write_text(self.out / name, pages.render(template, self.frame, name.count("/"), **context))

    def rug(self, q: QuarterData, presets: tuple[Preset, ...]) -> list[Path]:
        """The full rug (HTML and XLSX) and one HTML page per preset view."""
        files = []
        for preset in (None, *presets):
            made = build_rug(q, self.names, presets, preset)
            title = f"Tartan rug: {q.region_name}, {q.period}" + (f" ({preset.label})" if preset else "")
            name = self.names.rug(q.period, preset.slug if preset else "")
            files.append(self.page(name, "rug.html.j2", title=title, rug=made))
            if preset is None:
                files.append(
                    rug_xlsx.write_workbook(self.out / self.names.rug(q.period, ext="xlsx"), made, q, self.frame)
                )
        return files

    def status_label(self, q: QuarterData, la_code: str) -> str:
        status = q.la_status(la_code)
        if not self.has_returns:
            return "Figures shared with this recipient" if status != "not_shared" else "Not in this recipient's data"
        return RETURN_STATUS[status]

    def profile(self, q: QuarterData, la_code: str, name: str) -> Path:
        made = build_profile(q, la_code, self.status_label(q, la_code), reference.reorganisations().get(la_code))
        made.links = [("All reports", relative(name, "index.html"))]
        if self.has_returns:
            made.links += [
                ("Tartan rug", relative(name, self.names.rug(q.period))),
                ("Validation report", relative(name, self.names.validation(q.period))),
            ]
        made.links.append(
            ("All LA profiles of the quarter (XLSX)", relative(name, self.names.profile_workbook(q.period)))
        )
        title = f"LA profile: {made.la_name}, {q.period}"
        return self.page(name, "profile.html.j2", title=title, profile=made, window=q.window)

    def workbook(self, q: QuarterData) -> Path:
        return profile_xlsx.write_workbook(
            self.out / self.names.profile_workbook(q.period), q, self.frame, self.status_label
        )


def run_batch(jobs: tuple[Job, ...]) -> list[Result]:
    """Render the jobs of one recipient file and region (a run of its quarters); runs in a worker
    process or in-process. The file is opened once and the rows of all the jobs' windows are
    read in one query."""
    first = jobs[0]
    with RecipientData(first.database) as data:
        data.prefetch(first.region_code, [p for job in jobs for p in quarter_window(job.period)])
        renderer = Renderer(data, first.out)
        return [run_job(job, data, renderer) for job in jobs]


def run_job(job: Job, data: RecipientData, renderer: Renderer) -> Result:
    """Render what `job` asks for, from the open recipient file."""
    q = load_quarter(data, renderer.catalogue, job.region_code, job.period, reference.abolished())
    done: list[tuple[str, list[Path]]] = []
    if job.rug:
        done.append((report_key("tartan_rug", job.period), renderer.rug(q, reference.presets(job.region_code))))
    for la_code, name in job.profiles:
        done.append((report_key("la_profile", job.period, la_code), [renderer.profile(q, la_code, name)]))
    if job.workbook:
        done.append((report_key("la_profile_workbook", job.period), [renderer.workbook(q)]))
    return [(key, [f.relative_to(job.out).as_posix() for f in files]) for key, files in done]


def batches(jobs: list[Job], count: int) -> list[tuple[Job, ...]]:
    """The jobs in order, in runs of one file, folder and region, each run cut into at most `count`
    batches of consecutive quarters (one per worker)."""
    cut: list[tuple[Job, ...]] = []
    for _, grouped in groupby(jobs, key=lambda job: (job.database, job.out, job.region_code)):
        run = list(grouped)
        size = -(-len(run) // count)
        cut += [tuple(run[i : i + size]) for i in range(0, len(run), size)]
    return cut


def run_jobs(jobs: list[Job]) -> list[Result]:
    """Every job's result, in order: in worker processes (a batch each) when there is more than one
    job and more than one worker."""
    cut = batches(jobs, worker_count() if len(jobs) > 1 else 1)
    return [result for results in run_each(run_batch, cut) for result in results]
