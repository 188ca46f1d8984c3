"""The bad-input corpus (tests/corpus/): every malformation real spreadsheet exports produce,
through one real dbt build, each file checked against tests/corpus/expected.csv.

One module-scoped build reads a returns folder holding a copy of the whole corpus, the very
large file (written here, never committed) and valid returns of other LAs in the same
quarters. Then, for every corpus file:

* it gets exactly its expected findings (rule, severity, line, item; the message contains
  the expected words and reads as plain English), or none at all when it is `accepted`;
* its bytes are unchanged by the build;
* no line is lost silently: data lines + the header + rejected lines (blank, malformed)
  cover every physical line of the file, counted here from the bytes on disk;

and every valid return of another LA is accepted, whatever the bad files beside it: in the
corpus's own quarters, and in quarters before 2022-23 with that time's item register.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import (
    PROJECT_ROOT,
    Build,
    physical_line_count,
    run_dbt,
    valid_return_rows,
    write_return,
    write_valid_return,
)

CORPUS_DIR = PROJECT_ROOT / "tests" / "corpus"
sys.path.insert(0, str(CORPUS_DIR))
import make_corpus  # noqa: E402

EXPECTED = list(csv.DictReader((CORPUS_DIR / "expected.csv").open(newline="", encoding="utf-8")))
CORPUS_FILES = sorted({row["file"] for row in EXPECTED})
# Valid returns of LAs the corpus does not use, in quarters the corpus files also use ...
VALID_QUARTERS = ("2022-23 Q1", "2022-23 Q4", "2023-24 Q3", "2024-25 Q2", "2025-26 Q1", "2025-26 Q4")
# ... and history: quarters before the six items new in 2022 (RETURN_TEMPLATE.md section 1a)
# were collected, whose valid returns do not have them.
HISTORY_QUARTERS = ("2013-14 Q1", "2019-20 Q1")
ITEMS_FROM_2022 = ("CLA_UASC_END", "CARE_LEAVERS_UASC_END", "EHE_END", "EHC_REQUESTS", "EHC_ASSESSMENTS", "EHCP_ISSUED")
# Files the loader is known not to read (strict xfail: fails once they are read). Empty
# since the source globs '**/*.[cC][sS][vV]', which reads a .CSV return too.
NOT_READ: dict[str, str] = {}
# Python's formatting of missing values, unfilled {placeholders}, escaped bytes: never in a message.
NOT_PLAIN_ENGLISH = re.compile(r"\bnan\b|\bNone\b|<NA>|\{|\}|\\x|\\u|\ufffd")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class CorpusBuild:
    build: Build
    before: dict[str, str]  # file path in the returns folder -> sha256 before the build
    valid: list[tuple[str, str, str]]  # (file path, la_code, period) of the valid returns
    findings: dict[str, list[dict]]
    files: dict[str, dict]  # marts.fct_return_files by file path
    rejects: dict[str, list[dict]]
    staged: dict[str, list[dict]]  # data and header lines of stg_la_returns__lines
    returns: dict[str, dict]  # marts.fct_returns by file path (latest versions)


def rows(build: Build, sql: str) -> list[dict]:
    import duckdb

    with duckdb.connect(str(build.db_path), read_only=True) as con:
        relation = con.sql(sql)
        return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def by_path(records: list[dict]) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for record in records:
        grouped[record["file_path"]].append(record)
    return grouped


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusBuild]:
    root = tmp_path_factory.mktemp("bad_input_corpus")
    returns = root / "returns"
    shutil.copytree(CORPUS_DIR / "files", returns / "corpus")
    large = next(c for c in make_corpus.cases() if c.folder == make_corpus.VERY_LARGE_FILE)
    large_path = returns / "corpus" / large.folder / large.file_name
    large_path.parent.mkdir(parents=True, exist_ok=True)
    large_path.write_bytes(make_corpus.very_large_file_bytes(large.la_code, large.period))

    used = {c.la_code for c in make_corpus.cases()}
    free = [la for la in make_corpus.LAS if la not in used]
    valid = []
    for la_code, period in zip(free, VALID_QUARTERS, strict=False):
        path = write_valid_return(returns / "valid", la_code, period)
        valid.append((path.relative_to(returns).as_posix(), la_code, period))
    for la_code, period in zip(free[len(VALID_QUARTERS) :], HISTORY_QUARTERS, strict=False):
        fy, quarter = period.split(" ")
        register_of_the_time = [row for row in valid_return_rows(la_code, period) if row[2] not in ITEMS_FROM_2022]
        path = write_return(returns / "valid", f"{fy}_{quarter}/{la_code}_{fy}_{quarter}.csv", register_of_the_time)
        valid.append((path.relative_to(returns).as_posix(), la_code, period))
    before = {p.relative_to(returns).as_posix(): sha256(p) for p in sorted(returns.rglob("*")) if p.is_file()}

    build = run_dbt(returns, root / "riia.duckdb")
    yield CorpusBuild(
        build=build,
        before=before,
        valid=valid,
        findings=by_path(rows(build, "select * from marts.fct_validation_results")),
        files={r["file_path"]: r for r in rows(build, "select * from marts.fct_return_files")},
        rejects=by_path(rows(build, "select * from marts.fct_return_rejects")),
        staged=by_path(
            rows(build, "select * from staging.stg_la_returns__lines where line_kind in ('data', 'header')")
        ),
        returns={r["file_path"]: r for r in rows(build, "select * from marts.fct_returns")},
    )


def expected_for(file: str) -> list[dict]:
    return [row for row in EXPECTED if row["file"] == file]


def corpus_path(file: str) -> str:
    return f"corpus/{file}"


def corpus_file(file: str):
    marks = [pytest.mark.xfail(strict=True, reason=NOT_READ[file])] if file in NOT_READ else []
    return pytest.param(file, marks=marks, id=file.split("/")[0])


# --- the corpus itself -------------------------------------------------------------------------


def test_corpus_files_are_what_make_corpus_writes(tmp_path: Path) -> None:
    """The committed files and expected.csv are exactly the generator's output (no drift)."""
    written = make_corpus.write_corpus(tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written}
    committed = {
        p.relative_to(CORPUS_DIR).as_posix(): p.read_bytes()
        for p in sorted(CORPUS_DIR.rglob("*"))
        if p.is_file() and (p.parent != CORPUS_DIR or p.name == "expected.csv") and "__pycache__" not in p.parts
    }
    assert sorted(fresh) == sorted(committed)
    for name, content in fresh.items():
        assert committed[name] == content, name


