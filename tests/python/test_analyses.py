"""Every example query in analyses/ runs against a real build and answers something."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, Build

ANALYSES = sorted((PROJECT_ROOT / "analyses").glob("*.sql"))


def test_there_are_example_queries() -> None:
    assert len(ANALYSES) >= 5


@pytest.mark.build
@pytest.mark.parametrize("path", ANALYSES, ids=lambda p: p.stem)
def test_analysis_runs_on_the_sample_and_returns_rows(sample_build: Build, path: Path) -> None:
    rows = sample_build.query(path.read_text())
    assert rows, f"{path.name} returned nothing on the sample"


@pytest.mark.build
def test_quarantined_returns_are_listed_for_the_data_engineer(sample_build: Build) -> None:
    rows = sample_build.query((PROJECT_ROOT / "analyses" / "returns_received_this_quarter.sql").read_text())
    statuses = {row[4] for row in rows}
    assert "accepted" not in statuses
