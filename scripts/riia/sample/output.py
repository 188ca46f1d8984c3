"""Writing the sample: the returns, then the marker folder that describes them."""

from __future__ import annotations

from pathlib import Path

from riia.sample.assemble import Sample
from riia.sample.marker import DEFECTS_JSON, DEFECTS_MD, MANIFEST, MARKER_DIR, render_manifest
from riia.sample.render import GENERATOR, file_bytes, render_defects_json, render_defects_markdown


def existing_csvs(out_dir: Path) -> list[Path]:
    """Every ``*.csv`` under ``out_dir`` at any depth (none if it does not exist)."""
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")


def sample_files(sample: Sample) -> dict[str, bytes]:
    """Relative path -> content of every file of the sample except the manifest."""
    files = {f.relative_path: file_bytes(f) for f in sample.files}
    files[f"{MARKER_DIR}/{DEFECTS_MD}"] = render_defects_markdown(sample).encode("utf-8")
    files[f"{MARKER_DIR}/{DEFECTS_JSON}"] = render_defects_json(sample).encode("utf-8")
    return files


def write_files(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write each file under ``out_dir``, creating folders as needed."""
    made: set[Path] = set()
    for relative, data in files.items():
        path = out_dir / relative
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


def write_sample(sample: Sample, out_dir: Path) -> int:
    """Write ``sample`` under ``out_dir`` with its marker; returns the number of returns."""
    files = sample_files(sample)
    write_files(out_dir, files)
    window = sample.window
    manifest = render_manifest(GENERATOR, sample.seed, window.first.label, window.count, files)
    write_files(out_dir, {f"{MARKER_DIR}/{MANIFEST}": manifest.encode("utf-8")})
    return len(sample.files)
