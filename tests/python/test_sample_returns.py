"""Tests of the sample generator (riia.sample): determinism, layout, rules, realism, defects,
history with the LAs and items of the day, defects driven by the rule definitions, the marker.

The generator is run into temporary folders (never data/returns). A small validator here
re-implements the template's error rules (T01-T07, L01-L08) and the P01 roll-forward, and
reads the LAs and items of each period straight from the seeds, so the sample is checked
against the template without dbt and without the generator's own readers.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import itertools
import json
import re
import shutil
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

import riia.sample
from riia.periods import Period
from riia.sample.assemble import build_sample
from riia.sample.cli import load_definitions
from riia.sample.marker import MARKER_DIR, defects_json_path, is_sample, read_manifest
from riia.sample.mutations import break_sum
from riia.sample.rows import CSV_HEADER
from riia.sample.window import DEFAULT_WINDOW, Window

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FILE_RE = re.compile(r"^(\d{3})_(\d{4}-\d{2})_Q([1-4])(?:_v(\d+))?\.csv$")
PERIOD_RE = re.compile(r"^\d{4}-\d{2} Q[1-4]$")
COUNT_RE = re.compile(r"^\d+$")
FTE_RE = re.compile(r"^\d+(\.\d{1,2})?$")
ERROR_RULES = {"T01", "T02", "T03", "T04", "T05", "T06", "L01", "L02", "L03", "L05", "L06", "L07", "L08"}
REF_SOURCES = tuple(f"REF_SRC_{s}" for s in ("POLICE", "SCHOOLS", "HEALTH", "LA", "INDIVIDUAL", "OTHER", "UNKNOWN"))
STOCKS = (("CPP_END", "CPP_START", "CPP_CEASED"), ("CLA_END", "CLA_START", "CLA_CEASED"))
QUARTERS = tuple(p.label for p in DEFAULT_WINDOW.periods)
HISTORY_FIRST, HISTORY_QUARTERS = "2012-13 Q1", 52
EAST_MIDLANDS, SOUTH_EAST = "E12000004", "E12000008"
NEW_IN_2022 = {"CLA_UASC_END", "CARE_LEAVERS_UASC_END", "EHE_END", "EHC_REQUESTS", "EHC_ASSESSMENTS", "EHCP_ISSUED"}


# --- The seeds, read independently of the generator --------------------------------------


def seed_rows(relative: str) -> list[dict[str, str]]:
    with (PROJECT_ROOT / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


LA_ROWS = {row["la_code"]: row for row in seed_rows("seeds/reference/ref_local_authorities.csv")}
ITEM_ROWS = {row["item_code"]: row for row in seed_rows("seeds/register/ref_items.csv")}
CHILDREN = {
    (row["area_code"], int(row["mid_year"])): float(row["population"])
    for row in seed_rows("seeds/reference/ref_population.csv")
    if row["geography_level"] == "la" and row["age_band"] == "0-17"
}


@functools.cache
def las_of(period: str) -> frozenset[str]:
    """The LA codes valid in a period: first_mid_year <= year <= last_mid_year, or current."""
    year = int(period[:4])
    return frozenset(
        code
        for code, row in LA_ROWS.items()
        if int(row["first_mid_year"]) <= year and (row["is_current"] == "true" or year <= int(row["last_mid_year"]))
    )


@functools.cache
def items_of(period: str, region_code: str) -> frozenset[str]:
    """The items an LA of ``region_code`` returns in ``period`` (register periods compare as text)."""
    return frozenset(
        code
        for code, row in ITEM_ROWS.items()
        if row["first_period"] <= period
        and (not row["last_period"] or period <= row["last_period"])
        and (row["item_set"] == "riia_core" or row["collecting_region_code"] == region_code)
    )


@functools.cache
def children(la_code: str, period: str) -> float:
    year = int(period[:4])
    held = [y for (code, y) in CHILDREN if code == la_code and y <= year]
    return CHILDREN[(la_code, max(held))]


# --- A minimal validator ---------------------------------------------------------------


@dataclass
class ParsedReturn:
    """One return file, parsed as far as it can be, with the rules it breaks."""

    path: Path
    relative: str
    la_code: str
    period: str
    version: int
    readable: bool
    raw_rows: list[dict[str, str]] = field(default_factory=list)
    values: dict[str, float | None] = field(default_factory=dict)
    failures: set[str] = field(default_factory=set)

    def num(self, item_code: str) -> float | None:
        return self.values.get(item_code)


def check_items(parsed: ParsedReturn, rows: list[dict[str, str]]) -> set[str]:
    """T02-T07 for the rows of a readable return; fills in ``parsed.values``."""
    failures: set[str] = set()
    region = LA_ROWS[parsed.la_code]["region_code"] if parsed.la_code in LA_ROWS else ""
    expected, seen = items_of(parsed.period, region), set()
    for row in rows:
        code, value = row["item_code"], row["value"]
        if row["la_code"] != parsed.la_code or parsed.la_code not in las_of(parsed.period):
            failures.add("T02")
        if row["period"] != parsed.period or not PERIOD_RE.match(row["period"]):
            failures.add("T03")
        if code not in expected:
            failures.add("T04")
            continue
        if code in seen:
            failures.add("T06")
        seen.add(code)
        if value in ("", "x"):
            parsed.values[code] = None
        elif (FTE_RE if ITEM_ROWS[code]["value_type"] == "fte" else COUNT_RE).match(value):
            parsed.values[code] = float(value)
        else:
            failures.add("T05")
            parsed.values[code] = None
    if any(ITEM_ROWS[code]["item_set"] == "riia_core" and code not in seen for code in expected):
        failures.add("T07")
    return failures


def check_logic(parsed: ParsedReturn) -> set[str]:
    """L01-L08 as the template states them."""

    def le(small: str, big: str) -> bool:
        a, b = parsed.num(small), parsed.num(big)
        return a is None or b is None or a <= b

    failures = set()
    if not le("REREFERRALS", "REFERRALS"):
        failures.add("L01")
    sources = [parsed.num(code) for code in REF_SOURCES]
    given = [s for s in sources if s is not None]
    referrals = parsed.num("REFERRALS")
    if referrals is not None and len(given) == len(sources) and sum(given) != referrals:
        failures.add("L02")
    pairs = {
        "L03": [("ASSESS_45D", "ASSESS_COMPLETED")],
        "L04": [("ICPC_15D", "S47")],
        "L05": [("CPP_REPEAT_2Y", "CPP_REPEAT_EVER"), ("CPP_REPEAT_EVER", "CPP_START")],
        "L06": [("CLA_UASC_END", "CLA_END")],
        "L07": [("CARE_LEAVERS_UASC_END", "CARE_LEAVERS_END")],
        "L08": [("CLA_ADOPTED", "CLA_CEASED"), ("A3_UNDER_14M", "A1_CHILDREN")],
    }
    failures |= {rule for rule, checks in pairs.items() if not all(le(a, b) for a, b in checks)}
    return failures


def parse_return(path: Path, root: Path) -> ParsedReturn:
    """Parse a return and record which of T01-T07 and L01-L08 it breaks."""
    match = FILE_RE.match(path.name)
    assert match, f"unexpected file name {path}"
    la_code, fy, q, version = match.group(1), match.group(2), match.group(3), int(match.group(4) or 1)
    parsed = ParsedReturn(path, path.relative_to(root).as_posix(), la_code, f"{fy} Q{q}", version, True)
    try:
        rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    except (UnicodeDecodeError, csv.Error):
        rows = []
    if not rows or set(CSV_HEADER[:4]) - {k.strip().lower() for k in rows[0]}:
        parsed.readable = False
        parsed.failures.add("T01")
        return parsed
    parsed.raw_rows = rows
    parsed.failures = check_items(parsed, rows) | check_logic(parsed)
    return parsed


@dataclass
class SampleView:
    """A generated sample, parsed."""

    root: Path
    returns: list[ParsedReturn]
    manifest: dict
    periods: tuple[str, ...]

    @property
    def defects_by_file(self) -> dict[str, dict]:
        return {d["file"]: d for d in self.manifest["defects"]}

    def latest(self) -> dict[tuple[str, str], ParsedReturn]:
        """The latest version of each LA and quarter (S01)."""
        out: dict[tuple[str, str], ParsedReturn] = {}
        for r in sorted(self.returns, key=lambda r: r.version):
            out[(r.la_code, r.period)] = r
        return out

    def normal(self) -> list[ParsedReturn]:
        """Returns that carry no deliberate defect (resubmitted v2 files count as normal)."""
        defects = self.defects_by_file
        return [
            r for r in self.returns if r.relative not in defects or defects[r.relative]["expected_outcome"] == "loaded"
        ]


def load_view(root: Path) -> SampleView:
    returns = [parse_return(p, root) for p in sorted(root.rglob("*.csv"))]
    manifest = json.loads(defects_json_path(root).read_text(encoding="utf-8"))
    return SampleView(root, returns, manifest, tuple(manifest["periods"]))


def roll_forward_breaks(view: SampleView, tolerance: tuple[float, float] = (5.0, 0.1)) -> set[tuple[str, str, str]]:
    """(la_code, period, stock) where a stock does not roll forward within P01's tolerance."""
    latest = view.latest()
    breaks: set[tuple[str, str, str]] = set()
    for la_code, (before, after) in itertools.product(LA_ROWS, itertools.pairwise(view.periods)):
        prev, cur = latest.get((la_code, before)), latest.get((la_code, after))
        if not (prev and cur and prev.readable and cur.readable):
            continue
        for stock, start, ceased in STOCKS:
            a, b, s, c = prev.num(stock), cur.num(stock), cur.num(start), cur.num(ceased)
            if a is None or b is None or s is None or c is None:
                continue
            if abs(b - (a + s - c)) > max(tolerance[0], tolerance[1] * a):
                breaks.add((la_code, after, stock))
    return breaks


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> SampleView:
    out = tmp_path_factory.mktemp("sample_returns") / "returns"
    assert riia.sample.main(["--out", str(out)]) == 0
    return load_view(out)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> SampleView:
    """52 quarters, 2012-13 Q1 .. 2024-25 Q4, written in well under 30 seconds."""
    out = tmp_path_factory.mktemp("history") / "returns"
    started = time.perf_counter()
    assert riia.sample.main(["--out", str(out), "--first-period", HISTORY_FIRST, "--quarters", "52"]) == 0
    assert time.perf_counter() - started < 30
    return load_view(out)


