"""The reports people read (scripts/reports.py), on the full sample build.

`reports.main` writes every report from the sample warehouse into a temporary folder;
the tests check what a regional data lead, an LA and a browser would find there: the
sample's deliberate defects named with their file, line, item and rule; quarantined LAs
shown as quarantined, never as numbers; one spreadsheet row per LA; every item in the
register, regional items going to their own region only; and the tartan rug as headless
Chromium renders it (skipped, with the reason, where there is no Chromium).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from riia.reports import legacy as reports
from browser import chromium, render  # noqa: F401 - chromium is a fixture
from conftest import PROJECT_ROOT, Build, run_dbt, write_valid_return
from riia.publish import slug

MARKING = "OFFICIAL-SENSITIVE: RIIA INTERNAL AND LIMITED USE"
REGION_NAMES: dict[str, str] = {}  # the seeded regions, read once


@pytest.fixture(scope="module")
def out(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reports") / "reports"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert reports.main(["--db", str(sample_build.db_path), "--out", str(folder)]) == 0
    (folder.parent / "printed.txt").write_text(printed.getvalue())
    return folder


def printed(out: Path) -> str:
    return (out.parent / "printed.txt").read_text()


def report_path(build: Build, out: Path, kind: str, region_code: str, period: str, ext: str) -> Path:
    """Where the README says a region and quarter's report is: <kind>/<region_code>_<region-slug>/<yyyy-yy>_<Qn>.<ext>."""
    if not REGION_NAMES:
        REGION_NAMES.update(build.query("select region_code, region_name from reference.ref_regions"))
    return out / kind / f"{region_code}_{slug(REGION_NAMES[region_code])}" / f"{period.replace(' ', '_')}.{ext}"


def defects(build: Build, rule_id: str) -> list[dict]:
    return [d for d in json.loads((build.returns_dir / ".riia-sample" / "sample_defects.json").read_text())["defects"] if d["rule_id"] == rule_id]


def line_of(build: Build, relative_file: str, item_code: str) -> int:
    """The physical line (header = 1) on which the return file gives `item_code`, read from the file itself."""
    lines = (build.returns_dir / relative_file).read_text(encoding="utf-8-sig").splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")]
    for number, line in enumerate(lines[1:], start=2):
        if line and next(csv.reader([line]))[header.index("item_code")] == item_code:
            return number
    raise AssertionError(f"{item_code} not in {relative_file}")


