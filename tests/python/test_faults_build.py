"""Fault injection, part 2: whole builds (`riia build`), sharing one hostile build.

One returns folder holds a fault per file (the cases of the issue and more: a link to
/etc/passwd named as a resubmission, a 15-digit count, "3000" plus a line break, a tab, a
non-breaking space, Arabic digits, a leading +, a quarter not ended, a 20-digit version, a
FIFO, a 200 MB file, a file at the size limit, UTF-16, binary, a loop of links, an empty
file, formula and HTML text in comments and item codes, the same name in two folders, a
resubmission after release, a return in another LA's folder). One build of it must succeed
and each test checks the four outcomes for its fault: nothing lost, nothing wrong
published, nothing leaked, and one clear sentence when something fails.
The kill, lock and history faults run on the same build folder: test_faults_kill.py.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import faultkit as fk
from conftest import valid_return_rows, write_return

pytestmark = pytest.mark.build
MAX_BYTES = 256 * 1024
FORMULA = '=HYPERLINK("http://evil.example/","click")'
SCRIPT = '<script>alert("riia")</script>'
FIFTEEN_DIGITS = "123456789012345"
BAD_VALUES = {  # LA: the CONTACTS text of its 2024-25 Q1 return (rule T05)
    "203": "3000\n",
    "826": "3000\t",
    "831": "3\u00a0000",
    "350": "\u0663\u0660\u0660\u0660",
    "800": "+3000",
}
NOT_READ = {  # file: what the landing table must say
    "873/873_2024-25_Q2.csv": "not_a_return",  # a FIFO
    "873/873_2024-25_Q3.csv": "too_large",  # 200 MB
    "807/807_2024-25_Q3.csv": "unreadable",  # a loop of links
    "805/805_2024-25_Q1_v2.csv": "link_outside",  # /etc/passwd
    "805/805_2024-25_Q3.xlsx": "not_a_return",
}


@dataclass
class Hostile:
    returns: Path
    build_dir: Path
    result: fk.Finished
    before: dict[str, str]

    @property
    def db(self) -> Path:
        return fk.current(self.build_dir) / "riia.duckdb"

    def rows(self, sql: str, *params: object) -> list[tuple]:
        with duckdb.connect(str(self.db), read_only=True) as con:
            return con.sql(sql, params=list(params) or None).fetchall()


def rows(la_code: str, period: str, **overrides: object) -> list[tuple[str, ...]]:
    return valid_return_rows(la_code, period, **overrides)


def write_hostile_folder(root: Path) -> None:
    q1, q2 = "2024-25 Q1", "2024-25 Q2"
    write_return(root, "805/805_2024-25_Q1.csv", rows("805", q1))
    (root / "805/805_2024-25_Q1_v2.csv").symlink_to("/etc/passwd")
    comment = [("805", q2, "CONTACTS", "1200", FORMULA), *rows("805", q2)[1:]]
    write_return(root, "805/805_2024-25_Q2.csv", comment)
    (root / "805/805_2024-25_Q3.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (root / ".805_2024-25_Q3.csv").write_text("hidden")
    (root / "~$805_2024-25_Q3.csv").write_text("lock file")
    write_return(root, "806/806_2024-25_Q1.csv", rows("806", q1, CONTACTS=FIFTEEN_DIGITS))
    write_return(root, "806/806_2024-25_Q2.csv", [*rows("806", q2), ("806", q2, "=1+2", "5", "")])
    write_return(root, "202/202_2024-25_Q1.csv", [("202", q1, "CONTACTS", "900", SCRIPT), *rows("202", q1)[1:]])
    write_return(root, "202/202_2024-25_Q2.csv", [*rows("202", q2), ("202", q2, SCRIPT, "1", "")])
    for la_code, text in BAD_VALUES.items():
        write_return(root, f"{la_code}/{la_code}_2024-25_Q1.csv", rows(la_code, q1, CONTACTS=text))
    write_return(root, "330/330_2025-26_Q1.csv", rows("330", "2025-26 Q1"))
    write_return(root, "370/370_2024-25_Q1_v99999999999999999999.csv", rows("370", q1))
    write_return(root, "886/873_2024-25_Q1.csv", rows("873", q1))  # in Kent's folder
    fk.make_fifo(root / "873/873_2024-25_Q2.csv")
    fk.make_sparse(root / "873/873_2024-25_Q3.csv", 200 * 1024 * 1024)
    utf16 = fk.csv_text([["la_code", "period", "item_code", "value"], *[r[:4] for r in rows("807", q1)]])
    (root / "807/807_2024-25_Q1.csv").parent.mkdir(parents=True)
    (root / "807/807_2024-25_Q1.csv").write_bytes(utf16.decode().encode("utf-16"))
    (root / "807/807_2024-25_Q2.csv").write_bytes(bytes(range(256)) * 8)
    (root / "807/807_2024-25_Q3.csv").symlink_to("807_2024-25_Q3.csv")
    (root / "350/350_2024-25_Q2.csv").write_bytes(b"")
    header = b"la_code,period,item_code,value\n"  # a file exactly at the size limit, all line breaks
    (root / "831/831_2024-25_Q2.csv").write_bytes(header + b"\n" * (MAX_BYTES - len(header)))
    write_return(root, "203/203_2024-25_Q2.csv", rows("203", q2, CONTACTS=500))
    write_return(root, "203/copy/203_2024-25_Q2.csv", rows("203", q2, CONTACTS=600))
    # a resubmission of a quarter the North East released (seeds/sharing/quarter_release_files.csv)
    write_return(root, "390/390_2022-23_Q1_v2.csv", rows("390", "2022-23 Q1", CONTACTS=4321))
    half = fk.csv_text([["la_code", "period", "item_code", "value", "comment"], *rows("826", q2)[:9]])
    (root / "826/826_2024-25_Q2.csv").write_bytes(half + b"826,2024-25 Q2,CLA_END,1")  # half-written, settled


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink() and p.stat().st_size < 10_000_000 and not p.is_fifo()
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Hostile:
    root = tmp_path_factory.mktemp("hostile")
    returns = root / "returns"
    write_hostile_folder(returns)
    before = digests(returns)
    env = fk.riia_env(returns, root / "build", RIIA_RETURNS_LAYOUT="per_la", RIIA_RETURNS_MAX_FILE_BYTES=str(MAX_BYTES))
    result = fk.run(["build"], env, timeout=900)
    print(f"hostile build: peak RSS {result.peak_rss_mb:.0f} MB")
    return Hostile(returns, root / "build", result, before)


def test_one_bad_file_never_fails_the_build(hostile: Hostile) -> None:
    fk.assert_succeeded(hostile.result)
    assert hostile.result.stderr.strip() == ""
    assert "dbt: " in hostile.result.stdout, "progress is shown"


def test_every_received_line_is_accounted_for(hostile: Hostile) -> None:
    problems = {path: problem for path, problem in fk.lines_accounted(hostile.db).items() if problem}
    assert problems == {}
    landed = dict(hostile.rows("select file_path, intake_status from raw.la_return_files"))
    for path, status in NOT_READ.items():
        assert landed[path] == status, path
    assert landed[".805_2024-25_Q3.csv"] == landed["~$805_2024-25_Q3.csv"] == "ignored"
    assert hostile.before == digests(hostile.returns), "the returns folder is never modified"


def test_files_that_cannot_be_read_are_t01_findings_each(hostile: Hostile) -> None:
    for path in [*NOT_READ, "807/807_2024-25_Q2.csv", "350/350_2024-25_Q2.csv", "831/831_2024-25_Q2.csv"]:
        found = fk.findings(hostile.db, path)
        assert "T01" in [rule for rule, severity, _ in found if severity == "error"], (path, found)
        assert all(message for _, _, message in found)


def test_etc_passwd_reaches_no_table_export_or_report(hostile: Hostile) -> None:
    assert not fk.PASSWD_MARKERS.search(fk.published_text(hostile.build_dir))
    # and the link named as a resubmission did not take the accepted return out of use (S01)
    assert hostile.rows(
        "select file_path, value_number from intermediate.int_accepted_return_values "
        "where la_code = '805' and period = '2024-25 Q1' and item_code = 'CONTACTS'"
    ) == [("805/805_2024-25_Q1.csv", 1000)]


def test_a_15_digit_count_is_l09_and_published_nowhere(hostile: Hostile) -> None:
    assert ("L09", "error") in {
        (rule, severity) for rule, severity, _ in fk.findings(hostile.db, "806/806_2024-25_Q1%")
    }
    england = hostile.rows(
        "select max(value) from marts.fct_indicator_values where indicator_code = 'CONTACTS' and measure = 'count'"
    )[0][0]
    assert england < 10**6
    # as a figure: in no export's data (the region's findings and its validation report name
    # the value, as a finding must)
    exports = fk.current(hostile.build_dir) / "exports"
    figures = [p for p in exports.rglob("*.csv") if "_findings_" not in p.name and "validation" not in p.parts]
    assert figures
    for path in figures:
        assert FIFTEEN_DIGITS not in path.read_text(encoding="utf-8").replace(",", ""), path.name


@pytest.mark.parametrize("la_code", sorted(BAD_VALUES))
def test_a_value_with_one_meaning_is_quarantined_not_vanished(hostile: Hostile, la_code: str) -> None:
    found = fk.findings(hostile.db, f"{la_code}/{la_code}_2024-25_Q1.csv")
    assert ("T05", "error") in {(rule, severity) for rule, severity, _ in found}, found
    assert hostile.rows(
        "select return_status from marts.fct_returns where la_code = ? and period = '2024-25 Q1'", la_code
    ) == [("quarantined",)]
    assert not hostile.rows(
        "select 1 from marts.fct_indicator_values where la_code = ? and period = '2024-25 Q1'", la_code
    )


def test_a_quarter_not_yet_ended_is_t03(hostile: Hostile) -> None:
    assert "T03" in {rule for rule, _, _ in fk.findings(hostile.db, "330/330_2025-26_Q1.csv")}
    assert not hostile.rows("select 1 from marts.fct_indicator_values where period = '2025-26 Q1'")


def test_a_20_digit_version_is_a_finding_on_that_file_only(hostile: Hostile) -> None:
    found = fk.findings(hostile.db, "370/%")
    # the name gives neither an LA's return nor a quarter the template allows: both errors
    assert {(rule, severity) for rule, severity, _ in found} == {("T02", "error"), ("T03", "error")}, found
    assert hostile.rows("select count(*) from marts.fct_return_files where source_file like '370_%'")[0][0] == 1


def test_spreadsheet_cells_are_neutralised_everywhere(hostile: Hostile) -> None:
    published = fk.current(hostile.build_dir)
    assert fk.unsafe_cells(published / "exports") == []
    assert fk.unsafe_cells(published / "reports") == []
    assert fk.formula_cells(published) == []
    text = fk.files_text(published / "exports") + fk.files_text(published / "reports")
    assert "'=1+2" in text, "the formula item code is reported, as text"


def test_html_from_a_return_is_escaped(hostile: Hostile) -> None:
    # the hub's reports and every recipient's (exports/<recipient>/reports/)
    published = fk.current(hostile.build_dir)
    pages = "\n".join(p.read_text(encoding="utf-8") for p in published.rglob("*.html"))
    # the only script elements are the reports' own: the chart scripts shipped with them and
    # the charts' JSON data, each closed once (no text from a return ends one early)
    own = re.compile(r'<script (?:src="(?:\.\./)*assets/[a-z-]+\.js"|type="application/json"[^>]*)>')
    tags = re.findall(r"<script[^>]*>", pages, flags=re.IGNORECASE)
    assert [tag for tag in tags if not own.fullmatch(tag)] == []
    assert pages.lower().count("</script") == len(tags)
    assert 'alert("riia")' not in pages
    assert re.search(r"&lt;script&gt;alert\((&quot;|&#34;)riia(&quot;|&#34;)\)&lt;/script&gt;", pages)


def test_the_same_name_in_two_folders_is_two_files_one_in_use(hostile: Hostile) -> None:
    files = hostile.rows(
        "select file_path, is_latest_version from marts.fct_return_files where source_file = '203_2024-25_Q2.csv' order by 1"
    )
    assert [path for path, _ in files] == ["203/203_2024-25_Q2.csv", "203/copy/203_2024-25_Q2.csv"]
    assert sum(latest for _, latest in files) <= 1, "two different files cannot both be the version in use"
    for path, _ in files:  # and each is an error naming the other
        assert ("T02", "error") in {(rule, severity) for rule, severity, _ in fk.findings(hostile.db, path)}, path


def test_a_resubmission_after_release_reaches_no_outside_audience(hostile: Hostile) -> None:
    """NE released 2022-23 Q1 with other bytes for Gateshead (390): the v2 sent afterwards
    is the region's to see, not DfE's, D2I's or ADCS's, until the quarter is released again."""
    exports = fk.current(hostile.build_dir) / "exports"
    outside = [p for p in exports.iterdir() if p.is_dir() and p.name != "regional"]
    assert outside, "the outside audiences have folders"
    assert "4321" in fk.files_text(exports / "regional"), "the region sees its LA's v2"
    for folder in outside:
        assert "4321" not in fk.files_text(folder), folder.name


def test_per_la_a_return_in_another_las_folder_is_not_accepted(hostile: Hostile) -> None:
    assert hostile.rows("select return_status from marts.fct_returns where file_path = '886/873_2024-25_Q1.csv'") == [
        ("quarantined",)
    ]


def test_peak_memory_is_bounded_by_the_size_limit(hostile: Hostile) -> None:
    """A 200 MB file and a file at the limit (256 KB of line breaks) in the folder: the build's
    peak stays far below what reading the large file would take."""
    assert 0 < hostile.result.peak_rss_mb < 4000, hostile.result.peak_rss_mb
