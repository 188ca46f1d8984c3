"""Loading: every file and every line is accounted for, nothing is modified, versions resolve.

The parser tests import the staging model's pure functions directly (fast); the rest
run against real dbt builds of the generated sample and of small fixture folders.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import Build, physical_line_count, run_dbt, write_return, write_valid_return
from riia import parsing as loader


def kinds(content: bytes, name: str = "301_2024-25_Q1.csv") -> list[tuple[int | None, str]]:
    _, lines = loader.parse_content(name, content)
    return [(line["line_number"], line["line_kind"]) for line in lines]


# ---------------------------------------------------------------- parser (no dbt)


def test_file_name_gives_la_period_and_version() -> None:
    assert loader.file_name_facts("301_2024-25_Q1_v2.csv") == {
        "file_name_la_code": "301",
        "file_name_period": "2024-25 Q1",
        "file_version": 2,
    }
    assert loader.file_name_facts("301_2024-25_q4.CSV")["file_name_period"] == "2024-25 Q4"
    assert loader.file_name_facts("Camden Q1.csv")["file_name_la_code"] is None


def test_headers_match_case_insensitively_in_any_order() -> None:
    facts, lines = loader.parse_content(
        "301_2024-25_Q1.csv", b"\xef\xbb\xbf VALUE ,Item_Code,PERIOD,la_code\n12,CONTACTS,2024-25 Q1,301\n"
    )
    assert facts["file_status"] == "readable" and facts["file_has_bom"]
    data = lines[1]
    assert (data["la_code"], data["period"], data["item_code"], data["value"]) == (
        "301",
        "2024-25 Q1",
        "CONTACTS",
        "12",
    )


def test_every_physical_line_is_kept_with_its_kind() -> None:
    content = (
        b"la_code,period,item_code,value,comment\n"
        b"301,2024-25 Q1,CONTACTS,10,\n"
        b"\n"
        b",,,,\n"
        b"301,2024-25 Q1,REFERRALS,1,000,oops\n"
        b'301,2024-25 Q1,CIN_END,5,"two\nlines"\n'
        b"301,2024-25 Q1,S47,4,,,\n"
    )
    assert kinds(content) == [
        (1, "header"),
        (2, "data"),
        (3, "blank"),
        (4, "blank"),
        (5, "malformed"),
        (6, "data"),
        (8, "data"),
    ]


def test_semicolon_files_are_reported_as_such() -> None:
    facts, lines = loader.parse_content(
        "301_2024-25_Q1.csv", b"la_code;period;item_code;value\n301;2024-25 Q1;CONTACTS;4\n"
    )
    assert facts["file_status"] == "bad_header"
    assert "semicolons" in facts["file_problem"]
    assert [line["line_kind"] for line in lines] == ["header", "malformed"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00rest-of-a-zip", "zip"),
        (b"\x00\x01\x02binary", "binary"),
        (b"\n\n", "no header"),
    ],
)
def test_unreadable_files_get_a_reason(content: bytes, reason: str) -> None:
    facts, lines = loader.parse_content("301_2024-25_Q1.csv", content)
    assert facts["file_status"] == "unreadable"
    assert reason in facts["file_problem"]
    assert lines, "an unreadable file still leaves a row behind"


def test_cp1252_text_is_kept_and_its_encoding_recorded() -> None:
    facts, lines = loader.parse_content(
        "301_2024-25_Q1.csv", b"la_code,period,item_code,value,comment\n301,2024-25 Q1,CONTACTS,3,\x93quoted\x94 \xa3\n"
    )
    assert facts["file_encoding"] == "cp1252"
    assert lines[1]["comment"] == "\u201cquoted\u201d \u00a3"


def test_staging_holds_a_batch_of_lines_not_a_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's lines are read from its text as they are written, a batch at a time: a file
    of 60,000 line breaks staged 2,000 lines at a time holds some 2 MB of Python objects at
    its peak, where the lines held all at once took 11 MB (and a file at the size limit, a
    million line breaks, 190 MB beside a build's own). Not larger: tracemalloc slows the
    staging of 200,000 lines to 20-28 s."""
    import tracemalloc
    from datetime import UTC, datetime

    import duckdb
    import pandas  # noqa: F401 - what the batches are written with, imported before memory is traced

    content = b"la_code,period,item_code,value\n" + b"\n" * 60_000
    landed = [("2024-25_Q1/802_2024-25_Q1.csv", "802_2024-25_Q1.csv", "read", None, len(content), None, None, "fp",
               None, content)]  # fmt: skip
    monkeypatch.setattr(loader, "BATCH_ROWS", 2_000)
    with duckdb.connect() as con:
        tracemalloc.start()
        try:
            rows = loader.stage_lines(con, landed, "staged", datetime(2025, 8, 11, tzinfo=UTC))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        kinds = con.sql("select line_kind, file_status, count(*) from staged group by all order by all").fetchall()
    assert rows == 60_001
    assert kinds == [("blank", "unreadable", 60_000), ("header", "unreadable", 1)]
    assert peak < 5 * 2**20, f"staging held {peak / 2**20:.0f} MB of Python objects at its peak"


