"""The sample's files as text: return CSVs, the defect list for people and for tests."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import asdict

from riia.sample.assemble import Sample
from riia.sample.defects import Gap
from riia.sample.planting import ReturnFile
from riia.sample.rows import CSV_HEADER, Row
from riia.sample.window import relative_path

GENERATOR = "riia sample"


def render_csv(rows: Sequence[Row]) -> str:
    """A return as CSV text: header, then one line per row, ``\\n`` line endings."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(row.as_list() for row in rows)
    return buffer.getvalue()


def file_bytes(return_file: ReturnFile) -> bytes:
    """What is written for a return: its raw bytes, or its rows as UTF-8 CSV."""
    if return_file.raw is not None:
        return return_file.raw
    return render_csv(return_file.rows).encode("utf-8")


def _code(text: str | None) -> str:
    return f"`{text}`" if text else ""


def render_defects_markdown(sample: Sample) -> str:
    """``SAMPLE_DEFECTS.md``: the deliberate defects and legitimate gaps, as tables."""
    lines = [
        "# Deliberate defects in the sample returns",
        "",
        f"Written by `{GENERATOR}` (seed {sample.seed}). Every other return",
        "passes every `error` rule of the return template. `expected_outcome`: `quarantined`",
        "(an error), `loaded_with_warning`, `superseded` (a later `_v2` replaces it) or",
        "`loaded`. The same list, machine readable: `sample_defects.json`; every file written,",
        "with its SHA-256: `manifest.json` (both beside this file).",
        "",
        "| file | LA | period | rule | severity | expected outcome | what was done | supersedes | fixed by |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for d in sample.defects:
        lines.append(
            f"| `{d.file}` | {d.la_code} {d.la_name} | {d.period} | {d.rule_id} | {d.severity} | "
            f"{d.expected_outcome} | {d.description} | {_code(d.supersedes)} | {_code(d.fixed_by)} |"
        )
    lines += [
        "",
        "## Legitimate gaps (not defects)",
        "",
        "`x` = not available (on purpose, with a comment); blank = not collected.",
        "",
        "| LA | period | item | value | comment |",
        "|---|---|---|---|---|",
    ]
    for g in sample.gaps:
        shown = "(blank)" if g.value == "" else f"`{g.value}`"
        lines.append(f"| {g.la_code} | {g.period.label} | {g.item_code} | {shown} | {g.comment} |")
    if sample.estimated:
        lines += [
            "",
            "## Populations estimated",
            "",
            "The seeds have no population for these LAs in some age band, so the sample's figures",
            "were sized from an estimate: 0-17 from the successors' first year when missing, 5-16 and",
            "0-25 in proportion to 0-17 at the successors' (or England's) ratio.",
            "",
            *(f"* {la.la_code} {la.la_name}" for la in sample.estimated),
        ]
    return "\n".join(lines) + "\n"


def gap_record(gap: Gap) -> dict[str, str]:
    return {
        "la_code": gap.la_code,
        "period": gap.period.label,
        "file": relative_path(gap.la_code, gap.period),
        "item_code": gap.item_code,
        "value": gap.value,
        "comment": gap.comment,
    }


def render_defects_json(sample: Sample) -> str:
    """``sample_defects.json``: seed, periods, defects and gaps, sorted, stable."""
    payload = {
        "seed": sample.seed,
        "periods": [p.label for p in sample.window.periods],
        "defects": [asdict(d) for d in sample.defects],
        "gaps": [gap_record(g) for g in sample.gaps],
        "estimated_populations": [la.la_code for la in sample.estimated],
    }
    return json.dumps(payload, indent=2, sort_keys=True) + "\n"
