"""Every guidance rule of RETURN_TEMPLATE.md section 4, broken and kept, through the real
Great Expectations suites (gx/expectations/) and a real dbt build.

One module-scoped build validates a folder of small fixture returns: for each rule, returns
that break it (the finding's rule, severity, line and item are asserted exactly) and
returns that keep it, often at the boundary (no finding of that rule). Every case uses its
own LA, so cases cannot interact; P01/P02 cases also send the previous quarter, and the P03
cases share a quarter of their own, whose England range they make.

The suites' severities are also checked against the seed ref_validation_rules, without a
build.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, Build, run_dbt, write_return

SUITES_DIR = PROJECT_ROOT / "gx" / "expectations"
SUITE_BY_TIER = {
    "template": "riia_template_conformance",
    "logical": "riia_logical_consistency",
    "plausibility": "riia_plausibility",
}
PERIOD, PREVIOUS = "2024-25 Q2", "2024-25 Q1"
P03_PERIOD = "2024-25 Q4"  # only the P03 cases send this quarter: they make England's range
EAST_MIDLANDS, SOUTH_EAST = "E12000004", "E12000008"
# T04 judges a return against the register of its own quarter: six items are collected only
# from 2022-23 Q1 (RETURN_TEMPLATE.md section 1a).
ITEMS_FROM_2022 = ("CLA_UASC_END", "CARE_LEAVERS_UASC_END", "EHE_END", "EHC_REQUESTS", "EHC_ASSESSMENTS", "EHCP_ISSUED")
BEFORE_2022 = "2020-21 Q4"
# Cumbria (909) was replaced in April 2023 by Cumberland (942) and Westmorland and Furness (943).
CUMBRIA, CUMBRIA_LAST_YEAR = "909", "2022-23 Q2"
# Build only what the findings need (and S01's model of the version in use), with every seed;
# tests on other models are left out (cautious), as those models are not built.
BUILD_SELECTION = (
    "--select",
    "resource_type:seed",
    "+int_validation_findings",
    "int_return_status",
    "--indirect-selection",
    "cautious",
)


def quarter_of(day: date) -> tuple[int, int]:
    """(financial year start, quarter) of a day: April-June is Q1."""
    return (day.year if day.month >= 4 else day.year - 1), (day.month - 4) % 12 // 3 + 1


def period_label(start_year: int, quarter: int) -> str:
    return f"{start_year}-{(start_year + 1) % 100:02d} Q{quarter}"


# T03: a return is for a quarter that has ended by the day of the build (dbt's run date,
# in UTC). The quarter of that day has not ended yet, so it is the first that cannot be
# returned; the quarter before it is the latest that can.
_YEAR, _QUARTER = quarter_of(datetime.now(UTC).date())
NOT_ENDED_PERIOD = period_label(_YEAR, _QUARTER)
LATEST_PERIOD = period_label(_YEAR - (_QUARTER == 1), (_QUARTER - 2) % 4 + 1)


def read_seed(path: str) -> list[dict[str, str]]:
    with (PROJECT_ROOT / "seeds" / path).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


ITEMS = read_seed("register/ref_items.csv")
RULES = read_seed("register/ref_validation_rules.csv")
REGION = {
    r["la_code"]: r["region_code"]
    for r in read_seed("reference/ref_local_authorities.csv")
    if r["is_current"] == "true"
}
CHILDREN = {
    r["area_code"]: int(r["population"])
    for r in read_seed("reference/ref_population.csv")
    if r["geography_level"] == "la" and r["age_band"] == "0-17" and r["mid_year"] == "2024"
}


# --- fixture returns ---------------------------------------------------------------------


class LaPool:
    """Hands out a different current LA (at least 30,000 children) to every case."""

    def __init__(self) -> None:
        self.free = sorted(la for la in REGION if CHILDREN.get(la, 0) >= 30_000)
        self.handed_out = 0

    def take(self, region: str | None = None) -> tuple[str, float]:
        """(la_code, level): the level spreads the LAs' rates from 0.8 to 1.2 of England's."""
        # Without a region asked for, avoid the regions that collect regional items.
        la = next(
            la
            for la in self.free
            if REGION[la] == region or (region is None and REGION[la] not in (EAST_MIDLANDS, SOUTH_EAST))
        )
        self.free.remove(la)
        self.handed_out += 1
        return la, 0.8 + 0.05 * (self.handed_out % 9)


def valid_figures(la_code: str, level: float = 1.0) -> dict[str, str]:
    """A return that keeps every rule: England-like rates per 10,000 children times `level`.

    Stocks do not move (starts = ceased), so consecutive quarters roll forward exactly.
    """
    children = CHILDREN[la_code] * level

    def n(per_10k: float) -> int:
        return round(per_10k * children / 10_000)

    f: dict[str, int] = {"CONTACTS": n(585), "REFERRALS": n(130)}
    shares = {"POLICE": 0.29, "SCHOOLS": 0.21, "HEALTH": 0.15, "LA": 0.11, "INDIVIDUAL": 0.08, "OTHER": 0.12}
    for source, share in shares.items():
        f[f"REF_SRC_{source}"] = math.floor(share * f["REFERRALS"])
    f["REF_SRC_UNKNOWN"] = f["REFERRALS"] - sum(f[f"REF_SRC_{s}"] for s in shares)
    f["REREFERRALS"] = round(0.22 * f["REFERRALS"])
    f |= {"ASSESS_STARTED": n(117), "ASSESS_COMPLETED": n(115), "CIN_END": n(330), "S47": n(45)}
    f["ASSESS_45D"] = round(0.8 * f["ASSESS_COMPLETED"])
    f["ICPC_15D"] = round(0.28 * f["S47"])
    f |= {"CPP_START": n(16), "CPP_END": 10 * round(n(42) / 10)}
    f["CPP_CEASED"] = f["CPP_START"]
    f["CPP_REPEAT_EVER"] = round(0.23 * f["CPP_START"])
    f["CPP_REPEAT_2Y"] = round(0.05 * f["CPP_START"])
    f |= {"CLA_END": 10 * round(n(70) / 10), "CLA_START": n(6)}
    f["CLA_CEASED"] = f["CLA_START"]
    f["CLA_UASC_END"] = round(0.06 * f["CLA_END"])
    f["CARE_LEAVERS_END"] = n(38)
    f["CARE_LEAVERS_UASC_END"] = round(0.2 * f["CARE_LEAVERS_END"])
    f |= {"EHE_END": n(140), "EHC_REQUESTS": n(20), "EHC_ASSESSMENTS": n(17), "EHCP_ISSUED": n(15)}
    figures = {code: str(value) for code, value in f.items()}
    region = REGION.get(la_code)
    if region == SOUTH_EAST:
        adopted = max(1, round(0.1 * f["CLA_CEASED"]))
        figures |= {
            "CLA_ADOPTED": str(adopted),
            "A1_DAYS": str(450 * adopted),
            "A1_CHILDREN": str(adopted),
            "A2_DAYS": str(180 * adopted),
            "A2_CHILDREN": str(adopted),
            "A3_UNDER_14M": str(round(0.6 * adopted)),
        }
    if region == EAST_MIDLANDS:
        social_workers = 27 * children / 10_000
        figures |= {
            "EH_OPEN_END": str(n(150)),
            "EH_ASSESS_NEW": str(n(60)),
            "EH_STEP_UP": str(n(10)),
            "EH_STEP_DOWN": str(n(12)),
            "CLA_MISSING": str(round(0.1 * f["CLA_END"])),
            "SW_FTE": f"{social_workers:.2f}",
            "SW_AGENCY_FTE": f"{0.2 * social_workers:.2f}",
            "SW_VACANCY_FTE": f"{0.25 * social_workers:.2f}",
        }
    # in register order, regional items only for the region that collects them
    return {item["item_code"]: figures[item["item_code"]] for item in ITEMS if item["item_code"] in figures}


@dataclass
class Return:
    """One fixture return file: where it is and the rows it holds (header = line 1)."""

    file_path: str
    la_code: str
    period: str
    rows: list[dict[str, str]] = field(default_factory=list)

    def line(self, item_code: str) -> int:
        """The file line of the (first) row for `item_code`."""
        return 2 + next(i for i, row in enumerate(self.rows) if row["item_code"] == item_code)

    def value(self, item_code: str) -> str:
        return self.rows[self.line(item_code) - 2]["value"]


class Returns:
    """Writes fixture returns into one folder and remembers them by case name."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cases: dict[str, Return] = {}
        self.pool = LaPool()

    def add(
        self,
        name: str,
        la_code: str,
        period: str = PERIOD,
        figures: dict[str, str] | None = None,
        file_name: str | None = None,
        edit=None,
    ) -> Return:
        figures = valid_figures(la_code) if figures is None else figures
        rows = [
            {"la_code": la_code, "period": period, "item_code": k, "value": v, "comment": ""}
            for k, v in figures.items()
        ]
        if edit is not None:
            edit(rows)
        fy, quarter = period.split(" ")
        file_name = file_name or f"{la_code}_{fy}_{quarter}.csv"
        file_path = f"{fy}_{quarter}/{file_name}"
        write_return(self.folder, file_path, rows)
        self.cases[name] = Return(file_path, la_code, period, rows)
        return self.cases[name]

    def case(self, name: str, region: str | None = None, change: dict[str, str] | None = None, **kwargs) -> Return:
        """A fresh LA's valid return for PERIOD with some figures changed."""
        la_code, level = self.pool.take(region)
        figures = valid_figures(la_code, level) | (change or {})
        return self.add(name, la_code, figures=figures, **kwargs)

    def write_raw(self, name: str, la_code: str, file_path: str, text: str | bytes) -> Return:
        path = self.folder / file_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        self.cases[name] = Return(file_path, la_code, PERIOD)
        return self.cases[name]


