"""The reports people read (riia.reports), rendered once from the shared sample build.

One module fixture publishes the sample build's exports (riia.publish) and renders the
reports of the South East, the North West and the East of England, DfE, D2I and ADCS from
their own DuckDB files, and the hub's index and register from the warehouse. The tests read
what a director, a data lead, an LA officer and a browser would find there. Tests that need
changed data change a copy of one recipient's file, never the build.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from browser import chromium, render  # noqa: F401 - chromium is a fixture
from conftest import Build
from riia import changes, publish
from riia.build import delivery_context
from riia.cli import app
from riia.periods import Period
from riia.reports import charts, screenshots, tracker, write_hub_reports, write_recipient_reports
from riia.reports.cache import MANIFEST
from riia.reports.source import RecipientData, quarter_window
from riia.reports.validation import write_csv_rows
from riia.reuse import PreviousOutputs
from riia.safe_text import FORMULA_STARTS, sql_spreadsheet_safe

SAMPLE = "SAMPLE DATA - built from generated returns, not real figures"
REGIONAL_MARKING = "OFFICIAL-SENSITIVE: RIIA INTERNAL AND LIMITED USE"
SE, NW, EE = "regional:E12000008", "regional:E12000002", "regional:E12000006"
RENDERED = (SE, NW, EE, "dfe", "d2i", "adcs")
ANNEX_A = {
    "REFERRALS", "REREFERRALS", "ASSESS_COMPLETED", "ASSESS_45D", "CIN_END", "S47", "ICPC_15D", "CPP_END", "CPP_START",
    "CPP_CEASED", "CPP_REPEAT_EVER", "CPP_REPEAT_2Y", "CLA_END", "CLA_START", "CLA_CEASED", "CLA_ADOPTED", "A1_DAYS",
    "A2_DAYS", "A3_UNDER_14M",
}  # fmt: skip


@dataclass
class Published:
    root: Path  # like a publication folder: exports/ and reports/
    build: Build
    folders: dict[str, Path]  # recipient id -> its folder
    databases: dict[str, Path]
    written: dict[str, list]
    seconds: float
    context: dict  # what every manifest says of the build (riia.build.delivery_context)

    def reports(self, recipient: str) -> Path:
        return self.folders[recipient] / "reports"

    def one(self, recipient: str, pattern: str) -> Path:
        found = sorted(self.reports(recipient).glob(pattern))
        assert len(found) == 1, (pattern, found)
        return found[0]


@pytest.fixture(scope="module")
def published(sample_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Published:
    root = tmp_path_factory.mktemp("publication")
    context = delivery_context(sample_build.db_path, "test-build")
    deliveries = {
        d.recipient.recipient_id: d for d in publish.write_exports(sample_build.db_path, root / "exports", context)
    }
    started = time.monotonic()
    folders = [(deliveries[rid].database, deliveries[rid].folder / "reports", None) for rid in RENDERED]
    written = dict(zip(RENDERED, write_recipient_reports(folders), strict=True))
    seconds = time.monotonic() - started
    written["hub"] = write_hub_reports(sample_build.db_path, root / "exports", root / "reports", None)
    return Published(
        root, sample_build, {rid: d.folder for rid, d in deliveries.items()},
        {rid: d.database for rid, d in deliveries.items()}, written, seconds, context,
    )  # fmt: skip


def rows_of(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).fetchall()


def section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"', 1)[1].split("</section>", 1)[0].split("</tr>", 1)[0]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --------------------------------------------------------------------------- what each recipient gets


@pytest.mark.build
def test_each_recipient_gets_the_reports_its_agreements_describe(published: Published) -> None:
    for region in (SE, NW, EE):
        kinds = {w.kind for w in published.written[region]}
        assert {"tartan_rug", "la_profile", "la_profile_workbook", "validation", "index", "assets"} <= kinds
    assert {w.kind for w in published.written["dfe"]} == {"la_profile", "la_profile_workbook", "assets", "index"}
    for recipient in ("d2i", "adcs"):  # their agreements describe no report: no folder at all
        assert published.written[recipient] == []
        assert not published.reports(recipient).exists()
    assert published.seconds < 600


@pytest.mark.build
def test_each_export_table_is_stored_sorted_and_its_csv_lists_it_row_for_row(published: Published) -> None:
    # the CSVs are written from the recipient's DuckDB tables without sorting again
    # (riia.publish.write_csv): the table must be stored sorted by quarter where it has one,
    # then on every column, and its CSV must hold the same rows in that order, text made
    # spreadsheet-safe
    rows_checked = 0
    for recipient, folder in published.folders.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        with duckdb.connect(str(published.databases[recipient]), read_only=True) as con:
            for entry in (f for f in manifest["files"] if f["format"] == "csv"):
                table = entry["table"]
                described = con.sql(f"describe {table}").fetchall()
                names = [f'x."{name}"' for name, *_ in described]
                order = ", ".join((['x."period"'] if 'x."period"' in names else []) + names)
                # each row's hash, in the stored order and sorted: the same list
                stored = con.sql(f"select hash(x) from {table} as x").fetchall()
                assert stored == con.sql(f"select hash(x) from {table} as x order by {order}").fetchall(), (
                    recipient,
                    table,
                )
                # the CSV, read by Python's csv module, holds the text cells made safe
                # (safe_text.sql_spreadsheet_safe, which test_faults_values proves equal to
                # spreadsheet_safe) in that order
                text = [i for i, (_, kind, *_) in enumerate(described) if kind == "VARCHAR"]
                cells = ", ".join(f"coalesce({sql_spreadsheet_safe(names[i])}, '')" for i in text) or "null"
                expected = con.sql(f"select {cells} from {table} as x order by {order}").fetchall()
                with (folder / entry["name"]).open(newline="", encoding="utf-8") as handle:
                    reader = csv.reader(handle)
                    assert next(reader) == [name for name, *_ in described]
                    if len(text) > 1:
                        written = list(map(itemgetter(*text), reader))
                    else:  # one text column, or none (a row of null, as selected)
                        written = [(row[text[0]] if text else None,) for row in reader]
                assert written == expected, (recipient, table)
                assert entry["rows"] == len(stored)
                rows_checked += len(stored)
    assert len(published.folders) == 12 and rows_checked > 100_000


@pytest.mark.build
def test_dfe_profiles_are_the_se_las_annex_a_indicators_released_quarters_without_comments(
    published: Published,
) -> None:
    se_las = {la for (la,) in rows_of(published.databases[SE], "select distinct la_code from returns")}
    released = {
        p
        for (p,) in rows_of(
            published.databases["dfe"], "select distinct period from indicators where region_code = 'E12000008'"
        )
    }
    profiles = [w for w in published.written["dfe"] if w.kind == "la_profile"]
    assert {w.subject for w in profiles} == se_las and len(se_las) == 19
    assert {w.period for w in profiles} == released
    assert not list(published.reports("dfe").glob("tartan_rug/*")) and not list(
        published.reports("dfe").glob("validation/*")
    )
    page = profiles[-1].path.read_text()
    assert set(re.findall(r'<article class="card" id="([A-Z0-9_]+)"', page)) == ANNEX_A
    for w in profiles:
        assert "LA comment" not in w.path.read_text()  # comments stay with the region (SHARING.md rule 10)


# --------------------------------------------------------------------------- every page


@pytest.mark.build
def test_every_page_says_its_marking_top_and_bottom_and_sample_data(published: Published) -> None:
    pages = [p for rid in (SE, NW, EE, "dfe") for p in published.reports(rid).rglob("*.html")]
    pages += list((published.root / "reports").glob("*.html"))
    assert len(pages) > 700
    for path in pages:
        page = path.read_text()
        body = page.split("<body", 1)[1]
        marking = re.search(r'<meta name="handling-marking" content="([^"]+)">', page).group(1)
        top, bottom = body.split("<main>", 1)[0], body.split("</main>", 1)[1]
        assert marking in top and marking in bottom and SAMPLE in top and SAMPLE in bottom, path


@pytest.mark.build
def test_every_page_works_offline(published: Published) -> None:
    remote = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:|//)|url\(|@import|<link|<iframe""", re.I)
    for path in [p for rid in (SE, "dfe") for p in published.reports(rid).rglob("*.html")]:
        page = path.read_text()
        assert not remote.search(page), path
        for src in re.findall(r'<script src="([^"]+)"', page):
            assert (path.parent / src).resolve().is_file(), (path, src)  # the bundle written beside it