# --- Determinism and layout ---------------------------------------------------------------


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert riia.sample.main(["--out", str(tmp_path / name)]) == 0
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    assert Path(MARKER_DIR, "manifest.json") in files_a
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_a_different_seed_gives_different_values(tmp_path: Path, view: SampleView) -> None:
    assert riia.sample.main(["--out", str(tmp_path), "--seed", "7"]) == 0
    rel = "2024-25_Q4/301_2024-25_Q4.csv"
    if rel in view.defects_by_file:
        rel = "2024-25_Q4/302_2024-25_Q4.csv"
    assert (tmp_path / rel).read_bytes() != (view.root / rel).read_bytes()


def test_every_la_of_each_quarter_has_a_return(view: SampleView) -> None:
    assert view.periods == QUARTERS
    have = {(r.la_code, r.period) for r in view.returns}
    expected = {(la, q) for q in QUARTERS for la in las_of(q)}
    assert have == expected
    assert {len(las_of(q)) for q in QUARTERS} == {152, 153}
    for r in view.returns:
        assert r.path.parent.name == r.period.replace(" ", "_"), r.relative
    resubmissions = [r.relative for r in view.returns if r.version > 1]
    assert len(resubmissions) == 3


def test_cumbria_sends_2022_23_and_its_successors_start_in_2023_24(view: SampleView) -> None:
    periods_of = defaultdict(set)
    for r in view.returns:
        periods_of[r.la_code].add(r.period)
    assert periods_of["909"] == {"2022-23 Q1", "2022-23 Q2", "2022-23 Q3", "2022-23 Q4"}
    for successor in ("942", "943"):
        assert min(periods_of[successor]) == "2023-24 Q1"
        assert len(periods_of[successor]) == 8