def set_value(item_code: str, value: str):
    def edit(rows: list[dict[str, str]]) -> None:
        next(r for r in rows if r["item_code"] == item_code)["value"] = value

    return edit


def write_cases(returns: Returns) -> None:
    r = returns
    # A return that keeps every rule, with its previous quarter: no finding at all.
    la, level = r.pool.take()
    r.add("clean_previous", la, PREVIOUS, valid_figures(la, level))
    r.add("clean", la, PERIOD, valid_figures(la, level))

    # T01: unreadable file, unusable header, a line that does not split into the columns
    la, _ = r.pool.take()
    r.write_raw("T01_empty_file", la, f"2024-25_Q2/{la}_2024-25_Q2.csv", b"")
    la, _ = r.pool.take()
    r.write_raw(
        "T01_semicolons",
        la,
        f"2024-25_Q2/{la}_2024-25_Q2.csv",
        f"la_code;period;item_code;value\n{la};{PERIOD};CONTACTS;10\n",
    )
    broken = r.case("T01_malformed_line")
    text = (r.folder / broken.file_path).read_text(encoding="utf-8").splitlines()
    line = broken.line("CIN_END")
    text[line - 1] = f"{broken.la_code},{PERIOD},CIN_END,{broken.value('CIN_END')},new system, figures provisional"
    (r.folder / broken.file_path).write_text("\n".join(text) + "\n", encoding="utf-8")
    kept = r.case("T01_pass_quoted_comment")
    kept.rows[0]["comment"] = "new system, figures provisional"
    write_return(r.folder, kept.file_path, kept.rows)  # the csv writer quotes the comma

    # T02: a line with another LA's code, a file name with a code that is no LA, a file
    # name with the code of an LA that no longer existed in the return's quarter (and the
    # same code for a quarter when it did, which is history and valid), a file name that
    # does not follow the template
    r.case("T02_line", edit=lambda rows: rows[4].update(la_code="999"))
    r.add("T02_name_not_current", "999", figures=valid_figures(r.pool.take()[0]))
    r.add("T02_name_replaced", CUMBRIA, figures=valid_figures(r.pool.take()[0]))
    r.add("T02_pass_predecessor_in_its_time", CUMBRIA, CUMBRIA_LAST_YEAR, figures=valid_figures(r.pool.take()[0]))
    la, _ = r.pool.take()
    r.add("T02_T03_name_unusable", la, figures=valid_figures(la), file_name=f"Return {la} Q2.csv")

    # ... and one whose lines, the only clue left, give no LA and a quarter that has not ended
    def bad_lines(rows: list[dict[str, str]]) -> None:
        rows[5]["la_code"] = "999"
        rows[6]["period"] = NOT_ENDED_PERIOD

    la, _ = r.pool.take()
    r.add("T02_T03_name_unusable_bad_lines", la, figures=valid_figures(la), file_name="return.csv", edit=bad_lines)
    r.case("T02_pass_spaces", edit=lambda rows: rows[0].update(la_code=f" {rows[0]['la_code']} "))

    # T03: lines with last quarter's period and with a malformed one; a quarter that has not
    # ended (the quarter of the build's day), and the latest that has
    def t03_lines(rows: list[dict[str, str]]) -> None:
        rows[2]["period"] = PREVIOUS
        rows[3]["period"] = "2024/25 Q2"

    r.case("T03_lines", edit=t03_lines)
    la, _ = r.pool.take()
    r.add("T03_future", la, NOT_ENDED_PERIOD, valid_figures(la))
    la, _ = r.pool.take()
    r.add("T03_pass_latest_quarter", la, LATEST_PERIOD, valid_figures(la))
    r.case("T03_pass_lower_case", edit=lambda rows: rows[0].update(period="2024-25 q2"))

    # T04: an item code not in the register; a known one in lower case with spaces
    r.case("T04_unknown_item", edit=lambda rows: rows[1].update(item_code="REFERALS"))
    r.case("T04_pass_case_and_spaces", edit=lambda rows: rows[1].update(item_code=" referrals "))
    # ... and the 2022 items in a return for a quarter before they were collected; the same
    # quarter's return without them keeps T04 (and T07: they are not expected then)
    la, level = r.pool.take()
    r.add("T04_item_not_yet_collected", la, BEFORE_2022, valid_figures(la, level))
    la, level = r.pool.take()
    figures = {k: v for k, v in valid_figures(la, level).items() if k not in ITEMS_FROM_2022}
    r.add("T04_pass_register_of_its_quarter", la, BEFORE_2022, figures)

    # T05: decimals in a count, a negative count, 3 decimal places in an FTE
    r.case("T05_count", change={"EHE_END": "12.5", "CIN_END": "-3"})
    r.case("T05_fte", region=EAST_MIDLANDS, change={"SW_FTE": "12.255"})
    r.case(
        "T05_pass", region=EAST_MIDLANDS, change={"SW_FTE": "12.25", "EHE_END": "x", "CIN_END": "", "EHCP_ISSUED": "X"}
    )

    # T06: a row pasted twice
    r.case("T06_duplicate", edit=lambda rows: rows.append(dict(next(x for x in rows if x["item_code"] == "CIN_END"))))
    r.case("T06_pass")

    # T07: a core item missing; a regional item missing in the region that collects it;
    # an LA outside that region without regional items, and a core item left blank
    r.case("T07_core", edit=lambda rows: rows.remove(next(x for x in rows if x["item_code"] == "EHE_END")))
    r.case(
        "T07_regional",
        region=EAST_MIDLANDS,
        edit=lambda rows: rows.remove(next(x for x in rows if x["item_code"] == "EH_OPEN_END")),
    )
    r.case("T07_pass", change={"EHE_END": ""})

    # L01-L08: the part one more than its whole (fails), equal to it (passes)
    def part_of_whole(name: str, part: str, whole: str, region: str | None = None) -> None:
        la, level = r.pool.take(region)
        figures = valid_figures(la, level)
        r.add(f"{name}_fail", la, figures=figures | {part: str(int(figures[whole]) + 1)})
        la, level = r.pool.take(region)
        figures = valid_figures(la, level)
        r.add(f"{name}_pass", la, figures=figures | {part: figures[whole]})

    part_of_whole("L01", "REREFERRALS", "REFERRALS")
    part_of_whole("L03", "ASSESS_45D", "ASSESS_COMPLETED")
    part_of_whole("L04", "ICPC_15D", "S47")
    part_of_whole("L05_2y", "CPP_REPEAT_2Y", "CPP_REPEAT_EVER")
    part_of_whole("L05_ever", "CPP_REPEAT_EVER", "CPP_START")
    part_of_whole("L06", "CLA_UASC_END", "CLA_END")
    part_of_whole("L07", "CARE_LEAVERS_UASC_END", "CARE_LEAVERS_END")
    part_of_whole("L08_adopted", "CLA_ADOPTED", "CLA_CEASED", SOUTH_EAST)
    part_of_whole("L08_a3", "A3_UNDER_14M", "A1_CHILDREN", SOUTH_EAST)
    # L02: one referral double-counted; a source not given means no comparison
    la, level = r.pool.take()
    figures = valid_figures(la, level)
    r.add("L02_fail", la, figures=figures | {"REF_SRC_OTHER": str(int(figures["REF_SRC_OTHER"]) + 1)})
    la, level = r.pool.take()
    figures = valid_figures(la, level)
    r.add("L02_pass_source_not_given", la, figures=figures | {"REF_SRC_OTHER": "x", "REF_SRC_POLICE": "1"})

    # P01: CLA_END moves one more than the tolerance (fails), exactly the tolerance (passes)
    for name, extra in (("P01_fail", 1), ("P01_pass", 0)):
        la, level = r.pool.take()
        figures = valid_figures(la, level)
        r.add(f"{name}_previous", la, PREVIOUS, figures)
        tolerance = max(int(figures["CLA_END"]) // 10, 5)  # CLA_END is a multiple of 10
        r.add(name, la, PERIOD, figures | {"CLA_END": str(int(figures["CLA_END"]) + tolerance + extra)})

    # P02: CONTACTS doubles and EHE_END falls to 40% (fail); CONTACTS up exactly 50% (passes)
    la, level = r.pool.take()
    figures = valid_figures(la, level)
    r.add("P02_fail_previous", la, PREVIOUS, figures)
    r.add(
        "P02_fail",
        la,
        PERIOD,
        figures | {"CONTACTS": str(2 * int(figures["CONTACTS"])), "EHE_END": str(round(0.4 * int(figures["EHE_END"])))},
    )
    la, level = r.pool.take()
    figures = valid_figures(la, level) | {"CONTACTS": "600"}
    r.add("P02_pass_previous", la, PREVIOUS, figures)
    r.add("P02_pass", la, PERIOD, figures | {"CONTACTS": "900"})

    # P03: ten LAs make England's range for a quarter; one has 4 times the usual children
    # in need (fails), one 1.3 times (passes)
    for i in range(10):
        la, level = r.pool.take()
        r.add(f"P03_background_{i}", la, P03_PERIOD, valid_figures(la, level))
    la, _ = r.pool.take()
    figures = valid_figures(la)
    r.add("P03_fail", la, P03_PERIOD, figures | {"CIN_END": str(4 * int(figures["CIN_END"]))})
    la, _ = r.pool.take()
    figures = valid_figures(la)
    r.add("P03_pass", la, P03_PERIOD, figures | {"CIN_END": str(round(1.3 * int(figures["CIN_END"])))})

    # S01: version 1 breaks L01, version 2 corrects it; and the other way round (as amended:
    # a quarantined resubmission leaves the accepted version 1 in use)
    la, level = r.pool.take()
    figures = valid_figures(la, level)
    r.add("S01_v1", la, PERIOD, figures | {"REREFERRALS": str(int(figures["REFERRALS"]) + 5)})
    r.add("S01_v2", la, PERIOD, figures, file_name=f"{la}_2024-25_Q2_v2.csv")
    la, level = r.pool.take()
    figures = valid_figures(la, level)
    r.add("S01_kept_v1", la, PERIOD, figures)
    r.add(
        "S01_kept_v2",
        la,
        PERIOD,
        figures | {"REREFERRALS": str(int(figures["REFERRALS"]) + 5)},
        file_name=f"{la}_2024-25_Q2_v2.csv",
    )


@dataclass
class ValidatedReturns:
    build: Build
    cases: dict[str, Return]
    findings: list[dict]

    def of(self, case: str, rule_id: str | None = None) -> list[dict]:
        file_path = self.cases[case].file_path
        return [f for f in self.findings if f["file_path"] == file_path and rule_id in (None, f["rule_id"])]

    def keys(self, case: str, rule_id: str | None = None) -> set[tuple]:
        """(rule_id, severity, line_number, item_code) of the case's findings."""
        return {(f["rule_id"], f["severity"], f["line_number"], f["item_code"]) for f in self.of(case, rule_id)}


@pytest.fixture(scope="module")
def validated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ValidatedReturns]:
    root = tmp_path_factory.mktemp("validation_rules")
    returns = Returns(root / "returns")
    write_cases(returns)
    build = run_dbt(
        returns.folder,
        root / "riia.duckdb",
        extra_args=BUILD_SELECTION,
    )
    columns = [c[0] for c in build.query("describe intermediate.int_validation_findings")]
    findings = [
        dict(zip(columns, row, strict=True))
        for row in build.query("select * from intermediate.int_validation_findings")
    ]
    yield ValidatedReturns(build, returns.cases, findings)


