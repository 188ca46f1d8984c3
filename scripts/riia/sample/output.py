"""Writing the sample into a returns folder."""

from __future__ import annotations

from pathlib import Path

from riia.sample.assemble import Sample
from riia.sample.render import file_bytes, render_defects_json, render_defects_markdown


def existing_csvs(out_dir: Path) -> list[Path]:
    """Every ``*.csv`` under ``out_dir`` at any depth (none if it does not exist)."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")


def write_sample(sample: Sample, out_dir: Path) -> int:
    """Write every file of ``sample`` under ``out_dir``; returns the number of returns."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for return_file in sample.files:
        path = out_dir / return_file.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file_bytes(return_file))
    (out_dir / "SAMPLE_DEFECTS.md").write_bytes(render_defects_markdown(sample).encode("utf-8"))
    (out_dir / "sample_defects.json").write_bytes(render_defects_json(sample).encode("utf-8"))
    return len(sample.files)