def test_files_are_utf8_lf_with_the_template_header(view: SampleView) -> None:
    for r in view.returns:
        if not r.readable:
            continue
        data = r.path.read_bytes()
        assert b"\r" not in data, r.relative
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(CSV_HEADER)


# --- Rules and realism ----------------------------------------------------------------------


def test_normal_returns_pass_every_rule(view: SampleView) -> None:
    normal = view.normal()
    assert len(normal) > 1800
    broken = {r.relative: sorted(r.failures) for r in normal if r.failures}
    assert broken == {}


def test_items_present_by_region(view: SampleView) -> None:
    for r in view.normal():
        codes = [row["item_code"] for row in r.raw_rows]
        assert sorted(codes) == sorted(items_of(r.period, LA_ROWS[r.la_code]["region_code"])), r.relative
    em = [r for r in view.normal() if LA_ROWS[r.la_code]["region_code"] == EAST_MIDLANDS]
    se = [r for r in view.normal() if LA_ROWS[r.la_code]["region_code"] == SOUTH_EAST]
    assert em and se
    assert all("SW_FTE" in r.values and "CLA_ADOPTED" not in r.values for r in em)
    assert all("CLA_ADOPTED" in r.values and "SW_FTE" not in r.values for r in se)


def test_referral_sources_sum_and_inequalities(view: SampleView) -> None:
    checked = 0
    for r in view.normal():
        v = {k: x for k, x in r.values.items() if x is not None}
        assert sum(v[c] for c in REF_SOURCES) == v["REFERRALS"], r.relative
        assert v["REREFERRALS"] <= v["REFERRALS"]
        assert v["ASSESS_45D"] <= v["ASSESS_COMPLETED"]
        assert v["ICPC_15D"] <= v["S47"]
        assert v["CPP_REPEAT_2Y"] <= v["CPP_REPEAT_EVER"] <= v["CPP_START"]
        assert v["CLA_UASC_END"] <= v["CLA_END"]
        assert v["CARE_LEAVERS_UASC_END"] <= v["CARE_LEAVERS_END"]
        if "CLA_ADOPTED" in v:
            assert v["CLA_ADOPTED"] <= v["CLA_CEASED"]
            assert v["A3_UNDER_14M"] <= v["A1_CHILDREN"] == v["CLA_ADOPTED"]
        checked += 1
    assert checked > 1800