def test_corpus_has_at_least_30_distinct_malformations() -> None:
    assert len({row["file"].split("/")[0] for row in EXPECTED}) >= 30
    for row in EXPECTED:
        assert row["outcome"] in ("accepted", "finding"), row
        if row["outcome"] == "finding":
            assert row["rule_id"] and row["severity"] in ("error", "warning") and row["message_contains"], row
    assert "26_very_large_file" in {row["file"].split("/")[0] for row in EXPECTED}
    assert not (CORPUS_DIR / "files" / make_corpus.VERY_LARGE_FILE).exists(), "the very large file is never committed"


# --- every corpus file, through the build ------------------------------------------------------


@pytest.mark.build
@pytest.mark.parametrize("file", [corpus_file(f) for f in CORPUS_FILES])
def test_each_file_gets_its_expected_findings(corpus: CorpusBuild, file: str) -> None:
    path = corpus_path(file)
    assert path in corpus.files, f"{file} was not read at all"
    expected = expected_for(file)
    got = corpus.findings.get(path, [])
    key = lambda rule, severity, line, item: (rule, severity, line, item)  # noqa: E731
    wanted = {
        key(r["rule_id"], r["severity"], int(r["line_number"]) if r["line_number"] else None, r["item_code"] or None)
        for r in expected
        if r["outcome"] == "finding"
    }
    found = {key(f["rule_id"], f["severity"], f["line_number"], f["item_code"]) for f in got}
    messages = "\n".join(f"  {f['rule_id']} line {f['line_number']} {f['item_code']}: {f['message']}" for f in got)
    assert found == wanted, f"{file}: findings differ from expected.csv\n{messages}"
    for r in expected:
        if r["outcome"] != "finding":
            continue
        line = int(r["line_number"]) if r["line_number"] else None
        [finding] = [
            f
            for f in got
            if (f["rule_id"], f["line_number"], f["item_code"]) == (r["rule_id"], line, r["item_code"] or None)
        ]
        assert r["message_contains"] in finding["message"], f"{file}: {finding['message']}"


@pytest.mark.build
@pytest.mark.parametrize("file", [corpus_file(f) for f in CORPUS_FILES])
def test_each_finding_names_file_line_item_and_rule_in_plain_english(corpus: CorpusBuild, file: str) -> None:
    path = corpus_path(file)
    assert path in corpus.files, f"{file} was not read at all"
    for finding in corpus.findings.get(path, []):
        message = finding["message"]
        assert finding["source_file"] == file.rsplit("/", 1)[-1] and finding["rule_id"], finding
        assert finding["severity"] in ("error", "warning") and finding["what_to_fix"], finding
        assert not NOT_PLAIN_ENGLISH.search(message), message
        assert message[0].isupper() or message[0].isdigit() or message[0] == "'", message
        if finding["line_number"] is not None:
            assert f"Line {finding['line_number']}" in message, message
        if finding["item_code"] is not None:
            assert finding["item_code"].lower() in message.lower() or (finding["value"] or "") in message, message
        if finding["line_number"] is None and finding["item_code"] is None:  # about the file as a whole
            assert file.rsplit("/", 1)[-1] in message, message