# --- the suites agree with the rules seed ---------------------------------------------------


def load_suites() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SUITES_DIR.glob("*.json"))}


def test_one_suite_per_tier() -> None:
    assert set(load_suites()) == set(SUITE_BY_TIER.values())


def test_suite_severities_match_the_rules_seed() -> None:
    seed = {rule["rule_id"]: rule for rule in RULES}
    for suite_name, suite in load_suites().items():
        for expectation in suite["expectations"]:
            meta = expectation["meta"]
            rule = seed[meta["rule_id"]]
            where = f"{suite_name}: {expectation['type']} ({meta['rule_id']})"
            assert meta["severity"] == rule["severity"], where
            assert rule["suite_name"] == suite_name and SUITE_BY_TIER[rule["tier"]] == suite_name, where
            assert expectation["severity"] == {"error": "critical", "warning": "warning"}[meta["severity"]], where
            assert meta["message"] and meta["data_asset"] and meta["checks"], where


def test_every_checked_rule_has_an_expectation() -> None:
    enforced = {e["meta"]["rule_id"] for suite in load_suites().values() for e in suite["expectations"]}
    checked = {rule["rule_id"] for rule in RULES if rule["tier"] != "behaviour"}
    assert enforced == checked
    assert [rule["rule_id"] for rule in RULES] == [
        *(f"T0{i}" for i in range(1, 8)),
        *(f"L0{i}" for i in range(1, 10)),
        "P01",
        "P02",
        "P03",
        "S01",
    ]