def test_fte_items_have_two_decimals_and_counts_are_whole(view: SampleView) -> None:
    for r in view.normal():
        for row in r.raw_rows:
            if row["value"] in ("", "x"):
                continue
            if ITEM_ROWS[row["item_code"]]["value_type"] == "fte":
                assert re.fullmatch(r"\d+\.\d{2}", row["value"]), (r.relative, row)
            else:
                assert COUNT_RE.fullmatch(row["value"]), (r.relative, row)


def test_stocks_roll_forward_except_the_p01_defect(view: SampleView) -> None:
    p01 = {(d["la_code"], d["period"], d["item_code"]) for d in view.manifest["defects"] if d["rule_id"] == "P01"}
    assert len(p01) == 1
    assert roll_forward_breaks(view) == p01


def _england(view: SampleView, period: str) -> dict[str, float]:
    """England totals for a quarter over the latest usable returns, and the 0-17 population."""
    totals: dict[str, float] = defaultdict(float)
    for (la_code, p), r in view.latest().items():
        if p != period or r.failures & ERROR_RULES:
            continue
        totals["pop"] += children(la_code, period)
        for code, value in r.values.items():
            if value is not None:
                totals[code] += value
    return totals


def test_england_level_realism(view: SampleView) -> None:
    t = _england(view, "2024-25 Q4")
    per_10k = {code: t[code] / t["pop"] * 10_000 for code in t if code != "pop"}
    assert 280 <= per_10k["CIN_END"] <= 380
    assert 60 <= per_10k["CLA_END"] <= 80
    assert 35 <= per_10k["CPP_END"] <= 50
    assert 3.5 <= t["CONTACTS"] / t["REFERRALS"] <= 5.5
    assert 18 <= 100 * t["REREFERRALS"] / t["REFERRALS"] <= 26
    assert 75 <= 100 * t["ASSESS_45D"] / t["ASSESS_COMPLETED"] <= 85
    assert 5 <= 100 * t["CLA_UASC_END"] / t["CLA_END"] <= 10
    for quarter in QUARTERS:
        q = _england(view, quarter)
        assert 110 <= q["REFERRALS"] / q["pop"] * 10_000 <= 150, quarter