@pytest.mark.build
@pytest.mark.parametrize("file", [corpus_file(f) for f in CORPUS_FILES])
def test_each_file_gets_the_outcome_its_findings_mean(corpus: CorpusBuild, file: str) -> None:
    """accepted -> accepted; an error -> quarantined (when the file is the version in use)."""
    path = corpus_path(file)
    assert path in corpus.files, f"{file} was not read at all"
    if path not in corpus.returns:  # not the version in use, or a name that gives no LA and quarter
        return
    severities = {r["severity"] for r in expected_for(file) if r["outcome"] == "finding"}
    status = corpus.returns[path]["return_status"]
    if "error" in severities:
        assert status == "quarantined", file
    elif "warning" in severities:
        assert status == "accepted_with_warnings", file
    else:
        assert status == "accepted", file


@pytest.mark.build
def test_the_outcome_is_checked_for_every_file_but_those_no_return_stands_for(corpus: CorpusBuild) -> None:
    """The test above checks a file's outcome only when the file is the version in use of an
    LA's return: these are the corpus files it passes over, each for its reason."""
    passed_over = sorted(f for f in CORPUS_FILES if f not in NOT_READ and corpus_path(f) not in corpus.returns)
    assert passed_over == [
        "36_file_name_not_template/334_2022-23_Q4 (1).csv",  # its name gives no LA and quarter
        # one version of a return in two files: the return is recorded under the other file
        "37_same_version_twice_identical/filed/335_2023-24_Q1.csv",
        "38_same_version_twice_different/filed/336_2023-24_Q2.csv",
    ]


@pytest.mark.build
@pytest.mark.parametrize("file", [corpus_file(f) for f in CORPUS_FILES])
def test_no_line_is_lost_silently(corpus: CorpusBuild, file: str) -> None:
    """data lines + header + rejected lines = the physical lines of the file (a quoted comment
    over two lines is one data line covering two physical lines)."""
    path = corpus_path(file)
    assert path in corpus.files, f"{file} was not read at all"
    content = (corpus.build.returns_dir / path).read_bytes()
    meta = corpus.files[path]
    rejects = corpus.rejects.get(path, [])
    staged = corpus.staged.get(path, [])
    if any(r["reject_kind"] == "file_unreadable" for r in rejects):
        # nothing could be split into lines: one row says why, and the file is listed
        assert len(rejects) == 1 and rejects[0]["reason"] and not staged, file
        assert meta["file_status"] == "unreadable" and meta["file_problem"], file
        return

    def covers(raw_line: str | None) -> int:
        return 1 + (raw_line or "").count("\n")

    data = [s for s in staged if s["line_kind"] == "data"]
    header = [s for s in staged if s["line_kind"] == "header"]
    assert len(header) <= 1, file
    assert sum(covers(s["raw_line"]) for s in staged) + sum(
        covers(r["raw_line"]) for r in rejects
    ) == physical_line_count(content), file
    # the marts say the same
    assert meta["data_line_count"] == len(data), file
    assert meta["blank_line_count"] + meta["malformed_line_count"] == len(rejects), file
    assert all(r["reason"] for r in rejects), file
    # every line number is used once
    numbers = [s["line_number"] for s in staged] + [r["line_number"] for r in rejects]
    assert len(numbers) == len(set(numbers)), file


@pytest.mark.build
def test_raw_bytes_are_unchanged(corpus: CorpusBuild) -> None:
    returns = corpus.build.returns_dir
    after = {p.relative_to(returns).as_posix(): sha256(p) for p in sorted(returns.rglob("*")) if p.is_file()}
    assert after == corpus.before
    for file in CORPUS_FILES:
        committed = CORPUS_DIR / "files" / file
        if committed.exists():
            assert after[corpus_path(file)] == sha256(committed), file


@pytest.mark.build
def test_valid_returns_of_other_las_are_all_accepted(corpus: CorpusBuild) -> None:
    assert len(corpus.valid) == len(VALID_QUARTERS) + len(HISTORY_QUARTERS)
    for path, la_code, period in corpus.valid:
        assert corpus.findings.get(path, []) == [], path
        row = corpus.returns[path]
        assert (row["la_code"], row["period"], row["return_status"]) == (la_code, period, "accepted"), path
    # ... and they reach the indicator marts
    indicator_las = {
        (la, period)
        for la, period in corpus.build.query("select distinct la_code, period from marts.fct_indicator_values")
    }
    assert {(la, period) for _, la, period in corpus.valid} <= indicator_las


