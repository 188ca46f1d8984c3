"""The validation report of one region and quarter, for the regional data lead to send to LAs.

Each LA of the region: its return's status (accepted, accepted with warnings, quarantined,
not received with days overdue), the file and version used, every finding on it (file,
line, item, value, rule, severity, message, what to fix), findings on superseded versions
collapsed, and the name a corrected resubmission must take. The CSV beside it has one row
per LA and one per finding, every text cell spreadsheet-safe (riia.safe_text).
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from riia.periods import parse_file_name, return_file_name
from riia.reports import formatting as fmt
from riia.reports.pages import fresh
from riia.reports.source import Row
from riia.safe_text import spreadsheet_safe

FINDING_FIELDS = ("source_file", "line_number", "item_code", "value", "rule_id", "severity", "message", "what_to_fix")
CSV_FIELDS = (
    "record",
    "region_code",
    "period",
    "la_code",
    "la_name",
    "return_status",
    "deadline_date",
    "days_overdue",
    "source_file",
    "file_version",
    "versions_received",
    "resubmit_as",
    "is_version_in_use",
    "line_number",
    "item_code",
    "value",
    "rule_id",
    "severity",
    "message",
    "what_to_fix",
    "handling_marking",
    "sample_data",
)


@dataclass
class Superseded:
    source_file: str
    findings: list[Row]


@dataclass
class LaReport:
    la_code: str
    la_name: str
    status: str
    status_label: str
    returned: Row
    findings: list[Row]  # on the version in use
    superseded: list[Superseded] = field(default_factory=list)
    resubmit_as: str = ""
    errors: int = 0
    warnings: int = 0

    @property
    def deadline(self) -> str:
        return f"{self.returned['deadline_date']:%d %B %Y}" if self.returned.get("deadline_date") else ""


@dataclass
class ValidationReport:
    region_code: str
    region_name: str
    period: str
    las: list[LaReport]
    counts: Counter[str]
    deadline: str
    released: str

    @property
    def overdue(self) -> list[LaReport]:
        return [la for la in self.las if la.returned.get("is_overdue")]


def version_of(source_file: str) -> int:
    parsed = parse_file_name(source_file)
    return parsed.version if parsed else 0


def la_report(returned: Row, findings: list[Row]) -> LaReport:
    status = returned["return_status"]
    latest = [f for f in findings if f["is_latest_version"]]
    older: dict[str, list[Row]] = {}
    for f in findings:
        if not f["is_latest_version"]:
            older.setdefault(f["source_file"], []).append(f)
    superseded = [Superseded(name, older[name]) for name in sorted(older, key=version_of, reverse=True)]
    period, la_code = returned["period"], returned["la_code"]
    if status == "not_received":
        resubmit = return_file_name(la_code, period)
    elif status in ("quarantined", "accepted_with_warnings"):
        resubmit = return_file_name(la_code, period, int(returned["file_version"] or 1) + 1)
    else:
        resubmit = ""
    return LaReport(
        la_code=la_code,
        la_name=returned["la_name"] or la_code,
        status=status,
        status_label=fmt.RETURN_STATUS.get(status, status),
        returned=returned,
        findings=latest,
        superseded=superseded,
        resubmit_as=resubmit,
        errors=sum(f["severity"] == "error" for f in latest),
        warnings=sum(f["severity"] == "warning" for f in latest),
    )


def build_validation(
    region_code: str, region_name: str, period: str, returns: list[Row], findings: list[Row]
) -> ValidationReport:
    by_la: dict[str, list[Row]] = {}
    for f in findings:
        by_la.setdefault(f["la_code"], []).append(f)
    las = [la_report(r, by_la.get(r["la_code"], [])) for r in returns]
    deadline = next((r["deadline_date"] for r in returns if r.get("deadline_date")), None)
    released = next((r for r in returns if r.get("is_released")), None)
    return ValidationReport(
        region_code=region_code,
        region_name=region_name,
        period=period,
        las=las,
        counts=Counter(la.status for la in las),
        deadline=f"{deadline:%d %B %Y}" if deadline else "not recorded",
        released=(
            f"released on {released['released_on']:%d %B %Y}, checked by {released['checked_by']}"
            if released and released.get("released_on")
            else "not released"
        ),
    )


def csv_rows(report: ValidationReport, marking: str, is_sample: bool) -> list[dict[str, Any]]:
    """One row per LA (its status), then one per finding on any version."""
    rows = []
    for la in report.las:
        r = la.returned
        base = dict.fromkeys(CSV_FIELDS, "") | {
            "region_code": report.region_code,
            "period": report.period,
            "la_code": la.la_code,
            "la_name": la.la_name,
            "return_status": la.status,
            "deadline_date": r.get("deadline_date") or "",
            "days_overdue": r.get("days_overdue") if r.get("is_overdue") else "",
            "versions_received": r.get("versions_received") or 0,
            "resubmit_as": la.resubmit_as,
            "handling_marking": marking,
            "sample_data": "SAMPLE DATA: generated returns, not real figures" if is_sample else "",
        }
        rows.append(
            base
            | {
                "record": "la_status",
                "source_file": r.get("source_file") or "",
                "file_version": r.get("file_version") or "",
            }
        )
        for finding, in_use in [(f, True) for f in la.findings] + [
            (f, False) for s in la.superseded for f in s.findings
        ]:
            rows.append(
                base
                | {k: "" if finding[k] is None else finding[k] for k in FINDING_FIELDS}
                | {
                    "record": "finding",
                    "file_version": version_of(finding["source_file"]) or "",
                    "is_version_in_use": "true" if in_use else "false",
                }
            )
    return rows


def write_csv_rows(path: Path, fields: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    """A CSV with every text cell spreadsheet-safe: `=HYPERLINK(...)` stays text."""
    with fresh(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(fields), lineterminator="\n", restval="")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return path


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    return write_csv_rows(path, CSV_FIELDS, rows)