def test_schools_referrals_dip_in_the_summer_quarter(view: SampleView) -> None:
    q1, q2, q3 = (_england(view, f"2023-24 Q{n}") for n in (1, 2, 3))
    assert q2["REF_SRC_SCHOOLS"] < 0.9 * q1["REF_SRC_SCHOOLS"]
    assert q3["REF_SRC_SCHOOLS"] > q1["REF_SRC_SCHOOLS"]


# --- Defects and gaps ------------------------------------------------------------------------


def test_defects_exist_and_break_only_their_own_rule(view: SampleView) -> None:
    by_file = {r.relative: r for r in view.returns}
    defects = view.manifest["defects"]
    assert {d["rule_id"] for d in defects} == ERROR_RULES | {"T07", "L04", "P01", "S01"}
    for d in defects:
        assert (view.root / d["file"]).is_file(), d["file"]
        parsed = by_file[d["file"]]
        if d["rule_id"] in ("P01", "S01"):
            assert parsed.failures == set(), d
        else:
            assert parsed.failures == {d["rule_id"]}, d
        for link in ("supersedes", "fixed_by"):
            if d[link]:
                assert (view.root / d[link]).is_file()
    # Three resubmissions: v1 broke L01, v1 broke L02, v1 had a typo; every v2 is clean.
    assert sorted(d["rule_id"] for d in defects if d["fixed_by"]) == ["L01", "L02", "S01"]
    unreadable = [d for d in defects if d["rule_id"] == "T01"]
    assert [d["file"].split("/")[0] for d in unreadable] == ["2023-24_Q2"]
    assert (view.root / unreadable[0]["file"]).read_bytes()[:2] == b"PK"
    assert len({d["region_code"] for d in defects}) >= 7
    assert (view.root / MARKER_DIR / "SAMPLE_DEFECTS.md").is_file()


def test_gaps_are_the_only_blank_or_x_values(view: SampleView) -> None:
    gaps = {(g["file"], g["item_code"]) for g in view.manifest["gaps"]}
    found = {(r.relative, row["item_code"]) for r in view.returns for row in r.raw_rows if row["value"] in ("", "x")}
    assert found == gaps
    assert 3 <= len(gaps) <= 8


# --- History with the LAs and items of the day -------------------------------------------


