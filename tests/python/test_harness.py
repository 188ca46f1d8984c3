"""The test run's own machinery (conftest): the order in which `make test` hands test files
to its workers, and the parse it lends to a build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import (
    KEPT_SECONDS,
    PROJECT_ROOT,
    SECONDS_KEY,
    Parses,
    builds,
    expected_seconds,
    keep_seconds,
    last_run_seconds,
    reads_the_sample,
)

HERE = "tests/python"


def test_a_file_takes_as_long_as_last_time_or_is_guessed_from_what_it_calls() -> None:
    last_run = {f"{HERE}/test_reliability.py": 88.5}
    assert expected_seconds(f"{HERE}/test_reliability.py", PROJECT_ROOT, last_run) == 88.5
    # never timed: a file that builds is guessed long, a file of unit tests short
    assert expected_seconds(f"{HERE}/test_incremental.py", PROJECT_ROOT, last_run) == 60.0
    assert expected_seconds(f"{HERE}/test_workers.py", PROJECT_ROOT, last_run) == 1.0


class FakeCache:
    def __init__(self, values: dict) -> None:
        self.values = values

    def get(self, key: str, default: object) -> object:
        return self.values.get(key, default)


def test_the_last_run_is_this_machines_else_the_one_kept_in_the_repository() -> None:
    kept = json.loads(KEPT_SECONDS.read_text(encoding="utf-8"))
    # a fresh clone (no cache, as CI's): the kept times
    assert last_run_seconds(None) == last_run_seconds(FakeCache({})) == kept
    # this machine's times first, the kept ones for the files it has not timed
    mine = {f"{HERE}/test_reliability.py": 88.5, f"{HERE}/test_new.py": 3.0}
    merged = last_run_seconds(FakeCache({SECONDS_KEY: mine}))
    assert merged == kept | mine and merged[f"{HERE}/test_lint.py"] == kept[f"{HERE}/test_lint.py"]


def test_the_kept_times_name_every_file_that_builds_and_no_file_that_is_gone() -> None:
    # a file that builds and was never timed is guessed a minute, which can leave a worker
    # idle at the end of a fresh clone's run: after adding one, `make test` then `make test-seconds`
    kept = json.loads(KEPT_SECONDS.read_text(encoding="utf-8"))
    files = {f"{HERE}/{f.name}": f for f in Path(PROJECT_ROOT, HERE).glob("test_*.py")}
    assert set(kept) <= set(files), sorted(set(kept) - set(files))
    building = {name for name, f in files.items() if builds(f)}
    assert building - set(kept) == set(), "not timed: run `make test`, then `make test-seconds`"
    assert all(isinstance(seconds, int) and seconds >= 0 for seconds in kept.values())


def test_keeping_the_times_takes_the_last_runs_in_whole_seconds(tmp_path: Path) -> None:
    cache = tmp_path / ".pytest_cache"
    (cache / "v" / "riia").mkdir(parents=True)
    times = {f"{HERE}/test_b.py": 12.6, f"{HERE}/test_a.py": 0.4, f"{HERE}/test_removed.py": 3.0}
    (cache / "v" / SECONDS_KEY).write_text(json.dumps(times))
    (tmp_path / HERE).mkdir(parents=True)
    for name in ("test_a.py", "test_b.py"):  # test_removed.py is no longer there
        (tmp_path / HERE / name).write_text("")
    kept = tmp_path / "kept.json"
    assert keep_seconds(cache, kept) == {f"{HERE}/test_a.py": 0, f"{HERE}/test_b.py": 13}
    assert list(json.loads(kept.read_text())) == [f"{HERE}/test_a.py", f"{HERE}/test_b.py"]
    # no run yet: says so, writes nothing
    (cache / "v" / SECONDS_KEY).unlink()
    kept.unlink()
    with pytest.raises(SystemExit, match="run `make test` first"):
        keep_seconds(cache, kept)
    assert not kept.exists()


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