def test_great_expectations_loads_the_suites() -> None:
    import os

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx

    context = gx.get_context(mode="file", project_root_dir=str(PROJECT_ROOT))
    for suite_name, suite in load_suites().items():
        assert len(context.suites.get(suite_name).expectations) == len(suite["expectations"])


# --- the rules, broken and kept ------------------------------------------------------------


def test_every_case_was_validated(validated: ValidatedReturns) -> None:
    """A case's lack of a finding (the tests below) means it passed only if its file was among
    those the rules ran on: every case's file is in the validation's scope."""
    scope = {
        path
        for (path,) in validated.build.query(
            "select file_path from intermediate.int_validation_scope where scope_role = 'validate'"
        )
    }
    cases = {case.file_path for case in validated.cases.values()}
    assert len(cases) > 40 and cases <= scope, sorted(cases - scope)


def test_a_valid_return_has_no_finding(validated: ValidatedReturns) -> None:
    assert validated.of("clean_previous") == []
    assert validated.of("clean") == []


def test_t01_unreadable_file_and_unusable_header(validated: ValidatedReturns) -> None:
    assert validated.keys("T01_empty_file") == {("T01", "error", None, None)}
    assert validated.keys("T01_semicolons") == {("T01", "error", None, None)}
    assert "separated by semicolons" in validated.of("T01_semicolons")[0]["message"]