def test_history_has_the_las_of_the_day_under_their_codes(history: SampleView) -> None:
    assert len(history.periods) == HISTORY_QUARTERS and history.periods[0] == HISTORY_FIRST
    have: dict[str, set[str]] = defaultdict(set)
    for r in history.returns:
        have[r.period].add(r.la_code)
    for period in history.periods:
        assert have[period] == las_of(period), period
    first_year = {code: min(int(p[:4]) for p in have if code in have[p]) for code in LA_ROWS}
    last_year = {code: max(int(p[:4]) for p in have if code in have[p]) for code in LA_ROWS}
    assert first_year["942"] == first_year["943"] == 2023 and last_year["909"] == 2022
    assert (
        max(last_year[c] for c in ("835", "836", "837")) == 2018 and min(first_year[c] for c in ("838", "839")) == 2019
    )
    assert last_year["928"] == 2020 and first_year["940"] == first_year["941"] == 2021
    assert {code for code in LA_ROWS if first_year[code] == 2012} == las_of("2012-13 Q1")


def test_history_has_the_items_of_the_day(history: SampleView) -> None:
    for r in history.normal():
        codes = {row["item_code"] for row in r.raw_rows}
        assert codes == items_of(r.period, LA_ROWS[r.la_code]["region_code"]), r.relative
        if r.period < "2022-23 Q1":
            assert not codes & NEW_IN_2022, r.relative
    assert any({row["item_code"] for row in r.raw_rows} >= NEW_IN_2022 for r in history.returns)


def test_history_returns_pass_every_rule_and_roll_forward(history: SampleView) -> None:
    broken = {r.relative: sorted(r.failures) for r in history.normal() if r.failures}
    assert broken == {}
    p01 = {(d["la_code"], d["period"], d["item_code"]) for d in history.manifest["defects"] if d["rule_id"] == "P01"}
    assert roll_forward_breaks(history) == p01


def test_predecessors_figures_fit_their_population(history: SampleView) -> None:
    latest = history.latest()
    for code, period in (("928", "2020-21 Q4"), ("909", "2022-23 Q4")):
        figures, pop = latest[(code, period)].values, children(code, period)
        assert 30 <= (figures["CLA_END"] or 0) / pop * 10_000 <= 200, (code, figures["CLA_END"], pop)
        assert 40 <= (figures["REFERRALS"] or 0) / pop * 10_000 <= 400, (code, figures["REFERRALS"], pop)
    # Dorset, Poole and Bournemouth have no population in the seeds: the area's figures
    # before the reorganisation are of the size of its successors' after it.
    for before, after, item in itertools.product(("2018-19 Q4",), ("2019-20 Q1",), ("CLA_END", "REFERRALS", "CIN_END")):
        old = sum(latest[(code, before)].values[item] or 0 for code in ("835", "836", "837"))
        new = sum(latest[(code, after)].values[item] or 0 for code in ("838", "839"))
        assert 0.5 <= old / new <= 2, (item, old, new)


def test_defects_go_in_the_last_12_quarters_whatever_the_history(view: SampleView, history: SampleView) -> None:
    def shape(sample: SampleView) -> list[tuple[str, str]]:
        return sorted((d["rule_id"], d["expected_outcome"]) for d in sample.manifest["defects"])

    assert shape(history) == shape(view)
    last_12 = set(history.periods[-12:])
    assert {d["period"] for d in history.manifest["defects"]} <= last_12
    assert {g["period"] for g in history.manifest["gaps"]} <= last_12
    by_file = {r.relative: r for r in history.returns}
    for d in history.manifest["defects"]:
        expected = set() if d["rule_id"] in ("P01", "S01") else {d["rule_id"]}
        assert by_file[d["file"]].failures == expected, d


# --- Defects driven by the rule definitions ---------------------------------------------