@pytest.mark.build
def test_every_workbook_sheet_is_marked_in_its_cells_header_and_footer(published: Published) -> None:
    for path in [
        published.one(SE, "tartan_rug/2024-25_Q3_OFF*.xlsx"),
        published.one(SE, "la_profile/2024-25_Q3_*.xlsx"),
    ]:
        book = openpyxl.load_workbook(path)
        for sheet in book.worksheets:
            assert sheet["A1"].value == REGIONAL_MARKING and sheet["A2"].value == SAMPLE, (path.name, sheet.title)
            for part in (sheet.oddHeader.center.text, sheet.oddFooter.center.text):
                assert REGIONAL_MARKING in part and "SAMPLE DATA" in part, (path.name, sheet.title)
        assert book.properties.subject == REGIONAL_MARKING


# --------------------------------------------------------------------------- tartan rug


@pytest.mark.build
def test_rug_cells_show_grade_change_neighbours_with_coverage_and_comparators(published: Published) -> None:
    row = rows_of(published.databases[SE], """
        select value, neighbours_value, neighbours_contributing_las, neighbours_member_las, quartile_in_england,
            previous_quartile_in_england, region_value, england_value
        from indicators where la_code = '850' and period = '2024-25 Q4' and indicator_code = 'CLA_END' and measure = 'rate_per_10k'
    """)[0]  # fmt: skip
    value, sn, sn_with, sn_members, quartile, before, region, england = row
    page = published.one(SE, "tartan_rug/2024-25_Q4_OFF*.html").read_text()
    hampshire = page.split('id="la-850"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="cell[^"]*"[^>]*>(.*?)</td>', hampshire, flags=re.S)
    cell = next(c for c in cells if f">{value:,.1f}<" in c and f"SN {sn:,.1f} ({sn_with}/{sn_members})" in c)
    assert f">Q{quartile}<" in cell
    assert (f"from Q{before}" in cell) == (before != quartile)
    comparators = text_of(page.split('<tr class="comparator">', 1)[1])
    assert f"{region:,.1f}" in comparators and f"{england:,.1f}" in comparators
    assert "A = best" in page and "no direction implied" in page  # both legends


@pytest.mark.build
def test_rug_shows_quarantined_and_not_received_as_such_never_as_numbers(published: Published) -> None:
    quarantined = rows_of(
        published.databases[SE], "select la_code, period from returns where return_status = 'quarantined'"
    )
    assert quarantined
    for la_code, period in quarantined:
        page = published.one(SE, f"tartan_rug/{Period.require(period).slug}_OFF*.html").read_text()
        row = page.split(f'id="la-{la_code}"', 1)[1].split("</tr>", 1)[0]
        assert "QUARANTINED" in row and 'class="v"' not in row, (la_code, period)
        sheet = openpyxl.load_workbook(published.one(SE, f"tartan_rug/{Period.require(period).slug}_OFF*.xlsx"))[
            "Tartan rug"
        ]
        cells = next(r for r in sheet.iter_rows(values_only=True) if r[0] == la_code)[3:]
        assert cells and all(v == "QUARANTINED" for v in cells)


@pytest.mark.build
def test_rug_marks_provisional_quarters_and_has_the_annex_a_preset_for_the_south_east(published: Published) -> None:
    provisional = dict(
        rows_of(published.databases[NW], "select period, bool_or(is_provisional) from indicators group by 1")
    )
    assert any(provisional.values()) and not all(provisional.values())
    for period, is_provisional in provisional.items():
        page = published.one(NW, f"tartan_rug/{Period.require(period).slug}_OFF*.html").read_text()
        assert ('class="provisional"' in page) == is_provisional, period
    preset = published.one(SE, "tartan_rug/2024-25_Q4_se-annex-a_*.html").read_text()
    shown = set(re.findall(r'<th scope="col" title="([A-Z0-9_]+) \(', preset))
    assert shown == ANNEX_A
    assert not list(published.reports(NW).glob("tartan_rug/*annex*"))