def html_rows(page: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def xlsx_la_rows(path: Path, la_codes: set[str]) -> dict[str, tuple]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Tartan rug"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and r[0] in la_codes]
    by_code = {r[0]: r for r in rows}
    assert len(by_code) == len(rows), "an LA appears on more than one row"
    return by_code


@pytest.mark.build
def test_every_report_is_written_and_linked_from_the_index(sample_build: Build, out: Path) -> None:
    pairs = sample_build.query(
        """
        select distinct r.region_code, r.period
        from marts.fct_returns as r
        inner join intermediate.int_sharing_agreements_in_force as a
            on r.region_code = a.region_code and a.audience = 'regional'
        """
    )
    assert len(pairs) == 9 * 12
    for region_code, period in pairs:
        for kind, ext in (("validation", "html"), ("validation", "csv"), ("tartan_rug", "html"), ("tartan_rug", "xlsx")):
            assert report_path(sample_build, out, kind, region_code, period, ext).is_file(), (kind, region_code, period)
    assert len(list(out.glob("validation/*/*.html"))) == len(pairs)
    assert len(list(out.glob("tartan_rug/*/*.xlsx"))) == len(pairs)
    index = (out / "index.html").read_text()
    links = set(re.findall(r'href="([^"#]+)"', index))
    assert len(links) == 2 + 4 * len(pairs)  # the register (html, csv) and four files per region and quarter
    assert all((out / link).is_file() for link in links)
    # nothing of the temporary folder is left beside the reports
    assert [p.name for p in out.parent.iterdir() if p.name != "printed.txt"] == ["reports"]


@pytest.mark.build
def test_the_build_summary_counts_returns_and_says_where_the_reports_are(sample_build: Build, out: Path) -> None:
    counts = dict(sample_build.query("select return_status, count(*) from marts.fct_returns group by 1"))
    text = printed(out)
    assert (
        f"{counts['accepted']} accepted, {counts['accepted_with_warnings']} accepted with warnings, "
        f"{counts['quarantined']} quarantined, 0 not received" in text
    )
    assert str(out / "validation") in text and str(out / "index.html") in text


@pytest.mark.build
@pytest.mark.parametrize("rule_id", ["L01", "T05", "T06", "L03"])
def test_validation_report_names_the_defects_file_line_item_and_rule(sample_build: Build, out: Path, rule_id: str) -> None:
    defect = next(d for d in defects(sample_build, rule_id) if d["expected_outcome"] == "quarantined")
    file_name = Path(defect["file"]).name
    line = line_of(sample_build, defect["file"], defect["item_code"])
    page = report_path(sample_build, out, "validation", defect["region_code"], defect["period"], "html").read_text()

    # the LA's own section: quarantined, with a row naming file, line, item and rule
    section = page.split(f'id="la-{defect["la_code"]}"', 1)[1].split("</section>", 1)[0]
    assert "Quarantined" in section
    finding_rows = [cells(r) for r in html_rows(section) if file_name in r and f">{rule_id}<" in r]
    assert [r[:3] for r in finding_rows if r[1] == str(line)] == [[file_name, str(line), defect["item_code"]]]
    row = next(r for r in finding_rows if r[1] == str(line))
    assert row[5] == "error" and row[6] and row[7], row  # severity, message, what to fix

    with report_path(sample_build, out, "validation", defect["region_code"], defect["period"], "csv").open() as handle:
        rows = list(csv.DictReader(handle))
    status = [r for r in rows if r["record"] == "la_status" and r["la_code"] == defect["la_code"]]
    assert [(s["return_status"], s["source_file"]) for s in status] == [("quarantined", file_name)]
    assert any(
        r["record"] == "finding" and r["source_file"] == file_name and r["line_number"] == str(line)
        and r["item_code"] == defect["item_code"] and r["rule_id"] == rule_id and r["is_version_in_use"] == "true"
        for r in rows
    )
    # one status row per LA of the region
    las = sample_build.scalar(f"select count(*) from marts.dim_local_authority where is_current and region_code = '{defect['region_code']}'")
    assert sum(r["record"] == "la_status" for r in rows) == las


@pytest.mark.build
def test_superseded_version_findings_are_collapsed_and_the_new_version_is_used(sample_build: Build, out: Path) -> None:
    defect = next(d for d in defects(sample_build, "L02") if d["expected_outcome"] == "superseded")
    old, new = Path(defect["file"]).name, Path(defect["fixed_by"]).name
    page = report_path(sample_build, out, "validation", defect["region_code"], defect["period"], "html").read_text()
    section = page.split(f'id="la-{defect["la_code"]}"', 1)[1].split("</section>", 1)[0]
    assert "Accepted" in section and f"<strong>{new}</strong>" in section
    before, collapsed = section.split("<details>", 1)
    assert old not in before and "L02" in collapsed and old in collapsed  # the old finding only inside <details>


@pytest.mark.build
def test_quarantined_la_is_shown_as_quarantined_never_as_a_number(sample_build: Build, out: Path) -> None:
    quarantined = sample_build.query(
        "select la_code, la_name, region_code, period from marts.fct_returns where return_status = 'quarantined' order by 1, 4"
    )
    assert quarantined
    for la_code, la_name, region_code, period in quarantined:
        page = report_path(sample_build, out, "tartan_rug", region_code, period, "html").read_text()
        row = next(r for r in html_rows(page) if f"({la_code})" in r)
        assert "QUARANTINED" in row and 'class="v"' not in row and not re.search(r"\d+\.\d", re.sub(r"<[^>]+>", "", row))
        xlsx = xlsx_la_rows(report_path(sample_build, out, "tartan_rug", region_code, period, "xlsx"), {la_code})
        values = xlsx[la_code][3:]
        assert values and all(v == "QUARANTINED" for v in values), (la_code, period, values)


@pytest.mark.build
def test_tartan_rug_xlsx_has_one_row_per_la_with_the_shared_figures(sample_build: Build, out: Path) -> None:
    region_code, period = "E12000004", "2024-25 Q1"  # East Midlands: Leicestershire quarantined (T06)
    las = dict(sample_build.query(f"select la_code, la_name from marts.dim_local_authority where is_current and region_code = '{region_code}'"))
    path = report_path(sample_build, out, "tartan_rug", region_code, period, "xlsx")
    rows = xlsx_la_rows(path, set(las))
    assert set(rows) == set(las)
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == ["Tartan rug", "Statistical neighbours", "Trend", "Legend"]
    for sheet in book.worksheets:
        assert next(sheet.iter_rows(max_row=1, values_only=True))[0] == MARKING
    header = next(r for r in book["Tartan rug"].iter_rows(values_only=True) if r[0] == "LA code")
    column = header.index("Current children looked after (per 10,000 aged 0-17)")
    # an accepted LA's cell is the shared figure itself
    shared = sample_build.scalar(
        f"""select value from sharing.shr_regional__indicators where la_code = '856' and period = '{period}'
        and indicator_code = 'CLA_END' and measure = 'rate_per_10k'"""
    )
    assert rows["856"][column] == pytest.approx(shared)
    assert rows["855"][column] == "QUARANTINED"


@pytest.mark.build
def test_tartan_rug_marks_provisional_quarters(sample_build: Build, out: Path) -> None:
    flags = sample_build.query("select distinct region_code, period, is_provisional from sharing.shr_regional__indicators")
    assert any(p for *_, p in flags) and not all(p for *_, p in flags)
    for region_code, period, provisional in flags:
        page = report_path(sample_build, out, "tartan_rug", region_code, period, "html").read_text()
        assert ('<div class="provisional">PROVISIONAL' in page) == provisional, (region_code, period)
        sheet = openpyxl.load_workbook(report_path(sample_build, out, "tartan_rug", region_code, period, "xlsx"), read_only=True)["Tartan rug"]
        top = [r[0] for r in sheet.iter_rows(max_row=3, values_only=True)]
        assert top[0] == MARKING and str(top[2]).startswith("PROVISIONAL") == provisional


@pytest.mark.build
def test_register_lists_every_item_and_keeps_regional_items_in_their_region(sample_build: Build, out: Path) -> None:
    with (PROJECT_ROOT / "seeds" / "register" / "ref_items.csv").open() as handle:
        items = {r["item_code"]: r for r in csv.DictReader(handle)}
    page = (out / "data_register.html").read_text()
    with (out / "data_register.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {r["item_code"] for r in rows} == set(items)
    assert "Regional items never leave the region" in page
    for code, item in items.items():
        row = next(r for r in html_rows(page) if f"<code>{code}</code>" in r)
        given = [r for r in rows if r["item_code"] == code]
        if item["item_set"] == "regional":
            assert {(r["audience"], r["region_code"]) for r in given} == {("regional", item["collecting_region_code"])}
            assert "Never leaves the region" in row
        else:
            assert {"regional", "dfe", "d2i", "adcs"} <= {r["audience"] for r in given}
    # the agreements named are those in force on the as-of date, each with its clause
    in_force = dict(sample_build.query("select agreement_id, clause from intermediate.int_sharing_agreements_in_force"))
    named = {r["agreement_id"]: r["clause"] for r in rows}
    assert named == in_force
    assert "SE-DFE-2019" not in named and "SE-DFE-2021-EXT" in named  # expired, extended


@pytest.mark.build
def test_every_page_is_self_contained(out: Path) -> None:
    pages = list(out.rglob("*.html"))
    assert len(pages) > 200
    external = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//|url\(|@import|<script|<link|<iframe""", re.I)
    for path in pages:
        assert not external.search(path.read_text()), path


def test_reports_are_swapped_in_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "reports"
    (out / "old").mkdir(parents=True)
    (out / "old" / "stale.html").write_text("old")

    def failing(db_path: Path, folder: Path) -> list:
        (folder / "index.html").write_text("half")
        raise RuntimeError("disk full")

    monkeypatch.setattr(reports, "write_reports", failing)
    with pytest.raises(RuntimeError):
        reports.publish(tmp_path / "riia.duckdb", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no temporary folder left
    assert (out / "old" / "stale.html").read_text() == "old"  # the last good reports untouched

    monkeypatch.setattr(reports, "write_reports", lambda db_path, folder: (folder / "index.html").write_text("new") and [])
    reports.publish(tmp_path / "riia.duckdb", out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert [p.name for p in out.iterdir()] == ["index.html"]


# --------------------------------------------------------------------------- LAs that sent nothing


@pytest.fixture(scope="module")
def sparse_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Build, Path]:
    """North East: Hartlepool sends two quarters, Middlesbrough the first only, Redcar a quarantined second."""
    folder = tmp_path_factory.mktemp("sparse")
    returns = folder / "returns"
    for period in ("2024-25 Q1", "2024-25 Q2"):
        write_valid_return(returns, "805", period)
    write_valid_return(returns, "806", "2024-25 Q1")
    write_valid_return(returns, "807", "2024-25 Q2", REREFERRALS=400)  # > REFERRALS 300: L01, quarantined
    build = run_dbt(returns, folder / "riia.duckdb")
    with contextlib.redirect_stdout(io.StringIO()):
        assert reports.main(["--db", str(build.db_path), "--out", str(folder / "reports")]) == 0
    return build, folder / "reports"


@pytest.mark.build
def test_las_that_sent_nothing_are_reported_as_not_received(sparse_reports: tuple[Build, Path]) -> None:
    build, out = sparse_reports
    ne_las = dict(build.query("select la_code, la_name from marts.dim_local_authority where is_current and region_code = 'E12000001'"))
    with report_path(build, out, "validation", "E12000001", "2024-25 Q2", "csv").open() as handle:
        status = {r["la_code"]: r["return_status"] for r in csv.DictReader(handle) if r["record"] == "la_status"}
    assert set(status) == set(ne_las)
    assert status.pop("805") in ("accepted", "accepted_with_warnings")
    assert status.pop("807") == "quarantined"
    assert set(status.values()) == {"not_received"}  # Middlesbrough (806) among them

    page = report_path(build, out, "validation", "E12000001", "2024-25 Q2", "html").read_text()
    section = page.split('id="la-806"', 1)[1].split("</section>", 1)[0]
    assert "Not received" in section and "806_2024-25_Q2.csv" in section  # how to name the missing return

    rug = report_path(build, out, "tartan_rug", "E12000001", "2024-25 Q2", "html").read_text()
    row = next(r for r in html_rows(rug) if "(806)" in r)
    assert "NOT RECEIVED" in row and 'class="v"' not in row
    xlsx = xlsx_la_rows(report_path(build, out, "tartan_rug", "E12000001", "2024-25 Q2", "xlsx"), set(ne_las))
    assert set(xlsx) == set(ne_las)
    assert all(v == "NOT RECEIVED" for v in xlsx["806"][3:]) and all(v == "QUARANTINED" for v in xlsx["807"][3:])
    assert any(isinstance(v, float) for v in xlsx["805"][3:])
    # Hartlepool's trend has both quarters; regions without a return have no reports, and the index says so
    assert "2024-25 Q1 " in next(r for r in html_rows(rug) if "(805)" in r)
    assert not (out / "validation" / "E12000002_north-west").exists()
    assert (out / "index.html").read_text().count("No returns received.") == 8


# --------------------------------------------------------------------------- in a browser


@pytest.mark.browser
def test_browser_check_catches_script_errors_and_outside_requests(chromium: str, tmp_path: Path) -> None:  # noqa: F811
    """The browser checks below can fail: a page with a script error and a remote image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><title>bad</title><p>Shown</p><details><summary>More</summary>hidden</details>'
        '<img src="https://example.invalid/x.png"><script>throw new Error("boom")</script>'
    )
    rendered = render(chromium, bad)
    assert "Shown" in rendered.text and "hidden" not in rendered.text
    assert any("boom" in e for e in rendered.errors)
    assert rendered.external_requests == ["https://example.invalid/x.png"]


@pytest.mark.build
@pytest.mark.browser
def test_tartan_rug_in_a_browser(chromium: str, sample_build: Build, out: Path, tmp_path: Path) -> None:  # noqa: F811
    region_code, period = "E12000004", "2024-25 Q1"  # East Midlands: Leicestershire quarantined (T06)
    path = report_path(sample_build, out, "tartan_rug", region_code, period, "html")
    rendered = render(chromium, path, screenshot=True)
    (tmp_path / "tartan_rug.png").write_bytes(rendered.screenshot or b"")

    assert rendered.errors == []
    assert rendered.requests == [path.resolve().as_uri()]  # the page itself, nothing else
    assert rendered.title == f"Tartan rug: East Midlands, {period}"
    text = rendered.text
    assert text.startswith(MARKING) and "PROVISIONAL" not in text
    for (la_name,) in sample_build.query(f"select la_name from marts.dim_local_authority where is_current and region_code = '{region_code}'"):
        assert la_name in text, la_name
    names = sample_build.query(
        f"""
        select i.indicator_code, list(distinct i.indicator_name)
        from reference.ref_indicators as i inner join reference.ref_items as t on i.indicator_code = t.item_code
        where t.item_set = 'riia_core' or t.collecting_region_code = '{region_code}'
        group by 1
        """
    )
    assert len(names) > 30
    for code, variants in names:
        assert any(n in text for n in variants), code
    assert "QUARANTINED: Return quarantined (failed T06)" in text
    assert "1 = lowest quarter of England" in text and "4 = highest quarter of England" in text
    assert "East Midlands (region)" in text and "England" in text
    # what is drawn: a coloured cell per shown figure and a trend line in it
    assert rendered.dom.count('<svg class="spark"') > 9 * 30
    assert rendered.screenshot and rendered.screenshot.startswith(b"\x89PNG")


@pytest.mark.build
@pytest.mark.browser
def test_provisional_tartan_rug_says_so_first(chromium: str, sample_build: Build, out: Path) -> None:  # noqa: F811
    region_code, period = sample_build.query(
        "select region_code, period from sharing.shr_regional__indicators where is_provisional limit 1"
    )[0]
    rendered = render(chromium, report_path(sample_build, out, "tartan_rug", region_code, period, "html"))
    first_lines = rendered.text.splitlines()[:2]
    assert first_lines[0] == MARKING and first_lines[1].startswith(f"PROVISIONAL: {period} has not yet been checked")
    assert rendered.errors == [] and rendered.external_requests == []