def project_copy(tmp_path: Path) -> Path:
    """The seeds and suites the generator reads, copied so a test can change them."""
    root = tmp_path / "project"
    for folder in ("seeds", "gx"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def rewrite_csv(path: Path, change) -> None:
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(change(row) or row for row in rows)


def planted(root: Path, rule_id: str) -> tuple[dict, dict[str, str]]:
    """The first defect record of ``rule_id`` in a sample built from ``root``, and its file's figures."""
    reference, rules = load_definitions(root)
    sample = build_sample(reference, rules, DEFAULT_WINDOW)
    record = next(d for d in sample.defects if d.rule_id == rule_id)
    rows = next(f.rows for f in sample.files if f.relative_path == record.file)
    return asdict(record), {row.item_code: row.value for row in rows}


def test_the_rules_are_read_from_the_suite_and_the_register() -> None:
    _, rules = load_definitions(PROJECT_ROOT)
    assert (rules.pair_for("L01").larger, rules.pair_for("L01").smaller) == ("REFERRALS", "REREFERRALS")
    assert rules.pair_for("L05").items == ("CPP_REPEAT_EVER", "CPP_REPEAT_2Y")  # the first of two
    assert rules.sum_for("L02").whole == "REFERRALS" and rules.sum_for("L02").parts == REF_SOURCES
    assert [(r.stock, r.start, r.ceased) for r in rules.roll_forwards] == list(STOCKS)
    limits = rules.limits
    assert (limits.p01_tolerance_percent, limits.p01_tolerance_minimum) == (10, 5)
    assert (limits.p02_max_change_percent, limits.p03_max_iqr_distance) == (50, 3)


def test_a_planted_l_defect_follows_the_suites_column_pair(tmp_path: Path) -> None:
    record, figures = planted(PROJECT_ROOT, "L07")
    assert record["item_code"] == "CARE_LEAVERS_UASC_END"
    root = project_copy(tmp_path)
    suite_path = root / "gx" / "expectations" / "riia_logical_consistency.json"
    suite = json.loads(suite_path.read_text(encoding="utf-8"))
    l07 = next(e for e in suite["expectations"] if e["meta"]["rule_id"] == "L07")
    l07["kwargs"].update(column_A="CLA_END", column_B="CLA_MISSING")  # an East Midlands item
    suite_path.write_text(json.dumps(suite), encoding="utf-8")
    record, figures = planted(root, "L07")
    assert record["item_code"] == "CLA_MISSING" and record["region_code"] == EAST_MIDLANDS
    assert int(figures["CLA_MISSING"]) > int(figures["CLA_END"])
    assert "CLA_MISSING" in record["description"] and "CARE_LEAVERS" not in record["description"]


def test_a_planted_l02_defect_follows_sums_to_item(tmp_path: Path) -> None:
    record, _ = planted(PROJECT_ROOT, "L02")
    assert record["item_code"] == "REF_SRC_POLICE"  # the largest part
    root = project_copy(tmp_path)
    rewrite_csv(
        root / "seeds" / "register" / "ref_items.csv",
        lambda row: row.update(sums_to_item="") if row["item_code"] == "REF_SRC_POLICE" else None,
    )
    # Without police the parts no longer add up in any return (a whole sample would be
    # refused), so break one good return with the changed rule.
    _, rules = load_definitions(root)
    rule = rules.sum_for("L02")
    assert rule.parts == REF_SOURCES[1:]
    reference, default_rules = load_definitions(PROJECT_ROOT)
    sample = build_sample(reference, default_rules, DEFAULT_WINDOW)
    rows = next(f.rows for f in sample.files if f.relative_path == record["fixed_by"])
    before = {row.item_code: int(row.value) for row in rows}
    item, description = break_sum(rows, rule)
    after = {row.item_code: int(row.value) for row in rows}
    assert item in rule.parts and item != "REF_SRC_POLICE"
    assert {code for code in before if before[code] != after[code]} == {item}
    assert f"not REFERRALS {before['REFERRALS']}" in description


def test_the_p01_defect_follows_the_register_and_its_tolerance(tmp_path: Path) -> None:
    root = project_copy(tmp_path)
    rewrite_csv(
        root / "seeds" / "register" / "ref_items.csv",
        lambda row: (
            row.update(roll_forward_start_item="", roll_forward_ceased_item="")
            if row["item_code"] == "CLA_END"
            else None
        ),
    )
    rewrite_csv(
        root / "seeds" / "register" / "ref_rule_parameters.csv",
        lambda row: (
            row.update(value="8") if (row["rule_id"], row["parameter"]) == ("P01", "tolerance_minimum") else None
        ),
    )
    out = tmp_path / "returns"
    assert riia.sample.main(["--out", str(out), "--repo-root", str(root)]) == 0
    sample = load_view(out)
    (record,) = [d for d in sample.manifest["defects"] if d["rule_id"] == "P01"]
    assert record["item_code"] == "CPP_END"
    assert int(re.search(r"is (\d+) higher", record["description"])[1]) >= 3 * 8
    assert roll_forward_breaks(sample, tolerance=(8.0, 0.1)) == {(record["la_code"], record["period"], "CPP_END")}


# --- The marker and the returns folder ---------------------------------------------------


def test_the_returns_folder_holds_only_returns_and_the_marker(view: SampleView) -> None:
    top = {p.name for p in view.root.iterdir()}
    assert top == {MARKER_DIR, *(q.replace(" ", "_") for q in QUARTERS)}
    files = [p for p in view.root.rglob("*") if p.is_file() and MARKER_DIR not in p.parts]
    assert all(FILE_RE.match(p.name) for p in files)
    assert {p.name for p in (view.root / MARKER_DIR).iterdir()} == {
        "manifest.json",
        "SAMPLE_DEFECTS.md",
        "sample_defects.json",
    }


def test_the_manifest_lists_every_file_written_with_its_sha256(view: SampleView) -> None:
    assert is_sample(view.root)
    manifest = read_manifest(view.root)
    assert manifest["generator"] == "riia sample" and manifest["seed"] == 20250401
    assert (manifest["first_period"], manifest["quarters"]) == ("2022-23 Q1", 12)
    on_disk = {
        p.relative_to(view.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in view.root.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    }
    assert manifest["files"] == on_disk


def test_only_if_empty_leaves_a_folder_with_a_csv_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = tmp_path / "returns" / "some" / "where"
    nested.mkdir(parents=True)
    (nested / "301_2024-25_Q1.csv").write_text("la_code,period,item_code,value\n", encoding="utf-8")
    assert riia.sample.main(["--out", str(tmp_path / "returns"), "--only-if-empty"]) == 0
    assert "not writing" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "returns").rglob("*") if p.is_file()] == ["301_2024-25_Q1.csv"]
    assert not is_sample(tmp_path / "returns")


