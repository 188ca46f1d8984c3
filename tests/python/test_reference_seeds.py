"""The reference seeds are reproducible: rerunning `python -m riia.reference` on the
reference folder writes exactly the committed seeds/reference/*.csv, byte for byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO_ROOT / "seeds" / "reference"
REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
EXPECTED_SEEDS = {
    "ref_regions.csv",
    "ref_local_authorities.csv",
    "ref_la_ons_codes.csv",
    "ref_population.csv",
    "ref_statistical_neighbours.csv",
}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder {REFERENCE_DIR} is absent: cannot rebuild the seeds")
    out_dir = tmp_path_factory.mktemp("reference_seeds")
    result = subprocess.run(
        [sys.executable, "-m", "riia.reference", "--reference-dir", str(REFERENCE_DIR), "--out-dir", str(out_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"riia.reference failed:\n{result.stderr}"
    return out_dir


def test_writes_exactly_the_committed_seed_files(rebuilt: Path) -> None:
    assert {path.name for path in rebuilt.glob("*.csv")} == EXPECTED_SEEDS
    assert {path.name for path in SEEDS_DIR.glob("*.csv")} == EXPECTED_SEEDS


@pytest.mark.parametrize("seed", sorted(EXPECTED_SEEDS))
def test_rebuilt_seed_matches_committed_bytes(rebuilt: Path, seed: str) -> None:
    committed = (SEEDS_DIR / seed).read_bytes()
    assert (rebuilt / seed).read_bytes() == committed, (
        f"{seed} differs from a fresh build: rerun python -m riia.reference and review the diff"
    )


@pytest.mark.parametrize("seed", sorted(EXPECTED_SEEDS))
def test_seed_encoding(seed: str) -> None:
    data = (SEEDS_DIR / seed).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{seed} starts with a byte-order mark"
    assert b"\r" not in data, f"{seed} has CR line endings"
    data.decode("utf-8")


def test_fails_loudly_when_a_current_la_is_missing(tmp_path: Path) -> None:
    """A reference folder whose MYE2 file lacks Hartlepool must stop the build."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder {REFERENCE_DIR} is absent")
    reference = tmp_path / "reference"
    reference.mkdir()
    for source in REFERENCE_DIR.glob("*.csv"):
        text = source.read_bytes()
        if source.name == "ons_mye2_mid2023_age_bands.csv":
            lines = text.splitlines(keepends=True)
            text = b"".join(line for line in lines if not line.startswith(b"E06000001,"))
        (reference / source.name).write_bytes(text)
    result = subprocess.run(
        [sys.executable, "-m", "riia.reference", "--reference-dir", str(reference), "--out-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "805 Hartlepool (E06000001)" in result.stderr