def test_t01_malformed_line(validated: ValidatedReturns) -> None:
    case = validated.cases["T01_malformed_line"]
    assert validated.keys("T01_malformed_line", "T01") == {("T01", "error", case.line("CIN_END"), None)}
    # the line is not loaded, so the item is also reported missing
    assert validated.keys("T01_malformed_line", "T07") == {("T07", "warning", None, "CIN_END")}


def test_t01_passes_a_quoted_comment_with_a_comma(validated: ValidatedReturns) -> None:
    assert validated.of("T01_pass_quoted_comment") == []


def test_t02_line_with_another_la_code(validated: ValidatedReturns) -> None:
    case = validated.cases["T02_line"]
    [finding] = validated.of("T02_line")
    assert (finding["rule_id"], finding["severity"], finding["line_number"]) == ("T02", "error", 6)
    assert finding["item_code"] == case.rows[4]["item_code"]
    assert finding["la_code"] == case.la_code
    assert f"gives la_code '999' but the file name says {case.la_code}" in finding["message"]


def test_t02_file_name_code_not_current(validated: ValidatedReturns) -> None:
    assert validated.keys("T02_name_not_current") == {("T02", "error", None, None)}
    assert (
        "999, which is not the code of an English local authority" in validated.of("T02_name_not_current")[0]["message"]
    )


def test_t02_file_name_code_of_an_la_that_did_not_exist_in_the_quarter(validated: ValidatedReturns) -> None:
    assert validated.keys("T02_name_replaced") == {("T02", "error", None, None)}
    message = validated.of("T02_name_replaced")[0]["message"]
    assert f"{CUMBRIA}, which is the code of Cumbria, which did not exist in {PERIOD}" in message
    assert "Cumberland (942) and Westmorland and Furness (943)" in message
    # the same code for a quarter before the reorganisation is history: valid
    assert validated.of("T02_pass_predecessor_in_its_time") == []


def test_t02_t03_file_name_not_in_the_template(validated: ValidatedReturns) -> None:
    case = validated.cases["T02_T03_name_unusable"]
    assert validated.keys("T02_T03_name_unusable") == {("T02", "error", None, None), ("T03", "error", None, None)}
    # filed under the LA and quarter written on the lines
    assert {(f["la_code"], f["period"]) for f in validated.of("T02_T03_name_unusable")} == {(case.la_code, PERIOD)}