@pytest.mark.build
def test_rug_xlsx_is_fit_for_a_board_pack(published: Published) -> None:
    sql = "select any_value(period) from indicators where la_comment is not null"
    period = rows_of(published.databases[SE], sql)[0][0]
    book = openpyxl.load_workbook(published.one(SE, f"tartan_rug/{Period.require(period).slug}_OFF*.xlsx"))
    assert book.sheetnames == ["Tartan rug", "Ranks and coverage", "Trend", "Charts", "Legend"]
    for name in ("Tartan rug", "Ranks and coverage", "Trend"):
        sheet = book[name]
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in (None, 1)  # one page wide (1 is the default, left unwritten)
        assert sheet.page_setup.fitToHeight == 0  # one page wide, as many pages down as it takes
        assert sheet.print_title_rows and sheet.auto_filter.ref and sheet.freeze_panes, name
    grid = book["Tartan rug"]
    notes = [c.comment.text for row in grid.iter_rows() for c in row if c.comment]
    assert any(n.startswith("LA comment:") for n in notes)
    ranks = book["Ranks and coverage"]
    header = next(r for r in ranks.iter_rows(values_only=True) if r[0] == "LA code")
    assert {"Rank in England", "LAs ranked in England", "Neighbours with a figure", "Neighbours in the group"} <= set(
        header
    )
    columns = len([c for c in next(r for r in grid.iter_rows(values_only=True) if r[0] == "LA code") if c]) - 3
    assert len(book["Charts"]._charts) == columns > 30  # a native line chart per indicator


# --------------------------------------------------------------------------- LA profile


@pytest.mark.build
def test_profile_shows_every_indicator_with_changes_ranks_and_comment_beside_it(published: Published) -> None:
    la_code, period, code, comment = rows_of(published.databases[SE], """
        select la_code, period, indicator_code, la_comment from indicators where la_comment is not null limit 1
    """)[0]  # fmt: skip
    page = published.one(SE, f"la_profile/{Period.require(period).slug}/{la_code}_*.html").read_text()
    headlines = {
        c
        for (c,) in rows_of(
            published.databases[SE], "select distinct indicator_code from indicator_catalogue where is_headline"
        )
    }
    assert set(re.findall(r'<article class="card" id="([A-Z0-9_]+)"', page)) == headlines
    card = page.split(f'<article class="card" id="{code}">', 1)[1].split("</article>", 1)[0]
    assert comment.replace("'", "&#39;") in card
    for label in (
        "On last quarter",
        "On a year ago",
        "12 months",
        "Rank in region",
        "Rank among neighbours",
        "Rank in England",
    ):
        assert f'<th scope="row">{label}</th>' in card, label
    assert re.search(r"\d+(st|nd|rd|th) of \d+", card)
    assert page.count('<figure class="chart">') == len(headlines)


@pytest.mark.build
def test_profile_trend_across_a_reorganisation_says_so(published: Published) -> None:
    page = published.one(NW, "la_profile/2023-24_Q4/942_*.html").read_text()
    assert "Cumberland was formed in April 2023 from Cumbria (909)" in page
    assert "a new start, not a drop to nothing" in page
    patch = json.loads(re.search(r'<script type="application/json" class="chart-spec">(.*?)</script>', page).group(1))
    before = [row for row in patch["data"]["values"] if Period.require(row["q"]) < Period.require("2023-24 Q1")]
    assert before and all(row["a"] is None for row in before)  # no Cumberland line before it existed
    assert all(row["c"] is not None for row in before)  # the region's line goes on
    # a profile is written only for LAs of the quarter: none for Cumbria after it was replaced
    assert not list(published.reports(NW).glob("la_profile/2023-24_Q4/909_*"))


@pytest.mark.build
def test_profile_of_a_quarantined_quarter_says_quarantined(published: Published) -> None:
    la_code, period = rows_of(
        published.databases[SE], "select la_code, period from returns where return_status = 'quarantined' limit 1"
    )[0]
    page = published.one(SE, f"la_profile/{Period.require(period).slug}/{la_code}_*.html").read_text()
    values = re.findall(r'<span class="big( missing-text)?">([^<]*)</span>', page)
    assert values and all(missing and text == "quarantined" for missing, text in values)
    nxt = Period.require(period).shift(1).slug
    later = published.one(SE, f"la_profile/{nxt}/{la_code}_*.html").read_text()
    assert f"{period}: quarantined" in later  # named under each chart of the next quarter


@pytest.mark.build
def test_profile_workbook_has_a_sheet_per_la(published: Published) -> None:
    book = openpyxl.load_workbook(published.one(SE, "la_profile/2024-25_Q4_*.xlsx"))
    assert book.sheetnames[0] == "Contents" and len(book.sheetnames) == 1 + 19
    sheet = book[book.sheetnames[1]]
    assert sheet.print_title_rows and sheet.auto_filter.ref and sheet.freeze_panes
    assert "sheet per LA" in published.one(SE, "index.html").read_text()


# --------------------------------------------------------------------------- validation report


def defects(build: Build, outcome: str) -> list[dict]:
    found = json.loads((build.returns_dir / ".riia-sample" / "sample_defects.json").read_text())["defects"]
    return [d for d in found if d["expected_outcome"] == outcome and f"regional:{d['region_code']}" in RENDERED]


@pytest.mark.build
def test_validation_report_names_file_line_item_rule_and_the_resubmission_name(published: Published) -> None:
    checked = 0
    for defect in defects(published.build, "quarantined"):
        recipient = f"regional:{defect['region_code']}"
        slug = Period.require(defect["period"]).slug
        page = published.one(recipient, f"validation/{slug}_*.html").read_text()
        own = page.split(f'<section class="la-section" id="la-{defect["la_code"]}">', 1)[1].split("</section>", 1)[0]
        name = Path(defect["file"]).name
        assert "Quarantined" in own and name in own and defect["rule_id"] in own, defect
        version = int(re.search(r"_v(\d+)\.csv$", name).group(1)) if "_v" in name else 1
        assert f"{defect['la_code']}_{slug}_v{version + 1}.csv" in own  # riia.periods.return_file_name
        with published.one(recipient, f"validation/{slug}_*.csv").open() as handle:
            found = [r for r in csv.DictReader(handle) if r["la_code"] == defect["la_code"]]
        assert found[0]["record"] == "la_status" and found[0]["return_status"] == "quarantined"
        assert any(
            r["rule_id"] == defect["rule_id"] and r["source_file"] == name and r["severity"] == "error" for r in found
        )
        checked += 1
    assert checked >= 2