def test_lines_are_staged_in_batches_without_losing_or_changing_a_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """stage_lines writes BATCH_ROWS rows at a time (memory holds one batch, not every line of
    a build): batches that split files, and a file whose lines span batches, give every row of
    parse_landed once, typed as the staging model's columns."""
    from datetime import UTC, datetime

    import duckdb

    files = [
        (
            f"2024-25_Q1/{la}_2024-25_Q1.csv",
            f"{la}_2024-25_Q1.csv",
            "read",
            None,
            len(body),
            None,
            None,
            f"fp{la}",
            None,
            body,
        )
        for la, body in [
            ("301", b"la_code,period,item_code,value\n301,2024-25 Q1,CONTACTS,5\n\n301,2024-25 Q1,REFERRALS,x,y\n"),
            ("302", b"la_code,period,item_code,value\n" + b"\n" * 7),
            ("303", b"PK\x03\x04 not a csv"),
        ]
    ] + [
        (
            "2024-25_Q1/304_2024-25_Q1.csv",
            "304_2024-25_Q1.csv",
            "too_large",
            "over the limit",
            9,
            None,
            None,
            "fp304",
            None,
            None,
        )
    ]
    loaded_at = datetime(2025, 8, 11, tzinfo=UTC)
    expected = list(loader.parse_landed(files, loaded_at))
    monkeypatch.setattr(loader, "BATCH_ROWS", 3)
    with duckdb.connect() as con:
        assert loader.stage_lines(con, files, "staged", loaded_at) == len(expected) == 14
        staged = con.sql(f"select {', '.join(loader.OUTPUT_COLUMNS)} from staged").fetchall()
        types = dict(
            con.sql(
                "select column_name, data_type from information_schema.columns where table_name = 'staged'"
            ).fetchall()
        )
    assert sorted(staged, key=repr) == sorted(expected, key=repr)
    assert types["line_number"] == "BIGINT" and types["loaded_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["file_has_bom"] == "BOOLEAN" and types["raw_line"] == "VARCHAR"


def test_staging_tables_are_named_after_the_view_quoted_or_not() -> None:
    assert loader.staging_tables('"riia"."staging"."stg_x__parsed"') == (
        '"riia"."staging"."stg_x__parsed__files"',
        '"riia"."staging"."stg_x__parsed__lines"',
    )
    assert loader.staging_tables("staged") == ("staged__files", "staged__lines")


# ---------------------------------------------------------------- the sample build


@pytest.mark.build
def test_sample_has_the_las_of_the_day_by_12_quarters(sample_build: Build) -> None:
    assert sample_build.scalar("select count(*) from reference.ref_local_authorities where is_current") == 153
    returns = sample_build.query(
        "select count(distinct la_code), count(distinct period), count(*) from marts.fct_return_files where is_latest_version"
    )
    # 153 current LAs, and Cumbria (909) in 2022-23 before Cumberland and Westmorland and
    # Furness (942, 943) from 2023-24: 152 LAs a quarter in 2022-23, 153 after.
    assert returns == [(154, 12, 152 * 4 + 153 * 8)]
    staged_las = sample_build.scalar(
        "select count(distinct file_name_la_code) from staging.stg_la_returns__lines where line_kind = 'data'"
    )
    assert staged_las == 154
    # the view the model parsed the files into and its two tables are dropped by its post-hook
    scratch = "select table_schema, table_name from information_schema.tables where table_name like '%parsed%'"
    assert sample_build.query(scratch) == []


@pytest.mark.build
def test_every_line_of_every_file_is_loaded_or_rejected(sample_build: Build) -> None:
    counted = {
        path: (lines, unreadable)
        for path, lines, unreadable in sample_build.query(
            """
            select file_path,
                   count(line_number),
                   count(*) filter (where line_kind = 'file_unreadable')
            from staging.stg_la_returns__lines
            group by file_path
            """
        )
    }
    # every file a person put in the folder (hidden ones are not returns: RETURN_TEMPLATE 1b)
    on_disk = sorted(
        p
        for p in sample_build.returns_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(sample_build.returns_dir).parts)
    )
    assert len(counted) == len(on_disk) > 1800
    for path in on_disk:
        rel = path.relative_to(sample_build.returns_dir).as_posix()
        lines, unreadable = counted[rel]
        if unreadable:
            continue
        assert lines == physical_line_count(path.read_bytes()), rel
    # loaded + rejected + header lines = every physical line of the readable files
    loaded = sample_build.scalar("select count(*) from staging.stg_la_returns__lines where line_kind = 'data'")
    rejected = sample_build.scalar("select count(line_number) from marts.fct_return_rejects")
    headers = sample_build.scalar("select count(*) from staging.stg_la_returns__lines where line_kind = 'header'")
    readable_lines = sum(
        physical_line_count(p.read_bytes())
        for p in on_disk
        if not counted[p.relative_to(sample_build.returns_dir).as_posix()][1]
    )
    assert loaded + rejected + headers == readable_lines