@pytest.mark.build
def test_accepted_corpus_files_are_read_correctly(corpus: CorpusBuild) -> None:
    """Accepted oddities load the figures the LA meant (not just "no finding")."""
    values = {
        (file_path, item): (value_number, comment)
        for file_path, item, value_number, comment in corpus.build.query(
            "select file_path, item_code, value_number, comment from intermediate.int_return_values_typed"
        )
    }
    accepted = [
        f for f in CORPUS_FILES if all(r["outcome"] == "accepted" for r in expected_for(f)) and f not in NOT_READ
    ]
    assert len(accepted) >= 15
    for file in accepted:
        path = corpus_path(file)
        for item, value in make_corpus.VALID_CORE_VALUES.items():
            assert values.get((path, item), (None,))[0] == value, (file, item)
    cp1252 = next(f for f in accepted if f.startswith("13_"))
    assert values[(corpus_path(cp1252), "EHE_END")][1] == (
        "\u201cElective\u201d home education rose \u2013 \u00a3 funding for outreach"
    )
    newline = next(f for f in accepted if f.startswith("31_"))
    assert "\n" in values[(corpus_path(newline), "CLA_END")][1]
    # the identical copy is counted once: one version in use for its LA and quarter
    twice = [f for f in accepted if f.startswith("37_")]
    assert len(twice) == 2
    assert sum(corpus.files[corpus_path(f)]["is_latest_version"] for f in twice) == 1


# --- the same files through `riia check` ----------------------------------------------------------


@pytest.fixture(scope="module")
def checked(corpus: CorpusBuild, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    """`riia check --no-warehouse` on every corpus file at once (the very large one too), as an
    LA officer would run it, with its cache (the seeds' warehouse, dbt's parse) in a folder of
    its own that holds a broken parse: its findings by each file's path in the build's folder."""
    import faultkit as fk

    cache = tmp_path_factory.mktemp("check_cache")
    (cache / "partial_parse.msgpack").write_bytes(b"not a parse")  # dbt must parse the project itself
    folder = corpus.build.returns_dir
    paths = sorted(p for p in (folder / "corpus").rglob("*") if p.is_file())
    env = dict(os.environ, RIIA_CHECK_CACHE_DIR=str(cache), RIIA_DUCKDB_THREADS=fk.DUCKDB_THREADS)
    result = fk.run(["check", "--no-warehouse", "--format", "json", *map(str, paths)], env)
    assert result.returncode == 1, result.stderr[-3000:]  # the corpus has errors
    assert "not a parse" not in (cache / "partial_parse.msgpack").read_text(errors="replace")  # dbt's, kept
    report = json.loads(result.stdout)
    names = dict(zip(report["files"], (p.relative_to(folder).as_posix() for p in paths), strict=True))
    findings: dict[str, list[dict]] = defaultdict(list)
    for finding in report["findings"]:
        findings[names[finding["file"]]].append(finding)
    return findings


def quoted_names(message: str) -> str:
    """A message with each file it quotes named by its name alone: where two files share a
    name, the build quotes their paths in the returns folder, the check the names it gave
    them (the name, then folder/name)."""
    return re.sub(r"'(?:[^'/]*/)+([^'/]+)'", r"'\1'", message)


@pytest.mark.build
def test_riia_check_finds_what_the_build_finds(corpus: CorpusBuild, checked: dict[str, list[dict]]) -> None:
    """An LA officer's check and the build are one engine: for every corpus file, the check
    without a warehouse gives the build's template and logical findings (T, L) - the same
    lines, items, values, rules and words - and no plausibility finding (P), which needs a
    warehouse to compare with."""
    compared, differ = 0, {}
    for file in CORPUS_FILES:
        path = corpus_path(file)
        built = sorted(
            (f["rule_id"], f["severity"], f["line_number"], f["item_code"], f["value"], quoted_names(f["message"]),
             f["what_to_fix"])
            for f in corpus.findings.get(path, [])
            if f["rule_id"][0] in "TL"
        )  # fmt: skip
        found = sorted(
            (f["rule"], f["severity"], f["line"], f["item"], f["value"], quoted_names(f["message"]), f["what_to_fix"])
            for f in checked.get(path, [])
        )
        if found != built:
            differ[file] = (found, built)
        compared += len(found)
    assert not differ, "\n".join(f"{f}:\n  check {c}\n  build {b}" for f, (c, b) in differ.items())
    assert compared >= 40