def test_only_if_empty_writes_into_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "returns"
    assert riia.sample.main(["--out", str(out), "--only-if-empty"]) == 0
    assert len(list(out.rglob("*.csv"))) == sum(len(las_of(q)) for q in QUARTERS) + 3
    assert is_sample(out) and defects_json_path(out).is_file()
    assert not (out / "SAMPLE_DEFECTS.md").exists() and not (out / "sample_defects.json").exists()


def test_returns_dir_env_var_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIIA_RETURNS_DIR", str(tmp_path / "env_returns"))
    assert riia.sample.main([]) == 0
    assert defects_json_path(tmp_path / "env_returns").is_file()


@pytest.mark.parametrize(("first", "quarters"), [("2024-25 Q5", 12), ("2024-26 Q1", 12), ("2022-23 Q1", 2)])
def test_a_bad_window_is_refused_with_a_sentence(
    first: str, quarters: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert riia.sample.main(["--out", str(tmp_path), "--first-period", first, "--quarters", str(quarters)]) == 2
    assert "riia sample:" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_the_default_window_is_the_12_quarters_to_2024_25() -> None:
    assert Window(Period.of(2022, 1), 12) == DEFAULT_WINDOW
    assert DEFAULT_WINDOW.last == Period.require("2024-25 Q4")