def test_t02_t03_lines_of_a_file_whose_name_is_unusable(validated: ValidatedReturns) -> None:
    case = validated.cases["T02_T03_name_unusable_bad_lines"]
    assert validated.keys("T02_T03_name_unusable_bad_lines") == {
        ("T02", "error", None, None),
        ("T03", "error", None, None),
        ("T02", "error", 7, case.rows[5]["item_code"]),
        ("T03", "error", 8, case.rows[6]["item_code"]),
    }
    lines = {f["line_number"]: f for f in validated.of("T02_T03_name_unusable_bad_lines")}
    assert lines[7]["la_code"] == "999"  # filed under what the line says
    assert "'999', which is not the code of an English local authority" in lines[7]["message"]
    assert f"'{NOT_ENDED_PERIOD}', which has not ended yet" in lines[8]["message"]


def test_t02_passes_a_code_with_spaces(validated: ValidatedReturns) -> None:
    assert validated.of("T02_pass_spaces") == []


def test_t03_lines_with_another_period(validated: ValidatedReturns) -> None:
    case = validated.cases["T03_lines"]
    assert validated.keys("T03_lines") == {
        ("T03", "error", 4, case.rows[2]["item_code"]),
        ("T03", "error", 5, case.rows[3]["item_code"]),
    }
    messages = {f["line_number"]: f["message"] for f in validated.of("T03_lines")}
    assert f"gives the period '{PREVIOUS}' but the file name says {PERIOD}" in messages[4]
    assert "'2024/25 Q2', which is not written YYYY-YY Qn" in messages[5]


def test_t03_period_in_the_future(validated: ValidatedReturns) -> None:
    assert validated.keys("T03_future") == {("T03", "error", None, None)}
    message = validated.of("T03_future")[0]["message"]
    assert f"says the return is for {NOT_ENDED_PERIOD}, which has not ended yet: the latest quarter" in message
    assert f"that can be returned is {LATEST_PERIOD}" in message


def test_t03_passes_the_latest_quarter_and_lower_case(validated: ValidatedReturns) -> None:
    assert validated.of("T03_pass_latest_quarter") == []
    assert validated.of("T03_pass_lower_case") == []


def test_t04_item_not_in_the_register(validated: ValidatedReturns) -> None:
    [finding] = validated.of("T04_unknown_item", "T04")
    assert (finding["severity"], finding["line_number"], finding["item_code"]) == ("error", 3, "REFERALS")
    assert "(did you mean REFERRALS?)" in finding["message"]
    # REFERRALS itself is therefore missing
    assert validated.keys("T04_unknown_item", "T07") == {("T07", "warning", None, "REFERRALS")}


def test_t04_passes_a_code_in_lower_case_with_spaces(validated: ValidatedReturns) -> None:
    assert validated.of("T04_pass_case_and_spaces") == []


def test_t04_item_collected_only_from_a_later_quarter(validated: ValidatedReturns) -> None:
    case = validated.cases["T04_item_not_yet_collected"]
    assert validated.keys("T04_item_not_yet_collected") == {
        ("T04", "error", case.line(item), item) for item in ITEMS_FROM_2022
    }
    message = next(f["message"] for f in validated.of("T04_item_not_yet_collected") if f["item_code"] == "EHE_END")
    assert (
        f"Line {case.line('EHE_END')}: the item code 'EHE_END' is collected only from 2022-23 Q1, "
        f"and the return is for {BEFORE_2022}"
    ) in message
    assert validated.of("T04_pass_register_of_its_quarter") == []


def test_t05_values_that_are_not_counts(validated: ValidatedReturns) -> None:
    case = validated.cases["T05_count"]
    assert validated.keys("T05_count") == {
        ("T05", "error", case.line("EHE_END"), "EHE_END"),
        ("T05", "error", case.line("CIN_END"), "CIN_END"),
    }
    assert {f["value"] for f in validated.of("T05_count")} == {"12.5", "-3"}


def test_t05_fte_with_three_decimal_places(validated: ValidatedReturns) -> None:
    case = validated.cases["T05_fte"]
    assert validated.keys("T05_fte") == {("T05", "error", case.line("SW_FTE"), "SW_FTE")}
    assert "at most 2 decimal places" in validated.of("T05_fte")[0]["message"]


def test_t05_passes_blank_x_and_two_decimal_fte(validated: ValidatedReturns) -> None:
    assert validated.of("T05_pass", "T05") == []


def test_t06_item_twice(validated: ValidatedReturns) -> None:
    case = validated.cases["T06_duplicate"]
    first, last = case.line("CIN_END"), len(case.rows) + 1
    assert validated.keys("T06_duplicate") == {("T06", "error", first, "CIN_END"), ("T06", "error", last, "CIN_END")}
    assert f"(lines {first} and {last})" in validated.of("T06_duplicate")[0]["message"]
    assert validated.of("T06_pass") == []


def test_t07_core_item_missing(validated: ValidatedReturns) -> None:
    assert validated.keys("T07_core") == {("T07", "warning", None, "EHE_END")}
    assert "EHE_END (Children electively home educated) is missing" in validated.of("T07_core")[0]["message"]


def test_t07_regional_item_missing_in_its_region(validated: ValidatedReturns) -> None:
    assert validated.keys("T07_regional") == {("T07", "warning", None, "EH_OPEN_END")}
    assert "your region (East Midlands) collects it" in validated.of("T07_regional")[0]["message"]


def test_t07_passes_blank_core_item_and_no_regional_items_outside_the_region(validated: ValidatedReturns) -> None:
    assert REGION[validated.cases["T07_pass"].la_code] not in (EAST_MIDLANDS, SOUTH_EAST)
    assert validated.of("T07_pass") == []


