"""Tests of the sample generator (riia.sample): determinism, layout, rules, realism, defects.

The generator is run into temporary folders (never data/returns). A small validator here
re-implements the template's error rules (T01-T07, L01-L08) and the P01 roll-forward so
the sample can be checked without dbt; the pipeline's own validation is tested elsewhere.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import riia.sample
from riia.sample.profile import REFERRAL_SOURCE_SHARES
from riia.sample.reference import Reference, load_reference
from riia.sample.rows import CSV_HEADER
from riia.sample.window import DEFAULT_WINDOW

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FILE_RE = re.compile(r"^(\d{3})_(\d{4}-\d{2})_Q([1-4])(?:_v(\d+))?\.csv$")
PERIOD_RE = re.compile(r"^\d{4}-\d{2} Q[1-4]$")
COUNT_RE = re.compile(r"^\d+$")
FTE_RE = re.compile(r"^\d+(\.\d{1,2})?$")
ERROR_RULES = {"T01", "T02", "T03", "T04", "T05", "T06", "L01", "L02", "L03", "L05", "L06", "L07", "L08"}
REF_SOURCES = tuple(REFERRAL_SOURCE_SHARES)
QUARTERS = DEFAULT_WINDOW.periods
EAST_MIDLANDS, SOUTH_EAST = "E12000004", "E12000008"
STOCKS = (("CPP_END", "CPP_START", "CPP_CEASED"), ("CLA_END", "CLA_START", "CLA_CEASED"))


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


def parse_return(path: Path, root: Path, reference: Reference, current: set[str]) -> ParsedReturn:
    """Parse a return and record which of T01-T07 and L01-L08 it breaks."""
    match = FILE_RE.match(path.name)
    assert match, f"unexpected file name {path}"
    la_code, fy, q, version = match.group(1), match.group(2), match.group(3), int(match.group(4) or 1)
    parsed = ParsedReturn(path, path.relative_to(root).as_posix(), la_code, f"{fy} Q{q}", version, True)
    try:
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
    except (UnicodeDecodeError, csv.Error):
        parsed.readable = False
        parsed.failures.add("T01")
        return parsed
    if not rows or set(CSV_HEADER[:4]) - {k.strip().lower() for k in rows[0]}:
        parsed.readable = False
        parsed.failures.add("T01")
        return parsed
    parsed.raw_rows = rows
    items = {item.code: item for item in reference.items}
    seen: set[str] = set()
    for row in rows:
        code, value = row["item_code"], row["value"]
        if row["la_code"] != la_code or la_code not in current:
            parsed.failures.add("T02")
        if row["period"] != parsed.period or not PERIOD_RE.match(row["period"]):
            parsed.failures.add("T03")
        if code not in items:
            parsed.failures.add("T04")
            continue
        if code in seen:
            parsed.failures.add("T06")
        seen.add(code)
        if value in ("", "x"):
            parsed.values[code] = None
        elif (FTE_RE if items[code].value_type == "fte" else COUNT_RE).match(value):
            parsed.values[code] = float(value)
        else:
            parsed.failures.add("T05")
            parsed.values[code] = None
    if any(item.is_core and item.code not in seen for item in reference.items):
        parsed.failures.add("T07")

    def le(small: str, big: str) -> bool:
        a, b = parsed.num(small), parsed.num(big)
        return a is None or b is None or a <= b

    if not le("REREFERRALS", "REFERRALS"):
        parsed.failures.add("L01")
    sources = [parsed.num(code) for code in REF_SOURCES]
    given = [s for s in sources if s is not None]
    referrals = parsed.num("REFERRALS")
    if referrals is not None and len(given) == len(sources) and sum(given) != referrals:
        parsed.failures.add("L02")
    if not le("ASSESS_45D", "ASSESS_COMPLETED"):
        parsed.failures.add("L03")
    if not le("ICPC_15D", "S47"):
        parsed.failures.add("L04")
    if not (le("CPP_REPEAT_2Y", "CPP_REPEAT_EVER") and le("CPP_REPEAT_EVER", "CPP_START")):
        parsed.failures.add("L05")
    if not le("CLA_UASC_END", "CLA_END"):
        parsed.failures.add("L06")
    if not le("CARE_LEAVERS_UASC_END", "CARE_LEAVERS_END"):
        parsed.failures.add("L07")
    if not (le("CLA_ADOPTED", "CLA_CEASED") and le("A3_UNDER_14M", "A1_CHILDREN")):
        parsed.failures.add("L08")
    return parsed


@dataclass
class SampleView:
    """The generated sample, parsed."""

    root: Path
    reference: Reference
    returns: list[ParsedReturn]
    manifest: dict

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
    reference = load_reference(PROJECT_ROOT)
    current = {la.la_code for la in reference.current_las}
    returns = [parse_return(p, root, reference, current) for p in sorted(root.rglob("*.csv"))]
    manifest = json.loads((root / "sample_defects.json").read_text(encoding="utf-8"))
    return SampleView(root, reference, returns, manifest)


def roll_forward_breaks(view: SampleView) -> set[tuple[str, str, str]]:
    """(la_code, period, stock) where a stock does not roll forward within P01's tolerance."""
    latest = view.latest()
    breaks: set[tuple[str, str, str]] = set()
    for la in view.reference.current_las:
        for before, after in itertools.pairwise(QUARTERS):
            prev, cur = latest.get((la.la_code, before.label)), latest.get((la.la_code, after.label))
            if not (prev and cur and prev.readable and cur.readable):
                continue
            for stock, start, ceased in STOCKS:
                a, b, s, c = prev.num(stock), cur.num(stock), cur.num(start), cur.num(ceased)
                if None in (a, b, s, c):
                    continue
                assert a is not None and b is not None and s is not None and c is not None
                if abs(b - (a + s - c)) > max(5.0, 0.1 * a):
                    breaks.add((la.la_code, after.label, stock))
    return breaks


