"""The reference seeds are reproducible: rerunning `python -m riia.reference` on the
reference folder writes exactly the committed seeds/reference/*.csv, byte for byte.
The committed seeds then hold the facts about LAs over time that history depends on.
No test here runs dbt."""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from riia.periods import Period

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
FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures"
EXPECTED_FIXTURES = {"dfe_published_la_extract.csv"}


def run_reference(reference_dir: Path, out_root: Path) -> subprocess.CompletedProcess[str]:
    """`python -m riia.reference` on `reference_dir`, writing under `out_root` only."""
    return subprocess.run(
        [
            sys.executable, "-m", "riia.reference",
            "--reference-dir", str(reference_dir),
            "--out-dir", str(out_root / "seeds"),
            "--fixtures-dir", str(out_root / "fixtures"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip


def edited_reference(tmp_path: Path, file_name: str, edit: Callable[[bytes], bytes]) -> Path:
    """A copy of the reference folder in which each line of `file_name` is replaced by
    `edit(line)` (b"" drops it)."""
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder {REFERENCE_DIR} is absent")
    reference = tmp_path / "reference"
    reference.mkdir()
    for source in REFERENCE_DIR.glob("*.csv"):
        data = source.read_bytes()
        if source.name == file_name:
            data = b"".join(edit(line) for line in data.splitlines(keepends=True))
        (reference / source.name).write_bytes(data)
    return reference


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip(f"reference folder {REFERENCE_DIR} is absent: cannot rebuild the seeds")
    out_root = tmp_path_factory.mktemp("reference_seeds")
    result = run_reference(REFERENCE_DIR, out_root)
    assert result.returncode == 0, f"riia.reference failed:\n{result.stderr}"
    return out_root


def test_writes_exactly_the_committed_seed_files(rebuilt: Path) -> None:
    assert {path.name for path in (rebuilt / "seeds").glob("*.csv")} == EXPECTED_SEEDS
    assert {path.name for path in SEEDS_DIR.glob("*.csv")} == EXPECTED_SEEDS


@pytest.mark.parametrize("seed", sorted(EXPECTED_SEEDS))
def test_rebuilt_seed_matches_committed_bytes(rebuilt: Path, seed: str) -> None:
    committed = (SEEDS_DIR / seed).read_bytes()
    assert (rebuilt / "seeds" / seed).read_bytes() == committed, (
        f"{seed} differs from a fresh build: rerun python -m riia.reference and review the diff"
    )


def test_writes_exactly_the_committed_fixtures(rebuilt: Path) -> None:
    assert {path.name for path in (rebuilt / "fixtures").iterdir()} == EXPECTED_FIXTURES
    assert {path.name for path in FIXTURES_DIR.iterdir()} >= EXPECTED_FIXTURES


@pytest.mark.parametrize("fixture", sorted(EXPECTED_FIXTURES))
def test_rebuilt_fixture_matches_committed_bytes(rebuilt: Path, fixture: str) -> None:
    committed = (FIXTURES_DIR / fixture).read_bytes()
    assert (rebuilt / "fixtures" / fixture).read_bytes() == committed, (
        f"tests/fixtures/{fixture} differs from a fresh build: rerun python -m riia.reference and review the diff"
    )
    assert committed == (REFERENCE_DIR / fixture).read_bytes(), "a fixture is the reference file, byte for byte"


@pytest.mark.parametrize("seed", sorted(EXPECTED_SEEDS))
def test_seed_encoding(seed: str) -> None:
    data = (SEEDS_DIR / seed).read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), f"{seed} starts with a byte-order mark"
    assert b"\r" not in data, f"{seed} has CR line endings"
    data.decode("utf-8")


def test_fails_loudly_when_a_current_la_is_missing(tmp_path: Path) -> None:
    """A reference folder whose MYE2 file lacks Hartlepool must stop the build."""
    reference = edited_reference(
        tmp_path, "ons_mye2_mid2023_age_bands.csv", lambda line: b"" if line.startswith(b"E06000001,") else line
    )
    result = run_reference(reference, tmp_path)
    assert result.returncode != 0
    assert "805 Hartlepool (E06000001)" in result.stderr
    assert not (tmp_path / "seeds").exists(), "nothing is written when a check fails"
    assert not (tmp_path / "fixtures").exists()


def test_fails_loudly_when_the_2021_model_loses_an_la(tmp_path: Path) -> None:
    """The 2021 file's "Old SNs" section must hold every LA abolished before April 2021."""
    reference = edited_reference(
        tmp_path,
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
        lambda line: b"" if line.startswith(b"928,") else line,
    )
    result = run_reference(reference, tmp_path)
    assert result.returncode != 0
    assert "(Old SNs): LAs ended before mid-2021 without neighbours: ['928']" in result.stderr


def test_fails_loudly_when_a_2021_neighbour_repeats(tmp_path: Path) -> None:
    """Cumbria's second neighbour made the same as its first: not 10 distinct neighbours."""
    reference = edited_reference(
        tmp_path,
        "New_Statistical_Neighbour_Groupings_April_2021.csv",
        lambda line: line.replace(b",926,Very Close,", b",925,Very Close,") if line.startswith(b"909,") else line,
    )
    result = run_reference(reference, tmp_path)
    assert result.returncode != 0
    assert "909 needs 10 distinct neighbours other than itself" in result.stderr


def read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def local_authorities() -> dict[str, dict[str, str]]:
    return {row["la_code"]: row for row in read_seed("ref_local_authorities")}


def codes(text: str) -> list[str]:
    return text.split()


# ------------------------------------------------------------- LAs over time


@pytest.mark.parametrize(
    ("la_code", "first_period", "last_period"),
    [
        ("928", "2012-13 Q1", "2020-21 Q4"),  # Northamptonshire, to 31 March 2021
        ("940", "2021-22 Q1", ""),  # North Northamptonshire
        ("941", "2021-22 Q1", ""),
        ("909", "2012-13 Q1", "2022-23 Q4"),  # Cumbria, to 31 March 2023
        ("942", "2023-24 Q1", ""),  # Cumberland
        ("835", "2012-13 Q1", "2018-19 Q4"),  # Dorset county, to 31 March 2019
        ("839", "2019-20 Q1", ""),  # Bournemouth, Christchurch and Poole
        ("805", "2012-13 Q1", ""),  # Hartlepool, never reorganised
    ],
)
def test_la_first_and_last_period(
    local_authorities: dict[str, dict[str, str]], la_code: str, first_period: str, last_period: str
) -> None:
    la = local_authorities[la_code]
    assert (la["first_period"], la["last_period"]) == (first_period, last_period)


def test_periods_follow_the_mid_years(local_authorities: dict[str, dict[str, str]]) -> None:
    """Financial year YYYY-YY uses mid-YYYY: Q1 of the first mid-year to Q4 of the last."""
    for la in local_authorities.values():
        assert la["first_period"] == Period.of(int(la["first_mid_year"]), 1).label
        retired = Period.of(int(la["last_mid_year"]), 4).label
        assert la["last_period"] == ("" if la["is_current"] == "true" else retired), la


def test_successors_start_the_quarter_after_their_predecessor_ends(
    local_authorities: dict[str, dict[str, str]],
) -> None:
    retired = [la for la in local_authorities.values() if la["is_current"] == "false"]
    assert {la["la_code"] for la in retired} == {"835", "836", "837", "909", "928"}
    for old in retired:
        assert codes(old["successor_la_codes"]), old
        for new_code in codes(old["successor_la_codes"]):
            first = Period.require(local_authorities[new_code]["first_period"])
            assert first == Period.require(old["last_period"]).shift(1), (old["la_code"], new_code)


def test_predecessors_are_the_inverse_of_successors(local_authorities: dict[str, dict[str, str]]) -> None:
    predecessors = {code: codes(la["predecessor_la_codes"]) for code, la in local_authorities.items()}
    assert {code: olds for code, olds in predecessors.items() if olds} == {
        "838": ["835"],
        "839": ["835", "836", "837"],
        "940": ["928"],
        "941": ["928"],
        "942": ["909"],
        "943": ["909"],
    }
    for old_code, la in local_authorities.items():
        for new_code in codes(la["successor_la_codes"]):
            assert old_code in predecessors[new_code]


def test_every_predecessor_has_a_note_naming_its_successors(local_authorities: dict[str, dict[str, str]]) -> None:
    for la in local_authorities.values():
        note = la["reorganisation_note"]
        if la["successor_la_codes"]:
            assert note.startswith("Replaced in April "), la
            for code in codes(la["successor_la_codes"]):
                assert f"{local_authorities[code]['la_name']} ({code})" in note, la
        elif la["predecessor_la_codes"]:
            assert note.startswith("Formed in April "), la
            for code in codes(la["predecessor_la_codes"]):
                assert f"{local_authorities[code]['la_name']} ({code})" in note, la
        else:
            assert note == "", la


def test_reorganisation_notes_read_as_sentences(local_authorities: dict[str, dict[str, str]]) -> None:
    assert local_authorities["940"]["reorganisation_note"] == "Formed in April 2021 from Northamptonshire (928)."
    assert local_authorities["928"]["reorganisation_note"] == (
        "Replaced in April 2021 by North Northamptonshire (940) and West Northamptonshire (941)."
    )
    assert local_authorities["909"]["reorganisation_note"] == (
        "Replaced in April 2023 by Cumberland (942) and Westmorland and Furness (943)."
    )
    assert local_authorities["839"]["reorganisation_note"] == (
        "Formed in April 2019 from Dorset (835), Poole (836) and Bournemouth (837)."
    )


# -------------------------------------------------------- neighbours of retired LAs


@pytest.fixture(scope="module")
def neighbours() -> list[dict[str, str]]:
    return read_seed("ref_statistical_neighbours")


def test_current_las_have_2025_neighbours_and_retired_las_2021(
    neighbours: list[dict[str, str]], local_authorities: dict[str, dict[str, str]]
) -> None:
    models = {(row["la_code"], row["sn_model"]) for row in neighbours}
    for code, la in local_authorities.items():
        expected = "2025" if la["is_current"] == "true" else "2021"
        assert {model for la_code, model in models if la_code == code} == {expected}, code


@pytest.mark.parametrize("la_code", ["909", "928", "835", "836", "837"])
def test_retired_las_have_ten_neighbours(neighbours: list[dict[str, str]], la_code: str) -> None:
    rows = [row for row in neighbours if row["la_code"] == la_code]
    assert sorted(int(row["neighbour_rank"]) for row in rows) == list(range(1, 11))
    assert len({row["neighbour_la_code"] for row in rows}) == 10
    assert la_code not in {row["neighbour_la_code"] for row in rows}
    assert {row["sn_model"] for row in rows} == {"2021"}


def test_cumbria_neighbours_as_published_in_2021(neighbours: list[dict[str, str]]) -> None:
    rows = sorted((row for row in neighbours if row["la_code"] == "909"), key=lambda row: int(row["neighbour_rank"]))
    assert [row["neighbour_la_code"] for row in rows] == [
        "925", "926", "830", "891", "860", "885", "935", "940", "893", "878"
    ]  # fmt: skip
    assert (rows[0]["closeness"], rows[1]["closeness"]) == ("Extremely close", "Very close")


def test_closeness_labels_share_one_spelling(neighbours: list[dict[str, str]]) -> None:
    assert {row["closeness"] for row in neighbours} <= {
        "Extremely close", "Very close", "Close", "Somewhat close", "Not close"
    }  # fmt: skip


# ------------------------------------------------------- populations of retired LAs


@pytest.fixture(scope="module")
def population() -> dict[tuple[str, str, str], dict[str, str]]:
    return {
        (row["area_code"], row["mid_year"], row["age_band"]): row
        for row in read_seed("ref_population")
        if row["geography_level"] == "la"
    }


@pytest.mark.parametrize(("old", "new"), [("909", ("942", "943")), ("928", ("940", "941"))])
@pytest.mark.parametrize("band", ["5-16", "0-25"])
def test_retired_county_band_is_the_sum_of_its_successors(
    population: dict[tuple[str, str, str], dict[str, str]], old: str, new: tuple[str, str], band: str
) -> None:
    row = population[(old, "2023", band)]
    assert int(row["population"]) == sum(int(population[(code, "2023", band)]["population"]) for code in new)
    assert row["source"] == f"ONS MYE2 mid-2023, sum of {new[0]} and {new[1]} (the {row['area_name']} area)"


def test_cumbria_5_16_mid_2023_is_cumberland_plus_westmorland_and_furness(
    population: dict[tuple[str, str, str], dict[str, str]],
) -> None:
    """Cumberland 36,138 + Westmorland and Furness 27,324, as in ONS MYE2 mid-2023."""
    assert population[("909", "2023", "5-16")]["population"] == str(36138 + 27324)


@pytest.mark.parametrize("la_code", ["835", "836", "837"])
def test_dorset_poole_and_bournemouth_get_no_later_bands(
    population: dict[tuple[str, str, str], dict[str, str]], la_code: str
) -> None:
    bands = {band for (code, _, band) in population if code == la_code}
    assert not bands & {"5-16", "0-25"}


# ------------------------------------------------------------ the DfE test fixture


def test_dfe_extract_covers_the_reorganised_las(local_authorities: dict[str, dict[str, str]]) -> None:
    """The fixture holds figures for Cumbria, Northamptonshire and Dorset county, each for
    a year ending March N in which the LA existed (financial year (N-1)-N)."""
    with (FIXTURES_DIR / "dfe_published_la_extract.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {"835", "909", "928"} <= {row["old_la_code"] for row in rows}
    for row in rows:
        la = local_authorities[row["old_la_code"]]
        year_end = Period.of(int(row["time_period"]) - 1, 4)  # the year-end return's quarter
        assert Period.require(la["first_period"]) <= year_end, row
        assert not la["last_period"] or year_end <= Period.require(la["last_period"]), row


def test_fails_loudly_when_the_dfe_extract_names_an_la_out_of_its_time(tmp_path: Path) -> None:
    """Northamptonshire did not exist in the year ending March 2023."""
    reference = edited_reference(
        tmp_path, "dfe_published_la_extract.csv", lambda line: line.replace(b"2021,928,", b"2023,928,")
    )
    result = run_reference(reference, tmp_path)
    assert result.returncode != 0
    assert "LA 928 Northamptonshire did not exist in the year ending March 2023" in result.stderr
