"""The test run's own machinery (conftest): the order in which `make test` hands test files
to its workers, and the parse it lends to a build."""

from __future__ import annotations

from pathlib import Path

from conftest import PROJECT_ROOT, Parses, expected_seconds, reads_the_sample

HERE = "tests/python"


def test_a_file_takes_as_long_as_last_time_or_is_guessed_from_what_it_calls() -> None:
    last_run = {f"{HERE}/test_reliability.py": 88.5}
    assert expected_seconds(f"{HERE}/test_reliability.py", PROJECT_ROOT, last_run) == 88.5
    # no time kept (a fresh clone): a file that builds is guessed long, a file of unit tests short
    assert expected_seconds(f"{HERE}/test_incremental.py", PROJECT_ROOT, last_run) == 60.0
    assert expected_seconds(f"{HERE}/test_workers.py", PROJECT_ROOT, last_run) == 1.0


def test_the_files_that_build_are_guessed_long_and_the_sample_readers_go_together() -> None:
    files = sorted(Path(PROJECT_ROOT, HERE).glob("test_*.py"))
    guessed = {f.name: expected_seconds(f"{HERE}/{f.name}", PROJECT_ROOT, {}) for f in files}
    for name in ("test_incremental.py", "test_reliability.py", "test_faults_kill.py", "test_lint.py"):
        assert guessed[name] == 60.0, name
    assert guessed["test_harness.py"] == 1.0
    # the sample's readers go first as one group, whatever their guess
    assert reads_the_sample(Path(PROJECT_ROOT, HERE, "test_reports.py"))


def test_a_lent_parse_leaves_no_folder_behind_a_command_that_made_none(tmp_path: Path) -> None:
    parses = Parses()
    parses.root = tmp_path / "run"
    parses.root.mkdir()
    parses.seed("riia-x").write_bytes(b"a parse")
    # a build that stopped before making its build folder: the folders lent are taken back
    target = tmp_path / "one" / "build" / "target"
    made = parses.lend("riia-x", target)
    assert (target / "partial_parse.msgpack").read_bytes() == b"a parse"
    parses.take_back(target, made)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    # a build that wrote beside it keeps everything
    target = tmp_path / "two" / "build" / "target"
    made = parses.lend("riia-x", target)
    (target / "manifest.json").write_text("{}")
    parses.take_back(target, made)
    assert sorted(p.name for p in target.iterdir()) == ["manifest.json", "partial_parse.msgpack"]
    # a folder no build could make: nothing lent, nothing raised (the build says why itself)
    (tmp_path / "a_file").write_text("")
    assert parses.lend("riia-x", tmp_path / "a_file" / "build" / "target") == []