@pytest.fixture(scope="module")
def view(tmp_path_factory: pytest.TempPathFactory) -> SampleView:
    out = tmp_path_factory.mktemp("sample_returns") / "returns"
    assert riia.sample.main(["--out", str(out)]) == 0
    return load_view(out)


# --- Tests --------------------------------------------------------------------------------


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert riia.sample.main(["--out", str(tmp_path / name)]) == 0
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_a_different_seed_gives_different_values(tmp_path: Path, view: SampleView) -> None:
    assert riia.sample.main(["--out", str(tmp_path), "--seed", "7"]) == 0
    rel = "2024-25_Q4/301_2024-25_Q4.csv"
    if rel in view.defects_by_file:
        rel = "2024-25_Q4/302_2024-25_Q4.csv"
    assert (tmp_path / rel).read_bytes() != (view.root / rel).read_bytes()


def test_every_la_and_quarter_has_a_return(view: SampleView) -> None:
    las = {la.la_code for la in view.reference.current_las}
    assert len(las) == 153
    have = {(r.la_code, r.period) for r in view.returns}
    expected = {(la, q.label) for la in las for q in QUARTERS}
    assert have == expected
    for r in view.returns:
        assert r.path.parent.name == r.period.replace(" ", "_"), r.relative
    resubmissions = [r.relative for r in view.returns if r.version > 1]
    assert len(resubmissions) == 3


def test_files_are_utf8_lf_with_the_template_header(view: SampleView) -> None:
    for r in view.returns:
        if not r.readable:
            continue
        data = r.path.read_bytes()
        assert b"\r" not in data, r.relative
        assert data.decode("utf-8").split("\n", 1)[0] == ",".join(CSV_HEADER)


def test_normal_returns_pass_every_rule(view: SampleView) -> None:
    normal = view.normal()
    assert len(normal) > 1800
    broken = {r.relative: sorted(r.failures) for r in normal if r.failures}
    assert broken == {}


def test_items_present_by_region(view: SampleView) -> None:
    las = {la.la_code: la for la in view.reference.current_las}
    core = {i.code for i in view.reference.items if i.is_core}
    regional = {i.code: i.collecting_region_code for i in view.reference.items if not i.is_core}
    for r in view.normal():
        codes = [row["item_code"] for row in r.raw_rows]
        region = las[r.la_code].region_code
        expected = core | {code for code, reg in regional.items() if reg == region}
        assert sorted(codes) == sorted(expected), r.relative
    em = [r for r in view.normal() if las[r.la_code].region_code == EAST_MIDLANDS]
    se = [r for r in view.normal() if las[r.la_code].region_code == SOUTH_EAST]
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
    fte = {i.code for i in view.reference.items if i.value_type == "fte"}
    for r in view.normal():
        for row in r.raw_rows:
            if row["value"] in ("", "x"):
                continue
            if row["item_code"] in fte:
                assert re.fullmatch(r"\d+\.\d{2}", row["value"]), (r.relative, row)
            else:
                assert COUNT_RE.fullmatch(row["value"]), (r.relative, row)