@pytest.mark.parametrize(
    ("case", "rule_id", "severity", "item_code", "whole_item"),
    [
        ("L01", "L01", "error", "REREFERRALS", "REFERRALS"),
        ("L03", "L03", "error", "ASSESS_45D", "ASSESS_COMPLETED"),
        ("L04", "L04", "warning", "ICPC_15D", "S47"),
        ("L05_2y", "L05", "error", "CPP_REPEAT_2Y", "CPP_REPEAT_EVER"),
        ("L05_ever", "L05", "error", "CPP_REPEAT_EVER", "CPP_START"),
        ("L06", "L06", "error", "CLA_UASC_END", "CLA_END"),
        ("L07", "L07", "error", "CARE_LEAVERS_UASC_END", "CARE_LEAVERS_END"),
        ("L08_adopted", "L08", "error", "CLA_ADOPTED", "CLA_CEASED"),
        ("L08_a3", "L08", "error", "A3_UNDER_14M", "A1_CHILDREN"),
    ],
)
def test_l_rules_part_greater_than_whole(
    validated: ValidatedReturns, case: str, rule_id: str, severity: str, item_code: str, whole_item: str
) -> None:
    failing = validated.cases[f"{case}_fail"]
    [finding] = validated.of(f"{case}_fail", rule_id)
    assert (finding["severity"], finding["line_number"], finding["item_code"]) == (
        severity,
        failing.line(item_code),
        item_code,
    )
    part, whole = failing.value(item_code), failing.value(whole_item)
    assert finding["value"] == part
    assert finding["message"].startswith(f"{item_code} ({part}) is greater than {whole_item} ({whole}): ")
    # equal is allowed
    assert validated.of(f"{case}_pass", rule_id) == []


def test_l02_sources_do_not_add_up(validated: ValidatedReturns) -> None:
    case = validated.cases["L02_fail"]
    assert validated.keys("L02_fail", "L02") == {("L02", "error", case.line("REFERRALS"), "REFERRALS")}
    referrals = int(case.value("REFERRALS"))
    assert f"add up to {referrals + 1} (police " in validated.of("L02_fail", "L02")[0]["message"]


def test_l02_passes_when_a_source_is_not_given(validated: ValidatedReturns) -> None:
    assert validated.of("L02_pass_source_not_given", "L02") == []


def test_p01_stock_does_not_roll_forward(validated: ValidatedReturns) -> None:
    case = validated.cases["P01_fail"]
    assert validated.keys("P01_fail", "P01") == {("P01", "warning", case.line("CLA_END"), "CLA_END")}
    assert validated.of("P01_fail_previous") == []
    assert validated.of("P01_pass", "P01") == []  # exactly at the tolerance


def test_p02_rate_moves_more_than_half(validated: ValidatedReturns) -> None:
    case = validated.cases["P02_fail"]
    assert validated.keys("P02_fail", "P02") == {
        ("P02", "warning", case.line("CONTACTS"), "CONTACTS"),
        ("P02", "warning", case.line("EHE_END"), "EHE_END"),
    }
    messages = {f["item_code"]: f["message"] for f in validated.of("P02_fail", "P02")}
    assert "+100% on last quarter's" in messages["CONTACTS"]
    assert validated.of("P02_pass", "P02") == []  # exactly +50%


def test_p03_rate_far_outside_england(validated: ValidatedReturns) -> None:
    case = validated.cases["P03_fail"]
    assert validated.keys("P03_fail", "P03") == {("P03", "warning", case.line("CIN_END"), "CIN_END")}
    assert "interquartile ranges above the middle half of England's" in validated.of("P03_fail", "P03")[0]["message"]
    assert validated.of("P03_pass", "P03") == []
    assert not any(validated.of(f"P03_background_{i}") for i in range(10))


def test_s01_later_version_supersedes_and_earlier_findings_stay(validated: ValidatedReturns) -> None:
    v1, v2 = validated.cases["S01_v1"], validated.cases["S01_v2"]
    assert validated.keys("S01_v1") == {("L01", "error", v1.line("REREFERRALS"), "REREFERRALS")}
    assert validated.of("S01_v2") == []
    in_use = validated.build.query(
        "select file_path, versions_received, return_status, latest_file_path, has_quarantined_resubmission "
        f"from intermediate.int_return_status where la_code = '{v1.la_code}'"
    )
    assert in_use == [(v2.file_path, 2, "accepted", v2.file_path, False)]
    history = validated.build.query(
        "select file_path, is_latest_version from intermediate.int_return_files_versioned "
        f"where file_name_la_code = '{v1.la_code}' order by file_version"
    )
    assert history == [(v1.file_path, False), (v2.file_path, True)]


def test_s01_quarantined_resubmission_leaves_the_accepted_version_in_use(validated: ValidatedReturns) -> None:
    v1, v2 = validated.cases["S01_kept_v1"], validated.cases["S01_kept_v2"]
    assert validated.of("S01_kept_v1") == []
    assert validated.keys("S01_kept_v2") == {("L01", "error", v2.line("REREFERRALS"), "REREFERRALS")}
    in_use = validated.build.query(
        "select file_path, versions_received, return_status, latest_file_path, has_quarantined_resubmission, "
        f"latest_error_rule_ids from intermediate.int_return_status where la_code = '{v1.la_code}'"
    )
    assert in_use == [(v1.file_path, 2, "accepted", v2.file_path, True, "L01")]