@pytest.mark.build
def test_the_unreadable_sample_file_is_listed_with_its_reason(sample_build: Build) -> None:
    defects = json.loads((sample_build.returns_dir / ".riia-sample" / "sample_defects.json").read_text())["defects"]
    unreadable = [d["file"] for d in defects if d["rule_id"] == "T01"]
    assert unreadable
    rows = sample_build.query(
        "select file_path, reason from marts.fct_return_rejects where reject_kind = 'file_unreadable' and file_path like '%.csv'"
    )
    assert sorted(path for path, _ in rows) == sorted(unreadable)
    assert all("zip" in reason for _, reason in rows)


@pytest.mark.build
def test_latest_version_wins_and_earlier_versions_stay_queryable(sample_build: Build) -> None:
    v2_files = sorted(
        p.relative_to(sample_build.returns_dir).as_posix() for p in sample_build.returns_dir.rglob("*_v2.csv")
    )
    assert v2_files
    for v2 in v2_files:
        v1 = v2.replace("_v2.csv", ".csv")
        rows = dict(
            sample_build.query(
                f"select file_path, superseded_by_file_path from marts.fct_return_files where file_path in ('{v1}', '{v2}')"
            )
        )
        assert rows == {v1: v2, v2: None}
        assert sample_build.scalar(f"select file_path from marts.fct_returns where file_path in ('{v1}', '{v2}')") == v2


# ---------------------------------------------------------------- fixtures: raw files untouched


def digest_tree(folder: Path) -> dict[str, tuple[str, float]]:
    return {
        p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.build
def test_build_never_modifies_moves_or_deletes_a_return(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    write_valid_return(returns, "301", "2024-25 Q1")
    write_valid_return(returns, "301", "2024-25 Q1", version=2, CONTACTS=999)
    write_return(
        returns,
        "broken/302_2024-25_Q1.csv",
        [("302", "2024-25 Q1", "CONTACTS", "1;2", "")],
        header=("LA_CODE", "Period", "item code", "value", "comment"),
    )
    (returns / "junk_2024-25_Q1.csv").write_bytes(b"\x00\x01\x02")
    before = digest_tree(returns)
    build = run_dbt(
        returns,
        tmp_path / "db" / "riia.duckdb",
        extra_args=("--select", "+fct_return_files", "+fct_return_rejects", "--indirect-selection", "cautious"),
    )
    assert digest_tree(returns) == before
    assert build.scalar("select count(*) from marts.fct_return_files") == 4
    status = dict(build.query("select file_path, file_status from marts.fct_return_files"))
    assert status["broken/302_2024-25_Q1.csv"] == "bad_header"
    assert status["junk_2024-25_Q1.csv"] == "unreadable"