def test_stocks_roll_forward_except_the_p01_defect(view: SampleView) -> None:
    p01 = {(d["la_code"], d["period"], d["item_code"]) for d in view.manifest["defects"] if d["rule_id"] == "P01"}
    assert len(p01) == 1
    assert roll_forward_breaks(view) == p01


def _england(view: SampleView, period: str) -> dict[str, float]:
    """England totals for a quarter over the latest usable returns, and the 0-17 population."""
    latest = view.latest()
    quarter = next(q for q in QUARTERS if q.label == period)
    totals: dict[str, float] = defaultdict(float)
    for la in view.reference.current_las:
        r = latest[(la.la_code, period)]
        if r.failures & ERROR_RULES:
            continue
        totals["pop"] += la.children(quarter.population_mid_year)
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
        q = _england(view, quarter.label)
        assert 110 <= q["REFERRALS"] / q["pop"] * 10_000 <= 150, quarter.label


def test_schools_referrals_dip_in_the_summer_quarter(view: SampleView) -> None:
    q1, q2, q3 = (_england(view, f"2023-24 Q{n}") for n in (1, 2, 3))
    assert q2["REF_SRC_SCHOOLS"] < 0.9 * q1["REF_SRC_SCHOOLS"]
    assert q3["REF_SRC_SCHOOLS"] > q1["REF_SRC_SCHOOLS"]


def test_defects_exist_and_break_only_their_own_rule(view: SampleView) -> None:
    by_file = {r.relative: r for r in view.returns}
    defects = view.manifest["defects"]
    rules = {d["rule_id"] for d in defects}
    expected = ERROR_RULES | {"T07", "L04", "P01", "S01"}
    assert rules == expected
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
    v1_rules = sorted(d["rule_id"] for d in defects if d["fixed_by"])
    assert v1_rules == ["L01", "L02", "S01"]
    unreadable = [d for d in defects if d["rule_id"] == "T01"]
    assert [d["file"].split("/")[0] for d in unreadable] == ["2023-24_Q2"]
    assert (view.root / unreadable[0]["file"]).read_bytes()[:2] == b"PK"
    regions = {d["region_code"] for d in defects}
    assert len(regions) >= 7
    assert (view.root / "SAMPLE_DEFECTS.md").is_file()


def test_gaps_are_the_only_blank_or_x_values(view: SampleView) -> None:
    gaps = {(g["file"], g["item_code"]) for g in view.manifest["gaps"]}
    found = {(r.relative, row["item_code"]) for r in view.returns for row in r.raw_rows if row["value"] in ("", "x")}
    assert found == gaps
    assert 3 <= len(gaps) <= 8


def test_only_if_empty_leaves_a_folder_with_a_csv_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nested = tmp_path / "returns" / "some" / "where"
    nested.mkdir(parents=True)
    (nested / "301_2024-25_Q1.csv").write_text("la_code,period,item_code,value\n", encoding="utf-8")
    assert riia.sample.main(["--out", str(tmp_path / "returns"), "--only-if-empty"]) == 0
    assert "not writing" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "returns").rglob("*") if p.is_file()] == ["301_2024-25_Q1.csv"]


def test_only_if_empty_writes_into_a_missing_folder(tmp_path: Path) -> None:
    out = tmp_path / "new" / "returns"
    assert riia.sample.main(["--out", str(out), "--only-if-empty"]) == 0
    assert len(list(out.rglob("*.csv"))) == 153 * 12 + 3
    assert (out / "SAMPLE_DEFECTS.md").is_file() and (out / "sample_defects.json").is_file()


def test_returns_dir_env_var_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIIA_RETURNS_DIR", str(tmp_path / "env_returns"))
    assert riia.sample.main([]) == 0
    assert (tmp_path / "env_returns" / "sample_defects.json").is_file()