@pytest.mark.build
def test_findings_and_returns_read_once_are_each_quarters_rows_in_order(published: Published) -> None:
    # RecipientData reads `findings` and `returns` once and serves each quarter from them; a
    # quarter must get exactly the rows, in exactly the order, that a query of its own gives
    database = published.databases[SE]
    with duckdb.connect(str(database), read_only=True) as con:
        periods = [p for (p,) in con.sql("select distinct period from returns").fetchall()]

        def query(sql: str, period: str) -> list[dict]:
            cursor = con.execute(sql, [period])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        expected = {
            p: (
                query(
                    "select * from findings where period = ? order by la_code, is_latest_version desc, "
                    "source_file desc, severity, line_number nulls first, rule_id, item_code",
                    p,
                ),
                query("select * from returns where period = ? order by la_name, la_code, period", p),
            )
            for p in periods
        }
    with RecipientData(database) as data:
        found = {p: (data.findings(p), data.returns(p)) for p in periods}
        assert data.findings("1999-00 Q1") == [] and data.returns("1999-00 Q1") == []
    assert found == expected
    assert sum(len(f) for f, _ in expected.values()) > 10 and len(periods) >= 8


@pytest.mark.build
def test_region_names_are_read_in_one_query_and_an_unknown_region_keeps_its_code(published: Published) -> None:
    database = published.databases["d2i"]  # every region's LAs
    with duckdb.connect(str(database), read_only=True) as con:
        expected = dict(con.sql("select distinct region_code, region_name from indicators").fetchall())
    with RecipientData(database) as data:
        assert {code: data.region_name(code) for code in expected} == expected
        assert data.region_name("E99999999") == "E99999999"
    assert len(expected) > 1 and all(expected.values())


@pytest.mark.build
def test_the_las_of_each_window_are_those_a_query_of_the_window_gives(published: Published) -> None:
    # window_las reads each region's LAs of every quarter once and serves every window from
    # them; each window must get the LAs, in the order, that a query of its own gives
    database = published.databases["d2i"]  # every region's LAs, in the outside audiences' reports
    with duckdb.connect(str(database), read_only=True) as con:
        regions = [r for (r,) in con.sql("select distinct region_code from indicators order by 1").fetchall()]
        periods = [p for (p,) in con.sql("select distinct period from indicators").fetchall()]
        expected = {
            (region, period): con.execute(
                "select la_code, any_value(la_name) from indicators where list_contains(?, period) "
                "and region_code = ? group by la_code order by 2, 1",
                [quarter_window(period), region],
            ).fetchall()
            for region in regions
            for period in periods
        }
    with RecipientData(database) as data:
        found = {key: list(data.window_las(key[1], key[0]).items()) for key in expected}
    assert found == expected
    assert len(regions) > 1 and all(expected.values())


def test_an_la_renamed_within_a_window_takes_its_latest_name(tmp_path: Path) -> None:
    database = tmp_path / "recipient.duckdb"
    with duckdb.connect(str(database)) as con:
        con.execute("create table indicators (period varchar, region_code varchar, la_code varchar, la_name varchar)")
        con.execute(
            "insert into indicators values ('2024-25 Q1', 'R', '1', 'Old name'), ('2024-25 Q2', 'R', '1', 'Zed'), "
            "('2024-25 Q1', 'R', '2', 'Middle'), ('2022-23 Q1', 'R', '3', 'Gone before the window'), "
            "('2024-25 Q2', 'S', '4', 'Another region'), ('2024-25 Q2', 'R', '0', null), "
            "('2024-25 Q1', 'R', '5', 'Named once'), ('2024-25 Q2', 'R', '5', null)"
        )
    with RecipientData(database) as data:
        assert list(data.window_las("2024-25 Q2", "R").items()) == [
            ("2", "Middle"),
            ("5", "Named once"),
            ("1", "Zed"),
            ("0", None),
        ]
        assert list(data.window_las("2024-25 Q1", "R").items()) == [
            ("2", "Middle"),
            ("5", "Named once"),
            ("1", "Old name"),
        ]
        assert data.window_las("2024-25 Q2", "T") == {}


@pytest.mark.build
def test_superseded_versions_are_collapsed(published: Published) -> None:
    defect = defects(published.build, "superseded")[0]
    page = published.one(
        f"regional:{defect['region_code']}", f"validation/{Period.require(defect['period']).slug}_*.html"
    )
    own = page.read_text().split(f'id="la-{defect["la_code"]}">', 1)[1].split("</section>", 1)[0]
    before, collapsed = own.split("<details>", 1)
    old, new = Path(defect["file"]).name, Path(defect["fixed_by"]).name
    assert f"<strong>{new}</strong>" in before and old not in before and old in collapsed


@pytest.mark.build
def test_validation_csv_cells_are_spreadsheet_safe(published: Published, tmp_path: Path) -> None:
    # the sample's own findings (a planted formula is escaped: test_changed_since_release_...)
    paths = sorted(published.reports(SE).glob("validation/*.csv"))
    assert len(paths) >= 12, paths
    for path in paths:
        with path.open() as handle:
            for row in csv.DictReader(handle):
                assert not any(v.startswith(FORMULA_STARTS) for v in row.values()), (path.name, row)
    made = write_csv_rows(
        tmp_path / "x.csv", ("a", "b", "c"), [{"a": '=HYPERLINK("http://x")', "b": "@SUM(1)", "c": 3}]
    )
    with made.open() as handle:
        assert next(csv.DictReader(handle)) == {"a": '\'=HYPERLINK("http://x")', "b": "'@SUM(1)", "c": "3"}


# --------------------------------------------------------------------------- changed data, escaping, caching