def test_findings_grain_types_and_order(validated: ValidatedReturns) -> None:
    types = dict(
        validated.build.query(
            "select column_name, data_type from information_schema.columns where table_name = 'int_validation_findings'"
        )
    )
    assert types["line_number"] == "INTEGER"
    assert {t for c, t in types.items() if c != "line_number"} == {"VARCHAR"}
    keys = [(f["file_path"], f["rule_id"], f["line_number"] or 0, f["item_code"] or "") for f in validated.findings]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


def test_the_suites_find_the_same_a_few_files_at_a_time(validated: ValidatedReturns, tmp_path: Path) -> None:
    """The suites take the files a batch at a time (validation_batch_rows): the build's
    findings, made in one batch, are found again when the same inputs are validated a few
    files at a time, and the batches keep every file whole."""
    import importlib.util

    import duckdb

    from riia.validation import child
    from riia.validation.__main__ import file_batches, file_rows

    spec = importlib.util.spec_from_file_location(
        "int_validation_findings", PROJECT_ROOT / "models/intermediate/validation/int_validation_findings.py"
    )
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    folder = tmp_path / "inputs"
    folder.mkdir()
    with duckdb.connect(str(validated.build.db_path), read_only=True) as con:
        for name, table in model.INPUTS.items():
            con.sql(f"select * from intermediate.{table}").order("all").write_parquet(str(folder / f"{name}.parquet"))
        parameters = model.suite_parameters(
            con,
            items=con.table("reference.ref_items"),
            periods=con.sql("select * from intermediate.int_periods"),
            rule_parameters=con.table("reference.ref_rule_parameters"),
        )
        # some six batches: enough to prove the batching, each run of the suites costing the
        # same whatever its size (one file a batch, 71 runs, took 43 s)
        counts = [rows for _, rows in file_rows(con, folder)]
        batch_rows = max(max(counts), sum(counts) // 6)
        (folder / "parameters.json").write_text(
            json.dumps({"gx_dir": str(PROJECT_ROOT / "gx"), "batch_rows": batch_rows, "parameters": parameters})
        )
        batches = file_batches(con, folder, batch_rows)
        files = [
            row[0] for row in con.sql("select file_path from intermediate.int_validation_files order by all").fetchall()
        ]
    # several batches, in order, every file in exactly one
    assert len(batches) >= 5
    assert [first for first, _ in batches] == sorted(first for first, _ in batches)
    assert sum(sum(first <= f <= last for f in files) for first, last in batches) == len(files)
    assert [f for f in files if not any(first <= f <= last for first, last in batches)] == []
    child.run(folder)
    with duckdb.connect() as con:
        found = con.read_parquet(str(folder / "findings.parquet"))
        columns = found.columns
        batched = [dict(zip(columns, row, strict=True)) for row in found.fetchall()]
    made = [{k: v for k, v in f.items() if k != "ruleset_fingerprint"} for f in validated.findings]
    assert len(batched) > 20
    assert batched == made


def test_the_model_gets_the_settings_it_reads(validated: ValidatedReturns) -> None:
    """dbt hands a Python model only the settings it finds read as `dbt.config.get("...")`
    in a statement of its own: the suites' folder and their batch size must reach the run."""
    import ast
    import re

    from riia import config

    run = validated.build.db_path.parent / "dbt_target" / "run/riia/models/intermediate/validation"
    code = (run / "int_validation_findings.py").read_text(encoding="utf-8")
    given = ast.literal_eval(re.search(r"^config_dict = (\{.*\})$", code, re.MULTILINE)[1])
    assert given == {"gx_dir": "gx", "batch_rows": config.project_vars()["validation_batch_rows"]}
    assert given["batch_rows"] > 0


def test_no_returns_gives_an_empty_table(tmp_path: Path) -> None:
    (tmp_path / "returns").mkdir()
    # the models alone: what is asked is the table's shape, and the data tests on these
    # models run in the fixture build above
    build = run_dbt(
        tmp_path / "returns",
        tmp_path / "riia.duckdb",
        extra_args=(*BUILD_SELECTION, "--exclude", "resource_type:test", "resource_type:unit_test"),
    )
    assert build.scalar("select count(*) from intermediate.int_validation_findings") == 0
    columns = [c[0] for c in build.query("describe intermediate.int_validation_findings")]
    assert columns == [
        "file_path",
        "source_file",
        "la_code",
        "period",
        "line_number",
        "item_code",
        "value",
        "rule_id",
        "severity",
        "message",
        "shared_message",
        "suite_name",
        "expectation_type",
        "ruleset_fingerprint",
    ]


def test_an_expectation_that_cannot_run_is_an_error_not_a_silent_pass() -> None:
    """GE reports a missing column nested under the metric's id, not at the top of
    exception_info: the runner must see both shapes (a misnamed column in a suite would
    otherwise give no finding at all)."""
    import great_expectations as gx
    import pandas as pd

    from riia.validation.suites import exception_message

    context = gx.get_context(mode="ephemeral")
    asset = context.data_sources.add_pandas("probe").add_dataframe_asset("frame")
    batch = asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": pd.DataFrame({"present": [1, 2]})}
    )
    suite = gx.ExpectationSuite(
        name="probe",
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="misnamed"),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="present"),
        ],
    )
    missing, present = batch.validate(suite).results
    assert "misnamed" in (exception_message(missing.exception_info) or "")
    assert exception_message(present.exception_info) is None
    assert exception_message({"raised_exception": True, "exception_message": "boom"}) == "boom"
