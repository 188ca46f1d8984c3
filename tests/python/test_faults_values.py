"""Fault injection, part 4: one meaning for a value, proved over generated values.

The suites (rule T05) and the SQL typing (int_return_values_typed) must accept and reject
the same texts: a value the suites pass is a typed figure that reaches the accepted values,
and a value they reject quarantines its return; nothing in between, where a figure would
silently vanish (the issue's "3000" followed by a line break). Hypothesis generates the
texts - digits with line breaks, tabs, non-breaking and other spaces, signs, Arabic-Indic
and full-width digits, decimals, 15 to 17 digits - and one scratch validation (the build's
own staging, typing and suites, as `riia check` runs them) judges them all at once.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import faultkit as fk
from conftest import valid_return_rows, write_return

LAS = ("805", "806", "807", "202", "203", "826", "831", "350", "800", "330", "370", "873")
PERIODS = ("2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2")
AROUND = st.sampled_from(
    ["", " ", "\t", "\n", "\r\n", "\u00a0", "\u2007", "\u3000", "+", "-", ".", ".0", ",", "x", "'"]
)
ODD_DIGITS = st.text(alphabet="0123456789\u0660\u0663\u0669\u06f3\uff13\u0967", min_size=1, max_size=5)
VALUES = st.one_of(
    st.integers(0, 10**17).map(str),
    st.tuples(AROUND, st.integers(0, 99999).map(str), AROUND).map("".join),
    ODD_DIGITS,
    st.sampled_from(["", "x", "X", " x ", "1.5", "1e3", "1_000", "1,000", "0", "00012", "3000\n", "NaN", "-0"]),
    st.text(max_size=6),
)


def write_files(folder: Path, values: list[str]) -> list[Path]:
    files = []
    for index, value in enumerate(values):
        la_code, period = LAS[index % len(LAS)], PERIODS[index // len(LAS)]
        fy, quarter = period.split(" ")
        rows = [(la_code, period, "CONTACTS", value, ""), *valid_return_rows(la_code, period)[1:]]
        files.append(write_return(folder, f"{la_code}_{fy}_{quarter}.csv", rows))
    return files


@pytest.mark.build
@settings(max_examples=1, deadline=None, phases=[Phase.generate], suppress_health_check=list(HealthCheck))
@given(values=st.lists(VALUES, min_size=len(LAS) * len(PERIODS), max_size=len(LAS) * len(PERIODS), unique=True))
def test_suites_and_sql_typing_accept_and_reject_the_same_texts(values: list[str], tmp_path_factory) -> None:
    folder = tmp_path_factory.mktemp("values")
    files = write_files(folder, values)
    out = fk.validate_files(files)
    typed = {(f, item): (text, status, number) for f, _, item, text, status, number in out["typed"]}
    t05 = {(f, item) for f, _, item, rule, severity in out["findings"] if rule == "T05" and severity == "error"}
    status = {f: s for _, _, f, s in out["status"]}
    accepted = {(f, item): (s, n) for f, item, s, n in out["accepted"]}
    for path, value in zip(files, values, strict=True):
        key = (path.name, "CONTACTS")
        if key not in typed:  # the line did not parse as data (e.g. a stray quote): a finding, never a figure
            assert status[path.name] == "quarantined", (value, out["findings"])
            assert key not in accepted
            continue
        text, value_status, number = typed[key]
        # the suites reject exactly what the typing cannot type
        assert (key in t05) == (value_status == "invalid"), (repr(value), value_status)
        if value_status == "number":
            assert re.fullmatch(r"[0-9]{1,15}", text) and Decimal(number) == Decimal(text), repr(value)
        else:
            assert number is None, repr(value)
        # an accepted return holds every figure it was accepted with: none vanishes
        if status[path.name] in ("accepted", "accepted_with_warnings"):
            assert accepted[key] == (value_status, number), repr(value)
        else:
            assert key not in accepted
    assert any(s == "invalid" for _, s, _ in typed.values()) and any(s == "number" for _, s, _ in typed.values())


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=12), st.tuples(st.sampled_from(fk.FORMULA_STARTS), st.text(max_size=8)).map("".join)
    )
)
def test_csv_cells_are_neutralised_the_same_by_python_and_by_duckdb(text: str) -> None:
    """The exports (DuckDB's COPY) and the reports (Python's csv) neutralise the same cells."""
    import duckdb

    from riia import safe_text

    by_sql = duckdb.sql(f"select {safe_text.sql_spreadsheet_safe('t')} from (select ? as t)", params=[text]).fetchone()[
        0
    ]
    assert by_sql == safe_text.spreadsheet_safe(text)
    assert not str(by_sql).startswith(fk.FORMULA_STARTS)


def test_report_html_escapes_return_text() -> None:
    from riia.reports import pages

    hostile = ['<script>alert("x")</script>', '" onmouseover="x']
    page = pages.environment().from_string('<td title="{{ cell }}">{{ cell }}</td>')
    for text in hostile:
        cell = page.render(cell=text)
        assert "<script" not in cell and '" onmouseover' not in cell
    assert "&lt;script&gt;" in page.render(cell=hostile[0])


def test_report_csv_neutralises_formula_cells(tmp_path: Path) -> None:
    from riia.reports import validation

    path = tmp_path / "validation.csv"
    validation.write_csv_rows(
        path,
        ("item", "value", "comment", "n"),
        [{"item": "=1+2", "value": "+44 1234", "comment": '=HYPERLINK("http://x","y")', "n": 3}],
    )
    cells = list(fk.csv_cells(path))
    assert {"'=1+2", "'+44 1234", '\'=HYPERLINK("http://x","y")', "3"} <= set(cells), cells
    assert fk.unsafe_cells(tmp_path) == []


def test_check_csv_output_neutralises_formula_cells() -> None:
    from riia import check

    finding = check.Finding("=cmd.csv", 3, "@SUM(A1)", "-1", "T05", "error", "\tmessage", "\rfix")
    result = check.CheckResult(["=cmd.csv"], [finding], False, None)
    assert not [c for c in check.render_csv(result).splitlines()[1].split(",") if c.startswith(fk.FORMULA_STARTS)]