def changed_copy(published: Published, tmp_path: Path, *statements: str) -> Path:
    """A copy of the South East's file, with its last two quarters only, changed by `statements`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / published.databases[SE].name
    shutil.copyfile(published.databases[SE], copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("delete from indicators where period < '2024-25 Q3'")
        con.execute("delete from returns where period < '2024-25 Q3'")
        for statement in statements:
            con.execute(statement)
    return copy


@pytest.mark.build
def test_changed_since_release_and_text_from_a_return_are_shown_safely(published: Published, tmp_path: Path) -> None:
    copy = changed_copy(
        published, tmp_path,
        """update indicators set is_changed_since_release = true, la_comment = '<script>alert(1)</script> =HYPERLINK("x")'
           where la_code = '850' and period = '2024-25 Q4' and indicator_code = 'CLA_END'""",
        "update findings set value = '=1+2' where period = '2024-25 Q4'",
    )  # fmt: skip
    out = tmp_path / "reports"
    write_recipient_reports([(copy, out, None)])
    rug = next(out.glob("tartan_rug/2024-25_Q4_OFF*.html")).read_text()
    assert (
        "Changed since release:" in rug
        and '<span class="mark" title="Changed since the quarter was released">R</span>' in rug
    )
    assert "<script>alert" not in rug and "&lt;script&gt;alert(1)&lt;/script&gt;" in rug
    profile = next(out.glob("la_profile/2024-25_Q4/850_*.html")).read_text()
    assert "<script>alert" not in profile and "Changed since the quarter was released" in profile
    with next(out.glob("validation/2024-25_Q4_*.csv")).open() as handle:
        values = [r["value"] for r in csv.DictReader(handle) if r["record"] == "finding"]
    assert values and set(values) == {"'=1+2"}


@pytest.mark.build
def test_unchanged_reports_are_copied_and_changed_ones_rendered(published: Published, tmp_path: Path) -> None:
    (first,) = write_recipient_reports([(published.databases[SE], tmp_path / "again", published.reports(SE))])
    assert {w.kind for w in first if w.rendered} == {"index"}  # everything else copied unchanged
    manifest = json.loads((tmp_path / "again" / MANIFEST).read_text())["reports"]
    assert len(manifest) == len(first) - 1
    for w in first:
        for path in w.files:
            before = published.reports(SE) / path.relative_to(tmp_path / "again")
            if w.kind != "index":
                assert path.read_bytes() == before.read_bytes(), path

    # one figure of 2024-25 Q3 changes: only the quarters whose window holds it are rendered again
    base = changed_copy(published, tmp_path / "base")
    write_recipient_reports([(base, tmp_path / "base_reports", None)])
    changed = changed_copy(
        published, tmp_path / "changed",
        "update indicators set value = value + 1 where la_code = '850' and period = '2024-25 Q3' and indicator_code = 'CLA_END'",
    )  # fmt: skip
    before = {p: p.read_bytes() for p in (tmp_path / "base_reports").rglob("*") if p.is_file()}
    (second,) = write_recipient_reports([(changed, tmp_path / "changed_reports", tmp_path / "base_reports")])
    rendered = {(w.kind, w.period) for w in second if w.rendered and w.kind != "index"}
    assert {p for _, p in rendered} == {"2024-25 Q3", "2024-25 Q4"}
    assert not [w for w in second if w.kind == "validation" and w.rendered]
    # copies are hard links where possible: the previous publication's files stay as they were
    assert all(path.read_bytes() == content for path, content in before.items())

    # a quarter newly withheld (not yet released: DfE's file at every new quarter) changes the
    # reports whose window holds it, not every quarter's
    withheld = changed_copy(
        published, tmp_path / "withheld",
        "insert into withheld values ('quarter', 'E12000008', null, '2024-25 Q4', null, 'not released yet')",
    )  # fmt: skip
    (third,) = write_recipient_reports([(withheld, tmp_path / "withheld_reports", tmp_path / "base_reports")])
    assert {w.period for w in third if w.rendered and w.kind != "index"} == {"2024-25 Q4"}


def assert_same_database(folder: Path, fresh: Path) -> None:
    """The DuckDB file of a recipient's folder holds the tables, and the rows in their order,
    of the one an export without a previous delivery wrote (`fresh`)."""
    with duckdb.connect(str(next(folder.glob("*.duckdb"))), read_only=True) as con:
        con.execute(f"attach '{next(fresh.glob('*.duckdb'))}' as fresh (read_only)")
        assert con.sql("show tables").fetchall() == con.sql("show tables from fresh").fetchall(), folder
        for (table,) in con.sql("show tables").fetchall():
            # each row's hash, in the stored order
            ours, theirs = (
                con.sql(f"select hash(x) from {name} as x").fetchall() for name in (table, f"fresh.{table}")
            )
            assert ours == theirs, (folder, table)


@dataclass
class Delivered:
    warehouse: Path
    exports: Path  # every recipient's folder, exported from `warehouse`
    folders: dict[str, Path]  # recipient id -> its folder
    context: dict


@pytest.fixture(scope="module")
def delivered(published: Published, tmp_path_factory: pytest.TempPathFactory) -> Delivered:
    """The last delivery of the tests of what an export carries from the one before: a copy
    of the sample build's warehouse whose shared figures (the tables by indicator) keep their
    last three quarters only, the returns and findings whole, and its export. An export
    decides table by table whatever the rows: with a quarter of the figures, each of those
    tests' exports costs half the CPU of one of the whole sample."""
    root = tmp_path_factory.mktemp("delivered")
    warehouse = root / "riia.duckdb"
    shutil.copyfile(published.build.db_path, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        (first,) = con.sql(
            "select period from (select distinct period from sharing.shr_regional__indicators) "
            "order by period desc limit 1 offset 2"
        ).fetchone()
        tables = con.sql(
            "select table_name from duckdb_columns() inner join duckdb_tables() using (database_name, schema_name, "
            "table_name) where schema_name = 'sharing' and column_name in ('period', 'indicator_code') "
            "group by all having count(*) = 2"
        ).fetchall()
        assert len(tables) >= 5
        for (table,) in tables:
            con.execute(f"delete from sharing.{table} where period < '{first}'")
    deliveries = publish.write_exports(warehouse, root / "exports", published.context)
    folders = {d.recipient.recipient_id: d.folder for d in deliveries}
    return Delivered(warehouse, root / "exports", folders, published.context)


@pytest.mark.build
def test_every_recipients_duckdb_file_opens_in_duckdb_0_10_2_and_later(
    published: Published, delivered: Delivered
) -> None:
    """A recipient's DuckDB may be older than the build's: each file is stored in the format of
    publish.RECIPIENT_STORAGE_VERSION, 64 in the file's header (DuckDB's storage page)."""
    files = [*(published.root / "exports").rglob("*.duckdb"), *delivered.exports.rglob("*.duckdb")]
    assert len(files) >= 20
    for path in files:
        with path.open("rb") as handle:
            header = handle.read(20)
        assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64, path.name


@pytest.mark.build
def test_unchanged_export_tables_are_carried_from_the_last_delivery_as_a_fresh_export_would_write_them(
    delivered: Delivered, tmp_path: Path
) -> None:
    # one figure DfE receives changes, and the South East's figures lose their last quarter
    # (so every file of the SE is named by other quarters): those two indicators tables are
    # written again, every other table of every recipient is linked from the last delivery
    # (riia.reuse; the SE's under their new names), and each folder is what an export
    # without a previous delivery writes, file for file and row for row
    warehouse = tmp_path / "riia.duckdb"
    shutil.copyfile(delivered.warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update sharing.shr_dfe__riia_core set value = value + 1 where rowid = (select min(rowid) "
            "from sharing.shr_dfe__riia_core where indicator_code = 'CLA_END' and value is not null)"
        )
        con.execute(
            f"delete from sharing.shr_regional__indicators where recipient_id = '{SE}' and period = "
            f"(select max(period) from sharing.shr_regional__indicators where recipient_id = '{SE}')"
        )
    context = delivered.context
    again = {d.recipient.recipient_id: d.folder for d in publish.write_exports(
        warehouse, tmp_path / "again", context, delivered.exports)}  # fmt: skip
    fresh = {d.recipient.recipient_id: d.folder for d in publish.write_exports(warehouse, tmp_path / "fresh", context)}
    written_again = []
    for recipient, folder in again.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest == json.loads((fresh[recipient] / "manifest.json").read_text(encoding="utf-8")), recipient
        last = json.loads((delivered.folders[recipient] / "manifest.json").read_text(encoding="utf-8"))
        last_files = {f["table"]: f["name"] for f in last["files"] if f["format"] == "csv"}
        for entry in (f for f in manifest["files"] if f["format"] == "csv"):
            path, before = folder / entry["name"], delivered.folders[recipient] / last_files[entry["table"]]
            assert (entry["name"] == before.name) == (recipient != SE), entry["name"]
            assert path.read_bytes() == (fresh[recipient] / entry["name"]).read_bytes(), path
            if path.stat().st_ino != before.stat().st_ino:
                written_again.append((recipient, entry["table"]))
        assert_same_database(folder, fresh[recipient])
    assert sorted(written_again) == [("dfe", "indicators"), (SE, "indicators")]
    assert "## Revised figures (1)" in (again["dfe"] / "CHANGES.md").read_text()
    assert "## Revised figures (0)" in (again["d2i"] / "CHANGES.md").read_text()
    # a recipient whose indicators were carried skips the comparison: its note is the one the
    # comparison gives
    for recipient, folder in again.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        previous = next(delivered.folders[recipient].glob("*.duckdb"))
        compared = changes.delivery_note(next(folder.glob("*.duckdb")), previous, manifest)
        assert (folder / "CHANGES.md").read_text() == compared, recipient


def test_an_output_is_linked_from_the_last_publication_only_whole_and_with_the_same_hash(tmp_path: Path) -> None:
    previous, out = tmp_path / "previous", tmp_path / "out"
    last = PreviousOutputs(previous, None, ".outputs.json", "outputs", "v1")
    for key, names in {"whole": ["a/page.html", "a/page.csv"], "torn": ["b/page.html", "b/page.csv"]}.items():
        for name in names:
            (previous / name).parent.mkdir(parents=True, exist_ok=True)
            (previous / name).write_text(name)
        last.record(key, f"hash of {key}", [previous / name for name in names])
    last.save()
    (previous / "b" / "page.csv").unlink()  # the torn output lost a file
    outputs = PreviousOutputs(out, previous, ".outputs.json", "outputs", "v1")
    assert outputs.reuse("whole", "another hash") is None
    linked = outputs.reuse("whole", "hash of whole")
    assert [p.relative_to(out).as_posix() for p in linked] == ["a/page.html", "a/page.csv"]
    assert all(p.stat().st_ino == (previous / p.relative_to(out)).stat().st_ino for p in linked)
    # an output whose files are not all there is written again, whole: nothing of it is linked
    assert outputs.reuse("torn", "hash of torn") is None
    assert list((out / "b").glob("*")) == []
    assert outputs.reuse("new", "hash of new") is None


def test_only_the_quarters_whose_hashes_differ_are_compared_and_only_later_ones_added(tmp_path: Path) -> None:
    before = {"quarters": {"2024-25 Q1": "a", "2024-25 Q2": "b"}}
    gained = {**before["quarters"], "2024-25 Q3": "c"}
    assert publish.changed_quarters(before, before["quarters"]) == []
    assert publish.changed_quarters(before, {**before["quarters"], "2024-25 Q2": "x"}) == ["2024-25 Q2"]
    assert publish.changed_quarters(before, gained) == publish.added_quarters(before, gained) == ["2024-25 Q3"]
    # a quarter no longer included, or gained before the others, makes the table written again
    assert publish.changed_quarters(before, {"2024-25 Q2": "b"}) == ["2024-25 Q1"]
    assert publish.added_quarters(before, {"2024-25 Q2": "b"}) is None
    assert publish.added_quarters(before, {"2023-24 Q4": "z", **before["quarters"]}) is None
    assert publish.added_quarters(before, {**gained, "2024-25 Q1": "x"}) is None
    assert publish.added_quarters(before, before["quarters"]) is None
    # without the hashes of either, every quarter may differ
    assert publish.changed_quarters(None, gained) is publish.changed_quarters(before, {}) is None
    # with no quarter to compare, the two files are not opened (this one is no DuckDB file)
    previous = tmp_path / "previous.duckdb"
    previous.write_text("not a database")
    manifest = {"audience_name": "DfE", "handling_marking": "OFFICIAL", "as_of_date": "2025-08-11",
                "build_id": "b", "sample_data": False}  # fmt: skip
    note = changes.delivery_note(tmp_path / "new.duckdb", previous, manifest, compared=[])
    assert "* No new quarter." in note and "## Revised figures (0)" in note and "No figure changed." in note
    with pytest.raises(duckdb.Error):
        changes.delivery_note(tmp_path / "new.duckdb", previous, manifest, compared=["2024-25 Q3"])


@pytest.mark.build
def test_a_table_that_only_gains_a_quarter_is_added_to_not_written_again(
    delivered: Delivered, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the South East's and the North West's last deliveries lacked their latest quarter; the
    # SE's returns tracker said one return was late, and one of the NW's findings quoted another
    # figure. The SE's delivery only gained a quarter and its tracker, which holds no figure,
    # changed: its new DuckDB file is a copy of the last one, the quarter's rows added to it and
    # to a copy of the indicators CSV, the tracker replaced. A finding of the NW changed: its
    # DuckDB file is written afresh (no replaced figure may linger in a copy's free space), the
    # indicators' rows copied from the last file and the quarter added. Every other file is
    # linked, and every folder is the one a fresh export (the fixture's) writes.
    warehouse = tmp_path / "riia.duckdb"
    shutil.copyfile(delivered.warehouse, warehouse)
    last = {}
    with duckdb.connect(str(warehouse)) as con:
        for region in (NW, SE):
            last[region] = con.sql(
                f"select max(period) from sharing.shr_regional__indicators where recipient_id = '{region}'"
            ).fetchone()[0]
            con.execute(
                f"delete from sharing.shr_regional__indicators where recipient_id = '{region}' "
                f"and period = '{last[region]}'"
            )
        con.execute(
            "update sharing.shr_regional__returns set return_status = 'late' where rowid = "
            f"(select min(rowid) from sharing.shr_regional__returns where recipient_id = '{SE}')"
        )
        con.execute(
            "update sharing.shr_regional__findings set value = value || '0' where rowid = (select min(rowid) "
            f"from sharing.shr_regional__findings where recipient_id = '{NW}' and period < '{last[NW]}' "
            "and value is not null)"
        )
    context = delivered.context
    before = {
        d.recipient.recipient_id: d.folder for d in publish.write_exports(warehouse, tmp_path / "before", context)
    }
    appended, copied = [], []

    def append_quarters(con, name, query, added, outputs, path):  # counts the calls
        appended.append((outputs.out, name, added))
        return original(con, name, query, added, outputs, path)

    def copyfile(source, target):  # notes the DuckDB files copied
        if str(target).endswith(".duckdb.part"):
            copied.append(Path(target).parent)
        return copy(source, target)

    original, copy = publish.append_quarters, shutil.copyfile
    monkeypatch.setenv("RIIA_WORKERS", "1")  # the next export runs in this process, where it is counted
    monkeypatch.setattr(publish, "append_quarters", append_quarters)
    monkeypatch.setattr(publish.shutil, "copyfile", copyfile)
    after = {d.recipient.recipient_id: d.folder for d in publish.write_exports(
        delivered.warehouse, tmp_path / "after", context, tmp_path / "before")}  # fmt: skip
    assert appended == [(after[NW], "indicators", [last[NW]]), (after[SE], "indicators", [last[SE]])]
    # every recipient's file is the last one copied but the North West's
    assert sorted(copied) == sorted(folder for recipient, folder in after.items() if recipient != NW)
    for recipient, folder in after.items():
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        assert manifest == json.loads((delivered.folders[recipient] / "manifest.json").read_text(encoding="utf-8"))
        earlier = {f["table"]: f["name"] for f in json.loads((before[recipient] / "manifest.json").read_text())["files"]
                   if f["format"] == "csv"}  # fmt: skip
        for entry in (f for f in manifest["files"] if f["format"] == "csv"):
            path = folder / entry["name"]
            assert path.read_bytes() == (delivered.folders[recipient] / entry["name"]).read_bytes(), path
            linked = path.stat().st_ino == (before[recipient] / earlier[entry["table"]]).stat().st_ino
            written = (recipient, entry["table"]) in ((NW, "indicators"), (NW, "findings"), (SE, "indicators"),
                                                      (SE, "returns"))  # fmt: skip
            assert linked != written, path
        assert_same_database(folder, delivered.folders[recipient])


# --------------------------------------------------------------------------- hub and tracker


def build_day(build: Build) -> date:
    """The day the build counts as today: the day its dbt run started (macro build_date), not the
    test's (a test run that crosses midnight would be a day out)."""
    results = build.db_path.parent / "dbt_target" / "sample_build_run_results.json"
    return date.fromisoformat(json.loads(results.read_text())["metadata"]["invocation_started_at"][:10])


@pytest.mark.build
def test_hub_index_opens_on_this_quarter_lists_every_quarter_and_links_every_report(published: Published) -> None:
    found = tracker.read_warehouse(published.build.db_path)
    assert found.latest_period == Period.latest_ended(build_day(published.build)).label
    page = (published.root / "reports" / "index.html").read_text()
    assert f"This quarter: {found.latest_period}" in page.split('id="earlier"')[0]
    earlier = page.split('id="earlier"', 1)[1]
    for period in found.periods[1:]:
        assert f'<th scope="row">{period}</th>' in earlier, period  # quarters with no return listed too
    links = set(re.findall(r'href="([^"#]+)"', page))
    for recipient in (SE, NW, EE, "dfe"):
        assert (
            f"../exports/{published.folders[recipient].relative_to(published.root / 'exports').as_posix()}/reports/index.html"
            in links
        )
    for link in links:
        assert (published.root / "reports" / link).exists(), link
    for c in found.chase_of(found.latest_period)[:5]:
        assert f"{c.la_name} ({c.la_code})" in page


@pytest.mark.build
def test_register_lists_every_item_and_who_receives_it(published: Published) -> None:
    with (published.root / "reports" / "data_register.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    items = {code for (code,) in published.build.query("select item_code from reference.ref_items")}
    assert {r["item_code"] for r in rows} == items
    given = {(r["item_code"], r["recipient_id"]) for r in rows}
    assert ("A1_DAYS", "dfe") in given and ("A1_DAYS", "d2i") not in given  # SE Annex A only
    assert not [
        r
        for r in rows
        if r["item_code"] == "A1_DAYS" and r["recipient_id"].startswith("regional:") and r["region_code"] != "E12000008"
    ]


@pytest.mark.build
def test_tracker_deadlines_and_days_overdue_follow_the_quarter_end(published: Published) -> None:
    rows = published.build.query(
        "select period, deadline_date, tracker_status, is_overdue, days_overdue from marts.fct_returns_tracker"
    )
    today = build_day(published.build)
    for period, deadline, status, overdue, days in rows:
        assert deadline == Period.require(period).end_date + timedelta(days=42)
        assert bool(overdue) == (status == "not_received" and today > deadline), (period, status)
        if overdue:
            assert days == (today - deadline).days


def small_warehouse(path: Path) -> Path:
    """A tracker with a late LA (102 in 2024-25 Q4) and a quarter with no return at all (2025-26 Q1)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts; create schema reference")
        con.execute("create table reference.ref_regions as select 'E1' as region_code, 'Northland' as region_name")
        con.execute("""
            create table marts.fct_returns_tracker as select * from (values
                ('100', 'Alpha', 'E1', '2024-25 Q4', date '2025-05-12', 'accepted', false, null),
                ('101', 'Beta', 'E1', '2024-25 Q4', date '2025-05-12', 'quarantined', false, null),
                ('102', 'Gamma', 'E1', '2024-25 Q4', date '2025-05-12', 'not_received', true, 110),
                ('100', 'Alpha', 'E1', '2025-26 Q1', date '2025-08-11', 'not_received', true, 19),
                ('101', 'Beta', 'E1', '2025-26 Q1', date '2025-08-11', 'not_received', true, 19),
                ('102', 'Gamma', 'E1', '2025-26 Q1', date '2025-08-11', 'not_received', true, 19)
            ) as t(la_code, la_name, region_code, period, deadline_date, tracker_status, is_overdue, days_overdue)
        """)  # fmt: skip
    return path


def test_tracker_counts_a_late_la_and_a_quarter_with_no_return(tmp_path: Path) -> None:
    warehouse = small_warehouse(tmp_path / "w.duckdb")
    found = tracker.read_warehouse(warehouse)
    assert found.latest_period == "2025-26 Q1" and found.periods == ["2025-26 Q1", "2024-25 Q4"]
    latest, before = found.total("2025-26 Q1"), found.total("2024-25 Q4")
    assert (latest.las, latest.received, latest.overdue) == (3, 0, 3)
    assert (before.received, before.accepted, before.quarantined, before.overdue) == (2, 1, 1, 1)
    assert [(c.la_code, c.days_overdue) for c in found.chase_of("2024-25 Q4")] == [("102", 110)]
    text = tracker.render_text(found, all_periods=True)
    assert "Returns for 2025-26 Q1, deadline 11 Aug 2025" in text and "102 Gamma" in text and "110 days overdue" in text

    runner = CliRunner()
    result = runner.invoke(app, ["status", "--warehouse", str(warehouse), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["latest_period"] == "2025-26 Q1"
    result = runner.invoke(app, ["status", "--warehouse", str(warehouse), "--format", "csv", "--period", "2024-25 Q4"])
    chase = [r for r in csv.DictReader(result.output.splitlines()) if r["record"] == "chase"]
    assert [(r["la_code"], r["days_overdue"]) for r in chase] == [("102", "110")]
    result = runner.invoke(app, ["status", "--warehouse", str(warehouse), "--region", "Southland"])
    assert result.exit_code == 1 and "Nothing in the returns tracker" in result.output


# --------------------------------------------------------------------------- in a browser


def test_the_chart_bundle_is_made_once_and_kept_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the Vega bundle costs vl-convert seconds to make: the first build makes and keeps it,
    # every later process reads it; a new version is a new file, and an unwritable place only
    # means it is made each time
    made: list[str] = []

    def javascript_bundle(vl_version: str) -> str:
        made.append(vl_version)
        return f"// vega bundle for {vl_version}\n"

    monkeypatch.setattr(charts.vl_convert, "javascript_bundle", javascript_bundle)
    monkeypatch.setattr(charts.sys, "prefix", str(tmp_path / "venv"))
    make = charts.bundle_text.__wrapped__  # without the per-process cache, as a new process
    first, second = make(), make()
    assert first == second == f"// vega bundle for {charts.VEGA_LITE_VERSION}\n" and len(made) == 1
    kept = charts.bundle_path()
    assert kept.read_text(encoding="utf-8") == first and kept.is_relative_to(tmp_path / "venv" / "share")
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]  # no partial file left beside it
    # a place that cannot be written (here a file where the folder would be: root ignores modes)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setattr(charts.sys, "prefix", str(blocked))
    assert make() == first and len(made) == 2
    assert blocked.read_text() == "" and {p.name for p in tmp_path.iterdir()} == {"venv", "not-a-folder"}


@pytest.mark.browser
def test_browser_check_catches_script_errors_and_outside_requests(chromium: str, tmp_path: Path) -> None:  # noqa: F811
    """The browser checks below can fail: a page with a script error and a remote image is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><title>bad</title><p>Shown</p><img src="https://example.invalid/x.png">'
                   '<script>throw new Error("boom")</script>')  # fmt: skip
    rendered = render(chromium, bad)
    assert "Shown" in rendered.text and any("boom" in e for e in rendered.errors)
    assert rendered.external_requests == ["https://example.invalid/x.png"]


@pytest.mark.build
@pytest.mark.browser
def test_profile_in_a_browser_draws_four_lines_per_chart(chromium: str, published: Published, tmp_path: Path) -> None:  # noqa: F811
    page = published.one(SE, "la_profile/2024-25_Q4/850_*.html")
    rendered = render(
        chromium, page, height=1400, screenshot=True, wait_for="document.body.classList.contains('charts-ready')"
    )
    (tmp_path / "la_profile.png").write_bytes(rendered.screenshot or b"")
    assert rendered.errors == [] and rendered.external_requests == []
    assert rendered.screenshot and rendered.screenshot.startswith(b"\x89PNG")
    assert rendered.text.startswith(REGIONAL_MARKING) and SAMPLE in rendered.text
    value = rows_of(published.databases[SE], "select value from indicators where la_code = '850' and period = '2024-25 Q4' "
                    "and indicator_code = 'CLA_END' and measure = 'rate_per_10k'")[0][0]  # fmt: skip
    assert f"{value:,.1f}" in rendered.text
    figures = rendered.dom.split('<figure class="chart rendered">')[1:]
    assert len(figures) == page.read_text().count('<figure class="chart">') > 30
    lines = [f.split("</figure>")[0].count('aria-roledescription="line mark"') for f in figures]
    # LA, neighbours, region and England (a series with no figure at all draws no line)
    assert lines.count(4) >= len(lines) - 2, lines
    assert "Hampshire" in figures[0] and "Statistical neighbours" in figures[0] and "South East" in figures[0]


@pytest.mark.build
@pytest.mark.browser
def test_rug_index_and_validation_in_a_browser(chromium: str, published: Published) -> None:  # noqa: F811
    (period,) = rows_of(
        published.databases[SE], "select period from returns where return_status = 'quarantined' limit 1"
    )[0]
    slug = Period.require(period).slug
    pages = {
        "rug": (published.one(SE, f"tartan_rug/{slug}_OFF*.html"), ["QUARANTINED", "South East (region)", "England"]),
        "index": (
            published.root / "reports" / "index.html",
            ["This quarter", "Chase list", "Recipients and their reports"],
        ),
        "validation": (published.one(SE, f"validation/{slug}_*.html"), ["This return is quarantined", "What to fix"]),
    }
    for name, (path, expected) in pages.items():
        rendered = render(chromium, path, screenshot=True)
        assert rendered.errors == [] and rendered.external_requests == [], name
        assert rendered.requests == [path.resolve().as_uri()], name  # the page itself, nothing else
        assert rendered.text.startswith(REGIONAL_MARKING) and SAMPLE in rendered.text, name
        for words in expected:
            assert words in rendered.text, (name, words)
        assert rendered.screenshot and len(rendered.screenshot) > 20_000, name


@pytest.mark.build
@pytest.mark.browser
def test_screenshots_for_the_docs(chromium: str, published: Published, tmp_path: Path) -> None:  # noqa: F811
    pictures = screenshots(published.root, tmp_path / "shots")
    assert [p.name for p in pictures] == ["index.png", "tartan_rug.png", "la_profile.png", "validation.png"]
    for picture in pictures:
        assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 20_000
